//! Passkeys (webauthn-rs): several per employee, discoverable login, and step-up for sensitive
//! actions. Ceremony state lives in the session store, so any instance can finish a ceremony
//! another started.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, DiscoverableKey, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse, Url, Webauthn, WebauthnBuilder,
};

use super::IdentityError;
use super::audit::{AuditLog, Event, Origin};
use super::ratelimit::RateLimiter;
use super::session::{Current, NewSession, Session, SessionService};
use crate::clock::SharedClock;
use crate::config::IdentityConfig;
use crate::masterdata::EmployeeDirectory;
use crate::store::shared::SharedStore;

pub(crate) mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "passkeys")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub employee_id: Uuid,
        pub name: String,
        pub credential_id: String,
        pub credential: String,
        pub created_at: DateTimeUtc,
        pub last_used_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// How long a started ceremony may take.
const CEREMONY_TTL: Duration = Duration::from_secs(5 * 60);

#[derive(Serialize, Deserialize)]
enum Ceremony {
    Register {
        employee_id: Uuid,
        state: PasskeyRegistration,
    },
    Login {
        state: DiscoverableAuthentication,
    },
    StepUp {
        employee_id: Uuid,
        state: PasskeyAuthentication,
    },
}

#[derive(Clone)]
pub struct PasskeyService {
    webauthn: Arc<Webauthn>,
    db: DatabaseConnection,
    store: SharedStore,
    sessions: SessionService,
    directory: EmployeeDirectory,
    limiter: RateLimiter,
    audit: AuditLog,
    clock: SharedClock,
    config: Arc<IdentityConfig>,
}

impl std::fmt::Debug for PasskeyService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PasskeyService({})", self.config.rp_id)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("passkeys: {0}")]
pub struct WebauthnConfigError(String);

#[allow(clippy::too_many_arguments)]
impl PasskeyService {
    pub fn new(
        config: Arc<IdentityConfig>,
        db: DatabaseConnection,
        store: SharedStore,
        sessions: SessionService,
        directory: EmployeeDirectory,
        limiter: RateLimiter,
        audit: AuditLog,
        clock: SharedClock,
    ) -> Result<Self, WebauthnConfigError> {
        let origin = Url::parse(&config.rp_origin).map_err(|e| {
            WebauthnConfigError(format!("identity.rp_origin '{}': {e}", config.rp_origin))
        })?;
        let webauthn = WebauthnBuilder::new(&config.rp_id, &origin)
            .and_then(|b| b.rp_name("Abdi").build())
            .map_err(|e| {
                WebauthnConfigError(format!(
                    "identity.rp_id '{}' does not fit identity.rp_origin '{}': {e}",
                    config.rp_id, config.rp_origin
                ))
            })?;
        Ok(Self {
            webauthn: Arc::new(webauthn),
            db,
            store,
            sessions,
            directory,
            limiter,
            audit,
            clock,
            config,
        })
    }

    async fn begin(&self, ceremony: &Ceremony) -> Result<String, IdentityError> {
        let id = super::token::new_token();
        let raw = serde_json::to_vec(ceremony).map_err(|_| IdentityError::CeremonyInvalid)?;
        self.store
            .put(&format!("ceremony:{id}"), &raw, CEREMONY_TTL)
            .await?;
        Ok(id)
    }

    async fn take(&self, id: &str) -> Result<Ceremony, IdentityError> {
        self.store
            .take(&format!("ceremony:{id}"))
            .await?
            .and_then(|raw| serde_json::from_slice(&raw).ok())
            .ok_or(IdentityError::CeremonyInvalid)
    }

    async fn rows(&self, employee_id: Uuid) -> Result<Vec<entity::Model>, IdentityError> {
        Ok(entity::Entity::find()
            .filter(entity::Column::EmployeeId.eq(employee_id))
            .order_by_asc(entity::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    fn passkeys(rows: &[entity::Model]) -> Vec<(Uuid, Passkey)> {
        rows.iter()
            .filter_map(|r| {
                serde_json::from_str::<Passkey>(&r.credential)
                    .ok()
                    .map(|p| (r.id, p))
            })
            .collect()
    }

    pub async fn list(&self, employee_id: Uuid) -> Result<Vec<entity::Model>, IdentityError> {
        self.rows(employee_id).await
    }

    /// Starts registering a new passkey for the session's employee.
    pub async fn start_registration(
        &self,
        current: &Current,
    ) -> Result<(String, serde_json::Value), IdentityError> {
        let employee_id = current.session.employee_id;
        self.may_add_passkey(current).await?;
        let employee = self
            .directory
            .by_id(employee_id)
            .await?
            .ok_or(IdentityError::Unauthenticated)?;
        let existing = Self::passkeys(&self.rows(employee_id).await?)
            .into_iter()
            .map(|(_, p)| p.cred_id().clone())
            .collect::<Vec<_>>();
        let (options, state) = self
            .webauthn
            .start_passkey_registration(
                employee_id,
                &employee.nip,
                &employee.full_name(),
                Some(existing),
            )
            .map_err(|e| IdentityError::PasskeyRejected(e.to_string()))?;
        // A passkey the phone can offer without being told who is logging in (discoverable).
        let mut options = serde_json::to_value(&options).unwrap_or_default();
        if let Some(selection) = options
            .pointer_mut("/publicKey/authenticatorSelection")
            .and_then(|v| v.as_object_mut())
        {
            selection.insert("residentKey".into(), "required".into());
            selection.insert("requireResidentKey".into(), true.into());
        }
        let id = self
            .begin(&Ceremony::Register { employee_id, state })
            .await?;
        Ok((id, options))
    }

    pub async fn finish_registration(
        &self,
        current: &Current,
        challenge_id: &str,
        name: &str,
        credential: serde_json::Value,
        origin: &Origin,
    ) -> Result<entity::Model, IdentityError> {
        let employee_id = current.session.employee_id;
        let Ceremony::Register {
            employee_id: started_by,
            state,
        } = self.take(challenge_id).await?
        else {
            return Err(IdentityError::CeremonyInvalid);
        };
        if started_by != employee_id {
            return Err(IdentityError::CeremonyInvalid);
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(IdentityError::PasskeyName);
        }
        let credential: RegisterPublicKeyCredential = serde_json::from_value(credential)
            .map_err(|e| IdentityError::PasskeyRejected(format!("not a registration: {e}")))?;
        let passkey = match self
            .webauthn
            .finish_passkey_registration(&credential, &state)
        {
            Ok(p) => p,
            Err(e) => {
                return Err(self
                    .rejected(origin, "passkey_added", Some(employee_id), e)
                    .await);
            }
        };
        // The id from the attested data, not the client's unverified `id` field; one
        // credential belongs to one account.
        let credential_id =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(passkey.cred_id());
        let taken = entity::Entity::find()
            .filter(entity::Column::CredentialId.eq(credential_id.clone()))
            .count(&self.db)
            .await?
            > 0;
        if taken {
            return Err(IdentityError::PasskeyRejected(
                "credential already registered".into(),
            ));
        }
        let now = self.clock.now();
        // The passkey and the security message about it are written together.
        let txn = crate::store::db::write_txn(&self.db).await?;
        let row = entity::ActiveModel {
            id: Set(Uuid::new_v4()),
            employee_id: Set(employee_id),
            name: Set(name.to_owned()),
            credential_id: Set(credential_id),
            credential: Set(serde_json::to_string(&passkey).unwrap_or_default()),
            created_at: Set(now),
            last_used_at: Set(None),
        }
        .insert(&txn)
        .await?;
        let (title, body) = crate::notifications::messages::passkey_added(name);
        crate::notifications::outbox::emit(
            &txn,
            now,
            crate::notifications::outbox::NewEvent {
                employee_id,
                kind: abdi_proto::notifications::NotificationKind::PasskeyAdded,
                title,
                body,
                request_id: None,
                status: None,
                outcome: None,
                quiet: false,
            },
        )
        .await?;
        txn.commit().await?;
        self.record(
            origin,
            "passkey_added",
            "success",
            Some(employee_id),
            format!("passkey {}", row.id),
        )
        .await;
        Ok(row)
    }

    /// Adding a passkey is itself sensitive: with one already enrolled it needs a fresh step-up;
    /// the first one only in a session opened in the last 15 minutes (right after activation or
    /// SSO), so a stolen old token cannot plant a key.
    async fn may_add_passkey(&self, current: &Current) -> Result<(), IdentityError> {
        let has_any = entity::Entity::find()
            .filter(entity::Column::EmployeeId.eq(current.session.employee_id))
            .count(&self.db)
            .await?
            > 0;
        if has_any {
            return self.require_step_up(&current.session);
        }
        let fresh = self.clock.now() - current.session.created_at <= chrono::Duration::minutes(15);
        if fresh {
            Ok(())
        } else {
            Err(IdentityError::StepUpRequired)
        }
    }

    /// Removes a passkey; needs a fresh step-up, and the last way in stays.
    pub async fn remove(
        &self,
        current: &Current,
        id: Uuid,
        origin: &Origin,
    ) -> Result<(), IdentityError> {
        self.require_step_up(&current.session)?;
        let employee_id = current.session.employee_id;
        let row = entity::Entity::find_by_id(id)
            .filter(entity::Column::EmployeeId.eq(employee_id))
            .one(&self.db)
            .await?
            .ok_or(IdentityError::PasskeyNotFound)?;
        // Count and delete under a lock on the employee, so two removals at once cannot take
        // the last two passkeys (SQLite serialises writers by itself).
        let txn = self.db.begin().await?;
        if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
            crate::masterdata::entity::employee::Entity::find_by_id(employee_id)
                .lock_exclusive()
                .one(&txn)
                .await?;
        }
        let count = entity::Entity::find()
            .filter(entity::Column::EmployeeId.eq(employee_id))
            .count(&txn)
            .await?;
        if count <= 1 {
            return Err(IdentityError::LastCredential);
        }
        entity::Entity::delete_by_id(row.id).exec(&txn).await?;
        txn.commit().await?;
        self.record(
            origin,
            "passkey_removed",
            "success",
            Some(employee_id),
            format!("passkey {id}"),
        )
        .await;
        Ok(())
    }

    /// Starts a login with a discoverable passkey: nobody is named, the phone offers its keys.
    pub async fn start_login(
        &self,
        origin: &Origin,
    ) -> Result<(String, RequestChallengeResponse), IdentityError> {
        self.limiter
            .check(&[(
                format!("login:ip:{}", origin.ip_key()),
                self.config.login_per_ip,
            )])
            .await?;
        let (options, state) = self
            .webauthn
            .start_discoverable_authentication()
            .map_err(|e| IdentityError::PasskeyRejected(e.to_string()))?;
        let id = self.begin(&Ceremony::Login { state }).await?;
        Ok((id, options))
    }

    /// Finishes a login; every refusal is in the audit log, whatever step refused it.
    pub async fn finish_login(
        &self,
        challenge_id: &str,
        credential: serde_json::Value,
        device: Option<&abdi_proto::identity::DeviceInfo>,
        origin: &Origin,
    ) -> Result<(String, Session), IdentityError> {
        let result = self
            .try_login(challenge_id, credential, device, origin)
            .await;
        if let Err(e) = &result
            && !matches!(e, IdentityError::PasskeyRejected(_))
        {
            let outcome = match e {
                IdentityError::CeremonyInvalid => "ceremony_invalid",
                IdentityError::RateLimited(_) => "rate_limited",
                _ => "error",
            };
            self.record(origin, "login_passkey", outcome, None, e.to_string())
                .await;
        }
        result
    }

    async fn try_login(
        &self,
        challenge_id: &str,
        credential: serde_json::Value,
        device: Option<&abdi_proto::identity::DeviceInfo>,
        origin: &Origin,
    ) -> Result<(String, Session), IdentityError> {
        let Ceremony::Login { state } = self.take(challenge_id).await? else {
            return Err(IdentityError::CeremonyInvalid);
        };
        let credential: PublicKeyCredential = match serde_json::from_value(credential) {
            Ok(c) => c,
            Err(e) => {
                let why = format!("not an assertion: {e}");
                return Err(self.rejected(origin, "login_passkey", None, why).await);
            }
        };
        let (employee_id, credential_id) = match self
            .webauthn
            .identify_discoverable_authentication(&credential)
        {
            Ok(found) => found,
            Err(e) => {
                return Err(self.rejected(origin, "login_passkey", None, e).await);
            }
        };
        let credential_id = credential_id.to_vec();
        // Per account, only failed verifications count: junk assertions naming someone's user
        // handle cannot lock them out, a stolen-but-wrong key is stopped after a few tries.
        let failures = format!("login-failures:{employee_id}");
        // The failure count (Redis), the passkeys and the account (PostgreSQL) at once: one
        // round trip's wait instead of three.
        let (_, rows, account) = tokio::try_join!(
            self.limiter
                .refuse_if_reached(&failures, self.config.login_per_account),
            self.rows(employee_id),
            async { Ok(self.directory.by_id(employee_id).await?) },
        )?;
        let keys = Self::passkeys(&rows);
        let key = keys
            .iter()
            .find(|(_, p)| AsRef::<[u8]>::as_ref(p.cred_id()) == credential_id.as_slice())
            .map(|(_, p)| DiscoverableKey::from(p))
            .ok_or_else(|| IdentityError::PasskeyRejected("unknown credential".into()))?;
        let result =
            match self
                .webauthn
                .finish_discoverable_authentication_v2(&credential, state, &key)
            {
                Ok(r) => r,
                Err(e) => {
                    self.limiter.count_failure(&failures).await?;
                    return Err(self
                        .rejected(origin, "login_passkey", Some(employee_id), e)
                        .await);
                }
            };
        if !account.is_some_and(|e| e.active) {
            self.record(
                origin,
                "login_passkey",
                "account_disabled",
                Some(employee_id),
                String::new(),
            )
            .await;
            return Err(IdentityError::PasskeyRejected("account disabled".into()));
        }
        let (device_name, platform) = device
            .map(|d| (d.device_name.as_str(), d.platform.as_str()))
            .unwrap_or(("unknown", "unknown"));
        // The passkey's new counter (PostgreSQL) and the session (Redis, then the account
        // checked again) at once; a session whose counter was not saved is ended again, so a
        // login either fully happens or not at all.
        let (used, opened) = tokio::join!(
            self.used(&keys, &result),
            self.sessions.create(NewSession {
                employee_id,
                device_name,
                platform,
                method: "passkey",
                ip: origin.ip.clone(),
            }),
        );
        let (token, session) = opened?;
        if let Err(e) = used {
            let opened = crate::identity::session::Current {
                token_hash: super::token::hash(&token),
                session,
            };
            self.sessions.end(&opened).await?;
            return Err(e);
        }
        self.record(
            origin,
            "login_passkey",
            "success",
            Some(employee_id),
            format!("session {}", session.id),
        )
        .await;
        Ok((token, session))
    }

    /// Starts a step-up: the employee confirms with one of their own passkeys.
    pub async fn start_step_up(
        &self,
        current: &Current,
    ) -> Result<(String, RequestChallengeResponse), IdentityError> {
        let employee_id = current.session.employee_id;
        let keys: Vec<Passkey> = Self::passkeys(&self.rows(employee_id).await?)
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        if keys.is_empty() {
            return Err(IdentityError::PasskeyNotFound);
        }
        let (options, state) = self
            .webauthn
            .start_passkey_authentication(&keys)
            .map_err(|e| IdentityError::PasskeyRejected(e.to_string()))?;
        let id = self.begin(&Ceremony::StepUp { employee_id, state }).await?;
        Ok((id, options))
    }

    pub async fn finish_step_up(
        &self,
        current: &Current,
        challenge_id: &str,
        credential: serde_json::Value,
        origin: &Origin,
    ) -> Result<DateTime<Utc>, IdentityError> {
        let employee_id = current.session.employee_id;
        let Ceremony::StepUp {
            employee_id: started_by,
            state,
        } = self.take(challenge_id).await?
        else {
            return Err(IdentityError::CeremonyInvalid);
        };
        if started_by != employee_id {
            return Err(IdentityError::CeremonyInvalid);
        }
        let credential: PublicKeyCredential = serde_json::from_value(credential)
            .map_err(|e| IdentityError::PasskeyRejected(format!("not an assertion: {e}")))?;
        let result = match self
            .webauthn
            .finish_passkey_authentication(&credential, &state)
        {
            Ok(r) => r,
            Err(e) => {
                return Err(self.rejected(origin, "step_up", Some(employee_id), e).await);
            }
        };
        let keys = Self::passkeys(&self.rows(employee_id).await?);
        self.used(&keys, &result).await?;
        let session = self.sessions.mark_verified(current).await?;
        self.record(
            origin,
            "step_up",
            "success",
            Some(employee_id),
            String::new(),
        )
        .await;
        Ok(session.verified_at.unwrap_or_else(|| self.clock.now()))
    }

    /// Whether the session has a passkey assertion recent enough for a sensitive action.
    pub fn stepped_up(&self, session: &Session) -> bool {
        session
            .verified_at
            .is_some_and(|at| self.clock.now() - at <= self.step_up_max_age())
    }

    /// Sensitive actions call this: a passkey assertion in this session, recent enough.
    fn require_step_up(&self, session: &Session) -> Result<(), IdentityError> {
        if self.stepped_up(session) {
            Ok(())
        } else {
            Err(IdentityError::StepUpRequired)
        }
    }

    pub fn step_up_max_age(&self) -> chrono::Duration {
        chrono::Duration::seconds(self.config.step_up_max_age_secs as i64)
    }

    /// Stores the new signature counter and the time of use.
    async fn used(
        &self,
        keys: &[(Uuid, Passkey)],
        result: &webauthn_rs::prelude::AuthenticationResult,
    ) -> Result<(), IdentityError> {
        for (id, passkey) in keys {
            let mut passkey = passkey.clone();
            if passkey.update_credential(result).is_some() {
                entity::ActiveModel {
                    id: Set(*id),
                    credential: Set(serde_json::to_string(&passkey).unwrap_or_default()),
                    last_used_at: Set(Some(self.clock.now())),
                    ..Default::default()
                }
                .update(&self.db)
                .await?;
            }
        }
        Ok(())
    }

    /// Records a refused ceremony and gives the error to return.
    async fn rejected(
        &self,
        origin: &Origin,
        event: &str,
        employee_id: Option<Uuid>,
        why: impl std::fmt::Display,
    ) -> IdentityError {
        let why = why.to_string();
        self.record(origin, event, "rejected", employee_id, why.clone())
            .await;
        IdentityError::PasskeyRejected(why)
    }

    async fn record(
        &self,
        origin: &Origin,
        event: &str,
        outcome: &str,
        employee_id: Option<Uuid>,
        detail: String,
    ) {
        self.audit
            .record(
                self.clock.now(),
                origin,
                Event {
                    event,
                    outcome,
                    employee_id,
                    subject: None,
                    detail: (!detail.is_empty()).then_some(detail),
                },
            )
            .await;
    }
}
