//! What an employee's record holds, read from the database, for the completeness rules in
//! [`abdi_proto::completeness`] (the phone reads the same facts from its cached record).

use std::collections::{BTreeSet, HashMap};

use abdi_proto::archive::ArchiveKind;
use abdi_proto::completeness::{RecordFacts, RecordItem};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::entity::{archive_document, education_history, employee};

/// The archive kinds an employee holds.
pub async fn archived_kinds(
    db: &impl ConnectionTrait,
    employee_id: Uuid,
) -> Result<BTreeSet<ArchiveKind>, DbErr> {
    Ok(archive_document::Entity::find()
        .filter(archive_document::Column::EmployeeId.eq(employee_id))
        .all(db)
        .await?
        .iter()
        .filter_map(|d| ArchiveKind::from_code(&d.kind))
        .collect())
}

/// The facts of one employee's record.
pub async fn facts(
    db: &impl ConnectionTrait,
    employee: &employee::Model,
) -> Result<RecordFacts, DbErr> {
    let educated = !education_history::Entity::find()
        .filter(education_history::Column::EmployeeId.eq(employee.id))
        .limit(1)
        .all(db)
        .await?
        .is_empty();
    let documents = archived_kinds(db, employee.id).await?;
    Ok(of(employee, educated, documents))
}

/// The facts of many employees at once (the monitoring), three queries whatever their number.
pub async fn facts_of_all(
    db: &impl ConnectionTrait,
    employees: &[employee::Model],
) -> Result<Vec<RecordFacts>, DbErr> {
    let mut educated = BTreeSet::new();
    let mut documents: HashMap<Uuid, BTreeSet<ArchiveKind>> = HashMap::new();
    for chunk in employees.chunks(1000) {
        let ids: Vec<Uuid> = chunk.iter().map(|e| e.id).collect();
        educated.extend(
            education_history::Entity::find()
                .select_only()
                .column(education_history::Column::EmployeeId)
                .filter(education_history::Column::EmployeeId.is_in(ids.clone()))
                .distinct()
                .into_tuple::<Uuid>()
                .all(db)
                .await?,
        );
        for (id, kind) in archive_document::Entity::find()
            .select_only()
            .column(archive_document::Column::EmployeeId)
            .column(archive_document::Column::Kind)
            .filter(archive_document::Column::EmployeeId.is_in(ids))
            .into_tuple::<(Uuid, String)>()
            .all(db)
            .await?
        {
            if let Some(kind) = ArchiveKind::from_code(&kind) {
                documents.entry(id).or_default().insert(kind);
            }
        }
    }
    Ok(employees
        .iter()
        .map(|e| {
            of(
                e,
                educated.contains(&e.id),
                documents.remove(&e.id).unwrap_or_default(),
            )
        })
        .collect())
}

fn of(e: &employee::Model, educated: bool, documents: BTreeSet<ArchiveKind>) -> RecordFacts {
    let filled = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
    let present = [
        (RecordItem::Nik, !e.nik.trim().is_empty()),
        (RecordItem::BirthPlace, !e.birth_place.trim().is_empty()),
        (RecordItem::Email, filled(&e.email)),
        (RecordItem::Phone, filled(&e.phone)),
        (RecordItem::TmtCpns, e.tmt_cpns.is_some()),
        (RecordItem::TmtPns, e.tmt_pns.is_some()),
        (
            RecordItem::Rank,
            e.rank_code.is_some() && e.rank_tmt.is_some(),
        ),
        (RecordItem::Position, e.position_id.is_some()),
        (RecordItem::Education, educated),
    ]
    .into_iter()
    .filter_map(|(item, ok)| ok.then_some(item))
    .collect();
    RecordFacts {
        employment_type: e.employment_type.clone(),
        present,
        documents,
    }
}
