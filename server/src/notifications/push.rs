//! Push providers: Firebase Cloud Messaging HTTP v1 and the Apple Push Notification service.
//!
//! - FCM: an RS256 JWT signed with the service account's key is exchanged at its `token_uri`
//!   for an OAuth2 access token, cached until a minute before it expires (and dropped when FCM
//!   says it is no longer accepted). Messages go to `{url}/v1/projects/{project}/messages:send`.
//! - APNs: HTTP/2 with an ES256 provider token (team id, key id), renewed every 50 minutes as
//!   Apple asks (at most once per 20 minutes, at least once per hour). A plain `http://` URL
//!   speaks HTTP/2 without TLS, for test endpoints.
//!
//! Both classify the provider's answer the way its documentation does: invalid tokens are
//! reported so the device is removed, quota and server errors are retried (after Retry-After
//! when given), anything else is permanent.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Mutex;

use crate::clock::{Clock, SystemClock};
use crate::config::NotificationsConfig;

#[derive(Debug, thiserror::Error)]
pub enum PushConfigError {
    #[error("notifications.fcm_service_account {path}: {reason}")]
    Fcm { path: String, reason: String },
    #[error("notifications.apns_key_path {path}: {reason}")]
    Apns { path: String, reason: String },
    #[error("notifications: {0}")]
    Client(String),
}

/// What to show and what the app needs to refresh.
#[derive(Debug, Clone)]
pub struct PushMessage {
    pub title: String,
    pub body: String,
    /// String values only (FCM's data payload is a string map).
    pub data: BTreeMap<String, String>,
}

/// How the provider answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    Sent,
    /// The token is unknown to the provider or not a token at all: remove the device.
    InvalidToken(String),
    /// Quota, server error, expired credentials: try again (after `after` if given).
    Retry {
        after: Option<Duration>,
        error: String,
    },
    /// The provider refused the message itself: retrying will not help.
    Failed(String),
}

/// The configured providers; a provider without configuration is None.
#[derive(Clone, Default)]
pub struct Push {
    pub fcm: Option<Arc<Fcm>>,
    pub apns: Option<Arc<Apns>>,
}

impl Push {
    pub fn from_config(config: &NotificationsConfig) -> Result<Push, PushConfigError> {
        let timeout = Duration::from_secs(config.send_timeout_secs);
        let fcm = match &config.fcm_service_account {
            Some(path) => Some(Arc::new(Fcm::from_file(path, &config.fcm_url, timeout)?)),
            None => None,
        };
        let apns = match &config.apns_key_path {
            Some(path) => Some(Arc::new(Apns::from_config(path, config, timeout)?)),
            None => None,
        };
        Ok(Push { fcm, apns })
    }
}

/// Seconds, or an HTTP date.
fn retry_after(headers: &reqwest::header::HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    Some((at.with_timezone(&Utc) - now).to_std().unwrap_or_default())
}

fn transport_error(e: &reqwest::Error) -> PushOutcome {
    PushOutcome::Retry {
        after: None,
        error: crate::store::db::one_line(&format!("{e}: {:?}", std::error::Error::source(e))),
    }
}

fn jwt(header: &serde_json::Value, claims: &serde_json::Value) -> String {
    format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    )
}

/// A service-account JSON file, as the Firebase console downloads it.
#[derive(Deserialize)]
struct ServiceAccount {
    project_id: String,
    private_key_id: String,
    private_key: String,
    client_email: String,
    token_uri: String,
}

pub struct Fcm {
    http: reqwest::Client,
    send_url: String,
    account: ServiceAccount,
    key: rsa::pkcs1v15::SigningKey<sha2::Sha256>,
    token: Mutex<Option<(String, Instant)>>,
}

const FCM_SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";

#[derive(Deserialize)]
struct GoogleError {
    error: GoogleErrorBody,
}

#[derive(Deserialize)]
struct GoogleErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    details: Vec<serde_json::Value>,
}

impl Fcm {
    fn from_file(
        path: &std::path::Path,
        base: &str,
        timeout: Duration,
    ) -> Result<Fcm, PushConfigError> {
        let failed = |reason: String| PushConfigError::Fcm {
            path: path.display().to_string(),
            reason,
        };
        let raw = std::fs::read_to_string(path).map_err(|e| failed(e.to_string()))?;
        let account: ServiceAccount = serde_json::from_str(&raw)
            .map_err(|e| failed(format!("not a service-account JSON file: {e}")))?;
        use rsa::pkcs8::DecodePrivateKey;
        let key = rsa::RsaPrivateKey::from_pkcs8_pem(&account.private_key)
            .map_err(|e| failed(format!("private_key is not an RSA PKCS#8 key: {e}")))?;
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| PushConfigError::Client(e.to_string()))?;
        Ok(Fcm {
            http,
            send_url: format!(
                "{}/v1/projects/{}/messages:send",
                base.trim_end_matches('/'),
                account.project_id
            ),
            account,
            key: rsa::pkcs1v15::SigningKey::new(key),
            token: Mutex::new(None),
        })
    }

    /// The cached access token, or a new one from the token endpoint.
    async fn access_token(&self) -> Result<String, PushOutcome> {
        let mut cached = self.token.lock().await;
        if let Some((token, until)) = cached.as_ref()
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        use signature::{SignatureEncoding, Signer};
        // The provider checks the assertion against its own clock: wall-clock time, always.
        let iat = SystemClock.now().timestamp();
        let unsigned = jwt(
            &json!({"alg": "RS256", "typ": "JWT", "kid": self.account.private_key_id}),
            &json!({
                "iss": self.account.client_email,
                "scope": FCM_SCOPE,
                "aud": self.account.token_uri,
                "iat": iat,
                "exp": iat + 3600,
            }),
        );
        let signature = self.key.sign(unsigned.as_bytes()).to_vec();
        let assertion = format!("{unsigned}.{}", B64.encode(signature));
        let response = self
            .http
            .post(&self.account.token_uri)
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", assertion.as_str()),
            ])
            .send()
            .await
            .map_err(|e| transport_error(&e))?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(PushOutcome::Retry {
                after: None,
                error: format!(
                    "FCM token endpoint answered {status}: {}",
                    body.chars().take(200).collect::<String>()
                ),
            });
        }
        #[derive(Deserialize)]
        struct TokenResponse {
            access_token: String,
            expires_in: u64,
        }
        let t: TokenResponse = response.json().await.map_err(|e| PushOutcome::Retry {
            after: None,
            error: format!("FCM token endpoint: {e}"),
        })?;
        let valid = Duration::from_secs(t.expires_in.saturating_sub(60).max(1));
        *cached = Some((t.access_token.clone(), Instant::now() + valid));
        Ok(t.access_token)
    }

    pub async fn send(
        &self,
        token: &str,
        message: &PushMessage,
        now: DateTime<Utc>,
    ) -> PushOutcome {
        let access = match self.access_token().await {
            Ok(t) => t,
            Err(outcome) => return outcome,
        };
        let body = json!({
            "message": {
                "token": token,
                "notification": {"title": message.title, "body": message.body},
                "data": message.data,
                "android": {"priority": "high"},
            }
        });
        let response = match self
            .http
            .post(&self.send_url)
            .bearer_auth(access)
            .json(&body)
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) => return transport_error(&e),
        };
        let status = response.status();
        if status.is_success() {
            return PushOutcome::Sent;
        }
        let after = retry_after(response.headers(), now);
        let text = response.text().await.unwrap_or_default();
        let (code, detail) = match serde_json::from_str::<GoogleError>(&text) {
            Ok(e) => {
                let code = e
                    .error
                    .details
                    .iter()
                    .find_map(|d| d.get("errorCode").and_then(|c| c.as_str()))
                    .map(str::to_owned)
                    .unwrap_or(e.error.status);
                (code, e.error.message)
            }
            Err(_) => (String::new(), text.chars().take(200).collect()),
        };
        let error = format!("FCM {status} {code}: {detail}");
        match (status.as_u16(), code.as_str()) {
            // The token is gone or was never valid (FCM's guide: delete it on both).
            (_, "UNREGISTERED" | "INVALID_ARGUMENT" | "SENDER_ID_MISMATCH") | (404, _) => {
                PushOutcome::InvalidToken(error)
            }
            (401, _) | (_, "THIRD_PARTY_AUTH_ERROR" | "UNAUTHENTICATED") => {
                *self.token.lock().await = None;
                PushOutcome::Retry { after, error }
            }
            (429 | 500..=599, _) | (_, "QUOTA_EXCEEDED" | "UNAVAILABLE" | "INTERNAL") => {
                PushOutcome::Retry { after, error }
            }
            _ => PushOutcome::Failed(error),
        }
    }
}

pub struct Apns {
    http: reqwest::Client,
    base: String,
    topic: String,
    key_id: String,
    team_id: String,
    key: p256::ecdsa::SigningKey,
    token: Mutex<Option<(String, Instant)>>,
}

/// Apple: renew the provider token between 20 and 60 minutes.
const APNS_TOKEN_LIFETIME: Duration = Duration::from_secs(50 * 60);

impl Apns {
    fn from_config(
        path: &std::path::Path,
        config: &NotificationsConfig,
        timeout: Duration,
    ) -> Result<Apns, PushConfigError> {
        let failed = |reason: String| PushConfigError::Apns {
            path: path.display().to_string(),
            reason,
        };
        let pem = std::fs::read_to_string(path).map_err(|e| failed(e.to_string()))?;
        use p256::pkcs8::DecodePrivateKey;
        let key = p256::ecdsa::SigningKey::from_pkcs8_pem(&pem)
            .map_err(|e| failed(format!("not a P-256 PKCS#8 key (.p8): {e}")))?;
        let mut builder = reqwest::Client::builder().timeout(timeout);
        builder = if config.apns_url.starts_with("http://") {
            builder.http2_prior_knowledge()
        } else {
            builder.https_only(true)
        };
        let http = builder
            .build()
            .map_err(|e| PushConfigError::Client(e.to_string()))?;
        Ok(Apns {
            http,
            base: config.apns_url.trim_end_matches('/').to_owned(),
            topic: config.apns_topic.clone(),
            key_id: config.apns_key_id.clone(),
            team_id: config.apns_team_id.clone(),
            key,
            token: Mutex::new(None),
        })
    }

    async fn provider_token(&self) -> String {
        let mut cached = self.token.lock().await;
        if let Some((token, until)) = cached.as_ref()
            && Instant::now() < *until
        {
            return token.clone();
        }
        use signature::Signer;
        let unsigned = jwt(
            &json!({"alg": "ES256", "kid": self.key_id}),
            // Apple compares `iat` with its own clock: wall-clock time, always.
            &json!({"iss": self.team_id, "iat": SystemClock.now().timestamp()}),
        );
        let signature: p256::ecdsa::Signature = self.key.sign(unsigned.as_bytes());
        let token = format!("{unsigned}.{}", B64.encode(signature.to_bytes()));
        *cached = Some((token.clone(), Instant::now() + APNS_TOKEN_LIFETIME));
        token
    }

    pub async fn send(
        &self,
        token: &str,
        message: &PushMessage,
        now: DateTime<Utc>,
    ) -> PushOutcome {
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return PushOutcome::InvalidToken("APNs device tokens are hexadecimal".into());
        }
        let mut body = serde_json::Map::new();
        body.insert(
            "aps".into(),
            json!({"alert": {"title": message.title, "body": message.body}, "sound": "default"}),
        );
        for (k, v) in &message.data {
            body.insert(k.clone(), json!(v));
        }
        let response = match self
            .http
            .post(format!("{}/3/device/{token}", self.base))
            .bearer_auth(self.provider_token().await)
            .header("apns-topic", &self.topic)
            .header("apns-push-type", "alert")
            .header("apns-priority", "10")
            .json(&serde_json::Value::Object(body))
            .send()
            .await
        {
            Ok(r) => r,
            Err(e) => return transport_error(&e),
        };
        let status = response.status();
        if status.is_success() {
            return PushOutcome::Sent;
        }
        let after = retry_after(response.headers(), now);
        #[derive(Deserialize)]
        struct Reason {
            reason: String,
        }
        let text = response.text().await.unwrap_or_default();
        let reason = serde_json::from_str::<Reason>(&text)
            .map(|r| r.reason)
            .unwrap_or_else(|_| text.chars().take(200).collect());
        let error = format!("APNs {status} {reason}");
        match (status.as_u16(), reason.as_str()) {
            (410, _) | (400, "BadDeviceToken" | "DeviceTokenNotForTopic") => {
                PushOutcome::InvalidToken(error)
            }
            (403, "ExpiredProviderToken" | "InvalidProviderToken") => {
                *self.token.lock().await = None;
                PushOutcome::Retry { after, error }
            }
            (429 | 500..=599, _) => PushOutcome::Retry { after, error },
            _ => PushOutcome::Failed(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_or_a_date() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T07:25:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(reqwest::header::RETRY_AFTER, "120".parse().unwrap());
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(120)));
        h.insert(
            reqwest::header::RETRY_AFTER,
            "Mon, 23 Nov 2026 07:26:30 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(90)));
        h.insert(reqwest::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h, now), None);
    }
}
