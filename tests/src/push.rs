//! Local stand-ins for FCM HTTP v1 and APNs (no offline emulator exists for either). They answer
//! as the providers document: FCM's OAuth2 token endpoint checks the service account's RS256
//! assertion; `messages:send` checks the access token and answers success, UNREGISTERED (404),
//! INVALID_ARGUMENT (400), QUOTA_EXCEEDED (429 with Retry-After) or INTERNAL (500) in Google's
//! error shape; APNs speaks HTTP/2 only (h2c here), checks the ES256 provider token and the
//! topic, and answers 200 with `apns-id`, 410 Unregistered, 400 BadDeviceToken, 429
//! TooManyRequests or 500 InternalServerError with `{"reason": ...}`.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use abdi_pades::keys::{KeyAlgorithm, PrivateKey};
use abdi_server::config::Config;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Version};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Value, json};

pub const PROJECT: &str = "abdi-test";
pub const APNS_TEAM: &str = "TEAM123456";
pub const APNS_KEY_ID: &str = "KEY1234567";
pub const APNS_TOPIC: &str = "id.go.abdi.app";
const CLIENT_EMAIL: &str = "abdi-push@abdi-test.iam.gserviceaccount.com";

/// A scripted answer for one message to a token.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub retry_after: Option<String>,
}

impl Reply {
    fn fcm_error(status: u16, google: &str, code: &str, message: &str) -> Reply {
        Reply {
            status,
            body: json!({"error": {"code": status, "message": message, "status": google,
                "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}]}}),
            retry_after: None,
        }
    }
    pub fn fcm_unregistered() -> Reply {
        Self::fcm_error(
            404,
            "NOT_FOUND",
            "UNREGISTERED",
            "Requested entity was not found.",
        )
    }
    pub fn fcm_invalid_argument() -> Reply {
        Self::fcm_error(
            400,
            "INVALID_ARGUMENT",
            "INVALID_ARGUMENT",
            "The registration token is not a valid FCM registration token",
        )
    }
    pub fn fcm_quota(retry_after_secs: u64) -> Reply {
        Reply {
            retry_after: Some(retry_after_secs.to_string()),
            ..Self::fcm_error(
                429,
                "RESOURCE_EXHAUSTED",
                "QUOTA_EXCEEDED",
                "Quota exceeded for quota metric 'Send requests'.",
            )
        }
    }
    pub fn fcm_internal() -> Reply {
        Self::fcm_error(500, "INTERNAL", "INTERNAL", "Internal error encountered.")
    }
    fn apns(status: u16, reason: &str) -> Reply {
        Reply {
            status,
            body: json!({"reason": reason}),
            retry_after: None,
        }
    }
    pub fn apns_unregistered() -> Reply {
        Reply {
            body: json!({"reason": "Unregistered", "timestamp": 1_790_000_000_000_u64}),
            ..Self::apns(410, "")
        }
    }
    pub fn apns_bad_device_token() -> Reply {
        Self::apns(400, "BadDeviceToken")
    }
    pub fn apns_too_many(retry_after_secs: Option<u64>) -> Reply {
        Reply {
            retry_after: retry_after_secs.map(|s| s.to_string()),
            ..Self::apns(429, "TooManyRequests")
        }
    }
    pub fn apns_internal() -> Reply {
        Self::apns(500, "InternalServerError")
    }
}

/// A message the peer accepted or refused.
#[derive(Debug, Clone)]
pub struct Call {
    /// "fcm" or "apns".
    pub provider: &'static str,
    pub token: String,
    pub status: u16,
    pub body: Value,
    pub http2: bool,
}

#[derive(Default)]
struct Inner {
    scripts: HashMap<String, VecDeque<Reply>>,
    calls: Vec<Call>,
    access_tokens: Vec<String>,
    token_grants: usize,
}

#[derive(Clone)]
struct Peer {
    inner: Arc<Mutex<Inner>>,
    fcm_key: rsa::RsaPublicKey,
    apns_key: p256::ecdsa::VerifyingKey,
    token_uri: String,
}

/// FCM (with its token endpoint) and APNs on one local port.
pub struct PushPeer {
    pub base: String,
    peer: Peer,
    service_account: PathBuf,
    apns_key: PathBuf,
    _dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl PushPeer {
    pub async fn start() -> PushPeer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let dir = tempfile::tempdir().unwrap();
        let PrivateKey::Rsa(rsa_key) = PrivateKey::generate(KeyAlgorithm::Rsa2048).unwrap() else {
            unreachable!()
        };
        let PrivateKey::P256(ec_key) = PrivateKey::generate(KeyAlgorithm::P256).unwrap() else {
            unreachable!()
        };
        let token_uri = format!("{base}/token");
        use rsa::pkcs8::EncodePrivateKey;
        let rsa_pem = rsa_key
            .to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)
            .unwrap()
            .to_string();
        let service_account = dir.path().join("service-account.json");
        std::fs::write(
            &service_account,
            json!({
                "type": "service_account",
                "project_id": PROJECT,
                "private_key_id": "0123456789abcdef",
                "private_key": rsa_pem,
                "client_email": CLIENT_EMAIL,
                "client_id": "1",
                "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                "token_uri": token_uri,
            })
            .to_string(),
        )
        .unwrap();
        let apns_key = dir.path().join("AuthKey.p8");
        std::fs::write(
            &apns_key,
            PrivateKey::P256(ec_key.clone()).to_pem().unwrap(),
        )
        .unwrap();
        let peer = Peer {
            inner: Arc::default(),
            fcm_key: rsa_key.to_public_key(),
            apns_key: p256::ecdsa::VerifyingKey::from(&p256::ecdsa::SigningKey::from(&ec_key)),
            token_uri,
        };
        let app = Router::new()
            .route("/token", post(token))
            .route("/v1/projects/{project}/messages:send", post(fcm_send))
            .route("/3/device/{token}", post(apns_send))
            .with_state(peer.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        PushPeer {
            base,
            peer,
            service_account,
            apns_key,
            _dir: dir,
            task,
        }
    }

    /// Points the app's FCM and APNs clients here.
    pub fn configure(&self, config: &mut Config) {
        let n = &mut config.notifications;
        n.fcm_service_account = Some(self.service_account.clone());
        n.fcm_url = self.base.clone();
        n.apns_key_path = Some(self.apns_key.clone());
        n.apns_key_id = APNS_KEY_ID.into();
        n.apns_team_id = APNS_TEAM.into();
        n.apns_topic = APNS_TOPIC.into();
        n.apns_url = self.base.clone();
    }

    /// The next messages to `token` get these answers, in order; then success again.
    pub fn script(&self, token: &str, replies: impl IntoIterator<Item = Reply>) {
        self.peer
            .inner
            .lock()
            .unwrap()
            .scripts
            .entry(token.to_owned())
            .or_default()
            .extend(replies);
    }

    pub fn calls(&self) -> Vec<Call> {
        self.peer.inner.lock().unwrap().calls.clone()
    }

    /// Messages accepted for `token`.
    pub fn delivered_to(&self, token: &str) -> Vec<Value> {
        self.calls()
            .into_iter()
            .filter(|c| c.token == token && c.status == 200)
            .map(|c| c.body)
            .collect()
    }

    /// How many access tokens the FCM token endpoint granted.
    pub fn token_grants(&self) -> usize {
        self.peer.inner.lock().unwrap().token_grants
    }
}

impl Drop for PushPeer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn json_reply(status: u16, body: &Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json; charset=UTF-8")],
        body.to_string(),
    )
        .into_response()
}

/// The parts of a compact JWS, its signing input and its signature bytes.
fn jws(token: &str) -> Option<(Value, Value, String, Vec<u8>)> {
    let mut parts = token.split('.');
    let (h, c, s) = (parts.next()?, parts.next()?, parts.next()?);
    let header = serde_json::from_slice(&B64.decode(h).ok()?).ok()?;
    let claims = serde_json::from_slice(&B64.decode(c).ok()?).ok()?;
    Some((header, claims, format!("{h}.{c}"), B64.decode(s).ok()?))
}

/// Google's OAuth2 token endpoint for a service account's JWT bearer assertion.
async fn token(State(peer): State<Peer>, body: String) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let refuse = |why: &str| {
        json_reply(
            400,
            &json!({"error": "invalid_grant", "error_description": why}),
        )
    };
    if form.get("grant_type").map(String::as_str)
        != Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
    {
        return json_reply(400, &json!({"error": "unsupported_grant_type"}));
    }
    let Some((header, claims, input, sig)) = form.get("assertion").and_then(|a| jws(a)) else {
        return refuse(
            "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe",
        );
    };
    use signature::Verifier;
    let verified = header["alg"] == "RS256"
        && rsa::pkcs1v15::Signature::try_from(sig.as_slice())
            .ok()
            .is_some_and(|s| {
                rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(peer.fcm_key.clone())
                    .verify(input.as_bytes(), &s)
                    .is_ok()
            });
    if !verified {
        return refuse("Invalid JWT Signature.");
    }
    let now = chrono::Utc::now().timestamp();
    if claims["iss"] != CLIENT_EMAIL
        || claims["aud"] != peer.token_uri.as_str()
        || claims["scope"] != "https://www.googleapis.com/auth/firebase.messaging"
        || claims["exp"]
            .as_i64()
            .is_none_or(|e| e <= now || e > now + 3700)
    {
        return refuse("Invalid JWT: claims");
    }
    let mut inner = peer.inner.lock().unwrap();
    inner.token_grants += 1;
    let access = format!("ya29.mock-{}", inner.token_grants);
    inner.access_tokens.push(access.clone());
    json_reply(
        200,
        &json!({"access_token": access, "expires_in": 3599, "token_type": "Bearer"}),
    )
}

fn scripted(peer: &Peer, token: &str) -> Option<Reply> {
    peer.inner
        .lock()
        .unwrap()
        .scripts
        .get_mut(token)
        .and_then(VecDeque::pop_front)
}

fn answer(peer: &Peer, call: Call, reply: Option<Reply>, ok: Value) -> Response {
    let (status, body, retry_after) = match reply {
        Some(r) => (r.status, r.body, r.retry_after),
        None => (200, ok, None),
    };
    peer.inner
        .lock()
        .unwrap()
        .calls
        .push(Call { status, ..call });
    if status == 200 && body.is_null() {
        // APNs: success is an empty body with the message's apns-id.
        return (
            StatusCode::OK,
            [("apns-id", uuid::Uuid::new_v4().to_string())],
        )
            .into_response();
    }
    let mut response = json_reply(status, &body);
    if let Some(after) = retry_after {
        response
            .headers_mut()
            .insert("retry-after", after.parse().unwrap());
    }
    response
}

async fn fcm_send(
    State(peer): State<Peer>,
    Path(project): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !peer
        .inner
        .lock()
        .unwrap()
        .access_tokens
        .iter()
        .any(|t| t == bearer)
    {
        return json_reply(
            401,
            &json!({"error": {"code": 401, "message": "Request had invalid authentication credentials. Expected OAuth 2 access token.", "status": "UNAUTHENTICATED"}}),
        );
    }
    if project != PROJECT {
        return json_reply(
            403,
            &json!({"error": {"code": 403, "message": "Permission denied", "status": "PERMISSION_DENIED"}}),
        );
    }
    let Ok(message) = serde_json::from_str::<Value>(&body) else {
        return json_reply(
            400,
            &json!({"error": {"code": 400, "message": "Invalid JSON payload received.", "status": "INVALID_ARGUMENT"}}),
        );
    };
    let token = message["message"]["token"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let reply = scripted(&peer, &token);
    let call = Call {
        provider: "fcm",
        token,
        status: 0,
        body: message,
        http2: false,
    };
    answer(
        &peer,
        call,
        reply,
        json!({"name": format!("projects/{PROJECT}/messages/0:{}", uuid::Uuid::new_v4().simple())}),
    )
}

async fn apns_send(
    State(peer): State<Peer>,
    Path(token): Path<String>,
    version: Version,
    headers: HeaderMap,
    body: String,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let provider_token = header("authorization");
    let valid = provider_token
        .strip_prefix("bearer ")
        .or_else(|| provider_token.strip_prefix("Bearer "))
        .and_then(jws)
        .is_some_and(|(h, c, input, sig)| {
            use signature::Verifier;
            h["alg"] == "ES256"
                && h["kid"] == APNS_KEY_ID
                && c["iss"] == APNS_TEAM
                && p256::ecdsa::Signature::from_slice(&sig)
                    .is_ok_and(|s| peer.apns_key.verify(input.as_bytes(), &s).is_ok())
        });
    if !valid {
        return json_reply(403, &json!({"reason": "InvalidProviderToken"}));
    }
    // Apple refuses a provider token issued more than an hour ago.
    let iat = provider_token
        .split_once(' ')
        .and_then(|(_, t)| jws(t))
        .and_then(|(_, c, _, _)| c["iat"].as_i64())
        .unwrap_or(0);
    if chrono::Utc::now().timestamp() - iat > 3600 {
        return json_reply(403, &json!({"reason": "ExpiredProviderToken"}));
    }
    if header("apns-topic") != APNS_TOPIC {
        return json_reply(400, &json!({"reason": "TopicDisallowed"}));
    }
    if header("apns-push-type").is_empty() {
        return json_reply(400, &json!({"reason": "InvalidPushType"}));
    }
    let payload: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let reply = if !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        Some(Reply::apns_bad_device_token())
    } else {
        scripted(&peer, &token)
    };
    let call = Call {
        provider: "apns",
        token,
        status: 0,
        body: payload,
        http2: version == Version::HTTP_2,
    };
    // APNs answers success with an empty body and an apns-id header.
    answer(&peer, call, reply, Value::Null)
}
