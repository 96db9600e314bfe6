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

#[derive(Clone)]
pub struct AppState {
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
}
