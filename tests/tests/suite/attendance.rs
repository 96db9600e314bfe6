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
    CheckInUpload, CheckKind, DayKind, Fence, Fix, GeoPoint, NewPlace, SignedCheckIn, Verdict,
};
use abdi_server::clock::ManualClock;
use abdi_tests::Backend;
use abdi_tests::api::{get, ok, post, problem};
use abdi_tests::world::{Who, World, step_up, world_at};
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

async fn ok_json<T: serde::de::DeserializeOwned>(r: reqwest::Response) -> T {
    serde_json::from_value(ok(r).await).unwrap()
}

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
