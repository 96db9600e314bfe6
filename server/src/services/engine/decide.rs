//! A decider's decision on the active step, and who may decide it (holder, Plt/Plh inside
//! the window where acting officials may act, administrators for outside approvals).

use super::*;

impl Services {
    /// A decider's decision on the active step. The checks come in this order: whether the
    /// caller decides any step of the request (anyone else learns only "forbidden"), then
    /// whether their session's passkey step-up is fresh, then the request's version and state.
    pub async fn decide(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &Decision,
    ) -> Result<RequestView, ServiceError> {
        let who = actor.principal().await?;
        let now = self.clock.now();
        let today = self.clock.today();
        let note = note_of(input.note.as_deref());
        if input.outcome.needs_reason() && note.is_none() {
            return Err(ServiceError::ReasonRequired);
        }
        let txn = self.write_txn().await?;
        // Only someone on the chain learns more than "forbidden".
        let before = fetch(&txn, id).await?;
        let chain = steps_of(&txn, id).await?;
        if !chain
            .iter()
            .any(|s| self.may_decide(who, &before, s).is_ok())
        {
            return Err(AccessError::Forbidden.into());
        }
        actor.require_step_up()?;
        let req = bump(&txn, id, input.version, now).await?;
        let status = req.status;
        require(status == RequestStatus::InReview, status)?;
        let steps = steps_of(&txn, id).await?;
        let Some(step) = steps.iter().find(|s| s.status == StepStatus::Active) else {
            return Err(ServiceError::InvalidTransition(status.code().to_owned()));
        };
        let kind = step.kind;
        require(kind != StepKind::Verification, status)?;
        let acted = self.may_decide(who, &req, step)?;
        let (row, def) = catalogue::get(&txn, &req.service_code).await?;
        let spec = catalogue::at_revision(&txn, &req.service_code, req.service_revision).await?;
        let rules = self.rules(&row.rules)?;
        let deciding = matches!(kind, StepKind::Decision | StepKind::Approval);

        // Approved with changes: the changed request must pass the rules again.
        if deciding && input.outcome == Outcome::Perubahan {
            let changes = input
                .changes
                .as_ref()
                .ok_or(ServiceError::ChangesRequired)?;
            let employee = lock_employee(&txn, req.employee_id).await?;
            let mut form = stored_form(&req);
            form.extend(changes.clone());
            let form = prepare(&txn, &spec.form, &form, req.employee_id, id, today).await?;
            let failing =
                Self::conditions(&txn, req.employee_id, &spec.eligibility, Some(&form), today)
                    .await?;
            if !failing.eligible {
                return Err(ServiceError::Rules(failing.failures));
            }
            let input = RuleInput {
                request_id: id,
                employee: &employee,
                form: &form,
                today,
                params: &spec.eligibility.params,
            };
            let assessment = rules
                .assess(&txn, &input)
                .await?
                .map_err(ServiceError::Rules)?;
            rules.book(&txn, &input, &assessment).await?;
            service_request::Entity::update_many()
                .col_expr(service_request::Column::Form, Expr::value(json(&form)))
                .col_expr(
                    service_request::Column::Assessment,
                    Expr::value(json(&assessment.detail)),
                )
                .filter(service_request::Column::Id.eq(id))
                .exec(&txn)
                .await?;
        }

        let outcome = code(&input.outcome);
        set_step(
            &txn,
            step.id,
            StepStatus::Done,
            Some(outcome.clone()),
            note.clone(),
            &acted,
            now,
        )
        .await?;
        let next = steps.iter().find(|s| s.seq > step.seq);
        let mut activated = None;
        let final_outcome = match (kind, next) {
            (StepKind::Recommendation, Some(next)) => {
                activate(&txn, next.id, now).await?;
                activated = Some(next.into());
                None
            }
            _ if deciding && input.outcome.is_final() => {
                skip_rest(&txn, id).await?;
                Some(input.outcome)
            }
            (_, Some(next)) => {
                activate(&txn, next.id, now).await?;
                activated = Some(next.into());
                None
            }
            (_, None) => {
                let changed = input.outcome == Outcome::Perubahan
                    || steps.iter().any(|s| {
                        s.outcome.as_deref() == Some(Outcome::Perubahan.code())
                            && matches!(s.kind, StepKind::Decision | StepKind::Approval)
                    });
                Some(if changed {
                    Outcome::Perubahan
                } else {
                    Outcome::Disetujui
                })
            }
        };
        let to = match final_outcome {
            Some(o) => {
                let settlement = match o {
                    Outcome::Disetujui | Outcome::Perubahan => Settlement::Approved,
                    Outcome::Ditangguhkan => Settlement::Deferred,
                    Outcome::TidakDisetujui => Settlement::Released,
                };
                rules.settle(&txn, id, settlement).await?;
                set_status(&txn, id, RequestStatus::Decided, Some(o), Some(now)).await?;
                RequestStatus::Decided
            }
            None => status,
        };
        let event = Event {
            action: match kind {
                StepKind::Recommendation => Action::Recommended,
                StepKind::Approval => Action::Approved,
                _ => Action::Decided,
            },
            from: Some(status),
            to,
            acted,
            outcome: Some(outcome),
            note,
            decided: final_outcome,
            activated,
        };
        self.finish(txn, &req, &def.spec.name, now, event).await
    }

    /// Whether the caller may act on `step`, and in which capacity: the post's holder, a
    /// Plt/Plh of it inside their window (where acting officials may decide), or for an
    /// outside approval an administrator. Nobody decides their own request.
    fn may_decide(
        &self,
        who: &Principal,
        req: &service_request::Model,
        step: &request_step::Model,
    ) -> Result<Acted, ServiceError> {
        if req.employee_id == who.employee_id {
            return Err(AccessError::Forbidden.into());
        }
        if step.approver == Approver::Bkn {
            return if who.administrator {
                Ok(Acted {
                    actor: Some(who.employee_id),
                    capacity: Some("administrator".into()),
                    acting: None,
                })
            } else {
                Err(AccessError::Forbidden.into())
            };
        }
        let Some(post) = step.position_id else {
            return Err(AccessError::Forbidden.into());
        };
        let capacity = Some(code(&step.approver));
        if who.own_post == Some(post) {
            return Ok(Acted {
                actor: Some(who.employee_id),
                capacity,
                acting: None,
            });
        }
        match who.acting.get(&post) {
            Some(hold) if step.acting_allowed => Ok(Acted {
                actor: Some(who.employee_id),
                capacity,
                acting: Some(hold.assignment_id),
            }),
            _ => Err(AccessError::Forbidden.into()),
        }
    }
}
