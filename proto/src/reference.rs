//! Wire types of the reference-data API.

use serde::{Deserialize, Serialize};

use crate::calendar::{Holiday, HolidayCalendar};
use crate::master::HolidayKind;
use crate::rank::RankCode;

/// One step of the rank ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rank {
    /// Golongan/ruang as written, e.g. `III/a`.
    #[cfg_attr(feature = "openapi", schema(example = "III/a"))]
    pub code: String,
    /// Golongan as a Roman numeral, I-IV.
    pub golongan: String,
    /// Ruang, a-e.
    pub ruang: String,
    /// Pangkat name, e.g. `Penata Muda`.
    pub pangkat: String,
    /// Position on the ladder, 1 (I/a) to 17 (IV/e).
    pub level: u8,
}

impl From<RankCode> for Rank {
    fn from(r: RankCode) -> Self {
        Rank {
            code: r.to_string(),
            golongan: r.golongan().to_owned(),
            ruang: r.ruang().to_string(),
            pangkat: r.pangkat().to_owned(),
            level: r.level(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RankList {
    pub ranks: Vec<Rank>,
}

/// The years that have a holiday calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarYears {
    pub years: Vec<i32>,
}

/// A year's holiday calendar as the API sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarYear {
    pub year: i32,
    /// Number of national holidays.
    pub national_holidays: u32,
    /// Number of cuti bersama days.
    pub cuti_bersama: u32,
    /// Weekdays (Monday to Friday) that are neither: the year's working days.
    pub working_days: u32,
    /// Days off, in date order.
    pub days: Vec<Holiday>,
}

impl From<&HolidayCalendar> for CalendarYear {
    fn from(c: &HolidayCalendar) -> Self {
        let count = |k| c.of_kind(k).count() as u32;
        let working_days = chrono::NaiveDate::from_ymd_opt(c.year(), 1, 1)
            .zip(chrono::NaiveDate::from_ymd_opt(c.year(), 12, 31))
            .and_then(|(s, e)| c.working_days(s, e).ok())
            .unwrap_or(0);
        CalendarYear {
            year: c.year(),
            national_holidays: count(HolidayKind::NationalHoliday),
            cuti_bersama: count(HolidayKind::CutiBersama),
            working_days,
            days: c.days().cloned().collect(),
        }
    }
}
