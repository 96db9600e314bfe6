//! `[sharing]`: the data API for other government systems and the public statistics.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SharingConfig {
    /// An access token's life. A revoked client or credential is refused on the next call
    /// whatever this is: every call reads the client's state.
    pub token_ttl_secs: u64,
    /// Counts from 1 to `threshold - 1` are never published (0 is safe).
    pub statistics_threshold: u32,
    /// The statistics are computed again this long after the last time (and after an import).
    pub statistics_refresh_hours: u64,
    /// The header in which the deployment's TLS terminator hands over the client system's
    /// certificate, URL-escaped PEM (nginx: `proxy_set_header X-Client-Cert
    /// $ssl_client_escaped_cert;`). Read only from `server.trusted_proxies`. Empty: mutual TLS
    /// is not offered and no client may register with it.
    pub client_certificate_header: String,
}

impl Default for SharingConfig {
    fn default() -> Self {
        Self {
            token_ttl_secs: 300,
            statistics_threshold: 10,
            statistics_refresh_hours: 24,
            client_certificate_header: String::new(),
        }
    }
}
