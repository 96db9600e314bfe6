//! Running an agency: what its administrators do to accounts and placements, and who may read
//! an employee's record. Every write keeps one order of checks (may the caller do it, then a
//! fresh passkey step-up, then the change) and ends with the audit trail and the end of the
//! person's sessions and push devices.

use abdi_proto::identity::{AuthEvent, AuthEventList, Profile, TransferRequest};
use uuid::Uuid;

use crate::access::{AccessError, Action, Actor};
use crate::error::ApiError;
use crate::identity::audit::Origin;
use crate::identity::{Identity, IdentityError};
use crate::notifications::NotificationError;
use crate::notifications::devices::Devices;

#[derive(Debug, thiserror::Error)]
pub enum AgencyError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Notifications(#[from] NotificationError),
}

impl From<sea_orm::DbErr> for AgencyError {
    fn from(e: sea_orm::DbErr) -> Self {
        AgencyError::Access(AccessError::Database(e))
    }
}

impl From<AgencyError> for ApiError {
    fn from(e: AgencyError) -> Self {
        match e {
            AgencyError::Access(e) => e.into(),
            AgencyError::Identity(e) => e.into(),
            AgencyError::Notifications(e) => e.into(),
        }
    }
}

/// The most audit events one read returns.
const AUDIT_MAX: u64 = 500;

#[derive(Clone)]
pub struct Agency {
    identity: Identity,
    devices: Devices,
}

impl Agency {
    pub fn new(identity: Identity, devices: Devices) -> Self {
        Self { identity, devices }
    }

    /// An employee's record, for themselves, their atasan, the official authorised for their
    /// unit, its fasilitators and administrators.
    pub async fn profile(&self, actor: &Actor, id: Uuid) -> Result<Profile, AgencyError> {
        actor.authorize(Action::ViewEmployee, Some(id)).await?;
        Ok(self
            .identity
            .directory
            .profile(id)
            .await?
            .ok_or(AccessError::EmployeeNotFound)?)
    }

    /// The authentication audit log, newest first (administrators): at most `limit` events
    /// (1 to 500), of one employee if given.
    pub async fn auth_events(
        &self,
        actor: &Actor,
        employee_id: Option<Uuid>,
        limit: u64,
    ) -> Result<AuthEventList, AgencyError> {
        actor.authorize(Action::ReadAuditLog, None).await?;
        let rows = self
            .identity
            .audit_log
            .query(employee_id, limit.clamp(1, AUDIT_MAX))
            .await?;
        Ok(AuthEventList {
            events: rows
                .into_iter()
                .map(|r| AuthEvent {
                    at: r.at,
                    employee_id: r.employee_id.map(|id| id.to_string()),
                    subject: r.subject,
                    event: r.event,
                    outcome: r.outcome,
                    ip: r.ip,
                    user_agent: r.user_agent,
                    detail: r.detail,
                })
                .collect(),
        })
    }

    /// Disables an account: every session and push device ends at once and no login
    /// succeeds.
    pub async fn disable(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: Uuid,
    ) -> Result<(), AgencyError> {
        actor
            .authorize_sensitive(Action::DisableAccount, Some(id))
            .await?;
        let ended = self.identity.disable(id, self.identity.clock.now()).await?;
        self.devices.forget_employee(id).await?;
        let by = actor.employee_id;
        let detail = format!("by {by}; {ended} sessions ended");
        self.identity
            .audit(origin, "account_disabled", Some(id), Some(detail))
            .await;
        Ok(())
    }

    /// Moves an employee to another unit (and post): their sessions and devices end, since
    /// what they may see and decide changes with the unit. A post someone holds is taken only
    /// with `replaces_holder`; the holder then leaves it, and their sessions end too.
    pub async fn transfer(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: Uuid,
        req: &TransferRequest,
    ) -> Result<(), AgencyError> {
        actor
            .authorize_sensitive(Action::TransferEmployee, Some(id))
            .await?;
        let identity = &self.identity;
        let destination = identity
            .directory
            .destination(&req.unit_code, req.position_code.as_deref())
            .await?
            .map_err(AccessError::UnitNotFound)?;
        let (ended, replaced) = identity
            .transfer(id, destination, req.replaces_holder, identity.clock.now())
            .await?;
        self.devices.forget_employee(id).await?;
        let by = actor.employee_id;
        for holder in &replaced {
            self.devices.forget_employee(*holder).await?;
            let detail = format!("post taken by {id}; by {by}");
            identity
                .audit(origin, "employee_replaced", Some(*holder), Some(detail))
                .await;
        }
        let detail = format!("to {}; by {by}; {ended} sessions ended", req.unit_code);
        identity
            .audit(origin, "employee_transferred", Some(id), Some(detail))
            .await;
        Ok(())
    }
}
