//! Working hours: each unit's schedule (for it and every unit below it, or the whole agency's),
//! with its variants for a period (Ramadan), flexible starts, and days worked anywhere.
//! Administrators set them, stepped up; a day no schedule covers keeps the configured hours
//! (`[attendance]`: Monday to Thursday, and Friday's end).

use abdi_proto::attendance::{NewSchedule, Schedule, WorkDay, WorkMode, WorkingHours};
use chrono::{Datelike, NaiveDate, Weekday};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::entity::schedule;
use super::{Attendance, AttendanceError};
use crate::access::{AccessError, Action, Actor};
use crate::config::AttendanceConfig;
use crate::masterdata::entity::org_unit;

/// A kept schedule with the unit it is for (none: the whole agency).
#[derive(Debug, Clone)]
pub struct Kept {
    pub unit_id: Option<Uuid>,
    pub schedule: Schedule,
}

/// The hours on `date` of an employee whose unit chain (nearest first) is `chain`: the
/// schedule of the nearest unit that has one in force, a period's variant before a standing
/// one, then the newest; with none, the configured week. `None`: not a working day.
pub fn hours_on(
    kept: &[Kept],
    chain: &[Uuid],
    date: NaiveDate,
    config: &AttendanceConfig,
) -> Option<WorkingHours> {
    let depth = |k: &Kept| match k.unit_id {
        Some(u) => chain.iter().position(|c| *c == u),
        None => Some(chain.len()),
    };
    let chosen = kept
        .iter()
        .filter(|k| k.schedule.covers(date))
        .filter_map(|k| depth(k).map(|d| (d, k)))
        .min_by(|(da, a), (db, b)| {
            da.cmp(db)
                .then(b.schedule.until.is_some().cmp(&a.schedule.until.is_some()))
                .then(b.schedule.from.cmp(&a.schedule.from))
        });
    match chosen {
        Some((_, k)) => k.schedule.hours(date),
        None => match date.weekday() {
            Weekday::Sat | Weekday::Sun => None,
            day => Some(WorkingHours {
                starts: config.work_starts,
                ends: if day == Weekday::Fri {
                    config.friday_ends
                } else {
                    config.work_ends
                },
                flexible_minutes: 0,
                mode: WorkMode::Office,
            }),
        },
    }
}

impl Attendance {
    /// Sets a schedule for a unit, or for the whole agency.
    pub async fn add_schedule(
        &self,
        actor: &Actor,
        new: NewSchedule,
    ) -> Result<Schedule, AttendanceError> {
        actor
            .authorize_sensitive(Action::ManageAttendancePlaces, None)
            .await?;
        if let Some((id, en)) = new.problem() {
            return Err(AttendanceError::schedule(
                format!("Jadwal kerja tidak dapat dipakai: {id}."),
                format!("The schedule cannot be used: {en}."),
            ));
        }
        let unit = match new.unit_code.as_deref() {
            Some(code) => Some(
                org_unit::Entity::find()
                    .filter(org_unit::Column::Code.eq(code.trim()))
                    .one(&self.db)
                    .await?
                    .ok_or_else(|| AccessError::UnitNotFound(code.chars().take(64).collect()))?,
            ),
            None => None,
        };
        let mut days = new.days.clone();
        days.sort_by_key(|d| d.weekday);
        let model = schedule::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(new.name.trim().to_owned()),
            unit_id: Set(unit.as_ref().map(|u| u.id)),
            from: Set(new.from),
            until: Set(new.until),
            days: Set(serde_json::to_string(&days).unwrap_or_else(|_| "[]".into())),
            flexible_minutes: Set(i32::try_from(new.flexible_minutes).unwrap_or(0)),
            active: Set(true),
            created_by: Set(actor.employee_id),
            created_at: Set(self.clock.now()),
        }
        .insert(&self.db)
        .await?;
        Ok(view(&model, unit.map(|u| u.code)))
    }

    /// Every schedule in force or to come, newest first.
    pub async fn all_schedules(&self, actor: &Actor) -> Result<Vec<Schedule>, AttendanceError> {
        actor
            .authorize(Action::ManageAttendancePlaces, None)
            .await?;
        let kept = self.kept_schedules().await?;
        let units: std::collections::HashMap<Uuid, String> = org_unit::Entity::find()
            .filter(org_unit::Column::Id.is_in(kept.iter().filter_map(|k| k.unit_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.code))
            .collect();
        let mut out: Vec<Schedule> = kept
            .into_iter()
            .map(|k| Schedule {
                unit_code: k.unit_id.and_then(|u| units.get(&u).cloned()),
                ..k.schedule
            })
            .collect();
        out.sort_by_key(|s| std::cmp::Reverse(s.id));
        Ok(out)
    }

    /// The active schedules (a short table: one or a few per unit).
    pub(super) async fn kept_schedules(&self) -> Result<Vec<Kept>, AttendanceError> {
        Ok(schedule::Entity::find()
            .filter(schedule::Column::Active.eq(true))
            .all(&self.db)
            .await?
            .iter()
            .map(|m| Kept {
                unit_id: m.unit_id,
                schedule: view(m, None),
            })
            .collect())
    }
}

fn view(m: &schedule::Model, unit_code: Option<String>) -> Schedule {
    // A list an operator broke by hand keeps no working day rather than failing every read.
    let days: Vec<WorkDay> = serde_json::from_str(&m.days).unwrap_or_default();
    Schedule {
        id: m.id,
        name: m.name.clone(),
        unit_code,
        from: m.from,
        until: m.until,
        days,
        flexible_minutes: u32::try_from(m.flexible_minutes).unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
    }

    fn week(starts: NaiveTime, ends: NaiveTime, mode: WorkMode) -> Vec<WorkDay> {
        (1..=5)
            .map(|weekday| WorkDay {
                weekday,
                starts,
                ends,
                mode,
            })
            .collect()
    }

    fn kept(
        unit: Option<Uuid>,
        from: NaiveDate,
        until: Option<NaiveDate>,
        days: Vec<WorkDay>,
    ) -> Kept {
        Kept {
            unit_id: unit,
            schedule: Schedule {
                id: Uuid::now_v7(),
                name: "s".into(),
                unit_code: None,
                from,
                until,
                days,
                flexible_minutes: 0,
            },
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn the_nearest_unit_then_the_period_variant_then_the_configured_week_decide() {
        let config = AttendanceConfig::default();
        let (unit, parent, elsewhere) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let chain = [unit, parent];
        // Nothing set: the configured week, Friday ending later, the weekend off.
        let fri = hours_on(&[], &chain, d("2027-03-05"), &config).map(|h| h.ends);
        assert_eq!(fri, Some(t(16, 30)));
        assert_eq!(hours_on(&[], &chain, d("2027-03-06"), &config), None);
        let agency = kept(
            None,
            d("2027-01-01"),
            None,
            week(t(7, 0), t(15, 0), WorkMode::Office),
        );
        let parents = kept(
            Some(parent),
            d("2027-01-01"),
            None,
            week(t(7, 30), t(16, 0), WorkMode::Office),
        );
        let ramadan = kept(
            Some(parent),
            d("2027-02-08"),
            Some(d("2027-03-09")),
            week(t(8, 0), t(15, 0), WorkMode::Office),
        );
        let other = kept(
            Some(elsewhere),
            d("2027-01-01"),
            None,
            week(t(6, 0), t(12, 0), WorkMode::Anywhere),
        );
        let all = [agency.clone(), parents.clone(), ramadan.clone(), other];
        let on = |date: &str| hours_on(&all, &chain, d(date), &config).map(|h| h.starts);
        // The parent unit's own beats the agency's; Ramadan beats the standing one.
        assert_eq!(on("2027-01-04"), Some(t(7, 30)));
        assert_eq!(on("2027-02-10"), Some(t(8, 0)));
        assert_eq!(on("2027-03-10"), Some(t(7, 30)));
        // Another unit's schedule is not this employee's; before any schedule, the config.
        assert_eq!(
            hours_on(&[agency], &[elsewhere], d("2026-12-01"), &config).map(|h| h.starts),
            Some(t(7, 30))
        );
        // A weekday the schedule leaves out is not a working day.
        let four = kept(
            Some(unit),
            d("2027-01-01"),
            None,
            week(t(7, 0), t(17, 0), WorkMode::Anywhere)
                .into_iter()
                .take(4)
                .collect(),
        );
        assert_eq!(
            hours_on(&[four.clone(), parents], &chain, d("2027-01-08"), &config),
            None
        );
        assert_eq!(
            hours_on(&[four], &chain, d("2027-01-07"), &config).map(|h| h.mode),
            Some(WorkMode::Anywhere)
        );
    }
}
