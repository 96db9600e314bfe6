//! `/api/data/v1`: the data API for other government systems (its token endpoint, employees,
//! changes) and the public statistics; thin handlers over [`crate::sharing::Sharing`].

use abdi_proto::sharing::{
    AccessToken, Dimension, SharedChanges, SharedEmployee, SharedEmployeePage, StatIndex,
    StatTable, TokenRequest,
};
use abdi_proto::{ErrorCode, Problem};
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::ApiError;
use crate::http::auth::{bearer, caller_address, from_trusted_proxy};
use crate::http::extract::{Path, Query};
use crate::sharing::data::NipCursor;
use crate::sharing::token::{CallMeta, DataCall};
use crate::state::AppState;
use crate::store::page::Page;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(token))
        .routes(routes!(unit_employees))
        .routes(routes!(employee))
        .routes(routes!(changes))
        .routes(routes!(statistics))
        .routes(routes!(statistics_table))
}

/// Where a call comes from and what it asks for: the path as the client sent it (the router's
/// nest strips `/api/data/v1` from `parts.uri`).
fn meta(parts: &Parts, state: &AppState) -> CallMeta {
    let uri = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or(&parts.uri, |o| &o.0);
    CallMeta {
        method: parts.method.to_string(),
        path: uri
            .path_and_query()
            .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned()),
        address: caller_address(parts, state)
            .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)),
        certificate: forwarded_certificate(parts, state),
    }
}

/// The certificate the deployment's TLS terminator says the caller presented (its
/// thumbprint): only from a trusted proxy, and only where the deployment names the header.
fn forwarded_certificate(parts: &Parts, state: &AppState) -> Option<String> {
    let header = state.config.sharing.client_certificate_header.trim();
    if header.is_empty() || !from_trusted_proxy(parts, state) {
        return None;
    }
    let value = parts.headers.get(header)?.to_str().ok()?;
    crate::sharing::keys::forwarded_certificate(value)
}

/// A call of a registered client system with a valid token.
pub(crate) struct Client(DataCall);

impl FromRequestParts<AppState> for Client {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts);
        let call = state
            .sharing
            .authenticate(token.as_deref(), meta(parts, state))
            .await?;
        Ok(Client(call))
    }
}

/// The request's own description, taken before the body is read.
pub(crate) struct Meta(CallMeta);

impl FromRequestParts<AppState> for Meta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, std::convert::Infallible> {
        Ok(Meta(meta(parts, state)))
    }
}

/// The `client_id:client_secret` of HTTP Basic, if sent.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let pair = String::from_utf8(decoded).ok()?;
    let (id, secret) = pair.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// An access token for a registered client system (OAuth2 client credentials). The client
/// authenticates with HTTP Basic, with `client_id` and `client_secret` in the form, with a
/// `client_assertion` (`private_key_jwt`), or with `client_id` alone over mutual TLS
/// (`tls_client_auth`, its token then bound to its certificate), from one of its registered
/// networks. Without
/// `scope` the token carries every scope granted but the sensitive ones, which must be asked
/// for by name.
#[utoipa::path(post, path = "/token", tag = "data",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The token", body = AccessToken),
        (status = 400, description = "`invalid_body`, `unsupported_grant_type`, `invalid_scope`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_client`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`source_not_allowed`, `client_suspended`, `agreement_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`, with Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
async fn token(
    State(state): State<AppState>,
    Meta(meta): Meta,
    headers: HeaderMap,
    form: Result<axum::Form<TokenRequest>, FormRejection>,
) -> Result<Response, ApiError> {
    let axum::Form(form) = form.map_err(|r| {
        let reason = r.body_text();
        ApiError::with_detail(
            ErrorCode::InvalidBody,
            format!("Formulir token tidak sesuai: {reason}"),
            format!("The token form does not fit: {reason}"),
        )
    })?;
    // The log keeps the path alone: a client that put its secret in the query string would
    // otherwise have it kept for good.
    let path = meta.path.split('?').next().unwrap_or_default().to_owned();
    let meta = CallMeta { path, ..meta };
    let answer = state.sharing.token(form, basic(&headers), meta).await?;
    Ok((
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        axum::Json(answer),
    )
        .into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
struct UnitQuery {
    /// A unit code the client was granted, or one below it; its employees and those of every
    /// unit below it.
    unit: String,
    /// The `next` of the previous page (a NIP).
    #[param(pattern = r"^[0-9]{18}$")]
    after: Option<String>,
    /// Employees per page, 1 to 100 (20 by default).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u64>,
}

/// The active employees of a unit and every unit below it, by NIP, with the fields the
/// token's scopes open.
#[utoipa::path(get, path = "/employees", tag = "data", security(("client" = [])),
    params(UnitQuery),
    responses(
        (status = 200, description = "A page of employees", body = SharedEmployeePage),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_token`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`source_not_allowed`, `scope_insufficient` (a unit not granted), `client_suspended`, `agreement_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`unit_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`, with Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
async fn unit_employees(
    State(state): State<AppState>,
    Client(call): Client,
    Query(q): Query<UnitQuery>,
) -> Result<axum::Json<SharedEmployeePage>, ApiError> {
    let page = Page::<NipCursor>::parse(q.after.as_deref(), q.limit).map_err(|_| {
        ApiError::with_detail(
            ErrorCode::InvalidQuery,
            "`after` harus NIP dari `next`, `limit` 1 sampai 100.",
            "`after` must be the NIP of a `next`, `limit` 1 to 100.",
        )
    })?;
    Ok(axum::Json(
        state.sharing.unit_employees(&call, &q.unit, page).await?,
    ))
}

/// One employee by NIP, if they are in a unit granted to the client.
#[utoipa::path(get, path = "/employees/{nip}", tag = "data", security(("client" = [])),
    params(("nip" = String, Path, description = "The employee's NIP")),
    responses(
        (status = 200, description = "The employee", body = SharedEmployee),
        (status = 400, description = "`invalid_nip`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_token`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`source_not_allowed`, `client_suspended`, `agreement_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`employee_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`, with Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
async fn employee(
    State(state): State<AppState>,
    Client(call): Client,
    Path(nip): Path<String>,
) -> Result<axum::Json<SharedEmployee>, ApiError> {
    Ok(axum::Json(state.sharing.employee(&call, &nip).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
struct ChangesQuery {
    /// The `cursor` of the previous answer; `latest` for the cursor of now; none for every
    /// change from the first.
    #[param(pattern = r"^([0-9]{1,19}\.[0-9]{1,19}|latest)$")]
    since: Option<String>,
    /// Changes read per page, 1 to 1000 (200 by default).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u64>,
}

/// The employees of the client's units changed since a cursor, each as they are now. Keep
/// `cursor` and send it as `since` next time; ask again at once while `more` is true. To start,
/// take the cursor of `since=latest`, then read the units, then follow the changes.
#[utoipa::path(get, path = "/changes", tag = "data", security(("client" = [])),
    params(ChangesQuery),
    responses(
        (status = 200, description = "The changed employees and the cursor", body = SharedChanges),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_token`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`source_not_allowed`, `client_suspended`, `agreement_expired`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`, with Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
async fn changes(
    State(state): State<AppState>,
    Client(call): Client,
    Query(q): Query<ChangesQuery>,
) -> Result<axum::Json<SharedChanges>, ApiError> {
    let limit = q.limit.unwrap_or(200);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::with_detail(
            ErrorCode::InvalidQuery,
            "`limit` 1 sampai 1000.",
            "`limit` must be 1 to 1000.",
        ));
    }
    Ok(axum::Json(
        state
            .sharing
            .changes(&call, q.since.as_deref(), limit)
            .await?,
    ))
}

/// The public statistics on offer (Pergub Jatim 73/2020 Pasal 23-24): no personal data, free,
/// no credential needed.
#[utoipa::path(get, path = "/statistics", tag = "data",
    responses(
        (status = 200, description = "The tables", body = StatIndex),
        (status = 503, description = "`unavailable`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn statistics(State(state): State<AppState>) -> Result<Response, ApiError> {
    let snapshot = state.sharing.statistics().current().await?;
    Ok(public(axum::Json(snapshot.index()).into_response()))
}

#[derive(Debug, Deserialize, IntoParams)]
struct FormatQuery {
    /// `json` (the default) or `csv` (`*` for a suppressed count).
    #[param(inline)]
    format: Option<Format>,
}

#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
enum Format {
    Json,
    Csv,
}

/// Active employees by perangkat daerah and one dimension, with the totals. Counts under the
/// threshold are suppressed (`null`, or `*` in CSV), and so are enough others that none can
/// be worked out from the totals.
#[utoipa::path(get, path = "/statistics/{dimension}", tag = "data",
    params(("dimension" = Dimension, Path, description = "What the table is cut by"), FormatQuery),
    responses(
        (status = 200, description = "The table (JSON, or CSV with `?format=csv`)",
            content((StatTable = "application/json"), (String = "text/csv"))),
        (status = 400, description = "`invalid_path`, `invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`unavailable`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn statistics_table(
    State(state): State<AppState>,
    Path(dimension): Path<Dimension>,
    Query(q): Query<FormatQuery>,
) -> Result<Response, ApiError> {
    let snapshot = state.sharing.statistics().current().await?;
    let table = snapshot
        .table(dimension)
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    let response = match q.format.unwrap_or(Format::Json) {
        Format::Json => axum::Json(table).into_response(),
        Format::Csv => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"statistik-{}.csv\"",
                        dimension.as_str()
                    ),
                ),
            ],
            crate::sharing::statistics::csv(table),
        )
            .into_response(),
    };
    Ok(public(response))
}

/// Public, and the same for everyone until the next snapshot.
fn public(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("public, max-age=300"),
    );
    response
}
