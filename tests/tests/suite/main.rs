//! The end-to-end suite: one test binary, every test against the real app with real peers,
//! most of them twice (PostgreSQL + Redis, SQLite + in-process store).

// Tests and benches measure real time: the injected-clock rule is for the product's code.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access;
mod agency;
mod attendance;
mod database_outage;
mod documents;
mod errors;
mod health;
mod identity;
mod import;
mod mobile;
mod notifications;
mod openapi;
mod passkeys;
mod promotion;
mod record;
mod reference;
mod seed;
mod services;
mod sessions;
mod sharing;
mod sso;
mod updates;
mod web;
