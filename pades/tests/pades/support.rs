//! A test CA (root, intermediate, signer) and a plain one-page PDF.

use abdi_pades::TrustStore;
use abdi_pades::keys::KeyAlgorithm;
use abdi_pades::pki::{self, Issued, Spec, dn};
use abdi_pades::sign::Credentials;
use chrono::{DateTime, Duration, Utc};
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

pub struct Ca {
    pub root: Issued,
    pub intermediate: Issued,
    pub signer: Issued,
}

impl Ca {
    /// A two-level CA: root -> intermediate -> signer, all with `alg`.
    pub fn new(alg: KeyAlgorithm, now: DateTime<Utc>) -> Self {
        Self::with_signer_validity(alg, now - Duration::days(30), now + Duration::days(365))
    }

    pub fn with_signer_validity(
        alg: KeyAlgorithm,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Self {
        let now = Utc::now();
        let spec = |subject: String, not_before, not_after| Spec {
            subject,
            algorithm: alg,
            not_before,
            not_after,
        };
        let root = pki::root(&spec(
            dn(&[("CN", "Abdi Test Root CA"), ("O", "Abdi Test"), ("C", "ID")]),
            now - Duration::days(3650),
            now + Duration::days(3650),
        ))
        .unwrap();
        let intermediate = pki::intermediate(
            &root,
            &spec(
                dn(&[
                    ("CN", "Abdi Test Signing CA"),
                    ("O", "Abdi Test"),
                    ("C", "ID"),
                ]),
                now - Duration::days(3000),
                now + Duration::days(3000),
            ),
        )
        .unwrap();
        let signer = pki::signer(
            &intermediate,
            &spec(
                dn(&[
                    ("CN", "Dr. Ṣiti Rahayu, S.H., M.Si."),
                    ("serialNumber", "197001012000032001"),
                    ("O", "Pemerintah Provinsi Jawa Timur"),
                    ("C", "ID"),
                ]),
                from,
                until,
            ),
        )
        .unwrap();
        Self {
            root,
            intermediate,
            signer,
        }
    }

    pub fn trust(&self) -> TrustStore {
        TrustStore::new(vec![self.root.cert.clone()])
    }

    pub fn credentials(&self) -> Credentials {
        Credentials {
            key: self.signer.key.clone(),
            chain: vec![self.signer.cert.clone(), self.intermediate.cert.clone()],
        }
    }

    /// Writes key.pem, chain.pem (signer + intermediate) and root.pem into `dir`.
    pub fn write(&self, dir: &std::path::Path) {
        std::fs::write(dir.join("key.pem"), self.signer.key.to_pem().unwrap()).unwrap();
        std::fs::write(
            dir.join("chain.pem"),
            format!(
                "{}{}",
                self.signer.cert_pem().unwrap(),
                self.intermediate.cert_pem().unwrap()
            ),
        )
        .unwrap();
        std::fs::write(dir.join("signer.pem"), self.signer.cert_pem().unwrap()).unwrap();
        std::fs::write(
            dir.join("intermediate.pem"),
            self.intermediate.cert_pem().unwrap(),
        )
        .unwrap();
        std::fs::write(dir.join("root.pem"), self.root.cert_pem().unwrap()).unwrap();
    }
}

/// A one-page PDF saying `text` (Helvetica), with a classic xref table.
pub fn plain_pdf(text: &str) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let content = Content {
        operations: vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 14.into()]),
            Operation::new("Td", vec![72.into(), 720.into()]),
            Operation::new("Tj", vec![Object::string_literal(text)]),
            Operation::new("ET", vec![]),
        ],
    };
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
        ),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// Runs a program, returning (exit code, stdout + stderr).
pub fn run(program: &str, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} could not start ({e}); scripts/test installs it"));
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}
