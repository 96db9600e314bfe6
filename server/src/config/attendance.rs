//! `[attendance]`: how check-ins are judged.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AttendanceConfig {
    /// An online check-in's nonce lasts this long, and its fix must be this fresh.
    pub nonce_ttl_secs: u64,
    /// How far the phone's wall clock may be from the time the server works out.
    pub clock_tolerance_secs: i64,
    /// An offline check-in older than this when it arrives is refused.
    pub offline_max_hours: i64,
    /// Faster than this between two fixes of one employee is flagged (km/h).
    pub max_speed_kmh: f64,
    /// A photo whose location is farther than this from the fix is flagged (metres).
    pub photo_max_m: f64,
    /// The working day in WIB (Perpres 21/2023, Perka ANRI 18/2016): in by `work_starts`
    /// (late from its next minute), out from `work_ends`, on Fridays from `friday_ends`.
    pub work_starts: NaiveTime,
    pub work_ends: NaiveTime,
    pub friday_ends: NaiveTime,
    /// With an attestation provider plugged in, a check-in without a platform token is
    /// flagged (off by default: phones without Google Play services cannot get one).
    pub attestation_required: bool,
    /// The day the agency began counting attendance: unexcused absence adds up from it (PP
    /// 94/2021 cases). None (the default) counts nothing.
    pub cases_from: Option<NaiveDate>,
}

impl Default for AttendanceConfig {
    fn default() -> Self {
        Self {
            nonce_ttl_secs: 120,
            clock_tolerance_secs: 120,
            offline_max_hours: 72,
            max_speed_kmh: 150.0,
            photo_max_m: 200.0,
            work_starts: NaiveTime::from_hms_opt(7, 30, 0).unwrap_or_default(),
            work_ends: NaiveTime::from_hms_opt(16, 0, 0).unwrap_or_default(),
            friday_ends: NaiveTime::from_hms_opt(16, 30, 0).unwrap_or_default(),
            attestation_required: false,
            cases_from: None,
        }
    }
}
