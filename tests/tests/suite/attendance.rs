//! Attendance end to end through abdi-core: the phone enrols its key, checks in at the office
//! (accepted), outside it (refused with the distance) and with a mock location (flagged); a
//! record sent again is one record and a replayed number is refused; an offline check-in made in
//! the morning and sent at noon keeps its morning time, and one whose clock was set back is
//! refused; the atasan accepts a flagged check-in; the days come out present, late, excused by
//! approved leave, off on a weekend and a holiday, and absent.

use std::sync::Arc;

use abdi_core::attendance::CheckInOutcome;
use abdi_core::{Client, ClientConfig, MemorySecureStore, SESSION_KEY, SecureStore};
use abdi_proto::attendance::{
    AbsenceCase, AttestationToken, CheckInUpload, CheckKind, DayKind, Fence, Fix, GeoPoint,
    NewPlace, NewSchedule, Platform, Recap, SignedCheckIn, TeamDay, Verdict, WorkDay, WorkMode,
};
use abdi_server::attendance::attestation::{
    Attestation, AttestationError, PlatformVerdict, PlayIntegrityPayload,
};
use abdi_server::clock::ManualClock;
use abdi_server::startup::Providers;
use abdi_tests::Backend;
use abdi_tests::api::{get, ok, post, problem};
use abdi_tests::world::{Who, World, step_up, world_at, world_providing};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};

/// The BKD office in Surabaya, 100 m around.
const OFFICE: GeoPoint = GeoPoint {
    lat: -7.2451,
    lon: 112.7379,
};

/// A phone of `who` signed in with their session, talking to `base` (a dead port is a phone
/// without a network), on `secure` and `dir` (the same ones are the same phone).
fn phone(base: &str, secure: Arc<MemorySecureStore>, dir: &std::path::Path) -> Client {
    let mut config = ClientConfig::new(base);
    config.request_timeout = std::time::Duration::from_secs(10);
    config.connect_timeout = std::time::Duration::from_secs(2);
    config.retries = 0;
    Client::new(config, secure, dir, None).unwrap()
}

fn fix(at: GeoPoint, taken_at: DateTime<Utc>, elapsed_ms: u64) -> Fix {
    Fix {
        position: at,
        accuracy_m: 12.0,
        mock: false,
        speed_mps: None,
        taken_at,
        elapsed_ms,
        boot_id: "boot-7".into(),
        photo_position: None,
        wifi_bssid: None,
    }
}

fn sent(outcome: CheckInOutcome) -> abdi_proto::attendance::CheckIn {
    match outcome {
        CheckInOutcome::Sent(c) => c,
        CheckInOutcome::Queued(q) => panic!("queued, not sent: {q:?}"),
    }
}

/// Staff's phone checks in at BKD's office with a mock location: flagged for the atasan (the
/// web test's attendance page).
pub(crate) async fn flagged_check_in(w: &World) {
    office_for_bkd(w).await;
    let secure = Arc::new(MemorySecureStore::new());
    secure
        .set(SESSION_KEY, &w.tokens[&Who::Staff])
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let phone = phone(&w.app.base, secure, dir.path());
    phone.enroll_for_attendance("Galaxy A05").await.unwrap();
    let mut mocked = fix(OFFICE, w.app.state.clock.now(), 5_000_000);
    mocked.mock = true;
    let flagged = sent(phone.check_in(CheckKind::In, mocked).await.unwrap());
    assert_eq!(flagged.verdict, Verdict::Flagged, "{flagged:?}");
}

async fn office_for_bkd(w: &World) {
    step_up(w, Who::Admin).await;
    let place = NewPlace {
        name: "Kantor BKD".into(),
        fence: Fence::Circle {
            center: OFFICE,
            radius_m: 100.0,
        },
        accuracy_m: Some(50.0),
        unit_code: Some("BKD".into()),
        nip: None,
    };
    problem(
        post(w, Who::Staff, "/api/v1/admin/attendance/places", &place).await,
        403,
        "forbidden",
    )
    .await;
    let bad = NewPlace {
        fence: Fence::Circle {
            center: GeoPoint::new(95.0, 0.0),
            radius_m: 100.0,
        },
        ..place.clone()
    };
    problem(
        post(w, Who::Admin, "/api/v1/admin/attendance/places", &bad).await,
        422,
        "attendance_place_invalid",
    )
    .await;
    let r = post(w, Who::Admin, "/api/v1/admin/attendance/places", &place).await;
    assert_eq!(r.status(), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_ins_from_the_phone_are_judged_against_the_fence_and_the_clock() {
    // 07:10 WIB.
    let morning = DateTime::parse_from_rfc3339("2026-07-01T00:10:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let clock = ManualClock::at(morning);
    let w = world_at(Backend::Postgres, Some(clock.clone())).await;
    office_for_bkd(&w).await;
    let secure = Arc::new(MemorySecureStore::new());
    secure
        .set(SESSION_KEY, &w.tokens[&Who::Staff])
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let online = phone(&w.app.base, secure.clone(), dir.path());
    let places = online.attendance_places().await.unwrap();
    assert_eq!(places.len(), 1, "{places:?}");
    assert_eq!(places[0].name, "Kantor BKD");
    online.enroll_for_attendance("Galaxy A14").await.unwrap();

    // 1. Inside the fence: accepted, at the server's time.
    let boot = 3_600_000u64;
    let inside = sent(
        online
            .check_in(CheckKind::In, fix(OFFICE, morning, boot))
            .await
            .unwrap(),
    );
    assert_eq!(inside.verdict, Verdict::Accepted, "{inside:?}");
    assert_eq!(inside.at, morning);
    assert_eq!(inside.place.as_deref(), Some("Kantor BKD"));
    assert_eq!(inside.distance_m, Some(0.0));
    // What the phone's secure storage holds now (a backup of it, say).
    let backup = secure.get("attendance.device").await.unwrap().unwrap();

    // 2. About 300 m east: refused, with how far.
    let east = GeoPoint::new(OFFICE.lat, OFFICE.lon + 0.0027);
    let outside = sent(
        online
            .check_in(CheckKind::In, fix(east, morning, boot + 1_000))
            .await
            .unwrap(),
    );
    assert_eq!(outside.verdict, Verdict::Refused, "{outside:?}");
    assert_eq!(outside.reasons[0].code, "outside_fence");
    let d = outside.distance_m.unwrap();
    assert!((190.0..=210.0).contains(&d), "{d}");
    assert!(
        outside.reasons[0]
            .message
            .id
            .contains(&format!("{d:.0} m di luar Kantor BKD")),
        "{outside:?}"
    );

    // 3. A mock location: kept, and flagged for the atasan.
    let mut mocked = fix(OFFICE, morning, boot + 2_000);
    mocked.mock = true;
    let flagged = sent(online.check_in(CheckKind::In, mocked).await.unwrap());
    assert_eq!(flagged.verdict, Verdict::Flagged, "{flagged:?}");
    assert_eq!(flagged.reasons[0].code, "mock_location");

    // 4. The same signed record again is the same answer; another record under a number
    // already used is a replay, refused.
    let nonce: abdi_proto::attendance::AttendanceNonce =
        ok_json(post(&w, Who::Staff, "/api/v1/attendance/nonce", &()).await).await;
    assert!(nonce.nonce.len() >= 32);
    let mine: Vec<abdi_proto::attendance::CheckIn> =
        ok_json(get(&w, Who::Staff, "/api/v1/me/attendance?from=2026-07-01").await).await;
    assert_eq!(
        mine.len(),
        3,
        "the outside one is kept as refused: {mine:?}"
    );
    let stored = abdi_server::attendance::entity::check_in::Entity::find()
        .filter(abdi_server::attendance::entity::check_in::Column::Seq.eq(1))
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let again = CheckInUpload {
        device_id: stored.device_id,
        records: vec![SignedCheckIn {
            record: stored.record.clone(),
            signature: stored.signature.clone(),
            attestation: None,
        }],
        sent_elapsed_ms: boot,
        boot_id: "boot-7".into(),
        signature: String::new(),
    };
    // An upload not signed by the phone is refused whole.
    problem(
        post(&w, Who::Staff, "/api/v1/attendance/check-ins", &again).await,
        422,
        "attendance_upload_invalid",
    )
    .await;
    // The phone sends it again itself (its answer was lost on the way: the record is back in
    // its queue): the first answer, not a second check-in.
    let queue = dir.path().join("attendance/queue.json");
    std::fs::create_dir_all(queue.parent().unwrap()).unwrap();
    let lost = abdi_core::attendance::QueuedCheckIn {
        seq: 1,
        kind: CheckKind::In,
        fix: fix(OFFICE, morning, boot),
        signed: SignedCheckIn {
            record: stored.record.clone(),
            signature: stored.signature.clone(),
            attestation: None,
        },
    };
    std::fs::write(&queue, serde_json::to_vec(&[lost]).unwrap()).unwrap();
    let retried = online
        .flush_check_ins(boot + 3_000, "boot-7")
        .await
        .unwrap();
    assert_eq!(retried.len(), 1, "{retried:?}");
    assert_eq!(retried[0].verdict, Verdict::Accepted);
    assert_eq!(retried[0].id, Some(stored.id), "one record, not two");
    assert_eq!(retried[0].at, morning);
    // A phone restored from that backup numbers its next record 2 again: another record under
    // a number already used is a replay, refused.
    let latest = secure.get("attendance.device").await.unwrap().unwrap();
    secure.set("attendance.device", &backup).await.unwrap();
    let replayed = sent(
        online
            .check_in(CheckKind::In, fix(OFFICE, morning, boot + 4_000))
            .await
            .unwrap(),
    );
    assert_eq!(replayed.verdict, Verdict::Refused, "{replayed:?}");
    assert_eq!(replayed.reasons[0].code, "replayed");
    secure.set("attendance.device", &latest).await.unwrap();
    // Another employee's session cannot send this phone's records.
    problem(
        post(&w, Who::Other, "/api/v1/attendance/check-ins", &again).await,
        403,
        "attendance_device_unknown",
    )
    .await;

    // 5. Offline at 07:20: queued, signed as taken. Sent at noon, it keeps 07:20.
    let seven_twenty = morning + Duration::minutes(10);
    clock.advance(std::time::Duration::from_secs(600));
    let offline = phone("http://127.0.0.1:1", secure.clone(), dir.path());
    let queued = offline
        .check_in(CheckKind::In, fix(OFFICE, seven_twenty, boot + 600_000))
        .await
        .unwrap();
    let CheckInOutcome::Queued(q) = queued else {
        panic!("no network, yet sent: {queued:?}")
    };
    assert!(q.seq > 3);
    assert_eq!(online.queued_check_ins().await.unwrap().len(), 1);
    // At noon the phone, its clock set back to 07:25 by hand, checks in offline again.
    let noon = morning + Duration::hours(5);
    clock.advance(std::time::Duration::from_secs(4 * 3600 + 50 * 60));
    let elapsed_at_noon = boot + 600_000 + 4 * 3_600_000 + 50 * 60_000;
    let backdated = offline
        .check_in(
            CheckKind::In,
            fix(OFFICE, morning + Duration::minutes(15), elapsed_at_noon),
        )
        .await
        .unwrap();
    assert!(matches!(backdated, CheckInOutcome::Queued(_)));
    let results = online
        .flush_check_ins(elapsed_at_noon, "boot-7")
        .await
        .unwrap();
    assert_eq!(results.len(), 2, "{results:?}");
    assert_eq!(results[0].verdict, Verdict::Accepted, "{results:?}");
    assert_eq!(results[0].at, seven_twenty);
    assert_eq!(results[0].received_at, noon);
    assert_eq!(results[1].verdict, Verdict::Refused, "{results:?}");
    assert_eq!(results[1].reasons[0].code, "clock_disagrees");
    assert!(online.queued_check_ins().await.unwrap().is_empty());

    // 7. The atasan sees the flagged check-in of their team, and accepts it; nobody else may.
    let waiting: Vec<abdi_proto::attendance::FlaggedCheckIn> =
        ok_json(get(&w, Who::Supervisor, "/api/v1/attendance/team/flagged").await).await;
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0].check_in.reasons[0].code, "mock_location");
    let review = format!(
        "/api/v1/attendance/check-ins/{}/review",
        waiting[0].check_in.id.unwrap()
    );
    let accept = abdi_proto::attendance::CheckInReview {
        accept: true,
        note: Some("Rapat di kantor, GPS ponsel bermasalah".into()),
    };
    problem(
        post(&w, Who::Other, &review, &accept).await,
        404,
        "check_in_not_found",
    )
    .await;
    let bare_no = abdi_proto::attendance::CheckInReview {
        accept: false,
        note: None,
    };
    problem(
        post(&w, Who::Supervisor, &review, &bare_no).await,
        422,
        "attendance_upload_invalid",
    )
    .await;
    let accepted: abdi_proto::attendance::CheckIn =
        ok_json(post(&w, Who::Supervisor, &review, &accept).await).await;
    assert_eq!(accepted.verdict, Verdict::Accepted);
    problem(
        post(&w, Who::Supervisor, &review, &accept).await,
        409,
        "check_in_not_flagged",
    )
    .await;
    let none: Vec<abdi_proto::attendance::FlaggedCheckIn> =
        ok_json(get(&w, Who::Supervisor, "/api/v1/attendance/team/flagged").await).await;
    assert!(none.is_empty());

    // 6. The days: 1 July present (in at 07:10), 2 July late (in at 08:05, 35 minutes), a
    // day of approved leave excused, a Saturday off, a holiday off, and a working day before
    // any check-in absent.
    let days = |from: &'static str, to: &'static str| {
        let w = &w;
        async move {
            let path = format!("/api/v1/me/attendance/days?from={from}&to={to}");
            ok_json::<Vec<abdi_proto::attendance::DayStatus>>(get(w, Who::Staff, &path).await).await
        }
    };
    let first = days("2026-06-30", "2026-07-01").await;
    assert_eq!(first[0].kind, DayKind::Absent, "{first:?}");
    assert_eq!(first[1].kind, DayKind::Present, "{first:?}");
    assert_eq!(first[1].check_in, Some(morning));
    // The next morning at 08:05 WIB.
    clock.advance(std::time::Duration::from_secs(19 * 3600 + 55 * 60));
    let late = sent(
        online
            .check_in(
                CheckKind::In,
                fix(
                    OFFICE,
                    morning + Duration::minutes(24 * 60 + 55),
                    boot + 90_000_000,
                ),
            )
            .await
            .unwrap(),
    );
    assert_eq!(late.verdict, Verdict::Accepted, "{late:?}");
    let second = days("2026-07-02", "2026-07-04").await;
    assert_eq!(second[0].kind, DayKind::Late, "{second:?}");
    assert_eq!(second[0].late_minutes, 35);
    assert_eq!(second[2].kind, DayKind::Weekend);
    let leave = abdi_tests::api::approved(
        &w,
        Who::Staff,
        "cuti_tahunan",
        abdi_tests::forms::annual("2026-07-13", "2026-07-13"),
    )
    .await;
    assert_eq!(leave["status"], "decided");
    let excused = days("2026-07-13", "2026-07-13").await;
    assert_eq!(excused[0].kind, DayKind::Excused, "{excused:?}");
    let holiday = days("2026-08-17", "2026-08-17").await;
    assert_eq!(holiday[0].kind, DayKind::Holiday, "{holiday:?}");
    assert!(
        holiday[0]
            .why
            .as_deref()
            .is_some_and(|w| w.contains("Kemerdekaan")),
        "{holiday:?}"
    );
}

/// Play Integrity as a double: a token is the base64url JSON of the verdict Google's
/// `decodeIntegrityToken` would answer (`tokenPayloadExternal`); one that does not decode is
/// refused as Google refuses it, and `UNAVAILABLE` is the service not answering.
struct PlayIntegrityDouble;

#[async_trait::async_trait]
impl Attestation for PlayIntegrityDouble {
    async fn decode(&self, token: &AttestationToken) -> Result<PlatformVerdict, AttestationError> {
        if token.token == "UNAVAILABLE" {
            return Err(AttestationError::Unavailable(
                "503 from playintegrity.googleapis.com".into(),
            ));
        }
        let payload: PlayIntegrityPayload = URL_SAFE_NO_PAD
            .decode(&token.token)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| {
                AttestationError::Invalid(
                    "400 INVALID_ARGUMENT: the token cannot be decoded".into(),
                )
            })?;
        payload.verdict()
    }
}

/// The app asking Play Integrity for a record's token, on a phone that meets integrity or not.
struct PlayAttestor {
    clock: ManualClock,
    device_ok: bool,
}

#[async_trait::async_trait]
impl abdi_core::attendance::Attestor for PlayAttestor {
    async fn attest(&self, request_hash: &str) -> Option<AttestationToken> {
        use abdi_server::clock::Clock;
        let verdicts: Vec<&str> = if self.device_ok {
            vec!["MEETS_DEVICE_INTEGRITY"]
        } else {
            vec![]
        };
        let payload = serde_json::json!({
            "requestDetails": {
                "requestPackageName": "id.go.jatimprov.abdi",
                "requestHash": request_hash,
                "timestampMillis": self.clock.now().timestamp_millis().to_string(),
            },
            "appIntegrity": { "appRecognitionVerdict": "PLAY_RECOGNIZED", "packageName": "id.go.jatimprov.abdi" },
            "deviceIntegrity": { "deviceRecognitionVerdict": verdicts },
            "accountDetails": { "appLicensingVerdict": "LICENSED" },
        });
        Some(AttestationToken {
            platform: Platform::PlayIntegrity,
            token: URL_SAFE_NO_PAD.encode(payload.to_string()),
        })
    }
}

/// A week of the rules around check-ins, 6 to 11 July 2026: BKD's Ramadan-like hours (08:00 to
/// 15:00, Friday worked anywhere) set by an administrator; check-ins with Play Integrity's
/// verdict (a phone that meets integrity, one without a verdict, a rooted one); a forgotten
/// check-out corrected with the atasan's approval; two days of official travel on a surat
/// tugas; the atasan's team and the fasilitator's unit on a day; the month's recap as JSON,
/// CSV and PDF; and the absence cases the night's count opens (PP 94/2021), closed by the
/// fasilitator.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_excuses_corrections_supervision_and_absence_cases() {
    // Monday 6 July 2026, 08:10 WIB.
    let monday = DateTime::parse_from_rfc3339("2026-07-06T01:10:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let clock = ManualClock::at(monday);
    let providers = Providers {
        attestation: Some(Arc::new(PlayIntegrityDouble)),
    };
    let w = world_providing(
        Backend::Postgres,
        Some(clock.clone()),
        |c| {
            c.attendance.cases_from = Some("2026-07-01".parse().unwrap());
            c.attendance.attestation_required = true;
        },
        providers,
    )
    .await;
    office_for_bkd(&w).await;
    let t = |h: u32, m: u32| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
    let day = |weekday: u8, mode: WorkMode| WorkDay {
        weekday,
        starts: t(8, 0),
        ends: if weekday == 5 { t(15, 30) } else { t(15, 0) },
        mode,
    };
    let ramadan = NewSchedule {
        name: "Jam kerja Ramadan BKD".into(),
        unit_code: Some("BKD".into()),
        from: "2026-07-06".parse().unwrap(),
        until: Some("2026-07-10".parse().unwrap()),
        days: (1..=4)
            .map(|d| day(d, WorkMode::Office))
            .chain([day(5, WorkMode::Anywhere)])
            .collect(),
        flexible_minutes: 0,
    };
    problem(
        post(
            &w,
            Who::Staff,
            "/api/v1/admin/attendance/schedules",
            &ramadan,
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let mut backwards = ramadan.clone();
    backwards.days[0].ends = t(7, 0);
    let refused = problem(
        post(
            &w,
            Who::Admin,
            "/api/v1/admin/attendance/schedules",
            &backwards,
        )
        .await,
        422,
        "attendance_schedule_invalid",
    )
    .await;
    assert!(
        refused["detail"].as_str().unwrap().contains("hari 1"),
        "{refused}"
    );
    let r = post(
        &w,
        Who::Admin,
        "/api/v1/admin/attendance/schedules",
        &ramadan,
    )
    .await;
    assert_eq!(r.status(), 201);
    let listed: Vec<abdi_proto::attendance::Schedule> =
        ok_json(get(&w, Who::Admin, "/api/v1/admin/attendance/schedules").await).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].unit_code.as_deref(), Some("BKD"));

    // The phone checks in at 08:10 with a verdict that holds: accepted, 10 minutes late
    // under the week's hours (40 under the standing ones).
    let secure = Arc::new(MemorySecureStore::new());
    secure
        .set(SESSION_KEY, &w.tokens[&Who::Staff])
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let phone = phone(&w.app.base, secure, dir.path());
    phone.enroll_for_attendance("Redmi 12").await.unwrap();
    let boot = 7_200_000u64;
    let intact = PlayAttestor {
        clock: clock.clone(),
        device_ok: true,
    };
    let rooted = PlayAttestor {
        clock: clock.clone(),
        device_ok: false,
    };
    let accepted = sent(
        phone
            .check_in_attested(CheckKind::In, fix(OFFICE, monday, boot), Some(&intact))
            .await
            .unwrap(),
    );
    assert_eq!(accepted.verdict, Verdict::Accepted, "{accepted:?}");
    // Without a verdict, or from a rooted phone: kept, for the atasan.
    let bare = sent(
        phone
            .check_in(CheckKind::In, fix(OFFICE, monday, boot + 1_000))
            .await
            .unwrap(),
    );
    assert_eq!(bare.verdict, Verdict::Flagged, "{bare:?}");
    assert_eq!(bare.reasons[0].code, "integrity_missing");
    let failing = sent(
        phone
            .check_in_attested(
                CheckKind::In,
                fix(OFFICE, monday, boot + 2_000),
                Some(&rooted),
            )
            .await
            .unwrap(),
    );
    assert_eq!(failing.verdict, Verdict::Flagged, "{failing:?}");
    assert_eq!(failing.reasons[0].code, "integrity_failed");
    assert!(
        failing.reasons[0].message.id.contains("root"),
        "{failing:?}"
    );

    // Monday evening: no check-out, so the day ends at the check-in (PSW).
    clock.advance(std::time::Duration::from_secs(12 * 3600));
    let days = |from: &'static str, to: &'static str| {
        let w = &w;
        async move {
            let path = format!("/api/v1/me/attendance/days?from={from}&to={to}");
            ok_json::<Vec<abdi_proto::attendance::DayStatus>>(get(w, Who::Staff, &path).await).await
        }
    };
    let before = days("2026-07-06", "2026-07-06").await;
    assert_eq!(
        (before[0].kind, before[0].late_minutes),
        (DayKind::Late, 10),
        "{before:?}"
    );
    assert_eq!(before[0].early_minutes, 410, "{before:?}");
    assert_eq!(before[0].waiting, 2);
    // The forgotten check-out, corrected with the atasan's approval.
    let wrong_time = abdi_tests::api::submit(
        &w,
        Who::Staff,
        "koreksi_presensi",
        serde_json::json!({ "date": "2026-07-06", "kind": "out", "time": "25:70", "reason": "Lupa presensi pulang karena rapat." }),
    )
    .await;
    let wrong = problem(wrong_time, 422, "rule_violation").await;
    assert!(wrong.to_string().contains("time_invalid"), "{wrong}");
    let correction = abdi_tests::api::created(
        &w,
        Who::Staff,
        "koreksi_presensi",
        serde_json::json!({ "date": "2026-07-06", "kind": "out", "time": "15:05", "reason": "Lupa presensi pulang karena rapat." }),
    )
    .await;
    granted_by_the_atasan(&w, &correction).await;
    let after = days("2026-07-06", "2026-07-06").await;
    assert_eq!(
        (after[0].kind, after[0].early_minutes),
        (DayKind::Late, 0),
        "{after:?}"
    );
    assert_eq!(
        after[0].check_out,
        Some(
            DateTime::parse_from_rfc3339("2026-07-06T08:05:00Z")
                .unwrap()
                .with_timezone(&Utc)
        )
    );
    // Official travel on Wednesday and Thursday.
    let travel = abdi_tests::api::created(
        &w,
        Who::Staff,
        "surat_tugas",
        serde_json::json!({
            "period": { "start": "2026-07-08", "end": "2026-07-09" },
            "destination": "Kantor Regional II BKN Surabaya",
            "purpose": "Konsultasi usul kenaikan pangkat periode Oktober",
        }),
    )
    .await;
    granted_by_the_atasan(&w, &travel).await;

    // Friday 08:00, worked anywhere: a check-in from Malang counts, held to no fence.
    clock.advance(std::time::Duration::from_secs(
        3 * 24 * 3600 + 11 * 3600 + 50 * 60,
    ));
    let friday = monday + Duration::days(4) - Duration::minutes(10);
    let malang = GeoPoint::new(-7.9666, 112.6326);
    let remote = sent(
        phone
            .check_in_attested(
                CheckKind::In,
                fix(malang, friday, boot + 345_000_000),
                Some(&intact),
            )
            .await
            .unwrap(),
    );
    assert_eq!(remote.verdict, Verdict::Accepted, "{remote:?}");
    assert_eq!(remote.place, None);
    let week = days("2026-07-06", "2026-07-10").await;
    let kinds: Vec<DayKind> = week.iter().map(|d| d.kind).collect();
    assert_eq!(
        kinds,
        [
            DayKind::Late,
            DayKind::Absent,
            DayKind::Excused,
            DayKind::Excused,
            DayKind::Present
        ],
        "{week:?}"
    );
    assert_eq!(
        week[2].why.as_deref(),
        Some("Dinas luar: Kantor Regional II BKN Surabaya")
    );

    // The atasan's team on Monday, and the fasilitator's unit; nobody else's.
    let team: TeamDay = ok_json(
        get(
            &w,
            Who::Supervisor,
            "/api/v1/attendance/team/day?date=2026-07-06",
        )
        .await,
    )
    .await;
    let staff = team
        .people
        .iter()
        .find(|p| p.nip == abdi_tests::world::STAFF_NIP)
        .unwrap();
    assert_eq!(staff.day.kind, DayKind::Late);
    assert!(
        team.counts.late >= 1 && team.counts.flagged >= 1,
        "{:?}",
        team.counts
    );
    let none: TeamDay = ok_json(get(&w, Who::Staff, "/api/v1/attendance/team/day").await).await;
    assert!(none.people.is_empty());
    let unit: TeamDay = ok_json(
        get(
            &w,
            Who::Fasilitator,
            "/api/v1/attendance/units/BKD/day?date=2026-07-10",
        )
        .await,
    )
    .await;
    assert!(
        unit.people
            .iter()
            .any(|p| p.nip == abdi_tests::world::STAFF_NIP && p.day.kind == DayKind::Present)
    );
    assert!(unit.people.len() > team.people.len());
    problem(
        get(
            &w,
            Who::OtherFasilitator,
            "/api/v1/attendance/units/BKD/day",
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    problem(
        get(&w, Who::Supervisor, "/api/v1/attendance/units/BKD/day").await,
        403,
        "forbidden",
    )
    .await;
    problem(
        get(&w, Who::Fasilitator, "/api/v1/attendance/units/NOPE/day").await,
        404,
        "unit_not_found",
    )
    .await;

    // The month's recap: 23 working days in July; on Friday morning the 1st to 3rd and the
    // 7th are days without excuse, the travel two excused, the rest not over yet.
    let recap: Recap = ok_json(
        get(
            &w,
            Who::Fasilitator,
            "/api/v1/attendance/units/BKD/recap?month=2026-07",
        )
        .await,
    )
    .await;
    let row = recap
        .rows
        .iter()
        .find(|r| r.nip == abdi_tests::world::STAFF_NIP)
        .unwrap();
    assert_eq!(
        (
            row.working_days,
            row.present_days,
            row.late_days,
            row.late_minutes,
            row.excused_days,
            row.absent_days
        ),
        (23, 2, 1, 10, 2, 4),
        "{row:?}"
    );
    problem(
        get(
            &w,
            Who::Fasilitator,
            "/api/v1/attendance/units/BKD/recap?month=2026-13",
        )
        .await,
        400,
        "invalid_query",
    )
    .await;
    let csv = w
        .app
        .client
        .get(
            w.app
                .url("/api/v1/attendance/units/BKD/recap.csv?month=2026-07"),
        )
        .bearer_auth(&w.tokens[&Who::Fasilitator])
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("rekap-presensi-BKD-2026-07.csv")
    );
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with("nip,nama,unit,hari_kerja,"), "{csv}");
    let line = csv
        .lines()
        .find(|l| l.starts_with(abdi_tests::world::STAFF_NIP))
        .unwrap();
    assert!(line.ends_with(",23,2,1,10,0,0,2,4"), "{line}");
    let pdf = w
        .app
        .client
        .get(
            w.app
                .url("/api/v1/attendance/units/BKD/recap.pdf?month=2026-07"),
        )
        .bearer_auth(&w.tokens[&Who::Fasilitator])
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    let pdf = pdf.bytes().await.unwrap();
    let file = dir.path().join("rekap.pdf");
    std::fs::write(&file, &pdf).unwrap();
    if let Ok(keep) = std::env::var("ABDI_KEEP_LETTERS") {
        std::fs::write(format!("{keep}/rekap-presensi.pdf"), &pdf).unwrap();
    }
    let text = crate::documents::run("pdftotext", &["-layout", file.to_str().unwrap(), "-"]).1;
    assert!(text.contains("REKAPITULASI PRESENSI PEGAWAI"), "{text}");
    assert!(text.contains("Juli 2026"), "{text}");
    assert!(text.contains(abdi_tests::world::STAFF_NIP), "{text}");

    // Saturday 02:00: the night's count opens the cases crossed (3 and 4 days), once.
    clock.advance(std::time::Duration::from_secs(18 * 3600));
    let run = w.app.state.attendance.open_cases().await.unwrap();
    assert!(run.opened >= 2 && run.employees >= 400, "{run:?}");
    let again = w.app.state.attendance.open_cases().await.unwrap();
    assert_eq!(again.opened, 0, "a crossed threshold opens one case");
    let cases: Vec<AbsenceCase> =
        ok_json(get(&w, Who::Fasilitator, "/api/v1/attendance/cases").await).await;
    let staff_cases: Vec<&AbsenceCase> = cases
        .iter()
        .filter(|c| c.nip == abdi_tests::world::STAFF_NIP)
        .collect();
    let mut thresholds: Vec<&str> = staff_cases.iter().map(|c| c.threshold.as_str()).collect();
    thresholds.sort_unstable();
    assert_eq!(thresholds, ["days_3", "days_4"], "{staff_cases:?}");
    let written = staff_cases
        .iter()
        .find(|c| c.threshold == "days_4")
        .unwrap();
    assert_eq!(written.sanction, "teguran_tertulis");
    assert_eq!(written.days, 4);
    assert_eq!(
        written.dates.last().map(|d| d.to_string()).as_deref(),
        Some("2026-07-07")
    );
    assert!(
        written.explanation.id.contains("bukan keputusan"),
        "{written:?}"
    );
    let theirs: Vec<AbsenceCase> =
        ok_json(get(&w, Who::OtherFasilitator, "/api/v1/attendance/cases").await).await;
    assert!(theirs.iter().all(|c| c.nip != abdi_tests::world::STAFF_NIP));
    problem(
        get(&w, Who::Staff, "/api/v1/attendance/cases").await,
        403,
        "forbidden",
    )
    .await;
    let close = format!("/api/v1/attendance/cases/{}/close", written.id);
    let short = abdi_proto::attendance::CaseClosing { note: "ok".into() };
    problem(
        post(&w, Who::Fasilitator, &close, &short).await,
        400,
        "invalid_query",
    )
    .await;
    let note = abdi_proto::attendance::CaseClosing {
        note: "Dipanggil dan dibina atasan langsung; teguran tertulis diajukan lewat hukuman_disiplin.".into(),
    };
    problem(
        post(&w, Who::OtherFasilitator, &close, &note).await,
        404,
        "attendance_case_not_found",
    )
    .await;
    let closed: AbsenceCase = ok_json(post(&w, Who::Fasilitator, &close, &note).await).await;
    assert!(!closed.open);
    problem(
        post(&w, Who::Fasilitator, &close, &note).await,
        409,
        "attendance_case_closed",
    )
    .await;
}

/// The atasan grants `request` (a service decided by the atasan alone).
async fn granted_by_the_atasan(w: &World, request: &serde_json::Value) {
    let id = request["id"].as_str().unwrap();
    step_up(w, Who::Supervisor).await;
    let v =
        ok(
            abdi_tests::api::decide(w, Who::Supervisor, id, &abdi_tests::api::approval(request))
                .await,
        )
        .await;
    assert_eq!(v["status"], "decided", "{v}");
    assert_eq!(v["outcome"], "disetujui", "{v}");
}

async fn ok_json<T: serde::de::DeserializeOwned>(r: reqwest::Response) -> T {
    serde_json::from_value(ok(r).await).unwrap()
}

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
