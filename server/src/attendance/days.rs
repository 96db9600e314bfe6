//! What each day came to: off (a weekend, a holiday or cuti bersama of the calendar), excused
//! (approved leave), or the accepted check-in and check-out against the working day, with the
//! minutes late (TL) and early (PSW). A flagged check-in counts once the atasan accepts it.

use abdi_proto::attendance::{CheckKind, DayKind, DayStatus, Verdict};
use abdi_proto::leave::BookingState;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entity::check_in;
use super::{Attendance, AttendanceError};
use crate::clock::jakarta_midnight;
use crate::leave::entity::leave_booking;
use crate::reference::ReferenceService;

impl Attendance {
    /// `employee_id`'s days from `from` to `to` (both included, WIB).
    pub async fn days(
        &self,
        employee_id: Uuid,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DayStatus>, AttendanceError> {
        let start = jakarta_midnight(from);
        let end = jakarta_midnight(to + Duration::days(1));
        let check_ins = check_in::Entity::find()
            .filter(check_in::Column::EmployeeId.eq(employee_id))
            .filter(check_in::Column::At.gte(start))
            .filter(check_in::Column::At.lt(end))
            .order_by_asc(check_in::Column::At)
            .all(&self.db)
            .await?;
        let leave = leave_booking::Entity::find()
            .filter(leave_booking::Column::EmployeeId.eq(employee_id))
            .filter(leave_booking::Column::State.eq(BookingState::Approved))
            .filter(leave_booking::Column::StartDate.lte(to))
            .filter(leave_booking::Column::EndDate.gte(from))
            .all(&self.db)
            .await?;
        let mut calendars = std::collections::HashMap::new();
        for year in from.year()..=to.year() {
            // A year without a calendar yet: its weekdays count as working days.
            if let Ok(c) = ReferenceService::calendar_in(&self.db, year).await {
                calendars.insert(year, c);
            }
        }
        let now = self.clock.now();
        let mut out = Vec::new();
        let mut day = from;
        while day <= to {
            let holiday = calendars.get(&day.year()).and_then(|c| c.get(day));
            let on_leave = leave
                .iter()
                .find(|b| b.start_date <= day && day <= b.end_date);
            let of_day: Vec<&check_in::Model> = check_ins
                .iter()
                .filter(|c| {
                    c.at >= jakarta_midnight(day)
                        && c.at < jakarta_midnight(day + Duration::days(1))
                })
                .collect();
            let counted = |kind: CheckKind| {
                of_day
                    .iter()
                    .filter(move |c| c.kind == kind && c.verdict == Verdict::Accepted)
            };
            let first_in = counted(CheckKind::In).map(|c| c.at).min();
            let last_out = counted(CheckKind::Out).map(|c| c.at).max();
            let waiting = of_day
                .iter()
                .filter(|c| c.verdict == Verdict::Flagged)
                .count() as u32;
            let ends = if day.weekday() == Weekday::Fri {
                self.config.friday_ends
            } else {
                self.config.work_ends
            };
            let wib = |t: chrono::NaiveTime| -> DateTime<Utc> {
                day.and_time(t).and_utc() - Duration::hours(7)
            };
            let (starts_at, ends_at) = (wib(self.config.work_starts), wib(ends));
            let mut status = DayStatus {
                date: day,
                kind: DayKind::Present,
                check_in: first_in,
                check_out: last_out,
                late_minutes: 0,
                early_minutes: 0,
                why: None,
                waiting,
            };
            if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                status.kind = DayKind::Weekend;
            } else if let Some(h) = holiday {
                status.kind = DayKind::Holiday;
                status.why = Some(h.name_id.clone());
            } else if let Some(b) = on_leave {
                status.kind = DayKind::Excused;
                status.why = Some(format!("Cuti ({})", b.kind));
            } else if let Some(came) = first_in {
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
            } else if now >= ends_at {
                status.kind = DayKind::Absent;
            } else {
                status.kind = DayKind::NotYet;
            }
            out.push(status);
            day += Duration::days(1);
        }
        Ok(out)
    }
}
