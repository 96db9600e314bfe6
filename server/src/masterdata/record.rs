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
    let e = employee::Entity::find_by_id(id)
        .one(db)
        .await?;
    let Some(e) = e else { return Ok(None) };
    let unit = org_unit::Entity::find_by_id(e.unit_id).one(db).await?;
    let post = match e.position_id {
        Some(p) => position::Entity::find_by_id(p).one(db).await?,
        None => None,
    };
    let nik = |n: &str| {
        if full_nik { n.to_owned() } else { mask_nik(n) }
    };
    let identity = RecordIdentity {
        id: e.id,
        nip: e.nip.clone(),
        nik: nik(&e.nik),
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
        unit_code: unit.as_ref().map_or_else(String::new, |u| u.code.clone()),
        unit_name: unit.map_or_else(String::new, |u| u.name),
        position_kind: post.as_ref().map(|p| p.kind.clone()),
        position_grade: post.as_ref().and_then(|p| p.grade.clone()),
        position_title: post.map(|p| p.title),
        email: e.email,
        phone: e.phone,
        active: e.active,
    };
    Ok(Some(EmployeeRecord {
        identity,
        ranks: history!(db, rank_history, id, rank_history::Column::Tmt)
            .into_iter()
            .map(|r| RankEntry {
                rank_code: r.rank_code,
                tmt: r.tmt,
                decree_number: r.decree_number,
                decree_date: r.decree_date,
            })
            .collect(),
        positions: history!(db, position_history, id, position_history::Column::Tmt)
            .into_iter()
            .map(|p| PositionEntry {
                position_title: p.position_title,
                unit_name: p.unit_name,
                tmt: p.tmt,
                decree_number: p.decree_number,
            })
            .collect(),
        education: history!(
            db,
            education_history,
            id,
            education_history::Column::GraduationYear
        )
        .into_iter()
        .map(|x| EducationEntry {
            id: x.id,
            level: x.level,
            institution: x.institution,
            major: x.major,
            graduation_year: x.graduation_year,
            diploma_number: x.diploma_number,
        })
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
                nik: f.nik.as_deref().map(nik),
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
            .map(|s| SalaryEntry {
                basic_salary: s.basic_salary,
                rank_code: s.rank_code,
                service_years: s.service_years,
                tmt: s.tmt,
                decree_number: s.decree_number,
            })
            .collect(),
    }))
}
