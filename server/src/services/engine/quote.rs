//! What the rules say about a form, without sending it.

use super::*;

impl Services {
    /// What the service's rules say about a form, without sending it.
    pub async fn quote(
        &self,
        owner: Uuid,
        service: &str,
        form: &FormValues,
    ) -> Result<Quote, ServiceError> {
        let today = self.clock.today();
        let (row, def) = catalogue::get(&self.db, service).await?;
        let rules = self.rules(&row.rules)?;
        let txn = self.db.begin().await?;
        let employee = employee::Entity::find_by_id(owner)
            .one(&txn)
            .await?
            .ok_or(ServiceError::Access(AccessError::EmployeeNotFound))?;
        self.complete(&txn, &employee, &def.spec.requires).await?;
        let id = Uuid::nil();
        let form = prepare(&txn, &def.spec.form, form, owner, id, today).await?;
        let input = RuleInput {
            request_id: id,
            employee: &employee,
            form: &form,
            today,
            params: &def.spec.eligibility.params,
        };
        let result = self.plan(&txn, rules.as_ref(), &input, &def.spec).await;
        txn.rollback().await?;
        let closed = (!def.spec.state.is_open()).then(|| {
            Violation::new(
                "service_inactive",
                None,
                "Layanan ini sedang tidak dibuka.",
                "This service is not open at the moment.",
            )
        });
        let (mut violations, assessment) = match result {
            Ok(p) => (Vec::new(), p.assessment.detail),
            Err(ServiceError::Rules(violations)) => (violations, Value::Null),
            Err(e) => return Err(e),
        };
        violations.extend(closed);
        Ok(Quote {
            ok: violations.is_empty(),
            violations,
            assessment,
        })
    }
}
