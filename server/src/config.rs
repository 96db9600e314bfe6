//! Layered configuration: embedded defaults, then an optional TOML file, then `ABDI__...`
//! environment variables (`ABDI__DATABASE__URL` sets `database.url`). Unknown keys are refused
//! with a message naming them; secrets are redacted in `Debug` and never logged.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// A value that must never be printed: `Debug` and `Display` show `***`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that needs it (a connection, a signature).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A connection URL whose password is a secret: `Debug` and [`SecretUrl::redacted`] show the
/// scheme, host and path, never the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretUrl(Secret);

impl SecretUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(Secret::new(url))
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// The URL with any password (and any query string, which may carry one) replaced by `***`.
    pub fn redacted(&self) -> String {
        let url = self.0.expose();
        let (base, has_query) = match url.split_once('?') {
            Some((b, _)) => (b, true),
            None => (url, false),
        };
        let redacted = match base.split_once("://") {
            Some((scheme, rest)) => match rest.rsplit_once('@') {
                Some((userinfo, host)) => {
                    let user = userinfo.split(':').next().unwrap_or("");
                    format!("{scheme}://{user}:***@{host}")
                }
                None => format!("{scheme}://{rest}"),
            },
            None => base.to_owned(),
        };
        if has_query {
            format!("{redacted}?***")
        } else {
            redacted
        }
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretUrl({})", self.redacted())
    }
}

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
    pub log: LogConfig,
}

/// Notifications: the outbox worker, its retries, and the push providers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationsConfig {
    /// Run the delivery worker in `serve` (every instance may run one; they share the work).
    pub worker: bool,
    /// Deliveries one worker claims at a time.
    pub batch_size: u32,
    /// How long a claim lasts; a worker that dies mid-batch leaves its deliveries to others
    /// after this.
    pub lease_secs: u64,
    /// Attempts before a delivery is dead-lettered.
    pub max_attempts: u32,
    /// The first retry waits about this long (with jitter), each next one twice as long.
    pub backoff_base_ms: u64,
    pub backoff_max_secs: u64,
    /// How often an idle worker looks for work another instance queued.
    pub poll_interval_ms: u64,
    /// Send news about requests by email (to the employee's address).
    pub email: bool,
    /// Firebase Cloud Messaging HTTP v1: off unless a service-account JSON file is given.
    pub fcm_service_account: Option<PathBuf>,
    /// FCM's base URL (messages go to `{fcm_url}/v1/projects/{project}/messages:send`).
    pub fcm_url: String,
    /// Apple Push Notification service: off unless a `.p8` key is given.
    pub apns_key_path: Option<PathBuf>,
    pub apns_key_id: String,
    pub apns_team_id: String,
    /// The app's bundle id (`apns-topic`).
    pub apns_topic: String,
    /// `https://api.push.apple.com`, or `https://api.sandbox.push.apple.com` for development
    /// builds. A plain `http://` URL speaks HTTP/2 without TLS (test endpoints).
    pub apns_url: String,
    /// Timeout of one call to a provider or the mail server.
    pub send_timeout_secs: u64,
    /// A comment line on idle event streams this often, so proxies keep them open.
    pub stream_keepalive_secs: u64,
    /// Event streams one session may hold open at once (past that, 429).
    pub streams_per_session: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignerBackend {
    /// A key and certificate chain from files (`local_dir`); a local CA is made on first run
    /// when the folder is empty. Letters are signed at the decision.
    Local,
    /// A BSrE-style signing service over HTTP: the official signs a batch with their NIK and
    /// passphrase or one-time code.
    Remote,
}

/// Decision letters: their letterhead, numbering and signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentsConfig {
    /// The letterhead's first line (the instansi).
    pub agency: String,
    /// The letterhead's address line.
    pub address: String,
    /// Where letters are issued ("Surabaya, 23 November 2026").
    pub place: String,
    /// The letter number; `{seq}` (per year), `{unit}` (the signer's perangkat daerah code)
    /// and `{year}` are filled in.
    pub number_format: String,
    pub signer: SignerBackend,
    /// The local signer's folder: key.pem, chain.pem (signer first), root.pem.
    pub local_dir: PathBuf,
    /// More trusted roots (PEM files), e.g. BSrE's root; the local root is trusted with the
    /// local signer.
    pub trust_roots: Vec<PathBuf>,
    /// Who issued the signing certificates, as the letters' footer names it.
    pub certificate_authority: String,
    /// The remote signing service, e.g. `https://esign.example.go.id`.
    pub remote_url: String,
    /// The platform's own account at the signing service (HTTP basic auth).
    pub remote_username: String,
    pub remote_password: Option<Secret>,
    pub remote_timeout_secs: u64,
    /// Largest PDF the public verification accepts.
    pub verify_max_bytes: usize,
    /// Verifications one client address may ask for per `verify_window_secs` (429 past it).
    pub verify_per_ip: u64,
    pub verify_window_secs: u64,
    /// Verifications running at once on this instance; past that, 503 with Retry-After.
    pub verify_concurrency: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StorageBackend {
    /// A folder on this machine (the embedded default; one instance).
    Local,
    /// An S3-compatible object store, shared by every instance.
    S3,
}

/// Where attachments and documents are kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    pub backend: StorageBackend,
    /// The folder for `backend = "local"` (created if missing).
    pub path: PathBuf,
    /// Largest accepted upload; larger ones are refused while they stream in.
    pub max_upload_bytes: u64,
    /// Files one employee may have uploaded but not yet sent with a request.
    pub pending_uploads_per_employee: u32,
    /// A file never sent with a request is removed this long after its upload.
    pub pending_upload_ttl_hours: u32,
    pub s3_bucket: String,
    /// e.g. `https://s3.ap-southeast-3.amazonaws.com` or a MinIO address.
    pub s3_endpoint: String,
    pub s3_region: String,
    pub s3_access_key_id: String,
    pub s3_secret_access_key: Option<Secret>,
    /// Allow plain `http://` endpoints (a local MinIO).
    pub s3_allow_http: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityConfig {
    /// Where people reach Abdi; activation links start with it.
    pub public_url: String,
    /// Official email domains accepted at activation (a subdomain of one counts).
    pub allowed_email_domains: Vec<String>,
    /// How long an activation link stays valid.
    pub activation_ttl_secs: u64,
    /// A session unused for this long ends.
    pub session_idle_secs: u64,
    /// A session ends this long after login, however much it is used.
    pub session_absolute_secs: u64,
    /// Send the browser session cookie only over HTTPS.
    pub cookie_secure: bool,
    /// Activation requests allowed per window, per client IP and per NIP.
    pub activation_per_ip: u64,
    pub activation_per_account: u64,
    /// Login attempts allowed per window, per client IP and per account.
    pub login_per_ip: u64,
    pub login_per_account: u64,
    pub rate_window_secs: u64,
    /// WebAuthn relying-party id: the domain passkeys are bound to (e.g. `abdi.jatimprov.go.id`).
    pub rp_id: String,
    /// The origin the app and browser present (`https://...`, or `http://localhost` in dev).
    pub rp_origin: String,
    /// Sensitive actions need a passkey assertion no older than this.
    pub step_up_max_age_secs: u64,
}

/// One OpenID Connect provider (BKN's Keycloak, or any certified provider).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoProviderConfig {
    /// Short name used in the API path, e.g. `bkn`.
    pub name: String,
    /// The issuer URL; its discovery document and keys are fetched from it.
    pub issuer: String,
    pub client_id: String,
    /// Present for a confidential client, absent for a public one.
    #[serde(default)]
    pub client_secret: Option<Secret>,
    /// The redirect URI the app registered and used in the authorization request.
    pub redirect_uri: String,
    /// Where the provider sends the browser after logout.
    #[serde(default)]
    pub post_logout_redirect_uri: Option<String>,
    /// The ID-token claim that holds the employee's NIP.
    #[serde(default = "default_nip_claim")]
    pub nip_claim: String,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
}

fn default_nip_claim() -> String {
    "nip".into()
}

fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "profile".into()]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailTransport {
    /// Written to the log (the embedded default).
    Log,
    Smtp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// Plain SMTP (a local relay or a test server).
    None,
    Starttls,
    /// Implicit TLS (SMTPS, usually port 465).
    Tls,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    pub transport: EmailTransport,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<Secret>,
    /// The sender, e.g. `Abdi <no-reply@bkd.jatimprov.go.id>`.
    pub from: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// A request taking longer is answered 504 `timeout`.
    pub request_timeout_secs: u64,
    /// After SIGTERM, in-flight requests get this long to finish.
    pub shutdown_grace_secs: u64,
    /// Largest accepted request body.
    pub body_limit_bytes: usize,
    /// Load balancers and reverse proxies whose `X-Forwarded-For` is believed: the client's
    /// address (for rate limits and the audit log) is the last address in it that is not one
    /// of these. Empty: the TCP peer is the client.
    #[serde(default)]
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `postgres://user:password@host/db` or `sqlite://path?mode=rwc`.
    pub url: SecretUrl,
    pub max_connections: u32,
    pub connect_timeout_secs: u64,
    /// Apply pending migrations when `serve` starts.
    pub migrate_on_start: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionBackend {
    /// In-process: for one instance (the embedded default) and tests.
    Memory,
    /// Redis: shared by every instance.
    Redis,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionsConfig {
    pub backend: SessionBackend,
    /// `redis://[:password@]host:port[/db]`, used when `backend = "redis"`.
    pub redis_url: SecretUrl,
    /// Every key this instance writes starts with this prefix.
    pub key_prefix: String,
    /// A Redis command not answered in this time fails (and the connection is re-established).
    pub redis_timeout_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Json,
    Pretty,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    pub format: LogFormat,
    /// A tracing filter, e.g. `info` or `abdi_server=debug,sqlx=warn`.
    pub level: String,
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
                cookie_secure: true,
                activation_per_ip: 20,
                activation_per_account: 5,
                login_per_ip: 60,
                login_per_account: 10,
                rate_window_secs: 15 * 60,
                rp_id: "localhost".into(),
                rp_origin: "http://localhost:8080".into(),
                step_up_max_age_secs: 5 * 60,
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
            log: LogConfig {
                format: LogFormat::Json,
                level: "info".into(),
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
