//! The inbox, preferences, push devices and the live event stream: thin handlers over
//! [`super::Notifications`].

use std::convert::Infallible;
use std::time::Duration;

use abdi_proto::Problem;
use abdi_proto::notifications::{
    Device, DeviceRegistration, Inbox, MarkRead, Preferences, UnreadCount,
};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::ApiError;
use crate::http::auth::Caller;
use crate::http::extract::{IdPageQuery, Json, Paged};
use crate::notifications::stream::Signal;
use crate::state::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(inbox))
        .routes(routes!(unread_count))
        .routes(routes!(mark_read))
        .routes(routes!(event_stream))
        .routes(routes!(get_preferences, set_preferences))
        .routes(routes!(list_devices))
        .routes(routes!(register_device, remove_device))
}

/// The employee's notifications, newest first, with the unread count.
#[utoipa::path(get, path = "/notifications", tag = "notifications", security(("bearer" = [])),
    params(IdPageQuery),
    responses(
        (status = 200, description = "A page of the inbox", body = Inbox),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn inbox(
    State(state): State<AppState>,
    caller: Caller,
    Paged(page): Paged<i64>,
) -> Result<axum::Json<Inbox>, ApiError> {
    Ok(axum::Json(
        state
            .notifications
            .inbox(caller.actor.employee_id, page)
            .await?,
    ))
}

/// How many notifications are unread (the app's badge).
#[utoipa::path(get, path = "/notifications/unread-count", tag = "notifications", security(("bearer" = [])),
    responses(
        (status = 200, description = "The unread count", body = UnreadCount),
    ))]
async fn unread_count(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<UnreadCount>, ApiError> {
    let unread = state.notifications.unread(caller.actor.employee_id).await?;
    Ok(axum::Json(UnreadCount { unread }))
}

/// Marks notifications read: the listed ids, or all up to `up_to`. Others' ids are ignored.
#[utoipa::path(post, path = "/notifications/read", tag = "notifications", security(("bearer" = [])),
    request_body = MarkRead,
    responses(
        (status = 200, description = "What stays unread", body = UnreadCount),
        (status = 400, description = "`invalid_body`: neither ids nor up_to, or more than 500 ids", body = Problem, content_type = "application/problem+json"),
    ))]
async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
    Json(which): Json<MarkRead>,
) -> Result<axum::Json<UnreadCount>, ApiError> {
    let unread = state
        .notifications
        .mark_read(caller.actor.employee_id, &which)
        .await?;
    Ok(axum::Json(UnreadCount { unread }))
}

/// The employee's notifications as Server-Sent Events (`event: notification`, `id` the
/// notification's id, `data` a `Notification`). Send `Last-Event-ID` to get what came after
/// it first; without it the stream starts with what comes next. A comment line keeps an idle
/// stream open; the stream ends when the session does.
#[utoipa::path(get, path = "/notifications/stream", tag = "notifications", security(("bearer" = [])),
    params(("Last-Event-ID" = Option<i64>, Header, description = "The last notification id the client has")),
    responses(
        (status = 200, description = "An event stream of `Notification`s", content_type = "text/event-stream", body = String),
        (status = 400, description = "`invalid_header`: Last-Event-ID is not a number", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: this session already has `notifications.streams_per_session` streams open", body = Problem, content_type = "application/problem+json"),
    ))]
async fn event_stream(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let employee = caller.actor.employee_id;
    let notifications = state.notifications.clone();
    // Subscribe before reading where to start, so nothing falls between the two.
    let signals = notifications.hub.subscribe();
    let last = match headers.get("last-event-id") {
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .ok_or(crate::notifications::NotificationError::LastEventId)?,
        None => notifications.latest(employee).await?,
    };
    let keepalive = Duration::from_secs(state.config.notifications.stream_keepalive_secs);
    // A session holds a few streams at once (the app, a reconnect overlapping the old one);
    // past that, 429. The slot outlives three missed checks, then frees itself.
    let slot = notifications
        .hub
        .claim_slot(
            &caller.current.token_hash,
            state.config.notifications.streams_per_session,
            keepalive * 3,
        )
        .await?
        .ok_or(crate::notifications::NotificationError::TooManyStreams(
            keepalive,
        ))?;
    let sessions = state.identity.sessions.clone();
    let token_hash = caller.current.token_hash;

    struct Cursor {
        signals: tokio::sync::broadcast::Receiver<Signal>,
        last: i64,
        pending: std::collections::VecDeque<abdi_proto::notifications::Notification>,
        /// Read what is new before waiting (a replay, or a resync).
        read: bool,
        check: tokio::time::Interval,
        slot: crate::notifications::stream::Slot,
    }
    let mut check = tokio::time::interval(keepalive);
    check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let cursor = Cursor {
        signals,
        last,
        pending: Default::default(),
        read: headers.contains_key("last-event-id"),
        check,
        slot,
    };
    let stream = futures_util::stream::unfold(cursor, move |mut c| {
        let notifications = notifications.clone();
        let sessions = sessions.clone();
        let token_hash = token_hash.clone();
        async move {
            loop {
                if let Some(n) = c.pending.pop_front() {
                    c.last = n.id;
                    let event = Event::default()
                        .event("notification")
                        .id(n.id.to_string())
                        .json_data(&n)
                        .unwrap_or_else(|_| Event::default().comment("unserialisable"));
                    return Some((Ok(event), c));
                }
                if c.read {
                    match notifications.after(employee, c.last, 100).await {
                        Ok(items) => {
                            c.read = items.len() == 100;
                            c.pending.extend(items);
                            continue;
                        }
                        // The database is away: try again at the next signal or check.
                        Err(e) => {
                            tracing::warn!(error = %e, "event stream: cannot read notifications");
                            c.read = false;
                        }
                    }
                }
                tokio::select! {
                    signal = c.signals.recv() => match signal {
                        Ok(Signal::Event { employee_id, id }) => {
                            c.read = employee_id == employee && id > c.last;
                        }
                        Ok(Signal::Resync) | Err(RecvError::Lagged(_)) => c.read = true,
                        Err(RecvError::Closed) => return None,
                    },
                    _ = c.check.tick() => {
                        // The session ended (logout, revoked, expired): so does the stream.
                        if !sessions.is_open(&token_hash).await.unwrap_or(true) {
                            return None;
                        }
                        c.slot.renew().await;
                        c.read = true;
                    }
                }
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(keepalive)))
}

/// The employee's channel preferences for news about requests.
#[utoipa::path(get, path = "/notification-preferences", tag = "notifications", security(("bearer" = [])),
    responses(
        (status = 200, description = "The preferences", body = Preferences),
    ))]
async fn get_preferences(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Preferences>, ApiError> {
    Ok(axum::Json(
        state
            .notifications
            .preferences(caller.actor.employee_id)
            .await?,
    ))
}

/// Switches push or email news about requests on or off. Security messages (a new device, a
/// new passkey) are sent on every channel regardless.
#[utoipa::path(put, path = "/notification-preferences", tag = "notifications", security(("bearer" = [])),
    request_body = Preferences,
    responses(
        (status = 200, description = "The preferences now", body = Preferences),
        (status = 400, description = "`invalid_body`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn set_preferences(
    State(state): State<AppState>,
    caller: Caller,
    Json(prefs): Json<Preferences>,
) -> Result<axum::Json<Preferences>, ApiError> {
    Ok(axum::Json(
        state
            .notifications
            .set_preferences(caller.actor.employee_id, prefs)
            .await?,
    ))
}

/// The employee's devices registered for push messages.
#[utoipa::path(get, path = "/devices", tag = "notifications", security(("bearer" = [])),
    responses(
        (status = 200, description = "The devices, newest first", body = Vec<Device>),
    ))]
async fn list_devices(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<Device>>, ApiError> {
    Ok(axum::Json(
        state
            .notifications
            .devices
            .list(caller.actor.employee_id, caller.current.session.id)
            .await?,
    ))
}

/// Registers or replaces this session's push token. The same token under an earlier session
/// (the phone logged in again) moves here; a token new to the account sends a security
/// message to every channel.
#[utoipa::path(put, path = "/devices/current", tag = "notifications", security(("bearer" = [])),
    request_body = DeviceRegistration,
    responses(
        (status = 200, description = "The device", body = Device),
        (status = 400, description = "`invalid_body`: empty or malformed token (APNs tokens are hex), or app version", body = Problem, content_type = "application/problem+json"),
    ))]
async fn register_device(
    State(state): State<AppState>,
    caller: Caller,
    Json(reg): Json<DeviceRegistration>,
) -> Result<axum::Json<Device>, ApiError> {
    Ok(axum::Json(
        state
            .notifications
            .devices
            .register(&caller.current.session.device(), &reg)
            .await?,
    ))
}

/// Stops push messages to this session's device (the app's notification switch).
#[utoipa::path(delete, path = "/devices/current", tag = "notifications", security(("bearer" = [])),
    responses(
        (status = 204, description = "No device is registered for this session now"),
    ))]
async fn remove_device(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    state
        .notifications
        .devices
        .forget_session(caller.current.session.id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
