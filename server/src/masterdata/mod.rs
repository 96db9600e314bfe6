//! Master data: the organisation (units, positions) and employees with their histories.

pub mod entity;
mod routes;

pub use routes::routes;

use abdi_proto::RankCode;
use abdi_proto::identity::Profile;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter,
};
use uuid::Uuid;

use entity::{employee, org_unit, position};

#[derive(Debug, Clone)]
pub struct EmployeeDirectory {
    db: DatabaseConnection,
}

impl EmployeeDirectory {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub async fn by_nip(&self, nip: &str) -> Result<Option<employee::Model>, DbErr> {
        employee::Entity::find()
            .filter(employee::Column::Nip.eq(nip))
            .one(&self.db)
            .await
    }

    pub async fn by_id(&self, id: Uuid) -> Result<Option<employee::Model>, DbErr> {
        employee::Entity::find_by_id(id).one(&self.db).await
    }

    /// Records the phone number the employee gave (only the employee does this: managers may
    /// not change it, Pergub 73/2020 Pasal 30(2)(j)).
    pub async fn set_own_phone(
        &self,
        id: Uuid,
        phone: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), DbErr> {
        employee::ActiveModel {
            id: Set(id),
            phone: Set(Some(phone.to_owned())),
            updated_at: Set(at),
            ..Default::default()
        }
        .update(&self.db)
        .await
        .map(|_| ())
    }

    /// Disables an account (the caller ends its sessions).
    pub async fn disable(&self, id: Uuid, at: chrono::DateTime<chrono::Utc>) -> Result<(), DbErr> {
        employee::ActiveModel {
            id: Set(id),
            active: Set(false),
            updated_at: Set(at),
            ..Default::default()
        }
        .update(&self.db)
        .await
        .map(|_| ())
    }

    /// The employee's own record as `/api/v1/me` shows it.
    pub async fn profile(&self, id: Uuid) -> Result<Option<Profile>, DbErr> {
        let Some(e) = self.by_id(id).await? else {
            return Ok(None);
        };
        let unit = org_unit::Entity::find_by_id(e.unit_id)
            .one(&self.db)
            .await?;
        let post = match e.position_id {
            Some(p) => position::Entity::find_by_id(p).one(&self.db).await?,
            None => None,
        };
        let rank = e.rank_code.as_deref().and_then(|r| RankCode::parse(r).ok());
        Ok(Some(Profile {
            nip: e.nip.clone(),
            full_name: e.full_name(),
            name: e.name,
            gender: e.gender,
            birth_place: e.birth_place,
            birth_date: e.birth_date,
            employment_type: e.employment_type,
            rank: rank.map(|r| r.to_string()),
            pangkat: rank.map(|r| r.pangkat().to_owned()),
            position: post.map(|p| p.title),
            unit: unit.map(|u| u.name).unwrap_or_default(),
            email: e.email,
            phone: e.phone,
        }))
    }
}
