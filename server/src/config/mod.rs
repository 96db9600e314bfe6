//! Layered configuration: embedded defaults, then an optional TOML file, then `ABDI__...`
//! environment variables (`ABDI__DATABASE__URL` sets `database.url`). Unknown keys are refused
//! with a message naming them; secrets are redacted in `Debug` and never logged.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

mod attendance;
mod database;
mod documents;
mod email;
mod identity;
mod log;
mod notifications;
mod promotion;
mod secret;
mod server;
mod sessions;
mod sharing;
mod storage;

pub use attendance::*;
pub use database::*;
pub use documents::*;
pub use email::*;
pub use identity::*;
pub use log::*;
pub use notifications::*;
pub use promotion::*;
pub use secret::*;
pub use server::*;
pub use sessions::*;
pub use sharing::*;
pub use storage::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub sessions: SessionsConfig,
    pub identity: IdentityConfig,
    /// OpenID Connect providers (`[[sso]]` tables); none by default.
    #[serde(default)]
    pub sso: Vec<SsoProviderConfig>,
    pub email: EmailConfig,
    pub storage: StorageConfig,
    pub documents: DocumentsConfig,
    pub notifications: NotificationsConfig,
    #[serde(default)]
    pub promotion: PromotionConfig,
    #[serde(default)]
    pub sharing: SharingConfig,
    #[serde(default)]
    pub attendance: AttendanceConfig,
    pub log: LogConfig,
}

impl Default for Config {
    /// The embedded defaults: a SQLite file under `./data`, in-process sessions, 127.0.0.1:8080.
    fn default() -> Self {
        Config {
            server: ServerConfig {
                listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
                request_timeout_secs: 30,
                shutdown_grace_secs: 30,
                body_limit_bytes: 1024 * 1024,
                trusted_proxies: Vec::new(),
            },
            database: DatabaseConfig {
                url: SecretUrl::new("sqlite://data/abdi.sqlite?mode=rwc"),
                max_connections: 16,
                connect_timeout_secs: 5,
                migrate_on_start: true,
            },
            sessions: SessionsConfig {
                backend: SessionBackend::Memory,
                redis_url: SecretUrl::new("redis://127.0.0.1:6379"),
                key_prefix: "abdi:".into(),
                redis_timeout_ms: 1000,
            },
            identity: IdentityConfig {
                public_url: "http://localhost:8080".into(),
                allowed_email_domains: vec!["go.id".into()],
                activation_ttl_secs: 15 * 60,
                session_idle_secs: 14 * 24 * 3600,
                session_absolute_secs: 90 * 24 * 3600,
                activation_per_ip: 20,
                activation_per_account: 5,
                login_per_ip: 60,
                login_per_account: 10,
                rate_window_secs: 15 * 60,
                rp_id: "localhost".into(),
                rp_origin: "http://localhost:8080".into(),
                step_up_max_age_secs: 5 * 60,
                android_package: None,
                android_cert_sha256: Vec::new(),
                ios_team_id: None,
                ios_bundle_id: None,
                sms_transport: SmsTransport::Log,
                sms_spool_dir: PathBuf::from("data/sms"),
                phone_code_ttl_secs: 10 * 60,
            },
            sso: Vec::new(),
            email: EmailConfig {
                transport: EmailTransport::Log,
                smtp_host: "127.0.0.1".into(),
                smtp_port: 25,
                smtp_tls: SmtpTls::Starttls,
                smtp_username: None,
                smtp_password: None,
                from: "Abdi <no-reply@abdi.go.id>".into(),
            },
            storage: StorageConfig {
                backend: StorageBackend::Local,
                path: PathBuf::from("data/objects"),
                max_upload_bytes: 10 * 1024 * 1024,
                pending_uploads_per_employee: 30,
                pending_upload_ttl_hours: 48,
                s3_bucket: "abdi".into(),
                s3_endpoint: String::new(),
                s3_region: "us-east-1".into(),
                s3_access_key_id: String::new(),
                s3_secret_access_key: None,
                s3_allow_http: false,
            },
            documents: DocumentsConfig {
                agency: "Pemerintah Provinsi Jawa Timur".into(),
                address: "Jalan Pahlawan Nomor 110, Surabaya 60174".into(),
                place: "Surabaya".into(),
                number_format: "800.1.11/{seq}/{unit}/{year}".into(),
                signer: SignerBackend::Local,
                local_dir: PathBuf::from("data/pki"),
                trust_roots: Vec::new(),
                certificate_authority: "Otoritas Sertifikat Lokal Abdi (bukan BSrE)".into(),
                remote_url: String::new(),
                remote_username: String::new(),
                remote_password: None,
                remote_timeout_secs: 60,
                verify_max_bytes: 20 * 1024 * 1024,
                verify_per_ip: 30,
                verify_window_secs: 600,
                verify_concurrency: 2,
            },
            notifications: NotificationsConfig {
                worker: true,
                batch_size: 100,
                lease_secs: 60,
                max_attempts: 8,
                backoff_base_ms: 5_000,
                backoff_max_secs: 3_600,
                poll_interval_ms: 1_000,
                email: true,
                fcm_service_account: None,
                fcm_url: "https://fcm.googleapis.com".into(),
                apns_key_path: None,
                apns_key_id: String::new(),
                apns_team_id: String::new(),
                apns_topic: String::new(),
                apns_url: "https://api.push.apple.com".into(),
                send_timeout_secs: 10,
                stream_keepalive_secs: 15,
                streams_per_session: 3,
            },
            promotion: PromotionConfig::default(),
            sharing: SharingConfig::default(),
            attendance: AttendanceConfig::default(),
            log: LogConfig {
                format: LogFormat::Json,
                level: "info".into(),
                slow_request_ms: 1000,
            },
        }
    }
}

/// Why configuration was refused; `Display` is one line naming the key and where it came from.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Defaults, then `file` (if given), then `ABDI__` variables from the process environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        Self::load_with_env(file, std::env::vars())
    }

    /// Like [`Config::load`] with the environment given as pairs: `ABDI__DATABASE__URL` sets
    /// `database.url`; a value is read as a number or boolean when it is one, else as text.
    pub fn load_with_env<K: AsRef<str>, V: AsRef<str>>(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Config, ConfigError> {
        let mut figment = Self::figment(file)?;
        for (key, value) in env {
            let Some(path) = key.as_ref().strip_prefix("ABDI__") else {
                continue;
            };
            let path = path.to_ascii_lowercase().replace("__", ".");
            let value = value.as_ref();
            let parsed: figment::value::Value = value
                .parse()
                .unwrap_or_else(|_| figment::value::Value::from(value.to_owned()));
            figment = figment
                .merge(Serialized::default(&path, parsed).profile(figment::Profile::Default));
        }
        Self::from_figment(figment)
    }

    fn figment(file: Option<&Path>) -> Result<Figment, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError::MissingFile(path.to_owned()));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        Ok(figment)
    }

    fn from_figment(figment: Figment) -> Result<Config, ConfigError> {
        let config: Config = figment.extract().map_err(|e| {
            let first = e.into_iter().next().map(describe).unwrap_or_default();
            ConfigError::Invalid(first)
        })?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), ConfigError> {
        let url = self.database.url.expose();
        if !(url.starts_with("postgres://")
            || url.starts_with("postgresql://")
            || url.starts_with("sqlite:"))
        {
            return Err(ConfigError::Invalid(format!(
                "database.url must start with postgres:// or sqlite:, got {}",
                self.database.url.redacted()
            )));
        }
        if self.database.max_connections == 0 {
            return Err(ConfigError::Invalid(
                "database.max_connections must be at least 1".into(),
            ));
        }
        if self.sessions.backend == SessionBackend::Redis
            && !self.sessions.redis_url.expose().starts_with("redis://")
            && !self.sessions.redis_url.expose().starts_with("rediss://")
        {
            return Err(ConfigError::Invalid(format!(
                "sessions.redis_url must start with redis:// or rediss://, got {}",
                self.sessions.redis_url.redacted()
            )));
        }
        if url.starts_with("sqlite:") && url.contains(":memory:") {
            return Err(ConfigError::Invalid(
                "database.url: an in-memory SQLite database loses its data when idle; use a file \
                 (sqlite://path/abdi.sqlite?mode=rwc)"
                    .into(),
            ));
        }
        if self.sessions.key_prefix.is_empty() {
            return Err(ConfigError::Invalid(
                "sessions.key_prefix must not be empty (instances and tests share Redis)".into(),
            ));
        }
        if self.sessions.redis_timeout_ms == 0 {
            return Err(ConfigError::Invalid(
                "sessions.redis_timeout_ms must be at least 1".into(),
            ));
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log.level) {
            return Err(ConfigError::Invalid(format!(
                "log.level '{}' is not a tracing filter: {e}",
                self.log.level
            )));
        }
        if self.identity.session_idle_secs == 0
            || self.identity.session_absolute_secs < self.identity.session_idle_secs
        {
            return Err(ConfigError::Invalid(
                "identity.session_absolute_secs must be at least identity.session_idle_secs, \
                 and both above 0"
                    .into(),
            ));
        }
        if self.identity.allowed_email_domains.is_empty() {
            return Err(ConfigError::Invalid(
                "identity.allowed_email_domains must name at least one domain".into(),
            ));
        }
        if self.email.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::Invalid(format!(
                "email.from '{}' is not a mailbox like `Abdi <no-reply@example.go.id>`",
                self.email.from
            )));
        }
        let n = &self.notifications;
        if n.batch_size == 0
            || n.max_attempts == 0
            || n.lease_secs <= n.send_timeout_secs
            || n.poll_interval_ms == 0
            || n.stream_keepalive_secs == 0
            || n.streams_per_session == 0
        {
            return Err(ConfigError::Invalid(
                "notifications: batch_size, max_attempts, poll_interval_ms, \
                 stream_keepalive_secs and streams_per_session must be at least 1, and lease_secs longer than \
                 send_timeout_secs"
                    .into(),
            ));
        }
        if n.apns_key_path.is_some()
            && (n.apns_key_id.is_empty() || n.apns_team_id.is_empty() || n.apns_topic.is_empty())
        {
            return Err(ConfigError::Invalid(
                "notifications.apns_key_path needs apns_key_id, apns_team_id and apns_topic".into(),
            ));
        }
        if self.server.request_timeout_secs == 0 {
            return Err(ConfigError::Invalid(
                "server.request_timeout_secs must be at least 1".into(),
            ));
        }
        Ok(())
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.server.request_timeout_secs)
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.server.shutdown_grace_secs)
    }
}

/// One line for a figment error: what is wrong, at which key, from which source. Values are
/// never echoed (they may be secrets).
fn describe(e: figment::Error) -> String {
    use figment::error::Kind;
    let key = e.path.join(".");
    let source = e
        .metadata
        .as_ref()
        .map(|m| match &m.source {
            Some(figment::Source::File(p)) => format!(" (in {})", p.display()),
            _ if m.name.contains("environment") => " (in ABDI__ environment variables)".into(),
            _ => String::new(),
        })
        .unwrap_or_default();
    let what = match &e.kind {
        Kind::UnknownField(field, _) => {
            let at = if key.is_empty() {
                field.clone()
            } else if e.path.last() == Some(field) {
                key
            } else {
                format!("{key}.{field}")
            };
            return format!("unknown key '{at}'{source}");
        }
        Kind::MissingField(field) => format!("missing key '{field}'"),
        Kind::InvalidType(actual, expected) => format!("expected {expected}, found {actual}"),
        Kind::InvalidValue(_, expected) => format!("invalid value, expected {expected}"),
        Kind::UnknownVariant(v, expected) => {
            format!(
                "unknown value '{v}', expected one of {}",
                expected.join(", ")
            )
        }
        other => other.to_string().replace('\n', " "),
    };
    if key.is_empty() {
        format!("{what}{source}")
    } else {
        format!("'{key}': {what}{source}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_ENV: [(&str, &str); 0] = [];

    #[test]
    fn defaults_are_the_embedded_setup() {
        let c = Config::load_with_env(None, NO_ENV).unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.server.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.sessions.backend, SessionBackend::Memory);
        assert!(c.database.url.expose().starts_with("sqlite:"));
    }

    #[test]
    fn file_then_environment_override() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abdi.toml");
        std::fs::write(
            &path,
            "[server]\nlisten = \"0.0.0.0:9000\"\n[sessions]\nbackend = \"redis\"\n",
        )
        .unwrap();
        let c = Config::load_with_env(
            Some(&path),
            [
                ("ABDI__SERVER__LISTEN", "127.0.0.1:9100"),
                ("ABDI__DATABASE__MAX_CONNECTIONS", "4"),
            ],
        )
        .unwrap();
        assert_eq!(c.server.listen.to_string(), "127.0.0.1:9100");
        assert_eq!(c.sessions.backend, SessionBackend::Redis);
        assert_eq!(c.database.max_connections, 4);
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abdi.toml");
        std::fs::write(&path, "[database]\nurll = \"x\"\n").unwrap();
        let e = Config::load_with_env(Some(&path), NO_ENV)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown key 'database.urll'"), "{e}");
        assert!(e.contains("abdi.toml"), "{e}");
        assert!(!e.contains('\n'));

        let e = Config::load_with_env(None, [("ABDI__SERVER__PORT", "1")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown key 'server.port'"), "{e}");

        let e = Config::load_with_env(None, [("ABDI__SESSIONS__BACKEND", "memcached")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("memcached") && e.contains("redis"), "{e}");
    }

    #[test]
    fn a_missing_file_and_bad_values_are_one_clear_line() {
        let e = Config::load_with_env(Some(Path::new("/nonexistent/abdi.toml")), NO_ENV)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "configuration file /nonexistent/abdi.toml does not exist"
        );
        let e = Config::load_with_env(None, [("ABDI__DATABASE__URL", "mysql://root:pw@h/db")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("database.url must start with"), "{e}");
        assert!(!e.contains("pw"), "the password leaked: {e}");
        let e = Config::load_with_env(None, [("ABDI__SERVER__LISTEN", "localhost")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("server.listen"), "{e}");
    }

    #[test]
    fn checks_values_that_would_fail_later() {
        for (key, value, expect) in [
            ("ABDI__LOG__LEVEL", "verbose[", "log.level"),
            ("ABDI__SESSIONS__REDIS_TIMEOUT_MS", "0", "redis_timeout_ms"),
            ("ABDI__SESSIONS__KEY_PREFIX", "", "key_prefix"),
            ("ABDI__DATABASE__URL", "sqlite::memory:", "in-memory"),
        ] {
            let e = Config::load_with_env(None, [(key, value)])
                .unwrap_err()
                .to_string();
            assert!(e.contains(expect), "{key}={value}: {e}");
        }
        // Unrelated variables are ignored; booleans and numbers are typed.
        let c = Config::load_with_env(
            None,
            [
                ("HOME", "/root"),
                ("ABDI__DATABASE__MIGRATE_ON_START", "false"),
            ],
        )
        .unwrap();
        assert!(!c.database.migrate_on_start);
    }

    #[test]
    fn secrets_never_appear_in_debug() {
        let mut c = Config::default();
        c.database.url = SecretUrl::new(
            "postgres://abdi:s3cr3t-pw@db.internal:5432/abdi?sslmode=require&password=x",
        );
        c.sessions.redis_url = SecretUrl::new("redis://:r3dis-pw@cache:6379/0");
        let debug = format!("{c:?}");
        assert!(!debug.contains("s3cr3t-pw"), "{debug}");
        assert!(!debug.contains("r3dis-pw"), "{debug}");
        assert!(!debug.contains("password=x"), "{debug}");
        assert!(
            debug.contains("postgres://abdi:***@db.internal:5432/abdi?***"),
            "{debug}"
        );
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }
}
