//! Extractors whose rejections are API errors (problem+json with a stable code), never
//! axum's plain-text defaults.

use abdi_proto::ErrorCode;
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;

use crate::error::ApiError;
use crate::store::page::{Cursor, MAX_LIMIT, Page, PageError};

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub(crate) struct Path<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub(crate) struct Query<T>(pub T);

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub(crate) struct Json<T>(pub T);

/// The page a list is asked for (`after`, `limit`; [`crate::store::page`]), checked the same
/// way for every list: a cursor the list did not make, or a limit outside 1 to 100, is
/// `invalid_query`.
pub(crate) struct Paged<C>(pub Page<C>);

#[derive(serde::Deserialize)]
struct PageParams {
    after: Option<String>,
    limit: Option<u64>,
}

impl<S: Send + Sync, C: Cursor> FromRequestParts<S> for Paged<C> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let axum::extract::Query(p) = axum::extract::Query::<PageParams>::try_from_uri(&parts.uri)?;
        match Page::parse(p.after.as_deref(), p.limit) {
            Ok(page) => Ok(Paged(page)),
            Err(PageError::After) => Err(ApiError::with_detail(
                ErrorCode::InvalidQuery,
                "Parameter 'after' tidak dikenal; gunakan nilai 'next' dari halaman sebelumnya.",
                "Unknown 'after'; use the 'next' of the previous page.",
            )),
            Err(PageError::Limit) => Err(ApiError::with_detail(
                ErrorCode::InvalidQuery,
                format!("Parameter 'limit' harus 1 sampai {MAX_LIMIT}."),
                format!("'limit' must be 1 to {MAX_LIMIT}."),
            )),
        }
    }
}

/// A page of requests or work items (for the OpenAPI document; read by [`Paged`]).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct RequestPageQuery {
    /// The `next` of the previous page (a cursor the server made).
    #[param(
        pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{6}Z_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    )]
    after: Option<String>,
    /// Items per page, 1 to 100 (20 by default).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u64>,
}

/// A page of a list paged by id, newest first: notifications, record reads (for the
/// OpenAPI document; read by [`Paged`]).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct IdPageQuery {
    /// The `next` of the previous page: the oldest id on it.
    #[param(pattern = r"^[1-9][0-9]{0,17}$")]
    after: Option<String>,
    /// Items per page, 1 to 100 (20 by default).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u64>,
}
