//! Service requests end to end: the catalogue, every leave kind through its chain with every
//! outcome, return for revision, cancel, acting officials, a decider leaving the post, a year
//! boundary with carry-over, concurrent submissions and decisions, idempotent retries,
//! attachments, and study permit and assignment eligibility at their edges.

mod attachments;
mod catalogue;
mod leave;
mod lifecycle;
mod open;
mod study;

use abdi_proto::services::{
    Decision, LeaveBalance, Outcome, Quote, RequestEdit, Verification, VerificationOutcome,
    VersionedAction,
};
use abdi_server::clock::ManualClock;
use abdi_server::leave::entity::leave_booking;
use abdi_server::masterdata::entity::disciplinary_sanction;
use abdi_server::masterdata::entity::{employee, performance_rating};
use abdi_server::services::entity::service_request;
use abdi_tests::api::{
    QuoteRequest, action, approval, approved, archived_diploma, call, call_with, created, decide,
    decision, get, new_draft, new_request, ok, ok_as, pdf_id, post, post_request, problem, put,
    submit, upload, upload_as, verify, version, view,
};
use abdi_tests::forms::{PHONE, address, annual, form, pdf, period, sick_leave};
use abdi_tests::world::{
    Who, Who::*, acting, at, holder, july_first, sekda_post, session_for, set_employee,
    step_holder, step_up, step_up_session, told, world_at, world_with,
};
use abdi_tests::{Backend, both_backends};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use reqwest::Method;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::{Value, json};
use uuid::Uuid;

use abdi_tests::world::World;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn balance(w: &World, who: Who, year: i32) -> LeaveBalance {
    ok_as(get(w, who, &format!("/api/v1/me/leave-balance?year={year}")).await).await
}

async fn quote(w: &World, who: Who, service: &str, form_values: Value) -> Quote {
    let body = QuoteRequest {
        form: form(form_values),
    };
    ok_as(post(w, who, &format!("/api/v1/services/{service}/quote"), &body).await).await
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
