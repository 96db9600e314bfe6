//! Email: SMTP through lettre in production and tests, the log on the embedded default.
//! Every message a civil servant reads is in Bahasa Indonesia first, English second.

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{EmailConfig, EmailTransport, SmtpTls};

#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    #[error("email address {0} is not valid")]
    Address(String),
    #[error("email configuration: {0}")]
    Config(String),
    #[error("sending email failed: {0}")]
    Send(String),
}

/// An email in both languages.
#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Clone)]
pub enum Mailer {
    Log {
        from: Mailbox,
        show_body: bool,
    },
    Smtp {
        from: Mailbox,
        transport: AsyncSmtpTransport<Tokio1Executor>,
    },
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Log { .. } => f.write_str("Mailer::Log"),
            Mailer::Smtp { .. } => f.write_str("Mailer::Smtp"),
        }
    }
}

impl Mailer {
    /// `local` is true when Abdi serves only this machine (its public URL is localhost): only
    /// then does the log transport print message bodies.
    pub fn from_config(config: &EmailConfig, local: bool) -> Result<Mailer, EmailError> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|_| EmailError::Address(config.from.clone()))?;
        match config.transport {
            EmailTransport::Log => Ok(Mailer::Log {
                from,
                show_body: local,
            }),
            EmailTransport::Smtp => {
                let host = config.smtp_host.as_str();
                let tls = || {
                    TlsParameters::new(host.to_owned())
                        .map_err(|e| EmailError::Config(e.to_string()))
                };
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    .port(config.smtp_port)
                    .timeout(Some(std::time::Duration::from_secs(10)));
                builder = match config.smtp_tls {
                    SmtpTls::None => builder.tls(Tls::None),
                    SmtpTls::Starttls => builder.tls(Tls::Required(tls()?)),
                    SmtpTls::Tls => builder.tls(Tls::Wrapper(tls()?)),
                };
                if let (Some(user), Some(password)) = (&config.smtp_username, &config.smtp_password)
                {
                    builder = builder
                        .credentials(Credentials::new(user.clone(), password.expose().to_owned()));
                }
                Ok(Mailer::Smtp {
                    from,
                    transport: builder.build(),
                })
            }
        }
    }

    pub async fn send(&self, email: &Email) -> Result<(), EmailError> {
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|_| EmailError::Address(email.to.clone()))?;
        match self {
            Mailer::Log { show_body, .. } => {
                // The embedded default has no mail server: on a developer's machine the operator
                // reads the link here; elsewhere a body (with its single-use link) never reaches
                // the log.
                if *show_body {
                    tracing::info!(to = %to, subject = %email.subject, body = %email.body, "email (not sent: email.transport = log)");
                } else {
                    tracing::warn!(to = %to, subject = %email.subject, "email not sent: email.transport = log (body withheld)");
                }
                Ok(())
            }
            Mailer::Smtp { from, transport } => {
                let message = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(&email.subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(email.body.clone())
                    .map_err(|e| EmailError::Send(e.to_string()))?;
                transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| EmailError::Send(crate::store::db::one_line(&e.to_string())))
            }
        }
    }
}
