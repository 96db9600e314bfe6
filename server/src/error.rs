//! The only place that knows HTTP errors: capability errors become an [`ApiError`] (a stable
//! code plus an optional detail in both languages), and [`ProblemsLayer`] turns every error
//! response, ours or the framework's, into RFC 9457 `application/problem+json` in the language
//! the client asked for.

use abdi_proto::services::Violation;
use abdi_proto::{ErrorCode, Lang, Problem, ProblemItem, Text};
use axum::body::Body;
use axum::extract::Request;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error on its way to the client.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    pub detail: Option<Text>,
    /// Seconds the client should wait before trying again (`Retry-After`).
    pub retry_after: Option<u64>,
    /// Each problem with the input (form fields, service rules).
    pub items: Vec<Violation>,
}

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        Self {
            code,
            detail: None,
            retry_after: None,
            items: Vec::new(),
        }
    }

    pub fn with_detail(code: ErrorCode, id: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            code,
            detail: Some(Text::new(id, en)),
            retry_after: None,
            items: Vec::new(),
        }
    }

    /// An error with a list of problems (form fields, service rules).
    pub fn with_items(code: ErrorCode, items: Vec<Violation>) -> Self {
        Self {
            items,
            ..Self::new(code)
        }
    }

    /// An unexpected failure: logged in full here, sent as a bare `internal`.
    pub fn internal(error: &dyn std::error::Error) -> Self {
        tracing::error!(error = %error, "internal error");
        Self::new(ErrorCode::Internal)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = status.into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.code == ErrorCode::Unauthenticated {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response.extensions_mut().insert(self);
        response
    }
}

/// How long a client is asked to wait when a store cannot be reached: the pool and the session
/// client reconnect on their own within about that.
pub const UNAVAILABLE_RETRY_SECS: u64 = 2;

impl ApiError {
    /// A store (database, session store) that cannot be reached: 503 `unavailable` with
    /// Retry-After; `what_id`/`what_en` name it ("Basis data", "The database").
    pub fn unavailable(what_id: &str, what_en: &str) -> Self {
        let secs = UNAVAILABLE_RETRY_SECS;
        ApiError {
            retry_after: Some(secs),
            ..ApiError::with_detail(
                ErrorCode::Unavailable,
                format!("{what_id} sedang tidak dapat dihubungi; coba lagi dalam {secs} detik."),
                format!("{what_en} cannot be reached right now; try again in {secs} seconds."),
            )
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        let reason = r.body_text();
        ApiError::with_detail(
            ErrorCode::InvalidPath,
            format!("Parameter alamat tidak sesuai: {reason}"),
            format!("Path parameter does not fit: {reason}"),
        )
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        let reason = r.body_text();
        ApiError::with_detail(
            ErrorCode::InvalidQuery,
            format!("Parameter kueri tidak sesuai: {reason}"),
            format!("Query parameter does not fit: {reason}"),
        )
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let code = match r {
            JsonRejection::MissingJsonContentType(_) => ErrorCode::UnsupportedMediaType,
            JsonRejection::BytesRejection(_) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ErrorCode::PayloadTooLarge
            }
            _ => ErrorCode::InvalidBody,
        };
        let reason = r.body_text();
        ApiError::with_detail(
            code,
            format!("Isi permintaan ditolak: {reason}"),
            format!("Request body refused: {reason}"),
        )
    }
}

/// Layer: every error response leaves as problem+json in the negotiated language, with the
/// request id; successes and responses that already carry a JSON body pass untouched. A tower
/// service of its own (no boxed future per request: it is on every route).
#[derive(Clone, Copy)]
pub struct ProblemsLayer;

impl<S> tower::Layer<S> for ProblemsLayer {
    type Service = Problems<S>;

    fn layer(&self, inner: S) -> Problems<S> {
        Problems { inner }
    }
}

#[derive(Clone)]
pub struct Problems<S> {
    inner: S,
}

impl<S, B> tower::Service<Request> for Problems<S>
where
    S: tower::Service<Request, Response = axum::http::Response<B>>,
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ProblemsFuture<S::Future>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // Kept as they came (cheap clones); the language is worked out only for a problem.
        let accept_language = request.headers().get(header::ACCEPT_LANGUAGE).cloned();
        let request_id = request.headers().get("x-request-id").cloned();
        ProblemsFuture {
            inner: self.inner.call(request),
            accept_language,
            request_id,
        }
    }
}

pin_project_lite::pin_project! {
    pub struct ProblemsFuture<F> {
        #[pin]
        inner: F,
        accept_language: Option<HeaderValue>,
        request_id: Option<HeaderValue>,
    }
}

impl<F, B, E> std::future::Future for ProblemsFuture<F>
where
    F: std::future::Future<Output = Result<axum::http::Response<B>, E>>,
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Output = Result<Response, E>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.project();
        let response = std::task::ready!(this.inner.poll(cx))?.map(Body::new);
        let (accept_language, request_id) = (this.accept_language.take(), this.request_id.take());
        std::task::Poll::Ready(Ok(render(response, accept_language, request_id)))
    }
}

/// An error response as problem+json (see [`ProblemsLayer`]).
fn render(
    response: Response,
    accept_language: Option<HeaderValue>,
    request_id: Option<HeaderValue>,
) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let lang = Lang::negotiate(accept_language.as_ref().and_then(|v| v.to_str().ok()));
    let request_id = request_id.and_then(|v| v.to_str().ok().map(str::to_owned));
    let (mut parts, body) = response.into_parts();
    let error = match parts.extensions.remove::<ApiError>() {
        Some(e) => e,
        // A handler that chose its own JSON body for an error status (readiness) keeps it.
        None if is_json(&parts.headers) => return Response::from_parts(parts, body),
        // A web page explaining a refusal is already what a browser should show.
        None if is_html(&parts.headers) => return Response::from_parts(parts, body),
        None => ApiError::new(code_for_status(status)),
    };
    let problem = Problem {
        type_uri: Problem::type_uri_for(error.code),
        title: error.code.title(lang).to_owned(),
        status: status.as_u16(),
        detail: error.detail.as_ref().map(|t| t.get(lang).to_owned()),
        code: error.code,
        lang,
        request_id,
        errors: error
            .items
            .iter()
            .map(|v| ProblemItem {
                code: v.code.clone(),
                field: v.field.clone(),
                message: v.message.get(lang).to_owned(),
                seen: v.seen.clone(),
            })
            .collect(),
    };
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    parts.headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.tag()),
    );
    parts
        .headers
        .append(header::VARY, HeaderValue::from_static("accept-language"));
    Response::from_parts(parts, Body::from(body))
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON) || v.starts_with("application/json"))
}

fn is_html(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

fn code_for_status(status: StatusCode) -> ErrorCode {
    match status {
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::REQUEST_TIMEOUT | StatusCode::GATEWAY_TIMEOUT => ErrorCode::Timeout,
        StatusCode::SERVICE_UNAVAILABLE => ErrorCode::Unavailable,
        s if s.is_client_error() => ErrorCode::InvalidBody,
        _ => ErrorCode::Internal,
    }
}

/// Handler for unknown addresses.
pub async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound)
}

/// Handler for a known address with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(ErrorCode::MethodNotAllowed)
}
