//! `[log]`: the format and filter of the logs.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Json,
    Pretty,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    pub format: LogFormat,
    /// A tracing filter, e.g. `info` or `abdi_server=debug,sqlx=warn`.
    pub level: String,
    /// A request that takes at least this long is logged at info; the others at debug (a
    /// failed one, 5xx, always at error).
    pub slow_request_ms: u64,
}
