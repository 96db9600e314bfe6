//! `Idempotency-Key` on submissions: a retry gets the first answer, the same key with another
//! body is refused, and a retry while the first attempt still runs is told to wait. The key is
//! claimed in its own statement (so a concurrent retry sees it at once) and completed in the
//! transaction that creates the request, so a request never exists without its key's answer.
//! A claim left running by a crashed instance is taken over after `STALE_AFTER`.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use abdi_proto::services::{NewRequest, RequestView};
use sha2::{Digest, Sha256};

use super::entity::idempotency_key::{self, KeyState};
use super::{ServiceError, Services};

/// A claim older than this is presumed abandoned (longer than any request may run).
pub(crate) const STALE_AFTER: Duration = Duration::seconds(120);

/// A valid key: 8 to 128 visible ASCII characters (a UUID is the usual choice).
pub(crate) fn parse_key(raw: Option<&str>) -> Result<String, ServiceError> {
    match raw.map(str::trim) {
        Some(k) if (8..=128).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(k.to_owned())
        }
        _ => Err(ServiceError::IdempotencyKeyInvalid),
    }
}

/// What a claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Claim {
    /// First time (or taking over an abandoned attempt): go ahead.
    Fresh,
    /// Done before: answer with this status and body.
    Replay { status: u16, body: String },
}

pub(crate) async fn claim(
    db: &impl ConnectionTrait,
    employee_id: Uuid,
    key: &str,
    body_hash: &str,
    now: DateTime<Utc>,
) -> Result<Claim, ServiceError> {
    let inserted = idempotency_key::Entity::insert(idempotency_key::ActiveModel {
        employee_id: Set(employee_id),
        key: Set(key.to_owned()),
        body_hash: Set(body_hash.to_owned()),
        state: Set(KeyState::Running),
        response_status: Set(None),
        response: Set(None),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            idempotency_key::Column::EmployeeId,
            idempotency_key::Column::Key,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    let row = idempotency_key::Entity::find_by_id((employee_id, key.to_owned()))
        .one(db)
        .await?
        // Released between the insert and this read: the caller may simply retry.
        .ok_or(ServiceError::IdempotencyInProgress)?;
    if row.body_hash != body_hash {
        return Err(ServiceError::IdempotencyKeyReused);
    }
    if row.state == KeyState::Done {
        return Ok(Claim::Replay {
            status: row.response_status.unwrap_or(200) as u16,
            body: row.response.unwrap_or_default(),
        });
    }
    if now - row.created_at < STALE_AFTER {
        return Err(ServiceError::IdempotencyInProgress);
    }
    // Abandoned: take it over, unless another retry just did.
    let taken = idempotency_key::Entity::update_many()
        .col_expr(idempotency_key::Column::CreatedAt, Expr::value(now))
        .filter(idempotency_key::Column::EmployeeId.eq(employee_id))
        .filter(idempotency_key::Column::Key.eq(key))
        .filter(idempotency_key::Column::CreatedAt.eq(row.created_at))
        .filter(idempotency_key::Column::State.eq(KeyState::Running))
        .exec(db)
        .await?;
    if taken.rows_affected == 1 {
        Ok(Claim::Fresh)
    } else {
        Err(ServiceError::IdempotencyInProgress)
    }
}

/// Records the answer (in the transaction that made it).
pub(crate) async fn complete(
    txn: &impl ConnectionTrait,
    employee_id: Uuid,
    key: &str,
    status: u16,
    body: &str,
) -> Result<(), sea_orm::DbErr> {
    idempotency_key::Entity::update_many()
        .col_expr(idempotency_key::Column::State, Expr::value(KeyState::Done))
        .col_expr(
            idempotency_key::Column::ResponseStatus,
            Expr::value(i32::from(status)),
        )
        .col_expr(idempotency_key::Column::Response, Expr::value(body))
        .filter(idempotency_key::Column::EmployeeId.eq(employee_id))
        .filter(idempotency_key::Column::Key.eq(key))
        .exec(txn)
        .await
        .map(|_| ())
}

/// Forgets a claim whose attempt failed, so a retry runs again.
pub(crate) async fn release(
    db: &impl ConnectionTrait,
    employee_id: Uuid,
    key: &str,
) -> Result<(), sea_orm::DbErr> {
    idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::EmployeeId.eq(employee_id))
        .filter(idempotency_key::Column::Key.eq(key))
        .filter(idempotency_key::Column::State.eq(KeyState::Running))
        .exec(db)
        .await
        .map(|_| ())
}

/// What a submission with an idempotency key came to.
#[derive(Debug)]
pub enum Submitted {
    /// Made now.
    Created(Box<RequestView>),
    /// Made before with this key and body: the first answer, as it was sent.
    Replayed { status: u16, body: String },
}

impl Services {
    /// Creates a request once per key: claims the key, creates the request (completing the key
    /// in the same transaction), or replays the first answer; a failed attempt leaves no claim,
    /// so its retry runs again.
    pub async fn create_once(
        &self,
        owner: Uuid,
        new: &NewRequest,
        raw_key: Option<&str>,
    ) -> Result<Submitted, ServiceError> {
        let key = parse_key(raw_key)?;
        let hash = hex::encode(Sha256::digest(serde_json::to_vec(new).unwrap_or_default()));
        match claim(&self.db, owner, &key, &hash, self.clock.now()).await? {
            Claim::Replay { status, body } => Ok(Submitted::Replayed { status, body }),
            Claim::Fresh => match self.create(owner, new, Some(&key)).await {
                Ok(view) => Ok(Submitted::Created(Box::new(view))),
                Err(e) => {
                    let _ = release(&self.db, owner, &key).await;
                    Err(e)
                }
            },
        }
    }
}
