//! The promotion facts of many employees at once: the employees, then their posts, ratings,
//! sanctions, training, archive and study permits, each table in one query over the same
//! selection of employees, so the candidate list of a province is eight round trips.

use std::collections::HashMap;

use abdi_proto::Vocabulary;
use abdi_proto::master::EducationLevel;
use abdi_proto::promotion::PromotionFacts;
use abdi_proto::services::Outcome;
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::masterdata::entity::{
    archive_document, disciplinary_sanction, employee, org_unit, performance_rating, position,
    training_history,
};
use crate::services::entity::service_request;

/// The services whose grant is a study permit for a diploma adjustment.
pub const STUDY_PERMITS: [&str; 2] = ["izin_belajar", "tugas_belajar"];

/// One employee with what promotion is judged on.
pub struct Judged {
    pub employee: employee::Model,
    pub unit_code: String,
    pub facts: PromotionFacts,
}

/// The active employees of `units` (every unit when `None`), with their facts: one query per
/// table, whatever the number of employees.
pub async fn of_units(
    db: &impl ConnectionTrait,
    units: Option<&[Uuid]>,
) -> Result<Vec<Judged>, DbErr> {
    let mut who = Query::select()
        .column(employee::Column::Id)
        .from(employee::Entity)
        .and_where(employee::Column::Active.eq(true))
        .to_owned();
    let mut q = employee::Entity::find().filter(employee::Column::Active.eq(true));
    if let Some(units) = units {
        who.and_where(employee::Column::UnitId.is_in(units.iter().copied()));
        q = q.filter(employee::Column::UnitId.is_in(units.iter().copied()));
    }
    let employees = q.all(db).await?;
    let codes: HashMap<Uuid, String> = org_unit::Entity::find()
        .select_only()
        .column(org_unit::Column::Id)
        .column(org_unit::Column::Code)
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    load(db, employees, who, &codes).await
}

/// One employee with their facts.
pub async fn of_employee(
    db: &impl ConnectionTrait,
    employee: employee::Model,
) -> Result<Judged, DbErr> {
    let codes: HashMap<Uuid, String> = org_unit::Entity::find_by_id(employee.unit_id)
        .one(db)
        .await?
        .map(|u| (u.id, u.code))
        .into_iter()
        .collect();
    let who = Query::select()
        .column(employee::Column::Id)
        .from(employee::Entity)
        .and_where(employee::Column::Id.eq(employee.id))
        .to_owned();
    load(db, vec![employee], who, &codes)
        .await?
        .pop()
        .ok_or_else(|| DbErr::RecordNotFound("employee".into()))
}

/// The facts of `employees`, whose ids `who` selects.
async fn load(
    db: &impl ConnectionTrait,
    employees: Vec<employee::Model>,
    who: SelectStatement,
    codes: &HashMap<Uuid, String>,
) -> Result<Vec<Judged>, DbErr> {
    let posts: HashMap<Uuid, (String, Option<String>)> = position::Entity::find()
        .filter(
            position::Column::Id.in_subquery(
                Query::select()
                    .column(employee::Column::PositionId)
                    .from(employee::Entity)
                    .and_where(employee::Column::Id.in_subquery(who.clone()))
                    .to_owned(),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, (p.kind, p.grade)))
        .collect();
    let mut facts: HashMap<Uuid, PromotionFacts> = HashMap::with_capacity(employees.len());
    for e in &employees {
        let post = e.position_id.and_then(|p| posts.get(&p));
        facts.insert(
            e.id,
            PromotionFacts {
                employment_type: e.employment_type.clone(),
                rank: e.rank_code.as_deref().and_then(|r| r.parse().ok()),
                rank_tmt: e.rank_tmt,
                education: EducationLevel::from_code(&e.education_level),
                position_kind: post.map(|p| p.0.clone()),
                position_grade: post.and_then(|p| p.1.clone()),
                ..Default::default()
            },
        );
    }
    for (id, year, rating) in performance_rating::Entity::find()
        .select_only()
        .column(performance_rating::Column::EmployeeId)
        .column(performance_rating::Column::Year)
        .column(performance_rating::Column::Rating)
        .filter(performance_rating::Column::EmployeeId.in_subquery(who.clone()))
        .into_tuple::<(Uuid, i32, String)>()
        .all(db)
        .await?
    {
        if let Some(f) = facts.get_mut(&id) {
            f.ratings.push((year, rating));
        }
    }
    for s in disciplinary_sanction::Entity::find()
        .filter(disciplinary_sanction::Column::EmployeeId.in_subquery(who.clone()))
        .all(db)
        .await?
    {
        if let Some(f) = facts.get_mut(&s.employee_id) {
            f.sanctions.push((s.level, s.starts_on, s.ends_on));
        }
    }
    for (id, name) in training_history::Entity::find()
        .select_only()
        .column(training_history::Column::EmployeeId)
        .column(training_history::Column::Name)
        .filter(training_history::Column::EmployeeId.in_subquery(who.clone()))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
    {
        if let Some(f) = facts.get_mut(&id) {
            f.training.push(name);
        }
    }
    for (id, kind) in archive_document::Entity::find()
        .select_only()
        .column(archive_document::Column::EmployeeId)
        .column(archive_document::Column::Kind)
        .filter(archive_document::Column::EmployeeId.in_subquery(who.clone()))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
    {
        if let Some(f) = facts.get_mut(&id) {
            f.archive.push(kind);
        }
    }
    for id in service_request::Entity::find()
        .select_only()
        .column(service_request::Column::EmployeeId)
        .filter(service_request::Column::EmployeeId.in_subquery(who))
        .filter(service_request::Column::ServiceCode.is_in(STUDY_PERMITS))
        .filter(service_request::Column::Outcome.eq(Outcome::Disetujui))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
    {
        if let Some(f) = facts.get_mut(&id) {
            f.study_permit = true;
        }
    }
    Ok(employees
        .into_iter()
        .map(|e| Judged {
            unit_code: codes.get(&e.unit_id).cloned().unwrap_or_default(),
            facts: facts.remove(&e.id).unwrap_or_default(),
            employee: e,
        })
        .collect())
}
