//! The time, as abdi-core reads it: through a [`Clock`] the caller hands in, so tests can set
//! it. [`SystemClock`] is the only reader of the wall clock in the crate (the workspace's clippy
//! `disallowed-methods` rule forbids `Utc::now` and `SystemTime::now` everywhere else);
//! [`ManualClock`] is a clock tests set and advance.

use std::fmt::Debug;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, TimeDelta, Utc};

/// Where abdi-core reads the time.
pub trait Clock: Send + Sync + Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// A clock shared by everything a [`crate::Client`] does.
pub type SharedClock = Arc<dyn Clock>;

/// The phone's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl SystemClock {
    /// A [`SharedClock`] reading the wall clock: the default everywhere.
    pub fn shared() -> SharedClock {
        Arc::new(SystemClock)
    }
}

impl Clock for SystemClock {
    // The one reader of the wall clock in abdi-core: everything else asks a `Clock`.
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until it is set or advanced (to the millisecond). Clones share
/// the same time, so a test keeps one and hands another to the code under test.
#[derive(Debug, Clone)]
pub struct ManualClock {
    millis: Arc<AtomicI64>,
}

impl ManualClock {
    /// A clock showing `t` (truncated to the millisecond).
    pub fn at(t: DateTime<Utc>) -> Self {
        Self {
            millis: Arc::new(AtomicI64::new(t.timestamp_millis())),
        }
    }

    /// This clock as a [`SharedClock`] (sharing its time with `self`).
    pub fn shared(&self) -> SharedClock {
        Arc::new(self.clone())
    }

    /// Moves the clock to `t`, forwards or back.
    pub fn set(&self, t: DateTime<Utc>) {
        self.millis.store(t.timestamp_millis(), Ordering::SeqCst);
    }

    /// Moves the clock on by `by` (back, when negative).
    pub fn advance(&self, by: TimeDelta) {
        let by = by.num_milliseconds();
        // `fetch_update` only fails when the closure returns `None`, which this one never does.
        let _ = self
            .millis
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |ms| {
                Some(ms.saturating_add(by))
            });
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        let ms = self.millis.load(Ordering::SeqCst);
        DateTime::from_timestamp_millis(ms).unwrap_or(if ms < 0 {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn a_manual_clock_is_set_and_advanced_and_shared_by_its_clones() {
        let clock = ManualClock::at(t("2026-03-01T08:00:00.123456Z"));
        let shared = clock.shared();
        assert_eq!(shared.now(), t("2026-03-01T08:00:00.123Z"));
        clock.advance(TimeDelta::days(2) + TimeDelta::milliseconds(877));
        assert_eq!(shared.now(), t("2026-03-03T08:00:01Z"));
        clock.advance(TimeDelta::hours(-1));
        assert_eq!(shared.now(), t("2026-03-03T07:00:01Z"));
        clock.set(t("2030-01-01T00:00:00Z"));
        assert_eq!(shared.now(), t("2030-01-01T00:00:00Z"));
        assert_eq!(clock.now(), shared.now());
    }

    #[test]
    fn a_manual_clock_saturates_instead_of_wrapping() {
        let clock = ManualClock::at(DateTime::<Utc>::MAX_UTC);
        clock.advance(TimeDelta::MAX);
        assert_eq!(
            clock.now().timestamp_millis(),
            DateTime::<Utc>::MAX_UTC.timestamp_millis()
        );
    }
}
