//! `/api/v1/employees/...`: employee records, for those entitled to see them.

use abdi_proto::Problem;
use abdi_proto::identity::Profile;
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::access::{AccessError, Action};
use crate::error::ApiError;
use crate::http::auth::Authenticated;
use crate::http::extract::Path;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
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
    Authenticated(current): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Profile>, ApiError> {
    state
        .access
        .authorize(
            current.session.employee_id,
            state.clock.today(),
            Action::ViewEmployee,
            Some(id),
        )
        .await?;
    let profile = state
        .identity
        .directory
        .profile(id)
        .await
        .map_err(AccessError::from)?
        .ok_or(AccessError::EmployeeNotFound)?;
    Ok(axum::Json(profile))
}
