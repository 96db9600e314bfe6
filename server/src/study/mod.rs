//! Study permits (izin belajar) and study assignments (tugas belajar): their eligibility rules
//! behind [`ServiceRules`]. Neither books anything; the decision is the permit. The
//! disciplinary record they read is part of the employee's record (`masterdata`).

use abdi_proto::Text;
use abdi_proto::master::{PerformanceRating, Vocabulary};
use abdi_proto::services::Violation;
use async_trait::async_trait;
use chrono::Datelike;
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use crate::masterdata::entity::disciplinary_sanction;
use crate::masterdata::entity::performance_rating;
use crate::services::rules::{
    Assessment, RuleInput, ServiceRules, Settlement, add_years, period, text, years_between,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StudyKind {
    /// Self-funded, outside working hours.
    IzinBelajar,
    /// Funded, released from duty.
    TugasBelajar,
}

#[derive(Debug, Clone)]
pub struct StudyRules {
    kind: StudyKind,
}

impl StudyRules {
    pub fn new(kind: StudyKind) -> Self {
        Self { kind }
    }
}

/// Accreditations of at least B (BAN-PT, old and new scales).
const ACCEPTED_ACCREDITATION: [&str; 5] = ["unggul", "a", "baik_sekali", "b", "baik"];

/// Tugas belajar: the oldest age at the start of study, (normal, remote area).
pub fn age_limit(level: &str) -> (i32, i32) {
    match level {
        "s2" => (37, 42),
        "s3" => (40, 47),
        _ => (25, 37),
    }
}

/// Tugas belajar: the normal length of study in years.
pub fn study_years(level: &str) -> u32 {
    match level {
        "d1" => 1,
        "d2" | "s2" => 2,
        "d3" => 3,
        _ => 4,
    }
}

#[async_trait]
impl ServiceRules for StudyRules {
    async fn assess(
        &self,
        txn: &DatabaseTransaction,
        input: &RuleInput<'_>,
    ) -> Result<Result<Assessment, Vec<Violation>>, DbErr> {
        let e = input.employee;
        let today = input.today;
        let form = input.form;
        let mut problems = Vec::new();

        // At least one year as a PNS (CPNS and PPPK are not eligible).
        let pns_since = (e.employment_type == "pns").then_some(e.tmt_pns).flatten();
        match pns_since {
            Some(tmt) if add_years(tmt, 1) <= today => {}
            Some(tmt) => problems.push(Violation::new(
                "service_too_short",
                None,
                format!(
                    "Paling sedikit 1 tahun sebagai PNS (terpenuhi {}).",
                    add_years(tmt, 1)
                ),
                format!(
                    "At least one year as a PNS is needed (met on {}).",
                    add_years(tmt, 1)
                ),
            )),
            None => problems.push(Violation::new(
                "not_pns",
                None,
                "Hanya untuk PNS.",
                "Only for PNS (civil servants).",
            )),
        }

        // No medium or heavy disciplinary sanction running, and not suspended.
        let sanctions = disciplinary_sanction::Entity::find()
            .filter(disciplinary_sanction::Column::EmployeeId.eq(e.id))
            .filter(disciplinary_sanction::Column::StartsOn.lte(today))
            .all(txn)
            .await?;
        for s in sanctions
            .iter()
            .filter(|s| s.ends_on.is_none_or(|end| end >= today))
        {
            match s.level.as_str() {
                "sedang" | "berat" => problems.push(Violation::new(
                    "disciplinary_sanction",
                    None,
                    format!(
                        "Sedang menjalani hukuman disiplin tingkat {} ({}).",
                        s.level, s.decree_number
                    ),
                    format!(
                        "A {} disciplinary sanction is running ({}).",
                        s.level, s.decree_number
                    ),
                )),
                "pemberhentian_sementara" => problems.push(Violation::new(
                    "suspended",
                    None,
                    format!("Sedang diberhentikan sementara ({}).", s.decree_number),
                    format!("Currently suspended ({}).", s.decree_number),
                )),
                _ => {}
            }
        }

        let accreditation = text(form, "accreditation").unwrap_or_default();
        if !ACCEPTED_ACCREDITATION.contains(&accreditation) {
            problems.push(Violation::new(
                "accreditation_too_low",
                Some("accreditation"),
                "Program studi harus terakreditasi paling rendah B (Baik).",
                "The programme must be accredited at least B (Baik).",
            ));
        }

        let level = text(form, "level").unwrap_or_default();
        let Some((start, end)) = period(form, "study_period") else {
            problems.push(Violation::new(
                "period_missing",
                Some("study_period"),
                "Masa studi wajib diisi.",
                "The study period is required.",
            ));
            return Ok(Err(problems));
        };

        if self.kind == StudyKind::TugasBelajar {
            let remote = text(form, "remote") == Some("ya");
            let (normal, far) = age_limit(level);
            let limit = if remote { far } else { normal };
            let age = years_between(e.birth_date, start);
            if age > limit {
                problems.push(Violation::new(
                    "age_limit",
                    Some("study_period"),
                    format!(
                        "Usia saat mulai studi {age} tahun; batas untuk jenjang ini {limit} tahun."
                    ),
                    format!(
                        "Age at the start of study is {age}; the limit for this level is {limit}."
                    ),
                ));
            }
            // Performance rating at least Baik in each of the last two years.
            let years = [today.year() - 2, today.year() - 1];
            let ratings = performance_rating::Entity::find()
                .filter(performance_rating::Column::EmployeeId.eq(e.id))
                .filter(performance_rating::Column::Year.is_in(years))
                .all(txn)
                .await?;
            let good = |year: i32| {
                ratings.iter().any(|r| {
                    r.year == year
                        && matches!(
                            PerformanceRating::from_code(&r.rating),
                            Some(PerformanceRating::SangatBaik | PerformanceRating::Baik)
                        )
                })
            };
            if let Some(year) = years.into_iter().find(|y| !good(*y)) {
                problems.push(Violation::new(
                    "performance_rating",
                    None,
                    format!("SKP tahun {year} belum paling rendah Baik."),
                    format!("The performance rating for {year} is not at least Baik."),
                ));
            }
            let allowed = study_years(level) + u32::from(text(form, "extension") == Some("ya"));
            if end >= add_years(start, allowed) {
                problems.push(Violation::new(
                    "too_long",
                    Some("study_period"),
                    format!("Masa tugas belajar jenjang ini paling lama {allowed} tahun."),
                    format!("A study assignment at this level lasts at most {allowed} years."),
                ));
            }
        }
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        let institution = text(form, "institution").unwrap_or_default();
        let programme = text(form, "programme").unwrap_or_default();
        let upper = level.to_uppercase();
        let summary = Text::new(
            format!("{upper} {programme}, {institution}, {start} s/d {end}"),
            format!("{upper} {programme}, {institution}, {start} to {end}"),
        );
        Ok(Ok(Assessment {
            detail: json!({
                "level": level,
                "start": start,
                "end": end,
                "age_at_start": years_between(e.birth_date, start),
                "summary": summary,
            }),
            summary,
            // A study assignment releases the employee from duty: no Plt/Plh decides it.
            acting_restricted: self.kind == StudyKind::TugasBelajar,
        }))
    }

    async fn book(
        &self,
        _txn: &DatabaseTransaction,
        _input: &RuleInput<'_>,
        _assessment: &Assessment,
    ) -> Result<(), DbErr> {
        Ok(())
    }

    async fn settle(
        &self,
        _txn: &DatabaseTransaction,
        _request_id: Uuid,
        _settlement: Settlement,
    ) -> Result<(), DbErr> {
        Ok(())
    }
}
