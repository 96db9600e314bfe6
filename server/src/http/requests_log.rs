//! A served request's id and the line it leaves, in one layer (the outermost: every answer has
//! the id, the ones the timeout and the panic guard make too).
//!
//! The id is the caller's `X-Request-Id`, or a new one, and the answer carries it back. At the
//! default level (info) a request leaves a line only when it failed (5xx, at error) or was slow
//! (at info): a JSON line and a write for every call cost more than a trivial request itself.
//! At debug every request has its line, and the request's span carries its id onto every line
//! logged while it is served.

use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, Uri};
use axum::response::Response;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The layer: `slow` is `log.slow_request_ms`.
#[derive(Clone)]
pub(crate) struct RequestsLog {
    pub slow: Duration,
    pub ids: RequestIds,
}

impl<S> tower::Layer<S> for RequestsLog {
    type Service = Logged<S>;

    fn layer(&self, inner: S) -> Logged<S> {
        Logged {
            inner,
            slow: self.slow,
            ids: self.ids.clone(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct Logged<S> {
    inner: S,
    slow: Duration,
    ids: RequestIds,
}

/// Request ids: a random 64-bit prefix per process and a counter, in UUID form. Unique across
/// instances (the prefix) and restarts, without asking the kernel for randomness per request.
#[derive(Clone)]
pub(crate) struct RequestIds {
    prefix: u64,
    next: Arc<AtomicU64>,
}

impl Default for RequestIds {
    fn default() -> Self {
        RequestIds {
            prefix: uuid::Uuid::new_v4().as_u64_pair().0,
            next: Arc::default(),
        }
    }
}

impl RequestIds {
    fn next(&self) -> HeaderValue {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let mut text = uuid::Uuid::encode_buffer();
        let id = uuid::Uuid::from_u64_pair(self.prefix, n)
            .hyphenated()
            .encode_lower(&mut text);
        // Hex digits and hyphens: always a valid header value.
        HeaderValue::from_str(id).unwrap_or(HeaderValue::from_static("-"))
    }
}

/// What a request's line says, kept from the request (cheap clones, no formatting) until its
/// answer is known.
struct Seen {
    method: Method,
    uri: Uri,
    id: HeaderValue,
    started: Instant,
}

impl Seen {
    fn log(&self, status: u16, slow: Duration) {
        let latency = self.started.elapsed();
        let latency_ms = latency.as_millis() as u64;
        let request_id = self.id.to_str().unwrap_or("");
        let (method, path) = (self.method.as_str(), self.uri.path());
        if status >= 500 {
            tracing::error!(
                request_id,
                method,
                path,
                status,
                latency_ms,
                "request failed"
            );
        } else if latency >= slow {
            tracing::info!(request_id, method, path, status, latency_ms, "slow request");
        } else {
            tracing::debug!(request_id, method, path, status, latency_ms, "request");
        }
    }
}

impl<S> tower::Service<Request> for Logged<S>
where
    S: tower::Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = LoggedFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let id = match request.headers().get(REQUEST_ID) {
            Some(id) => id.clone(),
            None => {
                let id = self.ids.next();
                request.headers_mut().insert(REQUEST_ID, id.clone());
                id
            }
        };
        let seen = Seen {
            method: request.method().clone(),
            uri: request.uri().clone(),
            id,
            started: Instant::now(),
        };
        // The span costs a few microseconds to make and format: only where lines inside the
        // request are kept anyway.
        let span = if tracing::enabled!(tracing::Level::DEBUG) {
            tracing::debug_span!(
                "request",
                request_id = seen.id.to_str().unwrap_or(""),
                method = %seen.method,
                path = %seen.uri.path(),
            )
        } else {
            tracing::Span::none()
        };
        let inner = {
            let _entered = span.enter();
            self.inner.call(request)
        };
        LoggedFuture {
            inner,
            span,
            seen: Some(seen),
            slow: self.slow,
        }
    }
}

pin_project_lite::pin_project! {
    pub(crate) struct LoggedFuture<F> {
        #[pin]
        inner: F,
        span: tracing::Span,
        seen: Option<Seen>,
        slow: Duration,
    }
}

impl<F, E> std::future::Future for LoggedFuture<F>
where
    F: std::future::Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _entered = this.span.enter();
        let mut response = std::task::ready!(this.inner.poll(cx))?;
        if let Some(seen) = this.seen.take() {
            seen.log(response.status().as_u16(), *this.slow);
            response.headers_mut().entry(REQUEST_ID).or_insert(seen.id);
        }
        Poll::Ready(Ok(response))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::body::Body;
    use axum::http::StatusCode;
    use tower::{Layer, Service, ServiceExt};

    use super::*;

    /// What the subscriber wrote.
    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap_or_else(|p| p.into_inner()).extend(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    async fn serve(status: StatusCode, delay: Duration, slow: Duration) {
        let inner = tower::service_fn(move |_req: Request| async move {
            tokio::time::sleep(delay).await;
            Ok::<_, std::convert::Infallible>(
                Response::builder()
                    .status(status)
                    .body(Body::empty())
                    .unwrap_or_default(),
            )
        });
        let mut service = RequestsLog {
            slow,
            ids: RequestIds::default(),
        }
        .layer(inner);
        let request = Request::builder()
            .uri("/api/v1/me")
            .header("x-request-id", "req-42")
            .body(Body::empty())
            .unwrap_or_default();
        let ready = service.ready().await.map(|_| ());
        assert!(ready.is_ok());
        let answered = service.call(request).await.map(|r| r.status());
        assert_eq!(answered.ok(), Some(status));
    }

    /// At info (the default) a fast success leaves nothing; a failure leaves an error line and
    /// a slow request an info line, each with its request id, method, path and status.
    #[tokio::test(flavor = "current_thread")]
    async fn at_info_only_failed_and_slow_requests_leave_a_line() {
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_env_filter("info")
            .with_writer(move || writer.clone())
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        serve(StatusCode::OK, Duration::ZERO, Duration::from_secs(60)).await;
        serve(
            StatusCode::UNPROCESSABLE_ENTITY,
            Duration::ZERO,
            Duration::from_secs(60),
        )
        .await;
        assert!(lines.0.lock().map(|l| l.is_empty()).unwrap_or(false));
        serve(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::ZERO,
            Duration::from_secs(60),
        )
        .await;
        serve(
            StatusCode::OK,
            Duration::from_millis(5),
            Duration::from_millis(1),
        )
        .await;
        let text = String::from_utf8(lines.0.lock().map(|l| l.clone()).unwrap_or_default())
            .unwrap_or_default();
        let logged: Vec<serde_json::Value> = text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        assert_eq!(logged.len(), 2, "{text}");
        assert_eq!(logged[0]["level"], "ERROR");
        assert_eq!(logged[0]["fields"]["message"], "request failed");
        assert_eq!(logged[0]["fields"]["status"], 503);
        assert_eq!(logged[0]["fields"]["request_id"], "req-42");
        assert_eq!(logged[0]["fields"]["path"], "/api/v1/me");
        assert_eq!(logged[1]["level"], "INFO");
        assert_eq!(logged[1]["fields"]["message"], "slow request");
        assert_eq!(logged[1]["fields"]["method"], "GET");
    }
}
