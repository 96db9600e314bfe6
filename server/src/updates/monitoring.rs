//! Monitoring of the data update (Pergub Jatim 73/2020 Pasal 13, 17 and 19(1)): per perangkat
//! daerah, or per unit below one, how complete the records are, what waits and for how long,
//! and what was decided in a period; as JSON and as the CSV a quarterly report is made from.

use std::collections::HashMap;

use abdi_proto::updates::{MonitoringReport, MonitoringRow, ProposalStatus};
use chrono::{NaiveDate, NaiveTime};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::entity::record_proposal;
use super::{UpdateError, Updates};
use crate::access::{Access, AccessError, Actor};
use crate::masterdata::completeness::facts_of_all;
use crate::masterdata::entity::{employee, org_unit};

/// How the report's rows are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// One row per perangkat daerah.
    PerangkatDaerah,
    /// One row per unit directly below this one.
    Below(Uuid),
}

impl Updates {
    /// The report for `[from, to]`: administrators see every row, a fasilitator the rows of
    /// the units they are fasilitator of.
    pub async fn monitoring(
        &self,
        actor: &Actor,
        grouping: Grouping,
        (from, to): (NaiveDate, NaiveDate),
    ) -> Result<MonitoringReport, UpdateError> {
        let who = actor.principal().await?;
        if !who.administrator && who.fasilitator_units.is_empty() {
            return Err(AccessError::Forbidden.into());
        }
        if to < from {
            return Err(UpdateError::FormInvalid(vec![abdi_proto::forms::error(
                "to",
                abdi_proto::forms::FieldErrorCode::RangeReversed,
            )]));
        }
        let covered = Access::covered(&self.db, who).await?;
        let units = org_unit::Entity::find().all(&self.db).await?;
        let parent: HashMap<Uuid, Option<Uuid>> =
            units.iter().map(|u| (u.id, u.parent_id)).collect();
        let heads: Vec<&org_unit::Model> = units
            .iter()
            .filter(|u| u.closed_on.is_none())
            .filter(|u| match grouping {
                Grouping::PerangkatDaerah => u.level == "perangkat_daerah",
                Grouping::Below(id) => u.parent_id == Some(id),
            })
            .filter(|u| who.administrator || covered.contains(&u.id))
            .collect();
        if let Grouping::Below(id) = grouping
            && !parent.contains_key(&id)
        {
            return Err(AccessError::UnitNotFound(id.to_string()).into());
        }
        // The row each unit is counted in: its nearest ancestor (or itself) that heads a row.
        let row_of = |mut unit: Uuid| -> Option<Uuid> {
            for _ in 0..16 {
                if heads.iter().any(|h| h.id == unit) {
                    return Some(unit);
                }
                unit = (*parent.get(&unit)?)?;
            }
            None
        };
        let mut rows: HashMap<Uuid, MonitoringRow> = heads
            .iter()
            .map(|u| {
                (
                    u.id,
                    MonitoringRow {
                        unit_id: u.id,
                        unit_code: u.code.clone(),
                        unit_name: u.name.clone(),
                        employees: 0,
                        complete: 0,
                        mean_percent: 0,
                        pending: 0,
                        oldest_pending_since: None,
                        verified: 0,
                        rejected: 0,
                    },
                )
            })
            .collect();
        let employees = employee::Entity::find()
            .filter(employee::Column::Active.eq(true))
            .all(&self.db)
            .await?;
        let facts = facts_of_all(&self.db, &employees).await?;
        let mut percents: HashMap<Uuid, u64> = HashMap::new();
        for (e, f) in employees.iter().zip(&facts) {
            let Some(row) = row_of(e.unit_id).and_then(|r| rows.get_mut(&r)) else {
                continue;
            };
            let c = f.completeness();
            row.employees += 1;
            if c.missing.is_empty() {
                row.complete += 1;
            }
            *percents.entry(row.unit_id).or_default() += u64::from(c.percent);
        }
        let start = from.and_time(NaiveTime::MIN).and_utc();
        let end = to
            .succ_opt()
            .unwrap_or(to)
            .and_time(NaiveTime::MIN)
            .and_utc();
        let proposals = record_proposal::Entity::find()
            .filter(
                sea_orm::Condition::any()
                    .add(record_proposal::Column::Status.eq(ProposalStatus::Submitted.code()))
                    .add(
                        sea_orm::Condition::all()
                            .add(record_proposal::Column::DecidedAt.gte(start))
                            .add(record_proposal::Column::DecidedAt.lt(end)),
                    ),
            )
            .all(&self.db)
            .await?;
        for p in proposals {
            let Some(row) = row_of(p.unit_id).and_then(|r| rows.get_mut(&r)) else {
                continue;
            };
            match ProposalStatus::from_code(&p.status) {
                Some(ProposalStatus::Submitted) => {
                    row.pending += 1;
                    row.oldest_pending_since = Some(
                        row.oldest_pending_since
                            .map_or(p.submitted_at, |o| o.min(p.submitted_at)),
                    );
                }
                Some(ProposalStatus::Verified) => row.verified += 1,
                Some(ProposalStatus::Rejected) => row.rejected += 1,
                _ => {}
            }
        }
        let mut rows: Vec<MonitoringRow> = rows
            .into_values()
            .map(|mut r| {
                if r.employees > 0 {
                    r.mean_percent = (percents.get(&r.unit_id).copied().unwrap_or(0)
                        / u64::from(r.employees)) as u8;
                }
                r
            })
            .collect();
        rows.sort_by(|a, b| a.unit_code.cmp(&b.unit_code));
        Ok(MonitoringReport { from, to, rows })
    }
}

/// The report as CSV (one row per unit, a header in Bahasa Indonesia), for spreadsheets and the
/// quarterly report.
pub fn csv(report: &MonitoringReport) -> String {
    let mut out = String::from(
        "kode_unit,nama_unit,pegawai,data_lengkap,rata_rata_kelengkapan_persen,usulan_menunggu,menunggu_sejak,usulan_diverifikasi,usulan_ditolak\n",
    );
    let field = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    for r in &report.rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            field(&r.unit_code),
            field(&r.unit_name),
            r.employees,
            r.complete,
            r.mean_percent,
            r.pending,
            r.oldest_pending_since
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
            r.verified,
            r.rejected,
        ));
    }
    out
}

/// The report as a PDF for the quarterly report to the administrator (Pasal 19(1)): the period,
/// one row per unit, and the totals; made on `today` at `place`.
pub fn pdf(
    report: &MonitoringReport,
    (agency, place, today): (&str, &str, NaiveDate),
) -> Result<Vec<u8>, crate::documents::render::RenderError> {
    use crate::documents::letter::Report;
    use crate::documents::letter::tanggal;
    let total = |f: fn(&MonitoringRow) -> u32| report.rows.iter().map(f).sum::<u32>();
    let mut rows: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|r| {
            vec![
                format!("{} {}", r.unit_code, r.unit_name),
                r.employees.to_string(),
                r.complete.to_string(),
                format!("{}%", r.mean_percent),
                r.pending.to_string(),
                r.oldest_pending_since
                    .map(|t| tanggal(t.date_naive()))
                    .unwrap_or_else(|| "-".into()),
                r.verified.to_string(),
                r.rejected.to_string(),
            ]
        })
        .collect();
    rows.push(vec![
        "Jumlah".into(),
        total(|r| r.employees).to_string(),
        total(|r| r.complete).to_string(),
        String::new(),
        total(|r| r.pending).to_string(),
        String::new(),
        total(|r| r.verified).to_string(),
        total(|r| r.rejected).to_string(),
    ]);
    let columns = [
        ("Unit", 0.25),
        ("Pegawai", 0.10),
        ("Lengkap", 0.10),
        ("Rerata", 0.09),
        ("Menunggu", 0.12),
        ("Sejak", 0.12),
        ("Diverifikasi", 0.13),
        ("Ditolak", 0.09),
    ]
    .into_iter()
    .map(|(h, w)| (h.to_owned(), w))
    .collect();
    crate::documents::letter::report(Report {
        agency,
        title: "Laporan pemantauan pemutakhiran data pegawai",
        subtitle: format!(
            "Periode {} s.d. {}",
            tanggal(report.from),
            tanggal(report.to)
        ),
        columns,
        rows,
        note: "Pegawai: pegawai aktif unit itu dan unit di bawahnya. Lengkap: data pegawai yang \
                       memuat semua data dan dokumen yang wajib ada (Peraturan Gubernur Jawa Timur Nomor 73 \
                       Tahun 2020 Pasal 11); rerata: rata-rata kelengkapannya. Menunggu: usulan perubahan \
                       data yang menunggu verifikasi saat laporan dibuat, dan sejak kapan yang tertua; \
                       diverifikasi dan ditolak: usulan yang diputuskan dalam periode.",
        place,
        today,
    })
}
