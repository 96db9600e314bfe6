//! The only place that knows HTTP errors: capability errors become an [`ApiError`] (a stable
//! code plus an optional detail in both languages), and [`render_problems`] turns every error
//! response, ours or the framework's, into RFC 9457 `application/problem+json` in the language
//! the client asked for.

use abdi_proto::services::Violation;
use abdi_proto::{ErrorCode, Lang, Problem, ProblemItem, Text};
use axum::body::Body;
use axum::extract::Request;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::access::AccessError;
use crate::identity::IdentityError;
use crate::reference::ReferenceError;
use crate::services::ServiceError;
use crate::store::objects::ObjectError;
use crate::store::session::SessionStoreError;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error on its way to the client.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    pub detail: Option<Text>,
    /// Seconds the client should wait before trying again (`Retry-After`).
    pub retry_after: Option<u64>,
    /// Each problem with the input (form fields, service rules).
    pub items: Vec<Violation>,
}

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        Self {
            code,
            detail: None,
            retry_after: None,
            items: Vec::new(),
        }
    }

    pub fn with_detail(code: ErrorCode, id: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            code,
            detail: Some(Text::new(id, en)),
            retry_after: None,
            items: Vec::new(),
        }
    }

    /// An error with a list of problems (form fields, service rules).
    pub fn with_items(code: ErrorCode, items: Vec<Violation>) -> Self {
        Self {
            items,
            ..Self::new(code)
        }
    }

    /// An unexpected failure: logged in full here, sent as a bare `internal`.
    pub fn internal(error: &dyn std::error::Error) -> Self {
        tracing::error!(error = %error, "internal error");
        Self::new(ErrorCode::Internal)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = status.into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.code == ErrorCode::Unauthenticated {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response.extensions_mut().insert(self);
        response
    }
}

impl From<ReferenceError> for ApiError {
    fn from(e: ReferenceError) -> Self {
        match e {
            ReferenceError::CalendarNotFound(year) => ApiError::with_detail(
                ErrorCode::CalendarNotFound,
                format!("Kalender hari libur tahun {year} belum dimuat."),
                format!("The holiday calendar for {year} has not been loaded."),
            ),
            ReferenceError::Database(e) => database(&e),
        }
    }
}

impl From<IdentityError> for ApiError {
    fn from(e: IdentityError) -> Self {
        match e {
            IdentityError::Unauthenticated => ApiError::new(ErrorCode::Unauthenticated),
            IdentityError::InvalidNip(why) => ApiError::with_detail(
                ErrorCode::InvalidNip,
                format!("NIP tidak valid: {why}"),
                format!("Invalid NIP: {why}"),
            ),
            IdentityError::InvalidEmail(email) => ApiError::with_detail(
                ErrorCode::InvalidEmail,
                format!("'{email}' bukan alamat email yang valid."),
                format!("'{email}' is not a valid email address."),
            ),
            IdentityError::EmailDomainNotAllowed(email) => ApiError::with_detail(
                ErrorCode::EmailDomainNotAllowed,
                format!("{email} bukan email dinas; gunakan email instansi (go.id)."),
                format!("{email} is not an official email; use your agency's (go.id) address."),
            ),
            IdentityError::InvalidPhone(phone) => ApiError::with_detail(
                ErrorCode::InvalidPhone,
                format!("'{phone}' bukan nomor ponsel Indonesia (08... atau +628...)."),
                format!("'{phone}' is not an Indonesian mobile number (08... or +628...)."),
            ),
            IdentityError::ActivationInvalid => ApiError::new(ErrorCode::ActivationInvalid),
            IdentityError::CeremonyInvalid => ApiError::new(ErrorCode::CeremonyInvalid),
            IdentityError::PasskeyRejected(why) => {
                tracing::info!(reason = %why, "passkey rejected");
                ApiError::new(ErrorCode::PasskeyRejected)
            }
            IdentityError::StepUpRequired => ApiError::new(ErrorCode::StepUpRequired),
            IdentityError::AccountDisabled => ApiError::new(ErrorCode::AccountDisabled),
            IdentityError::PositionOccupied => ApiError::new(ErrorCode::PositionOccupied),
            IdentityError::SsoProviderNotFound(_) => ApiError::new(ErrorCode::SsoProviderNotFound),
            IdentityError::SsoRejected(why) => {
                tracing::info!(reason = %why, "sso login rejected");
                ApiError::new(ErrorCode::SsoRejected)
            }
            IdentityError::SsoUnknownIdentity(_) => ApiError::new(ErrorCode::SsoUnknownIdentity),
            IdentityError::SsoUnavailable(why) => {
                tracing::warn!(reason = %why, "sso provider unavailable");
                ApiError::new(ErrorCode::SsoUnavailable)
            }
            IdentityError::LastCredential => ApiError::new(ErrorCode::LastCredential),
            IdentityError::PasskeyNotFound => ApiError::new(ErrorCode::PasskeyNotFound),
            IdentityError::PasskeyName => ApiError::with_detail(
                ErrorCode::InvalidBody,
                "Nama passkey harus 1 sampai 100 karakter.",
                "A passkey name must be 1 to 100 characters.",
            ),
            IdentityError::SessionNotFound => ApiError::new(ErrorCode::SessionNotFound),
            IdentityError::RateLimited(wait) => {
                let secs = wait.as_secs().max(1);
                ApiError {
                    retry_after: Some(secs),
                    ..ApiError::with_detail(
                        ErrorCode::RateLimited,
                        format!("Coba lagi dalam {secs} detik."),
                        format!("Try again in {secs} seconds."),
                    )
                }
            }
            IdentityError::Store(e) => e.into(),
            IdentityError::Database(e) => database(&e),
        }
    }
}

impl From<AccessError> for ApiError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Forbidden => ApiError::new(ErrorCode::Forbidden),
            AccessError::EmployeeNotFound => ApiError::new(ErrorCode::EmployeeNotFound),
            AccessError::UnitNotFound(code) => ApiError::with_detail(
                ErrorCode::UnitNotFound,
                format!("Kode '{code}' tidak dikenal."),
                format!("Unknown code '{code}'."),
            ),
            AccessError::Database(e) => database(&e),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        use abdi_proto::services::Violation;
        match e {
            ServiceError::ServiceNotFound => ApiError::new(ErrorCode::ServiceNotFound),
            ServiceError::ServiceInactive => ApiError::new(ErrorCode::ServiceInactive),
            ServiceError::FormInvalid(errors) => ApiError::with_items(
                ErrorCode::FormInvalid,
                errors
                    .into_iter()
                    .map(|f| Violation {
                        code: serde_json::to_value(f.code)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default(),
                        field: Some(f.field),
                        message: f.message,
                    })
                    .collect(),
            ),
            ServiceError::Rules(violations) => {
                ApiError::with_items(ErrorCode::RuleViolation, violations)
            }
            ServiceError::RequestNotFound => ApiError::new(ErrorCode::RequestNotFound),
            ServiceError::InvalidTransition(status) => ApiError::with_detail(
                ErrorCode::InvalidTransition,
                format!("Status permohonan saat ini: {status}."),
                format!("The request is now: {status}."),
            ),
            ServiceError::VersionConflict => ApiError::new(ErrorCode::VersionConflict),
            ServiceError::ReasonRequired => ApiError::new(ErrorCode::ReasonRequired),
            ServiceError::ChangesRequired => ApiError::with_detail(
                ErrorCode::InvalidBody,
                "Keputusan PERUBAHAN memerlukan isian yang diubah ('changes').",
                "A PERUBAHAN decision needs the changed values ('changes').",
            ),
            ServiceError::IdempotencyKeyInvalid => ApiError::new(ErrorCode::IdempotencyKeyInvalid),
            ServiceError::IdempotencyKeyReused => ApiError::new(ErrorCode::IdempotencyKeyReused),
            ServiceError::IdempotencyInProgress => ApiError {
                retry_after: Some(1),
                ..ApiError::new(ErrorCode::IdempotencyInProgress)
            },
            ServiceError::AttachmentNotFound => ApiError::new(ErrorCode::AttachmentNotFound),
            ServiceError::UploadQuota { max, hours } => ApiError::with_detail(
                ErrorCode::UploadQuotaExceeded,
                format!(
                    "Paling banyak {max} lampiran boleh menunggu dikirim; lampiran yang tidak dikirim dihapus setelah {hours} jam."
                ),
                format!(
                    "At most {max} attachments may wait to be sent; those never sent are removed after {hours} hours."
                ),
            ),
            ServiceError::InvalidSpec(why) => ApiError::with_detail(
                ErrorCode::InvalidBody,
                format!("Definisi layanan tidak dapat dipakai: {why}"),
                format!("The service definition cannot be used: {why}"),
            ),
            ServiceError::Objects(e) => match e {
                ObjectError::TooLarge { limit } => ApiError::with_detail(
                    ErrorCode::PayloadTooLarge,
                    format!("Berkas paling besar {} MB.", limit / (1024 * 1024)),
                    format!("Files may be at most {} MB.", limit / (1024 * 1024)),
                ),
                ObjectError::Empty => ApiError::with_detail(
                    ErrorCode::InvalidBody,
                    "Berkas kosong.",
                    "The file is empty.",
                ),
                ObjectError::Body(why) => ApiError::with_detail(
                    ErrorCode::InvalidBody,
                    format!("Unggahan terputus: {why}"),
                    format!("The upload broke off: {why}"),
                ),
                ObjectError::UnknownType => ApiError::new(ErrorCode::AttachmentType),
                ObjectError::NotFound => ApiError::new(ErrorCode::AttachmentNotFound),
                other @ (ObjectError::Store(_) | ObjectError::Folder { .. }) => {
                    tracing::warn!(error = %other, "object store unavailable");
                    ApiError::new(ErrorCode::StorageUnavailable)
                }
            },
            ServiceError::Access(e) => e.into(),
            ServiceError::Database(e) => database(&e),
        }
    }
}

impl From<crate::documents::DocumentError> for ApiError {
    fn from(e: crate::documents::DocumentError) -> Self {
        use crate::documents::DocumentError as D;
        use crate::documents::signer::SignError as S;
        match e {
            D::NotFound => ApiError::new(ErrorCode::DocumentNotFound),
            D::NotSignable => ApiError::new(ErrorCode::DocumentNotSignable),
            D::PostNotHeld => ApiError::with_detail(
                ErrorCode::DocumentNotSignable,
                "Anda tidak lagi memegang jabatan (definitif, Plt atau Plh) yang menandatangani surat ini.",
                "You no longer hold the post (definitive, Plt or Plh) this letter is signed in.",
            ),
            D::BatchSize => ApiError::with_detail(
                ErrorCode::InvalidBody,
                "Satu kali tanda tangan memuat 1 sampai 100 dokumen.",
                "A batch holds 1 to 100 documents.",
            ),
            D::TooLarge(limit) => ApiError::with_detail(
                ErrorCode::PayloadTooLarge,
                format!("Berkas paling besar {} MB.", limit / (1024 * 1024)),
                format!("Files may be at most {} MB.", limit / (1024 * 1024)),
            ),
            D::Upload(why) => ApiError::with_detail(
                ErrorCode::InvalidBody,
                format!("Unggahan terputus: {why}"),
                format!("The upload broke off: {why}"),
            ),
            D::RateLimited(wait) => {
                let secs = wait.as_secs().max(1);
                ApiError {
                    retry_after: Some(secs),
                    ..ApiError::with_detail(
                        ErrorCode::RateLimited,
                        format!(
                            "Terlalu banyak pemeriksaan dari alamat ini; coba lagi dalam {secs} detik."
                        ),
                        format!(
                            "Too many verifications from this address; try again in {secs} seconds."
                        ),
                    )
                }
            }
            D::Busy => {
                let secs = crate::documents::VERIFY_BUSY_RETRY_SECS;
                ApiError {
                    retry_after: Some(secs),
                    ..ApiError::with_detail(
                        ErrorCode::Unavailable,
                        format!("Pemeriksa dokumen sedang penuh; coba lagi dalam {secs} detik."),
                        format!("The document checker is busy; try again in {secs} seconds."),
                    )
                }
            }
            D::Store(e) => e.into(),
            D::Sign(S::CredentialRequired) => ApiError::new(ErrorCode::SigningCredentialRequired),
            D::Sign(S::Credential(why)) => ApiError::with_detail(
                ErrorCode::SigningRejected,
                format!("Jawaban layanan tanda tangan: {why}"),
                format!("The signing service said: {why}"),
            ),
            D::Sign(e @ (S::Unavailable(_) | S::Failed(_))) => {
                tracing::warn!(error = %e, "signing failed");
                ApiError::new(ErrorCode::SigningUnavailable)
            }
            D::Render(e) => {
                tracing::error!(error = %e, "a letter could not be typeset");
                ApiError::new(ErrorCode::Internal)
            }
            D::Corrupt(e) => {
                tracing::error!(error = %e, "a stored letter is unreadable");
                ApiError::new(ErrorCode::Internal)
            }
            D::Objects(e) => ServiceError::Objects(e).into(),
            D::Access(e) => e.into(),
            D::Database(e) => database(&e),
        }
    }
}

impl From<crate::notifications::NotificationError> for ApiError {
    fn from(e: crate::notifications::NotificationError) -> Self {
        use crate::notifications::NotificationError as N;
        match e {
            N::Limit => ApiError::with_detail(
                ErrorCode::InvalidQuery,
                "limit harus antara 1 dan 100.",
                "limit must be between 1 and 100.",
            ),
            N::LastEventId => ApiError::with_detail(
                ErrorCode::InvalidHeader,
                "Last-Event-ID harus berupa nomor notifikasi.",
                "Last-Event-ID must be a notification id.",
            ),
            N::Token => ApiError::with_detail(
                ErrorCode::InvalidBody,
                "token wajib diisi, tanpa spasi, paling panjang 512 karakter.",
                "token is required, without spaces, at most 512 characters.",
            ),
            N::ApnsToken => ApiError::with_detail(
                ErrorCode::InvalidBody,
                "Token APNs berupa heksadesimal, minimal 64 karakter.",
                "An APNs token is hexadecimal, at least 64 characters.",
            ),
            N::AppVersion => ApiError::with_detail(
                ErrorCode::InvalidBody,
                "app_version wajib diisi, paling panjang 32 karakter.",
                "app_version is required, at most 32 characters.",
            ),
            N::TooManyIds => ApiError::with_detail(
                ErrorCode::InvalidBody,
                "Paling banyak 500 notifikasi sekaligus.",
                "At most 500 notifications at once.",
            ),
            N::NothingToMark => ApiError::with_detail(
                ErrorCode::InvalidBody,
                "Sebutkan ids atau up_to.",
                "Give ids or up_to.",
            ),
            N::TooManyStreams(wait) => ApiError {
                retry_after: Some(wait.as_secs().max(1)),
                ..ApiError::with_detail(
                    ErrorCode::RateLimited,
                    "Sesi ini sudah membuka aliran notifikasi sebanyak yang diizinkan; tutup salah satunya.",
                    "This session already has as many notification streams open as allowed; close one.",
                )
            },
            N::Store(e) => e.into(),
            N::Database(e) => database(&e),
        }
    }
}

impl From<SessionStoreError> for ApiError {
    fn from(e: SessionStoreError) -> Self {
        tracing::warn!(error = %e, "session store unavailable");
        ApiError::unavailable("Penyimpanan sesi", "The session store")
    }
}

/// How long a client is asked to wait when a store cannot be reached: the pool and the session
/// client reconnect on their own within about that.
pub const UNAVAILABLE_RETRY_SECS: u64 = 2;

impl ApiError {
    /// A store (database, session store) that cannot be reached: 503 `unavailable` with
    /// Retry-After; `what_id`/`what_en` name it ("Basis data", "The database").
    pub fn unavailable(what_id: &str, what_en: &str) -> Self {
        let secs = UNAVAILABLE_RETRY_SECS;
        ApiError {
            retry_after: Some(secs),
            ..ApiError::with_detail(
                ErrorCode::Unavailable,
                format!("{what_id} sedang tidak dapat dihubungi; coba lagi dalam {secs} detik."),
                format!("{what_en} cannot be reached right now; try again in {secs} seconds."),
            )
        }
    }
}

/// A database failure: 503 with Retry-After when the database cannot be reached (retrying
/// helps, see [`crate::store::db::is_unavailable`]), 500 otherwise (a bug: logged in full).
/// Every `DbErr` that becomes an answer goes through here.
pub fn database(e: &sea_orm::DbErr) -> ApiError {
    if crate::store::db::is_unavailable(e) {
        tracing::warn!(error = %e, "database unavailable");
        ApiError::unavailable("Basis data", "The database")
    } else {
        ApiError::internal(e)
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        let reason = r.body_text();
        ApiError::with_detail(
            ErrorCode::InvalidPath,
            format!("Parameter alamat tidak sesuai: {reason}"),
            format!("Path parameter does not fit: {reason}"),
        )
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        let reason = r.body_text();
        ApiError::with_detail(
            ErrorCode::InvalidQuery,
            format!("Parameter kueri tidak sesuai: {reason}"),
            format!("Query parameter does not fit: {reason}"),
        )
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let code = match r {
            JsonRejection::MissingJsonContentType(_) => ErrorCode::UnsupportedMediaType,
            JsonRejection::BytesRejection(_) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ErrorCode::PayloadTooLarge
            }
            _ => ErrorCode::InvalidBody,
        };
        let reason = r.body_text();
        ApiError::with_detail(
            code,
            format!("Isi permintaan ditolak: {reason}"),
            format!("Request body refused: {reason}"),
        )
    }
}

/// Middleware: every error response leaves as problem+json in the negotiated language, with
/// the request id; successes and responses that already carry a JSON body pass untouched.
pub async fn render_problems(request: Request, next: Next) -> Response {
    let lang = Lang::negotiate(
        request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let error = match parts.extensions.remove::<ApiError>() {
        Some(e) => e,
        // A handler that chose its own JSON body for an error status (readiness) keeps it.
        None if is_json(&parts.headers) => return Response::from_parts(parts, body),
        None => ApiError::new(code_for_status(status)),
    };
    let problem = Problem {
        type_uri: Problem::type_uri_for(error.code),
        title: error.code.title(lang).to_owned(),
        status: status.as_u16(),
        detail: error.detail.as_ref().map(|t| t.get(lang).to_owned()),
        code: error.code,
        lang,
        request_id,
        errors: error
            .items
            .iter()
            .map(|v| ProblemItem {
                code: v.code.clone(),
                field: v.field.clone(),
                message: v.message.get(lang).to_owned(),
            })
            .collect(),
    };
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    parts.headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.tag()),
    );
    parts
        .headers
        .append(header::VARY, HeaderValue::from_static("accept-language"));
    Response::from_parts(parts, Body::from(body))
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON) || v.starts_with("application/json"))
}

fn code_for_status(status: StatusCode) -> ErrorCode {
    match status {
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::REQUEST_TIMEOUT | StatusCode::GATEWAY_TIMEOUT => ErrorCode::Timeout,
        StatusCode::SERVICE_UNAVAILABLE => ErrorCode::Unavailable,
        s if s.is_client_error() => ErrorCode::InvalidBody,
        _ => ErrorCode::Internal,
    }
}

/// Handler for unknown addresses.
pub async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound)
}

/// Handler for a known address with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(ErrorCode::MethodNotAllowed)
}
