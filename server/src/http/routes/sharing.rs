//! `/api/v1/admin/data-clients`, `/api/v1/admin/data-access` and `/api/v1/me/data-access`:
//! the registry of client systems, the log of their calls, and the employee's view of who read
//! their data; thin handlers over [`crate::sharing::Sharing`].

use abdi_proto::Problem;
use abdi_proto::sharing::{
    ClientStatusChange, CredentialRotation, DataAccessPage, DataClient, IssuedClient,
    MyDataAccessPage, NewDataClient,
};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::ApiError;
use crate::http::auth::Caller;
use crate::http::extract::{IdPageQuery, Json, Paged, Path, Query};
use crate::identity::audit::Origin;
use crate::sharing::clients::StatusAction;
use crate::state::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_clients, register_client))
        .routes(routes!(view_client))
        .routes(routes!(rotate_client))
        .routes(routes!(suspend_client))
        .routes(routes!(resume_client))
        .routes(routes!(revoke_client))
        .routes(routes!(access_log))
        .routes(routes!(access_export))
        .routes(routes!(my_access))
}

/// Every registered client system, newest first (administrators).
#[utoipa::path(get, path = "/admin/data-clients", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "The clients", body = Vec<DataClient>),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_clients(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<DataClient>>, ApiError> {
    Ok(axum::Json(state.sharing.clients(&caller.actor).await?))
}

/// Register a client system (SE Sekjen Kemenag 32502/2019: on the unit's letter, with its
/// networks): its agreement, purpose, contact, networks, units and scopes. The secret is in
/// this answer only. Needs a fresh step-up.
#[utoipa::path(post, path = "/admin/data-clients", tag = "admin", security(("bearer" = [])),
    request_body = NewDataClient,
    responses(
        (status = 201, description = "Registered, with its credential", body = IssuedClient),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`data_client_invalid`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn register_client(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Json(new): Json<NewDataClient>,
) -> Result<
    (
        StatusCode,
        [(header::HeaderName, &'static str); 1],
        axum::Json<IssuedClient>,
    ),
    ApiError,
> {
    let issued = state.sharing.register(&caller.actor, &origin, new).await?;
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(issued),
    ))
}

/// One client system (administrators).
#[utoipa::path(get, path = "/admin/data-clients/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The client's id")),
    responses(
        (status = 200, description = "The client", body = DataClient),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`data_client_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn view_client(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<DataClient>, ApiError> {
    Ok(axum::Json(state.sharing.client(&caller.actor, id).await?))
}

/// A new credential for a client system: a new secret (shown once), or for `private_key_jwt`
/// its new public key. The old credential and every token made with it stop at once. Needs a
/// fresh step-up.
#[utoipa::path(post, path = "/admin/data-clients/{id}/rotate", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The client's id")),
    request_body = CredentialRotation,
    responses(
        (status = 200, description = "The new credential", body = IssuedClient),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`data_client_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`data_client_state`: revoked", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`data_client_invalid`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn rotate_client(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(rotation): Json<CredentialRotation>,
) -> Result<Response, ApiError> {
    let issued = state
        .sharing
        .rotate(&caller.actor, &origin, id, rotation)
        .await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], axum::Json(issued)).into_response())
}

async fn status_change(
    state: AppState,
    origin: Origin,
    caller: Caller,
    id: Uuid,
    action: StatusAction,
    change: ClientStatusChange,
) -> Result<axum::Json<DataClient>, ApiError> {
    Ok(axum::Json(
        state
            .sharing
            .set_status(&caller.actor, &origin, id, action, &change.reason)
            .await?,
    ))
}

/// Suspend a client system (its next call is refused with `client_suspended`). Needs a fresh
/// step-up.
#[utoipa::path(post, path = "/admin/data-clients/{id}/suspend", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The client's id")),
    request_body = ClientStatusChange,
    responses(
        (status = 200, description = "Suspended", body = DataClient),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`data_client_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`data_client_state`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`data_client_invalid`: no reason", body = Problem, content_type = "application/problem+json"),
    ))]
async fn suspend_client(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(change): Json<ClientStatusChange>,
) -> Result<axum::Json<DataClient>, ApiError> {
    status_change(state, origin, caller, id, StatusAction::Suspend, change).await
}

/// Resume a suspended client system. Needs a fresh step-up.
#[utoipa::path(post, path = "/admin/data-clients/{id}/resume", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The client's id")),
    request_body = ClientStatusChange,
    responses(
        (status = 200, description = "Resumed", body = DataClient),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`data_client_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`data_client_state`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`data_client_invalid`: no reason", body = Problem, content_type = "application/problem+json"),
    ))]
async fn resume_client(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(change): Json<ClientStatusChange>,
) -> Result<axum::Json<DataClient>, ApiError> {
    status_change(state, origin, caller, id, StatusAction::Resume, change).await
}

/// Revoke a client system for good (a leak, misuse): its credential is destroyed and its next
/// call refused. Needs a fresh step-up.
#[utoipa::path(post, path = "/admin/data-clients/{id}/revoke", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The client's id")),
    request_body = ClientStatusChange,
    responses(
        (status = 200, description = "Revoked", body = DataClient),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`data_client_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`data_client_state`: already revoked", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`data_client_invalid`: no reason", body = Problem, content_type = "application/problem+json"),
    ))]
async fn revoke_client(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(change): Json<ClientStatusChange>,
) -> Result<axum::Json<DataClient>, ApiError> {
    status_change(state, origin, caller, id, StatusAction::Revoke, change).await
}

#[derive(Debug, Deserialize, IntoParams)]
struct AccessQuery {
    /// Only calls of this client (its id).
    client_id: Option<Uuid>,
    /// Only calls that returned this NIP's data.
    #[param(pattern = r"^[0-9]{18}$")]
    nip: Option<String>,
}

/// Every call to the data API, newest first: the client, its purpose, the NIPs and fields
/// returned, the address and the time (administrators).
#[utoipa::path(get, path = "/admin/data-access", tag = "admin", security(("bearer" = [])),
    params(AccessQuery, IdPageQuery),
    responses(
        (status = 200, description = "A page of the access log", body = DataAccessPage),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn access_log(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AccessQuery>,
    Paged(page): Paged<i64>,
) -> Result<axum::Json<DataAccessPage>, ApiError> {
    if q.nip
        .as_deref()
        .is_some_and(|n| n.len() != 18 || !n.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(ApiError::with_detail(
            abdi_proto::ErrorCode::InvalidQuery,
            "`nip` harus 18 angka.",
            "`nip` must be 18 digits.",
        ));
    }
    Ok(axum::Json(
        state
            .sharing
            .access_log(&caller.actor, q.client_id, q.nip.as_deref(), page)
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
struct YearQuery {
    /// The year (as Jakarta counts it).
    #[param(minimum = 2000, maximum = 2200)]
    year: i32,
}

/// A year's calls as CSV, for the yearly review (administrators).
#[utoipa::path(get, path = "/admin/data-access/export", tag = "admin", security(("bearer" = [])),
    params(YearQuery),
    responses(
        (status = 200, description = "The year's calls", body = String, content_type = "text/csv"),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn access_export(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<YearQuery>,
) -> Result<Response, ApiError> {
    if !(2000..=2200).contains(&q.year) {
        return Err(ApiError::with_detail(
            abdi_proto::ErrorCode::InvalidQuery,
            "Tahun 2000 sampai 2200.",
            "The year must be 2000 to 2200.",
        ));
    }
    let csv = state.sharing.access_export(&caller.actor, q.year).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"akses-data-{}.csv\"", q.year),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        csv,
    )
        .into_response())
}

/// Which other systems read the caller's data, and when, newest first (UU 27/2022 Pasal 32).
#[utoipa::path(get, path = "/me/data-access", tag = "identity", security(("bearer" = [])),
    params(IdPageQuery),
    responses(
        (status = 200, description = "A page of reads", body = MyDataAccessPage),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn my_access(
    State(state): State<AppState>,
    caller: Caller,
    Paged(page): Paged<i64>,
) -> Result<axum::Json<MyDataAccessPage>, ApiError> {
    Ok(axum::Json(
        state
            .sharing
            .my_access(caller.actor.employee_id, page)
            .await?,
    ))
}
