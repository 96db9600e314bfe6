//! The one application state handed to every handler; no globals.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::access::Access;
use crate::clock::SharedClock;
use crate::config::Config;
use crate::documents::Documents;
use crate::identity::Identity;
use crate::notifications::Notifications;
use crate::reference::ReferenceService;
use crate::services::Services;
use crate::store::shared::SharedStore;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub clock: SharedClock,
    pub db: DatabaseConnection,
    pub sessions: SharedStore,
    pub reference: ReferenceService,
    pub identity: Identity,
    pub access: Access,
    pub services: Services,
    pub documents: Documents,
    pub notifications: Notifications,
}

impl AppState {
    /// Who the caller is in the organisation today (own post, acting posts, roles), for the
    /// capabilities' access checks.
    pub async fn principal(
        &self,
        employee_id: uuid::Uuid,
    ) -> Result<crate::access::Principal, crate::error::ApiError> {
        Ok(self
            .access
            .principal(employee_id, self.clock.today())
            .await
            .map_err(crate::access::AccessError::from)?)
    }
}
