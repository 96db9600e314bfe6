//! Who is calling: the session token from `Authorization: Bearer` (the app) or the
//! `abdi_session` cookie (a browser), and where the request came from.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

use super::audit::Origin;
use super::session::Current;
use crate::error::ApiError;
use crate::state::AppState;

/// The session cookie's name over HTTPS: `__Host-` binds it to this host and path `/`, so a
/// sibling subdomain cannot plant one.
pub const COOKIE: &str = "__Host-abdi_session";
/// Its name in development over plain HTTP (`identity.cookie_secure = false`).
pub const COOKIE_INSECURE: &str = "abdi_session";

/// A request with a valid session.
pub struct Authenticated(pub Current);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let name = if state.config.identity.cookie_secure {
            COOKIE
        } else {
            COOKIE_INSECURE
        };
        let token = bearer(parts)
            .or_else(|| cookie(parts, name))
            .ok_or_else(|| ApiError::from(super::IdentityError::Unauthenticated))?;
        let current = state.identity.sessions.validate(&token).await?;
        Ok(Authenticated(current))
    }
}

fn bearer(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// The session cookie, if exactly one is sent (two means someone planted one: use neither).
fn cookie(parts: &Parts, name: &str) -> Option<String> {
    let mut found = parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .filter(|(n, _)| *n == name)
        .map(|(_, value)| value.to_owned());
    let first = found.next()?;
    (found.next().is_none() && !first.is_empty()).then_some(first)
}

impl<S: Send + Sync> FromRequestParts<S> for Origin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Origin {
            ip: parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string()),
            user_agent: parts
                .headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        })
    }
}
