//! Request news, a subscriber of the request engine's events: the requester hears of every
//! change past the draft, and whoever must act next hears that the request waits for them:
//! the fasilitator who verifies, the atasan, the PYBMC or the PPK who decides, a Plt/Plh of
//! theirs inside the assignment's window where acting officials may act, and for an outside
//! approval (BKN) the administrators; when nobody may act on the step, the administrators
//! hear that it waits on a vacant post or a unit without a fasilitator. Each notice goes out
//! on every channel the recipient's preferences allow, like any other news.

use abdi_proto::Text;
use abdi_proto::notifications::NotificationKind;
use abdi_proto::services::{Approver, RequestStatus};
use async_trait::async_trait;
use sea_orm::{DatabaseTransaction, DbErr, EntityTrait};

use super::messages::Nobody;
use super::{Waker, messages, outbox};
use crate::access::Access;
use crate::masterdata::entity::{employee, org_unit, position};
use crate::services::ServiceError;
use crate::services::events::{Action, ActiveStep, RequestEvent, Subscriber};

/// Tells the requester and the next actor; wakes the delivery worker once the change commits.
#[derive(Clone)]
pub struct RequestNews {
    waker: Waker,
}

impl RequestNews {
    pub fn new(waker: Waker) -> Self {
        Self { waker }
    }
}

#[async_trait]
impl Subscriber for RequestNews {
    async fn on_event(
        &self,
        txn: &DatabaseTransaction,
        event: &RequestEvent,
    ) -> Result<(), ServiceError> {
        if event.to == RequestStatus::Draft || event.action == Action::Edited {
            return Ok(());
        }
        requester_told(txn, event, &event.service_name).await?;
        if let Some(step) = &event.activated {
            next_actor_told(txn, event, step, &event.service_name).await?;
        }
        Ok(())
    }

    async fn committed(&self, _event: &RequestEvent) {
        self.waker.wake();
    }
}

/// The requester's notice of the change. Done by the requester themself, it goes only to the
/// inbox and the stream.
async fn requester_told(
    txn: &DatabaseTransaction,
    event: &RequestEvent,
    name: &Text,
) -> Result<(), DbErr> {
    // The event says the outcome when it decided the request; nothing else changes it.
    let outcome = event.decided;
    let (title, body) = messages::request_changed(
        name,
        event.action.code(),
        event.to,
        outcome,
        event.note.as_deref(),
    );
    outbox::emit(
        txn,
        event.at,
        outbox::NewEvent {
            employee_id: event.employee_id,
            kind: NotificationKind::RequestStatus,
            title,
            body,
            request_id: Some(event.request_id),
            status: Some(event.to),
            outcome,
            quiet: event.by_owner,
        },
    )
    .await?;
    Ok(())
}

/// "A request waits for you", to everyone who may act on the step that just became active
/// (never the requester, never the one who just acted). When nobody may act on it at all (a
/// vacant post with no Plt/Plh in their window, a unit with no fasilitator), the
/// administrators hear that instead, so that one of them appoints someone.
async fn next_actor_told(
    txn: &DatabaseTransaction,
    event: &RequestEvent,
    step: &ActiveStep,
    name: &Text,
) -> Result<(), DbErr> {
    let mut recipients = match (step.approver, step.position_id, step.unit_id) {
        (Approver::Bkn, _, _) => Access::administrators(txn, event.today).await?,
        (Approver::Fasilitator, _, Some(unit)) => {
            Access::fasilitators(txn, unit, event.today).await?
        }
        (_, Some(post), _) => Access::holders(txn, post, step.acting_allowed, event.today).await?,
        _ => Vec::new(),
    };
    recipients.retain(|r| *r != event.employee_id);
    let requester = employee::Entity::find_by_id(event.employee_id)
        .one(txn)
        .await?
        .map_or_else(String::new, |e| e.name);
    let (kind, (title, body)) = if recipients.is_empty() {
        let what = match (step.position_id, step.unit_id) {
            (Some(post), _) => position::Entity::find_by_id(post)
                .one(txn)
                .await?
                .map(|p| p.title),
            (None, Some(unit)) if step.approver == Approver::Fasilitator => {
                org_unit::Entity::find_by_id(unit)
                    .one(txn)
                    .await?
                    .map(|u| u.name)
            }
            _ => None,
        };
        let Some(what) = what else {
            return Ok(());
        };
        let missing = if step.position_id.is_some() {
            Nobody::Post(&what)
        } else {
            Nobody::Fasilitator(&what)
        };
        recipients = Access::administrators(txn, event.today).await?;
        recipients.retain(|r| *r != event.employee_id);
        (
            NotificationKind::PostVacant,
            messages::nobody_to_act(name, &requester, missing),
        )
    } else {
        (
            NotificationKind::ActionRequired,
            messages::action_required(name, &requester, step.kind),
        )
    };
    recipients.sort_unstable();
    recipients.dedup();
    recipients.retain(|r| Some(*r) != event.actor);
    for recipient in recipients {
        outbox::emit(
            txn,
            event.at,
            outbox::NewEvent {
                employee_id: recipient,
                kind,
                title: title.clone(),
                body: body.clone(),
                request_id: Some(event.request_id),
                status: Some(event.to),
                outcome: None,
                quiet: false,
            },
        )
        .await?;
    }
    Ok(())
}
