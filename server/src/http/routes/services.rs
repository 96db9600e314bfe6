//! `/api/v1/services`, `/api/v1/requests`, the work lists and attachments: thin handlers that
//! extract, authorise and call [`super::Services`].

use abdi_proto::Problem;
use abdi_proto::eligibility::Evaluation;
use abdi_proto::forms::FormValues;
use abdi_proto::services::{
    Decision, EligibilityTrial, LeaveBalance, NewRequest, NewService, Quote, RequestEdit,
    RequestPage, RequestStatus, RequestView, ServiceChange, ServiceDefinition, ServiceRevision,
    ServiceSummary, Verification, VersionedAction, WorkList,
};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use futures_util::TryStreamExt;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::ApiError;
use crate::http::auth::Caller;
use crate::http::extract::{Json, Paged, Path, Query, RequestPageQuery};
use crate::services::ServiceError;
use crate::services::attachments::{self, AttachmentInfo};
use crate::services::idempotency::Submitted;
use crate::services::views;
use crate::state::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_services))
        .routes(routes!(get_service))
        .routes(routes!(quote))
        .routes(routes!(my_eligibility))
        .routes(routes!(create_service))
        .routes(routes!(try_eligibility))
        .routes(routes!(change_service))
        .routes(routes!(service_revisions))
        .routes(routes!(create_request, my_requests))
        .routes(routes!(get_request, edit_request))
        .routes(routes!(submit_request))
        .routes(routes!(cancel_request))
        .routes(routes!(verify_request))
        .routes(routes!(decide_request))
        .routes(routes!(inbox))
        .routes(routes!(verification_queue))
        .routes(routes!(stalled_steps))
        .routes(routes!(upload_attachment))
        .routes(routes!(download_attachment))
        .routes(routes!(leave_balance))
}

#[derive(Debug, Deserialize, IntoParams)]
struct ListServices {
    /// Include services that are closed at the moment (administrators, with their session).
    #[serde(default)]
    all: bool,
}

/// The service catalogue: what can be asked for. Anyone may read the open services; the
/// closed ones too only an administrator.
#[utoipa::path(get, path = "/services", tag = "services", security((), ("bearer" = [])),
    params(ListServices),
    responses(
        (status = 200, description = "Services, by code", body = Vec<ServiceSummary>),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`: `all=true` without a session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: `all=true` is for administrators", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_services(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Query(q): Query<ListServices>,
) -> Result<axum::Json<Vec<ServiceSummary>>, ApiError> {
    let including_closed = match (q.all, &caller) {
        (false, _) => None,
        (true, Some(caller)) => Some(&caller.actor),
        (true, None) => return Err(crate::identity::IdentityError::Unauthenticated.into()),
    };
    Ok(axum::Json(
        state.services.catalogue(including_closed).await?,
    ))
}

/// A service in full: the form schema the app renders, the documents, the chain and the SOP.
#[utoipa::path(get, path = "/services/{code}", tag = "services",
    params(("code" = String, Path, description = "Service code, e.g. `cuti_tahunan`")),
    responses(
        (status = 200, description = "The service", body = ServiceDefinition),
        (status = 404, description = "`service_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_service(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<axum::Json<ServiceDefinition>, ApiError> {
    Ok(axum::Json(state.services.service(&code).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
struct QuoteRequest {
    #[schema(value_type = Object)]
    form: FormValues,
}

/// What the service's rules say about a filled-in form before it is sent: for leave, the
/// working days and the balance after; every rule it would break.
#[utoipa::path(post, path = "/services/{code}/quote", tag = "services", security(("bearer" = [])),
    params(("code" = String, Path, description = "Service code")),
    request_body = QuoteRequest,
    responses(
        (status = 200, description = "The quote", body = Quote),
        (status = 400, description = "`invalid_body`, `invalid_path`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`service_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`form_invalid`, with `errors`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn quote(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(req): Json<QuoteRequest>,
) -> Result<axum::Json<Quote>, ApiError> {
    Ok(axum::Json(
        state
            .services
            .quote(caller.actor.employee_id, &code, &req.form)
            .await?,
    ))
}

/// Whether the caller meets the service's conditions today, ahead of the form (the conditions
/// on the form wait for it): every one they do not, with the values it saw. The app shows the
/// same offline from its cached record.
#[utoipa::path(get, path = "/services/{code}/eligibility", tag = "services", security(("bearer" = [])),
    params(("code" = String, Path, description = "Service code")),
    responses(
        (status = 200, description = "Eligible, or every failing condition", body = Evaluation),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`service_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn my_eligibility(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<axum::Json<Evaluation>, ApiError> {
    Ok(axum::Json(
        state.services.eligibility(&caller.actor, &code).await?,
    ))
}

/// Add a service defined as data (form, documents, conditions, chain, letter, SOP and decree)
/// as its revision 1. Conditions and letter are checked here: a malformed one is refused now,
/// never when a request arrives.
#[utoipa::path(post, path = "/admin/services", tag = "admin", security(("bearer" = [])),
    request_body = NewService,
    responses(
        (status = 201, description = "The service as added", body = ServiceDefinition),
        (status = 400, description = "`invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`service_exists`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`service_invalid` (with the reason), `reason_required`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_service(
    State(state): State<AppState>,
    caller: Caller,
    Json(new): Json<NewService>,
) -> Result<(StatusCode, axum::Json<ServiceDefinition>), ApiError> {
    let def = state.services.create_service(&caller.actor, new).await?;
    Ok((StatusCode::CREATED, axum::Json(def)))
}

/// Try conditions against one employee's record before saving them.
#[utoipa::path(post, path = "/admin/eligibility", tag = "admin", security(("bearer" = [])),
    request_body = EligibilityTrial,
    responses(
        (status = 200, description = "Eligible, or every failing condition", body = Evaluation),
        (status = 400, description = "`invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`employee_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`service_invalid`: the conditions cannot be evaluated", body = Problem, content_type = "application/problem+json"),
    ))]
async fn try_eligibility(
    State(state): State<AppState>,
    caller: Caller,
    Json(trial): Json<EligibilityTrial>,
) -> Result<axum::Json<Evaluation>, ApiError> {
    Ok(axum::Json(
        state.services.try_eligibility(&caller.actor, trial).await?,
    ))
}

/// Change a service by decree (documents, form, chain, SOP, open or closed): a new revision;
/// the earlier ones are kept.
#[utoipa::path(put, path = "/admin/services/{code}", tag = "admin", security(("bearer" = [])),
    params(("code" = String, Path, description = "Service code")),
    request_body = ServiceChange,
    responses(
        (status = 200, description = "The service as changed", body = ServiceDefinition),
        (status = 400, description = "`invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`service_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`version_conflict`: changed since that revision", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`service_invalid` (with the reason), `reason_required`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn change_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(change): Json<ServiceChange>,
) -> Result<axum::Json<ServiceDefinition>, ApiError> {
    Ok(axum::Json(
        state
            .services
            .change_service(&caller.actor, &code, change)
            .await?,
    ))
}

/// Every revision of a service, newest first.
#[utoipa::path(get, path = "/admin/services/{code}/revisions", tag = "admin", security(("bearer" = [])),
    params(("code" = String, Path, description = "Service code")),
    responses(
        (status = 200, description = "Revisions", body = Vec<ServiceRevision>),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`service_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn service_revisions(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<axum::Json<Vec<ServiceRevision>>, ApiError> {
    Ok(axum::Json(
        state.services.service_history(&caller.actor, &code).await?,
    ))
}

/// Ask for a service. Send an `Idempotency-Key` (a UUID made when the form was filled in):
/// a retry with the same key and body gets the first answer and never makes a second request.
#[utoipa::path(post, path = "/requests", tag = "requests", security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header, min_length = 8, max_length = 128, pattern = r"^[!-~]{8,128}$", description = "8 to 128 visible ASCII characters, unique per submission")),
    request_body = NewRequest,
    responses(
        (status = 201, description = "Created (submitted, or kept as a draft)", body = RequestView),
        (status = 400, description = "`idempotency_key_invalid`, `invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`service_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`service_inactive`, `idempotency_in_progress`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`form_invalid`, `rule_violation` (with `errors`), `idempotency_key_reused`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn create_request(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Json(new): Json<NewRequest>,
) -> Result<Response, ApiError> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    match state
        .services
        .create_once(caller.actor.employee_id, &new, key)
        .await?
    {
        Submitted::Replayed { status, body } => Ok(replayed(status, body)),
        Submitted::Created(view) => Ok((StatusCode::CREATED, axum::Json(view)).into_response()),
    }
}

/// The first answer to an idempotent call, replayed as it was sent.
pub(crate) fn replayed(status: u16, body: String) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED),
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                header::HeaderName::from_static("idempotent-replayed"),
                HeaderValue::from_static("true"),
            ),
        ],
        body,
    )
        .into_response()
}

#[derive(Debug, Deserialize, IntoParams)]
struct MyRequests {
    status: Option<RequestStatus>,
}

/// The employee's own requests, newest first.
#[utoipa::path(get, path = "/requests", tag = "requests", security(("bearer" = [])),
    params(MyRequests, RequestPageQuery),
    responses(
        (status = 200, description = "A page", body = RequestPage),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn my_requests(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<MyRequests>,
    Paged(page): Paged<views::Cursor>,
) -> Result<axum::Json<RequestPage>, ApiError> {
    Ok(axum::Json(
        state.services.mine(&caller.actor, q.status, page).await?,
    ))
}

/// A request with its chain and timeline: for the employee, the deciders on its chain, the
/// unit's fasilitators and administrators.
#[utoipa::path(get, path = "/requests/{id}", tag = "requests", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    responses(
        (status = 200, description = "The request", body = RequestView),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`request_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_request(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<RequestView>, ApiError> {
    Ok(axum::Json(state.services.request(&caller.actor, id).await?))
}

/// Change a draft, or a request returned for revision.
#[utoipa::path(put, path = "/requests/{id}", tag = "requests", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    request_body = RequestEdit,
    responses(
        (status = 200, description = "Changed", body = RequestView),
        (status = 400, description = "`invalid_path`, `invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: not the employee's", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`request_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`version_conflict`, `invalid_transition`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`form_invalid`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn edit_request(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(edit): Json<RequestEdit>,
) -> Result<axum::Json<RequestView>, ApiError> {
    Ok(axum::Json(
        state
            .services
            .edit(caller.actor.employee_id, id, edit.version, &edit.form)
            .await?,
    ))
}

/// Send a draft, or send a returned request again.
#[utoipa::path(post, path = "/requests/{id}/submit", tag = "requests", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    request_body = VersionedAction,
    responses(
        (status = 200, description = "Submitted", body = RequestView),
        (status = 400, description = "`invalid_path`, `invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`request_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`version_conflict`, `invalid_transition`, `service_inactive`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`form_invalid`, `rule_violation`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn submit_request(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(action): Json<VersionedAction>,
) -> Result<axum::Json<RequestView>, ApiError> {
    Ok(axum::Json(
        state
            .services
            .submit(caller.actor.employee_id, id, action.version)
            .await?,
    ))
}

/// Withdraw a request before its final decision.
#[utoipa::path(post, path = "/requests/{id}/cancel", tag = "requests", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    request_body = VersionedAction,
    responses(
        (status = 200, description = "Cancelled", body = RequestView),
        (status = 400, description = "`invalid_path`, `invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`request_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`version_conflict`, `invalid_transition`: already decided", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn cancel_request(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(action): Json<VersionedAction>,
) -> Result<axum::Json<RequestView>, ApiError> {
    Ok(axum::Json(
        state
            .services
            .cancel(
                caller.actor.employee_id,
                id,
                action.version,
                action.note.as_deref(),
            )
            .await?,
    ))
}

/// The fasilitator's check of the documents: complete, or back for revision with a reason.
#[utoipa::path(post, path = "/requests/{id}/verification", tag = "requests", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    request_body = Verification,
    responses(
        (status = 200, description = "Verified or returned", body = RequestView),
        (status = 400, description = "`invalid_path`, `invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: not a fasilitator of the unit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`request_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`version_conflict`, `invalid_transition`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`reason_required`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn verify_request(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(input): Json<Verification>,
) -> Result<axum::Json<RequestView>, ApiError> {
    Ok(axum::Json(
        state.services.verify(&caller.actor, id, &input).await?,
    ))
}

/// A decision on the request's current step: the atasan's consideration, the official's
/// decision, or an outside approval. Needs a passkey step-up from the last few minutes.
#[utoipa::path(post, path = "/requests/{id}/decision", tag = "requests", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    request_body = Decision,
    responses(
        (status = 200, description = "Decided", body = RequestView),
        (status = 400, description = "`invalid_path`, `invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`request_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`version_conflict`: someone acted first; `invalid_transition`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`reason_required`, `form_invalid`, `rule_violation` (for changed values)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn decide_request(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(input): Json<Decision>,
) -> Result<axum::Json<RequestView>, ApiError> {
    Ok(axum::Json(
        state.services.decide(&caller.actor, id, &input).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
struct WorkQuery {
    /// Only this service.
    service: Option<String>,
}

/// The decider's inbox: steps waiting for the caller's posts (own, or as Plt/Plh where they
/// may act), oldest first, with counts per service.
#[utoipa::path(get, path = "/inbox", tag = "requests", operation_id = "work_inbox", security(("bearer" = [])),
    params(WorkQuery, RequestPageQuery),
    responses(
        (status = 200, description = "A page and the counts", body = WorkList),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn inbox(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<WorkQuery>,
    Paged(page): Paged<views::Cursor>,
) -> Result<axum::Json<WorkList>, ApiError> {
    let service = q.service.as_deref();
    Ok(axum::Json(
        state.services.inbox(&caller.actor, service, page).await?,
    ))
}

/// The fasilitator's verification queue for their units.
#[utoipa::path(get, path = "/verification-queue", tag = "requests", security(("bearer" = [])),
    params(WorkQuery, RequestPageQuery),
    responses(
        (status = 200, description = "A page and the counts", body = WorkList),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn verification_queue(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<WorkQuery>,
    Paged(page): Paged<views::Cursor>,
) -> Result<axum::Json<WorkList>, ApiError> {
    let service = q.service.as_deref();
    Ok(axum::Json(
        state
            .services
            .verification_queue(&caller.actor, service, page)
            .await?,
    ))
}

/// Steps nobody can take today, oldest first, with how long each has waited: a post nobody
/// holds and no Plt/Plh covers, or a verification in a unit with no fasilitator here or
/// above (administrators, who appoint someone).
#[utoipa::path(get, path = "/admin/stalled-steps", tag = "admin", security(("bearer" = [])),
    params(WorkQuery, RequestPageQuery),
    responses(
        (status = 200, description = "A page and the counts", body = WorkList),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn stalled_steps(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<WorkQuery>,
    Paged(page): Paged<views::Cursor>,
) -> Result<axum::Json<WorkList>, ApiError> {
    let service = q.service.as_deref();
    Ok(axum::Json(
        state.services.stalled(&caller.actor, service, page).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
struct UploadQuery {
    /// The file's name as the employee sees it.
    name: String,
}

/// Upload a document (PDF, JPEG or PNG, told by its content) as the raw request body; name
/// it by its `id` in the form's attachment field.
#[utoipa::path(post, path = "/attachments", tag = "requests", security(("bearer" = [])),
    params(UploadQuery),
    request_body(content = crate::http::Binary, content_type = "application/octet-stream"),
    responses(
        (status = 201, description = "Stored", body = AttachmentInfo),
        (status = 400, description = "`invalid_query`, `invalid_body`: empty", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`upload_quota_exceeded`: too many files not yet sent", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`attachment_type`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`storage_unavailable`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn upload_attachment(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<UploadQuery>,
    body: Body,
) -> Result<impl IntoResponse, ApiError> {
    let info = attachments::upload(
        &state.db,
        &state.services.objects,
        (caller.actor.employee_id, (&state.config.storage).into()),
        &q.name,
        body.into_data_stream(),
        state.clock.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(info)))
}

#[derive(Debug, Deserialize, IntoParams)]
struct Inline {
    /// Shown in the page (the desk's console) rather than saved.
    #[serde(default)]
    inline: bool,
}

/// Download a document: for its owner, and for whoever may see the request it was sent with.
#[utoipa::path(get, path = "/attachments/{id}", tag = "requests", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Attachment id"), Inline),
    responses(
        (status = 200, description = "The file, in the type it was told to be from its content", content(
            (crate::http::Binary = "application/pdf"),
            (crate::http::Binary = "image/jpeg"),
            (crate::http::Binary = "image/png"),
        )),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`attachment_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn download_attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(q): Query<Inline>,
) -> Result<Response, ApiError> {
    let a = state.services.attachment(&caller.actor, id).await?;
    let stream = state
        .services
        .objects
        .get(&a.storage_key)
        .await
        .map_err(ServiceError::from)?;
    let disposition = format!(
        "{}; filename=\"{}\"",
        if q.inline { "inline" } else { "attachment" },
        a.name.replace(['"', '\\'], "_")
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(&a.content_type)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
            (
                header::HeaderName::from_static("x-content-sha256"),
                HeaderValue::from_str(&a.sha256).unwrap_or(HeaderValue::from_static("")),
            ),
        ],
        Body::from_stream(stream.map_err(std::io::Error::other)),
    )
        .into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
struct BalanceQuery {
    /// The year (this year by default), 1900 to 2200.
    #[param(minimum = 1900, maximum = 2200)]
    year: Option<i32>,
}

/// The employee's annual leave for a year, as the official form's section V shows it.
#[utoipa::path(get, path = "/me/leave-balance", tag = "requests", security(("bearer" = [])),
    params(BalanceQuery),
    responses(
        (status = 200, description = "The balance", body = LeaveBalance),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn leave_balance(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<BalanceQuery>,
) -> Result<axum::Json<LeaveBalance>, ApiError> {
    let year = q.year.unwrap_or_else(|| state.clock.today().year());
    if !(1900..=2200).contains(&year) {
        return Err(ApiError::with_detail(
            abdi_proto::ErrorCode::InvalidQuery,
            "Parameter 'year' harus 1900 sampai 2200.",
            "'year' must be 1900 to 2200.",
        ));
    }
    Ok(axum::Json(
        crate::leave::balance_of(&state.db, caller.actor.employee_id, year).await?,
    ))
}
