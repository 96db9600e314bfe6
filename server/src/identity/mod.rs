//! Identity: activation, sessions, the employee's own profile, rate limits and the audit log
//! of authentication events. Passkeys, SSO and access control build on these.

pub(crate) mod activation;
pub mod audit;
pub(crate) mod contact;
pub(crate) mod passkeys;
pub(crate) mod ratelimit;
pub mod session;
pub(crate) mod sso;
pub(crate) mod token;

use abdi_proto::ErrorCode;

use crate::error::ApiError;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("no valid session")]
    Unauthenticated,
    #[error("invalid NIP: {0}")]
    InvalidNip(String),
    #[error("invalid email: {0}")]
    InvalidEmail(String),
    #[error("email domain not allowed: {0}")]
    EmailDomainNotAllowed(String),
    #[error("invalid phone: {0}")]
    InvalidPhone(String),
    #[error("activation token invalid, expired or used")]
    ActivationInvalid,
    #[error("session not found")]
    SessionNotFound,
    #[error("passkey ceremony unknown or expired")]
    CeremonyInvalid,
    #[error("passkey rejected: {0}")]
    PasskeyRejected(String),
    #[error("a recent passkey confirmation is required")]
    StepUpRequired,
    #[error("the last way in cannot be removed")]
    LastCredential,
    #[error("passkey not found")]
    PasskeyNotFound,
    #[error("a passkey name must be 1 to 100 characters")]
    PasskeyName,
    #[error("unknown SSO provider {0}")]
    SsoProviderNotFound(String),
    #[error("SSO login rejected: {0}")]
    SsoRejected(String),
    #[error("SSO identity not linked to an employee: {0}")]
    SsoUnknownIdentity(String),
    #[error("SSO provider unreachable: {0}")]
    SsoUnavailable(String),
    #[error("account disabled")]
    AccountDisabled,
    #[error("someone else holds the destination post")]
    PositionOccupied,
    #[error("rate limited; retry after {0:?}")]
    RateLimited(Duration),
    #[error("the email is another employee's")]
    EmailInUse,
    #[error("verification link or code invalid, expired or used")]
    VerificationInvalid,
    #[error("the message could not be handed over: {0}")]
    Delivery(String),
    #[error(transparent)]
    Store(#[from] crate::store::shared::SharedStoreError),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
}

/// Everything identity needs, built once at start-up.
#[derive(Debug, Clone)]
pub struct Identity {
    pub sessions: session::SessionService,
    pub passkeys: passkeys::PasskeyService,
    pub sso: sso::SsoService,
    pub activation: activation::ActivationService,
    pub contact: contact::ContactService,
    pub directory: crate::masterdata::EmployeeDirectory,
    /// The profile kept next to each session, for `/api/v1/me`.
    pub profiles: crate::masterdata::profiles::ProfileCache,
    pub audit_log: audit::AuditLog,
    pub clock: crate::clock::SharedClock,
}

impl Identity {
    pub fn new(
        config: &crate::config::Config,
        db: sea_orm::DatabaseConnection,
        store: crate::store::shared::SharedStore,
        mailer: crate::email::Mailer,
        clock: crate::clock::SharedClock,
    ) -> Result<Identity, passkeys::WebauthnConfigError> {
        let id = &config.identity;
        let directory = crate::masterdata::EmployeeDirectory::new(db.clone());
        let sessions = session::SessionService::new(
            store.clone(),
            directory.clone(),
            clock.clone(),
            Duration::from_secs(id.session_idle_secs),
            Duration::from_secs(id.session_absolute_secs),
        );
        let audit_log = audit::AuditLog::new(db.clone());
        let profiles = crate::masterdata::profiles::ProfileCache::new(store.clone());
        let config_arc = std::sync::Arc::new(id.clone());
        let limiter =
            ratelimit::RateLimiter::new(store.clone(), Duration::from_secs(id.rate_window_secs));
        let passkeys = passkeys::PasskeyService::new(
            config_arc.clone(),
            db.clone(),
            store.clone(),
            sessions.clone(),
            directory.clone(),
            limiter.clone(),
            audit_log.clone(),
            clock.clone(),
        )?;
        let sso = sso::SsoService::new(
            &config.sso,
            db.clone(),
            directory.clone(),
            sessions.clone(),
            limiter.clone(),
            audit_log.clone(),
            clock.clone(),
            config_arc.clone(),
        );
        let contact = contact::ContactService {
            config: config_arc.clone(),
            store: store.clone(),
            directory: directory.clone(),
            profiles: profiles.clone(),
            limiter: limiter.clone(),
            audit: audit_log.clone(),
            mailer: mailer.clone(),
            sms: crate::sms::from_config(id),
            clock: clock.clone(),
        };
        let activation = activation::ActivationService {
            config: config_arc,
            store,
            directory: directory.clone(),
            sessions: sessions.clone(),
            limiter,
            audit: audit_log.clone(),
            mailer,
            clock: clock.clone(),
        };
        Ok(Identity {
            sessions,
            passkeys,
            sso,
            activation,
            contact,
            directory,
            profiles,
            audit_log,
            clock,
        })
    }

    /// The profile of the employee a session token belongs to (`/api/v1/me`): the session, its
    /// revocation and the kept profile in one read of the shared store; the database only when
    /// no profile is kept under the current tokens.
    pub async fn me(&self, token: &str) -> Result<abdi_proto::identity::Profile, IdentityError> {
        use crate::masterdata::profiles::{Kept, ProfileCache};
        let (current, read) = self
            .sessions
            .validate_with(token, &ProfileCache::LINKED, &ProfileCache::PLAIN)
            .await?;
        let tokens = match self.profiles.look(&read) {
            Kept::Fresh(profile) => return Ok(*profile),
            Kept::Missing(tokens) => tokens,
        };
        let id = current.session.employee_id;
        let profile = self
            .directory
            .profile(id)
            .await?
            .ok_or(IdentityError::Unauthenticated)?;
        self.profiles.keep(id, tokens, &profile).await;
        Ok(profile)
    }

    /// Moves an employee to `destination` (unit, post) between two revocations of all their
    /// sessions: nothing opened before or during the move survives it, and if the second
    /// revocation fails the request fails and can be repeated. A struktural post someone else
    /// holds is taken only when `replaces_holder`: the holder leaves it in the same transaction
    /// and their sessions end too. Returns the sessions ended and who was replaced.
    pub async fn transfer(
        &self,
        employee_id: uuid::Uuid,
        destination: (uuid::Uuid, Option<uuid::Uuid>),
        replaces_holder: bool,
        decree: (&str, chrono::NaiveDate),
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(usize, Vec<uuid::Uuid>), IdentityError> {
        let holders = self.directory.holders(destination.1, employee_id).await?;
        if !holders.is_empty() && !replaces_holder {
            return Err(IdentityError::PositionOccupied);
        }
        self.sessions.revoke_all(employee_id).await?;
        self.directory
            .transfer(employee_id, destination, &holders, decree, at)
            .await?;
        let ended = self.sessions.revoke_all(employee_id).await?;
        for holder in &holders {
            self.sessions.revoke_all(*holder).await?;
        }
        Ok((ended, holders))
    }

    /// Disables the account: its sessions end before and after the change, and the second
    /// time it is marked so that no session lives again, not even one from a login that was
    /// in flight. Returns the sessions ended.
    pub async fn disable(
        &self,
        employee_id: uuid::Uuid,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<usize, IdentityError> {
        self.sessions.revoke_all(employee_id).await?;
        self.directory.disable(employee_id, at).await?;
        self.sessions.disable(employee_id).await
    }

    /// Records a successful event of the employee's own doing.
    pub async fn audit(
        &self,
        origin: &audit::Origin,
        event: &str,
        employee_id: Option<uuid::Uuid>,
        detail: Option<String>,
    ) {
        self.audit_log
            .record(
                self.clock.now(),
                origin,
                audit::Event {
                    event,
                    outcome: "success",
                    employee_id,
                    subject: None,
                    detail,
                },
            )
            .await;
    }
}

impl From<IdentityError> for ApiError {
    fn from(e: IdentityError) -> Self {
        match e {
            IdentityError::Unauthenticated => ApiError::new(ErrorCode::Unauthenticated),
            IdentityError::InvalidNip(why) => ApiError::with_detail(
                ErrorCode::InvalidNip,
                format!("NIP tidak valid: {why}"),
                format!("Invalid NIP: {why}"),
            ),
            IdentityError::InvalidEmail(email) => ApiError::with_detail(
                ErrorCode::InvalidEmail,
                format!("'{email}' bukan alamat email yang valid."),
                format!("'{email}' is not a valid email address."),
            ),
            IdentityError::EmailDomainNotAllowed(email) => ApiError::with_detail(
                ErrorCode::EmailDomainNotAllowed,
                format!("{email} bukan email dinas; gunakan email instansi (go.id)."),
                format!("{email} is not an official email; use your agency's (go.id) address."),
            ),
            IdentityError::InvalidPhone(phone) => ApiError::with_detail(
                ErrorCode::InvalidPhone,
                format!("'{phone}' bukan nomor ponsel Indonesia (08... atau +628...)."),
                format!("'{phone}' is not an Indonesian mobile number (08... or +628...)."),
            ),
            IdentityError::ActivationInvalid => ApiError::new(ErrorCode::ActivationInvalid),
            IdentityError::EmailInUse => ApiError::new(ErrorCode::EmailInUse),
            IdentityError::VerificationInvalid => ApiError::new(ErrorCode::VerificationInvalid),
            IdentityError::Delivery(why) => {
                tracing::warn!(reason = %why, "verification not sent");
                ApiError {
                    retry_after: Some(30),
                    ..ApiError::new(ErrorCode::Unavailable)
                }
            }
            IdentityError::CeremonyInvalid => ApiError::new(ErrorCode::CeremonyInvalid),
            IdentityError::PasskeyRejected(why) => {
                tracing::info!(reason = %why, "passkey rejected");
                ApiError::new(ErrorCode::PasskeyRejected)
            }
            IdentityError::StepUpRequired => ApiError::new(ErrorCode::StepUpRequired),
            IdentityError::AccountDisabled => ApiError::new(ErrorCode::AccountDisabled),
            IdentityError::PositionOccupied => ApiError::new(ErrorCode::PositionOccupied),
            IdentityError::SsoProviderNotFound(_) => ApiError::new(ErrorCode::SsoProviderNotFound),
            IdentityError::SsoRejected(why) => {
                tracing::info!(reason = %why, "sso login rejected");
                ApiError::new(ErrorCode::SsoRejected)
            }
            IdentityError::SsoUnknownIdentity(_) => ApiError::new(ErrorCode::SsoUnknownIdentity),
            IdentityError::SsoUnavailable(why) => {
                tracing::warn!(reason = %why, "sso provider unavailable");
                ApiError::new(ErrorCode::SsoUnavailable)
            }
            IdentityError::LastCredential => ApiError::new(ErrorCode::LastCredential),
            IdentityError::PasskeyNotFound => ApiError::new(ErrorCode::PasskeyNotFound),
            IdentityError::PasskeyName => ApiError::with_detail(
                ErrorCode::InvalidBody,
                "Nama passkey harus 1 sampai 100 karakter.",
                "A passkey name must be 1 to 100 characters.",
            ),
            IdentityError::SessionNotFound => ApiError::new(ErrorCode::SessionNotFound),
            IdentityError::RateLimited(wait) => {
                let secs = wait.as_secs().max(1);
                ApiError {
                    retry_after: Some(secs),
                    ..ApiError::with_detail(
                        ErrorCode::RateLimited,
                        format!("Coba lagi dalam {secs} detik."),
                        format!("Try again in {secs} seconds."),
                    )
                }
            }
            IdentityError::Store(e) => e.into(),
            IdentityError::Database(e) => crate::store::db::problem(&e),
        }
    }
}
