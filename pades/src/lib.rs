//! PAdES signatures on PDF for Abdi.
//!
//! - [`verify()`]: the one verifier, shared by the server and the phone (abdi-core). It checks the
//!   digest over the `/ByteRange`, the CMS signature, the ESS signing-certificate-v2 hash, the
//!   chain to the configured roots, the certificates' validity at signing time, and what was
//!   appended after each signature. It never panics on hostile input.
//! - With the `sign` feature (the server): [`sign`] writes a PAdES baseline B-B signature as an
//!   incremental update, and [`pki`] creates a local CA.

mod cert;
mod crypto;
mod ess;
mod pdf;
mod verify;

#[cfg(feature = "sign")]
pub mod keys;
#[cfg(feature = "sign")]
pub mod pki;
#[cfg(feature = "sign")]
pub mod sign;

pub use cert::{TrustStore, mask_nik, valid_at};
pub use verify::verify;

/// Errors reading certificates or keys.
#[derive(Debug, thiserror::Error)]
pub enum PadesError {
    #[error("certificate: {0}")]
    Certificate(String),
    #[error("key: {0}")]
    Key(String),
    #[error("pdf: {0}")]
    Pdf(String),
    #[error("signature: {0}")]
    Signature(String),
}
