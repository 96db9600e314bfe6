//! `/api/v1/admin/units` and `/api/v1/admin/posts`: the organisation as administrators keep
//! it, by decree; thin handlers over [`crate::agency::Agency`].

use abdi_proto::Problem;
use abdi_proto::organisation::{
    Closure, NewPost, NewUnit, PostAmendment, PostView, UnitAmendment, UnitDetail, UnitView,
};
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::ApiError;
use crate::http::auth::Caller;
use crate::http::extract::{Json, Path};
use crate::identity::audit::Origin;
use crate::state::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_units, add_unit))
        .routes(routes!(view_unit, amend_unit))
        .routes(routes!(close_unit))
        .routes(routes!(add_post))
        .routes(routes!(amend_post))
        .routes(routes!(close_post))
}

/// Every unit, closed ones included, in code order (administrators).
#[utoipa::path(get, path = "/admin/units", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "Units", body = Vec<UnitView>),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_units(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<UnitView>>, ApiError> {
    Ok(axum::Json(state.agency.units(&caller.actor).await?))
}

/// A unit with its posts and the history of both, newest first (administrators).
#[utoipa::path(get, path = "/admin/units/{code}", tag = "admin", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code, e.g. `DINKES`")),
    responses(
        (status = 200, description = "The unit", body = UnitDetail),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`unit_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn view_unit(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<axum::Json<UnitDetail>, ApiError> {
    Ok(axum::Json(state.agency.unit(&caller.actor, &code).await?))
}

/// Add a unit by decree, under an open unit of the level above. Needs a fresh step-up.
#[utoipa::path(post, path = "/admin/units", tag = "admin", security(("bearer" = [])),
    request_body = NewUnit,
    responses(
        (status = 201, description = "Added", body = UnitDetail),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`unit_not_found` (the parent)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`organisation_in_use`: the code is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`organisation_invalid` (a bad code, a closed parent, a level that does not fit), `decree_invalid`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn add_unit(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Json(new): Json<NewUnit>,
) -> Result<(StatusCode, axum::Json<UnitDetail>), ApiError> {
    let unit = state.agency.add_unit(&caller.actor, &origin, &new).await?;
    Ok((StatusCode::CREATED, axum::Json(unit)))
}

/// Rename a unit, or move it with everything below it, by decree. A move is refused while
/// requests from the units that move are open. Needs a fresh step-up.
#[utoipa::path(put, path = "/admin/units/{code}", tag = "admin", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code")),
    request_body = UnitAmendment,
    responses(
        (status = 200, description = "Amended", body = UnitDetail),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`unit_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`organisation_in_use`: open requests would lose their chain", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`organisation_invalid` (a closed unit, a move below itself, a level that does not fit), `decree_invalid`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn amend_unit(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Path(code): Path<String>,
    Json(change): Json<UnitAmendment>,
) -> Result<axum::Json<UnitDetail>, ApiError> {
    Ok(axum::Json(
        state
            .agency
            .amend_unit(&caller.actor, &origin, &code, &change)
            .await?,
    ))
}

/// Close a unit by decree. Refused while it has open units or posts, active employees,
/// fasilitator grants, or open requests. Needs a fresh step-up.
#[utoipa::path(post, path = "/admin/units/{code}/close", tag = "admin", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code")),
    request_body = Closure,
    responses(
        (status = 200, description = "Closed", body = UnitDetail),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`unit_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`organisation_in_use`: what is still there", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`organisation_invalid` (already closed), `decree_invalid`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn close_unit(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Path(code): Path<String>,
    Json(closure): Json<Closure>,
) -> Result<axum::Json<UnitDetail>, ApiError> {
    Ok(axum::Json(
        state
            .agency
            .close_unit(&caller.actor, &origin, &code, &closure)
            .await?,
    ))
}

/// Add a post to an open unit by decree. Needs a fresh step-up.
#[utoipa::path(post, path = "/admin/posts", tag = "admin", security(("bearer" = [])),
    request_body = NewPost,
    responses(
        (status = 201, description = "Added", body = PostView),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`unit_not_found`, `post_not_found` (the post it reports to)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`organisation_in_use`: the code is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`organisation_invalid`, `decree_invalid`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn add_post(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Json(new): Json<NewPost>,
) -> Result<(StatusCode, axum::Json<PostView>), ApiError> {
    let post = state.agency.add_post(&caller.actor, &origin, &new).await?;
    Ok((StatusCode::CREATED, axum::Json(post)))
}

/// Rename a post, or place it elsewhere (another unit, another post to report to), by decree.
/// A held post moves to another unit only by transferring its holders. Needs a fresh step-up.
#[utoipa::path(put, path = "/admin/posts/{code}", tag = "admin", security(("bearer" = [])),
    params(("code" = String, Path, description = "Post code, e.g. `DINKES-KADIS`")),
    request_body = PostAmendment,
    responses(
        (status = 200, description = "Amended", body = PostView),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`post_not_found`, `unit_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`organisation_in_use`: a held post moving to another unit", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`organisation_invalid` (closed, reporting to itself or below it), `decree_invalid`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn amend_post(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Path(code): Path<String>,
    Json(change): Json<PostAmendment>,
) -> Result<axum::Json<PostView>, ApiError> {
    Ok(axum::Json(
        state
            .agency
            .amend_post(&caller.actor, &origin, &code, &change)
            .await?,
    ))
}

/// Close a post by decree. Refused while someone holds it or acts in it, a post reports to
/// it, or an approval step waits on it. Needs a fresh step-up.
#[utoipa::path(post, path = "/admin/posts/{code}/close", tag = "admin", security(("bearer" = [])),
    params(("code" = String, Path, description = "Post code")),
    request_body = Closure,
    responses(
        (status = 200, description = "Closed", body = PostView),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`post_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`organisation_in_use`: what still uses it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`organisation_invalid` (already closed), `decree_invalid`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn close_post(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Path(code): Path<String>,
    Json(closure): Json<Closure>,
) -> Result<axum::Json<PostView>, ApiError> {
    Ok(axum::Json(
        state
            .agency
            .close_post(&caller.actor, &origin, &code, &closure)
            .await?,
    ))
}
