use abdi_proto::master::{HolidayKind, Vocabulary};
use abdi_proto::{Holiday, HolidayCalendar, RankCode};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::ReferenceError;
use super::entity::{holiday, holiday_revision, rank};

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

    /// What replacing a year's calendar with `calendar` would change, read through `txn`.
    pub async fn diff(
        txn: &impl ConnectionTrait,
        calendar: &HolidayCalendar,
    ) -> Result<YearDiff, ReferenceError> {
        let before = match Self::calendar_in(txn, calendar.year()).await {
            Ok(c) => c.days().cloned().collect::<Vec<_>>(),
            Err(ReferenceError::CalendarNotFound(_)) => Vec::new(),
            Err(e) => return Err(e),
        };
        let after: Vec<Holiday> = calendar.days().cloned().collect();
        let (added, removed) = abdi_proto::calendar::changed_days(&before, &after);
        Ok(YearDiff {
            before,
            added,
            removed,
        })
    }

    /// Replaces the year's calendar with `calendar` inside `txn` and keeps the change (`diff`,
    /// from [`ReferenceService::diff`]) as the year's next revision, which it returns.
    pub async fn replace_year(
        txn: &impl ConnectionTrait,
        calendar: &HolidayCalendar,
        diff: &YearDiff,
        change: YearChange<'_>,
    ) -> Result<i32, ReferenceError> {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set};
        let year = calendar.year();
        let after: Vec<Holiday> = calendar.days().cloned().collect();
        let before = &diff.before;
        holiday::Entity::delete_many()
            .filter(holiday::Column::Year.eq(year))
            .exec(txn)
            .await?;
        for h in &after {
            holiday::ActiveModel {
                id: Set(uuid::Uuid::new_v4()),
                year: Set(year),
                date: Set(h.date),
                kind: Set(h.kind.code().to_owned()),
                name_id: Set(h.name_id.clone()),
                name_en: Set(h.name_en.clone()),
                legal_basis: Set(h.legal_basis.clone()),
                created_at: Set(change.at),
                updated_at: Set(change.at),
            }
            .insert(txn)
            .await?;
        }
        let revision = holiday_revision::Entity::find()
            .filter(holiday_revision::Column::Year.eq(year))
            .all(txn)
            .await?
            .iter()
            .map(|r| r.revision)
            .max()
            .unwrap_or(0)
            + 1;
        let json = |days: &[Holiday]| serde_json::to_string(days).unwrap_or_default();
        holiday_revision::ActiveModel {
            year: Set(year),
            revision: Set(revision),
            days: Set(json(&after)),
            previous: Set(json(before)),
            changed_by: Set(change.by),
            changed_at: Set(change.at),
            note: Set(change.note.to_owned()),
            affected: Set(change.affected as i32),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        Ok(revision)
    }

    /// Every change of `year`'s calendar, newest first.
    pub async fn revisions(
        &self,
        year: i32,
    ) -> Result<Vec<holiday_revision::Model>, ReferenceError> {
        Ok(holiday_revision::Entity::find()
            .filter(holiday_revision::Column::Year.eq(year))
            .order_by_desc(holiday_revision::Column::Revision)
            .all(&self.db)
            .await?)
    }
}

/// A year's calendar before a change, and the days the change adds (or changes the kind of)
/// and removes.
pub struct YearDiff {
    pub before: Vec<Holiday>,
    pub added: Vec<chrono::NaiveDate>,
    pub removed: Vec<chrono::NaiveDate>,
}

impl YearDiff {
    /// Every day the change touches.
    pub fn days(&self) -> impl Iterator<Item = chrono::NaiveDate> + '_ {
        self.added.iter().chain(&self.removed).copied()
    }
}

/// Who changes a year's calendar, when, why, and how many open requests it touches.
pub struct YearChange<'a> {
    pub by: Option<uuid::Uuid>,
    pub at: chrono::DateTime<chrono::Utc>,
    pub note: &'a str,
    pub affected: u32,
}
