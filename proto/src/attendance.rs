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
    /// On approved leave.
    Excused,
    /// A national holiday or cuti bersama.
    Holiday,
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
