//! The end-to-end suite: one test binary, every test against the real app with real peers,
//! most of them twice (PostgreSQL + Redis, SQLite + in-process store).

// Tests and benches measure real time: the injected-clock rule is for the product's code.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access;
mod database_outage;
mod documents;
mod errors;
mod health;
mod identity;
mod mobile;
mod notifications;
mod openapi;
mod passkeys;
mod reference;
mod seed;
mod services;
mod sessions;
mod sso;

use serde_json::Value;

/// Reads a problem+json body and checks the parts every error must have.
pub async fn problem(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let header_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert_eq!(body["type"], format!("urn:abdi:problem:{code}"));
    assert!(!body["title"].as_str().unwrap_or_default().is_empty());
    assert_eq!(body["request_id"].as_str().map(str::to_owned), header_id);
    body
}
