//! The verifier: one implementation for the server and the phone.

use std::panic::{AssertUnwindSafe, catch_unwind};

use abdi_proto::documents::{
    Finding, FindingCode, SignatureReport, SignatureStatus, VerificationReport,
};
use chrono::{DateTime, Utc};
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::{Decode, Encode, Reader, SliceReader};
use lopdf::Document;
use x509_cert::Certificate;

use crate::cert::{self, TrustStore};
use crate::crypto::{self, CryptoError, Digest};
use crate::ess::{self, SigningCertificateV2};
use crate::pdf::{self, SigDict};

/// Verifies every signature in `file` against `trust` and reports what it found. `now` is used
/// only when a signature claims no signing time.
pub fn verify(file: &[u8], trust: &TrustStore, now: DateTime<Utc>) -> VerificationReport {
    let sha256 = hex::encode(Digest::Sha256.of(&[file]));
    let size = file.len() as u64;
    // lopdf is not ours: whatever it does with a hostile file must not take the caller down.
    let outcome = catch_unwind(AssertUnwindSafe(|| check(file, trust, now))).unwrap_or_else(|_| {
        Err(Finding::new(
            FindingCode::Malformed,
            "the PDF parser gave up",
        ))
    });
    let (signatures, findings) = match outcome {
        Ok(signatures) if signatures.is_empty() => (
            signatures,
            vec![Finding::new(
                FindingCode::NoSignature,
                "no signature dictionary",
            )],
        ),
        Ok(signatures) => (signatures, Vec::new()),
        Err(f) => (Vec::new(), vec![f]),
    };
    let status = signatures
        .iter()
        .map(|s| s.status)
        .chain(findings.iter().map(|f| f.code.status()))
        .max()
        .unwrap_or(SignatureStatus::Invalid);
    VerificationReport {
        status,
        message: status.text(),
        size,
        sha256,
        signatures,
        findings,
    }
}

fn check(
    file: &[u8],
    trust: &TrustStore,
    now: DateTime<Utc>,
) -> Result<Vec<SignatureReport>, Finding> {
    if !file.starts_with(b"%PDF-") {
        return Err(Finding::new(
            FindingCode::Malformed,
            "not a PDF (no %PDF- header)",
        ));
    }
    let doc = Document::load_mem(file)
        .map_err(|e| Finding::new(FindingCode::Malformed, format!("PDF: {e}")))?;
    let found = pdf::signatures(&doc, file);
    if found.len() > pdf::MAX_SIGNATURES {
        return Err(Finding::new(
            FindingCode::Malformed,
            format!(
                "{} signatures; at most {} are read",
                found.len(),
                pdf::MAX_SIGNATURES
            ),
        ));
    }
    let mut views = Views::default();
    Ok(found
        .into_iter()
        .map(|sig| match sig {
            Ok(sig) => one(file, &doc, &sig, trust, now, &mut views),
            Err(why) => SignatureReport {
                field: None,
                status: SignatureStatus::Invalid,
                message: SignatureStatus::Invalid.text(),
                signer: None,
                signed_at: None,
                algorithm: None,
                covered_bytes: 0,
                appended_bytes: 0,
                findings: vec![Finding::new(FindingCode::Malformed, why)],
            },
        })
        .collect())
}

type Fingerprint = Result<std::collections::BTreeMap<String, [u8; 32]>, String>;

/// Fingerprints of revisions, by where they end (`usize::MAX` for the whole file), each
/// computed once however many signatures ask.
#[derive(Default)]
struct Views(std::collections::HashMap<usize, Fingerprint>);

impl Views {
    fn at(&mut self, file: &[u8], end: usize, doc: &Document) -> &Fingerprint {
        self.0.entry(end).or_insert_with(|| {
            if end >= file.len() {
                return pdf::fingerprint(doc);
            }
            match Document::load_mem(&file[..end]) {
                Ok(rev) => pdf::fingerprint(&rev),
                Err(e) => Err(format!("the signed revision does not load: {e}")),
            }
        })
    }
}

fn one(
    file: &[u8],
    doc: &Document,
    sig: &SigDict,
    trust: &TrustStore,
    now: DateTime<Utc>,
    views: &mut Views,
) -> SignatureReport {
    let [_, b, c, l] = sig.byte_range;
    let end = sig.signed_end();
    let appended = &file[end..];
    let mut report = SignatureReport {
        field: sig.field.clone(),
        status: SignatureStatus::Intact,
        message: SignatureStatus::Intact.text(),
        signer: None,
        signed_at: sig.m.as_deref().and_then(pdf::pdf_date),
        algorithm: None,
        covered_bytes: (b + l) as u64,
        appended_bytes: appended.len() as u64,
        findings: Vec::new(),
    };
    let signed = [&file[..b], &file[c..end]];
    report.findings = match cms_check(&sig.contents, &signed, &mut report) {
        Ok((leaf, pool)) => {
            let at = report.signed_at.unwrap_or(now);
            trust.check_path(&leaf, &pool, at)
        }
        Err(f) => vec![f],
    };
    // What came after matters only for a signature that holds up so far.
    let sound = report
        .findings
        .iter()
        .all(|f| f.code.status() < SignatureStatus::Modified);
    if sound && !appended.iter().all(u8::is_ascii_whitespace) {
        report.findings.push(after_signing(file, end, doc, views));
    }
    report.status = report
        .findings
        .iter()
        .map(|f| f.code.status())
        .max()
        .unwrap_or(SignatureStatus::Intact);
    report.message = report.status.text();
    report
}

/// What the revisions after the signature changed: only signatures and validation data, or
/// what a reader sees.
fn after_signing(file: &[u8], end: usize, doc: &Document, views: &mut Views) -> Finding {
    let signed_view = views.at(file, end, doc).clone();
    let now_view = views.at(file, usize::MAX, doc);
    match (signed_view, now_view) {
        (Ok(before), Ok(after)) => {
            let changed: std::collections::BTreeSet<&str> = before
                .keys()
                .chain(after.keys())
                .filter(|k| before.get(*k) != after.get(*k))
                .map(String::as_str)
                .collect();
            if changed.is_empty() {
                Finding::new(
                    FindingCode::SignaturesAdded,
                    format!(
                        "{} bytes appended; the pages and form are unchanged",
                        file.len() - end
                    ),
                )
            } else {
                Finding::new(
                    FindingCode::ContentChanged,
                    format!(
                        "changed after signing: {}",
                        changed.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                )
            }
        }
        (Err(e), _) => compare_failed(&e),
        (_, Err(e)) => compare_failed(e),
    }
}

fn compare_failed(why: &str) -> Finding {
    Finding::new(
        FindingCode::ContentChanged,
        format!("bytes were appended and could not be compared: {why}"),
    )
}

/// Checks the CMS signature over the signed bytes; returns the signer's certificate and the
/// other certificates the signature carries.
fn cms_check(
    contents: &[u8],
    signed: &[&[u8]],
    report: &mut SignatureReport,
) -> Result<(Certificate, Vec<Certificate>), Finding> {
    let malformed = |what: &str, e: &dyn std::fmt::Display| {
        Finding::new(FindingCode::Malformed, format!("{what}: {e}"))
    };
    // /Contents is zero-padded after the DER value.
    let mut reader = SliceReader::new(contents).map_err(|e| malformed("CMS", &e))?;
    let info = ContentInfo::decode(&mut reader).map_err(|e| malformed("CMS", &e))?;
    // Only zeros may follow it: two files that differ there would both pass as intact.
    let used = usize::try_from(u32::from(reader.position())).unwrap_or(usize::MAX);
    if contents
        .get(used..)
        .is_none_or(|rest| rest.iter().any(|&b| b != 0))
    {
        return Err(Finding::new(
            FindingCode::Malformed,
            "bytes other than zero padding follow the CMS value in /Contents",
        ));
    }
    if info.content_type != ess::SIGNED_DATA {
        return Err(Finding::new(
            FindingCode::Malformed,
            "CMS is not signed-data",
        ));
    }
    let data: SignedData = info
        .content
        .decode_as()
        .map_err(|e| malformed("signed-data", &e))?;
    let certs: Vec<Certificate> = data
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let mut infos = data.signer_infos.0.iter();
    let (Some(si), None) = (infos.next(), infos.next()) else {
        return Err(Finding::new(
            FindingCode::Malformed,
            "a PAdES signature has exactly one signer info",
        ));
    };
    let si: &SignerInfo = si;
    let leaf = certs
        .iter()
        .find(|c| identifies(&si.sid, c))
        .cloned()
        .ok_or_else(|| {
            Finding::new(
                FindingCode::CertificateMissing,
                "no certificate matches the signer identifier",
            )
        })?;
    report.signer = Some(cert::identity(&leaf));
    let digest = Digest::from_oid(&si.digest_alg.oid).ok_or_else(|| {
        Finding::new(
            FindingCode::UnsupportedAlgorithm,
            format!("digest {}", si.digest_alg.oid),
        )
    })?;
    let attrs = si.signed_attrs.as_ref().ok_or_else(|| {
        Finding::new(
            FindingCode::Malformed,
            "no signed attributes (PAdES requires them)",
        )
    })?;
    let attr = |oid| {
        attrs
            .iter()
            .find(|a| a.oid == oid)
            .and_then(|a| a.values.iter().next())
    };

    if attr(ess::CONTENT_TYPE).and_then(|v| v.decode_as::<const_oid::ObjectIdentifier>().ok())
        != Some(ess::DATA)
    {
        return Err(Finding::new(
            FindingCode::Malformed,
            "the content-type attribute is missing or not id-data",
        ));
    }
    // The message digest must be the digest of the byte ranges.
    let claimed = attr(ess::MESSAGE_DIGEST)
        .and_then(|v| v.decode_as::<der::asn1::OctetString>().ok())
        .ok_or_else(|| Finding::new(FindingCode::Malformed, "no message-digest attribute"))?;
    if claimed.as_bytes() != digest.of(signed).as_slice() {
        return Err(Finding::new(
            FindingCode::DigestMismatch,
            "the digest of the /ByteRange differs from the signed message-digest",
        ));
    }
    if let Some(v) = attr(ess::SIGNING_TIME) {
        let t = v
            .decode_as::<der::asn1::UtcTime>()
            .map(x509_cert::time::Time::UtcTime)
            .or_else(|_| {
                v.decode_as::<der::asn1::GeneralizedTime>()
                    .map(x509_cert::time::Time::GeneralTime)
            });
        if let Ok(t) = t {
            report.signed_at = cert::to_chrono(t).or(report.signed_at);
        }
    }

    // The signature over the signed attributes.
    let to_sign = attrs
        .to_der()
        .map_err(|e| malformed("signed attributes", &e))?;
    match crypto::verify(
        &leaf.tbs_certificate.subject_public_key_info,
        &si.signature_algorithm,
        Some(digest),
        &to_sign,
        si.signature.as_bytes(),
    ) {
        Ok(name) => report.algorithm = Some(name),
        Err(CryptoError::Unsupported(why)) => {
            return Err(Finding::new(FindingCode::UnsupportedAlgorithm, why));
        }
        Err(CryptoError::Invalid(why)) => {
            return Err(Finding::new(FindingCode::SignatureInvalid, why));
        }
    }

    // ESS signing-certificate-v2: the signed hash of the certificate the signer meant.
    let ess = attr(ess::SIGNING_CERTIFICATE_V2)
        .and_then(|v| v.decode_as::<SigningCertificateV2>().ok())
        .ok_or_else(|| {
            Finding::new(
                FindingCode::SigningCertificateMismatch,
                "no signing-certificate-v2 attribute",
            )
        })?;
    let first = ess.certs.first().ok_or_else(|| {
        Finding::new(
            FindingCode::SigningCertificateMismatch,
            "signing-certificate-v2 is empty",
        )
    })?;
    let hash_oid = first
        .hash_algorithm
        .as_ref()
        .map_or(const_oid::db::rfc5912::ID_SHA_256, |a| a.oid);
    let hash_alg = Digest::from_oid(&hash_oid).ok_or_else(|| {
        Finding::new(
            FindingCode::UnsupportedAlgorithm,
            format!("ESS hash {hash_oid}"),
        )
    })?;
    let leaf_der = leaf.to_der().map_err(|e| malformed("certificate", &e))?;
    if first.cert_hash.as_bytes() != hash_alg.of(&[&leaf_der]).as_slice() {
        return Err(Finding::new(
            FindingCode::SigningCertificateMismatch,
            "the signed certificate hash is not the hash of the signer's certificate",
        ));
    }
    Ok((leaf, certs))
}

fn identifies(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(is) => {
            is.issuer == cert.tbs_certificate.issuer
                && is.serial_number == cert.tbs_certificate.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            cert::subject_key_id(cert).is_some_and(|k| k == ski.0.as_bytes())
        }
    }
}
