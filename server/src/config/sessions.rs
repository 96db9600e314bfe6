//! `[sessions]`: the shared store (Redis or in-process).

use serde::{Deserialize, Serialize};

use super::secret::SecretUrl;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionBackend {
    /// In-process: for one instance (the embedded default) and tests.
    Memory,
    /// Redis: shared by every instance.
    Redis,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionsConfig {
    pub backend: SessionBackend,
    /// `redis://[:password@]host:port[/db]`, used when `backend = "redis"`.
    pub redis_url: SecretUrl,
    /// Every key this instance writes starts with this prefix.
    pub key_prefix: String,
    /// A Redis command not answered in this time fails (and the connection is re-established).
    pub redis_timeout_ms: u64,
}
