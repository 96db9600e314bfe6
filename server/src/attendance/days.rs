//! What each day came to: off (not a working day of the schedule, a holiday or cuti bersama of
//! the calendar), excused (approved leave, sick leave among it; official travel on a surat
//! tugas), or the accepted check-in and check-out (a granted correction counts as one) against
//! the day's schedule, with the minutes late (TL) and early (PSW). A flagged check-in counts
//! once the atasan accepts it.
//!
//! The days of many employees (a team, a unit's month) are read in one query per source and
//! worked out without I/O by [`day_status`].

use std::collections::HashMap;

use abdi_proto::HolidayCalendar;
use abdi_proto::attendance::{CheckKind, DayKind, DayStatus, Verdict, WorkingHours};
use abdi_proto::leave::BookingState;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::entity::{check_in, correction, excuse};
use super::schedules::{Kept, hours_on};
use super::{Attendance, AttendanceError};
use crate::access::Access;
use crate::clock::{jakarta_midnight, wib_instant};
use crate::leave::entity::leave_booking;
use crate::masterdata::entity::employee;
use crate::reference::ReferenceService;

/// The longest span one read covers (a recap's month, a year's count of absences).
pub const MOST_DAYS: i64 = 366;
/// Employees per `IN (...)` list.
const CHUNK: usize = 1_000;

/// One employee's day as its sources have it.
#[derive(Debug, Default)]
pub struct DayFacts<'a> {
    /// Not a working day of the schedule: `None`.
    pub hours: Option<WorkingHours>,
    /// A holiday or cuti bersama: its name.
    pub holiday: Option<&'a str>,
    /// Why the day is excused (leave, travel), if it is.
    pub excused: Option<String>,
    /// The day's check-ins (and granted corrections, as accepted ones): kind, time, verdict.
    pub checks: Vec<(CheckKind, DateTime<Utc>, Verdict)>,
}

/// What `facts` make of `date`, as seen at `now`.
pub fn day_status(date: NaiveDate, facts: &DayFacts<'_>, now: DateTime<Utc>) -> DayStatus {
    let counted = |kind: CheckKind| {
        facts
            .checks
            .iter()
            .filter(move |(k, _, v)| *k == kind && *v == Verdict::Accepted)
            .map(|(_, at, _)| *at)
    };
    let first_in = counted(CheckKind::In).min();
    let last_out = counted(CheckKind::Out).max();
    let waiting = facts
        .checks
        .iter()
        .filter(|(_, _, v)| *v == Verdict::Flagged)
        .count() as u32;
    let mut status = DayStatus {
        date,
        kind: DayKind::Present,
        check_in: first_in,
        check_out: last_out,
        late_minutes: 0,
        early_minutes: 0,
        why: None,
        waiting,
    };
    let Some(hours) = facts.hours else {
        status.kind = DayKind::Weekend;
        return status;
    };
    if let Some(name) = facts.holiday {
        status.kind = DayKind::Holiday;
        status.why = Some(name.to_owned());
        return status;
    }
    if let Some(why) = &facts.excused {
        status.kind = DayKind::Excused;
        status.why = Some(why.clone());
        return status;
    }
    let wib = |t: NaiveTime| wib_instant(date, t);
    let flexible = Duration::minutes(i64::from(hours.flexible_minutes));
    let (starts_at, ends_at) = (wib(hours.starts), wib(hours.ends));
    let Some(came) = first_in else {
        status.kind = if now >= ends_at + flexible {
            DayKind::Absent
        } else {
            DayKind::NotYet
        };
        return status;
    };
    // A flexible start moves the end as much later (the day's length still met).
    let shift = (came - starts_at).clamp(Duration::zero(), flexible);
    let (starts_at, ends_at) = (starts_at + shift, ends_at + shift);
    // Late from the minute after the start (07:30:59 is on time).
    let late = (came - starts_at).num_seconds();
    status.late_minutes = if late >= 60 { (late / 60) as u32 } else { 0 };
    let early = match last_out {
        Some(left) => (ends_at - left).num_seconds().max(0),
        // No check-out once the day is over: out at the check-in, as PSW counts it.
        None if now >= ends_at => (ends_at - came).num_seconds().max(0),
        None => 0,
    };
    status.early_minutes = (early as u64).div_ceil(60) as u32;
    status.kind = if status.late_minutes > 0 {
        DayKind::Late
    } else if status.early_minutes > 0 {
        DayKind::LeftEarly
    } else {
        DayKind::Present
    };
    status
}

/// The sources of some employees' days over a span, each read once.
struct Ledger {
    checks: HashMap<Uuid, Vec<(CheckKind, DateTime<Utc>, Verdict)>>,
    leave: HashMap<Uuid, Vec<leave_booking::Model>>,
    excuses: HashMap<Uuid, Vec<excuse::Model>>,
    calendars: HashMap<i32, HolidayCalendar>,
    schedules: Vec<Kept>,
    /// Each unit's chain, nearest first.
    chains: HashMap<Uuid, Vec<Uuid>>,
}

impl Attendance {
    /// `employee_id`'s days from `from` to `to` (both included, WIB).
    pub async fn days(
        &self,
        employee_id: Uuid,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DayStatus>, AttendanceError> {
        let who = employee::Entity::find_by_id(employee_id)
            .one(&self.db)
            .await?
            .ok_or(crate::access::AccessError::EmployeeNotFound)?;
        let mut all = self.days_of(&[(who.id, who.unit_id)], from, to).await?;
        Ok(all.remove(&employee_id).unwrap_or_default())
    }

    /// The days of each of `people` (employee, unit) from `from` to `to`.
    pub(super) async fn days_of(
        &self,
        people: &[(Uuid, Uuid)],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<HashMap<Uuid, Vec<DayStatus>>, AttendanceError> {
        if to < from || (to - from).num_days() >= MOST_DAYS {
            return Err(AttendanceError::query(
                format!("Rentang tanggal 1 sampai {MOST_DAYS} hari."),
                format!("The span is 1 to {MOST_DAYS} days."),
            ));
        }
        let ledger = self.ledger(people, from, to).await?;
        let now = self.clock.now();
        let mut out = HashMap::with_capacity(people.len());
        for &(employee_id, unit_id) in people {
            let chain = ledger.chains.get(&unit_id).map_or(&[][..], Vec::as_slice);
            let checks = ledger
                .checks
                .get(&employee_id)
                .map_or(&[][..], Vec::as_slice);
            let leave = ledger
                .leave
                .get(&employee_id)
                .map_or(&[][..], Vec::as_slice);
            let excuses = ledger
                .excuses
                .get(&employee_id)
                .map_or(&[][..], Vec::as_slice);
            let mut days = Vec::new();
            let mut day = from;
            while day <= to {
                let (start, end) = (
                    jakarta_midnight(day),
                    jakarta_midnight(day + Duration::days(1)),
                );
                let excused = leave
                    .iter()
                    .find(|b| b.start_date <= day && day <= b.end_date)
                    .map(|b| leave_words(&b.kind))
                    .or_else(|| {
                        excuses
                            .iter()
                            .find(|e| e.start_date <= day && day <= e.end_date)
                            .map(|e| e.why.clone())
                    });
                let facts = DayFacts {
                    hours: hours_on(&ledger.schedules, chain, day, &self.config),
                    holiday: ledger
                        .calendars
                        .get(&day.year())
                        .and_then(|c| c.get(day))
                        .map(|h| h.name_id.as_str()),
                    excused,
                    checks: checks
                        .iter()
                        .filter(|(_, at, _)| *at >= start && *at < end)
                        .copied()
                        .collect(),
                };
                days.push(day_status(day, &facts, now));
                day += Duration::days(1);
            }
            out.insert(employee_id, days);
        }
        Ok(out)
    }

    async fn ledger(
        &self,
        people: &[(Uuid, Uuid)],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Ledger, AttendanceError> {
        let (start, end) = (
            jakarta_midnight(from),
            jakarta_midnight(to + Duration::days(1)),
        );
        let mut ledger = Ledger {
            checks: HashMap::new(),
            leave: HashMap::new(),
            excuses: HashMap::new(),
            calendars: HashMap::new(),
            schedules: self.kept_schedules().await?,
            chains: HashMap::new(),
        };
        for chunk in people.chunks(CHUNK) {
            let ids: Vec<Uuid> = chunk.iter().map(|p| p.0).collect();
            for c in check_in::Entity::find()
                .filter(check_in::Column::EmployeeId.is_in(ids.clone()))
                .filter(check_in::Column::At.gte(start))
                .filter(check_in::Column::At.lt(end))
                .all(&self.db)
                .await?
            {
                ledger
                    .checks
                    .entry(c.employee_id)
                    .or_default()
                    .push((c.kind, c.at, c.verdict));
            }
            for c in correction::Entity::find()
                .filter(correction::Column::EmployeeId.is_in(ids.clone()))
                .filter(correction::Column::At.gte(start))
                .filter(correction::Column::At.lt(end))
                .all(&self.db)
                .await?
            {
                ledger.checks.entry(c.employee_id).or_default().push((
                    c.kind,
                    c.at,
                    Verdict::Accepted,
                ));
            }
            for b in leave_booking::Entity::find()
                .filter(leave_booking::Column::EmployeeId.is_in(ids.clone()))
                .filter(leave_booking::Column::State.eq(BookingState::Approved))
                .filter(leave_booking::Column::StartDate.lte(to))
                .filter(leave_booking::Column::EndDate.gte(from))
                .all(&self.db)
                .await?
            {
                ledger.leave.entry(b.employee_id).or_default().push(b);
            }
            for e in excuse::Entity::find()
                .filter(excuse::Column::EmployeeId.is_in(ids))
                .filter(excuse::Column::StartDate.lte(to))
                .filter(excuse::Column::EndDate.gte(from))
                .all(&self.db)
                .await?
            {
                ledger.excuses.entry(e.employee_id).or_default().push(e);
            }
        }
        for year in from.year()..=to.year() {
            // A year without a calendar yet: its weekdays count as working days.
            if let Ok(c) = ReferenceService::calendar_in(&self.db, year).await {
                ledger.calendars.insert(year, c);
            }
        }
        let mut units: Vec<Uuid> = people.iter().map(|p| p.1).collect();
        units.sort_unstable();
        units.dedup();
        for unit in units {
            let chain = Access::unit_chain(&self.db, unit)
                .await?
                .iter()
                .map(|u| u.id)
                .collect();
            ledger.chains.insert(unit, chain);
        }
        Ok(ledger)
    }
}

/// What an approved leave's day shows ("Cuti sakit").
fn leave_words(kind: &str) -> String {
    let words = match kind {
        "tahunan" => "Cuti tahunan",
        "besar" => "Cuti besar",
        "sakit" => "Cuti sakit",
        "melahirkan" => "Cuti melahirkan",
        "alasan_penting" => "Cuti karena alasan penting",
        "bersama" => "Cuti bersama",
        "cltn" => "Cuti di luar tanggungan negara",
        other => return format!("Cuti ({other})"),
    };
    words.to_owned()
}

/// The configured hours of a plain weekday, for tests of the pure part.
#[cfg(test)]
fn office(config: &crate::config::AttendanceConfig) -> WorkingHours {
    WorkingHours {
        starts: config.work_starts,
        ends: config.work_ends,
        flexible_minutes: 0,
        mode: abdi_proto::attendance::WorkMode::Office,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
        wib_instant(date, NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default())
    }

    #[test]
    fn late_early_absent_excused_and_a_flexible_start() {
        let config = crate::config::AttendanceConfig::default();
        let day: NaiveDate = "2027-03-03".parse().unwrap_or_default();
        let evening = at(day, 20, 0);
        let hours = Some(office(&config));
        let with = |checks: Vec<(CheckKind, DateTime<Utc>, Verdict)>| DayFacts {
            hours,
            checks,
            ..Default::default()
        };
        let s = day_status(
            day,
            &with(vec![
                (CheckKind::In, at(day, 7, 45), Verdict::Accepted),
                (CheckKind::Out, at(day, 16, 0), Verdict::Accepted),
            ]),
            evening,
        );
        assert_eq!(
            (s.kind, s.late_minutes, s.early_minutes),
            (DayKind::Late, 15, 0)
        );
        // No check-out once the day is over: out at the check-in.
        let s = day_status(
            day,
            &with(vec![(CheckKind::In, at(day, 7, 30), Verdict::Accepted)]),
            evening,
        );
        assert_eq!((s.kind, s.early_minutes), (DayKind::LeftEarly, 510));
        // A flagged check-in does not count until the atasan accepts it.
        let s = day_status(
            day,
            &with(vec![(CheckKind::In, at(day, 7, 0), Verdict::Flagged)]),
            evening,
        );
        assert_eq!((s.kind, s.waiting), (DayKind::Absent, 1));
        assert_eq!(
            day_status(day, &with(vec![]), at(day, 9, 0)).kind,
            DayKind::NotYet
        );
        let excused = DayFacts {
            hours,
            excused: Some("Dinas luar: Jakarta".into()),
            ..Default::default()
        };
        assert_eq!(day_status(day, &excused, evening).kind, DayKind::Excused);
        // Flexible by 60 minutes: in at 08:45 is 15 late, and the day ends at 17:00.
        let flexible = DayFacts {
            hours: Some(WorkingHours {
                flexible_minutes: 60,
                ..office(&config)
            }),
            checks: vec![
                (CheckKind::In, at(day, 8, 45), Verdict::Accepted),
                (CheckKind::Out, at(day, 16, 50), Verdict::Accepted),
            ],
            ..Default::default()
        };
        let s = day_status(day, &flexible, evening);
        assert_eq!(
            (s.kind, s.late_minutes, s.early_minutes),
            (DayKind::Late, 15, 10)
        );
        let flexible_on_time = DayFacts {
            checks: vec![
                (CheckKind::In, at(day, 8, 20), Verdict::Accepted),
                (CheckKind::Out, at(day, 16, 50), Verdict::Accepted),
            ],
            ..flexible
        };
        // In at 08:20 is on time, and out at 16:50 is the day's length.
        let s = day_status(day, &flexible_on_time, evening);
        assert_eq!(
            (s.kind, s.late_minutes, s.early_minutes),
            (DayKind::Present, 0, 0)
        );
    }
}
