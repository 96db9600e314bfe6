//! Service requests, service-agnostic: the catalogue, the request lifecycle with its approval
//! chain, idempotent submission, attachments and the work lists. What a particular service may
//! ask for lives in its own module (`leave`, `study`) behind [`rules::ServiceRules`].

pub mod attachments;
pub(crate) mod catalogue;
pub(crate) mod chain;
pub(crate) mod engine;
pub mod entity;
pub(crate) mod events;
mod facade;
pub(crate) mod idempotency;
pub(crate) mod rules;
pub(crate) mod views;

use abdi_proto::ErrorCode;
use std::sync::Arc;

use abdi_proto::forms::FieldError;
use abdi_proto::services::Violation;
use sea_orm::{DatabaseConnection, DbErr};

use crate::access::AccessError;
use crate::clock::SharedClock;
use crate::error::ApiError;
use crate::store::objects::{ObjectError, Objects};
use events::Subscribers;
use rules::{Registry, ServiceRules};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("service not found")]
    ServiceNotFound,
    #[error("service inactive")]
    ServiceInactive,
    #[error("a service with this code exists")]
    ServiceExists,
    #[error("the form has errors")]
    FormInvalid(Vec<FieldError>),
    #[error("the request breaks the service's rules")]
    Rules(Vec<Violation>),
    #[error("the record lacks what the service needs")]
    RecordIncomplete(Vec<abdi_proto::completeness::Missing>),
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
    /// What each service's rules are, by the name its catalogue entry gives.
    rules: Registry,
    /// Told of every change in its transaction (notifications, letters).
    subscribers: Subscribers,
}

impl Services {
    pub fn new(
        db: DatabaseConnection,
        objects: Objects,
        clock: SharedClock,
        rules: Registry,
        subscribers: Subscribers,
    ) -> Self {
        Self {
            db,
            objects,
            clock,
            rules,
            subscribers,
        }
    }

    /// The rules a catalogue entry names.
    pub fn rules(&self, name: &str) -> Result<Arc<dyn ServiceRules>, ServiceError> {
        self.rules
            .get(name)
            .ok_or_else(|| ServiceError::InvalidSpec(format!("no rules named '{name}'")))
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        use abdi_proto::services::Violation;
        match e {
            ServiceError::ServiceNotFound => ApiError::new(ErrorCode::ServiceNotFound),
            ServiceError::ServiceInactive => ApiError::new(ErrorCode::ServiceInactive),
            ServiceError::ServiceExists => ApiError::new(ErrorCode::ServiceExists),
            ServiceError::FormInvalid(errors) => ApiError::with_items(
                ErrorCode::FormInvalid,
                errors
                    .into_iter()
                    .map(|f| Violation {
                        code: serde_json::to_value(f.code)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default(),
                        field: Some(f.field),
                        message: f.message,
                        seen: Vec::new(),
                    })
                    .collect(),
            ),
            ServiceError::Rules(violations) => {
                ApiError::with_items(ErrorCode::RuleViolation, violations)
            }
            ServiceError::RecordIncomplete(missing) => ApiError::with_items(
                ErrorCode::RecordIncomplete,
                missing.into_iter().map(Violation::from).collect(),
            ),
            ServiceError::RequestNotFound => ApiError::new(ErrorCode::RequestNotFound),
            ServiceError::InvalidTransition(status) => ApiError::with_detail(
                ErrorCode::InvalidTransition,
                format!("Status permohonan saat ini: {status}."),
                format!("The request is now: {status}."),
            ),
            ServiceError::VersionConflict => ApiError::new(ErrorCode::VersionConflict),
            ServiceError::ReasonRequired => ApiError::new(ErrorCode::ReasonRequired),
            ServiceError::ChangesRequired => ApiError::with_detail(
                ErrorCode::InvalidBody,
                "Keputusan PERUBAHAN memerlukan isian yang diubah ('changes').",
                "A PERUBAHAN decision needs the changed values ('changes').",
            ),
            ServiceError::IdempotencyKeyInvalid => ApiError::new(ErrorCode::IdempotencyKeyInvalid),
            ServiceError::IdempotencyKeyReused => ApiError::new(ErrorCode::IdempotencyKeyReused),
            ServiceError::IdempotencyInProgress => ApiError {
                retry_after: Some(1),
                ..ApiError::new(ErrorCode::IdempotencyInProgress)
            },
            ServiceError::AttachmentNotFound => ApiError::new(ErrorCode::AttachmentNotFound),
            ServiceError::UploadQuota { max, hours } => ApiError::with_detail(
                ErrorCode::UploadQuotaExceeded,
                format!(
                    "Paling banyak {max} lampiran boleh menunggu dikirim; lampiran yang tidak dikirim dihapus setelah {hours} jam."
                ),
                format!(
                    "At most {max} attachments may wait to be sent; those never sent are removed after {hours} hours."
                ),
            ),
            ServiceError::InvalidSpec(why) => ApiError::with_detail(
                ErrorCode::ServiceInvalid,
                format!("Definisi layanan tidak dapat dipakai: {why}"),
                format!("The service definition cannot be used: {why}"),
            ),
            ServiceError::Objects(e) => e.into(),
            ServiceError::Access(e) => e.into(),
            ServiceError::Database(e) => crate::store::db::problem(&e),
        }
    }
}
