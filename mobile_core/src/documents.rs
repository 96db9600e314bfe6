//! Signed letters on the phone: the same verifier as the server (`abdi-pades`), against the
//! roots pinned in the app, with no network.

use abdi_pades::TrustStore;
use abdi_proto::documents::{DocumentView, VerificationReport};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::http::Call;
use crate::{Client, CoreError};

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

impl From<TrustStore> for PinnedRoots {
    fn from(store: TrustStore) -> Self {
        Self(store)
    }
}

/// Verifies a downloaded letter: who signed, when, whether it is intact and trusted, and what
/// changed if it is not. `now` is used only when the signature claims no time.
pub fn verify_document(pdf: &[u8], roots: &PinnedRoots, now: DateTime<Utc>) -> VerificationReport {
    abdi_pades::verify(pdf, &roots.0, now)
}

/// A letter ready for the viewer: its bytes and what the verification found, every time it is
/// opened (a file on the phone can be changed too).
#[derive(Debug, Clone)]
pub struct ViewedDocument {
    pub document: DocumentView,
    pub pdf: Vec<u8>,
    pub report: VerificationReport,
    /// True when the server could not be reached and the copy on the phone was used.
    pub from_cache: bool,
}

impl Client {
    /// The letters of a request.
    pub async fn request_documents(
        &self,
        request_id: Uuid,
    ) -> Result<Vec<DocumentView>, CoreError> {
        self.authed(Call::get(format!(
            "/api/v1/requests/{request_id}/documents"
        )))
        .await
    }

    /// Downloads a signed letter (or takes the copy on the phone when offline), checks it is
    /// the file the server describes, verifies it against the pinned roots and keeps it.
    pub async fn open_document(&self, id: Uuid) -> Result<ViewedDocument, CoreError> {
        let roots = self
            .roots
            .as_ref()
            .ok_or_else(|| CoreError::NotCached("pinned roots".into()))?;
        let view_file = format!("documents/{id}.json");
        let pdf_file = format!("documents/{id}.pdf");
        let (document, from_cache) = match self
            .authed::<DocumentView>(Call::get(format!("/api/v1/documents/{id}")))
            .await
        {
            Ok(d) => (d, false),
            Err(e) if e.is_transient() => match self.data.read_json(&view_file).await? {
                Some(d) => (d, true),
                None => return Err(e),
            },
            Err(e) => return Err(e),
        };
        let cached = self.data.read(&pdf_file).await?;
        let pdf = match cached {
            Some(bytes)
                if from_cache || document.sha256.as_deref() == Some(&sha256_hex(&bytes)) =>
            {
                bytes
            }
            _ => {
                let bytes = self
                    .authed_bytes(Call::get(format!("/api/v1/documents/{id}/pdf")))
                    .await?;
                if let Some(want) = &document.sha256
                    && *want != sha256_hex(&bytes)
                {
                    return Err(CoreError::Protocol(format!(
                        "letter {id}: the download does not match its SHA-256"
                    )));
                }
                self.data.write(&pdf_file, bytes.clone()).await?;
                self.data.write_json(&view_file, &document).await?;
                bytes
            }
        };
        let report = verify_document(&pdf, roots, Utc::now());
        Ok(ViewedDocument {
            document,
            pdf,
            report,
            from_cache,
        })
    }

    /// Verifies a letter that reached the phone another way (shared in a chat, say).
    pub fn verify_pdf(&self, pdf: &[u8]) -> Result<VerificationReport, CoreError> {
        let roots = self
            .roots
            .as_ref()
            .ok_or_else(|| CoreError::NotCached("pinned roots".into()))?;
        Ok(verify_document(pdf, roots, Utc::now()))
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
