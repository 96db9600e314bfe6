use abdi_proto::master::{HolidayKind, Vocabulary};
use abdi_proto::{Holiday, HolidayCalendar, RankCode};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::ReferenceError;
use super::entity::{holiday, rank};

#[derive(Debug, Clone)]
pub struct ReferenceService {
    db: DatabaseConnection,
}

impl ReferenceService {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The rank ladder as stored, lowest first. Rows that do not parse as a rank (which the
    /// migration never writes) are an error, not silently dropped.
    pub async fn ranks(&self) -> Result<Vec<RankCode>, ReferenceError> {
        rank::Entity::find()
            .order_by_asc(rank::Column::Level)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| {
                RankCode::parse(&r.code)
                    .map_err(|e| DbErr::Custom(format!("ranks table: {e}")).into())
            })
            .collect()
    }

    pub async fn calendar_years(&self) -> Result<Vec<i32>, ReferenceError> {
        Ok(holiday::Entity::find()
            .select_only()
            .column(holiday::Column::Year)
            .distinct()
            .order_by_asc(holiday::Column::Year)
            .into_tuple::<i32>()
            .all(&self.db)
            .await?)
    }

    pub async fn calendar(&self, year: i32) -> Result<HolidayCalendar, ReferenceError> {
        Self::calendar_in(&self.db, year).await
    }

    /// A year's calendar read through `db` (a transaction in progress, so a request never
    /// needs a second connection).
    pub async fn calendar_in(
        db: &impl ConnectionTrait,
        year: i32,
    ) -> Result<HolidayCalendar, ReferenceError> {
        let rows = holiday::Entity::find()
            .filter(holiday::Column::Year.eq(year))
            .order_by_asc(holiday::Column::Date)
            .all(db)
            .await?;
        if rows.is_empty() {
            return Err(ReferenceError::CalendarNotFound(year));
        }
        let days = rows
            .into_iter()
            .map(|r| {
                let kind = HolidayKind::from_code(&r.kind).ok_or_else(|| {
                    DbErr::Custom(format!("holidays: unknown kind '{}' on {}", r.kind, r.date))
                })?;
                Ok(Holiday {
                    date: r.date,
                    kind,
                    name_id: r.name_id,
                    name_en: r.name_en,
                    legal_basis: r.legal_basis,
                })
            })
            .collect::<Result<Vec<_>, DbErr>>()?;
        HolidayCalendar::new(year, days)
            .map_err(|e| DbErr::Custom(format!("holidays of {year}: {e}")).into())
    }
}
