//! Reference data: the rank ladder and the yearly holiday calendar.

pub(crate) mod calendar_data;
pub mod entity;
mod service;

pub use service::{ReferenceService, YearChange, YearDiff};

use abdi_proto::ErrorCode;

use crate::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("no holiday calendar for {0}")]
    CalendarNotFound(i32),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
}

impl From<ReferenceError> for ApiError {
    fn from(e: ReferenceError) -> Self {
        match e {
            ReferenceError::CalendarNotFound(year) => ApiError::with_detail(
                ErrorCode::CalendarNotFound,
                format!("Kalender hari libur tahun {year} belum dimuat."),
                format!("The holiday calendar for {year} has not been loaded."),
            ),
            ReferenceError::Database(e) => crate::store::db::problem(&e),
        }
    }
}
