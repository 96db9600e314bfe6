//! How a check-in is judged, without I/O: the fix against the employee's places, the last fix
//! before it, the photo, and what the clocks say. Any refusal refuses; otherwise any flag
//! flags (the atasan decides); otherwise it is accepted.

use abdi_proto::Text;
use abdi_proto::attendance::{Fix, Place, Reason, Verdict};
use chrono::{DateTime, Utc};

use crate::config::AttendanceConfig;

/// What is known about a check-in besides its fix.
pub struct Evidence<'a> {
    pub fix: &'a Fix,
    pub places: &'a [Place],
    /// The employee's last kept fix before this one: where and when.
    pub previous: Option<(abdi_proto::attendance::GeoPoint, DateTime<Utc>)>,
    /// When the server works out the fix was taken.
    pub at: DateTime<Utc>,
    /// What the checks outside the fix found (a clock that disagrees, a reboot while offline,
    /// the platform's attestation).
    pub signals: Vec<Reason>,
    /// A day worked anywhere (WFH/WFA): the fix is held to no fence.
    pub anywhere: bool,
}

/// The verdict, its reasons, and the place it counted for with the fix's distance from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub verdict: Verdict,
    pub reasons: Vec<Reason>,
    pub place: Option<(usize, f64)>,
}

/// Refusal codes: the check-in is not kept as attendance.
const REFUSING: [&str; 4] = ["outside_fence", "no_place", "clock_disagrees", "too_old"];

pub fn reason(code: &str, id: impl Into<String>, en: impl Into<String>) -> Reason {
    Reason {
        code: code.to_owned(),
        message: Text::new(id, en),
    }
}

pub fn score(e: &Evidence<'_>, config: &AttendanceConfig) -> Scored {
    let mut reasons = e.signals.clone();
    let fix = e.fix;
    // The nearest place: the one the fix counts for.
    let place = e
        .places
        .iter()
        .enumerate()
        .map(|(i, p)| (i, p.fence.distance_m(fix.position)))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    match place {
        _ if e.anywhere => {}
        None => reasons.push(reason(
            "no_place",
            "Belum ada lokasi presensi untuk unit Anda; hubungi administrator.",
            "No check-in place is set for your unit yet; ask an administrator.",
        )),
        Some((i, distance)) => {
            let p = &e.places[i];
            // Outside even with the benefit of the fix's own uncertainty.
            if distance > fix.accuracy_m.min(p.accuracy_m) {
                reasons.push(reason(
                    "outside_fence",
                    format!("Anda {:.0} m di luar {}.", distance, p.name),
                    format!("You are {:.0} m outside {}.", distance, p.name),
                ));
            } else if fix.accuracy_m > p.accuracy_m {
                reasons.push(reason(
                    "accuracy_too_low",
                    format!(
                        "Lokasi kurang akurat ({:.0} m; paling banyak {:.0} m).",
                        fix.accuracy_m, p.accuracy_m
                    ),
                    format!(
                        "The location is not accurate enough ({:.0} m; at most {:.0} m).",
                        fix.accuracy_m, p.accuracy_m
                    ),
                ));
            }
        }
    }
    if fix.mock {
        reasons.push(reason(
            "mock_location",
            "Ponsel melaporkan lokasi palsu (aplikasi lokasi tiruan).",
            "The phone reports a mock location (a fake-location app).",
        ));
    }
    if let Some((where_, when)) = e.previous {
        let seconds = (e.at - when).num_milliseconds().abs() as f64 / 1000.0;
        let metres = where_.distance_m(fix.position);
        let kmh = if seconds > 0.0 {
            metres / seconds * 3.6
        } else if metres > 50.0 {
            f64::INFINITY
        } else {
            0.0
        };
        if kmh > config.max_speed_kmh {
            reasons.push(reason(
                "impossible_speed",
                format!(
                    "Lokasi melompat {:.1} km dari presensi sebelumnya dalam {:.0} menit.",
                    metres / 1000.0,
                    seconds / 60.0
                ),
                format!(
                    "The location jumped {:.1} km from the last check-in in {:.0} minutes.",
                    metres / 1000.0,
                    seconds / 60.0
                ),
            ));
        }
    }
    if let Some(photo) = fix.photo_position {
        let d = photo.distance_m(fix.position);
        if d > config.photo_max_m {
            reasons.push(reason(
                "photo_far_from_fix",
                format!("Lokasi foto {d:.0} m dari lokasi ponsel."),
                format!("The photo's location is {d:.0} m from the phone's."),
            ));
        }
    }
    let verdict = if reasons.iter().any(|r| REFUSING.contains(&r.code.as_str())) {
        Verdict::Refused
    } else if reasons.is_empty() {
        Verdict::Accepted
    } else {
        Verdict::Flagged
    };
    Scored {
        verdict,
        reasons,
        place: if e.anywhere { None } else { place },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use abdi_proto::attendance::{Fence, GeoPoint};
    use proptest::prelude::*;

    fn office() -> Place {
        Place {
            id: uuid::Uuid::nil(),
            name: "Kantor BKD".into(),
            fence: Fence::Circle {
                center: GeoPoint::new(-7.2451, 112.7379),
                radius_m: 100.0,
            },
            accuracy_m: 50.0,
        }
    }

    fn fix(lat: f64, lon: f64, accuracy_m: f64, mock: bool) -> Fix {
        Fix {
            position: GeoPoint::new(lat, lon),
            accuracy_m,
            mock,
            speed_mps: None,
            taken_at: DateTime::UNIX_EPOCH,
            elapsed_ms: 0,
            boot_id: "1".into(),
            photo_position: None,
            wifi_bssid: None,
        }
    }

    fn judge(f: &Fix, previous: Option<(GeoPoint, DateTime<Utc>)>) -> Scored {
        let places = [office()];
        score(
            &Evidence {
                fix: f,
                places: &places,
                previous,
                at: DateTime::UNIX_EPOCH + chrono::Duration::hours(1),
                signals: Vec::new(),
                anywhere: false,
            },
            &AttendanceConfig::default(),
        )
    }

    #[test]
    fn inside_is_accepted_outside_refused_with_the_distance_and_mock_flagged() {
        let inside = judge(&fix(-7.2451, 112.7379, 10.0, false), None);
        assert_eq!(inside.verdict, Verdict::Accepted);
        // About 300 m east: 200 m outside the fence.
        let outside = judge(&fix(-7.2451, 112.7406, 10.0, false), None);
        assert_eq!(outside.verdict, Verdict::Refused);
        assert_eq!(outside.reasons[0].code, "outside_fence");
        assert!(
            outside.reasons[0]
                .message
                .id
                .contains("m di luar Kantor BKD")
        );
        let mock = judge(&fix(-7.2451, 112.7379, 10.0, true), None);
        assert_eq!(mock.verdict, Verdict::Flagged);
        assert_eq!(mock.reasons[0].code, "mock_location");
    }

    proptest! {
        // Inside the fence (with no other signal) is accepted; far outside is refused; the
        // mock flag never lets a check-in through unflagged.
        #[test]
        fn the_fence_decides_and_the_mock_flag_never_passes(
            dlat in -0.01f64..0.01, dlon in -0.01f64..0.01, accuracy in 1.0f64..200.0, mock: bool,
        ) {
            let f = fix(-7.2451 + dlat, 112.7379 + dlon, accuracy, mock);
            let s = judge(&f, None);
            let distance = office().fence.distance_m(f.position);
            if distance > accuracy.min(50.0) {
                prop_assert_eq!(s.verdict, Verdict::Refused);
            } else if mock || accuracy > 50.0 {
                prop_assert_eq!(s.verdict, Verdict::Flagged);
            } else {
                prop_assert_eq!(s.verdict, Verdict::Accepted);
            }
            if mock {
                prop_assert_ne!(s.verdict, Verdict::Accepted);
            }
        }

        // A further signal never makes the verdict kinder.
        #[test]
        fn adding_a_signal_never_improves_the_verdict(
            dlat in -0.002f64..0.002, dlon in -0.002f64..0.002, jump_km in 0.0f64..500.0,
        ) {
            let rank = |v: Verdict| match v {
                Verdict::Accepted => 0,
                Verdict::Flagged => 1,
                Verdict::Refused | Verdict::Rejected => 2,
            };
            let plain = fix(-7.2451 + dlat, 112.7379 + dlon, 10.0, false);
            let base = judge(&plain, None);
            let far = GeoPoint::new(-7.2451 + jump_km / 111.2, 112.7379);
            let jumped = judge(&plain, Some((far, DateTime::UNIX_EPOCH + chrono::Duration::minutes(50))));
            prop_assert!(rank(jumped.verdict) >= rank(base.verdict));
            let mut photo = plain.clone();
            photo.photo_position = Some(far);
            prop_assert!(rank(judge(&photo, None).verdict) >= rank(base.verdict));
            let mocked = Fix { mock: true, ..plain };
            prop_assert!(rank(judge(&mocked, None).verdict) >= rank(base.verdict));
        }

        // A day worked anywhere holds the fix to no fence, and still flags the mock flag.
        #[test]
        fn anywhere_ignores_the_fence_not_the_mock_flag(
            dlat in -1.0f64..1.0, dlon in -1.0f64..1.0, mock: bool,
        ) {
            let f = fix(-7.2451 + dlat, 112.7379 + dlon, 20.0, mock);
            let places = [office()];
            let s = score(
                &Evidence {
                    fix: &f,
                    places: &places,
                    previous: None,
                    at: DateTime::UNIX_EPOCH,
                    signals: Vec::new(),
                    anywhere: true,
                },
                &AttendanceConfig::default(),
            );
            prop_assert_eq!(s.verdict, if mock { Verdict::Flagged } else { Verdict::Accepted });
            prop_assert!(s.place.is_none());
        }
    }
}
