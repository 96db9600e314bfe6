//! Data sharing with other government systems (SE Sekjen Kemenag 32502/2019; Pergub Jatim
//! 73/2020 Pasal 20-30; UU 27/2022 Pelindungan Data Pribadi).
//!
//! - [`clients`]: the registry. A client system is registered by an administrator (stepped up)
//!   with its agreement, purpose, contact, source networks, scopes and units; its credential is
//!   shown once and kept as a hash; it is rotated, suspended, resumed and revoked, each change a
//!   row of its history. An agreement past its last day suspends the client by itself.
//! - [`token`]: the OAuth2 token endpoint (client credentials, with a secret or
//!   `private_key_jwt`), and the check every data call passes: a live token of the current
//!   credential, an active client within its agreement, a source address in its networks, its
//!   rate limit.
//! - [`keys`]: a client's public key for `private_key_jwt`, read and verified.
//! - [`data`]: what the data API answers: employees by unit or NIP and their histories, and the
//!   employees changed since a cursor, each with only the fields the token's scopes open.
//! - [`log`]: every call, in a table only ever appended to: for administrators, for the yearly
//!   review (CSV), and for each employee about their own data.
//! - [`requests`]: requests for personal data by letter (Pasal 18-20), a catalogue service
//!   whose granted decree becomes a time-boxed client limited to the persons and data named.
//! - [`statistics`]: the public tables, counts under the threshold suppressed with
//!   complementary suppression so that none can be worked out from what is published.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};

use crate::access::AccessError;
use crate::clock::SharedClock;
use crate::config::SharingConfig;
use crate::error::ApiError;
use crate::store::shared::{SharedStore, SharedStoreError};
use abdi_proto::ErrorCode;

pub mod clients;
pub mod data;
pub mod keys;
pub mod log;
pub mod requests;
pub mod statistics;
pub mod token;

pub mod entity {
    pub mod data_client {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "data_clients")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub client_id: String,
            pub agency: String,
            pub unit: String,
            pub agreement_number: String,
            pub agreement_date: Date,
            pub agreement_expires_on: Date,
            pub purpose: String,
            pub contact_name: String,
            pub contact_email: String,
            pub contact_phone: Option<String>,
            pub networks: String,
            pub scopes: String,
            pub units: String,
            pub auth_method: super::AuthMethod,
            pub secret_hash: Option<String>,
            pub public_key_pem: Option<String>,
            pub credential_generation: i32,
            pub credential_issued_at: DateTimeUtc,
            pub rate_per_minute: i32,
            pub status: super::StoredStatus,
            pub status_reason: Option<String>,
            pub created_by: Uuid,
            pub created_at: DateTimeUtc,
            pub updated_at: DateTimeUtc,
            /// The request by letter whose decision granted it (Pasal 20), if any.
            pub request_id: Option<Uuid>,
            /// The only persons it may read (NIPs, JSON), when the letter named them.
            pub persons: Option<String>,
            /// For `tls_client_auth`: the SHA-256 (hex) of the certificate it presents.
            pub certificate_sha256: Option<String>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    /// How a client proves who it is at the token endpoint, as stored.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, sea_orm::EnumIter, sea_orm::DeriveActiveEnum)]
    #[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
    pub enum AuthMethod {
        ClientSecret,
        PrivateKeyJwt,
        TlsClientAuth,
    }

    impl From<AuthMethod> for abdi_proto::sharing::AuthMethod {
        fn from(m: AuthMethod) -> Self {
            match m {
                AuthMethod::ClientSecret => abdi_proto::sharing::AuthMethod::ClientSecret,
                AuthMethod::PrivateKeyJwt => abdi_proto::sharing::AuthMethod::PrivateKeyJwt,
                AuthMethod::TlsClientAuth => abdi_proto::sharing::AuthMethod::TlsClientAuth,
            }
        }
    }

    /// A client's state as stored; an agreement's end is read from its date, not stored.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, sea_orm::EnumIter, sea_orm::DeriveActiveEnum)]
    #[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
    pub enum StoredStatus {
        Active,
        Suspended,
        Revoked,
    }

    pub mod data_client_change {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "data_client_changes")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub client_id: Uuid,
            pub at: DateTimeUtc,
            pub actor_id: Uuid,
            pub action: String,
            pub reason: Option<String>,
            pub address: Option<String>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod data_access {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "data_access_log")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub at: DateTimeUtc,
            pub client_id: Option<Uuid>,
            pub purpose: String,
            pub method: String,
            pub path: String,
            pub address: String,
            pub status: i32,
            pub fields: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod data_access_subject {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "data_access_subjects")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub log_id: i64,
            #[sea_orm(primary_key, auto_increment = false)]
            pub employee_id: Uuid,
            pub nip: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod statistics_snapshot {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "statistics_snapshots")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub computed_at: DateTimeUtc,
            pub reason: String,
            pub threshold: i32,
            pub tables: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

/// Why a token request's client was not authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientFailure {
    /// No client has that client_id.
    Unknown,
    /// The client authenticates another way.
    Method,
    /// The assertion's signature, issuer, audience, lifetime or jti does not fit.
    Assertion,
    /// Neither a secret nor an assertion was sent.
    Missing,
    /// The secret is wrong, or was replaced.
    Secret,
    /// No certificate, or not the one registered.
    Certificate,
}

/// Why a sharing operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum SharingError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("session store: {0}")]
    Store(#[from] SharedStoreError),
    #[error("client not found")]
    ClientNotFound,
    #[error("invalid client: {en}")]
    Invalid { id: String, en: String },
    #[error("client state: {en}")]
    State { id: String, en: String },
    #[error("invalid client credentials: {0:?}")]
    InvalidClient(ClientFailure),
    #[error("unsupported grant type")]
    UnsupportedGrantType,
    #[error("scope not granted: {0}")]
    InvalidScope(String),
    #[error("invalid token")]
    InvalidToken,
    #[error("source address not allowed: {0}")]
    SourceNotAllowed(String),
    #[error("outside the token's scope: {en}")]
    ScopeInsufficient { id: String, en: String },
    #[error("client suspended or revoked")]
    Suspended,
    #[error("agreement expired on {0}")]
    AgreementExpired(chrono::NaiveDate),
    #[error("rate limited for {0:?}")]
    RateLimited(std::time::Duration),
    #[error("bad cursor")]
    Cursor,
    #[error("invalid NIP")]
    InvalidNip,
    #[error("{0}")]
    Internal(String),
}

impl From<DbErr> for SharingError {
    fn from(e: DbErr) -> Self {
        SharingError::Access(AccessError::Database(e))
    }
}

impl SharingError {
    pub(crate) fn invalid(id: impl Into<String>, en: impl Into<String>) -> Self {
        SharingError::Invalid {
            id: id.into(),
            en: en.into(),
        }
    }

    pub(crate) fn state(id: impl Into<String>, en: impl Into<String>) -> Self {
        SharingError::State {
            id: id.into(),
            en: en.into(),
        }
    }

    /// The status the access log records for a refused call.
    pub(crate) fn status(&self) -> u16 {
        self.code().status()
    }

    fn code(&self) -> ErrorCode {
        match self {
            SharingError::Access(AccessError::EmployeeNotFound) => ErrorCode::EmployeeNotFound,
            SharingError::Access(AccessError::UnitNotFound(_)) => ErrorCode::UnitNotFound,
            SharingError::Access(AccessError::Forbidden) => ErrorCode::Forbidden,
            SharingError::Access(AccessError::StepUpRequired) => ErrorCode::StepUpRequired,
            SharingError::Access(AccessError::Database(_)) | SharingError::Store(_) => {
                ErrorCode::Unavailable
            }
            SharingError::Internal(_) => ErrorCode::Internal,
            SharingError::ClientNotFound => ErrorCode::DataClientNotFound,
            SharingError::Invalid { .. } => ErrorCode::DataClientInvalid,
            SharingError::State { .. } => ErrorCode::DataClientState,
            SharingError::InvalidClient(_) => ErrorCode::InvalidClient,
            SharingError::UnsupportedGrantType => ErrorCode::UnsupportedGrantType,
            SharingError::InvalidScope(_) => ErrorCode::InvalidScope,
            SharingError::InvalidToken => ErrorCode::InvalidToken,
            SharingError::SourceNotAllowed(_) => ErrorCode::SourceNotAllowed,
            SharingError::ScopeInsufficient { .. } => ErrorCode::ScopeInsufficient,
            SharingError::Suspended => ErrorCode::ClientSuspended,
            SharingError::AgreementExpired(_) => ErrorCode::AgreementExpired,
            SharingError::RateLimited(_) => ErrorCode::RateLimited,
            SharingError::Cursor => ErrorCode::InvalidQuery,
            SharingError::InvalidNip => ErrorCode::InvalidNip,
        }
    }
}

impl From<SharingError> for ApiError {
    fn from(e: SharingError) -> Self {
        let code = e.code();
        match e {
            SharingError::Access(e) => e.into(),
            SharingError::Store(e) => e.into(),
            SharingError::Internal(e) => {
                tracing::error!(error = %e, "data sharing");
                ApiError::new(code)
            }
            SharingError::Invalid { id, en }
            | SharingError::State { id, en }
            | SharingError::ScopeInsufficient { id, en } => ApiError::with_detail(code, id, en),
            SharingError::InvalidClient(why) => {
                let (id, en) = match why {
                    ClientFailure::Unknown => (
                        "Sistem dengan client_id ini tidak terdaftar.",
                        "No system is registered with this client_id.",
                    ),
                    ClientFailure::Method => (
                        "Sistem ini terdaftar dengan cara autentikasi lain.",
                        "This system is registered with another authentication method.",
                    ),
                    ClientFailure::Assertion => (
                        "client_assertion tidak sah: tanda tangan, penerbit, audiens, masa berlaku atau jti tidak sesuai.",
                        "The client_assertion is not valid: its signature, issuer, audience, lifetime or jti does not fit.",
                    ),
                    ClientFailure::Missing => (
                        "Kirim client_id dengan client_secret (Basic atau formulir), client_assertion, atau sertifikat klien lewat TLS.",
                        "Send client_id with client_secret (Basic or form), a client_assertion, or a client certificate over TLS.",
                    ),
                    ClientFailure::Secret => (
                        "client_secret salah atau sudah diganti.",
                        "The client_secret is wrong or has been replaced.",
                    ),
                    ClientFailure::Certificate => (
                        "Sertifikat klien tidak dikirim lewat TLS, atau bukan sertifikat yang terdaftar.",
                        "No client certificate came over TLS, or not the one registered.",
                    ),
                };
                ApiError::with_detail(code, id, en)
            }
            SharingError::InvalidScope(s) => ApiError::with_detail(
                code,
                format!("Cakupan '{s}' tidak dikenal atau tidak diberikan kepada sistem ini."),
                format!("The scope '{s}' is unknown or not granted to this system."),
            ),
            SharingError::SourceNotAllowed(a) => ApiError::with_detail(
                code,
                format!("Alamat {a} tidak termasuk jaringan yang didaftarkan untuk sistem ini."),
                format!("The address {a} is not in the networks registered for this system."),
            ),
            SharingError::AgreementExpired(d) => ApiError::with_detail(
                code,
                format!(
                    "Perjanjian berakhir pada {d}; sistem perlu didaftarkan lagi dengan perjanjian baru."
                ),
                format!(
                    "The agreement ended on {d}; the system must be registered again under a new agreement."
                ),
            ),
            SharingError::RateLimited(wait) => ApiError {
                retry_after: Some(wait.as_secs().max(1)),
                ..ApiError::new(code)
            },
            SharingError::Cursor => ApiError::with_detail(
                code,
                "Kursor tidak dikenal: gunakan nilai `cursor` atau `next` dari jawaban sebelumnya.",
                "Unknown cursor: use the `cursor` or `next` of an earlier answer.",
            ),
            _ => ApiError::new(code),
        }
    }
}

/// The data-sharing capability.
#[derive(Clone)]
pub struct Sharing {
    db: DatabaseConnection,
    store: SharedStore,
    clock: SharedClock,
    config: SharingConfig,
    /// The token endpoint's URL, the audience a client assertion names.
    token_url: String,
    statistics: statistics::Published,
}

impl Sharing {
    pub fn new(
        db: DatabaseConnection,
        store: SharedStore,
        clock: SharedClock,
        config: SharingConfig,
        public_url: &str,
    ) -> Self {
        Self {
            statistics: statistics::Published::new(db.clone(), clock.clone(), &config),
            token_url: format!("{}/api/data/v1/token", public_url.trim_end_matches('/')),
            db,
            store,
            clock,
            config,
        }
    }

    /// The published statistics.
    pub fn statistics(&self) -> &statistics::Published {
        &self.statistics
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
