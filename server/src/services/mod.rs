//! Service requests, service-agnostic: the catalogue, the request lifecycle with its approval
//! chain, idempotent submission, attachments and the work lists. What a particular service may
//! ask for lives in its own module (`leave`, `study`) behind [`rules::ServiceRules`].

pub mod attachments;
pub mod catalogue;
pub mod chain;
pub mod engine;
pub mod entity;
pub mod idempotency;
mod routes;
pub mod rules;
pub mod views;

use std::collections::HashMap;
use std::sync::Arc;

use abdi_proto::forms::FieldError;
use abdi_proto::leave::LeaveKind;
use abdi_proto::services::Violation;
use sea_orm::{DatabaseConnection, DbErr};

pub use routes::routes;

use crate::access::AccessError;
use crate::clock::SharedClock;
use crate::documents::Letters;
use crate::leave::LeaveRules;
use crate::store::objects::{ObjectError, Objects};
use crate::study::{StudyKind, StudyRules};
use rules::ServiceRules;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("service not found")]
    ServiceNotFound,
    #[error("service inactive")]
    ServiceInactive,
    #[error("the form has errors")]
    FormInvalid(Vec<FieldError>),
    #[error("the request breaks the service's rules")]
    Rules(Vec<Violation>),
    #[error("request not found")]
    RequestNotFound,
    #[error("not possible while the request is {0}")]
    InvalidTransition(String),
    #[error("the request changed since it was read")]
    VersionConflict,
    #[error("a reason is required")]
    ReasonRequired,
    #[error("a changed decision needs the changed values")]
    ChangesRequired,
    #[error("idempotency key missing or malformed")]
    IdempotencyKeyInvalid,
    #[error("idempotency key reused with another body")]
    IdempotencyKeyReused,
    #[error("a request with this idempotency key is still running")]
    IdempotencyInProgress,
    #[error("attachment not found")]
    AttachmentNotFound,
    #[error("too many uploads not yet sent")]
    UploadQuota { max: u32, hours: u32 },
    #[error("invalid service definition: {0}")]
    InvalidSpec(String),
    #[error(transparent)]
    Objects(#[from] ObjectError),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

/// Service requests and everything they need.
#[derive(Clone)]
pub struct Services {
    pub db: DatabaseConnection,
    pub objects: Objects,
    pub clock: SharedClock,
    /// Issues the decision letter in the final decision's transaction.
    pub letters: Letters,
    /// Woken after a change commits, so its notifications go out at once.
    pub notifier: crate::notifications::Waker,
    rules: Arc<HashMap<&'static str, Arc<dyn ServiceRules>>>,
}

impl Services {
    pub fn new(
        db: DatabaseConnection,
        objects: Objects,
        clock: SharedClock,
        letters: Letters,
        notifier: crate::notifications::Waker,
    ) -> Self {
        let mut rules: HashMap<&'static str, Arc<dyn ServiceRules>> = HashMap::new();
        for (name, kind) in [
            ("leave.tahunan", LeaveKind::Tahunan),
            ("leave.besar", LeaveKind::Besar),
            ("leave.sakit", LeaveKind::Sakit),
            ("leave.melahirkan", LeaveKind::Melahirkan),
            ("leave.alasan_penting", LeaveKind::AlasanPenting),
            ("leave.bersama", LeaveKind::Bersama),
            ("leave.cltn", LeaveKind::Cltn),
        ] {
            rules.insert(name, Arc::new(LeaveRules::new(kind)));
        }
        rules.insert(
            "study.izin_belajar",
            Arc::new(StudyRules::new(StudyKind::IzinBelajar)),
        );
        rules.insert(
            "study.tugas_belajar",
            Arc::new(StudyRules::new(StudyKind::TugasBelajar)),
        );
        Self {
            db,
            objects,
            clock,
            letters,
            notifier,
            rules: Arc::new(rules),
        }
    }

    /// The employee's annual leave for `year`, as the official form's section V shows it.
    pub async fn leave_balance(
        &self,
        employee_id: uuid::Uuid,
        year: i32,
    ) -> Result<abdi_proto::services::LeaveBalance, ServiceError> {
        use sea_orm::EntityTrait;
        let employee = crate::masterdata::entity::employee::Entity::find_by_id(employee_id)
            .one(&self.db)
            .await?
            .ok_or(ServiceError::Access(AccessError::EmployeeNotFound))?;
        Ok(crate::leave::balance(&self.db, &employee, year).await?)
    }

    /// The rules a catalogue entry names.
    pub fn rules(&self, name: &str) -> Result<Arc<dyn ServiceRules>, ServiceError> {
        self.rules
            .get(name)
            .cloned()
            .ok_or_else(|| ServiceError::InvalidSpec(format!("no rules named '{name}'")))
    }
}
