//! Study permits (izin belajar) and study assignments (tugas belajar): what their catalogue
//! conditions cannot say (the study period, the age limit by level and area, the length by
//! level) behind [`ServiceRules`]. Being a PNS for a year, no sanction running, the programme's
//! accreditation and the ratings are the services' declarative conditions. Neither books
//! anything; the decision is the permit.

use abdi_proto::Text;
use abdi_proto::services::Violation;
use async_trait::async_trait;
use sea_orm::{DatabaseTransaction, DbErr};
use serde_json::json;

use crate::services::rules::{
    Assessment, RuleInput, ServiceRules, add_years, period, text, years_between,
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
        _txn: &DatabaseTransaction,
        input: &RuleInput<'_>,
    ) -> Result<Result<Assessment, Vec<Violation>>, DbErr> {
        let e = input.employee;
        let form = input.form;
        let mut problems = Vec::new();

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
}
