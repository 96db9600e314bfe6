//! `/api/v1/admin/...` and `/api/v1/employees/...`: what administrators do (roles by decree,
//! acting letters, accounts, transfers, the audit log) and employee records for those entitled
//! to see them; thin handlers over [`crate::agency::Agency`].

use abdi_proto::Problem;
use abdi_proto::agency::{
    ActingAmendment, ActingEnd, ActingLetter, NewActingLetter, NewRoleGrant, Role, RoleGrant,
    RoleRevocation,
};
use abdi_proto::identity::{AuthEventList, Profile, TransferRequest};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::ApiError;
use crate::http::auth::Caller;
use crate::http::extract::{Json, Path, Query};
use crate::identity::audit::Origin;
use crate::state::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_roles, grant_role))
        .routes(routes!(revoke_role))
        .routes(routes!(record_acting))
        .routes(routes!(amend_acting))
        .routes(routes!(end_acting))
        .routes(routes!(unit_acting))
        .routes(routes!(auth_events))
        .routes(routes!(disable_account))
        .routes(routes!(transfer_employee))
        .routes(routes!(view_employee))
        .routes(routes!(import_file))
        .routes(routes!(change_calendar))
        .routes(routes!(calendar_revisions))
}

#[derive(Debug, Deserialize, IntoParams)]
struct RoleQuery {
    /// Only this role.
    role: Option<Role>,
    /// Only this employee's grants.
    employee_id: Option<Uuid>,
}

/// Every role grant, in force or not, newest first, with its decree (administrators).
#[utoipa::path(get, path = "/admin/roles", tag = "admin", security(("bearer" = [])),
    params(RoleQuery),
    responses(
        (status = 200, description = "Grants, newest first", body = Vec<RoleGrant>),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_roles(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RoleQuery>,
) -> Result<axum::Json<Vec<RoleGrant>>, ApiError> {
    Ok(axum::Json(
        state
            .agency
            .grants(&caller.actor, q.role, q.employee_id)
            .await?,
    ))
}

/// Grant a role by decree: fasilitator of a unit (and everything below it), or administrator.
/// Needs a fresh step-up.
#[utoipa::path(post, path = "/admin/roles", tag = "admin", security(("bearer" = [])),
    request_body = NewRoleGrant,
    responses(
        (status = 201, description = "Granted", body = RoleGrant),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`employee_not_found`, `unit_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`grant_conflict`: already held there in an overlapping window", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`grant_invalid`: no unit for a fasilitator, a unit for an administrator, an empty number, an end before the start", body = Problem, content_type = "application/problem+json"),
    ))]
async fn grant_role(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Json(g): Json<NewRoleGrant>,
) -> Result<(StatusCode, axum::Json<RoleGrant>), ApiError> {
    let grant = state.agency.grant(&caller.actor, &origin, &g).await?;
    Ok((StatusCode::CREATED, axum::Json(grant)))
}

/// Revoke a grant; it stays in the history. The last administrator cannot be revoked here.
/// Needs a fresh step-up.
#[utoipa::path(post, path = "/admin/roles/{id}/revoke", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Grant id")),
    request_body = RoleRevocation,
    responses(
        (status = 200, description = "Revoked", body = RoleGrant),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`grant_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`grant_conflict`: already revoked, or the last administrator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`reason_required`, `grant_invalid`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn revoke_role(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(r): Json<RoleRevocation>,
) -> Result<axum::Json<RoleGrant>, ApiError> {
    Ok(axum::Json(
        state.agency.revoke(&caller.actor, &origin, id, &r).await?,
    ))
}

/// Record a Plt/Plh assignment letter: who acts in which post, from and to. Needs a fresh
/// step-up.
#[utoipa::path(post, path = "/admin/acting", tag = "admin", security(("bearer" = [])),
    request_body = NewActingLetter,
    responses(
        (status = 201, description = "Recorded", body = ActingLetter),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`employee_not_found`, `unit_not_found` (the post)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`acting_overlap`: the post has a Plt/Plh on some of those days", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`grant_invalid`: the holder acting in their own post, a Plt for a held post, an empty number, an end before the start", body = Problem, content_type = "application/problem+json"),
    ))]
async fn record_acting(
    State(state): State<AppState>,
    caller: Caller,
    Json(l): Json<NewActingLetter>,
) -> Result<(StatusCode, axum::Json<ActingLetter>), ApiError> {
    let letter = state.agency.record_acting(&caller.actor, &l).await?;
    Ok((StatusCode::CREATED, axum::Json(letter)))
}

/// Amend a Plt/Plh letter (its number, date or window). Needs a fresh step-up.
#[utoipa::path(put, path = "/admin/acting/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Letter id")),
    request_body = ActingAmendment,
    responses(
        (status = 200, description = "Amended", body = ActingLetter),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`acting_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`version_conflict`, `acting_overlap`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`grant_invalid` (also: already ended), `reason_required`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn amend_acting(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(a): Json<ActingAmendment>,
) -> Result<axum::Json<ActingLetter>, ApiError> {
    Ok(axum::Json(
        state.agency.amend_acting(&caller.actor, id, &a).await?,
    ))
}

/// End a Plt/Plh letter early: the holder is back, or the post is filled. Needs a fresh
/// step-up.
#[utoipa::path(post, path = "/admin/acting/{id}/end", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Letter id")),
    request_body = ActingEnd,
    responses(
        (status = 200, description = "Ended", body = ActingLetter),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`acting_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`version_conflict`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`grant_invalid`: a last day outside the letter's window, or already ended; `reason_required`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn end_acting(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(e): Json<ActingEnd>,
) -> Result<axum::Json<ActingLetter>, ApiError> {
    Ok(axum::Json(
        state.agency.end_acting(&caller.actor, id, &e).await?,
    ))
}

/// The Plt/Plh letters on the posts of a unit and every unit below it, newest first
/// (administrators).
#[utoipa::path(get, path = "/admin/units/{code}/acting", tag = "admin", security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code, e.g. `DINKES`")),
    responses(
        (status = 200, description = "Letters, in force or not", body = Vec<ActingLetter>),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`unit_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn unit_acting(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<axum::Json<Vec<ActingLetter>>, ApiError> {
    Ok(axum::Json(
        state.agency.acting_in_unit(&caller.actor, &code).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
struct AuditQuery {
    /// Only this employee's events.
    employee_id: Option<Uuid>,
    /// At most this many, newest first (1-500, default 100).
    limit: Option<u64>,
}

/// The authentication audit log (administrators).
#[utoipa::path(get, path = "/admin/auth-events", tag = "admin", security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "Events, newest first", body = AuthEventList),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn auth_events(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> Result<axum::Json<AuthEventList>, ApiError> {
    let limit = q.limit.unwrap_or(100);
    Ok(axum::Json(
        state
            .agency
            .auth_events(&caller.actor, q.employee_id, limit)
            .await?,
    ))
}

/// Disable an employee's account: every session ends at once and no login succeeds. Needs a
/// fresh step-up.
#[utoipa::path(post, path = "/admin/employees/{id}/disable", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Employee id")),
    responses(
        (status = 204, description = "Disabled; sessions ended"),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`employee_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn disable_account(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.agency.disable(&caller.actor, &origin, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Move an employee to another unit (and post): every session ends at once, since what the
/// employee may see and decide changes with the unit. A post someone holds is taken only with
/// `replaces_holder`; the holder then leaves it and their sessions end too. Needs a fresh
/// step-up.
#[utoipa::path(post, path = "/admin/employees/{id}/transfer", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Employee id")),
    request_body = TransferRequest,
    responses(
        (status = 204, description = "Moved; sessions ended"),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "`invalid_path`, `invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`employee_not_found`, `unit_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`position_occupied`: someone holds the post; send `replaces_holder`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`decree_invalid`: no transfer decree number", body = Problem, content_type = "application/problem+json"),
    ))]
async fn transfer_employee(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<TransferRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .agency
        .transfer(&caller.actor, &origin, id, &req)
        .await?;
    Ok(StatusCode::NO_CONTENT)
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

/// The files of an export, as the import route names them.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
enum ImportFile {
    Units,
    Posts,
    Employees,
    RankHistory,
    PositionHistory,
    EducationHistory,
    TrainingHistory,
    AwardHistory,
    PerformanceHistory,
    Family,
    DisciplineHistory,
}

impl ImportFile {
    fn name(self) -> &'static str {
        match self {
            ImportFile::Units => "units.csv",
            ImportFile::Posts => "posts.csv",
            ImportFile::Employees => "employees.csv",
            ImportFile::RankHistory => "rank_history.csv",
            ImportFile::PositionHistory => "position_history.csv",
            ImportFile::EducationHistory => "education_history.csv",
            ImportFile::TrainingHistory => "training_history.csv",
            ImportFile::AwardHistory => "award_history.csv",
            ImportFile::PerformanceHistory => "performance_history.csv",
            ImportFile::Family => "family.csv",
            ImportFile::DisciplineHistory => "discipline_history.csv",
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
struct ImportQuery {
    /// Reconcile and report only; write nothing (needs no step-up).
    #[serde(default)]
    dry_run: bool,
}

/// The most an uploaded export file may be (a 50,000-employee employees.csv is about 10 MB).
const IMPORT_MAX_BYTES: usize = 64 * 1024 * 1024;

/// Import one file of a SIASN/SIMPEG export (the raw CSV as the body; the README has its
/// columns): reconciled against the database, and written unless `dry_run`. Import units,
/// then posts, then employees, then the rank history: each refers to what came before.
/// Importing the same file twice changes nothing. A real run needs a fresh step-up.
#[utoipa::path(post, path = "/admin/import/{file}", tag = "admin", security(("bearer" = [])),
    params(("file" = inline(ImportFile), Path, description = "Which file of the export"), ImportQuery),
    request_body(content = crate::http::Binary, content_type = "text/csv", description = "The CSV file, UTF-8, with its header row"),
    responses(
        (status = 200, description = "The reconciliation, and whether it was written", body = crate::import::ImportReport),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`: over 64 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`import_unreadable`: the file cannot be read as CSV", body = Problem, content_type = "application/problem+json"),
    ))]
async fn import_file(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Path(file): Path<ImportFile>,
    Query(q): Query<ImportQuery>,
    body: axum::body::Body,
) -> Result<axum::Json<crate::import::ImportReport>, ApiError> {
    let bytes = axum::body::to_bytes(body, IMPORT_MAX_BYTES)
        .await
        .map_err(|_| ApiError::new(abdi_proto::ErrorCode::PayloadTooLarge))?;
    let export = crate::import::Export::single(file.name(), bytes.to_vec());
    let report = state
        .agency
        .import(&caller.actor, &origin, &export, q.dry_run)
        .await?;
    if !q.dry_run {
        // The public statistics follow an import (and only a bulk change: one person's change
        // published at once could be read off two snapshots).
        let statistics = state.sharing.statistics().clone();
        tokio::spawn(async move {
            if let Err(e) = statistics.refresh("import").await {
                tracing::warn!(error = %e, "statistics not refreshed after the import");
            }
        });
    }
    Ok(axum::Json(report))
}

/// A year's calendar path parameter, checked.
fn year_of(year: i32) -> Result<i32, ApiError> {
    if (1900..=2200).contains(&year) {
        Ok(year)
    } else {
        Err(ApiError::with_detail(
            abdi_proto::ErrorCode::InvalidPath,
            "Tahun harus 1900 sampai 2200.",
            "The year must be 1900 to 2200.",
        ))
    }
}

/// Add a year's holiday calendar, or change one already loaded (national holidays and cuti
/// bersama, each with its legal basis), whole. The change is kept as a revision; open leave
/// requests that cover a changed day are shown to their fasilitators; decided requests keep
/// the working days they were decided on. Needs a fresh step-up.
#[utoipa::path(put, path = "/admin/holidays/{year}", tag = "admin", security(("bearer" = [])),
    params(("year" = i32, Path, minimum = 1900, maximum = 2200, description = "The year")),
    request_body = abdi_proto::calendar::CalendarChange,
    responses(
        (status = 200, description = "The revision made", body = abdi_proto::calendar::CalendarRevision),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`calendar_invalid`: a day outside the year, twice, or without its name or legal basis; `reason_required`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn change_calendar(
    State(state): State<AppState>,
    caller: Caller,
    Path(year): Path<i32>,
    Json(change): Json<abdi_proto::calendar::CalendarChange>,
) -> Result<axum::Json<abdi_proto::calendar::CalendarRevision>, ApiError> {
    let year = year_of(year)?;
    Ok(axum::Json(
        state
            .agency
            .change_calendar(&caller.actor, year, &change)
            .await?,
    ))
}

/// Every change of a year's holiday calendar, newest first (administrators).
#[utoipa::path(get, path = "/admin/holidays/{year}/revisions", tag = "admin", security(("bearer" = [])),
    params(("year" = i32, Path, minimum = 1900, maximum = 2200, description = "The year")),
    responses(
        (status = 200, description = "Revisions, newest first", body = Vec<abdi_proto::calendar::CalendarRevision>),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn calendar_revisions(
    State(state): State<AppState>,
    caller: Caller,
    Path(year): Path<i32>,
) -> Result<axum::Json<Vec<abdi_proto::calendar::CalendarRevision>>, ApiError> {
    let year = year_of(year)?;
    Ok(axum::Json(
        state
            .agency
            .calendar_revisions(&caller.actor, &state.reference, year)
            .await?,
    ))
}
