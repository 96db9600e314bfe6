//! The time a signature's certificates are judged at: the caller's (when the letter was issued,
//! or now), or a verified RFC 3161 signature timestamp's; never the time the signer claims.

use abdi_pades::ValidationTime;
use abdi_pades::keys::KeyAlgorithm;
use abdi_pades::pki::{self, Spec, dn};
use abdi_pades::sign::{Credentials, SignOptions, sign, timestamp_token};
use abdi_pades::verify;
use abdi_proto::documents::{FindingCode, SignatureReport, SignatureStatus, ValidationTimeSource};
use chrono::{DateTime, Duration, Utc};

use crate::support::{Ca, add_timestamp, plain_pdf};

/// A CA whose signer's certificate expired 35 days ago, and a letter it signed claiming (`/M`) a
/// time 100 days ago, when the certificate was valid.
fn expired_letter(now: DateTime<Utc>) -> (Ca, Vec<u8>) {
    let ca = Ca::with_signer_validity(
        KeyAlgorithm::P256,
        now - Duration::days(400),
        now - Duration::days(35),
    );
    let signed = sign(
        &plain_pdf("Surat Izin Cuti"),
        &ca.credentials(),
        &SignOptions::at(now - Duration::days(100)),
    )
    .unwrap();
    (ca, signed)
}

/// A timestamp authority under `issuer`'s CA, valid for years around now.
fn tsa(issuer: &pki::Issued, now: DateTime<Utc>) -> Credentials {
    let tsa = pki::tsa(
        issuer,
        &Spec {
            subject: dn(&[("CN", "Abdi Test TSA"), ("O", "Abdi Test"), ("C", "ID")]),
            algorithm: KeyAlgorithm::P256,
            not_before: now - Duration::days(1000),
            not_after: now + Duration::days(1000),
        },
    )
    .unwrap();
    Credentials {
        key: tsa.key,
        chain: vec![tsa.cert, issuer.cert.clone()],
    }
}

fn only(report: &abdi_proto::documents::VerificationReport) -> &SignatureReport {
    assert_eq!(report.signatures.len(), 1, "{report:#?}");
    &report.signatures[0]
}

fn has(sig: &SignatureReport, code: FindingCode) -> bool {
    sig.findings.iter().any(|f| f.code == code)
}

#[test]
fn the_callers_time_is_used_not_the_signers_claim() {
    let now = Utc::now();
    let (ca, signed) = expired_letter(now);

    let report = verify(&signed, &ca.trust(), ValidationTime::Now(now));
    let sig = only(&report);
    assert_eq!(sig.status, SignatureStatus::Untrusted, "{report:#?}");
    assert!(has(sig, FindingCode::CertificateExpired), "{report:#?}");
    assert_eq!(
        sig.signed_at.map(|t| t.timestamp()),
        Some((now - Duration::days(100)).timestamp()),
        "the claim is still shown"
    );
    assert_eq!(sig.validated_at, Some(now));
    assert_eq!(sig.validated_at_source, Some(ValidationTimeSource::Now));

    // The server recorded when it issued the letter: inside the certificate's validity.
    let issued = now - Duration::days(100);
    let report = verify(&signed, &ca.trust(), ValidationTime::Issued(issued));
    let sig = only(&report);
    assert_eq!(sig.status, SignatureStatus::Intact, "{report:#?}");
    assert_eq!(sig.validated_at, Some(issued));
    assert_eq!(sig.validated_at_source, Some(ValidationTimeSource::Issued));

    // Issued after the certificate expired.
    let report = verify(
        &signed,
        &ca.trust(),
        ValidationTime::Issued(now - Duration::days(10)),
    );
    assert!(
        has(only(&report), FindingCode::CertificateExpired),
        "{report:#?}"
    );
}

#[test]
fn a_verified_timestamp_inside_the_validity_makes_it_pass() {
    let now = Utc::now();
    let (ca, signed) = expired_letter(now);
    let tsa = tsa(&ca.intermediate, now);
    let at = now - Duration::days(100);
    let stamped = add_timestamp(&signed, |sig| timestamp_token(sig, &tsa, at).unwrap());

    let report = verify(&stamped, &ca.trust(), ValidationTime::Now(now));
    let sig = only(&report);
    assert_eq!(sig.status, SignatureStatus::Intact, "{report:#?}");
    assert!(sig.findings.is_empty(), "{report:#?}");
    assert_eq!(
        sig.validated_at.map(|t| t.timestamp()),
        Some(at.timestamp())
    );
    assert_eq!(
        sig.validated_at_source,
        Some(ValidationTimeSource::Timestamp)
    );

    // A timestamp after the certificate expired does not save it.
    let late = add_timestamp(&signed, |sig| {
        timestamp_token(sig, &tsa, now - Duration::days(5)).unwrap()
    });
    let report = verify(&late, &ca.trust(), ValidationTime::Issued(at));
    let sig = only(&report);
    assert!(has(sig, FindingCode::CertificateExpired), "{report:#?}");
    assert_eq!(
        sig.validated_at_source,
        Some(ValidationTimeSource::Timestamp)
    );
}

#[test]
fn a_timestamp_over_another_signature_is_ignored() {
    let now = Utc::now();
    let (ca, signed) = expired_letter(now);
    let tsa = tsa(&ca.intermediate, now);
    let at = now - Duration::days(100);
    let wrong = add_timestamp(&signed, |_| {
        timestamp_token(b"some other signature", &tsa, at).unwrap()
    });

    let report = verify(&wrong, &ca.trust(), ValidationTime::Now(now));
    let sig = only(&report);
    assert_eq!(sig.status, SignatureStatus::Untrusted, "{report:#?}");
    assert!(has(sig, FindingCode::CertificateExpired), "{report:#?}");
    let ignored = sig
        .findings
        .iter()
        .find(|f| f.code == FindingCode::TimestampIgnored)
        .unwrap();
    assert!(
        ignored.detail.contains("message imprint"),
        "{}",
        ignored.detail
    );
    assert_eq!(sig.validated_at, Some(now));
    assert_eq!(sig.validated_at_source, Some(ValidationTimeSource::Now));
}

#[test]
fn a_timestamp_from_an_authority_that_does_not_hold_up_is_ignored() {
    let now = Utc::now();
    let (ca, signed) = expired_letter(now);
    let at = now - Duration::days(100);
    let stranger = Ca::new(KeyAlgorithm::P256, now);
    let cases = [
        // A TSA under a root we do not trust.
        (tsa(&stranger.intermediate, now), "does not hold up"),
        // A certificate of our CA that is not for time stamping.
        (
            Ca::new(KeyAlgorithm::P256, now).credentials(),
            "not for time stamping",
        ),
    ];
    for (who, why) in cases {
        let stamped = add_timestamp(&signed, |sig| timestamp_token(sig, &who, at).unwrap());
        let report = verify(&stamped, &ca.trust(), ValidationTime::Now(now));
        let sig = only(&report);
        assert_eq!(sig.status, SignatureStatus::Untrusted, "{report:#?}");
        assert_eq!(sig.validated_at_source, Some(ValidationTimeSource::Now));
        let ignored = sig
            .findings
            .iter()
            .find(|f| f.code == FindingCode::TimestampIgnored)
            .unwrap();
        assert!(ignored.detail.contains(why), "{}", ignored.detail);
    }
}
