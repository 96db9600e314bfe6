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
use crate::store::session::SessionStore;

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
        self.store_session(&token::hash(&token), &session).await?;
        Ok((token, session))
    }
}

/// `last_seen_at`, and the idle timeout with it, is rewritten at most this often.
const LAST_SEEN_GRANULARITY: chrono::Duration = chrono::Duration::seconds(60);

#[derive(Debug, Clone)]
pub struct SessionService {
    store: SessionStore,
    clock: SharedClock,
    idle: Duration,
    absolute: Duration,
}

fn session_key(hash: &str) -> String {
    format!("session:{hash}")
}

fn index_key(employee_id: Uuid) -> String {
    format!("employee-sessions:{employee_id}")
}

/// When all of an employee's sessions were last revoked: a session created before it is dead,
/// even if a write racing the revocation put it back.
fn revoked_key(employee_id: Uuid) -> String {
    format!("employee-revoked:{employee_id}")
}

impl SessionService {
    pub fn new(
        store: SessionStore,
        clock: SharedClock,
        idle: Duration,
        absolute: Duration,
    ) -> Self {
        Self {
            store,
            clock,
            idle,
            absolute,
        }
    }

    /// Opens a session with a new token; returns the token (shown once) and the session.
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
        self.store_session(&token::hash(&token), &session).await?;
        Ok((token, session))
    }

    /// The session a token belongs to, if it is still valid; slides its idle timeout.
    pub async fn validate(&self, token: &str) -> Result<Current, IdentityError> {
        let hash = token::hash(token);
        let raw = self
            .store
            .get(&session_key(&hash))
            .await?
            .ok_or(IdentityError::Unauthenticated)?;
        let mut session: Session =
            serde_json::from_slice(&raw).map_err(|_| IdentityError::Unauthenticated)?;
        let now = self.clock.now();
        if now >= session.expires_at || self.revoked_since(&session).await? {
            self.remove(&hash, session.employee_id).await?;
            return Err(IdentityError::Unauthenticated);
        }
        // One read per request; the record (and with it the idle timeout) is rewritten at most
        // once a minute, so the idle timeout is exact to within that minute.
        if now - session.last_seen_at >= LAST_SEEN_GRANULARITY {
            session.last_seen_at = now;
            self.store_session(&hash, &session).await?;
        }
        Ok(Current {
            session,
            token_hash: hash,
        })
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

    /// Whether all the employee's sessions were revoked since this one was created (a session
    /// opened in the very millisecond of a revocation counts as revoked: safer that way).
    async fn revoked_since(&self, session: &Session) -> Result<bool, IdentityError> {
        let marker = self.store.get(&revoked_key(session.employee_id)).await?;
        let revoked_at = marker
            .and_then(|raw| <[u8; 8]>::try_from(raw.as_slice()).ok())
            .map(i64::from_be_bytes)
            .and_then(DateTime::<Utc>::from_timestamp_millis);
        Ok(revoked_at.is_some_and(|at| session.created_at <= at))
    }

    /// Whether the session behind a token hash is still valid, without sliding its idle timeout
    /// (a long-lived event stream asks this).
    pub async fn is_open(&self, hash: &str) -> Result<bool, IdentityError> {
        let Some(raw) = self.store.get(&session_key(hash)).await? else {
            return Ok(false);
        };
        let Ok(session) = serde_json::from_slice::<Session>(&raw) else {
            return Ok(false);
        };
        Ok(self.clock.now() < session.expires_at && !self.revoked_since(&session).await?)
    }

    /// Records a passkey assertion made in this session (for step-up).
    pub async fn mark_verified(&self, current: &Current) -> Result<Session, IdentityError> {
        let mut session = current.session.clone();
        session.verified_at = Some(self.clock.now());
        self.store_session(&current.token_hash, &session).await?;
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
        let now = self.clock.now().timestamp_millis().to_be_bytes();
        self.store
            .put(&revoked_key(employee_id), &now, self.absolute)
            .await?;
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

    async fn store_session(&self, hash: &str, session: &Session) -> Result<(), IdentityError> {
        let raw = serde_json::to_vec(session).map_err(|e| {
            IdentityError::Store(crate::store::session::SessionStoreError::Unavailable(
                e.to_string(),
            ))
        })?;
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::ManualClock;

    fn service() -> (SessionService, ManualClock) {
        let clock = ManualClock::at(DateTime::from_timestamp(1_790_000_000, 0).unwrap());
        let shared: SharedClock = Arc::new(clock.clone());
        let store = SessionStore::memory("t:", shared.clone());
        let svc = SessionService::new(
            store,
            shared,
            Duration::from_secs(3600),
            Duration::from_secs(4 * 3600),
        );
        (svc, clock)
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
        let (svc, clock) = service();
        let (token, _) = svc.create(new(Uuid::new_v4())).await.unwrap();
        for _ in 0..3 {
            clock.advance(Duration::from_secs(50 * 60));
            svc.validate(&token).await.unwrap();
        }
        clock.advance(Duration::from_secs(61 * 60));
        assert!(matches!(
            svc.validate(&token).await,
            Err(IdentityError::Unauthenticated)
        ));

        let (token, _) = svc.create(new(Uuid::new_v4())).await.unwrap();
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
        let (svc, clock) = service();
        let me = Uuid::new_v4();
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
        let (svc, _) = service();
        let me = Uuid::new_v4();
        let (a, _) = svc.create(new(me)).await.unwrap();
        let (b, sb) = svc.create(new(me)).await.unwrap();
        let (c, _) = svc.create(new(me)).await.unwrap();
        let (other, _) = svc.create(new(Uuid::new_v4())).await.unwrap();
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
}
