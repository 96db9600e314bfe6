use abdi_pades::keys::KeyAlgorithm;
use abdi_pades::sign::{SignOptions, sign};
use abdi_pades::verify;
use abdi_proto::documents::{FindingCode, SignatureStatus};
use chrono::Utc;

use crate::support::{Ca, plain_pdf};

#[test]
fn signed_here_verifies_intact_with_both_key_types() {
    for alg in [KeyAlgorithm::P256, KeyAlgorithm::Rsa2048] {
        let now = Utc::now();
        let ca = Ca::new(alg, now);
        let pdf = plain_pdf("Surat Izin Cuti Tahunan");
        let mut opts = SignOptions::at(now);
        opts.reason = Some("Keputusan".into());
        let signed = sign(&pdf, &ca.credentials(), &opts).unwrap();
        assert!(
            signed.starts_with(&pdf),
            "an incremental update keeps the original bytes"
        );
        let report = verify(&signed, &ca.trust(), now);
        assert_eq!(
            report.status,
            SignatureStatus::Intact,
            "{alg:?}: {report:#?}"
        );
        let sig = &report.signatures[0];
        let signer = sig.signer.as_ref().unwrap();
        assert_eq!(signer.name, "Dr. Ṣiti Rahayu, S.H., M.Si.");
        assert_eq!(signer.nip.as_deref(), Some("197001012000032001"));
        assert_eq!(sig.appended_bytes, 0);
        assert_eq!(
            sig.covered_bytes + (sig.covered_bytes - sig.covered_bytes),
            sig.covered_bytes
        );
        assert!(sig.algorithm.as_deref().unwrap().contains("SHA256"));
    }
}

#[test]
fn a_byte_flipped_in_the_signed_range_is_modified() {
    let now = Utc::now();
    let ca = Ca::new(KeyAlgorithm::P256, now);
    let signed = sign(
        &plain_pdf("Cuti 12 hari"),
        &ca.credentials(),
        &SignOptions::at(now),
    )
    .unwrap();
    let mut tampered = signed.clone();
    let at = find(&tampered, b"Cuti 12 hari").unwrap();
    tampered[at + 5] = b'9';
    let report = verify(&tampered, &ca.trust(), now);
    assert_eq!(report.status, SignatureStatus::Modified, "{report:#?}");
    assert_eq!(
        report.signatures[0].findings[0].code,
        FindingCode::DigestMismatch
    );
}

#[test]
fn an_untrusted_root_and_an_expired_certificate_are_not_intact() {
    let now = Utc::now();
    let ca = Ca::new(KeyAlgorithm::P256, now);
    let other = Ca::new(KeyAlgorithm::P256, now);
    let signed = sign(&plain_pdf("x"), &ca.credentials(), &SignOptions::at(now)).unwrap();
    let report = verify(&signed, &other.trust(), now);
    assert_eq!(report.status, SignatureStatus::Untrusted);
    assert!(
        report.signatures[0]
            .findings
            .iter()
            .any(|f| f.code == FindingCode::UntrustedRoot),
        "{report:#?}"
    );

    let expired = Ca::with_signer_validity(
        KeyAlgorithm::P256,
        now - chrono::Duration::days(400),
        now - chrono::Duration::days(35),
    );
    let signed = sign(
        &plain_pdf("x"),
        &expired.credentials(),
        &SignOptions::at(now),
    )
    .unwrap();
    let report = verify(&signed, &expired.trust(), now);
    assert_eq!(report.status, SignatureStatus::Untrusted);
    assert!(
        report.signatures[0]
            .findings
            .iter()
            .any(|f| f.code == FindingCode::CertificateExpired),
        "{report:#?}"
    );
}

#[test]
fn a_second_signature_keeps_the_first_intact() {
    let now = Utc::now();
    let ca = Ca::new(KeyAlgorithm::P256, now);
    let once = sign(&plain_pdf("x"), &ca.credentials(), &SignOptions::at(now)).unwrap();
    let twice = sign(&once, &ca.credentials(), &SignOptions::at(now)).unwrap();
    let report = verify(&twice, &ca.trust(), now);
    assert_eq!(report.signatures.len(), 2);
    assert_eq!(report.status, SignatureStatus::Intact, "{report:#?}");
    assert_eq!(
        report.signatures[0].findings[0].code,
        FindingCode::SignaturesAdded
    );
}

#[test]
fn an_unsigned_pdf_and_garbage_are_invalid() {
    let now = Utc::now();
    let ca = Ca::new(KeyAlgorithm::P256, now);
    let report = verify(&plain_pdf("x"), &ca.trust(), now);
    assert_eq!(report.status, SignatureStatus::Invalid);
    assert_eq!(report.findings[0].code, FindingCode::NoSignature);
    let report = verify(b"hello", &ca.trust(), now);
    assert_eq!(report.findings[0].code, FindingCode::Malformed);
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
