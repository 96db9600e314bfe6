//! abdi-server: the Abdi backend. The binary (`main.rs`) only parses the command line and calls
//! [`cli::run`]; everything else lives here so tests drive the real application.

// Whatever is not part of a capability's façade is `pub(crate)` or private.
#![deny(unreachable_pub)]

pub mod access;
pub mod agency;
pub mod attendance;
pub mod cli;
pub mod clock;
pub mod config;
pub mod credit;
pub mod discipline;
pub mod documents;
pub(crate) mod email;
pub mod error;
pub(crate) mod http;
pub mod identity;
pub mod import;
pub mod leave;
pub mod masterdata;
pub mod notifications;
pub mod promotion;
pub mod record;
pub mod reference;
pub mod reminders;
pub mod seed;
pub mod services;
pub mod sharing;
pub mod sms;
pub mod startup;
pub mod state;
pub mod store;
pub mod study;
pub mod telemetry;
pub mod updates;
