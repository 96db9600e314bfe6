//! The live event stream's fan-out: every instance subscribes to one Redis pub/sub channel and
//! hands what arrives to its own connected clients, so an event delivered by a worker on one
//! instance reaches a client connected to another. With the in-process session store (one
//! instance) the signal goes straight to the local clients.
//!
//! The signal only says "employee E has notification N"; a client's stream reads the
//! notifications themselves from the database after the last id it sent. So a missed signal
//! (a lagging client, a Redis reconnect) costs nothing but a re-read: on `Resync` every stream
//! reads again, and a client that reconnects with `Last-Event-ID` gets what it missed.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::store::shared::{SharedStore, SharedStoreError};

const CHANNEL: &str = "notifications";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The employee has a new notification with this id.
    Event { employee_id: Uuid, id: i64 },
    /// Signals may have been missed: every stream reads what is new.
    Resync,
}

#[derive(Clone)]
pub struct Hub {
    store: SharedStore,
    /// Signals go through Redis (several instances) rather than straight to local streams.
    shared: bool,
    local: broadcast::Sender<Signal>,
}

impl Hub {
    /// Starts the subscriber (with Redis) and returns the hub once it is subscribed, or after
    /// `wait` (it keeps trying in the background).
    pub async fn start(store: SharedStore, wait: Duration) -> Hub {
        let (local, _) = broadcast::channel(1024);
        let pubsub = store.pubsub(CHANNEL);
        let hub = Hub {
            store,
            shared: pubsub.is_some(),
            local,
        };
        if let Some((client, channel)) = pubsub {
            let (ready_tx, ready) = tokio::sync::oneshot::channel();
            tokio::spawn(subscribe(client, channel, hub.local.clone(), ready_tx));
            if tokio::time::timeout(wait, ready).await.is_err() {
                tracing::warn!("event stream: not subscribed to Redis yet; still trying");
            }
        }
        hub
    }

    /// Tells every instance's streams about a new notification.
    pub async fn publish(&self, employee_id: Uuid, id: i64) -> Result<(), SharedStoreError> {
        if self.shared {
            self.store
                .publish(CHANNEL, &format!("{employee_id} {id}"))
                .await
        } else {
            let _ = self.local.send(Signal::Event { employee_id, id });
            Ok(())
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.local.subscribe()
    }

    /// Claims one of the `max` stream slots of a session (every instance sees the same slots),
    /// for `lease`; `None` when all are taken. The slot is renewed with [`Slot::renew`] and
    /// given back when the `Slot` is dropped; one whose instance died frees itself when its
    /// lease runs out.
    pub async fn claim_slot(
        &self,
        token_hash: &str,
        max: u32,
        lease: Duration,
    ) -> Result<Option<Slot>, SharedStoreError> {
        let holder = Uuid::new_v4().to_string();
        for n in 0..max {
            let key = format!("stream-slot:{token_hash}:{n}");
            if self
                .store
                .put_if_absent(&key, holder.as_bytes(), lease)
                .await?
            {
                return Ok(Some(Slot {
                    store: self.store.clone(),
                    key,
                    lease,
                }));
            }
        }
        Ok(None)
    }
}

/// An open event stream's place among its session's few.
pub struct Slot {
    store: SharedStore,
    key: String,
    lease: Duration,
}

impl Slot {
    /// Keeps the slot for another lease.
    pub async fn renew(&self) {
        if let Err(e) = self.store.touch(&self.key, self.lease).await {
            tracing::warn!(error = %e, "event stream: slot not renewed");
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let (store, key) = (self.store.clone(), std::mem::take(&mut self.key));
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                let _ = store.delete(&key).await;
            });
        }
    }
}

fn parse(payload: &str) -> Option<Signal> {
    let (employee, id) = payload.split_once(' ')?;
    Some(Signal::Event {
        employee_id: employee.parse().ok()?,
        id: id.parse().ok()?,
    })
}

/// Subscribes for as long as the process runs, reconnecting after Redis goes away (a restart
/// loses subscriptions); after each reconnect the streams re-read what they may have missed.
async fn subscribe(
    client: redis::Client,
    channel: String,
    local: broadcast::Sender<Signal>,
    ready: tokio::sync::oneshot::Sender<()>,
) {
    let mut ready = Some(ready);
    let mut delay = Duration::from_millis(100);
    let mut first = true;
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(&channel).await {
                Ok(()) => {
                    if !first {
                        tracing::info!("event stream: resubscribed to Redis");
                        let _ = local.send(Signal::Resync);
                    }
                    first = false;
                    if let Some(ready) = ready.take() {
                        let _ = ready.send(());
                    }
                    delay = Duration::from_millis(100);
                    let mut messages = pubsub.into_on_message();
                    while let Some(msg) = messages.next().await {
                        if let Some(signal) =
                            msg.get_payload::<String>().ok().as_deref().and_then(parse)
                        {
                            let _ = local.send(signal);
                        }
                    }
                    tracing::warn!("event stream: Redis subscription ended; reconnecting");
                }
                Err(e) => tracing::warn!(error = %e, "event stream: cannot subscribe"),
            },
            Err(e) => tracing::warn!(error = %e, "event stream: cannot reach Redis"),
        }
        // Once the subscription is lost, streams may miss signals until it is back.
        let _ = local.send(Signal::Resync);
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_round_trip_and_garbage_is_ignored() {
        let id = Uuid::new_v4();
        assert_eq!(
            parse(&format!("{id} 42")),
            Some(Signal::Event {
                employee_id: id,
                id: 42
            })
        );
        assert_eq!(parse("nonsense"), None);
        assert_eq!(parse(&format!("{id} x")), None);
    }
}
