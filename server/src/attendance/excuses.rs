//! What the request engine brings to attendance: official travel on a surat tugas (the
//! `surat_tugas` service, rules `attendance.travel`) excuses its days, and a correction (the
//! `koreksi_presensi` service, rules `attendance.correction`: a forgotten check-in or check-out,
//! with the atasan's approval) counts as an accepted one. Both are decided like any request;
//! once granted, [`Granted`] writes what they mean for attendance in the decision's
//! transaction, and the days read it from there.

use abdi_proto::Text;
use abdi_proto::attendance::CheckKind;
use abdi_proto::services::Violation;
use async_trait::async_trait;
use chrono::{NaiveDate, NaiveTime};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseTransaction, DbErr};
use serde_json::{Value, json};

use super::entity::{correction, excuse};
use crate::services::ServiceError;
use crate::services::events::{RequestEvent, Subscriber};
use crate::services::rules::{Assessment, RuleInput, ServiceRules, period, text};

/// The rules name of official travel.
pub const TRAVEL: &str = "attendance.travel";
/// The rules name of a correction.
pub const CORRECTION: &str = "attendance.correction";
/// How far back a correction may reach (days).
const CORRECTION_DAYS: i64 = 30;

/// Official travel: the period (checked by the form), a destination.
pub struct TravelRules;

#[async_trait]
impl ServiceRules for TravelRules {
    async fn assess(
        &self,
        _txn: &DatabaseTransaction,
        input: &RuleInput<'_>,
    ) -> Result<Result<Assessment, Vec<Violation>>, DbErr> {
        let destination = text(input.form, "destination").unwrap_or_default().trim();
        let Some((start, end)) = period(input.form, "period") else {
            return Ok(Err(vec![Violation::new(
                "period_missing",
                Some("period"),
                "Isi tanggal berangkat dan kembali.",
                "Fill in the days of the travel.",
            )]));
        };
        let summary = Text::new(
            format!("Dinas luar ke {destination}, {start} s.d. {end}"),
            format!("Official travel to {destination}, {start} to {end}"),
        );
        Ok(Ok(Assessment {
            detail: json!({ "start": start, "end": end, "destination": destination }),
            summary,
            acting_restricted: false,
        }))
    }
}

/// A correction: a day within the last 30, not ahead; a time of day; which of the two.
pub struct CorrectionRules;

#[async_trait]
impl ServiceRules for CorrectionRules {
    async fn assess(
        &self,
        _txn: &DatabaseTransaction,
        input: &RuleInput<'_>,
    ) -> Result<Result<Assessment, Vec<Violation>>, DbErr> {
        let form = input.form;
        let mut problems = Vec::new();
        let date = text(form, "date").and_then(|s| s.parse::<NaiveDate>().ok());
        match date {
            Some(d) if d > input.today => problems.push(Violation::new(
                "correction_ahead",
                Some("date"),
                "Koreksi hanya untuk hari yang sudah lewat atau hari ini.",
                "A correction is for today or a day gone by.",
            )),
            Some(d) if (input.today - d).num_days() > CORRECTION_DAYS => {
                problems.push(Violation::new(
                    "correction_too_old",
                    Some("date"),
                    format!("Koreksi paling lambat {CORRECTION_DAYS} hari setelahnya."),
                    format!("A correction is asked for within {CORRECTION_DAYS} days."),
                ))
            }
            Some(_) => {}
            None => problems.push(Violation::new(
                "date_missing",
                Some("date"),
                "Isi tanggal yang dikoreksi.",
                "Fill in the day to correct.",
            )),
        }
        let time =
            text(form, "time").and_then(|s| NaiveTime::parse_from_str(s.trim(), "%H:%M").ok());
        if time.is_none() {
            problems.push(Violation::new(
                "time_invalid",
                Some("time"),
                "Tulis jamnya sebagai JJ:MM, misalnya 16:05.",
                "Write the time as HH:MM, for example 16:05.",
            ));
        }
        let kind = match text(form, "kind") {
            Some("in") => Some(CheckKind::In),
            Some("out") => Some(CheckKind::Out),
            _ => None,
        };
        let (Some(date), Some(time), Some(kind), true) = (date, time, kind, problems.is_empty())
        else {
            return Ok(Err(problems));
        };
        // The time is WIB, as the day's schedule is.
        let at = crate::clock::wib_instant(date, time);
        let (id, en) = match kind {
            CheckKind::In => ("masuk", "check-in"),
            CheckKind::Out => ("pulang", "check-out"),
        };
        let hhmm = time.format("%H:%M");
        Ok(Ok(Assessment {
            detail: json!({ "kind": kind, "at": at, "date": date }),
            summary: Text::new(
                format!("Koreksi presensi {id} {date} pukul {hhmm}"),
                format!("Attendance correction: {en} on {date} at {hhmm}"),
            ),
            acting_restricted: false,
        }))
    }
}

/// Writes a granted travel's excuse or a granted correction, in the decision's transaction.
pub struct Granted;

#[async_trait]
impl Subscriber for Granted {
    async fn on_event(
        &self,
        txn: &DatabaseTransaction,
        event: &RequestEvent,
    ) -> Result<(), ServiceError> {
        let corrupt = |what: &str| {
            ServiceError::Database(DbErr::Custom(format!(
                "attendance request {}: {what}",
                event.request_id
            )))
        };
        let granted_at = event.at;
        if let Some(req) = event.granted(txn, TRAVEL).await? {
            let d: Value = serde_json::from_str(&req.assessment).unwrap_or_default();
            let day = |k: &str| d[k].as_str().and_then(|s| s.parse::<NaiveDate>().ok());
            let (Some(start), Some(end)) = (day("start"), day("end")) else {
                return Err(corrupt("no assessed period"));
            };
            let destination: String = d["destination"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .take(250)
                .collect();
            excuse::ActiveModel {
                request_id: Set(req.id),
                employee_id: Set(req.employee_id),
                start_date: Set(start),
                end_date: Set(end),
                why: Set(format!("Dinas luar: {destination}")),
                granted_at: Set(granted_at),
            }
            .insert(txn)
            .await?;
        } else if let Some(req) = event.granted(txn, CORRECTION).await? {
            let d: Value = serde_json::from_str(&req.assessment).unwrap_or_default();
            let kind: Option<CheckKind> = serde_json::from_value(d["kind"].clone()).ok();
            let at = d["at"]
                .as_str()
                .and_then(|s| s.parse::<chrono::DateTime<chrono::Utc>>().ok());
            let (Some(kind), Some(at)) = (kind, at) else {
                return Err(corrupt("no assessed correction"));
            };
            correction::ActiveModel {
                request_id: Set(req.id),
                employee_id: Set(req.employee_id),
                kind: Set(kind),
                at: Set(at),
                granted_at: Set(granted_at),
            }
            .insert(txn)
            .await?;
        }
        Ok(())
    }
}
