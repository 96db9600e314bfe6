//! The external validators agree with us: pdfsig (poppler) and pyHanko accept what we sign, and
//! we accept what pyHanko signs, with a two-level CA of each key type, and read the RFC 3161
//! signature timestamps pyHanko adds.

use abdi_pades::keys::KeyAlgorithm;
use abdi_pades::pki::{self, Spec, dn};
use abdi_pades::sign::{SignOptions, sign};
use abdi_pades::{ValidationTime, verify};
use abdi_proto::documents::{FindingCode, SignatureStatus, ValidationTimeSource};
use chrono::{Duration, Utc};
use lopdf::{Document, IncrementalDocument, Object, Stream, dictionary};

use crate::support::{Ca, plain_pdf, run};

/// pdfsig's verdict with `root.pem` trusted through an NSS database.
pub fn pdfsig(dir: &std::path::Path, file: &std::path::Path) -> String {
    let db = dir.join("nss");
    if !db.exists() {
        std::fs::create_dir_all(&db).unwrap();
        let nss = format!("sql:{}", db.display());
        let (code, out) = run("certutil", &["-N", "-d", &nss, "--empty-password"]);
        assert_eq!(code, 0, "{out}");
        let root = dir.join("root.pem");
        let (code, out) = run(
            "certutil",
            &[
                "-A",
                "-d",
                &nss,
                "-n",
                "root",
                "-t",
                "CT,C,C",
                "-a",
                "-i",
                root.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "{out}");
    }
    let nss = format!("sql:{}", db.display());
    // pdfsig exits 0 even on a digest mismatch: the verdict is in its output.
    run("pdfsig", &["-nssdir", &nss, file.to_str().unwrap()]).1
}

/// pyHanko's one-line verdict and exit code.
pub fn pyhanko(dir: &std::path::Path, file: &std::path::Path) -> (i32, String) {
    let root = dir.join("root.pem");
    run(
        "pyhanko",
        &[
            "sign",
            "validate",
            "--trust",
            root.to_str().unwrap(),
            "--trust-replace",
            file.to_str().unwrap(),
        ],
    )
}

#[test]
fn pdfsig_and_pyhanko_accept_what_we_sign() {
    for alg in [KeyAlgorithm::Rsa2048, KeyAlgorithm::P256] {
        let dir = tempfile::tempdir().unwrap();
        let now = Utc::now();
        let ca = Ca::new(alg, now);
        ca.write(dir.path());
        let signed = sign(
            &plain_pdf("Surat Keputusan"),
            &ca.credentials(),
            &SignOptions::at(now),
        )
        .unwrap();
        let file = dir.path().join("signed.pdf");
        std::fs::write(&file, &signed).unwrap();

        let out = pdfsig(dir.path(), &file);
        assert!(out.contains("Signature is Valid"), "{alg:?} pdfsig: {out}");
        assert!(
            out.contains("Certificate is Trusted"),
            "{alg:?} pdfsig: {out}"
        );
        assert!(out.contains("ETSI.CAdES.detached"), "{alg:?} pdfsig: {out}");
        let (code, out) = pyhanko(dir.path(), &file);
        assert_eq!(code, 0, "{alg:?} pyHanko: {out}");
        assert!(
            out.contains("INTACT:TRUSTED,UNTOUCHED"),
            "{alg:?} pyHanko: {out}"
        );

        // Both notice a flipped byte too.
        let mut tampered = signed.clone();
        let at = crate::roundtrip::find(&tampered, b"Surat Keputusan").unwrap();
        tampered[at] = b'Z';
        let bad = dir.path().join("tampered.pdf");
        std::fs::write(&bad, &tampered).unwrap();
        let out = pdfsig(dir.path(), &bad);
        assert!(
            !out.contains("Signature is Valid"),
            "{alg:?} pdfsig on a tampered file: {out}"
        );
        let (code, out) = pyhanko(dir.path(), &bad);
        assert_ne!(code, 0, "{alg:?} pyHanko on a tampered file: {out}");
    }
}

#[test]
fn we_accept_what_pyhanko_signs_and_reject_what_was_done_to_it() {
    for alg in [KeyAlgorithm::Rsa2048, KeyAlgorithm::P256] {
        let dir = tempfile::tempdir().unwrap();
        let now = Utc::now();
        let ca = Ca::new(alg, now);
        ca.write(dir.path());
        let input = dir.path().join("in.pdf");
        let output = dir.path().join("out.pdf");
        std::fs::write(&input, plain_pdf("Signed elsewhere")).unwrap();
        let p = |f: &str| dir.path().join(f).to_str().unwrap().to_owned();
        let (code, out) = run(
            "pyhanko",
            &[
                "sign",
                "addsig",
                "--field",
                "Sig1",
                "--use-pades",
                "pemder",
                "--key",
                &p("key.pem"),
                "--cert",
                &p("signer.pem"),
                "--chain",
                &p("intermediate.pem"),
                "--no-pass",
                input.to_str().unwrap(),
                output.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "pyHanko addsig: {out}");
        let signed = std::fs::read(&output).unwrap();
        let report = verify(&signed, &ca.trust(), now);
        assert_eq!(
            report.status,
            SignatureStatus::Intact,
            "{alg:?}: {report:#?}"
        );
        assert_eq!(report.signatures[0].field.as_deref(), Some("Sig1"));
        assert_eq!(
            report.signatures[0].signer.as_ref().unwrap().nip.as_deref(),
            Some("197001012000032001")
        );

        // A certificate from a root we do not trust.
        let stranger = Ca::new(alg, now);
        let report = verify(&signed, &stranger.trust(), now);
        assert_eq!(report.status, SignatureStatus::Untrusted, "{report:#?}");

        // An incremental update that replaces the page's text after signing.
        let changed = replace_page_text(&signed, "Diubah sesudahnya");
        let report = verify(&changed, &ca.trust(), now);
        assert_eq!(report.status, SignatureStatus::Modified, "{report:#?}");
        let finding = &report.signatures[0].findings.last().unwrap();
        assert_eq!(finding.code, FindingCode::ContentChanged);
        assert!(finding.detail.contains("page 1"), "{}", finding.detail);
        // and pyHanko agrees
        let file = dir.path().join("changed.pdf");
        std::fs::write(&file, &changed).unwrap();
        let (code, out) = pyhanko(dir.path(), &file);
        assert_ne!(code, 0, "pyHanko on a changed file: {out}");
    }
}

/// Appends a revision whose first page shows `text` instead.
pub fn replace_page_text(pdf: &[u8], text: &str) -> Vec<u8> {
    let prev = Document::load_mem(pdf).unwrap();
    let page = *prev.get_pages().values().next().unwrap();
    let mut inc = IncrementalDocument::create_from(pdf.to_vec(), prev);
    let content = format!("BT /F1 14 Tf 72 720 Td ({text}) Tj ET");
    let stream = inc
        .new_document
        .add_object(Stream::new(dictionary! {}, content.into_bytes()));
    inc.opt_clone_object_to_new_document(page).unwrap();
    inc.new_document
        .get_dictionary_mut(page)
        .unwrap()
        .set("Contents", Object::Reference(stream));
    let mut out = Vec::new();
    inc.save_to(&mut out).unwrap();
    out
}

/// pyHanko signs with a timestamp from its local test authority (RSA, the SHA-1 ESS
/// signing-certificate, a genTime with fractions of a second: what real authorities send) at a
/// time the signer's certificate, expired since, was valid: the signature holds up, judged at
/// the timestamp.
#[test]
fn we_read_the_timestamps_pyhanko_adds() {
    const SCRIPT: &str = r#"
import sys, datetime
from asn1crypto import keys, x509, pem
from cryptography.hazmat.primitives import serialization
from pyhanko.sign import signers, fields
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
d = sys.argv[1]
cert = lambda p: x509.Certificate.load(pem.unarmor(open(f'{d}/{p}', 'rb').read())[2])
key = serialization.load_pem_private_key(open(f'{d}/tsa_key.pem', 'rb').read(), None)
tsa = DummyTimeStamper(
    tsa_cert=cert('tsa.pem'),
    tsa_key=keys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())),
    certs_to_embed=[cert('intermediate.pem')],
    fixed_dt=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=100))
signer = signers.SimpleSigner.load(
    f'{d}/key.pem', f'{d}/signer.pem', ca_chain_files=(f'{d}/intermediate.pem',))
meta = signers.PdfSignatureMetadata(field_name='Sig1', subfilter=fields.SigSeedSubFilter.PADES)
with open(f'{d}/in.pdf', 'rb') as f:
    out = signers.sign_pdf(IncrementalPdfFileWriter(f), meta, signer=signer, timestamper=tsa)
    open(f'{d}/out.pdf', 'wb').write(out.getbuffer())
"#;
    let dir = tempfile::tempdir().unwrap();
    let now = Utc::now();
    // pyHanko's test authority signs with RSA only.
    let ca = crate::support::Ca::with_signer_validity(
        KeyAlgorithm::Rsa2048,
        now - Duration::days(400),
        now - Duration::days(35),
    );
    ca.write(dir.path());
    let tsa = pki::tsa(
        &ca.intermediate,
        &Spec {
            subject: dn(&[("CN", "Abdi Test TSA"), ("C", "ID")]),
            algorithm: KeyAlgorithm::Rsa2048,
            not_before: now - Duration::days(1000),
            not_after: now + Duration::days(1000),
        },
    )
    .unwrap();
    std::fs::write(dir.path().join("tsa.pem"), tsa.cert_pem().unwrap()).unwrap();
    std::fs::write(dir.path().join("tsa_key.pem"), tsa.key.to_pem().unwrap()).unwrap();
    std::fs::write(dir.path().join("in.pdf"), plain_pdf("Bertanda waktu")).unwrap();
    let (code, out) = run("python3", &["-c", SCRIPT, dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "pyHanko with a timestamp: {out}");
    let signed = std::fs::read(dir.path().join("out.pdf")).unwrap();

    let report = verify(&signed, &ca.trust(), ValidationTime::Now(now));
    assert_eq!(report.status, SignatureStatus::Intact, "{report:#?}");
    let sig = &report.signatures[0];
    assert_eq!(
        sig.validated_at_source,
        Some(ValidationTimeSource::Timestamp)
    );
    let at = sig.validated_at.unwrap();
    assert!(
        (at - (now - Duration::days(100))).num_seconds().abs() < 60,
        "{at}"
    );
    // Without the authority's root, the timestamp is ignored and the certificate has expired.
    let report = verify(
        &signed,
        &crate::support::Ca::new(KeyAlgorithm::P256, now).trust(),
        now,
    );
    assert_ne!(report.status, SignatureStatus::Intact, "{report:#?}");
}
