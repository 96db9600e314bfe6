//! abdi-proto: the contract between the Abdi server and the device.
//!
//! Wire types, stable error codes, identifier newtypes parsed once at the edge (NIP, NIK, rank)
//! and reference rules (rank ladder, holiday calendar). Pure: no I/O, no async runtime, compiles
//! for mobile targets.

pub mod agency;
pub mod archive;
pub mod attendance;
pub mod calendar;
pub mod completeness;
pub mod documents;
pub mod eligibility;
pub mod error;
pub mod forms;
pub mod health;
pub mod identity;
pub mod leave;
pub mod master;
pub mod nik;
pub mod nip;
pub mod notifications;
pub mod organisation;
pub mod people;
pub mod phone;
pub mod promotion;
pub mod rank;
pub mod record;
pub mod reference;
pub mod services;
pub mod sharing;
pub mod updates;

pub use calendar::{Holiday, HolidayCalendar};
pub use error::{ErrorCode, Lang, Problem, ProblemItem, Text};
pub use master::Vocabulary;
pub use nik::Nik;
pub use nip::{Nip, PPPK_CODE};
pub use phone::Phone;
pub use rank::RankCode;
