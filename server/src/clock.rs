//! Time is passed in, never read from a global, so expiry and yearly rules are testable.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDate, Utc};

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;

    /// Today in Western Indonesia Time (UTC+7), the date that regulations speak of.
    fn today(&self) -> NaiveDate {
        wib_date(self.now())
    }
}

/// The date of `t` in Western Indonesia Time (UTC+7).
pub fn wib_date(t: DateTime<Utc>) -> NaiveDate {
    (t + chrono::Duration::hours(7)).date_naive()
}

/// `time` on `day` in Western Indonesia Time, as UTC.
pub fn wib_instant(day: NaiveDate, time: chrono::NaiveTime) -> DateTime<Utc> {
    day.and_time(time).and_utc() - chrono::Duration::hours(7)
}

/// The first moment of `day` in Western Indonesia Time (UTC+7), as UTC.
pub fn jakarta_midnight(day: NaiveDate) -> DateTime<Utc> {
    wib_instant(day, chrono::NaiveTime::MIN)
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    /// The one reader of the wall clock in the server (clippy's `disallowed-methods` refuses
    /// `Utc::now` everywhere else).
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock tests set and advance by hand.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn at(t: DateTime<Utc>) -> Self {
        Self(Arc::new(AtomicI64::new(t.timestamp_millis())))
    }

    pub fn advance(&self, by: std::time::Duration) {
        self.0.fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.0.load(Ordering::SeqCst)).unwrap_or_default()
    }
}

pub type SharedClock = Arc<dyn Clock>;
