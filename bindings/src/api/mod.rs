//! What Dart sees. Every public item here reaches Dart with its `///` docs.

pub mod client;
pub mod error;
pub mod offline;
