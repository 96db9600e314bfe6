//! The verifier: one implementation for the server and the phone.

use std::panic::{AssertUnwindSafe, catch_unwind};

use abdi_proto::documents::{
    Finding, FindingCode, SignatureReport, SignatureStatus, SignerIdentity, ValidationTimeSource,
    VerificationReport,
};
use chrono::{DateTime, Utc};
use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier;
use der::{Decode, Encode, Reader, SliceReader};
use lopdf::Document;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::ExtendedKeyUsage;

use crate::cert::{self, TrustStore};
use crate::crypto::{self, CryptoError, Digest};
use crate::ess::{self, SigningCertificateV2};
use crate::limits::{MAX_REVISIONS_PARSED, MAX_SIGNATURES, WorkStats};
use crate::pdf::{self, SigDict};
use crate::scan;
use crate::tsp::TstInfo;

/// The time a signature's certificates are judged at when it carries no verified RFC 3161
/// timestamp. Never the time the signer claims (`/M`, the signing-time attribute): a signer with
/// an expired or not yet valid certificate could claim any time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidationTime {
    /// When the caller recorded the file was issued: the server knows when Abdi signed a letter.
    Issued(DateTime<Utc>),
    /// The time of the verification, for a file the caller has no record of.
    Now(DateTime<Utc>),
}

impl ValidationTime {
    pub fn at(self) -> DateTime<Utc> {
        match self {
            Self::Issued(t) | Self::Now(t) => t,
        }
    }

    pub fn source(self) -> ValidationTimeSource {
        match self {
            Self::Issued(_) => ValidationTimeSource::Issued,
            Self::Now(_) => ValidationTimeSource::Now,
        }
    }
}

/// A bare time is the time of the verification ([`ValidationTime::Now`]).
impl From<DateTime<Utc>> for ValidationTime {
    fn from(now: DateTime<Utc>) -> Self {
        Self::Now(now)
    }
}

/// Verifies every signature in `file` against `trust` and reports what it found. Each
/// signature's certificates are judged at its verified signature timestamp if it has one, else
/// at `at` (see [`ValidationTime`]); the report says which.
pub fn verify(
    file: &[u8],
    trust: &TrustStore,
    at: impl Into<ValidationTime>,
) -> VerificationReport {
    verify_with_stats(file, trust, at).0
}

/// [`verify`], and what it cost ([`WorkStats`]).
pub fn verify_with_stats(
    file: &[u8],
    trust: &TrustStore,
    at: impl Into<ValidationTime>,
) -> (VerificationReport, WorkStats) {
    let at = at.into();
    let sha256 = hex::encode(Digest::Sha256.of(&[file]));
    let size = file.len() as u64;
    let mut stats = WorkStats::default();
    // lopdf is not ours: whatever it does with a hostile file must not take the caller down.
    let outcome = catch_unwind(AssertUnwindSafe(|| check(file, trust, at, &mut stats)))
        .unwrap_or_else(|_| {
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
    let report = VerificationReport {
        status,
        message: status.text(),
        size,
        sha256,
        signatures,
        findings,
        // The signatures only: the caller holds the file against Abdi's register.
        issuance: abdi_proto::documents::Issuance::Unknown,
        issued: None,
    };
    (report, stats)
}

fn check(
    file: &[u8],
    trust: &TrustStore,
    at: ValidationTime,
    stats: &mut WorkStats,
) -> Result<Vec<SignatureReport>, Finding> {
    if !file.starts_with(b"%PDF-") {
        return Err(Finding::new(
            FindingCode::Malformed,
            "not a PDF (no %PDF- header)",
        ));
    }
    // What lopdf would do with the file, before it does it.
    let (scanned, verdict) = scan::scan(file);
    *stats = scanned;
    verdict.map_err(|why| Finding::new(FindingCode::Malformed, why))?;
    stats.parses += 1;
    let doc =
        pdf::load(file).map_err(|e| Finding::new(FindingCode::Malformed, format!("PDF: {e}")))?;
    let found = pdf::signatures(&doc, file);
    if found.len() > MAX_SIGNATURES {
        return Err(Finding::new(
            FindingCode::Malformed,
            format!(
                "{} signatures; at most {} are read",
                found.len(),
                MAX_SIGNATURES
            ),
        ));
    }
    let mut views = Views::default();
    let reports = found
        .into_iter()
        .map(|sig| match sig {
            Ok(sig) => one(file, &doc, &sig, trust, at, &mut views),
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
                validated_at: None,
                validated_at_source: None,
            },
        })
        .collect();
    stats.revisions_parsed = views.parsed;
    stats.parses += views.parsed;
    Ok(reports)
}

type Fingerprint = Result<std::collections::BTreeMap<String, [u8; 32]>, String>;

/// Fingerprints of revisions, by where they end (`usize::MAX` for the whole file), each
/// computed once however many signatures ask, and at most [`MAX_REVISIONS_PARSED`] earlier
/// revisions parsed.
#[derive(Default)]
struct Views {
    seen: std::collections::HashMap<usize, Fingerprint>,
    parsed: u32,
}

impl Views {
    fn at(&mut self, file: &[u8], end: usize, doc: &Document) -> Fingerprint {
        if let Some(f) = self.seen.get(&end) {
            return f.clone();
        }
        let f = if end >= file.len() {
            pdf::fingerprint(doc)
        } else if self.parsed >= MAX_REVISIONS_PARSED {
            Err(format!(
                "at most {MAX_REVISIONS_PARSED} earlier revisions are compared per file"
            ))
        } else {
            // The pre-scan covered this prefix: what lopdf reaches in it, it reaches in the file.
            self.parsed += 1;
            match pdf::load(&file[..end]) {
                Ok(rev) => pdf::fingerprint(&rev),
                Err(e) => Err(format!("the signed revision does not load: {e}")),
            }
        };
        self.seen.insert(end, f.clone());
        f
    }
}

fn one(
    file: &[u8],
    doc: &Document,
    sig: &SigDict,
    trust: &TrustStore,
    at: ValidationTime,
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
        validated_at: None,
        validated_at_source: None,
    };
    let signed = [&file[..b], &file[c..end]];
    report.findings = match cms_check(&sig.contents, &signed, &mut report) {
        Ok(signer) => {
            let mut findings = Vec::new();
            // A verified timestamp's time, else the caller's; never what the signer claims.
            let (when, source) = match timestamp(&signer.info, trust) {
                Some(Ok(t)) => (t, ValidationTimeSource::Timestamp),
                Some(Err(why)) => {
                    findings.push(Finding::new(FindingCode::TimestampIgnored, why));
                    (at.at(), at.source())
                }
                None => (at.at(), at.source()),
            };
            report.validated_at = Some(when);
            report.validated_at_source = Some(source);
            findings.extend(
                trust
                    .check_path(&signer.leaf, &signer.certs, when)
                    .into_iter()
                    .map(|mut f| {
                        if matches!(
                            f.code,
                            FindingCode::CertificateExpired | FindingCode::CertificateNotYetValid
                        ) {
                            f.detail = format!(
                                "{} (judged at {}, the {} time)",
                                f.detail,
                                when.to_rfc3339(),
                                source.code()
                            );
                        }
                        f
                    }),
            );
            findings
        }
        Err(f) => vec![f],
    };
    // What came after matters only for a signature that holds up entirely: one already untrusted
    // or broken is not relied on whatever follows it, and comparing means parsing its revision
    // again, which anyone could ask for 32 times with self-signed certificates.
    let sound = report
        .findings
        .iter()
        .all(|f| f.code.status() == SignatureStatus::Intact);
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
    let signed_view = views.at(file, end, doc);
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
        (Err(e), _) | (_, Err(e)) => compare_failed(&e),
    }
}

fn compare_failed(why: &str) -> Finding {
    Finding::new(
        FindingCode::ContentChanged,
        format!("bytes were appended and could not be compared: {why}"),
    )
}

/// What a verified CMS signer info yields: the signer's certificate, the certificates the
/// signed-data carries, and the signer info (for its unsigned attributes).
struct Signer {
    leaf: Certificate,
    certs: Vec<Certificate>,
    info: SignerInfo,
}

/// What was learnt about a signer before a check failed, for the report.
#[derive(Default)]
struct Seen {
    signer: Option<SignerIdentity>,
    signing_time: Option<DateTime<Utc>>,
    algorithm: Option<String>,
}

/// Checks the PDF's CMS signature over the signed bytes.
fn cms_check(
    contents: &[u8],
    signed: &[&[u8]],
    report: &mut SignatureReport,
) -> Result<Signer, Finding> {
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
    let mut seen = Seen::default();
    let outcome = check_signer(&data, ess::DATA, signed, Binding::V2, &mut seen);
    report.signer = seen.signer;
    report.signed_at = seen.signing_time.or(report.signed_at);
    report.algorithm = seen.algorithm;
    outcome
}

/// How the signer's certificate must be bound by a signed ESS attribute.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Binding {
    /// signing-certificate-v2 with its hash checked (PAdES requires it).
    V2,
    /// signing-certificate-v2, or the SHA-1 signing-certificate many timestamp authorities
    /// still write: its issuer and serial must name the certificate (the crate computes no
    /// SHA-1, so its hash is not compared; the signature, chain and key usage are checked).
    V2OrV1,
}

/// Checks a signed-data's one signer info: `content` (detached, or the encapsulated content)
/// digests to its message-digest attribute, its content-type attribute is `content_type`, its
/// signature over the signed attributes verifies with the certificate it names, and an ESS
/// signing-certificate attribute binds that certificate. The PDF signature and a timestamp
/// token are checked by the same code.
fn check_signer(
    data: &SignedData,
    content_type: ObjectIdentifier,
    content: &[&[u8]],
    binding: Binding,
    seen: &mut Seen,
) -> Result<Signer, Finding> {
    let malformed = |what: &str, e: &dyn std::fmt::Display| {
        Finding::new(FindingCode::Malformed, format!("{what}: {e}"))
    };
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
    seen.signer = Some(cert::identity(&leaf));
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

    if attr(ess::CONTENT_TYPE).and_then(|v| v.decode_as::<ObjectIdentifier>().ok())
        != Some(content_type)
    {
        return Err(Finding::new(
            FindingCode::Malformed,
            format!("the content-type attribute is missing or not {content_type}"),
        ));
    }
    // The message digest must be the digest of the content.
    let claimed = attr(ess::MESSAGE_DIGEST)
        .and_then(|v| v.decode_as::<der::asn1::OctetString>().ok())
        .ok_or_else(|| Finding::new(FindingCode::Malformed, "no message-digest attribute"))?;
    if claimed.as_bytes() != digest.of(content).as_slice() {
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
            seen.signing_time = cert::to_chrono(t);
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
        Ok(name) => seen.algorithm = Some(name),
        Err(CryptoError::Unsupported(why)) => {
            return Err(Finding::new(FindingCode::UnsupportedAlgorithm, why));
        }
        Err(CryptoError::Invalid(why)) => {
            return Err(Finding::new(FindingCode::SignatureInvalid, why));
        }
    }

    if binding == Binding::V2OrV1
        && attr(ess::SIGNING_CERTIFICATE_V2).is_none()
        && let Some(v1) = attr(ess::SIGNING_CERTIFICATE)
    {
        let v1 = v1
            .decode_as::<ess::SigningCertificate>()
            .map_err(|e| malformed("signing-certificate", &e))?;
        let names_leaf = v1.certs.first().is_some_and(|id| {
            id.cert_hash.as_bytes().len() == 20
                && id.issuer_serial.as_ref().is_none_or(|is| {
                    is.serial_number == leaf.tbs_certificate.serial_number
                        && is.issuer.iter().any(|n| {
                            matches!(n, x509_cert::ext::pkix::name::GeneralName::DirectoryName(d)
                                if *d == leaf.tbs_certificate.issuer)
                        })
                })
        });
        if !names_leaf {
            return Err(Finding::new(
                FindingCode::SigningCertificateMismatch,
                "the signing-certificate attribute does not name the signer's certificate",
            ));
        }
        return Ok(Signer {
            leaf,
            certs,
            info: si.clone(),
        });
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
    Ok(Signer {
        leaf,
        certs,
        info: si.clone(),
    })
}

/// The time an RFC 3161 signature timestamp attests, when the signer info carries one
/// (unsigned attribute id-aa-signatureTimeStampToken); `Err` says why it is not used.
fn timestamp(si: &SignerInfo, trust: &TrustStore) -> Option<Result<DateTime<Utc>, String>> {
    let attr = si
        .unsigned_attrs
        .as_ref()?
        .iter()
        .find(|a| a.oid == ess::SIGNATURE_TIME_STAMP_TOKEN)?;
    Some(check_timestamp(attr, si, trust))
}

/// A timestamp token counts when its signature verifies (the same checks as the PDF signature's),
/// its message imprint is the hash of this signer info's signature value, and its authority's
/// certificate is for time stamping, valid at the time it attests and chains to the trust roots.
fn check_timestamp(
    attr: &Attribute,
    si: &SignerInfo,
    trust: &TrustStore,
) -> Result<DateTime<Utc>, String> {
    let bad = |e: &dyn std::fmt::Display| format!("timestamp token: {e}");
    let mut values = attr.values.iter();
    let (Some(token), None) = (values.next(), values.next()) else {
        return Err("the signature-timestamp attribute must hold exactly one token".into());
    };
    let info: ContentInfo = token.decode_as().map_err(|e| bad(&e))?;
    if info.content_type != ess::SIGNED_DATA {
        return Err("the timestamp token is not signed-data".into());
    }
    let data: SignedData = info.content.decode_as().map_err(|e| bad(&e))?;
    let econtent = match &data.encap_content_info {
        e if e.econtent_type == ess::TST_INFO => e.econtent.as_ref(),
        _ => None,
    }
    .ok_or("the timestamp token holds no TSTInfo")?;
    let tst_der = econtent
        .decode_as::<der::asn1::OctetString>()
        .map_err(|e| bad(&e))?;
    let signer = check_signer(
        &data,
        ess::TST_INFO,
        &[tst_der.as_bytes()],
        Binding::V2OrV1,
        &mut Seen::default(),
    )
    .map_err(|f| format!("timestamp token: {}", f.detail))?;
    let tst = TstInfo::from_der(tst_der.as_bytes()).map_err(|e| bad(&e))?;
    if tst.version != 1 {
        return Err(format!("TSTInfo version {}", tst.version));
    }
    let hash = &tst.message_imprint.hash_algorithm.oid;
    let digest = Digest::from_oid(hash).ok_or_else(|| format!("timestamp imprint hash {hash}"))?;
    if tst.message_imprint.hashed_message.as_bytes()
        != digest.of(&[si.signature.as_bytes()]).as_slice()
    {
        return Err("the timestamp's message imprint is not the hash of this signature".into());
    }
    let for_stamping = cert::extension::<ExtendedKeyUsage>(
        &signer.leaf,
        &const_oid::db::rfc5280::ID_CE_EXT_KEY_USAGE,
    )
    .is_some_and(|eku| eku.0.contains(&const_oid::db::rfc5280::ID_KP_TIME_STAMPING));
    if !for_stamping {
        return Err("the timestamp authority's certificate is not for time stamping".into());
    }
    let gen_time =
        crate::tsp::gen_time(&tst.gen_time).ok_or("the timestamp's genTime is not a time")?;
    let problems = trust.check_path(&signer.leaf, &signer.certs, gen_time);
    if !problems.is_empty() {
        return Err(format!(
            "the timestamp authority does not hold up: {}",
            problems
                .iter()
                .map(|f| f.detail.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    Ok(gen_time)
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
