//! Certificates: the trust roots, who a certificate names, and the path from a signer's
//! certificate to a root.

use abdi_proto::documents::{Finding, FindingCode, SignerIdentity};
use chrono::{DateTime, Utc};
use const_oid::db::rfc4519;
use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier};
use x509_cert::name::Name;
use x509_cert::time::Time;

use crate::PadesError;
use crate::crypto::{self, CryptoError};

/// How deep a chain may go before we stop looking (root, intermediates, signer).
const MAX_DEPTH: usize = 8;

/// The roots a signature must chain to (BSrE's, or the local CA's).
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    roots: Vec<Certificate>,
}

impl TrustStore {
    pub fn new(roots: Vec<Certificate>) -> Self {
        Self { roots }
    }

    /// Reads every certificate of a PEM bundle.
    pub fn from_pem(pem: &[u8]) -> Result<Self, PadesError> {
        let roots =
            Certificate::load_pem_chain(pem).map_err(|e| PadesError::Certificate(e.to_string()))?;
        if roots.is_empty() {
            return Err(PadesError::Certificate(
                "no certificate in the bundle".into(),
            ));
        }
        Ok(Self { roots })
    }

    pub fn add(&mut self, more: TrustStore) {
        self.roots.extend(more.roots);
    }

    pub fn roots(&self) -> &[Certificate] {
        &self.roots
    }

    fn is_root(&self, cert: &Certificate) -> bool {
        self.roots.iter().any(|r| {
            r == cert
                || (r.tbs_certificate.subject == cert.tbs_certificate.subject
                    && r.tbs_certificate.subject_public_key_info
                        == cert.tbs_certificate.subject_public_key_info)
        })
    }

    /// Walks from `leaf` to a root through `pool` (the certificates the signature carries) and
    /// the roots, checking each certificate's signature, that issuers are CAs, and that every
    /// certificate on the way was valid at `at`. Returns what is wrong, or nothing.
    pub fn check_path(
        &self,
        leaf: &Certificate,
        pool: &[Certificate],
        at: DateTime<Utc>,
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        if let Some(usage) = extension::<KeyUsage>(leaf, &const_oid::db::rfc5280::ID_CE_KEY_USAGE)
            && !(usage.0.contains(KeyUsages::DigitalSignature)
                || usage.0.contains(KeyUsages::NonRepudiation))
        {
            findings.push(Finding::new(
                FindingCode::NotForSigning,
                "the key usage allows neither digitalSignature nor nonRepudiation",
            ));
        }
        let mut current = leaf.clone();
        for _ in 0..MAX_DEPTH {
            if let Some(f) = validity_finding(&current, at) {
                findings.push(f);
            }
            if self.is_root(&current) {
                return findings;
            }
            let issuer = self.roots.iter().chain(pool).find(|c| {
                **c != current
                    && c.tbs_certificate.subject == current.tbs_certificate.issuer
                    && signed_by(&current, c).is_ok()
            });
            let Some(issuer) = issuer else {
                // Also a forged CA that copies a trusted root's name: its key did not sign.
                findings.push(Finding::new(
                    FindingCode::UntrustedRoot,
                    format!(
                        "no trusted root or carried certificate named '{}' signed '{}'",
                        common_name(&current.tbs_certificate.issuer),
                        common_name(&current.tbs_certificate.subject)
                    ),
                ));
                return findings;
            };
            if !self.is_root(issuer) && !is_ca(issuer) {
                findings.push(Finding::new(
                    FindingCode::ChainInvalid,
                    format!(
                        "'{}' issued a certificate but is not a CA",
                        common_name(&issuer.tbs_certificate.subject)
                    ),
                ));
                return findings;
            }
            current = issuer.clone();
        }
        findings.push(Finding::new(
            FindingCode::ChainInvalid,
            format!("no root within {MAX_DEPTH} certificates"),
        ));
        findings
    }
}

/// Checks that `issuer`'s key made the signature on `cert`.
fn signed_by(cert: &Certificate, issuer: &Certificate) -> Result<(), CryptoError> {
    let tbs = cert
        .tbs_certificate
        .to_der()
        .map_err(|e| CryptoError::Invalid(e.to_string()))?;
    let sig = cert
        .signature
        .as_bytes()
        .ok_or_else(|| CryptoError::Invalid("signature has unused bits".into()))?;
    crypto::verify(
        &issuer.tbs_certificate.subject_public_key_info,
        &cert.signature_algorithm,
        None,
        &tbs,
        sig,
    )
    .map(|_| ())
}

fn is_ca(cert: &Certificate) -> bool {
    extension::<BasicConstraints>(cert, &const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS)
        .is_some_and(|b| b.ca)
}

fn validity_finding(cert: &Certificate, at: DateTime<Utc>) -> Option<Finding> {
    let v = &cert.tbs_certificate.validity;
    let name = common_name(&cert.tbs_certificate.subject);
    let from = to_chrono(v.not_before);
    let until = to_chrono(v.not_after);
    if from.is_some_and(|f| at < f) {
        return Some(Finding::new(
            FindingCode::CertificateNotYetValid,
            format!(
                "'{name}' is valid from {}",
                from.map(|t| t.to_rfc3339()).unwrap_or_default()
            ),
        ));
    }
    if until.is_some_and(|u| at > u) {
        return Some(Finding::new(
            FindingCode::CertificateExpired,
            format!(
                "'{name}' expired {}",
                until.map(|t| t.to_rfc3339()).unwrap_or_default()
            ),
        ));
    }
    None
}

pub fn extension<T: for<'a> Decode<'a>>(
    cert: &Certificate,
    oid: &const_oid::ObjectIdentifier,
) -> Option<T> {
    cert.tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| &e.extn_id == oid)
        .and_then(|e| T::from_der(e.extn_value.as_bytes()).ok())
}

pub fn subject_key_id(cert: &Certificate) -> Option<Vec<u8>> {
    extension::<SubjectKeyIdentifier>(cert, &const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER)
        .map(|s| s.0.as_bytes().to_vec())
}

pub fn to_chrono(t: Time) -> Option<DateTime<Utc>> {
    let secs = i64::try_from(t.to_unix_duration().as_secs()).ok()?;
    DateTime::from_timestamp(secs, 0)
}

/// The value of the first attribute `oid` in a name, whatever its string type.
pub fn attribute(name: &Name, oid: const_oid::ObjectIdentifier) -> Option<String> {
    name.0.iter().flat_map(|rdn| rdn.0.iter()).find_map(|atv| {
        if atv.oid != oid {
            return None;
        }
        let v = &atv.value;
        v.decode_as::<der::asn1::Utf8StringRef<'_>>()
            .map(|s| s.as_str().to_owned())
            .or_else(|_| {
                v.decode_as::<der::asn1::PrintableStringRef<'_>>()
                    .map(|s| s.as_str().to_owned())
            })
            .or_else(|_| {
                v.decode_as::<der::asn1::Ia5StringRef<'_>>()
                    .map(|s| s.as_str().to_owned())
            })
            .or_else(|_| {
                v.decode_as::<der::asn1::TeletexStringRef<'_>>()
                    .map(|s| s.as_str().to_owned())
            })
            .ok()
    })
}

pub fn common_name(name: &Name) -> String {
    attribute(name, rfc4519::CN).unwrap_or_else(|| name.to_string())
}

/// `3578**********01`: enough to tell two people apart in a log or a report, not enough to be
/// a NIK (a report can reach anyone who uploads the file).
pub fn mask_nik(nik: &str) -> String {
    let n = nik.chars().count();
    nik.chars()
        .enumerate()
        .map(|(i, c)| if i < 4 || i + 2 >= n { c } else { '*' })
        .collect()
}

/// Whether `at` falls within the certificate's validity.
pub fn valid_at(cert: &Certificate, at: DateTime<Utc>) -> bool {
    validity_finding(cert, at).is_none()
}

/// Who the certificate names. An 18-digit number in the serialNumber attribute is read as a NIP,
/// a 16-digit one as a NIK (BSrE puts the NIK there).
pub fn identity(cert: &Certificate) -> SignerIdentity {
    let tbs = &cert.tbs_certificate;
    let mut nip = None;
    let mut nik = None;
    for oid in [rfc4519::SERIAL_NUMBER, rfc4519::UID] {
        if let Some(v) = attribute(&tbs.subject, oid) {
            let digits: String = v.chars().filter(char::is_ascii_digit).collect();
            match digits.len() {
                18 => nip = nip.or(Some(digits)),
                16 => nik = nik.or(Some(mask_nik(&digits))),
                _ => {}
            }
        }
    }
    SignerIdentity {
        name: common_name(&tbs.subject),
        nip,
        nik,
        organization: attribute(&tbs.subject, rfc4519::O),
        issuer: common_name(&tbs.issuer),
        serial: hex::encode(tbs.serial_number.as_bytes()),
        valid_from: to_chrono(tbs.validity.not_before),
        valid_until: to_chrono(tbs.validity.not_after),
    }
}
