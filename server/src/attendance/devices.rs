//! The phone that signs an employee's check-ins: its P-256 key, enrolled in a logged-in
//! session (enrolling another phone retires the one before, so a phone lent to a colleague
//! stops counting for its owner), and the single-use nonce an online check-in carries.

use std::time::Duration;

use abdi_proto::attendance::{AttendanceNonce, DeviceEnrolment, EnrolledDevice};
use chrono::{DateTime, Utc};
use p256::pkcs8::DecodePublicKey;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entity::device;
use super::{Attendance, AttendanceError};
use crate::access::Actor;
use crate::identity::token::{hash, new_token};

/// What a nonce stands for while it lives.
#[derive(Serialize, Deserialize)]
pub(crate) struct IssuedNonce {
    pub e: Uuid,
    pub t: DateTime<Utc>,
}

pub(crate) fn nonce_key(nonce: &str) -> String {
    format!("attendance-nonce:{}", hash(nonce))
}

impl Attendance {
    /// Enrols the caller's phone; their earlier phone is retired.
    pub async fn enroll(
        &self,
        actor: &Actor,
        enrolment: DeviceEnrolment,
    ) -> Result<EnrolledDevice, AttendanceError> {
        let name = enrolment.name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.contains('\0') {
            return Err(AttendanceError::upload(
                "Isi nama ponsel (1 sampai 100 karakter).",
                "Fill in the phone's name (1 to 100 characters).",
            ));
        }
        let pem = enrolment.public_key_pem.trim();
        if p256::ecdsa::VerifyingKey::from_public_key_pem(pem).is_err() {
            return Err(AttendanceError::upload(
                "Kunci ponsel tidak terbaca: kirim PEM `PUBLIC KEY` P-256.",
                "The phone's key cannot be read: send a P-256 `PUBLIC KEY` PEM.",
            ));
        }
        let now = self.clock.now();
        let id = Uuid::now_v7();
        let txn = self.db.begin().await?;
        device::Entity::update_many()
            .col_expr(device::Column::RetiredAt, Expr::value(now))
            .filter(device::Column::EmployeeId.eq(actor.employee_id))
            .filter(device::Column::RetiredAt.is_null())
            .exec(&txn)
            .await?;
        device::ActiveModel {
            id: Set(id),
            employee_id: Set(actor.employee_id),
            name: Set(name.to_owned()),
            public_key_pem: Set(pem.to_owned()),
            enrolled_at: Set(now),
            retired_at: Set(None),
            last_seq: Set(0),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(EnrolledDevice {
            device_id: id,
            enrolled_at: now,
        })
    }

    /// A nonce for the caller's next online check-in.
    pub async fn nonce(&self, actor: &Actor) -> Result<AttendanceNonce, AttendanceError> {
        let nonce = new_token();
        let now = self.clock.now();
        let issued = IssuedNonce {
            e: actor.employee_id,
            t: now,
        };
        let ttl = Duration::from_secs(self.config.nonce_ttl_secs.max(1));
        self.store
            .put(
                &nonce_key(&nonce),
                &serde_json::to_vec(&issued).unwrap_or_default(),
                ttl,
            )
            .await?;
        Ok(AttendanceNonce {
            nonce,
            server_time: now,
            expires_in: ttl.as_secs(),
        })
    }
}
