//! The one application state handed to every handler; no globals.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::access::Access;
use crate::agency::Agency;
use crate::clock::SharedClock;
use crate::config::Config;
use crate::documents::Documents;
use crate::identity::Identity;
use crate::notifications::Notifications;
use crate::record::Records;
use crate::reference::ReferenceService;
use crate::services::Services;
use crate::store::shared::SharedStore;
use crate::updates::Updates;

/// Cloned for every request that reads it (each extractor and middleware takes its own), so
/// it is one pointer: a clone is one atomic increment, not one per capability.
#[derive(Clone)]
pub struct AppState(Arc<Parts>);

impl AppState {
    pub fn new(parts: Parts) -> AppState {
        AppState(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// What the application state holds: the configuration, the stores and every capability.
pub struct Parts {
    pub config: Arc<Config>,
    pub clock: SharedClock,
    pub db: DatabaseConnection,
    pub sessions: SharedStore,
    pub reference: ReferenceService,
    pub records: Records,
    pub updates: Updates,
    pub reminders: crate::reminders::Reminders,
    pub identity: Identity,
    pub access: Access,
    pub agency: Agency,
    pub services: Services,
    pub documents: Documents,
    pub notifications: Notifications,
    pub promotion: crate::promotion::Promotion,
    pub sharing: crate::sharing::Sharing,
    pub attendance: crate::attendance::Attendance,
}
