//! `[notifications]`: the outbox worker, its retries, and the push providers.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Notifications: the outbox worker, its retries, and the push providers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationsConfig {
    /// Run the delivery worker in `serve` (every instance may run one; they share the work).
    pub worker: bool,
    /// Deliveries one worker claims at a time.
    pub batch_size: u32,
    /// How long a claim lasts; a worker that dies mid-batch leaves its deliveries to others
    /// after this.
    pub lease_secs: u64,
    /// Attempts before a delivery is dead-lettered.
    pub max_attempts: u32,
    /// The first retry waits about this long (with jitter), each next one twice as long.
    pub backoff_base_ms: u64,
    pub backoff_max_secs: u64,
    /// How often an idle worker looks for work another instance queued.
    pub poll_interval_ms: u64,
    /// Send news about requests by email (to the employee's address).
    pub email: bool,
    /// Firebase Cloud Messaging HTTP v1: off unless a service-account JSON file is given.
    pub fcm_service_account: Option<PathBuf>,
    /// FCM's base URL (messages go to `{fcm_url}/v1/projects/{project}/messages:send`).
    pub fcm_url: String,
    /// Apple Push Notification service: off unless a `.p8` key is given.
    pub apns_key_path: Option<PathBuf>,
    pub apns_key_id: String,
    pub apns_team_id: String,
    /// The app's bundle id (`apns-topic`).
    pub apns_topic: String,
    /// `https://api.push.apple.com`, or `https://api.sandbox.push.apple.com` for development
    /// builds. A plain `http://` URL speaks HTTP/2 without TLS (test endpoints).
    pub apns_url: String,
    /// Timeout of one call to a provider or the mail server.
    pub send_timeout_secs: u64,
    /// A comment line on idle event streams this often, so proxies keep them open.
    pub stream_keepalive_secs: u64,
    /// Event streams one session may hold open at once (past that, 429).
    pub streams_per_session: u32,
}
