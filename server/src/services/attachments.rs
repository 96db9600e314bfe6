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

pub async fn upload<S, E>(
    db: &impl ConnectionTrait,
    objects: &Objects,
    owner: Uuid,
    name: &str,
    body: S,
    now: DateTime<Utc>,
) -> Result<AttachmentInfo, ServiceError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let id = Uuid::now_v7();
    let key = format!("attachments/{}/{:02}/{id}", now.year(), now.month());
    let stored = objects.put_stream(&key, body).await?;
    let model = attachment::Model {
        id,
        owner_id: owner,
        request_id: None,
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

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<attachment::Model, ServiceError> {
    attachment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::AttachmentNotFound)
}

/// Replaces each attachment named in the form by what was stored for it; ids that are not the
/// owner's (or already sent with another request) are field errors.
pub async fn resolve(
    db: &impl ConnectionTrait,
    schema: &FormSchema,
    form: &FormValues,
    owner: Uuid,
    request_id: Uuid,
) -> Result<Result<FormValues, Vec<FieldError>>, ServiceError> {
    let mut out = form.clone();
    let mut errors = Vec::new();
    for field in &schema.fields {
        if !matches!(field.kind, FieldKind::Attachment { .. }) {
            continue;
        }
        let Some(Value::Array(items)) = form.get(&field.name) else {
            continue;
        };
        let ids: Vec<Option<Uuid>> = items
            .iter()
            .map(|i| i["id"].as_str().and_then(|s| Uuid::parse_str(s).ok()))
            .collect();
        let found = attachment::Entity::find()
            .filter(attachment::Column::Id.is_in(ids.iter().flatten().copied()))
            .filter(attachment::Column::OwnerId.eq(owner))
            .all(db)
            .await?;
        let mut resolved = Vec::new();
        for id in &ids {
            match id.and_then(|id| {
                found
                    .iter()
                    .find(|a| a.id == id && a.request_id.is_none_or(|r| r == request_id))
            }) {
                Some(a) => resolved.push(json!({
                    "id": a.id,
                    "name": a.name,
                    "content_type": a.content_type,
                    "size": a.size,
                    "sha256": a.sha256,
                })),
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

/// Ties the attachments named in `form` to the request (in its transaction).
pub async fn attach(
    txn: &impl ConnectionTrait,
    form: &FormValues,
    request_id: Uuid,
) -> Result<(), sea_orm::DbErr> {
    let ids: Vec<Uuid> = form
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|i| i["id"].as_str().and_then(|s| Uuid::parse_str(s).ok()))
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    attachment::Entity::update_many()
        .col_expr(attachment::Column::RequestId, Expr::value(request_id))
        .filter(attachment::Column::Id.is_in(ids))
        .exec(txn)
        .await
        .map(|_| ())
}
