//! PostgreSQL goes away under load: stopped fast (sessions end with 57P01 admin_shutdown),
//! stopped immediately (as in a crash) and kept down past the pool's acquire timeout, and its
//! backends killed from a separate connection. Every failed answer is 503 `unavailable` with
//! Retry-After in the problem format, never a 500; once PostgreSQL is back the same app
//! answers 200 again.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use abdi_server::masterdata::entity::employee;
use abdi_tests::postgres_server::PostgresServer;
use abdi_tests::{Backend, TestApp};
use sea_orm::{ConnectionTrait, Database, DbErr, EntityTrait, RuntimeErr};

/// What one `GET /api/v1/me` got back.
#[derive(Debug)]
struct Answer {
    phase: &'static str,
    status: u16,
    retry_after: Option<String>,
    content_type: String,
    body: serde_json::Value,
}

const PHASES: [&str; 4] = ["warm", "fast restart", "immediate stop", "backends killed"];

async fn me(client: &reqwest::Client, url: &str, token: &str) -> Result<Answer, String> {
    let r = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (status, retry_after) = (r.status().as_u16(), header("retry-after"));
    let content_type = header("content-type").unwrap_or_default();
    let body = r.json().await.unwrap_or(serde_json::Value::Null);
    Ok(Answer {
        phase: "",
        status,
        retry_after,
        content_type,
        body,
    })
}

/// Polls until `/api/v1/me` answers 200 (the app recovered by itself); panics after `limit`.
async fn answers_again(app: &TestApp, token: &str, after: &str) {
    let limit = Duration::from_secs(15);
    let start = Instant::now();
    loop {
        if let Ok(a) = me(&app.client, &app.url("/api/v1/me"), token).await
            && a.status == 200
        {
            eprintln!("{after}: 200 again after {:?}", start.elapsed());
            return;
        }
        assert!(
            start.elapsed() < limit,
            "{after}: no 200 within {limit:?} of PostgreSQL being back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The SQLSTATE of a database error sqlx reported, if it is one.
fn sqlstate(e: &DbErr) -> Option<String> {
    let (DbErr::Exec(RuntimeErr::SqlxError(s))
    | DbErr::Query(RuntimeErr::SqlxError(s))
    | DbErr::Conn(RuntimeErr::SqlxError(s))) = e
    else {
        return None;
    };
    match s.as_ref() {
        sea_orm::sqlx::Error::Database(d) => d.code().map(|c| c.into_owned()),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restart_under_load_is_503_with_retry_after_never_500() {
    let pg = PostgresServer::start();

    // A real 57P01 (admin_shutdown) from the driver, and what the API makes of it.
    let mut options = sea_orm::ConnectOptions::new(pg.url());
    options.max_connections(1).sqlx_logging(false);
    let own = Database::connect(options).await.unwrap();
    let killed = own
        .execute_unprepared("SELECT pg_terminate_backend(pg_backend_pid())")
        .await
        .expect_err("a backend that terminated itself cannot answer");
    assert_eq!(sqlstate(&killed).as_deref(), Some("57P01"), "{killed:?}");
    assert!(abdi_server::store::db::is_unavailable(&killed));
    let answer = abdi_server::store::db::problem(&killed);
    assert_eq!(answer.code, abdi_proto::ErrorCode::Unavailable);
    assert!(answer.retry_after.is_some_and(|s| s >= 1));
    let response = axum::response::IntoResponse::into_response(abdi_server::error::ApiError::from(
        abdi_server::identity::IdentityError::Database(killed),
    ));
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    own.close().await.ok();

    let url = pg.url();
    let app = TestApp::spawn_with(Backend::Postgres, move |c| {
        c.database.url = abdi_server::config::SecretUrl::new(url);
        c.database.connect_timeout_secs = 1;
        c.database.max_connections = 8;
    })
    .await;
    abdi_tests::world::seed(&app, 20, 11, "").await;
    let someone = employee::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let token = app.session(someone.id).await;
    answers_again(&app, &token, "before").await;

    // Steady load: 8 clients asking for their profile in a loop, each answer kept.
    let stop = Arc::new(AtomicBool::new(false));
    let phase = Arc::new(AtomicUsize::new(0));
    let mut load = Vec::new();
    for _ in 0..8 {
        let (client, url, token) = (app.client.clone(), app.url("/api/v1/me"), token.clone());
        let (stop, phase) = (stop.clone(), phase.clone());
        load.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            let mut failures = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let now = PHASES[phase.load(Ordering::Relaxed)];
                match me(&client, &url, &token).await {
                    Ok(a) => answers.push(Answer { phase: now, ..a }),
                    Err(e) => failures.push(format!("{now}: {e}")),
                }
            }
            (answers, failures)
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    // (a) A fast restart: in-flight queries get 57P01, the pool reconnects.
    phase.store(1, Ordering::Relaxed);
    tokio::task::block_in_place(|| {
        pg.stop("fast");
        pg.start_again();
    });
    answers_again(&app, &token, "fast restart").await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    // (b) An immediate stop, down longer than the pool waits for a connection.
    phase.store(2, Ordering::Relaxed);
    tokio::task::block_in_place(|| pg.stop("immediate"));
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    tokio::task::block_in_place(|| pg.start_again());
    answers_again(&app, &token, "immediate stop").await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    // (c) The app's backends killed from a separate connection, a few times.
    phase.store(3, Ordering::Relaxed);
    let admin = Database::connect(pg.url()).await.unwrap();
    for _ in 0..3 {
        admin
            .execute_unprepared(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
            )
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    answers_again(&app, &token, "backends killed").await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    stop.store(true, Ordering::Relaxed);
    let mut answers = Vec::new();
    let mut failures = Vec::new();
    for task in load {
        let (a, f) = task.await.unwrap();
        answers.extend(a);
        failures.extend(f);
    }

    let mut counts: BTreeMap<(&str, u16), usize> = BTreeMap::new();
    for a in &answers {
        *counts.entry((a.phase, a.status)).or_default() += 1;
    }
    eprintln!("answers by phase and status: {counts:?}");
    assert!(
        failures.is_empty(),
        "the app dropped requests: {failures:?}"
    );
    let wrong: Vec<_> = answers
        .iter()
        .filter(|a| a.status != 200 && a.status != 503)
        .collect();
    assert!(
        wrong.is_empty(),
        "only 200 or 503 may come back: {wrong:#?}"
    );
    let unavailable: Vec<_> = answers.iter().filter(|a| a.status == 503).collect();
    for a in &unavailable {
        assert!(
            a.retry_after
                .as_deref()
                .and_then(|s| s.parse::<u64>().ok())
                .is_some_and(|s| s >= 1),
            "a 503 without Retry-After: {a:#?}"
        );
        assert_eq!(a.content_type, "application/problem+json", "{a:#?}");
        assert_eq!(a.body["code"], "unavailable", "{a:#?}");
        assert_eq!(a.body["status"], 503, "{a:#?}");
        assert!(
            !a.body["detail"].as_str().unwrap_or_default().is_empty(),
            "{a:#?}"
        );
    }
    // The immediate stop outlasted the pool's acquire timeout: some answers had to fail.
    assert!(
        counts.get(&("immediate stop", 503)).is_some_and(|n| *n > 0),
        "PostgreSQL was down for 1.5 s and nothing failed: {counts:?}"
    );
    assert!(answers.iter().filter(|a| a.status == 200).count() > 0);

    // Back for good: the same app, not restarted, serves again.
    let last = me(&app.client, &app.url("/api/v1/me"), &token)
        .await
        .unwrap();
    assert_eq!(last.status, 200);
    assert_eq!(last.body["nip"], someone.nip);
}
