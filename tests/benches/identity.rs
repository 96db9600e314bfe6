//! The identity benchmark (run by `bench/identity`, not by the tests): passkey logins per
//! second, session-validated `GET /api/v1/me` against a trivial route in the same run, and Redis
//! memory per session. The server runs in this process (release build, PostgreSQL + Redis); the
//! load tool (wrk) runs on the other core.

// Tests and benches measure real time: the injected-clock rule is for the product's code.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use abdi_tests::passkey::{ORIGIN, login_at, register};
use abdi_tests::world::seed;
use abdi_tests::{Backend, TestApp};
use uuid::Uuid;

const LOGIN_CLIENTS: usize = 8;
const LOGIN_SECONDS: u64 = 10;
const SESSIONS_FOR_MEMORY: usize = 10_000;

fn redis_used_memory() -> u64 {
    let client = redis::Client::open(abdi_tests::redis_url()).unwrap();
    let mut c = client.get_connection().unwrap();
    let info: String = redis::cmd("INFO").arg("memory").query(&mut c).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// wrk on core 1 against `path` for 10 s, 32 connections; (requests/s, p50, p99). Any
/// answer but a success fails the bench.
fn wrk(base: &str, path: &str, script: Option<&str>) -> (f64, String, String) {
    let run = abdi_tests::stats::wrk(
        &format!("{base}{path}"),
        32,
        10,
        script.map(std::path::Path::new),
    );
    assert_eq!(run.non_2xx, 0, "errors under load");
    (run.rate, run.p50, run.p99)
}

#[tokio::main]
async fn main() {
    let app = TestApp::spawn_with(Backend::Postgres, |c| {
        c.identity.login_per_ip = u64::MAX;
        c.identity.login_per_account = u64::MAX;
        c.log.level = "error".into();
        c.database.max_connections = 16;
    })
    .await;
    seed(&app, 2_000, 1, "").await;
    use sea_orm::{EntityTrait, QuerySelect};
    let employees: Vec<Uuid> = abdi_server::masterdata::entity::employee::Entity::find()
        .select_only()
        .column(abdi_server::masterdata::entity::employee::Column::Id)
        .limit(200)
        .into_tuple()
        .all(&app.state.db)
        .await
        .unwrap();

    // 1. Passkey logins per second: clients log in again and again for a fixed time.
    let mut phones = Vec::new();
    for id in employees.iter().take(LOGIN_CLIENTS) {
        let token = app.session(*id).await;
        let phone = register(&app, &token, "bench", ORIGIN).await;
        phones.push(phone.unwrap_or_else(|r| panic!("registration answered {}", r.status())));
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs(LOGIN_SECONDS);
    let mut tasks = tokio::task::JoinSet::new();
    for mut phone in phones {
        let base = app.base.clone();
        tasks.spawn(async move {
            let client = reqwest::Client::new();
            let mut ok = 0u64;
            while Instant::now() < deadline {
                if login_at(&client, &base, &mut phone, ORIGIN).await.status() == 201 {
                    ok += 1;
                }
            }
            ok
        });
    }
    let mut logins = 0;
    while let Some(n) = tasks.join_next().await {
        logins += n.unwrap();
    }
    let login_rate = logins as f64 / started.elapsed().as_secs_f64();

    // 2. Redis memory per session.
    let before = redis_used_memory();
    for i in 0..SESSIONS_FOR_MEMORY {
        app.session(employees[i % employees.len()]).await;
    }
    let after = redis_used_memory();
    let per_session = (after.saturating_sub(before)) as f64 / SESSIONS_FOR_MEMORY as f64;

    // 3. GET /api/v1/me with a valid session (100 sessions in turn) vs a trivial route.
    let mut tokens = Vec::new();
    for id in employees.iter().take(100) {
        tokens.push(app.session(*id).await);
    }
    let script = std::env::temp_dir().join(format!("abdi-me-{}.lua", std::process::id()));
    let list = tokens
        .iter()
        .map(|t| format!("\"{t}\""))
        .collect::<Vec<_>>()
        .join(",");
    std::fs::write(
        &script,
        format!(
            "local tokens = {{{list}}}\nlocal i = 0\nrequest = function()\n  i = i % #tokens + 1\n  \
             return wrk.format(\"GET\", \"/api/v1/me\", {{[\"Authorization\"] = \"Bearer \" .. tokens[i]}})\nend\n"
        ),
    )
    .unwrap();
    let (live_rate, live_p50, live_p99) = wrk(&app.base, "/health/live", None);
    let (me_rate, me_p50, me_p99) = wrk(&app.base, "/api/v1/me", script.to_str());
    let _ = std::fs::remove_file(&script);

    println!("identity benchmark (server on core 0, wrk -t1 -c32 -d10s on core 1)");
    println!(
        "passkey logins: {logins} in {LOGIN_SECONDS} s by {LOGIN_CLIENTS} clients = {login_rate:.0}/s (SoftPasskey signing in the same process)"
    );
    println!("GET /health/live (no session): {live_rate:.0} req/s, p50 {live_p50}, p99 {live_p99}");
    println!("GET /api/v1/me (session + profile): {me_rate:.0} req/s, p50 {me_p50}, p99 {me_p99}");
    println!("ratio /me to trivial: {:.3}", me_rate / live_rate);
    println!(
        "redis memory: {per_session:.0} bytes per session ({SESSIONS_FOR_MEMORY} sessions, used_memory {before} -> {after})"
    );
}
