//! Sending a draft, or a returned request again: rules and chain afresh.

use super::*;

impl Services {
    /// Sends a draft, or sends a returned request again (its chain is resolved afresh).
    pub async fn submit(
        &self,
        owner: Uuid,
        id: Uuid,
        version: u32,
    ) -> Result<RequestView, ServiceError> {
        let now = self.clock.now();
        let today = self.clock.today();
        let txn = self.write_txn().await?;
        own(&fetch(&txn, id).await?, owner)?;
        // The request first, then the employee: the order every change takes its locks in.
        let req = bump(&txn, id, version, now).await?;
        let employee = lock_employee(&txn, owner).await?;
        let status = req.status;
        require(
            matches!(status, RequestStatus::Draft | RequestStatus::Returned),
            status,
        )?;
        let (row, current) = catalogue::get(&txn, &req.service_code).await?;
        let name = current.spec.name.clone();
        if !current.spec.state.is_open() {
            return Err(ServiceError::ServiceInactive);
        }
        // A returned request is still open: it goes on under the revision it was submitted
        // under. A draft was never submitted: it takes the service as it is now.
        let (revision, spec) = if status == RequestStatus::Returned {
            let rev = req.service_revision;
            (
                rev,
                catalogue::at_revision(&txn, &req.service_code, rev).await?,
            )
        } else {
            (current.revision as i32, current.spec)
        };
        let rules = self.rules(&row.rules)?;
        self.complete(&txn, &employee, &spec.requires).await?;
        let form = prepare(&txn, &spec.form, &stored_form(&req), owner, id, today).await?;
        let input = RuleInput {
            request_id: id,
            employee: &employee,
            form: &form,
            today,
            params: &spec.eligibility.params,
        };
        let planned = self.plan(&txn, rules.as_ref(), &input, &spec).await?;
        let submitted = planned.submitted();
        service_request::Entity::update_many()
            .col_expr(service_request::Column::Status, Expr::value(submitted))
            .col_expr(service_request::Column::Form, Expr::value(json(&form)))
            .col_expr(
                service_request::Column::Assessment,
                Expr::value(json(&planned.assessment.detail)),
            )
            .col_expr(
                service_request::Column::ServiceRevision,
                Expr::value(revision),
            )
            .col_expr(
                service_request::Column::UnitId,
                Expr::value(planned.placement.unit_id),
            )
            .col_expr(
                service_request::Column::PdUnitId,
                Expr::value(planned.placement.pd_unit_id),
            )
            .col_expr(service_request::Column::SubmittedAt, Expr::value(now))
            .filter(service_request::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        clear_steps(&txn, id).await?;
        let steps = write_steps(&txn, (id, &req.service_code, owner), &planned.steps, now).await?;
        rules.book(&txn, &input, &planned.assessment).await?;
        let action = if status == RequestStatus::Draft {
            Action::Submitted
        } else {
            Action::Resubmitted
        };
        let event = Event {
            activated: steps.first().map(ActiveStep::from),
            ..Event::own(action, Some(status), submitted, owner)
        };
        self.finish(txn, &req, &name, now, event).await
    }
}
