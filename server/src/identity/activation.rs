//! Activation: an employee proves they own the official email in their master record and gets
//! a session (then enrols a passkey). The answer is the same whether or not anything matched,
//! and the email is sent after the answer, so neither content nor timing tells who exists.

use std::sync::Arc;
use std::time::Duration;

use abdi_proto::Nip;
use abdi_proto::identity::{ActivationAccepted, ActivationRequest, RedeemRequest};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::IdentityError;
use super::audit::{AuditLog, Event, Origin};
use super::ratelimit::RateLimiter;
use super::session::{NewSession, Session, SessionService};
use super::token;
use crate::clock::SharedClock;
use crate::config::IdentityConfig;
use crate::email::{Email, Mailer};
use crate::masterdata::EmployeeDirectory;
use crate::store::shared::SharedStore;

#[derive(Serialize, Deserialize)]
struct Pending {
    employee_id: Uuid,
    phone: String,
}

#[derive(Debug, Clone)]
pub struct ActivationService {
    pub config: Arc<IdentityConfig>,
    pub store: SharedStore,
    pub directory: EmployeeDirectory,
    pub sessions: SessionService,
    pub limiter: RateLimiter,
    pub audit: AuditLog,
    pub mailer: Mailer,
    pub clock: SharedClock,
}

fn pending_key(hash: &str) -> String {
    format!("activation:{hash}")
}

impl ActivationService {
    pub async fn request(
        &self,
        req: &ActivationRequest,
        origin: &Origin,
    ) -> Result<ActivationAccepted, IdentityError> {
        let nip =
            Nip::parse_pppk(&req.nip).map_err(|e| IdentityError::InvalidNip(e.to_string()))?;
        let email = normalise_email(&req.email)?;
        if !domain_allowed(&self.config, &email) {
            return Err(IdentityError::EmailDomainNotAllowed(email));
        }
        let phone = normalise_phone(&req.phone)?;
        self.limiter
            .check(&[
                (
                    format!("activation:ip:{}", origin.ip_key()),
                    self.config.activation_per_ip,
                ),
                // Keyed on the NIP and the email together: someone who knows only a NIP
                // cannot use up its owner's attempts.
                (
                    format!("activation:nip:{nip}:{email}"),
                    self.config.activation_per_account,
                ),
            ])
            .await?;

        let employee = self.directory.by_nip(nip.as_str()).await?;
        let matched = employee.filter(|e| {
            e.active
                && e.email
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case(&email))
        });
        let now = self.clock.now();
        let ttl = Duration::from_secs(self.config.activation_ttl_secs);
        if let Some(e) = &matched {
            // Everything a match costs happens after the answer, so a match takes no longer
            // to answer than a miss.
            let token = token::new_token();
            let pending = serde_json::to_vec(&Pending {
                employee_id: e.id,
                phone,
            })
            .unwrap_or_default();
            let mail = activation_email(&self.config, &email, &e.full_name(), &token, ttl);
            let (store, mailer) = (self.store.clone(), self.mailer.clone());
            tokio::spawn(async move {
                if let Err(err) = store
                    .put(&pending_key(&token::hash(&token)), &pending, ttl)
                    .await
                {
                    tracing::error!(error = %err, "activation not stored; no email sent");
                    return;
                }
                if let Err(err) = mailer.send(&mail).await {
                    tracing::error!(error = %err, "activation email not sent");
                }
            });
        }
        self.audit
            .record(
                now,
                origin,
                Event {
                    event: "activation_requested",
                    outcome: if matched.is_some() {
                        "sent"
                    } else {
                        "no_match"
                    },
                    employee_id: matched.as_ref().map(|e| e.id),
                    subject: Some(nip.as_str()),
                    detail: None,
                },
            )
            .await;
        Ok(ActivationAccepted {
            message_id: "Jika NIP dan email sesuai dengan data kepegawaian, tautan aktivasi telah \
                         dikirim ke email tersebut."
                .into(),
            message_en: "If the NIP and email match the personnel record, an activation link has \
                         been sent to that email."
                .into(),
            expires_in_minutes: ttl.as_secs() / 60,
        })
    }

    /// Uses an activation token (once): records the phone and opens a session.
    pub async fn redeem(
        &self,
        req: &RedeemRequest,
        origin: &Origin,
    ) -> Result<(String, Session), IdentityError> {
        self.limiter
            .check(&[(
                format!("redeem:ip:{}", origin.ip_key()),
                self.config.login_per_ip,
            )])
            .await?;
        let now = self.clock.now();
        let pending = self
            .store
            .take(&pending_key(&token::hash(req.token.trim())))
            .await?
            .and_then(|raw| serde_json::from_slice::<Pending>(&raw).ok());
        let Some(pending) = pending else {
            self.audit
                .record(
                    now,
                    origin,
                    Event {
                        event: "activation_redeemed",
                        outcome: "invalid_token",
                        employee_id: None,
                        subject: None,
                        detail: None,
                    },
                )
                .await;
            return Err(IdentityError::ActivationInvalid);
        };
        let active = self
            .directory
            .by_id(pending.employee_id)
            .await?
            .is_some_and(|e| e.active);
        if !active {
            self.audit
                .record(
                    now,
                    origin,
                    Event {
                        event: "activation_redeemed",
                        outcome: "account_disabled",
                        employee_id: Some(pending.employee_id),
                        subject: None,
                        detail: None,
                    },
                )
                .await;
            return Err(IdentityError::ActivationInvalid);
        }
        self.directory
            .set_own_phone(pending.employee_id, &pending.phone, now)
            .await?;
        let (token, session) = self
            .sessions
            .create(NewSession {
                employee_id: pending.employee_id,
                device_name: &req.device.device_name,
                platform: &req.device.platform,
                method: "activation",
                ip: origin.ip.clone(),
            })
            .await?;
        self.audit
            .record(
                now,
                origin,
                Event {
                    event: "activation_redeemed",
                    outcome: "success",
                    employee_id: Some(pending.employee_id),
                    subject: None,
                    detail: Some(format!("session {}", session.id)),
                },
            )
            .await;
        Ok((token, session))
    }
}

/// Whether `email` is at one of the official domains (or a subdomain of one).
pub(super) fn domain_allowed(config: &IdentityConfig, email: &str) -> bool {
    let domain = email.rsplit_once('@').map_or("", |(_, d)| d);
    config.allowed_email_domains.iter().any(|allowed| {
        let allowed = allowed.trim().trim_start_matches('.').to_ascii_lowercase();
        domain == allowed || domain.ends_with(&format!(".{allowed}"))
    })
}

pub(super) fn normalise_email(input: &str) -> Result<String, IdentityError> {
    let email = input.trim().to_ascii_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
                && email.matches('@').count() == 1
        });
    if valid {
        Ok(email)
    } else {
        Err(IdentityError::InvalidEmail(
            input.trim().chars().take(100).collect(),
        ))
    }
}

pub(super) fn normalise_phone(input: &str) -> Result<String, IdentityError> {
    abdi_proto::Phone::parse(input)
        .map(String::from)
        .map_err(|e| IdentityError::InvalidPhone(e.0))
}

fn activation_email(
    config: &IdentityConfig,
    to: &str,
    name: &str,
    token: &str,
    ttl: Duration,
) -> Email {
    let minutes = ttl.as_secs() / 60;
    let link = format!(
        "{}/activate?token={token}",
        config.public_url.trim_end_matches('/')
    );
    Email {
        to: to.to_owned(),
        subject: "Aktivasi akun Abdi / Abdi account activation".into(),
        body: format!(
            "Yth. {name},\n\n\
             Untuk mengaktifkan akun Abdi Anda, buka tautan berikut dalam {minutes} menit:\n\
             {link}\n\n\
             Tautan hanya dapat digunakan satu kali. Jika Anda tidak meminta aktivasi, abaikan \
             email ini.\n\n\
             ---\n\n\
             Dear {name},\n\n\
             To activate your Abdi account, open this link within {minutes} minutes:\n\
             {link}\n\n\
             The link works once. If you did not ask for activation, ignore this email.\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_lowercased() {
        assert_eq!(
            normalise_email(" Budi.Santoso@JatimProv.go.id ").unwrap(),
            "budi.santoso@jatimprov.go.id"
        );
        for bad in [
            "budi",
            "@go.id",
            "budi@",
            "budi@go",
            "a b@go.id",
            "a@@go.id",
            "a@.go.id",
        ] {
            assert!(normalise_email(bad).is_err(), "{bad}");
        }
    }
}
