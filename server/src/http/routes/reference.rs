//! `/api/v1/reference/...`: read-only reference data for the app (cached on the device).

use abdi_proto::Problem;
use abdi_proto::reference::{CalendarYear, CalendarYears, Rank, RankList};
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::ApiError;
use crate::http::extract::Path;
use crate::state::AppState;
use axum::Json;

/// Reference data changes a few times a year: let the app and proxies keep it for an hour.
const CACHE: (header::HeaderName, &str) = (header::CACHE_CONTROL, "public, max-age=3600");

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ranks))
        .routes(routes!(calendar_years))
        .routes(routes!(calendar))
}

/// The rank ladder (golongan/ruang with pangkat), lowest first.
#[utoipa::path(
    get,
    path = "/reference/ranks",
    tag = "reference",
    responses(
        (status = 200, description = "The 17 ranks from I/a to IV/e", body = RankList),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn ranks(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let ranks = state.reference.ranks().await?;
    Ok((
        [CACHE],
        Json(RankList {
            ranks: ranks.into_iter().map(Rank::from).collect(),
        }),
    ))
}

/// The years that have a holiday calendar.
#[utoipa::path(
    get,
    path = "/reference/holidays",
    tag = "reference",
    responses(
        (status = 200, description = "Years with a calendar, ascending", body = CalendarYears),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn calendar_years(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let years = state.reference.calendar_years().await?;
    Ok(([CACHE], Json(CalendarYears { years })))
}

/// A year's national holidays and cuti bersama, with their legal basis and the year's count of
/// working days.
#[utoipa::path(
    get,
    path = "/reference/holidays/{year}",
    tag = "reference",
    params(("year" = i32, Path, description = "Calendar year", example = 2026, minimum = 1900, maximum = 2200)),
    responses(
        (status = 200, description = "The year's calendar", body = CalendarYear),
        (status = 400, description = "`invalid_path`: the year is not a number", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`calendar_not_found`: no calendar for that year", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn calendar(
    State(state): State<AppState>,
    Path(year): Path<i32>,
) -> Result<impl IntoResponse, ApiError> {
    let calendar = state.reference.calendar(year).await?;
    Ok(([CACHE], Json(CalendarYear::from(&calendar))))
}
