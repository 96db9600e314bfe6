//! The hot paths against the hand-optimised reference (run by `bench/hot-paths`, not by the
//! tests): the release `abdi-server` and `../shared/bench-baseline`, each its own process on
//! core 0, on the same PostgreSQL database and Redis, measured one right after the other with
//! the same wrk settings on core 1:
//! 1. `GET /health/live` vs `/plain`, at the default log level (info);
//! 2. `GET /api/v1/me` vs `/me`, with valid sessions;
//! 3. a leave submission (`POST /api/v1/requests`, annual leave, its idempotency key, spread
//!    over many employees) vs `/submit`;
//! 4. `GET /health/live` vs `/plain` again with Abdi at log level warn;
//! 5. the data API, `GET /api/data/v1/employees/{nip}` with a registered system's token (the
//!    default scopes: identity and three histories; every call logged), beside `/me`;
//!
//! and, with no counterpart in the baseline, passkey logins per second: the server alone on
//! core 0, the phones' signing (SoftPasskey) in this process on core 1.
//!
//! Usage: `hot_paths SERVER BASELINE` (the two release binaries; the script builds them).
//! It creates its own database and Redis keys and removes them, whatever happens.
//!
//! Each of Abdi's phases also says where the machine's CPU went while it ran (the server,
//! PostgreSQL's backends, Redis; wrk has ended by then and is not counted). With `ABDI_BENCH_PROFILE=DIR`, `perf record` samples the
//! whole machine through each phase (the server, PostgreSQL, Redis and wrk, each its own tower
//! in the flamegraph; call graphs by DWARF unwinding) into `DIR/PHASE.perf.data`, which
//! `bench/hot-paths` draws as flamegraphs; the recording slows the server, so such a run's
//! numbers are not the ones to report. With `ABDI_BENCH_PG_LOG=FILE` (the cluster's log, which
//! PostgreSQL cannot name itself when it logs to stderr: `/var/log/postgresql/...` on Debian),
//! every statement of the first submission is logged for a moment (`log_min_duration_statement
//! = 0`) and printed, with the count per backend.

// Benches measure real time: the injected-clock rule is for the product's code.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use abdi_server::clock::{SharedClock, SystemClock};
use abdi_server::config::{Config, SecretUrl, SessionBackend};
use abdi_server::identity::session::NewSession;
use abdi_server::startup::Application;
use abdi_tests::api::new_request;
use abdi_tests::forms::annual;
use abdi_tests::passkey::{ORIGIN, login_at, register_at};
use abdi_tests::procs::{Deployment, Servers, cores_since, cpu_ticks, settle, until_up};
use abdi_tests::stats::{self, Wrk as Run};
use abdi_tests::{postgres_url, redis_url};
use chrono::{Datelike, Days, Weekday};
use futures_util::StreamExt;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, FromQueryResult, Statement};
use uuid::Uuid;

/// Rows and sessions on each side, as the baseline's README measured.
const ROWS: u32 = 50_000;
/// Sessions `/me` cycles through.
const ME_SESSIONS: usize = 1_000;
const ABDI_PORT: u16 = 18_181;
const BASELINE_PORT: u16 = 19_099;
const SECONDS: u32 = 10;
/// Phones logging in again and again, each with its own passkey.
const LOGIN_CLIENTS: usize = 16;

/// wrk with this bench's duration.
fn wrk(url: &str, connections: u32, script: Option<&Path>) -> Run {
    stats::wrk(url, connections, SECONDS, script)
}

struct Bench {
    server: PathBuf,
    baseline: PathBuf,
    database_url: String,
    redis_prefix: String,
    logs: PathBuf,
}

impl Bench {
    fn abdi(&self, level: &str) -> Child {
        Deployment {
            server: self.server.clone(),
            database_url: self.database_url.clone(),
            redis_prefix: self.redis_prefix.clone(),
            dir: self.logs.clone(),
        }
        .serve(ABDI_PORT, level)
    }

    fn baseline(&self) -> Command {
        let mut cmd = Command::new("taskset");
        cmd.args(["-c", "0"])
            .arg(&self.baseline)
            .env("DATABASE_URL", &self.database_url)
            .env("REDIS_URL", redis_url())
            .env("BIND", format!("127.0.0.1:{BASELINE_PORT}"));
        cmd
    }
}

/// One measured phase of Abdi's: where the CPU went while it ran, and its profile if asked.
struct Phase {
    name: &'static str,
    ticks: BTreeMap<String, u64>,
    started: Instant,
    perf: Option<Child>,
}

impl Phase {
    fn begin(name: &'static str) -> Self {
        let perf = std::env::var_os("ABDI_BENCH_PROFILE").map(|dir| {
            std::fs::create_dir_all(&dir).unwrap();
            Command::new("taskset")
                .args([
                    "-c",
                    "1",
                    "perf",
                    "record",
                    "-F",
                    "249",
                    "-g",
                    "--call-graph",
                ])
                .args(["dwarf,16384", "-a", "-o"])
                .arg(Path::new(&dir).join(format!("{name}.perf.data")))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("perf (linux-perf)")
        });
        Self {
            name,
            ticks: cpu_ticks(),
            started: Instant::now(),
            perf,
        }
    }

    /// Prints the CPU each kind of process used, in cores (CPU seconds per second).
    fn end(mut self) {
        let over = self.started.elapsed();
        if let Some(perf) = &mut self.perf {
            // SIGINT: perf writes its file and stops.
            let _ = Command::new("kill")
                .args(["-INT", &perf.id().to_string()])
                .status();
            let _ = perf.wait();
        }
        let used = |prefix| cores_since(&self.ticks, over, prefix);
        println!(
            "cpu during {}: abdi-server {:.2}, postgres {:.2}, redis {:.2}, this bench {:.2} (cores)",
            self.name,
            used("abdi-server"),
            used("postgres"),
            used("redis-server"),
            used("hot_paths"),
        );
    }
}

/// The statements PostgreSQL runs for a moment, from its log file (`ABDI_BENCH_PG_LOG`).
struct StatementLog {
    file: PathBuf,
    from: u64,
}

impl StatementLog {
    async fn set(db: &DatabaseConnection, sql: &[&str]) {
        for s in sql {
            db.execute_unprepared(s).await.unwrap();
        }
        db.execute_unprepared("SELECT pg_reload_conf()")
            .await
            .unwrap();
        // The backends read the configuration at their next command.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    /// Back to the cluster's own settings (also when the bench fails, from `clean`).
    async fn stop(db: &DatabaseConnection) {
        Self::set(
            db,
            &[
                "ALTER SYSTEM RESET log_min_duration_statement",
                "ALTER SYSTEM RESET log_line_prefix",
            ],
        )
        .await;
    }

    async fn start(db: &DatabaseConnection) -> Option<Self> {
        let file = PathBuf::from(std::env::var_os("ABDI_BENCH_PG_LOG")?);
        Self::set(
            db,
            &[
                "ALTER SYSTEM SET log_min_duration_statement = 0",
                "ALTER SYSTEM SET log_line_prefix = '%m [%p] %d '",
            ],
        )
        .await;
        let from = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        Some(Self { file, from })
    }

    async fn print(self, db: &DatabaseConnection, database_url: &str) {
        // What the submission woke (the outbox's delivery) has its moment too.
        tokio::time::sleep(Duration::from_millis(500)).await;
        Self::stop(db).await;
        let text = std::fs::read(&self.file).unwrap();
        let text = String::from_utf8_lossy(&text[self.from as usize..]);
        let database = database_url.rsplit('/').next().unwrap();
        let database = database.split('?').next().unwrap();
        let mut by_backend: BTreeMap<String, usize> = BTreeMap::new();
        println!("statements of the first submission and what it woke:");
        for line in text.lines() {
            let Some((head, statement)) = line.split_once(" LOG:  duration: ") else {
                continue;
            };
            // A prepared statement is logged at its parse, bind and execute: count the execute.
            let counted = statement.contains("  execute ") || statement.contains("  statement: ");
            if !counted
                || !head.ends_with(&format!(" {database}"))
                || statement.contains("pg_reload_conf")
                || statement.contains("ALTER SYSTEM")
            {
                continue;
            }
            let backend = head.split_whitespace().nth(3).unwrap_or("?").to_owned();
            *by_backend.entry(backend.clone()).or_default() += 1;
            let short: String = statement.chars().take(160).collect();
            println!("  {backend} {short}");
        }
        println!("statements by backend: {by_backend:?}");
    }
}

#[derive(FromQueryResult)]
struct Person {
    id: Uuid,
}

/// A Lua table of strings.
fn lua_list<S: AsRef<str>>(items: &[S]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{:?}", s.as_ref())).collect();
    format!("{{{}}}", quoted.join(","))
}

/// Weekdays from eight to forty days ahead (annual leave is asked for at least seven days
/// before), in this year (the holiday calendar's reach): one day of annual leave each. A
/// holiday among them is refused by the rules and counted.
fn leave_days() -> Vec<String> {
    let today = chrono::Utc::now().date_naive();
    (8..=40)
        .filter_map(|d| today.checked_add_days(Days::new(d)))
        .filter(|d| d.year() == today.year() && !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .map(|d| d.to_string())
        .collect()
}

fn ratio_line(what: &str, abdi: &Run, base: &Run) {
    println!(
        "| {what} | {:.0} req/s, p50 {}, p99 {} | {:.0} req/s, p50 {}, p99 {} | {:.2} |",
        abdi.rate,
        abdi.p50,
        abdi.p99,
        base.rate,
        base.p50,
        base.p99,
        abdi.rate / base.rate
    );
}

async fn clean(admin: &DatabaseConnection, database: &str, prefix: &str) {
    if std::env::var_os("ABDI_BENCH_PG_LOG").is_some() {
        StatementLog::stop(admin).await;
    }
    let _ = admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        .await;
    // The baseline's sessions are `sess:<i>`; Abdi's are under this run's prefix.
    for pattern in ["sess:*".to_owned(), format!("{prefix}*")] {
        abdi_tests::forget_redis_keys(&pattern).await;
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(server), Some(baseline)) = (args.get(1), args.get(2)) else {
        panic!("usage: hot_paths SERVER BASELINE");
    };
    let pg = postgres_url();
    let database = format!("abdi_hot_{}", std::process::id());
    let admin = Database::connect(format!("{pg}/postgres")).await.unwrap();
    let logs = tempfile::tempdir().unwrap();
    let prefix = format!("abdi-hot:{}:", Uuid::new_v4().simple());
    let bench = Bench {
        server: server.into(),
        baseline: baseline.into(),
        // The baseline's sqlx has no TLS, and PostgreSQL here offers it (Debian's cluster
        // does): without `sslmode=disable` Abdi would encrypt every statement and the baseline
        // none (a third of Abdi's CPU in a submission went to rustls).
        database_url: format!("{pg}/{database}?sslmode=disable"),
        redis_prefix: prefix.clone(),
        logs: logs.path().to_owned(),
    };
    admin
        .execute_unprepared(&format!("CREATE DATABASE {database}"))
        .await
        .unwrap();
    let outcome = tokio::spawn(run(bench, logs)).await;
    clean(&admin, &database, &prefix).await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn run(bench: Bench, logs: tempfile::TempDir) {
    let started = Instant::now();
    // 1. The same rows on both sides: Abdi's synthetic province, the baseline's table.
    let seeded = Command::new(&bench.server)
        .args(["seed", "--employees", &ROWS.to_string()])
        .env("ABDI__DATABASE__URL", &bench.database_url)
        .env("ABDI__LOG__LEVEL", "warn")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(seeded.success(), "abdi-server seed failed");
    let prepared = bench
        .baseline()
        .args(["prepare", &ROWS.to_string()])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(prepared.success(), "bench-baseline prepare failed");

    // 2. Abdi's sessions, made by its own session service on the same Redis (the state is
    // built, never served: nothing of it runs while the servers are measured).
    let mut config = Config::default();
    config.server.listen = ([127, 0, 0, 1], 0).into();
    config.database.url = SecretUrl::new(bench.database_url.clone());
    config.sessions.backend = SessionBackend::Redis;
    config.sessions.redis_url = SecretUrl::new(redis_url());
    config.sessions.key_prefix = bench.redis_prefix.clone();
    config.storage.path = bench.logs.join("objects");
    config.log.level = "warn".into();
    let clock: SharedClock = Arc::new(SystemClock);
    let prepared_app = Application::build_with_clock(config, clock).await.unwrap();
    let state = prepared_app.state().clone();
    drop(prepared_app);
    let sessions = state.identity.sessions.clone();
    let db = state.db.clone();
    let people = Person::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        "SELECT id FROM employees WHERE employment_type = 'pns' AND position_id IS NOT NULL \
         AND active ORDER BY md5(id::text)",
    ))
    .all(&db)
    .await
    .unwrap();
    let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
    let tokens: Vec<String> = futures_util::stream::iter(ids.into_iter().map(|employee_id| {
        let sessions = sessions.clone();
        async move {
            sessions
                .create(NewSession {
                    employee_id,
                    device_name: "bench",
                    platform: "android",
                    method: "activation",
                    ip: None,
                })
                .await
                .unwrap()
                .0
        }
    }))
    .buffer_unordered(32)
    .collect()
    .await;
    let (data_secret, nips) = data_client(&db).await;
    println!(
        "prepared: {ROWS} employees and baseline rows, {} Abdi sessions, in {:.0} s",
        tokens.len(),
        started.elapsed().as_secs_f64()
    );

    // 3. The wrk scripts.
    let dir = logs.path();
    let abdi_me = dir.join("abdi-me.lua");
    std::fs::write(
        &abdi_me,
        format!(
            "local tokens = {}\nrequest = function()\n  return wrk.format(\"GET\", \"/api/v1/me\", \
             {{[\"Authorization\"] = \"Bearer \" .. tokens[math.random(#tokens)]}})\nend\n",
            lua_list(&tokens[..ME_SESSIONS.min(tokens.len())])
        ),
    )
    .unwrap();
    let base_me = dir.join("base-me.lua");
    std::fs::write(
        &base_me,
        format!(
            "request = function()\n  return wrk.format(\"GET\", \"/me\", \
             {{[\"Authorization\"] = \"Bearer \" .. math.random(0, {})}})\nend\n",
            ROWS - 1
        ),
    )
    .unwrap();
    // Each request: the next employee, a day of leave, a key of its own. Every employee sends
    // one before anyone sends a second.
    let days = leave_days();
    let bodies: Vec<String> = days
        .iter()
        .map(|d| serde_json::to_string(&new_request("cuti_tahunan", annual(d, d))).unwrap())
        .collect();
    let abdi_submit = dir.join("abdi-submit.lua");
    std::fs::write(
        &abdi_submit,
        format!(
            "local tokens = {}\nlocal bodies = {}\nlocal i = 0\nrequest = function()\n  \
             local t = i % #tokens + 1\n  local b = math.floor(i / #tokens) % #bodies + 1\n  \
             i = i + 1\n  return wrk.format(\"POST\", \"/api/v1/requests\", {{\
             [\"Authorization\"] = \"Bearer \" .. tokens[t], [\"Content-Type\"] = \"application/json\", \
             [\"Idempotency-Key\"] = string.format(\"hot-%010d\", i)}}, bodies[b])\nend\n",
            lua_list(&tokens),
            lua_list(&bodies)
        ),
    )
    .unwrap();
    let base_submit = dir.join("base-submit.lua");
    std::fs::write(
        &base_submit,
        format!(
            "request = function()\n  return wrk.format(\"POST\", \"/submit\", \
             {{[\"Authorization\"] = \"Bearer \" .. math.random(0, {})}})\nend\n",
            ROWS - 1
        ),
    )
    .unwrap();

    // 4. Serve both, one after the other on core 0.
    let abdi_url = format!("http://127.0.0.1:{ABDI_PORT}");
    let base_url = format!("http://127.0.0.1:{BASELINE_PORT}");
    let mut servers = Servers(vec![
        ("abdi", bench.abdi("info")),
        ("baseline", bench.baseline().spawn().unwrap()),
    ]);
    until_up(&format!("{abdi_url}/health/ready")).await;
    until_up(&format!("{base_url}/plain")).await;
    settle(servers.0[0].1.id());
    // Warm both up (connections opened, statements prepared).
    wrk(&format!("{abdi_url}/health/live"), 32, None);
    wrk(&format!("{base_url}/plain"), 32, None);

    let phase = Phase::begin("live-info");
    let live_info = wrk(&format!("{abdi_url}/health/live"), 32, None);
    phase.end();
    let plain = wrk(&format!("{base_url}/plain"), 32, None);
    let phase = Phase::begin("me");
    let me = wrk(&abdi_url, 32, Some(&abdi_me));
    phase.end();
    let base_me_run = wrk(&base_url, 32, Some(&base_me));
    assert_eq!(me.non_2xx, 0, "Abdi's /me refused some");
    let data_token = data_token(&abdi_url, &data_secret).await;
    let abdi_data = dir.join("abdi-data.lua");
    std::fs::write(
        &abdi_data,
        format!(
            "local nips = {}
request = function()
  return wrk.format(\"GET\", \
             \"/api/data/v1/employees/\" .. nips[math.random(#nips)], \
             {{[\"Authorization\"] = \"Bearer {data_token}\"}})\nend\n",
            lua_list(&nips)
        ),
    )
    .unwrap();
    let phase = Phase::begin("data");
    let data = wrk(&abdi_url, 32, Some(&abdi_data));
    phase.end();
    assert_eq!(data.non_2xx, 0, "the data API refused some");
    // One submission first, so a refusal is told, not counted (the load uses the other days).
    let statements = StatementLog::start(&db).await;
    let probe = reqwest::Client::new()
        .post(format!("{abdi_url}/api/v1/requests"))
        .bearer_auth(tokens.last().unwrap())
        .header("idempotency-key", "hot-probe-0001")
        .body(bodies[0].clone())
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    let status = probe.status();
    if let Some(log) = statements {
        log.print(&db, &bench.database_url).await;
    }
    assert_eq!(
        status,
        201,
        "a submission answered {}",
        probe.text().await.unwrap()
    );
    let logins = passkey_logins(&abdi_url, &tokens[..LOGIN_CLIENTS]).await;
    let phase = Phase::begin("submit");
    let submit = wrk(&abdi_url, 16, Some(&abdi_submit));
    phase.end();
    let refused = submit.non_2xx;
    // Abdi stops (draining its work) before the baseline writes, so none of it overlaps.
    servers.stop("abdi");
    let base_submit_run = wrk(&base_url, 16, Some(&base_submit));
    servers.0.push(("abdi", bench.abdi("warn")));
    until_up(&format!("{abdi_url}/health/ready")).await;
    settle(servers.0[1].1.id());
    wrk(&format!("{abdi_url}/health/live"), 32, None);
    let phase = Phase::begin("live-warn");
    let live_warn = wrk(&format!("{abdi_url}/health/live"), 32, None);
    phase.end();
    let plain_warn = wrk(&format!("{base_url}/plain"), 32, None);
    servers.stop("abdi");
    servers.stop("baseline");

    let info_lines = std::fs::read_to_string(dir.join("abdi-info.log"))
        .map(|s| s.lines().count())
        .unwrap_or(0);
    println!(
        "\nhot paths, {} (servers on core 0, wrk -t1 -d{SECONDS}s on core 1; -c32, -c16 for submissions)\n",
        chrono::Utc::now().date_naive()
    );
    println!("| path | Abdi | baseline | ratio |\n|---|---|---|---|");
    ratio_line(
        "`GET /health/live` vs `/plain`, log level info",
        &live_info,
        &plain,
    );
    ratio_line("`GET /api/v1/me` vs `/me`", &me, &base_me_run);
    ratio_line("leave submission vs `/submit`", &submit, &base_submit_run);
    ratio_line(
        "`GET /api/data/v1/employees/{nip}` (data API) vs `/me`",
        &data,
        &base_me_run,
    );
    ratio_line(
        "`GET /health/live` vs `/plain`, log level warn",
        &live_warn,
        &plain_warn,
    );
    println!(
        "\npasskey logins (discoverable, {LOGIN_CLIENTS} phones signing on core 1): {logins:.0}/s"
    );
    println!(
        "submissions: {} sent, {} created, {refused} refused by the rules (a holiday, or the balance); \
         Abdi wrote {info_lines} log lines at info over the whole run",
        submit.requests,
        submit.requests - refused,
    );
}

/// The bench's client system, written straight into the table (the registry's own checks cap
/// its rate at 6,000 calls a minute, which would measure the limit): the whole province, the
/// default scopes, calls from this machine. Its secret, and the NIPs the load asks for.
async fn data_client(db: &DatabaseConnection) -> (String, Vec<String>) {
    use abdi_server::sharing::entity::{AuthMethod, StoredStatus, data_client};
    use sea_orm::{ActiveValue::Set, EntityTrait};
    use sha2::Digest;
    let secret = format!("bench-{}", Uuid::new_v4().simple());
    let now = chrono::Utc::now();
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    data_client::Entity::insert(data_client::ActiveModel {
        id: Set(Uuid::now_v7()),
        client_id: Set("bench".into()),
        agency: Set("Bench".into()),
        unit: Set("Bench".into()),
        agreement_number: Set("BENCH/1".into()),
        agreement_date: Set(day("2026-01-01")),
        agreement_expires_on: Set(day("2099-12-31")),
        purpose: Set("Load test".into()),
        contact_name: Set("Bench".into()),
        contact_email: Set("bench@abdi.go.id".into()),
        contact_phone: Set(None),
        networks: Set(r#"["127.0.0.0/8"]"#.into()),
        scopes: Set(
            r#"["employees","rank_history","position_history","education_history"]"#.into(),
        ),
        units: Set(r#"["PROV"]"#.into()),
        auth_method: Set(AuthMethod::ClientSecret),
        secret_hash: Set(Some(hex::encode(sha2::Sha256::digest(secret.as_bytes())))),
        public_key_pem: Set(None),
        credential_generation: Set(1),
        credential_issued_at: Set(now),
        rate_per_minute: Set(i32::MAX),
        status: Set(StoredStatus::Active),
        status_reason: Set(None),
        created_by: Set(Uuid::nil()),
        created_at: Set(now),
        updated_at: Set(now),
        // Reads whole units, granted by no letter.
        ..Default::default()
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    #[derive(FromQueryResult)]
    struct Nip {
        nip: String,
    }
    let nips = Nip::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        "SELECT nip FROM employees WHERE active ORDER BY md5(id::text) LIMIT 1000",
    ))
    .all(db)
    .await
    .unwrap()
    .into_iter()
    .map(|n| n.nip)
    .collect();
    (secret, nips)
}

/// The bench client's access token, asked for as a client system asks.
async fn data_token(base: &str, secret: &str) -> String {
    let r = reqwest::Client::new()
        .post(format!("{base}/api/data/v1/token"))
        .basic_auth("bench", Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "token: {}", r.text().await.unwrap());
    let body: serde_json::Value = r.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// Passkey logins per second for `SECONDS`: each phone registers a passkey in its session, then
/// logs in by it again and again (challenge, signature, session).
async fn passkey_logins(base: &str, tokens: &[String]) -> f64 {
    let client = reqwest::Client::new();
    let mut phones = Vec::new();
    for token in tokens {
        let phone = register_at(&client, base, token, "bench", ORIGIN).await;
        phones.push(phone.unwrap_or_else(|r| panic!("registration answered {}", r.status())));
    }
    let phase = Phase::begin("logins");
    let started = Instant::now();
    let deadline = started + Duration::from_secs(u64::from(SECONDS));
    let mut tasks = tokio::task::JoinSet::new();
    for mut phone in phones {
        let (client, base) = (client.clone(), base.to_owned());
        tasks.spawn(async move {
            let mut ok = 0u64;
            while Instant::now() < deadline {
                let status = login_at(&client, &base, &mut phone, ORIGIN).await.status();
                assert_eq!(status, 201, "a passkey login failed");
                ok += 1;
            }
            ok
        });
    }
    let mut logins = 0;
    while let Some(n) = tasks.join_next().await {
        logins += n.unwrap();
    }
    let rate = logins as f64 / started.elapsed().as_secs_f64();
    phase.end();
    rate
}
