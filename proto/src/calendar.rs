//! The yearly holiday calendar: national holidays (SKB of three ministers) and cuti bersama
//! (Keppres), each with its legal basis. Working days are Monday to Friday (Perpres 21/2023)
//! minus both kinds of day.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::master::HolidayKind;

/// One day off in the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Holiday {
    pub date: NaiveDate,
    pub kind: HolidayKind,
    /// Name in Bahasa Indonesia.
    pub name_id: String,
    /// Name in English.
    pub name_en: String,
    /// The decree that sets this day, e.g. "Keppres 42/2025".
    pub legal_basis: String,
}

/// A year's calendar, checked: every day inside the year, no date twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawCalendar", into = "RawCalendar")]
pub struct HolidayCalendar {
    year: i32,
    days: BTreeMap<NaiveDate, Holiday>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("{date} is not in the calendar's year {year}")]
    OutsideYear { date: NaiveDate, year: i32 },
    #[error("{0} appears twice in the calendar")]
    Duplicate(NaiveDate),
    #[error("{0} has an empty name or legal basis")]
    Incomplete(NaiveDate),
    #[error("the range {start} .. {end} is empty or leaves the year {year}")]
    Range {
        start: NaiveDate,
        end: NaiveDate,
        year: i32,
    },
}

#[derive(Serialize, Deserialize)]
struct RawCalendar {
    year: i32,
    days: Vec<Holiday>,
}

impl TryFrom<RawCalendar> for HolidayCalendar {
    type Error = CalendarError;
    fn try_from(raw: RawCalendar) -> Result<Self, Self::Error> {
        Self::new(raw.year, raw.days)
    }
}

impl From<HolidayCalendar> for RawCalendar {
    fn from(c: HolidayCalendar) -> Self {
        RawCalendar {
            year: c.year,
            days: c.days.into_values().collect(),
        }
    }
}

impl HolidayCalendar {
    pub fn new(year: i32, days: Vec<Holiday>) -> Result<Self, CalendarError> {
        let mut map = BTreeMap::new();
        for day in days {
            if day.date.year() != year {
                return Err(CalendarError::OutsideYear {
                    date: day.date,
                    year,
                });
            }
            if day.name_id.trim().is_empty() || day.legal_basis.trim().is_empty() {
                return Err(CalendarError::Incomplete(day.date));
            }
            let date = day.date;
            if map.insert(date, day).is_some() {
                return Err(CalendarError::Duplicate(date));
            }
        }
        Ok(Self { year, days: map })
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    /// The days off, in date order.
    pub fn days(&self) -> impl Iterator<Item = &Holiday> {
        self.days.values()
    }

    pub fn of_kind(&self, kind: HolidayKind) -> impl Iterator<Item = &Holiday> {
        self.days.values().filter(move |d| d.kind == kind)
    }

    pub fn get(&self, date: NaiveDate) -> Option<&Holiday> {
        self.days.get(&date)
    }

    /// Monday to Friday and neither a national holiday nor cuti bersama.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.days.contains_key(&date)
    }

    /// Working days from `start` to `end`, both included, inside this calendar's year.
    pub fn working_days(&self, start: NaiveDate, end: NaiveDate) -> Result<u32, CalendarError> {
        if end < start || start.year() != self.year || end.year() != self.year {
            return Err(CalendarError::Range {
                start,
                end,
                year: self.year,
            });
        }
        Ok(start
            .iter_days()
            .take_while(|d| *d <= end)
            .filter(|d| self.is_working_day(*d))
            .count() as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn day(date: NaiveDate, kind: HolidayKind) -> Holiday {
        Holiday {
            date,
            kind,
            name_id: "Idulfitri 1447 H".into(),
            name_en: "Eid al-Fitr".into(),
            legal_basis: "SKB 1497/2025, 2/2025, 5/2025".into(),
        }
    }

    /// The Idulfitri weeks of 2026: holidays 21-22 March, cuti bersama 18, 20, 23, 24 March.
    fn lebaran_2026() -> HolidayCalendar {
        use HolidayKind::*;
        HolidayCalendar::new(
            2026,
            vec![
                day(d(2026, 3, 18), CutiBersama),
                day(d(2026, 3, 19), NationalHoliday),
                day(d(2026, 3, 20), CutiBersama),
                day(d(2026, 3, 21), NationalHoliday),
                day(d(2026, 3, 22), NationalHoliday),
                day(d(2026, 3, 23), CutiBersama),
                day(d(2026, 3, 24), CutiBersama),
            ],
        )
        .unwrap()
    }

    #[test]
    fn a_plain_week_has_five_working_days() {
        let cal = lebaran_2026();
        // Monday 2 March to Sunday 8 March 2026.
        assert_eq!(cal.working_days(d(2026, 3, 2), d(2026, 3, 8)).unwrap(), 5);
    }

    #[test]
    fn holidays_and_cuti_bersama_are_not_working_days() {
        let cal = lebaran_2026();
        // Monday 16 to Friday 27 March 2026: ten weekdays, of which 18, 19, 20, 23, 24 are off.
        assert_eq!(cal.working_days(d(2026, 3, 16), d(2026, 3, 27)).unwrap(), 5);
        assert!(!cal.is_working_day(d(2026, 3, 23)));
        assert!(cal.is_working_day(d(2026, 3, 25)));
        assert!(!cal.is_working_day(d(2026, 3, 28)), "Saturday");
        assert_eq!(cal.of_kind(HolidayKind::CutiBersama).count(), 4);
    }

    #[test]
    fn a_single_day_range_counts_itself() {
        let cal = lebaran_2026();
        assert_eq!(cal.working_days(d(2026, 3, 25), d(2026, 3, 25)).unwrap(), 1);
        assert_eq!(cal.working_days(d(2026, 3, 21), d(2026, 3, 21)).unwrap(), 0);
    }

    #[test]
    fn refuses_bad_ranges_and_bad_calendars() {
        let cal = lebaran_2026();
        assert!(cal.working_days(d(2026, 3, 25), d(2026, 3, 24)).is_err());
        assert!(cal.working_days(d(2025, 12, 31), d(2026, 1, 2)).is_err());
        let outside = HolidayCalendar::new(
            2026,
            vec![day(d(2025, 12, 25), HolidayKind::NationalHoliday)],
        );
        assert!(matches!(outside, Err(CalendarError::OutsideYear { .. })));
        let twice = HolidayCalendar::new(
            2026,
            vec![
                day(d(2026, 3, 19), HolidayKind::NationalHoliday),
                day(d(2026, 3, 19), HolidayKind::CutiBersama),
            ],
        );
        assert_eq!(twice, Err(CalendarError::Duplicate(d(2026, 3, 19))));
        let mut nameless = day(d(2026, 3, 19), HolidayKind::NationalHoliday);
        nameless.legal_basis = " ".into();
        assert!(matches!(
            HolidayCalendar::new(2026, vec![nameless]),
            Err(CalendarError::Incomplete(_))
        ));
    }
}

/// `PUT /api/v1/admin/holidays/{year}`: a year's calendar as it is now, whole (a year not
/// loaded yet is added; a loaded one is replaced, and the change kept as a revision).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CalendarChange {
    pub days: Vec<Holiday>,
    /// Why, e.g. the SKB that added a cuti bersama.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
    pub note: String,
}

/// One change of a year's calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarRevision {
    pub year: i32,
    pub revision: u32,
    /// Days that are holidays or cuti bersama now and were not, or changed kind.
    pub added: Vec<NaiveDate>,
    /// Days that were and are no longer.
    pub removed: Vec<NaiveDate>,
    /// The administrator's NIP.
    pub changed_by: Option<String>,
    pub changed_at: chrono::DateTime<chrono::Utc>,
    pub note: String,
    /// Open leave requests whose period holds a changed day (their fasilitators are told;
    /// decided requests keep the days they were decided on).
    pub affected_requests: u32,
}

/// The days a change from `before` to `after` adds (or changes the kind of) and removes,
/// each list in date order.
pub fn changed_days(before: &[Holiday], after: &[Holiday]) -> (Vec<NaiveDate>, Vec<NaiveDate>) {
    use std::collections::BTreeSet;
    let key = |h: &Holiday| (h.date, h.kind);
    let old: BTreeSet<_> = before.iter().map(key).collect();
    let new: BTreeSet<_> = after.iter().map(key).collect();
    let added: Vec<NaiveDate> = new.difference(&old).map(|k| k.0).collect();
    let removed: Vec<NaiveDate> = old
        .difference(&new)
        .map(|k| k.0)
        .filter(|d| !added.contains(d))
        .collect();
    (added, removed)
}
