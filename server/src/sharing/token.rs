//! The token endpoint (OAuth2 client credentials: a client secret, or `private_key_jwt` per
//! RFC 7523) and the check every data call passes. Access tokens are opaque, kept in the shared
//! store only as their hash, with the client and the credential generation they were made
//! under: a rotation or a revocation bumps the generation, so the next call with an older
//! token is refused. Every call reads the client's row, so a suspension or an agreement's end
//! takes effect on the next call too.

use std::net::IpAddr;
use std::time::Duration;

use abdi_proto::sharing::{AccessToken, ClientStatus, DataScope, TokenRequest};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entity::AuthMethod;
use super::entity::data_client;
use super::keys::PublicKey;
use super::{ClientFailure, Sharing, SharingError, clients};
use crate::identity::token::{hash, new_token};

/// The assertion type RFC 7523 names.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The longest life a client assertion may claim.
const ASSERTION_MAX_SECS: i64 = 600;
/// The window of the rate limits: a client's calls, an address's failed token requests.
const RATE_WINDOW: Duration = Duration::from_secs(60);
/// Failed token requests one address may make per window.
const TOKEN_FAILURES_PER_WINDOW: u64 = 30;

/// What a stored access token stands for.
#[derive(Serialize, Deserialize)]
struct Grant {
    c: Uuid,
    g: i32,
    s: Vec<DataScope>,
    /// The thumbprint of the certificate the token is bound to (RFC 8705), for mutual TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    x: Option<String>,
}

/// Where a call came from and what it asked for, as the access log records it.
#[derive(Debug, Clone)]
pub struct CallMeta {
    pub method: String,
    pub path: String,
    pub address: IpAddr,
    /// The SHA-256 (hex) of the certificate the deployment's TLS terminator says the caller
    /// presented, if it is configured to and did.
    pub certificate: Option<String>,
}

/// A call that passed: the client as it is now and the token's scopes.
pub struct DataCall {
    pub client: data_client::Model,
    pub scopes: Vec<DataScope>,
    pub meta: CallMeta,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    aud: Audience,
    exp: i64,
    #[serde(default)]
    nbf: Option<i64>,
    jti: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Sharing {
    /// `POST /api/data/v1/token`. `basic` is the HTTP Basic pair, if sent.
    pub async fn token(
        &self,
        form: TokenRequest,
        basic: Option<(String, String)>,
        meta: CallMeta,
    ) -> Result<AccessToken, SharingError> {
        if form.grant_type != "client_credentials" {
            return Err(SharingError::UnsupportedGrantType);
        }
        // An address that keeps failing to authenticate is held off for the window (an IPv6
        // address by its /64, which one subscriber holds whole).
        let failures = format!(
            "rate:data-token-failed:{}",
            crate::identity::ratelimit::subscriber(meta.address)
        );
        let (failed, left) = self.store.hits(&failures).await?;
        if failed >= TOKEN_FAILURES_PER_WINDOW {
            return Err(SharingError::RateLimited(left.max(Duration::from_secs(1))));
        }
        let outcome = self.authenticated(form, basic, &meta).await;
        if matches!(
            outcome,
            Err(SharingError::InvalidClient(_) | SharingError::SourceNotAllowed(_))
        ) {
            self.store.hit(&failures, RATE_WINDOW).await?;
        }
        let (client, scopes) = outcome?;
        self.issue(client, scopes, &meta).await
    }

    /// The client the request proves to be, admitted, and the scopes its token will carry.
    async fn authenticated(
        &self,
        form: TokenRequest,
        basic: Option<(String, String)>,
        meta: &CallMeta,
    ) -> Result<(data_client::Model, Vec<DataScope>), SharingError> {
        let (client_id, secret) = match (basic, &form.client_id, &form.client_secret) {
            (Some((id, secret)), _, _) => (id, Some(secret)),
            (None, Some(id), secret) => (id.clone(), secret.clone()),
            (None, None, _) => match &form.client_assertion {
                Some(jwt) => (unverified_issuer(jwt)?, None),
                None => return Err(SharingError::InvalidClient(ClientFailure::Missing)),
            },
        };
        // Abdi's client ids are short and printable; anything else names no client (and a NUL
        // would not even reach the database).
        if client_id.len() > 64 || client_id.chars().any(char::is_control) {
            return Err(SharingError::InvalidClient(ClientFailure::Unknown));
        }
        let client = data_client::Entity::find()
            .filter(data_client::Column::ClientId.eq(client_id.clone()))
            .one(&self.db)
            .await?
            .ok_or(SharingError::InvalidClient(ClientFailure::Unknown))?;
        if let Err(e) = self.prove(&client, secret, &form, meta).await {
            self.refused(Some(&client), meta, &e).await;
            return Err(e);
        }
        let granted: Vec<DataScope> = clients::list(&client.scopes);
        let scopes = match form.scope.as_deref().map(str::trim) {
            None | Some("") => granted.iter().copied().filter(|s| !s.sensitive()).collect(),
            Some(asked) => {
                let mut wanted = Vec::new();
                for name in asked.split_ascii_whitespace() {
                    let scope = DataScope::parse(name)
                        .filter(|s| granted.contains(s))
                        .ok_or_else(|| {
                            SharingError::InvalidScope(name.chars().take(64).collect())
                        })?;
                    wanted.push(scope);
                }
                wanted.sort();
                wanted.dedup();
                wanted
            }
        };
        Ok((client, scopes))
    }

    /// The request comes from the client's networks (from elsewhere nobody may even try its
    /// secret), proves the client's credential, and is admitted.
    async fn prove(
        &self,
        client: &data_client::Model,
        secret: Option<String>,
        form: &TokenRequest,
        meta: &CallMeta,
    ) -> Result<(), SharingError> {
        if !inside(client, meta.address) {
            return Err(SharingError::SourceNotAllowed(meta.address.to_string()));
        }
        match (client.auth_method, secret, &form.client_assertion) {
            (AuthMethod::ClientSecret, Some(secret), None) => {
                let matches = client
                    .secret_hash
                    .as_deref()
                    .is_some_and(|h| constant_eq(h, &hash(&secret)));
                if !matches {
                    return Err(SharingError::InvalidClient(ClientFailure::Secret));
                }
            }
            (AuthMethod::PrivateKeyJwt, None, Some(jwt)) => {
                if form.client_assertion_type.as_deref() != Some(JWT_BEARER) {
                    return Err(SharingError::InvalidClient(ClientFailure::Assertion));
                }
                self.check_assertion(client, jwt).await?;
            }
            (AuthMethod::TlsClientAuth, None, None) => {
                if !bound(client.certificate_sha256.as_deref(), meta) {
                    return Err(SharingError::InvalidClient(ClientFailure::Certificate));
                }
            }
            _ => return Err(SharingError::InvalidClient(ClientFailure::Method)),
        }
        self.admit(client, meta).await
    }

    /// A token for `client` with `scopes`, kept in the shared store; the grant is logged.
    async fn issue(
        &self,
        client: data_client::Model,
        scopes: Vec<DataScope>,
        meta: &CallMeta,
    ) -> Result<AccessToken, SharingError> {
        let token = new_token();
        let ttl = Duration::from_secs(self.config.token_ttl_secs.max(1));
        let grant = Grant {
            c: client.id,
            g: client.credential_generation,
            s: scopes.clone(),
            x: client
                .certificate_sha256
                .clone()
                .filter(|_| client.auth_method == AuthMethod::TlsClientAuth),
        };
        let value = serde_json::to_vec(&grant).unwrap_or_default();
        self.store
            .put(&format!("data-token:{}", hash(&token)), &value, ttl)
            .await?;
        self.logged(&client, meta, 200, &[], &[]).await?;
        Ok(AccessToken {
            access_token: token,
            token_type: "Bearer".into(),
            expires_in: ttl.as_secs(),
            scope: scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        })
    }

    /// The check every data call passes; a refusal of a known client is logged.
    pub async fn authenticate(
        &self,
        token: Option<&str>,
        meta: CallMeta,
    ) -> Result<DataCall, SharingError> {
        let token = token.ok_or(SharingError::InvalidToken)?;
        let grant: Grant = self
            .store
            .get(&format!("data-token:{}", hash(token)))
            .await?
            .and_then(|v| serde_json::from_slice(&v).ok())
            .ok_or(SharingError::InvalidToken)?;
        let client = data_client::Entity::find_by_id(grant.c)
            .one(&self.db)
            .await?
            .ok_or(SharingError::InvalidToken)?;
        // A token bound to a certificate is used with that certificate only (RFC 8705 §3).
        let unbound = grant.x.is_some() && !bound(grant.x.as_deref(), &meta);
        let outcome = if client.credential_generation != grant.g || unbound {
            Err(SharingError::InvalidToken)
        } else {
            self.admit(&client, &meta).await
        };
        if let Err(e) = outcome {
            self.refused(Some(&client), &meta, &e).await;
            return Err(e);
        }
        Ok(DataCall {
            client,
            scopes: grant.s,
            meta,
        })
    }

    /// The client's rate limit (every call counts, refused or not), its state, its agreement
    /// and its networks.
    async fn admit(
        &self,
        client: &data_client::Model,
        meta: &CallMeta,
    ) -> Result<(), SharingError> {
        let (count, left) = self
            .store
            .hit(&format!("rate:data:{}", client.id), RATE_WINDOW)
            .await?;
        if count > u64::try_from(client.rate_per_minute).unwrap_or(0) {
            return Err(SharingError::RateLimited(left));
        }
        match clients::status(client, self.clock.today()) {
            ClientStatus::Active => {}
            ClientStatus::Expired => {
                return Err(SharingError::AgreementExpired(client.agreement_expires_on));
            }
            ClientStatus::Suspended | ClientStatus::Revoked => return Err(SharingError::Suspended),
        }
        if !inside(client, meta.address) {
            return Err(SharingError::SourceNotAllowed(meta.address.to_string()));
        }
        Ok(())
    }

    async fn check_assertion(
        &self,
        client: &data_client::Model,
        jwt: &str,
    ) -> Result<(), SharingError> {
        let bad = || SharingError::InvalidClient(ClientFailure::Assertion);
        let key = client
            .public_key_pem
            .as_deref()
            .and_then(|pem| PublicKey::parse(pem).ok())
            .ok_or_else(bad)?;
        let mut parts = jwt.split('.');
        let (Some(h), Some(c), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let header: Header = decode(h).ok_or_else(bad)?;
        let claims: Claims = decode(c).ok_or_else(bad)?;
        let signature = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
        if !key.verify(&header.alg, format!("{h}.{c}").as_bytes(), &signature) {
            return Err(bad());
        }
        let now = self.now().timestamp();
        let audience_fits = match &claims.aud {
            Audience::One(a) => *a == self.token_url,
            Audience::Many(all) => all.contains(&self.token_url),
        };
        if claims.iss != client.client_id
            || claims.sub != client.client_id
            || !audience_fits
            || claims.exp <= now
            || claims.exp > now + ASSERTION_MAX_SECS
            || claims.nbf.is_some_and(|nbf| nbf > now + 60)
            || claims.jti.is_empty()
            || claims.jti.len() > 256
        {
            return Err(bad());
        }
        // Each assertion once: its jti is kept until it expires.
        let ttl = Duration::from_secs(u64::try_from(claims.exp - now).unwrap_or(1) + 60);
        let fresh = self
            .store
            .put_if_absent(
                &format!("data-jti:{}:{}", client.id, hash(&claims.jti)),
                b"1",
                ttl,
            )
            .await?;
        if !fresh {
            return Err(bad());
        }
        Ok(())
    }

    /// Logs a refused call of a known client; a failure to log is logged, not raised (the
    /// call is refused anyway). Calls past the rate limit are not logged one by one: a flood
    /// would otherwise be a write per call.
    pub(crate) async fn refused(
        &self,
        client: Option<&data_client::Model>,
        meta: &CallMeta,
        e: &SharingError,
    ) {
        if let Some(client) = client
            && !matches!(e, SharingError::RateLimited(_))
            && let Err(err) = self.logged(client, meta, e.status(), &[], &[]).await
        {
            tracing::error!(error = %err, "data access log write failed");
        }
    }
}

/// Whether the caller presented the certificate `pinned` (a thumbprint).
fn bound(pinned: Option<&str>, meta: &CallMeta) -> bool {
    match (pinned, meta.certificate.as_deref()) {
        (Some(pinned), Some(presented)) => constant_eq(pinned, presented),
        _ => false,
    }
}

/// Whether `address` is in one of the client's networks.
fn inside(client: &data_client::Model, address: IpAddr) -> bool {
    clients::list::<String>(&client.networks)
        .iter()
        .filter_map(|n| clients::parse_network(n).ok())
        .any(|n| n.contains(&address))
}

/// The `iss` of a client assertion, before it is verified: which client's key to verify with.
fn unverified_issuer(jwt: &str) -> Result<String, SharingError> {
    jwt.split('.')
        .nth(1)
        .and_then(decode::<Claims>)
        .map(|c| c.iss)
        .ok_or(SharingError::InvalidClient(ClientFailure::Assertion))
}

fn decode<T: serde::de::DeserializeOwned>(part: &str) -> Option<T> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Equality that takes as long whatever the inputs (both are hex digests of one length).
fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_compare_equal_only_when_equal() {
        assert!(constant_eq("abcd", "abcd"));
        assert!(!constant_eq("abcd", "abce"));
        assert!(!constant_eq("abcd", "abc"));
    }
}
