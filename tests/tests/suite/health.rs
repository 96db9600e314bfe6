use std::time::{Duration, Instant};

use abdi_tests::proxy::Proxy;
use abdi_tests::redis_server::RedisServer;
use abdi_tests::{Backend, TestApp, both_backends};
use serde_json::Value;

async fn live_and_ready(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let live: Value = app.get("/health/live").await.json().await.unwrap();
    assert_eq!(live["status"], "live");
    let ready = app.get("/health/ready").await;
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"]["status"], "ok");
    assert_eq!(body["session_store"]["status"], "ok");
}

both_backends!(live_and_ready);

/// Readiness names the session store when Redis dies, and the app recovers by itself, without
/// a restart, once Redis is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restart_is_reported_then_recovered_without_restarting_the_app() {
    let mut redis = RedisServer::start();
    let url = redis.url();
    let app = TestApp::spawn_with(Backend::Postgres, |c| {
        c.sessions.redis_url = abdi_server::config::SecretUrl::new(url);
        c.sessions.redis_timeout_ms = 500;
    })
    .await;
    let store = &app.state.sessions;
    store
        .put("k", b"before", Duration::from_secs(60))
        .await
        .unwrap();

    redis.kill();
    let down = app.get("/health/ready").await;
    assert_eq!(down.status(), 503);
    let body: Value = down.json().await.unwrap();
    assert_eq!(body["status"], "not_ready");
    assert_eq!(body["database"]["status"], "ok");
    assert_eq!(body["session_store"]["status"], "failed");
    // The public answer says what failed, never what the driver said (addresses, ports).
    let error = body["session_store"]["error"].as_str().unwrap();
    assert!(["unavailable", "timeout"].contains(&error), "{body}");
    assert!(!body.to_string().contains("127.0.0.1"), "{body}");
    let unavailable = store.get("k").await;
    assert!(
        unavailable.is_err(),
        "a dead Redis must fail, not hang or invent data"
    );

    redis.restart();
    let took = ready_within(&app, Duration::from_secs(10))
        .await
        .expect("the app did not recover within 10 s of Redis coming back");
    eprintln!("recovered {took:?} after Redis came back");
    // Redis kept nothing (no persistence): the old value is gone, new writes work.
    assert_eq!(store.get("k").await.unwrap(), None);
    store
        .put("k", b"after", Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        store.get("k").await.unwrap().as_deref(),
        Some(&b"after"[..])
    );
}

/// Waits until `/health/ready` answers 200; returns how long that took.
async fn ready_within(app: &TestApp, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if app.get("/health/ready").await.status() == 200 {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

/// Redis vanishes without closing the connection (a failover, a network that drops packets):
/// commands time out, the store throws the connection away, and the next one reaches the new
/// Redis. Without that, every command would time out until the kernel gave up on the socket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_redis_outage_heals_by_reconnecting() {
    let first = RedisServer::start();
    let proxy = Proxy::start(first.port).await;
    let url = proxy.url();
    let app = TestApp::spawn_with(Backend::Postgres, |c| {
        c.sessions.redis_url = abdi_server::config::SecretUrl::new(url);
        c.sessions.redis_timeout_ms = 300;
    })
    .await;
    let store = &app.state.sessions;
    store.put("k", b"v", Duration::from_secs(60)).await.unwrap();

    let second = RedisServer::start();
    proxy.retarget(second.port);
    proxy.blackhole_open_connections();
    assert!(
        store.get("k").await.is_err(),
        "a silent Redis must time out, not hang"
    );
    let took = ready_within(&app, Duration::from_secs(10))
        .await
        .expect("still not ready 10 s after a new Redis became reachable");
    eprintln!("recovered {took:?} after the silent outage was detected");
    store
        .put("k", b"new", Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(store.get("k").await.unwrap().as_deref(), Some(&b"new"[..]));
}

/// SIGTERM-style shutdown lets a request already being served finish: a readiness probe
/// stuck on a frozen Redis still gets its answer after shutdown began.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_in_flight_requests_finish() {
    let redis = RedisServer::start();
    let url = redis.url();
    let mut app = TestApp::spawn_with(Backend::Postgres, |c| {
        c.sessions.redis_url = abdi_server::config::SecretUrl::new(url);
        c.sessions.redis_timeout_ms = 1_500;
    })
    .await;
    redis.freeze();
    let in_flight = tokio::spawn(app.client.get(app.url("/health/ready")).send());
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.begin_shutdown();
    let response = in_flight
        .await
        .unwrap()
        .expect("the in-flight request was cut off");
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["session_store"]["status"], "failed");
    app.stopped().await.unwrap();
    assert!(
        app.client
            .get(app.url("/health/live"))
            .send()
            .await
            .is_err(),
        "the server still accepts connections after shutdown"
    );
    redis.thaw();
}

/// Instances that start together on a fresh database take turns migrating and loading the
/// calendar: both start, and the calendar is loaded once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_both_start() {
    use abdi_server::reference::entity::holiday;
    use abdi_server::startup::Application;
    use sea_orm::{EntityTrait, PaginatorTrait};
    let env = abdi_tests::TestEnv::new(Backend::Postgres).await;
    let (a, b) = tokio::join!(
        Application::build(env.config.clone()),
        Application::build(env.config.clone())
    );
    let a = a.unwrap_or_else(|e| panic!("first instance: {e}"));
    b.unwrap_or_else(|e| panic!("second instance: {e}"));
    let days = holiday::Entity::find().count(&a.state().db).await.unwrap();
    assert_eq!(days, 28 + 25);
}

/// A database that is down at start is one clear error, not a panic.
#[tokio::test]
async fn a_database_down_at_start_is_one_clear_error() {
    let mut config = abdi_server::config::Config::default();
    config.database.url =
        abdi_server::config::SecretUrl::new("postgres://abdi:pw@127.0.0.1:1/abdi");
    config.database.connect_timeout_secs = 2;
    let error = match abdi_server::startup::Application::build(config).await {
        Ok(_) => panic!("started without a database"),
        Err(e) => e.to_string(),
    };
    assert!(
        error.starts_with("cannot connect to the database at postgres://abdi:***@127.0.0.1:1/abdi"),
        "{error}"
    );
    assert!(!error.contains("pw@"), "{error}");
    assert!(!error.contains('\n'));
}
