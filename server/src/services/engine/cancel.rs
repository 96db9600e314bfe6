//! Withdrawing a request before its final decision; its booking is released.

use super::*;

impl Services {
    /// Withdraws a request before its final decision; what it booked is released.
    pub async fn cancel(
        &self,
        owner: Uuid,
        id: Uuid,
        version: u32,
        note: Option<&str>,
    ) -> Result<RequestView, ServiceError> {
        let now = self.clock.now();
        let txn = self.write_txn().await?;
        own(&fetch(&txn, id).await?, owner)?;
        let req = bump(&txn, id, version, now).await?;
        let status = req.status;
        require(status.is_open(), status)?;
        let (row, def) = catalogue::get(&txn, &req.service_code).await?;
        self.rules(&row.rules)?
            .settle(&txn, id, Settlement::Released)
            .await?;
        skip_rest(&txn, id).await?;
        set_status(&txn, id, RequestStatus::Cancelled, None, None).await?;
        let event = Event {
            note: note_of(note),
            ..Event::own(
                Action::Cancelled,
                Some(status),
                RequestStatus::Cancelled,
                owner,
            )
        };
        self.finish(txn, &req, &def.spec.name, now, event).await
    }
}
