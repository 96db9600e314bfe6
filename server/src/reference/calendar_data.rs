//! The holiday calendars shipped with Abdi (`server/data/holidays/*.toml`), loaded into the
//! database for each year that has none yet. A year already in the database is never
//! overwritten: an administrator's corrections win over the shipped file.

use abdi_proto::HolidayCalendar;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionSession, TransactionTrait,
};

use super::entity::holiday;

/// (file name, contents) of every shipped calendar.
pub(crate) const SHIPPED: &[(&str, &str)] = &[
    ("2025.toml", include_str!("../../data/holidays/2025.toml")),
    ("2026.toml", include_str!("../../data/holidays/2026.toml")),
];

#[derive(Debug, thiserror::Error)]
pub enum CalendarDataError {
    #[error("holiday calendar {file}: {reason}")]
    Parse { file: String, reason: String },
    #[error("loading the holiday calendar: {0}")]
    Database(#[from] sea_orm::DbErr),
}

pub(crate) fn parse(file: &str, text: &str) -> Result<HolidayCalendar, CalendarDataError> {
    toml::from_str(text).map_err(|e| CalendarDataError::Parse {
        file: file.to_owned(),
        reason: crate::store::db::one_line(e.message()),
    })
}

/// Loads each shipped year the database does not have yet; returns the years loaded.
pub(crate) async fn load_shipped<C>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<Vec<i32>, CalendarDataError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let mut loaded = Vec::new();
    for (file, text) in SHIPPED {
        let calendar = parse(file, text)?;
        let year = calendar.year();
        let present = holiday::Entity::find()
            .filter(holiday::Column::Year.eq(year))
            .count(db)
            .await?;
        if present > 0 {
            continue;
        }
        let rows = calendar.days().map(|d| holiday::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            year: Set(year),
            date: Set(d.date),
            kind: Set(d.kind.to_string()),
            name_id: Set(d.name_id.clone()),
            name_en: Set(d.name_en.clone()),
            legal_basis: Set(d.legal_basis.clone()),
            created_at: Set(now),
            updated_at: Set(now),
        });
        // A date already there (another instance loaded it first) is left as it is.
        let txn = db.begin().await?;
        holiday::Entity::insert_many(rows)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(holiday::Column::Date)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        txn.commit().await?;
        tracing::info!(
            year,
            days = calendar.days().count(),
            "holiday calendar loaded"
        );
        loaded.push(year);
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use abdi_proto::master::HolidayKind;
    use chrono::NaiveDate;

    use super::*;

    fn shipped(year: i32) -> HolidayCalendar {
        let (file, text) = SHIPPED
            .iter()
            .find(|(f, _)| f.starts_with(&year.to_string()))
            .unwrap();
        parse(file, text).unwrap()
    }

    #[test]
    fn every_shipped_calendar_parses() {
        for (file, text) in SHIPPED {
            let c = parse(file, text).unwrap();
            assert_eq!(format!("{}.toml", c.year()), *file);
        }
    }

    #[test]
    fn the_2025_calendar_matches_the_decrees() {
        let c = shipped(2025);
        assert_eq!(c.of_kind(HolidayKind::NationalHoliday).count(), 17);
        // Keppres 2/2025 (10 days) plus 18 August added by SKB 933/2025.
        assert_eq!(c.of_kind(HolidayKind::CutiBersama).count(), 11);
        let aug18 = c
            .get(NaiveDate::from_ymd_opt(2025, 8, 18).unwrap())
            .unwrap();
        assert_eq!(aug18.kind, HolidayKind::CutiBersama);
        assert!(aug18.legal_basis.contains("933/2025"));
    }

    #[test]
    fn the_2026_calendar_matches_the_decrees() {
        let c = shipped(2026);
        assert_eq!(c.of_kind(HolidayKind::NationalHoliday).count(), 17);
        assert_eq!(c.of_kind(HolidayKind::CutiBersama).count(), 8);
        assert!(
            c.of_kind(HolidayKind::CutiBersama)
                .all(|d| d.legal_basis.contains("Keppres 42/2025"))
        );
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        // Idulfitri week: Mon 16 March to Fri 27 March 2026 has only five working days.
        assert_eq!(c.working_days(d(3, 16), d(3, 27)).unwrap(), 5);
        // Christmas week: 24 (cuti bersama) and 25 (holiday) December are off.
        assert_eq!(c.working_days(d(12, 21), d(12, 25)).unwrap(), 3);
    }

    #[test]
    fn a_broken_file_is_one_clear_error() {
        let e = parse(
            "2030.toml",
            "year = 2030\ndays = [{ date = \"2030-02-30\" }]",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("holiday calendar 2030.toml:"), "{e}");
        assert!(!e.contains('\n'));
    }
}
