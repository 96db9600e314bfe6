//! The Abdi test kit: starts the real application on port 0 against real peers.
//!
//! - PostgreSQL: a fresh database per test (created here, dropped when the app is dropped),
//!   with Redis sessions under a unique key prefix (removed at drop too).
//! - SQLite: a fresh file per test, with the in-process session store.
//!
//! Peers are found at `ABDI_TEST_POSTGRES` (default `postgres://postgres@127.0.0.1:5432`) and
//! `ABDI_TEST_REDIS` (default `redis://127.0.0.1:6379`). A missing peer fails the test with a
//! message saying how to start it; nothing is skipped.
//!
//! What the suite and the benches share is in [`kit`]: the seeded [`world`], typed [`api`]
//! calls, request [`forms`], the software [`passkey`] phone and bench [`stats`].

// Tests and benches measure real time: the injected-clock rule is for the product's code.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod bkn;
pub mod browser;
pub mod esign;
pub mod kit;
pub mod oidc;
pub mod postgres_server;
pub mod proxy;
pub mod push;
pub mod redis_server;
pub mod s3;
pub mod smtp;
pub mod tls_terminator;

pub use kit::{api, forms, passkey, procs, sharing, stats, world};

use std::net::SocketAddr;
use std::sync::Arc;

use abdi_server::clock::{SharedClock, SystemClock};
use abdi_server::config::{Config, SecretUrl, SessionBackend};
use abdi_server::startup::{Application, Providers};
use abdi_server::state::AppState;
use sea_orm::{ConnectionTrait, Database};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub fn postgres_url() -> String {
    std::env::var("ABDI_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

pub fn redis_url() -> String {
    std::env::var("ABDI_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Removes every key of the test Redis matching `pattern` (a test's or a benchmark's prefix
/// followed by `*`); a Redis that cannot be reached has nothing of this run to remove.
pub async fn forget_redis_keys(pattern: &str) {
    let Ok(client) = redis::Client::open(redis_url()) else {
        return;
    };
    let Ok(mut c) = client.get_multiplexed_async_connection().await else {
        return;
    };
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(pattern)
        .query_async(&mut c)
        .await
        .unwrap_or_default();
    for chunk in keys.chunks(1000) {
        let _: Result<i64, _> = redis::cmd("DEL").arg(chunk).query_async(&mut c).await;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL and Redis, as in production.
    Postgres,
    /// SQLite and the in-process store, as the embedded default.
    Sqlite,
}

/// Where a test's data lives; removed on drop.
enum Storage {
    Postgres {
        admin: String,
        database: String,
        redis_prefix: String,
    },
    Sqlite {
        _dir: tempfile::TempDir,
    },
}

/// A fresh, migrated database (and session prefix) with a config pointing at it.
pub struct TestEnv {
    pub config: Config,
    storage: Storage,
    /// The object store's folder (attachments, documents).
    _objects: tempfile::TempDir,
}

impl TestEnv {
    pub async fn new(backend: Backend) -> TestEnv {
        let mut config = Config::default();
        config.server.listen = SocketAddr::from(([127, 0, 0, 1], 0));
        config.log.level = std::env::var("ABDI_TEST_LOG").unwrap_or_else(|_| "warn".into());
        config.database.max_connections = 5;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let storage = match backend {
            Backend::Postgres => {
                let admin = format!("{}/postgres", postgres_url());
                let database = format!("abdi_test_{}", &id[..16]);
                let conn = Database::connect(&admin).await.unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL is not reachable at {admin} ({e}). Start it with \
                         `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` \
                         or set ABDI_TEST_POSTGRES."
                    )
                });
                conn.execute_unprepared(&format!("CREATE DATABASE {database}"))
                    .await
                    .unwrap();
                conn.close().await.ok();
                config.database.url = SecretUrl::new(format!("{}/{database}", postgres_url()));
                config.sessions.backend = SessionBackend::Redis;
                config.sessions.redis_url = SecretUrl::new(redis_url());
                let redis_prefix = format!("abdi-test:{id}:");
                config.sessions.key_prefix = redis_prefix.clone();
                Storage::Postgres {
                    admin,
                    database,
                    redis_prefix,
                }
            }
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                config.database.url = SecretUrl::new(format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("abdi.sqlite").display()
                ));
                config.sessions.backend = SessionBackend::Memory;
                Storage::Sqlite { _dir: dir }
            }
        };
        let objects = tempfile::tempdir().unwrap();
        config.storage.path = objects.path().to_owned();
        // A local CA of the test's own, made at startup (P-256, a few milliseconds).
        config.documents.local_dir = objects.path().join("pki");
        // Tests deliver notifications with `drain()` when they choose; one that wants the
        // worker turns it on.
        config.notifications.worker = false;
        // Promotion's exchange with BKN moves when a test calls `tick()`.
        config.promotion.worker = false;
        abdi_server::telemetry::init(&config.log);
        TestEnv {
            config,
            storage,
            _objects: objects,
        }
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        let Storage::Postgres {
            admin,
            database,
            redis_prefix,
        } = &self.storage
        else {
            return;
        };
        let (admin, database, prefix) = (admin.clone(), database.clone(), redis_prefix.clone());
        // Drop runs inside the test's runtime; clean up on a thread with its own.
        let cleanup = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                if let Ok(conn) = Database::connect(&admin).await {
                    let _ = conn
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS {database} WITH (FORCE)"
                        ))
                        .await;
                }
                forget_redis_keys(&format!("{prefix}*")).await;
            });
        });
        let _ = cleanup.join();
    }
}

/// The real application, serving on a free port.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    pub config: Config,
    // Dropped last: the database goes after the server stopped using it. None for a second
    // instance, which shares the first one's database and Redis prefix.
    _env: Option<TestEnv>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts the app after `customize` adjusted its configuration.
    pub async fn spawn_with(backend: Backend, customize: impl FnOnce(&mut Config)) -> TestApp {
        let mut env = TestEnv::new(backend).await;
        customize(&mut env.config);
        Self::start(env, Arc::new(SystemClock)).await
    }

    pub async fn start(env: TestEnv, clock: SharedClock) -> TestApp {
        Self::start_providing(env, clock, Providers::default()).await
    }

    /// [`TestApp::start`] with the providers code plugs in (an attestation double).
    pub async fn start_providing(
        env: TestEnv,
        clock: SharedClock,
        providers: Providers,
    ) -> TestApp {
        let config = env.config.clone();
        Self::start_with(config, Some(env), clock, providers).await
    }

    /// An instance on an existing database and Redis (benchmarks on a seeded database); the
    /// data stays when it is dropped.
    pub async fn on(config: Config) -> TestApp {
        Self::start_with(config, None, Arc::new(SystemClock), Providers::default()).await
    }

    /// Like [`TestApp::on`], on `clock`.
    pub async fn on_clock(config: Config, clock: SharedClock) -> TestApp {
        Self::start_with(config, None, clock, Providers::default()).await
    }

    /// Another instance of the same deployment: same database, same Redis and key prefix,
    /// same clock.
    pub async fn second_instance(&self) -> TestApp {
        Self::start_with(
            self.config.clone(),
            None,
            self.state.clock.clone(),
            Providers::default(),
        )
        .await
    }

    async fn start_with(
        config: Config,
        env: Option<TestEnv>,
        clock: SharedClock,
        providers: Providers,
    ) -> TestApp {
        let app = Application::build_with(config.clone(), clock, providers)
            .await
            .unwrap_or_else(|e| panic!("the app did not start: {e}"));
        let addr = app.local_addr();
        let state = app.state().clone();
        let (tx, rx) = oneshot::channel();
        let server = tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        TestApp {
            addr,
            base: format!("http://{addr}"),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            state,
            shutdown: Some(tx),
            server: Some(server),
            config,
            _env: env,
        }
    }

    /// Opens a session for `employee` directly (how sessions are opened is tested with
    /// activation, passkeys and SSO); returns its token.
    pub async fn session(&self, employee: uuid::Uuid) -> String {
        self.state
            .identity
            .sessions
            .create(abdi_server::identity::session::NewSession {
                employee_id: employee,
                device_name: "test",
                platform: "android",
                method: "activation",
                ip: None,
            })
            .await
            .unwrap()
            .0
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// Asks the server to stop, as SIGTERM does, without waiting for it.
    pub fn begin_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// Waits for the server task to end after [`TestApp::begin_shutdown`].
    pub async fn stopped(&mut self) -> std::io::Result<()> {
        match self.server.take() {
            Some(handle) => handle.await.unwrap(),
            None => Ok(()),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.begin_shutdown();
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// Runs an async test body once per backend, as `mod name { postgres, sqlite }`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::Backend::Postgres).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::Backend::Sqlite).await
                }
            }
        )+
    };
}
