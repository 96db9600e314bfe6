//! Access control in one place. Who the caller is to the employee a request is about (self,
//! atasan langsung, the official authorised for the unit, fasilitator of the unit,
//! administrator) is worked out here from the organisation and the assignments, and one policy
//! table says which of those may do each action. Handlers ask [`Access::check`]; they never
//! decide themselves.
//!
//! Acting officials (Plt/Plh) hold a post's authority only inside their assignment's window.
//! Nothing here lets anyone but the employee change the employee's email, phone or
//! credentials (Pergub Jatim 73/2020 Pasal 30(2)(j)): no action for it exists.

use abdi_proto::ErrorCode;
use abdi_proto::agency::{ActingKind, Role};
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

mod actor;
pub use actor::Actor;

use crate::error::ApiError;
use crate::masterdata::entity::{employee, org_unit, position};

pub mod entity {
    pub mod role_assignment {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "role_assignments")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub employee_id: Uuid,
            pub role: abdi_proto::agency::Role,
            pub unit_id: Option<Uuid>,
            pub created_at: DateTimeUtc,
            pub decree_number: Option<String>,
            pub decree_date: Option<Date>,
            pub starts_on: Option<Date>,
            pub ends_on: Option<Date>,
            /// None: granted from the operator's console.
            pub granted_by: Option<Uuid>,
            pub revoked_at: Option<DateTimeUtc>,
            pub revoked_by: Option<Uuid>,
            pub revoke_reason: Option<String>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod acting_assignment {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "acting_assignments")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub employee_id: Uuid,
            pub position_id: Uuid,
            pub kind: abdi_proto::agency::ActingKind,
            pub number: String,
            pub starts_on: Date,
            pub ends_on: Date,
            pub created_at: DateTimeUtc,
            pub letter_date: Option<Date>,
            pub granted_by: Option<Uuid>,
            /// Ended before its window closed (`ends_on` is then the last day held).
            pub ended_at: Option<DateTimeUtc>,
            pub end_reason: Option<String>,
            pub version: i32,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entity::{acting_assignment, role_assignment};

/// A role grant in force on `today`: not revoked, and its window (open at either end) holds it.
pub fn in_force(today: NaiveDate) -> sea_orm::Condition {
    use role_assignment::Column as C;
    use sea_orm::Condition;
    Condition::all()
        .add(C::RevokedAt.is_null())
        .add(
            Condition::any()
                .add(C::StartsOn.is_null())
                .add(C::StartsOn.lte(today)),
        )
        .add(
            Condition::any()
                .add(C::EndsOn.is_null())
                .add(C::EndsOn.gte(today)),
        )
}

/// What the caller is to the employee an action concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Capacity {
    /// The employee themself (user personal).
    Own,
    /// Holds (or acts in) the post the employee's post reports to.
    AtasanLangsung,
    /// Holds (or acts in) the head post of the employee's perangkat daerah (PYBMC).
    Pybmc,
    /// Fasilitator of the employee's unit or a unit above it.
    Fasilitator,
    Administrator,
}

/// Something a caller may ask to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See an employee's record.
    ViewEmployee,
    /// Disable an account (its sessions end at once).
    DisableAccount,
    /// Read the authentication audit log.
    ReadAuditLog,
    /// Change the service catalogue (by decree).
    ManageCatalogue,
    /// Move an employee to another unit (its sessions end at once).
    TransferEmployee,
    /// Grant and revoke fasilitator and administrator roles by decree.
    ManageRoles,
    /// Record, amend and end Plt/Plh letters.
    ManageActing,
    /// Read an employee's whole record (identity and every history).
    ViewRecord,
    /// Read the log of who read whose record.
    ReadRecordLog,
    /// Import an export of units, posts and employees.
    ImportRecords,
    /// Add or change a year's holiday calendar.
    ManageCalendar,
    /// Add, rename, move and close units and posts (by decree), and read their history.
    ManageOrganisation,
    /// Verify, return or reject an employee's proposal to change their record.
    VerifyRecordUpdate,
    /// Assemble and verify an employee's promotion proposal.
    ProposePromotion,
    /// Send a period's promotion proposals to BKN.
    SendPromotions,
    /// Read the log of the exchange with BKN.
    ReadBknExchanges,
    /// Register, rotate, suspend and revoke the client systems data is shared with.
    ManageDataClients,
    /// Read and export the log of calls to the data API.
    ReadDataAccessLog,
    /// Set the places employees check in at.
    ManageAttendancePlaces,
    /// Accept or reject a flagged check-in.
    ReviewCheckIn,
}

impl Action {
    /// The policy: which capacities may do the action. The only such table.
    pub fn allowed(self) -> &'static [Capacity] {
        use Capacity::*;
        match self {
            Action::ViewEmployee => &[Own, AtasanLangsung, Pybmc, Fasilitator, Administrator],
            Action::DisableAccount => &[Administrator],
            Action::ReadAuditLog => &[Administrator],
            Action::ManageCatalogue => &[Administrator],
            Action::TransferEmployee => &[Administrator],
            Action::ManageRoles => &[Administrator],
            Action::ManageActing => &[Administrator],
            Action::ViewRecord => &[Own, AtasanLangsung, Fasilitator, Administrator],
            Action::ReadRecordLog => &[Administrator],
            Action::ImportRecords => &[Administrator],
            Action::ManageCalendar => &[Administrator],
            Action::ManageOrganisation => &[Administrator],
            Action::VerifyRecordUpdate => &[Fasilitator, Administrator],
            Action::ProposePromotion => &[Fasilitator, Administrator],
            Action::SendPromotions => &[Administrator],
            Action::ReadBknExchanges => &[Administrator],
            Action::ManageDataClients => &[Administrator],
            Action::ReadDataAccessLog => &[Administrator],
            Action::ManageAttendancePlaces => &[Administrator],
            Action::ReviewCheckIn => &[AtasanLangsung],
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("not allowed")]
    Forbidden,
    /// The action needs a fresh passkey assertion in this session.
    #[error("step-up required")]
    StepUpRequired,
    #[error("employee not found")]
    EmployeeNotFound,
    #[error("unit or post not found: {0}")]
    UnitNotFound(String),
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

/// An acting official's hold on a post today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActingHold {
    pub assignment_id: Uuid,
    pub kind: ActingKind,
    pub number: String,
}

/// The caller's posts and roles on a given day.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Principal {
    pub employee_id: Uuid,
    /// Own post plus posts held as Plt/Plh today.
    pub posts: HashSet<Uuid>,
    /// The caller's own (definitive) post.
    pub own_post: Option<Uuid>,
    /// Posts held as Plt/Plh today, with the assignment letter.
    pub acting: HashMap<Uuid, ActingHold>,
    /// Units the caller is fasilitator of (each with everything below it, which
    /// [`Access::units_below`] lists).
    pub fasilitator_units: HashSet<Uuid>,
    pub administrator: bool,
}

#[derive(Debug, Clone)]
pub struct Access {
    db: DatabaseConnection,
}

impl Access {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub async fn principal(&self, employee_id: Uuid, today: NaiveDate) -> Result<Principal, DbErr> {
        // Three independent reads, asked at once: a page waits for one round trip, not three.
        let (me, acting, roles) = tokio::try_join!(
            employee::Entity::find_by_id(employee_id).one(&self.db),
            acting_assignment::Entity::find()
                .filter(acting_assignment::Column::EmployeeId.eq(employee_id))
                .filter(acting_assignment::Column::StartsOn.lte(today))
                .filter(acting_assignment::Column::EndsOn.gte(today))
                .all(&self.db),
            role_assignment::Entity::find()
                .filter(role_assignment::Column::EmployeeId.eq(employee_id))
                .filter(in_force(today))
                .all(&self.db),
        )?;
        let own_post = me.and_then(|e| e.position_id);
        let mut posts: HashSet<Uuid> = own_post.into_iter().collect();
        posts.extend(acting.iter().map(|a| a.position_id));
        Ok(Principal {
            employee_id,
            posts,
            own_post,
            acting: acting
                .iter()
                .map(|a| {
                    (
                        a.position_id,
                        ActingHold {
                            assignment_id: a.id,
                            kind: a.kind,
                            number: a.number.clone(),
                        },
                    )
                })
                .collect(),
            fasilitator_units: roles
                .iter()
                .filter(|r| r.role == Role::Fasilitator)
                .filter_map(|r| r.unit_id)
                .collect(),
            administrator: roles.iter().any(|r| r.role == Role::Administrator),
        })
    }

    /// Every capacity the caller holds towards `target` (an employee id), or none.
    pub async fn capacities(
        &self,
        who: &Principal,
        target: Uuid,
    ) -> Result<Vec<Capacity>, AccessError> {
        let target = employee::Entity::find_by_id(target)
            .one(&self.db)
            .await?
            .ok_or(AccessError::EmployeeNotFound)?;
        let mut out = Vec::new();
        if who.employee_id == target.id {
            out.push(Capacity::Own);
        }
        if let Some(post_id) = target.position_id
            && let Some(post) = position::Entity::find_by_id(post_id).one(&self.db).await?
            && post.reports_to_id.is_some_and(|up| who.posts.contains(&up))
            && who.employee_id != target.id
        {
            out.push(Capacity::AtasanLangsung);
        }
        let chain = Self::unit_chain(&self.db, target.unit_id).await?;
        if let Some(post) = Self::pybmc_post(&self.db, &chain, target.position_id).await?
            && who.posts.contains(&post)
            && who.employee_id != target.id
        {
            out.push(Capacity::Pybmc);
        }
        if chain.iter().any(|u| who.fasilitator_units.contains(&u.id)) {
            out.push(Capacity::Fasilitator);
        }
        if who.administrator {
            out.push(Capacity::Administrator);
        }
        Ok(out)
    }

    /// Allows `action` on `target` if any capacity the caller holds towards it permits it; says
    /// in which capacity (recorded with decisions later).
    pub async fn check(
        &self,
        who: &Principal,
        action: Action,
        target: Option<Uuid>,
    ) -> Result<Capacity, AccessError> {
        let held = self.check_all(who, action, target).await?;
        held.into_iter()
            .find(|c| action.allowed().contains(c))
            .ok_or(AccessError::Forbidden)
    }

    /// [`Access::check`], answering every capacity the caller holds towards `target` (for what
    /// one capacity shows and another does not), once one of them permits `action`.
    pub async fn check_all(
        &self,
        who: &Principal,
        action: Action,
        target: Option<Uuid>,
    ) -> Result<Vec<Capacity>, AccessError> {
        let held = match target {
            // Whether someone exists is told only to those who could see them if they did:
            // to anyone else an unknown id is as forbidden as a known one.
            Some(t) => match self.capacities(who, t).await {
                Err(AccessError::EmployeeNotFound)
                    if !(who.administrator
                        && action.allowed().contains(&Capacity::Administrator)) =>
                {
                    return Err(AccessError::Forbidden);
                }
                held => held?,
            },
            None if who.administrator => vec![Capacity::Administrator],
            None => Vec::new(),
        };
        if held.iter().any(|c| action.allowed().contains(c)) {
            Ok(held)
        } else {
            Err(AccessError::Forbidden)
        }
    }

    /// Who may act on a post on `today`: its holder and, where acting officials may act, each
    /// Plt/Plh whose assignment window holds `today`.
    pub async fn holders(
        db: &impl ConnectionTrait,
        post: Uuid,
        acting_allowed: bool,
        today: NaiveDate,
    ) -> Result<Vec<Uuid>, DbErr> {
        let mut out: Vec<Uuid> = employee::Entity::find()
            .filter(employee::Column::PositionId.eq(post))
            .all(db)
            .await?
            .into_iter()
            .map(|e| e.id)
            .collect();
        if acting_allowed {
            out.extend(
                acting_assignment::Entity::find()
                    .filter(acting_assignment::Column::PositionId.eq(post))
                    .filter(acting_assignment::Column::StartsOn.lte(today))
                    .filter(acting_assignment::Column::EndsOn.gte(today))
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|a| a.employee_id),
            );
        }
        Ok(out)
    }

    /// The fasilitators of `unit_id` or of a unit above it.
    pub async fn fasilitators(
        db: &impl ConnectionTrait,
        unit_id: Uuid,
        today: NaiveDate,
    ) -> Result<Vec<Uuid>, DbErr> {
        let units: Vec<Uuid> = Self::unit_chain(db, unit_id)
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect();
        Ok(role_assignment::Entity::find()
            .filter(role_assignment::Column::Role.eq(Role::Fasilitator))
            .filter(role_assignment::Column::UnitId.is_in(units))
            .filter(in_force(today))
            .all(db)
            .await?
            .into_iter()
            .map(|r| r.employee_id)
            .collect())
    }

    /// Every administrator.
    pub async fn administrators(
        db: &impl ConnectionTrait,
        today: NaiveDate,
    ) -> Result<Vec<Uuid>, DbErr> {
        Ok(role_assignment::Entity::find()
            .filter(role_assignment::Column::Role.eq(Role::Administrator))
            .filter(in_force(today))
            .all(db)
            .await?
            .into_iter()
            .map(|r| r.employee_id)
            .collect())
    }

    /// The PYBMC's post for someone in `chain` (their unit and those above it) holding
    /// `post`: the head of their perangkat daerah or, for that head themself, the head one
    /// level up (the Sekretaris Daerah). Nobody is PYBMC over themself.
    pub async fn pybmc_post(
        db: &impl ConnectionTrait,
        chain: &[org_unit::Model],
        post: Option<Uuid>,
    ) -> Result<Option<Uuid>, DbErr> {
        for unit in chain
            .iter()
            .filter(|u| u.level == "perangkat_daerah" || u.level == "instansi")
        {
            match Self::head_of(db, unit.id).await? {
                Some(h) if Some(h.id) != post => return Ok(Some(h.id)),
                _ => continue,
            }
        }
        Ok(None)
    }

    /// The head post of the instansi at the top of `chain` (where the PPK's authority sits in
    /// the organisation), unless that is `post` itself.
    pub async fn ppk_post(
        db: &impl ConnectionTrait,
        chain: &[org_unit::Model],
        post: Option<Uuid>,
    ) -> Result<Option<Uuid>, DbErr> {
        let Some(top) = chain.iter().rev().find(|u| u.level == "instansi") else {
            return Ok(None);
        };
        Ok(Self::head_of(db, top.id)
            .await?
            .map(|h| h.id)
            .filter(|h| Some(*h) != post))
    }

    /// A unit's head post: its struktural post that reports to no post inside the unit.
    async fn head_of(
        db: &impl ConnectionTrait,
        unit_id: Uuid,
    ) -> Result<Option<position::Model>, DbErr> {
        let posts = position::Entity::find()
            .filter(position::Column::UnitId.eq(unit_id))
            .filter(position::Column::Kind.eq("struktural"))
            .all(db)
            .await?;
        let inside: HashSet<Uuid> = posts.iter().map(|p| p.id).collect();
        Ok(posts
            .into_iter()
            .find(|p| p.reports_to_id.is_none_or(|up| !inside.contains(&up))))
    }

    /// A unit and every unit below it.
    /// Every unit a fasilitator covers: the units of their roles and everything below them.
    pub async fn covered(
        db: &impl ConnectionTrait,
        who: &Principal,
    ) -> Result<HashSet<Uuid>, DbErr> {
        let mut units = HashSet::new();
        for u in &who.fasilitator_units {
            units.extend(Self::units_below(db, *u).await?);
        }
        Ok(units)
    }

    pub async fn units_below(db: &impl ConnectionTrait, unit_id: Uuid) -> Result<Vec<Uuid>, DbErr> {
        let mut out = vec![unit_id];
        let mut frontier = vec![unit_id];
        // An organisation is a few levels deep; the bound only stops a cycle in bad data.
        for _ in 0..16 {
            if frontier.is_empty() {
                break;
            }
            frontier = org_unit::Entity::find()
                .filter(org_unit::Column::ParentId.is_in(frontier))
                .all(db)
                .await?
                .into_iter()
                .map(|u| u.id)
                .filter(|id| !out.contains(id))
                .collect();
            out.extend(&frontier);
        }
        Ok(out)
    }

    /// The unit and every unit above it, nearest first (at most 17: a loop in the tree ends
    /// there). One recursive query, not one per level: submissions, access checks and
    /// notices walk it on every call.
    pub async fn unit_chain(
        db: &impl ConnectionTrait,
        unit_id: Uuid,
    ) -> Result<Vec<org_unit::Model>, DbErr> {
        use sea_orm::{DbBackend, Statement};
        let backend = db.get_database_backend();
        // Each step is one lookup by primary key, the row carried along. PostgreSQL would
        // otherwise hash the whole organisation at every level (a small table looks cheaper to
        // scan than to probe: a third of a millisecond per walk, twice per submission); the
        // LATERAL with OFFSET 0 keeps it an index probe. SQLite probes anyway, and has no
        // LATERAL.
        let (param, step) = if backend == DbBackend::Postgres {
            (
                "$1",
                "CROSS JOIN LATERAL \
                 (SELECT * FROM org_units o WHERE o.id = c.parent_id OFFSET 0) p",
            )
        } else {
            ("?", "JOIN org_units p ON p.id = c.parent_id")
        };
        let sql = format!(
            "WITH RECURSIVE chain AS ( \
               SELECT u.*, 0 AS depth FROM org_units u WHERE u.id = {param} \
               UNION ALL \
               SELECT p.*, c.depth + 1 FROM chain c {step} WHERE c.depth < 16 \
             ) SELECT * FROM chain ORDER BY depth"
        );
        org_unit::Entity::find()
            .from_raw_sql(Statement::from_sql_and_values(
                backend,
                sql,
                [unit_id.into()],
            ))
            .all(db)
            .await
    }
}

impl From<AccessError> for ApiError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Forbidden => ApiError::new(ErrorCode::Forbidden),
            AccessError::StepUpRequired => ApiError::new(ErrorCode::StepUpRequired),
            AccessError::EmployeeNotFound => ApiError::new(ErrorCode::EmployeeNotFound),
            AccessError::UnitNotFound(code) => ApiError::with_detail(
                ErrorCode::UnitNotFound,
                format!("Kode '{code}' tidak dikenal."),
                format!("Unknown code '{code}'."),
            ),
            AccessError::Database(e) => crate::store::db::problem(&e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_administrators_disable_accounts_or_read_the_audit_log() {
        for action in [Action::DisableAccount, Action::ReadAuditLog] {
            assert_eq!(action.allowed(), &[Capacity::Administrator]);
        }
        assert!(
            Action::ViewEmployee
                .allowed()
                .contains(&Capacity::AtasanLangsung)
        );
    }
}
