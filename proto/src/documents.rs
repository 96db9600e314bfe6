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
    /// The signatures hold up, but the file is not a letter Abdi issued (or, offline, that
    /// could not be checked): never to be shown as an Abdi decision.
    NotIssued,
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
            Self::NotIssued => "not_issued",
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
            Self::NotIssued => Text::new(
                "Tanda tangan sah, tetapi berkas ini bukan surat yang diterbitkan Abdi",
                "The signature is valid, but this file is not a letter Abdi issued",
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
    NotIssued => "not_issued", NotIssued,
        "Berkas ini tidak tercatat sebagai surat yang diterbitkan Abdi", "This file is not recorded as a letter Abdi issued";
    IssuanceUnknown => "issuance_unknown", NotIssued,
        "Belum dapat dipastikan bahwa Abdi menerbitkan berkas ini (perlu koneksi)", "Whether Abdi issued this file could not be checked (needs a connection)";
    SignerMismatch => "signer_mismatch", Untrusted,
        "Penanda tangan berkas bukan penanda tangan surat yang diterbitkan", "The file's signer is not the signer of the letter Abdi issued";
    TimestampIgnored => "timestamp_ignored", Intact,
        "Stempel waktu pada tanda tangan tidak dapat diverifikasi dan diabaikan", "The signature's timestamp could not be verified and was ignored";
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
    /// When it was signed, as the signer claims (`/M` or the signing-time attribute): shown, never
    /// used to judge the certificates (see `validated_at`).
    pub signed_at: Option<DateTime<Utc>>,
    /// e.g. "RSA-SHA256", "ECDSA-P256-SHA256".
    pub algorithm: Option<String>,
    /// Bytes of the file the signature covers; the file may be longer.
    pub covered_bytes: u64,
    /// Bytes added after this signature (later signatures or changes).
    pub appended_bytes: u64,
    pub findings: Vec<Finding>,
    /// The time the certificates' validity was judged at: never the time the signer claims
    /// (`signed_at`), but a verified timestamp's, the time the caller recorded the letter was
    /// issued, or the time of the verification. `None` when the signature itself did not verify.
    #[serde(default)]
    pub validated_at: Option<DateTime<Utc>>,
    /// Where `validated_at` came from.
    #[serde(default)]
    pub validated_at_source: Option<ValidationTimeSource>,
}

/// Where the time a signature's certificates were judged at came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ValidationTimeSource {
    /// An RFC 3161 signature timestamp whose authority chains to the trusted roots.
    Timestamp,
    /// The time the caller recorded the document was issued (Abdi's own letters).
    Issued,
    /// The time of the verification: nothing better was known.
    Now,
}

impl ValidationTimeSource {
    pub fn code(self) -> &'static str {
        match self {
            Self::Timestamp => "timestamp",
            Self::Issued => "issued",
            Self::Now => "now",
        }
    }
}

/// What the verifier found in a PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerificationReport {
    /// The worst status over the signatures and the file's own findings (`invalid` when there
    /// is no signature, `not_issued` when the file is not a letter Abdi issued).
    pub status: SignatureStatus,
    pub message: Text,
    pub size: u64,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    pub signatures: Vec<SignatureReport>,
    /// Findings about the file itself (no signature, unreadable, not issued by Abdi).
    pub findings: Vec<Finding>,
    /// Whether the file is a letter Abdi issued, by its SHA-256.
    #[serde(default)]
    pub issuance: Issuance,
    /// The letter Abdi issued with this very file, when it is one.
    #[serde(default)]
    pub issued: Option<IssuedLetter>,
}

/// Whether a file is one Abdi issued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Issuance {
    /// Its SHA-256 is that of a letter Abdi issued and signed.
    Issued,
    /// Abdi issued no letter with this SHA-256.
    NotIssued,
    /// Not checked: the register could not be asked (offline), or only the signatures were.
    #[default]
    Unknown,
}

/// A signed letter in Abdi's register, as a verification compares a file with it (what the
/// letter itself shows; never the employee's data). `GET /verify/sha256/{sha256}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedLetter {
    pub id: uuid::Uuid,
    pub number: String,
    pub title: Text,
    pub issued_on: NaiveDate,
    pub signer_name: String,
    pub signer_nip: String,
    /// When Abdi recorded the signature: the time a verification judges the certificates at.
    pub signed_at: DateTime<Utc>,
    pub sha256: String,
    /// The certificate Abdi recorded for the signature (none for letters signed before Abdi
    /// kept it).
    #[serde(default)]
    pub signer_certificate: Option<CertificateRef>,
}

impl IssuedLetter {
    /// The register's entry for a signed letter (none for one not signed yet).
    pub fn of(d: &DocumentView) -> Option<Self> {
        Some(IssuedLetter {
            id: d.id,
            number: d.number.clone(),
            title: d.title.clone(),
            issued_on: d.issued_on,
            signer_name: d.signer_name.clone(),
            signer_nip: d.signer_nip.clone(),
            signed_at: d.signed_at?,
            sha256: d.sha256.clone()?,
            signer_certificate: d.signer_certificate.clone(),
        })
    }
}

impl VerificationReport {
    /// Intact, trusted, and a letter Abdi issued: the only result a caller may rely on.
    pub fn is_intact(&self) -> bool {
        self.status == SignatureStatus::Intact
    }

    /// Holds the report against Abdi's register: `letter` is what the register holds for the
    /// file's SHA-256 (`None`: nothing). A file that is not a letter Abdi issued, or whose
    /// signer is not that letter's signer, is never `intact`.
    pub fn against_register(mut self, letter: Option<IssuedLetter>) -> Self {
        match letter.filter(|l| l.sha256.eq_ignore_ascii_case(&self.sha256)) {
            Some(l) => {
                self.issuance = Issuance::Issued;
                // The recorded certificate must be one that signed the file; without a record,
                // a personal certificate's NIP must be the letter's signer's.
                let signers = || self.signatures.iter().filter_map(|s| s.signer.as_ref());
                let signed_by_them = match &l.signer_certificate {
                    Some(c) => signers().any(|s| s.issuer == c.issuer && s.serial == c.serial),
                    None => signers()
                        .filter_map(|s| s.nip.as_deref())
                        .all(|nip| nip == l.signer_nip),
                };
                if !signed_by_them {
                    self.findings.push(Finding::new(
                        FindingCode::SignerMismatch,
                        format!(
                            "letter {} was signed with another certificate (signer NIP {})",
                            l.number, l.signer_nip
                        ),
                    ));
                }
                self.issued = Some(l);
            }
            None => {
                self.issuance = Issuance::NotIssued;
                self.findings.push(Finding::new(
                    FindingCode::NotIssued,
                    "no letter in the register has this SHA-256",
                ));
            }
        }
        self.restate()
    }

    /// The register could not be asked (the phone is offline): the file is not taken for a
    /// letter Abdi issued until it can be.
    pub fn register_unreachable(mut self) -> Self {
        self.issuance = Issuance::Unknown;
        self.findings.push(Finding::new(
            FindingCode::IssuanceUnknown,
            "the register of issued letters could not be reached",
        ));
        self.restate()
    }

    /// The status again: the worst over the signatures and the file's findings.
    fn restate(mut self) -> Self {
        self.status = self
            .signatures
            .iter()
            .map(|s| s.status)
            .chain(self.findings.iter().map(|f| f.code.status()))
            .max()
            .unwrap_or(SignatureStatus::Invalid);
        self.message = self.status.text();
        self
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
    /// The certificate that signed the file Abdi kept.
    #[serde(default)]
    pub signer_certificate: Option<CertificateRef>,
}

/// A certificate by its issuer's name and serial number (hex), as a verification report names
/// a signer's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CertificateRef {
    pub issuer: String,
    pub serial: String,
}

/// Where a letter is on its way to a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
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
