//! `/api/v1/employees/...`: employee records, for those entitled to see them.

use abdi_proto::Problem;
use abdi_proto::identity::Profile;
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::ApiError;
use crate::http::auth::Caller;
use crate::http::extract::Path;
use crate::state::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(view_employee))
}

/// An employee's record: for the employee, their atasan langsung, the official authorised for
/// their unit, the unit's fasilitator and administrators.
#[utoipa::path(get, path = "/employees/{id}", tag = "employees", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Employee id")),
    responses(
        (status = 200, description = "The record", body = Profile),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`employee_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn view_employee(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Profile>, ApiError> {
    Ok(axum::Json(state.agency.profile(&caller.actor, id).await?))
}
