//! PAdES signatures on PDF for Abdi.
//!
//! - [`verify()`]: the one verifier, shared by the server and the phone (abdi-core). It checks the
//!   digest over the `/ByteRange`, the CMS signature, the ESS signing-certificate-v2 hash, the
//!   chain to the configured roots, the certificates' validity at a time the signer does not
//!   choose ([`ValidationTime`], or a verified RFC 3161 signature timestamp), and what was
//!   appended after each signature. It never panics on hostile input, and the work one file can
//!   cost is bounded ([`limits`]): a pre-scan of the raw bytes refuses decompression bombs and
//!   object floods before lopdf parses anything.
//! - With the `sign` feature (the server): [`sign`] writes a PAdES baseline B-B signature as an
//!   incremental update, and [`pki`] creates a local CA (and a local timestamp authority).

mod cert;
mod crypto;
mod ess;
pub mod limits;
mod pdf;
mod scan;
mod tsp;
mod verify;

#[cfg(feature = "sign")]
pub mod keys;
#[cfg(feature = "sign")]
pub mod pki;
#[cfg(feature = "sign")]
pub mod sample;
#[cfg(feature = "sign")]
pub mod sign;

pub use cert::{TrustStore, mask_nik, valid_at};
pub use limits::WorkStats;
pub use verify::{ValidationTime, verify, verify_with_stats};

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
