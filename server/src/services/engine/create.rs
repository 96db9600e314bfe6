//! Creating a request: a draft, or sent at once (rules, chain, bookings, the idempotency key's
//! answer, in one transaction).

use chrono::SubsecRound;

use super::*;

impl Services {
    /// Creates a request (sent at once unless `submit` is false). With an idempotency key, the
    /// answer is recorded in the same transaction.
    pub async fn create(
        &self,
        owner: Uuid,
        new: &NewRequest,
        key: Option<&str>,
    ) -> Result<RequestView, ServiceError> {
        // To the microsecond, as the database keeps it: the answer is built from what is
        // written, and must equal what a later read gives.
        let now = self.clock.now().trunc_subsecs(6);
        let today = self.clock.today();
        let (service, def) = catalogue::get(&self.db, &new.service).await?;
        if !def.spec.state.is_open() {
            return Err(ServiceError::ServiceInactive);
        }
        let rules = self.rules(&service.rules)?;
        let id = Uuid::now_v7();
        let txn = self.write_txn().await?;
        let employee = lock_employee(&txn, owner).await?;
        let (status, form, planned) = if new.submit {
            self.complete(&txn, &employee, &def.spec.requires).await?;
            let form = prepare(&txn, &def.spec.form, &new.form, owner, id, today).await?;
            let input = RuleInput {
                request_id: id,
                employee: &employee,
                form: &form,
                today,
                params: &def.spec.eligibility.params,
            };
            let planned = self.plan(&txn, rules.as_ref(), &input, &def.spec).await?;
            (planned.submitted(), form, Some(planned))
        } else {
            let form =
                attachments::resolve(&txn, &def.spec.form, &new.form, owner, Holder::Request(id))
                    .await?
                    .map_err(ServiceError::FormInvalid)?;
            (RequestStatus::Draft, form, None)
        };
        let req = service_request::Model {
            id,
            employee_id: owner,
            service_code: def.code.clone(),
            service_revision: def.revision as i32,
            status,
            outcome: None,
            form: json(&form),
            assessment: planned
                .as_ref()
                .map_or_else(|| "{}".into(), |p| json(&p.assessment.detail)),
            unit_id: planned
                .as_ref()
                .map_or(employee.unit_id, |p| p.placement.unit_id),
            pd_unit_id: planned.as_ref().and_then(|p| p.placement.pd_unit_id),
            version: 1,
            created_at: now,
            submitted_at: planned.as_ref().map(|_| now),
            decided_at: None,
            updated_at: now,
        };
        service_request::Entity::insert(req.clone().into_active_model())
            .exec_without_returning(&txn)
            .await?;
        attachments::attach_new(&txn, &def.spec.form, &form, owner, Holder::Request(id)).await?;
        let mut steps = Vec::new();
        if let Some(p) = &planned {
            steps = write_steps(&txn, (id, &def.code, owner), &p.steps, now).await?;
            let input = RuleInput {
                request_id: id,
                employee: &employee,
                form: &form,
                today,
                params: &def.spec.eligibility.params,
            };
            rules.book(&txn, &input, &p.assessment).await?;
        }
        let action = if new.submit {
            Action::Submitted
        } else {
            Action::Created
        };
        let subject = Subject {
            id,
            employee_id: owner,
            service_code: &def.code,
            service_name: &def.spec.name,
        };
        let event = Event {
            activated: steps.first().map(ActiveStep::from),
            ..Event::own(action, None, status, owner)
        };
        let (event, row) = record(&txn, &self.subscribers, subject, (now, today), event).await?;
        // The view of what this transaction wrote, not read back: the employee is the only
        // person on it yet, and nobody acted under a letter.
        let parts = views::Parts {
            people: std::slice::from_ref(&employee),
            acting: &[],
            service_name: def.spec.name.clone(),
        };
        let view = views::assemble(&txn, &req, &steps, std::slice::from_ref(&row), parts).await?;
        if let Some(key) = key {
            idempotency::complete(&txn, owner, key, 201, &json(&view)).await?;
        }
        txn.commit().await?;
        self.subscribers.committed(&event).await;
        Ok(view)
    }
}
