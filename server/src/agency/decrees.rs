//! Roles granted by decree and acting officials recorded from their letters: the writes and
//! their history. Who may make them is checked by the caller of [`Decrees`]: `Agency` for an
//! administrator through the API, nobody for the operator's console (`abdi-server admin`),
//! which has the server's database in hand anyway. Every write and its history row commit
//! together.

use std::collections::HashMap;

use abdi_proto::agency::{
    ActingAmendment, ActingEnd, ActingKind, ActingLetter, NewActingLetter, NewRoleGrant, Role,
    RoleGrant, RoleRevocation, Standing,
};
use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use super::AgencyError;
use super::entity::{Change, Source, Subject, agency_change};
use crate::access::entity::{acting_assignment, role_assignment};
use crate::access::{Access, in_force};
use crate::clock::SharedClock;
use crate::masterdata::entity::{employee, org_unit, position};

/// Who makes a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// An administrator (already checked), through the API.
    Administrator(Uuid),
    /// The operator's console.
    Console,
}

impl By {
    fn employee(self) -> Option<Uuid> {
        match self {
            By::Administrator(id) => Some(id),
            By::Console => None,
        }
    }

    fn source(self) -> Source {
        match self {
            By::Administrator(_) => Source::Api,
            By::Console => Source::Console,
        }
    }
}

/// Why a grant or a letter is refused, in both languages.
fn invalid(id: impl Into<String>, en: impl Into<String>) -> AgencyError {
    AgencyError::Invalid(abdi_proto::Text::new(id, en))
}

/// A decree or letter number: trimmed, 1 to 200 characters.
fn number(raw: &str) -> Result<String, AgencyError> {
    let n = raw.trim();
    if n.is_empty() || n.chars().count() > 200 {
        return Err(invalid(
            "Nomor surat wajib diisi, paling banyak 200 karakter.",
            "The letter's number is required, at most 200 characters.",
        ));
    }
    Ok(n.to_owned())
}

/// A reason: trimmed, 1 to 500 characters.
fn reason(raw: &str) -> Result<String, AgencyError> {
    let r = raw.trim();
    if r.is_empty() {
        return Err(AgencyError::ReasonRequired);
    }
    if r.chars().count() > 500 {
        return Err(invalid(
            "Alasan paling banyak 500 karakter.",
            "The reason is at most 500 characters.",
        ));
    }
    Ok(r.to_owned())
}

fn window(starts_on: NaiveDate, ends_on: Option<NaiveDate>) -> Result<(), AgencyError> {
    match ends_on {
        Some(end) if end < starts_on => Err(invalid(
            format!("Tanggal berakhir ({end}) sebelum tanggal mulai ({starts_on})."),
            format!("The end ({end}) is before the start ({starts_on})."),
        )),
        _ => Ok(()),
    }
}

/// Two windows (open at the end when `None`) share a day.
fn overlaps(a: (NaiveDate, Option<NaiveDate>), b: (NaiveDate, Option<NaiveDate>)) -> bool {
    a.1.is_none_or(|a_end| b.0 <= a_end) && b.1.is_none_or(|b_end| a.0 <= b_end)
}

async fn employee_by_nip(
    db: &impl ConnectionTrait,
    nip: &str,
) -> Result<employee::Model, AgencyError> {
    employee::Entity::find()
        .filter(employee::Column::Nip.eq(nip.trim()))
        .one(db)
        .await?
        .ok_or(AgencyError::EmployeeNotFound)
}

/// One row of the history: what happened to which grant or letter, about whom.
struct Entry {
    subject: (Subject, Uuid),
    action: Change,
    employee_id: Uuid,
    decree_number: Option<String>,
    detail: serde_json::Value,
}

async fn record(
    db: &impl ConnectionTrait,
    at: chrono::DateTime<chrono::Utc>,
    by: By,
    e: Entry,
) -> Result<(), AgencyError> {
    agency_change::ActiveModel {
        at: Set(at),
        by_employee_id: Set(by.employee()),
        source: Set(by.source()),
        subject: Set(e.subject.0),
        subject_id: Set(e.subject.1),
        action: Set(e.action),
        employee_id: Set(e.employee_id),
        decree_number: Set(e.decree_number),
        detail: Set(e.detail.to_string()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Marks grant `id` revoked, if it is not yet; `false` when it already was.
async fn mark_revoked(
    db: &impl ConnectionTrait,
    id: Uuid,
    by: By,
    at: chrono::DateTime<chrono::Utc>,
    why: &str,
) -> Result<bool, AgencyError> {
    let revoked = role_assignment::Entity::update_many()
        .col_expr(role_assignment::Column::RevokedAt, Expr::value(at))
        .col_expr(
            role_assignment::Column::RevokedBy,
            Expr::value(by.employee()),
        )
        .col_expr(role_assignment::Column::RevokeReason, Expr::value(why))
        .filter(role_assignment::Column::Id.eq(id))
        .filter(role_assignment::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(revoked.rows_affected == 1)
}

/// The grants and letters of an agency.
#[derive(Clone)]
pub struct Decrees {
    db: DatabaseConnection,
    clock: SharedClock,
}

impl Decrees {
    pub fn new(db: DatabaseConnection, clock: SharedClock) -> Self {
        Self { db, clock }
    }

    /// Grants a role by decree. A fasilitator's role covers a unit and everything below it;
    /// an administrator's the whole agency. The same role for the same unit in an overlapping
    /// window is refused.
    pub async fn grant(&self, by: By, g: &NewRoleGrant) -> Result<RoleGrant, AgencyError> {
        let now = self.clock.now();
        let decree = number(&g.decree_number)?;
        let starts_on = g.starts_on.unwrap_or(g.decree_date);
        window(starts_on, g.ends_on)?;
        let txn = self.db.begin().await?;
        let who = employee_by_nip(&txn, &g.nip).await?;
        let unit = match (g.role, g.unit_code.as_deref().map(str::trim)) {
            (Role::Fasilitator, Some(code)) if !code.is_empty() => Some(
                org_unit::Entity::find()
                    .filter(org_unit::Column::Code.eq(code))
                    .one(&txn)
                    .await?
                    .ok_or_else(|| AgencyError::UnitNotFound(code.to_owned()))?,
            ),
            (Role::Fasilitator, _) => {
                return Err(invalid(
                    "Fasilitator ditetapkan untuk satu unit kerja: isi unit_code.",
                    "A fasilitator is appointed for a unit: give unit_code.",
                ));
            }
            (Role::Administrator, None) => None,
            (Role::Administrator, Some(_)) => {
                return Err(invalid(
                    "Administrator berlaku untuk seluruh instansi: kosongkan unit_code.",
                    "An administrator covers the whole agency: leave unit_code out.",
                ));
            }
        };
        let unit_id = unit.as_ref().map(|u| u.id);
        let held = role_assignment::Entity::find()
            .filter(role_assignment::Column::EmployeeId.eq(who.id))
            .filter(role_assignment::Column::Role.eq(g.role))
            .filter(role_assignment::Column::RevokedAt.is_null())
            .all(&txn)
            .await?;
        if held.iter().any(|r| {
            r.unit_id == unit_id
                && overlaps(
                    (r.starts_on.unwrap_or(NaiveDate::MIN), r.ends_on),
                    (starts_on, g.ends_on),
                )
        }) {
            return Err(AgencyError::GrantConflict);
        }
        let id = Uuid::now_v7();
        role_assignment::ActiveModel {
            id: Set(id),
            employee_id: Set(who.id),
            role: Set(g.role),
            unit_id: Set(unit_id),
            created_at: Set(now),
            decree_number: Set(Some(decree.clone())),
            decree_date: Set(Some(g.decree_date)),
            starts_on: Set(Some(starts_on)),
            ends_on: Set(g.ends_on),
            granted_by: Set(by.employee()),
            revoked_at: Set(None),
            revoked_by: Set(None),
            revoke_reason: Set(None),
        }
        .insert(&txn)
        .await?;
        record(
            &txn,
            now,
            by,
            Entry {
                subject: (Subject::Role, id),
                action: Change::Granted,
                employee_id: who.id,
                decree_number: Some(decree),
                detail: json!({
                    "role": g.role.code(),
                    "unit": unit.as_ref().map(|u| &u.code),
                    "decree_date": g.decree_date,
                    "starts_on": starts_on,
                    "ends_on": g.ends_on,
                }),
            },
        )
        .await?;
        let view = self.grant_view(&txn, id).await?;
        txn.commit().await?;
        Ok(view)
    }

    /// Revokes a grant; it stays in the history. The last administrator in force is kept:
    /// an agency never locks itself out (the console can always grant again).
    pub async fn revoke(
        &self,
        by: By,
        id: Uuid,
        r: &RoleRevocation,
    ) -> Result<RoleGrant, AgencyError> {
        let now = self.clock.now();
        let why = reason(&r.reason)?;
        let decree = r.decree_number.as_deref().map(number).transpose()?;
        let txn = self.db.begin().await?;
        let grant = role_assignment::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(AgencyError::GrantNotFound)?;
        if grant.revoked_at.is_some() {
            return Err(AgencyError::GrantConflict);
        }
        if grant.role == Role::Administrator && by != By::Console {
            let today = self.clock.today();
            let others = Access::administrators(&txn, today)
                .await?
                .into_iter()
                .filter(|a| *a != grant.employee_id)
                .count();
            if others == 0 {
                return Err(AgencyError::LastAdministrator);
            }
        }
        let revoked = mark_revoked(&txn, id, by, now, &why).await?;
        if !revoked {
            return Err(AgencyError::GrantConflict);
        }
        record(
            &txn,
            now,
            by,
            Entry {
                subject: (Subject::Role, id),
                action: Change::Revoked,
                employee_id: grant.employee_id,
                decree_number: decree,
                detail: json!({ "role": grant.role.code(), "reason": why }),
            },
        )
        .await?;
        let view = self.grant_view(&txn, id).await?;
        txn.commit().await?;
        Ok(view)
    }

    /// Ends every fasilitator grant of an employee who moves to another unit (Pasal 10(6)),
    /// inside the transfer's transaction; returns the grants ended.
    pub async fn end_on_transfer(
        &self,
        txn: &impl ConnectionTrait,
        by: By,
        employee_id: Uuid,
    ) -> Result<Vec<role_assignment::Model>, AgencyError> {
        let now = self.clock.now();
        let today = self.clock.today();
        let grants = role_assignment::Entity::find()
            .filter(role_assignment::Column::EmployeeId.eq(employee_id))
            .filter(role_assignment::Column::Role.eq(Role::Fasilitator))
            .filter(in_force(today))
            .all(txn)
            .await?;
        for g in &grants {
            mark_revoked(txn, g.id, by, now, "mutasi / transferred").await?;
            record(
                txn,
                now,
                by,
                Entry {
                    subject: (Subject::Role, g.id),
                    action: Change::EndedByTransfer,
                    employee_id,
                    decree_number: None,
                    detail: json!({ "role": g.role.code(), "unit_id": g.unit_id }),
                },
            )
            .await?;
        }
        Ok(grants)
    }

    /// Every grant, newest first: those of one role, or of one employee, if given.
    pub async fn grants(
        &self,
        role: Option<Role>,
        employee_id: Option<Uuid>,
    ) -> Result<Vec<RoleGrant>, AgencyError> {
        let mut q = role_assignment::Entity::find().order_by_desc(role_assignment::Column::Id);
        if let Some(role) = role {
            q = q.filter(role_assignment::Column::Role.eq(role));
        }
        if let Some(id) = employee_id {
            q = q.filter(role_assignment::Column::EmployeeId.eq(id));
        }
        let rows = q.all(&self.db).await?;
        self.grant_views(&self.db, rows).await
    }

    async fn grant_view(
        &self,
        db: &impl ConnectionTrait,
        id: Uuid,
    ) -> Result<RoleGrant, AgencyError> {
        let row = role_assignment::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or(AgencyError::GrantNotFound)?;
        let mut views = self.grant_views(db, vec![row]).await?;
        views.pop().ok_or(AgencyError::GrantNotFound)
    }

    async fn grant_views(
        &self,
        db: &impl ConnectionTrait,
        rows: Vec<role_assignment::Model>,
    ) -> Result<Vec<RoleGrant>, AgencyError> {
        let today = self.clock.today();
        let people: HashMap<Uuid, employee::Model> = employee::Entity::find()
            .filter(
                employee::Column::Id.is_in(
                    rows.iter()
                        .flat_map(|r| [Some(r.employee_id), r.granted_by])
                        .flatten(),
                ),
            )
            .all(db)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        let units: HashMap<Uuid, org_unit::Model> = org_unit::Entity::find()
            .filter(org_unit::Column::Id.is_in(rows.iter().filter_map(|r| r.unit_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        rows.into_iter()
            .map(|r| {
                let employee = people
                    .get(&r.employee_id)
                    .ok_or(AgencyError::EmployeeNotFound)?;
                let unit = r.unit_id.and_then(|u| units.get(&u));
                Ok(RoleGrant {
                    id: r.id,
                    employee: employee.person(),
                    role: r.role,
                    unit_code: unit.map(|u| u.code.clone()),
                    unit_name: unit.map(|u| u.name.clone()),
                    decree_number: r.decree_number,
                    decree_date: r.decree_date,
                    starts_on: r.starts_on,
                    ends_on: r.ends_on,
                    granted_by: r
                        .granted_by
                        .and_then(|g| people.get(&g))
                        .map(|g| g.nip.clone()),
                    granted_at: r.created_at,
                    standing: Standing::of(r.starts_on, r.ends_on, r.revoked_at.is_some(), today),
                    revoked_at: r.revoked_at,
                    revoke_reason: r.revoke_reason,
                })
            })
            .collect()
    }

    /// Records a Plt/Plh letter. A Plt acts in a vacant post; nobody acts in their own post;
    /// two letters on one post never share a day.
    pub async fn record_acting(
        &self,
        by: By,
        l: &NewActingLetter,
    ) -> Result<ActingLetter, AgencyError> {
        let now = self.clock.now();
        let num = number(&l.number)?;
        window(l.starts_on, Some(l.ends_on))?;
        let txn = self.db.begin().await?;
        let who = employee_by_nip(&txn, &l.nip).await?;
        let post = position::Entity::find()
            .filter(position::Column::Code.eq(l.position_code.trim()))
            .one(&txn)
            .await?
            .ok_or_else(|| AgencyError::UnitNotFound(l.position_code.trim().to_owned()))?;
        if who.position_id == Some(post.id) {
            return Err(invalid(
                "Pegawai ini pemegang jabatan tersebut; Plt/Plh ditunjuk dari pegawai lain.",
                "This employee holds that post; a Plt/Plh is someone else.",
            ));
        }
        if l.kind == ActingKind::Plt {
            let holder = employee::Entity::find()
                .filter(employee::Column::PositionId.eq(post.id))
                .filter(employee::Column::Active.eq(true))
                .one(&txn)
                .await?;
            if let Some(holder) = holder {
                return Err(invalid(
                    format!(
                        "Jabatan {} masih dipegang {}: Plt untuk jabatan yang kosong. Catat Plh, \
                         atau mutasikan pemegangnya lebih dahulu.",
                        post.title, holder.name
                    ),
                    format!(
                        "{} still holds {}: a Plt is for a vacant post. Record a Plh, or \
                         transfer the holder first.",
                        holder.name, post.title
                    ),
                ));
            }
        }
        self.no_overlap(&txn, post.id, None, (l.starts_on, l.ends_on))
            .await?;
        let id = Uuid::now_v7();
        acting_assignment::ActiveModel {
            id: Set(id),
            employee_id: Set(who.id),
            position_id: Set(post.id),
            kind: Set(l.kind),
            number: Set(num.clone()),
            starts_on: Set(l.starts_on),
            ends_on: Set(l.ends_on),
            created_at: Set(now),
            letter_date: Set(Some(l.letter_date)),
            granted_by: Set(by.employee()),
            ended_at: Set(None),
            end_reason: Set(None),
            version: Set(1),
        }
        .insert(&txn)
        .await?;
        record(
            &txn,
            now,
            by,
            Entry {
                subject: (Subject::Acting, id),
                action: Change::Recorded,
                employee_id: who.id,
                decree_number: Some(num),
                detail: json!({
                    "kind": l.kind,
                    "post": post.code,
                    "letter_date": l.letter_date,
                    "starts_on": l.starts_on,
                    "ends_on": l.ends_on,
                }),
            },
        )
        .await?;
        let view = self.acting_view(&txn, id).await?;
        txn.commit().await?;
        Ok(view)
    }

    /// Amends a letter (a corrected number, date or window), if nobody changed it since
    /// `version`.
    pub async fn amend_acting(
        &self,
        by: By,
        id: Uuid,
        a: &ActingAmendment,
    ) -> Result<ActingLetter, AgencyError> {
        let now = self.clock.now();
        let num = number(&a.number)?;
        let note = reason(&a.note)?;
        window(a.starts_on, Some(a.ends_on))?;
        let txn = self.db.begin().await?;
        let letter = self.open_letter(&txn, id).await?;
        self.no_overlap(&txn, letter.position_id, Some(id), (a.starts_on, a.ends_on))
            .await?;
        self.bump(&txn, id, a.version, |q| {
            q.col_expr(acting_assignment::Column::Number, Expr::value(num.clone()))
                .col_expr(
                    acting_assignment::Column::LetterDate,
                    Expr::value(a.letter_date),
                )
                .col_expr(
                    acting_assignment::Column::StartsOn,
                    Expr::value(a.starts_on),
                )
                .col_expr(acting_assignment::Column::EndsOn, Expr::value(a.ends_on))
        })
        .await?;
        record(
            &txn,
            now,
            by,
            Entry {
                subject: (Subject::Acting, id),
                action: Change::Amended,
                employee_id: letter.employee_id,
                decree_number: Some(num),
                detail: json!({
                    "before": {
                        "number": letter.number,
                        "letter_date": letter.letter_date,
                        "starts_on": letter.starts_on,
                        "ends_on": letter.ends_on,
                    },
                    "letter_date": a.letter_date,
                    "starts_on": a.starts_on,
                    "ends_on": a.ends_on,
                    "note": note,
                }),
            },
        )
        .await?;
        let view = self.acting_view(&txn, id).await?;
        txn.commit().await?;
        Ok(view)
    }

    /// Ends a letter early: `last_day` is the last day the official acts.
    pub async fn end_acting(
        &self,
        by: By,
        id: Uuid,
        e: &ActingEnd,
    ) -> Result<ActingLetter, AgencyError> {
        let now = self.clock.now();
        let why = reason(&e.reason)?;
        let txn = self.db.begin().await?;
        let letter = self.open_letter(&txn, id).await?;
        if e.last_day < letter.starts_on || e.last_day > letter.ends_on {
            return Err(invalid(
                format!(
                    "Hari terakhir harus antara {} dan {}.",
                    letter.starts_on, letter.ends_on
                ),
                format!(
                    "The last day must be between {} and {}.",
                    letter.starts_on, letter.ends_on
                ),
            ));
        }
        self.bump(&txn, id, e.version, |q| {
            q.col_expr(acting_assignment::Column::EndsOn, Expr::value(e.last_day))
                .col_expr(acting_assignment::Column::EndedAt, Expr::value(now))
                .col_expr(
                    acting_assignment::Column::EndReason,
                    Expr::value(why.clone()),
                )
        })
        .await?;
        record(
            &txn,
            now,
            by,
            Entry {
                subject: (Subject::Acting, id),
                action: Change::Ended,
                employee_id: letter.employee_id,
                decree_number: None,
                detail: json!({ "ends_on_before": letter.ends_on, "last_day": e.last_day, "reason": why }),
            },
        )
        .await?;
        let view = self.acting_view(&txn, id).await?;
        txn.commit().await?;
        Ok(view)
    }

    /// The letters on the posts of a unit and every unit below it, newest first.
    pub async fn acting_in_unit(&self, unit_code: &str) -> Result<Vec<ActingLetter>, AgencyError> {
        let unit = org_unit::Entity::find()
            .filter(org_unit::Column::Code.eq(unit_code))
            .one(&self.db)
            .await?
            .ok_or_else(|| AgencyError::UnitNotFound(unit_code.to_owned()))?;
        let units = Access::units_below(&self.db, unit.id).await?;
        let posts: Vec<Uuid> = position::Entity::find()
            .filter(position::Column::UnitId.is_in(units))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        let rows = acting_assignment::Entity::find()
            .filter(acting_assignment::Column::PositionId.is_in(posts))
            .order_by_desc(acting_assignment::Column::StartsOn)
            .all(&self.db)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.acting_view(&self.db, row.id).await?);
        }
        Ok(out)
    }

    async fn open_letter(
        &self,
        db: &impl ConnectionTrait,
        id: Uuid,
    ) -> Result<acting_assignment::Model, AgencyError> {
        let letter = acting_assignment::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or(AgencyError::ActingNotFound)?;
        if letter.ended_at.is_some() {
            return Err(invalid(
                "Surat ini sudah diakhiri.",
                "This letter has already been ended.",
            ));
        }
        Ok(letter)
    }

    /// Applies `set` to the letter if it is still at `version`, and moves it to the next.
    async fn bump(
        &self,
        db: &impl ConnectionTrait,
        id: Uuid,
        version: u32,
        set: impl FnOnce(
            sea_orm::UpdateMany<acting_assignment::Entity>,
        ) -> sea_orm::UpdateMany<acting_assignment::Entity>,
    ) -> Result<(), AgencyError> {
        let q = acting_assignment::Entity::update_many()
            .col_expr(
                acting_assignment::Column::Version,
                Expr::value(version as i32 + 1),
            )
            .filter(acting_assignment::Column::Id.eq(id))
            .filter(acting_assignment::Column::Version.eq(version as i32));
        if set(q).exec(db).await?.rows_affected != 1 {
            return Err(AgencyError::VersionConflict);
        }
        Ok(())
    }

    async fn no_overlap(
        &self,
        db: &impl ConnectionTrait,
        post: Uuid,
        except: Option<Uuid>,
        (starts_on, ends_on): (NaiveDate, NaiveDate),
    ) -> Result<(), AgencyError> {
        let mut q = acting_assignment::Entity::find()
            .filter(acting_assignment::Column::PositionId.eq(post))
            .filter(acting_assignment::Column::StartsOn.lte(ends_on))
            .filter(acting_assignment::Column::EndsOn.gte(starts_on));
        if let Some(id) = except {
            q = q.filter(acting_assignment::Column::Id.ne(id));
        }
        if q.one(db).await?.is_some() {
            return Err(AgencyError::ActingOverlap);
        }
        Ok(())
    }

    async fn acting_view(
        &self,
        db: &impl ConnectionTrait,
        id: Uuid,
    ) -> Result<ActingLetter, AgencyError> {
        let a = acting_assignment::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or(AgencyError::ActingNotFound)?;
        let who = employee::Entity::find_by_id(a.employee_id)
            .one(db)
            .await?
            .ok_or(AgencyError::EmployeeNotFound)?;
        let post = position::Entity::find_by_id(a.position_id)
            .one(db)
            .await?
            .ok_or_else(|| AgencyError::UnitNotFound(a.position_id.to_string()))?;
        let unit = org_unit::Entity::find_by_id(post.unit_id)
            .one(db)
            .await?
            .map_or_else(String::new, |u| u.code);
        Ok(ActingLetter {
            id: a.id,
            employee: who.person(),
            position_code: post.code,
            position_title: post.title,
            unit_code: unit,
            kind: a.kind,
            number: a.number,
            letter_date: a.letter_date,
            starts_on: a.starts_on,
            ends_on: a.ends_on,
            standing: Standing::of(
                Some(a.starts_on),
                Some(a.ends_on),
                a.ended_at.is_some() && a.ends_on < self.clock.today(),
                self.clock.today(),
            ),
            ended_at: a.ended_at,
            end_reason: a.end_reason,
            version: a.version as u32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn windows_overlap_when_they_share_a_day() {
        let jan = (d("2026-01-01"), Some(d("2026-01-31")));
        assert!(overlaps(jan, (d("2026-01-31"), Some(d("2026-02-10")))));
        assert!(!overlaps(jan, (d("2026-02-01"), Some(d("2026-02-10")))));
        assert!(overlaps(jan, (d("2025-06-01"), None)));
        assert!(overlaps((d("2026-03-01"), None), (d("2027-01-01"), None)));
        assert!(!overlaps(
            (d("2026-03-01"), None),
            (d("2026-01-01"), Some(d("2026-02-28")))
        ));
    }

    #[test]
    fn a_window_ends_on_or_after_its_start() {
        assert!(window(d("2026-01-02"), Some(d("2026-01-02"))).is_ok());
        assert!(window(d("2026-01-02"), None).is_ok());
        assert!(matches!(
            window(d("2026-01-02"), Some(d("2026-01-01"))),
            Err(AgencyError::Invalid(_))
        ));
    }

    #[test]
    fn numbers_and_reasons_are_trimmed_and_required() {
        assert_eq!(number("  800/1/2026 ").unwrap(), "800/1/2026");
        assert!(number("   ").is_err());
        assert!(number(&"x".repeat(201)).is_err());
        assert!(matches!(reason(" "), Err(AgencyError::ReasonRequired)));
        assert_eq!(reason(" kembali bertugas ").unwrap(), "kembali bertugas");
    }
}
