//! One flat error enum for the app: a stable code to switch on, and a message in Bahasa
//! Indonesia and English.

use abdi_proto::forms::FieldError;
use abdi_proto::{ErrorCode, Lang, ProblemItem, Text};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoreError {
    #[error("invalid NIP: {0}")]
    InvalidNip(String),
    #[error("no holiday calendar cached for {0}")]
    CalendarMissing(i32),
    #[error("invalid date range: {0}")]
    InvalidRange(String),
    #[error("cached data is unreadable: {0}")]
    Corrupt(String),
    /// The server could not be reached (no network, DNS, refused, reset). Safe to try later.
    #[error("network: {0}")]
    Network(String),
    /// The server did not answer in time.
    #[error("timed out: {0}")]
    Timeout(String),
    /// The server's certificate does not carry a pinned key: someone may be in the middle.
    #[error("certificate pin mismatch: {0}")]
    CertificatePin(String),
    /// The server refused the call with a problem document; `code` is the server's stable code.
    #[error("{code} ({status}): {detail}")]
    Api {
        code: ErrorCode,
        status: u16,
        /// The server's detail in the language the client asked for.
        detail: String,
        /// Each problem with the input (`form_invalid`, `rule_violation`).
        items: Vec<ProblemItem>,
    },
    /// The server answered something that is not its contract (a proxy page, a truncated body).
    #[error("unexpected answer from the server: {0}")]
    Protocol(String),
    /// No session is stored: log in first.
    #[error("not logged in")]
    NotLoggedIn,
    /// The form does not pass the service's rules, checked on the device.
    #[error("form invalid: {} field errors", .0.len())]
    FormInvalid(Vec<FieldError>),
    /// The browser came back with a state this login did not send (or none is pending).
    #[error("the SSO redirect does not belong to this login")]
    SsoStateMismatch,
    /// The browser came back with an error (`access_denied` when the user cancelled).
    #[error("the SSO provider answered {0}")]
    SsoDenied(String),
    /// The redirect is not the app's redirect URI or carries no code.
    #[error("not an SSO redirect: {0}")]
    SsoRedirectInvalid(String),
    /// The platform's passkey answer or the server's options are not WebAuthn JSON.
    #[error("passkey data invalid: {0}")]
    PasskeyData(String),
    /// Device storage (secure storage or the app's files) failed.
    #[error("storage: {0}")]
    Storage(String),
    /// Something needed offline was never downloaded (a form schema, a calendar).
    #[error("not on the device yet: {0}")]
    NotCached(String),
    /// No such entry in the offline queue.
    #[error("queued submission {0} not found")]
    QueueEntryNotFound(String),
}

impl CoreError {
    /// The stable code the app switches on: the server's own code for [`CoreError::Api`].
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::InvalidNip(_) => "invalid_nip",
            CoreError::CalendarMissing(_) => "calendar_missing",
            CoreError::InvalidRange(_) => "invalid_range",
            CoreError::Corrupt(_) => "corrupt_cache",
            CoreError::Network(_) => "network",
            CoreError::Timeout(_) => "timeout",
            CoreError::CertificatePin(_) => "certificate_pin",
            CoreError::Api { code, .. } => code.as_str(),
            CoreError::Protocol(_) => "protocol",
            CoreError::NotLoggedIn => "not_logged_in",
            CoreError::FormInvalid(_) => "form_invalid",
            CoreError::SsoStateMismatch => "sso_state_mismatch",
            CoreError::SsoDenied(_) => "sso_denied",
            CoreError::SsoRedirectInvalid(_) => "sso_redirect_invalid",
            CoreError::PasskeyData(_) => "passkey_data",
            CoreError::Storage(_) => "storage",
            CoreError::NotCached(_) => "not_cached",
            CoreError::QueueEntryNotFound(_) => "queue_entry_not_found",
        }
    }

    /// True when the same call may succeed later without any change (network, timeout, a
    /// server that is busy or restarting): the offline queue keeps such a submission.
    pub fn is_transient(&self) -> bool {
        match self {
            CoreError::Network(_) | CoreError::Timeout(_) => true,
            CoreError::Api { status, code, .. } => {
                matches!(status, 429 | 502 | 503 | 504) || *code == ErrorCode::IdempotencyInProgress
            }
            _ => false,
        }
    }

    pub fn text(&self) -> Text {
        match self {
            CoreError::InvalidNip(why) => Text::new(
                format!("NIP tidak valid: {why}"),
                format!("Invalid NIP: {why}"),
            ),
            CoreError::CalendarMissing(year) => Text::new(
                format!(
                    "Kalender hari libur {year} belum tersimpan; sambungkan ke internet sebentar."
                ),
                format!(
                    "The {year} holiday calendar is not stored yet; connect to the internet briefly."
                ),
            ),
            CoreError::InvalidRange(why) => Text::new(
                format!("Rentang tanggal tidak valid: {why}"),
                format!("Invalid date range: {why}"),
            ),
            CoreError::Corrupt(why) => Text::new(
                format!("Data tersimpan rusak: {why}"),
                format!("Stored data is damaged: {why}"),
            ),
            CoreError::Network(_) => Text::new(
                "Server Abdi tidak dapat dihubungi. Periksa koneksi internet; data Anda tetap tersimpan.",
                "The Abdi server cannot be reached. Check the connection; your data is kept.",
            ),
            CoreError::Timeout(_) => Text::new(
                "Server Abdi terlalu lama menjawab; coba lagi sebentar lagi.",
                "The Abdi server took too long to answer; try again shortly.",
            ),
            CoreError::CertificatePin(_) => Text::new(
                "Sambungan tidak aman: sertifikat server bukan milik Abdi. Jangan lanjutkan di jaringan ini.",
                "Unsafe connection: the server's certificate is not Abdi's. Do not continue on this network.",
            ),
            CoreError::Api {
                code,
                detail,
                items,
                ..
            } => {
                let extra = |lang| {
                    let mut s = code.title(lang).to_owned();
                    if !detail.is_empty() && detail != code.title(lang) {
                        s.push_str(": ");
                        s.push_str(detail);
                    }
                    for item in items {
                        s.push_str("\n- ");
                        s.push_str(&item.message);
                    }
                    s
                };
                Text::new(extra(Lang::Id), extra(Lang::En))
            }
            CoreError::Protocol(_) => Text::new(
                "Jawaban server tidak dapat dibaca; coba lagi nanti.",
                "The server's answer could not be read; try again later.",
            ),
            CoreError::NotLoggedIn => {
                Text::new("Silakan masuk terlebih dahulu.", "Please log in first.")
            }
            CoreError::FormInvalid(errors) => {
                let list = |lang| {
                    errors
                        .iter()
                        .map(|e| format!("{}: {}", e.field, e.message.get(lang)))
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                Text::new(
                    format!("Isian formulir belum benar: {}", list(Lang::Id)),
                    format!("The form has errors: {}", list(Lang::En)),
                )
            }
            CoreError::SsoStateMismatch => Text::new(
                "Jawaban login SSO tidak cocok dengan permintaan dari aplikasi ini; mulai login lagi.",
                "The SSO answer does not match a login from this app; start the login again.",
            ),
            CoreError::SsoDenied(why) => Text::new(
                format!("Login SSO dibatalkan atau ditolak ({why})."),
                format!("The SSO login was cancelled or refused ({why})."),
            ),
            CoreError::SsoRedirectInvalid(why) => Text::new(
                format!("Alamat kembali dari SSO tidak dikenal: {why}"),
                format!("Unknown return address from SSO: {why}"),
            ),
            CoreError::PasskeyData(why) => Text::new(
                format!("Data passkey tidak dapat dibaca: {why}"),
                format!("The passkey data could not be read: {why}"),
            ),
            CoreError::Storage(why) => Text::new(
                format!("Penyimpanan di perangkat gagal: {why}"),
                format!("Storage on the device failed: {why}"),
            ),
            CoreError::NotCached(what) => Text::new(
                format!("{what} belum tersimpan di perangkat; sambungkan ke internet sekali."),
                format!("{what} is not on the device yet; connect to the internet once."),
            ),
            CoreError::QueueEntryNotFound(id) => Text::new(
                format!("Kiriman tertunda {id} tidak ditemukan"),
                format!("Queued submission {id} not found"),
            ),
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        self.text().get(lang).to_owned()
    }
}

pub(crate) fn storage(e: impl std::fmt::Display) -> CoreError {
    CoreError::Storage(e.to_string())
}

pub(crate) fn corrupt(e: impl std::fmt::Display) -> CoreError {
    CoreError::Corrupt(e.to_string())
}
