//! Signed letters on the phone: the same verifier as the server (`abdi-pades`), against the
//! roots pinned in the app, and the same register check: a file is `intact` only when it is a
//! letter Abdi issued, signed by that letter's signer. The signatures are checked with no
//! network; whether Abdi issued a file is known from the letter's record the app holds, or asked
//! of the server (offline, it stays unconfirmed).

use abdi_pades::{TrustStore, ValidationTime};
use abdi_proto::ErrorCode;
use abdi_proto::documents::{DocumentView, IssuedLetter, VerificationReport};
use chrono::Utc;
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

/// Verifies a letter offline: who signed, whether the signatures hold against the pinned roots
/// (judged at the time Abdi recorded for the letter, when `letter` is its register entry, else
/// now), and what changed if they do not; then whether the file is `letter` (`None`: the
/// register could not be asked, so it is not taken for an Abdi letter).
pub fn verify_document(
    pdf: &[u8],
    roots: &PinnedRoots,
    letter: Option<IssuedLetter>,
) -> VerificationReport {
    let at = match &letter {
        Some(l) => ValidationTime::Issued(l.signed_at),
        None => ValidationTime::Now(Utc::now()),
    };
    let report = abdi_pades::verify(pdf, &roots.0, at);
    match letter {
        Some(l) => report.against_register(Some(l)),
        None => report.register_unreachable(),
    }
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
        // The letter's record says which file Abdi issued; a copy that is not that file is not
        // the letter, whatever its signatures say.
        let register = IssuedLetter::of(&document);
        let report = match register {
            Some(l) if l.sha256.eq_ignore_ascii_case(&sha256_hex(&pdf)) => {
                verify_document(&pdf, roots, Some(l))
            }
            _ => abdi_pades::verify(&pdf, &roots.0, ValidationTime::Now(Utc::now()))
                .against_register(None),
        };
        Ok(ViewedDocument {
            document,
            pdf,
            report,
            from_cache,
        })
    }

    /// Verifies a letter that reached the phone another way (shared in a chat, say): the
    /// server's register is asked whether Abdi issued this file; offline, the signatures are
    /// still checked and the file stays unconfirmed.
    pub async fn verify_pdf(&self, pdf: &[u8]) -> Result<VerificationReport, CoreError> {
        let roots = self
            .roots
            .as_ref()
            .ok_or_else(|| CoreError::NotCached("pinned roots".into()))?;
        let path = format!("/api/v1/verify/sha256/{}", sha256_hex(pdf));
        match self.http.json::<IssuedLetter>(Call::get(path)).await {
            Ok(letter) => Ok(verify_document(pdf, roots, Some(letter))),
            Err(CoreError::Api {
                code: ErrorCode::DocumentNotFound,
                ..
            }) => Ok(
                abdi_pades::verify(pdf, &roots.0, ValidationTime::Now(Utc::now()))
                    .against_register(None),
            ),
            Err(e) if e.is_transient() => Ok(verify_document(pdf, roots, None)),
            Err(e) => Err(e),
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
