//! Wire types of activation, sessions and the employee's own profile.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// `POST /api/v1/activation`: the employee asks for an activation link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivationRequest {
    /// 18 digits; spaces allowed.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "198503122010011004", pattern = r"^[0-9 ]{18,21}$")
    )]
    pub nip: String,
    /// The official email in the master record (a go.id address by default).
    #[cfg_attr(
        feature = "openapi",
        schema(
            example = "budi.santoso@jatimprov.go.id",
            format = "email",
            max_length = 254
        )
    )]
    pub email: String,
    /// Mobile number, recorded when the link is used: `08...` or `+628...`.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "081234567890", pattern = r"^(\+?62|0)8[0-9 .-]{8,14}$")
    )]
    pub phone: String,
}

/// The same answer whether or not the NIP and email matched a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivationAccepted {
    pub message_id: String,
    pub message_en: String,
    /// Minutes the link stays valid.
    pub expires_in_minutes: u64,
}

/// The device a session runs on, as the app describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceInfo {
    /// e.g. "Samsung Galaxy A14".
    pub device_name: String,
    /// `android`, `ios` or `web`.
    pub platform: String,
}

/// `POST /api/v1/activation/redeem`: the token from the emailed link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedeemRequest {
    pub token: String,
    pub device: DeviceInfo,
}

/// A new session: keep `token` in secure storage and send it as `Authorization: Bearer`.
/// A browser (`platform = "web"`) gets no token here, only the `__Host-abdi_session` cookie,
/// and `csrf_token` to send as `X-CSRF-Token` with every write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionGranted {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
    pub session: SessionInfo,
}

impl SessionGranted {
    /// The token to send as `Authorization: Bearer` (empty for a browser's session, which
    /// has only its cookie).
    pub fn bearer(&self) -> &str {
        self.token.as_deref().unwrap_or("")
    }
}

/// One of the employee's sessions (a device).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub id: String,
    pub device_name: String,
    pub platform: String,
    /// How the session was opened: `activation`, `passkey`, `sso`.
    pub method: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The session ends at this time at the latest.
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    /// True for the session making this request.
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionList {
    pub sessions: Vec<SessionInfo>,
}

/// `GET /api/v1/me`: the employee's own record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    pub nip: String,
    /// Name with academic titles, as on letters.
    pub full_name: String,
    pub name: String,
    pub gender: String,
    pub birth_place: String,
    pub birth_date: NaiveDate,
    /// `pns`, `cpns` or `pppk`.
    pub employment_type: String,
    /// Golongan/ruang, e.g. `III/a`; none for PPPK.
    pub rank: Option<String>,
    pub pangkat: Option<String>,
    pub position: Option<String>,
    pub unit: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A WebAuthn ceremony in progress: hand `options` to the platform (Android Credential
/// Manager, iOS AuthenticationServices) and send its answer back with `challenge_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyChallenge {
    pub challenge_id: String,
    /// `PublicKeyCredentialCreationOptions` or `...RequestOptions`, as WebAuthn JSON.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub options: serde_json::Value,
}

/// Finishes registering a passkey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyRegistration {
    pub challenge_id: String,
    /// A name the employee recognises, e.g. "HP Samsung".
    pub name: String,
    /// The platform's `RegistrationResponseJSON`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credential: serde_json::Value,
}

/// Finishes a passkey assertion (login or step-up).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyAssertion {
    pub challenge_id: String,
    /// The platform's `AuthenticationResponseJSON`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub credential: serde_json::Value,
    /// The device, for a login (ignored for step-up).
    #[serde(default)]
    pub device: Option<DeviceInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyInfo {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyList {
    pub passkeys: Vec<PasskeyInfo>,
}

/// The session is freshly verified for sensitive actions until `valid_until`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepUp {
    pub verified_at: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
}

/// One authentication event from the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthEvent {
    pub at: DateTime<Utc>,
    pub employee_id: Option<String>,
    /// What the client claimed (a NIP) when no employee was established.
    pub subject: Option<String>,
    /// e.g. `activation_requested`, `login_passkey`, `step_up`, `account_disabled`.
    pub event: String,
    /// e.g. `success`, `no_match`, `rejected`.
    pub outcome: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthEventList {
    pub events: Vec<AuthEvent>,
}

/// An OpenID Connect provider the app can log in with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SsoProvider {
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SsoProviders {
    pub providers: Vec<SsoProvider>,
}

/// What the app got back from the system browser (Authorization Code + PKCE S256).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SsoLogin {
    pub code: String,
    pub code_verifier: String,
    /// The state the app sent (the app has already checked it matches).
    pub state: String,
    /// The nonce the app sent; the ID token must carry it.
    pub nonce: String,
    pub device: DeviceInfo,
}

/// After logout from an SSO session: open this in the browser to end the provider's session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SsoLogout {
    pub end_session_url: Option<String>,
}

/// `POST /api/v1/admin/employees/{id}/transfer`: moves an employee to another unit (and post).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferRequest {
    /// The destination unit's code, e.g. `DINKES-U002`.
    pub unit_code: String,
    /// The destination post's code; none leaves the employee without a post until one is given.
    #[serde(default)]
    pub position_code: Option<String>,
    /// The post's present holder is being replaced: they leave it (and their sessions end). A
    /// transfer onto a post someone holds is refused (`position_occupied`) without this.
    #[serde(default)]
    pub replaces_holder: bool,
    /// The transfer decree's number (it goes into the position history).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub decree_number: String,
    /// TMT: the day the new placement takes effect.
    pub tmt: chrono::NaiveDate,
}

/// `POST /api/v1/me/email`: a new official email for the caller, confirmed by the link mailed
/// to it (nobody else can change it; Pergub Jatim 73/2020 Pasal 30(2)(j)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailChange {
    pub email: String,
}

/// `POST /api/v1/me/email/confirm`: the token from the mailed link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailConfirmation {
    pub token: String,
}

/// `POST /api/v1/me/phone`: a new mobile number for the caller, confirmed by the code sent to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhoneChange {
    pub phone: String,
}

/// `POST /api/v1/me/phone/confirm`: the six digits sent by SMS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhoneConfirmation {
    pub code: String,
}

/// A link or a code is on its way to the new address or number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerificationSent {
    pub message_id: String,
    pub message_en: String,
    /// Minutes the link or code stays valid.
    pub expires_in_minutes: u64,
}
