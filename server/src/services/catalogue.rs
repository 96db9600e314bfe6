//! The service catalogue: shipped as `server/data/services.toml`, loaded for each service the
//! database does not have yet, then maintained by administrators through the API. Every change
//! is a new revision; earlier ones are kept, and a request records the revision it was made
//! under.

use std::collections::HashSet;

use abdi_proto::services::{
    NewService, ServiceChange, ServiceDefinition, ServiceRevision, ServiceSpec, ServiceSummary,
    StepKind,
};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use uuid::Uuid;

use super::ServiceError;
use super::entity::{service_type, service_type_revision};
use crate::masterdata::entity::employee;

pub(crate) const SHIPPED: &str = include_str!("../../data/services.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Shipped {
    service: Vec<ShippedService>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ShippedService {
    pub code: String,
    /// The Rust rules checked after the conditions; [`DECLARATIVE`] when none.
    #[serde(default = "declarative")]
    pub rules: String,
    pub spec: ServiceSpec,
}

/// The rules of a service that has only its declarative conditions.
pub(crate) const DECLARATIVE: &str = "declarative";

fn declarative() -> String {
    DECLARATIVE.to_owned()
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("service catalogue: {0}")]
    Parse(String),
    #[error("service catalogue, {code}: {reason}")]
    Invalid { code: String, reason: String },
    #[error("loading the service catalogue: {0}")]
    Database(#[from] sea_orm::DbErr),
}

pub(crate) fn shipped() -> Result<Vec<ShippedService>, CatalogueError> {
    let parsed: Shipped = toml::from_str(SHIPPED)
        .map_err(|e| CatalogueError::Parse(crate::store::db::one_line(e.message())))?;
    for s in &parsed.service {
        check_spec(&s.spec).map_err(|reason| CatalogueError::Invalid {
            code: s.code.clone(),
            reason,
        })?;
    }
    Ok(parsed.service)
}

/// Loads each shipped service the database does not have; returns the codes loaded. An
/// administrator's changes are never overwritten.
pub(crate) async fn load_shipped<C>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<Vec<String>, CatalogueError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let mut loaded = Vec::new();
    for s in shipped()? {
        let spec =
            serde_json::to_string(&s.spec).map_err(|e| CatalogueError::Parse(e.to_string()))?;
        let txn = db.begin().await?;
        let inserted = service_type::Entity::insert(service_type::ActiveModel {
            code: Set(s.code.clone()),
            rules: Set(s.rules.clone()),
            revision: Set(1),
            active: Set(s.spec.state.is_open()),
            spec: Set(spec.clone()),
            updated_at: Set(now),
            updated_by: Set(None),
        })
        .on_conflict(
            OnConflict::column(service_type::Column::Code)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        if inserted == 1 {
            service_type_revision::Entity::insert(service_type_revision::ActiveModel {
                code: Set(s.code.clone()),
                revision: Set(1),
                spec: Set(spec),
                changed_by: Set(None),
                changed_at: Set(now),
                note: Set("Katalog bawaan Abdi / shipped with Abdi".into()),
                ..Default::default()
            })
            .exec_without_returning(&txn)
            .await?;
            loaded.push(s.code);
        }
        txn.commit().await?;
    }
    Ok(loaded)
}

/// What makes a service definition usable: a chain that ends in a decision, fields named once,
/// conditions and a letter that refer only to what exists.
pub(crate) fn check_spec(spec: &ServiceSpec) -> Result<(), String> {
    if spec.name.id.trim().is_empty() || spec.name.en.trim().is_empty() {
        return Err("the name is empty".into());
    }
    if !spec.chain.iter().any(|s| s.kind == StepKind::Decision) {
        return Err("the chain has no decision step".into());
    }
    if spec
        .chain
        .iter()
        .skip(1)
        .any(|s| s.kind == StepKind::Verification)
    {
        return Err("verification can only be the first step".into());
    }
    let mut names = HashSet::new();
    for f in &spec.form.fields {
        if f.name.trim().is_empty() || !names.insert(f.name.as_str()) {
            return Err(format!("the field name '{}' is empty or repeated", f.name));
        }
    }
    spec.eligibility.check(&spec.form)?;
    if let Some(letter) = &spec.letter {
        letter.check(&spec.form)?;
    }
    Ok(())
}

/// A service code: snake_case, 3 to 48 characters.
fn check_code(code: &str) -> Result<(), String> {
    let ok = (3..=48).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the code '{code}' must be 3 to 48 characters of a-z, 0-9 and _"
        ))
    }
}

pub(crate) fn definition(row: &service_type::Model) -> Result<ServiceDefinition, ServiceError> {
    let spec: ServiceSpec = serde_json::from_str(&row.spec).map_err(|e| {
        ServiceError::Database(sea_orm::DbErr::Custom(format!(
            "service_types.spec of {}: {e}",
            row.code
        )))
    })?;
    Ok(ServiceDefinition {
        code: row.code.clone(),
        revision: row.revision as u32,
        spec,
        updated_at: row.updated_at,
    })
}

pub(crate) async fn list(
    db: &impl ConnectionTrait,
    include_inactive: bool,
) -> Result<Vec<ServiceSummary>, ServiceError> {
    let mut q = service_type::Entity::find().order_by_asc(service_type::Column::Code);
    if !include_inactive {
        q = q.filter(service_type::Column::Active.eq(true));
    }
    q.all(db)
        .await?
        .iter()
        .map(|row| {
            let d = definition(row)?;
            Ok(ServiceSummary {
                code: d.code,
                name: d.spec.name,
                active: d.spec.state.is_open(),
                state: d.spec.state,
                sop_version: d.spec.sop_version,
                revision: d.revision,
            })
        })
        .collect()
}

pub(crate) async fn get(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<(service_type::Model, ServiceDefinition), ServiceError> {
    let row = service_type::Entity::find_by_id(code)
        .one(db)
        .await?
        .ok_or(ServiceError::ServiceNotFound)?;
    let def = definition(&row)?;
    Ok((row, def))
}

/// Applies an administrator's change as the next revision, if nobody changed the service
/// since `change.revision`.
pub(crate) async fn update<C>(
    db: &C,
    code: &str,
    change: ServiceChange,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<ServiceDefinition, ServiceError>
where
    C: ConnectionTrait + TransactionTrait,
{
    check_spec(&change.spec).map_err(ServiceError::InvalidSpec)?;
    if change.note.trim().is_empty() {
        return Err(ServiceError::ReasonRequired);
    }
    let spec = serde_json::to_string(&change.spec)
        .map_err(|e| ServiceError::InvalidSpec(e.to_string()))?;
    let txn = db.begin().await?;
    get(&txn, code).await?;
    let next = change.revision as i32 + 1;
    let updated = service_type::Entity::update_many()
        .col_expr(service_type::Column::Revision, Expr::value(next))
        .col_expr(
            service_type::Column::Active,
            Expr::value(change.spec.state.is_open()),
        )
        .col_expr(service_type::Column::Spec, Expr::value(spec.clone()))
        .col_expr(service_type::Column::UpdatedAt, Expr::value(now))
        .col_expr(service_type::Column::UpdatedBy, Expr::value(by))
        .filter(service_type::Column::Code.eq(code))
        .filter(service_type::Column::Revision.eq(change.revision as i32))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ServiceError::VersionConflict);
    }
    service_type_revision::Entity::insert(service_type_revision::ActiveModel {
        code: Set(code.to_owned()),
        revision: Set(next),
        spec: Set(spec),
        changed_by: Set(Some(by)),
        changed_at: Set(now),
        note: Set(change.note.trim().to_owned()),
        ..Default::default()
    })
    .exec_without_returning(&txn)
    .await?;
    let (_, def) = get(&txn, code).await?;
    txn.commit().await?;
    Ok(def)
}

/// Adds a service defined by its conditions alone, as revision 1 (administrators, by decree).
pub(crate) async fn create<C>(
    db: &C,
    new: NewService,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<ServiceDefinition, ServiceError>
where
    C: ConnectionTrait + TransactionTrait,
{
    check_code(&new.code).map_err(ServiceError::InvalidSpec)?;
    check_spec(&new.spec).map_err(ServiceError::InvalidSpec)?;
    if new.note.trim().is_empty() {
        return Err(ServiceError::ReasonRequired);
    }
    let spec =
        serde_json::to_string(&new.spec).map_err(|e| ServiceError::InvalidSpec(e.to_string()))?;
    let txn = db.begin().await?;
    let inserted = service_type::Entity::insert(service_type::ActiveModel {
        code: Set(new.code.clone()),
        rules: Set(declarative()),
        revision: Set(1),
        active: Set(new.spec.state.is_open()),
        spec: Set(spec.clone()),
        updated_at: Set(now),
        updated_by: Set(Some(by)),
    })
    .on_conflict(
        OnConflict::column(service_type::Column::Code)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    if inserted != 1 {
        return Err(ServiceError::ServiceExists);
    }
    service_type_revision::Entity::insert(service_type_revision::ActiveModel {
        code: Set(new.code.clone()),
        revision: Set(1),
        spec: Set(spec),
        changed_by: Set(Some(by)),
        changed_at: Set(now),
        note: Set(new.note.trim().to_owned()),
        ..Default::default()
    })
    .exec_without_returning(&txn)
    .await?;
    let (_, def) = get(&txn, &new.code).await?;
    txn.commit().await?;
    Ok(def)
}

/// The service as it stood at `revision`: what a request submitted under it keeps.
pub(crate) async fn at_revision(
    db: &impl ConnectionTrait,
    code: &str,
    revision: i32,
) -> Result<ServiceSpec, ServiceError> {
    let row = service_type_revision::Entity::find()
        .filter(service_type_revision::Column::Code.eq(code))
        .filter(service_type_revision::Column::Revision.eq(revision))
        .one(db)
        .await?;
    match row {
        Some(r) => serde_json::from_str(&r.spec).map_err(|e| {
            ServiceError::Database(sea_orm::DbErr::Custom(format!(
                "service_type_revisions.spec of {code}@{revision}: {e}"
            )))
        }),
        None => Ok(get(db, code).await?.1.spec),
    }
}

/// Every revision of a service, newest first, with who made it (by NIP).
pub(crate) async fn history(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Vec<ServiceRevision>, ServiceError> {
    get(db, code).await?;
    let rows = service_type_revision::Entity::find()
        .filter(service_type_revision::Column::Code.eq(code))
        .order_by_desc(service_type_revision::Column::Revision)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.changed_by).collect();
    let people = employee::Entity::find()
        .filter(employee::Column::Id.is_in(ids))
        .all(db)
        .await?;
    rows.into_iter()
        .map(|r| {
            let spec = serde_json::from_str(&r.spec).map_err(|e| {
                ServiceError::Database(sea_orm::DbErr::Custom(format!(
                    "service_type_revisions.spec: {e}"
                )))
            })?;
            Ok(ServiceRevision {
                revision: r.revision as u32,
                spec,
                changed_by: r
                    .changed_by
                    .and_then(|id| people.iter().find(|p| p.id == id))
                    .map(|p| p.nip.clone()),
                changed_at: r.changed_at,
                note: r.note,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalogue_parses_and_every_definition_is_usable() {
        let services = shipped().unwrap();
        assert_eq!(services.len(), 9);
        for s in &services {
            check_spec(&s.spec).unwrap();
        }
        let codes: Vec<&str> = services.iter().map(|s| s.code.as_str()).collect();
        for leave in [
            "cuti_tahunan",
            "cuti_besar",
            "cuti_sakit",
            "cuti_melahirkan",
            "cuti_alasan_penting",
            "cuti_bersama",
            "cltn",
        ] {
            assert!(codes.contains(&leave), "{leave}");
        }
    }
}
