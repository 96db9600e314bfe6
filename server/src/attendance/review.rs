//! The atasan's word on flagged check-ins: those of the people whose posts report to the
//! caller's (own, or held as Plt/Plh today), and accepting or rejecting one. An accepted one
//! counts for the day; a rejected one does not, and its employee sees why.

use abdi_proto::attendance::{CheckIn, CheckInReview, FlaggedCheckIn, Reason, Verdict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::entity::check_in;
use super::score::reason;
use super::{Attendance, AttendanceError};
use crate::access::{AccessError, Action, Actor};

impl Attendance {
    /// The flagged check-ins of the caller's direct reports, oldest first.
    pub async fn flagged_of_team(
        &self,
        actor: &Actor,
    ) -> Result<Vec<FlaggedCheckIn>, AttendanceError> {
        let team = self.team_of(actor).await?;
        let flagged = check_in::Entity::find()
            .filter(check_in::Column::EmployeeId.is_in(team.iter().map(|e| e.id)))
            .filter(check_in::Column::Verdict.eq(Verdict::Flagged))
            .order_by_asc(check_in::Column::At)
            .limit(500)
            .all(&self.db)
            .await?;
        let viewed = self.viewed(&flagged).await?;
        Ok(flagged
            .iter()
            .zip(viewed)
            .filter_map(|(c, check_in)| {
                let who = team.iter().find(|e| e.id == c.employee_id)?;
                Some(FlaggedCheckIn {
                    nip: who.nip.clone(),
                    name: who.full_name(),
                    check_in,
                })
            })
            .collect())
    }

    /// The atasan accepts or rejects a flagged check-in.
    pub async fn review(
        &self,
        actor: &Actor,
        id: Uuid,
        review: CheckInReview,
    ) -> Result<CheckIn, AttendanceError> {
        let found = check_in::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(AttendanceError::CheckInNotFound)?;
        actor
            .authorize(Action::ReviewCheckIn, Some(found.employee_id))
            .await
            .map_err(|e| match e {
                // Someone else's check-in does not exist for the caller.
                AccessError::Forbidden => AttendanceError::CheckInNotFound,
                other => other.into(),
            })?;
        if found.verdict != Verdict::Flagged {
            return Err(AttendanceError::NotFlagged);
        }
        let note = review
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        if note
            .as_deref()
            .is_some_and(|n| n.chars().count() > 1000 || n.contains('\0'))
        {
            return Err(AttendanceError::upload(
                "Catatan paling panjang 1000 karakter.",
                "The note is 1000 characters at most.",
            ));
        }
        if !review.accept && note.is_none() {
            return Err(AttendanceError::upload(
                "Tuliskan alasan penolakan: pegawai membacanya.",
                "Give the reason for the rejection: the employee reads it.",
            ));
        }
        let mut reasons: Vec<Reason> = serde_json::from_str(&found.reasons).unwrap_or_default();
        if let Some(n) = &note {
            reasons.push(reason(
                if review.accept {
                    "accepted_by_atasan"
                } else {
                    "rejected_by_atasan"
                },
                n.clone(),
                n.clone(),
            ));
        }
        let mut row: check_in::ActiveModel = found.into();
        row.verdict = Set(if review.accept {
            Verdict::Accepted
        } else {
            Verdict::Rejected
        });
        row.reasons = Set(serde_json::to_string(&reasons).unwrap_or_else(|_| "[]".into()));
        row.reviewed_by = Set(Some(actor.employee_id));
        row.reviewed_at = Set(Some(self.clock.now()));
        row.review_note = Set(note);
        let saved = row.update(&self.db).await?;
        let mut shown = self.viewed(std::slice::from_ref(&saved)).await?;
        Ok(shown.remove(0))
    }
}
