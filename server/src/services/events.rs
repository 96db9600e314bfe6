//! What happened to a request, told to whoever acts on it: the engine records each change as a
//! [`RequestEvent`] in the change's own transaction (the timeline row) and hands it to every
//! [`Subscriber`] inside that transaction. Notifications and documents are subscribers; the
//! engine knows neither of them, only this list, which `startup` fills.
//!
//! Inside the transaction, not after it: a decision is never without its letter number or its
//! notification, nor the reverse, and a subscriber that fails rolls the change back. What must
//! leave the process (push, email, the stream) is written to the notifications outbox here
//! and sent by its workers after the commit.

use std::sync::Arc;

use abdi_proto::Text;
use abdi_proto::services::{Approver, Outcome, RequestStatus, StepKind};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::DatabaseTransaction;

use super::ServiceError;
use super::entity::request_step;
use uuid::Uuid;

/// What a change did, as the timeline names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sea_orm::EnumIter, sea_orm::DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum Action {
    Created,
    Edited,
    Submitted,
    Resubmitted,
    Cancelled,
    Verified,
    Returned,
    Recommended,
    Approved,
    Decided,
}

impl Action {
    /// The stored code (the timeline's `action` column).
    pub fn code(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Edited => "edited",
            Self::Submitted => "submitted",
            Self::Resubmitted => "resubmitted",
            Self::Cancelled => "cancelled",
            Self::Verified => "verified",
            Self::Returned => "returned",
            Self::Recommended => "recommended",
            Self::Approved => "approved",
            Self::Decided => "decided",
        }
    }
}

/// One change of a request, as its subscribers see it.
#[derive(Debug, Clone)]
pub struct RequestEvent {
    pub request_id: Uuid,
    /// The requester.
    pub employee_id: Uuid,
    pub service_code: String,
    /// The catalogue's name of the service (what notices call it).
    pub service_name: Text,
    pub at: DateTime<Utc>,
    /// The change's day in Western Indonesia Time (acting windows, letter years).
    pub today: NaiveDate,
    pub action: Action,
    pub from: Option<RequestStatus>,
    pub to: RequestStatus,
    pub actor: Option<Uuid>,
    /// The requester did it themself.
    pub by_owner: bool,
    pub note: Option<String>,
    /// The final outcome, when this change decided the request.
    pub decided: Option<Outcome>,
    /// The step this change made active: someone must now act on it.
    pub activated: Option<ActiveStep>,
}

/// A step that became active, as its chain has it: who is to act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveStep {
    pub id: Uuid,
    pub kind: StepKind,
    pub approver: Approver,
    pub acting_allowed: bool,
    /// The deciding post (atasan, PYBMC, PPK).
    pub position_id: Option<Uuid>,
    /// The unit whose fasilitators verify.
    pub unit_id: Option<Uuid>,
}

impl From<&request_step::Model> for ActiveStep {
    fn from(s: &request_step::Model) -> Self {
        Self {
            id: s.id,
            kind: s.kind,
            approver: s.approver,
            acting_allowed: s.acting_allowed,
            position_id: s.position_id,
            unit_id: s.unit_id,
        }
    }
}

impl RequestEvent {
    /// The request this change granted (approved, or approved with changes), if its service
    /// runs `rules`: read again in `txn`, as the decision left it (a decision with changes
    /// rewrote the form and the assessment). Where a subscriber acting on one service's
    /// granted decisions starts (a sanction's record, a data request's client).
    pub async fn granted(
        &self,
        txn: &DatabaseTransaction,
        rules: &str,
    ) -> Result<Option<super::entity::service_request::Model>, ServiceError> {
        use super::entity::{service_request, service_type};
        use sea_orm::EntityTrait;
        if !matches!(self.decided, Some(Outcome::Disetujui | Outcome::Perubahan)) {
            return Ok(None);
        }
        let runs = service_type::Entity::find_by_id(&self.service_code)
            .one(txn)
            .await?
            .is_some_and(|s| s.rules == rules);
        if !runs {
            return Ok(None);
        }
        Ok(service_request::Entity::find_by_id(self.request_id)
            .one(txn)
            .await?)
    }
}

/// Acts on a request's change inside its transaction.
#[async_trait]
pub trait Subscriber: Send + Sync {
    async fn on_event(
        &self,
        txn: &DatabaseTransaction,
        event: &RequestEvent,
    ) -> Result<(), ServiceError>;

    /// Called once the change committed, before the caller is answered (to wake a worker, or
    /// to sign a granted letter at once). It cannot undo the change, so it reports its own
    /// failures.
    async fn committed(&self, _event: &RequestEvent) {}
}

/// The subscribers, in the order they are told.
#[derive(Clone, Default)]
pub struct Subscribers(Arc<[Arc<dyn Subscriber>]>);

impl Subscribers {
    pub fn new(list: Vec<Arc<dyn Subscriber>>) -> Self {
        Self(list.into())
    }

    pub(crate) async fn publish(
        &self,
        txn: &DatabaseTransaction,
        event: &RequestEvent,
    ) -> Result<(), ServiceError> {
        for s in self.0.iter() {
            s.on_event(txn, event).await?;
        }
        Ok(())
    }

    pub(crate) async fn committed(&self, event: &RequestEvent) {
        for s in self.0.iter() {
            s.committed(event).await;
        }
    }
}
