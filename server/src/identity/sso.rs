//! Single sign-on through OpenID Connect providers (BKN's Keycloak, or any certified one).
//!
//! The app runs Authorization Code + PKCE (S256) in the system browser and hands the code,
//! verifier, state and nonce here. The server redeems the code (as a public or confidential
//! client), verifies the ID token (issuer, audience, nonce, expiry, signature; after a signing
//! key it does not know, it fetches the provider's keys again once) and maps the configured
//! claim (the NIP) to an employee. An identity never links to an employee without that claim.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use openidconnect::core::{CoreClient, CoreIdToken};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, IssuerUrl, Nonce,
    PkceCodeVerifier, ProviderMetadataWithLogout, RedirectUrl, RequestTokenError, TokenResponse,
};
use tokio::sync::RwLock;

use super::IdentityError;
use super::audit::{AuditLog, Event, Origin};
use super::ratelimit::RateLimiter;
use super::session::{NewSession, Session, SessionService, SsoLink};
use crate::clock::SharedClock;
use crate::config::{IdentityConfig, SsoProviderConfig};
use crate::masterdata::EmployeeDirectory;

/// A client built from discovery: authorization endpoint known, token and user-info endpoints
/// as the provider published them.
type MetadataClient = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

struct Provider {
    config: SsoProviderConfig,
    metadata: RwLock<Option<ProviderMetadataWithLogout>>,
}

/// The subject each provider gave an employee at their first SSO login.
pub(crate) mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sso_subjects")]
    pub(crate) struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub issuer: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub employee_id: Uuid,
        pub subject: String,
        pub linked_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub(crate) enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A browser's SSO login in progress, kept by the browser until the provider sends it back:
/// the state to match, the nonce the ID token must carry, the PKCE verifier (URL-safe base64,
/// no `.` in any of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserLogin {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

#[derive(Clone)]
pub struct SsoService {
    providers: Arc<Vec<Provider>>,
    db: sea_orm::DatabaseConnection,
    http: openidconnect::reqwest::Client,
    directory: EmployeeDirectory,
    sessions: SessionService,
    limiter: RateLimiter,
    audit: AuditLog,
    clock: SharedClock,
    config: Arc<IdentityConfig>,
}

impl std::fmt::Debug for SsoService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SsoService({} providers)", self.providers.len())
    }
}

#[allow(clippy::too_many_arguments)]
impl SsoService {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        providers: &[SsoProviderConfig],
        db: sea_orm::DatabaseConnection,
        directory: EmployeeDirectory,
        sessions: SessionService,
        limiter: RateLimiter,
        audit: AuditLog,
        clock: SharedClock,
        config: Arc<IdentityConfig>,
    ) -> SsoService {
        // The token endpoint must not be followed through redirects (openidconnect's advice).
        let http = openidconnect::reqwest::Client::builder()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        SsoService {
            providers: Arc::new(
                providers
                    .iter()
                    .map(|c| Provider {
                        config: c.clone(),
                        metadata: RwLock::new(None),
                    })
                    .collect(),
            ),
            http,
            db,
            directory,
            sessions,
            limiter,
            audit,
            clock,
            config,
        }
    }

    pub fn providers(&self) -> impl Iterator<Item = &SsoProviderConfig> {
        self.providers.iter().map(|p| &p.config)
    }

    fn provider(&self, name: &str) -> Result<&Provider, IdentityError> {
        self.providers
            .iter()
            .find(|p| p.config.name == name)
            .ok_or_else(|| IdentityError::SsoProviderNotFound(name.to_owned()))
    }

    /// The provider's discovery document and keys, fetched once and again on `refresh`.
    async fn metadata(
        &self,
        provider: &Provider,
        refresh: bool,
    ) -> Result<ProviderMetadataWithLogout, IdentityError> {
        if !refresh && let Some(m) = provider.metadata.read().await.as_ref() {
            return Ok(m.clone());
        }
        let issuer = IssuerUrl::new(provider.config.issuer.clone())
            .map_err(|e| IdentityError::SsoUnavailable(format!("issuer: {e}")))?;
        let fresh = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| {
                IdentityError::SsoUnavailable(crate::store::db::one_line(&e.to_string()))
            })?;
        *provider.metadata.write().await = Some(fresh.clone());
        Ok(fresh)
    }

    /// Starts a browser's login with provider `name` (Authorization Code with PKCE S256, back
    /// to the provider's `redirect_uri`): where to send the browser, and what the browser must
    /// keep until it comes back. `login_hint` names the account when the visitor typed it.
    pub async fn start_browser_login(
        &self,
        name: &str,
        login_hint: Option<&str>,
    ) -> Result<(String, BrowserLogin), IdentityError> {
        use base64::Engine;
        use sha2::Digest;
        let provider = self.provider(name)?;
        let metadata = self.metadata(provider, false).await?;
        let new = crate::identity::token::new_token;
        let pending = BrowserLogin {
            state: new(),
            nonce: new(),
            verifier: new(),
        };
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(pending.verifier.as_bytes()));
        let mut url = metadata.authorization_endpoint().url().clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &provider.config.client_id)
                .append_pair("response_type", "code")
                .append_pair("scope", &provider.config.scopes.join(" "))
                .append_pair("redirect_uri", &provider.config.redirect_uri)
                .append_pair("code_challenge", &challenge)
                .append_pair("code_challenge_method", "S256")
                .append_pair("state", &pending.state)
                .append_pair("nonce", &pending.nonce);
            if let Some(hint) = login_hint.map(str::trim).filter(|h| !h.is_empty()) {
                q.append_pair("login_hint", hint);
            }
        }
        Ok((url.to_string(), pending))
    }

    pub async fn login(
        &self,
        name: &str,
        req: &abdi_proto::identity::SsoLogin,
        origin: &Origin,
    ) -> Result<(String, Session), IdentityError> {
        let provider = self.provider(name)?;
        self.limiter
            .check(&[(
                format!("login:ip:{}", origin.ip_key()),
                self.config.login_per_ip,
            )])
            .await?;
        let outcome = self.redeem(provider, req).await;
        let (nip, id_token) = match outcome {
            Ok(v) => v,
            Err(e) => {
                self.record(origin, "rejected", None, Some(name), e.to_string())
                    .await;
                return Err(e);
            }
        };
        let employee = match abdi_proto::Nip::parse_pppk(&nip) {
            Ok(n) => self.directory.by_nip(n.as_str()).await?,
            Err(_) => None,
        };
        self.limiter
            .check(&[(format!("login:nip:{nip}"), self.config.login_per_account)])
            .await?;
        let Some(employee) = employee.filter(|e| e.active) else {
            self.record(
                origin,
                "unknown_identity",
                None,
                Some(&nip),
                name.to_owned(),
            )
            .await;
            return Err(IdentityError::SsoUnknownIdentity(nip));
        };
        if let Err(e) = self.bind_subject(name, employee.id, &id_token).await {
            self.record(
                origin,
                "subject_mismatch",
                Some(employee.id),
                Some(&nip),
                name.to_owned(),
            )
            .await;
            return Err(e);
        }
        let (token, session) = self
            .sessions
            .create_sso(
                NewSession {
                    employee_id: employee.id,
                    device_name: &req.device.device_name,
                    platform: &req.device.platform,
                    method: "sso",
                    ip: origin.ip.clone(),
                },
                SsoLink {
                    provider: name.to_owned(),
                    id_token,
                },
            )
            .await?;
        self.record(
            origin,
            "success",
            Some(employee.id),
            None,
            format!("{name}; session {}", session.id),
        )
        .await;
        Ok((token, session))
    }

    /// Redeems the code and verifies the ID token; returns the NIP claim and the raw token.
    async fn redeem(
        &self,
        provider: &Provider,
        req: &abdi_proto::identity::SsoLogin,
    ) -> Result<(String, String), IdentityError> {
        let c = &provider.config;
        let redirect = RedirectUrl::new(c.redirect_uri.clone())
            .map_err(|e| IdentityError::SsoRejected(format!("redirect_uri: {e}")))?;
        let metadata = self.metadata(provider, false).await?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(c.client_id.clone()),
            c.client_secret
                .as_ref()
                .map(|s| ClientSecret::new(s.expose().to_owned())),
        )
        .set_redirect_uri(redirect.clone());
        let response = client
            .exchange_code(AuthorizationCode::new(req.code.clone()))
            .map_err(|e| IdentityError::SsoUnavailable(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(req.code_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => {
                    IdentityError::SsoRejected(format!("token endpoint: {}", r.error()))
                }
                RequestTokenError::Request(e) => IdentityError::SsoUnavailable(e.to_string()),
                other => IdentityError::SsoRejected(other.to_string()),
            })?;
        let id_token = response
            .id_token()
            .ok_or_else(|| IdentityError::SsoRejected("no ID token".into()))?
            .to_string();
        let nip = self.check_id_token(provider, &id_token, &req.nonce).await?;
        Ok((nip, id_token))
    }

    /// Remembers the subject the provider gave the employee at the first login through it;
    /// refuses a later login whose (verified) ID token names another subject for the same NIP,
    /// or a subject already linked to someone else.
    async fn bind_subject(
        &self,
        name: &str,
        employee_id: uuid::Uuid,
        id_token: &str,
    ) -> Result<(), IdentityError> {
        use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, SqlErr};
        let issuer = self.provider(name)?.config.issuer.clone();
        let subject = claim(id_token, "sub")
            .filter(|s| !s.is_empty() && s.len() <= 255)
            .ok_or_else(|| IdentityError::SsoRejected("no usable sub claim".into()))?;
        let linked = entity::Entity::insert(entity::ActiveModel {
            issuer: Set(issuer.clone()),
            employee_id: Set(employee_id),
            subject: Set(subject.clone()),
            linked_at: Set(self.clock.now()),
        })
        .exec_without_returning(&self.db)
        .await;
        // Already linked (this employee, or this subject): what was linked is read below.
        match linked {
            Err(e) if !matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                return Err(IdentityError::Database(e));
            }
            _ => {}
        }
        let rows = entity::Entity::find()
            .filter(entity::Column::Issuer.eq(issuer))
            .filter(
                sea_orm::Condition::any()
                    .add(entity::Column::EmployeeId.eq(employee_id))
                    .add(entity::Column::Subject.eq(subject.clone())),
            )
            .all(&self.db)
            .await?;
        if rows
            .iter()
            .all(|r| r.employee_id == employee_id && r.subject == subject)
            && !rows.is_empty()
        {
            Ok(())
        } else {
            Err(IdentityError::SsoRejected(
                "the provider's subject for this employee differs from the one first linked".into(),
            ))
        }
    }

    /// Verifies an ID token from the named provider (issuer, audience = our client id, nonce,
    /// expiry by our clock, signature) and returns its NIP claim.
    pub async fn verify_id_token(
        &self,
        name: &str,
        raw: &str,
        nonce: &str,
    ) -> Result<String, IdentityError> {
        self.check_id_token(self.provider(name)?, raw, nonce).await
    }

    async fn check_id_token(
        &self,
        provider: &Provider,
        raw: &str,
        nonce: &str,
    ) -> Result<String, IdentityError> {
        let c = &provider.config;
        let id_token: CoreIdToken = raw
            .parse()
            .map_err(|e| IdentityError::SsoRejected(format!("ID token: {e}")))?;
        let nonce = Nonce::new(nonce.to_owned());
        let client_for = |metadata| {
            CoreClient::from_provider_metadata(metadata, ClientId::new(c.client_id.clone()), None)
        };
        let metadata = self.metadata(provider, false).await?;
        match self.verify(&client_for(metadata), &id_token, &nonce) {
            Err(ClaimsVerificationError::SignatureVerification(_)) => {
                // A key we have not seen: the provider may have rotated. Fetch keys once more.
                let metadata = self.metadata(provider, true).await?;
                self.verify(&client_for(metadata), &id_token, &nonce)
                    .map_err(|e| IdentityError::SsoRejected(e.to_string()))?;
            }
            Err(e) => return Err(IdentityError::SsoRejected(e.to_string())),
            Ok(()) => {}
        }
        claim(raw, &c.nip_claim)
            .ok_or_else(|| IdentityError::SsoUnknownIdentity(format!("no '{}' claim", c.nip_claim)))
    }

    fn verify(
        &self,
        client: &MetadataClient,
        id_token: &CoreIdToken,
        nonce: &Nonce,
    ) -> Result<(), ClaimsVerificationError> {
        let clock = self.clock.clone();
        let verifier = client.id_token_verifier().set_time_fn(move || clock.now());
        id_token.claims(&verifier, nonce).map(|_| ())
    }

    /// Where to send the browser to end the provider's session too (RP-initiated logout).
    pub async fn end_session_url(&self, link: &SsoLink) -> Option<String> {
        let provider = self.provider(&link.provider).ok()?;
        let metadata = self.metadata(provider, false).await.ok()?;
        let endpoint = metadata
            .additional_metadata()
            .end_session_endpoint
            .as_ref()?;
        let mut url = endpoint.url().clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("id_token_hint", &link.id_token);
            q.append_pair("client_id", &provider.config.client_id);
            if let Some(after) = &provider.config.post_logout_redirect_uri {
                q.append_pair("post_logout_redirect_uri", after);
            }
        }
        Some(url.to_string())
    }

    async fn record(
        &self,
        origin: &Origin,
        outcome: &str,
        employee_id: Option<uuid::Uuid>,
        subject: Option<&str>,
        detail: String,
    ) {
        self.audit
            .record(
                self.clock.now(),
                origin,
                Event {
                    event: "login_sso",
                    outcome,
                    employee_id,
                    subject,
                    detail: Some(detail),
                },
            )
            .await;
    }
}

/// A string claim from a JWT's payload (the token's signature was verified before this).
fn claim(jwt: &str, name: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get(name)?.as_str().map(str::to_owned)
}
