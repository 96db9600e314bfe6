//! The places employees check in at: a unit's office fences (for the unit and every unit
//! below it) and places assigned to one employee (field work, another office). Administrators
//! set them, stepped up.

use abdi_proto::Nip;
use abdi_proto::attendance::{Fence, NewPlace, Place};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::entity::place;
use super::{Attendance, AttendanceError};
use crate::access::{Access, AccessError, Action, Actor};
use crate::masterdata::entity::{employee, org_unit};

impl Attendance {
    /// Adds a place for a unit or an employee.
    pub async fn add_place(&self, actor: &Actor, new: NewPlace) -> Result<Place, AttendanceError> {
        actor
            .authorize_sensitive(Action::ManageAttendancePlaces, None)
            .await?;
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.contains('\0') {
            return Err(AttendanceError::place(
                "Isi nama lokasi (1 sampai 200 karakter).",
                "Fill in the place's name (1 to 200 characters).",
            ));
        }
        if let Some(problem) = new.fence.problem() {
            return Err(AttendanceError::place(
                format!("Batas lokasi tidak dapat dipakai: {problem}."),
                format!("The fence cannot be used: {problem}."),
            ));
        }
        let accuracy_m = new.accuracy_m.unwrap_or(50.0);
        if !(5.0..=500.0).contains(&accuracy_m) {
            return Err(AttendanceError::place(
                "Toleransi akurasi 5 sampai 500 m.",
                "The accuracy tolerance is 5 to 500 m.",
            ));
        }
        let (unit_id, employee_id) = match (new.unit_code.as_deref(), new.nip.as_deref()) {
            (Some(code), None) => {
                let unit = org_unit::Entity::find()
                    .filter(org_unit::Column::Code.eq(code.trim()))
                    .one(&self.db)
                    .await?
                    .ok_or_else(|| AccessError::UnitNotFound(code.chars().take(64).collect()))?;
                (Some(unit.id), None)
            }
            (None, Some(nip)) => {
                let nip = Nip::parse(nip.trim())
                    .or_else(|_| Nip::parse_pppk(nip.trim()))
                    .map_err(|_| {
                        AttendanceError::place("NIP tidak sah.", "The NIP is not valid.")
                    })?;
                let who = employee::Entity::find()
                    .filter(employee::Column::Nip.eq(nip.as_str()))
                    .one(&self.db)
                    .await?
                    .ok_or(AccessError::EmployeeNotFound)?;
                (None, Some(who.id))
            }
            _ => {
                return Err(AttendanceError::place(
                    "Sebutkan unit (unit_code) atau satu pegawai (nip), bukan keduanya.",
                    "Name a unit (unit_code) or one employee (nip), not both.",
                ));
            }
        };
        let model = place::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(name.to_owned()),
            fence: Set(serde_json::to_string(&new.fence).unwrap_or_default()),
            accuracy_m: Set(accuracy_m),
            unit_id: Set(unit_id),
            employee_id: Set(employee_id),
            active: Set(true),
            created_by: Set(actor.employee_id),
            created_at: Set(self.clock.now()),
        }
        .insert(&self.db)
        .await?;
        view(&model).ok_or_else(|| {
            AttendanceError::place("Batas lokasi tidak terbaca.", "The fence is unreadable.")
        })
    }

    /// Every place an administrator set, newest first.
    pub async fn all_places(&self, actor: &Actor) -> Result<Vec<Place>, AttendanceError> {
        actor
            .authorize(Action::ManageAttendancePlaces, None)
            .await?;
        use sea_orm::QueryOrder;
        Ok(place::Entity::find()
            .filter(place::Column::Active.eq(true))
            .order_by_desc(place::Column::CreatedAt)
            .all(&self.db)
            .await?
            .iter()
            .filter_map(view)
            .collect())
    }

    /// The places `ids` name, active or not (the place a kept check-in counted for).
    pub(super) async fn places_named(&self, ids: Vec<Uuid>) -> Result<Vec<Place>, AttendanceError> {
        Ok(place::Entity::find()
            .filter(place::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .iter()
            .filter_map(view)
            .collect())
    }

    /// Where `employee_id` may check in: the offices of their unit and every unit above it,
    /// and the places assigned to them.
    pub async fn places_of(&self, employee_id: Uuid) -> Result<Vec<Place>, AttendanceError> {
        Ok(self.places_and_chain(employee_id).await?.0)
    }

    /// [`Attendance::places_of`], and the employee's unit chain (nearest first) it read.
    pub(super) async fn places_and_chain(
        &self,
        employee_id: Uuid,
    ) -> Result<(Vec<Place>, Vec<Uuid>), AttendanceError> {
        let who = employee::Entity::find_by_id(employee_id)
            .one(&self.db)
            .await?
            .ok_or(AccessError::EmployeeNotFound)?;
        let chain: Vec<Uuid> = Access::unit_chain(&self.db, who.unit_id)
            .await?
            .iter()
            .map(|u| u.id)
            .collect();
        let places = place::Entity::find()
            .filter(place::Column::Active.eq(true))
            .filter(
                Condition::any()
                    .add(place::Column::UnitId.is_in(chain.clone()))
                    .add(place::Column::EmployeeId.eq(employee_id)),
            )
            .all(&self.db)
            .await?
            .iter()
            .filter_map(view)
            .collect();
        Ok((places, chain))
    }
}

/// A stored place as the API shows it; one whose fence an operator broke is left out.
pub(super) fn view(m: &place::Model) -> Option<Place> {
    let fence: Fence = serde_json::from_str(&m.fence).ok()?;
    Some(Place {
        id: m.id,
        name: m.name.clone(),
        fence,
        accuracy_m: m.accuracy_m,
    })
}
