//! Attachments: uploaded before the form is sent (streamed to the object store, type checked
//! by content, SHA-256 recorded), then named by id in the form's attachment fields. The server
//! trusts only what it recorded: a form's claims about a file's type and size are replaced by
//! the stored ones before the form is checked.

use abdi_proto::forms::FieldError;
use abdi_proto::forms::{FieldErrorCode, FieldKind, FormSchema, FormValues, error};
use bytes::Bytes;
use chrono::{DateTime, Datelike, Utc};
use futures_util::Stream;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use super::ServiceError;
use super::entity::attachment;
use crate::store::objects::Objects;

pub use abdi_proto::services::AttachmentInfo;

impl From<&attachment::Model> for AttachmentInfo {
    fn from(m: &attachment::Model) -> Self {
        Self {
            id: m.id,
            name: m.name.clone(),
            content_type: m.content_type.clone(),
            size: m.size.max(0) as u64,
            sha256: m.sha256.clone(),
            created_at: m.created_at,
        }
    }
}

/// A file name safe to keep and show: no path, no control characters, at most 200 characters.
pub fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if cleaned.trim().is_empty() {
        "lampiran".into()
    } else {
        cleaned.trim().to_owned()
    }
}

/// How many files an employee may keep waiting to be sent, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct Pending {
    pub per_employee: u32,
    pub ttl_hours: u32,
}

impl From<&crate::config::StorageConfig> for Pending {
    fn from(c: &crate::config::StorageConfig) -> Self {
        Self {
            per_employee: c.pending_uploads_per_employee,
            ttl_hours: c.pending_upload_ttl_hours,
        }
    }
}

pub async fn upload<S, E>(
    db: &impl ConnectionTrait,
    objects: &Objects,
    (owner, pending): (Uuid, Pending),
    name: &str,
    body: S,
    now: DateTime<Utc>,
) -> Result<AttachmentInfo, ServiceError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    use sea_orm::PaginatorTrait;
    let waiting = attachment::Entity::find()
        .filter(attachment::Column::OwnerId.eq(owner))
        .filter(attachment::Column::RequestId.is_null())
        .filter(attachment::Column::ProposalId.is_null())
        .count(db)
        .await?;
    if waiting >= u64::from(pending.per_employee) {
        return Err(ServiceError::UploadQuota {
            max: pending.per_employee,
            hours: pending.ttl_hours,
        });
    }
    let id = Uuid::now_v7();
    let key = format!("attachments/{}/{:02}/{id}", now.year(), now.month());
    let stored = objects.put_stream(&key, body).await?;
    let model = attachment::Model {
        id,
        owner_id: owner,
        request_id: None,
        proposal_id: None,
        name: clean_name(name),
        content_type: stored.content_type.to_owned(),
        size: stored.size as i64,
        sha256: stored.sha256,
        storage_key: stored.key,
        created_at: now,
    };
    let row = attachment::ActiveModel {
        id: Set(model.id),
        owner_id: Set(model.owner_id),
        request_id: Set(None),
        proposal_id: Set(None),
        name: Set(model.name.clone()),
        content_type: Set(model.content_type.clone()),
        size: Set(model.size),
        sha256: Set(model.sha256.clone()),
        storage_key: Set(model.storage_key.clone()),
        created_at: Set(now),
    };
    if let Err(e) = attachment::Entity::insert(row)
        .exec_without_returning(db)
        .await
    {
        // No file without its record.
        let _ = objects.delete(&model.storage_key).await;
        return Err(e.into());
    }
    Ok(AttachmentInfo::from(&model))
}

/// Removes files uploaded before `cutoff` and never sent with a request, a batch at a time;
/// returns how many went. The record goes first, and only while it is still unattached, so a
/// file sent in the meantime stays whole; a file whose record went but whose object could not
/// be deleted is only logged (an orphan object, never a broken request).
pub async fn sweep(
    db: &impl ConnectionTrait,
    objects: &Objects,
    cutoff: DateTime<Utc>,
) -> Result<u64, ServiceError> {
    use sea_orm::QuerySelect;
    let stale = attachment::Entity::find()
        .filter(attachment::Column::RequestId.is_null())
        .filter(attachment::Column::ProposalId.is_null())
        .filter(attachment::Column::CreatedAt.lt(cutoff))
        .limit(500)
        .all(db)
        .await?;
    let mut removed = 0;
    for a in stale {
        let gone = attachment::Entity::delete_many()
            .filter(attachment::Column::Id.eq(a.id))
            .filter(attachment::Column::RequestId.is_null())
            .filter(attachment::Column::ProposalId.is_null())
            .exec(db)
            .await?
            .rows_affected;
        if gone == 1 {
            removed += 1;
            if let Err(e) = objects.delete(&a.storage_key).await {
                tracing::warn!(error = %e, key = %a.storage_key, "unsent upload: object not deleted");
            }
        }
    }
    Ok(removed)
}

/// An attachment for someone who may read it: its owner, or anyone who may see a request it
/// belongs to ([`super::views::can_view`]): the request it was sent with or, for an archived
/// document, any of its owner's requests that names it. Anyone else is forbidden.
pub async fn readable(
    db: &impl ConnectionTrait,
    who: &crate::access::Principal,
    id: Uuid,
) -> Result<attachment::Model, ServiceError> {
    let a = find(db, id).await?;
    if a.owner_id == who.employee_id {
        return Ok(a);
    }
    if let Some(request) = a.request_id
        && super::views::can_view(db, who, request).await?
    {
        return Ok(a);
    }
    if a.proposal_id.is_some() {
        // An archived copy stays the archive's: the requests that use it name it in their form.
        let naming = super::entity::service_request::Entity::find()
            .filter(super::entity::service_request::Column::EmployeeId.eq(a.owner_id))
            .filter(super::entity::service_request::Column::Form.contains(a.id.to_string()))
            .all(db)
            .await?;
        for r in naming {
            if super::views::can_view(db, who, r.id).await? {
                return Ok(a);
            }
        }
    }
    Err(crate::access::AccessError::Forbidden.into())
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<attachment::Model, ServiceError> {
    attachment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::AttachmentNotFound)
}

/// The attachment ids named in each of the schema's attachment fields (nothing else in the
/// form names a file).
fn named_ids<'a>(
    schema: &'a FormSchema,
    form: &'a FormValues,
) -> impl Iterator<Item = (&'a str, Vec<Option<Uuid>>)> + 'a {
    schema
        .fields
        .iter()
        .filter(|f| matches!(f.kind, FieldKind::Attachment { .. }))
        .filter_map(|f| match form.get(&f.name) {
            Some(Value::Array(items)) => Some((
                f.name.as_str(),
                items
                    .iter()
                    .filter(|i| i.get(ARCHIVE).is_none())
                    .map(|i| i["id"].as_str().and_then(|s| Uuid::parse_str(s).ok()))
                    .collect(),
            )),
            _ => None,
        })
}

/// What holds an attachment once it is sent: a service request, or a proposal to change the
/// record (whose evidence it is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Request(Uuid),
    Proposal(Uuid),
}

impl Holder {
    /// Free (uploaded, not yet sent) or already this holder's.
    fn may_take(self, a: &attachment::Model) -> bool {
        let (request, proposal) = match self {
            Holder::Request(id) => (Some(id), None),
            Holder::Proposal(id) => (None, Some(id)),
        };
        a.request_id.is_none_or(|r| Some(r) == request)
            && a.proposal_id.is_none_or(|p| Some(p) == proposal)
    }

    fn column(self) -> (attachment::Column, Uuid) {
        match self {
            Holder::Request(id) => (attachment::Column::RequestId, id),
            Holder::Proposal(id) => (attachment::Column::ProposalId, id),
        }
    }
}

/// The key of a form's file entry that names an archived document instead of an upload.
const ARCHIVE: &str = "archive";

/// Checks a form's keys against the schema and replaces each attachment named in it by what
/// was stored for it. A key the schema does not declare, or an id that is not one of the
/// owner's files (or is already sent with something else), is a field error. An entry
/// `{"archive": "<document id>"}` in a field that offers the archive stands for the owner's
/// archived document of that kind, as verified.
pub async fn resolve(
    db: &impl ConnectionTrait,
    schema: &FormSchema,
    form: &FormValues,
    owner: Uuid,
    holder: Holder,
) -> Result<Result<FormValues, Vec<FieldError>>, ServiceError> {
    let unknown = schema.unknown_fields(form);
    if !unknown.is_empty() {
        return Ok(Err(unknown));
    }
    let mut out = form.clone();
    let mut errors = Vec::new();
    for field in &schema.fields {
        let FieldKind::Attachment { archive, .. } = &field.kind else {
            continue;
        };
        let Some(Value::Array(items)) = form.get(&field.name) else {
            continue;
        };
        let mut resolved = Vec::new();
        for item in items {
            let found = match item.get(ARCHIVE) {
                Some(doc) => match (archive, doc.as_str().and_then(|s| Uuid::parse_str(s).ok())) {
                    (Some(kind), Some(doc)) => archived(db, owner, *kind, doc).await?,
                    _ => None,
                },
                None => match item["id"].as_str().and_then(|s| Uuid::parse_str(s).ok()) {
                    Some(id) => attachment::Entity::find_by_id(id)
                        .filter(attachment::Column::OwnerId.eq(owner))
                        .one(db)
                        .await?
                        .filter(|a| holder.may_take(a))
                        .map(|a| (a, None)),
                    None => None,
                },
            };
            match found {
                Some((a, doc)) => {
                    let mut entry = json!({
                        "id": a.id,
                        "name": a.name,
                        "content_type": a.content_type,
                        "size": a.size,
                        "sha256": a.sha256,
                    });
                    if let Some(doc) = doc {
                        entry[ARCHIVE] = json!(doc);
                    }
                    resolved.push(entry);
                }
                None => {
                    errors.push(error(&field.name, FieldErrorCode::AttachmentNotFound));
                    break;
                }
            }
        }
        out.insert(field.name.clone(), Value::Array(resolved));
    }
    Ok(if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    })
}

/// The owner's archived document `doc` of `kind`, with its file.
async fn archived(
    db: &impl ConnectionTrait,
    owner: Uuid,
    kind: abdi_proto::archive::ArchiveKind,
    doc: Uuid,
) -> Result<Option<(attachment::Model, Option<Uuid>)>, ServiceError> {
    use crate::masterdata::entity::archive_document;
    let Some(d) = archive_document::Entity::find_by_id(doc)
        .filter(archive_document::Column::EmployeeId.eq(owner))
        .filter(archive_document::Column::Kind.eq(kind.code()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(attachment::Entity::find_by_id(d.attachment_id)
        .one(db)
        .await?
        .map(|a| (a, Some(d.id))))
}

/// Ties the files named in the form's attachment fields to their holder, in its transaction,
/// and lets go of those it no longer names (archived documents stay the archive's). Only the
/// owner's files that are free or already this holder's move: the filter is in the update
/// itself, so a file something else took in the meantime is a field error, never a second
/// holder.
pub async fn attach(
    txn: &impl ConnectionTrait,
    schema: &FormSchema,
    form: &FormValues,
    owner: Uuid,
    holder: Holder,
) -> Result<(), ServiceError> {
    let (column, id) = holder.column();
    let all = attach_new(txn, schema, form, owner, holder).await?;
    attachment::Entity::update_many()
        .col_expr(column, Expr::value(None::<Uuid>))
        .filter(column.eq(id))
        .filter(attachment::Column::Id.is_not_in(all))
        .exec(txn)
        .await?;
    Ok(())
}

/// [`attach`] for a holder that holds nothing yet (a request being created): the form's files
/// are taken, and there is nothing to let go. Returns the files it holds.
pub async fn attach_new(
    txn: &impl ConnectionTrait,
    schema: &FormSchema,
    form: &FormValues,
    owner: Uuid,
    holder: Holder,
) -> Result<std::collections::BTreeSet<Uuid>, ServiceError> {
    let (column, id) = holder.column();
    let mut all = std::collections::BTreeSet::new();
    for (field, ids) in named_ids(schema, form) {
        let ids: std::collections::BTreeSet<Uuid> = ids.into_iter().flatten().collect();
        if ids.is_empty() {
            continue;
        }
        let free = sea_orm::Condition::all()
            .add(attachment::Column::RequestId.is_null())
            .add(attachment::Column::ProposalId.is_null());
        let moved = attachment::Entity::update_many()
            .col_expr(column, Expr::value(id))
            .filter(attachment::Column::Id.is_in(ids.iter().copied()))
            .filter(attachment::Column::OwnerId.eq(owner))
            .filter(sea_orm::Condition::any().add(free).add(column.eq(id)))
            .exec(txn)
            .await?
            .rows_affected;
        if moved != ids.len() as u64 {
            return Err(ServiceError::FormInvalid(vec![error(
                field,
                FieldErrorCode::AttachmentNotFound,
            )]));
        }
        all.extend(ids);
    }
    Ok(all)
}

impl super::Services {
    /// Removes the files never sent with a request within `pending.ttl_hours` (all of them,
    /// batch after batch); returns how many went.
    pub async fn sweep_uploads(&self, pending: Pending) -> Result<u64, ServiceError> {
        let cutoff = self.clock.now() - chrono::Duration::hours(i64::from(pending.ttl_hours));
        let mut total = 0;
        loop {
            let n = sweep(&self.db, &self.objects, cutoff).await?;
            total += n;
            if n == 0 {
                return Ok(total);
            }
        }
    }

    /// Sweeps unsent uploads every `every`, on every instance (they share the work: a record
    /// is removed once, by whichever gets it first).
    pub fn spawn_upload_sweeper(
        &self,
        pending: Pending,
        every: std::time::Duration,
    ) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                match this.sweep_uploads(pending).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(removed = n, "unsent uploads removed"),
                    Err(e) => tracing::warn!(error = %e, "unsent uploads: sweep failed"),
                }
                tokio::time::sleep(every).await;
            }
        })
    }
}
