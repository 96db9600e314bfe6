//! The data update: the employee's proposals (`/api/v1/me/proposals`), the verification queue
//! and decisions (`/api/v1/proposals`), the archive, completeness and the monitoring report:
//! thin handlers over [`crate::updates::Updates`].

use abdi_proto::Problem;
use abdi_proto::completeness::Completeness;
use abdi_proto::services::VersionedAction;
use abdi_proto::updates::{
    ArchiveDocument, MonitoringReport, Proposal, ProposalDraft, ProposalPage, ProposalResubmission,
    ProposalReview, ProposalStatus,
};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::ApiError;
use crate::http::auth::Caller;
use crate::http::extract::{Json, Paged, Path, Query};
use crate::state::AppState;
use crate::updates::{Grouping, Proposed};

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(propose, my_proposals))
        .routes(routes!(resubmit))
        .routes(routes!(withdraw))
        .routes(routes!(proposal_queue))
        .routes(routes!(get_proposal))
        .routes(routes!(review))
        .routes(routes!(my_archive))
        .routes(routes!(employee_archive))
        .routes(routes!(my_completeness))
        .routes(routes!(employee_completeness))
        .routes(routes!(monitoring))
        .routes(routes!(monitoring_csv))
        .routes(routes!(monitoring_pdf))
}

/// A page of proposals paged by id, newest first (for the OpenAPI document; read by
/// [`Paged`]).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ProposalPageQuery {
    /// The `next` of the previous page: the oldest proposal's id on it.
    #[param(pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    after: Option<String>,
    /// Items per page, 1 to 100 (20 by default).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u64>,
}

/// Propose a change to one's own record, with its evidence (upload each file first with
/// `POST /attachments`, then name it in `values.evidence`). Send an `Idempotency-Key`: the
/// offline queue's retry gets the first answer and never makes a second proposal.
#[utoipa::path(post, path = "/me/proposals", tag = "record-updates", security(("bearer" = [])),
    params(("Idempotency-Key" = String, Header, min_length = 8, max_length = 128, pattern = r"^[!-~]{8,128}$", description = "8 to 128 visible ASCII characters, unique per proposal")),
    request_body = ProposalDraft,
    responses(
        (status = 201, description = "Sent for verification", body = Proposal),
        (status = 400, description = "`idempotency_key_invalid`, `invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`entry_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`idempotency_in_progress`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`form_invalid` (with `errors`), `idempotency_key_reused`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Json(draft): Json<ProposalDraft>,
) -> Result<Response, ApiError> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    match state
        .updates
        .propose_once(&caller.actor, &draft, key)
        .await?
    {
        Proposed::Replayed { status, body } => Ok(super::services::replayed(status, body)),
        Proposed::Created(p) => Ok((StatusCode::CREATED, axum::Json(p)).into_response()),
    }
}

/// The caller's proposals, newest first, each with its life.
#[utoipa::path(get, path = "/me/proposals", tag = "record-updates", security(("bearer" = [])),
    params(ProposalPageQuery),
    responses(
        (status = 200, description = "A page of proposals", body = ProposalPage),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn my_proposals(
    State(state): State<AppState>,
    caller: Caller,
    Paged(page): Paged<Uuid>,
) -> Result<axum::Json<ProposalPage>, ApiError> {
    Ok(axum::Json(state.updates.mine(&caller.actor, page).await?))
}

/// Send a returned proposal again, corrected (new values and evidence for the same entry).
#[utoipa::path(put, path = "/me/proposals/{id}", tag = "record-updates", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Proposal id")),
    request_body = ProposalResubmission,
    responses(
        (status = 200, description = "Sent again", body = Proposal),
        (status = 404, description = "`proposal_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`proposal_changed`, `proposal_closed`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`form_invalid` (with `errors`)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn resubmit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(change): Json<ProposalResubmission>,
) -> Result<axum::Json<Proposal>, ApiError> {
    Ok(axum::Json(
        state.updates.resubmit(&caller.actor, id, &change).await?,
    ))
}

/// Take back a proposal not yet decided.
#[utoipa::path(post, path = "/me/proposals/{id}/withdraw", tag = "record-updates", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Proposal id")),
    request_body = VersionedAction,
    responses(
        (status = 200, description = "Withdrawn", body = Proposal),
        (status = 404, description = "`proposal_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`proposal_changed`, `proposal_closed`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(action): Json<VersionedAction>,
) -> Result<axum::Json<Proposal>, ApiError> {
    Ok(axum::Json(
        state
            .updates
            .withdraw(&caller.actor, id, action.version)
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
struct QueueQuery {
    /// Proposals in this status (`submitted`, waiting, by default).
    status: Option<ProposalStatus>,
}

/// The verification queue: for a fasilitator, the proposals of their units' employees that
/// fasilitators verify; for an administrator, all of them.
#[utoipa::path(get, path = "/proposals", tag = "record-updates", security(("bearer" = [])),
    params(QueueQuery, ProposalPageQuery),
    responses(
        (status = 200, description = "A page of proposals, current and proposed values side by side", body = ProposalPage),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn proposal_queue(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<QueueQuery>,
    Paged(page): Paged<Uuid>,
) -> Result<axum::Json<ProposalPage>, ApiError> {
    let status = q.status.unwrap_or(ProposalStatus::Submitted);
    Ok(axum::Json(
        state.updates.queue(&caller.actor, status, page).await?,
    ))
}

/// One proposal: for its employee and whoever may verify it.
#[utoipa::path(get, path = "/proposals/{id}", tag = "record-updates", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Proposal id")),
    responses(
        (status = 200, description = "The proposal", body = Proposal),
        (status = 404, description = "`proposal_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_proposal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Proposal>, ApiError> {
    Ok(axum::Json(state.updates.get(&caller.actor, id).await?))
}

/// Verify (the change is written to the record and the evidence archived), return with a
/// note, or reject with a note. Fasilitators of the employee's unit verify what fasilitators
/// verify; only administrators verify confidential fields such as the NIK.
#[utoipa::path(post, path = "/proposals/{id}/review", tag = "record-updates", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Proposal id")),
    request_body = ProposalReview,
    responses(
        (status = 200, description = "Decided", body = Proposal),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`proposal_not_found`, `entry_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`proposal_changed`, `proposal_closed`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`reason_required`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn review(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(review): Json<ProposalReview>,
) -> Result<axum::Json<Proposal>, ApiError> {
    Ok(axum::Json(
        state.updates.review(&caller.actor, id, &review).await?,
    ))
}

/// The caller's archive of verified documents, newest first (offered to a service's document
/// fields that take them).
#[utoipa::path(get, path = "/me/archive", tag = "record-updates", security(("bearer" = [])),
    responses(
        (status = 200, description = "The archive", body = Vec<ArchiveDocument>),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn my_archive(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<ArchiveDocument>>, ApiError> {
    let me = caller.actor.employee_id;
    Ok(axum::Json(state.updates.archive(&caller.actor, me).await?))
}

/// An employee's archive, for whoever may read their record.
#[utoipa::path(get, path = "/employees/{id}/archive", tag = "record-updates", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Employee id")),
    responses(
        (status = 200, description = "The archive", body = Vec<ArchiveDocument>),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`employee_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn employee_archive(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Vec<ArchiveDocument>>, ApiError> {
    Ok(axum::Json(state.updates.archive(&caller.actor, id).await?))
}

/// How complete the caller's record is, in percent and as a list of what is missing.
#[utoipa::path(get, path = "/me/completeness", tag = "record-updates", security(("bearer" = [])),
    responses(
        (status = 200, description = "Completeness", body = Completeness),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn my_completeness(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Completeness>, ApiError> {
    let me = caller.actor.employee_id;
    Ok(axum::Json(
        state.updates.completeness(&caller.actor, me).await?,
    ))
}

/// How complete an employee's record is, for whoever may read it.
#[utoipa::path(get, path = "/employees/{id}/completeness", tag = "record-updates", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Employee id")),
    responses(
        (status = 200, description = "Completeness", body = Completeness),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`employee_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn employee_completeness(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Completeness>, ApiError> {
    Ok(axum::Json(
        state.updates.completeness(&caller.actor, id).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct MonitoringQuery {
    /// One row per unit directly below this one; one per perangkat daerah without it.
    pub(crate) under: Option<Uuid>,
    /// The period's first day (`YYYY-MM-DD`).
    pub(crate) from: NaiveDate,
    /// The period's last day.
    pub(crate) to: NaiveDate,
}

impl MonitoringQuery {
    pub(crate) fn grouping(&self) -> Grouping {
        self.under
            .map_or(Grouping::PerangkatDaerah, Grouping::Below)
    }
}

/// The data update's monitoring for a period (Pergub Jatim 73/2020 Pasal 13, 17): per
/// perangkat daerah or per unit below one, completeness, what waits and since when, what was
/// verified and rejected. Administrators see every unit; a fasilitator their own.
#[utoipa::path(get, path = "/proposals/monitoring", tag = "record-updates", security(("bearer" = [])),
    params(MonitoringQuery),
    responses(
        (status = 200, description = "The report", body = MonitoringReport),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`unit_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`form_invalid`: `to` before `from`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn monitoring(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<MonitoringQuery>,
) -> Result<axum::Json<MonitoringReport>, ApiError> {
    Ok(axum::Json(
        state
            .updates
            .monitoring(&caller.actor, q.grouping(), (q.from, q.to))
            .await?,
    ))
}

/// The same report as CSV, for the quarterly report (Pasal 19(1)).
#[utoipa::path(get, path = "/proposals/monitoring.csv", tag = "record-updates", security(("bearer" = [])),
    params(MonitoringQuery),
    responses(
        (status = 200, description = "The report as CSV", content_type = "text/csv", body = String),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`unit_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`form_invalid`: `to` before `from`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn monitoring_csv(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<MonitoringQuery>,
) -> Result<Response, ApiError> {
    let report = state
        .updates
        .monitoring(&caller.actor, q.grouping(), (q.from, q.to))
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"pemutakhiran-data.csv\"",
            ),
        ],
        crate::updates::csv(&report),
    )
        .into_response())
}

/// The same report as a PDF, for the quarterly report to the administrator (Pasal 19(1)).
#[utoipa::path(get, path = "/proposals/monitoring.pdf", tag = "record-updates", security(("bearer" = [])),
    params(MonitoringQuery),
    responses(
        (status = 200, description = "The report as a PDF", content((crate::http::Binary = "application/pdf"))),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`unit_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`form_invalid`: `to` before `from`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn monitoring_pdf(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<MonitoringQuery>,
) -> Result<Response, ApiError> {
    let report = state
        .updates
        .monitoring(&caller.actor, q.grouping(), (q.from, q.to))
        .await?;
    let docs = &state.config.documents;
    let pdf = crate::updates::pdf(&report, (&docs.agency, &docs.place, state.clock.today()))
        .map_err(|e| ApiError::internal(&e))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"pemutakhiran-data.pdf\"",
            ),
        ],
        pdf,
    )
        .into_response())
}
