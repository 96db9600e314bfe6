//! Stable error codes and the RFC 9457 problem document every API error is sent as.
//!
//! Clients switch on [`ErrorCode`] (its snake_case string never changes meaning); people read the
//! title and detail in the language they asked for with `Accept-Language`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The language a message is shown in: Bahasa Indonesia first, English second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Lang {
    #[default]
    #[serde(rename = "id")]
    Id,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    /// Picks Indonesian or English from an `Accept-Language` header value (RFC 9110 12.5.4),
    /// honouring q-values; anything else, or nothing, gives Indonesian.
    pub fn negotiate(accept_language: Option<&str>) -> Lang {
        let Some(header) = accept_language else {
            return Lang::Id;
        };
        let mut best: Option<(f32, Lang)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q=").map(|v| v.trim().parse::<f32>()))
                .map_or(Ok(1.0), |r| r)
                .unwrap_or(0.0);
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "id" | "in" => Lang::Id,
                "en" => Lang::En,
                _ => continue,
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::Id, |(_, l)| l)
    }
}

/// A message in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Text {
    pub id: String,
    pub en: String,
}

impl Text {
    pub fn new(id: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.id,
            Lang::En => &self.en,
        }
    }
}

macro_rules! error_codes {
    ($($variant:ident = $code:literal, $status:literal, $id:literal, $en:literal;)+) => {
        /// Stable, machine-readable error codes. Never reuse or rename one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($variant),+
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code),+ }
            }

            /// The HTTP status this code is sent with.
            pub fn status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status),+ }
            }

            /// A short title in the given language.
            pub fn title(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((ErrorCode::$variant, Lang::Id) => $id, (ErrorCode::$variant, Lang::En) => $en,)+
                }
            }
        }
    };
}

error_codes! {
    NotFound = "not_found", 404,
        "Alamat tidak ditemukan", "Not found";
    MethodNotAllowed = "method_not_allowed", 405,
        "Metode tidak diizinkan untuk alamat ini", "Method not allowed for this address";
    InvalidPath = "invalid_path", 400,
        "Parameter alamat tidak valid", "Invalid path parameter";
    InvalidQuery = "invalid_query", 400,
        "Parameter kueri tidak valid", "Invalid query parameter";
    InvalidBody = "invalid_body", 400,
        "Isi permintaan tidak valid", "Invalid request body";
    InvalidHeader = "invalid_header", 400,
        "Header permintaan tidak valid", "A request header is not valid";
    UnsupportedMediaType = "unsupported_media_type", 415,
        "Jenis konten tidak didukung", "Unsupported content type";
    PayloadTooLarge = "payload_too_large", 413,
        "Isi permintaan terlalu besar", "Request body too large";
    CalendarNotFound = "calendar_not_found", 404,
        "Kalender hari libur untuk tahun itu belum tersedia", "No holiday calendar for that year yet";
    Unauthenticated = "unauthenticated", 401,
        "Silakan masuk terlebih dahulu; sesi tidak ada atau sudah berakhir", "Please log in; the session is missing or has ended";
    Forbidden = "forbidden", 403,
        "Anda tidak berwenang untuk tindakan ini", "You are not allowed to do this";
    CsrfRejected = "csrf_rejected", 403,
        "Permintaan ditolak: muat ulang halaman Abdi lalu coba lagi", "Request refused: reload the Abdi page and try again";
    RateLimited = "rate_limited", 429,
        "Terlalu banyak percobaan; coba lagi nanti", "Too many attempts; try again later";
    InvalidNip = "invalid_nip", 400,
        "NIP tidak valid", "Invalid NIP";
    InvalidEmail = "invalid_email", 400,
        "Alamat email tidak valid", "Invalid email address";
    EmailDomainNotAllowed = "email_domain_not_allowed", 400,
        "Gunakan email dinas (go.id)", "Use your official (go.id) email";
    InvalidPhone = "invalid_phone", 400,
        "Nomor telepon tidak valid", "Invalid phone number";
    ActivationInvalid = "activation_invalid", 400,
        "Tautan aktivasi tidak berlaku atau sudah digunakan", "The activation link is invalid, expired or already used";
    SessionNotFound = "session_not_found", 404,
        "Sesi tidak ditemukan", "Session not found";
    CeremonyInvalid = "ceremony_invalid", 400,
        "Permintaan passkey tidak berlaku atau kedaluwarsa; mulai lagi", "The passkey request is unknown or expired; start again";
    PasskeyRejected = "passkey_rejected", 401,
        "Passkey ditolak", "The passkey was rejected";
    StepUpRequired = "step_up_required", 403,
        "Konfirmasi dengan passkey diperlukan untuk tindakan ini", "Confirm with your passkey to do this";
    LastCredential = "last_credential", 409,
        "Cara masuk terakhir tidak dapat dihapus", "The last way to log in cannot be removed";
    PasskeyNotFound = "passkey_not_found", 404,
        "Passkey tidak ditemukan", "Passkey not found";
    UnitNotFound = "unit_not_found", 404,
        "Unit kerja atau jabatan tujuan tidak ditemukan", "Destination unit or post not found";
    EmployeeNotFound = "employee_not_found", 404,
        "Pegawai tidak ditemukan", "Employee not found";
    SsoProviderNotFound = "sso_provider_not_found", 404,
        "Penyedia SSO tidak dikenal", "Unknown SSO provider";
    SsoRejected = "sso_rejected", 401,
        "Masuk melalui SSO ditolak; coba lagi", "The SSO login was rejected; try again";
    SsoUnknownIdentity = "sso_unknown_identity", 403,
        "Akun SSO ini tidak terhubung dengan data pegawai", "This SSO account is not linked to an employee record";
    SsoUnavailable = "sso_unavailable", 503,
        "Penyedia SSO sedang tidak dapat dihubungi", "The SSO provider cannot be reached";
    ServiceNotFound = "service_not_found", 404,
        "Layanan tidak ditemukan", "Service not found";
    ServiceInactive = "service_inactive", 409,
        "Layanan ini sedang tidak dibuka", "This service is not open at the moment";
    ServiceExists = "service_exists", 409,
        "Kode layanan ini sudah dipakai", "A service with this code already exists";
    ServiceInvalid = "service_invalid", 422,
        "Definisi layanan tidak dapat dipakai; lihat keterangannya", "The service definition cannot be used; see the detail";
    FormInvalid = "form_invalid", 422,
        "Isian formulir belum benar; lihat daftar kesalahan", "The form has errors; see the list";
    RuleViolation = "rule_violation", 422,
        "Permohonan tidak memenuhi ketentuan; lihat daftar alasan", "The request does not meet the rules; see the reasons";
    RequestNotFound = "request_not_found", 404,
        "Permohonan tidak ditemukan", "Request not found";
    InvalidTransition = "invalid_transition", 409,
        "Tindakan ini tidak dapat dilakukan pada status permohonan saat ini", "This action is not possible in the request's current status";
    VersionConflict = "version_conflict", 409,
        "Permohonan telah diubah orang lain; muat ulang lalu coba lagi", "Someone else changed the request; reload and try again";
    ReasonRequired = "reason_required", 422,
        "Alasan wajib diisi untuk keputusan ini", "A reason is required for this decision";
    IdempotencyKeyInvalid = "idempotency_key_invalid", 400,
        "Header Idempotency-Key wajib: 8 sampai 128 karakter", "The Idempotency-Key header is required: 8 to 128 characters";
    IdempotencyKeyReused = "idempotency_key_reused", 422,
        "Idempotency-Key ini sudah dipakai untuk isi yang berbeda", "This Idempotency-Key was already used with a different body";
    IdempotencyInProgress = "idempotency_in_progress", 409,
        "Permohonan dengan kunci ini masih diproses; coba lagi sebentar lagi", "A request with this key is still being processed; retry shortly";
    AttachmentNotFound = "attachment_not_found", 404,
        "Lampiran tidak ditemukan", "Attachment not found";
    AttachmentType = "attachment_type", 415,
        "Lampiran harus PDF, JPEG atau PNG", "Attachments must be PDF, JPEG or PNG";
    StorageUnavailable = "storage_unavailable", 503,
        "Penyimpanan berkas sedang tidak dapat dihubungi", "File storage cannot be reached";
    DocumentNotFound = "document_not_found", 404,
        "Dokumen tidak ditemukan", "Document not found";
    DocumentNotSignable = "document_not_signable", 409,
        "Dokumen tidak sedang menunggu tanda tangan Anda", "The document is not waiting for your signature";
    SigningCredentialRequired = "signing_credential_required", 422,
        "Masukkan passphrase atau kode OTP sertifikat elektronik Anda", "Enter your electronic certificate's passphrase or one-time code";
    SigningRejected = "signing_rejected", 403,
        "Layanan tanda tangan elektronik menolak passphrase atau kode Anda", "The signing service refused your passphrase or code";
    SigningUnavailable = "signing_unavailable", 503,
        "Layanan tanda tangan elektronik sedang tidak dapat dihubungi", "The signing service cannot be reached";
    AccountDisabled = "account_disabled", 403,
        "Akun ini telah dinonaktifkan; hubungi BKD", "This account has been disabled; contact the personnel agency";
    PositionOccupied = "position_occupied", 409,
        "Jabatan tujuan masih dipegang pegawai lain; nyatakan bahwa pemegangnya diganti", "Someone else holds the destination post; say that the holder is being replaced";
    UploadQuotaExceeded = "upload_quota_exceeded", 409,
        "Terlalu banyak lampiran yang belum dikirim; kirim permohonan atau tunggu lampiran lama dihapus", "Too many attachments not yet sent; send a request or wait for old ones to be removed";
    GrantInvalid = "grant_invalid", 422,
        "Penetapan peran atau surat tugas tidak lengkap atau tidak sesuai; lihat keterangannya", "The grant or the assignment letter is incomplete or inconsistent; see the detail";
    GrantConflict = "grant_conflict", 409,
        "Pegawai sudah memegang peran ini untuk unit yang sama", "The employee already holds this role for the same unit";
    GrantNotFound = "grant_not_found", 404,
        "Penetapan peran tidak ditemukan", "Role grant not found";
    ActingNotFound = "acting_not_found", 404,
        "Surat perintah Plt/Plh tidak ditemukan", "Acting assignment letter not found";
    DecreeInvalid = "decree_invalid", 422,
        "Nomor surat keputusan wajib diisi, paling banyak 200 karakter", "The decree's number is required, at most 200 characters";
    CalendarInvalid = "calendar_invalid", 422,
        "Kalender tidak sesuai: setiap hari di tahun itu, sekali, dengan nama dan dasar hukumnya", "The calendar is not consistent: each day in that year, once, with its name and legal basis";
    ImportUnreadable = "import_unreadable", 422,
        "Berkas impor tidak dapat dibaca", "The import file cannot be read";
    ActingOverlap = "acting_overlap", 409,
        "Jabatan ini sudah memiliki Plt/Plh pada sebagian tanggal tersebut", "The post already has a Plt/Plh on some of those days";
    PostNotFound = "post_not_found", 404,
        "Jabatan tidak ditemukan", "Post not found";
    OrganisationInvalid = "organisation_invalid", 422,
        "Perubahan organisasi tidak sesuai; lihat keterangannya", "The change to the organisation is not consistent; see the detail";
    OrganisationInUse = "organisation_in_use", 409,
        "Unit atau jabatan ini masih digunakan; lihat keterangannya", "The unit or post is still in use; see the detail";
    EmailInUse = "email_in_use", 409,
        "Email ini sudah digunakan pegawai lain", "This email is already used by another employee";
    VerificationInvalid = "verification_invalid", 400,
        "Tautan atau kode verifikasi tidak berlaku, kedaluwarsa, atau sudah digunakan", "The verification link or code is invalid, expired or already used";
    RecordIncomplete = "record_incomplete", 422,
        "Data kepegawaian Anda belum lengkap untuk layanan ini; lengkapi dulu melalui pemutakhiran data", "Your record is not complete for this service; complete it through a data update first";
    ProposalNotFound = "proposal_not_found", 404,
        "Usulan perubahan data tidak ditemukan", "Data update proposal not found";
    ProposalChanged = "proposal_changed", 409,
        "Usulan ini telah diubah atau diputuskan orang lain; muat ulang lalu coba lagi", "Someone else changed or decided this proposal; reload and try again";
    ProposalClosed = "proposal_closed", 409,
        "Usulan ini sudah diputuskan atau ditarik", "This proposal has already been decided or withdrawn";
    EntryNotFound = "entry_not_found", 404,
        "Data riwayat yang hendak diubah tidak ditemukan pada data Anda", "The entry to change is not in your record";
    PromotionNotFound = "promotion_not_found", 404,
        "Usulan kenaikan pangkat tidak ditemukan", "Promotion proposal not found";
    PromotionExists = "promotion_exists", 409,
        "Pegawai ini sudah mempunyai usulan kenaikan pangkat yang berjalan", "This employee already has a promotion proposal under way";
    PromotionNotEligible = "promotion_not_eligible", 422,
        "Pegawai ini belum dapat diusulkan naik pangkat; lihat daftar alasan", "This employee cannot be proposed for promotion yet; see the reasons";
    PromotionState = "promotion_state", 409,
        "Usulan kenaikan pangkat tidak dapat diubah pada tahap ini", "The promotion proposal cannot be changed at this stage";
    PromotionPeriodInvalid = "promotion_period_invalid", 422,
        "Tanggal ini bukan periode kenaikan pangkat", "This date is not a promotion period";
    BknNotConfigured = "bkn_not_configured", 409,
        "Koneksi ke BKN (SIASN) belum dikonfigurasi", "The BKN (SIASN) connection is not configured";
    InvalidClient = "invalid_client", 401,
        "Sistem klien tidak dikenal atau kredensialnya salah", "Unknown client system or wrong credentials";
    UnsupportedGrantType = "unsupported_grant_type", 400,
        "Jenis grant tidak didukung; gunakan client_credentials", "Unsupported grant type; use client_credentials";
    InvalidScope = "invalid_scope", 400,
        "Cakupan data yang diminta tidak diberikan kepada sistem ini", "The scope asked for is not granted to this system";
    InvalidToken = "invalid_token", 401,
        "Token akses tidak ada, kedaluwarsa, atau sudah dicabut", "The access token is missing, expired or revoked";
    SourceNotAllowed = "source_not_allowed", 403,
        "Alamat asal panggilan tidak terdaftar untuk sistem ini", "The calling address is not registered for this system";
    ScopeInsufficient = "scope_insufficient", 403,
        "Data yang diminta di luar cakupan token ini", "What was asked for is outside this token's scope";
    ClientSuspended = "client_suspended", 403,
        "Akses sistem ini sedang ditangguhkan atau sudah dicabut", "This system's access is suspended or revoked";
    AgreementExpired = "agreement_expired", 403,
        "Perjanjian kerja sama yang mendasari akses sistem ini sudah berakhir", "The agreement this system's access rests on has expired";
    DataClientNotFound = "data_client_not_found", 404,
        "Sistem klien tidak ditemukan", "Client system not found";
    DataClientInvalid = "data_client_invalid", 422,
        "Data sistem klien tidak lengkap atau tidak sesuai", "The client system's details are incomplete or do not fit";
    DataClientState = "data_client_state", 409,
        "Sistem klien tidak dapat diubah dalam keadaan ini", "The client system cannot be changed in its present state";
    AttendancePlaceInvalid = "attendance_place_invalid", 422,
        "Lokasi presensi tidak lengkap atau tidak sesuai", "The check-in place is incomplete or does not fit";
    AttendanceDeviceUnknown = "attendance_device_unknown", 403,
        "Ponsel ini belum didaftarkan untuk presensi", "This phone is not enrolled for attendance";
    AttendanceUploadInvalid = "attendance_upload_invalid", 422,
        "Data presensi yang dikirim tidak sah", "The attendance data sent is not valid";
    CheckInNotFound = "check_in_not_found", 404,
        "Presensi tidak ditemukan", "Check-in not found";
    CheckInNotFlagged = "check_in_not_flagged", 409,
        "Presensi ini tidak menunggu keputusan atasan", "This check-in is not waiting for the atasan";
    AttendanceScheduleInvalid = "attendance_schedule_invalid", 422,
        "Jadwal kerja tidak lengkap atau tidak sesuai", "The work schedule is incomplete or does not fit";
    AttendanceCaseNotFound = "attendance_case_not_found", 404,
        "Kasus ketidakhadiran tidak ditemukan", "Absence case not found";
    AttendanceCaseClosed = "attendance_case_closed", 409,
        "Kasus ketidakhadiran ini sudah ditutup", "This absence case is closed already";
    Timeout = "timeout", 504,
        "Permintaan melebihi batas waktu", "The request took too long";
    Unavailable = "unavailable", 503,
        "Layanan sedang tidak tersedia, coba lagi sebentar lagi", "Service unavailable, try again shortly";
    Internal = "internal", 500,
        "Terjadi kesalahan pada server", "Something went wrong on the server";
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An RFC 9457 problem document (`application/problem+json`) with Abdi's extensions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI naming the problem type: `urn:abdi:problem:<code>`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short summary in the negotiated language.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, in the negotiated language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The stable error code clients switch on.
    pub code: ErrorCode,
    /// The language of `title` and `detail`.
    pub lang: Lang,
    /// The request id, to quote to the help desk (also in the `x-request-id` header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Each problem with the input (form fields, service rules), for `form_invalid` and
    /// `rule_violation`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemItem>,
}

/// One problem with the input: a stable code, the field it is about, a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemItem {
    /// A form error code (`required`, `too_early`, ...) or a rule code
    /// (`insufficient_balance`, `overlapping_leave`, ...).
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// In the negotiated language.
    pub message: String,
    /// The values a rule saw ("36" months in rank of "48").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen: Vec<Seen>,
}

impl Problem {
    pub fn type_uri_for(code: ErrorCode) -> String {
        format!("urn:abdi:problem:{}", code.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_the_language() {
        assert_eq!(Lang::negotiate(None), Lang::Id);
        assert_eq!(Lang::negotiate(Some("en")), Lang::En);
        assert_eq!(Lang::negotiate(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(Some("id-ID,id;q=0.9,en;q=0.8")), Lang::Id);
        assert_eq!(Lang::negotiate(Some("en;q=0.5, id;q=0.8")), Lang::Id);
        assert_eq!(Lang::negotiate(Some("fr, en;q=0.3")), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr, de")), Lang::Id);
        assert_eq!(Lang::negotiate(Some("en;q=0")), Lang::Id);
        assert_eq!(Lang::negotiate(Some("*")), Lang::Id);
        assert_eq!(Lang::negotiate(Some("en;q=abc")), Lang::Id);
    }

    #[test]
    fn every_code_has_both_titles_and_an_error_status() {
        for code in ErrorCode::ALL {
            assert!(!code.title(Lang::Id).is_empty());
            assert!(!code.title(Lang::En).is_empty());
            assert_ne!(code.title(Lang::Id), code.title(Lang::En), "{code}");
            assert!((400..600).contains(&code.status()));
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }
}

/// A rule a request breaks, with a stable code the app can switch on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Violation {
    /// e.g. `insufficient_balance`, `overlapping_leave`, `service_too_short`.
    pub code: String,
    /// The form field it is about, if any.
    pub field: Option<String>,
    pub message: Text,
    /// The values a declarative condition saw ("9" years of service of 10).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen: Vec<Seen>,
}

impl Violation {
    pub fn new(
        code: &str,
        field: Option<&str>,
        id: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            code: code.to_owned(),
            field: field.map(str::to_owned),
            message: Text::new(id, en),
            seen: Vec::new(),
        }
    }
}

/// A value the evaluation saw, named by what it measured (`years(service_start..today)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Seen {
    pub what: String,
    /// A number, a text, or null when the record lacks it.
    pub value: Option<SeenValue>,
}

/// What a condition measured: a number (years, a count) or a text (a rank, a status).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum SeenValue {
    Number(f64),
    Text(String),
}

impl Eq for SeenValue {}

impl SeenValue {
    /// A JSON number or string as seen; anything else as not seen.
    pub fn of(v: &Value) -> Option<Self> {
        match v {
            Value::Number(n) => n.as_f64().map(Self::Number),
            Value::String(s) => Some(Self::Text(s.clone())),
            _ => None,
        }
    }
}
