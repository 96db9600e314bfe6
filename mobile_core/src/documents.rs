//! Signed letters on the phone: the same verifier as the server (`abdi-pades`), against the
//! roots pinned in the app, with no network.

use abdi_pades::TrustStore;
use abdi_proto::documents::VerificationReport;
use chrono::{DateTime, Utc};

use crate::CoreError;

/// The roots a letter must chain to (BSrE's, or the agency's local CA), pinned in the app.
#[derive(Debug, Clone)]
pub struct PinnedRoots(TrustStore);

impl PinnedRoots {
    /// Reads a PEM bundle of root certificates.
    pub fn from_pem(pem: &[u8]) -> Result<Self, CoreError> {
        TrustStore::from_pem(pem)
            .map(Self)
            .map_err(|e| CoreError::Corrupt(format!("pinned roots: {e}")))
    }
}

/// Verifies a downloaded letter: who signed, when, whether it is intact and trusted, and what
/// changed if it is not. `now` is used only when the signature claims no time.
pub fn verify_document(pdf: &[u8], roots: &PinnedRoots, now: DateTime<Utc>) -> VerificationReport {
    abdi_pades::verify(pdf, &roots.0, now)
}
