//! Notifications: a request's change, a new passkey or a new device reaches the employee once
//! per channel (push through FCM or APNs, email, the in-app inbox and the live event stream).
//!
//! - [`outbox`]: events are written in the transaction of the change; workers deliver them.
//! - [`push`]: the FCM and APNs clients.
//! - [`stream`]: the live stream's fan-out across instances (Redis pub/sub).
//! - [`devices`]: push tokens, one per session.
//! - [`messages`]: what each notification says, in Bahasa Indonesia and English.

pub(crate) mod devices;
pub mod entity;
pub(crate) mod messages;
pub mod outbox;
pub(crate) mod push;
mod requests;
pub(crate) mod stream;

use abdi_proto::ErrorCode;
use std::sync::Arc;
use std::time::Duration;

use abdi_proto::Text;
use abdi_proto::notifications::{
    Inbox, MarkRead, Notification, Preferences, PushPlatform, push_data,
};
use futures_util::StreamExt;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use tokio::sync::Notify;
use uuid::Uuid;

pub use devices::{DeviceSession, Devices};
pub use requests::RequestNews;

use crate::clock::SharedClock;
use crate::config::NotificationsConfig;
use crate::email::{Email, EmailError, Mailer};
use crate::error::ApiError;
use crate::store::page::{Cursor, Page};
use crate::store::shared::SharedStoreError;
use entity::{DeliveryState, delivery, device, event, preference};
use outbox::{Attempt, Backoff};
use push::{Push, PushMessage, PushOutcome};
use stream::Hub;

#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    #[error("Last-Event-ID is not a notification id")]
    LastEventId,
    #[error("the push token is empty, too long or not printable")]
    Token,
    #[error("an APNs token is hexadecimal")]
    ApnsToken,
    #[error("the app version is empty or too long")]
    AppVersion,
    #[error("neither ids nor up_to")]
    NothingToMark,
    #[error("more than 500 ids")]
    TooManyIds,
    /// The session already has its streams open; one frees itself within this long.
    #[error("too many event streams for this session")]
    TooManyStreams(std::time::Duration),
    #[error(transparent)]
    Store(#[from] SharedStoreError),
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

/// Whether a session is still open: a device whose session ended gets nothing more. Identity
/// answers it (injected by `startup`, so notifications know nothing of sessions).
#[async_trait::async_trait]
pub trait LiveSessions: Send + Sync {
    async fn is_live(&self, employee_id: Uuid, session_id: Uuid) -> Result<bool, String>;
}

/// Wakes this instance's worker after a change commits (other instances find the work when
/// they next poll).
#[derive(Clone, Default)]
pub struct Waker(Arc<Notify>);

impl Waker {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// What one drain did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DrainReport {
    pub delivered: u64,
    pub retried: u64,
    pub dead: u64,
    pub dropped: u64,
    /// Outcomes not recorded because the claim had passed to another worker.
    pub lost_lease: u64,
}

impl DrainReport {
    fn add(&mut self, state: Option<DeliveryState>) {
        match state {
            Some(DeliveryState::Delivered) => self.delivered += 1,
            Some(DeliveryState::Pending) => self.retried += 1,
            Some(DeliveryState::Dead) => self.dead += 1,
            Some(DeliveryState::Dropped) => self.dropped += 1,
            None => self.lost_lease += 1,
        }
    }
}

/// Deliveries sent at once by one worker.
const CONCURRENCY: usize = 32;

#[derive(Clone)]
pub struct Notifications {
    db: DatabaseConnection,
    clock: SharedClock,
    config: Arc<NotificationsConfig>,
    push: Push,
    mailer: Mailer,
    sessions: Arc<dyn LiveSessions>,
    pub hub: Hub,
    pub waker: Waker,
    pub devices: Devices,
    /// Where the emails send people.
    app_url: String,
}

impl Notifications {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        config: &NotificationsConfig,
        push: Push,
        mailer: Mailer,
        sessions: Arc<dyn LiveSessions>,
        hub: Hub,
        waker: Waker,
        app_url: &str,
    ) -> Self {
        Self {
            devices: Devices::new(db.clone(), clock.clone(), waker.clone()),
            db,
            clock,
            config: Arc::new(config.clone()),
            push,
            mailer,
            sessions,
            hub,
            waker,
            app_url: app_url.trim_end_matches('/').to_owned(),
        }
    }

    fn backoff(&self) -> Backoff {
        Backoff {
            base: Duration::from_millis(self.config.backoff_base_ms),
            max: Duration::from_secs(self.config.backoff_max_secs),
            max_attempts: self.config.max_attempts,
        }
    }

    /// Delivers everything due now, batch after batch, and returns what happened. Several
    /// callers (workers on several instances, tests) may drain at once; none sends a delivery
    /// another holds.
    pub async fn drain(&self) -> Result<DrainReport, DbErr> {
        let mut report = DrainReport::default();
        let owner = Uuid::new_v4();
        while self.batch(owner, &mut report).await? > 0 {}
        Ok(report)
    }

    /// Claims one batch and delivers it; returns how many were claimed.
    pub async fn batch(&self, owner: Uuid, report: &mut DrainReport) -> Result<usize, DbErr> {
        let claimed = self.claim(owner).await?;
        let n = claimed.len();
        if n == 0 {
            return Ok(0);
        }
        let ids: Vec<i64> = claimed.iter().map(|d| d.event_id).collect();
        let events: std::collections::HashMap<i64, event::Model> = event::Entity::find()
            .filter(event::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        // One target's messages go one after the other, oldest first (a phone shows "approved"
        // after "forwarded"); different targets in parallel.
        let mut queues: Vec<Vec<delivery::Model>> = Vec::new();
        let mut index: std::collections::HashMap<(String, String), usize> = Default::default();
        for d in claimed {
            let key = (d.channel.clone(), d.target.clone());
            let i = *index.entry(key).or_insert_with(|| {
                queues.push(Vec::new());
                queues.len() - 1
            });
            queues[i].push(d);
        }
        let results: Vec<Result<Vec<Option<DeliveryState>>, DbErr>> =
            futures_util::stream::iter(queues)
                .map(|queue| self.deliver_queue(queue, &events, owner))
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
        for r in results {
            for state in r? {
                report.add(state);
            }
        }
        Ok(n)
    }

    async fn deliver_queue(
        &self,
        queue: Vec<delivery::Model>,
        events: &std::collections::HashMap<i64, event::Model>,
        owner: Uuid,
    ) -> Result<Vec<Option<DeliveryState>>, DbErr> {
        let backoff = self.backoff();
        let mut states = Vec::with_capacity(queue.len());
        for d in queue {
            let attempt = match events.get(&d.event_id) {
                Some(ev) => self.deliver(&d, ev).await,
                None => Attempt::Dropped("the notification was deleted".into()),
            };
            if let Attempt::Retry { error, .. } | Attempt::Dead(error) = &attempt {
                tracing::warn!(delivery = d.id, channel = %d.channel, attempts = d.attempts, %error, "notification not delivered");
            }
            states.push(
                outbox::finish(&self.db, &d, owner, self.clock.now(), &attempt, &backoff).await?,
            );
        }
        Ok(states)
    }

    /// Claims due deliveries under a lease (tests call it to play a worker that dies).
    pub async fn claim(&self, owner: Uuid) -> Result<Vec<delivery::Model>, DbErr> {
        let now = self.clock.now();
        let lease = chrono::Duration::seconds(self.config.lease_secs as i64);
        outbox::claim(
            &self.db,
            owner,
            now,
            now + lease,
            u64::from(self.config.batch_size),
        )
        .await
    }

    async fn deliver(&self, d: &delivery::Model, ev: &event::Model) -> Attempt {
        if u32::try_from(d.attempts).unwrap_or(u32::MAX) > self.config.max_attempts {
            return Attempt::Dead("every attempt ended without an outcome".into());
        }
        match d.channel.as_str() {
            outbox::STREAM => match self.hub.publish(ev.employee_id, ev.id).await {
                Ok(()) => Attempt::Delivered,
                Err(e) => Attempt::Retry {
                    after: None,
                    error: e.to_string(),
                },
            },
            outbox::EMAIL => self.email(&d.target, ev).await,
            platform => match PushPlatform::from_code(platform) {
                Some(platform) => self.push(platform, &d.target, ev).await,
                None => Attempt::Dead(format!("unknown channel {platform}")),
            },
        }
    }

    async fn email(&self, to: &str, ev: &event::Model) -> Attempt {
        if !self.config.email {
            return Attempt::Dropped("notifications.email is off".into());
        }
        let (title, body) = texts(ev);
        let (subject, body) = messages::email(&title, &body, &self.app_url);
        match self
            .mailer
            .send(&Email {
                to: to.to_owned(),
                subject,
                body,
            })
            .await
        {
            Ok(()) => Attempt::Delivered,
            Err(e @ (EmailError::Address(_) | EmailError::Config(_))) => {
                Attempt::Dead(e.to_string())
            }
            Err(e @ EmailError::Send(_)) => Attempt::Retry {
                after: None,
                error: e.to_string(),
            },
        }
    }

    async fn push(&self, platform: PushPlatform, target: &str, ev: &event::Model) -> Attempt {
        let Some(device) = (match Uuid::parse_str(target) {
            Ok(id) => match device::Entity::find_by_id(id).one(&self.db).await {
                Ok(d) => d,
                Err(e) => {
                    return Attempt::Retry {
                        after: None,
                        error: e.to_string(),
                    };
                }
            },
            Err(_) => None,
        }) else {
            return Attempt::Dropped("the device was removed".into());
        };
        if device.platform != platform.code() {
            return Attempt::Dropped("the device moved to another platform".into());
        }
        // A device whose session ended (idle, revoked, or lost with a Redis restart) is logged
        // out: nothing more goes to its lock screen.
        match self
            .sessions
            .is_live(device.employee_id, device.session_id)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                let _ = self.devices.forget_session(device.session_id).await;
                return Attempt::Dropped("the device's session ended; device removed".into());
            }
            Err(e) => {
                return Attempt::Retry {
                    after: None,
                    error: e.to_string(),
                };
            }
        }
        let message = push_message(ev);
        let now = self.clock.now();
        let outcome = match platform {
            PushPlatform::Fcm => match &self.push.fcm {
                Some(fcm) => fcm.send(&device.token, &message, now).await,
                None => return Attempt::Dropped("FCM is not configured".into()),
            },
            PushPlatform::Apns => match &self.push.apns {
                Some(apns) => apns.send(&device.token, &message, now).await,
                None => return Attempt::Dropped("APNs is not configured".into()),
            },
        };
        match outcome {
            PushOutcome::Sent => Attempt::Delivered,
            PushOutcome::InvalidToken(error) => {
                if let Err(e) = self.devices.forget_token(&device.token).await {
                    tracing::warn!(error = %e, "an invalid push token could not be removed");
                }
                Attempt::Dropped(format!("{error}; device removed"))
            }
            PushOutcome::Retry { after, error } => Attempt::Retry { after, error },
            PushOutcome::Failed(error) => Attempt::Dead(error),
        }
    }

    /// The worker: drains when woken or every `poll_interval_ms`, until the task is aborted.
    /// A delivery in flight when it stops is sent again after its lease ends.
    pub fn spawn_worker(&self) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            let poll = Duration::from_millis(this.config.poll_interval_ms);
            loop {
                if let Err(e) = this.drain().await {
                    tracing::warn!(error = %e, "notification worker: database unavailable");
                }
                tokio::select! {
                    () = this.waker.0.notified() => {}
                    () = tokio::time::sleep(poll) => {}
                }
            }
        })
    }

    /// A page of the employee's inbox, newest first.
    pub async fn inbox(
        &self,
        employee_id: Uuid,
        page: Page<i64>,
    ) -> Result<Inbox, NotificationError> {
        let Page { after, limit } = page;
        let mut q = event::Entity::find().filter(event::Column::EmployeeId.eq(employee_id));
        if let Some(after) = after {
            q = q.filter(event::Column::Id.lt(after));
        }
        let mut rows = q
            .order_by_desc(event::Column::Id)
            .limit(limit + 1)
            .all(&self.db)
            .await?;
        let more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        Ok(Inbox {
            next: if more {
                rows.last().map(|r| r.id.render())
            } else {
                None
            },
            items: rows.iter().map(view).collect(),
            unread: self.unread(employee_id).await?,
        })
    }

    pub async fn unread(&self, employee_id: Uuid) -> Result<u64, NotificationError> {
        Ok(event::Entity::find()
            .filter(event::Column::EmployeeId.eq(employee_id))
            .filter(event::Column::ReadAt.is_null())
            .count(&self.db)
            .await?)
    }

    /// Marks the listed notifications (or all up to one) read; returns what stays unread.
    pub async fn mark_read(
        &self,
        employee_id: Uuid,
        which: &MarkRead,
    ) -> Result<u64, NotificationError> {
        if which.ids.is_empty() && which.up_to.is_none() {
            return Err(NotificationError::NothingToMark);
        }
        if which.ids.len() > 500 {
            return Err(NotificationError::TooManyIds);
        }
        let mut which_rows = sea_orm::Condition::any();
        if !which.ids.is_empty() {
            which_rows = which_rows.add(event::Column::Id.is_in(which.ids.clone()));
        }
        if let Some(up_to) = which.up_to {
            which_rows = which_rows.add(event::Column::Id.lte(up_to));
        }
        event::Entity::update_many()
            .col_expr(event::Column::ReadAt, Expr::value(self.clock.now()))
            .filter(event::Column::EmployeeId.eq(employee_id))
            .filter(event::Column::ReadAt.is_null())
            .filter(which_rows)
            .exec(&self.db)
            .await?;
        self.unread(employee_id).await
    }

    /// The employee's notifications after `after`, oldest first (the stream's replay).
    pub async fn after(
        &self,
        employee_id: Uuid,
        after: i64,
        limit: u64,
    ) -> Result<Vec<Notification>, NotificationError> {
        Ok(event::Entity::find()
            .filter(event::Column::EmployeeId.eq(employee_id))
            .filter(event::Column::Id.gt(after))
            .order_by_asc(event::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .iter()
            .map(view)
            .collect())
    }

    /// The id of the employee's newest notification (0 if none).
    pub async fn latest(&self, employee_id: Uuid) -> Result<i64, NotificationError> {
        Ok(event::Entity::find()
            .select_only()
            .column(event::Column::Id)
            .filter(event::Column::EmployeeId.eq(employee_id))
            .order_by_desc(event::Column::Id)
            .into_tuple::<i64>()
            .one(&self.db)
            .await?
            .unwrap_or(0))
    }

    pub async fn preferences(&self, employee_id: Uuid) -> Result<Preferences, NotificationError> {
        Ok(outbox::preferences(&self.db, employee_id).await?)
    }

    pub async fn set_preferences(
        &self,
        employee_id: Uuid,
        prefs: Preferences,
    ) -> Result<Preferences, NotificationError> {
        use sea_orm::sea_query::OnConflict;
        let now = self.clock.now();
        preference::Entity::insert_many(
            [
                (outbox::PREF_PUSH, prefs.push),
                (outbox::PREF_EMAIL, prefs.email),
            ]
            .map(|(channel, enabled)| preference::ActiveModel {
                employee_id: Set(employee_id),
                channel: Set(channel.to_owned()),
                enabled: Set(enabled),
                updated_at: Set(now),
            }),
        )
        .on_conflict(
            OnConflict::columns([preference::Column::EmployeeId, preference::Column::Channel])
                .update_columns([preference::Column::Enabled, preference::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        self.preferences(employee_id).await
    }
}

fn texts(ev: &event::Model) -> (Text, Text) {
    (
        Text::new(ev.title_id.clone(), ev.title_en.clone()),
        Text::new(ev.body_id.clone(), ev.body_en.clone()),
    )
}

/// The inbox's view of a stored notification.
pub fn view(ev: &event::Model) -> Notification {
    let (title, body) = texts(ev);
    Notification {
        id: ev.id,
        kind: ev.kind,
        security: ev.security,
        title,
        body,
        request_id: ev.request_id,
        status: ev.status,
        outcome: ev.outcome,
        created_at: ev.created_at,
        read_at: ev.read_at,
    }
}

/// Lock-screen text in Bahasa Indonesia; the English text and the ids ride in the data
/// payload for an app set to English and for refreshing the request.
fn push_message(ev: &event::Model) -> PushMessage {
    let mut data = std::collections::BTreeMap::new();
    data.insert(push_data::ID.to_owned(), ev.id.to_string());
    data.insert(push_data::KIND.to_owned(), ev.kind.code().to_owned());
    data.insert("title_en".to_owned(), ev.title_en.clone());
    data.insert("body_en".to_owned(), ev.body_en.clone());
    if let Some(r) = ev.request_id {
        data.insert(push_data::REQUEST_ID.to_owned(), r.to_string());
    }
    if let Some(s) = ev.status {
        data.insert(push_data::STATUS.to_owned(), s.code().to_owned());
    }
    if let Some(o) = ev.outcome {
        data.insert(push_data::OUTCOME.to_owned(), o.code().to_owned());
    }
    PushMessage {
        title: ev.title_id.clone(),
        body: ev.body_id.clone(),
        data,
    }
}

impl From<crate::notifications::NotificationError> for ApiError {
    fn from(e: crate::notifications::NotificationError) -> Self {
        use crate::notifications::NotificationError as N;
        match e {
            N::LastEventId => ApiError::with_detail(
                ErrorCode::InvalidHeader,
                "Last-Event-ID harus berupa nomor notifikasi.",
                "Last-Event-ID must be a notification id.",
            ),
            N::Token => ApiError::with_detail(
                ErrorCode::InvalidBody,
                "token wajib diisi, tanpa spasi, paling panjang 512 karakter.",
                "token is required, without spaces, at most 512 characters.",
            ),
            N::ApnsToken => ApiError::with_detail(
                ErrorCode::InvalidBody,
                "Token APNs berupa heksadesimal, minimal 64 karakter.",
                "An APNs token is hexadecimal, at least 64 characters.",
            ),
            N::AppVersion => ApiError::with_detail(
                ErrorCode::InvalidBody,
                "app_version wajib diisi, paling panjang 32 karakter.",
                "app_version is required, at most 32 characters.",
            ),
            N::TooManyIds => ApiError::with_detail(
                ErrorCode::InvalidBody,
                "Paling banyak 500 notifikasi sekaligus.",
                "At most 500 notifications at once.",
            ),
            N::NothingToMark => ApiError::with_detail(
                ErrorCode::InvalidBody,
                "Sebutkan ids atau up_to.",
                "Give ids or up_to.",
            ),
            N::TooManyStreams(wait) => ApiError {
                retry_after: Some(wait.as_secs().max(1)),
                ..ApiError::with_detail(
                    ErrorCode::RateLimited,
                    "Sesi ini sudah membuka aliran notifikasi sebanyak yang diizinkan; tutup salah satunya.",
                    "This session already has as many notification streams open as allowed; close one.",
                )
            },
            N::Store(e) => e.into(),
            N::Database(e) => crate::store::db::problem(&e),
        }
    }
}
