// Tests and benches measure real time: the injected-clock rule is for the product's code.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The PAdES signer and verifier: round trips, every rejection the issue names, files signed by
//! pyHanko, the external validators (pdfsig, pyHanko) on files signed here, hostile input, the
//! work one file may cost, and the time certificates are judged at.

mod support;

mod hostile;
mod limits;
mod roundtrip;
mod timestamps;
mod validators;
