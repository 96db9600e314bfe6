//! The profile `/api/v1/me` shows, kept in the shared store next to the session so that the
//! session's one read brings it along and PostgreSQL is not asked at all.
//!
//! Kept exact by PostgreSQL itself: triggers on employees, units and posts send a notice on
//! `abdi_profile` when a shown value changes (migration `profile_changes`), and every instance
//! listens. A notice replaces the employee's version token (or, for a unit or a post, the
//! generation token that every kept profile carries), so a profile kept under the old token is
//! no longer trusted. A profile is kept only if the tokens are still those read before the
//! database was asked, so a read racing a change cannot keep the old values.
//!
//! Tokens are random, never counters: one that expires and comes back cannot match an old
//! profile. An instance trusts and keeps profiles only while it hears the notices: after its
//! listening connection is lost (PostgreSQL restarted) it asks the database, and once it hears
//! again it replaces the generation token first, so whatever changed unheard is forgotten.
//! SQLite has no notices; there the database is always asked.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use abdi_proto::identity::Profile;
use sea_orm::{DatabaseConnection, DbBackend};
use uuid::Uuid;

use crate::store::shared::{SharedStore, SharedStoreError};

/// A kept profile: its version token, its generation token and the profile as JSON.
const ENTRY: &str = "profile:";
/// The employee's version token, replaced on every change of their profile.
const VERSION: &str = "profile-version:";
/// The generation token, replaced when a unit or post is renamed and when an instance starts
/// hearing the notices again.
const GENERATION: &str = "profile-generation";

/// How long a profile is kept after it was read from the database.
const ENTRY_TTL: Duration = Duration::from_secs(10 * 60);
/// Longer than any kept profile lives, so a version token cannot expire under one that names
/// its absence.
const VERSION_TTL: Duration = Duration::from_secs(2 * ENTRY_TTL.as_secs());
const GENERATION_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// More employees than this in one batch of notices (an import): replace the generation once.
const BATCH: usize = 256;
/// Written where a token is absent; never a token (those are hex).
const ABSENT: &str = "-";

#[derive(Debug, Clone)]
pub struct ProfileCache {
    store: SharedStore,
    /// Whether this instance hears the notices now: only then is a kept profile trusted.
    live: Arc<AtomicBool>,
}

/// What the session's read found for the profile.
#[derive(Debug)]
pub enum Kept {
    /// A profile kept under the current tokens.
    Fresh(Box<Profile>),
    /// None to trust: the tokens seen, to keep the one read from the database under.
    Missing(Tokens),
}

/// The version and generation tokens as read before the database was asked.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    version: Option<Vec<u8>>,
    generation: Option<Vec<u8>>,
}

impl Tokens {
    fn header(&self) -> String {
        let show = |t: &Option<Vec<u8>>| {
            t.as_deref().map_or(ABSENT.to_owned(), |t| {
                String::from_utf8_lossy(t).into_owned()
            })
        };
        format!("{} {} ", show(&self.version), show(&self.generation))
    }
}

impl ProfileCache {
    /// What [`crate::identity::session::SessionService::validate_with`] reads for it, per
    /// employee and plain, in the order [`ProfileCache::look`] takes them.
    pub const LINKED: [&'static str; 2] = [ENTRY, VERSION];
    pub const PLAIN: [&'static str; 1] = [GENERATION];

    pub fn new(store: SharedStore) -> Self {
        Self {
            store,
            live: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Whether this instance hears PostgreSQL's notices now (and so trusts kept profiles).
    pub fn hearing(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    /// Judges what was read under [`ProfileCache::LINKED`] and [`ProfileCache::PLAIN`].
    pub fn look(&self, read: &[Option<Vec<u8>>]) -> Kept {
        let [entry, version, generation] = read else {
            return Kept::Missing(Tokens::default());
        };
        let tokens = Tokens {
            version: version.clone(),
            generation: generation.clone(),
        };
        if !self.hearing() {
            return Kept::Missing(tokens);
        }
        let fresh = entry.as_deref().and_then(|entry| {
            let json = entry.strip_prefix(tokens.header().as_bytes())?;
            serde_json::from_slice::<Profile>(json).ok()
        });
        match fresh {
            Some(profile) => Kept::Fresh(Box::new(profile)),
            None => Kept::Missing(tokens),
        }
    }

    /// Keeps a profile just read from the database, unless a change was signalled since
    /// `tokens` were read (or this instance does not hear the notices). Keeping is an
    /// optimisation: a store that fails here is only logged.
    pub async fn keep(&self, id: Uuid, tokens: Tokens, profile: &Profile) {
        if !self.hearing() {
            return;
        }
        let Ok(json) = serde_json::to_vec(profile) else {
            return;
        };
        let value = [tokens.header().into_bytes(), json].concat();
        let version = format!("{VERSION}{id}");
        let guards = [
            (version.as_str(), tokens.version.as_deref()),
            (GENERATION, tokens.generation.as_deref()),
        ];
        if let Err(e) = self
            .store
            .put_if_unchanged(&format!("{ENTRY}{id}"), &value, ENTRY_TTL, &guards)
            .await
        {
            tracing::debug!(error = %e, "profile not kept");
        }
    }

    /// Forgets the employee's kept profile now: a change the employee made themselves and
    /// will look at next (their email, their phone) does not wait for the notice.
    pub async fn forget(&self, id: Uuid) -> Result<(), SharedStoreError> {
        self.store
            .put(&format!("{VERSION}{id}"), token().as_bytes(), VERSION_TTL)
            .await
    }

    async fn forget_all(&self) -> Result<(), SharedStoreError> {
        self.store
            .put(GENERATION, token().as_bytes(), GENERATION_TTL)
            .await
    }

    /// Listens for PostgreSQL's notices until aborted; `None` on SQLite, which sends none.
    pub fn listen(&self, db: &DatabaseConnection) -> Option<tokio::task::JoinHandle<()>> {
        if db.get_database_backend() != DbBackend::Postgres {
            return None;
        }
        // A connection of its own, outside the requests' pool, with the same settings.
        let options = (*db.get_postgres_connection_pool().connect_options())
            .clone()
            .application_name("abdi-profiles");
        let pool = sea_orm::sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .max_lifetime(None)
            .idle_timeout(None)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy_with(options);
        let cache = self.clone();
        Some(tokio::spawn(async move { cache.run(pool).await }))
    }

    async fn run(self, pool: sea_orm::sqlx::PgPool) {
        use sea_orm::sqlx::postgres::PgListener;
        let mut outage = false;
        loop {
            self.live.store(false, Ordering::Release);
            let heard = async {
                let mut listener = PgListener::connect_with(&pool).await?;
                // A lost connection is told at once (not after a reconnection that waits for
                // PostgreSQL to come back), so nothing kept is trusted while it is away.
                listener.eager_reconnect(false);
                listener.listen(abdi_migrations::PROFILE_CHANNEL).await?;
                Ok::<_, sea_orm::sqlx::Error>(listener)
            }
            .await;
            let mut listener = match heard {
                Ok(l) => l,
                Err(e) => {
                    if !outage {
                        tracing::warn!(error = %e, "profiles: cannot listen for changes; asking the database for every profile");
                    }
                    outage = true;
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    continue;
                }
            };
            // Whatever changed while nobody listened here is forgotten before any is trusted.
            if let Err(e) = self.forget_all().await {
                if !outage {
                    tracing::warn!(error = %e, "profiles: cannot reach the session store");
                }
                outage = true;
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
            if outage {
                tracing::info!("profiles: listening for changes again");
            }
            self.live.store(true, Ordering::Release);
            let lost = loop {
                let first = match listener.try_recv().await {
                    Ok(Some(n)) => n,
                    Ok(None) => break "the connection was lost".to_owned(),
                    Err(e) => break e.to_string(),
                };
                let mut changed = vec![first.payload().to_owned()];
                while let Some(n) = listener.next_buffered() {
                    changed.push(n.payload().to_owned());
                }
                if let Err(e) = self.apply(&changed).await {
                    break e.to_string();
                }
            };
            tracing::warn!(reason = %lost, "profiles: stopped hearing changes; asking the database until they are heard again");
            outage = true;
        }
    }

    /// Forgets the profiles a batch of notices names.
    async fn apply(&self, changed: &[String]) -> Result<(), SharedStoreError> {
        let ids: std::collections::BTreeSet<Uuid> =
            changed.iter().filter_map(|p| p.parse().ok()).collect();
        if ids.len() > BATCH || changed.iter().any(|p| p.parse::<Uuid>().is_err()) {
            // A unit or a post renamed (or a notice not naming anyone): forget them all.
            return self.forget_all().await;
        }
        for id in ids {
            self.forget(id).await?;
        }
        Ok(())
    }
}

fn token() -> String {
    Uuid::new_v4().simple().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(hearing: bool) -> ProfileCache {
        let clock = Arc::new(crate::clock::SystemClock);
        let cache = ProfileCache::new(SharedStore::memory("t:", clock));
        cache.live.store(hearing, Ordering::Release);
        cache
    }

    fn profile(name: &str) -> Profile {
        Profile {
            nip: "198501012010011001".into(),
            full_name: name.into(),
            name: name.into(),
            gender: "L".into(),
            birth_place: "Semarang".into(),
            birth_date: chrono::NaiveDate::from_ymd_opt(1985, 1, 1).unwrap(),
            employment_type: "pns".into(),
            rank: Some("III/a".into()),
            pangkat: Some("Penata Muda".into()),
            position: None,
            unit: "Dinas".into(),
            email: None,
            phone: None,
        }
    }

    /// What the session's read brings for the profile, as the store holds it now.
    async fn read(cache: &ProfileCache, id: Uuid) -> Vec<Option<Vec<u8>>> {
        let mut out = Vec::new();
        for prefix in ProfileCache::LINKED {
            out.push(cache.store.get(&format!("{prefix}{id}")).await.unwrap());
        }
        for key in ProfileCache::PLAIN {
            out.push(cache.store.get(key).await.unwrap());
        }
        out
    }

    async fn missing(cache: &ProfileCache, id: Uuid) -> Tokens {
        match cache.look(&read(cache, id).await) {
            Kept::Missing(tokens) => tokens,
            Kept::Fresh(p) => panic!("trusted {p:?}"),
        }
    }

    async fn fresh(cache: &ProfileCache, id: Uuid) -> Profile {
        match cache.look(&read(cache, id).await) {
            Kept::Fresh(p) => *p,
            Kept::Missing(_) => panic!("nothing trusted"),
        }
    }

    #[tokio::test]
    async fn a_kept_profile_is_trusted_until_its_employee_or_everyone_is_forgotten() {
        let cache = cache(true);
        let (id, other) = (Uuid::new_v4(), Uuid::new_v4());
        cache.forget_all().await.unwrap();
        for who in [id, other] {
            let tokens = missing(&cache, who).await;
            cache.keep(who, tokens, &profile("Budi")).await;
            assert_eq!(fresh(&cache, who).await.name, "Budi");
        }
        cache.forget(id).await.unwrap();
        missing(&cache, id).await;
        assert_eq!(fresh(&cache, other).await.name, "Budi", "only theirs");
        cache.forget_all().await.unwrap();
        missing(&cache, other).await;
        // Notices: ids forget those employees; anything else forgets everyone.
        let tokens = missing(&cache, id).await;
        cache.keep(id, tokens, &profile("Budi")).await;
        cache.apply(&[other.to_string()]).await.unwrap();
        fresh(&cache, id).await;
        cache
            .apply(&[id.to_string(), id.to_string()])
            .await
            .unwrap();
        missing(&cache, id).await;
        let tokens = missing(&cache, id).await;
        cache.keep(id, tokens, &profile("Budi")).await;
        cache.apply(&["*".to_owned()]).await.unwrap();
        missing(&cache, id).await;
    }

    #[tokio::test]
    async fn a_profile_read_across_a_change_is_not_kept() {
        let cache = cache(true);
        let id = Uuid::new_v4();
        // Tokens read, then the record changes (a notice) before the database's answer is kept.
        let tokens = missing(&cache, id).await;
        cache.forget(id).await.unwrap();
        cache.keep(id, tokens, &profile("Lama")).await;
        missing(&cache, id).await;
        let tokens = missing(&cache, id).await;
        cache.forget_all().await.unwrap();
        cache.keep(id, tokens, &profile("Lama")).await;
        missing(&cache, id).await;
    }

    #[tokio::test]
    async fn nothing_is_trusted_or_kept_while_the_notices_are_not_heard() {
        let cache = cache(true);
        let id = Uuid::new_v4();
        let tokens = missing(&cache, id).await;
        cache.keep(id, tokens, &profile("Budi")).await;
        fresh(&cache, id).await;
        cache.live.store(false, Ordering::Release);
        let tokens = missing(&cache, id).await;
        cache.store.delete(&format!("{ENTRY}{id}")).await.unwrap();
        cache.keep(id, tokens, &profile("Budi")).await;
        assert!(
            cache
                .store
                .get(&format!("{ENTRY}{id}"))
                .await
                .unwrap()
                .is_none()
        );
    }
}
