//! Attendance (presensi) from the phone: the places an employee may check in at, the device
//! that signs their check-ins, and the check-ins, each judged as it arrives.
//!
//! - [`places`]: a unit's office fences (for it and every unit below it) and places assigned
//!   to one employee, set by administrators.
//! - [`devices`]: the phone's P-256 key, enrolled in a logged-in session (a new phone retires
//!   the old one), and the single-use nonce an online check-in carries.
//! - [`checkin`]: an upload of signed records: each record's signature, its number (a replay
//!   is refused), its nonce or, offline, its monotonic clock against the upload's, then
//!   [`score`]: accepted, flagged for the atasan, or refused with the reasons the employee sees.
//! - [`review`]: the atasan accepts or rejects the flagged check-ins of their team.
//! - [`days`]: what each day came to (present, late, left early, absent, excused, off).
//!
//! A location is kept only with a check-in or check-out, never tracked in between.

use sea_orm::{DatabaseConnection, DbErr};

use crate::access::AccessError;
use crate::clock::SharedClock;
use crate::config::AttendanceConfig;
use crate::error::ApiError;
use crate::store::shared::{SharedStore, SharedStoreError};
use abdi_proto::ErrorCode;

pub mod attestation;
pub mod cases;
pub mod checkin;
pub mod days;
pub mod devices;
pub mod excuses;
pub mod places;
pub mod review;
pub mod schedules;
pub mod score;
pub mod supervision;

pub mod entity {
    pub mod place {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "attendance_places")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub name: String,
            pub fence: String,
            pub accuracy_m: f64,
            pub unit_id: Option<Uuid>,
            pub employee_id: Option<Uuid>,
            pub active: bool,
            pub created_by: Uuid,
            pub created_at: DateTimeUtc,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod device {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "attendance_devices")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub employee_id: Uuid,
            pub name: String,
            pub public_key_pem: String,
            pub enrolled_at: DateTimeUtc,
            pub retired_at: Option<DateTimeUtc>,
            pub last_seq: i64,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod check_in {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "attendance_check_ins")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub employee_id: Uuid,
            pub device_id: Uuid,
            pub seq: i64,
            pub kind: abdi_proto::attendance::CheckKind,
            pub at: DateTimeUtc,
            pub received_at: DateTimeUtc,
            pub taken_at: DateTimeUtc,
            pub offline: bool,
            pub lat: f64,
            pub lon: f64,
            pub accuracy_m: f64,
            pub mock: bool,
            pub place_id: Option<Uuid>,
            pub distance_m: Option<f64>,
            pub verdict: abdi_proto::attendance::Verdict,
            pub reasons: String,
            pub photo_lat: Option<f64>,
            pub photo_lon: Option<f64>,
            pub record: String,
            pub signature: String,
            pub reviewed_by: Option<Uuid>,
            pub reviewed_at: Option<DateTimeUtc>,
            pub review_note: Option<String>,
            pub attestation: Option<String>,
            pub photo_key: Option<String>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod schedule {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "attendance_schedules")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub name: String,
            pub unit_id: Option<Uuid>,
            pub from: Date,
            pub until: Option<Date>,
            pub days: String,
            pub flexible_minutes: i32,
            pub active: bool,
            pub created_by: Uuid,
            pub created_at: DateTimeUtc,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod correction {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "attendance_corrections")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub request_id: Uuid,
            pub employee_id: Uuid,
            pub kind: abdi_proto::attendance::CheckKind,
            pub at: DateTimeUtc,
            pub granted_at: DateTimeUtc,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod excuse {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "attendance_excuses")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub request_id: Uuid,
            pub employee_id: Uuid,
            pub start_date: Date,
            pub end_date: Date,
            pub why: String,
            pub granted_at: DateTimeUtc,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod case {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "attendance_cases")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub employee_id: Uuid,
            pub year: i32,
            pub threshold: String,
            pub sanction: String,
            pub days: i32,
            pub dates: String,
            pub opened_at: DateTimeUtc,
            pub state: String,
            pub closed_by: Option<Uuid>,
            pub closed_at: Option<DateTimeUtc>,
            pub note: Option<String>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

/// Why an attendance operation was refused (a check-in's own verdict is not an error).
#[derive(Debug, thiserror::Error)]
pub enum AttendanceError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("session store: {0}")]
    Store(#[from] SharedStoreError),
    #[error("invalid place: {en}")]
    InvalidPlace { id: String, en: String },
    #[error("invalid schedule: {en}")]
    InvalidSchedule { id: String, en: String },
    #[error("device not enrolled or retired")]
    DeviceUnknown,
    #[error("invalid upload: {en}")]
    InvalidUpload { id: String, en: String },
    #[error("invalid query: {en}")]
    InvalidQuery { id: String, en: String },
    #[error("check-in not found")]
    CheckInNotFound,
    #[error("check-in not flagged")]
    NotFlagged,
    #[error("absence case not found")]
    CaseNotFound,
    #[error("absence case closed")]
    CaseClosed,
}

impl From<DbErr> for AttendanceError {
    fn from(e: DbErr) -> Self {
        AttendanceError::Access(AccessError::Database(e))
    }
}

impl AttendanceError {
    pub(crate) fn place(id: impl Into<String>, en: impl Into<String>) -> Self {
        Self::InvalidPlace {
            id: id.into(),
            en: en.into(),
        }
    }

    pub(crate) fn schedule(id: impl Into<String>, en: impl Into<String>) -> Self {
        Self::InvalidSchedule {
            id: id.into(),
            en: en.into(),
        }
    }

    pub(crate) fn query(id: impl Into<String>, en: impl Into<String>) -> Self {
        Self::InvalidQuery {
            id: id.into(),
            en: en.into(),
        }
    }

    pub(crate) fn upload(id: impl Into<String>, en: impl Into<String>) -> Self {
        Self::InvalidUpload {
            id: id.into(),
            en: en.into(),
        }
    }
}

impl From<AttendanceError> for ApiError {
    fn from(e: AttendanceError) -> Self {
        match e {
            AttendanceError::Access(e) => e.into(),
            AttendanceError::Store(e) => e.into(),
            AttendanceError::InvalidPlace { id, en } => {
                ApiError::with_detail(ErrorCode::AttendancePlaceInvalid, id, en)
            }
            AttendanceError::InvalidSchedule { id, en } => {
                ApiError::with_detail(ErrorCode::AttendanceScheduleInvalid, id, en)
            }
            AttendanceError::DeviceUnknown => ApiError::with_detail(
                ErrorCode::AttendanceDeviceUnknown,
                "Ponsel ini belum didaftarkan untuk presensi, atau sudah diganti ponsel lain: daftarkan lagi.",
                "This phone is not enrolled for attendance, or another phone replaced it: enrol it again.",
            ),
            AttendanceError::InvalidUpload { id, en } => {
                ApiError::with_detail(ErrorCode::AttendanceUploadInvalid, id, en)
            }
            AttendanceError::InvalidQuery { id, en } => {
                ApiError::with_detail(ErrorCode::InvalidQuery, id, en)
            }
            AttendanceError::CheckInNotFound => ApiError::new(ErrorCode::CheckInNotFound),
            AttendanceError::CaseNotFound => ApiError::new(ErrorCode::AttendanceCaseNotFound),
            AttendanceError::CaseClosed => ApiError::new(ErrorCode::AttendanceCaseClosed),
            AttendanceError::NotFlagged => ApiError::with_detail(
                ErrorCode::CheckInNotFlagged,
                "Presensi ini tidak menunggu keputusan atasan (sudah diterima, ditolak, atau ditolak sistem).",
                "This check-in is not waiting for the atasan (it was accepted, rejected, or refused).",
            ),
        }
    }
}

/// The attendance capability.
#[derive(Clone)]
pub struct Attendance {
    db: DatabaseConnection,
    store: SharedStore,
    clock: SharedClock,
    config: AttendanceConfig,
    attestation: Option<attestation::SharedAttestation>,
}

impl Attendance {
    pub fn new(
        db: DatabaseConnection,
        store: SharedStore,
        clock: SharedClock,
        config: AttendanceConfig,
    ) -> Self {
        Self {
            db,
            store,
            clock,
            config,
            attestation: None,
        }
    }

    /// Checks the platform attestation a check-in carries with `provider`.
    pub fn with_attestation(mut self, provider: Option<attestation::SharedAttestation>) -> Self {
        self.attestation = provider;
        self
    }
}
