//! The web: pages served by the server itself for the employee's self-service, the desk
//! (fasilitators, deciders, signing officials) and administrators.
//!
//! - Pages are rendered on the server with maud (checked at compile time, escaped by default)
//!   and work as plain HTML forms; the one script (`/assets/abdi.js`) adds what a browser
//!   cannot do without it: WebAuthn ceremonies, the step-up before a sensitive form is sent,
//!   and live updates from the event stream.
//! - Every page calls the same capability services the API calls, with the same [`Actor`]:
//!   access is decided there, never here.
//! - A browser's session is the `__Host-abdi_session` cookie only. Every form that writes is
//!   checked for the session's CSRF token and for an `Origin` that is Abdi's own.
//!
//! [`Actor`]: crate::access::Actor

mod account;
mod admin;
mod attendance;
mod contact;
mod data_clients;
mod desk;
mod form;
pub(crate) mod layout;
mod mine;
mod organisation;
mod promotion;
mod sharing;
mod updates;
mod verify;

use abdi_proto::{ErrorCode, Lang};
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::Markup;
use utoipa_axum::router::OpenApiRouter;

use crate::error::ApiError;
use crate::http::auth::{self, Caller};
use crate::state::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    account::routes()
        .merge(mine::routes())
        .merge(desk::routes())
        .merge(admin::routes())
        .merge(verify::routes())
        .merge(organisation::routes())
        .merge(updates::routes())
        .merge(promotion::routes())
        .merge(attendance::routes())
        .merge(contact::routes())
        .merge(sharing::routes())
        .merge(data_clients::routes())
}

/// Names the web's operations `web_<handler>` in the OpenAPI document, so that none shares an
/// operation id with the API handler it mirrors (`logout`, `request_activation`, ...).
pub(crate) fn name_operations(openapi: &mut utoipa::openapi::OpenApi) {
    for item in openapi.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            let web = op
                .tags
                .as_ref()
                .is_some_and(|t| t.iter().any(|t| t == "web"));
            if web && let Some(id) = &op.operation_id {
                op.operation_id = Some(format!("web_{id}"));
            }
        }
    }
}

/// The cookie that remembers the language the visitor chose (`id` or `en`).
const LANG_COOKIE: &str = "abdi_lang";

/// Who is looking at a page, in which language, and what they may send back.
pub(crate) struct Visitor {
    pub lang: Lang,
    pub caller: Option<Caller>,
    /// The session's CSRF token, put in every form and in the page for its script.
    pub csrf: Option<String>,
    /// This page's path and query, for "back here after login".
    pub here: String,
    /// Whether the request's `Origin` is Abdi's own (checked on every form that writes).
    same_origin: bool,
}

impl Visitor {
    /// The text in the visitor's language.
    pub(crate) fn t<'a>(&self, id: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Id => id,
            Lang::En => en,
        }
    }

    /// Refuses a form that did not come from one of Abdi's pages of this session.
    pub(crate) fn check_form(&self, csrf: &str) -> Result<(), WebError> {
        match &self.csrf {
            Some(expected) if self.same_origin && expected == csrf => Ok(()),
            _ => Err(ApiError::new(ErrorCode::CsrfRejected).into()),
        }
    }

    /// Refuses a form sent before login (activation) from a page that is not Abdi's.
    pub(crate) fn check_origin(&self) -> Result<(), WebError> {
        if self.same_origin {
            Ok(())
        } else {
            Err(ApiError::new(ErrorCode::CsrfRejected).into())
        }
    }

    pub(crate) fn caller(&self) -> Result<&Caller, WebError> {
        self.caller
            .as_ref()
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated).into())
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // Bahasa Indonesia unless the visitor chose English with the switch.
        let lang = match auth::cookie(&parts.headers, LANG_COOKIE).as_deref() {
            Some("en") => Lang::En,
            _ => Lang::Id,
        };
        // A session that ended is no session: the page offers login instead of failing.
        let caller =
            <Caller as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state)
                .await
                .ok()
                .flatten();
        let csrf = caller
            .as_ref()
            .and_then(|_| auth::session_cookie(&parts.headers))
            .map(|token| crate::identity::token::csrf(&token));
        let origin = parts
            .headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok());
        Ok(Visitor {
            lang,
            caller,
            csrf,
            here: parts
                .uri
                .path_and_query()
                .map_or("/".into(), |p| p.as_str().to_owned()),
            same_origin: auth::same_origin(state, origin),
        })
    }
}

/// A visitor with a session; without one the page sends them to login, and back after.
pub(crate) struct Signed(pub Visitor);

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Ok(v) = Visitor::from_request_parts(parts, state).await;
        if v.caller.is_none() {
            return Err(to_login(&v.here));
        }
        Ok(Signed(v))
    }
}

fn to_login(here: &str) -> Response {
    let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
    Redirect::to(&format!("/login?next={next}")).into_response()
}

/// A page that could not be served: shown as a page in both languages, with the stable code;
/// a session that is missing sends the visitor to login.
#[derive(Debug)]
pub(crate) struct WebError(pub ApiError);

impl<E: Into<ApiError>> From<E> for WebError {
    fn from(e: E) -> Self {
        WebError(e.into())
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let e = self.0;
        if e.code == ErrorCode::Unauthenticated {
            return to_login("/");
        }
        let status = StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::BAD_REQUEST);
        let mut response = (status, layout::error_page(&e)).into_response();
        if let Some(secs) = e.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

pub(crate) type PageResult = Result<Response, WebError>;

/// A page as the answer.
pub(crate) fn page(markup: Markup) -> PageResult {
    Ok(markup.into_response())
}

/// After a form: see the result at `to` (303, so a reload does not send it again).
pub(crate) fn see(to: &str) -> PageResult {
    Ok(Redirect::to(to).into_response())
}

/// A multipart upload that broke off or does not parse.
pub(crate) fn unreadable(e: axum::extract::multipart::MultipartError) -> WebError {
    ApiError::with_detail(
        ErrorCode::InvalidBody,
        format!("Unggahan tidak terbaca: {}", e.body_text()),
        format!("The upload could not be read: {}", e.body_text()),
    )
    .into()
}

/// A date a form sent as `YYYY-MM-DD` (none when left empty).
pub(crate) fn date(field: &str, s: Option<&str>) -> Result<Option<chrono::NaiveDate>, ApiError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                ApiError::with_detail(
                    ErrorCode::InvalidBody,
                    format!("Tanggal '{field}' harus berbentuk TTTT-BB-HH."),
                    format!("The date '{field}' must be YYYY-MM-DD."),
                )
            }),
    }
}

/// What any page may answer, for the OpenAPI document: the page, a redirect (to login, or
/// after a form), a page explaining a refusal, or a problem for a request that did not parse.
pub(crate) struct PageResponses;

impl utoipa::IntoResponses for PageResponses {
    fn responses() -> std::collections::BTreeMap<
        String,
        utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
    > {
        use utoipa::openapi::content::ContentBuilder;
        use utoipa::openapi::response::ResponseBuilder;
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let html = || {
            ContentBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .build()
        };
        let problem = || {
            ContentBuilder::new()
                .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
                .build()
        };
        let mut out = std::collections::BTreeMap::new();
        out.insert(
            "200".into(),
            ResponseBuilder::new()
                .description("The page (HTML)")
                .content("text/html; charset=utf-8", html())
                .build()
                .into(),
        );
        out.insert(
            "303".into(),
            ResponseBuilder::new()
                .description("To the login page (no session), or to the result of a form")
                .build()
                .into(),
        );
        for (code, what) in [
            (
                "400",
                "A form or link that does not fit (`invalid_body`, `invalid_query`, `invalid_path`, `activation_invalid`)",
            ),
            (
                "403",
                "`forbidden`, `step_up_required`, `csrf_rejected` (a form not sent from this session's page)",
            ),
            (
                "404",
                "Not found (`request_not_found`, `document_not_found`, `service_not_found`, ...)",
            ),
            ("409", "`version_conflict` and other conflicts, explained"),
            ("413", "`payload_too_large`"),
            ("415", "`unsupported_media_type`"),
            ("422", "The form again, with each error beside its field"),
            ("429", "`rate_limited`"),
            ("503", "`unavailable`, with Retry-After"),
        ] {
            out.insert(
                code.into(),
                ResponseBuilder::new()
                    .description(what)
                    .content("text/html; charset=utf-8", html())
                    .content("application/problem+json", problem())
                    .build()
                    .into(),
            );
        }
        out
    }
}
