//! Push devices: one token per session. Registering again from the same session replaces its
//! token; a token seen before under another session (the same phone, logged in again) moves to
//! this one; ending a session removes its device. A token new to the employee announces itself
//! with a security notification.

use abdi_proto::notifications::{Device, DeviceRegistration, NotificationKind, PushPlatform};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::entity::device;
use super::{NotificationError, Waker, messages, outbox};
use crate::clock::SharedClock;

#[derive(Clone)]
pub struct Devices {
    db: DatabaseConnection,
    clock: SharedClock,
    waker: Waker,
}

fn check(reg: &DeviceRegistration) -> Result<(), NotificationError> {
    let token = reg.token.as_str();
    let printable = |s: &str| s.bytes().all(|b| b.is_ascii_graphic());
    if token.is_empty() || token.len() > 512 || !printable(token) {
        return Err(NotificationError::Token);
    }
    if reg.platform == PushPlatform::Apns
        && (token.len() < 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(NotificationError::ApnsToken);
    }
    let version = reg.app_version.trim();
    if version.is_empty() || version.len() > 32 || !version.chars().all(|c| !c.is_control()) {
        return Err(NotificationError::AppVersion);
    }
    Ok(())
}

fn view(d: &device::Model, current_session: Uuid) -> Device {
    Device {
        id: d.id,
        platform: PushPlatform::from_code(&d.platform).unwrap_or(PushPlatform::Fcm),
        app_version: d.app_version.clone(),
        device_name: d.device_name.clone(),
        session_id: d.session_id,
        current: d.session_id == current_session,
        registered_at: d.created_at,
    }
}

/// The session a device registers from, as notifications need it.
#[derive(Debug, Clone)]
pub struct DeviceSession {
    pub id: Uuid,
    pub employee_id: Uuid,
    pub device_name: String,
    pub platform: String,
}

impl Devices {
    pub fn new(db: DatabaseConnection, clock: SharedClock, waker: Waker) -> Self {
        Self { db, clock, waker }
    }

    /// Registers (or replaces) the push token of the session's device.
    pub async fn register(
        &self,
        session: &DeviceSession,
        reg: &DeviceRegistration,
    ) -> Result<Device, NotificationError> {
        check(reg)?;
        let now = self.clock.now();
        let txn = crate::store::db::write_txn(&self.db).await?;
        let holder = device::Entity::find()
            .filter(device::Column::Token.eq(reg.token.clone()))
            .one(&txn)
            .await?;
        let mine = device::Entity::find()
            .filter(device::Column::SessionId.eq(session.id))
            .one(&txn)
            .await?;
        // Known: the session's own device refreshing its token (providers rotate them), or
        // the employee's phone logging in again.
        let known = mine.is_some()
            || holder
                .as_ref()
                .is_some_and(|h| h.employee_id == session.employee_id);
        // The phone logged in again (or another person logged in on it): the token moves.
        if let Some(h) = &holder
            && h.session_id != session.id
        {
            device::Entity::delete_by_id(h.id).exec(&txn).await?;
        }
        let row = match mine {
            Some(m) => {
                let mut m: device::ActiveModel = m.into();
                m.platform = Set(reg.platform.code().to_owned());
                m.token = Set(reg.token.clone());
                m.app_version = Set(reg.app_version.trim().to_owned());
                m.updated_at = Set(now);
                m.update(&txn).await?
            }
            None => {
                device::ActiveModel {
                    id: Set(Uuid::new_v4()),
                    employee_id: Set(session.employee_id),
                    session_id: Set(session.id),
                    platform: Set(reg.platform.code().to_owned()),
                    token: Set(reg.token.clone()),
                    app_version: Set(reg.app_version.trim().to_owned()),
                    device_name: Set(session.device_name.clone()),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&txn)
                .await?
            }
        };
        if !known {
            let (title, body) = messages::new_device(&session.device_name, &session.platform);
            outbox::emit(
                &txn,
                now,
                outbox::NewEvent {
                    employee_id: session.employee_id,
                    kind: NotificationKind::NewDevice,
                    title,
                    body,
                    request_id: None,
                    status: None,
                    outcome: None,
                    quiet: false,
                },
            )
            .await?;
        }
        txn.commit().await?;
        self.waker.wake();
        Ok(view(&row, session.id))
    }

    pub async fn list(
        &self,
        employee_id: Uuid,
        current_session: Uuid,
    ) -> Result<Vec<Device>, NotificationError> {
        Ok(device::Entity::find()
            .filter(device::Column::EmployeeId.eq(employee_id))
            .order_by_desc(device::Column::CreatedAt)
            .all(&self.db)
            .await?
            .iter()
            .map(|d| view(d, current_session))
            .collect())
    }

    /// The session ended (logout, revoked): its device gets nothing more.
    pub async fn forget_session(&self, session_id: Uuid) -> Result<u64, NotificationError> {
        Ok(device::Entity::delete_many()
            .filter(device::Column::SessionId.eq(session_id))
            .exec(&self.db)
            .await?
            .rows_affected)
    }

    /// Every session of the employee ended (revoke all, disabled, transferred).
    pub async fn forget_employee(&self, employee_id: Uuid) -> Result<u64, NotificationError> {
        Ok(device::Entity::delete_many()
            .filter(device::Column::EmployeeId.eq(employee_id))
            .exec(&self.db)
            .await?
            .rows_affected)
    }

    /// The provider said the token is invalid.
    pub async fn forget_token(&self, token: &str) -> Result<u64, NotificationError> {
        Ok(device::Entity::delete_many()
            .filter(device::Column::Token.eq(token))
            .exec(&self.db)
            .await?
            .rows_affected)
    }
}
