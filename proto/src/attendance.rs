//! Attendance (presensi): what the phone sends when an employee checks in or out, what the
//! server makes of it, and the geometry both sides agree on (how far a fix is from an office's
//! fence). The server decides; the phone uses the same geometry to say "you are 240 m from the
//! office" before it sends anything.
//!
//! A check-in is a [`CheckInRecord`] the device signs with its enrolled key (ES256 over the
//! record's JSON) at the moment of the fix. Online it carries a nonce the server issued a
//! moment before; offline it waits in the phone's queue with its monotonic clock reading, and
//! the upload that finally carries it says what that clock reads now ([`CheckInUpload`]), so
//! the server can work out when the fix was taken whatever the phone's wall clock says.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Text;

/// The Earth's mean radius (IUGG), in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A point on the Earth, in degrees (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    pub fn new(lat: f64, lon: f64) -> Self {
        Self { lat, lon }
    }

    /// A latitude in [-90, 90] and a longitude in [-180, 180], both finite.
    pub fn is_valid(self) -> bool {
        self.lat.is_finite()
            && self.lon.is_finite()
            && (-90.0..=90.0).contains(&self.lat)
            && (-180.0..=180.0).contains(&self.lon)
    }

    /// The great-circle distance to `other`, in metres (haversine).
    pub fn distance_m(self, other: GeoPoint) -> f64 {
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
    }
}

/// An office's fence: a circle, or a polygon (its corners in order; not crossing the
/// antimeridian, which no Indonesian office does).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "shape", rename_all = "snake_case")]
pub enum Fence {
    Circle { center: GeoPoint, radius_m: f64 },
    Polygon { corners: Vec<GeoPoint> },
}

impl Fence {
    /// Why the fence cannot be used, if it cannot: a centre or corner off the globe, a radius
    /// not between 10 m and 5 km, a polygon of fewer than 3 or more than 100 corners.
    pub fn problem(&self) -> Option<&'static str> {
        match self {
            Fence::Circle { center, radius_m } => {
                if !center.is_valid() {
                    Some("the centre is not a point on the Earth")
                } else if !(10.0..=5000.0).contains(radius_m) {
                    Some("the radius must be 10 m to 5 km")
                } else {
                    None
                }
            }
            Fence::Polygon { corners } => {
                if !(3..=100).contains(&corners.len()) {
                    Some("a polygon has 3 to 100 corners")
                } else if corners.iter().any(|c| !c.is_valid()) {
                    Some("a corner is not a point on the Earth")
                } else if corners.iter().any(|c| c.distance_m(corners[0]) > 20_000.0) {
                    Some("a polygon spans 20 km at most")
                } else {
                    None
                }
            }
        }
    }

    /// How far `p` is from the fence, in metres: 0 inside or on its edge.
    pub fn distance_m(&self, p: GeoPoint) -> f64 {
        match self {
            Fence::Circle { center, radius_m } => (p.distance_m(*center) - radius_m).max(0.0),
            Fence::Polygon { corners } => {
                // A local plane around `p` (equirectangular): exact enough for an office's
                // few hundred metres, and `p` is its origin.
                let k = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
                let scale = p.lat.to_radians().cos();
                let xy: Vec<(f64, f64)> = corners
                    .iter()
                    .map(|c| ((c.lon - p.lon) * k * scale, (c.lat - p.lat) * k))
                    .collect();
                let n = xy.len();
                let mut inside = false;
                let mut nearest = f64::INFINITY;
                for i in 0..n {
                    let (a, b) = (xy[i], xy[(i + 1) % n]);
                    // Ray casting along +x from the origin.
                    if (a.1 > 0.0) != (b.1 > 0.0) {
                        let x = a.0 + (0.0 - a.1) * (b.0 - a.0) / (b.1 - a.1);
                        if x > 0.0 {
                            inside = !inside;
                        }
                    }
                    nearest = nearest.min(segment_distance(a, b));
                }
                if inside { 0.0 } else { nearest }
            }
        }
    }
}

/// The distance from the origin to the segment `a`-`b` of a plane.
fn segment_distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (-(a.0 * dx + a.1 * dy) / len2).clamp(0.0, 1.0)
    };
    let (x, y) = (a.0 + t * dx, a.1 + t * dy);
    (x * x + y * y).sqrt()
}

/// A place an employee may check in at: their unit's office, or one assigned to them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Place {
    pub id: Uuid,
    pub name: String,
    pub fence: Fence,
    /// How much worse than the fence's own margin a fix's accuracy may be (metres): a fix
    /// whose accuracy circle is wider than this is not trusted to be inside.
    pub accuracy_m: f64,
}

/// `POST /api/v1/admin/attendance/places`: a unit's office, or a place for one employee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewPlace {
    pub name: String,
    pub fence: Fence,
    /// 50 m when not given.
    #[serde(default)]
    pub accuracy_m: Option<f64>,
    /// The unit whose employees (and those of the units below it) check in here.
    #[serde(default)]
    pub unit_code: Option<String>,
    /// Or the one employee it is assigned to (field work, another office).
    #[serde(default)]
    pub nip: Option<String>,
}

/// Where a working day is worked (PermenPANRB 4/2025): at the office, inside its fence, or
/// anywhere (work from home or anywhere: the check-in is not held to a fence, every other
/// check still applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WorkMode {
    Office,
    Anywhere,
}

/// One weekday of a schedule: in by `starts` (late from its next minute), out from `ends`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkDay {
    /// ISO weekday: 1 is Monday, 7 is Sunday.
    pub weekday: u8,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "07:30:00"))]
    pub starts: chrono::NaiveTime,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "16:00:00"))]
    pub ends: chrono::NaiveTime,
    pub mode: WorkMode,
}

/// A unit's working hours (or the whole agency's, with no unit) from `from`, until `until`
/// when it is a variant for a period (Ramadan). On a day several apply to, the one of the
/// nearest unit wins, then the one for a period, then the newest start. A weekday it does not
/// list is not a working day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Schedule {
    pub id: Uuid,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_code: Option<String>,
    pub from: chrono::NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<chrono::NaiveDate>,
    pub days: Vec<WorkDay>,
    /// Flexible hours: the day may start up to this many minutes after `starts`, and then
    /// ends as much later (the day's length still met). 0 is fixed hours.
    pub flexible_minutes: u32,
}

/// `POST /api/v1/admin/attendance/schedules`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSchedule {
    pub name: String,
    /// The unit (and the units below it) it is for; none for the whole agency.
    #[serde(default)]
    pub unit_code: Option<String>,
    pub from: chrono::NaiveDate,
    #[serde(default)]
    pub until: Option<chrono::NaiveDate>,
    pub days: Vec<WorkDay>,
    #[serde(default)]
    pub flexible_minutes: u32,
}

impl NewSchedule {
    /// What makes this schedule unusable, in words (Indonesian, English), if anything.
    pub fn problem(&self) -> Option<(String, String)> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.contains('\0') {
            return Some((
                "isi nama jadwal (1 sampai 200 karakter)".into(),
                "fill in the schedule's name (1 to 200 characters)".into(),
            ));
        }
        if self.until.is_some_and(|u| u < self.from) {
            return Some((
                "tanggal akhir sebelum tanggal mulai".into(),
                "the last day is before the first".into(),
            ));
        }
        let mut seen = [false; 8];
        for d in &self.days {
            if !(1..=7).contains(&d.weekday) {
                return Some((
                    format!("hari {} tidak ada (1 Senin sampai 7 Minggu)", d.weekday),
                    format!("there is no weekday {} (1 Monday to 7 Sunday)", d.weekday),
                ));
            }
            if std::mem::replace(&mut seen[d.weekday as usize], true) {
                return Some((
                    format!("hari {} disebut dua kali", d.weekday),
                    format!("weekday {} is given twice", d.weekday),
                ));
            }
            if d.ends <= d.starts {
                return Some((
                    format!("pada hari {} jam pulang tidak setelah jam masuk", d.weekday),
                    format!(
                        "on weekday {} the day does not end after it starts",
                        d.weekday
                    ),
                ));
            }
        }
        if self.flexible_minutes > 240 {
            return Some((
                "kelonggaran jam masuk paling lama 240 menit".into(),
                "flexible start is at most 240 minutes".into(),
            ));
        }
        None
    }
}

/// The working day one date came to under its schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingHours {
    pub starts: chrono::NaiveTime,
    pub ends: chrono::NaiveTime,
    pub flexible_minutes: u32,
    pub mode: WorkMode,
}

impl Schedule {
    /// Whether the schedule is in force on `date`.
    pub fn covers(&self, date: chrono::NaiveDate) -> bool {
        self.from <= date && self.until.is_none_or(|u| date <= u)
    }

    /// The hours it sets on `date` (none: not a working day under it).
    pub fn hours(&self, date: chrono::NaiveDate) -> Option<WorkingHours> {
        use chrono::Datelike;
        let weekday = date.weekday().number_from_monday() as u8;
        self.days
            .iter()
            .find(|d| d.weekday == weekday)
            .map(|d| WorkingHours {
                starts: d.starts,
                ends: d.ends,
                flexible_minutes: self.flexible_minutes,
                mode: d.mode,
            })
    }
}

/// Check-in or check-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    In,
    Out,
}

/// What the phone's location provider said, as the app hands it to abdi-core.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fix {
    pub position: GeoPoint,
    /// The radius of the provider's 68% confidence circle, in metres.
    pub accuracy_m: f64,
    /// The OS says the fix came from a mock provider (Android `Location.isMock()`, iOS
    /// `sourceInformation.isSimulatedBySoftware`).
    pub mock: bool,
    /// Metres per second, if the provider gave it.
    #[serde(default)]
    pub speed_mps: Option<f64>,
    /// The phone's wall clock at the fix (the user can set it).
    pub taken_at: DateTime<Utc>,
    /// The phone's monotonic clock at the fix (Android `elapsedRealtime`, counting deep
    /// sleep), in milliseconds since boot.
    pub elapsed_ms: u64,
    /// Which boot `elapsed_ms` counts from (Android `BOOT_COUNT`, iOS the boot time).
    pub boot_id: String,
    /// Where the photo taken with it says it was (EXIF), if a photo was taken.
    #[serde(default)]
    pub photo_position: Option<GeoPoint>,
    /// The Wi-Fi access point the phone was joined to, if any (supporting evidence only).
    #[serde(default)]
    pub wifi_bssid: Option<String>,
}

/// One check-in or check-out as the device signed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckInRecord {
    pub device_id: Uuid,
    /// 1, 2, 3, ... per device: a record at or below the last one the server has is a replay.
    pub seq: u64,
    pub kind: CheckKind,
    pub fix: Fix,
    /// The nonce the server issued just before (online); none offline.
    #[serde(default)]
    pub nonce: Option<String>,
}

/// A record with the device's signature: ES256 (P-256, SHA-256, `r || s`, base64url) over
/// the record's JSON exactly as sent in `record`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedCheckIn {
    /// The record's JSON (a string, so that what was signed is what arrives).
    pub record: String,
    pub signature: String,
    /// The platform's attestation, made over the record's hash (base64url SHA-256 of
    /// `record`), when the app could get one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<AttestationToken>,
}

/// The hash a record's platform attestation is made over (Play Integrity's `requestHash`,
/// App Attest's client data hash): SHA-256 of the record's JSON as signed, base64url.
pub fn request_hash(record: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(record.as_bytes()))
}

/// Which platform attested a check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// Google Play Integrity: `requestHash` is the record's hash.
    PlayIntegrity,
    /// Apple App Attest: the assertion's client data hash is the record's hash.
    AppAttest,
}

/// A platform's attestation token, as the app got it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttestationToken {
    pub platform: Platform,
    pub token: String,
}

/// `POST /api/v1/attendance/check-ins`: one or more signed records, and what the phone's
/// monotonic clock reads as it sends them (signed too, with the records' signatures, so that
/// it cannot be changed on the way).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckInUpload {
    pub device_id: Uuid,
    pub records: Vec<SignedCheckIn>,
    pub sent_elapsed_ms: u64,
    pub boot_id: String,
    /// ES256 over `"{sent_elapsed_ms}.{boot_id}.{signature of each record, joined by '.'}"`.
    pub signature: String,
}

impl CheckInUpload {
    /// The bytes the upload's signature covers.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut out = format!("{}.{}", self.sent_elapsed_ms, self.boot_id);
        for r in &self.records {
            out.push('.');
            out.push_str(&r.signature);
        }
        out.into_bytes()
    }
}

/// What the server made of a check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Accepted,
    /// Kept, and waiting for the atasan to accept or reject it.
    Flagged,
    Refused,
    /// Flagged, then rejected by the atasan.
    Rejected,
}

/// One reason for a verdict, with its stable code and the words the employee sees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    /// `outside_fence`, `accuracy_too_low`, `mock_location`, `impossible_speed`,
    /// `photo_far_from_fix`, `clock_disagrees`, `rebooted_offline`, `replayed`,
    /// `nonce_invalid`, `bad_signature`, `device_unknown`, `no_place`.
    pub code: String,
    pub message: Text,
}

/// A check-in as the server recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckIn {
    /// None for a refused record, which is not kept.
    pub id: Option<Uuid>,
    pub seq: u64,
    pub kind: CheckKind,
    pub verdict: Verdict,
    pub reasons: Vec<Reason>,
    /// When the fix was taken, as the server works it out (not the phone's wall clock).
    pub at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    /// The place it counted for, and how far from its fence the fix was (0 inside).
    pub place: Option<String>,
    pub distance_m: Option<f64>,
}

/// `POST /api/v1/attendance/check-ins/{id}/review`: the atasan's word on a flagged check-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckInReview {
    pub accept: bool,
    /// Why, for a rejection (the employee sees it).
    #[serde(default)]
    pub note: Option<String>,
}

/// A flagged check-in of someone the atasan supervises, waiting for their word.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlaggedCheckIn {
    pub nip: String,
    pub name: String,
    pub check_in: CheckIn,
}

/// What a working day came to for one employee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// In on time (and, once the day is over, out on time).
    Present,
    Late,
    LeftEarly,
    /// No accepted check-in on a working day that is over (tanpa keterangan).
    Absent,
    /// Excused: approved leave (sick leave among it), or official travel on a surat tugas.
    Excused,
    /// A national holiday or cuti bersama.
    Holiday,
    /// Not a working day of the employee's schedule (Saturday and Sunday by default).
    Weekend,
    /// A working day not over yet, with no check-in so far.
    NotYet,
}

/// One day of an employee's attendance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayStatus {
    pub date: chrono::NaiveDate,
    pub kind: DayKind,
    /// The first accepted check-in and the last accepted check-out.
    pub check_in: Option<DateTime<Utc>>,
    pub check_out: Option<DateTime<Utc>>,
    /// Minutes after the start (TL), and before the end (PSW).
    pub late_minutes: u32,
    pub early_minutes: u32,
    /// Why the day is excused or off ("Cuti tahunan", "Hari Raya Idulfitri").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// Flagged check-ins of the day still waiting for the atasan.
    pub waiting: u32,
}

/// The answer to an upload: each record's outcome, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckInResults {
    pub results: Vec<CheckIn>,
}

/// `POST /api/v1/attendance/devices`: the device's public key, enrolled in a logged-in session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceEnrolment {
    /// `PUBLIC KEY` PEM, P-256.
    pub public_key_pem: String,
    /// What the user calls the phone ("Samsung A14").
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolledDevice {
    pub device_id: Uuid,
    pub enrolled_at: DateTime<Utc>,
}

/// `POST /api/v1/attendance/nonce`: a single-use value for the next online check-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendanceNonce {
    pub nonce: String,
    pub server_time: DateTime<Utc>,
    pub expires_in: u64,
}

/// One employee's day, as a team or unit list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonDay {
    pub nip: String,
    pub name: String,
    pub unit: String,
    pub day: DayStatus,
}

/// How many of a list's people each kind of day has.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayCounts {
    pub present: u32,
    pub late: u32,
    pub left_early: u32,
    pub absent: u32,
    pub excused: u32,
    pub not_yet: u32,
    /// Not a working day for them (weekend, holiday).
    pub off: u32,
    /// With check-ins waiting for the atasan.
    pub flagged: u32,
}

impl DayCounts {
    pub fn of<'a>(days: impl IntoIterator<Item = &'a DayStatus>) -> Self {
        let mut c = Self::default();
        for d in days {
            match d.kind {
                DayKind::Present => c.present += 1,
                DayKind::Late => c.late += 1,
                DayKind::LeftEarly => c.left_early += 1,
                DayKind::Absent => c.absent += 1,
                DayKind::Excused => c.excused += 1,
                DayKind::NotYet => c.not_yet += 1,
                DayKind::Holiday | DayKind::Weekend => c.off += 1,
            }
            if d.waiting > 0 {
                c.flagged += 1;
            }
        }
        c
    }
}

/// A team's or a unit's day: who is in, who is late, who is flagged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamDay {
    pub date: chrono::NaiveDate,
    pub counts: DayCounts,
    pub people: Vec<PersonDay>,
}

/// One employee's month: the usual inputs to tunjangan kinerja.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecapRow {
    pub nip: String,
    pub name: String,
    pub unit: String,
    pub working_days: u32,
    pub present_days: u32,
    /// Days late (TL) and their minutes.
    pub late_days: u32,
    pub late_minutes: u32,
    /// Days left early (PSW) and their minutes.
    pub early_days: u32,
    pub early_minutes: u32,
    pub excused_days: u32,
    /// Working days with no check-in and no excuse (tanpa keterangan).
    pub absent_days: u32,
}

/// A unit's month (`GET /api/v1/attendance/units/{code}/recap`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recap {
    pub unit_code: String,
    pub unit: String,
    /// `YYYY-MM`.
    pub month: String,
    pub rows: Vec<RecapRow>,
}

/// A case unexcused absence opened for the fasilitator (PP 94/2021 Pasal 11): a proposal,
/// never a sanction. The fasilitator looks into it and closes it with a note (a disciplinary
/// case filed through `hukuman_disiplin`, or why none is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AbsenceCase {
    pub id: Uuid,
    pub nip: String,
    pub name: String,
    pub unit: String,
    pub year: i32,
    /// `days_3`, `days_4`, ... `days_28` (days in the year) or `consecutive_10`.
    pub threshold: String,
    /// The sanction PP 94/2021 names for it (the `hukuman_disiplin` service's code).
    pub sanction: String,
    /// The article's words for it.
    pub explanation: Text,
    pub days: u32,
    pub dates: Vec<chrono::NaiveDate>,
    pub opened_at: DateTime<Utc>,
    pub open: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `POST /api/v1/attendance/cases/{id}/close`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseClosing {
    pub note: String,
}

/// PP 94/2021 Pasal 11(2) (days without excuse in a year, from each lower bound) and Pasal
/// 11(2)d (ten working days in a row): the sanction each names, in the `hukuman_disiplin`
/// service's codes.
pub const ABSENCE_THRESHOLDS: [(u32, &str); 9] = [
    (3, "teguran_lisan"),
    (4, "teguran_tertulis"),
    (7, "pernyataan_tidak_puas"),
    (11, "potong_tukin_6"),
    (14, "potong_tukin_9"),
    (17, "potong_tukin_12"),
    (21, "turun_jabatan"),
    (25, "jabatan_pelaksana"),
    (28, "pemberhentian"),
];

/// The thresholds crossed by `days` working days without excuse in a year, the longest run of
/// them in a row being `longest_run`: each threshold's code and sanction.
pub fn crossed(days: u32, longest_run: u32) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = ABSENCE_THRESHOLDS
        .iter()
        .filter(|(n, _)| days >= *n)
        .map(|(n, s)| (format!("days_{n}"), *s))
        .collect();
    if longest_run >= 10 {
        out.push(("consecutive_10".into(), "pemberhentian"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square() -> Fence {
        // About 200 m a side around Surabaya's Jalan Pahlawan.
        Fence::Polygon {
            corners: vec![
                GeoPoint::new(-7.2460, 112.7370),
                GeoPoint::new(-7.2460, 112.7388),
                GeoPoint::new(-7.2442, 112.7388),
                GeoPoint::new(-7.2442, 112.7370),
            ],
        }
    }

    #[test]
    fn a_point_inside_a_polygon_is_at_zero_and_one_outside_at_its_distance() {
        let f = square();
        assert_eq!(f.distance_m(GeoPoint::new(-7.2451, 112.7379)), 0.0);
        // 0.0009 degrees of latitude north of the north edge: about 100 m.
        let d = f.distance_m(GeoPoint::new(-7.2433, 112.7379));
        assert!((d - 100.0).abs() < 1.0, "{d}");
        assert!(f.problem().is_none());
    }

    #[test]
    fn a_circle_measures_from_its_edge() {
        let c = GeoPoint::new(-7.2451, 112.7379);
        let f = Fence::Circle {
            center: c,
            radius_m: 100.0,
        };
        assert_eq!(f.distance_m(c), 0.0);
        let east = GeoPoint::new(-7.2451, 112.7379 + 0.0036);
        let d = f.distance_m(east);
        assert!((d - (c.distance_m(east) - 100.0)).abs() < 1e-9);
        assert!(d > 290.0 && d < 300.0, "{d}");
        assert!(
            Fence::Circle {
                center: c,
                radius_m: 2.0
            }
            .problem()
            .is_some()
        );
    }

    use proptest::prelude::*;

    proptest! {
        // A rectangle of latitude and longitude anywhere in Indonesia (the antimeridian
        // excepted): a point is at 0 exactly when it lies inside, and outside it is never
        // farther than its nearest corner nor nearer than its latitude or longitude gap.
        #[test]
        fn a_polygon_holds_exactly_its_inside(
            lat in -11.0f64..6.0, lon in 95.0f64..141.0,
            h in 0.0005f64..0.02, w in 0.0005f64..0.02,
            dy in -0.04f64..0.04, dx in -0.04f64..0.04,
        ) {
            let corners = vec![
                GeoPoint::new(lat, lon),
                GeoPoint::new(lat, lon + w),
                GeoPoint::new(lat + h, lon + w),
                GeoPoint::new(lat + h, lon),
            ];
            let fence = Fence::Polygon { corners: corners.clone() };
            let p = GeoPoint::new(lat + h / 2.0 + dy, lon + w / 2.0 + dx);
            let inside = (lat..=lat + h).contains(&p.lat) && (lon..=lon + w).contains(&p.lon);
            let d = fence.distance_m(p);
            if inside {
                prop_assert_eq!(d, 0.0);
            } else {
                prop_assert!(d > 0.0);
                let nearest_corner = corners.iter().map(|c| c.distance_m(p)).fold(f64::INFINITY, f64::min);
                prop_assert!(d <= nearest_corner * 1.001 + 0.01, "{d} > {nearest_corner}");
                let gap_lat = (lat - p.lat).max(p.lat - (lat + h)).max(0.0);
                prop_assert!(d >= gap_lat * 111_000.0 * 0.99, "{d} < {gap_lat}");
            }
        }

        // A circle: 0 exactly within its radius, and otherwise the distance less the radius.
        #[test]
        fn a_circle_holds_its_radius(
            lat in -11.0f64..6.0, lon in 95.0f64..141.0, r in 10.0f64..5000.0,
            dy in -0.1f64..0.1, dx in -0.1f64..0.1,
        ) {
            let c = GeoPoint::new(lat, lon);
            let p = GeoPoint::new(lat + dy, lon + dx);
            let d = Fence::Circle { center: c, radius_m: r }.distance_m(p);
            let to_centre = c.distance_m(p);
            prop_assert_eq!(d == 0.0, to_centre <= r);
            prop_assert!((d - (to_centre - r).max(0.0)).abs() < 1e-6);
        }
    }
}
