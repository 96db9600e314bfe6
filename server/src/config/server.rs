//! `[server]`: the listener, timeouts, body limits, trusted proxies.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// A request taking longer is answered 504 `timeout`.
    pub request_timeout_secs: u64,
    /// After SIGTERM, in-flight requests get this long to finish.
    pub shutdown_grace_secs: u64,
    /// Largest accepted request body.
    pub body_limit_bytes: usize,
    /// Load balancers and reverse proxies whose `X-Forwarded-For` is believed: the client's
    /// address (for rate limits and the audit log) is the last address in it that is not one
    /// of these. Empty: the TCP peer is the client.
    #[serde(default)]
    pub trusted_proxies: Vec<std::net::IpAddr>,
}
