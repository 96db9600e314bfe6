//! A signing service that answers as a BSrE-style esign-client-service (API v2) does: no such
//! service can run here, so this one holds each official's key and certificate (from a
//! two-level test CA) and signs with Abdi's PAdES code, checking the platform's basic-auth
//! account, the NIK and the passphrase or TOTP as the real one does, with its error bodies.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use abdi_pades::keys::KeyAlgorithm;
use abdi_pades::pki::{self, Issued, Spec, dn};
use abdi_pades::sign::{Credentials, SignOptions};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{Duration, Utc};
use serde_json::{Value, json};

pub const USERNAME: &str = "abdi";
pub const PASSWORD: &str = "rahasia-platform";

/// One call as the service saw it (never the passphrase).
#[derive(Debug, Clone)]
pub struct Call {
    pub nik: String,
    pub files: usize,
    pub status: u16,
}

struct Account {
    passphrase: String,
    credentials: Credentials,
}

#[derive(Clone)]
struct Esign {
    accounts: Arc<Mutex<HashMap<String, Account>>>,
    calls: Arc<Mutex<Vec<Call>>>,
}

pub struct EsignPeer {
    pub url: String,
    /// The root every certificate chains to (PEM), for documents.trust_roots.
    pub root_pem: String,
    calls: Arc<Mutex<Vec<Call>>>,
    accounts: Arc<Mutex<HashMap<String, Account>>>,
    ca: Issued,
    task: tokio::task::JoinHandle<()>,
}

fn spec(subject: String) -> Spec {
    let now = Utc::now();
    Spec {
        subject,
        algorithm: KeyAlgorithm::Rsa2048,
        not_before: now - Duration::days(400),
        not_after: now + Duration::days(365),
    }
}

impl EsignPeer {
    /// Starts the service with its own two-level CA (RSA) and no accounts yet.
    pub async fn start() -> EsignPeer {
        let root = pki::root(&spec(dn(&[
            ("CN", "Test BSrE Root"),
            ("O", "Test"),
            ("C", "ID"),
        ])))
        .unwrap();
        let ca: Issued = pki::intermediate(
            &root,
            &spec(dn(&[
                ("CN", "Test BSrE Signing CA"),
                ("O", "Test"),
                ("C", "ID"),
            ])),
        )
        .unwrap();
        let accounts = Arc::new(Mutex::new(HashMap::new()));
        let calls = Arc::new(Mutex::new(Vec::new()));
        let state = Esign {
            accounts: accounts.clone(),
            calls: calls.clone(),
        };
        let app = axum::Router::new()
            .route("/api/v2/sign/pdf", post(sign))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        EsignPeer {
            url,
            root_pem: root.cert_pem().unwrap(),
            calls,
            accounts,
            ca,
            task,
        }
    }

    /// Gives an official a certificate (their name, NIP in serialNumber) and a passphrase.
    pub fn register(&self, nik: &str, name: &str, nip: &str, passphrase: &str) {
        let leaf = pki::signer(
            &self.ca,
            &spec(dn(&[
                ("CN", name),
                ("serialNumber", nip),
                ("O", "Test"),
                ("C", "ID"),
            ])),
        )
        .unwrap();
        self.accounts.lock().unwrap().insert(
            nik.to_owned(),
            Account {
                passphrase: passphrase.to_owned(),
                credentials: Credentials {
                    key: leaf.key,
                    chain: vec![leaf.cert, self.ca.cert.clone()],
                },
            },
        );
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// Stops answering (connection refused from now on).
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for EsignPeer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn sign(
    State(s): State<Esign>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let nik = body["nik"].as_str().unwrap_or_default().to_owned();
    let files = body["file"].as_array().cloned().unwrap_or_default();
    let answer = answer(&s, &headers, &body, &nik, &files);
    s.calls.lock().unwrap().push(Call {
        nik,
        files: files.len(),
        status: answer.0.as_u16(),
    });
    answer
}

fn answer(
    s: &Esign,
    headers: &HeaderMap,
    body: &Value,
    nik: &str,
    files: &[Value],
) -> (StatusCode, Json<Value>) {
    let expected = format!("Basic {}", B64.encode(format!("{USERNAME}:{PASSWORD}")));
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "status_code": 401, "error": "Unauthorized" })),
        );
    }
    let accounts = s.accounts.lock().unwrap();
    let Some(account) = accounts.get(nik) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "status_code": 1111, "error": "NIK tidak terdaftar" })),
        );
    };
    let passphrase = body["passphrase"].as_str();
    let totp = body["totp"].as_str();
    let ok = passphrase == Some(account.passphrase.as_str()) || totp == Some("123456");
    if !ok {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "status_code": 2031, "error": "Passphrase anda salah" })),
        );
    }
    if files.is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "status_code": 2021, "error": "Dokumen tidak ditemukan" })),
        );
    }
    let opts = SignOptions::at(Utc::now());
    let mut signed = Vec::new();
    for f in files {
        let Some(pdf) = f.as_str().and_then(|f| B64.decode(f).ok()) else {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({ "status_code": 2022, "error": "Dokumen bukan PDF" })),
            );
        };
        match abdi_pades::sign::sign(&pdf, &account.credentials, &opts) {
            Ok(out) => signed.push(B64.encode(out)),
            Err(e) => {
                return (
                    StatusCode::BAD_REQUEST,
                    Json(
                        json!({ "status_code": 2022, "error": format!("Dokumen bukan PDF: {e}") }),
                    ),
                );
            }
        }
    }
    (StatusCode::OK, Json(json!({ "file": signed, "time": 42 })))
}
