//! The morning storm (run by `bench/attendance`, not by the tests): 50,000 employees check in
//! within the 30 minutes before 07:30, each once, through the release `abdi-server` on core 0,
//! the phones (keys, signatures, HTTP) in this process on core 1. Each check-in is what
//! abdi-core does online: a nonce, then the record signed with the phone's enrolled P-256 key,
//! in an upload the key signs too, judged against the office's fence and kept.
//!
//! 1. **Paced**: the first 10,000 arrive at ten times the storm's mean rate (50,000 in 30
//!    minutes is 27.8 a second), open-loop, each timed from the moment it was due: the wait a
//!    phone sees on a busy morning.
//! 2. **Flat out**: the other 40,000 from 64 phones at once: what the server can take, and so
//!    how long the whole storm would take at worst.
//! 3. **The reference**, in the same run: `../shared/bench-baseline`'s `/submit` (a session read
//!    and a pgbench-like write transaction) from the same 64 phones, 40,000 times.
//!
//! Usage: `attendance SERVER BASELINE`. It creates its own database and Redis keys and removes
//! them, whatever happens.

// Benches measure real time: the injected-clock rule is for the product's code.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use abdi_proto::attendance::{
    AttendanceNonce, CheckInRecord, CheckInResults, CheckKind, DeviceEnrolment, EnrolledDevice,
    Fix, GeoPoint, Verdict,
};
use abdi_server::clock::{SharedClock, SystemClock};
use abdi_server::config::{Config, SecretUrl, SessionBackend};
use abdi_server::identity::session::NewSession;
use abdi_server::startup::Application;
use abdi_tests::procs::{Deployment, Servers, cores_since, cpu_ticks, settle, until_up};
use abdi_tests::stats::{percentile, report};
use abdi_tests::{postgres_url, redis_url};
use futures_util::StreamExt;
use p256::ecdsa::SigningKey;
use p256::pkcs8::{EncodePublicKey, LineEnding};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, FromQueryResult, Statement};
use uuid::Uuid;

const EMPLOYEES: u32 = 50_000;
const PACED: usize = 10_000;
/// Ten times 50,000 in 30 minutes.
const PACED_RATE: f64 = 10.0 * 50_000.0 / 1_800.0;
const PHONES: usize = 64;
const ABDI_PORT: u16 = 18_183;
const BASELINE_PORT: u16 = 19_101;
/// The office every unit checks in at (the place is set on each root unit).
const OFFICE: GeoPoint = GeoPoint {
    lat: -7.2451,
    lon: 112.7379,
};

#[derive(Debug, FromQueryResult)]
struct Person {
    id: Uuid,
}

/// One phone: its session, its key, its enrolled device.
struct Phone {
    token: String,
    key: SigningKey,
    device: Uuid,
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(server), Some(baseline)) = (args.get(1), args.get(2)) else {
        panic!("usage: attendance SERVER BASELINE");
    };
    let pg = postgres_url();
    let database = format!("abdi_storm_{}", std::process::id());
    let admin = Database::connect(format!("{pg}/postgres")).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let prefix = format!("abdi-storm:{}:", Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {database}"))
        .await
        .unwrap();
    let deployment = Deployment {
        server: server.into(),
        // As in bench/hot-paths: the baseline's sqlx has no TLS.
        database_url: format!("{pg}/{database}?sslmode=disable"),
        redis_prefix: prefix.clone(),
        dir: dir.path().to_owned(),
    };
    let outcome = tokio::spawn(run(deployment, baseline.into())).await;
    let _ = admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        .await;
    let mut redis = redis::Client::open(redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    for pattern in [format!("{prefix}*"), "sess:*".to_owned()] {
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(&pattern)
            .query_async(&mut redis)
            .await
            .unwrap_or_default();
        for chunk in keys.chunks(1_000) {
            let _: Result<(), _> = redis::cmd("DEL").arg(chunk).query_async(&mut redis).await;
        }
    }
    drop(dir);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn run(d: Deployment, baseline: PathBuf) {
    let started = Instant::now();
    let seeded = Command::new(&d.server)
        .args(["seed", "--employees", &EMPLOYEES.to_string()])
        .env("ABDI__DATABASE__URL", &d.database_url)
        .env("ABDI__LOG__LEVEL", "warn")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(seeded.success(), "abdi-server seed failed");
    let base = |cmd: &mut Command| {
        cmd.env("DATABASE_URL", &d.database_url)
            .env("REDIS_URL", redis_url())
            .env("BIND", format!("127.0.0.1:{BASELINE_PORT}"));
    };
    let mut prepare = Command::new(&baseline);
    base(&mut prepare);
    assert!(
        prepare
            .args(["prepare", &EMPLOYEES.to_string()])
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success(),
        "bench-baseline prepare failed"
    );

    // Sessions by Abdi's own session service on the same Redis (built, never served).
    let mut config = Config::default();
    config.server.listen = ([127, 0, 0, 1], 0).into();
    config.database.url = SecretUrl::new(d.database_url.clone());
    config.sessions.backend = SessionBackend::Redis;
    config.sessions.redis_url = SecretUrl::new(redis_url());
    config.sessions.key_prefix = d.redis_prefix.clone();
    config.storage.path = d.dir.join("objects");
    config.log.level = "warn".into();
    let clock: SharedClock = Arc::new(SystemClock);
    let app = Application::build_with_clock(config, clock).await.unwrap();
    let state = app.state().clone();
    drop(app);
    let db = state.db.clone();
    office_everywhere(&db).await;
    let people = Person::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        "SELECT id FROM employees WHERE active ORDER BY md5(id::text)",
    ))
    .all(&db)
    .await
    .unwrap();
    let sessions = state.identity.sessions.clone();
    let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
    let tokens: Vec<String> = futures_util::stream::iter(ids.into_iter().map(|employee_id| {
        let sessions = sessions.clone();
        async move {
            sessions
                .create(NewSession {
                    employee_id,
                    device_name: "storm",
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

    let mut servers = Servers(vec![("abdi", d.serve(ABDI_PORT, "warn"))]);
    let abdi = format!("http://127.0.0.1:{ABDI_PORT}");
    until_up(&format!("{abdi}/health/ready")).await;
    settle(servers.0[0].1.id());
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(PHONES * 2)
        .build()
        .unwrap();
    // Each phone enrols its key in its session, as abdi-core does at login.
    let phones: Vec<Arc<Phone>> = futures_util::stream::iter(tokens.into_iter().map(|token| {
        let http = http.clone();
        let abdi = abdi.clone();
        async move {
            let key = new_key();
            let public_key_pem = key
                .verifying_key()
                .to_public_key_pem(LineEnding::LF)
                .unwrap();
            let r = http
                .post(format!("{abdi}/api/v1/attendance/devices"))
                .bearer_auth(&token)
                .json(&DeviceEnrolment {
                    public_key_pem,
                    name: "storm".into(),
                })
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201, "enrolment: {}", r.text().await.unwrap());
            let device = r.json::<EnrolledDevice>().await.unwrap().device_id;
            Arc::new(Phone { token, key, device })
        }
    }))
    .buffer_unordered(PHONES)
    .collect()
    .await;
    println!(
        "prepared: {} employees with a session and an enrolled phone, in {:.0} s",
        phones.len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(phones.len(), EMPLOYEES as usize);
    let refused = Arc::new(AtomicU64::new(0));

    // 1. Paced: open-loop at ten times the storm's mean rate.
    let ticks = cpu_ticks();
    let paced_started = Instant::now();
    let mut handles = Vec::with_capacity(PACED);
    for (i, phone) in phones[..PACED].iter().enumerate() {
        let due = paced_started + Duration::from_secs_f64(i as f64 / PACED_RATE);
        tokio::time::sleep_until(due.into()).await;
        let (http, abdi, phone, refused) =
            (http.clone(), abdi.clone(), phone.clone(), refused.clone());
        handles.push(tokio::spawn(async move {
            check_in(&http, &abdi, &phone, &refused).await;
            due.elapsed()
        }));
    }
    let mut paced = Vec::with_capacity(PACED);
    for h in handles {
        paced.push(h.await.unwrap());
    }
    let paced_elapsed = paced_started.elapsed();
    let paced_cpu = cores(&ticks, paced_elapsed);

    // 2. Flat out: the rest from 64 phones at once.
    let ticks = cpu_ticks();
    let rest = &phones[PACED..];
    let (flat, flat_elapsed) =
        closed_loop(rest.len(), |i| check_in(&http, &abdi, &rest[i], &refused)).await;
    let flat_cpu = cores(&ticks, flat_elapsed);
    servers.stop("abdi");
    println!(
        "\nmorning storm, {} ({EMPLOYEES} employees; servers on core 0, the phones on core 1)\n",
        chrono::Utc::now().date_naive()
    );
    report(
        &format!("paced at {PACED_RATE:.0}/s (10x the storm's mean), check-ins"),
        paced,
        paced_elapsed,
    );
    report(
        &format!("flat out from {PHONES} phones, check-ins"),
        flat.clone(),
        flat_elapsed,
    );
    println!("cpu while paced: {paced_cpu}\ncpu flat out: {flat_cpu}");

    // 3. The reference: the baseline's /submit from the same 64 phones, as many times.
    let mut serve = Command::new("taskset");
    serve.args(["-c", "0"]).arg(&baseline);
    base(&mut serve);
    servers.0.push(("baseline", serve.spawn().unwrap()));
    let reference = format!("http://127.0.0.1:{BASELINE_PORT}");
    until_up(&format!("{reference}/plain")).await;
    let (submits, submit_elapsed) = closed_loop(rest.len(), |i| {
        let (http, reference) = (&http, &reference);
        async move {
            let r = http
                .post(format!("{reference}/submit"))
                // The baseline's sessions 1 to N-1 name its rows 1 to N-1 (`sess:0` names none).
                .bearer_auth((i % (EMPLOYEES as usize - 1) + 1).to_string())
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "/submit answered {}", r.status());
        }
    })
    .await;
    servers.stop("baseline");

    let refused = refused.load(Ordering::Relaxed);
    report(
        &format!("baseline /submit from {PHONES} phones"),
        submits.clone(),
        submit_elapsed,
    );
    let rate = flat.len() as f64 / flat_elapsed.as_secs_f64();
    let base_rate = submits.len() as f64 / submit_elapsed.as_secs_f64();
    let mut sorted = flat;
    sorted.sort();
    println!(
        "\nratio (check-ins/s flat out vs baseline /submit/s): {:.2}; p99 {:.1} ms",
        rate / base_rate,
        percentile(&sorted, 0.99)
    );
    println!(
        "the whole storm at the flat-out rate: {:.0} s (the target: 1,800 s, {:.1}x headroom)",
        f64::from(EMPLOYEES) / rate,
        rate / (f64::from(EMPLOYEES) / 1_800.0)
    );
    println!("check-ins not accepted: {refused} of {EMPLOYEES}");
    assert_eq!(refused, 0, "every check-in at the office is accepted");
}

/// One online check-in as abdi-core makes it.
async fn check_in(http: &reqwest::Client, abdi: &str, phone: &Phone, refused: &AtomicU64) {
    let nonce: AttendanceNonce = http
        .post(format!("{abdi}/api/v1/attendance/nonce"))
        .bearer_auth(&phone.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fix = Fix {
        position: GeoPoint::new(OFFICE.lat + 0.0003, OFFICE.lon - 0.0002),
        accuracy_m: 9.0,
        mock: false,
        speed_mps: Some(0.0),
        taken_at: chrono::Utc::now(),
        elapsed_ms: 3_600_000,
        boot_id: "storm".into(),
        photo_position: None,
        wifi_bssid: None,
    };
    let record = CheckInRecord {
        device_id: phone.device,
        seq: 1,
        kind: CheckKind::In,
        fix: fix.clone(),
        nonce: Some(nonce.nonce),
    };
    let signed = abdi_core::attendance::sign(&phone.key, &record).unwrap();
    let upload =
        abdi_core::attendance::upload(&phone.key, phone.device, vec![signed], &fix).unwrap();
    let r = http
        .post(format!("{abdi}/api/v1/attendance/check-ins"))
        .bearer_auth(&phone.token)
        .json(&upload)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let results: CheckInResults = r.json().await.unwrap();
    if results
        .results
        .first()
        .is_none_or(|c| c.verdict != Verdict::Accepted)
    {
        refused.fetch_add(1, Ordering::Relaxed);
    }
}

/// `n` calls of `call(i)` from `PHONES` at once; each one's time and the whole run's.
async fn closed_loop<F, Fut>(n: usize, call: F) -> (Vec<Duration>, Duration)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    let worker = || async {
        let mut times = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                return times;
            }
            let t = Instant::now();
            call(i).await;
            times.push(t.elapsed());
        }
    };
    let all = futures_util::future::join_all((0..PHONES).map(|_| worker())).await;
    (all.into_iter().flatten().collect(), started.elapsed())
}

/// The office as a place of every root unit (its employees and those of every unit below).
async fn office_everywhere(db: &DatabaseConnection) {
    let fence = abdi_proto::attendance::Fence::Circle {
        center: OFFICE,
        radius_m: 150.0,
    };
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "INSERT INTO attendance_places (id, name, fence, accuracy_m, unit_id, employee_id, active, created_by, created_at) \
         SELECT gen_random_uuid(), 'Kantor ' || name, $1, 50, id, NULL, true, id, now() FROM org_units WHERE parent_id IS NULL",
        [serde_json::to_string(&fence).unwrap().into()],
    ))
    .await
    .unwrap();
}

fn new_key() -> SigningKey {
    let mut bytes = [0u8; 32];
    loop {
        getrandom::fill(&mut bytes).unwrap();
        if let Ok(k) = SigningKey::from_slice(&bytes) {
            return k;
        }
    }
}

/// The CPU each kind of process used since `before`, in cores.
fn cores(before: &std::collections::BTreeMap<String, u64>, over: Duration) -> String {
    let used = |prefix| cores_since(before, over, prefix);
    format!(
        "abdi-server {:.2}, postgres {:.2}, redis {:.2}, the phones {:.2} (cores)",
        used("abdi-server"),
        used("postgres"),
        used("redis-server"),
        used("attendance"),
    )
}
