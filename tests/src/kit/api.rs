//! Calls to the API with typed bodies (the `abdi_proto` request types, sent with
//! `RequestBuilder::json`), and the checks every answer gets: [`problem`] for errors, [`ok`]
//! and [`ok_as`] for successes. The `World` helpers call as one of its people; [`call`] and
//! [`call_with`] as the holder of any token, or anonymously.

use abdi_proto::forms::FormValues;
use abdi_proto::services::VersionedAction;
use abdi_proto::services::{Decision, NewRequest, Outcome, Verification, VerificationOutcome};
use reqwest::{Method, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::TestApp;
use crate::forms::{form, pdf};
use crate::world::{Who, Who::*, World, step_up, told};

/// Reads a problem+json body and checks the parts every error must have.
pub async fn problem(response: Response, status: u16, code: &str) -> Value {
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

/// The JSON body of a successful answer.
pub async fn ok(r: Response) -> Value {
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    body
}

/// The body of a successful answer as the proto type `T`.
pub async fn ok_as<T: DeserializeOwned>(r: Response) -> T {
    let body = ok(r).await;
    serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// A call without a body, as the holder of `token` (none: anonymously).
pub async fn call(app: &TestApp, method: Method, path: &str, token: Option<&str>) -> Response {
    let mut req = app.client.request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

/// A call with the JSON body `body`, as the holder of `token` (none: anonymously).
pub async fn call_with(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: &impl Serialize,
) -> Response {
    let mut req = app.client.request(method, app.url(path)).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

/// `GET path` as `who`.
pub async fn get(w: &World, who: Who, path: &str) -> Response {
    call(&w.app, Method::GET, path, Some(&w.tokens[&who])).await
}

/// `POST path` with `body` as `who`.
pub async fn post(w: &World, who: Who, path: &str, body: &impl Serialize) -> Response {
    call_with(&w.app, Method::POST, path, Some(&w.tokens[&who]), body).await
}

/// `PUT path` with `body` as `who`.
pub async fn put(w: &World, who: Who, path: &str, body: &impl Serialize) -> Response {
    call_with(&w.app, Method::PUT, path, Some(&w.tokens[&who]), body).await
}

/// The `version` of a request as an answer showed it (sent back with the next action).
pub fn version(view: &Value) -> u32 {
    let v = view["version"]
        .as_u64()
        .unwrap_or_else(|| panic!("no version in {view}"));
    u32::try_from(v).unwrap()
}

/// A new request for `service` with `form`, sent at once.
pub fn new_request(service: &str, form_values: Value) -> NewRequest {
    NewRequest {
        service: service.into(),
        form: form(form_values),
        submit: true,
    }
}

/// A request for `service` with `form`, kept as a draft.
pub fn new_draft(service: &str, form_values: Value) -> NewRequest {
    NewRequest {
        submit: false,
        ..new_request(service, form_values)
    }
}

/// A decision `outcome` on the version the caller saw, without a reason or changes.
pub fn decision(version: u32, outcome: Outcome) -> Decision {
    Decision {
        version,
        outcome,
        note: None,
        changes: None,
    }
}

/// Approval (`disetujui`) of the request as `view` shows it.
pub fn approval(view: &Value) -> Decision {
    decision(version(view), Outcome::Disetujui)
}

/// Submit or cancel on `version`, without a note.
pub fn action(version: u32) -> VersionedAction {
    VersionedAction {
        version,
        note: None,
    }
}

/// The body of `POST /api/v1/services/{code}/quote` (the server's own type is private to its
/// route, so the kit has this one).
#[derive(Debug, Clone, Serialize)]
pub struct QuoteRequest {
    pub form: FormValues,
}

/// Posts `new` as `who` with a fresh idempotency key.
pub async fn post_request(w: &World, who: Who, new: &NewRequest) -> Response {
    w.app
        .client
        .post(w.app.url("/api/v1/requests"))
        .bearer_auth(&w.tokens[&who])
        .header("idempotency-key", Uuid::new_v4().to_string())
        .json(new)
        .send()
        .await
        .unwrap()
}

/// Submits `form` for `service` with a fresh idempotency key.
pub async fn submit(w: &World, who: Who, service: &str, form_values: Value) -> Response {
    post_request(w, who, &new_request(service, form_values)).await
}

/// Submits `form` for `service` and returns the new request (201 or the test fails).
pub async fn created(w: &World, who: Who, service: &str, form_values: Value) -> Value {
    let r = submit(w, who, service, form_values).await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    body
}

/// The request as `who` sees it.
pub async fn view(w: &World, who: Who, id: &str) -> Value {
    ok(get(w, who, &format!("/api/v1/requests/{id}")).await).await
}

/// The fasilitator finds the documents of request `id` (at `version`) complete.
pub async fn verify(w: &World, id: &str, version: u32) -> Value {
    let complete = Verification {
        version,
        outcome: VerificationOutcome::Complete,
        note: None,
    };
    ok(post(
        w,
        Fasilitator,
        &format!("/api/v1/requests/{id}/verification"),
        &complete,
    )
    .await)
    .await
}

/// `who` decides request `id`.
pub async fn decide(w: &World, who: Who, id: &str, body: &Decision) -> Response {
    post(w, who, &format!("/api/v1/requests/{id}/decision"), body).await
}

/// Verification, the atasan's approval and the official's decision `outcome` (its version is
/// filled in); at every step whoever must act next is told, and nobody once the request is
/// decided.
pub async fn through_chain(w: &World, v: Value, outcome: Decision) -> Value {
    let id = v["id"].as_str().unwrap().to_owned();
    let (first, seen) = told(w, &id, 0).await;
    assert!(first.contains(&w.ids[&Fasilitator]), "{first:?}");
    let v = verify(w, &id, version(&v)).await;
    assert_eq!(v["status"], "in_review");
    let (next, seen) = told(w, &id, seen).await;
    assert!(next.contains(&w.ids[&Supervisor]), "{next:?}");
    step_up(w, Supervisor).await;
    let v = ok(decide(w, Supervisor, &id, &approval(&v)).await).await;
    let (next, seen) = told(w, &id, seen).await;
    assert_eq!(next, [w.ids[&Head]]);
    step_up(w, Head).await;
    let body = Decision {
        version: version(&v),
        ..outcome
    };
    let v = ok(decide(w, Head, &id, &body).await).await;
    if v["status"] == "decided" {
        assert!(
            told(w, &id, seen).await.0.is_empty(),
            "nobody acts on a decided request"
        );
    }
    v
}

/// Walks a request of `who` through verification and the chain, with `Supervisor` and `Head`
/// approving; returns the final view.
pub async fn approved(w: &World, who: Who, service: &str, form_values: Value) -> Value {
    let v = created(w, who, service, form_values).await;
    let v = through_chain(w, v, decision(0, Outcome::Disetujui)).await;
    assert_eq!(v["status"], "decided", "{v}");
    assert_eq!(v["outcome"], "disetujui");
    v
}

/// Uploads `bytes` as the attachment `name` for `who`.
pub async fn upload(w: &World, who: Who, name: &str, bytes: Vec<u8>) -> Response {
    upload_as(&w.app, &w.tokens[&who], name, bytes).await
}

/// Uploads `bytes` as the attachment `name` in the session of `token`.
pub async fn upload_as(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> Response {
    app.client
        .post(app.url(&format!("/api/v1/attachments?name={name}")))
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .unwrap()
}

/// A PDF uploaded by `who`, as an attachment field's value.
pub async fn pdf_id(w: &World, who: Who) -> Value {
    let v = ok(upload(w, who, "surat.pdf", pdf()).await).await;
    json!([{ "id": v["id"] }])
}

/// `who` proposes `draft` (a `ProposalDraft` as JSON) with a fresh idempotency key.
pub async fn propose(w: &World, who: Who, draft: &Value) -> Response {
    propose_with_key(w, who, draft, &Uuid::new_v4().to_string()).await
}

/// `who` proposes `draft` with the idempotency key `key`.
pub async fn propose_with_key(w: &World, who: Who, draft: &Value, key: &str) -> Response {
    w.app
        .client
        .post(w.app.url("/api/v1/me/proposals"))
        .bearer_auth(&w.tokens[&who])
        .header("idempotency-key", key)
        .json(draft)
        .send()
        .await
        .unwrap()
}

/// A proposal to add a diploma (`level`, `graduation_year`) with `evidence` as its scan.
pub fn diploma(level: &str, year: i32, evidence: Value) -> Value {
    json!({
        "section": "education", "change": "add",
        "values": {
            "level": level, "institution": "Universitas Airlangga", "major": "Administrasi Publik",
            "graduation_year": year, "diploma_number": "UA/2024/0001",
            "evidence_kind": "ijazah", "evidence": evidence,
        },
    })
}

/// `verifier`'s answer to the proposal `p` (as last read).
pub async fn review(
    w: &World,
    verifier: Who,
    p: &Value,
    outcome: &str,
    note: Option<&str>,
) -> Response {
    post(
        w,
        verifier,
        &format!("/api/v1/proposals/{}/review", p["id"].as_str().unwrap()),
        &json!({ "version": p["version"], "outcome": outcome, "note": note }),
    )
    .await
}

/// `who`'s diploma, proposed with its scan and verified by the fasilitator of their unit (so
/// their archive holds an `ijazah`); the archived document as the API lists it.
pub async fn archived_diploma(w: &World, who: Who, verifier: Who) -> Value {
    let evidence = pdf_id(w, who).await;
    let p = ok(propose(w, who, &diploma("s1", 2012, evidence)).await).await;
    ok(review(w, verifier, &p, "verify", None).await).await;
    let archive = ok(get(w, who, "/api/v1/me/archive").await).await;
    archive[0].clone()
}
