//! `/api/v1/employees/{id}/record`, the employee's own at `/api/v1/me/record`, and the access
//! log: thin handlers over [`crate::record::Records`].

use abdi_proto::Problem;
use abdi_proto::record::{EmployeeRecord, RecordReadPage};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::ApiError;
use crate::http::auth::Caller;
use crate::http::extract::{IdPageQuery, Paged, Path, Query};
use crate::state::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(employee_record))
        .routes(routes!(employee_drh))
        .routes(routes!(my_record))
        .routes(routes!(my_drh))
        .routes(routes!(record_reads))
}

/// An employee's whole record (Pergub Jatim 73/2020 Pasal 16): identity and every history with
/// its decrees. For the employee, their atasan langsung, the fasilitator of their unit and
/// administrators; the NIK in full only for the employee and administrators. Every read of
/// someone else's record is logged.
#[utoipa::path(get, path = "/employees/{id}/record", tag = "employees", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Employee id")),
    responses(
        (status = 200, description = "The record", body = EmployeeRecord),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`employee_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn employee_record(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<EmployeeRecord>, ApiError> {
    Ok(axum::Json(state.records.record(&caller.actor, id).await?))
}

/// The employee's Daftar Riwayat Hidup as a PDF, in the usual layout: for whoever may read the
/// record, and logged like a read of it.
#[utoipa::path(get, path = "/employees/{id}/record/pdf", tag = "employees", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Employee id")),
    responses(
        (status = 200, description = "The DRH", content((crate::http::Binary = "application/pdf"))),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`employee_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn employee_drh(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    Ok(drh_pdf(state.records.drh(&caller.actor, id).await?))
}

/// The employee's own record, for the app's profile screen (kept there for offline use).
#[utoipa::path(get, path = "/me/record", tag = "employees", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's record", body = EmployeeRecord),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn my_record(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<EmployeeRecord>, ApiError> {
    let me = caller.actor.employee_id;
    Ok(axum::Json(state.records.record(&caller.actor, me).await?))
}

/// The employee's own Daftar Riwayat Hidup as a PDF.
#[utoipa::path(get, path = "/me/record/pdf", tag = "employees", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's DRH", content((crate::http::Binary = "application/pdf"))),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn my_drh(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let me = caller.actor.employee_id;
    Ok(drh_pdf(state.records.drh(&caller.actor, me).await?))
}

fn drh_pdf(pdf: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"daftar-riwayat-hidup.pdf\"",
            ),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        pdf,
    )
        .into_response()
}

#[derive(Debug, Deserialize, IntoParams)]
struct ReadsQuery {
    /// Only reads of this employee's record.
    employee_id: Option<Uuid>,
    /// Only reads by this employee.
    reader_id: Option<Uuid>,
}

/// Who read whose record, newest first (administrators).
#[utoipa::path(get, path = "/admin/record-reads", tag = "admin", security(("bearer" = [])),
    params(ReadsQuery, IdPageQuery),
    responses(
        (status = 200, description = "A page of the access log", body = RecordReadPage),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn record_reads(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ReadsQuery>,
    Paged(page): Paged<i64>,
) -> Result<axum::Json<RecordReadPage>, ApiError> {
    Ok(axum::Json(
        state
            .records
            .reads(&caller.actor, q.employee_id, q.reader_id, page)
            .await?,
    ))
}
