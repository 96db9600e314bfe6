//! `/health/live` and `/health/ready` for load balancers and orchestrators.

use std::time::{Duration, Instant};

use abdi_proto::health::{Check, CheckStatus, Liveness, Readiness};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

/// A check that takes longer than this has failed: a probe must answer quickly.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(live))
        .routes(routes!(ready))
}

/// The process is up and serving HTTP.
#[utoipa::path(get, path = "/health/live", tag = "health",
    responses((status = 200, description = "Alive", body = Liveness)))]
async fn live() -> impl axum::response::IntoResponse {
    // The same answer every time: made once, not per probe.
    static BODY: std::sync::LazyLock<axum::body::Bytes> = std::sync::LazyLock::new(|| {
        serde_json::to_vec(&Liveness {
            status: "live".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        })
        .unwrap_or_default()
        .into()
    });
    (
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        BODY.clone(),
    )
}

/// The database and the session store both answer. On 503 the body names the one that failed.
#[utoipa::path(get, path = "/health/ready", tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = Readiness),
        (status = 503, description = "A dependency failed; see which", body = Readiness),
    ))]
async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let (database, session_store) = tokio::join!(
        check("database", async {
            state.db.ping().await.map_err(|e| e.to_string())
        }),
        check("session_store", async {
            state.sessions.ping().await.map_err(|e| e.to_string())
        }),
    );
    let ok = database.status == CheckStatus::Ok && session_store.status == CheckStatus::Ok;
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };

    (
        status,
        Json(Readiness {
            status: if ok { "ready" } else { "not_ready" }.into(),
            database,
            session_store,
        }),
    )
}

/// One dependency's check. The public answer says only whether it failed or did not answer
/// in time; what it said (addresses, user names, versions) goes to the log.
async fn check(name: &str, probe: impl Future<Output = Result<(), String>>) -> Check {
    let started = Instant::now();
    let outcome = tokio::time::timeout(CHECK_TIMEOUT, probe).await;
    let latency_ms = started.elapsed().as_millis() as u64;
    let failed = |public: &str| Check {
        status: CheckStatus::Failed,
        latency_ms,
        error: Some(public.to_owned()),
    };
    match outcome {
        Ok(Ok(())) => Check {
            status: CheckStatus::Ok,
            latency_ms,
            error: None,
        },
        Ok(Err(e)) => {
            tracing::warn!(check = name, error = %crate::store::db::one_line(&e), "not ready");
            failed("unavailable")
        }
        Err(_) => {
            tracing::warn!(
                check = name,
                timeout_secs = CHECK_TIMEOUT.as_secs(),
                "not ready: no answer"
            );
            failed("timeout")
        }
    }
}
