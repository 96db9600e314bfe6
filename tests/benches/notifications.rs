//! The notifications benchmark (run by `bench/notifications`, not by the tests), on PostgreSQL
//! and Redis with the FCM/APNs test peer as the local sink:
//! - throughput: events delivered per second by one worker and by two at once, each event to
//!   the live stream (Redis PUBLISH) and to one phone (FCM HTTP v1);
//! - latency: from an official's decision (the HTTP call, step-up done) to the employee's event
//!   stream on a second instance receiving it, p50/p99.

// Tests and benches measure real time: the injected-clock rule is for the product's code.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use abdi_proto::Text;
use abdi_proto::notifications::NotificationKind;
use abdi_proto::services::{Decision, Outcome, Verification, VerificationOutcome};
use abdi_server::clock::{Clock, ManualClock};
use abdi_server::masterdata::entity::employee;
use abdi_server::notifications::outbox::{self, NewEvent};
use abdi_tests::api::{action, decision, new_request, version};
use abdi_tests::forms::annual;
use abdi_tests::push::PushPeer;
use abdi_tests::stats::{ms, percentile};
use abdi_tests::world::{
    ATASAN_ACCOUNT, STAFF_ACCOUNT, STAFF_NIP, by_nip, employee_in, grant_role, holder, july_first,
    seed, step_up_session, unit_id,
};
use abdi_tests::{Backend, TestApp, TestEnv};
use futures_util::StreamExt;
use sea_orm::EntityTrait;
use serde_json::Value;
use uuid::Uuid;

const EVENTS: usize = 4_000;
const DECISIONS: usize = 200;

#[tokio::main]
async fn main() {
    let peer = PushPeer::start().await;
    // 1 July 2026, 08:00 in Jakarta: the leave dates below are ahead.
    let clock = ManualClock::at(july_first());
    let mut env = TestEnv::new(Backend::Postgres).await;
    peer.configure(&mut env.config);
    env.config.notifications.email = false;
    env.config.database.max_connections = 16;
    env.config.log.level = std::env::var("ABDI_BENCH_LOG").unwrap_or_else(|_| "error".into());
    let app = TestApp::start(env, Arc::new(clock.clone())).await;
    let db = &app.state.db;
    seed(&app, 300, 11, &format!("{STAFF_ACCOUNT}{ATASAN_ACCOUNT}")).await;

    // 1. Throughput: a phone for each of 200 employees, then EVENTS events spread over them.
    let people: Vec<Uuid> = employee::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .take(200)
        .map(|e| e.id)
        .collect();
    for (i, id) in people.iter().enumerate() {
        let token = app.session(*id).await;
        let session = app.state.identity.sessions.validate(&token).await.unwrap();
        app.state
            .notifications
            .devices
            .register(
                &session.session.device(),
                &abdi_proto::notifications::DeviceRegistration {
                    platform: abdi_proto::notifications::PushPlatform::Fcm,
                    token: format!("bench-token-{i}"),
                    app_version: "1.0.0".into(),
                },
            )
            .await
            .unwrap();
    }
    app.state.notifications.drain().await.unwrap();
    for workers in [1usize, 2] {
        for i in 0..EVENTS {
            outbox::emit(
                db,
                clock.now(),
                NewEvent {
                    employee_id: people[i % people.len()],
                    kind: NotificationKind::RequestStatus,
                    title: Text::new("Cuti Tahunan: disetujui", "Annual leave: approved"),
                    body: Text::new("Permohonan Anda disetujui.", "Your request was approved."),
                    request_id: Some(Uuid::new_v4()),
                    status: None,
                    outcome: None,
                    quiet: false,
                },
            )
            .await
            .unwrap();
        }
        let calls_before = peer.calls().len();
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..workers {
            let n = app.state.notifications.clone();
            tasks.spawn(async move { n.drain().await.unwrap() });
        }
        let mut delivered = 0;
        while let Some(r) = tasks.join_next().await {
            delivered += r.unwrap().delivered;
        }
        let elapsed = started.elapsed();
        assert_eq!(
            delivered as usize,
            EVENTS * 2,
            "every event to the stream and a phone"
        );
        assert_eq!(peer.calls().len() - calls_before, EVENTS);
        println!(
            "throughput, {workers} worker(s): {EVENTS} events ({delivered} deliveries) in {:.2} s = {:.0} events/s, {:.0} deliveries/s",
            elapsed.as_secs_f64(),
            EVENTS as f64 / elapsed.as_secs_f64(),
            delivered as f64 / elapsed.as_secs_f64()
        );
    }

    // 2. Latency: the worker runs on both instances; the employee listens on the second.
    let mut config = app.config.clone();
    config.notifications.worker = true;
    let first = TestApp::on_clock(config, Arc::new(clock.clone())).await;
    let second = first.second_instance().await;
    let staff = by_nip(&first, STAFF_NIP).await;
    let (supervisor, _) = holder(&first, "BKD-U001-KASI1").await;
    let fasilitator = employee_in(&first, "BKD-U002", &[]).await;
    let bkd = unit_id(&first, "BKD").await;
    grant_role(
        db,
        fasilitator,
        abdi_proto::agency::Role::Fasilitator,
        Some(bkd),
        chrono::Utc::now(),
    )
    .await;
    let (t_staff, t_fas, t_sup) = (
        first.session(staff).await,
        first.session(fasilitator).await,
        first.session(supervisor).await,
    );
    let client = reqwest::Client::new();
    let stream = client
        .get(second.url("/api/v1/notifications/stream"))
        .bearer_auth(&t_staff)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let mut stream = stream.bytes_stream();
    let mut buffer = String::new();
    let post = |token: &str, path: String| client.post(first.url(&path)).bearer_auth(token);
    // Waits for the stream to report `status` for `request`.
    async fn until(
        stream: &mut (impl futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
        buffer: &mut String,
        request: &str,
        status: Option<&str>,
    ) -> Value {
        loop {
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                for line in block.lines() {
                    if let Some(data) = line.strip_prefix("data:")
                        && let Ok(v) = serde_json::from_str::<Value>(data.trim())
                        && v["request_id"] == request
                        && status.is_none_or(|s| v["status"] == s)
                    {
                        return v;
                    }
                }
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), stream.next())
                .await
                .expect("no event within 10 s")
                .unwrap()
                .unwrap();
            buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    let mut times = Vec::new();
    for _ in 0..DECISIONS {
        let new = new_request("cuti_tahunan", annual("2026-07-13", "2026-07-13"));
        let v: Value = post(&t_staff, "/api/v1/requests".into())
            .header("idempotency-key", Uuid::new_v4().to_string())
            .json(&new)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = v["id"].as_str().unwrap_or_else(|| panic!("{v}")).to_owned();
        step_up_session(&first, &t_fas).await;
        let complete = Verification {
            version: version(&v),
            outcome: VerificationOutcome::Complete,
            note: None,
        };
        let v: Value = post(&t_fas, format!("/api/v1/requests/{id}/verification"))
            .json(&complete)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["status"], "in_review", "{v}");
        if tokio::time::timeout(
            Duration::from_secs(8),
            until(&mut stream, &mut buffer, &id, Some("in_review")),
        )
        .await
        .is_err()
        {
            let rows = abdi_server::notifications::entity::delivery::Entity::find()
                .all(db)
                .await
                .unwrap();
            let pending: Vec<_> = rows
                .iter()
                .filter(|d| d.state != abdi_server::notifications::entity::DeliveryState::Delivered)
                .collect();
            panic!(
                "stuck; {} deliveries, not delivered: {pending:#?}; clock {}",
                rows.len(),
                clock.now()
            );
        }
        step_up_session(&first, &t_sup).await;
        // The atasan's decision, timed until the employee's stream on the other instance has
        // it; then the employee cancels, which frees the day for the next round.
        let started = Instant::now();
        let refusal = Decision {
            note: Some("Kebutuhan dinas".into()),
            ..decision(version(&v), Outcome::TidakDisetujui)
        };
        let r = post(&t_sup, format!("/api/v1/requests/{id}/decision"))
            .json(&refusal)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let decided: Value = r.json().await.unwrap();
        until(&mut stream, &mut buffer, &id, None).await;
        times.push(started.elapsed());
        let r = post(&t_staff, format!("/api/v1/requests/{id}/cancel"))
            .json(&action(version(&decided)))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        until(&mut stream, &mut buffer, &id, Some("cancelled")).await;
    }
    times.sort();
    println!(
        "decision -> event stream on another instance: {DECISIONS} decisions, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        ms(*times.last().unwrap())
    );
}
