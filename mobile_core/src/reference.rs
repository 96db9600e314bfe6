//! Reference data cached on the device (from `/api/v1/reference/...`), usable offline.

use std::collections::BTreeMap;

use abdi_proto::HolidayCalendar;
use abdi_proto::reference::CalendarYear;
use chrono::{Datelike, NaiveDate};

use crate::CoreError;

#[derive(Debug, Default, Clone)]
pub struct ReferenceCache {
    calendars: BTreeMap<i32, HolidayCalendar>,
}

impl ReferenceCache {
    /// Stores a calendar exactly as the server sent it (JSON of `CalendarYear`).
    pub fn store_calendar_json(&mut self, json: &str) -> Result<i32, CoreError> {
        let year: CalendarYear =
            serde_json::from_str(json).map_err(|e| CoreError::Corrupt(e.to_string()))?;
        let calendar = HolidayCalendar::new(year.year, year.days)
            .map_err(|e| CoreError::Corrupt(e.to_string()))?;
        let y = calendar.year();
        self.calendars.insert(y, calendar);
        Ok(y)
    }

    /// Every day off of the cached calendars (holidays and cuti bersama), sorted.
    pub fn days_off(&self) -> Vec<NaiveDate> {
        self.calendars
            .values()
            .flat_map(|c| c.days().map(|h| h.date))
            .collect()
    }

    pub fn years(&self) -> Vec<i32> {
        self.calendars.keys().copied().collect()
    }

    /// Working days from `start` to `end` inclusive, across years, from cached calendars only.
    pub fn working_days(&self, start: NaiveDate, end: NaiveDate) -> Result<u32, CoreError> {
        if end < start {
            return Err(CoreError::InvalidRange(format!("{end} is before {start}")));
        }
        let mut total = 0;
        for year in start.year()..=end.year() {
            let calendar = self
                .calendars
                .get(&year)
                .ok_or(CoreError::CalendarMissing(year))?;
            let from = start.max(NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(start));
            let to = end.min(NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(end));
            total += calendar
                .working_days(from, to)
                .map_err(|e| CoreError::InvalidRange(e.to_string()))?;
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const Y2025: &str = r#"{"year":2025,"national_holidays":1,"cuti_bersama":1,"working_days":0,"days":[
        {"date":"2025-12-25","kind":"national_holiday","name_id":"Hari Raya Natal","name_en":"Christmas Day","legal_basis":"SKB 1017/2024, 2/2024, 2/2024"},
        {"date":"2025-12-26","kind":"cuti_bersama","name_id":"Cuti bersama Natal","name_en":"Collective leave","legal_basis":"Keppres 2/2025"}]}"#;
    const Y2026: &str = r#"{"year":2026,"national_holidays":1,"cuti_bersama":0,"working_days":0,"days":[
        {"date":"2026-01-01","kind":"national_holiday","name_id":"Tahun Baru","name_en":"New Year","legal_basis":"SKB 1497/2025, 2/2025, 5/2025"}]}"#;

    #[test]
    fn counts_working_days_across_the_new_year_offline() {
        let mut cache = ReferenceCache::default();
        assert_eq!(cache.store_calendar_json(Y2025).unwrap(), 2025);
        cache.store_calendar_json(Y2026).unwrap();
        // Mon 22 Dec 2025 .. Fri 2 Jan 2026: 10 weekdays minus 25, 26 Dec and 1 Jan.
        assert_eq!(
            cache.working_days(d(2025, 12, 22), d(2026, 1, 2)).unwrap(),
            7
        );
    }

    #[test]
    fn says_which_calendar_is_missing_and_refuses_bad_input() {
        let mut cache = ReferenceCache::default();
        cache.store_calendar_json(Y2026).unwrap();
        assert_eq!(
            cache.working_days(d(2025, 12, 29), d(2026, 1, 2)),
            Err(CoreError::CalendarMissing(2025))
        );
        assert!(matches!(
            cache.working_days(d(2026, 1, 5), d(2026, 1, 2)),
            Err(CoreError::InvalidRange(_))
        ));
        assert!(matches!(
            cache.store_calendar_json("{\"year\":2026}"),
            Err(CoreError::Corrupt(_))
        ));
    }
}
