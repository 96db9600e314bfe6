//! Supervision: the atasan's team today (their direct reports: who is in, who is late, who is
//! flagged), a unit's day for its fasilitators (the unit and every unit below it), and a unit's
//! month as the recap the tunjangan kinerja is worked out from, as JSON, CSV or PDF.

use std::collections::HashMap;

use abdi_proto::attendance::{DayCounts, DayKind, DayStatus, PersonDay, Recap, RecapRow, TeamDay};
use chrono::{Datelike, Duration, NaiveDate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{Attendance, AttendanceError};
use crate::access::{Access, AccessError, Actor};
use crate::masterdata::entity::{employee, org_unit, position};

/// The most employees a unit's list covers (a whole perangkat daerah, below it everything).
const MOST_PEOPLE: usize = 5_000;

impl Attendance {
    /// The caller's direct reports: the active employees whose posts report to the caller's
    /// (own, or held as Plt/Plh today).
    pub(super) async fn team_of(
        &self,
        actor: &Actor,
    ) -> Result<Vec<employee::Model>, AttendanceError> {
        let posts: Vec<Uuid> = actor.principal().await?.posts.iter().copied().collect();
        if posts.is_empty() {
            return Ok(Vec::new());
        }
        let below: Vec<Uuid> = position::Entity::find()
            .filter(position::Column::ReportsToId.is_in(posts))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        Ok(employee::Entity::find()
            .filter(employee::Column::PositionId.is_in(below))
            .filter(employee::Column::Active.eq(true))
            .order_by_asc(employee::Column::Nip)
            .all(&self.db)
            .await?)
    }

    /// The caller's team on `date` (today when none).
    pub async fn team_day(
        &self,
        actor: &Actor,
        date: Option<NaiveDate>,
    ) -> Result<TeamDay, AttendanceError> {
        let team = self.team_of(actor).await?;
        let date = date.unwrap_or_else(|| self.clock.today());
        self.listed(&team, date).await
    }

    /// The day of `unit_code` and every unit below it, for its fasilitators and administrators.
    pub async fn unit_day(
        &self,
        actor: &Actor,
        unit_code: &str,
        date: Option<NaiveDate>,
    ) -> Result<TeamDay, AttendanceError> {
        let (_, people) = self.unit_people(actor, unit_code).await?;
        let date = date.unwrap_or_else(|| self.clock.today());
        self.listed(&people, date).await
    }

    /// `unit_code`'s month (`YYYY-MM`): each employee's working days, days present, late and
    /// left early with their minutes, excused, and absent without excuse.
    pub async fn recap(
        &self,
        actor: &Actor,
        unit_code: &str,
        month: &str,
    ) -> Result<Recap, AttendanceError> {
        let first = NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d")
            .map_err(|_| {
                AttendanceError::query(
                    "Bulan ditulis TTTT-BB, misalnya 2026-12.",
                    "Write the month as YYYY-MM, for example 2026-12.",
                )
            })?;
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(first);
        let last = next - Duration::days(1);
        let (unit, people) = self.unit_people(actor, unit_code).await?;
        let units = self.unit_names(&people).await?;
        let pairs: Vec<(Uuid, Uuid)> = people.iter().map(|e| (e.id, e.unit_id)).collect();
        let mut days = self.days_of(&pairs, first, last).await?;
        let rows = people
            .iter()
            .map(|e| {
                let days = days.remove(&e.id).unwrap_or_default();
                recap_row(e, units.get(&e.unit_id).cloned().unwrap_or_default(), &days)
            })
            .collect();
        Ok(Recap {
            unit_code: unit.code,
            unit: unit.name,
            month: format!("{:04}-{:02}", first.year(), first.month()),
            rows,
        })
    }

    /// The unit `code` and its active employees (it and below), once the caller may see them:
    /// an administrator, or a fasilitator of it or a unit above it.
    async fn unit_people(
        &self,
        actor: &Actor,
        code: &str,
    ) -> Result<(org_unit::Model, Vec<employee::Model>), AttendanceError> {
        let who = actor.principal().await?;
        if !who.administrator && who.fasilitator_units.is_empty() {
            return Err(AccessError::Forbidden.into());
        }
        let unit = org_unit::Entity::find()
            .filter(org_unit::Column::Code.eq(code.trim()))
            .one(&self.db)
            .await?
            .ok_or_else(|| AccessError::UnitNotFound(code.chars().take(64).collect()))?;
        if !who.administrator && !Access::covered(&self.db, who).await?.contains(&unit.id) {
            return Err(AccessError::Forbidden.into());
        }
        let below = Access::units_below(&self.db, unit.id).await?;
        let people = employee::Entity::find()
            .filter(employee::Column::UnitId.is_in(below))
            .filter(employee::Column::Active.eq(true))
            .order_by_asc(employee::Column::Nip)
            .all(&self.db)
            .await?;
        if people.len() > MOST_PEOPLE {
            return Err(AttendanceError::query(
                format!(
                    "Unit ini dan unit di bawahnya memiliki {} pegawai; pilih unit yang lebih kecil (paling banyak {MOST_PEOPLE}).",
                    people.len()
                ),
                format!(
                    "This unit and those below it have {} employees; choose a smaller unit (at most {MOST_PEOPLE}).",
                    people.len()
                ),
            ));
        }
        Ok((unit, people))
    }

    async fn unit_names(
        &self,
        people: &[employee::Model],
    ) -> Result<HashMap<Uuid, String>, AttendanceError> {
        let mut ids: Vec<Uuid> = people.iter().map(|e| e.unit_id).collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(org_unit::Entity::find()
            .filter(org_unit::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect())
    }

    async fn listed(
        &self,
        people: &[employee::Model],
        date: NaiveDate,
    ) -> Result<TeamDay, AttendanceError> {
        let units = self.unit_names(people).await?;
        let pairs: Vec<(Uuid, Uuid)> = people.iter().map(|e| (e.id, e.unit_id)).collect();
        let mut days = self.days_of(&pairs, date, date).await?;
        let people: Vec<PersonDay> = people
            .iter()
            .filter_map(|e| {
                let day = days.remove(&e.id)?.pop()?;
                Some(PersonDay {
                    nip: e.nip.clone(),
                    name: e.full_name(),
                    unit: units.get(&e.unit_id).cloned().unwrap_or_default(),
                    day,
                })
            })
            .collect();
        Ok(TeamDay {
            date,
            counts: DayCounts::of(people.iter().map(|p| &p.day)),
            people,
        })
    }
}

fn recap_row(e: &employee::Model, unit: String, days: &[DayStatus]) -> RecapRow {
    let count = |f: &dyn Fn(&DayStatus) -> bool| days.iter().filter(|d| f(d)).count() as u32;
    let working = |d: &DayStatus| !matches!(d.kind, DayKind::Weekend | DayKind::Holiday);
    RecapRow {
        nip: e.nip.clone(),
        name: e.full_name(),
        unit,
        working_days: count(&working),
        present_days: count(&|d| {
            matches!(
                d.kind,
                DayKind::Present | DayKind::Late | DayKind::LeftEarly
            )
        }),
        late_days: count(&|d| d.late_minutes > 0),
        late_minutes: days.iter().map(|d| d.late_minutes).sum(),
        early_days: count(&|d| d.early_minutes > 0),
        early_minutes: days.iter().map(|d| d.early_minutes).sum(),
        excused_days: count(&|d| d.kind == DayKind::Excused),
        absent_days: count(&|d| d.kind == DayKind::Absent),
    }
}

/// The recap as CSV (UTF-8, a header row, one row per employee).
pub fn recap_csv(recap: &Recap) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "nip",
        "nama",
        "unit",
        "hari_kerja",
        "hadir",
        "hari_terlambat",
        "menit_terlambat",
        "hari_pulang_cepat",
        "menit_pulang_cepat",
        "hari_izin_cuti_dinas",
        "tanpa_keterangan",
    ];
    // Writing to memory does not fail.
    let _ = out.write_record(header);
    for r in &recap.rows {
        let _ = out.write_record([
            r.nip.clone(),
            // A spreadsheet runs a cell that starts with = + - @ as a formula.
            defused(&r.name),
            defused(&r.unit),
            r.working_days.to_string(),
            r.present_days.to_string(),
            r.late_days.to_string(),
            r.late_minutes.to_string(),
            r.early_days.to_string(),
            r.early_minutes.to_string(),
            r.excused_days.to_string(),
            r.absent_days.to_string(),
        ]);
    }
    String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn defused(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// The recap as a PDF for the unit's file: a table of every employee and its totals.
pub fn recap_pdf(
    recap: &Recap,
    (agency, place, today): (&str, &str, NaiveDate),
) -> Result<Vec<u8>, crate::documents::render::RenderError> {
    use crate::documents::letter::Report;
    use crate::documents::letter::tanggal;
    let month = NaiveDate::parse_from_str(&format!("{}-01", recap.month), "%Y-%m-%d")
        .map(|d| {
            let t = tanggal(d);
            // "1 Desember 2026" without its day.
            t.split_once(' ')
                .map_or(t.clone(), |(_, rest)| rest.to_owned())
        })
        .unwrap_or_else(|_| recap.month.clone());
    let total = |f: fn(&RecapRow) -> u32| recap.rows.iter().map(f).sum::<u32>().to_string();
    let mut rows: Vec<Vec<String>> = recap
        .rows
        .iter()
        .map(|r| {
            vec![
                format!("{}\n{}", r.name, r.nip),
                r.working_days.to_string(),
                r.present_days.to_string(),
                format!("{} ({} mnt)", r.late_days, r.late_minutes),
                format!("{} ({} mnt)", r.early_days, r.early_minutes),
                r.excused_days.to_string(),
                r.absent_days.to_string(),
            ]
        })
        .collect();
    rows.push(vec![
        format!("Jumlah ({} pegawai)", recap.rows.len()),
        total(|r| r.working_days),
        total(|r| r.present_days),
        format!(
            "{} ({} mnt)",
            total(|r| r.late_days),
            total(|r| r.late_minutes)
        ),
        format!(
            "{} ({} mnt)",
            total(|r| r.early_days),
            total(|r| r.early_minutes)
        ),
        total(|r| r.excused_days),
        total(|r| r.absent_days),
    ]);
    let columns = [
        ("Pegawai", 0.34),
        ("Hari kerja", 0.09),
        ("Hadir", 0.08),
        ("Terlambat (TL)", 0.14),
        ("Pulang cepat (PSW)", 0.15),
        ("Cuti/ dinas", 0.09),
        ("Tanpa ket.", 0.11),
    ]
    .into_iter()
    .map(|(h, w)| (h.to_owned(), w))
    .collect();
    crate::documents::letter::report(Report {
        agency,
        title: "Rekapitulasi presensi pegawai",
        subtitle: format!("{} ({}), bulan {month}", recap.unit, recap.unit_code),
        columns,
        rows,
        note: "Hari kerja: hari kerja menurut jadwal unit, di luar hari libur nasional dan cuti \
                       bersama. Hadir: hari dengan presensi masuk yang diterima (termasuk koreksi yang \
                       disetujui atasan). Terlambat (TL) dan pulang cepat (PSW): jumlah hari dan menitnya \
                       menurut jadwal. Cuti/dinas: cuti yang disetujui dan dinas luar dengan surat tugas. \
                       Tanpa keterangan: hari kerja tanpa presensi dan tanpa keterangan, yang dihitung \
                       menurut Peraturan Pemerintah Nomor 94 Tahun 2021.",
        place,
        today,
    })
}
