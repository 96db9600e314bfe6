//! The outbox: events written in the transaction of the change they announce, each with one
//! delivery per channel and target; deliveries claimed by workers under a lease, retried with
//! exponential backoff and jitter (or the provider's Retry-After), dead-lettered after the
//! configured attempts.
//!
//! A claim is a lease: the worker that holds it records the outcome only while the claim is
//! still its own. A worker that dies mid-batch loses nothing: its deliveries become due again
//! when the lease ends and another worker sends them.

use std::time::Duration;

use abdi_proto::Text;
use abdi_proto::notifications::NotificationKind;
use abdi_proto::services::{Outcome, RequestStatus};
use chrono::{DateTime, Utc};
use rand::Rng;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::entity::{DeliveryState, delivery, device, event, preference};
use crate::masterdata::entity::employee;

/// Delivery channels.
pub const STREAM: &str = "stream";
pub const EMAIL: &str = "email";

/// A notification about to be written.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub employee_id: Uuid,
    pub kind: NotificationKind,
    pub title: Text,
    pub body: Text,
    pub request_id: Option<Uuid>,
    pub status: Option<RequestStatus>,
    pub outcome: Option<Outcome>,
    /// The employee did it themselves: the inbox and the stream get it, push and email do not.
    pub quiet: bool,
}

/// Preference channels (push covers FCM and APNs).
pub const PREF_PUSH: &str = "push";
pub const PREF_EMAIL: &str = "email";

/// Writes the event and its deliveries on `db` (the caller's transaction). Returns its id.
pub async fn emit<C: ConnectionTrait>(
    db: &C,
    at: DateTime<Utc>,
    e: NewEvent,
) -> Result<i64, DbErr> {
    let security = e.kind.is_security();
    let id = event::Entity::insert(event::ActiveModel {
        employee_id: Set(e.employee_id),
        kind: Set(e.kind),
        security: Set(security),
        title_id: Set(e.title.id),
        title_en: Set(e.title.en),
        body_id: Set(e.body.id),
        body_en: Set(e.body.en),
        request_id: Set(e.request_id),
        status: Set(e.status),
        outcome: Set(e.outcome),
        created_at: Set(at),
        read_at: Set(None),
        ..Default::default()
    })
    .exec(db)
    .await?
    .last_insert_id;

    let mut targets: Vec<(String, String)> = vec![(STREAM.to_owned(), String::new())];
    if !e.quiet {
        let prefs = preferences(db, e.employee_id).await?;
        if security || prefs.push {
            for d in device::Entity::find()
                .filter(device::Column::EmployeeId.eq(e.employee_id))
                .order_by_asc(device::Column::CreatedAt)
                .all(db)
                .await?
            {
                targets.push((d.platform, d.id.to_string()));
            }
        }
        if security || prefs.email {
            let address = employee::Entity::find_by_id(e.employee_id)
                .one(db)
                .await?
                .and_then(|emp| emp.email)
                .filter(|a| !a.trim().is_empty());
            if let Some(address) = address {
                targets.push((EMAIL.to_owned(), address));
            }
        }
    }
    delivery::Entity::insert_many(targets.into_iter().map(|(channel, target)| {
        delivery::ActiveModel {
            event_id: Set(id),
            channel: Set(channel),
            target: Set(target),
            state: Set(DeliveryState::Pending),
            attempts: Set(0),
            next_attempt_at: Set(at),
            lease_owner: Set(None),
            lease_until: Set(None),
            last_error: Set(None),
            created_at: Set(at),
            finished_at: Set(None),
            ..Default::default()
        }
    }))
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// The employee's channel preferences (both on until changed).
pub async fn preferences<C: ConnectionTrait>(
    db: &C,
    employee_id: Uuid,
) -> Result<abdi_proto::notifications::Preferences, DbErr> {
    let mut prefs = abdi_proto::notifications::Preferences::default();
    for row in preference::Entity::find()
        .filter(preference::Column::EmployeeId.eq(employee_id))
        .all(db)
        .await?
    {
        match row.channel.as_str() {
            PREF_PUSH => prefs.push = row.enabled,
            PREF_EMAIL => prefs.email = row.enabled,
            _ => {}
        }
    }
    Ok(prefs)
}

/// Claims up to `limit` due deliveries for `owner` until `lease_until`, counting the attempt.
/// Deliveries another worker holds (locked, or under an unexpired lease) are skipped.
pub async fn claim(
    db: &DatabaseConnection,
    owner: Uuid,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<delivery::Model>, DbErr> {
    let txn = crate::store::db::write_txn(db).await?;
    let mut due = delivery::Entity::find()
        .select_only()
        .column(delivery::Column::Id)
        .filter(delivery::Column::State.eq(DeliveryState::Pending))
        .filter(delivery::Column::NextAttemptAt.lte(now))
        .filter(
            delivery::Column::LeaseUntil
                .is_null()
                .or(delivery::Column::LeaseUntil.lte(now)),
        )
        .order_by_asc(delivery::Column::NextAttemptAt)
        .order_by_asc(delivery::Column::Id)
        .limit(limit);
    if txn.get_database_backend() == DbBackend::Postgres {
        due = due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let ids: Vec<i64> = due.into_tuple().all(&txn).await?;
    if ids.is_empty() {
        txn.commit().await?;
        return Ok(Vec::new());
    }
    delivery::Entity::update_many()
        .col_expr(delivery::Column::LeaseOwner, Expr::value(owner))
        .col_expr(delivery::Column::LeaseUntil, Expr::value(lease_until))
        .col_expr(
            delivery::Column::Attempts,
            Expr::col(delivery::Column::Attempts).add(1),
        )
        .filter(delivery::Column::Id.is_in(ids.clone()))
        .exec(&txn)
        .await?;
    let claimed = delivery::Entity::find()
        .filter(delivery::Column::Id.is_in(ids))
        .order_by_asc(delivery::Column::Id)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(claimed)
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Delivered,
    /// Try again: after the provider's Retry-After if it gave one, else after the backoff.
    Retry {
        after: Option<Duration>,
        error: String,
    },
    /// A permanent failure: no retry.
    Dead(String),
    /// Nothing to deliver to any more.
    Dropped(String),
}

/// Retry timing.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
    pub max_attempts: u32,
}

impl Backoff {
    /// The wait after the `attempts`-th failed attempt: base·2^(attempts−1), capped, then drawn
    /// uniformly from its upper half ("equal jitter"), so retries of a burst spread out.
    pub fn delay(&self, attempts: u32) -> Duration {
        let exp = Ord::min(attempts.saturating_sub(1), 30);
        let full = Ord::min(self.base.saturating_mul(1u32 << exp), self.max);
        let half = full / 2;
        let jitter_ms = rand::rng().random_range(0..=half.as_millis() as u64);
        half + Duration::from_millis(jitter_ms)
    }
}

/// Records the outcome of an attempt, if the claim is still `owner`'s. Returns the state
/// written (None when the lease was lost and another worker owns the delivery now).
pub async fn finish(
    db: &DatabaseConnection,
    d: &delivery::Model,
    owner: Uuid,
    now: DateTime<Utc>,
    attempt: &Attempt,
    backoff: &Backoff,
) -> Result<Option<DeliveryState>, DbErr> {
    let attempts = u32::try_from(d.attempts).unwrap_or(0);
    let mut q = delivery::Entity::update_many()
        .col_expr(
            delivery::Column::LeaseOwner,
            Expr::value(Option::<Uuid>::None),
        )
        .col_expr(
            delivery::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        );
    let state = match attempt {
        Attempt::Delivered => {
            q = q.col_expr(
                delivery::Column::LastError,
                Expr::value(Option::<String>::None),
            );
            DeliveryState::Delivered
        }
        Attempt::Dead(error) | Attempt::Dropped(error) => {
            q = q.col_expr(delivery::Column::LastError, Expr::value(clip(error)));
            if matches!(attempt, Attempt::Dead(_)) {
                DeliveryState::Dead
            } else {
                DeliveryState::Dropped
            }
        }
        Attempt::Retry { after, error } => {
            q = q.col_expr(delivery::Column::LastError, Expr::value(clip(error)));
            if attempts >= backoff.max_attempts {
                DeliveryState::Dead
            } else {
                let wait = after
                    .map(|a| Ord::min(a, backoff.max))
                    .unwrap_or_else(|| backoff.delay(attempts));
                let next = now + chrono::Duration::from_std(wait).unwrap_or_default();
                q = q.col_expr(delivery::Column::NextAttemptAt, Expr::value(next));
                DeliveryState::Pending
            }
        }
    };
    q = q.col_expr(delivery::Column::State, Expr::value(state));
    if state != DeliveryState::Pending {
        q = q.col_expr(delivery::Column::FinishedAt, Expr::value(now));
    }
    let done = q
        .filter(delivery::Column::Id.eq(d.id))
        .filter(delivery::Column::LeaseOwner.eq(owner))
        .filter(delivery::Column::State.eq(DeliveryState::Pending))
        .exec(db)
        .await?;
    Ok((done.rows_affected == 1).then_some(state))
}

fn clip(s: &str) -> String {
    crate::store::db::one_line(s).chars().take(500).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_its_jitter_and_stops_at_the_cap() {
        let b = Backoff {
            base: Duration::from_secs(2),
            max: Duration::from_secs(60),
            max_attempts: 8,
        };
        for _ in 0..200 {
            for (attempt, full) in [(1, 2), (2, 4), (3, 8), (5, 32), (6, 60), (20, 60)] {
                let d = b.delay(attempt);
                let full = Duration::from_secs(full);
                assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
            }
        }
    }
}
