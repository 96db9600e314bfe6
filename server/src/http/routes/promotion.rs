//! Promotion: the policy and the employee's outlook, the candidate list, proposals, the batch
//! to BKN and the exchange log: thin handlers over [`crate::promotion::Promotion`].

use abdi_proto::Problem;
use abdi_proto::promotion::{
    BatchQueued, CandidateList, Exchange, NewProposal, PromotionOutlook, PromotionPolicy,
    ProposalBatch, ProposalView,
};
use abdi_proto::services::VersionedAction;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::ApiError;
use crate::http::auth::Caller;
use crate::http::extract::{Json, Path, Query};
use crate::state::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(promotion_policy))
        .routes(routes!(promotion_outlook))
        .routes(routes!(my_promotion_proposals))
        .routes(routes!(promotion_candidates))
        .routes(routes!(propose_promotion, promotion_proposals))
        .routes(routes!(promotion_proposal))
        .routes(routes!(verify_promotion))
        .routes(routes!(send_promotion_batch))
        .routes(routes!(bkn_exchanges))
}

/// The promotion policy as data (periods, ceilings by education, credit points, exams): the
/// phone keeps it to work out the employee's outlook offline.
#[utoipa::path(get, path = "/promotion/policy", tag = "promotion", security(("bearer" = [])),
    responses(
        (status = 200, description = "The policy in force", body = PromotionPolicy),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn promotion_policy(
    State(state): State<AppState>,
    _caller: Caller,
) -> axum::Json<PromotionPolicy> {
    axum::Json(state.promotion.policy().clone())
}

/// The caller's own outlook: the first period they are due in, the new rank, and what they
/// still lack or what blocks them (`candidacy` is null without a rank on record).
#[utoipa::path(get, path = "/me/promotion", tag = "promotion", security(("bearer" = [])),
    responses(
        (status = 200, description = "The outlook", body = PromotionOutlook),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn promotion_outlook(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<PromotionOutlook>, ApiError> {
    Ok(axum::Json(state.promotion.outlook(&caller.actor).await?))
}

/// The caller's own promotion proposals, oldest first.
#[utoipa::path(get, path = "/me/promotion/proposals", tag = "promotion", security(("bearer" = [])),
    responses(
        (status = 200, description = "The proposals", body = Vec<ProposalView>),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn my_promotion_proposals(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<ProposalView>>, ApiError> {
    Ok(axum::Json(state.promotion.mine(&caller.actor).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct CandidatesQuery {
    /// The period's TMT (`YYYY-MM-DD`, the 1st of a month in the schedule).
    pub(crate) period: NaiveDate,
    /// Only this unit and the units below it.
    pub(crate) unit: Option<Uuid>,
}

/// Who is due in a period, in the caller's units (a fasilitator's own, every unit for an
/// administrator): the kind, the new rank, what each still lacks and what blocks them.
#[utoipa::path(get, path = "/promotion/candidates", tag = "promotion", security(("bearer" = [])),
    params(CandidatesQuery),
    responses(
        (status = 200, description = "The candidate list", body = CandidateList),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`unit_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`promotion_period_invalid`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn promotion_candidates(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CandidatesQuery>,
) -> Result<axum::Json<CandidateList>, ApiError> {
    Ok(axum::Json(
        state
            .promotion
            .candidates(&caller.actor, q.period, q.unit)
            .await?,
    ))
}

/// Assemble a proposal for a due employee from their archive (fasilitators of the
/// employee's unit, administrators). Refused, with every reason and the values seen, when
/// the employee is not ready.
#[utoipa::path(post, path = "/promotion/proposals", tag = "promotion", security(("bearer" = [])),
    request_body = NewProposal,
    responses(
        (status = 201, description = "Assembled (a draft)", body = ProposalView),
        (status = 400, description = "`invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`employee_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`promotion_exists`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`promotion_period_invalid`, `promotion_not_eligible` (with `errors`)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn propose_promotion(
    State(state): State<AppState>,
    caller: Caller,
    Json(new): Json<NewProposal>,
) -> Result<(StatusCode, axum::Json<ProposalView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        axum::Json(state.promotion.propose(&caller.actor, &new).await?),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ProposalsQuery {
    /// Only this period's proposals.
    pub(crate) period: Option<NaiveDate>,
}

/// Promotion proposals in the caller's units, oldest first.
#[utoipa::path(get, path = "/promotion/proposals", tag = "promotion", security(("bearer" = [])),
    params(ProposalsQuery),
    responses(
        (status = 200, description = "The proposals", body = Vec<ProposalView>),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn promotion_proposals(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ProposalsQuery>,
) -> Result<axum::Json<Vec<ProposalView>>, ApiError> {
    Ok(axum::Json(
        state.promotion.list(&caller.actor, q.period).await?,
    ))
}

/// One promotion proposal: its documents, BKN's id, its Pertek or BKN's reasons, its SK.
#[utoipa::path(get, path = "/promotion/proposals/{id}", tag = "promotion", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Proposal id")),
    responses(
        (status = 200, description = "The proposal", body = ProposalView),
        (status = 404, description = "`promotion_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn promotion_proposal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<ProposalView>, ApiError> {
    Ok(axum::Json(state.promotion.get(&caller.actor, id).await?))
}

/// The fasilitator verified the proposal's documents: it is judged again and waits for the
/// administrator's batch.
#[utoipa::path(post, path = "/promotion/proposals/{id}/verify", tag = "promotion", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Proposal id")),
    request_body = VersionedAction,
    responses(
        (status = 200, description = "Verified", body = ProposalView),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`promotion_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`promotion_state`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`promotion_not_eligible` (with `errors`)", body = Problem, content_type = "application/problem+json"),
    ))]
async fn verify_promotion(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(action): Json<VersionedAction>,
) -> Result<axum::Json<ProposalView>, ApiError> {
    Ok(axum::Json(
        state
            .promotion
            .verify(&caller.actor, id, action.version)
            .await?,
    ))
}

/// Send the period's verified proposals to BKN (administrators, with a passkey step-up). The
/// exchange worker sends each, retrying with backoff, and reads BKN's answers.
#[utoipa::path(post, path = "/promotion/batches", tag = "promotion", security(("bearer" = [])),
    request_body = ProposalBatch,
    responses(
        (status = 202, description = "Queued", body = BatchQueued),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`bkn_not_configured`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`promotion_period_invalid`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn send_promotion_batch(
    State(state): State<AppState>,
    caller: Caller,
    Json(batch): Json<ProposalBatch>,
) -> Result<(StatusCode, axum::Json<BatchQueued>), ApiError> {
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(state.promotion.send(&caller.actor, batch.period).await?),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ExchangesQuery {
    /// Only the calls about this proposal.
    pub(crate) proposal: Option<Uuid>,
    /// At most this many, newest first (100 by default, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub(crate) limit: Option<u64>,
}

/// The exchange log: every call made to BKN, what it answered, or that it did not
/// (administrators).
#[utoipa::path(get, path = "/promotion/exchanges", tag = "promotion", security(("bearer" = [])),
    params(ExchangesQuery),
    responses(
        (status = 200, description = "Newest first", body = Vec<Exchange>),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn bkn_exchanges(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ExchangesQuery>,
) -> Result<axum::Json<Vec<Exchange>>, ApiError> {
    Ok(axum::Json(
        state
            .promotion
            .exchanges(&caller.actor, q.proposal, q.limit.unwrap_or(100))
            .await?,
    ))
}
