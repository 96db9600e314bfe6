//! The employee record as one document (Pergub Jatim 73/2020 Pasal 16): identity and every
//! history with its decrees. The employee reads their own; their atasan langsung, the
//! fasilitator of their unit and administrators read it in that capacity. The NIK (theirs and
//! their family's) is shown in full only to the employee and administrators. Every read of
//! another person's record is logged first: a read that cannot be logged is not served.

use abdi_proto::people::PersonRef;
use abdi_proto::record::{
    AwardEntry, CompetencyEntry, EducationEntry, EmployeeRecord, FamilyEntry, OrganisationEntry,
    PositionEntry, RankEntry, RatingEntry, RecordIdentity, RecordRead, RecordReadPage, SalaryEntry,
    SanctionEntry, TrainingEntry, mask_nik,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::access::{AccessError, Action, Actor, Capacity};
use crate::clock::SharedClock;
use crate::error::ApiError;
use crate::masterdata::entity::{
    award, competency, disciplinary_sanction, education_history, employee, family_member, org_unit,
    organisation_experience, performance_rating, position, position_history, rank_history,
    salary_history, training_history,
};
use crate::store::page::{Cursor, Page};

mod drh;

pub mod entity {
    pub mod record_read {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "record_reads")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub at: DateTimeUtc,
            pub reader_id: Uuid,
            pub employee_id: Uuid,
            pub capacity: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entity::record_read;

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("typesetting the DRH: {0}")]
    Render(#[from] crate::documents::render::RenderError),
}

impl From<DbErr> for RecordError {
    fn from(e: DbErr) -> Self {
        RecordError::Access(AccessError::Database(e))
    }
}

impl From<RecordError> for ApiError {
    fn from(e: RecordError) -> Self {
        match e {
            RecordError::Access(e) => e.into(),
            RecordError::Render(e) => ApiError::internal(&e),
        }
    }
}

#[derive(Clone)]
pub struct Records {
    db: DatabaseConnection,
    clock: SharedClock,
    /// Where the DRH says it was made ("Surabaya, 2 Desember 2026").
    place: String,
}

impl Records {
    pub fn new(db: DatabaseConnection, clock: SharedClock, place: String) -> Self {
        Self { db, clock, place }
    }

    /// The Daftar Riwayat Hidup of employee `id` as a PDF, for whoever may read the record
    /// (and logged like a read of it).
    pub async fn drh(&self, actor: &Actor, id: Uuid) -> Result<Vec<u8>, RecordError> {
        let record = self.record(actor, id).await?;
        let letter = drh::layout(&record, self.clock.today(), &self.place);
        Ok(crate::documents::render::render(&letter)?)
    }

    /// The whole record of employee `id`, for whoever may read it.
    pub async fn record(&self, actor: &Actor, id: Uuid) -> Result<EmployeeRecord, RecordError> {
        let held = actor.authorize_all(Action::ViewRecord, Some(id)).await?;
        let allowed = |c: &&Capacity| Action::ViewRecord.allowed().contains(c);
        let full_nik = held
            .iter()
            .any(|c| matches!(c, Capacity::Own | Capacity::Administrator));
        if !held.contains(&Capacity::Own) {
            // The most telling capacity the read was made in: administrator over the others.
            let logged = if held.contains(&Capacity::Administrator) {
                Capacity::Administrator
            } else {
                held.iter()
                    .find(allowed)
                    .copied()
                    .unwrap_or(Capacity::Administrator)
            };
            record_read::ActiveModel {
                at: Set(self.clock.now()),
                reader_id: Set(actor.employee_id),
                employee_id: Set(id),
                capacity: Set(code(logged)),
                ..Default::default()
            }
            .insert(&self.db)
            .await?;
        }
        load(&self.db, id, full_nik).await
    }

    /// Who read whose record, newest first (administrators): of one employee, or by one
    /// reader, if given.
    pub async fn reads(
        &self,
        actor: &Actor,
        employee_id: Option<Uuid>,
        reader_id: Option<Uuid>,
        page: Page<i64>,
    ) -> Result<RecordReadPage, RecordError> {
        actor.authorize(Action::ReadRecordLog, None).await?;
        let mut q = record_read::Entity::find().order_by_desc(record_read::Column::Id);
        if let Some(id) = employee_id {
            q = q.filter(record_read::Column::EmployeeId.eq(id));
        }
        if let Some(id) = reader_id {
            q = q.filter(record_read::Column::ReaderId.eq(id));
        }
        if let Some(after) = page.after {
            q = q.filter(record_read::Column::Id.lt(after));
        }
        let mut rows = q.limit(page.limit + 1).all(&self.db).await?;
        let more = rows.len() as u64 > page.limit;
        rows.truncate(page.limit as usize);
        let people: std::collections::HashMap<Uuid, PersonRef> = employee::Entity::find()
            .filter(
                employee::Column::Id.is_in(rows.iter().flat_map(|r| [r.reader_id, r.employee_id])),
            )
            .all(&self.db)
            .await?
            .iter()
            .map(|e| (e.id, e.person()))
            .collect();
        let someone = |id: Uuid| {
            people.get(&id).cloned().unwrap_or(PersonRef {
                id,
                nip: String::new(),
                name: String::new(),
            })
        };
        Ok(RecordReadPage {
            next: if more {
                rows.last().map(|r| r.id.render())
            } else {
                None
            },
            items: rows
                .into_iter()
                .map(|r| RecordRead {
                    id: r.id,
                    at: r.at,
                    reader: someone(r.reader_id),
                    employee: someone(r.employee_id),
                    capacity: r.capacity,
                })
                .collect(),
        })
    }
}

fn code(capacity: Capacity) -> String {
    serde_json::to_value(capacity)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

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
async fn load(
    db: &impl ConnectionTrait,
    id: Uuid,
    full_nik: bool,
) -> Result<EmployeeRecord, RecordError> {
    let e = employee::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AccessError::EmployeeNotFound)?;
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
        position_title: post.map(|p| p.title),
        email: e.email,
        phone: e.phone,
        active: e.active,
    };
    Ok(EmployeeRecord {
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
    })
}
