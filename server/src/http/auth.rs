//! Who is calling: the session token from `Authorization: Bearer` (the app) or the
//! `abdi_session` cookie (a browser), and where the request came from.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use crate::access::Actor;
use crate::error::ApiError;
use crate::identity::audit::Origin;
use crate::identity::session::Current;
use crate::state::AppState;

/// The session cookie: `__Host-` binds it to this host and path `/`, so a sibling subdomain
/// cannot plant one, and it travels only over HTTPS (browsers count `http://localhost` as
/// secure, so development works too).
pub(crate) const COOKIE: &str = "__Host-abdi_session";
/// The header a page's script sends its CSRF token in (forms send the field `csrf`).
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";

/// The caller: a request with a valid session. The one extractor every guarded route takes
/// (but `/api/v1/me`, which reads its session with [`SessionToken`]).
/// `current` is the session itself (for the identity routes: logout, step-up, devices);
/// `actor` is what the capabilities check access against.
pub(crate) struct Caller {
    pub current: Current,
    pub actor: Actor,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = token(parts)
            .ok_or_else(|| ApiError::from(crate::identity::IdentityError::Unauthenticated))?;
        let current = state.identity.sessions.validate(&token).await?;
        let stepped_up = state.identity.passkeys.stepped_up(&current.session);
        let actor = Actor::new(
            &state.access,
            current.session.employee_id,
            stepped_up,
            state.clock.today(),
        );
        Ok(Caller { current, actor })
    }
}

/// A caller where the route works without one too: `None` when no token is sent, 401 when
/// one is sent but is not valid.
impl axum::extract::OptionalFromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, ApiError> {
        if token(parts).is_none() {
            return Ok(None);
        }
        <Self as FromRequestParts<AppState>>::from_request_parts(parts, state)
            .await
            .map(Some)
    }
}

/// The session token a request carries, not yet checked; 401 when there is none. For the
/// one route that validates it together with more: `/api/v1/me`.
pub(crate) struct SessionToken(pub String);

impl FromRequestParts<AppState> for SessionToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        token(parts)
            .map(SessionToken)
            .ok_or_else(|| ApiError::from(crate::identity::IdentityError::Unauthenticated))
    }
}

/// The session token the request carries: `Authorization: Bearer`, else the session cookie.
fn token(parts: &Parts) -> Option<String> {
    bearer(parts).or_else(|| session_cookie(&parts.headers))
}

/// The session cookie alone (a browser's session), if exactly one is sent.
pub(crate) fn session_cookie(headers: &HeaderMap) -> Option<String> {
    cookie(headers, COOKIE)
}

/// Whether `origin` (an `Origin` header) is where Abdi's own pages are served from.
pub(crate) fn same_origin(state: &AppState, origin: Option<&str>) -> bool {
    let Some(origin) = origin else { return false };
    let id = &state.config.identity;
    [id.public_url.as_str(), id.rp_origin.as_str()]
        .iter()
        .filter_map(|u| url::Url::parse(u).ok())
        .any(|u| u.origin().ascii_serialization() == origin)
}

/// Layer: a write to the API that a browser authenticates by its cookie (no `Authorization`
/// header) must come from Abdi's own pages: its `Origin` is Abdi's and it carries the session's
/// CSRF token in `X-CSRF-Token`. Apps send `Authorization` and are not concerned; nor are
/// reads. A tower service of its own: a request that passes costs a few comparisons.
#[derive(Clone)]
pub(crate) struct CookieWritesLayer {
    pub state: AppState,
}

impl<S> tower::Layer<S> for CookieWritesLayer {
    type Service = CookieWrites<S>;

    fn layer(&self, inner: S) -> CookieWrites<S> {
        CookieWrites {
            inner,
            state: self.state.clone(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct CookieWrites<S> {
    inner: S,
    state: AppState,
}

impl<S> tower::Service<axum::extract::Request> for CookieWrites<S>
where
    S: tower::Service<axum::extract::Request, Response = axum::response::Response>,
{
    type Response = axum::response::Response;
    type Error = S::Error;
    type Future = futures_util::future::Either<
        std::future::Ready<Result<axum::response::Response, S::Error>>,
        S::Future,
    >;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: axum::extract::Request) -> Self::Future {
        use axum::response::IntoResponse;
        use futures_util::future::Either;
        if forged_cookie_write(&self.state, &request) {
            let refused = ApiError::new(abdi_proto::ErrorCode::CsrfRejected).into_response();
            return Either::Left(std::future::ready(Ok(refused)));
        }
        Either::Right(self.inner.call(request))
    }
}

/// Whether `request` is a cookie-authenticated write to the API that did not come from Abdi's
/// pages with the session's CSRF token.
fn forged_cookie_write(state: &AppState, request: &axum::extract::Request) -> bool {
    let headers = request.headers();
    let unsafe_method = !matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    if unsafe_method
        && request.uri().path().starts_with("/api/")
        && !headers.contains_key(header::AUTHORIZATION)
        && let Some(token) = session_cookie(headers)
    {
        let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
        let csrf = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        return !same_origin(state, origin)
            || csrf != Some(crate::identity::token::csrf(&token).as_str());
    }
    false
}

/// The entries of `X-Forwarded-For`, in order (client first); `None` for one that is not an
/// address (a header that is not text counts as one such entry).
fn forwarded_for(parts: &Parts) -> Vec<Option<IpAddr>> {
    parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|v| match v.to_str() {
            Ok(v) => v.split(',').map(|a| a.trim().parse().ok()).collect(),
            Err(_) => vec![None],
        })
        .collect()
}

/// The client: the TCP peer, unless the peer is a trusted proxy; then the last forwarded
/// address that is not a trusted proxy (addresses before it could be forged by the client).
/// The walk stops at the first entry that is not an address: what comes before it is not
/// known to come from a proxy, so the last trusted hop is taken as the client.
/// IPv6 clients are counted by their /64, which one subscriber usually holds whole.
fn client_ip(peer: IpAddr, forwarded: Vec<Option<IpAddr>>, trusted: &[IpAddr]) -> IpAddr {
    crate::identity::ratelimit::subscriber(client_addr(peer, forwarded, trusted))
}

/// The client's own address, found as [`client_ip`] finds it but whole (an IPv6 address is not
/// cut to its /64): what a client system's allowlist is checked against.
fn client_addr(peer: IpAddr, forwarded: Vec<Option<IpAddr>>, trusted: &[IpAddr]) -> IpAddr {
    let mut client = peer;
    if trusted.contains(&peer) {
        for hop in forwarded.into_iter().rev() {
            let Some(hop) = hop else { break };
            client = hop;
            if !trusted.contains(&hop) {
                break;
            }
        }
    }
    match client {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(client, IpAddr::V4),
        v4 => v4,
    }
}

/// The calling system's address, whole; `None` when the connection's peer is not known.
pub(crate) fn caller_address(parts: &Parts, state: &AppState) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())?;
    Some(client_addr(
        peer,
        forwarded_for(parts),
        &state.config.server.trusted_proxies,
    ))
}

/// Whether the connection's peer is one of `server.trusted_proxies`, whose headers about the
/// caller (its address, its TLS certificate) are believed.
pub(crate) fn from_trusted_proxy(parts: &Parts, state: &AppState) -> bool {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|c| state.config.server.trusted_proxies.contains(&c.0.ip()))
}

/// The bearer token of a request, if any (`Authorization: Bearer`).
pub(crate) fn bearer(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// A cookie, if exactly one of that name is sent (two means someone planted one: use neither).
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    let mut found = headers
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

impl FromRequestParts<AppState> for Origin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let trusted = &state.config.server.trusted_proxies;
        Ok(Origin {
            ip: peer.map(|p| client_ip(p, forwarded_for(parts), trusted).to_string()),
            user_agent: parts
                .headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn hops(s: &[&str]) -> Vec<Option<IpAddr>> {
        s.iter().map(|a| a.parse().ok()).collect()
    }

    #[test]
    fn the_client_is_found_behind_trusted_proxies_only() {
        let lb = ip("10.0.0.5");
        let trusted = [lb];
        // Direct: the peer, whatever the header says.
        assert_eq!(
            client_ip(ip("203.0.113.9"), hops(&["1.2.3.4"]), &trusted),
            ip("203.0.113.9")
        );
        // Through the load balancer: the address it saw.
        assert_eq!(
            client_ip(lb, hops(&["1.2.3.4", "198.51.100.7"]), &trusted),
            ip("198.51.100.7")
        );
        // An entry that is not an address ends the walk: nothing left of it is believed, so a
        // client cannot pick its own address by sending junk a proxy passes along.
        let inner = ip("10.0.0.6");
        let both = [lb, inner];
        assert_eq!(
            client_ip(lb, hops(&["1.2.3.4", "junk", "10.0.0.6"]), &both),
            inner
        );
        assert_eq!(
            client_ip(lb, hops(&["1.2.3.4", "198.51.100.7:443"]), &trusted),
            lb
        );
        assert_eq!(
            client_ip(lb, hops(&["1.2.3.4", "198.51.100.7"]), &both),
            ip("198.51.100.7")
        );
        // No header from a trusted proxy: the proxy itself.
        assert_eq!(client_ip(lb, vec![], &trusted), lb);
        // IPv6 by /64.
        assert_eq!(
            client_ip(ip("2001:db8:1:2:aaaa::1"), vec![], &[]),
            ip("2001:db8:1:2::")
        );
        assert_eq!(
            client_ip(ip("::ffff:192.0.2.1"), vec![], &[]),
            ip("192.0.2.1")
        );
    }
}
