//! Fixed-window rate limits kept in the session store, so every instance counts together.

use std::time::Duration;

use super::IdentityError;
use crate::store::session::SessionStore;

#[derive(Debug, Clone)]
pub struct RateLimiter {
    store: SessionStore,
    window: Duration,
}

impl RateLimiter {
    pub fn new(store: SessionStore, window: Duration) -> Self {
        Self { store, window }
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
