//! Notifications end to end: a request's changes reach push (FCM, APNs), email (a real SMTP
//! server) and the inbox once per channel; invalid tokens are pruned; failures are retried as
//! configured and dead-lettered; a worker that dies mid-batch loses nothing; the event stream
//! reaches a client on another instance and resumes with Last-Event-ID; devices follow their
//! sessions; preferences never silence security messages.

use std::time::Duration as StdDuration;

use abdi_proto::Text;
use abdi_proto::notifications::NotificationKind;
use abdi_proto::notifications::{DeviceRegistration, MarkRead, Preferences, PushPlatform};
use abdi_proto::services::Outcome;
use abdi_server::clock::Clock;
use abdi_server::config::{EmailTransport, SmtpTls};
use abdi_server::notifications::entity::{DeliveryState, delivery};
use abdi_server::notifications::outbox::{self, NewEvent};
use abdi_tests::api::{
    approval, call, call_with, created, decide, decision, get, ok, ok_as, post, problem,
    through_chain, verify, version,
};
use abdi_tests::forms::annual;
use abdi_tests::push::{PushPeer, Reply};
use abdi_tests::smtp::SmtpServer;
use abdi_tests::world::{Who, Who::*, World, july_first, step_up, told, world_with};
use abdi_tests::{Backend, both_backends};
use futures_util::StreamExt;
use reqwest::Method;
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

const FCM_TOKEN: &str = "fcm-staff-phone:APA91bH-x";
const APNS_TOKEN: &str = "7f3a9c0e1b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a";

fn apns_token(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

/// The world with the push peer and a real SMTP server wired in, on a manual clock.
async fn world(
    backend: Backend,
    tune: impl FnOnce(&mut abdi_server::config::Config),
) -> (World, PushPeer, SmtpServer, abdi_server::clock::ManualClock) {
    let peer = PushPeer::start().await;
    let smtp = SmtpServer::start();
    let clock = abdi_server::clock::ManualClock::at(july_first());
    let port = smtp.port;
    let w = world_with(backend, Some(clock.clone()), |c| {
        peer.configure(c);
        c.email.transport = EmailTransport::Smtp;
        c.email.smtp_host = "127.0.0.1".into();
        c.email.smtp_port = port;
        c.email.smtp_tls = SmtpTls::None;
        tune(c);
    })
    .await;
    (w, peer, smtp, clock)
}

/// Registers the push token `body_token` for the device of the session `token`.
async fn register(
    w: &World,
    token: &str,
    platform: PushPlatform,
    body_token: &str,
) -> reqwest::Response {
    let body = DeviceRegistration {
        platform,
        token: body_token.into(),
        app_version: "1.4.2".into(),
    };
    call_with(
        &w.app,
        Method::PUT,
        "/api/v1/devices/current",
        Some(token),
        &body,
    )
    .await
}

/// `GET path` in the session of `token` (the kit's `get` takes a person, not a session).
async fn get_as(w: &World, token: &str, path: &str) -> Value {
    ok(call(&w.app, Method::GET, path, Some(token)).await).await
}

async fn drain(w: &World) -> abdi_server::notifications::DrainReport {
    w.app.state.notifications.drain().await.unwrap()
}

/// Every delivery, oldest first.
async fn deliveries(w: &World) -> Vec<delivery::Model> {
    delivery::Entity::find()
        .order_by_asc(delivery::Column::Id)
        .all(&w.app.state.db)
        .await
        .unwrap()
}

fn event(employee_id: Uuid, n: usize) -> NewEvent {
    NewEvent {
        employee_id,
        kind: NotificationKind::RequestStatus,
        title: Text::new(format!("Uji {n}"), format!("Test {n}")),
        body: Text::new("Isi", "Body"),
        request_id: None,
        status: None,
        outcome: None,
        quiet: false,
    }
}

/// The push message ids (`abdi_id`) each token received, in order.
fn received(peer: &PushPeer, token: &str) -> Vec<String> {
    peer.delivered_to(token)
        .iter()
        .map(|b| {
            let data = if b["message"].is_object() {
                &b["message"]["data"]
            } else {
                b
            };
            data["abdi_id"].as_str().unwrap().to_owned()
        })
        .collect()
}

async fn status_changes_reach_every_channel_once(backend: Backend) {
    let (w, peer, smtp, _clock) = world(backend, |_| {}).await;
    let staff = w.tokens[&Staff].clone();
    let iphone = w.app.session(w.ids[&Staff]).await;
    let d = ok(register(&w, &staff, PushPlatform::Fcm, FCM_TOKEN).await).await;
    assert_eq!(d["current"], true);
    assert_eq!(d["app_version"], "1.4.2");
    ok(register(&w, &iphone, PushPlatform::Apns, APNS_TOKEN).await).await;

    let v = created(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-07-13", "2026-07-15"),
    )
    .await;
    let id = v["id"].as_str().unwrap().to_owned();
    let decided = through_chain(&w, v, decision(0, Outcome::Disetujui)).await;
    assert_eq!(decided["status"], "decided");
    let first = drain(&w).await;
    assert_eq!(
        first.dead + first.retried + first.lost_lease,
        0,
        "{first:?}"
    );

    // The inbox: two new devices, then submitted (the employee's own doing), verified,
    // forwarded by the atasan, decided; newest first.
    let inbox = get_as(&w, &staff, "/api/v1/notifications").await;
    let items = inbox["items"].as_array().unwrap();
    let statuses: Vec<&str> = items
        .iter()
        .map(|n| n["status"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        statuses,
        ["decided", "in_review", "in_review", "submitted", "-", "-"],
        "{inbox}"
    );
    assert_eq!(inbox["unread"], 6);
    assert_eq!(items[0]["outcome"], "disetujui");
    assert_eq!(items[0]["title"]["id"], "Cuti Tahunan: disetujui");
    assert_eq!(items[0]["title"]["en"], "Annual leave: approved");
    assert_eq!(items[0]["request_id"], id.as_str());
    assert_eq!(items[5]["kind"], "new_device");
    assert_eq!(items[5]["security"], true);

    // Push: each change by someone else once per device, none for the employee's own
    // submission; the second device's announcement reached the first one too.
    let ids = |n: &[usize]| {
        n.iter()
            .map(|i| items[*i]["id"].to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(received(&peer, FCM_TOKEN), ids(&[5, 4, 2, 1, 0]));
    assert_eq!(received(&peer, APNS_TOKEN), ids(&[4, 2, 1, 0]));
    let fcm = peer.delivered_to(FCM_TOKEN).pop().unwrap();
    assert_eq!(
        fcm["message"]["notification"]["title"],
        "Cuti Tahunan: disetujui"
    );
    assert_eq!(fcm["message"]["data"]["request_id"], id.as_str());
    assert_eq!(fcm["message"]["data"]["status"], "decided");
    assert_eq!(fcm["message"]["data"]["outcome"], "disetujui");
    assert_eq!(fcm["message"]["data"]["title_en"], "Annual leave: approved");
    let apns = peer.delivered_to(APNS_TOKEN).pop().unwrap();
    assert_eq!(apns["aps"]["alert"]["title"], "Cuti Tahunan: disetujui");
    assert_eq!(apns["request_id"], id.as_str());
    assert!(
        peer.calls()
            .iter()
            .filter(|c| c.provider == "apns")
            .all(|c| c.http2),
        "APNs is HTTP/2"
    );
    assert_eq!(peer.token_grants(), 1, "the FCM access token is cached");

    // Email: the same five, in both languages.
    let mails: Vec<_> = smtp
        .messages()
        .into_iter()
        .filter(|m| m.to.contains("staf@"))
        .collect();
    assert_eq!(mails.len(), 5, "{mails:#?}");
    let decided_mail = mails
        .iter()
        .find(|m| m.subject.contains("disetujui"))
        .unwrap();
    assert!(
        decided_mail.subject.contains("Annual leave: approved"),
        "{decided_mail:?}"
    );
    assert!(decided_mail.body.contains("Permohonan Anda disetujui"));
    assert!(decided_mail.body.contains("Your request was approved"));

    // Once: draining again sends nothing, and every delivery is recorded delivered.
    let again = drain(&w).await;
    assert_eq!(again, Default::default());
    let all = deliveries(&w).await;
    assert!(
        all.iter()
            .all(|d| d.state == DeliveryState::Delivered && d.attempts == 1),
        "{all:#?}"
    );
    // One delivery per event, channel and target: 6 stream + 9 push + 5 email for Staff (the
    // rest tell the officials the request waits for them).
    let staff_events: std::collections::HashSet<i64> =
        abdi_server::notifications::entity::event::Entity::find()
            .all(&w.app.state.db)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.employee_id == w.ids[&Staff])
            .map(|e| e.id)
            .collect();
    let staff_deliveries = all
        .iter()
        .filter(|d| staff_events.contains(&d.event_id))
        .count();
    assert_eq!(staff_deliveries, 6 + 9 + 5);

    // Read: one, then everything up to the newest.
    let newest = items[0]["id"].as_i64().unwrap();
    let r = ok(post(
        &w,
        Staff,
        "/api/v1/notifications/read",
        &MarkRead {
            ids: vec![newest],
            up_to: None,
        },
    )
    .await)
    .await;
    assert_eq!(r["unread"], 5);
    let r = ok(post(
        &w,
        Staff,
        "/api/v1/notifications/read",
        &MarkRead {
            ids: vec![],
            up_to: Some(newest),
        },
    )
    .await)
    .await;
    assert_eq!(r["unread"], 0);
    assert_eq!(
        get_as(&w, &staff, "/api/v1/notifications/unread-count").await["unread"],
        0
    );
    problem(
        post(
            &w,
            Staff,
            "/api/v1/notifications/read",
            &MarkRead::default(),
        )
        .await,
        400,
        "invalid_body",
    )
    .await;
    // Someone else's inbox is their own: the supervisor has only the notice that the request
    // waited for them, still unread after Staff marked everything read.
    let page = get_as(&w, &w.tokens[&Supervisor], "/api/v1/notifications").await;
    let kinds: Vec<&Value> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| &n["kind"])
        .collect();
    assert_eq!(kinds, ["action_required"], "{page}");
    assert_eq!(page["unread"], 1);
    problem(
        get(&w, Staff, "/api/v1/notifications?limit=0").await,
        400,
        "invalid_query",
    )
    .await;
    let page = get_as(&w, &staff, "/api/v1/notifications?limit=4").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 4);
    let next = page["next"].as_str().unwrap();
    let rest = get_as(&w, &staff, &format!("/api/v1/notifications?after={next}")).await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 2);
    assert!(rest["next"].is_null());
}

async fn invalid_tokens_are_pruned_and_failures_retried_then_dead_lettered(backend: Backend) {
    let (w, peer, _smtp, clock) = world(backend, |c| {
        c.notifications.backoff_base_ms = 10_000;
        c.notifications.max_attempts = 3;
        c.notifications.email = false;
    })
    .await;
    let staff = w.ids[&Staff];
    let devices = [
        (
            PushPlatform::Fcm,
            "fcm-unregistered".to_owned(),
            Reply::fcm_unregistered(),
        ),
        (
            PushPlatform::Fcm,
            "fcm-invalid".to_owned(),
            Reply::fcm_invalid_argument(),
        ),
        (
            PushPlatform::Apns,
            apns_token(1),
            Reply::apns_unregistered(),
        ),
        (
            PushPlatform::Apns,
            apns_token(2),
            Reply::apns_bad_device_token(),
        ),
        (
            PushPlatform::Fcm,
            "fcm-quota".to_owned(),
            Reply::fcm_quota(120),
        ),
        (PushPlatform::Apns, apns_token(3), Reply::apns_internal()),
    ];
    for (platform, token, _) in &devices {
        let session = w.app.session(staff).await;
        ok(register(&w, &session, *platform, token).await).await;
    }
    drain(&w).await;
    let before = peer.calls().len();
    let quota_before = received(&peer, "fcm-quota").len();
    for (_, token, reply) in &devices {
        let replies = if token == &apns_token(3) {
            vec![reply.clone(), reply.clone(), reply.clone()]
        } else {
            vec![reply.clone()]
        };
        peer.script(token, replies);
    }
    let t0 = clock.now();
    let id = outbox::emit(&w.app.state.db, t0, event(staff, 1))
        .await
        .unwrap();
    let report = drain(&w).await;
    assert_eq!(
        (report.delivered, report.dropped, report.retried),
        (1, 5, 2),
        "{report:?}"
    );

    // The four invalid tokens are gone; the other two devices stay.
    let left = get_as(&w, &w.tokens[&Staff], "/api/v1/devices").await;
    assert_eq!(left.as_array().unwrap().len(), 2, "{left}");
    // The event's delivery that last failed with `error`.
    let of = |rows: &[delivery::Model], error: &str| -> delivery::Model {
        rows.iter()
            .find(|d| {
                d.event_id == id && d.last_error.as_deref().is_some_and(|e| e.contains(error))
            })
            .cloned()
            .unwrap_or_else(|| panic!("no delivery failed with {error}: {rows:#?}"))
    };
    let rows = deliveries(&w).await;
    for reason in [
        "UNREGISTERED",
        "INVALID_ARGUMENT",
        "Unregistered",
        "BadDeviceToken",
    ] {
        let d = of(&rows, reason);
        assert_eq!(d.state, DeliveryState::Dropped, "{d:?}");
        assert!(d.last_error.as_deref().unwrap().contains("device removed"));
    }
    // Quota: exactly the provider's Retry-After. Server error: the backoff's first step,
    // 10 s with jitter (5 to 10 s).
    let quota = of(&rows, "QUOTA_EXCEEDED");
    assert_eq!(quota.state, DeliveryState::Pending);
    assert_eq!(quota.next_attempt_at, t0 + chrono::Duration::seconds(120));
    let failing = of(&rows, "InternalServerError");
    let wait = failing.next_attempt_at - t0;
    assert!(
        wait >= chrono::Duration::seconds(5) && wait <= chrono::Duration::seconds(10),
        "{wait}"
    );

    // Not due yet: nothing is sent.
    assert_eq!(drain(&w).await, Default::default());
    // The second attempt after its wait, then 10 to 20 s more.
    clock.advance(StdDuration::from_secs(10));
    let t1 = clock.now();
    assert_eq!(drain(&w).await.retried, 1);
    let failing = of(&deliveries(&w).await, "InternalServerError");
    assert_eq!(failing.attempts, 2);
    let wait = failing.next_attempt_at - t1;
    assert!(
        wait >= chrono::Duration::seconds(10) && wait <= chrono::Duration::seconds(20),
        "{wait}"
    );
    // The quota's wait is over at 120 s: delivered. The third failure is the last attempt.
    clock.advance(StdDuration::from_secs(115));
    let report = drain(&w).await;
    assert_eq!((report.delivered, report.dead), (1, 1), "{report:?}");
    let rows = deliveries(&w).await;
    let failing = of(&rows, "InternalServerError");
    assert_eq!((failing.state, failing.attempts), (DeliveryState::Dead, 3));
    assert!(failing.finished_at.is_some());
    assert_eq!(received(&peer, "fcm-quota").len(), quota_before + 1);
    // Calls after the scripts: 6 first attempts, one retry at 10 s, then quota and the last.
    assert_eq!(peer.calls().len() - before, 6 + 1 + 2);
    clock.advance(StdDuration::from_secs(3600));
    assert_eq!(
        drain(&w).await,
        Default::default(),
        "a dead letter stays dead"
    );
}

async fn a_worker_that_dies_mid_batch_loses_nothing(backend: Backend) {
    let (w, peer, _smtp, clock) = world(backend, |c| {
        c.notifications.lease_secs = 60;
        c.notifications.batch_size = 7;
        c.notifications.email = false;
    })
    .await;
    let staff = w.ids[&Staff];
    ok(register(&w, &w.tokens[&Staff], PushPlatform::Fcm, FCM_TOKEN).await).await;
    drain(&w).await;
    let n = &w.app.state.notifications;
    for i in 0..10 {
        outbox::emit(&w.app.state.db, clock.now(), event(staff, i))
            .await
            .unwrap();
    }
    // A worker claims a batch and dies before sending any of it.
    let dead_worker = Uuid::new_v4();
    let lost = n.claim(dead_worker).await.unwrap();
    assert_eq!(lost.len(), 7);
    // Two workers drain the rest at once; neither touches the dead worker's claim.
    let (a, b) = tokio::join!(n.drain(), n.drain());
    let (a, b) = (a.unwrap(), b.unwrap());
    // Ten events, each to the stream, the phone and email (switched off: dropped).
    let outcomes = |r: abdi_server::notifications::DrainReport| r.delivered + r.dropped;
    assert_eq!(outcomes(a) + outcomes(b), 30 - 7, "{a:?} {b:?}");
    assert_eq!(a.retried + b.retried + a.lost_lease + b.lost_lease, 0);
    // The lease ends: another worker sends what the dead one held.
    clock.advance(StdDuration::from_secs(61));
    assert_eq!(outcomes(drain(&w).await), 7);
    // The dead worker comes back and reports: its claim is no longer its own.
    let late = outbox::finish(
        &w.app.state.db,
        &lost[0],
        dead_worker,
        clock.now(),
        &outbox::Attempt::Delivered,
        &outbox::Backoff {
            base: StdDuration::from_secs(1),
            max: StdDuration::from_secs(1),
            max_attempts: 3,
        },
    )
    .await
    .unwrap();
    assert_eq!(late, None);
    // Every message exactly once on the phone.
    let mut got = received(&peer, FCM_TOKEN);
    assert_eq!(got.len(), 11, "the new-device message and ten");
    got.sort();
    got.dedup();
    assert_eq!(got.len(), 11, "no message twice");
    assert!(
        deliveries(&w)
            .await
            .iter()
            .all(|d| d.state == DeliveryState::Delivered || d.channel == "email")
    );
}

/// Reads `count` events from an event stream (10 s at most).
async fn events(
    stream: &mut (impl futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
    buffer: &mut String,
    count: usize,
) -> Vec<(i64, Value)> {
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + StdDuration::from_secs(10);
    while out.len() < count {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut id = None;
            let mut data = None;
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id:") {
                    id = v.trim().parse().ok();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data = serde_json::from_str(v.trim()).ok();
                }
            }
            if let (Some(id), Some(data)) = (id, data) {
                out.push((id, data));
            }
        }
        if out.len() >= count {
            break;
        }
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .unwrap_or_else(|_| panic!("only {} of {count} events arrived: {out:?}", out.len()))
            .expect("the stream ended")
            .unwrap();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
    out
}

async fn open_stream(
    app: &abdi_tests::TestApp,
    token: &str,
    last: Option<i64>,
) -> reqwest::Response {
    let mut req = app
        .client
        .get(app.url("/api/v1/notifications/stream"))
        .bearer_auth(token);
    if let Some(last) = last {
        req = req.header("last-event-id", last.to_string());
    }
    let r = req.send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    r
}

async fn the_event_stream_reaches_another_instance_and_resumes(backend: Backend) {
    let (w, _peer, _smtp, _clock) = world(backend, |c| c.notifications.email = false).await;
    // With Redis the client listens on a second instance; the in-process store has one.
    let second = match backend {
        Backend::Postgres => Some(w.app.second_instance().await),
        Backend::Sqlite => None,
    };
    let listener = second.as_ref().unwrap_or(&w.app);
    let staff = w.tokens[&Staff].clone();
    let mut stream = open_stream(listener, &staff, None).await.bytes_stream();
    let mut buffer = String::new();

    // A real change on the first instance: the employee submits, the fasilitator verifies.
    let v = created(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-07-13", "2026-07-15"),
    )
    .await;
    let rid = v["id"].as_str().unwrap().to_owned();
    verify(&w, &rid, version(&v)).await;
    drain(&w).await;
    let got = events(&mut stream, &mut buffer, 2).await;
    assert_eq!(got[0].1["status"], "submitted");
    assert_eq!(got[1].1["status"], "in_review");
    assert_eq!(got[1].1["request_id"], rid.as_str());
    assert!(got[0].0 < got[1].0);
    drop(stream);

    // Offline: two more notifications; reconnecting with Last-Event-ID gets exactly those.
    let last = got[1].0;
    for i in 0..2 {
        outbox::emit(
            &w.app.state.db,
            w.app.state.clock.now(),
            event(w.ids[&Staff], i),
        )
        .await
        .unwrap();
    }
    drain(&w).await;
    let mut stream = open_stream(listener, &staff, Some(last))
        .await
        .bytes_stream();
    let mut buffer = String::new();
    let replay = events(&mut stream, &mut buffer, 2).await;
    assert_eq!(replay[0].1["title"]["id"], "Uji 0");
    assert_eq!(replay[1].1["title"]["id"], "Uji 1");
    assert!(replay[0].0 > last);
    // ... and then live ones again.
    outbox::emit(
        &w.app.state.db,
        w.app.state.clock.now(),
        event(w.ids[&Staff], 2),
    )
    .await
    .unwrap();
    drain(&w).await;
    assert_eq!(
        events(&mut stream, &mut buffer, 1).await[0].1["title"]["id"],
        "Uji 2"
    );

    // Someone else's events never reach this stream; a bad Last-Event-ID is refused.
    let r = w
        .app
        .client
        .get(w.app.url("/api/v1/notifications/stream"))
        .bearer_auth(&staff)
        .header("last-event-id", "yesterday")
        .send()
        .await
        .unwrap();
    problem(r, 400, "invalid_header").await;
    let mut other = open_stream(listener, &w.tokens[&Supervisor], None)
        .await
        .bytes_stream();
    outbox::emit(
        &w.app.state.db,
        w.app.state.clock.now(),
        event(w.ids[&Staff], 3),
    )
    .await
    .unwrap();
    outbox::emit(
        &w.app.state.db,
        w.app.state.clock.now(),
        event(w.ids[&Supervisor], 4),
    )
    .await
    .unwrap();
    drain(&w).await;
    let mut b2 = String::new();
    let theirs = events(&mut other, &mut b2, 1).await;
    assert_eq!(theirs[0].1["title"]["id"], "Uji 4");
    assert_eq!(
        events(&mut stream, &mut buffer, 1).await[0].1["title"]["id"],
        "Uji 3"
    );
}

async fn devices_follow_sessions_and_preferences_spare_security(backend: Backend) {
    let (w, peer, smtp, _clock) = world(backend, |_| {}).await;
    let staff = w.ids[&Staff];
    let first = w.app.session(staff).await;
    let d1 = ok(register(&w, &first, PushPlatform::Fcm, "token-a").await).await;
    // The same session registers a new token: replaced, not added, and no new alert.
    let d2 = ok(register(&w, &first, PushPlatform::Fcm, "token-b").await).await;
    assert_eq!(d1["id"], d2["id"]);
    let list = get_as(&w, &first, "/api/v1/devices").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    // The phone logs in again: the token moves to the new session, without a new alert.
    let again = w.app.session(staff).await;
    let moved = ok(register(&w, &again, PushPlatform::Fcm, "token-b").await).await;
    let list = get_as(&w, &again, "/api/v1/devices").await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["session_id"], moved["session_id"]);
    assert_eq!(list[0]["current"], true);
    let alerts = |inbox: &Value| {
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "new_device")
            .count()
    };
    assert_eq!(
        alerts(&get_as(&w, &again, "/api/v1/notifications").await),
        1
    );
    // Someone else logs in on that phone: the token leaves Staff's account.
    ok(register(&w, &w.tokens[&Supervisor], PushPlatform::Fcm, "token-b").await).await;
    assert!(
        get_as(&w, &again, "/api/v1/devices")
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        get_as(&w, &w.tokens[&Supervisor], "/api/v1/devices")
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Revoking a session removes its device; so does logging out, and removing it directly.
    let s1 = w.app.session(staff).await;
    let r1 = ok(register(&w, &s1, PushPlatform::Apns, &apns_token(9)).await).await;
    let s2 = w.app.session(staff).await;
    ok(register(&w, &s2, PushPlatform::Fcm, "token-c").await).await;
    let s3 = w.app.session(staff).await;
    ok(register(&w, &s3, PushPlatform::Fcm, "token-d").await).await;
    let path = format!("/api/v1/me/sessions/{}", r1["session_id"].as_str().unwrap());
    let r = call(&w.app, Method::DELETE, &path, Some(&s2)).await;
    assert_eq!(r.status(), 204);
    let r = call(&w.app, Method::POST, "/api/v1/auth/logout", Some(&s2)).await;
    assert_eq!(r.status(), 204);
    let r = call(&w.app, Method::DELETE, "/api/v1/devices/current", Some(&s3)).await;
    assert_eq!(r.status(), 204);
    assert!(
        get_as(&w, &s3, "/api/v1/devices")
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Bad registrations get clear errors.
    for (platform, token, version) in [
        (PushPlatform::Fcm, "", "1.0"),
        (PushPlatform::Fcm, "has space", "1.0"),
        (PushPlatform::Apns, "not-hex", "1.0"),
        (PushPlatform::Fcm, "token-e", ""),
    ] {
        let bad = DeviceRegistration {
            platform,
            token: token.into(),
            app_version: version.into(),
        };
        let r = call_with(
            &w.app,
            Method::PUT,
            "/api/v1/devices/current",
            Some(&s3),
            &bad,
        )
        .await;
        problem(r, 400, "invalid_body").await;
    }
    // Deliberately raw: a platform the typed registration has no name for.
    let blackberry =
        json!({ "platform": "blackberry", "token": "token-e", "app_version": "1.4.2" });
    let r = call_with(
        &w.app,
        Method::PUT,
        "/api/v1/devices/current",
        Some(&s3),
        &blackberry,
    )
    .await;
    problem(r, 400, "invalid_body").await;

    // Preferences: push and email off for request news.
    let prefs: Preferences = ok_as(
        call(
            &w.app,
            Method::GET,
            "/api/v1/notification-preferences",
            Some(&s3),
        )
        .await,
    )
    .await;
    assert_eq!(
        prefs,
        Preferences {
            push: true,
            email: true
        }
    );
    let off = Preferences {
        push: false,
        email: false,
    };
    let r = call_with(
        &w.app,
        Method::PUT,
        "/api/v1/notification-preferences",
        Some(&s3),
        &off,
    )
    .await;
    assert_eq!(ok_as::<Preferences>(r).await, off);
    ok(register(&w, &s3, PushPlatform::Fcm, "token-f").await).await;
    drain(&w).await;
    let calls_before = peer.delivered_to("token-f").len();
    // Staff's mail only: the officials the request waits for are told by email too.
    let staff_email = employee_email(&w, Staff).await;
    let staff_mails = || {
        smtp.messages()
            .into_iter()
            .filter(|m| m.to.contains(&staff_email))
            .collect::<Vec<_>>()
    };
    let mails_before = staff_mails().len();
    let v = created(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-07-13", "2026-07-15"),
    )
    .await;
    verify(&w, v["id"].as_str().unwrap(), version(&v)).await;
    drain(&w).await;
    assert_eq!(
        peer.delivered_to("token-f").len(),
        calls_before,
        "request news stays off push"
    );
    assert_eq!(staff_mails().len(), mails_before, "and off email");
    // A new passkey or device is announced anyway.
    let s4 = w.app.session(staff).await;
    ok(register(&w, &s4, PushPlatform::Fcm, "token-g").await).await;
    drain(&w).await;
    assert_eq!(peer.delivered_to("token-f").len(), calls_before + 1);
    assert_eq!(staff_mails().len(), mails_before + 1);
    assert!(
        staff_mails()
            .last()
            .unwrap()
            .subject
            .contains("Perangkat baru / New device")
    );
}

/// A session holds only a few event streams at once, counted across instances: past that,
/// 429 with Retry-After; a stream that closes gives its place back.
async fn a_session_holds_only_a_few_event_streams(backend: Backend) {
    let (w, _peer, _smtp, _clock) = world(backend, |c| {
        c.notifications.email = false;
        c.notifications.streams_per_session = 2;
    })
    .await;
    let second = match backend {
        Backend::Postgres => Some(w.app.second_instance().await),
        Backend::Sqlite => None,
    };
    let other = second.as_ref().unwrap_or(&w.app);
    let staff = w.tokens[&Staff].clone();
    let first = open_stream(&w.app, &staff, None).await;
    let kept = open_stream(other, &staff, None).await;
    let over = || async {
        w.app
            .client
            .get(other.url("/api/v1/notifications/stream"))
            .bearer_auth(&staff)
            .send()
            .await
            .unwrap()
    };
    let r = over().await;
    assert!(r.headers().contains_key("retry-after"));
    problem(r, 429, "rate_limited").await;
    // Another session of someone else is not affected.
    drop(open_stream(&w.app, &w.tokens[&Supervisor], None).await);
    // Closing one stream frees its place (once the server sees the connection go).
    drop(first);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let r = over().await;
        if r.status() == 200 {
            break;
        }
        assert_eq!(r.status(), 429);
        assert!(
            std::time::Instant::now() < deadline,
            "the closed stream kept its place"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    drop(kept);
}

/// Whoever must act on the step that became active hears of it, on every channel their
/// preferences allow: the fasilitator of the employee's unit (not another unit's), the atasan
/// and each Plt/Plh of the atasan's post inside their window (not one whose window ended or has
/// not begun), then the head who decides; nobody once the request is decided, and never the
/// requester.
async fn the_next_actor_is_told(backend: Backend) {
    let (w, peer, smtp, _clock) = world(backend, |_| {}).await;
    let fasilitator_phone = "fcm-fasilitator:APA91bH-y";
    ok(register(
        &w,
        &w.tokens[&Fasilitator],
        PushPlatform::Fcm,
        fasilitator_phone,
    )
    .await)
    .await;
    let v = created(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-07-13", "2026-07-15"),
    )
    .await;
    let id = v["id"].as_str().unwrap().to_owned();
    let sorted = |who: &[Who]| {
        let mut ids: Vec<Uuid> = who.iter().map(|x| w.ids[x]).collect();
        ids.sort_unstable();
        ids
    };
    let (first, seen) = told(&w, &id, 0).await;
    assert_eq!(first, sorted(&[Fasilitator]));

    // On every channel: the inbox, push to the fasilitator's phone, email, in both languages.
    drain(&w).await;
    let inbox = get_as(&w, &w.tokens[&Fasilitator], "/api/v1/notifications").await;
    let notice = &inbox["items"][0];
    assert_eq!(notice["kind"], "action_required", "{inbox}");
    assert_eq!(notice["request_id"], id.as_str());
    assert_eq!(notice["status"], "submitted");
    assert_eq!(notice["title"]["id"], "Cuti Tahunan: menunggu verifikasi");
    assert_eq!(notice["title"]["en"], "Annual leave: awaits verification");
    let staff_name = get_as(&w, &w.tokens[&Staff], "/api/v1/me").await["name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        notice["body"]["id"].as_str().unwrap().contains(&staff_name),
        "{notice}"
    );
    // (The phone also heard of itself: a new device is announced.)
    let pushed: Vec<_> = peer
        .delivered_to(fasilitator_phone)
        .into_iter()
        .filter(|m| m["message"]["data"]["abdi_kind"] == "action_required")
        .collect();
    assert_eq!(pushed.len(), 1, "{pushed:?}");
    assert_eq!(
        pushed[0]["message"]["notification"]["title"], "Cuti Tahunan: menunggu verifikasi",
        "{pushed:?}"
    );
    let fasilitator_email = employee_email(&w, Fasilitator).await;
    let mails: Vec<_> = smtp
        .messages()
        .into_iter()
        .filter(|m| m.to.contains(&fasilitator_email) && !m.subject.contains("New device"))
        .collect();
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert!(mails[0].subject.contains("menunggu verifikasi"));
    assert!(mails[0].subject.contains("awaits verification"));

    let v = verify(&w, &id, version(&v)).await;
    let (next, seen) = told(&w, &id, seen).await;
    assert_eq!(next, sorted(&[Supervisor, ActingNow, ActingEndsToday]));

    step_up(&w, ActingNow).await;
    let v = ok(decide(&w, ActingNow, &id, &approval(&v)).await).await;
    let (next, seen) = told(&w, &id, seen).await;
    assert_eq!(next, sorted(&[Head]));
    let head_inbox = get_as(&w, &w.tokens[&Head], "/api/v1/notifications").await;
    assert_eq!(
        head_inbox["items"][0]["title"]["en"], "Annual leave: awaits your decision",
        "{head_inbox}"
    );

    step_up(&w, Head).await;
    let v = ok(decide(&w, Head, &id, &approval(&v)).await).await;
    assert_eq!(v["status"], "decided");
    assert!(told(&w, &id, seen).await.0.is_empty());
    let staff_kinds: Vec<Value> =
        get_as(&w, &w.tokens[&Staff], "/api/v1/notifications").await["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["kind"].clone())
            .collect();
    assert!(
        staff_kinds.iter().all(|k| k == "request_status"),
        "the requester hears news, never a task: {staff_kinds:?}"
    );
}

async fn employee_email(w: &World, who: Who) -> String {
    abdi_server::masterdata::entity::employee::Entity::find_by_id(w.ids[&who])
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap()
        .email
        .unwrap()
}

both_backends!(
    the_next_actor_is_told,
    status_changes_reach_every_channel_once,
    invalid_tokens_are_pruned_and_failures_retried_then_dead_lettered,
    a_worker_that_dies_mid_batch_loses_nothing,
    the_event_stream_reaches_another_instance_and_resumes,
    devices_follow_sessions_and_preferences_spare_security,
    a_session_holds_only_a_few_event_streams,
);
