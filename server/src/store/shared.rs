//! The shared store: short-lived keyed values with a time to live, counters and pub/sub, shared
//! by every instance. Sessions and ceremony state, single-use codes, rate limits (identity,
//! public verification) and the event stream's fan-out all use it. Redis when several
//! instances run; in-process for the embedded default (configured under `[sessions]`).
//!
//! The Redis store reconnects by itself: a command that finds the connection broken fails fast
//! (so a request gets a clear 503, not a hang) and the next command uses a new connection. A
//! command that times out (Redis frozen, or the network dropping packets without a reset) also
//! throws the connection away, so a silent outage heals as soon as Redis answers again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::clock::SharedClock;
use crate::config::{SessionBackend, SessionsConfig};

#[derive(Debug, thiserror::Error)]
pub enum SharedStoreError {
    #[error("cannot reach the session store at {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("the session store is unavailable: {0}")]
    Unavailable(String),
}

#[derive(Clone)]
pub enum SharedStore {
    Memory(MemoryStore),
    Redis(RedisStore),
}

impl std::fmt::Debug for SharedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SharedStore::Memory(_) => f.write_str("SharedStore::Memory"),
            SharedStore::Redis(r) => write!(f, "SharedStore::Redis({})", r.prefix),
        }
    }
}

impl SharedStore {
    /// Builds the configured store; for Redis, checks it answers before returning.
    pub async fn connect(
        config: &SessionsConfig,
        clock: SharedClock,
    ) -> Result<SharedStore, SharedStoreError> {
        match config.backend {
            SessionBackend::Memory => Ok(SharedStore::memory(&config.key_prefix, clock)),
            SessionBackend::Redis => Ok(SharedStore::Redis(RedisStore::connect(config).await?)),
        }
    }

    pub fn memory(prefix: &str, clock: SharedClock) -> SharedStore {
        SharedStore::Memory(MemoryStore {
            prefix: prefix.to_owned(),
            clock,
            entries: Arc::new(Mutex::new(Entries::default())),
        })
    }

    pub fn backend(&self) -> SessionBackend {
        match self {
            SharedStore::Memory(_) => SessionBackend::Memory,
            SharedStore::Redis(_) => SessionBackend::Redis,
        }
    }

    /// Stores `value` under `key` for `ttl`, replacing any value there.
    pub async fn put(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<(), SharedStoreError> {
        match self {
            SharedStore::Memory(m) => {
                m.put(key, value, ttl, Only::Always);
                Ok(())
            }
            SharedStore::Redis(r) => r.set(key, value, ttl, Only::Always).await.map(|_| ()),
        }
    }

    /// Replaces the value under `key` only if it still holds one; tells whether it did. A
    /// record rewritten this way (a session sliding its idle timeout) cannot be brought back
    /// by a write racing its removal.
    pub async fn put_if_present(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, SharedStoreError> {
        match self {
            SharedStore::Memory(m) => Ok(m.put(key, value, ttl, Only::IfPresent)),
            SharedStore::Redis(r) => r.set(key, value, ttl, Only::IfPresent).await,
        }
    }

    /// Stores `value` only if `key` holds nothing; tells whether it did.
    pub async fn put_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, SharedStoreError> {
        match self {
            SharedStore::Memory(m) => Ok(m.put(key, value, ttl, Only::IfAbsent)),
            SharedStore::Redis(r) => r.set(key, value, ttl, Only::IfAbsent).await,
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, SharedStoreError> {
        match self {
            SharedStore::Memory(m) => Ok(m.get(key, false)),
            SharedStore::Redis(r) => r.run(|mut c, k| async move { c.get(k).await }, key).await,
        }
    }

    /// Reads `key` (a JSON object) and, in the same round trip, for each of `linked` the key
    /// named by it followed by the object's string field `field`, then each of `plain`: a
    /// session, its employee's revocation marker and whatever else is kept per employee, in one
    /// read. The linked values are `None` when the first is missing or has no such field.
    pub async fn get_linked(
        &self,
        key: &str,
        field: &str,
        linked: &[&str],
        plain: &[&str],
    ) -> Result<(Option<Vec<u8>>, Vec<Option<Vec<u8>>>), SharedStoreError> {
        match self {
            SharedStore::Memory(m) => {
                let first = m.get(key, false);
                let id = first.as_deref().and_then(|first| {
                    serde_json::from_slice::<serde_json::Value>(first)
                        .ok()?
                        .get(field)?
                        .as_str()
                        .map(str::to_owned)
                });
                let rest = linked
                    .iter()
                    .map(|prefix| {
                        id.as_deref()
                            .and_then(|id| m.get(&format!("{prefix}{id}"), false))
                    })
                    .chain(plain.iter().map(|k| m.get(k, false)))
                    .collect();
                Ok((first, rest))
            }
            SharedStore::Redis(r) => r.get_linked(key, field, linked, plain).await,
        }
    }

    /// Stores `value` under `key` only if each of `guards` still holds what it is expected to
    /// hold (`None`: nothing), checked and written in one step; tells whether it did. A value
    /// computed from the database is kept only if no change was signalled while it was read.
    pub async fn put_if_unchanged(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
        guards: &[(&str, Option<&[u8]>)],
    ) -> Result<bool, SharedStoreError> {
        match self {
            SharedStore::Memory(m) => Ok(m.put_if_unchanged(key, value, ttl, guards)),
            SharedStore::Redis(r) => r.put_if_unchanged(key, value, ttl, guards).await,
        }
    }

    /// Reads and removes `key` in one step: a single-use value is used once.
    pub async fn take(&self, key: &str) -> Result<Option<Vec<u8>>, SharedStoreError> {
        match self {
            SharedStore::Memory(m) => Ok(m.get(key, true)),
            SharedStore::Redis(r) => {
                r.run(|mut c, k| async move { c.get_del(k).await }, key)
                    .await
            }
        }
    }

    /// Removes `key`; tells whether it was there.
    pub async fn delete(&self, key: &str) -> Result<bool, SharedStoreError> {
        match self {
            SharedStore::Memory(m) => Ok(m.get(key, true).is_some()),
            SharedStore::Redis(r) => {
                let n: i64 = r.run(|mut c, k| async move { c.del(k).await }, key).await?;
                Ok(n > 0)
            }
        }
    }

    /// Publishes `payload` on the pub/sub channel `channel` (under the key prefix) to every
    /// instance's subscriber. The in-process store has no other instances: it publishes nothing.
    pub async fn publish(&self, channel: &str, payload: &str) -> Result<(), SharedStoreError> {
        match self {
            SharedStore::Memory(_) => Ok(()),
            SharedStore::Redis(r) => {
                let payload = payload.to_owned();
                let _receivers: i64 = r
                    .run(
                        move |mut c, ch| async move { c.publish(ch, payload).await },
                        channel,
                    )
                    .await?;
                Ok(())
            }
        }
    }

    /// For a pub/sub subscriber: the Redis client and the full name of `channel`; None for the
    /// in-process store.
    pub fn pubsub(&self, channel: &str) -> Option<(redis::Client, String)> {
        match self {
            SharedStore::Memory(_) => None,
            SharedStore::Redis(r) => {
                Some((r.inner.client.clone(), format!("{}{channel}", r.prefix)))
            }
        }
    }

    /// Gives `key` a new time to live (sliding idle timeout); false if it no longer exists.
    pub async fn touch(&self, key: &str, ttl: Duration) -> Result<bool, SharedStoreError> {
        match self {
            SharedStore::Memory(m) => Ok(m.touch(key, ttl)),
            SharedStore::Redis(r) => {
                let ms = ttl.as_millis().max(1) as i64;
                r.run(move |mut c, k| async move { c.pexpire(k, ms).await }, key)
                    .await
            }
        }
    }

    /// Time left for `key`, or None if it does not exist.
    pub async fn ttl(&self, key: &str) -> Result<Option<Duration>, SharedStoreError> {
        match self {
            SharedStore::Memory(m) => Ok(m.ttl(key)),
            SharedStore::Redis(r) => {
                let ms: i64 = r
                    .run(|mut c, k| async move { c.pttl(k).await }, key)
                    .await?;
                Ok((ms >= 0).then(|| Duration::from_millis(ms as u64)))
            }
        }
    }

    /// Counts one more event in a fixed window starting at the first event: returns the count
    /// so far and the time left in the window (rate limits shared by every instance).
    pub async fn hit(
        &self,
        key: &str,
        window: Duration,
    ) -> Result<(u64, Duration), SharedStoreError> {
        match self {
            SharedStore::Memory(m) => Ok(m.hit(key, window)),
            SharedStore::Redis(r) => r.hit(key, window).await,
        }
    }

    /// The count of a [`SharedStore::hit`] window so far and its time left, without counting.
    pub async fn hits(&self, key: &str) -> Result<(u64, Duration), SharedStoreError> {
        match self {
            SharedStore::Memory(m) => {
                let count = m
                    .get(key, false)
                    .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
                    .map_or(0, u64::from_be_bytes);
                Ok((count, m.ttl(key).unwrap_or_default()))
            }
            SharedStore::Redis(r) => {
                let key = format!("{}{key}", r.prefix);
                let mut pipe = redis::pipe();
                pipe.cmd("GET").arg(&key).cmd("PTTL").arg(&key);
                let (count, left): (Option<u64>, i64) = r.query_pipe(&pipe).await?;
                Ok((
                    count.unwrap_or(0),
                    Duration::from_millis(left.max(0) as u64),
                ))
            }
        }
    }

    /// Adds `member` to the set at `key`, which then lives for `ttl` (indexes such as "the
    /// sessions of an employee").
    pub async fn set_add(
        &self,
        key: &str,
        member: &str,
        ttl: Duration,
    ) -> Result<(), SharedStoreError> {
        match self {
            SharedStore::Memory(m) => {
                m.set_add(key, member, ttl);
                Ok(())
            }
            SharedStore::Redis(r) => r.set_add(key, member, ttl).await,
        }
    }

    pub async fn set_remove(&self, key: &str, member: &str) -> Result<(), SharedStoreError> {
        match self {
            SharedStore::Memory(m) => {
                m.set_remove(key, member);
                Ok(())
            }
            SharedStore::Redis(r) => {
                let member = member.to_owned();
                r.run(
                    move |mut c, k| async move { c.srem::<_, _, i64>(k, member).await },
                    key,
                )
                .await
                .map(|_| ())
            }
        }
    }

    pub async fn set_members(&self, key: &str) -> Result<Vec<String>, SharedStoreError> {
        match self {
            SharedStore::Memory(m) => Ok(m.set_members(key)),
            SharedStore::Redis(r) => {
                r.run(|mut c, k| async move { c.smembers(k).await }, key)
                    .await
            }
        }
    }

    /// Checks the store answers (the readiness probe).
    pub async fn ping(&self) -> Result<(), SharedStoreError> {
        match self {
            SharedStore::Memory(_) => Ok(()),
            SharedStore::Redis(r) => r.ping().await,
        }
    }
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, (Vec<u8>, DateTime<Utc>)>,
    sets: HashMap<String, (std::collections::BTreeSet<String>, DateTime<Utc>)>,
    writes: u64,
}

/// When a write goes through.
#[derive(Debug, Clone, Copy)]
enum Only {
    Always,
    IfAbsent,
    IfPresent,
}

#[derive(Clone)]
pub struct MemoryStore {
    prefix: String,
    clock: SharedClock,
    entries: Arc<Mutex<Entries>>,
}

impl MemoryStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A poisoned lock only means another thread panicked mid-update of a cache entry; the
        // map itself is still consistent, so keep serving.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn expiry(&self, ttl: Duration) -> DateTime<Utc> {
        chrono::Duration::from_std(ttl)
            .ok()
            .and_then(|d| self.clock.now().checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    fn put(&self, key: &str, value: &[u8], ttl: Duration, only: Only) -> bool {
        let now = self.clock.now();
        let expires = self.expiry(ttl);
        let key = format!("{}{key}", self.prefix);
        let mut entries = self.lock();
        entries.writes += 1;
        if entries.writes.is_multiple_of(1024) {
            entries.map.retain(|_, (_, exp)| *exp > now);
            entries.sets.retain(|_, (_, exp)| *exp > now);
        }
        let present = entries.map.get(&key).is_some_and(|(_, exp)| *exp > now);
        match only {
            Only::IfAbsent if present => return false,
            Only::IfPresent if !present => return false,
            _ => {}
        }
        entries.map.insert(key, (value.to_vec(), expires));
        true
    }

    fn get(&self, key: &str, remove: bool) -> Option<Vec<u8>> {
        let now = self.clock.now();
        let key = format!("{}{key}", self.prefix);
        let mut entries = self.lock();
        let live = entries.map.get(&key).is_some_and(|(_, exp)| *exp > now);
        if !live || remove {
            return entries.map.remove(&key).filter(|_| live).map(|(v, _)| v);
        }
        entries.map.get(&key).map(|(v, _)| v.clone())
    }

    fn put_if_unchanged(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
        guards: &[(&str, Option<&[u8]>)],
    ) -> bool {
        let now = self.clock.now();
        let expires = self.expiry(ttl);
        let mut entries = self.lock();
        let unchanged = guards.iter().all(|(k, expected)| {
            let held = entries
                .map
                .get(&format!("{}{k}", self.prefix))
                .filter(|(_, exp)| *exp > now)
                .map(|(v, _)| v.as_slice());
            held == *expected
        });
        if unchanged {
            entries
                .map
                .insert(format!("{}{key}", self.prefix), (value.to_vec(), expires));
        }
        unchanged
    }

    fn hit(&self, key: &str, window: Duration) -> (u64, Duration) {
        let now = self.clock.now();
        let key = format!("{}{key}", self.prefix);
        let fresh = self.expiry(window);
        let mut entries = self.lock();
        let entry = entries
            .map
            .entry(key)
            .or_insert_with(|| (0u64.to_be_bytes().to_vec(), fresh));
        if entry.1 <= now {
            *entry = (0u64.to_be_bytes().to_vec(), fresh);
        }
        let count = entry
            .0
            .as_slice()
            .try_into()
            .map(u64::from_be_bytes)
            .unwrap_or(0)
            + 1;
        entry.0 = count.to_be_bytes().to_vec();
        let left = (entry.1 - now).to_std().unwrap_or_default();
        (count, left)
    }

    fn set_add(&self, key: &str, member: &str, ttl: Duration) {
        let now = self.clock.now();
        let expires = self.expiry(ttl);
        let key = format!("{}{key}", self.prefix);
        let mut entries = self.lock();
        let set = entries.sets.entry(key).or_default();
        if set.1 <= now {
            set.0.clear();
        }
        set.0.insert(member.to_owned());
        set.1 = expires;
    }

    fn set_remove(&self, key: &str, member: &str) {
        let key = format!("{}{key}", self.prefix);
        if let Some(set) = self.lock().sets.get_mut(&key) {
            set.0.remove(member);
        }
    }

    fn set_members(&self, key: &str) -> Vec<String> {
        let now = self.clock.now();
        let key = format!("{}{key}", self.prefix);
        self.lock()
            .sets
            .get(&key)
            .filter(|(_, exp)| *exp > now)
            .map(|(set, _)| set.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn touch(&self, key: &str, ttl: Duration) -> bool {
        let now = self.clock.now();
        let expires = self.expiry(ttl);
        let key = format!("{}{key}", self.prefix);
        match self.lock().map.get_mut(&key) {
            Some((_, exp)) if *exp > now => {
                *exp = expires;
                true
            }
            _ => false,
        }
    }

    fn ttl(&self, key: &str) -> Option<Duration> {
        let now = self.clock.now();
        let key = format!("{}{key}", self.prefix);
        self.lock()
            .map
            .get(&key)
            .and_then(|(_, exp)| (*exp - now).to_std().ok())
            .filter(|d| !d.is_zero())
    }
}

#[derive(Clone)]
pub struct RedisStore {
    prefix: String,
    inner: Arc<RedisInner>,
}

struct RedisInner {
    client: redis::Client,
    config: ConnectionManagerConfig,
    /// The connection in use and its generation; replaced after a timeout.
    connection: std::sync::RwLock<(u64, ConnectionManager)>,
}

impl RedisStore {
    async fn connect(config: &SessionsConfig) -> Result<RedisStore, SharedStoreError> {
        let url = config.redis_url.redacted();
        let connect_error = |e: redis::RedisError| SharedStoreError::Connect {
            url: url.clone(),
            reason: crate::store::db::one_line(&e.to_string()),
        };
        let client = redis::Client::open(config.redis_url.expose()).map_err(connect_error)?;
        let timeout = Duration::from_millis(config.redis_timeout_ms.max(1));
        // Fail fast and retry soon: after Redis restarts, the next command reconnects within
        // about a second instead of waiting out a long exponential backoff.
        let manager_config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(2)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(500));
        let connection = ConnectionManager::new_with_config(client.clone(), manager_config.clone())
            .await
            .map_err(connect_error)?;
        let store = RedisStore {
            prefix: config.key_prefix.clone(),
            inner: Arc::new(RedisInner {
                client,
                config: manager_config,
                connection: std::sync::RwLock::new((0, connection)),
            }),
        };
        store.ping().await.map_err(|e| SharedStoreError::Connect {
            url,
            reason: e.to_string(),
        })?;
        Ok(store)
    }

    fn connection(&self) -> (u64, ConnectionManager) {
        let guard = self
            .inner
            .connection
            .read()
            .unwrap_or_else(|p| p.into_inner());
        (guard.0, guard.1.clone())
    }

    /// Maps a failed command to an error; after a timeout, replaces the connection (once per
    /// generation, however many commands timed out on it) with a new one made on next use.
    fn failed(&self, generation: u64, e: redis::RedisError) -> SharedStoreError {
        if e.is_timeout() {
            let mut guard = self
                .inner
                .connection
                .write()
                .unwrap_or_else(|p| p.into_inner());
            if guard.0 == generation {
                match ConnectionManager::new_lazy_with_config(
                    self.inner.client.clone(),
                    self.inner.config.clone(),
                ) {
                    Ok(fresh) => {
                        *guard = (generation + 1, fresh);
                        tracing::warn!("redis command timed out; reconnecting");
                    }
                    Err(err) => tracing::warn!(error = %err, "redis reconnect failed"),
                }
            }
        }
        unavailable(e)
    }

    async fn run<T, F, Fut>(&self, f: F, key: &str) -> Result<T, SharedStoreError>
    where
        F: FnOnce(ConnectionManager, String) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let (generation, connection) = self.connection();
        f(connection, format!("{}{key}", self.prefix))
            .await
            .map_err(|e| self.failed(generation, e))
    }

    async fn query<T: redis::FromRedisValue>(
        &self,
        cmd: &redis::Cmd,
    ) -> Result<T, SharedStoreError> {
        let (generation, mut connection) = self.connection();
        cmd.query_async(&mut connection)
            .await
            .map_err(|e| self.failed(generation, e))
    }

    async fn query_pipe<T: redis::FromRedisValue>(
        &self,
        pipe: &redis::Pipeline,
    ) -> Result<T, SharedStoreError> {
        let (generation, mut connection) = self.connection();
        pipe.query_async(&mut connection)
            .await
            .map_err(|e| self.failed(generation, e))
    }

    async fn set(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
        only: Only,
    ) -> Result<bool, SharedStoreError> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(format!("{}{key}", self.prefix))
            .arg(value)
            .arg("PX")
            .arg(ttl.as_millis().max(1) as u64);
        match only {
            Only::Always => {}
            Only::IfAbsent => {
                cmd.arg("NX");
            }
            Only::IfPresent => {
                cmd.arg("XX");
            }
        }
        let reply: Option<String> = self.query(&cmd).await?;
        Ok(reply.is_some())
    }

    async fn get_linked(
        &self,
        key: &str,
        field: &str,
        linked: &[&str],
        plain: &[&str],
    ) -> Result<(Option<Vec<u8>>, Vec<Option<Vec<u8>>>), SharedStoreError> {
        // One EVALSHA (EVAL once per connection after a restart). The linked keys are named by
        // the first's value, so they cannot be declared up front: fine on one Redis, not on a
        // cluster (which Abdi does not use).
        static SCRIPT: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| {
            redis::Script::new(
                r"local v = redis.call('GET', KEYS[1])
                local out = {v}
                local id = false
                if v then
                  local ok, doc = pcall(cjson.decode, v)
                  if ok and type(doc) == 'table' and type(doc[ARGV[1]]) == 'string' then
                    id = doc[ARGV[1]]
                  end
                end
                for i = 2, #ARGV do
                  out[i] = id and redis.call('GET', ARGV[i] .. id)
                end
                for i = 2, #KEYS do
                  out[#ARGV + i - 1] = redis.call('GET', KEYS[i])
                end
                return out",
            )
        });
        let mut invocation = SCRIPT.key(format!("{}{key}", self.prefix));
        for k in plain {
            invocation.key(format!("{}{k}", self.prefix));
        }
        invocation.arg(field);
        for prefix in linked {
            invocation.arg(format!("{}{prefix}", self.prefix));
        }
        let (generation, mut connection) = self.connection();
        let mut values: Vec<Option<Vec<u8>>> = invocation
            .invoke_async(&mut connection)
            .await
            .map_err(|e| self.failed(generation, e))?;
        // The script answers every slot (a missing key as nil); pad should a reply be short.
        values.resize(1 + linked.len() + plain.len(), None);
        let first = values.remove(0);
        Ok((first, values))
    }

    async fn put_if_unchanged(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
        guards: &[(&str, Option<&[u8]>)],
    ) -> Result<bool, SharedStoreError> {
        // ARGV: the value, its time to live, then per guard "=" and the expected value, or ""
        // for none.
        static SCRIPT: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| {
            redis::Script::new(
                r"for i = 2, #KEYS do
                  local now = redis.call('GET', KEYS[i])
                  local want = ARGV[i + 1]
                  if want == '' then
                    if now then return 0 end
                  elseif now ~= string.sub(want, 2) then
                    return 0
                  end
                end
                redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
                return 1",
            )
        });
        let mut invocation = SCRIPT.key(format!("{}{key}", self.prefix));
        invocation.arg(value).arg(ttl.as_millis().max(1) as u64);
        for (k, expected) in guards {
            invocation.key(format!("{}{k}", self.prefix));
            match expected {
                Some(v) => invocation.arg([b"=".as_slice(), v].concat()),
                None => invocation.arg(""),
            };
        }
        let (generation, mut connection) = self.connection();
        let written: i64 = invocation
            .invoke_async(&mut connection)
            .await
            .map_err(|e| self.failed(generation, e))?;
        Ok(written == 1)
    }

    async fn hit(&self, key: &str, window: Duration) -> Result<(u64, Duration), SharedStoreError> {
        let key = format!("{}{key}", self.prefix);
        let ms = window.as_millis().max(1) as u64;
        let (generation, mut connection) = self.connection();
        let (count, left): (u64, i64) = redis::pipe()
            .atomic()
            .cmd("INCR")
            .arg(&key)
            .cmd("PEXPIRE")
            .arg(&key)
            .arg(ms)
            .arg("NX")
            .ignore()
            .cmd("PTTL")
            .arg(&key)
            .query_async(&mut connection)
            .await
            .map_err(|e| self.failed(generation, e))?;
        Ok((count, Duration::from_millis(left.max(0) as u64)))
    }

    async fn set_add(
        &self,
        key: &str,
        member: &str,
        ttl: Duration,
    ) -> Result<(), SharedStoreError> {
        let key = format!("{}{key}", self.prefix);
        let (generation, mut connection) = self.connection();
        redis::pipe()
            .atomic()
            .cmd("SADD")
            .arg(&key)
            .arg(member)
            .ignore()
            .cmd("PEXPIRE")
            .arg(&key)
            .arg(ttl.as_millis().max(1) as u64)
            .ignore()
            .query_async::<()>(&mut connection)
            .await
            .map_err(|e| self.failed(generation, e))
    }

    async fn ping(&self) -> Result<(), SharedStoreError> {
        let reply: String = self.query(&redis::cmd("PING")).await?;
        if reply == "PONG" {
            Ok(())
        } else {
            Err(SharedStoreError::Unavailable(format!(
                "unexpected PING reply {reply}"
            )))
        }
    }
}

fn unavailable(e: redis::RedisError) -> SharedStoreError {
    SharedStoreError::Unavailable(crate::store::db::one_line(&e.to_string()))
}

impl From<SharedStoreError> for crate::error::ApiError {
    fn from(e: SharedStoreError) -> Self {
        tracing::warn!(error = %e, "session store unavailable");
        crate::error::ApiError::unavailable("Penyimpanan sesi", "The session store")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    fn store() -> (SharedStore, ManualClock) {
        let clock = ManualClock::at(DateTime::from_timestamp(1_790_000_000, 0).unwrap());
        (SharedStore::memory("t:", Arc::new(clock.clone())), clock)
    }

    #[tokio::test]
    async fn memory_values_expire_with_the_clock() {
        let (s, clock) = store();
        s.put("a", b"1", Duration::from_secs(60)).await.unwrap();
        assert_eq!(s.get("a").await.unwrap().as_deref(), Some(&b"1"[..]));
        assert_eq!(s.ttl("a").await.unwrap(), Some(Duration::from_secs(60)));
        clock.advance(Duration::from_secs(59));
        assert!(s.touch("a", Duration::from_secs(60)).await.unwrap());
        clock.advance(Duration::from_secs(59));
        assert!(
            s.get("a").await.unwrap().is_some(),
            "touch extended the life"
        );
        clock.advance(Duration::from_secs(2));
        assert_eq!(s.get("a").await.unwrap(), None);
        assert!(!s.touch("a", Duration::from_secs(60)).await.unwrap());
    }

    #[tokio::test]
    async fn memory_take_is_single_use_and_put_if_absent_respects_expiry() {
        let (s, clock) = store();
        assert!(
            s.put_if_absent("k", b"x", Duration::from_secs(5))
                .await
                .unwrap()
        );
        assert!(
            !s.put_if_absent("k", b"y", Duration::from_secs(5))
                .await
                .unwrap()
        );
        clock.advance(Duration::from_secs(6));
        assert!(
            s.put_if_absent("k", b"z", Duration::from_secs(5))
                .await
                .unwrap()
        );
        assert_eq!(s.take("k").await.unwrap().as_deref(), Some(&b"z"[..]));
        assert_eq!(s.take("k").await.unwrap(), None);
        assert!(!s.delete("k").await.unwrap());
    }

    #[tokio::test]
    async fn memory_accepts_any_ttl_without_overflow() {
        let (s, _) = store();
        s.put("forever", b"v", Duration::MAX).await.unwrap();
        assert!(s.get("forever").await.unwrap().is_some());
        assert!(s.touch("forever", Duration::MAX).await.unwrap());
    }
}
