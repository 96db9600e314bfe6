//! Disciplinary cases (PP 94/2021): the superior files a case about an employee as the
//! `hukuman_disiplin` service; [`CaseRules`] checks that the sanction fits its level, and once
//! the decree is granted [`SanctionRecorder`] writes it into the employee's disciplinary record,
//! with the decree's number, in the decision's transaction. The study, award and promotion
//! conditions then read it from the record like any other sanction.

use abdi_proto::Text;
use abdi_proto::services::Violation;
use async_trait::async_trait;
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::documents::entity::document;
use crate::masterdata::entity::{disciplinary_sanction, employee};
use crate::services::ServiceError;
use crate::services::events::{RequestEvent, Subscriber};
use crate::services::rules::{Assessment, RuleInput, ServiceRules, add_months, text};

/// The name catalogue entries give these rules.
pub const RULES: &str = "discipline.case";

/// The sanctions of each level (PP 94/2021 Pasal 8), with how many months each runs.
const SANCTIONS: [(&str, &str, u32); 9] = [
    ("teguran_lisan", "ringan", 0),
    ("teguran_tertulis", "ringan", 0),
    ("pernyataan_tidak_puas", "ringan", 0),
    ("potong_tukin_6", "sedang", 6),
    ("potong_tukin_9", "sedang", 9),
    ("potong_tukin_12", "sedang", 12),
    ("turun_jabatan", "berat", 12),
    ("jabatan_pelaksana", "berat", 12),
    ("pemberhentian", "berat", 0),
];

/// Checks a disciplinary case: the employee exists, is not the one filing, and the sanction
/// belongs to the level chosen. Only a light sanction may be set by a Plt/Plh.
pub struct CaseRules;

#[async_trait]
impl ServiceRules for CaseRules {
    async fn assess(
        &self,
        txn: &DatabaseTransaction,
        input: &RuleInput<'_>,
    ) -> Result<Result<Assessment, Vec<Violation>>, DbErr> {
        let form = input.form;
        let mut problems = Vec::new();
        let nip = text(form, "subject_nip").unwrap_or_default().trim();
        let subject = employee::Entity::find()
            .filter(employee::Column::Nip.eq(nip))
            .one(txn)
            .await?;
        match &subject {
            None => problems.push(Violation::new(
                "subject_not_found",
                Some("subject_nip"),
                format!("Tidak ada pegawai dengan NIP {nip}."),
                format!("No employee has NIP {nip}."),
            )),
            Some(s) if s.id == input.employee.id => problems.push(Violation::new(
                "subject_is_filer",
                Some("subject_nip"),
                "Kasus disiplin diajukan oleh atasan, bukan oleh pegawai yang bersangkutan.",
                "A disciplinary case is filed by the superior, not by the employee concerned.",
            )),
            Some(s) if !s.active => problems.push(Violation::new(
                "subject_inactive",
                Some("subject_nip"),
                "Pegawai ini tidak aktif lagi.",
                "This employee is no longer active.",
            )),
            Some(_) => {}
        }
        let level = text(form, "level").unwrap_or_default();
        let sanction = text(form, "sanction").unwrap_or_default();
        let fits = SANCTIONS
            .iter()
            .find(|(s, l, _)| *s == sanction && *l == level);
        if fits.is_none() {
            problems.push(Violation::new(
                "sanction_level_mismatch",
                Some("sanction"),
                format!("Jenis hukuman ini bukan hukuman disiplin tingkat {level}."),
                format!("This sanction is not a {level} one."),
            ));
        }
        let starts: Option<NaiveDate> = text(form, "starts_on").and_then(|s| s.parse().ok());
        let (Some(subject), Some((_, _, months)), Some(starts)) = (subject, fits, starts) else {
            return Ok(Err(problems));
        };
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        let ends = (*months > 0).then(|| add_months(starts, *months));
        let summary = Text::new(
            format!(
                "Hukuman disiplin {level} bagi {} ({})",
                subject.full_name(),
                subject.nip
            ),
            format!(
                "A {level} sanction for {} ({})",
                subject.full_name(),
                subject.nip
            ),
        );
        Ok(Ok(Assessment {
            detail: json!({
                "subject_id": subject.id,
                "level": level,
                "sanction": sanction,
                "starts_on": starts,
                "ends_on": ends,
                "summary": summary,
            }),
            summary,
            // PP 94/2021 and SE BKN 2/SE/VII/2019: a Plt/Plh sets light sanctions only.
            acting_restricted: level != "ringan",
        }))
    }
}

/// Writes a granted case's sanction into the employee's record, under the decree's number.
/// Registered after the letters, so the decree exists when it runs.
pub struct SanctionRecorder;

#[async_trait]
impl Subscriber for SanctionRecorder {
    async fn on_event(
        &self,
        txn: &DatabaseTransaction,
        event: &RequestEvent,
    ) -> Result<(), ServiceError> {
        let Some(req) = event.granted(txn, RULES).await? else {
            return Ok(());
        };
        let detail: Value = serde_json::from_str(&req.assessment).unwrap_or_default();
        let subject = detail["subject_id"]
            .as_str()
            .and_then(|s| s.parse::<Uuid>().ok());
        let starts = detail["starts_on"]
            .as_str()
            .and_then(|s| s.parse::<NaiveDate>().ok());
        let (Some(subject), Some(starts), Some(level)) =
            (subject, starts, detail["level"].as_str())
        else {
            return Err(ServiceError::Database(DbErr::Custom(format!(
                "disciplinary case {} has no assessed sanction",
                req.id
            ))));
        };
        let number = document::Entity::find()
            .filter(document::Column::RequestId.eq(req.id))
            .one(txn)
            .await?
            .map_or_else(|| format!("permohonan {}", req.id), |d| d.number);
        disciplinary_sanction::ActiveModel {
            employee_id: Set(subject),
            level: Set(level.to_owned()),
            decree_number: Set(number),
            starts_on: Set(starts),
            ends_on: Set(detail["ends_on"].as_str().and_then(|s| s.parse().ok())),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        Ok(())
    }
}
