//! Reading and writing the part of the record a proposal is about, through one generic writer:
//! a section's fields are its table's columns, typed by the section's field table.

use std::collections::BTreeMap;
use std::str::FromStr;

use abdi_proto::forms::FieldKind;
use abdi_proto::updates::{Change, Section, SectionField};
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait,
    IntoActiveModel, PrimaryKeyTrait, QueryFilter,
};
use serde_json::Value;
use uuid::Uuid;

use super::UpdateError;
use crate::masterdata::entity::{
    award, competency, education_history, employee, family_member, organisation_experience,
    training_history,
};

/// The values of the entry (or of the identity) a proposal is about, as they stand: only the
/// section's fields.
pub(super) async fn current(
    db: &impl ConnectionTrait,
    section: Section,
    employee_id: Uuid,
    entry_id: Option<i64>,
) -> Result<BTreeMap<String, Value>, UpdateError> {
    let row = match (section, entry_id) {
        (Section::Identity, _) => employee::Entity::find_by_id(employee_id)
            .into_json()
            .one(db)
            .await?
            .ok_or(UpdateError::EntryNotFound)?,
        (Section::Archive, _) | (_, None) => return Ok(BTreeMap::new()),
        (Section::Education, Some(id)) => {
            entry::<education_history::Entity>(db, employee_id, id).await?
        }
        (Section::Training, Some(id)) => {
            entry::<training_history::Entity>(db, employee_id, id).await?
        }
        (Section::Award, Some(id)) => entry::<award::Entity>(db, employee_id, id).await?,
        (Section::Family, Some(id)) => entry::<family_member::Entity>(db, employee_id, id).await?,
        (Section::Organisation, Some(id)) => {
            entry::<organisation_experience::Entity>(db, employee_id, id).await?
        }
        (Section::Competency, Some(id)) => entry::<competency::Entity>(db, employee_id, id).await?,
    };
    Ok(section
        .fields()
        .into_iter()
        .map(|f| {
            let v = row.get(&f.field.name).cloned().unwrap_or(Value::Null);
            (f.field.name, v)
        })
        .collect())
}

/// One of the employee's entries in a history table, as JSON.
async fn entry<E>(
    db: &impl ConnectionTrait,
    employee_id: Uuid,
    id: i64,
) -> Result<Value, UpdateError>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64>,
{
    let owner = column::<E>("employee_id")?;
    E::find_by_id(id)
        .filter(owner.eq(employee_id))
        .into_json()
        .one(db)
        .await?
        .ok_or(UpdateError::EntryNotFound)
}

/// Refuses a value that must be the employee's alone and is already another's (the NIK).
pub(super) async fn unique(
    db: &impl ConnectionTrait,
    section: Section,
    employee_id: Uuid,
    values: &BTreeMap<String, Value>,
) -> Result<(), UpdateError> {
    let Some(nik) = values.get("nik").and_then(Value::as_str) else {
        return Ok(());
    };
    if section != Section::Identity {
        return Ok(());
    }
    let taken = employee::Entity::find()
        .filter(employee::Column::Nik.eq(nik))
        .filter(employee::Column::Id.ne(employee_id))
        .one(db)
        .await?
        .is_some();
    if taken {
        Err(UpdateError::NikInUse)
    } else {
        Ok(())
    }
}

/// Writes a verified proposal to the record; answers the entry it wrote (an addition's new id).
pub(super) async fn apply(
    txn: &impl ConnectionTrait,
    section: Section,
    change: Change,
    employee_id: Uuid,
    entry_id: Option<i64>,
    values: &BTreeMap<String, Value>,
) -> Result<Option<i64>, UpdateError> {
    let fields = section.fields();
    let at = Target {
        change,
        employee_id,
        entry_id,
        fields: &fields,
        values,
    };
    unique(txn, section, employee_id, values).await?;
    match section {
        Section::Identity => identity(txn, &at).await.map(|()| None),
        Section::Education => history::<education_history::Entity>(txn, &at).await,
        Section::Training => history::<training_history::Entity>(txn, &at).await,
        Section::Award => history::<award::Entity>(txn, &at).await,
        Section::Family => history::<family_member::Entity>(txn, &at).await,
        Section::Organisation => history::<organisation_experience::Entity>(txn, &at).await,
        Section::Competency => history::<competency::Entity>(txn, &at).await,
        // Its evidence goes into the archive; the record's fields stay.
        Section::Archive => Ok(None),
    }
}

/// What to write, and where.
struct Target<'a> {
    change: Change,
    employee_id: Uuid,
    entry_id: Option<i64>,
    fields: &'a [SectionField],
    values: &'a BTreeMap<String, Value>,
}

impl Target<'_> {
    /// Sets each proposed field on `row`, typed by the field table.
    fn set<A: ActiveModelTrait>(&self, row: &mut A) -> Result<(), UpdateError>
    where
        <A::Entity as EntityTrait>::Column: FromStr,
    {
        for f in self.fields {
            let Some(v) = self.values.get(&f.field.name) else {
                continue;
            };
            let col = column::<A::Entity>(&f.field.name)?;
            row.try_set(col, typed(&f.field.kind, v))?;
        }
        Ok(())
    }
}

async fn identity(txn: &impl ConnectionTrait, at: &Target<'_>) -> Result<(), UpdateError> {
    let mut row = employee::Entity::find_by_id(at.employee_id)
        .one(txn)
        .await?
        .ok_or(UpdateError::EntryNotFound)?
        .into_active_model();
    at.set(&mut row)?;
    row.update(txn).await?;
    Ok(())
}

async fn history<E>(txn: &impl ConnectionTrait, at: &Target<'_>) -> Result<Option<i64>, UpdateError>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
    E::Column: FromStr,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64> + Into<sea_orm::Value>,
{
    let owner = column::<E>("employee_id")?;
    let id_col = column::<E>("id")?;
    match (at.change, at.entry_id) {
        (Change::Add, _) => {
            let mut row = <E::ActiveModel as ActiveModelTrait>::default();
            row.try_set(owner, at.employee_id.into())?;
            at.set(&mut row)?;
            let inserted = E::insert(row).exec(txn).await?;
            let id: sea_orm::Value = inserted.last_insert_id.into();
            Ok(match id {
                sea_orm::Value::BigInt(Some(n)) => Some(n),
                _ => None,
            })
        }
        (Change::Correct, Some(id)) => {
            let mut row = E::find_by_id(id)
                .filter(owner.eq(at.employee_id))
                .one(txn)
                .await?
                .ok_or(UpdateError::EntryNotFound)?
                .into_active_model();
            at.set(&mut row)?;
            row.update(txn).await?;
            Ok(Some(id))
        }
        (Change::Remove, Some(id)) => {
            let gone = E::delete_many()
                .filter(id_col.eq(id))
                .filter(owner.eq(at.employee_id))
                .exec(txn)
                .await?
                .rows_affected;
            if gone == 1 {
                Ok(Some(id))
            } else {
                Err(UpdateError::EntryNotFound)
            }
        }
        (_, None) => Err(UpdateError::EntryNotFound),
    }
}

fn column<E: EntityTrait>(name: &str) -> Result<E::Column, UpdateError>
where
    E::Column: FromStr,
{
    E::Column::from_str(name).map_err(|_| UpdateError::Schema(name.to_owned()))
}

/// A proposed value as its column takes it (an empty optional value is NULL).
fn typed(kind: &FieldKind, v: &Value) -> sea_orm::Value {
    let text = v.as_str().map(str::trim).filter(|s| !s.is_empty());
    match kind {
        FieldKind::Number { .. } => v.as_i64().map(|n| n as i32).into(),
        FieldKind::Date { .. } => text
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .into(),
        _ => text.map(str::to_owned).into(),
    }
}
