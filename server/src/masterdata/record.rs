//! The employee record as one document (Pergub Jatim 73/2020 Pasal 16), read from the
//! database: identity and every history with its decrees. `record` serves it to readers (with
//! their access checked and logged); the services evaluate their conditions over it, the same
//! document the phone caches.

use abdi_proto::record::{
    AwardEntry, CompetencyEntry, EducationEntry, EmployeeRecord, FamilyEntry, OrganisationEntry,
    PositionEntry, RankEntry, RatingEntry, RecordIdentity, SalaryEntry, SanctionEntry,
    TrainingEntry, mask_nik,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entity::{
    award, competency, disciplinary_sanction, education_history, employee, family_member, org_unit,
    organisation_experience, performance_rating, position, position_history, rank_history,
    salary_history, training_history,
};

/// Rows of one history table of an employee, in the order given.
macro_rules! history {
    ($db:expr, $table:ident, $id:expr, $order:expr) => {
        $table::Entity::find()
            .filter($table::Column::EmployeeId.eq($id))
            .order_by_asc($order)
            .order_by_asc($table::Column::Id)
            .all($db)
            .await?
    };
}

/// The record as stored, with the NIKs masked unless `full_nik`.
pub async fn load(
    db: &impl ConnectionTrait,
    id: Uuid,
    full_nik: bool,
) -> Result<Option<EmployeeRecord>, DbErr> {
    let e = employee::Entity::find_by_id(id).one(db).await?;
    let Some(e) = e else { return Ok(None) };
    let unit = org_unit::Entity::find_by_id(e.unit_id).one(db).await?;
    let post = match e.position_id {
        Some(p) => position::Entity::find_by_id(p).one(db).await?,
        None => None,
    };
    let identity = identity(e, unit.as_ref(), post.as_ref(), full_nik);
    Ok(Some(EmployeeRecord {
        identity,
        ranks: history!(db, rank_history, id, rank_history::Column::Tmt)
            .into_iter()
            .map(rank_entry)
            .collect(),
        positions: history!(db, position_history, id, position_history::Column::Tmt)
            .into_iter()
            .map(position_entry)
            .collect(),
        education: history!(
            db,
            education_history,
            id,
            education_history::Column::GraduationYear
        )
        .into_iter()
        .map(education_entry)
        .collect(),
        training: history!(
            db,
            training_history,
            id,
            training_history::Column::StartDate
        )
        .into_iter()
        .map(|t| TrainingEntry {
            id: t.id,
            name: t.name,
            organizer: t.organizer,
            start_date: t.start_date,
            end_date: t.end_date,
            hours: t.hours,
        })
        .collect(),
        performance: history!(db, performance_rating, id, performance_rating::Column::Year)
            .into_iter()
            .map(|r| RatingEntry {
                year: r.year,
                rating: r.rating,
            })
            .collect(),
        awards: history!(db, award, id, award::Column::Year)
            .into_iter()
            .map(|a| AwardEntry {
                id: a.id,
                name: a.name,
                decree_number: a.decree_number,
                year: a.year,
            })
            .collect(),
        family: history!(db, family_member, id, family_member::Column::BirthDate)
            .into_iter()
            .map(|f| FamilyEntry {
                id: f.id,
                relation: f.relation,
                name: f.name,
                gender: f.gender,
                birth_date: f.birth_date,
                nik: f.nik.as_deref().map(|n| shown_nik(n, full_nik)),
            })
            .collect(),
        discipline: history!(
            db,
            disciplinary_sanction,
            id,
            disciplinary_sanction::Column::StartsOn
        )
        .into_iter()
        .map(|s| SanctionEntry {
            level: s.level,
            decree_number: s.decree_number,
            starts_on: s.starts_on,
            ends_on: s.ends_on,
        })
        .collect(),
        competencies: history!(db, competency, id, competency::Column::AssessedOn)
            .into_iter()
            .map(|c| CompetencyEntry {
                id: c.id,
                name: c.name,
                level: c.level,
                assessed_on: c.assessed_on,
                assessor: c.assessor,
            })
            .collect(),
        organisations: history!(
            db,
            organisation_experience,
            id,
            organisation_experience::Column::StartYear
        )
        .into_iter()
        .map(|o| OrganisationEntry {
            id: o.id,
            organisation: o.organisation,
            role: o.role,
            start_year: o.start_year,
            end_year: o.end_year,
        })
        .collect(),
        salary: history!(db, salary_history, id, salary_history::Column::Tmt)
            .into_iter()
            .map(salary_entry)
            .collect(),
    }))
}

/// The identity part of the record: the employee's row, their unit and their post.
fn identity(
    e: employee::Model,
    unit: Option<&org_unit::Model>,
    post: Option<&position::Model>,
    full_nik: bool,
) -> RecordIdentity {
    RecordIdentity {
        id: e.id,
        nip: e.nip.clone(),
        nik: shown_nik(&e.nik, full_nik),
        nik_masked: !full_nik,
        full_name: e.full_name(),
        front_title: e.front_title,
        name: e.name,
        back_title: e.back_title,
        gender: e.gender,
        birth_place: e.birth_place,
        birth_date: e.birth_date,
        employment_type: e.employment_type,
        rank_code: e.rank_code,
        rank_tmt: e.rank_tmt,
        tmt_cpns: e.tmt_cpns,
        tmt_pns: e.tmt_pns,
        education_level: e.education_level,
        unit_code: unit.map_or_else(String::new, |u| u.code.clone()),
        unit_name: unit.map_or_else(String::new, |u| u.name.clone()),
        position_kind: post.map(|p| p.kind.clone()),
        position_grade: post.and_then(|p| p.grade.clone()),
        position_title: post.map(|p| p.title.clone()),
        email: e.email,
        phone: e.phone,
        active: e.active,
    }
}

/// What date-driven services read of many employees at once: the identity (with the post's
/// kind and grade), the positions and the salary history; the other histories are left empty.
/// Four queries per thousand employees.
pub async fn dates_of_many(
    db: &impl ConnectionTrait,
    employees: Vec<employee::Model>,
) -> Result<Vec<EmployeeRecord>, DbErr> {
    use std::collections::HashMap;
    let mut out = Vec::with_capacity(employees.len());
    let mut rest = employees.into_iter().peekable();
    while rest.peek().is_some() {
        let chunk: Vec<employee::Model> = rest.by_ref().take(1000).collect();
        let ids: Vec<Uuid> = chunk.iter().map(|e| e.id).collect();
        let posts: HashMap<Uuid, position::Model> = position::Entity::find()
            .filter(position::Column::Id.is_in(chunk.iter().filter_map(|e| e.position_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let mut positions: HashMap<Uuid, Vec<PositionEntry>> = HashMap::new();
        for p in position_history::Entity::find()
            .filter(position_history::Column::EmployeeId.is_in(ids.clone()))
            .order_by_asc(position_history::Column::Tmt)
            .all(db)
            .await?
        {
            positions
                .entry(p.employee_id)
                .or_default()
                .push(position_entry(p));
        }
        let mut salary: HashMap<Uuid, Vec<SalaryEntry>> = HashMap::new();
        for s in salary_history::Entity::find()
            .filter(salary_history::Column::EmployeeId.is_in(ids))
            .order_by_asc(salary_history::Column::Tmt)
            .all(db)
            .await?
        {
            salary
                .entry(s.employee_id)
                .or_default()
                .push(salary_entry(s));
        }
        for e in chunk {
            let id = e.id;
            let post = e.position_id.and_then(|p| posts.get(&p));
            out.push(EmployeeRecord {
                identity: identity(e, None, post, false),
                ranks: Vec::new(),
                positions: positions.remove(&id).unwrap_or_default(),
                education: Vec::new(),
                training: Vec::new(),
                performance: Vec::new(),
                awards: Vec::new(),
                family: Vec::new(),
                discipline: Vec::new(),
                competencies: Vec::new(),
                organisations: Vec::new(),
                salary: salary.remove(&id).unwrap_or_default(),
            });
        }
    }
    Ok(out)
}

pub(crate) fn rank_entry(r: rank_history::Model) -> RankEntry {
    RankEntry {
        rank_code: r.rank_code,
        tmt: r.tmt,
        decree_number: r.decree_number,
        decree_date: r.decree_date,
    }
}

pub(crate) fn education_entry(x: education_history::Model) -> EducationEntry {
    EducationEntry {
        id: x.id,
        level: x.level,
        institution: x.institution,
        major: x.major,
        graduation_year: x.graduation_year,
        diploma_number: x.diploma_number,
    }
}

pub(crate) fn position_entry(p: position_history::Model) -> PositionEntry {
    PositionEntry {
        position_title: p.position_title,
        unit_name: p.unit_name,
        tmt: p.tmt,
        decree_number: p.decree_number,
    }
}

fn salary_entry(s: salary_history::Model) -> SalaryEntry {
    SalaryEntry {
        basic_salary: s.basic_salary,
        rank_code: s.rank_code,
        service_years: s.service_years,
        tmt: s.tmt,
        decree_number: s.decree_number,
    }
}

/// A NIK in full, or masked.
fn shown_nik(nik: &str, full: bool) -> String {
    if full { nik.to_owned() } else { mask_nik(nik) }
}
