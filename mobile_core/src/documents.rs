//! Signed letters on the phone: the same verifier as the server (`abdi-pades`), against the
//! roots pinned in the app, and the same register check: a file is `intact` only when it is a
//! letter Abdi issued, signed by that letter's signer. The signatures are checked with no
//! network; whether Abdi issued a file is known from the letter's record the app holds, or asked
//! of the server (offline, it stays unconfirmed).

use abdi_pades::{TrustStore, ValidationTime};
use abdi_proto::ErrorCode;
use abdi_proto::documents::{DocumentView, IssuedLetter, VerificationReport};
use uuid::Uuid;

use crate::clock::{Clock, SystemClock};
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
/// register could not be asked, so it is not taken for an Abdi letter). "Now" is the wall
/// clock; [`verify_document_with_clock`] takes another.
pub fn verify_document(
    pdf: &[u8],
    roots: &PinnedRoots,
    letter: Option<IssuedLetter>,
) -> VerificationReport {
    verify_document_with_clock(pdf, roots, letter, &SystemClock)
}

/// [`verify_document`], with "now" read from `clock` (only when there is no `letter`).
pub fn verify_document_with_clock(
    pdf: &[u8],
    roots: &PinnedRoots,
    letter: Option<IssuedLetter>,
    clock: &dyn Clock,
) -> VerificationReport {
    let at = match &letter {
        Some(l) => ValidationTime::Issued(l.signed_at),
        None => ValidationTime::Now(clock.now()),
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
                verify_document_with_clock(&pdf, roots, Some(l), &*self.clock)
            }
            _ => unregistered(&pdf, roots, &*self.clock),
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
            Ok(letter) => Ok(verify_document_with_clock(
                pdf,
                roots,
                Some(letter),
                &*self.clock,
            )),
            Err(CoreError::Api {
                code: ErrorCode::DocumentNotFound,
                ..
            }) => Ok(unregistered(pdf, roots, &*self.clock)),
            Err(e) if e.is_transient() => {
                Ok(verify_document_with_clock(pdf, roots, None, &*self.clock))
            }
            Err(e) => Err(e),
        }
    }
}

/// A file the register says Abdi did not issue: its signatures judged at `clock`'s now.
fn unregistered(pdf: &[u8], roots: &PinnedRoots, clock: &dyn Clock) -> VerificationReport {
    abdi_pades::verify(pdf, &roots.0, ValidationTime::Now(clock.now())).against_register(None)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use abdi_pades::keys::KeyAlgorithm;
    use abdi_pades::pki::{self, Spec, dn};
    use abdi_pades::sign::{Credentials, SignOptions, sign};
    use abdi_proto::documents::{FindingCode, SignatureStatus};
    use chrono::{DateTime, TimeDelta, Utc};

    use super::*;
    use crate::clock::ManualClock;
    use crate::{ClientConfig, MemorySecureStore};

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    /// A one-page PDF with a classic cross-reference table.
    fn plain_pdf() -> Vec<u8> {
        abdi_pades::sample::plain_pdf("Surat Izin Cuti")
    }

    /// A letter signed at `at` by a signer whose certificate is valid 30 days either side of
    /// it (its CAs for years), and the roots it chains to.
    fn signed_letter(at: DateTime<Utc>) -> (Vec<u8>, PinnedRoots) {
        let spec = |subject: &str, days: i64| Spec {
            subject: dn(&[("CN", subject), ("O", "Abdi Test"), ("C", "ID")]),
            algorithm: KeyAlgorithm::P256,
            not_before: at - TimeDelta::days(days),
            not_after: at + TimeDelta::days(days),
        };
        let root = pki::root(&spec("Abdi Test Root CA", 3650)).unwrap();
        let mid = pki::intermediate(&root, &spec("Abdi Test Signing CA", 3000)).unwrap();
        let signer = pki::signer(&mid, &spec("Dr. Siti Rahayu", 30)).unwrap();
        let creds = Credentials {
            key: signer.key,
            chain: vec![signer.cert, mid.cert],
        };
        let signed = sign(&plain_pdf(), &creds, &SignOptions::at(at)).unwrap();
        (signed, TrustStore::new(vec![root.cert]).into())
    }

    fn expired(report: &VerificationReport) -> bool {
        report.signatures[0]
            .findings
            .iter()
            .any(|f| f.code == FindingCode::CertificateExpired)
    }

    #[test]
    fn a_letter_with_no_record_is_judged_at_the_clocks_now() {
        let signed_at = t("2026-03-01T08:00:00Z");
        let (pdf, roots) = signed_letter(signed_at);
        let clock = ManualClock::at(signed_at + TimeDelta::days(1));

        let report = verify_document_with_clock(&pdf, &roots, None, &clock);
        assert_eq!(
            report.signatures[0].status,
            SignatureStatus::Intact,
            "{report:#?}"
        );
        // Offline, the file stays unconfirmed as an Abdi letter.
        assert_eq!(report.status, SignatureStatus::NotIssued, "{report:#?}");
        assert!(!expired(&report));

        // Two months on, the signer's certificate has expired: not to be relied on any more.
        clock.advance(TimeDelta::days(60));
        let report = verify_document_with_clock(&pdf, &roots, None, &clock);
        assert_eq!(
            report.signatures[0].status,
            SignatureStatus::Untrusted,
            "{report:#?}"
        );
        assert_eq!(report.status, SignatureStatus::Untrusted);
        assert!(expired(&report), "{report:#?}");
    }

    #[tokio::test]
    async fn the_client_verifies_offline_at_its_clocks_now() {
        let signed_at = t("2026-03-01T08:00:00Z");
        let (pdf, roots) = signed_letter(signed_at);
        // A port nothing listens on: the register cannot be asked.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut config = ClientConfig::new(format!("http://127.0.0.1:{port}"));
        config.retries = 0;
        let tmp = tempfile::tempdir().unwrap();
        let clock = ManualClock::at(signed_at + TimeDelta::days(1));
        let client = Client::with_clock(
            config,
            Arc::new(MemorySecureStore::default()),
            tmp.path(),
            Some(roots),
            clock.shared(),
        )
        .unwrap();

        let report = client.verify_pdf(&pdf).await.unwrap();
        assert_eq!(report.signatures[0].status, SignatureStatus::Intact);
        assert!(!expired(&report), "{report:#?}");

        clock.set(signed_at + TimeDelta::days(45));
        let report = client.verify_pdf(&pdf).await.unwrap();
        assert_eq!(report.status, SignatureStatus::Untrusted, "{report:#?}");
        assert!(expired(&report), "{report:#?}");
    }
}
