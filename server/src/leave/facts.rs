//! What a leave request is judged on, read once: [`load`] goes to the database (the holiday
//! calendars, the employee's other bookings) inside the request's transaction and hands back a
//! plain [`Facts`], which the rules in [`super::assess`] judge without a connection.

use std::collections::BTreeMap;

use abdi_proto::HolidayCalendar;
use abdi_proto::forms::FormValues;
use abdi_proto::leave::{BookingState, LeaveKind};
use abdi_proto::master::HolidayKind;
use chrono::{Datelike, NaiveDate};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::entity::leave_booking;
use crate::masterdata::entity::employee;
use crate::reference::{ReferenceError, ReferenceService};
use crate::services::rules::{RuleInput, add_months, period, service_start, text};

/// The kind a request is booked as: from the fourth birth, maternity leave is granted as cuti
/// besar (PP 11/2017 Pasal 327).
pub(crate) fn booked_kind(kind: LeaveKind, birth_order: Option<i64>) -> LeaveKind {
    match (kind, birth_order) {
        (LeaveKind::Melahirkan, Some(n)) if n >= 4 => LeaveKind::Besar,
        _ => kind,
    }
}

/// A leave request with everything its rules need to know, and no connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Facts {
    /// The kind asked for (the rules' own kind, not yet [`booked_kind`]).
    pub(crate) kind: LeaveKind,
    /// The period asked for, both days included.
    pub(crate) start: NaiveDate,
    pub(crate) end: NaiveDate,
    pub(crate) answers: Answers,
    pub(crate) employee: Employee,
    /// For maternity leave: this birth's order while an ASN, from the record (the children it
    /// shows born since the service began, and this one); `None` for other kinds.
    pub(crate) birth_order: Option<i64>,
    /// Working days from `start` to `end`; `None` when a year's holiday calendar is missing.
    pub(crate) working_days: Option<u32>,
    /// Working days in the three months from `start`, a cuti besar's full length; `None` when
    /// a calendar is missing, and not read unless the request is booked as cuti besar.
    pub(crate) besar_full_days: Option<u32>,
    /// Cuti bersama days from `start` to `end`; `None` when a year's calendar is missing.
    pub(crate) cuti_bersama_days: Option<u32>,
    /// The employee's bookings other than this request's.
    pub(crate) others: Vec<Held>,
}

/// What the form says beyond the period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Answers {
    /// `abroad` is `ya`.
    pub(crate) abroad: bool,
    /// `purpose` is `haji_pertama` (cuti besar for a first hajj).
    pub(crate) first_hajj: bool,
    /// `sick_kind` (sick leave).
    pub(crate) sick_cause: SickCause,
    /// A `doctor_certificate` is attached.
    pub(crate) doctor_certificate: bool,
    /// A `medical_board_letter` is attached.
    pub(crate) medical_board_letter: bool,
    /// `extension` is `ya` (CLTN).
    pub(crate) extension: bool,
}

/// Why sick leave is asked for: each cause has its own longest length.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum SickCause {
    /// Any illness (and any `sick_kind` not listed below).
    #[default]
    Illness,
    /// `gugur_kandungan`.
    Miscarriage,
    /// `kecelakaan_kerja`.
    WorkAccident,
}

impl Answers {
    pub(crate) fn read(form: &FormValues) -> Self {
        let attached = |f: &str| {
            form.get(f)
                .and_then(serde_json::Value::as_array)
                .is_some_and(|a| !a.is_empty())
        };
        Self {
            abroad: text(form, "abroad") == Some("ya"),
            first_hajj: text(form, "purpose") == Some("haji_pertama"),
            sick_cause: match text(form, "sick_kind") {
                Some("gugur_kandungan") => SickCause::Miscarriage,
                Some("kecelakaan_kerja") => SickCause::WorkAccident,
                _ => SickCause::Illness,
            },
            doctor_certificate: attached("doctor_certificate"),
            medical_board_letter: attached("medical_board_letter"),
            extension: text(form, "extension") == Some("ya"),
        }
    }
}

/// What the rules need of the employee's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Employee {
    pub(crate) pppk: bool,
    pub(crate) female: bool,
    /// When continuous service began ([`service_start`]).
    pub(crate) service_start: Option<NaiveDate>,
}

impl Employee {
    pub(crate) fn of(e: &employee::Model) -> Self {
        Self {
            pppk: e.employment_type == "pppk",
            female: e.gender == "female",
            service_start: service_start(e),
        }
    }
}

/// A booking the employee already holds, as read from `leave_bookings`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Held {
    /// `None` for a kind this build does not know.
    pub(crate) kind: Option<LeaveKind>,
    pub(crate) start: NaiveDate,
    pub(crate) end: NaiveDate,
    pub(crate) year: i32,
    pub(crate) days: i32,
    pub(crate) state: BookingState,
}

impl From<&leave_booking::Model> for Held {
    fn from(m: &leave_booking::Model) -> Self {
        Self {
            kind: LeaveKind::from_code(&m.kind),
            start: m.start_date,
            end: m.end_date,
            year: m.year,
            days: m.days,
            state: m.state,
        }
    }
}

/// Reads the facts of a request for `kind`; `None` when the form has no period.
pub(crate) async fn load(
    db: &impl ConnectionTrait,
    kind: LeaveKind,
    input: &RuleInput<'_>,
) -> Result<Option<Facts>, DbErr> {
    let Some((start, end)) = period(input.form, "period") else {
        return Ok(None);
    };
    let answers = Answers::read(input.form);
    let birth_order = match kind {
        LeaveKind::Melahirkan => Some(births_while_asn(db, input.employee).await? + 1),
        _ => None,
    };
    let mut calendars = Calendars {
        db,
        years: BTreeMap::new(),
    };
    let working_days = calendars.working_days(start, end).await?;
    let cuti_bersama_days = calendars.cuti_bersama(start, end).await?;
    let besar_full_days = if booked_kind(kind, birth_order) == LeaveKind::Besar {
        calendars
            .working_days(start, add_months(start, 3) - chrono::Days::new(1))
            .await?
    } else {
        None
    };
    let others = bookings(db, input.employee.id, Some(input.request_id)).await?;
    Ok(Some(Facts {
        kind,
        start,
        end,
        answers,
        employee: Employee::of(input.employee),
        birth_order,
        working_days,
        besar_full_days,
        cuti_bersama_days,
        others,
    }))
}

/// The children the employee's verified record shows born since their service began (all of
/// them when the record has no start).
async fn births_while_asn(db: &impl ConnectionTrait, e: &employee::Model) -> Result<i64, DbErr> {
    use crate::masterdata::entity::family_member;
    let start = service_start(e);
    let children = family_member::Entity::find()
        .filter(family_member::Column::EmployeeId.eq(e.id))
        .filter(family_member::Column::Relation.eq("child"))
        .all(db)
        .await?;
    Ok(children
        .iter()
        .filter(|c| start.is_none_or(|s| c.birth_date >= s))
        .count() as i64)
}

/// The employee's bookings (other than `except`), as the ledger reads them.
pub(crate) async fn bookings(
    db: &impl ConnectionTrait,
    employee_id: Uuid,
    except: Option<Uuid>,
) -> Result<Vec<Held>, DbErr> {
    let mut q =
        leave_booking::Entity::find().filter(leave_booking::Column::EmployeeId.eq(employee_id));
    if let Some(id) = except {
        q = q.filter(leave_booking::Column::RequestId.ne(id));
    }
    Ok(q.all(db).await?.iter().map(Held::from).collect())
}

/// Holiday calendars by year, each read at most once.
struct Calendars<'a, C> {
    db: &'a C,
    years: BTreeMap<i32, Option<HolidayCalendar>>,
}

impl<C: ConnectionTrait> Calendars<'_, C> {
    async fn year(&mut self, year: i32) -> Result<Option<&HolidayCalendar>, DbErr> {
        if !self.years.contains_key(&year) {
            let calendar = match ReferenceService::calendar_in(self.db, year).await {
                Ok(c) => Some(c),
                Err(ReferenceError::CalendarNotFound(_)) => None,
                Err(ReferenceError::Database(e)) => return Err(e),
            };
            self.years.insert(year, calendar);
        }
        Ok(self.years.get(&year).and_then(Option::as_ref))
    }

    /// Working days from `start` to `end`; `None` when a year's calendar is missing.
    async fn working_days(
        &mut self,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Option<u32>, DbErr> {
        let mut total = 0;
        for year in start.year()..=end.year() {
            let Some(cal) = self.year(year).await? else {
                return Ok(None);
            };
            let from = start.max(NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(start));
            let to = end.min(NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(end));
            total += cal.working_days(from, to).unwrap_or(0);
        }
        Ok(Some(total))
    }

    /// The cuti bersama days from `start` to `end`.
    async fn cuti_bersama(
        &mut self,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Option<u32>, DbErr> {
        let mut total = 0;
        for year in start.year()..=end.year() {
            let Some(cal) = self.year(year).await? else {
                return Ok(None);
            };
            total += cal
                .of_kind(HolidayKind::CutiBersama)
                .filter(|d| d.date >= start && d.date <= end)
                .count() as u32;
        }
        Ok(Some(total))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn form(v: serde_json::Value) -> FormValues {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn the_form_is_read_as_the_rules_expect() {
        let a = Answers::read(&form(json!({
            "abroad": "ya",
            "purpose": "haji_pertama",
            "sick_kind": "gugur_kandungan",
            "doctor_certificate": [{"id": "f1"}],
            "medical_board_letter": [],
            "extension": "ya",
        })));
        assert_eq!(
            a,
            Answers {
                abroad: true,
                first_hajj: true,
                sick_cause: SickCause::Miscarriage,
                doctor_certificate: true,
                medical_board_letter: false,
                extension: true,
            }
        );
        let a = Answers::read(&form(json!({
            "abroad": "tidak",
            "purpose": "umrah",
            "sick_kind": "lainnya",
            "extension": "tidak",
        })));
        assert_eq!(a, Answers::default());
        assert_eq!(
            Answers::read(&form(json!({"sick_kind": "kecelakaan_kerja"}))).sick_cause,
            SickCause::WorkAccident
        );
    }
}
