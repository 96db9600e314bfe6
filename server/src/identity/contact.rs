//! The employee's own email and phone (Pergub Jatim 73/2020 Pasal 30(2)(j): no manager changes
//! them). Only the employee asks, from their own session; the change is made once the new
//! address is proven by the link mailed to it, or the new number by the code sent to it. Both
//! wait in the shared store, bound to the employee who asked; a code allows a few tries.

use std::sync::Arc;
use std::time::Duration;

use abdi_proto::identity::VerificationSent;
use rand::Rng;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::IdentityError;
use super::activation::{domain_allowed, normalise_email, normalise_phone};
use super::audit::{AuditLog, Event, Origin};
use super::ratelimit::RateLimiter;
use super::token;
use crate::clock::SharedClock;
use crate::config::IdentityConfig;
use crate::email::{Email, Mailer};
use crate::masterdata::EmployeeDirectory;
use crate::sms::Sms;
use crate::store::shared::SharedStore;

/// Wrong codes allowed before a code is void.
const CODE_TRIES: u32 = 5;

#[derive(Serialize, Deserialize)]
struct PendingEmail {
    employee_id: Uuid,
    email: String,
}

#[derive(Serialize, Deserialize)]
struct PendingPhone {
    phone: String,
    code_hash: String,
    tries: u32,
}

#[derive(Debug, Clone)]
pub struct ContactService {
    pub config: Arc<IdentityConfig>,
    pub store: SharedStore,
    pub directory: EmployeeDirectory,
    pub profiles: crate::masterdata::profiles::ProfileCache,
    pub limiter: RateLimiter,
    pub audit: AuditLog,
    pub mailer: Mailer,
    pub sms: Arc<dyn Sms>,
    pub clock: SharedClock,
}

fn email_key(hash: &str) -> String {
    format!("email-change:{hash}")
}

fn phone_key(employee_id: Uuid) -> String {
    format!("phone-change:{employee_id}")
}

impl ContactService {
    /// Mails a confirmation link to the new address; nothing changes until it is opened.
    pub async fn request_email(
        &self,
        employee_id: Uuid,
        email: &str,
        origin: &Origin,
    ) -> Result<VerificationSent, IdentityError> {
        let email = normalise_email(email)?;
        if !domain_allowed(&self.config, &email) {
            return Err(IdentityError::EmailDomainNotAllowed(email));
        }
        self.limit(employee_id, "email").await?;
        let me = self
            .directory
            .by_id(employee_id)
            .await?
            .ok_or(IdentityError::Unauthenticated)?;
        if self.taken(employee_id, &email).await? {
            return Err(IdentityError::EmailInUse);
        }
        let ttl = Duration::from_secs(self.config.activation_ttl_secs);
        let token = token::new_token();
        let pending = serde_json::to_vec(&PendingEmail {
            employee_id,
            email: email.clone(),
        })
        .unwrap_or_default();
        self.store
            .put(&email_key(&token::hash(&token)), &pending, ttl)
            .await?;
        self.mailer
            .send(&confirmation_email(
                &self.config,
                &email,
                &me.full_name(),
                &token,
                ttl,
            ))
            .await
            .map_err(|e| IdentityError::Delivery(e.to_string()))?;
        self.record(
            origin,
            "email_change_requested",
            "sent",
            employee_id,
            &email,
        )
        .await;
        Ok(VerificationSent {
            message_id: format!("Tautan konfirmasi telah dikirim ke {email}."),
            message_en: format!("A confirmation link has been sent to {email}."),
            expires_in_minutes: ttl.as_secs() / 60,
        })
    }

    /// Uses the mailed link (once, and only in the session of the employee who asked).
    pub async fn confirm_email(
        &self,
        employee_id: Uuid,
        token: &str,
        origin: &Origin,
    ) -> Result<String, IdentityError> {
        let key = email_key(&token::hash(token.trim()));
        let pending = self
            .store
            .get(&key)
            .await?
            .and_then(|raw| serde_json::from_slice::<PendingEmail>(&raw).ok())
            .filter(|p| p.employee_id == employee_id);
        let Some(pending) = pending else {
            self.record(origin, "email_changed", "invalid_token", employee_id, "")
                .await;
            return Err(IdentityError::VerificationInvalid);
        };
        if self.taken(employee_id, &pending.email).await? {
            return Err(IdentityError::EmailInUse);
        }
        if self.store.take(&key).await?.is_none() {
            return Err(IdentityError::VerificationInvalid);
        }
        self.directory
            .set_own_email(employee_id, &pending.email, self.clock.now())
            .await?;
        self.profiles.forget(employee_id).await?;
        self.record(
            origin,
            "email_changed",
            "success",
            employee_id,
            &pending.email,
        )
        .await;
        Ok(pending.email)
    }

    /// Sends a six-digit code to the new number; nothing changes until it is typed back.
    pub async fn request_phone(
        &self,
        employee_id: Uuid,
        phone: &str,
        origin: &Origin,
    ) -> Result<VerificationSent, IdentityError> {
        let phone = normalise_phone(phone)?;
        self.limit(employee_id, "phone").await?;
        let code = format!("{:06}", rand::rng().random_range(0..1_000_000));
        let ttl = Duration::from_secs(self.config.phone_code_ttl_secs);
        let pending = serde_json::to_vec(&PendingPhone {
            phone: phone.clone(),
            code_hash: token::hash(&code),
            tries: 0,
        })
        .unwrap_or_default();
        self.store
            .put(&phone_key(employee_id), &pending, ttl)
            .await?;
        let minutes = ttl.as_secs() / 60;
        self.sms
            .send(
                &phone,
                &format!(
                    "Kode verifikasi nomor ponsel Abdi: {code} (berlaku {minutes} menit). \
                     Abdi phone verification code: {code} (valid {minutes} minutes)."
                ),
            )
            .await
            .map_err(|e| IdentityError::Delivery(e.to_string()))?;
        self.record(
            origin,
            "phone_change_requested",
            "sent",
            employee_id,
            &phone,
        )
        .await;
        Ok(VerificationSent {
            message_id: "Kode verifikasi telah dikirim ke nomor baru melalui SMS.".into(),
            message_en: "A verification code has been sent to the new number by SMS.".into(),
            expires_in_minutes: minutes,
        })
    }

    /// Checks the code typed back; a few wrong ones void it.
    pub async fn confirm_phone(
        &self,
        employee_id: Uuid,
        code: &str,
        origin: &Origin,
    ) -> Result<String, IdentityError> {
        let key = phone_key(employee_id);
        let Some(mut pending) = self
            .store
            .get(&key)
            .await?
            .and_then(|raw| serde_json::from_slice::<PendingPhone>(&raw).ok())
        else {
            return Err(IdentityError::VerificationInvalid);
        };
        if token::hash(code.trim()) != pending.code_hash {
            pending.tries += 1;
            if pending.tries >= CODE_TRIES {
                self.store.take(&key).await?;
            } else {
                let ttl = Duration::from_secs(self.config.phone_code_ttl_secs);
                let raw = serde_json::to_vec(&pending).unwrap_or_default();
                self.store.put_if_present(&key, &raw, ttl).await?;
            }
            self.record(origin, "phone_changed", "wrong_code", employee_id, "")
                .await;
            return Err(IdentityError::VerificationInvalid);
        }
        if self.store.take(&key).await?.is_none() {
            return Err(IdentityError::VerificationInvalid);
        }
        self.directory
            .set_own_phone(employee_id, &pending.phone, self.clock.now())
            .await?;
        self.profiles.forget(employee_id).await?;
        self.record(
            origin,
            "phone_changed",
            "success",
            employee_id,
            &pending.phone,
        )
        .await;
        Ok(pending.phone)
    }

    async fn limit(&self, employee_id: Uuid, what: &str) -> Result<(), IdentityError> {
        self.limiter
            .check(&[(
                format!("contact:{what}:{employee_id}"),
                self.config.activation_per_account,
            )])
            .await
    }

    /// Whether another employee already has `email`.
    async fn taken(&self, employee_id: Uuid, email: &str) -> Result<bool, IdentityError> {
        Ok(self
            .directory
            .by_email(email)
            .await?
            .is_some_and(|e| e.id != employee_id))
    }

    async fn record(&self, origin: &Origin, event: &str, outcome: &str, id: Uuid, to: &str) {
        self.audit
            .record(
                self.clock.now(),
                origin,
                Event {
                    event,
                    outcome,
                    employee_id: Some(id),
                    subject: (!to.is_empty()).then_some(to),
                    detail: None,
                },
            )
            .await;
    }
}

fn confirmation_email(
    config: &IdentityConfig,
    to: &str,
    name: &str,
    token: &str,
    ttl: Duration,
) -> Email {
    let minutes = ttl.as_secs() / 60;
    let link = format!(
        "{}/email/confirm?token={token}",
        config.public_url.trim_end_matches('/')
    );
    Email {
        to: to.to_owned(),
        subject: "Konfirmasi email Abdi / Confirm your Abdi email".into(),
        body: format!(
            "Yth. {name},\n\n\
             Untuk memakai alamat ini sebagai email Anda di Abdi, buka tautan berikut dalam \
             {minutes} menit, dalam keadaan masuk ke Abdi:\n{link}\n\n\
             Jika Anda tidak memintanya, abaikan email ini; email Anda tidak berubah.\n\n\
             ---\n\n\
             Dear {name},\n\n\
             To use this address as your Abdi email, open this link within {minutes} minutes, \
             logged in to Abdi:\n{link}\n\n\
             If you did not ask for it, ignore this email; your email stays as it is.\n"
        ),
    }
}
