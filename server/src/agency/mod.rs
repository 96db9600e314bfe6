//! Running an agency: what its administrators do to accounts and placements, the roles they
//! grant by decree and the acting officials they record, and who may read an employee's
//! record. Every write keeps one order of checks (may the caller do it, then a fresh passkey
//! step-up, then the change) and leaves its trail: the history of decrees, the audit log, and
//! for a transfer the end of the person's sessions and push devices, and their open requests
//! sent back to them to send again from the new unit.

pub mod cli;
pub mod decrees;
pub mod entity;
mod organisation;

use abdi_proto::agency::{
    ActingAmendment, ActingEnd, ActingLetter, NewActingLetter, NewRoleGrant, Role, RoleGrant,
    RoleRevocation,
};
use abdi_proto::identity::{AuthEvent, AuthEventList, Profile, TransferRequest};
use abdi_proto::notifications::NotificationKind;
use abdi_proto::{ErrorCode, Text};
use sea_orm::{DatabaseConnection, EntityTrait, TransactionTrait};
use uuid::Uuid;

use crate::access::{Access, AccessError, Action, Actor};
use crate::error::ApiError;
use crate::identity::audit::Origin;
use crate::identity::{Identity, IdentityError};
use crate::masterdata::entity::{employee, org_unit};
use crate::notifications::{NotificationError, Notifications, outbox};
use crate::services::{ServiceError, Services};
use decrees::{By, Decrees};

#[derive(Debug, thiserror::Error)]
pub enum AgencyError {
    /// A grant or letter that cannot be recorded as given (`grant_invalid`).
    #[error("{}", .0.en)]
    Invalid(Text),
    #[error("the decree's number is missing or too long")]
    DecreeInvalid,
    #[error("{}", .0.en)]
    CalendarInvalid(Text),
    #[error("{}", .0.en)]
    ImportUnreadable(Text),
    #[error(transparent)]
    Reference(#[from] crate::reference::ReferenceError),
    #[error("a reason is required")]
    ReasonRequired,
    #[error("the employee already holds this role there")]
    GrantConflict,
    #[error("role grant not found")]
    GrantNotFound,
    #[error("the last administrator cannot be revoked")]
    LastAdministrator,
    #[error("acting letter not found")]
    ActingNotFound,
    #[error("the post already has an acting official on some of those days")]
    ActingOverlap,
    #[error("changed since it was read")]
    VersionConflict,
    #[error("employee not found")]
    EmployeeNotFound,
    #[error("unit or post not found: {0}")]
    UnitNotFound(String),
    #[error("post not found: {0}")]
    PostNotFound(String),
    /// A change to the organisation that does not fit it (`organisation_invalid`).
    #[error("{}", .0.en)]
    OrganisationInvalid(Text),
    /// A unit or post still in use, or a code already taken (`organisation_in_use`).
    #[error("{}", .0.en)]
    OrganisationInUse(Text),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Notifications(#[from] NotificationError),
    #[error(transparent)]
    Services(#[from] ServiceError),
}

impl From<sea_orm::DbErr> for AgencyError {
    fn from(e: sea_orm::DbErr) -> Self {
        AgencyError::Access(AccessError::Database(e))
    }
}

impl From<AgencyError> for ApiError {
    fn from(e: AgencyError) -> Self {
        match e {
            AgencyError::Invalid(t) => ApiError::with_detail(ErrorCode::GrantInvalid, t.id, t.en),
            AgencyError::DecreeInvalid => ApiError::new(ErrorCode::DecreeInvalid),
            AgencyError::CalendarInvalid(t) => {
                ApiError::with_detail(ErrorCode::CalendarInvalid, t.id, t.en)
            }
            AgencyError::ImportUnreadable(t) => {
                ApiError::with_detail(ErrorCode::ImportUnreadable, t.id, t.en)
            }
            AgencyError::Reference(e) => e.into(),
            AgencyError::ReasonRequired => ApiError::new(ErrorCode::ReasonRequired),
            AgencyError::GrantConflict => ApiError::new(ErrorCode::GrantConflict),
            AgencyError::GrantNotFound => ApiError::new(ErrorCode::GrantNotFound),
            AgencyError::LastAdministrator => ApiError::with_detail(
                ErrorCode::GrantConflict,
                "Administrator terakhir tidak dapat dicabut; tetapkan administrator lain lebih \
                 dahulu.",
                "The last administrator cannot be revoked; grant another one first.",
            ),
            AgencyError::ActingNotFound => ApiError::new(ErrorCode::ActingNotFound),
            AgencyError::ActingOverlap => ApiError::new(ErrorCode::ActingOverlap),
            AgencyError::VersionConflict => ApiError::with_detail(
                ErrorCode::VersionConflict,
                "Surat ini telah diubah orang lain; muat ulang lalu coba lagi.",
                "Someone else changed this letter; reload and try again.",
            ),
            AgencyError::EmployeeNotFound => ApiError::new(ErrorCode::EmployeeNotFound),
            AgencyError::UnitNotFound(code) => AccessError::UnitNotFound(code).into(),
            AgencyError::PostNotFound(code) => ApiError::with_detail(
                ErrorCode::PostNotFound,
                format!("Jabatan {code} tidak ditemukan."),
                format!("Post {code} not found."),
            ),
            AgencyError::OrganisationInvalid(t) => {
                ApiError::with_detail(ErrorCode::OrganisationInvalid, t.id, t.en)
            }
            AgencyError::OrganisationInUse(t) => {
                ApiError::with_detail(ErrorCode::OrganisationInUse, t.id, t.en)
            }
            AgencyError::Access(e) => e.into(),
            AgencyError::Identity(e) => e.into(),
            AgencyError::Notifications(e) => e.into(),
            AgencyError::Services(e) => e.into(),
        }
    }
}

/// A decree's number, trimmed: 1 to 200 characters, else `decree_invalid`.
fn decree_number(raw: &str) -> Result<String, AgencyError> {
    let n = raw.trim();
    if n.is_empty() || n.chars().count() > 200 {
        return Err(AgencyError::DecreeInvalid);
    }
    Ok(n.to_owned())
}

/// The most audit events one read returns.
const AUDIT_MAX: u64 = 500;

#[derive(Clone)]
pub struct Agency {
    db: DatabaseConnection,
    identity: Identity,
    notifications: Notifications,
    services: Services,
    decrees: Decrees,
    /// The official email domains an import checks addresses against.
    email_domains: Vec<String>,
}

impl Agency {
    pub fn new(
        db: DatabaseConnection,
        identity: Identity,
        notifications: Notifications,
        services: Services,
        email_domains: Vec<String>,
    ) -> Self {
        let decrees = Decrees::new(db.clone(), identity.clock.clone());
        Self {
            db,
            identity,
            notifications,
            services,
            decrees,
            email_domains,
        }
    }

    /// Imports one file of an export (administrators): a dry run reconciles and reports; a
    /// real run, with a fresh step-up, also writes.
    pub async fn import(
        &self,
        actor: &Actor,
        origin: &Origin,
        export: &crate::import::Export,
        dry_run: bool,
    ) -> Result<crate::import::ImportReport, AgencyError> {
        if dry_run {
            actor.authorize(Action::ImportRecords, None).await?;
        } else {
            actor
                .authorize_sensitive(Action::ImportRecords, None)
                .await?;
        }
        let options = crate::import::ImportOptions {
            dry_run,
            progress: false,
            batch: 1_000,
            email_domains: self.email_domains.clone(),
        };
        let report = crate::import::run(&self.db, export, &options, self.identity.clock.now())
            .await
            .map_err(|e| match e {
                crate::import::ImportError::Database(e) => AgencyError::from(e),
                crate::import::ImportError::Read(what, why) => {
                    AgencyError::ImportUnreadable(Text::new(
                        format!("Berkas {what} tidak dapat dibaca: {why}"),
                        format!("{what} cannot be read: {why}"),
                    ))
                }
            })?;
        if report.applied {
            let detail: Vec<String> = report
                .files
                .iter()
                .map(|f| format!("{}: {} new, {} changed", f.file, f.new, f.changed))
                .collect();
            self.identity
                .audit(origin, "records_imported", None, Some(detail.join("; ")))
                .await;
        }
        Ok(report)
    }

    /// Grants a role by decree (administrators, with a fresh step-up).
    pub async fn grant(
        &self,
        actor: &Actor,
        origin: &Origin,
        g: &NewRoleGrant,
    ) -> Result<RoleGrant, AgencyError> {
        actor.authorize_sensitive(Action::ManageRoles, None).await?;
        let grant = self
            .decrees
            .grant(By::Administrator(actor.employee_id), g)
            .await?;
        let detail = format!(
            "{} by {}; decree {}",
            grant.role.code(),
            actor.employee_id,
            g.decree_number.trim()
        );
        self.identity
            .audit(
                origin,
                "role_granted",
                Some(grant.employee.id),
                Some(detail),
            )
            .await;
        Ok(grant)
    }

    /// Revokes a grant (administrators, with a fresh step-up); it stays in the history.
    pub async fn revoke(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: Uuid,
        r: &RoleRevocation,
    ) -> Result<RoleGrant, AgencyError> {
        actor.authorize_sensitive(Action::ManageRoles, None).await?;
        let grant = self
            .decrees
            .revoke(By::Administrator(actor.employee_id), id, r)
            .await?;
        let detail = format!("{} by {}", grant.role.code(), actor.employee_id);
        self.identity
            .audit(
                origin,
                "role_revoked",
                Some(grant.employee.id),
                Some(detail),
            )
            .await;
        Ok(grant)
    }

    /// Every grant, newest first (administrators).
    pub async fn grants(
        &self,
        actor: &Actor,
        role: Option<Role>,
        employee_id: Option<Uuid>,
    ) -> Result<Vec<RoleGrant>, AgencyError> {
        actor.authorize(Action::ManageRoles, None).await?;
        self.decrees.grants(role, employee_id).await
    }

    /// Records a Plt/Plh letter (administrators, with a fresh step-up).
    pub async fn record_acting(
        &self,
        actor: &Actor,
        l: &NewActingLetter,
    ) -> Result<ActingLetter, AgencyError> {
        actor
            .authorize_sensitive(Action::ManageActing, None)
            .await?;
        self.decrees
            .record_acting(By::Administrator(actor.employee_id), l)
            .await
    }

    /// Amends a Plt/Plh letter (administrators, with a fresh step-up).
    pub async fn amend_acting(
        &self,
        actor: &Actor,
        id: Uuid,
        a: &ActingAmendment,
    ) -> Result<ActingLetter, AgencyError> {
        actor
            .authorize_sensitive(Action::ManageActing, None)
            .await?;
        self.decrees
            .amend_acting(By::Administrator(actor.employee_id), id, a)
            .await
    }

    /// Ends a Plt/Plh letter early (administrators, with a fresh step-up).
    pub async fn end_acting(
        &self,
        actor: &Actor,
        id: Uuid,
        e: &ActingEnd,
    ) -> Result<ActingLetter, AgencyError> {
        actor
            .authorize_sensitive(Action::ManageActing, None)
            .await?;
        self.decrees
            .end_acting(By::Administrator(actor.employee_id), id, e)
            .await
    }

    /// The acting officials of a unit and the units below it (administrators).
    pub async fn acting_in_unit(
        &self,
        actor: &Actor,
        unit_code: &str,
    ) -> Result<Vec<ActingLetter>, AgencyError> {
        actor.authorize(Action::ManageActing, None).await?;
        self.decrees.acting_in_unit(unit_code).await
    }

    /// An employee's record, for themselves, their atasan, the official authorised for their
    /// unit, its fasilitators and administrators.
    pub async fn profile(&self, actor: &Actor, id: Uuid) -> Result<Profile, AgencyError> {
        actor.authorize(Action::ViewEmployee, Some(id)).await?;
        Ok(self
            .identity
            .directory
            .profile(id)
            .await?
            .ok_or(AccessError::EmployeeNotFound)?)
    }

    /// The authentication audit log, newest first (administrators): at most `limit` events
    /// (1 to 500), of one employee if given.
    pub async fn auth_events(
        &self,
        actor: &Actor,
        employee_id: Option<Uuid>,
        limit: u64,
    ) -> Result<AuthEventList, AgencyError> {
        actor.authorize(Action::ReadAuditLog, None).await?;
        let rows = self
            .identity
            .audit_log
            .query(employee_id, limit.clamp(1, AUDIT_MAX))
            .await?;
        Ok(AuthEventList {
            events: rows
                .into_iter()
                .map(|r| AuthEvent {
                    at: r.at,
                    employee_id: r.employee_id.map(|id| id.to_string()),
                    subject: r.subject,
                    event: r.event,
                    outcome: r.outcome,
                    ip: r.ip,
                    user_agent: r.user_agent,
                    detail: r.detail,
                })
                .collect(),
        })
    }

    /// Disables an account: every session and push device ends at once and no login
    /// succeeds.
    pub async fn disable(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: Uuid,
    ) -> Result<(), AgencyError> {
        actor
            .authorize_sensitive(Action::DisableAccount, Some(id))
            .await?;
        let ended = self.identity.disable(id, self.identity.clock.now()).await?;
        self.notifications.devices.forget_employee(id).await?;
        let by = actor.employee_id;
        let detail = format!("by {by}; {ended} sessions ended");
        self.identity
            .audit(origin, "account_disabled", Some(id), Some(detail))
            .await;
        Ok(())
    }

    /// Moves an employee to another unit (and post): their sessions and devices end, since
    /// what they may see and decide changes with the unit. A post someone holds is taken only
    /// with `replaces_holder`; the holder then leaves it, and their sessions end too. A
    /// fasilitator who moves to another unit loses the role (Pergub Jatim 73/2020 Pasal
    /// 10(6)), and the administrators are told, so that they appoint a successor.
    pub async fn transfer(
        &self,
        actor: &Actor,
        origin: &Origin,
        id: Uuid,
        req: &TransferRequest,
    ) -> Result<(), AgencyError> {
        actor
            .authorize_sensitive(Action::TransferEmployee, Some(id))
            .await?;
        let decree = decree_number(&req.decree_number)?;
        let decree = decree.as_str();
        let identity = &self.identity;
        let before = employee::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(AgencyError::EmployeeNotFound)?;
        let destination = identity
            .directory
            .destination(&req.unit_code, req.position_code.as_deref())
            .await?
            .map_err(AccessError::UnitNotFound)?;
        let (ended, replaced) = identity
            .transfer(
                id,
                destination,
                req.replaces_holder,
                (decree, req.tmt),
                identity.clock.now(),
            )
            .await?;
        let devices = &self.notifications.devices;
        devices.forget_employee(id).await?;
        let by = actor.employee_id;
        if destination.0 != before.unit_id {
            self.fasilitator_moved(actor, &before, destination.0)
                .await?;
            let note = format!(
                "Dikembalikan karena mutasi (SK {decree}); ajukan kembali dari unit yang baru. \
                 / Returned because of a transfer (decree {decree}); send it again from the new \
                 unit."
            );
            self.services.return_on_transfer(id, &note).await?;
        }
        for holder in &replaced {
            devices.forget_employee(*holder).await?;
            let detail = format!("post taken by {id}; by {by}");
            identity
                .audit(origin, "employee_replaced", Some(*holder), Some(detail))
                .await;
        }
        let detail = format!("to {}; by {by}; {ended} sessions ended", req.unit_code);
        identity
            .audit(origin, "employee_transferred", Some(id), Some(detail))
            .await;
        Ok(())
    }
}

impl Agency {
    /// Ends the moved employee's fasilitator grants and tells the administrators, in one
    /// transaction.
    async fn fasilitator_moved(
        &self,
        actor: &Actor,
        who: &employee::Model,
        to_unit: Uuid,
    ) -> Result<(), AgencyError> {
        let clock = &self.identity.clock;
        let txn = self.db.begin().await?;
        let ended = self
            .decrees
            .end_on_transfer(&txn, By::Administrator(actor.employee_id), who.id)
            .await?;
        if ended.is_empty() {
            return Ok(());
        }
        let unit_name = |id: Option<Uuid>| {
            let txn = &txn;
            async move {
                Ok::<_, AgencyError>(match id {
                    Some(id) => org_unit::Entity::find_by_id(id)
                        .one(txn)
                        .await?
                        .map_or_else(String::new, |u| u.name),
                    None => String::new(),
                })
            }
        };
        let to = unit_name(Some(to_unit)).await?;
        for grant in &ended {
            let of = unit_name(grant.unit_id).await?;
            let (title, body) =
                crate::notifications::messages::fasilitator_moved(&who.name, &of, &to);
            for admin in Access::administrators(&txn, clock.today()).await? {
                outbox::emit(
                    &txn,
                    clock.now(),
                    outbox::NewEvent {
                        employee_id: admin,
                        kind: NotificationKind::RoleEnded,
                        title: title.clone(),
                        body: body.clone(),
                        request_id: None,
                        status: None,
                        outcome: None,
                        quiet: false,
                    },
                )
                .await?;
            }
        }
        txn.commit().await?;
        self.notifications.waker.wake();
        Ok(())
    }
}

impl Agency {
    /// Adds or replaces a year's holiday calendar (administrators, with a fresh step-up),
    /// kept as a revision. The fasilitators of every open leave request whose period holds a
    /// changed day are told, in the same transaction; decided requests keep their days.
    pub async fn change_calendar(
        &self,
        actor: &Actor,
        year: i32,
        change: &abdi_proto::calendar::CalendarChange,
    ) -> Result<abdi_proto::calendar::CalendarRevision, AgencyError> {
        use crate::reference::{ReferenceService, YearChange};
        actor
            .authorize_sensitive(Action::ManageCalendar, None)
            .await?;
        let note = change.note.trim();
        if note.is_empty() {
            return Err(AgencyError::ReasonRequired);
        }
        let calendar =
            abdi_proto::HolidayCalendar::new(year, change.days.clone()).map_err(|e| {
                AgencyError::CalendarInvalid(Text::new(
                    format!("Kalender {year} tidak sesuai: {e}"),
                    format!("The {year} calendar is not consistent: {e}"),
                ))
            })?;
        let clock = &self.identity.clock;
        let txn = self.db.begin().await?;
        let diff = ReferenceService::diff(&txn, &calendar)
            .await
            .map_err(AgencyError::from)?;
        let changed: Vec<chrono::NaiveDate> = diff.days().collect();
        let affected = crate::leave::open_requests_on(&txn, &changed).await?;
        let (title, _) = crate::notifications::messages::calendar_changed(year, "");
        for id in &affected {
            let Some(req) = crate::services::entity::service_request::Entity::find_by_id(*id)
                .one(&txn)
                .await?
            else {
                continue;
            };
            let requester = employee::Entity::find_by_id(req.employee_id)
                .one(&txn)
                .await?
                .map_or_else(String::new, |e| e.name);
            let (_, body) = crate::notifications::messages::calendar_changed(year, &requester);
            for fasilitator in Access::fasilitators(&txn, req.unit_id, clock.today()).await? {
                outbox::emit(
                    &txn,
                    clock.now(),
                    outbox::NewEvent {
                        employee_id: fasilitator,
                        kind: NotificationKind::CalendarChanged,
                        title: title.clone(),
                        body: body.clone(),
                        request_id: Some(*id),
                        status: Some(req.status),
                        outcome: None,
                        quiet: false,
                    },
                )
                .await?;
            }
        }
        let revision = ReferenceService::replace_year(
            &txn,
            &calendar,
            &diff,
            YearChange {
                by: Some(actor.employee_id),
                at: clock.now(),
                note,
                affected: affected.len() as u32,
            },
        )
        .await
        .map_err(AgencyError::from)?;
        txn.commit().await?;
        self.notifications.waker.wake();
        let by = employee::Entity::find_by_id(actor.employee_id)
            .one(&self.db)
            .await?
            .map(|e| e.nip);
        Ok(abdi_proto::calendar::CalendarRevision {
            year,
            revision: revision as u32,
            added: diff.added,
            removed: diff.removed,
            changed_by: by,
            changed_at: clock.now(),
            note: note.to_owned(),
            affected_requests: affected.len() as u32,
        })
    }

    /// Every change of a year's calendar, newest first (administrators).
    pub async fn calendar_revisions(
        &self,
        actor: &Actor,
        reference: &crate::reference::ReferenceService,
        year: i32,
    ) -> Result<Vec<abdi_proto::calendar::CalendarRevision>, AgencyError> {
        actor.authorize(Action::ManageCalendar, None).await?;
        let rows = reference.revisions(year).await.map_err(AgencyError::from)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let days = |json: &str| -> Vec<abdi_proto::Holiday> {
                serde_json::from_str(json).unwrap_or_default()
            };
            let (added, removed) =
                abdi_proto::calendar::changed_days(&days(&r.previous), &days(&r.days));
            let by = match r.changed_by {
                Some(id) => employee::Entity::find_by_id(id)
                    .one(&self.db)
                    .await?
                    .map(|e| e.nip),
                None => None,
            };
            out.push(abdi_proto::calendar::CalendarRevision {
                year,
                revision: r.revision as u32,
                added,
                removed,
                changed_by: by,
                changed_at: r.changed_at,
                note: r.note,
                affected_requests: r.affected as u32,
            });
        }
        Ok(out)
    }
}
