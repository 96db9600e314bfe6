//! Service requests end to end: the catalogue, every leave kind through its chain with every
//! outcome, return for revision, cancel, acting officials, a decider leaving the post, a year
//! boundary with carry-over, concurrent submissions and decisions, idempotent retries,
//! attachments, and study permit and assignment eligibility at their edges.

mod attachments;
mod catalogue;
mod leave;
mod lifecycle;
mod study;

use abdi_server::access::entity::acting_assignment;
use abdi_server::clock::ManualClock;
use abdi_server::leave::entity::leave_booking;
use abdi_server::masterdata::entity::{employee, performance_rating};
use abdi_server::services::entity::service_request;
use abdi_server::study::entity::disciplinary_sanction;
use abdi_tests::{Backend, both_backends};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::access::{Who, Who::*, World, holder, session_for, world_at};
use crate::problem;

/// Wednesday 1 July 2026, 08:00 in Jakarta.
pub(crate) fn july_first() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-07-01T01:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub(crate) async fn at(backend: Backend, t: DateTime<Utc>) -> (World, ManualClock) {
    let clock = ManualClock::at(t);
    (world_at(backend, Some(clock.clone())).await, clock)
}

pub(crate) fn address() -> Value {
    json!({ "street": "Jl. Pahlawan 110", "city": "Surabaya", "province": "Jawa Timur", "postal_code": "60174" })
}

pub(crate) fn period(start: &str, end: &str) -> Value {
    json!({ "start": start, "end": end })
}

/// An annual-leave form.
pub(crate) fn annual(start: &str, end: &str) -> Value {
    json!({
        "period": period(start, end),
        "reason": "Keperluan keluarga",
        "address": address(),
        "phone": "081234567890",
    })
}

pub(crate) async fn send(
    w: &World,
    who: Who,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let verb = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = w
        .app
        .client
        .request(verb, w.app.url(path))
        .bearer_auth(&w.tokens[&who]);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

pub(crate) async fn ok(r: reqwest::Response) -> Value {
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    body
}

/// Submits `form` for `service` with a fresh idempotency key.
pub(crate) async fn submit(w: &World, who: Who, service: &str, form: Value) -> reqwest::Response {
    w.app
        .client
        .post(w.app.url("/api/v1/requests"))
        .bearer_auth(&w.tokens[&who])
        .header("idempotency-key", Uuid::new_v4().to_string())
        .json(&json!({ "service": service, "form": form }))
        .send()
        .await
        .unwrap()
}

/// The request as `who` sees it.
pub(crate) async fn view(w: &World, who: Who, id: &str) -> Value {
    ok(send(w, who, "GET", &format!("/api/v1/requests/{id}"), None).await).await
}

/// A passkey step-up in `who`'s session (the ceremony itself is tested with the passkeys).
pub(crate) async fn step_up(w: &World, who: Who) {
    let sessions = &w.app.state.identity.sessions;
    let current = sessions.validate(&w.tokens[&who]).await.unwrap();
    sessions.mark_verified(&current).await.unwrap();
}

pub(crate) async fn verify(w: &World, id: &str, version: &Value) -> Value {
    ok(send(
        w,
        Fasilitator,
        "POST",
        &format!("/api/v1/requests/{id}/verification"),
        Some(json!({ "version": version, "outcome": "complete" })),
    )
    .await)
    .await
}

pub(crate) async fn decide(w: &World, who: Who, id: &str, body: Value) -> reqwest::Response {
    send(
        w,
        who,
        "POST",
        &format!("/api/v1/requests/{id}/decision"),
        Some(body),
    )
    .await
}

/// Everyone told since notice `after` that `request` waits for them (`action_required`),
/// and the newest notice's id.
pub(crate) async fn told(w: &World, request: &str, after: i64) -> (Vec<Uuid>, i64) {
    use abdi_server::notifications::entity::event;
    use sea_orm::QueryOrder;
    let rows = event::Entity::find()
        .filter(event::Column::RequestId.eq(Uuid::parse_str(request).unwrap()))
        .filter(event::Column::Kind.eq("action_required"))
        .filter(event::Column::Id.gt(after))
        .order_by_asc(event::Column::Id)
        .all(&w.app.state.db)
        .await
        .unwrap();
    let newest = rows.last().map_or(after, |r| r.id);
    let mut who: Vec<Uuid> = rows.into_iter().map(|r| r.employee_id).collect();
    who.sort_unstable();
    (who, newest)
}

/// Verification, the atasan's approval and the official's decision `outcome`; at every step
/// whoever must act next is told, and nobody once the request is decided.
pub(crate) async fn through_chain(w: &World, v: Value, outcome: Value) -> Value {
    let id = v["id"].as_str().unwrap().to_owned();
    let (first, seen) = told(w, &id, 0).await;
    assert!(first.contains(&w.ids[&Fasilitator]), "{first:?}");
    let v = verify(w, &id, &v["version"]).await;
    assert_eq!(v["status"], "in_review");
    let (next, seen) = told(w, &id, seen).await;
    assert!(next.contains(&w.ids[&Supervisor]), "{next:?}");
    step_up(w, Supervisor).await;
    let v = ok(decide(
        w,
        Supervisor,
        &id,
        json!({ "version": v["version"], "outcome": "disetujui" }),
    )
    .await)
    .await;
    let (next, seen) = told(w, &id, seen).await;
    assert_eq!(next, [w.ids[&Head]]);
    step_up(w, Head).await;
    let mut body = outcome;
    body["version"] = v["version"].clone();
    let v = ok(decide(w, Head, &id, body).await).await;
    if v["status"] == "decided" {
        assert!(
            told(w, &id, seen).await.0.is_empty(),
            "nobody acts on a decided request"
        );
    }
    v
}

async fn balance(w: &World, who: Who, year: i32) -> Value {
    ok(send(
        w,
        who,
        "GET",
        &format!("/api/v1/me/leave-balance?year={year}"),
        None,
    )
    .await)
    .await
}

async fn quote(w: &World, who: Who, service: &str, form: Value) -> Value {
    ok(send(
        w,
        who,
        "POST",
        &format!("/api/v1/services/{service}/quote"),
        Some(json!({ "form": form })),
    )
    .await)
    .await
}

fn codes(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["code"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) async fn created(w: &World, who: Who, service: &str, form: Value) -> Value {
    let r = submit(w, who, service, form).await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    body
}

/// Walks a request of `who` through verification and the chain, with `Supervisor` and `Head`
/// approving; returns the final view.
async fn approved(w: &World, who: Who, service: &str, form: Value) -> Value {
    let v = created(w, who, service, form).await;
    let v = through_chain(w, v, json!({ "outcome": "disetujui" })).await;
    assert_eq!(v["status"], "decided", "{v}");
    assert_eq!(v["outcome"], "disetujui");
    v
}

async fn upload(w: &World, who: Who, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    w.app
        .client
        .post(w.app.url(&format!("/api/v1/attachments?name={name}")))
        .bearer_auth(&w.tokens[&who])
        .body(bytes)
        .send()
        .await
        .unwrap()
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<<>>\n%%EOF\n".to_vec()
}

async fn pdf_id(w: &World, who: Who) -> Value {
    let v = ok(upload(w, who, "surat.pdf", pdf()).await).await;
    json!([{ "id": v["id"] }])
}

/// A session for whoever holds the post of step `seq` of a request, and their id.
async fn step_holder(w: &World, request: &str, seq: i32) -> (String, Uuid) {
    use abdi_server::services::entity::request_step;
    let step = request_step::Entity::find()
        .filter(request_step::Column::RequestId.eq(Uuid::parse_str(request).unwrap()))
        .filter(request_step::Column::Seq.eq(seq))
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let holder = employee::Entity::find()
        .filter(employee::Column::PositionId.eq(step.position_id.unwrap()))
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    (session_for(&w.app, holder.id).await, holder.id)
}

/// The head post of the instansi: (id, code).
async fn sekda_post(w: &World) -> (Uuid, String) {
    use abdi_server::masterdata::entity::{org_unit, position};
    let top = org_unit::Entity::find()
        .filter(org_unit::Column::Level.eq("instansi"))
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let post = position::Entity::find()
        .filter(position::Column::UnitId.eq(top.id))
        .filter(position::Column::Kind.eq("struktural"))
        .filter(position::Column::ReportsToId.is_null())
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    (post.id, post.code)
}

async fn acting(w: &World, who: Uuid, post: Uuid, kind: &str, from: NaiveDate, to: NaiveDate) {
    acting_assignment::ActiveModel {
        id: Set(Uuid::new_v4()),
        employee_id: Set(who),
        position_id: Set(post),
        kind: Set(kind.into()),
        number: Set("800.1.11.1/77/204/2026".into()),
        starts_on: Set(from),
        ends_on: Set(to),
        created_at: Set(Utc::now()),
    }
    .insert(&w.app.state.db)
    .await
    .unwrap();
}

async fn set_employee(w: &World, who: Who, change: impl FnOnce(&mut employee::ActiveModel)) {
    let e = employee::Entity::find_by_id(w.ids[&who])
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut a: employee::ActiveModel = e.into();
    change(&mut a);
    a.update(&w.app.state.db).await.unwrap();
}
