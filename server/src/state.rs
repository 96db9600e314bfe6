//! The one application state handed to every handler; no globals.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::access::Access;
use crate::clock::SharedClock;
use crate::config::Config;
use crate::documents::Documents;
use crate::identity::Identity;
use crate::reference::ReferenceService;
use crate::services::Services;
use crate::store::session::SessionStore;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub clock: SharedClock,
    pub db: DatabaseConnection,
    pub sessions: SessionStore,
    pub reference: ReferenceService,
    pub identity: Identity,
    pub access: Access,
    pub services: Services,
    pub documents: Documents,
}
