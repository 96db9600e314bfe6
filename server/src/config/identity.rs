//! `[identity]` and `[[sso]]`: sessions, passkeys, activation and OpenID Connect providers.

use serde::{Deserialize, Serialize};

use super::secret::Secret;

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
    /// The Android app's package name, for App Links (`/.well-known/assetlinks.json`).
    pub android_package: Option<String>,
    /// SHA-256 fingerprints of the Android app's signing certificates (`AB:CD:...`).
    pub android_cert_sha256: Vec<String>,
    /// The iOS app's team id and bundle id, for Universal Links
    /// (`/.well-known/apple-app-site-association`).
    pub ios_team_id: Option<String>,
    pub ios_bundle_id: Option<String>,
    /// How a phone's verification code leaves: `log` (the embedded default) or `spool` (one
    /// file per message in `sms_spool_dir`, for an SMS gateway to send).
    pub sms_transport: SmsTransport,
    pub sms_spool_dir: std::path::PathBuf,
    /// How long a phone's verification code stays valid.
    pub phone_code_ttl_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsTransport {
    Log,
    Spool,
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
