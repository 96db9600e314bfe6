//! The employee record as one document (Pergub Jatim 73/2020 Pasal 16): identity and every
//! history with its decrees. The employee reads their own; their atasan langsung, the
//! fasilitator of their unit and administrators read it in that capacity. The NIK (theirs and
//! their family's) is shown in full only to the employee and administrators. Every read of
//! another person's record is logged first: a read that cannot be logged is not served.

use abdi_proto::people::PersonRef;
use abdi_proto::record::{EmployeeRecord, RecordRead, RecordReadPage};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::access::{AccessError, Action, Actor, Capacity};
use crate::clock::SharedClock;
use crate::error::ApiError;
use crate::masterdata::entity::employee;
use crate::store::page::{Cursor, Page};

pub(crate) mod drh;

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
        crate::masterdata::record::load(&self.db, id, full_nik)
            .await?
            .ok_or_else(|| AccessError::EmployeeNotFound.into())
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
