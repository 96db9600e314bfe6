//! Data sharing with other government systems (SE Sekjen Kemenag 32502/2019; Pergub Jatim
//! 73/2020 Pasal 20-30; UU 27/2022): the registry of client systems, the data API they call,
//! the log of every call, and the public statistics that never reveal a person.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::Text;
use crate::record::{EducationEntry, FamilyEntry, PositionEntry, RankEntry};

/// What a client may read. A client holds a list of these; a token carries those asked for.
/// The sensitive ones (UU 27/2022 Pasal 4; the NIK and the family, children included) are in
/// no default: a client must be granted them by name and must ask for them by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DataScope {
    /// NIP, name and titles, gender, employment type, rank and its TMT, education level, unit,
    /// post, whether active.
    #[serde(rename = "employees")]
    Employees,
    /// Place and date of birth.
    #[serde(rename = "employees.birth")]
    Birth,
    /// Official email and phone.
    #[serde(rename = "employees.contact")]
    Contact,
    /// TMT CPNS and TMT PNS.
    #[serde(rename = "employees.service")]
    Service,
    /// The NIK (sensitive).
    #[serde(rename = "employees.nik")]
    Nik,
    /// Riwayat golongan.
    #[serde(rename = "rank_history")]
    RankHistory,
    /// Riwayat jabatan.
    #[serde(rename = "position_history")]
    PositionHistory,
    /// Riwayat pendidikan.
    #[serde(rename = "education_history")]
    EducationHistory,
    /// Spouse, children and parents (sensitive: data about children).
    #[serde(rename = "family")]
    Family,
}

impl DataScope {
    pub const ALL: [DataScope; 9] = [
        DataScope::Employees,
        DataScope::Birth,
        DataScope::Contact,
        DataScope::Service,
        DataScope::Nik,
        DataScope::RankHistory,
        DataScope::PositionHistory,
        DataScope::EducationHistory,
        DataScope::Family,
    ];

    /// What a client gets when it registers without naming scopes, and what a token gets
    /// when it is asked for without any: never a sensitive one.
    pub const DEFAULT: [DataScope; 4] = [
        DataScope::Employees,
        DataScope::RankHistory,
        DataScope::PositionHistory,
        DataScope::EducationHistory,
    ];

    /// Specific personal data (UU 27/2022 Pasal 4(2)) or an identifier that opens it.
    pub fn sensitive(self) -> bool {
        matches!(self, DataScope::Nik | DataScope::Family)
    }

    /// The name a token request and the log use (`employees.nik`).
    pub fn as_str(self) -> &'static str {
        match self {
            DataScope::Employees => "employees",
            DataScope::Birth => "employees.birth",
            DataScope::Contact => "employees.contact",
            DataScope::Service => "employees.service",
            DataScope::Nik => "employees.nik",
            DataScope::RankHistory => "rank_history",
            DataScope::PositionHistory => "position_history",
            DataScope::EducationHistory => "education_history",
            DataScope::Family => "family",
        }
    }

    pub fn parse(s: &str) -> Option<DataScope> {
        DataScope::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// The fields of a data-API employee this scope opens.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            DataScope::Employees => &[
                "nip",
                "name",
                "front_title",
                "back_title",
                "gender",
                "employment_type",
                "rank_code",
                "rank_tmt",
                "education_level",
                "unit_code",
                "unit_name",
                "position_code",
                "position_title",
                "active",
            ],
            DataScope::Birth => &["birth_place", "birth_date"],
            DataScope::Contact => &["email", "phone"],
            DataScope::Service => &["tmt_cpns", "tmt_pns"],
            DataScope::Nik => &["nik"],
            DataScope::RankHistory => &["rank_history"],
            DataScope::PositionHistory => &["position_history"],
            DataScope::EducationHistory => &["education_history"],
            DataScope::Family => &["family"],
        }
    }
}

/// How a client proves who it is at the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum ClientAuth {
    /// A secret Abdi makes, shown once (`client_secret_basic` or `client_secret_post`).
    ClientSecret,
    /// A JWT the client signs with its own key (RFC 7523, `private_key_jwt`): RS256 or ES256.
    PrivateKeyJwt {
        /// The client's public key, PEM (`-----BEGIN PUBLIC KEY-----`).
        public_key_pem: String,
    },
    /// Mutual TLS (RFC 8705, the certificate pinned by its SHA-256 thumbprint), where the
    /// deployment's own TLS terminator asks clients for their certificate and hands it to
    /// Abdi (`sharing.client_certificate_header`). Its tokens are bound to the certificate.
    TlsClientAuth {
        /// The client's certificate, PEM (`-----BEGIN CERTIFICATE-----`); self-signed or not.
        certificate_pem: String,
    },
}

/// How a registered client authenticates, as the registry shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    ClientSecret,
    PrivateKeyJwt,
    TlsClientAuth,
}

/// The agreement a client's access rests on (PKS, MoU, a decision on a request by letter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agreement {
    pub number: String,
    pub date: NaiveDate,
    /// The last day it is in force; the day after, the client is suspended by itself.
    pub expires_on: NaiveDate,
}

/// Who answers for the client system (PKS Setneg-BKN 2022: each side names a contact and tells
/// the other of API changes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
}

/// `POST /api/v1/admin/data-clients`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewDataClient {
    /// The agency the system belongs to ("Kementerian Agama").
    pub agency: String,
    /// The unit that asked and answers for it ("Biro Kepegawaian").
    pub unit: String,
    pub agreement: Agreement,
    /// What the data serves, as the letter says; every logged call carries it.
    pub purpose: String,
    pub contact: Contact,
    /// The client's source networks (CIDR, `203.0.113.0/24`, or one address); at least one.
    pub networks: Vec<String>,
    /// What it may read; [`DataScope::DEFAULT`] when empty.
    #[serde(default)]
    pub scopes: Vec<DataScope>,
    /// The unit codes whose employees (and everything below them) it may read; at least one.
    pub units: Vec<String>,
    pub auth: ClientAuth,
    /// Calls per minute (60 when not given).
    #[serde(default)]
    pub rate_per_minute: Option<u32>,
}

/// A client's state. `expired` is what an active client becomes by itself after its
/// agreement's last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClientStatus {
    Active,
    Suspended,
    Expired,
    Revoked,
}

/// A registered client system, as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataClient {
    pub id: uuid::Uuid,
    /// What the client sends as `client_id`.
    pub client_id: String,
    pub agency: String,
    pub unit: String,
    pub agreement: Agreement,
    pub purpose: String,
    pub contact: Contact,
    pub networks: Vec<String>,
    pub scopes: Vec<DataScope>,
    pub units: Vec<String>,
    pub auth_method: AuthMethod,
    pub rate_per_minute: u32,
    pub status: ClientStatus,
    pub status_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When its credential was last issued (registration or rotation).
    pub credential_issued_at: DateTime<Utc>,
    /// No credential yet: a client granted by a decision gets its first one from an
    /// administrator (`rotate`), who hands it to the agency.
    pub credential_pending: bool,
    /// The request by letter whose signed decision granted it (Pasal 20).
    pub request_id: Option<uuid::Uuid>,
    /// The only employees it may read (NIPs), when the letter named them; empty for a client
    /// that reads its whole units.
    pub persons: Vec<String>,
}

/// A client with its credential, shown this once: Abdi keeps only a hash of the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedClient {
    pub client: DataClient,
    /// For `client_secret`; `None` for `private_key_jwt`.
    pub client_secret: Option<String>,
}

/// `POST /api/v1/admin/data-clients/{id}/rotate`: a new credential; the old one and every
/// token made with it stop working at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CredentialRotation {
    /// For a `private_key_jwt` client, its new public key (PEM); for a secret client, none.
    #[serde(default)]
    pub public_key_pem: Option<String>,
    /// For a `tls_client_auth` client, its new certificate (PEM).
    #[serde(default)]
    pub certificate_pem: Option<String>,
    pub reason: String,
}

/// Suspend, resume or revoke a client, with the reason (a leak, misuse, a letter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientStatusChange {
    pub reason: String,
}

/// The token endpoint's answer (RFC 6749 5.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessToken {
    pub access_token: String,
    /// `Bearer`.
    pub token_type: String,
    pub expires_in: u64,
    /// The scopes granted, space-separated.
    pub scope: String,
}

/// An employee as the data API answers: only what the token's scopes open is present.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedEmployee {
    pub nip: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub front_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_title: Option<String>,
    /// `male` or `female`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// `pns`, `cpns` or `pppk`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employment_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_tmt: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub education_level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_place: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tmt_cpns: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tmt_pns: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nik: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_history: Option<Vec<RankEntry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position_history: Option<Vec<PositionEntry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub education_history: Option<Vec<EducationEntry>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<Vec<FamilyEntry>>,
}

/// A page of employees; pass `next` as `after`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedEmployeePage {
    pub items: Vec<SharedEmployee>,
    pub next: Option<String>,
}

/// The employees changed since a cursor, each as it is now. Keep `cursor` and send it as
/// `since` next time; `more` says another page is ready at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedChanges {
    pub items: Vec<SharedEmployee>,
    /// The NIPs of employees who left the client's units (moved elsewhere) since the cursor:
    /// the client deletes them.
    #[serde(default)]
    pub removed: Vec<String>,
    pub cursor: String,
    pub more: bool,
}

/// One call to the data API, as the access log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataAccess {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub client_id: uuid::Uuid,
    pub agency: String,
    pub unit: String,
    pub purpose: String,
    pub method: String,
    pub path: String,
    pub address: String,
    pub status: u16,
    /// The fields returned (none for a refused call).
    pub fields: Vec<String>,
    /// The NIPs returned.
    pub nips: Vec<String>,
}

/// A page of the access log, newest first; pass `next` as `after`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataAccessPage {
    pub items: Vec<DataAccess>,
    pub next: Option<String>,
}

/// A read of the employee's own data by another system (UU 27/2022 Pasal 32: the right of
/// access to the processing trail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyDataAccess {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub agency: String,
    pub unit: String,
    pub purpose: String,
    /// The fields of theirs it received.
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyDataAccessPage {
    pub items: Vec<MyDataAccess>,
    pub next: Option<String>,
}

/// A dimension the public statistics are cut by (against the perangkat daerah).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Rank,
    Education,
    AgeBand,
    Gender,
    EmploymentType,
    RetirementYear,
}

impl Dimension {
    pub const ALL: [Dimension; 6] = [
        Dimension::Rank,
        Dimension::Education,
        Dimension::AgeBand,
        Dimension::Gender,
        Dimension::EmploymentType,
        Dimension::RetirementYear,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Rank => "rank",
            Dimension::Education => "education",
            Dimension::AgeBand => "age_band",
            Dimension::Gender => "gender",
            Dimension::EmploymentType => "employment_type",
            Dimension::RetirementYear => "retirement_year",
        }
    }

    pub fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == s)
    }

    pub fn title(self) -> Text {
        let (id, en) = match self {
            Dimension::Rank => ("Golongan ruang", "Rank"),
            Dimension::Education => ("Pendidikan terakhir", "Highest education"),
            Dimension::AgeBand => ("Kelompok umur", "Age band"),
            Dimension::Gender => ("Jenis kelamin", "Gender"),
            Dimension::EmploymentType => ("Jenis kepegawaian", "Employment type"),
            Dimension::RetirementYear => ("Tahun pensiun (BUP)", "Retirement year (BUP)"),
        };
        Text::new(id, en)
    }
}

/// One column of a statistics table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatColumn {
    pub code: String,
    pub label: Text,
}

/// One perangkat daerah's row. A suppressed count is `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatRow {
    pub unit_code: String,
    pub unit_name: String,
    pub cells: Vec<Option<u32>>,
    pub total: Option<u32>,
}

/// Active employees by perangkat daerah and one dimension, with the totals. A count under the
/// threshold is suppressed (`null`), and so are enough others that no suppressed count can be
/// worked out from what is published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatTable {
    pub dimension: Dimension,
    pub title: Text,
    pub computed_at: DateTime<Utc>,
    /// Counts from 1 to `threshold - 1` are never shown.
    pub threshold: u32,
    pub columns: Vec<StatColumn>,
    pub rows: Vec<StatRow>,
    /// The column totals (a suppressed one is `null`).
    pub totals: Vec<Option<u32>>,
    pub grand_total: u32,
    /// How many counts (cells and totals) are suppressed.
    pub suppressed: u32,
}

/// `GET /api/data/v1/statistics`: the tables on offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatIndex {
    pub computed_at: DateTime<Utc>,
    pub threshold: u32,
    pub grand_total: u32,
    pub tables: Vec<StatIndexEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatIndexEntry {
    pub dimension: Dimension,
    pub title: Text,
    /// The JSON; add `?format=csv` for CSV.
    pub href: String,
}

/// `POST /api/data/v1/token` (form-encoded, RFC 6749 4.4 and RFC 7523 2.2). The client
/// authenticates with HTTP Basic (`client_id:client_secret`), or with `client_id` and
/// `client_secret` in the form, or with a `client_assertion` it signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenRequest {
    /// `client_credentials`.
    pub grant_type: String,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret: Option<String>,
    /// `urn:ietf:params:oauth:client-assertion-type:jwt-bearer`.
    #[serde(default)]
    pub client_assertion_type: Option<String>,
    /// A JWT (RS256 or ES256) with `iss` and `sub` the client_id, `aud` the token endpoint's
    /// URL, `exp` at most 10 minutes ahead, and a `jti` used once.
    #[serde(default)]
    pub client_assertion: Option<String>,
    /// The scopes wanted, space-separated; without it, every scope granted but the sensitive.
    #[serde(default)]
    pub scope: Option<String>,
}
