//! The exchange worker: each [`Promotion::tick`] moves every due proposal one step.
//!
//! - `sending`: asks BKN for the period's proposals first and takes the one it holds for the
//!   NIP (a worker that died after sending left it there), else uploads the documents and
//!   submits; BKN's id is recorded.
//! - `sent`: reads the period's list; a Pertek is recorded, a return (BTS/TMS) goes back to the
//!   fasilitator with BKN's reasons.
//! - `pertek`: files the SK in the service engine (once, by its idempotency key); once the
//!   PYBMC's signed letter exists, the proposal moves to `uploading`.
//! - `uploading`: uploads the signed SK.
//! - `uploaded`: on the TMT, the new rank goes into the rank history and the employee's record.
//!
//! A call to BKN is made under a claim (the proposal's version, bumped, with a lease); its
//! outcome is written only while the claim is still the worker's. A failed call is tried again
//! after BKN's Retry-After or an exponential backoff with jitter.

use std::collections::HashMap;
use std::time::Duration;

use abdi_proto::Text;
use abdi_proto::documents::DocumentStatus;
use abdi_proto::promotion::{PromotionStatus, ProposalDocument};
use abdi_proto::services::NewRequest;
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::bkn::{self, BknError, Call, KpEntry, Submission};
use super::entity::{exchange, proposal};
use super::{Promotion, SERVICE, due_now, tell};
use crate::documents::entity::document;
use crate::masterdata::entity::{employee, rank_history, salary_history};
use crate::notifications::outbox::Backoff;
use crate::services::entity::attachment;
use crate::services::idempotency::Submitted;

/// What one tick did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    pub sent: u32,
    pub answered: u32,
    pub returned: u32,
    pub filed: u32,
    pub uploaded: u32,
    pub effective: u32,
    pub retried: u32,
    pub failed: u32,
}

/// Proposals one tick claims.
const BATCH: u64 = 50;

/// BKN's reference id of a promotion kind (`jenisKpId`; verify in the training environment).
fn kind_id(kind: abdi_proto::promotion::PromotionKind) -> &'static str {
    use abdi_proto::promotion::PromotionKind::*;
    match kind {
        Regular => "101",
        Functional => "201",
        Structural => "202",
        Diploma => "203",
        Exceptional => "204",
    }
}

impl Promotion {
    /// Moves every due proposal one step. Safe to run on every instance at once.
    pub async fn tick(&self) -> Result<TickReport, DbErr> {
        let mut report = TickReport::default();
        // A signed SK is uploaded in this tick; a Pertek read in it has its SK filed in it.
        self.signed().await?;
        if let Some(bkn) = self.bkn.clone() {
            let now = self.clock.now();
            let mut lists: HashMap<NaiveDate, Result<Vec<KpEntry>, BknError>> = HashMap::new();
            for (p, claim) in self.claim(now).await? {
                let mut log = Vec::new();
                let step = match p.status {
                    PromotionStatus::Sending => self.send_one(bkn.as_ref(), &p, &mut log).await,
                    PromotionStatus::Sent => {
                        // One reading of the period's list per tick, for all its proposals.
                        if let std::collections::hash_map::Entry::Vacant(e) = lists.entry(p.period)
                        {
                            e.insert(bkn.period(p.period, &mut log).await);
                        }
                        match &lists[&p.period] {
                            Ok(entries) => Ok(Step::Answer(
                                entries
                                    .iter()
                                    .find(|e| Some(&e.id) == p.bkn_id.as_ref())
                                    .cloned(),
                            )),
                            Err(e) => Err(e.clone()),
                        }
                    }
                    PromotionStatus::Uploading => self.upload_one(bkn.as_ref(), &p, &mut log).await,
                    _ => continue,
                };
                self.log(p.id, &log, now).await?;
                self.finish(&p, claim, step, &mut report).await?;
            }
        }
        self.file_sks(&mut report).await?;
        self.effective(&mut report).await?;
        Ok(report)
    }

    /// Claims due proposals: each by bumping its version while no other lease holds it.
    async fn claim(&self, now: DateTime<Utc>) -> Result<Vec<(proposal::Model, i32)>, DbErr> {
        let due = proposal::Entity::find()
            .filter(proposal::Column::Status.is_in([
                PromotionStatus::Sending,
                PromotionStatus::Sent,
                PromotionStatus::Uploading,
            ]))
            .filter(proposal::Column::NextAttemptAt.lte(now))
            .filter(
                sea_orm::Condition::any()
                    .add(proposal::Column::LeaseUntil.is_null())
                    .add(proposal::Column::LeaseUntil.lt(now)),
            )
            .order_by_asc(proposal::Column::NextAttemptAt)
            .limit(BATCH)
            .all(&self.db)
            .await?;
        let lease = now + chrono::Duration::seconds(self.config.lease_secs.max(1) as i64);
        let mut claimed = Vec::new();
        for p in due {
            let v = p.version + 1;
            let done = proposal::Entity::update_many()
                .col_expr(proposal::Column::LeaseUntil, Expr::value(lease))
                .col_expr(proposal::Column::Version, Expr::value(v))
                .filter(proposal::Column::Id.eq(p.id))
                .filter(proposal::Column::Version.eq(p.version))
                .exec(&self.db)
                .await?;
            if done.rows_affected == 1 {
                claimed.push((p, v));
            }
        }
        Ok(claimed)
    }

    async fn send_one(
        &self,
        bkn: &dyn bkn::Bkn,
        p: &proposal::Model,
        log: &mut Vec<Call>,
    ) -> Result<Step, BknError> {
        let nip = self.nip(p.employee_id).await?;
        // Sent before, by a worker that did not live to record BKN's answer?
        if let Some(found) = bkn
            .period(p.period, log)
            .await?
            .into_iter()
            .find(|e| e.nip == nip)
        {
            log.push(Call {
                operation: "find",
                status: None,
                outcome: "ok",
                detail: format!("BKN already holds proposal {} for {nip}: taken", found.id),
            });
            return Ok(Step::Sent(found.id));
        }
        let docs: Vec<ProposalDocument> = serde_json::from_str(&p.documents).unwrap_or_default();
        let mut uploaded = Vec::new();
        for d in &docs {
            let (name, file) = self.attachment(d.attachment_id).await?;
            let uri = bkn.upload_document(&d.kind, &name, file, log).await?;
            uploaded.push((d.kind.clone(), uri));
        }
        let new_rank: abdi_proto::RankCode = p
            .new_rank_code
            .parse()
            .map_err(|_| refused(format!("rank {} is not a rank", p.new_rank_code)))?;
        let id = bkn
            .submit(
                &Submission {
                    nip,
                    period: p.period,
                    kind_id: kind_id(p.kind),
                    new_rank_id: bkn::rank_id(new_rank),
                    documents: uploaded,
                },
                log,
            )
            .await?;
        Ok(Step::Sent(id))
    }

    async fn upload_one(
        &self,
        bkn: &dyn bkn::Bkn,
        p: &proposal::Model,
        log: &mut Vec<Call>,
    ) -> Result<Step, BknError> {
        let (Some(bkn_id), Some(request)) = (&p.bkn_id, p.request_id) else {
            return Err(refused("the proposal has no BKN id or SK".into()));
        };
        let doc = document::Entity::find()
            .filter(document::Column::RequestId.eq(request))
            .filter(document::Column::Status.eq(DocumentStatus::Signed))
            .one(&self.db)
            .await
            .map_err(db_unavailable)?
            .ok_or_else(|| refused("the SK is not signed".into()))?;
        let pdf = self
            .documents
            .pdf(&doc)
            .await
            .map_err(|e| BknError::Unavailable {
                retry_after: None,
                detail: format!("reading the signed SK: {e}"),
            })?;
        bkn.upload_sk(bkn_id, &doc.number, doc.issued_on, pdf, log)
            .await?;
        Ok(Step::Uploaded)
    }

    async fn nip(&self, employee_id: Uuid) -> Result<String, BknError> {
        employee::Entity::find_by_id(employee_id)
            .one(&self.db)
            .await
            .map_err(db_unavailable)?
            .map(|e| e.nip)
            .ok_or_else(|| refused("the employee is gone".into()))
    }

    async fn attachment(&self, id: Uuid) -> Result<(String, Bytes), BknError> {
        let a = attachment::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .map_err(db_unavailable)?
            .ok_or_else(|| refused(format!("attachment {id} is gone from the archive")))?;
        let file = self
            .services
            .objects
            .get_bytes(&a.storage_key)
            .await
            .map_err(|e| BknError::Unavailable {
                retry_after: None,
                detail: format!("reading {}: {e}", a.name),
            })?;
        Ok((a.name, file))
    }

    async fn log(&self, proposal_id: Uuid, log: &[Call], at: DateTime<Utc>) -> Result<(), DbErr> {
        if log.is_empty() {
            return Ok(());
        }
        exchange::Entity::insert_many(log.iter().map(|c| exchange::ActiveModel {
            proposal_id: Set(Some(proposal_id)),
            operation: Set(c.operation.to_owned()),
            status: Set(c.status.map(i32::from)),
            outcome: Set(c.outcome.to_owned()),
            detail: Set(c.detail.clone()),
            at: Set(at),
            ..Default::default()
        }))
        .exec_without_returning(&self.db)
        .await
        .map(|_| ())
    }

    /// Writes a step's outcome while the claim is still the worker's.
    async fn finish(
        &self,
        p: &proposal::Model,
        claim: i32,
        step: Result<Step, BknError>,
        report: &mut TickReport,
    ) -> Result<(), DbErr> {
        let now = self.clock.now();
        let poll = now + chrono::Duration::seconds(self.config.poll_secs as i64);
        let txn = crate::store::db::write_txn(&self.db).await?;
        let mut update = proposal::Entity::update_many()
            .col_expr(
                proposal::Column::LeaseUntil,
                Expr::value(None::<DateTime<Utc>>),
            )
            .col_expr(proposal::Column::Version, Expr::value(claim + 1))
            .col_expr(proposal::Column::UpdatedAt, Expr::value(now))
            .filter(proposal::Column::Id.eq(p.id))
            .filter(proposal::Column::Version.eq(claim));
        let ok = |u: sea_orm::UpdateMany<proposal::Entity>| {
            u.col_expr(proposal::Column::Attempts, Expr::value(0))
                .col_expr(proposal::Column::LastError, Expr::value(None::<String>))
        };
        let mut told: Option<(Text, Text)> = None;
        match step {
            Ok(Step::Sent(id)) => {
                report.sent += 1;
                update = ok(update)
                    .col_expr(proposal::Column::Status, Expr::value(PromotionStatus::Sent))
                    .col_expr(proposal::Column::BknId, Expr::value(id))
                    .col_expr(proposal::Column::NextAttemptAt, Expr::value(poll));
            }
            Ok(Step::Answer(None)) => {
                update = ok(update).col_expr(proposal::Column::NextAttemptAt, Expr::value(poll));
            }
            Ok(Step::Answer(Some(e))) if e.returned() => {
                report.returned += 1;
                let reasons = if e.reasons.is_empty() {
                    vec![e.status_name.clone()]
                } else {
                    e.reasons.clone()
                };
                update = ok(update)
                    .col_expr(
                        proposal::Column::Status,
                        Expr::value(PromotionStatus::Returned),
                    )
                    .col_expr(
                        proposal::Column::Reasons,
                        Expr::value(serde_json::to_string(&reasons).unwrap_or_default()),
                    )
                    .col_expr(
                        proposal::Column::NextAttemptAt,
                        Expr::value(None::<DateTime<Utc>>),
                    );
                told = Some((
                    Text::new(
                        format!("Usulan kenaikan pangkat dikembalikan BKN ({})", e.status),
                        format!("Promotion proposal returned by BKN ({})", e.status),
                    ),
                    Text::new(
                        format!(
                            "Alasan BKN: {}. Perbaiki berkas lalu usulkan kembali pada periode berikutnya.",
                            reasons.join("; ")
                        ),
                        format!(
                            "BKN's reasons: {}. Correct the documents and propose again in the next period.",
                            reasons.join("; ")
                        ),
                    ),
                ));
            }
            Ok(Step::Answer(Some(e))) => match (&e.pertek_number, e.pertek_date) {
                (Some(number), Some(date)) => {
                    report.answered += 1;
                    let rank = e
                        .new_rank_id
                        .as_deref()
                        .and_then(bkn::rank_of_id)
                        .map_or_else(|| p.new_rank_code.clone(), |r| r.to_string());
                    let tmt = e.tmt.unwrap_or(p.period);
                    update = ok(update)
                        .col_expr(
                            proposal::Column::Status,
                            Expr::value(PromotionStatus::Pertek),
                        )
                        .col_expr(proposal::Column::PertekNumber, Expr::value(number.clone()))
                        .col_expr(proposal::Column::PertekDate, Expr::value(date))
                        .col_expr(proposal::Column::PertekRank, Expr::value(rank.clone()))
                        .col_expr(proposal::Column::PertekTmt, Expr::value(tmt))
                        .col_expr(proposal::Column::BaseSalary, Expr::value(e.base_salary))
                        .col_expr(
                            proposal::Column::NextAttemptAt,
                            Expr::value(None::<DateTime<Utc>>),
                        );
                    told = Some((
                        Text::new(
                            "Pertimbangan teknis BKN terbit",
                            "BKN's technical consideration is in",
                        ),
                        Text::new(
                            format!(
                                "Pertek {number} tanggal {date}: pangkat {rank} TMT {tmt}. SK kenaikan pangkat sedang diproses."
                            ),
                            format!(
                                "Pertek {number} of {date}: rank {rank} from {tmt}. The promotion SK is being issued."
                            ),
                        ),
                    ));
                }
                _ => {
                    update =
                        ok(update).col_expr(proposal::Column::NextAttemptAt, Expr::value(poll));
                }
            },
            Ok(Step::Uploaded) => {
                report.uploaded += 1;
                update = ok(update)
                    .col_expr(
                        proposal::Column::Status,
                        Expr::value(PromotionStatus::Uploaded),
                    )
                    .col_expr(
                        proposal::Column::NextAttemptAt,
                        Expr::value(None::<DateTime<Utc>>),
                    );
            }
            Err(BknError::Unavailable {
                retry_after,
                detail,
            }) => {
                report.retried += 1;
                let attempts = p.attempts + 1;
                let backoff = Backoff {
                    base: Duration::from_millis(self.config.backoff_base_ms.max(1)),
                    max: Duration::from_secs(self.config.backoff_max_secs.max(1)),
                    max_attempts: u32::MAX,
                };
                let wait = retry_after.unwrap_or_else(|| backoff.delay(attempts as u32));
                let next =
                    now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::minutes(1));
                update = update
                    .col_expr(proposal::Column::Attempts, Expr::value(attempts))
                    .col_expr(proposal::Column::LastError, Expr::value(detail))
                    .col_expr(proposal::Column::NextAttemptAt, Expr::value(next));
            }
            Err(BknError::Refused { status, detail }) => {
                report.failed += 1;
                // Status 0: refused before any call (the proposal's own data is wrong).
                let reasons = vec![if status == 0 {
                    detail.clone()
                } else {
                    format!("HTTP {status}: {detail}")
                }];
                update = update
                    .col_expr(
                        proposal::Column::Status,
                        Expr::value(PromotionStatus::Failed),
                    )
                    .col_expr(
                        proposal::Column::Reasons,
                        Expr::value(serde_json::to_string(&reasons).unwrap_or_default()),
                    )
                    .col_expr(proposal::Column::LastError, Expr::value(detail.clone()))
                    .col_expr(
                        proposal::Column::NextAttemptAt,
                        Expr::value(None::<DateTime<Utc>>),
                    );
                told = Some((
                    Text::new(
                        "Usulan kenaikan pangkat ditolak validasi BKN",
                        "Promotion proposal refused by BKN's validation",
                    ),
                    Text::new(
                        format!("BKN menolak usulan: {detail}. Perbaiki lalu usulkan kembali."),
                        format!(
                            "BKN refused the proposal: {detail}. Correct it and propose again."
                        ),
                    ),
                ));
            }
        }
        let done = update.exec(&txn).await?;
        if done.rows_affected == 1
            && let Some((title, body)) = told
        {
            // The employee, and the fasilitator who verified it, who must act on a return.
            for who in std::iter::once(p.employee_id).chain(p.verified_by) {
                tell(&txn, now, who, title.clone(), body.clone()).await?;
            }
        }
        txn.commit().await?;
        self.waker.wake();
        Ok(())
    }

    /// Files the SK of each proposal whose Pertek is in: a `kenaikan_pangkat` request of the
    /// employee, decided by the PYBMC (no Plt/Plh). Its idempotency key makes a second filing
    /// after a crash the first one's answer.
    async fn file_sks(&self, report: &mut TickReport) -> Result<(), DbErr> {
        let waiting = proposal::Entity::find()
            .filter(proposal::Column::Status.eq(PromotionStatus::Pertek))
            .filter(proposal::Column::RequestId.is_null())
            .all(&self.db)
            .await?;
        for p in waiting {
            let new = NewRequest {
                service: SERVICE.to_owned(),
                form: [("proposal".to_owned(), serde_json::json!(p.id.to_string()))]
                    .into_iter()
                    .collect(),
                submit: true,
            };
            let key = format!("promotion-sk-{}", p.id);
            let filed = match self
                .services
                .create_once(p.employee_id, &new, Some(&key))
                .await
            {
                Ok(Submitted::Created(view)) => Ok(view.id),
                // Filed before by a tick that did not live to record it: the first answer.
                Ok(Submitted::Replayed { body, .. }) => {
                    serde_json::from_str::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|v| v["id"].as_str()?.parse::<Uuid>().ok())
                        .ok_or_else(|| format!("the first filing answered no request: {body}"))
                }
                Err(e) => Err(e.to_string()),
            };
            match filed {
                Ok(request_id) => {
                    report.filed += 1;
                    proposal::Entity::update_many()
                        .col_expr(proposal::Column::RequestId, Expr::value(request_id))
                        .col_expr(proposal::Column::LastError, Expr::value(None::<String>))
                        .col_expr(proposal::Column::UpdatedAt, Expr::value(self.clock.now()))
                        .filter(proposal::Column::Id.eq(p.id))
                        .filter(proposal::Column::RequestId.is_null())
                        .exec(&self.db)
                        .await?;
                }
                Err(e) => {
                    tracing::warn!(proposal = %p.id, error = %e, "the SK could not be filed");
                    proposal::Entity::update_many()
                        .col_expr(proposal::Column::LastError, Expr::value(e))
                        .filter(proposal::Column::Id.eq(p.id))
                        .exec(&self.db)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// Proposals whose SK the PYBMC signed: to be uploaded.
    async fn signed(&self) -> Result<(), DbErr> {
        let now = self.clock.now();
        let waiting = proposal::Entity::find()
            .filter(proposal::Column::Status.eq(PromotionStatus::Pertek))
            .filter(proposal::Column::RequestId.is_not_null())
            .all(&self.db)
            .await?;
        for p in waiting {
            let signed = document::Entity::find()
                .filter(document::Column::RequestId.eq(p.request_id))
                .filter(document::Column::Status.eq(DocumentStatus::Signed))
                .one(&self.db)
                .await?;
            if signed.is_some() {
                due_now(&self.db, &p, PromotionStatus::Uploading, now).await?;
            }
        }
        Ok(())
    }

    /// On the TMT: the new rank into the rank history (with the SK's number and date), the
    /// employee's current rank, and the base salary where BKN gave it.
    async fn effective(&self, report: &mut TickReport) -> Result<(), DbErr> {
        let now = self.clock.now();
        let today = self.clock.today();
        let due = proposal::Entity::find()
            .filter(proposal::Column::Status.eq(PromotionStatus::Uploaded))
            .filter(proposal::Column::PertekTmt.lte(today))
            .all(&self.db)
            .await?;
        for p in due {
            let (Some(rank), Some(tmt), Some(request)) =
                (p.pertek_rank.clone(), p.pertek_tmt, p.request_id)
            else {
                continue;
            };
            let Some(sk) = document::Entity::find()
                .filter(document::Column::RequestId.eq(request))
                .one(&self.db)
                .await?
            else {
                continue;
            };
            let txn = crate::store::db::write_txn(&self.db).await?;
            let done = proposal::Entity::update_many()
                .col_expr(
                    proposal::Column::Status,
                    Expr::value(PromotionStatus::Effective),
                )
                .col_expr(proposal::Column::Version, Expr::value(p.version + 1))
                .col_expr(proposal::Column::UpdatedAt, Expr::value(now))
                .filter(proposal::Column::Id.eq(p.id))
                .filter(proposal::Column::Version.eq(p.version))
                .exec(&txn)
                .await?;
            if done.rows_affected == 0 {
                continue;
            }
            rank_history::Entity::insert(rank_history::ActiveModel {
                employee_id: Set(p.employee_id),
                rank_code: Set(rank.clone()),
                tmt: Set(tmt),
                decree_number: Set(sk.number.clone()),
                decree_date: Set(sk.issued_on),
                ..Default::default()
            })
            .exec_without_returning(&txn)
            .await?;
            if let Some(salary) = p.base_salary {
                let years = salary_history::Entity::find()
                    .filter(salary_history::Column::EmployeeId.eq(p.employee_id))
                    .order_by_desc(salary_history::Column::Tmt)
                    .one(&txn)
                    .await?
                    .map_or(0, |s| s.service_years);
                salary_history::Entity::insert(salary_history::ActiveModel {
                    employee_id: Set(p.employee_id),
                    basic_salary: Set(salary),
                    rank_code: Set(rank.clone()),
                    service_years: Set(years),
                    tmt: Set(tmt),
                    decree_number: Set(sk.number.clone()),
                    ..Default::default()
                })
                .exec_without_returning(&txn)
                .await?;
            }
            employee::Entity::update_many()
                .col_expr(employee::Column::RankCode, Expr::value(rank.clone()))
                .col_expr(employee::Column::RankTmt, Expr::value(tmt))
                .col_expr(employee::Column::UpdatedAt, Expr::value(now))
                .filter(employee::Column::Id.eq(p.employee_id))
                .exec(&txn)
                .await?;
            tell(
                &txn,
                now,
                p.employee_id,
                Text::new(
                    format!("Pangkat baru {rank} berlaku"),
                    format!("Your new rank {rank} is in effect"),
                ),
                Text::new(
                    format!(
                        "Sesuai SK {} pangkat Anda {rank} terhitung mulai {tmt}.",
                        sk.number
                    ),
                    format!("By SK {} your rank is {rank} from {tmt}.", sk.number),
                ),
            )
            .await?;
            txn.commit().await?;
            report.effective += 1;
        }
        Ok(())
    }

    /// Runs [`Promotion::tick`] every `tick_secs` until aborted.
    pub fn spawn_worker(&self) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            let every = Duration::from_secs(this.config.tick_secs.max(1));
            loop {
                if let Err(e) = this.tick().await {
                    tracing::warn!(error = %e, "the promotion worker's tick failed; trying again");
                }
                tokio::time::sleep(every).await;
            }
        })
    }
}

/// What a call to BKN came to.
enum Step {
    Sent(String),
    Answer(Option<KpEntry>),
    Uploaded,
}

/// A proposal that cannot be sent as it is (status 0: no call was made).
fn refused(detail: String) -> BknError {
    BknError::Refused { status: 0, detail }
}

fn db_unavailable(e: DbErr) -> BknError {
    BknError::Unavailable {
        retry_after: None,
        detail: format!("database: {e}"),
    }
}
