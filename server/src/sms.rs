//! Text messages (a phone's verification code): a transport behind one trait. The embedded
//! default writes them to the log; a deployment's SMS gateway reads them from a spool folder
//! (one file per message), which is also how the tests read them.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::{IdentityConfig, SmsTransport};

#[derive(Debug, thiserror::Error)]
#[error("the text message was not handed over: {0}")]
pub struct SmsError(String);

/// Where a text message goes.
#[async_trait::async_trait]
pub trait Sms: Send + Sync + std::fmt::Debug {
    async fn send(&self, to: &str, text: &str) -> Result<(), SmsError>;
}

/// Written to the log: for trials on one machine.
#[derive(Debug)]
pub struct LogSms;

#[async_trait::async_trait]
impl Sms for LogSms {
    async fn send(&self, to: &str, text: &str) -> Result<(), SmsError> {
        tracing::info!(to, text, "text message (sms.transport = log: not sent)");
        Ok(())
    }
}

/// One JSON file per message (`{"to", "text"}`) in a folder, written whole then renamed, so a
/// gateway never reads half a message.
#[derive(Debug)]
pub struct SpoolSms {
    pub dir: PathBuf,
}

#[async_trait::async_trait]
impl Sms for SpoolSms {
    async fn send(&self, to: &str, text: &str) -> Result<(), SmsError> {
        let fail = |e: std::io::Error| SmsError(e.to_string());
        tokio::fs::create_dir_all(&self.dir).await.map_err(fail)?;
        let id = uuid::Uuid::now_v7();
        let body = serde_json::json!({ "to": to, "text": text }).to_string();
        let partial = self.dir.join(format!(".{id}.tmp"));
        tokio::fs::write(&partial, body).await.map_err(fail)?;
        tokio::fs::rename(&partial, self.dir.join(format!("{id}.json")))
            .await
            .map_err(fail)
    }
}

pub fn from_config(config: &IdentityConfig) -> Arc<dyn Sms> {
    match config.sms_transport {
        SmsTransport::Log => Arc::new(LogSms),
        SmsTransport::Spool => Arc::new(SpoolSms {
            dir: config.sms_spool_dir.clone(),
        }),
    }
}
