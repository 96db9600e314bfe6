//! Sessions: opaque tokens (stored only as hashes) with a sliding idle timeout and an absolute
//! lifetime; each records its device. An employee's sessions are indexed so they can be listed
//! and revoked one by one or all at once.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::IdentityError;
use super::token;
use crate::clock::SharedClock;
use crate::masterdata::EmployeeDirectory;
use crate::store::shared::SharedStore;

/// What the store keeps about a session (under the hash of its token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Public id, for listing and revoking; not the token.
    pub id: Uuid,
    pub employee_id: Uuid,
    pub device_name: String,
    pub platform: String,
    pub method: String,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The last passkey assertion in this session (step-up for sensitive actions).
    pub verified_at: Option<DateTime<Utc>>,
    /// For an SSO session: the provider and its ID token (for RP-initiated logout).
    #[serde(default)]
    pub sso: Option<SsoLink>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoLink {
    pub provider: String,
    pub id_token: String,
}

/// A validated session and the hash of the token that carried it.
#[derive(Debug, Clone)]
pub struct Current {
    pub session: Session,
    pub token_hash: String,
}

/// How a new session is opened.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub employee_id: Uuid,
    pub device_name: &'a str,
    pub platform: &'a str,
    pub method: &'a str,
    pub ip: Option<String>,
}

impl SessionService {
    /// Opens a session after an SSO login, remembering the ID token for logout.
    pub async fn create_sso(
        &self,
        new: NewSession<'_>,
        link: SsoLink,
    ) -> Result<(String, Session), IdentityError> {
        let (token, mut session) = self.create(new).await?;
        session.sso = Some(link);
        self.rewrite(&token::hash(&token), &session).await?;
        Ok((token, session))
    }
}

/// `last_seen_at`, and the idle timeout with it, is rewritten at most this often.
const LAST_SEEN_GRANULARITY: chrono::Duration = chrono::Duration::seconds(60);

#[derive(Debug, Clone)]
pub struct SessionService {
    store: SharedStore,
    /// Asked once more after a session is written: a login that checked the account before
    /// it was disabled does not outlive the disable.
    directory: EmployeeDirectory,
    clock: SharedClock,
    idle: Duration,
    absolute: Duration,
}

/// The revocation marker of a disabled account: every session, whenever created, is dead.
const DISABLED: i64 = i64::MAX;

fn session_key(hash: &str) -> String {
    format!("session:{hash}")
}

fn index_key(employee_id: Uuid) -> String {
    format!("employee-sessions:{employee_id}")
}

/// When all of an employee's sessions were last revoked: a session created before it is dead,
/// even if a write racing the revocation put it back.
fn revoked_key(employee_id: Uuid) -> String {
    format!("{REVOKED_PREFIX}{employee_id}")
}

const REVOKED_PREFIX: &str = "employee-revoked:";

/// The revocation marker as stored: milliseconds since the epoch, or [`DISABLED`].
fn marker_millis(raw: &[u8]) -> Option<i64> {
    <[u8; 8]>::try_from(raw).ok().map(i64::from_be_bytes)
}

/// Whether the marker revokes the session (one opened in the very millisecond of a
/// revocation counts as revoked: safer that way).
fn revoked(session: &Session, marker: Option<&[u8]>) -> bool {
    marker
        .and_then(marker_millis)
        .is_some_and(|at| session.created_at.timestamp_millis() <= at)
}

impl SessionService {
    pub fn new(
        store: SharedStore,
        directory: EmployeeDirectory,
        clock: SharedClock,
        idle: Duration,
        absolute: Duration,
    ) -> Self {
        Self {
            store,
            directory,
            clock,
            idle,
            absolute,
        }
    }

    /// Opens a session with a new token; returns the token (shown once) and the session. The
    /// account is checked again once the session is written, so a disable that ran while the
    /// login was in flight (after the caller's own check) ends it here, or its revocation
    /// marker does.
    pub async fn create(&self, new: NewSession<'_>) -> Result<(String, Session), IdentityError> {
        let now = self.clock.now();
        let token = token::new_token();
        let session = Session {
            id: Uuid::new_v4(),
            employee_id: new.employee_id,
            device_name: clip(new.device_name, 100),
            platform: clip(new.platform, 20),
            method: new.method.to_owned(),
            ip: new.ip,
            created_at: now,
            last_seen_at: now,
            expires_at: now + chrono::Duration::from_std(self.absolute).unwrap_or_default(),
            verified_at: (new.method == "passkey").then_some(now),
            sso: None,
        };
        let hash = token::hash(&token);
        self.store_session(&hash, &session).await?;
        let active = self
            .directory
            .by_id(session.employee_id)
            .await?
            .is_some_and(|e| e.active);
        if !active {
            self.remove(&hash, session.employee_id).await?;
            return Err(IdentityError::AccountDisabled);
        }
        Ok((token, session))
    }

    /// The session a token belongs to, if it is still valid; slides its idle timeout.
    pub async fn validate(&self, token: &str) -> Result<Current, IdentityError> {
        Ok(self.validate_with(token, &[], &[]).await?.0)
    }

    /// [`SessionService::validate`], reading in the same round trip what is kept per employee
    /// under each of `linked` (a prefix, followed by the employee's id) and under each of
    /// `plain`, in that order: `/api/v1/me` takes its profile along.
    pub async fn validate_with(
        &self,
        token: &str,
        linked: &[&str],
        plain: &[&str],
    ) -> Result<(Current, Vec<Option<Vec<u8>>>), IdentityError> {
        let hash = token::hash(token);
        let (raw, marker, rest) = self.read(&hash, linked, plain).await?;
        let raw = raw.ok_or(IdentityError::Unauthenticated)?;
        let mut session: Session =
            serde_json::from_slice(&raw).map_err(|_| IdentityError::Unauthenticated)?;
        let now = self.clock.now();
        if now >= session.expires_at || revoked(&session, marker.as_deref()) {
            self.remove(&hash, session.employee_id).await?;
            return Err(IdentityError::Unauthenticated);
        }
        // One read per request; the record (and with it the idle timeout) is rewritten at most
        // once a minute, so the idle timeout is exact to within that minute.
        if now - session.last_seen_at >= LAST_SEEN_GRANULARITY {
            session.last_seen_at = now;
            self.rewrite(&hash, &session).await?;
        }
        Ok((
            Current {
                session,
                token_hash: hash,
            },
            rest,
        ))
    }

    /// Replaces the token of a session (the old one stops working at once). Of two refreshes
    /// with the same token, one wins.
    pub async fn rotate(&self, current: &Current) -> Result<String, IdentityError> {
        let taken = self.store.take(&session_key(&current.token_hash)).await?;
        self.store
            .set_remove(&index_key(current.session.employee_id), &current.token_hash)
            .await?;
        if taken.is_none() {
            return Err(IdentityError::Unauthenticated);
        }
        let token = token::new_token();
        self.store_session(&token::hash(&token), &current.session)
            .await?;
        Ok(token)
    }

    /// The stored session under a token hash, its employee's revocation marker, and what is
    /// kept per employee under `linked` and under `plain` (see
    /// [`SessionService::validate_with`]), in one round trip.
    async fn read(
        &self,
        hash: &str,
        linked: &[&str],
        plain: &[&str],
    ) -> Result<(Option<Vec<u8>>, Option<Vec<u8>>, Vec<Option<Vec<u8>>>), IdentityError> {
        let mut prefixes = Vec::with_capacity(1 + linked.len());
        prefixes.push(REVOKED_PREFIX);
        prefixes.extend_from_slice(linked);
        let (raw, mut rest) = self
            .store
            .get_linked(&session_key(hash), "employee_id", &prefixes, plain)
            .await?;
        let marker = rest.remove(0);
        Ok((raw, marker, rest))
    }

    /// The revocation marker: milliseconds since the epoch, or [`DISABLED`].
    async fn revoked_at(&self, employee_id: Uuid) -> Result<Option<i64>, IdentityError> {
        let marker = self.store.get(&revoked_key(employee_id)).await?;
        Ok(marker.as_deref().and_then(marker_millis))
    }

    /// Whether the session behind a token hash is still valid, without sliding its idle timeout
    /// (a long-lived event stream asks this).
    pub async fn is_open(&self, hash: &str) -> Result<bool, IdentityError> {
        let (raw, marker, _) = self.read(hash, &[], &[]).await?;
        let Some(session) = raw.and_then(|raw| serde_json::from_slice::<Session>(&raw).ok()) else {
            return Ok(false);
        };
        Ok(self.clock.now() < session.expires_at && !revoked(&session, marker.as_deref()))
    }

    /// Records a passkey assertion made in this session (for step-up).
    pub async fn mark_verified(&self, current: &Current) -> Result<Session, IdentityError> {
        let mut session = current.session.clone();
        session.verified_at = Some(self.clock.now());
        self.rewrite(&current.token_hash, &session).await?;
        Ok(session)
    }

    /// The employee's live sessions, newest first, with the hash of each token.
    pub async fn list(&self, employee_id: Uuid) -> Result<Vec<(String, Session)>, IdentityError> {
        let mut out = Vec::new();
        for hash in self.store.set_members(&index_key(employee_id)).await? {
            match self.store.get(&session_key(&hash)).await? {
                Some(raw) => {
                    if let Ok(s) = serde_json::from_slice::<Session>(&raw) {
                        out.push((hash, s));
                    }
                }
                // Expired by its idle timeout: tidy the index.
                None => {
                    self.store
                        .set_remove(&index_key(employee_id), &hash)
                        .await?
                }
            }
        }
        out.sort_by_key(|(_, s)| std::cmp::Reverse(s.created_at));
        Ok(out)
    }

    /// Ends one of the employee's sessions by its public id.
    pub async fn revoke(&self, employee_id: Uuid, id: Uuid) -> Result<(), IdentityError> {
        let (hash, _) = self
            .list(employee_id)
            .await?
            .into_iter()
            .find(|(_, s)| s.id == id)
            .ok_or(IdentityError::SessionNotFound)?;
        self.remove(&hash, employee_id).await
    }

    /// Ends every session of the employee (revoke all, account disabled, transfer). A marker
    /// makes any session created until now invalid, even one a racing write puts back.
    pub async fn revoke_all(&self, employee_id: Uuid) -> Result<usize, IdentityError> {
        // A disabled account's marker is never lowered.
        if self.revoked_at(employee_id).await? != Some(DISABLED) {
            let now = self.clock.now().timestamp_millis().to_be_bytes();
            self.store
                .put(&revoked_key(employee_id), &now, self.absolute)
                .await?;
        }
        self.end_all(employee_id).await
    }

    /// Ends every session of a disabled account and marks it so that none opened later lives
    /// either, whatever the clocks of the instances say. The database's `active` flag is the
    /// durable record; this marker covers the sessions already in flight.
    pub async fn disable(&self, employee_id: Uuid) -> Result<usize, IdentityError> {
        self.store
            .put(
                &revoked_key(employee_id),
                &DISABLED.to_be_bytes(),
                self.absolute,
            )
            .await?;
        self.end_all(employee_id).await
    }

    async fn end_all(&self, employee_id: Uuid) -> Result<usize, IdentityError> {
        let hashes = self.store.set_members(&index_key(employee_id)).await?;
        for hash in &hashes {
            self.remove(hash, employee_id).await?;
        }
        Ok(hashes.len())
    }

    pub async fn end(&self, current: &Current) -> Result<(), IdentityError> {
        self.remove(&current.token_hash, current.session.employee_id)
            .await
    }

    async fn remove(&self, hash: &str, employee_id: Uuid) -> Result<(), IdentityError> {
        self.store.delete(&session_key(hash)).await?;
        self.store.set_remove(&index_key(employee_id), hash).await?;
        Ok(())
    }

    fn ttl(&self, session: &Session) -> Duration {
        let left = (session.expires_at - self.clock.now())
            .to_std()
            .unwrap_or_default();
        self.idle.min(left).max(Duration::from_millis(1))
    }

    fn encode(session: &Session) -> Result<Vec<u8>, IdentityError> {
        serde_json::to_vec(session).map_err(|e| {
            IdentityError::Store(crate::store::shared::SharedStoreError::Unavailable(
                e.to_string(),
            ))
        })
    }

    /// Writes a session that is still live (its idle timeout slid, a step-up, its SSO link).
    /// An ended session's record is gone, and this write goes through only where the record
    /// still is: a request that read the session before a logout, a revoke or a refresh
    /// cannot bring it back by writing after.
    async fn rewrite(&self, hash: &str, session: &Session) -> Result<(), IdentityError> {
        let raw = Self::encode(session)?;
        if self
            .store
            .put_if_present(&session_key(hash), &raw, self.ttl(session))
            .await?
        {
            Ok(())
        } else {
            Err(IdentityError::Unauthenticated)
        }
    }

    /// Writes a new session (created, or under a rotated token) and indexes it.
    async fn store_session(&self, hash: &str, session: &Session) -> Result<(), IdentityError> {
        let raw = Self::encode(session)?;
        self.store
            .put(&session_key(hash), &raw, self.ttl(session))
            .await?;
        // The index lives as long as the longest session could.
        self.store
            .set_add(&index_key(session.employee_id), hash, self.absolute)
            .await?;
        Ok(())
    }
}

fn clip(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.is_empty() {
        "unknown".into()
    } else {
        s.chars().take(max).collect()
    }
}

/// Notifications ask whether a device's session is still open before they push to it.
#[async_trait::async_trait]
impl crate::notifications::LiveSessions for SessionService {
    async fn is_live(&self, employee_id: Uuid, session_id: Uuid) -> Result<bool, String> {
        self.list(employee_id)
            .await
            .map(|live| live.iter().any(|(_, s)| s.id == session_id))
            .map_err(|e| e.to_string())
    }
}

impl Session {
    /// The session as notifications see a device's.
    pub fn device(&self) -> crate::notifications::DeviceSession {
        crate::notifications::DeviceSession {
            id: self.id,
            employee_id: self.employee_id,
            device_name: self.device_name.clone(),
            platform: self.platform.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection};

    use super::*;
    use crate::clock::{Clock, ManualClock};
    use crate::masterdata::entity::employee;

    struct Fixture {
        svc: SessionService,
        clock: ManualClock,
        db: DatabaseConnection,
    }

    /// Sessions over the in-process store, with an employees table of their own.
    async fn service() -> Fixture {
        let clock = ManualClock::at(DateTime::from_timestamp(1_790_000_000, 0).unwrap());
        let shared: SharedClock = Arc::new(clock.clone());
        let store = SharedStore::memory("t:", shared.clone());
        let mut opts = sea_orm::ConnectOptions::new("sqlite::memory:");
        opts.max_connections(1);
        let db = sea_orm::Database::connect(opts).await.unwrap();
        let schema = sea_orm::Schema::new(db.get_database_backend());
        db.execute(&schema.create_table_from_entity(employee::Entity))
            .await
            .unwrap();
        let svc = SessionService::new(
            store,
            EmployeeDirectory::new(db.clone()),
            shared,
            Duration::from_secs(3600),
            Duration::from_secs(4 * 3600),
        );
        Fixture { svc, clock, db }
    }

    impl Fixture {
        /// An active employee.
        async fn employee(&self) -> Uuid {
            let id = Uuid::new_v4();
            let now = self.clock.now();
            employee::ActiveModel {
                id: Set(id),
                nip: Set(id.simple().to_string()[..18].to_owned()),
                nik: Set("3578010101900001".into()),
                front_title: Set(None),
                name: Set("Budi".into()),
                back_title: Set(None),
                gender: Set("L".into()),
                birth_place: Set("Surabaya".into()),
                birth_date: Set(chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap()),
                employment_type: Set("pns".into()),
                rank_code: Set(None),
                rank_tmt: Set(None),
                tmt_cpns: Set(None),
                tmt_pns: Set(None),
                education_level: Set("S1".into()),
                unit_id: Set(Uuid::new_v4()),
                position_id: Set(None),
                email: Set(None),
                phone: Set(None),
                active: Set(true),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&self.db)
            .await
            .unwrap();
            id
        }
    }

    fn new(employee_id: Uuid) -> NewSession<'static> {
        NewSession {
            employee_id,
            device_name: "Galaxy A14",
            platform: "android",
            method: "activation",
            ip: Some("127.0.0.1".into()),
        }
    }

    #[tokio::test]
    async fn idle_timeout_slides_and_absolute_lifetime_does_not() {
        let f = service().await;
        let (svc, clock) = (&f.svc, &f.clock);
        let (token, _) = svc.create(new(f.employee().await)).await.unwrap();
        for _ in 0..3 {
            clock.advance(Duration::from_secs(50 * 60));
            svc.validate(&token).await.unwrap();
        }
        clock.advance(Duration::from_secs(61 * 60));
        assert!(matches!(
            svc.validate(&token).await,
            Err(IdentityError::Unauthenticated)
        ));

        let (token, _) = svc.create(new(f.employee().await)).await.unwrap();
        for _ in 0..4 {
            clock.advance(Duration::from_secs(59 * 60));
            svc.validate(&token).await.unwrap();
        }
        clock.advance(Duration::from_secs(5 * 60));
        assert!(
            svc.validate(&token).await.is_err(),
            "4 hours is the absolute limit, used or not"
        );
    }

    #[tokio::test]
    async fn a_session_written_back_after_revoke_all_stays_dead() {
        let f = service().await;
        let (svc, clock) = (&f.svc, &f.clock);
        let me = f.employee().await;
        let (token, _) = svc.create(new(me)).await.unwrap();
        let current = svc.validate(&token).await.unwrap();
        svc.revoke_all(me).await.unwrap();
        // A request that read the session before the revocation writes it back afterwards.
        svc.store_session(&current.token_hash, &current.session)
            .await
            .unwrap();
        assert!(svc.validate(&token).await.is_err());
        // A login after the revocation works.
        clock.advance(Duration::from_millis(5));
        let (fresh, _) = svc.create(new(me)).await.unwrap();
        assert!(svc.validate(&fresh).await.is_ok());
    }

    #[tokio::test]
    async fn rotate_revoke_and_revoke_all() {
        let f = service().await;
        let svc = &f.svc;
        let me = f.employee().await;
        let (a, _) = svc.create(new(me)).await.unwrap();
        let (b, sb) = svc.create(new(me)).await.unwrap();
        let (c, _) = svc.create(new(me)).await.unwrap();
        let (other, _) = svc.create(new(f.employee().await)).await.unwrap();
        assert_eq!(svc.list(me).await.unwrap().len(), 3);

        let current = svc.validate(&a).await.unwrap();
        let rotated = svc.rotate(&current).await.unwrap();
        assert!(
            svc.validate(&a).await.is_err(),
            "the old token stops working"
        );
        assert_eq!(
            svc.validate(&rotated).await.unwrap().session.id,
            current.session.id
        );

        svc.revoke(me, sb.id).await.unwrap();
        assert!(svc.validate(&b).await.is_err());
        assert!(matches!(
            svc.revoke(me, sb.id).await,
            Err(IdentityError::SessionNotFound)
        ));
        assert_eq!(svc.revoke_all(me).await.unwrap(), 2);
        assert!(svc.validate(&c).await.is_err());
        assert!(svc.validate(&rotated).await.is_err());
        assert!(
            svc.validate(&other).await.is_ok(),
            "someone else's session lives on"
        );
    }

    /// A write from a request that read the session before it ended (the idle timeout
    /// sliding, a step-up) does not bring back a session ended by logout, revoke-one or
    /// refresh.
    #[tokio::test]
    async fn an_ended_session_is_not_brought_back_by_a_late_write() {
        let f = service().await;
        let (svc, clock) = (&f.svc, &f.clock);
        let me = f.employee().await;
        let stale = |token: String| async move { svc.validate(&token).await.unwrap() };

        // Logout.
        let (a, _) = svc.create(new(me)).await.unwrap();
        let read = stale(a.clone()).await;
        svc.end(&read).await.unwrap();
        assert!(matches!(
            svc.mark_verified(&read).await,
            Err(IdentityError::Unauthenticated)
        ));
        clock.advance(Duration::from_secs(120));
        assert!(svc.validate(&a).await.is_err(), "logged out stays out");

        // Revoke one.
        let (b, sb) = svc.create(new(me)).await.unwrap();
        let read = stale(b.clone()).await;
        svc.revoke(me, sb.id).await.unwrap();
        assert!(svc.mark_verified(&read).await.is_err());
        assert!(svc.validate(&b).await.is_err(), "revoked stays revoked");

        // Refresh: the old token's late write neither revives it nor clobbers the new one.
        let (c, _) = svc.create(new(me)).await.unwrap();
        let read = stale(c.clone()).await;
        let rotated = svc.rotate(&read).await.unwrap();
        assert!(svc.mark_verified(&read).await.is_err());
        assert!(svc.validate(&c).await.is_err(), "the old token stays dead");
        assert!(svc.validate(&rotated).await.is_ok());
    }

    /// Disabled means out: sessions already open end, a login that checked the account just
    /// before the disable cannot open one after it, and a session record that a racing write
    /// puts back is dead whatever its creation time says.
    #[tokio::test]
    async fn a_disabled_account_keeps_no_session() {
        let f = service().await;
        let (svc, clock) = (&f.svc, &f.clock);
        let me = f.employee().await;
        let (open, _) = svc.create(new(me)).await.unwrap();
        let read = svc.validate(&open).await.unwrap();

        EmployeeDirectory::new(f.db.clone())
            .disable(me, clock.now())
            .await
            .unwrap();
        assert_eq!(svc.disable(me).await.unwrap(), 1);
        assert!(svc.validate(&open).await.is_err());

        // The login in flight: it saw the account active, and writes its session now.
        clock.advance(Duration::from_secs(1));
        assert!(matches!(
            svc.create(new(me)).await,
            Err(IdentityError::AccountDisabled)
        ));
        assert!(svc.list(me).await.unwrap().is_empty());

        // A session record put back by a write racing the disable, created after it.
        clock.advance(Duration::from_secs(1));
        let mut late = read.session.clone();
        late.created_at = clock.now();
        svc.store_session(&read.token_hash, &late).await.unwrap();
        assert!(svc.validate(&open).await.is_err());
        // A later revoke-all does not lower the disabled marker.
        svc.revoke_all(me).await.unwrap();
        clock.advance(Duration::from_secs(1));
        late.created_at = clock.now();
        svc.store_session(&read.token_hash, &late).await.unwrap();
        assert!(svc.validate(&open).await.is_err());
    }
}
