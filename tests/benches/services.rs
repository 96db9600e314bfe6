//! The services benchmark (run by `bench/services`, not by the tests), on a database seeded at
//! national scale (`abdi-server seed --employees 1000000 --requests 3000000`):
//! - the decider's inbox: pages of 20 for the officials with the fullest inboxes, first pages
//!   and pages further in (following `next`), p50/p99 per page;
//! - submissions: annual-leave requests from many employees at once, each with its idempotency
//!   key, requests/s and p50/p99.
//!
//! The server runs in this process (release build, PostgreSQL + Redis); the clients too.

// Tests and benches measure real time: the injected-clock rule is for the product's code.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use abdi_server::config::{Config, SecretUrl, SessionBackend};
use abdi_tests::api::new_request;
use abdi_tests::forms::annual;
use abdi_tests::stats::report;
use abdi_tests::{TestApp, postgres_url, redis_url};
use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
use serde_json::Value;
use uuid::Uuid;

const INBOX_CLIENTS: usize = 8;
const INBOX_SECONDS: u64 = 15;
const SUBMIT_CLIENTS: usize = 16;
const SUBMIT_SECONDS: u64 = 15;

#[derive(FromQueryResult)]
struct Decider {
    employee_id: Uuid,
    waiting: i64,
}

#[derive(FromQueryResult)]
struct Person {
    id: Uuid,
}

#[tokio::main]
async fn main() {
    let pg = postgres_url();
    let database =
        std::env::var("ABDI_BENCH_DATABASE").unwrap_or_else(|_| "abdi_bench_services".into());
    let mut config = Config::default();
    config.server.listen = ([127, 0, 0, 1], 0).into();
    // PostgreSQL on this host: no TLS, as the README advises (with it, TLS took a quarter of
    // PostgreSQL's CPU in an inbox page, `bench/hot-paths` found the same for submissions).
    config.database.url = SecretUrl::new(format!("{pg}/{database}?sslmode=disable"));
    config.database.max_connections = 16;
    config.sessions.backend = SessionBackend::Redis;
    config.sessions.redis_url = SecretUrl::new(redis_url());
    let prefix = format!("abdi-bench:{}:", Uuid::new_v4().simple());
    config.sessions.key_prefix = prefix.clone();
    config.storage.path = std::env::temp_dir().join("abdi-bench-objects");
    config.log.level = "error".into();
    let app = TestApp::on(config).await;
    let bench_started = Instant::now();
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let counts: Vec<(String, i64)> = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT 'employees', count(*) FROM employees UNION ALL \
             SELECT 'requests', count(*) FROM service_requests UNION ALL \
             SELECT 'active steps', count(*) FROM request_steps WHERE status = 'active'",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.try_get_by_index(0).unwrap(),
                r.try_get_by_index(1).unwrap(),
            )
        })
        .collect();
    println!("data: {counts:?}");

    // 1. The inbox of the officials with the most waiting.
    let deciders = Decider::find_by_statement(Statement::from_string(
        backend,
        "SELECT e.id AS employee_id, s.waiting FROM \
         (SELECT position_id, count(*) AS waiting FROM request_steps \
          WHERE status = 'active' AND position_id IS NOT NULL GROUP BY position_id \
          ORDER BY count(*) DESC LIMIT 40) s \
         JOIN employees e ON e.position_id = s.position_id ORDER BY s.waiting DESC",
    ))
    .all(db)
    .await
    .unwrap();
    println!(
        "deciders: {}, waiting for the fullest: {}",
        deciders.len(),
        deciders.first().map_or(0, |d| d.waiting)
    );
    let mut tokens = Vec::new();
    for d in &deciders {
        tokens.push(app.session(d.employee_id).await);
    }
    let client = reqwest::Client::new();
    // Warm up: one page each.
    for t in &tokens {
        let r = client
            .get(app.url("/api/v1/inbox?limit=20"))
            .bearer_auth(t)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs(INBOX_SECONDS);
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..INBOX_CLIENTS {
        let tokens = tokens.clone();
        let base = app.base.clone();
        let client = client.clone();
        tasks.spawn(async move {
            let (mut first, mut deeper) = (Vec::new(), Vec::new());
            let mut i = c;
            while Instant::now() < deadline {
                let token = &tokens[i % tokens.len()];
                i += INBOX_CLIENTS;
                // A first page, then up to four more following `next`.
                let mut next: Option<String> = None;
                for page in 0..5 {
                    let url = match &next {
                        Some(n) => format!("{base}/api/v1/inbox?limit=20&after={n}"),
                        None => format!("{base}/api/v1/inbox?limit=20"),
                    };
                    let t = Instant::now();
                    let r = client.get(url).bearer_auth(token).send().await.unwrap();
                    assert_eq!(r.status(), 200);
                    let body: Value = r.json().await.unwrap();
                    let took = t.elapsed();
                    if page == 0 {
                        first.push(took)
                    } else {
                        deeper.push(took)
                    }
                    next = body["next"].as_str().map(str::to_owned);
                    if next.is_none() {
                        break;
                    }
                }
            }
            (first, deeper)
        });
    }
    let (mut first, mut deeper) = (Vec::new(), Vec::new());
    while let Some(r) = tasks.join_next().await {
        let (f, d) = r.unwrap();
        first.extend(f);
        deeper.extend(d);
    }
    let elapsed = started.elapsed();
    report("inbox first pages", first.clone(), elapsed);
    report("inbox later pages", deeper.clone(), elapsed);
    let mut all = first;
    all.extend(deeper);
    report("inbox all pages", all, elapsed);

    // 2. Submissions: many employees send annual leave at once.
    let people = Person::find_by_statement(Statement::from_string(
        backend,
        "SELECT id FROM employees WHERE employment_type = 'pns' AND position_id IS NOT NULL \
         ORDER BY md5(id::text) LIMIT 4000",
    ))
    .all(db)
    .await
    .unwrap();
    let mut submitters = Vec::new();
    for p in &people {
        submitters.push(app.session(p.id).await);
    }
    let weeks = [
        ("2026-12-07", "2026-12-08"),
        ("2026-12-14", "2026-12-15"),
        ("2026-12-16", "2026-12-17"),
    ];
    let started = Instant::now();
    let deadline = started + Duration::from_secs(SUBMIT_SECONDS);
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..SUBMIT_CLIENTS {
        let submitters = submitters.clone();
        let base = app.base.clone();
        let client = client.clone();
        tasks.spawn(async move {
            let mut times = Vec::new();
            let (mut created, mut refused) = (0u64, 0u64);
            let mut i = c;
            while Instant::now() < deadline && i < submitters.len() * weeks.len() {
                let token = &submitters[i % submitters.len()];
                let (start, end) = weeks[(i / submitters.len()) % weeks.len()];
                i += SUBMIT_CLIENTS;
                let body = new_request("cuti_tahunan", annual(start, end));
                let t = Instant::now();
                let r = client
                    .post(format!("{base}/api/v1/requests"))
                    .bearer_auth(token)
                    .header("idempotency-key", Uuid::new_v4().to_string())
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                let _ = r.bytes().await;
                times.push(t.elapsed());
                match status {
                    201 => created += 1,
                    422 => refused += 1,
                    s => panic!("submission answered {s}"),
                }
            }
            (times, created, refused)
        });
    }
    let (mut times, mut created, mut refused) = (Vec::new(), 0, 0);
    while let Some(r) = tasks.join_next().await {
        let (t, c, f) = r.unwrap();
        times.extend(t);
        created += c;
        refused += f;
    }
    let elapsed = started.elapsed();
    println!("submissions: {created} created, {refused} refused by the rules (overlap or balance)");
    report("submissions", times, elapsed);

    // Leave the seeded data as it was, so the next run measures the same thing.
    let since = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        - chrono::Duration::from_std(bench_started.elapsed()).unwrap();
    for table in ["service_requests", "idempotency_keys"] {
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            format!("DELETE FROM {table} WHERE created_at >= $1"),
            [since.into()],
        ))
        .await
        .unwrap();
    }
    // And the sessions and counters this run put in Redis.
    abdi_tests::forget_redis_keys(&format!("{prefix}*")).await;
}
