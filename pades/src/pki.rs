//! A small certificate authority: a root, an intermediate and signer certificates. It makes the
//! embedded default's local CA and the test CAs; production signs with BSrE's certificates.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use const_oid::db::rfc5280;
use der::asn1::{GeneralizedTime, OctetString, UtcTime};
use der::{Encode, EncodePem};
use p256::pkcs8::LineEnding;
use sha2::{Digest, Sha256};
use x509_cert::certificate::{Certificate, TbsCertificate, Version};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use crate::PadesError;
use crate::keys::{KeyAlgorithm, PrivateKey};

/// A certificate with its key.
#[derive(Debug, Clone)]
pub struct Issued {
    pub cert: Certificate,
    pub key: PrivateKey,
}

impl Issued {
    pub fn cert_pem(&self) -> Result<String, PadesError> {
        self.cert
            .to_pem(LineEnding::LF)
            .map_err(|e| PadesError::Certificate(e.to_string()))
    }
}

/// What a new certificate says.
#[derive(Debug, Clone)]
pub struct Spec {
    /// A distinguished name, e.g. `dn(&[("CN", "Abdi Root CA"), ("O", "..."), ("C", "ID")])`.
    pub subject: String,
    pub algorithm: KeyAlgorithm,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
}

/// An RFC 4514 distinguished name from attribute pairs, most significant last, with the
/// special characters of the values escaped.
pub fn dn(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let mut out = String::with_capacity(v.len());
            for (i, ch) in v.chars().enumerate() {
                if matches!(ch, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=')
                    || (i == 0 && matches!(ch, ' ' | '#'))
                {
                    out.push('\\');
                }
                out.push(ch);
            }
            format!("{k}={}", out.trim_end())
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A self-signed root CA.
pub fn root(spec: &Spec) -> Result<Issued, PadesError> {
    let key = PrivateKey::generate(spec.algorithm)?;
    let subject = name(&spec.subject)?;
    let exts = ca_extensions(None)?;
    let cert = issue(spec, &subject, &key, &key, &subject, exts)?;
    Ok(Issued { cert, key })
}

/// An intermediate CA under `issuer`.
pub fn intermediate(issuer: &Issued, spec: &Spec) -> Result<Issued, PadesError> {
    let key = PrivateKey::generate(spec.algorithm)?;
    let exts = ca_extensions(Some(issuer))?;
    let cert = issue(
        spec,
        &name(&spec.subject)?,
        &key,
        &issuer.key,
        &issuer.cert.tbs_certificate.subject,
        exts,
    )?;
    Ok(Issued { cert, key })
}

/// A signer's certificate under `issuer`: digital signature and non-repudiation.
pub fn signer(issuer: &Issued, spec: &Spec) -> Result<Issued, PadesError> {
    end_entity(
        issuer,
        spec,
        KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
        Vec::new(),
    )
}

/// A timestamp authority's certificate under `issuer`: digital signature, and the extended key
/// usage timeStamping alone and critical, as RFC 3161 requires.
pub fn tsa(issuer: &Issued, spec: &Spec) -> Result<Issued, PadesError> {
    end_entity(
        issuer,
        spec,
        KeyUsages::DigitalSignature.into(),
        vec![ext(
            rfc5280::ID_CE_EXT_KEY_USAGE,
            true,
            &ExtendedKeyUsage(vec![rfc5280::ID_KP_TIME_STAMPING]),
        )?],
    )
}

/// A certificate that is no CA, under `issuer`, for `usages` (and `more` extensions).
fn end_entity(
    issuer: &Issued,
    spec: &Spec,
    usages: der::flagset::FlagSet<KeyUsages>,
    more: Vec<Extension>,
) -> Result<Issued, PadesError> {
    let key = PrivateKey::generate(spec.algorithm)?;
    let mut exts = vec![
        ext(
            rfc5280::ID_CE_BASIC_CONSTRAINTS,
            true,
            &BasicConstraints {
                ca: false,
                path_len_constraint: None,
            },
        )?,
        ext(rfc5280::ID_CE_KEY_USAGE, true, &KeyUsage(usages))?,
    ];
    exts.extend(more);
    exts.push(aki(issuer)?);
    let cert = issue(
        spec,
        &name(&spec.subject)?,
        &key,
        &issuer.key,
        &issuer.cert.tbs_certificate.subject,
        exts,
    )?;
    Ok(Issued { cert, key })
}

fn ca_extensions(issuer: Option<&Issued>) -> Result<Vec<Extension>, PadesError> {
    let mut exts = vec![
        ext(
            rfc5280::ID_CE_BASIC_CONSTRAINTS,
            true,
            &BasicConstraints {
                ca: true,
                path_len_constraint: None,
            },
        )?,
        ext(
            rfc5280::ID_CE_KEY_USAGE,
            true,
            &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
        )?,
    ];
    if let Some(issuer) = issuer {
        exts.push(aki(issuer)?);
    }
    Ok(exts)
}

fn aki(issuer: &Issued) -> Result<Extension, PadesError> {
    let id = key_id(&issuer.key)?;
    ext(
        rfc5280::ID_CE_AUTHORITY_KEY_IDENTIFIER,
        false,
        &AuthorityKeyIdentifier {
            key_identifier: Some(id),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        },
    )
}

fn key_id(key: &PrivateKey) -> Result<OctetString, PadesError> {
    let spki = key.public_key()?;
    let digest = Sha256::digest(spki.subject_public_key.raw_bytes());
    OctetString::new(&digest[..20]).map_err(cert_err)
}

fn issue(
    spec: &Spec,
    subject: &Name,
    subject_key: &PrivateKey,
    issuer_key: &PrivateKey,
    issuer: &Name,
    mut extensions: Vec<Extension>,
) -> Result<Certificate, PadesError> {
    extensions.push(ext(
        rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER,
        false,
        &SubjectKeyIdentifier(key_id(subject_key)?),
    )?);
    let mut serial = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut serial);
    serial[0] = (serial[0] & 0x7f) | 0x01;
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(&serial).map_err(cert_err)?,
        signature: issuer_key.signature_algorithm(),
        issuer: issuer.clone(),
        validity: Validity {
            not_before: time(spec.not_before)?,
            not_after: time(spec.not_after)?,
        },
        subject: subject.clone(),
        subject_public_key_info: subject_key.public_key()?,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    let signature = issuer_key.sign_bits(&tbs.to_der().map_err(cert_err)?)?;
    Ok(Certificate {
        tbs_certificate: tbs,
        signature_algorithm: issuer_key.signature_algorithm(),
        signature,
    })
}

fn ext<T: Encode>(
    oid: const_oid::ObjectIdentifier,
    critical: bool,
    value: &T,
) -> Result<Extension, PadesError> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der().map_err(cert_err)?).map_err(cert_err)?,
    })
}

fn name(dn: &str) -> Result<Name, PadesError> {
    Name::from_str(dn).map_err(|e| PadesError::Certificate(format!("name '{dn}': {e}")))
}

fn time(t: DateTime<Utc>) -> Result<Time, PadesError> {
    let secs = u64::try_from(t.timestamp())
        .map_err(|_| PadesError::Certificate("a date before 1970".into()))?;
    let d = der::DateTime::from_unix_duration(Duration::from_secs(secs)).map_err(cert_err)?;
    Ok(match UtcTime::from_date_time(d) {
        Ok(u) => Time::UtcTime(u),
        Err(_) => Time::GeneralTime(GeneralizedTime::from_date_time(d)),
    })
}

fn cert_err(e: impl std::fmt::Display) -> PadesError {
    PadesError::Certificate(e.to_string())
}
