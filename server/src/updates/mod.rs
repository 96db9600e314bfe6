//! Self-service data update (pemutakhiran data mandiri; Pergub Jatim 73/2020 Pasal 9-13, 22).
//!
//! The employee proposes a change to their own record with its evidence (uploaded like any
//! attachment, its type checked by content). The fasilitator of their unit, or an administrator
//! for the fields only administrators verify, verifies it, returns it with a note, or rejects
//! it. A verified change is written to the record in the same transaction as the verification,
//! its evidence goes into the employee's archive, and the proposal with its life stays as the
//! change's history: who proposed, who verified, when, on what evidence. Every change first
//! bumps the proposal's version where it is still the version the caller saw and still open,
//! so of two verifiers acting at once one wins and the other is told.

mod apply;
pub mod entity;
mod monitoring;

use std::collections::BTreeMap;

use abdi_proto::ErrorCode;
use abdi_proto::Text;
use abdi_proto::archive::ArchiveKind;
use abdi_proto::completeness::Completeness;
use abdi_proto::forms::{FieldError, FormValues};
use abdi_proto::notifications::NotificationKind;
use abdi_proto::updates::{
    ArchiveDocument, Change, EvidenceFile, Proposal, ProposalDraft, ProposalEvent, ProposalPage,
    ProposalResubmission, ProposalReview, ProposalStatus, ReviewOutcome, Section, Verifier,
};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::access::{Access, AccessError, Action, Actor, Capacity};
use crate::clock::SharedClock;
use crate::error::ApiError;
use crate::masterdata::entity::{archive_document, employee};
use crate::notifications::outbox;
use crate::notifications::{Notifications, Waker};
use crate::services::ServiceError;
use crate::services::attachments::{self, Holder};
use crate::services::entity::attachment;
use crate::services::idempotency::{self, Claim};
use crate::store::page::{Cursor, Page};
use entity::{proposal_event, record_proposal};

pub use monitoring::{Grouping, csv, pdf};

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("the proposal has errors")]
    FormInvalid(Vec<FieldError>),
    #[error("proposal not found")]
    NotFound,
    #[error("entry not found in the employee's record")]
    EntryNotFound,
    #[error("the proposal changed since it was read")]
    Changed,
    #[error("the proposal is {0}")]
    Closed(&'static str),
    #[error("a note is required")]
    NoteRequired,
    #[error("only an administrator may verify this change")]
    AdministratorOnly,
    #[error("no column {0} for the field table")]
    Schema(String),
    #[error("the NIK is another employee's")]
    NikInUse,
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

impl From<UpdateError> for ApiError {
    fn from(e: UpdateError) -> Self {
        match e {
            UpdateError::FormInvalid(errors) => ServiceError::FormInvalid(errors).into(),
            UpdateError::NotFound => ApiError::new(ErrorCode::ProposalNotFound),
            UpdateError::EntryNotFound => ApiError::new(ErrorCode::EntryNotFound),
            UpdateError::Changed => ApiError::new(ErrorCode::ProposalChanged),
            UpdateError::Closed(status) => ApiError::with_detail(
                ErrorCode::ProposalClosed,
                format!("Status usulan saat ini: {status}."),
                format!("The proposal is now: {status}."),
            ),
            UpdateError::NoteRequired => ApiError::new(ErrorCode::ReasonRequired),
            UpdateError::AdministratorOnly => ApiError::with_detail(
                ErrorCode::Forbidden,
                "Perubahan data ini hanya dapat diverifikasi oleh administrator (Pergub Jatim 73/2020 Pasal 10 ayat 2 huruf c).",
                "Only an administrator may verify this change (Pergub Jatim 73/2020, Article 10(2)(c)).",
            ),
            UpdateError::NikInUse => ApiError::with_items(
                ErrorCode::FormInvalid,
                vec![abdi_proto::services::Violation::new(
                    "nik_in_use",
                    Some("nik"),
                    "NIK ini sudah tercatat untuk pegawai lain; periksa kembali atau hubungi BKD.",
                    "This NIK is already recorded for another employee; check it or contact the BKD.",
                )],
            ),
            UpdateError::Schema(_) => ApiError::internal(&e),
            UpdateError::Service(e) => e.into(),
            UpdateError::Access(e) => e.into(),
            UpdateError::Database(e) => AccessError::Database(e).into(),
        }
    }
}

/// What a proposal sent with an idempotency key came to.
#[derive(Debug)]
pub enum Proposed {
    Created(Box<Proposal>),
    /// Made before with this key and body: the first answer, as it was sent.
    Replayed {
        status: u16,
        body: String,
    },
}

#[derive(Clone)]
pub struct Updates {
    db: DatabaseConnection,
    clock: SharedClock,
    waker: Waker,
}

impl Updates {
    pub fn new(db: DatabaseConnection, clock: SharedClock, notifications: &Notifications) -> Self {
        Self {
            db,
            clock,
            waker: notifications.waker.clone(),
        }
    }

    /// Sends a proposal once per idempotency key (the offline queue's retries get the first
    /// answer).
    pub async fn propose_once(
        &self,
        actor: &Actor,
        draft: &ProposalDraft,
        raw_key: Option<&str>,
    ) -> Result<Proposed, UpdateError> {
        let owner = actor.employee_id;
        let key = idempotency::parse_key(raw_key)?;
        let hash = hex::encode(Sha256::digest(
            serde_json::to_vec(draft).unwrap_or_default(),
        ));
        match idempotency::claim(&self.db, owner, &key, &hash, self.clock.now()).await? {
            Claim::Replay { status, body } => Ok(Proposed::Replayed { status, body }),
            Claim::Fresh => match self.propose(actor, draft, &key).await {
                Ok(p) => Ok(Proposed::Created(Box::new(p))),
                Err(e) => {
                    let _ = idempotency::release(&self.db, owner, &key).await;
                    Err(e)
                }
            },
        }
    }

    async fn propose(
        &self,
        actor: &Actor,
        draft: &ProposalDraft,
        key: &str,
    ) -> Result<Proposal, UpdateError> {
        let now = self.clock.now();
        let owner = actor.employee_id;
        let id = Uuid::now_v7();
        let txn = crate::store::db::write_txn(&self.db).await?;
        let me = employee::Entity::find_by_id(owner)
            .one(&txn)
            .await?
            .ok_or(AccessError::EmployeeNotFound)?;
        let (sent, current) = self.prepared(&txn, draft, (owner, id)).await?;
        record_proposal::Entity::insert(record_proposal::ActiveModel {
            id: Set(id),
            employee_id: Set(owner),
            unit_id: Set(me.unit_id),
            section: Set(draft.section.code().into()),
            change: Set(draft.change.code().into()),
            entry_id: Set(draft.entry_id),
            current: Set(json(&current)),
            proposed: Set(json(&sent.changed_fields())),
            evidence_kind: Set(sent.evidence_kind().code().into()),
            note: Set(note_of(draft.note.as_deref())),
            verifier: Set(sent.verifier().code().into()),
            status: Set(ProposalStatus::Submitted.code().into()),
            version: Set(1),
            submitted_at: Set(now),
            decided_at: Set(None),
            decided_by: Set(None),
            applied_entry_id: Set(None),
        })
        .exec_without_returning(&txn)
        .await?;
        attach(&txn, &sent, owner, id).await?;
        let p = fetch(&txn, id).await?;
        event(
            &txn,
            &p,
            now,
            ("submitted", Acted::own(owner)),
            None,
            Some(&sent.values),
        )
        .await?;
        self.tell_verifiers(&txn, &p, &me, now).await?;
        let view = load(&txn, p).await?;
        idempotency::complete(&txn, owner, key, 201, &json(&view)).await?;
        txn.commit().await?;
        self.waker.wake();
        Ok(view)
    }

    /// The draft as it is kept, and the entry's values as they stand beside it (for a
    /// correction, only the fields it changes: not the NIK beside a title).
    async fn prepared(
        &self,
        txn: &DatabaseTransaction,
        draft: &ProposalDraft,
        (owner, id): (Uuid, Uuid),
    ) -> Result<(ProposalDraft, BTreeMap<String, Value>), UpdateError> {
        let mut current = apply::current(txn, draft.section, owner, draft.entry_id).await?;
        let sent = self.checked(txn, draft, (owner, id), &current).await?;
        apply::unique(txn, draft.section, owner, &sent.changed_fields()).await?;
        if draft.change == Change::Correct {
            let changed = sent.changed_fields();
            current.retain(|k, _| changed.contains_key(k));
        }
        Ok((sent, current))
    }

    /// The draft checked as the server sees it: its evidence replaced by what was stored for
    /// it (type and size told by content), a correction's unchanged values left out, then the
    /// field table.
    async fn checked(
        &self,
        txn: &DatabaseTransaction,
        draft: &ProposalDraft,
        (owner, id): (Uuid, Uuid),
        current: &BTreeMap<String, Value>,
    ) -> Result<ProposalDraft, UpdateError> {
        let schema = draft.section.schema(draft.change);
        let mut values =
            attachments::resolve(txn, &schema, &draft.values, owner, Holder::Proposal(id))
                .await?
                .map_err(UpdateError::FormInvalid)?;
        if draft.change == Change::Correct {
            values.retain(|k, v| current.get(k) != Some(v));
        }
        let sent = ProposalDraft {
            values,
            ..draft.clone()
        };
        let errors = sent.check(self.clock.today());
        if errors.is_empty() {
            Ok(sent)
        } else {
            Err(UpdateError::FormInvalid(errors))
        }
    }

    /// A returned proposal, corrected and sent again (new values and evidence, the same entry).
    pub async fn resubmit(
        &self,
        actor: &Actor,
        id: Uuid,
        change: &ProposalResubmission,
    ) -> Result<Proposal, UpdateError> {
        let now = self.clock.now();
        let owner = actor.employee_id;
        let txn = crate::store::db::write_txn(&self.db).await?;
        let p = own(fetch(&txn, id).await?, owner)?;
        let draft = ProposalDraft {
            section: section(&p),
            change: change_of(&p),
            entry_id: p.entry_id,
            values: change.values.clone(),
            note: change.note.clone().or(p.note.clone()),
        };
        let p = bump(&txn, &p, change.version, &[ProposalStatus::Returned]).await?;
        let (sent, current) = self.prepared(&txn, &draft, (owner, id)).await?;
        record_proposal::Entity::update_many()
            .col_expr(
                record_proposal::Column::Status,
                Expr::value(ProposalStatus::Submitted.code()),
            )
            .col_expr(
                record_proposal::Column::Current,
                Expr::value(json(&current)),
            )
            .col_expr(
                record_proposal::Column::Proposed,
                Expr::value(json(&sent.changed_fields())),
            )
            .col_expr(
                record_proposal::Column::EvidenceKind,
                Expr::value(sent.evidence_kind().code()),
            )
            .col_expr(
                record_proposal::Column::Verifier,
                Expr::value(sent.verifier().code()),
            )
            .col_expr(
                record_proposal::Column::Note,
                Expr::value(note_of(sent.note.as_deref())),
            )
            .col_expr(record_proposal::Column::SubmittedAt, Expr::value(now))
            .filter(record_proposal::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        attach(&txn, &sent, owner, id).await?;
        let p = fetch(&txn, p.id).await?;
        event(
            &txn,
            &p,
            now,
            ("resubmitted", Acted::own(owner)),
            None,
            Some(&sent.values),
        )
        .await?;
        let me = employee::Entity::find_by_id(owner)
            .one(&txn)
            .await?
            .ok_or(AccessError::EmployeeNotFound)?;
        self.tell_verifiers(&txn, &p, &me, now).await?;
        let view = load(&txn, p).await?;
        txn.commit().await?;
        self.waker.wake();
        Ok(view)
    }

    /// The employee takes back a proposal not yet decided.
    pub async fn withdraw(
        &self,
        actor: &Actor,
        id: Uuid,
        version: u32,
    ) -> Result<Proposal, UpdateError> {
        let now = self.clock.now();
        let owner = actor.employee_id;
        let txn = crate::store::db::write_txn(&self.db).await?;
        let p = own(fetch(&txn, id).await?, owner)?;
        let open = [ProposalStatus::Submitted, ProposalStatus::Returned];
        let p = bump(&txn, &p, version, &open).await?;
        set_status(&txn, id, ProposalStatus::Withdrawn, None, now).await?;
        // Its evidence is let go (and swept like any unsent upload).
        attachment::Entity::update_many()
            .col_expr(attachment::Column::ProposalId, Expr::value(None::<Uuid>))
            .filter(attachment::Column::ProposalId.eq(id))
            .exec(&txn)
            .await?;
        event(&txn, &p, now, ("withdrawn", Acted::own(owner)), None, None).await?;
        let p = fetch(&txn, id).await?;
        let view = load(&txn, p).await?;
        txn.commit().await?;
        Ok(view)
    }

    /// The verifier's answer. Verifying writes the change to the record and archives its
    /// evidence, in the same transaction; returning and rejecting need a note.
    pub async fn review(
        &self,
        actor: &Actor,
        id: Uuid,
        review: &ProposalReview,
    ) -> Result<Proposal, UpdateError> {
        let now = self.clock.now();
        let p = fetch(&self.db, id).await?;
        // Refused before anything else, so that whoever may not verify learns only that.
        self.verifying(actor, &p).await?;
        let note = note_of(review.note.as_deref());
        if review.outcome != ReviewOutcome::Verify && note.is_none() {
            return Err(UpdateError::NoteRequired);
        }
        let txn = crate::store::db::write_txn(&self.db).await?;
        let p = bump(&txn, &p, review.version, &[ProposalStatus::Submitted]).await?;
        // Asked again of the row now held: a resubmission in between may have made it a
        // change only administrators verify.
        let capacity = self.verifying(actor, &p).await?;
        let acted = Acted {
            actor: actor.employee_id,
            capacity,
        };
        let (status, action, applied) = match review.outcome {
            ReviewOutcome::Return => (ProposalStatus::Returned, "returned", None),
            ReviewOutcome::Reject => (ProposalStatus::Rejected, "rejected", None),
            ReviewOutcome::Verify => {
                let proposed: BTreeMap<String, Value> =
                    serde_json::from_str(&p.proposed).unwrap_or_default();
                let written = apply::apply(
                    &txn,
                    section(&p),
                    change_of(&p),
                    p.employee_id,
                    p.entry_id,
                    &proposed,
                )
                .await?;
                self.archive_evidence(&txn, &p, actor.employee_id, now)
                    .await?;
                (
                    ProposalStatus::Verified,
                    "verified",
                    Some((written, proposed)),
                )
            }
        };
        let written = applied.as_ref().and_then(|(entry, _)| *entry);
        set_status(&txn, id, status, Some((actor.employee_id, written)), now).await?;
        let values = applied.as_ref().map(|(_, v)| v);
        event(&txn, &p, now, (action, acted), note.clone(), values).await?;
        let (title, body) = told(status, section(&p), note.as_deref());
        outbox::emit(
            &txn,
            now,
            outbox::NewEvent {
                employee_id: p.employee_id,
                kind: NotificationKind::RecordUpdate,
                title,
                body,
                request_id: None,
                status: None,
                outcome: None,
                quiet: false,
            },
        )
        .await?;
        let p = fetch(&txn, id).await?;
        let view = load(&txn, p).await?;
        txn.commit().await?;
        self.waker.wake();
        Ok(view)
    }

    /// In which capacity the caller may verify `p`: an administrator always; the fasilitator of
    /// the employee's unit for what fasilitators verify; never the employee themself.
    async fn verifying(
        &self,
        actor: &Actor,
        p: &record_proposal::Model,
    ) -> Result<String, UpdateError> {
        if p.employee_id == actor.employee_id {
            return Err(AccessError::Forbidden.into());
        }
        let held = actor
            .authorize_all(Action::VerifyRecordUpdate, Some(p.employee_id))
            .await?;
        if held.contains(&Capacity::Administrator) {
            return Ok("administrator".into());
        }
        if p.verifier == Verifier::Administrator.code() {
            return Err(UpdateError::AdministratorOnly);
        }
        if held.contains(&Capacity::Fasilitator) {
            Ok("fasilitator".into())
        } else {
            Err(AccessError::Forbidden.into())
        }
    }

    /// Each evidence file of a verified proposal, into the employee's archive by its kind.
    async fn archive_evidence(
        &self,
        txn: &DatabaseTransaction,
        p: &record_proposal::Model,
        by: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), UpdateError> {
        let files = attachment::Entity::find()
            .filter(attachment::Column::ProposalId.eq(p.id))
            .order_by_asc(attachment::Column::CreatedAt)
            .all(txn)
            .await?;
        if files.is_empty() {
            return Ok(());
        }
        archive_document::Entity::insert_many(files.iter().map(|f| {
            archive_document::ActiveModel {
                id: Set(Uuid::now_v7()),
                employee_id: Set(p.employee_id),
                kind: Set(p.evidence_kind.clone()),
                attachment_id: Set(f.id),
                proposal_id: Set(Some(p.id)),
                verified_by: Set(Some(by)),
                verified_at: Set(now),
            }
        }))
        .exec_without_returning(txn)
        .await?;
        Ok(())
    }

    /// Tells whoever may verify `p` that it waits (the fasilitators of the unit, or the
    /// administrators for what only they verify).
    async fn tell_verifiers(
        &self,
        txn: &DatabaseTransaction,
        p: &record_proposal::Model,
        who: &employee::Model,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let today = self.clock.today();
        let verifiers = if p.verifier == Verifier::Administrator.code() {
            Access::administrators(txn, today).await?
        } else {
            Access::fasilitators(txn, p.unit_id, today).await?
        };
        let label = section(p).label();
        for v in verifiers.into_iter().filter(|v| *v != p.employee_id) {
            outbox::emit(
                txn,
                now,
                outbox::NewEvent {
                    employee_id: v,
                    kind: NotificationKind::RecordUpdate,
                    title: Text::new(
                        "Usulan perubahan data menunggu verifikasi",
                        "A data update waits for verification",
                    ),
                    body: Text::new(
                        format!(
                            "{} mengusulkan perubahan {}.",
                            who.full_name(),
                            label.id.to_lowercase()
                        ),
                        format!(
                            "{} proposed a change to their {}.",
                            who.full_name(),
                            label.en.to_lowercase()
                        ),
                    ),
                    request_id: None,
                    status: None,
                    outcome: None,
                    quiet: false,
                },
            )
            .await?;
        }
        Ok(())
    }

    /// The caller's own entry (or identity) as the record holds it, in the section's fields:
    /// what a correction's form starts from.
    pub async fn current(
        &self,
        actor: &Actor,
        section: Section,
        entry_id: Option<i64>,
    ) -> Result<FormValues, UpdateError> {
        let mut values = apply::current(&self.db, section, actor.employee_id, entry_id).await?;
        values.retain(|_, v| !Value::is_null(v));
        Ok(values)
    }

    /// One proposal, for its employee or whoever may verify it.
    pub async fn get(&self, actor: &Actor, id: Uuid) -> Result<Proposal, UpdateError> {
        let p = fetch(&self.db, id).await?;
        if p.employee_id != actor.employee_id {
            actor
                .authorize(Action::VerifyRecordUpdate, Some(p.employee_id))
                .await?;
        }
        load(&self.db, p).await
    }

    /// The caller's own proposals, newest first.
    pub async fn mine(&self, actor: &Actor, page: Page<Uuid>) -> Result<ProposalPage, UpdateError> {
        let q = record_proposal::Entity::find()
            .filter(record_proposal::Column::EmployeeId.eq(actor.employee_id));
        self.page(q, page).await
    }

    /// The verification queue: proposals waiting (or in `status`) of the employees the caller
    /// verifies for, oldest waiting first for the queue. A fasilitator sees their units' and
    /// not those only administrators verify; an administrator sees all.
    pub async fn queue(
        &self,
        actor: &Actor,
        status: ProposalStatus,
        page: Page<Uuid>,
    ) -> Result<ProposalPage, UpdateError> {
        let who = actor.principal().await?;
        let mut q = record_proposal::Entity::find()
            .filter(record_proposal::Column::Status.eq(status.code()))
            .filter(record_proposal::Column::EmployeeId.ne(actor.employee_id));
        if !who.administrator {
            if who.fasilitator_units.is_empty() {
                return Err(AccessError::Forbidden.into());
            }
            q = q
                .filter(
                    record_proposal::Column::UnitId.is_in(Access::covered(&self.db, who).await?),
                )
                .filter(record_proposal::Column::Verifier.eq(Verifier::Fasilitator.code()));
        }
        self.page(q, page).await
    }

    async fn page(
        &self,
        q: sea_orm::Select<record_proposal::Entity>,
        page: Page<Uuid>,
    ) -> Result<ProposalPage, UpdateError> {
        let mut q = q.order_by_desc(record_proposal::Column::Id);
        if let Some(after) = page.after {
            q = q.filter(record_proposal::Column::Id.lt(after));
        }
        let mut rows = q.limit(page.limit + 1).all(&self.db).await?;
        let more = rows.len() as u64 > page.limit;
        rows.truncate(page.limit as usize);
        let next = more.then(|| rows.last().map(|r| r.id.render())).flatten();
        let items = load_many(&self.db, rows).await?;
        Ok(ProposalPage { items, next })
    }

    /// The archive of employee `id`, newest first: for the employee and whoever may read their
    /// record.
    pub async fn archive(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Vec<ArchiveDocument>, UpdateError> {
        actor.authorize(Action::ViewRecord, Some(id)).await?;
        let docs = archive_document::Entity::find()
            .filter(archive_document::Column::EmployeeId.eq(id))
            .order_by_desc(archive_document::Column::VerifiedAt)
            .all(&self.db)
            .await?;
        let files = files_by_id(&self.db, docs.iter().map(|d| d.attachment_id)).await?;
        Ok(docs
            .into_iter()
            .filter_map(|d| {
                Some(ArchiveDocument {
                    id: d.id,
                    kind: ArchiveKind::from_code(&d.kind)?,
                    file: files.get(&d.attachment_id)?.into(),
                    proposal_id: d.proposal_id,
                    verified_at: d.verified_at,
                })
            })
            .collect())
    }

    /// How complete employee `id`'s record is, and what it lacks.
    pub async fn completeness(&self, actor: &Actor, id: Uuid) -> Result<Completeness, UpdateError> {
        actor.authorize(Action::ViewRecord, Some(id)).await?;
        let e = employee::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(AccessError::EmployeeNotFound)?;
        Ok(crate::masterdata::completeness::facts(&self.db, &e)
            .await?
            .completeness())
    }
}

/// What the employee is told of a decision on their proposal.
fn told(status: ProposalStatus, section: Section, note: Option<&str>) -> (Text, Text) {
    let label = section.label();
    let (id, en) = match status {
        ProposalStatus::Verified => (
            "telah diverifikasi dan dicatat pada data Anda",
            "was verified and is now in your record",
        ),
        ProposalStatus::Returned => (
            "dikembalikan untuk diperbaiki; perbaiki lalu kirim kembali",
            "was returned for correction; correct it and send it again",
        ),
        _ => ("ditolak", "was rejected"),
    };
    let title = Text::new(
        format!("Usulan perubahan {}", label.id.to_lowercase()),
        format!("Your {} update", label.en.to_lowercase()),
    );
    let mut body = Text::new(
        format!("Usulan perubahan {} {id}.", label.id.to_lowercase()),
        format!(
            "Your proposed change to your {} {en}.",
            label.en.to_lowercase()
        ),
    );
    if let Some(n) = note {
        body.id.push_str(&format!(" Catatan: {n}"));
        body.en.push_str(&format!(" Note: {n}"));
    }
    (title, body)
}

/// Who acted and in which capacity.
struct Acted {
    actor: Uuid,
    capacity: String,
}

impl Acted {
    fn own(employee: Uuid) -> Self {
        Self {
            actor: employee,
            capacity: "own".into(),
        }
    }
}

fn json(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

fn note_of(note: Option<&str>) -> Option<String> {
    note.map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(2000).collect())
}

fn section(p: &record_proposal::Model) -> Section {
    Section::from_code(&p.section).unwrap_or(Section::Identity)
}

fn change_of(p: &record_proposal::Model) -> Change {
    Change::from_code(&p.change).unwrap_or(Change::Correct)
}

fn status_of(p: &record_proposal::Model) -> ProposalStatus {
    ProposalStatus::from_code(&p.status).unwrap_or(ProposalStatus::Submitted)
}

async fn fetch(db: &impl ConnectionTrait, id: Uuid) -> Result<record_proposal::Model, UpdateError> {
    record_proposal::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(UpdateError::NotFound)
}

/// The employee's own proposal (anyone else is refused).
fn own(p: record_proposal::Model, owner: Uuid) -> Result<record_proposal::Model, UpdateError> {
    if p.employee_id == owner {
        Ok(p)
    } else {
        Err(AccessError::Forbidden.into())
    }
}

/// Bumps the proposal's version if it is still `version` and in one of `open`: the optimistic
/// lock every change takes first.
async fn bump(
    txn: &DatabaseTransaction,
    p: &record_proposal::Model,
    version: u32,
    open: &[ProposalStatus],
) -> Result<record_proposal::Model, UpdateError> {
    let updated = record_proposal::Entity::update_many()
        .col_expr(
            record_proposal::Column::Version,
            Expr::col(record_proposal::Column::Version).add(1),
        )
        .filter(record_proposal::Column::Id.eq(p.id))
        .filter(record_proposal::Column::Version.eq(version as i32))
        .filter(record_proposal::Column::Status.is_in(open.iter().map(|s| s.code())))
        .exec(txn)
        .await?;
    let row = fetch(txn, p.id).await?;
    if updated.rows_affected == 1 {
        return Ok(row);
    }
    let status = status_of(&row);
    if open.contains(&status) {
        Err(UpdateError::Changed)
    } else {
        Err(UpdateError::Closed(status.code()))
    }
}

async fn set_status(
    txn: &DatabaseTransaction,
    id: Uuid,
    status: ProposalStatus,
    decided: Option<(Uuid, Option<i64>)>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut q = record_proposal::Entity::update_many()
        .col_expr(record_proposal::Column::Status, Expr::value(status.code()));
    if let Some((by, entry)) = decided {
        q = q
            .col_expr(record_proposal::Column::DecidedAt, Expr::value(now))
            .col_expr(record_proposal::Column::DecidedBy, Expr::value(by))
            .col_expr(record_proposal::Column::AppliedEntryId, Expr::value(entry));
    }
    q.filter(record_proposal::Column::Id.eq(id))
        .exec(txn)
        .await
        .map(|_| ())
}

/// Ties the draft's evidence files to the proposal (and lets go of those it no longer names).
async fn attach(
    txn: &DatabaseTransaction,
    draft: &ProposalDraft,
    owner: Uuid,
    id: Uuid,
) -> Result<(), UpdateError> {
    let schema = draft.section.schema(draft.change);
    attachments::attach(txn, &schema, &draft.values, owner, Holder::Proposal(id)).await?;
    Ok(())
}

async fn event(
    txn: &DatabaseTransaction,
    p: &record_proposal::Model,
    at: DateTime<Utc>,
    (action, acted): (&str, Acted),
    note: Option<String>,
    values: Option<&BTreeMap<String, Value>>,
) -> Result<(), DbErr> {
    proposal_event::Entity::insert(proposal_event::ActiveModel {
        proposal_id: Set(p.id),
        at: Set(at),
        action: Set(action.into()),
        actor_id: Set(Some(acted.actor)),
        capacity: Set(acted.capacity),
        note: Set(note),
        values: Set(values.map(json)),
        ..Default::default()
    })
    .exec_without_returning(txn)
    .await
    .map(|_| ())
}

async fn files_by_id(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = Uuid>,
) -> Result<std::collections::HashMap<Uuid, attachment::Model>, DbErr> {
    let ids: Vec<Uuid> = ids.collect();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(attachment::Entity::find()
        .filter(attachment::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect())
}

/// A proposal as the API shows it: current and proposed values, evidence, its life.
async fn load(
    db: &impl ConnectionTrait,
    p: record_proposal::Model,
) -> Result<Proposal, UpdateError> {
    let mut one = load_many(db, vec![p]).await?;
    one.pop().ok_or(UpdateError::NotFound)
}

/// Proposals as the API shows them, in the order given: three queries for the whole page
/// (people, evidence, events), whatever its length.
async fn load_many(
    db: &impl ConnectionTrait,
    rows: Vec<record_proposal::Model>,
) -> Result<Vec<Proposal>, UpdateError> {
    use std::collections::HashMap;
    let ids: Vec<Uuid> = rows.iter().map(|p| p.id).collect();
    let mut evidence: HashMap<Uuid, Vec<attachment::Model>> = HashMap::new();
    for a in attachment::Entity::find()
        .filter(attachment::Column::ProposalId.is_in(ids.clone()))
        .order_by_asc(attachment::Column::CreatedAt)
        .all(db)
        .await?
    {
        if let Some(p) = a.proposal_id {
            evidence.entry(p).or_default().push(a);
        }
    }
    let mut events: HashMap<Uuid, Vec<proposal_event::Model>> = HashMap::new();
    for e in proposal_event::Entity::find()
        .filter(proposal_event::Column::ProposalId.is_in(ids))
        .order_by_asc(proposal_event::Column::Id)
        .all(db)
        .await?
    {
        events.entry(e.proposal_id).or_default().push(e);
    }
    let people: HashMap<Uuid, employee::Model> = employee::Entity::find()
        .filter(
            employee::Column::Id.is_in(
                rows.iter()
                    .map(|p| p.employee_id)
                    .chain(events.values().flatten().filter_map(|e| e.actor_id)),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    rows.into_iter()
        .map(|p| {
            let employee = people
                .get(&p.employee_id)
                .ok_or(AccessError::EmployeeNotFound)?;
            let kind =
                ArchiveKind::from_code(&p.evidence_kind).unwrap_or(section(&p).evidence()[0]);
            Ok(Proposal {
                id: p.id,
                employee: employee.person(),
                section: section(&p),
                change: change_of(&p),
                entry_id: p.entry_id,
                current: serde_json::from_str(&p.current).unwrap_or_default(),
                proposed: serde_json::from_str(&p.proposed).unwrap_or_default(),
                evidence: evidence
                    .remove(&p.id)
                    .unwrap_or_default()
                    .iter()
                    .map(|a| EvidenceFile {
                        kind,
                        file: a.into(),
                    })
                    .collect(),
                note: p.note.clone(),
                status: status_of(&p),
                verifier: if p.verifier == Verifier::Administrator.code() {
                    Verifier::Administrator
                } else {
                    Verifier::Fasilitator
                },
                version: p.version as u32,
                submitted_at: p.submitted_at,
                decided_at: p.decided_at,
                applied_entry_id: p.applied_entry_id,
                events: events
                    .remove(&p.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|e| ProposalEvent {
                        at: e.at,
                        action: e.action,
                        by: e.actor_id.and_then(|a| people.get(&a)).map(|m| m.person()),
                        capacity: e.capacity,
                        note: e.note,
                    })
                    .collect(),
            })
        })
        .collect()
}
