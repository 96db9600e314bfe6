//! The organisation as administrators keep it: units and posts added, renamed, moved and
//! closed by decree (Pergub Jatim 73/2020 Pasal 16). Every change is a row of
//! `organisation_changes`, written in the same transaction as the change. A change that would
//! take an open request's chain away, or leave people, posts or grants in a closed unit, is
//! refused with what is still there, so the administrator knows what to move first.

use std::collections::HashMap;

use abdi_proto::Text;
use abdi_proto::master::{PositionKind, UnitLevel, Vocabulary};
use abdi_proto::organisation::{
    Closure, NewPost, NewUnit, OrganisationAction, OrganisationChange, OrganisationDecree,
    OrganisationSubject, PostAmendment, PostView, UnitAmendment, UnitDetail, UnitView,
};
use abdi_proto::services::{RequestStatus, StepStatus};
use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use super::entity::organisation_change;
use super::{Agency, AgencyError};
use crate::access::entity::{acting_assignment, role_assignment};
use crate::access::{Access, Action, Actor};
use crate::identity::audit::Origin;
use crate::masterdata::entity::{employee, org_unit, position};
use crate::services::entity::{request_step, service_request};

/// The most history entries one unit's page shows.
const HISTORY_MAX: u64 = 500;

fn invalid(id: impl Into<String>, en: impl Into<String>) -> AgencyError {
    AgencyError::OrganisationInvalid(Text::new(id, en))
}

/// What is still in a unit or post that a change would strand, as one sentence per language.
#[derive(Default)]
struct InUse {
    id: Vec<String>,
    en: Vec<String>,
}

impl InUse {
    fn add(&mut self, n: u64, id: &str, en: &str) {
        if n > 0 {
            self.id.push(format!("{n} {id}"));
            self.en.push(format!("{n} {en}"));
        }
    }

    fn refuse(self, id_tail: &str, en_tail: &str) -> Result<(), AgencyError> {
        if self.id.is_empty() {
            return Ok(());
        }
        Err(AgencyError::OrganisationInUse(Text::new(
            format!("Masih ada {}. {id_tail}", self.id.join(", ")),
            format!("Still there: {}. {en_tail}", self.en.join(", ")),
        )))
    }
}

/// A unit's code or a post's: upper-case letters, digits, `-` and `_`.
fn code(raw: &str, max: usize) -> Result<String, AgencyError> {
    let c = raw.trim();
    if c.is_empty()
        || c.len() > max
        || !c
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        return Err(invalid(
            format!("Kode hanya huruf besar, angka, - dan _, paling banyak {max} karakter."),
            format!("A code is upper-case letters, digits, - and _, at most {max} characters."),
        ));
    }
    Ok(c.to_owned())
}

/// A name or title: trimmed, 1 to 200 characters.
fn name(raw: &str) -> Result<String, AgencyError> {
    let n = raw.trim();
    if n.is_empty() || n.chars().count() > 200 {
        return Err(invalid(
            "Nama wajib diisi, paling banyak 200 karakter.",
            "A name is required, at most 200 characters.",
        ));
    }
    Ok(n.to_owned())
}

fn decree(d: &OrganisationDecree) -> Result<(String, NaiveDate), AgencyError> {
    Ok((super::decree_number(&d.number)?, d.date))
}

/// Whether a unit of `level` may sit under a parent of `parent` (instansi -> perangkat daerah
/// -> unit kerja, and unit kerja under unit kerja).
fn fits(level: UnitLevel, parent: Option<UnitLevel>) -> bool {
    use UnitLevel::*;
    matches!(
        (level, parent),
        (Instansi, None)
            | (PerangkatDaerah, Some(Instansi))
            | (UnitKerja, Some(PerangkatDaerah | UnitKerja))
    )
}

fn level_of(u: &org_unit::Model) -> UnitLevel {
    UnitLevel::from_code(&u.level).unwrap_or(UnitLevel::UnitKerja)
}

async fn unit_by_code(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<org_unit::Model, AgencyError> {
    org_unit::Entity::find()
        .filter(org_unit::Column::Code.eq(code.trim()))
        .one(db)
        .await?
        .ok_or_else(|| AgencyError::UnitNotFound(code.trim().to_owned()))
}

/// An open unit (not closed) with this code, for something to be placed in.
async fn open_unit(db: &impl ConnectionTrait, code: &str) -> Result<org_unit::Model, AgencyError> {
    let unit = unit_by_code(db, code).await?;
    if let Some(day) = unit.closed_on {
        return Err(invalid(
            format!("Unit {} ditutup sejak {day}.", unit.code),
            format!("Unit {} is closed since {day}.", unit.code),
        ));
    }
    Ok(unit)
}

async fn post_by_code(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<position::Model, AgencyError> {
    position::Entity::find()
        .filter(position::Column::Code.eq(code.trim()))
        .one(db)
        .await?
        .ok_or_else(|| AgencyError::PostNotFound(code.trim().to_owned()))
}

async fn open_post(db: &impl ConnectionTrait, code: &str) -> Result<position::Model, AgencyError> {
    let post = post_by_code(db, code).await?;
    if let Some(day) = post.closed_on {
        return Err(invalid(
            format!("Jabatan {} ditutup sejak {day}.", post.code),
            format!("Post {} is closed since {day}.", post.code),
        ));
    }
    Ok(post)
}

/// One history row, about `subject`, listed under `unit_id`.
struct Entry<'a> {
    subject: OrganisationSubject,
    subject_id: Uuid,
    code: &'a str,
    unit_id: Uuid,
    action: OrganisationAction,
    before: Option<String>,
    after: Option<String>,
}

impl Agency {
    async fn log_change(
        &self,
        db: &impl ConnectionTrait,
        by: Uuid,
        (number, date): &(String, NaiveDate),
        e: Entry<'_>,
    ) -> Result<(), AgencyError> {
        organisation_change::ActiveModel {
            at: Set(self.identity.clock.now()),
            by_employee_id: Set(Some(by)),
            subject: Set(e.subject),
            subject_id: Set(e.subject_id),
            code: Set(e.code.to_owned()),
            unit_id: Set(e.unit_id),
            action: Set(e.action),
            decree_number: Set(number.clone()),
            decree_date: Set(*date),
            before: Set(e.before),
            after: Set(e.after),
            ..Default::default()
        }
        .insert(db)
        .await?;
        Ok(())
    }

    async fn audit_change(&self, origin: &Origin, by: Uuid, what: String) {
        self.identity
            .audit(
                origin,
                "organisation_changed",
                None,
                Some(format!("{what}; by {by}")),
            )
            .await;
    }

    /// Every unit, closed ones included, in code order (administrators).
    pub async fn units(&self, actor: &Actor) -> Result<Vec<UnitView>, AgencyError> {
        actor.authorize(Action::ManageOrganisation, None).await?;
        let units = org_unit::Entity::find()
            .order_by_asc(org_unit::Column::Code)
            .all(&self.db)
            .await?;
        let codes: HashMap<Uuid, String> = units.iter().map(|u| (u.id, u.code.clone())).collect();
        Ok(units.iter().map(|u| unit_view(u, &codes)).collect())
    }

    /// A unit with its posts and the history of both (administrators).
    pub async fn unit(&self, actor: &Actor, code: &str) -> Result<UnitDetail, AgencyError> {
        actor.authorize(Action::ManageOrganisation, None).await?;
        let unit = unit_by_code(&self.db, code).await?;
        self.detail(&self.db, unit).await
    }

    async fn detail(
        &self,
        db: &impl ConnectionTrait,
        unit: org_unit::Model,
    ) -> Result<UnitDetail, AgencyError> {
        let parent = match unit.parent_id {
            Some(p) => org_unit::Entity::find_by_id(p).one(db).await?,
            None => None,
        };
        let posts = position::Entity::find()
            .filter(position::Column::UnitId.eq(unit.id))
            .order_by_asc(position::Column::Code)
            .all(db)
            .await?;
        let posts = post_views(db, posts).await?;
        let history = organisation_change::Entity::find()
            .filter(organisation_change::Column::UnitId.eq(unit.id))
            .order_by_desc(organisation_change::Column::Id)
            .limit(HISTORY_MAX)
            .all(db)
            .await?;
        let admins: Vec<Uuid> = history.iter().filter_map(|h| h.by_employee_id).collect();
        let nips: HashMap<Uuid, String> = employee::Entity::find()
            .select_only()
            .columns([employee::Column::Id, employee::Column::Nip])
            .filter(employee::Column::Id.is_in(admins))
            .into_tuple::<(Uuid, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let mut codes = HashMap::new();
        if let Some(p) = &parent {
            codes.insert(p.id, p.code.clone());
        }
        Ok(UnitDetail {
            unit: unit_view(&unit, &codes),
            posts,
            history: history
                .into_iter()
                .map(|h| OrganisationChange {
                    at: h.at,
                    by: h.by_employee_id.and_then(|id| nips.get(&id).cloned()),
                    subject: h.subject,
                    code: h.code,
                    action: h.action,
                    before: h.before,
                    after: h.after,
                    decree_number: h.decree_number,
                    decree_date: h.decree_date,
                })
                .collect(),
        })
    }

    /// Adds a unit under an open parent of the level above (administrators, step-up).
    pub async fn add_unit(
        &self,
        actor: &Actor,
        origin: &Origin,
        new: &NewUnit,
    ) -> Result<UnitDetail, AgencyError> {
        actor
            .authorize_sensitive(Action::ManageOrganisation, None)
            .await?;
        let code = code(&new.code, 32)?;
        let name = name(&new.name)?;
        let decree = decree(&new.decree)?;
        let txn = self.db.begin().await?;
        let parent = match &new.parent_code {
            Some(c) => Some(open_unit(&txn, c).await?),
            None => None,
        };
        if !fits(new.level, parent.as_ref().map(level_of)) {
            return Err(misplaced(new.level, parent.as_ref()));
        }
        if org_unit::Entity::find()
            .filter(org_unit::Column::Code.eq(&code))
            .count(&txn)
            .await?
            > 0
        {
            return Err(code_taken(&code));
        }
        let unit = org_unit::ActiveModel {
            id: Set(Uuid::new_v4()),
            code: Set(code.clone()),
            name: Set(name.clone()),
            level: Set(new.level.code().to_owned()),
            parent_id: Set(parent.as_ref().map(|p| p.id)),
            created_at: Set(self.identity.clock.now()),
            closed_on: Set(None),
        }
        .insert(&txn)
        .await?;
        let entry = Entry {
            subject: OrganisationSubject::Unit,
            subject_id: unit.id,
            code: &code,
            unit_id: unit.id,
            action: OrganisationAction::Added,
            before: None,
            after: Some(match &parent {
                Some(p) => format!("{name} ({})", p.code),
                None => name,
            }),
        };
        self.log_change(&txn, actor.employee_id, &decree, entry)
            .await?;
        let detail = self.detail(&txn, unit).await?;
        txn.commit().await?;
        self.audit_change(origin, actor.employee_id, format!("unit {code} added"))
            .await;
        Ok(detail)
    }

    /// Renames a unit, moves it (with everything below it) under another, or both
    /// (administrators, step-up). A move is refused while requests from the units that move
    /// are still open: their chains were drawn from where the units were.
    pub async fn amend_unit(
        &self,
        actor: &Actor,
        origin: &Origin,
        code: &str,
        change: &UnitAmendment,
    ) -> Result<UnitDetail, AgencyError> {
        actor
            .authorize_sensitive(Action::ManageOrganisation, None)
            .await?;
        let decree = decree(&change.decree)?;
        let new_name = change.name.as_deref().map(name).transpose()?;
        let txn = self.db.begin().await?;
        let unit = open_unit(&txn, code).await?;
        let mut done = Vec::new();
        if let Some(new_name) = new_name.filter(|n| *n != unit.name) {
            org_unit::Entity::update_many()
                .col_expr(org_unit::Column::Name, Expr::value(&new_name))
                .filter(org_unit::Column::Id.eq(unit.id))
                .exec(&txn)
                .await?;
            let entry = Entry {
                subject: OrganisationSubject::Unit,
                subject_id: unit.id,
                code: &unit.code,
                unit_id: unit.id,
                action: OrganisationAction::Renamed,
                before: Some(unit.name.clone()),
                after: Some(new_name),
            };
            self.log_change(&txn, actor.employee_id, &decree, entry)
                .await?;
            done.push("renamed");
        }
        if let Some(parent_code) = &change.parent_code {
            let parent = open_unit(&txn, parent_code).await?;
            if Some(parent.id) != unit.parent_id {
                let below = Access::units_below(&txn, unit.id).await?;
                if below.contains(&parent.id) {
                    return Err(invalid(
                        format!(
                            "Unit {} tidak dapat dipindahkan ke bawah dirinya sendiri.",
                            unit.code
                        ),
                        format!("Unit {} cannot be moved below itself.", unit.code),
                    ));
                }
                if !fits(level_of(&unit), Some(level_of(&parent))) {
                    return Err(misplaced(level_of(&unit), Some(&parent)));
                }
                let mut in_use = InUse::default();
                in_use.add(
                    open_requests(&txn, &below).await?,
                    "permohonan yang masih berjalan dari unit ini atau unit di bawahnya",
                    "open requests from this unit or a unit below it",
                );
                in_use.refuse(
                    "Selesaikan atau kembalikan permohonan itu lebih dahulu; rantai \
                     persetujuannya disusun dari letak unit yang lama.",
                    "Finish or return those requests first; their approval chains were drawn \
                     from where the unit was.",
                )?;
                let before = match unit.parent_id {
                    Some(p) => org_unit::Entity::find_by_id(p)
                        .one(&txn)
                        .await?
                        .map(|p| p.code),
                    None => None,
                };
                org_unit::Entity::update_many()
                    .col_expr(org_unit::Column::ParentId, Expr::value(parent.id))
                    .filter(org_unit::Column::Id.eq(unit.id))
                    .exec(&txn)
                    .await?;
                let entry = Entry {
                    subject: OrganisationSubject::Unit,
                    subject_id: unit.id,
                    code: &unit.code,
                    unit_id: unit.id,
                    action: OrganisationAction::Moved,
                    before,
                    after: Some(parent.code.clone()),
                };
                self.log_change(&txn, actor.employee_id, &decree, entry)
                    .await?;
                done.push("moved");
            }
        }
        let unit = unit_by_code(&txn, &unit.code).await?;
        let detail = self.detail(&txn, unit).await?;
        txn.commit().await?;
        if !done.is_empty() {
            let what = format!("unit {} {}", detail.unit.code, done.join(", "));
            self.audit_change(origin, actor.employee_id, what).await;
        }
        Ok(detail)
    }

    /// Closes a unit from a day (administrators, step-up). Refused while it still has open
    /// units or posts, active employees, fasilitator grants, or open requests.
    pub async fn close_unit(
        &self,
        actor: &Actor,
        origin: &Origin,
        code: &str,
        closure: &Closure,
    ) -> Result<UnitDetail, AgencyError> {
        actor
            .authorize_sensitive(Action::ManageOrganisation, None)
            .await?;
        let decree = decree(&closure.decree)?;
        let day = closure.closed_on.unwrap_or(decree.1);
        let txn = self.db.begin().await?;
        let unit = open_unit(&txn, code).await?;
        let mut in_use = InUse::default();
        let children = org_unit::Entity::find()
            .filter(org_unit::Column::ParentId.eq(unit.id))
            .filter(org_unit::Column::ClosedOn.is_null())
            .count(&txn)
            .await?;
        in_use.add(children, "unit di bawahnya", "units below it");
        let posts = position::Entity::find()
            .filter(position::Column::UnitId.eq(unit.id))
            .filter(position::Column::ClosedOn.is_null())
            .count(&txn)
            .await?;
        in_use.add(posts, "jabatan yang belum ditutup", "posts not closed");
        let people = employee::Entity::find()
            .filter(employee::Column::UnitId.eq(unit.id))
            .filter(employee::Column::Active.eq(true))
            .count(&txn)
            .await?;
        in_use.add(people, "pegawai aktif", "active employees");
        let grants = role_assignment::Entity::find()
            .filter(role_assignment::Column::UnitId.eq(unit.id))
            .filter(role_assignment::Column::RevokedAt.is_null())
            .filter(
                Condition::any()
                    .add(role_assignment::Column::EndsOn.is_null())
                    .add(role_assignment::Column::EndsOn.gte(day)),
            )
            .count(&txn)
            .await?;
        in_use.add(grants, "penetapan fasilitator", "fasilitator grants");
        in_use.add(
            open_requests(&txn, &[unit.id]).await?,
            "permohonan yang masih berjalan",
            "open requests",
        );
        let steps = open_steps(
            &txn,
            Condition::any()
                .add(request_step::Column::UnitId.eq(unit.id))
                .add(request_step::Column::PdUnitId.eq(unit.id)),
        )
        .await?;
        in_use.add(
            steps,
            "langkah persetujuan yang menunggu di unit ini",
            "approval steps waiting in this unit",
        );
        in_use.refuse(
            "Pindahkan, tutup, atau selesaikan lebih dahulu.",
            "Move, close or finish them first.",
        )?;
        self.close(&txn, OrganisationSubject::Unit, unit.id, day)
            .await?;
        let entry = Entry {
            subject: OrganisationSubject::Unit,
            subject_id: unit.id,
            code: &unit.code,
            unit_id: unit.id,
            action: OrganisationAction::Closed,
            before: None,
            after: Some(day.to_string()),
        };
        self.log_change(&txn, actor.employee_id, &decree, entry)
            .await?;
        let unit = unit_by_code(&txn, &unit.code).await?;
        let detail = self.detail(&txn, unit).await?;
        txn.commit().await?;
        let what = format!("unit {} closed from {day}", detail.unit.code);
        self.audit_change(origin, actor.employee_id, what).await;
        Ok(detail)
    }

    async fn close(
        &self,
        db: &impl ConnectionTrait,
        subject: OrganisationSubject,
        id: Uuid,
        day: NaiveDate,
    ) -> Result<(), AgencyError> {
        match subject {
            OrganisationSubject::Unit => {
                org_unit::Entity::update_many()
                    .col_expr(org_unit::Column::ClosedOn, Expr::value(day))
                    .filter(org_unit::Column::Id.eq(id))
                    .exec(db)
                    .await?;
            }
            OrganisationSubject::Post => {
                position::Entity::update_many()
                    .col_expr(position::Column::ClosedOn, Expr::value(day))
                    .filter(position::Column::Id.eq(id))
                    .exec(db)
                    .await?;
            }
        }
        Ok(())
    }

    /// Adds a post to an open unit (administrators, step-up).
    pub async fn add_post(
        &self,
        actor: &Actor,
        origin: &Origin,
        new: &NewPost,
    ) -> Result<PostView, AgencyError> {
        actor
            .authorize_sensitive(Action::ManageOrganisation, None)
            .await?;
        let code = code(&new.code, 48)?;
        let title = name(&new.title)?;
        let decree = decree(&new.decree)?;
        let grade = new
            .grade
            .as_deref()
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(str::to_owned);
        if grade.as_ref().is_some_and(|g| g.chars().count() > 32) {
            return Err(invalid(
                "Eselon atau jenjang paling banyak 32 karakter.",
                "An eselon or level is at most 32 characters.",
            ));
        }
        let txn = self.db.begin().await?;
        let unit = open_unit(&txn, &new.unit_code).await?;
        let reports_to = match &new.reports_to_code {
            Some(c) => Some(open_post(&txn, c).await?),
            None => None,
        };
        if position::Entity::find()
            .filter(position::Column::Code.eq(&code))
            .count(&txn)
            .await?
            > 0
        {
            return Err(code_taken(&code));
        }
        let post = position::ActiveModel {
            id: Set(Uuid::new_v4()),
            code: Set(code.clone()),
            title: Set(title),
            kind: Set(new.kind.code().to_owned()),
            grade: Set(grade),
            unit_id: Set(unit.id),
            reports_to_id: Set(reports_to.as_ref().map(|p| p.id)),
            created_at: Set(self.identity.clock.now()),
            closed_on: Set(None),
        }
        .insert(&txn)
        .await?;
        let entry = Entry {
            subject: OrganisationSubject::Post,
            subject_id: post.id,
            code: &code,
            unit_id: unit.id,
            action: OrganisationAction::Added,
            before: None,
            after: Some(placement(&unit, reports_to.as_ref())),
        };
        self.log_change(&txn, actor.employee_id, &decree, entry)
            .await?;
        let view = post_views(&txn, vec![post]).await?.remove(0);
        txn.commit().await?;
        self.audit_change(origin, actor.employee_id, format!("post {code} added"))
            .await;
        Ok(view)
    }

    /// Renames a post, places it elsewhere (another unit, or another post to report to), or
    /// both (administrators, step-up). A post that is held moves to another unit only with its
    /// holders, by transfer: add the post in the new unit, transfer them, close this one.
    pub async fn amend_post(
        &self,
        actor: &Actor,
        origin: &Origin,
        code: &str,
        change: &PostAmendment,
    ) -> Result<PostView, AgencyError> {
        actor
            .authorize_sensitive(Action::ManageOrganisation, None)
            .await?;
        let decree = decree(&change.decree)?;
        let new_title = change.title.as_deref().map(name).transpose()?;
        let txn = self.db.begin().await?;
        let post = open_post(&txn, code).await?;
        let old_unit = org_unit::Entity::find_by_id(post.unit_id)
            .one(&txn)
            .await?
            .ok_or_else(|| AgencyError::UnitNotFound(post.unit_id.to_string()))?;
        let mut done = Vec::new();
        if let Some(title) = new_title.filter(|t| *t != post.title) {
            position::Entity::update_many()
                .col_expr(position::Column::Title, Expr::value(&title))
                .filter(position::Column::Id.eq(post.id))
                .exec(&txn)
                .await?;
            let entry = Entry {
                subject: OrganisationSubject::Post,
                subject_id: post.id,
                code: &post.code,
                unit_id: post.unit_id,
                action: OrganisationAction::Renamed,
                before: Some(post.title.clone()),
                after: Some(title),
            };
            self.log_change(&txn, actor.employee_id, &decree, entry)
                .await?;
            done.push("renamed");
        }
        if let Some(to) = &change.placement {
            let unit = open_unit(&txn, &to.unit_code).await?;
            let reports_to = match &to.reports_to_code {
                Some(c) => Some(open_post(&txn, c).await?),
                None => None,
            };
            if let Some(up) = &reports_to {
                reports_above(&txn, up, post.id).await?;
            }
            let new_up = reports_to.as_ref().map(|p| p.id);
            if unit.id != post.unit_id || new_up != post.reports_to_id {
                if unit.id != post.unit_id {
                    let held = holders(&txn, post.id).await?;
                    let mut in_use = InUse::default();
                    in_use.add(
                        held,
                        "pegawai yang memangku jabatan ini",
                        "employees holding it",
                    );
                    in_use.refuse(
                        "Tambahkan jabatan di unit yang baru, mutasikan pemangkunya, lalu tutup \
                         jabatan ini.",
                        "Add the post in the new unit, transfer its holders, then close this \
                         one.",
                    )?;
                }
                let before_up = match post.reports_to_id {
                    Some(id) => position::Entity::find_by_id(id).one(&txn).await?,
                    None => None,
                };
                position::Entity::update_many()
                    .col_expr(position::Column::UnitId, Expr::value(unit.id))
                    .col_expr(position::Column::ReportsToId, Expr::value(new_up))
                    .filter(position::Column::Id.eq(post.id))
                    .exec(&txn)
                    .await?;
                let entry = Entry {
                    subject: OrganisationSubject::Post,
                    subject_id: post.id,
                    code: &post.code,
                    unit_id: unit.id,
                    action: OrganisationAction::Moved,
                    before: Some(placement(&old_unit, before_up.as_ref())),
                    after: Some(placement(&unit, reports_to.as_ref())),
                };
                self.log_change(&txn, actor.employee_id, &decree, entry)
                    .await?;
                done.push("moved");
            }
        }
        let post = post_by_code(&txn, &post.code).await?;
        let view = post_views(&txn, vec![post]).await?.remove(0);
        txn.commit().await?;
        if !done.is_empty() {
            let what = format!("post {} {}", view.code, done.join(", "));
            self.audit_change(origin, actor.employee_id, what).await;
        }
        Ok(view)
    }

    /// Closes a post from a day (administrators, step-up). Refused while someone holds it or
    /// acts in it, another post reports to it, or an approval step waits on it.
    pub async fn close_post(
        &self,
        actor: &Actor,
        origin: &Origin,
        code: &str,
        closure: &Closure,
    ) -> Result<PostView, AgencyError> {
        actor
            .authorize_sensitive(Action::ManageOrganisation, None)
            .await?;
        let decree = decree(&closure.decree)?;
        let day = closure.closed_on.unwrap_or(decree.1);
        let txn = self.db.begin().await?;
        let post = open_post(&txn, code).await?;
        let mut in_use = InUse::default();
        let held = holders(&txn, post.id).await?;
        in_use.add(
            held,
            "pegawai yang memangku jabatan ini",
            "employees holding it",
        );
        let acting = acting_assignment::Entity::find()
            .filter(acting_assignment::Column::PositionId.eq(post.id))
            .filter(acting_assignment::Column::EndedAt.is_null())
            .filter(acting_assignment::Column::EndsOn.gte(day))
            .count(&txn)
            .await?;
        in_use.add(acting, "surat perintah Plt/Plh", "Plt/Plh letters");
        let below = position::Entity::find()
            .filter(position::Column::ReportsToId.eq(post.id))
            .filter(position::Column::ClosedOn.is_null())
            .count(&txn)
            .await?;
        in_use.add(
            below,
            "jabatan yang melapor kepadanya",
            "posts reporting to it",
        );
        let steps = open_steps(&txn, request_step::Column::PositionId.eq(post.id).into()).await?;
        in_use.add(
            steps,
            "langkah persetujuan yang menunggu pada jabatan ini",
            "approval steps waiting on it",
        );
        in_use.refuse(
            "Pindahkan, akhiri, atau selesaikan lebih dahulu.",
            "Move, end or finish them first.",
        )?;
        self.close(&txn, OrganisationSubject::Post, post.id, day)
            .await?;
        let entry = Entry {
            subject: OrganisationSubject::Post,
            subject_id: post.id,
            code: &post.code,
            unit_id: post.unit_id,
            action: OrganisationAction::Closed,
            before: None,
            after: Some(day.to_string()),
        };
        self.log_change(&txn, actor.employee_id, &decree, entry)
            .await?;
        let post = post_by_code(&txn, &post.code).await?;
        let view = post_views(&txn, vec![post]).await?.remove(0);
        txn.commit().await?;
        let what = format!("post {} closed from {day}", view.code);
        self.audit_change(origin, actor.employee_id, what).await;
        Ok(view)
    }
}

fn unit_view(u: &org_unit::Model, codes: &HashMap<Uuid, String>) -> UnitView {
    UnitView {
        id: u.id,
        code: u.code.clone(),
        name: u.name.clone(),
        level: level_of(u),
        parent_code: u.parent_id.and_then(|p| codes.get(&p).cloned()),
        closed_on: u.closed_on,
    }
}

/// The posts as administrators see them, with their unit's code, their superior's, and how
/// many hold each.
async fn post_views(
    db: &impl ConnectionTrait,
    posts: Vec<position::Model>,
) -> Result<Vec<PostView>, AgencyError> {
    let ids: Vec<Uuid> = posts.iter().map(|p| p.id).collect();
    let holders: HashMap<Uuid, i64> = employee::Entity::find()
        .select_only()
        .column(employee::Column::PositionId)
        .column_as(employee::Column::Id.count(), "n")
        .filter(employee::Column::PositionId.is_in(ids))
        .filter(employee::Column::Active.eq(true))
        .group_by(employee::Column::PositionId)
        .into_tuple::<(Uuid, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let ups: Vec<Uuid> = posts.iter().filter_map(|p| p.reports_to_id).collect();
    let up_codes: HashMap<Uuid, String> = position::Entity::find()
        .select_only()
        .columns([position::Column::Id, position::Column::Code])
        .filter(position::Column::Id.is_in(ups))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let units: Vec<Uuid> = posts.iter().map(|p| p.unit_id).collect();
    let unit_codes: HashMap<Uuid, String> = org_unit::Entity::find()
        .select_only()
        .columns([org_unit::Column::Id, org_unit::Column::Code])
        .filter(org_unit::Column::Id.is_in(units))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(posts
        .into_iter()
        .map(|p| PostView {
            id: p.id,
            holders: holders
                .get(&p.id)
                .map_or(0, |n| u32::try_from(*n).unwrap_or(u32::MAX)),
            unit_code: unit_codes.get(&p.unit_id).cloned().unwrap_or_default(),
            reports_to_code: p.reports_to_id.and_then(|id| up_codes.get(&id).cloned()),
            kind: PositionKind::from_code(&p.kind).unwrap_or(PositionKind::Pelaksana),
            code: p.code,
            title: p.title,
            grade: p.grade,
            closed_on: p.closed_on,
        })
        .collect())
}

/// `UNIT` or `UNIT, under POST`: where a post sits, for the history.
fn placement(unit: &org_unit::Model, up: Option<&position::Model>) -> String {
    match up {
        Some(up) => format!("{} / {}", unit.code, up.code),
        None => unit.code.clone(),
    }
}

/// Refuses to make `post` report to `up` when `up` is `post` itself or reports to it.
async fn reports_above(
    db: &impl ConnectionTrait,
    up: &position::Model,
    post: Uuid,
) -> Result<(), AgencyError> {
    let mut next = Some(up.id);
    // Reporting lines are a few posts deep; the bound only stops a cycle in bad data.
    for _ in 0..32 {
        let Some(id) = next else { break };
        if id == post {
            return Err(invalid(
                "Jabatan tidak dapat melapor kepada dirinya sendiri atau kepada bawahannya.",
                "A post cannot report to itself or to a post below it.",
            ));
        }
        next = position::Entity::find_by_id(id)
            .one(db)
            .await?
            .and_then(|p| p.reports_to_id);
    }
    Ok(())
}

/// How many active employees hold `post`.
async fn holders(db: &impl ConnectionTrait, post: Uuid) -> Result<u64, AgencyError> {
    Ok(employee::Entity::find()
        .filter(employee::Column::PositionId.eq(post))
        .filter(employee::Column::Active.eq(true))
        .count(db)
        .await?)
}

/// Requests sent from any of `units` and not yet decided or cancelled.
async fn open_requests(db: &impl ConnectionTrait, units: &[Uuid]) -> Result<u64, AgencyError> {
    Ok(service_request::Entity::find()
        .filter(service_request::Column::UnitId.is_in(units.iter().copied()))
        .filter(service_request::Column::Status.is_in([
            RequestStatus::Submitted,
            RequestStatus::Returned,
            RequestStatus::InReview,
        ]))
        .count(db)
        .await?)
}

/// Approval steps still to be taken that match `which`.
async fn open_steps(db: &impl ConnectionTrait, which: Condition) -> Result<u64, AgencyError> {
    Ok(request_step::Entity::find()
        .filter(which)
        .filter(request_step::Column::Status.is_in([StepStatus::Waiting, StepStatus::Active]))
        .count(db)
        .await?)
}

fn code_taken(code: &str) -> AgencyError {
    AgencyError::OrganisationInUse(Text::new(
        format!("Kode {code} sudah digunakan."),
        format!("The code {code} is already used."),
    ))
}

fn misplaced(level: UnitLevel, parent: Option<&org_unit::Model>) -> AgencyError {
    let under = parent.map_or_else(|| "-".to_owned(), |p| format!("{} ({})", p.code, p.level));
    invalid(
        format!(
            "Unit {level} tidak dapat berada di bawah {under}: instansi di puncak, perangkat \
             daerah di bawah instansi, unit kerja di bawah perangkat daerah atau unit kerja."
        ),
        format!(
            "A {level} cannot sit under {under}: an instansi at the top, a perangkat daerah \
             under an instansi, a unit kerja under a perangkat daerah or another unit kerja."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_nest_in_order() {
        use UnitLevel::*;
        assert!(fits(Instansi, None));
        assert!(fits(PerangkatDaerah, Some(Instansi)));
        assert!(fits(UnitKerja, Some(PerangkatDaerah)));
        assert!(fits(UnitKerja, Some(UnitKerja)));
        assert!(!fits(PerangkatDaerah, None));
        assert!(!fits(PerangkatDaerah, Some(UnitKerja)));
        assert!(!fits(Instansi, Some(Instansi)));
        assert!(!fits(UnitKerja, Some(Instansi)));
    }

    #[test]
    fn codes_names_and_decrees_are_checked() {
        assert_eq!(code(" DINKES-UPT1 ", 32).unwrap(), "DINKES-UPT1");
        assert!(code("dinkes", 32).is_err());
        assert!(code("", 32).is_err());
        assert!(code(&"A".repeat(33), 32).is_err());
        assert!(name("  ").is_err());
        let d = OrganisationDecree {
            number: " ".into(),
            date: NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(),
        };
        assert!(matches!(decree(&d), Err(AgencyError::DecreeInvalid)));
    }

    #[test]
    fn what_is_in_use_is_named_in_both_languages() {
        let mut in_use = InUse::default();
        in_use.add(0, "subunit", "units");
        assert!(InUse::default().refuse("x", "y").is_ok());
        in_use.add(2, "pegawai aktif", "active employees");
        let Err(AgencyError::OrganisationInUse(t)) = in_use.refuse("Pindahkan.", "Move them.")
        else {
            panic!("refused");
        };
        assert_eq!(t.id, "Masih ada 2 pegawai aktif. Pindahkan.");
        assert_eq!(t.en, "Still there: 2 active employees. Move them.");
    }
}
