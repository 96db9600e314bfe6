//! The typed transport to the Abdi server: rustls only, timeouts on every call, retries with
//! backoff for calls that are safe to repeat, and the server's problem documents turned into
//! [`CoreError::Api`].

use std::time::Duration;

use abdi_proto::{Lang, Problem};
use reqwest::{Method, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::CoreError;
use crate::pinning;

/// How the client reaches the server. Everything has a default a phone can live with.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// e.g. `https://abdi.jatimprov.go.id` (no `/api/v1`).
    pub base_url: String,
    /// The language of the server's messages.
    pub lang: Lang,
    pub connect_timeout: Duration,
    /// For one attempt of an ordinary call (not the event stream).
    pub request_timeout: Duration,
    /// The event stream is reopened after this long without a byte (the server sends a
    /// keep-alive every 15 s by default).
    pub stream_idle_timeout: Duration,
    /// Attempts after the first for calls that are safe to repeat.
    pub retries: u32,
    /// The first backoff; doubled per attempt, with jitter, capped at `backoff_max`.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Base64 SHA-256 hashes of SubjectPublicKeyInfo; when not empty the validated path (server
    /// certificate, intermediates used, trust anchor) must carry one of them (on top of the usual
    /// validation).
    pub spki_pins: Vec<String>,
    /// Extra trusted roots (PEM), for an agency's own CA.
    pub extra_roots_pem: Option<Vec<u8>>,
    /// The device, as the server's session list shows it.
    pub device_name: String,
    /// `android` or `ios`.
    pub platform: String,
    /// The app's version, sent with push registrations.
    pub app_version: String,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            lang: Lang::Id,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            stream_idle_timeout: Duration::from_secs(45),
            retries: 3,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(8),
            spki_pins: Vec::new(),
            extra_roots_pem: None,
            device_name: "Abdi".into(),
            platform: "android".into(),
            app_version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// Whether a call may be repeated after an error whose effect is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// GET, PUT, DELETE, or a POST carrying an idempotency key.
    Safe,
    /// A POST the server does not deduplicate: sent once.
    Once,
}

pub(crate) struct Http {
    client: reqwest::Client,
    /// For the event stream: no overall timeout.
    streaming: reqwest::Client,
    base: String,
    lang: Lang,
    retries: u32,
    backoff_base: Duration,
    backoff_max: Duration,
}

/// One call: what to send and how. The client adds the session token.
pub(crate) struct Call {
    pub method: Method,
    pub path: String,
    pub token: Option<String>,
    pub body: Body,
    pub headers: Vec<(&'static str, String)>,
    pub repeat: Repeat,
}

pub(crate) enum Body {
    None,
    Json(Vec<u8>),
    Bytes(Vec<u8>),
}

impl Call {
    pub fn get(path: impl Into<String>) -> Self {
        Call {
            method: Method::GET,
            path: path.into(),
            token: None,
            body: Body::None,
            headers: Vec::new(),
            repeat: Repeat::Safe,
        }
    }

    /// A call without a body (POST without one is sent once).
    pub fn bare(method: Method, path: impl Into<String>) -> Self {
        let repeat = if method == Method::POST {
            Repeat::Once
        } else {
            Repeat::Safe
        };
        Call {
            method,
            path: path.into(),
            token: None,
            body: Body::None,
            headers: Vec::new(),
            repeat,
        }
    }

    pub fn json(
        method: Method,
        path: impl Into<String>,
        body: &impl Serialize,
    ) -> Result<Self, CoreError> {
        let mut call = Self::bare(method, path);
        call.body =
            Body::Json(serde_json::to_vec(body).map_err(|e| CoreError::Protocol(e.to_string()))?);
        Ok(call)
    }

    pub fn post(path: impl Into<String>, body: &impl Serialize) -> Result<Self, CoreError> {
        Self::json(Method::POST, path, body)
    }

    /// Raw bytes (an attachment upload).
    pub fn upload(path: impl Into<String>, bytes: Vec<u8>) -> Self {
        let mut call = Self::bare(Method::POST, path);
        call.body = Body::Bytes(bytes);
        call
    }

    /// Marks a POST as deduplicated by the server under `key`, so it may be repeated.
    pub fn idempotent(mut self, key: &str) -> Self {
        self.headers.push(("idempotency-key", key.to_owned()));
        self.repeat = Repeat::Safe;
        self
    }

    pub fn header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }
}

impl Http {
    pub fn new(config: &ClientConfig) -> Result<Self, CoreError> {
        let base = config.base_url.trim_end_matches('/').to_owned();
        url::Url::parse(&base).map_err(|e| CoreError::Protocol(format!("base URL {base}: {e}")))?;
        let build = |overall: Option<Duration>| -> Result<reqwest::Client, CoreError> {
            let mut b = reqwest::Client::builder()
                .connect_timeout(config.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(format!(
                    "abdi-core/{} ({})",
                    config.app_version, config.platform
                ));
            if let Some(t) = overall {
                b = b.timeout(t);
            } else {
                b = b.tcp_keepalive(Duration::from_secs(30));
            }
            if !config.spki_pins.is_empty() || config.extra_roots_pem.is_some() {
                b = b.use_preconfigured_tls(pinning::tls_config(
                    &config.spki_pins,
                    config.extra_roots_pem.as_deref(),
                )?);
            }
            b.build().map_err(|e| CoreError::Protocol(e.to_string()))
        };
        Ok(Http {
            client: build(Some(config.request_timeout))?,
            streaming: build(None)?,
            base,
            lang: config.lang,
            retries: config.retries,
            backoff_base: config.backoff_base,
            backoff_max: config.backoff_max,
        })
    }

    /// A path on the Abdi server, or an absolute URL elsewhere (the OpenID provider).
    fn url(&self, path: &str) -> String {
        if path.starts_with("https://") || path.starts_with("http://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    /// Sends `call` and reads a JSON answer.
    pub async fn json<T: DeserializeOwned>(&self, call: Call) -> Result<T, CoreError> {
        let r = self.execute(&call).await?;
        let bytes = r.bytes().await.map_err(transport)?;
        serde_json::from_slice(&bytes)
            .map_err(|e| CoreError::Protocol(format!("{}: {e}", call.path)))
    }

    /// Sends `call` and reads the raw answer.
    pub async fn bytes(&self, call: Call) -> Result<Vec<u8>, CoreError> {
        let r = self.execute(&call).await?;
        Ok(r.bytes().await.map_err(transport)?.to_vec())
    }

    /// Sends `call`, expecting no body back.
    pub async fn empty(&self, call: Call) -> Result<(), CoreError> {
        self.execute(&call).await.map(drop)
    }

    /// Opens a long-lived response (the event stream), without the per-call timeout.
    pub async fn open_stream(&self, call: Call) -> Result<reqwest::Response, CoreError> {
        let r = self
            .request(&self.streaming, &call)
            .send()
            .await
            .map_err(transport)?;
        self.check(r).await
    }

    async fn execute(&self, call: &Call) -> Result<reqwest::Response, CoreError> {
        let mut attempt = 0u32;
        loop {
            let (outcome, retry_after) = match self.request(&self.client, call).send().await {
                Ok(r) => {
                    let after = retry_after(&r);
                    (self.check(r).await, after)
                }
                Err(e) => (Err(transport(e)), None),
            };
            let error = match outcome {
                Ok(r) => return Ok(r),
                Err(e) => e,
            };
            if call.repeat == Repeat::Once || !error.is_transient() || attempt >= self.retries {
                return Err(error);
            }
            attempt += 1;
            let wait = match retry_after {
                // A server that asks for a long pause gets it from the caller (the queue keeps
                // the submission), not from a phone screen waiting inside one call.
                Some(after) if after > self.backoff_max => return Err(error),
                Some(after) => after,
                None => self.backoff(attempt),
            };
            tokio::time::sleep(wait).await;
        }
    }

    fn request(&self, client: &reqwest::Client, call: &Call) -> reqwest::RequestBuilder {
        let mut req = client
            .request(call.method.clone(), self.url(&call.path))
            .header(header::ACCEPT_LANGUAGE, self.lang.tag());
        if let Some(token) = &call.token {
            req = req.bearer_auth(token);
        }
        for (name, value) in &call.headers {
            req = req.header(*name, value);
        }
        match &call.body {
            Body::None => req,
            Body::Json(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(b.clone()),
            Body::Bytes(b) => req
                .header(header::CONTENT_TYPE, "application/octet-stream")
                .body(b.clone()),
        }
    }

    /// A success passes; anything else becomes the server's problem, or a protocol error.
    async fn check(&self, r: reqwest::Response) -> Result<reqwest::Response, CoreError> {
        let status = r.status();
        if status.is_success() {
            return Ok(r);
        }
        let bytes = r.bytes().await.map_err(transport)?;
        Err(problem(status, &bytes))
    }

    /// Exponential backoff with equal jitter: half fixed, half random.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .backoff_base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.backoff_max);
        let half = exp / 2;
        let mut b = [0u8; 4];
        let r = getrandom::fill(&mut b)
            .map(|()| u32::from_le_bytes(b))
            .unwrap_or(0);
        half + half.mul_f64(f64::from(r) / f64::from(u32::MAX))
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not used by the Abdi server).
fn retry_after(r: &reqwest::Response) -> Option<Duration> {
    r.headers()
        .get(header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

pub(crate) fn problem(status: StatusCode, body: &[u8]) -> CoreError {
    match serde_json::from_slice::<Problem>(body) {
        Ok(p) => CoreError::Api {
            code: p.code,
            status: status.as_u16(),
            detail: p.detail.unwrap_or(p.title),
            items: p.errors,
        },
        Err(_) => match status.as_u16() {
            // A proxy or load balancer in front of the server.
            502..=504 => CoreError::Network(format!("HTTP {status}")),
            _ => CoreError::Protocol(format!(
                "HTTP {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(200)])
            )),
        },
    }
}

pub(crate) fn transport(e: reqwest::Error) -> CoreError {
    if let Some(pin) = pinning::pin_failure(&e) {
        return CoreError::CertificatePin(pin);
    }
    if e.is_timeout() {
        CoreError::Timeout(e.to_string())
    } else if e.is_decode() || e.is_builder() {
        CoreError::Protocol(e.to_string())
    } else {
        let mut msg = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            source = s.source();
        }
        CoreError::Network(msg)
    }
}
