//! The request lifecycle: draft -> submitted -> (verification; maybe returned for revision) ->
//! in review along the approval chain -> decided; cancelled by the employee before the final
//! decision. Every change runs in one transaction that first bumps the request's version (an
//! optimistic lock: of two officials acting on the same version one wins, the other gets a
//! conflict) and records who did what, in which capacity, under which acting assignment.
//! Submissions first lock the employee's row, so two at once are checked one after the other
//! against the same balance.

mod cancel;
mod create;
mod decide;
mod edit;
mod quote;
mod reroute;
mod submit;
mod verify;

use abdi_proto::archive::ArchiveKind;
use abdi_proto::eligibility::{Eligibility, Evaluation, Facts};
use abdi_proto::forms::FormValues;
use abdi_proto::services::{
    Approver, Decision, NewRequest, Outcome, Quote, RequestStatus, RequestView, ServiceSpec,
    StepKind, StepStatus, Verification, VerificationOutcome, Violation,
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::attachments::Holder;
use super::chain::{self, PlannedStep};
use super::entity::{request_event, request_step, service_request};
use super::events::{Action, ActiveStep, RequestEvent, Subscribers};
use super::rules::{Assessment, RuleInput, ServiceRules, Settlement};
use super::{ServiceError, Services, attachments, catalogue, idempotency, views};
use crate::access::{Access, AccessError, Actor, Principal};
use crate::masterdata::entity::employee;

/// A vocabulary value as stored (its serde name).
pub(crate) fn code<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn json(v: &impl Serialize) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

fn stored_form(r: &service_request::Model) -> FormValues {
    serde_json::from_str(&r.form).unwrap_or_default()
}

/// Who acted and how, for the step and the timeline.
#[derive(Debug, Clone, Default)]
struct Acted {
    actor: Option<Uuid>,
    capacity: Option<String>,
    acting: Option<Uuid>,
}

impl Acted {
    /// The employee acting on their own request.
    fn own(employee: Uuid) -> Self {
        Self {
            actor: Some(employee),
            capacity: Some("own".into()),
            acting: None,
        }
    }
}

/// The request a change is about.
#[derive(Debug, Clone, Copy)]
struct Subject<'a> {
    id: Uuid,
    employee_id: Uuid,
    service_code: &'a str,
    /// The catalogue's name of the service.
    service_name: &'a abdi_proto::Text,
}

impl<'a> Subject<'a> {
    fn of(r: &'a service_request::Model, service_name: &'a abdi_proto::Text) -> Self {
        Self {
            id: r.id,
            employee_id: r.employee_id,
            service_code: &r.service_code,
            service_name,
        }
    }
}

/// One row of the timeline.
struct Event {
    action: Action,
    from: Option<RequestStatus>,
    to: RequestStatus,
    acted: Acted,
    outcome: Option<String>,
    note: Option<String>,
    /// The final outcome, when the change decided the request.
    decided: Option<Outcome>,
    /// The step the change made active.
    activated: Option<ActiveStep>,
}

impl Event {
    /// A change the employee made to their own request.
    fn own(action: Action, from: Option<RequestStatus>, to: RequestStatus, owner: Uuid) -> Self {
        Self {
            action,
            from,
            to,
            acted: Acted::own(owner),
            outcome: None,
            note: None,
            decided: None,
            activated: None,
        }
    }
}

/// Writes the timeline row, then tells the subscribers, in the same transaction.
async fn record(
    txn: &DatabaseTransaction,
    subscribers: &Subscribers,
    subject: Subject<'_>,
    (at, today): (DateTime<Utc>, NaiveDate),
    e: Event,
) -> Result<(RequestEvent, request_event::Model), ServiceError> {
    let event = RequestEvent {
        request_id: subject.id,
        employee_id: subject.employee_id,
        service_code: subject.service_code.to_owned(),
        service_name: subject.service_name.clone(),
        at,
        today,
        action: e.action,
        from: e.from,
        to: e.to,
        actor: e.acted.actor,
        by_owner: e.acted.capacity.as_deref() == Some("own"),
        note: e.note.clone(),
        decided: e.decided,
        activated: e.activated,
    };
    let row = request_event::Entity::insert(request_event::ActiveModel {
        request_id: Set(subject.id),
        at: Set(at),
        action: Set(e.action),
        from_status: Set(e.from),
        to_status: Set(e.to),
        actor_id: Set(e.acted.actor),
        capacity: Set(e.acted.capacity),
        acting_assignment_id: Set(e.acted.acting),
        outcome: Set(e.outcome),
        note: Set(e.note),
        ..Default::default()
    })
    .exec_with_returning(txn)
    .await?;
    subscribers.publish(txn, &event).await?;
    Ok((event, row))
}

/// Takes the employee's row lock for the rest of the transaction and reads the row, in one
/// statement (PostgreSQL: `SELECT ... FOR UPDATE`; SQLite has no row locks and renders no
/// clause: its write transaction already holds the database's write lock), so balance checks
/// of one employee run one at a time.
async fn lock_employee(
    txn: &DatabaseTransaction,
    id: Uuid,
) -> Result<employee::Model, ServiceError> {
    employee::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(ServiceError::Access(AccessError::EmployeeNotFound))
}

/// Bumps the request's version if it is still `version`: the optimistic lock every change
/// takes first.
async fn bump(
    txn: &DatabaseTransaction,
    id: Uuid,
    version: u32,
    now: DateTime<Utc>,
) -> Result<service_request::Model, ServiceError> {
    let updated = service_request::Entity::update_many()
        .col_expr(
            service_request::Column::Version,
            Expr::col(service_request::Column::Version).add(1),
        )
        .col_expr(service_request::Column::UpdatedAt, Expr::value(now))
        .filter(service_request::Column::Id.eq(id))
        .filter(service_request::Column::Version.eq(version as i32))
        .exec(txn)
        .await?;
    let row = service_request::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(ServiceError::RequestNotFound)?;
    if updated.rows_affected != 1 {
        return Err(ServiceError::VersionConflict);
    }
    Ok(row)
}

fn require(ok: bool, status: RequestStatus) -> Result<(), ServiceError> {
    if ok {
        Ok(())
    } else {
        Err(ServiceError::InvalidTransition(status.code().to_owned()))
    }
}

fn note_of(note: Option<&str>) -> Option<String> {
    note.map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(2000).collect())
}

async fn steps_of(
    txn: &impl ConnectionTrait,
    request_id: Uuid,
) -> Result<Vec<request_step::Model>, sea_orm::DbErr> {
    request_step::Entity::find()
        .filter(request_step::Column::RequestId.eq(request_id))
        .order_by_asc(request_step::Column::Seq)
        .all(txn)
        .await
}

/// Removes the request's chain (before a request sent again gets its new one).
async fn clear_steps(txn: &DatabaseTransaction, request_id: Uuid) -> Result<(), sea_orm::DbErr> {
    request_step::Entity::delete_many()
        .filter(request_step::Column::RequestId.eq(request_id))
        .exec(txn)
        .await
        .map(|_| ())
}

/// Writes the chain of a request that has none; the first step becomes active. Returns the
/// rows as written.
async fn write_steps(
    txn: &DatabaseTransaction,
    (request_id, service_code, employee_id): (Uuid, &str, Uuid),
    steps: &[PlannedStep],
    now: DateTime<Utc>,
) -> Result<Vec<request_step::Model>, sea_orm::DbErr> {
    let rows: Vec<request_step::Model> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| request_step::Model {
            id: Uuid::now_v7(),
            request_id,
            service_code: service_code.to_owned(),
            employee_id,
            seq: i as i32,
            kind: s.kind,
            approver: s.approver,
            acting_allowed: s.acting_allowed,
            position_id: s.position_id,
            unit_id: s.unit_id,
            pd_unit_id: s.pd_unit_id,
            status: if i == 0 {
                StepStatus::Active
            } else {
                StepStatus::Waiting
            },
            activated_at: (i == 0).then_some(now),
            outcome: None,
            note: None,
            actor_id: None,
            capacity: None,
            acting_assignment_id: None,
            acted_at: None,
        })
        .collect();
    if !rows.is_empty() {
        request_step::Entity::insert_many(
            rows.iter().cloned().map(IntoActiveModel::into_active_model),
        )
        .exec_without_returning(txn)
        .await?;
    }
    Ok(rows)
}

async fn set_step(
    txn: &DatabaseTransaction,
    step: Uuid,
    status: StepStatus,
    outcome: Option<String>,
    note: Option<String>,
    acted: &Acted,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    request_step::Entity::update_many()
        .col_expr(request_step::Column::Status, Expr::value(status))
        .col_expr(request_step::Column::Outcome, Expr::value(outcome))
        .col_expr(request_step::Column::Note, Expr::value(note))
        .col_expr(request_step::Column::ActorId, Expr::value(acted.actor))
        .col_expr(
            request_step::Column::Capacity,
            Expr::value(acted.capacity.clone()),
        )
        .col_expr(
            request_step::Column::ActingAssignmentId,
            Expr::value(acted.acting),
        )
        .col_expr(request_step::Column::ActedAt, Expr::value(now))
        .filter(request_step::Column::Id.eq(step))
        .exec(txn)
        .await
        .map(|_| ())
}

async fn activate(
    txn: &DatabaseTransaction,
    step: Uuid,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    request_step::Entity::update_many()
        .col_expr(
            request_step::Column::Status,
            Expr::value(StepStatus::Active),
        )
        .col_expr(request_step::Column::ActivatedAt, Expr::value(now))
        .filter(request_step::Column::Id.eq(step))
        .exec(txn)
        .await
        .map(|_| ())
}

/// Marks every step not yet done as skipped.
async fn skip_rest(txn: &DatabaseTransaction, request_id: Uuid) -> Result<(), sea_orm::DbErr> {
    request_step::Entity::update_many()
        .col_expr(
            request_step::Column::Status,
            Expr::value(StepStatus::Skipped),
        )
        .filter(request_step::Column::RequestId.eq(request_id))
        .filter(request_step::Column::Status.is_in([StepStatus::Active, StepStatus::Waiting]))
        .exec(txn)
        .await
        .map(|_| ())
}

/// A form checked and made ready: attachments replaced by what is stored, every field valid.
async fn prepare(
    txn: &impl ConnectionTrait,
    schema: &abdi_proto::forms::FormSchema,
    form: &FormValues,
    owner: Uuid,
    request_id: Uuid,
    today: NaiveDate,
) -> Result<FormValues, ServiceError> {
    let form = attachments::resolve(txn, schema, form, owner, Holder::Request(request_id))
        .await?
        .map_err(ServiceError::FormInvalid)?;
    schema
        .validate(&form, today)
        .map_err(ServiceError::FormInvalid)?;
    Ok(form)
}

/// What submitting needs: the rules' assessment and the resolved chain.
struct Planned {
    assessment: Assessment,
    placement: chain::Placement,
    steps: Vec<PlannedStep>,
}

impl Planned {
    /// Where a request stands once submitted: waiting for its documents' verification, or,
    /// for a chain with none (a surat tugas the atasan grants), at its first decision.
    fn submitted(&self) -> RequestStatus {
        match self.steps.first() {
            Some(s) if s.kind != abdi_proto::services::StepKind::Verification => {
                RequestStatus::InReview
            }
            _ => RequestStatus::Submitted,
        }
    }
}

impl Services {
    async fn write_txn(&self) -> Result<DatabaseTransaction, sea_orm::DbErr> {
        crate::store::db::write_txn(&self.db).await
    }

    /// Refuses a request whose employee's record lacks what the service needs, before any of
    /// its rules runs (Pergub Jatim 73/2020 Pasal 11(3)).
    async fn complete(
        &self,
        txn: &DatabaseTransaction,
        employee: &employee::Model,
        needs: &abdi_proto::completeness::Requirements,
    ) -> Result<(), ServiceError> {
        if needs.is_empty() {
            return Ok(());
        }
        let missing = crate::masterdata::completeness::facts(txn, employee)
            .await?
            .missing(needs);
        if missing.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::RecordIncomplete(missing))
        }
    }

    /// The service's declarative conditions over the employee's record, archive and form
    /// (`None`: ahead of the form, the conditions on it left out): every one that fails, with
    /// what it saw. The phone evaluates the same document.
    pub(crate) async fn conditions(
        txn: &impl ConnectionTrait,
        employee_id: Uuid,
        eligibility: &Eligibility,
        form: Option<&FormValues>,
        today: NaiveDate,
    ) -> Result<Evaluation, ServiceError> {
        let record = crate::masterdata::record::load(txn, employee_id, true)
            .await?
            .ok_or(ServiceError::Access(AccessError::EmployeeNotFound))?;
        let archive: Vec<ArchiveKind> =
            crate::masterdata::completeness::archived_kinds(txn, employee_id)
                .await?
                .into_iter()
                .collect();
        let days_off: Vec<NaiveDate> = crate::reference::entity::holiday::Entity::find()
            .order_by_asc(crate::reference::entity::holiday::Column::Date)
            .all(txn)
            .await?
            .into_iter()
            .map(|h| h.date)
            .collect();
        let empty = FormValues::new();
        let facts = Facts {
            record: &record,
            archive: &archive,
            form: form.unwrap_or(&empty),
            today,
            days_off: &days_off,
        };
        Ok(match form {
            Some(_) => eligibility.evaluate(&facts),
            None => eligibility.ahead(&facts),
        })
    }

    /// Conditions, rules, then the chain: every reason a request cannot go is reported at
    /// once.
    async fn plan(
        &self,
        txn: &DatabaseTransaction,
        rules: &dyn ServiceRules,
        input: &RuleInput<'_>,
        spec: &ServiceSpec,
    ) -> Result<Planned, ServiceError> {
        let failing = if spec.eligibility.is_empty() {
            Vec::new()
        } else {
            Self::conditions(
                txn,
                input.employee.id,
                &spec.eligibility,
                Some(input.form),
                input.today,
            )
            .await?
            .failures
        };
        let assessed = rules.assess(txn, input).await?;
        let restricted = assessed.as_ref().is_ok_and(|a| a.acting_restricted);
        let resolved = chain::resolve(txn, input.employee, &spec.chain, restricted).await?;
        match (failing.is_empty(), assessed, resolved) {
            (true, Ok(assessment), Ok((placement, steps))) => Ok(Planned {
                assessment,
                placement,
                steps,
            }),
            (_, a, c) => {
                let mut violations = failing;
                violations.extend(a.err().unwrap_or_default());
                violations.extend(c.err());
                Err(ServiceError::Rules(violations))
            }
        }
    }

    /// Records the change, reads the request as it now stands, commits, then tells the
    /// subscribers it committed.
    async fn finish(
        &self,
        txn: DatabaseTransaction,
        req: &service_request::Model,
        service_name: &abdi_proto::Text,
        now: DateTime<Utc>,
        event: Event,
    ) -> Result<RequestView, ServiceError> {
        let today = self.clock.today();
        let (event, _) = record(
            &txn,
            &self.subscribers,
            Subject::of(req, service_name),
            (now, today),
            event,
        )
        .await?;
        let view = views::load(&txn, req.id, Some(service_name)).await?;
        txn.commit().await?;
        self.subscribers.committed(&event).await;
        Ok(view)
    }
}

async fn fetch(
    txn: &DatabaseTransaction,
    id: Uuid,
) -> Result<service_request::Model, ServiceError> {
    service_request::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(ServiceError::RequestNotFound)
}

fn own(req: &service_request::Model, owner: Uuid) -> Result<(), ServiceError> {
    if req.employee_id == owner {
        Ok(())
    } else {
        Err(AccessError::Forbidden.into())
    }
}

async fn set_status(
    txn: &DatabaseTransaction,
    id: Uuid,
    status: RequestStatus,
    outcome: Option<Outcome>,
    decided_at: Option<DateTime<Utc>>,
) -> Result<(), sea_orm::DbErr> {
    let mut q = service_request::Entity::update_many()
        .col_expr(service_request::Column::Status, Expr::value(status));
    if let Some(o) = outcome {
        q = q.col_expr(service_request::Column::Outcome, Expr::value(o));
    }
    if let Some(at) = decided_at {
        q = q.col_expr(service_request::Column::DecidedAt, Expr::value(at));
    }
    q.filter(service_request::Column::Id.eq(id))
        .exec(txn)
        .await
        .map(|_| ())
}
