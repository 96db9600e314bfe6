//! `[documents]`: decision letters, their letterhead, numbering and signer.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::secret::Secret;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignerBackend {
    /// A key and certificate chain from files (`local_dir`); a local CA is made on first run
    /// when the folder is empty. Letters are signed at the decision.
    Local,
    /// A BSrE-style signing service over HTTP: the official signs a batch with their NIK and
    /// passphrase or one-time code.
    Remote,
}

/// Decision letters: their letterhead, numbering and signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentsConfig {
    /// The letterhead's first line (the instansi).
    pub agency: String,
    /// The letterhead's address line.
    pub address: String,
    /// Where letters are issued ("Surabaya, 23 November 2026").
    pub place: String,
    /// The letter number; `{seq}` (per year), `{unit}` (the signer's perangkat daerah code)
    /// and `{year}` are filled in.
    pub number_format: String,
    pub signer: SignerBackend,
    /// The local signer's folder: key.pem, chain.pem (signer first), root.pem.
    pub local_dir: PathBuf,
    /// More trusted roots (PEM files), e.g. BSrE's root; the local root is trusted with the
    /// local signer.
    pub trust_roots: Vec<PathBuf>,
    /// Who issued the signing certificates, as the letters' footer names it.
    pub certificate_authority: String,
    /// The remote signing service, e.g. `https://esign.example.go.id`.
    pub remote_url: String,
    /// The platform's own account at the signing service (HTTP basic auth).
    pub remote_username: String,
    pub remote_password: Option<Secret>,
    pub remote_timeout_secs: u64,
    /// Largest PDF the public verification accepts.
    pub verify_max_bytes: usize,
    /// Verifications one client address may ask for per `verify_window_secs` (429 past it).
    pub verify_per_ip: u64,
    pub verify_window_secs: u64,
    /// Verifications running at once on this instance; past that, 503 with Retry-After.
    pub verify_concurrency: usize,
}
