//! Fixed-window rate limits kept in the session store, so every instance counts together.

use std::net::{IpAddr, Ipv6Addr};
use std::time::Duration;

use super::IdentityError;
use crate::store::shared::SharedStore;

/// An address as a rate limit counts it: IPv4 whole, IPv6 by its /64, which one subscriber
/// usually holds whole (an IPv4-mapped IPv6 address as the IPv4 it is).
pub(crate) fn subscriber(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

#[derive(Debug, Clone)]
pub struct RateLimiter {
    store: SharedStore,
    window: Duration,
}

impl RateLimiter {
    pub fn new(store: SharedStore, window: Duration) -> Self {
        Self { store, window }
    }

    /// Refuses if `key` has already reached `limit` in its window, without counting anything:
    /// for limits on failures, checked before an attempt and counted only when it fails.
    pub async fn refuse_if_reached(&self, key: &str, limit: u64) -> Result<(), IdentityError> {
        let (count, left) = self.store.hits(&format!("rate:{key}")).await?;
        if count >= limit {
            return Err(IdentityError::RateLimited(left.max(Duration::from_secs(1))));
        }
        Ok(())
    }

    /// Counts one failure under `key` (see [`RateLimiter::refuse_if_reached`]).
    pub async fn count_failure(&self, key: &str) -> Result<(), IdentityError> {
        self.store
            .hit(&format!("rate:{key}"), self.window)
            .await
            .map(|_| ())
            .map_err(Into::into)
    }

    /// Counts an attempt under each `(key, limit)`; refuses with the longest wait if any is
    /// over its limit.
    pub async fn check(&self, limits: &[(String, u64)]) -> Result<(), IdentityError> {
        let mut wait = None;
        for (key, limit) in limits {
            let (count, left) = self.store.hit(&format!("rate:{key}"), self.window).await?;
            if count > *limit {
                wait = Some(wait.map_or(left, |w: Duration| w.max(left)));
            }
        }
        match wait {
            Some(w) => Err(IdentityError::RateLimited(w.max(Duration::from_secs(1)))),
            None => Ok(()),
        }
    }
}
