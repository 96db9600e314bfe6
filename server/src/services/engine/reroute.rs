//! An employee who moves to another unit: their open requests go back to them, since the
//! chain they were sent along is the one of the unit they left. Sent again, a request is
//! checked and routed afresh (submitting resolves the chain again).

use super::*;

impl Services {
    /// Returns each open request (submitted, or in review) of `employee_id` for revision, with
    /// `note`; what they booked is released. Each goes back in its own transaction, retried
    /// when a decider acts on it at the same moment. Returns how many went back.
    pub async fn return_on_transfer(
        &self,
        employee_id: Uuid,
        note: &str,
    ) -> Result<usize, ServiceError> {
        let open = service_request::Entity::find()
            .filter(service_request::Column::EmployeeId.eq(employee_id))
            .filter(
                service_request::Column::Status
                    .is_in([RequestStatus::Submitted, RequestStatus::InReview]),
            )
            .all(&self.db)
            .await?;
        let mut returned = 0;
        for req in open {
            for attempt in 0.. {
                match self.return_one(req.id, note).await {
                    Ok(true) => returned += 1,
                    Ok(false) => {}
                    Err(ServiceError::VersionConflict) if attempt < 3 => continue,
                    Err(e) => return Err(e),
                }
                break;
            }
        }
        Ok(returned)
    }

    /// Returns one request if it is still open; `false` if it was decided or withdrawn first.
    async fn return_one(&self, id: Uuid, note: &str) -> Result<bool, ServiceError> {
        let now = self.clock.now();
        let txn = self.write_txn().await?;
        let before = fetch(&txn, id).await?;
        if !matches!(
            before.status,
            RequestStatus::Submitted | RequestStatus::InReview
        ) {
            return Ok(false);
        }
        let req = bump(&txn, id, before.version as u32, now).await?;
        let status = req.status;
        skip_rest(&txn, id).await?;
        let (row, def) = catalogue::get(&txn, &req.service_code).await?;
        self.rules(&row.rules)?
            .settle(&txn, id, Settlement::Released)
            .await?;
        set_status(&txn, id, RequestStatus::Returned, None, None).await?;
        let event = Event {
            action: Action::Returned,
            from: Some(status),
            to: RequestStatus::Returned,
            acted: Acted {
                actor: None,
                capacity: Some("transfer".into()),
                acting: None,
            },
            outcome: None,
            note: note_of(Some(note)),
            decided: None,
            activated: None,
        };
        self.finish(txn, &req, &def.spec.name, now, event).await?;
        Ok(true)
    }
}
