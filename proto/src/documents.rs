//! Signed documents: decision letters and what a verification of a signed PDF found.
//!
//! The verification report is produced by the shared verifier (`abdi-pades`) on the server and
//! on the phone, so both show a civil servant the same words.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::Text;

/// What a signature (or a whole document) was found to be, worst last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SignatureStatus {
    /// Valid, trusted, and nothing but signatures or validation data was added since.
    Intact,
    /// The signature is sound but the certificate does not lead to a trusted root, or was not
    /// valid when the document was signed.
    Untrusted,
    /// The signed bytes, or the content shown, changed after signing.
    Modified,
    /// No usable signature: malformed, wrong key, unsupported algorithm, or none at all.
    Invalid,
}

impl SignatureStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Intact => "intact",
            Self::Untrusted => "untrusted",
            Self::Modified => "modified",
            Self::Invalid => "invalid",
        }
    }

    pub fn text(self) -> Text {
        match self {
            Self::Intact => Text::new(
                "Tanda tangan sah dan dokumen utuh",
                "Signature valid and document intact",
            ),
            Self::Untrusted => Text::new(
                "Sertifikat penanda tangan tidak tepercaya",
                "The signer's certificate is not trusted",
            ),
            Self::Modified => Text::new(
                "Dokumen telah diubah setelah ditandatangani",
                "The document was changed after it was signed",
            ),
            Self::Invalid => Text::new("Tanda tangan tidak sah", "The signature is not valid"),
        }
    }
}

macro_rules! findings {
    ($($variant:ident => $code:literal, $status:ident, $id:literal, $en:literal;)*) => {
        /// Why a signature got its status; stable codes clients can switch on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum FindingCode { $($variant,)* }

        impl FindingCode {
            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }
            /// The status a signature gets at best when this was found.
            pub fn status(self) -> SignatureStatus {
                match self { $(Self::$variant => SignatureStatus::$status,)* }
            }
            pub fn text(self) -> Text {
                match self { $(Self::$variant => Text::new($id, $en),)* }
            }
        }
    };
}

findings! {
    NoSignature => "no_signature", Invalid,
        "Dokumen tidak memiliki tanda tangan elektronik", "The document has no electronic signature";
    Malformed => "malformed", Invalid,
        "Berkas PDF atau tanda tangannya rusak", "The PDF or its signature is malformed";
    UnsupportedAlgorithm => "unsupported_algorithm", Invalid,
        "Algoritma tanda tangan tidak didukung", "The signature algorithm is not supported";
    SignatureInvalid => "signature_invalid", Invalid,
        "Tanda tangan tidak cocok dengan kunci sertifikat", "The signature does not match the certificate's key";
    CertificateMissing => "certificate_missing", Invalid,
        "Sertifikat penanda tangan tidak disertakan", "The signer's certificate is not included";
    SigningCertificateMismatch => "signing_certificate_mismatch", Invalid,
        "Atribut sertifikat penanda tangan (ESS) tidak cocok", "The signing-certificate (ESS) attribute does not match";
    DigestMismatch => "digest_mismatch", Modified,
        "Isi yang ditandatangani telah berubah", "The signed bytes have changed";
    ContentChanged => "content_changed", Modified,
        "Isi dokumen diubah setelah ditandatangani", "The document's content was changed after signing";
    PartialCoverage => "partial_coverage", Modified,
        "Tanda tangan tidak mencakup seluruh berkas", "The signature does not cover the whole file";
    UntrustedRoot => "untrusted_root", Untrusted,
        "Sertifikat tidak diterbitkan oleh otoritas tepercaya", "The certificate was not issued by a trusted authority";
    ChainInvalid => "chain_invalid", Untrusted,
        "Rantai sertifikat tidak sah", "The certificate chain is not valid";
    CertificateExpired => "certificate_expired", Untrusted,
        "Sertifikat sudah kedaluwarsa saat penandatanganan", "The certificate had expired when the document was signed";
    CertificateNotYetValid => "certificate_not_yet_valid", Untrusted,
        "Sertifikat belum berlaku saat penandatanganan", "The certificate was not yet valid when the document was signed";
    NotForSigning => "not_for_signing", Untrusted,
        "Sertifikat tidak untuk tanda tangan", "The certificate is not for signing";
    SignaturesAdded => "signatures_added", Intact,
        "Setelah ditandatangani hanya tanda tangan atau data validasi yang ditambahkan", "Only signatures or validation data were added after signing";
}

/// One thing the verifier found, with what it saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub code: FindingCode,
    pub message: Text,
    /// Technical detail in English (which object, which certificate).
    pub detail: String,
}

impl Finding {
    pub fn new(code: FindingCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            message: code.text(),
            detail: detail.into(),
        }
    }
}

/// Who signed, as the certificate says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignerIdentity {
    /// The certificate's common name.
    pub name: String,
    pub nip: Option<String>,
    /// Masked (`3578**********01`): a NIK is personal data.
    pub nik: Option<String>,
    pub organization: Option<String>,
    /// The issuing authority's name.
    pub issuer: String,
    /// The certificate's serial number (hex).
    pub serial: String,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
}

/// One signature in a PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignatureReport {
    /// The signature field's name.
    pub field: Option<String>,
    pub status: SignatureStatus,
    pub message: Text,
    pub signer: Option<SignerIdentity>,
    /// When it was signed, as the signer claims (PAdES B-B has no trusted time).
    pub signed_at: Option<DateTime<Utc>>,
    /// e.g. "RSA-SHA256", "ECDSA-P256-SHA256".
    pub algorithm: Option<String>,
    /// Bytes of the file the signature covers; the file may be longer.
    pub covered_bytes: u64,
    /// Bytes added after this signature (later signatures or changes).
    pub appended_bytes: u64,
    pub findings: Vec<Finding>,
}

/// What the verifier found in a PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerificationReport {
    /// The worst status over the signatures (`invalid` when there is none).
    pub status: SignatureStatus,
    pub message: Text,
    pub size: u64,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    pub signatures: Vec<SignatureReport>,
    /// Findings about the file itself (no signature, unreadable).
    pub findings: Vec<Finding>,
}

impl VerificationReport {
    /// Intact and trusted: the only result a caller may rely on.
    pub fn is_intact(&self) -> bool {
        self.status == SignatureStatus::Intact
    }
}

/// A decision letter as its readers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentView {
    pub id: uuid::Uuid,
    pub request_id: uuid::Uuid,
    /// `surat_izin_cuti` or `surat_keputusan`.
    pub kind: String,
    pub number: String,
    pub title: Text,
    pub issued_on: NaiveDate,
    pub status: DocumentStatus,
    pub signer_name: String,
    pub signer_nip: String,
    /// The capacity as printed, e.g. "Plt. Kepala Dinas Pendidikan".
    pub signer_capacity: String,
    pub signed_at: Option<DateTime<Utc>>,
    /// SHA-256 of the signed PDF, hex.
    pub sha256: Option<String>,
    pub size: Option<u64>,
    /// The public verification address printed in the QR code.
    pub verify_url: String,
}

/// Where a letter is on its way to a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    /// Rendered on the decision, waiting for the signer.
    AwaitingSignature,
    Signed,
}

impl DocumentStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::AwaitingSignature => "awaiting_signature",
            Self::Signed => "signed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "awaiting_signature" => Some(Self::AwaitingSignature),
            "signed" => Some(Self::Signed),
            _ => None,
        }
    }
}

/// What the public may see about a letter from its QR code: never the employee's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicDocument {
    pub id: uuid::Uuid,
    pub number: String,
    pub title: Text,
    pub issued_on: NaiveDate,
    pub signer_name: String,
    pub signer_capacity: String,
    pub status: DocumentStatus,
    pub signed_at: Option<DateTime<Utc>>,
    /// SHA-256 of the signed PDF: a reader can compare it with the file they hold.
    pub sha256: Option<String>,
    pub message: Text,
}

/// Sign letters waiting for the caller's signature, in one step-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignBatch {
    /// 1 to 100 letters.
    pub documents: Vec<uuid::Uuid>,
    /// For a remote signing service: the signer's passphrase (never stored or logged).
    #[serde(default)]
    pub passphrase: Option<String>,
    /// For a remote signing service: a one-time code instead of the passphrase.
    #[serde(default)]
    pub totp: Option<String>,
}

/// What happened to each letter of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignBatchResult {
    pub signed: Vec<DocumentView>,
}
