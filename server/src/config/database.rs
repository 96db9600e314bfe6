//! `[database]`: the connection and its pool.

use serde::{Deserialize, Serialize};

use super::secret::SecretUrl;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `postgres://user:password@host/db` or `sqlite://path?mode=rwc`.
    pub url: SecretUrl,
    pub max_connections: u32,
    pub connect_timeout_secs: u64,
    /// Apply pending migrations when `serve` starts.
    pub migrate_on_start: bool,
}
