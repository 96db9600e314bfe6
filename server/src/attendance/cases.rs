//! Unexcused absence adds up (PP 94/2021 Pasal 11): a run each night counts every active
//! employee's working days without a check-in or an excuse this year, from the day the agency
//! began counting (`attendance.cases_from`), and opens a case for the fasilitator at each
//! threshold crossed (3, 4, 7, 11, 14, 17, 21, 25 and 28 days, or 10 in a row), once. A case
//! names the sanction the article sets for it: a proposal, never a sanction. The fasilitator
//! looks into it and closes it with a note, after filing `hukuman_disiplin` or saying why not.

use std::collections::HashMap;
use std::time::Duration as StdDuration;

use abdi_proto::Text;
use abdi_proto::attendance::{AbsenceCase, DayKind, DayStatus, crossed};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::entity::case;
use super::{Attendance, AttendanceError};
use crate::access::{Access, AccessError, Actor};
use crate::masterdata::entity::{employee, org_unit};

/// The most cases one list shows.
const MOST_CASES: u64 = 2_000;
/// Employees whose year is worked out at once.
const CHUNK: u64 = 500;
/// When the nightly run starts, WIB (after the day's last check-out could arrive).
const RUN_AT: NaiveTime = match NaiveTime::from_hms_opt(1, 30, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseRun {
    pub employees: u32,
    pub opened: u32,
}

/// The working days without excuse among `days` (in date order), and the longest run of them
/// with no working day between that was not one.
pub fn unexcused(days: &[DayStatus]) -> (Vec<NaiveDate>, u32) {
    let (mut dates, mut run, mut longest) = (Vec::new(), 0u32, 0u32);
    for d in days {
        match d.kind {
            DayKind::Absent => {
                dates.push(d.date);
                run += 1;
                longest = longest.max(run);
            }
            // Days off neither count nor break a run.
            DayKind::Weekend | DayKind::Holiday => {}
            _ => run = 0,
        }
    }
    (dates, longest)
}

/// The words of PP 94/2021 Pasal 11 for a threshold's sanction.
fn explanation(threshold: &str, sanction: &str) -> Text {
    let (id, en) = match sanction {
        "teguran_lisan" => (
            "hukuman disiplin ringan berupa teguran lisan",
            "a light sanction: a verbal warning",
        ),
        "teguran_tertulis" => (
            "hukuman disiplin ringan berupa teguran tertulis",
            "a light sanction: a written warning",
        ),
        "pernyataan_tidak_puas" => (
            "hukuman disiplin ringan berupa pernyataan tidak puas secara tertulis",
            "a light sanction: a written statement of dissatisfaction",
        ),
        "potong_tukin_6" => (
            "hukuman disiplin sedang berupa pemotongan tunjangan kinerja 25% selama 6 bulan",
            "a moderate sanction: a 25% cut of tunjangan kinerja for 6 months",
        ),
        "potong_tukin_9" => (
            "hukuman disiplin sedang berupa pemotongan tunjangan kinerja 25% selama 9 bulan",
            "a moderate sanction: a 25% cut of tunjangan kinerja for 9 months",
        ),
        "potong_tukin_12" => (
            "hukuman disiplin sedang berupa pemotongan tunjangan kinerja 25% selama 12 bulan",
            "a moderate sanction: a 25% cut of tunjangan kinerja for 12 months",
        ),
        "turun_jabatan" => (
            "hukuman disiplin berat berupa penurunan jabatan setingkat lebih rendah selama 12 bulan",
            "a heavy sanction: demotion by one level for 12 months",
        ),
        "jabatan_pelaksana" => (
            "hukuman disiplin berat berupa pembebasan dari jabatan menjadi jabatan pelaksana selama 12 bulan",
            "a heavy sanction: release to a pelaksana post for 12 months",
        ),
        _ => (
            "hukuman disiplin berat berupa pemberhentian dengan hormat tidak atas permintaan sendiri",
            "a heavy sanction: honourable dismissal not at one's own request",
        ),
    };
    let (when_id, when_en) = match threshold.strip_prefix("days_") {
        Some(n) => (
            format!(
                "Tidak masuk kerja tanpa alasan yang sah {n} hari kerja atau lebih dalam satu tahun"
            ),
            format!("Absent without a valid reason for {n} or more working days in a year"),
        ),
        None => (
            "Tidak masuk kerja tanpa alasan yang sah 10 hari kerja berturut-turut".to_owned(),
            "Absent without a valid reason for 10 working days in a row".to_owned(),
        ),
    };
    Text::new(
        format!("{when_id}: {id} (PP 94/2021 Pasal 11). Usulan untuk diperiksa, bukan keputusan."),
        format!(
            "{when_en}: {en} (PP 94/2021 Article 11). A proposal to look into, not a decision."
        ),
    )
}

impl Attendance {
    /// Counts this year's unexcused days up to yesterday and opens the cases newly crossed.
    /// Without `cases_from` nothing is counted (the agency has not begun).
    pub async fn open_cases(&self) -> Result<CaseRun, AttendanceError> {
        let Some(from) = self.config.cases_from else {
            return Ok(CaseRun::default());
        };
        let yesterday = self.clock.today() - Duration::days(1);
        let from = from.max(NaiveDate::from_ymd_opt(yesterday.year(), 1, 1).unwrap_or(from));
        if yesterday < from {
            return Ok(CaseRun::default());
        }
        let now = self.clock.now();
        let mut run = CaseRun::default();
        let mut after: Option<Uuid> = None;
        loop {
            let mut page = employee::Entity::find()
                .filter(employee::Column::Active.eq(true))
                .order_by_asc(employee::Column::Id)
                .limit(CHUNK);
            if let Some(a) = after {
                page = page.filter(employee::Column::Id.gt(a));
            }
            let people = page.all(&self.db).await?;
            let Some(last) = people.last() else { break };
            after = Some(last.id);
            let pairs: Vec<(Uuid, Uuid)> = people.iter().map(|e| (e.id, e.unit_id)).collect();
            let days = self.days_of(&pairs, from, yesterday).await?;
            for (employee_id, days) in days {
                run.employees += 1;
                let (dates, longest) = unexcused(&days);
                for (threshold, sanction) in crossed(dates.len() as u32, longest) {
                    let inserted = case::Entity::insert(case::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        employee_id: Set(employee_id),
                        year: Set(yesterday.year()),
                        threshold: Set(threshold),
                        sanction: Set(sanction.to_owned()),
                        days: Set(dates.len() as i32),
                        dates: Set(serde_json::to_string(&dates).unwrap_or_else(|_| "[]".into())),
                        opened_at: Set(now),
                        state: Set("open".into()),
                        closed_by: Set(None),
                        closed_at: Set(None),
                        note: Set(None),
                    })
                    .on_conflict(
                        OnConflict::columns([
                            case::Column::EmployeeId,
                            case::Column::Year,
                            case::Column::Threshold,
                        ])
                        .do_nothing()
                        .to_owned(),
                    )
                    .exec_without_returning(&self.db)
                    .await?;
                    run.opened += inserted as u32;
                }
            }
        }
        Ok(run)
    }

    /// The cases the caller may see (an administrator's all, a fasilitator's those of their
    /// units), open ones first, newest first.
    pub async fn cases(&self, actor: &Actor) -> Result<Vec<AbsenceCase>, AttendanceError> {
        let who = actor.principal().await?;
        if !who.administrator && who.fasilitator_units.is_empty() {
            return Err(AccessError::Forbidden.into());
        }
        // Open ones first ("open" sorts after "closed"), newest first; a fasilitator's are
        // those of the employees of the units they cover, chosen in the query itself.
        let mut query = case::Entity::find()
            .order_by_desc(case::Column::State)
            .order_by_desc(case::Column::OpenedAt)
            .limit(MOST_CASES);
        if !who.administrator {
            let covered = Access::covered(&self.db, who).await?;
            query = query.filter(
                case::Column::EmployeeId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(employee::Column::Id)
                        .from(employee::Entity)
                        .and_where(employee::Column::UnitId.is_in(covered))
                        .to_owned(),
                ),
            );
        }
        let rows = query.all(&self.db).await?;
        let people: HashMap<Uuid, employee::Model> = employee::Entity::find()
            .filter(employee::Column::Id.is_in(rows.iter().map(|c| c.employee_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        let units: HashMap<Uuid, String> = org_unit::Entity::find()
            .filter(org_unit::Column::Id.is_in(people.values().map(|e| e.unit_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        Ok(rows
            .iter()
            .filter_map(|c| {
                let e = people.get(&c.employee_id)?;
                Some(view(
                    c,
                    e,
                    units.get(&e.unit_id).cloned().unwrap_or_default(),
                ))
            })
            .collect())
    }

    /// The fasilitator closes a case with what was done about it.
    pub async fn close_case(
        &self,
        actor: &Actor,
        id: Uuid,
        note: &str,
    ) -> Result<AbsenceCase, AttendanceError> {
        let who = actor.principal().await?;
        if !who.administrator && who.fasilitator_units.is_empty() {
            return Err(AccessError::Forbidden.into());
        }
        let note = note.trim();
        if note.chars().count() < 10 || note.chars().count() > 2_000 || note.contains('\0') {
            return Err(AttendanceError::query(
                "Tulis tindak lanjutnya (10 sampai 2.000 karakter): kasus disiplin yang diajukan, atau mengapa tidak.",
                "Write what was done (10 to 2,000 characters): the disciplinary case filed, or why none was.",
            ));
        }
        let found = case::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(AttendanceError::CaseNotFound)?;
        let e = employee::Entity::find_by_id(found.employee_id)
            .one(&self.db)
            .await?
            .ok_or(AttendanceError::CaseNotFound)?;
        let may = who.administrator || Access::covered(&self.db, who).await?.contains(&e.unit_id);
        if !may {
            // Someone else's case is not told to exist.
            return Err(AttendanceError::CaseNotFound);
        }
        if found.state != "open" {
            return Err(AttendanceError::CaseClosed);
        }
        let mut row: case::ActiveModel = found.into();
        row.state = Set("closed".into());
        row.closed_by = Set(Some(actor.employee_id));
        row.closed_at = Set(Some(self.clock.now()));
        row.note = Set(Some(note.to_owned()));
        let row = row.update(&self.db).await?;
        let unit = org_unit::Entity::find_by_id(e.unit_id)
            .one(&self.db)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        Ok(view(&row, &e, unit))
    }

    /// Runs [`Attendance::open_cases`] every night at 01:30 WIB, for as long as the server runs.
    pub fn spawn_nightly(&self) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                let local = (this.clock.now() + Duration::hours(7)).naive_utc();
                let mut next = local.date().and_time(RUN_AT);
                if next <= local {
                    next += Duration::days(1);
                }
                let wait = (next - local)
                    .to_std()
                    .unwrap_or(StdDuration::from_secs(60));
                tokio::time::sleep(wait).await;
                match this.open_cases().await {
                    Ok(r) => tracing::info!(
                        employees = r.employees,
                        opened = r.opened,
                        "attendance: absence counted"
                    ),
                    Err(e) => tracing::warn!(error = %e, "attendance: the absence count failed"),
                }
            }
        })
    }
}

fn view(c: &case::Model, e: &employee::Model, unit: String) -> AbsenceCase {
    AbsenceCase {
        id: c.id,
        nip: e.nip.clone(),
        name: e.full_name(),
        unit,
        year: c.year,
        explanation: explanation(&c.threshold, &c.sanction),
        threshold: c.threshold.clone(),
        sanction: c.sanction.clone(),
        days: u32::try_from(c.days).unwrap_or(0),
        dates: serde_json::from_str(&c.dates).unwrap_or_default(),
        opened_at: c.opened_at,
        open: c.state == "open",
        note: c.note.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(date: &str, kind: DayKind) -> DayStatus {
        DayStatus {
            date: date.parse().unwrap_or_default(),
            kind,
            check_in: None,
            check_out: None,
            late_minutes: 0,
            early_minutes: 0,
            why: None,
            waiting: 0,
        }
    }

    #[test]
    fn days_off_neither_count_nor_break_a_run_and_a_day_in_does() {
        use DayKind::*;
        let days = [
            day("2027-01-07", Absent),
            day("2027-01-08", Absent),
            day("2027-01-09", Weekend),
            day("2027-01-10", Weekend),
            day("2027-01-11", Absent),
            day("2027-01-12", Excused),
            day("2027-01-13", Absent),
        ];
        let (dates, longest) = unexcused(&days);
        assert_eq!(dates.len(), 4);
        assert_eq!(longest, 3);
        // Four days: a verbal and a written warning; ten in a row: dismissal too.
        assert_eq!(
            crossed(4, 3)
                .iter()
                .map(|(t, _)| t.as_str())
                .collect::<Vec<_>>(),
            ["days_3", "days_4"]
        );
        assert!(
            crossed(10, 10)
                .iter()
                .any(|(t, s)| t == "consecutive_10" && *s == "pemberhentian")
        );
        assert!(crossed(2, 2).is_empty());
        assert!(
            explanation("days_4", "teguran_tertulis")
                .id
                .contains("teguran tertulis")
        );
    }
}
