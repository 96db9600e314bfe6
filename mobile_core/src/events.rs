//! Status events for the app: the push token for when the app is closed, and the server's
//! event stream (Server-Sent Events) while it is open.
//!
//! The stream resumes where it left off: the last event id is kept in the app's folder and sent
//! as `Last-Event-ID`, so events missed while the phone was offline or the app was closed are
//! replayed by the server, in order, once.

use std::time::Duration;

use abdi_proto::notifications::{Device, DeviceRegistration, Inbox, Notification, PushPlatform};
use reqwest::Method;

use crate::http::Call;
use crate::{Client, CoreError};

const LAST_ID_FILE: &str = "cache/events-last-id";

impl Client {
    /// Registers this phone's FCM or APNs token for the session (again after a token refresh).
    pub async fn register_push(
        &self,
        platform: PushPlatform,
        token: &str,
    ) -> Result<Device, CoreError> {
        let body = DeviceRegistration {
            platform,
            token: token.to_owned(),
            app_version: self.config.app_version.clone(),
        };
        self.authed(Call::json(Method::PUT, "/api/v1/devices/current", &body)?)
            .await
    }

    /// The employee's status events, resuming after the last one this phone saw; on a phone
    /// that never streamed, starting after the newest notification in the inbox (so nothing
    /// that happens from this call on is missed). Call [`StatusEvents::next`] in a loop.
    pub async fn status_events(&self) -> Result<StatusEvents, CoreError> {
        let stored = self
            .data
            .read(LAST_ID_FILE)
            .await?
            .and_then(|b| String::from_utf8_lossy(&b).trim().parse().ok());
        let last_id = match stored {
            Some(id) => id,
            None => {
                let inbox: Inbox = self
                    .authed(Call::get("/api/v1/notifications?limit=1"))
                    .await?;
                inbox.items.first().map_or(0, |n| n.id)
            }
        };
        Ok(StatusEvents {
            response: None,
            buffer: Vec::new(),
            last_id,
            failures: 0,
        })
    }
}

/// The event stream's state between events.
pub struct StatusEvents {
    response: Option<reqwest::Response>,
    buffer: Vec<u8>,
    last_id: i64,
    failures: u32,
}

/// One parsed Server-Sent Event.
#[derive(Debug, Default, PartialEq, Eq)]
struct Sse {
    event: Option<String>,
    id: Option<String>,
    data: String,
}

impl StatusEvents {
    /// The id of the last event handed out (the `Last-Event-ID` of the next connection).
    pub fn last_id(&self) -> i64 {
        self.last_id
    }

    /// Waits for the next event. A dropped connection is reopened with backoff (up to 30 s)
    /// and resumes after the last event; only an ended session (or bad data on the phone)
    /// ends the stream with an error.
    pub async fn next(&mut self, client: &Client) -> Result<Notification, CoreError> {
        loop {
            if let Some(event) = self.take_event() {
                if event.event.as_deref().unwrap_or("message") != "notification" {
                    continue;
                }
                let n: Notification = serde_json::from_str(&event.data)
                    .map_err(|e| CoreError::Protocol(format!("event: {e}")))?;
                self.last_id = n.id;
                client
                    .data
                    .write(LAST_ID_FILE, n.id.to_string().into_bytes())
                    .await?;
                self.failures = 0;
                return Ok(n);
            }
            let Some(response) = self.response.as_mut() else {
                match self.open(client).await {
                    Ok(r) => {
                        self.response = Some(r);
                        self.buffer.clear();
                        // Back on line: the next silence starts the pauses from the shortest.
                        self.failures = 0;
                    }
                    Err(e) if e.is_transient() => self.pause().await,
                    Err(e) => return Err(e),
                }
                continue;
            };
            match tokio::time::timeout(client.config.stream_idle_timeout, response.chunk()).await {
                Ok(Ok(Some(bytes))) => self.buffer.extend_from_slice(&bytes),
                // Silence longer than the server's keep-alive: the network dropped the
                // connection without telling (a phone changing cells does that).
                Ok(Ok(None) | Err(_)) | Err(_) => {
                    // The server restarted or the network went: reconnect and resume.
                    self.response = None;
                    self.pause().await;
                }
            }
        }
    }

    async fn open(&self, client: &Client) -> Result<reqwest::Response, CoreError> {
        let mut call = Call::get("/api/v1/notifications/stream")
            .header("accept", "text/event-stream".into())
            .header("last-event-id", self.last_id.to_string());
        call.token = Some(client.token().await?);
        // A handshake the network swallows is a failure like a silence, not a wait forever.
        let opened = tokio::time::timeout(
            client.config.stream_idle_timeout,
            client.http.open_stream(call),
        )
        .await
        .map_err(|_| CoreError::Timeout("event stream: no answer to the handshake".into()))?;
        match opened {
            Err(CoreError::Api {
                code: abdi_proto::ErrorCode::Unauthenticated,
                status,
                detail,
                items,
            }) => {
                client.forget_session().await?;
                Err(CoreError::Api {
                    code: abdi_proto::ErrorCode::Unauthenticated,
                    status,
                    detail,
                    items,
                })
            }
            other => other,
        }
    }

    async fn pause(&mut self) {
        self.failures += 1;
        let secs = 1u64 << self.failures.min(5);
        tokio::time::sleep(Duration::from_secs(secs.min(30)) / 2).await;
    }

    /// The next complete event in the buffer, if one has arrived.
    fn take_event(&mut self) -> Option<Sse> {
        loop {
            let text = &self.buffer;
            let end = find_blank_line(text)?;
            let block = String::from_utf8_lossy(&text[..end.0]).into_owned();
            self.buffer.drain(..end.1);
            if let Some(e) = parse_block(&block) {
                return Some(e);
            }
        }
    }
}

/// (end of the event block, start of what follows) for the first blank line.
fn find_blank_line(buf: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while i < buf.len() {
        if buf[i] == b'\n' {
            if buf.get(i + 1) == Some(&b'\n') {
                return Some((i, i + 2));
            }
            if buf.get(i + 1) == Some(&b'\r') && buf.get(i + 2) == Some(&b'\n') {
                return Some((i, i + 3));
            }
        }
        i += 1;
    }
    None
}

/// One event block per the WHATWG rules; `None` for a block of comments only (keep-alive).
fn parse_block(block: &str) -> Option<Sse> {
    let mut e = Sse::default();
    let mut any = false;
    for line in block.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || line.starts_with(':') {
            continue;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => e.event = Some(value.to_owned()),
            "id" => e.id = Some(value.to_owned()),
            "data" => {
                if any && !e.data.is_empty() {
                    e.data.push('\n');
                }
                e.data.push_str(value);
            }
            _ => continue,
        }
        any = true;
    }
    any.then_some(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_cut_at_blank_lines_and_comments_skipped() {
        let mut s = StatusEvents {
            response: None,
            buffer: b": keep-alive\n\nevent: notification\nid: 7\ndata: {\"a\":\ndata: 1}\n\nevent: notif"
                .to_vec(),
            last_id: 0,
            failures: 0,
        };
        let e = s.take_event().unwrap();
        assert_eq!(e.event.as_deref(), Some("notification"));
        assert_eq!(e.id.as_deref(), Some("7"));
        assert_eq!(e.data, "{\"a\":\n1}");
        assert_eq!(s.take_event(), None, "the rest is incomplete");
        s.buffer.extend_from_slice(b"ication\r\ndata: x\r\n\r\n");
        let e = s.take_event().unwrap();
        assert_eq!(e.event.as_deref(), Some("notification"));
        assert_eq!(e.data, "x");
    }
}
