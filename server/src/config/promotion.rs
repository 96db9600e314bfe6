//! `[promotion]`: the BKN connector (a SIASN-style API) and its worker.

use serde::{Deserialize, Serialize};

use super::Secret;

/// Promotion: the connector to BKN and the worker that sends proposals, reads BKN's answers
/// and uploads the signed SKs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromotionConfig {
    /// Run the exchange worker in `serve` (instances share the work under leases).
    pub worker: bool,
    /// How often the worker looks for due work.
    pub tick_secs: u64,
    /// How long a worker's claim on a proposal lasts; a worker that dies mid-call leaves the
    /// proposal to another after this.
    pub lease_secs: u64,
    /// How often BKN is asked for the answers to proposals it holds (no webhook exists).
    pub poll_secs: u64,
    /// The first retry waits about this long (with jitter), each next one twice as long;
    /// BKN's Retry-After wins when it gives one.
    pub backoff_base_ms: u64,
    pub backoff_max_secs: u64,
    /// The BKN connector; no proposal is sent while it is absent.
    pub bkn: Option<BknConfig>,
}

/// The SIASN-style API: a WSO2 API manager token (OAuth2 client credentials) and a Keycloak
/// SSO token (password grant), both sent on every call. The training environment has its
/// own hosts (`training-apimws.bkn.go.id`, `iam-siasn.bkn.go.id`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BknConfig {
    /// The API manager's token endpoint, e.g. `https://apimws.bkn.go.id/oauth2/token`.
    pub apim_token_url: String,
    pub consumer_key: String,
    pub consumer_secret: Secret,
    /// The SSO token endpoint, e.g.
    /// `https://sso-siasn.bkn.go.id/auth/realms/public-siasn/protocol/openid-connect/token`.
    pub sso_token_url: String,
    pub sso_client_id: String,
    pub sso_username: String,
    pub sso_password: Secret,
    /// The API's base, e.g. `https://apimws.bkn.go.id:8243/apisiasn/1.0`.
    pub api_url: String,
    /// One call's timeout.
    pub timeout_secs: u64,
}

impl Default for PromotionConfig {
    fn default() -> Self {
        Self {
            worker: true,
            tick_secs: 30,
            lease_secs: 120,
            poll_secs: 3_600,
            backoff_base_ms: 30_000,
            backoff_max_secs: 6 * 3_600,
            bkn: None,
        }
    }
}
