//! Editing a draft or a request returned for revision.

use super::*;

impl Services {
    /// Changes the form of a draft or of a request returned for revision.
    pub async fn edit(
        &self,
        owner: Uuid,
        id: Uuid,
        version: u32,
        form: &FormValues,
    ) -> Result<RequestView, ServiceError> {
        let now = self.clock.now();
        let txn = self.write_txn().await?;
        own(&fetch(&txn, id).await?, owner)?;
        let req = bump(&txn, id, version, now).await?;
        let status = req.status;
        require(
            matches!(status, RequestStatus::Draft | RequestStatus::Returned),
            status,
        )?;
        let (_, def) = catalogue::get(&txn, &req.service_code).await?;
        let form = attachments::resolve(&txn, &def.spec.form, form, owner, Holder::Request(id))
            .await?
            .map_err(ServiceError::FormInvalid)?;
        service_request::Entity::update_many()
            .col_expr(service_request::Column::Form, Expr::value(json(&form)))
            .filter(service_request::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        attachments::attach(&txn, &def.spec.form, &form, owner, Holder::Request(id)).await?;
        let event = Event::own(Action::Edited, Some(status), status, owner);
        self.finish(txn, &req, &def.spec.name, now, event).await
    }
}
