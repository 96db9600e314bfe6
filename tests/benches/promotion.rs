//! The promotion benchmark (run by `bench/promotion`, not by the tests), on a database seeded
//! with a province (`abdi-server seed --employees 50000`): the candidate list of a period for
//! every unit, as an administrator asks for it over HTTP (every employee judged, the JSON
//! answer read), against the reference measured in the same run: the same rows read by raw
//! SQL with no judging and no answer (the floor of the I/O).
//!
//! The server runs in this process (release build, PostgreSQL + Redis); the client too.

// Tests and benches measure real time: the injected-clock rule is for the product's code.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use abdi_proto::agency::Role;
use abdi_server::config::{Config, SecretUrl, SessionBackend};
use abdi_tests::stats::{ms, percentile};
use abdi_tests::world::grant_role;
use abdi_tests::{TestApp, postgres_url, redis_url};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;
use uuid::Uuid;

const RUNS: usize = 7;

/// The rows the candidate list reads, by raw SQL: what no implementation can skip.
const REFERENCE: [&str; 7] = [
    "SELECT * FROM employees WHERE active",
    "SELECT id, kind, grade FROM positions",
    "SELECT employee_id, year, rating FROM performance_ratings",
    "SELECT employee_id, level, starts_on, ends_on FROM disciplinary_sanctions",
    "SELECT employee_id, name FROM training_histories",
    "SELECT employee_id, kind FROM archive_documents",
    "SELECT employee_id FROM service_requests WHERE service_code IN ('izin_belajar', 'tugas_belajar') AND outcome = 'disetujui'",
];

#[tokio::main]
async fn main() {
    let pg = postgres_url();
    let database =
        std::env::var("ABDI_BENCH_DATABASE").unwrap_or_else(|_| "abdi_bench_promotion".into());
    let period = std::env::var("ABDI_BENCH_PERIOD").unwrap_or_else(|_| "2026-12-01".into());
    let mut config = Config::default();
    config.server.listen = ([127, 0, 0, 1], 0).into();
    config.database.url = SecretUrl::new(format!("{pg}/{database}"));
    config.database.max_connections = 16;
    config.sessions.backend = SessionBackend::Redis;
    config.sessions.redis_url = SecretUrl::new(redis_url());
    config.sessions.key_prefix = format!("abdi-bench:{}:", Uuid::new_v4().simple());
    config.storage.path = std::env::temp_dir().join("abdi-bench-objects");
    config.log.level = "error".into();
    config.promotion.worker = false;
    let app = TestApp::on(config).await;
    let db = &app.state.db;
    let backend = db.get_database_backend();

    // An administrator's session.
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT id FROM employees ORDER BY nip LIMIT 1",
        ))
        .await
        .unwrap()
        .unwrap();
    let admin: Uuid = row.try_get_by_index(0).unwrap();
    grant_role(db, admin, Role::Administrator, None, chrono::Utc::now()).await;
    let token = app.session(admin).await;

    let mut abdi = Vec::new();
    let mut answer = Value::Null;
    for _ in 0..RUNS {
        let t = Instant::now();
        let r = app
            .client
            .get(app.url(&format!("/api/v1/promotion/candidates?period={period}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        answer = r.json().await.unwrap();
        abdi.push(t.elapsed());
    }
    let mut reference = Vec::new();
    let mut rows = 0usize;
    for _ in 0..RUNS {
        let t = Instant::now();
        rows = 0;
        for sql in REFERENCE {
            rows += db
                .query_all_raw(Statement::from_string(backend, sql))
                .await
                .unwrap()
                .len();
        }
        reference.push(t.elapsed());
    }
    abdi.sort();
    reference.sort();
    let candidates = answer["candidates"].as_array().unwrap();
    let standing = |s: &str| {
        candidates
            .iter()
            .filter(|c| c["candidacy"]["standing"] == s)
            .count()
    };
    println!(
        "judged: {}, due in {period}: {} (ready {}, lacking {}, blocked {}); rows read by the reference: {rows}",
        answer["judged"],
        candidates.len(),
        standing("ready"),
        standing("lacking"),
        standing("blocked"),
    );
    let p50 = |v: &[Duration]| percentile(v, 0.5);
    println!(
        "candidate list (HTTP, all units): p50 {:.0} ms, min {:.0} ms, max {:.0} ms over {RUNS} runs",
        p50(&abdi),
        ms(abdi[0]),
        ms(abdi[RUNS - 1])
    );
    println!(
        "reference (the same rows by raw SQL, nothing judged): p50 {:.0} ms",
        p50(&reference)
    );
    println!(
        "ratio (reference time over Abdi's, 1.0 = the I/O floor): {:.2}",
        p50(&reference) / p50(&abdi)
    );
}
