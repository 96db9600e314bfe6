#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The PAdES signer and verifier: round trips, every rejection the issue names, files signed by
//! pyHanko, the external validators (pdfsig, pyHanko) on files signed here, and hostile input.

mod support;

mod hostile;
mod roundtrip;
mod validators;
