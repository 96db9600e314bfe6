//! Promotion (kenaikan pangkat) end to end: the candidate list of a period, the proposal
//! (usulan) the fasilitator assembles from the archive and verifies, the administrator's batch
//! to BKN through [`bkn::Bkn`], BKN's answer (a Pertek, or a return with its reasons), the SK
//! decided and signed in the service engine (`kenaikan_pangkat`, [`rules::SkRules`]), its
//! upload back to BKN, and the new rank on the TMT.
//!
//! The rules are `abdi_proto::promotion`, the same code the phone runs. The exchange with BKN
//! is asynchronous: each proposal row is its own outbox entry (status, next attempt, lease),
//! moved on by [`Promotion::tick`]; every call BKN answered, or did not, is in the exchange log.

pub mod bkn;
pub mod entity;
pub mod facts;
pub mod rules;
mod worker;

use std::collections::HashMap;
use std::sync::Arc;

use abdi_proto::Text;
use abdi_proto::notifications::NotificationKind;
use abdi_proto::promotion::{
    BatchQueued, Candidate, CandidateList, CandidateStanding, Exchange, NewProposal, Pertek,
    PromotionOutlook, PromotionPolicy, PromotionStatus, ProposalDocument, ProposalView,
};
use abdi_proto::services::Violation;
use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::access::{Access, AccessError, Action, Actor};
use crate::clock::SharedClock;
use crate::config::PromotionConfig;
use crate::documents::Documents;
use crate::masterdata::entity::{archive_document, employee, org_unit};
use crate::notifications::outbox::{self, NewEvent};
use crate::services::Services;
use entity::{exchange, proposal};
pub use worker::TickReport;

/// The name the catalogue's `kenaikan_pangkat` entry gives its rules.
pub const RULES: &str = "promotion.sk";
/// The catalogue service of the SK.
pub const SERVICE: &str = "kenaikan_pangkat";

#[derive(Debug, thiserror::Error)]
pub enum PromotionError {
    #[error("proposal not found")]
    NotFound,
    #[error("employee not found")]
    EmployeeNotFound,
    #[error("an open proposal exists")]
    Exists(Uuid),
    #[error("not eligible")]
    NotEligible(Vec<Violation>),
    #[error("the proposal is {0:?}")]
    State(PromotionStatus),
    #[error("{0} is not a promotion period")]
    PeriodInvalid(NaiveDate),
    #[error("no BKN connector is configured")]
    NotConfigured,
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

impl From<PromotionError> for crate::error::ApiError {
    fn from(e: PromotionError) -> Self {
        use crate::error::ApiError;
        use abdi_proto::ErrorCode;
        match e {
            PromotionError::NotFound => ApiError::new(ErrorCode::PromotionNotFound),
            PromotionError::EmployeeNotFound => ApiError::new(ErrorCode::EmployeeNotFound),
            PromotionError::Exists(id) => ApiError::with_detail(
                ErrorCode::PromotionExists,
                format!("Usulan yang berjalan: {id}."),
                format!("The proposal under way: {id}."),
            ),
            PromotionError::NotEligible(items) => {
                ApiError::with_items(ErrorCode::PromotionNotEligible, items)
            }
            PromotionError::State(status) => {
                let s = serde_json::to_value(status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                ApiError::with_detail(
                    ErrorCode::PromotionState,
                    format!("Status usulan saat ini: {s}."),
                    format!("The proposal is now: {s}."),
                )
            }
            PromotionError::PeriodInvalid(d) => ApiError::with_detail(
                ErrorCode::PromotionPeriodInvalid,
                format!(
                    "{d} bukan periode kenaikan pangkat; periode adalah tanggal 1 pada bulan yang ditetapkan (sejak Oktober 2025: setiap bulan)."
                ),
                format!(
                    "{d} is not a promotion period: a period is the 1st of a scheduled month (since October 2025, every month)."
                ),
            ),
            PromotionError::NotConfigured => ApiError::new(ErrorCode::BknNotConfigured),
            PromotionError::Access(e) => e.into(),
            PromotionError::Database(e) => AccessError::Database(e).into(),
        }
    }
}

#[derive(Clone)]
pub struct Promotion {
    db: DatabaseConnection,
    clock: SharedClock,
    policy: Arc<PromotionPolicy>,
    services: Services,
    documents: Documents,
    bkn: Option<Arc<dyn bkn::Bkn>>,
    config: PromotionConfig,
    waker: crate::notifications::Waker,
}

impl Promotion {
    pub fn new(
        services: Services,
        documents: Documents,
        bkn: Option<Arc<dyn bkn::Bkn>>,
        config: PromotionConfig,
        waker: crate::notifications::Waker,
    ) -> Self {
        Self {
            db: services.db.clone(),
            clock: services.clock.clone(),
            policy: Arc::new(PromotionPolicy::embedded()),
            services,
            documents,
            bkn,
            config,
            waker,
        }
    }

    pub fn policy(&self) -> &PromotionPolicy {
        &self.policy
    }

    fn period(&self, period: NaiveDate) -> Result<(), PromotionError> {
        if self.policy.is_period(period) {
            Ok(())
        } else {
            Err(PromotionError::PeriodInvalid(period))
        }
    }

    /// The caller's own outlook: the first period they are due in, and what they still lack.
    pub async fn outlook(&self, actor: &Actor) -> Result<PromotionOutlook, PromotionError> {
        let e = employee::Entity::find_by_id(actor.employee_id)
            .one(&self.db)
            .await?
            .ok_or(PromotionError::EmployeeNotFound)?;
        let judged = facts::of_employee(&self.db, e).await?;
        Ok(PromotionOutlook {
            candidacy: self.policy.projection(&judged.facts, self.clock.today()),
        })
    }

    /// The units a list may show: every unit for an administrator (or those under `unit`),
    /// the fasilitator's own units (and below) otherwise.
    async fn scope(
        &self,
        actor: &Actor,
        unit: Option<Uuid>,
    ) -> Result<Option<Vec<Uuid>>, PromotionError> {
        let who = actor.principal().await?;
        if !who.administrator && who.fasilitator_units.is_empty() {
            return Err(AccessError::Forbidden.into());
        }
        let under = match unit {
            Some(u) => {
                if org_unit::Entity::find_by_id(u)
                    .one(&self.db)
                    .await?
                    .is_none()
                {
                    return Err(AccessError::UnitNotFound(u.to_string()).into());
                }
                Some(Access::units_below(&self.db, u).await?)
            }
            None => None,
        };
        if who.administrator {
            return Ok(under);
        }
        let covered = Access::covered(&self.db, who).await?;
        Ok(Some(match under {
            Some(u) => u.into_iter().filter(|x| covered.contains(x)).collect(),
            None => covered.into_iter().collect(),
        }))
    }

    /// Who is due in `period` in the caller's units: each with the kind, the new rank, what
    /// they still lack and what blocks them, and their open proposal.
    pub async fn candidates(
        &self,
        actor: &Actor,
        period: NaiveDate,
        unit: Option<Uuid>,
    ) -> Result<CandidateList, PromotionError> {
        self.period(period)?;
        let units = self.scope(actor, unit).await?;
        let judged = facts::of_units(&self.db, units.as_deref()).await?;
        let open: HashMap<Uuid, Uuid> = proposal::Entity::find()
            .select_only()
            .column(proposal::Column::EmployeeId)
            .column(proposal::Column::Id)
            .filter(proposal::Column::Status.is_not_in(closed()))
            .into_tuple::<(Uuid, Uuid)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect();
        let mut candidates: Vec<Candidate> = judged
            .iter()
            .filter_map(|j| {
                let candidacy = self.policy.judge(&j.facts, None, period);
                (candidacy.standing != CandidateStanding::NotDue).then(|| Candidate {
                    employee: j.employee.person(),
                    unit_code: j.unit_code.clone(),
                    candidacy,
                    proposal: open.get(&j.employee.id).copied(),
                })
            })
            .collect();
        candidates
            .sort_by(|a, b| (&a.unit_code, &a.employee.nip).cmp(&(&b.unit_code, &b.employee.nip)));
        Ok(CandidateList {
            period,
            judged: judged.len() as u32,
            candidates,
        })
    }

    /// The fasilitator assembles a proposal for a due employee from their archive.
    pub async fn propose(
        &self,
        actor: &Actor,
        new: &NewProposal,
    ) -> Result<ProposalView, PromotionError> {
        self.period(new.period)?;
        let e = employee::Entity::find()
            .filter(employee::Column::Nip.eq(new.nip.trim()))
            .one(&self.db)
            .await?
            .ok_or(PromotionError::EmployeeNotFound)?;
        // Nobody proposes or verifies their own promotion.
        if e.id == actor.employee_id {
            return Err(AccessError::Forbidden.into());
        }
        actor
            .authorize(Action::ProposePromotion, Some(e.id))
            .await?;
        if let Some(open) = open_of(&self.db, e.id).await? {
            return Err(PromotionError::Exists(open.id));
        }
        let judged = facts::of_employee(&self.db, e.clone()).await?;
        let c = self.policy.judge(&judged.facts, new.kind, new.period);
        let (CandidateStanding::Ready, Some(rank), Some(new_rank)) =
            (c.standing, c.rank, c.new_rank)
        else {
            return Err(PromotionError::NotEligible(
                c.lacks.into_iter().chain(c.blocked).collect(),
            ));
        };
        let documents = self.assemble(e.id, c.kind).await?;
        let now = self.clock.now();
        let id = Uuid::now_v7();
        let inserted = proposal::Entity::insert(proposal::ActiveModel {
            id: Set(id),
            employee_id: Set(e.id),
            unit_id: Set(e.unit_id),
            period: Set(new.period),
            kind: Set(c.kind),
            status: Set(PromotionStatus::Draft),
            rank_code: Set(rank.to_string()),
            new_rank_code: Set(new_rank.to_string()),
            documents: Set(serde_json::to_string(&documents).unwrap_or_else(|_| "[]".into())),
            bkn_id: Set(None),
            pertek_number: Set(None),
            pertek_date: Set(None),
            pertek_rank: Set(None),
            pertek_tmt: Set(None),
            base_salary: Set(None),
            reasons: Set("[]".into()),
            request_id: Set(None),
            attempts: Set(0),
            next_attempt_at: Set(None),
            lease_until: Set(None),
            last_error: Set(None),
            verified_by: Set(None),
            verified_at: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(&self.db)
        .await;
        match inserted {
            Ok(_) => {}
            // The same employee and period, proposed twice at once: the other one stands.
            Err(err) if is_unique_violation(&err) => {
                let other = open_of(&self.db, e.id).await?.map_or(id, |p| p.id);
                return Err(PromotionError::Exists(other));
            }
            Err(err) => return Err(err.into()),
        }
        self.view_of(id).await
    }

    /// The archive's document for each requirement of the kind (the newest of its kinds).
    async fn assemble(
        &self,
        employee_id: Uuid,
        kind: abdi_proto::promotion::PromotionKind,
    ) -> Result<Vec<ProposalDocument>, DbErr> {
        let archive = archive_document::Entity::find()
            .filter(archive_document::Column::EmployeeId.eq(employee_id))
            .order_by_desc(archive_document::Column::VerifiedAt)
            .all(&self.db)
            .await?;
        let rule = self.policy.rule(kind);
        Ok(rule
            .documents
            .iter()
            .filter_map(|kinds| {
                kinds
                    .iter()
                    .find_map(|k| archive.iter().find(|a| &a.kind == k))
                    .map(|a| ProposalDocument {
                        kind: a.kind.clone(),
                        archive_id: a.id,
                        attachment_id: a.attachment_id,
                    })
            })
            .collect())
    }

    /// The fasilitator checked the proposal: judged again today, it waits for the batch.
    pub async fn verify(
        &self,
        actor: &Actor,
        id: Uuid,
        version: u32,
    ) -> Result<ProposalView, PromotionError> {
        let p = self.get_row(id).await?;
        if p.employee_id == actor.employee_id {
            return Err(AccessError::Forbidden.into());
        }
        actor
            .authorize(Action::ProposePromotion, Some(p.employee_id))
            .await?;
        if p.status != PromotionStatus::Draft {
            return Err(PromotionError::State(p.status));
        }
        let e = employee::Entity::find_by_id(p.employee_id)
            .one(&self.db)
            .await?
            .ok_or(PromotionError::EmployeeNotFound)?;
        let judged = facts::of_employee(&self.db, e).await?;
        let c = self.policy.judge(&judged.facts, Some(p.kind), p.period);
        if c.standing != CandidateStanding::Ready {
            return Err(PromotionError::NotEligible(
                c.lacks.into_iter().chain(c.blocked).collect(),
            ));
        }
        let documents = self.assemble(p.employee_id, p.kind).await?;
        let now = self.clock.now();
        let done = proposal::Entity::update_many()
            .col_expr(
                proposal::Column::Status,
                Expr::value(PromotionStatus::Verified),
            )
            .col_expr(
                proposal::Column::Documents,
                Expr::value(serde_json::to_string(&documents).unwrap_or_else(|_| "[]".into())),
            )
            .col_expr(proposal::Column::VerifiedBy, Expr::value(actor.employee_id))
            .col_expr(proposal::Column::VerifiedAt, Expr::value(now))
            .col_expr(proposal::Column::Version, Expr::value(p.version + 1))
            .col_expr(proposal::Column::UpdatedAt, Expr::value(now))
            .filter(proposal::Column::Id.eq(id))
            .filter(proposal::Column::Version.eq(version as i32))
            .filter(proposal::Column::Status.eq(PromotionStatus::Draft))
            .exec(&self.db)
            .await?;
        if done.rows_affected == 0 {
            return Err(PromotionError::State(self.get_row(id).await?.status));
        }
        self.view_of(id).await
    }

    /// The administrator sends the period's verified proposals: each is queued for the
    /// worker, which sends it (retrying with backoff) and reads BKN's answer.
    pub async fn send(
        &self,
        actor: &Actor,
        period: NaiveDate,
    ) -> Result<BatchQueued, PromotionError> {
        actor
            .authorize_sensitive(Action::SendPromotions, None)
            .await?;
        self.period(period)?;
        if self.bkn.is_none() {
            return Err(PromotionError::NotConfigured);
        }
        let now = self.clock.now();
        let txn = crate::store::db::write_txn(&self.db).await?;
        let queued = proposal::Entity::find()
            .filter(proposal::Column::Period.eq(period))
            .filter(proposal::Column::Status.eq(PromotionStatus::Verified))
            .all(&txn)
            .await?;
        for p in &queued {
            due_now(&txn, p, PromotionStatus::Sending, now).await?;
            tell(
                &txn,
                now,
                p.employee_id,
                Text::new(
                    "Usulan kenaikan pangkat dikirim ke BKN",
                    "Promotion proposal sent to BKN",
                ),
                Text::new(
                    format!(
                        "Usulan kenaikan pangkat Anda ke {} periode {} dikirim ke BKN untuk pertimbangan teknis.",
                        p.new_rank_code, p.period
                    ),
                    format!(
                        "Your proposal for {} in the period of {} is on its way to BKN for its technical consideration.",
                        p.new_rank_code, p.period
                    ),
                ),
            )
            .await?;
        }
        txn.commit().await?;
        self.waker.wake();
        Ok(BatchQueued {
            period,
            queued: queued.len() as u32,
        })
    }

    /// Proposals of a period (or all), in the caller's units.
    pub async fn list(
        &self,
        actor: &Actor,
        period: Option<NaiveDate>,
    ) -> Result<Vec<ProposalView>, PromotionError> {
        let units = self.scope(actor, None).await?;
        let mut q = proposal::Entity::find().order_by_asc(proposal::Column::CreatedAt);
        if let Some(p) = period {
            q = q.filter(proposal::Column::Period.eq(p));
        }
        if let Some(units) = units {
            q = q.filter(proposal::Column::UnitId.is_in(units));
        }
        let rows = q.all(&self.db).await?;
        self.views(rows).await
    }

    /// The caller's own proposals.
    pub async fn mine(&self, actor: &Actor) -> Result<Vec<ProposalView>, PromotionError> {
        let rows = proposal::Entity::find()
            .filter(proposal::Column::EmployeeId.eq(actor.employee_id))
            .order_by_asc(proposal::Column::CreatedAt)
            .all(&self.db)
            .await?;
        self.views(rows).await
    }

    /// One proposal: for the employee, their fasilitators and administrators.
    pub async fn get(&self, actor: &Actor, id: Uuid) -> Result<ProposalView, PromotionError> {
        let p = self.get_row(id).await?;
        if p.employee_id != actor.employee_id {
            actor
                .authorize(Action::ProposePromotion, Some(p.employee_id))
                .await?;
        }
        self.view_of(id).await
    }

    /// The exchange log, newest first (administrators).
    pub async fn exchanges(
        &self,
        actor: &Actor,
        proposal_id: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<Exchange>, PromotionError> {
        actor.authorize(Action::ReadBknExchanges, None).await?;
        let mut q = exchange::Entity::find().order_by_desc(exchange::Column::Id);
        if let Some(p) = proposal_id {
            q = q.filter(exchange::Column::ProposalId.eq(p));
        }
        Ok(q.limit(limit.clamp(1, 1_000))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|x| Exchange {
                id: x.id,
                proposal_id: x.proposal_id,
                operation: x.operation,
                status: x.status.and_then(|s| u16::try_from(s).ok()),
                outcome: x.outcome,
                detail: x.detail,
                at: x.at,
            })
            .collect())
    }

    async fn get_row(&self, id: Uuid) -> Result<proposal::Model, PromotionError> {
        proposal::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(PromotionError::NotFound)
    }

    async fn view_of(&self, id: Uuid) -> Result<ProposalView, PromotionError> {
        let row = self.get_row(id).await?;
        self.views(vec![row])
            .await?
            .pop()
            .ok_or(PromotionError::NotFound)
    }

    async fn views(&self, rows: Vec<proposal::Model>) -> Result<Vec<ProposalView>, PromotionError> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.employee_id).collect();
        let people: HashMap<Uuid, employee::Model> = employee::Entity::find()
            .filter(employee::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        let units: HashMap<Uuid, String> = org_unit::Entity::find()
            .filter(org_unit::Column::Id.is_in(rows.iter().map(|r| r.unit_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.code))
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let e = people.get(&r.employee_id)?;
                Some(view(r.clone(), e.person(), units.get(&r.unit_id).cloned()))
            })
            .collect())
    }
}

/// Moves a proposal to `status` for the worker's next tick, if no one changed it since it was
/// read. Whether it moved.
async fn due_now(
    db: &impl ConnectionTrait,
    p: &proposal::Model,
    status: PromotionStatus,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, DbErr> {
    let done = proposal::Entity::update_many()
        .col_expr(proposal::Column::Status, Expr::value(status))
        .col_expr(proposal::Column::NextAttemptAt, Expr::value(now))
        .col_expr(proposal::Column::Version, Expr::value(p.version + 1))
        .col_expr(proposal::Column::UpdatedAt, Expr::value(now))
        .filter(proposal::Column::Id.eq(p.id))
        .filter(proposal::Column::Version.eq(p.version))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

fn closed() -> [PromotionStatus; 3] {
    [
        PromotionStatus::Returned,
        PromotionStatus::Failed,
        PromotionStatus::Effective,
    ]
}

async fn open_of(
    db: &impl ConnectionTrait,
    employee_id: Uuid,
) -> Result<Option<proposal::Model>, DbErr> {
    proposal::Entity::find()
        .filter(proposal::Column::EmployeeId.eq(employee_id))
        .filter(proposal::Column::Status.is_not_in(closed()))
        .one(db)
        .await
}

fn is_unique_violation(e: &DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

fn view(
    r: proposal::Model,
    employee: abdi_proto::people::PersonRef,
    unit: Option<String>,
) -> ProposalView {
    let rank = |s: &str| s.parse().unwrap_or(abdi_proto::RankCode::LOWEST);
    let pertek = match (
        &r.pertek_number,
        r.pertek_date,
        &r.pertek_rank,
        r.pertek_tmt,
    ) {
        (Some(number), Some(date), Some(new_rank), Some(tmt)) => Some(Pertek {
            number: number.clone(),
            date,
            new_rank: rank(new_rank),
            tmt,
            base_salary: r.base_salary,
        }),
        _ => None,
    };
    ProposalView {
        id: r.id,
        employee,
        unit_code: unit.unwrap_or_default(),
        period: r.period,
        kind: r.kind,
        status: r.status,
        rank: rank(&r.rank_code),
        new_rank: rank(&r.new_rank_code),
        documents: serde_json::from_str(&r.documents).unwrap_or_default(),
        bkn_id: r.bkn_id,
        pertek,
        reasons: serde_json::from_str(&r.reasons).unwrap_or_default(),
        request_id: r.request_id,
        attempts: r.attempts.max(0) as u32,
        next_attempt_at: r.next_attempt_at,
        last_error: r.last_error,
        version: r.version.max(0) as u32,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// A notification about a proposal, written in the caller's transaction.
async fn tell(
    db: &impl ConnectionTrait,
    now: chrono::DateTime<chrono::Utc>,
    employee_id: Uuid,
    title: Text,
    body: Text,
) -> Result<(), DbErr> {
    outbox::emit(
        db,
        now,
        NewEvent {
            employee_id,
            kind: NotificationKind::Promotion,
            title,
            body,
            request_id: None,
            status: None,
            outcome: None,
            quiet: false,
        },
    )
    .await
    .map(|_| ())
}
