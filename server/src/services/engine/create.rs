//! Creating a request: a draft, or sent at once (rules, chain, bookings, the idempotency key's
//! answer, in one transaction).

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
        let now = self.clock.now();
        let today = self.clock.today();
        let (row, def) = catalogue::get(&self.db, &new.service).await?;
        if !def.spec.state.is_open() {
            return Err(ServiceError::ServiceInactive);
        }
        let rules = self.rules(&row.rules)?;
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
            (RequestStatus::Submitted, form, Some(planned))
        } else {
            let form =
                attachments::resolve(&txn, &def.spec.form, &new.form, owner, Holder::Request(id))
                    .await?
                    .map_err(ServiceError::FormInvalid)?;
            (RequestStatus::Draft, form, None)
        };
        service_request::Entity::insert(service_request::ActiveModel {
            id: Set(id),
            employee_id: Set(owner),
            service_code: Set(def.code.clone()),
            service_revision: Set(def.revision as i32),
            status: Set(status),
            outcome: Set(None),
            form: Set(json(&form)),
            assessment: Set(planned
                .as_ref()
                .map_or_else(|| "{}".into(), |p| json(&p.assessment.detail))),
            unit_id: Set(planned
                .as_ref()
                .map_or(employee.unit_id, |p| p.placement.unit_id)),
            pd_unit_id: Set(planned.as_ref().and_then(|p| p.placement.pd_unit_id)),
            version: Set(1),
            created_at: Set(now),
            submitted_at: Set(planned.as_ref().map(|_| now)),
            decided_at: Set(None),
            updated_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await?;
        attachments::attach(&txn, &def.spec.form, &form, owner, Holder::Request(id)).await?;
        let mut activated = None;
        if let Some(p) = &planned {
            activated = write_steps(&txn, (id, &def.code, owner), &p.steps, now).await?;
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
        };
        let event = Event {
            activated,
            ..Event::own(action, None, status, owner)
        };
        let event = record(&txn, &self.subscribers, subject, (now, today), event).await?;
        let view = views::load(&txn, id).await?;
        if let Some(key) = key {
            idempotency::complete(&txn, owner, key, 201, &json(&view)).await?;
        }
        txn.commit().await?;
        self.subscribers.committed(&event).await;
        Ok(view)
    }
}
