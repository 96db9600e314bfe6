//! The time to verify a signed decision letter on the phone's core (`abdi_core::verify_document`
//! against pinned roots), for a P-256 and an RSA-2048 signer (BSrE signs with RSA). Run by
//! `bench/mobile`, pinned to one core; prints a table, asserts nothing but that each letter
//! verifies intact.

// Tests and benches measure real time: the injected-clock rule is for the product's code.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use abdi_core::{PinnedRoots, verify_document};
use abdi_pades::TrustStore;
use abdi_pades::keys::KeyAlgorithm;
use abdi_pades::pki::{self, Spec, dn};
use abdi_pades::sign::{Credentials, SignOptions, sign};
use abdi_proto::documents::SignatureStatus;
use abdi_server::config::Config;
use abdi_server::documents::cli::sample_letter;
use abdi_server::documents::render::render;
use chrono::Utc;

fn signed_letter(alg: KeyAlgorithm, pdf: &[u8]) -> (Vec<u8>, PinnedRoots) {
    let now = Utc::now();
    let spec = |subject: String| Spec {
        subject,
        algorithm: alg,
        not_before: now - chrono::Duration::days(1),
        not_after: now + chrono::Duration::days(365),
    };
    let root = pki::root(&spec(dn(&[("CN", "Bench Root")]))).unwrap();
    let mid = pki::intermediate(&root, &spec(dn(&[("CN", "Bench CA")]))).unwrap();
    let leaf = pki::signer(&mid, &spec(dn(&[("CN", "Bench Signer")]))).unwrap();
    let creds = Credentials {
        key: leaf.key,
        chain: vec![leaf.cert, mid.cert],
    };
    let signed = sign(pdf, &creds, &SignOptions::at(now)).unwrap();
    (signed, TrustStore::new(vec![root.cert]).into())
}

fn main() {
    let config = Config::default();
    let today = Utc::now().date_naive();
    let letter = sample_letter(&config, today).layout(
        "800.1.11/0001/BKD/2026",
        today,
        "https://abdi.example.go.id/verify/0",
    );
    let pdf = render(&letter).unwrap();
    println!("| verify on the core (one core) | letter size | per second | p50 | p99 |");
    println!("|---|---|---|---|---|");
    for (name, alg) in [
        ("P-256", KeyAlgorithm::P256),
        ("RSA-2048", KeyAlgorithm::Rsa2048),
    ] {
        let (signed, roots) = signed_letter(alg, &pdf);
        // As the phone opens a kept letter: the file is the one its record names.
        let register = abdi_proto::documents::IssuedLetter {
            id: uuid::Uuid::nil(),
            number: "800.1.11/0001/BKD/2026".into(),
            title: abdi_proto::Text::new("Surat Izin Cuti", "Leave permit"),
            issued_on: today,
            signer_name: String::new(),
            signer_nip: String::new(),
            signed_at: Utc::now(),
            sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&signed)),
            signer_certificate: None,
        };
        let mut times = Vec::new();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) || times.len() < 5 {
            let t = Instant::now();
            let report = verify_document(&signed, &roots, Some(register.clone()));
            times.push(t.elapsed());
            assert!(
                report
                    .signatures
                    .iter()
                    .all(|s| s.status == SignatureStatus::Intact),
                "{report:?}"
            );
        }
        let total = start.elapsed().as_secs_f64();
        times.sort();
        let pick = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e3;
        println!(
            "| {name} signed letter | {} KB | {:.0} | {:.2} ms | {:.2} ms |",
            signed.len() / 1024,
            times.len() as f64 / total,
            pick(0.5),
            pick(0.99)
        );
    }
}
