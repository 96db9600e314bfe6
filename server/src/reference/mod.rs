//! Reference data: the rank ladder and the yearly holiday calendar.

pub mod calendar_data;
pub mod entity;
mod routes;
mod service;

pub use routes::routes;
pub use service::ReferenceService;

#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("no holiday calendar for {0}")]
    CalendarNotFound(i32),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
}
