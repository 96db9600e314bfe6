//! The fasilitator's verification: complete (on to the chain) or back for revision.

use super::*;

impl Services {
    /// The fasilitator's check: complete (on to the chain) or back for revision.
    pub async fn verify(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &Verification,
    ) -> Result<RequestView, ServiceError> {
        let who = actor.principal().await?;
        let now = self.clock.now();
        let note = note_of(input.note.as_deref());
        if input.outcome == VerificationOutcome::Return && note.is_none() {
            return Err(ServiceError::ReasonRequired);
        }
        let txn = self.write_txn().await?;
        let before = fetch(&txn, id).await?;
        let units = Access::unit_chain(&txn, before.unit_id).await?;
        if before.employee_id == who.employee_id
            || !units.iter().any(|u| who.fasilitator_units.contains(&u.id))
        {
            return Err(AccessError::Forbidden.into());
        }
        let req = bump(&txn, id, input.version, now).await?;
        let status = req.status;
        let steps = steps_of(&txn, id).await?;
        let Some(step) = steps.iter().find(|s| s.status == StepStatus::Active) else {
            return Err(ServiceError::InvalidTransition(status.code().to_owned()));
        };
        require(step.kind == StepKind::Verification, status)?;
        let acted = Acted {
            actor: Some(who.employee_id),
            capacity: Some("fasilitator".into()),
            acting: None,
        };
        let (row, def) = catalogue::get(&txn, &req.service_code).await?;
        let mut activated = None;
        let (to, action) = match input.outcome {
            VerificationOutcome::Complete => {
                set_step(
                    &txn,
                    step.id,
                    StepStatus::Done,
                    Some("complete".into()),
                    note.clone(),
                    &acted,
                    now,
                )
                .await?;
                if let Some(next) = steps.iter().find(|s| s.seq > step.seq) {
                    activate(&txn, next.id, now).await?;
                    activated = Some(next.into());
                }
                (RequestStatus::InReview, Action::Verified)
            }
            VerificationOutcome::Return => {
                set_step(
                    &txn,
                    step.id,
                    StepStatus::Done,
                    Some("return".into()),
                    note.clone(),
                    &acted,
                    now,
                )
                .await?;
                skip_rest(&txn, id).await?;
                self.rules(&row.rules)?
                    .settle(&txn, id, Settlement::Released)
                    .await?;
                (RequestStatus::Returned, Action::Returned)
            }
        };
        set_status(&txn, id, to, None, None).await?;
        let event = Event {
            action,
            from: Some(status),
            to,
            acted,
            outcome: Some(code(&input.outcome)),
            note,
            decided: None,
            activated,
        };
        self.finish(txn, &req, &def.spec.name, now, event).await
    }
}
