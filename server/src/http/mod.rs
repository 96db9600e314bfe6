//! The HTTP surface: routes, the OpenAPI document and the middleware stack.

pub(crate) mod auth;
mod docs;
pub(crate) mod extract;
pub(crate) mod health;
mod problems;
mod requests_log;
mod routes;
pub(crate) mod web;

use std::sync::Arc;

use abdi_proto::{ErrorCode, Lang, Problem};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::error::{self, ApiError};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Abdi API",
        description = "Layanan kepegawaian untuk ASN / Civil-service workflows for Indonesian civil \
servants. Every error is `application/problem+json` (RFC 9457) with a stable `code`; \
`title` and `detail` follow `Accept-Language` (`id` by default, or `en`).",
        license(name = "Apache-2.0")
    ),
    tags(
        (name = "health", description = "Liveness and readiness probes"),
        (name = "reference", description = "Reference data: rank ladder, holiday calendar"),
        (name = "identity", description = "Activation, sessions, passkeys and the employee's own profile"),
        (name = "employees", description = "Employee records, for those entitled to see them"),
        (name = "admin", description = "Administrators: accounts, the audit log and the service catalogue"),
        (name = "services", description = "The service catalogue: forms, documents, approval chains, quotes"),
        (name = "documents", description = "Signed decision letters, and verification of signed PDFs for anyone"),
        (name = "notifications", description = "The inbox, the live event stream, push devices and channel preferences"),
        (name = "record-updates", description = "Self-service data update: proposals to change one's record with evidence, their verification, the archive of verified documents, completeness and its monitoring"),
        (name = "promotion", description = "Promotion (kenaikan pangkat): the policy, the employee's outlook, the candidate list, proposals to BKN, their exchange log"),
        (name = "requests", description = "Service requests: submission, verification, decisions, work lists, attachments"),
        (name = "data", description = "The data API for registered government systems (OAuth2 client credentials from registered networks, fields by scope, every call logged), and the public statistics"),
        (name = "attendance", description = "Attendance (presensi): the phone's enrolment, nonces and signed check-ins judged against the office fences, the employee's own check-ins"),
        (name = "web", description = "The web's pages (HTML, for a browser with the session cookie): self-service, the desk, administration, public verification"),
    ),
    components(schemas(Problem, ErrorCode, Lang)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

/// The session token, sent as `Authorization: Bearer <token>` (or the `abdi_session` cookie).
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The session token from activation or login"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "client",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A registered system's access token from `POST /api/data/v1/token`",
                    ))
                    .build(),
            ),
        );
    }
}

/// The routes and their OpenAPI description, built together so none can be missing from it.
pub(crate) fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (routes, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::routes())
        .merge(web::routes())
        .nest(
            "/api/v1",
            routes::reference::routes()
                .merge(routes::identity::routes())
                .merge(routes::agency::routes())
                .merge(routes::organisation::routes())
                .merge(routes::record::routes())
                .merge(routes::updates::routes())
                .merge(routes::promotion::routes())
                .merge(routes::services::routes())
                .merge(routes::documents::routes())
                .merge(routes::notifications::routes())
                .merge(routes::sharing::routes())
                .merge(routes::attendance::routes()),
        )
        .nest("/api/data/v1", routes::data::routes())
        .split_for_parts();
    let mut openapi = problems::complete(openapi);
    web::name_operations(&mut openapi);
    (routes, openapi)
}

/// A file as the raw body (at least one byte), for the OpenAPI document.
pub(crate) struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .min_length(Some(1))
            .description(Some("A file as the raw body (at least one byte)"))
            .into()
    }
}

impl utoipa::ToSchema for Binary {}

/// The OpenAPI document as served at `/openapi.json`.
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    api().1
}

pub(crate) fn router(state: AppState) -> Router {
    let (routes, openapi) = api();
    let spec = Arc::new(openapi);
    let timeout = state.config.request_timeout();
    let body_limit = state.config.server.body_limit_bytes;
    let lines = requests_log::RequestsLog {
        slow: std::time::Duration::from_millis(state.config.log.slow_request_ms),
        ids: requests_log::RequestIds::default(),
    };

    routes
        .route(
            "/openapi.json",
            get(move || {
                let spec = spec.clone();
                async move { axum::Json(spec.as_ref().clone()) }
            }),
        )
        .merge(docs::routes())
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(auth::CookieWritesLayer {
            state: state.clone(),
        })
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(lines)
                .layer(error::ProblemsLayer)
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::GATEWAY_TIMEOUT,
                    timeout,
                ))
                .layer(CatchPanicLayer::custom(|_| {
                    tracing::error!("a handler panicked");
                    ApiError::new(ErrorCode::Internal).into_response()
                }))
                .layer(DefaultBodyLimit::max(body_limit)),
        )
}
