//! Letters typeset and signed per second on one core, and the time to verify a 1 MB signed PDF
//! (`bench/documents` pins it to one core). Prints a table; no assertion.

use std::time::{Duration, Instant};

use abdi_pades::keys::KeyAlgorithm;
use abdi_pades::pki::{self, Spec, dn};
use abdi_pades::sign::{Credentials, SignOptions, sign};
use abdi_pades::{TrustStore, verify};
use abdi_server::config::Config;
use abdi_server::documents::cli::sample_letter;
use abdi_server::documents::render::render;
use chrono::Utc;
use lopdf::{Document, Object, Stream, dictionary};

fn ca(alg: KeyAlgorithm) -> anyhow::Result<(Credentials, TrustStore)> {
    let now = Utc::now();
    let spec = |subject: String| Spec {
        subject,
        algorithm: alg,
        not_before: now - chrono::Duration::days(1),
        not_after: now + chrono::Duration::days(365),
    };
    let root = pki::root(&spec(dn(&[("CN", "Bench Root")])))?;
    let mid = pki::intermediate(&root, &spec(dn(&[("CN", "Bench CA")])))?;
    let leaf = pki::signer(&mid, &spec(dn(&[("CN", "Bench Signer")])))?;
    Ok((
        Credentials {
            key: leaf.key,
            chain: vec![leaf.cert, mid.cert],
        },
        TrustStore::new(vec![root.cert]),
    ))
}

/// Runs `f` for about `budget`, returning (runs per second, p50, p99).
fn measure(
    budget: Duration,
    mut f: impl FnMut() -> anyhow::Result<()>,
) -> anyhow::Result<(f64, Duration, Duration)> {
    let mut times = Vec::new();
    let start = Instant::now();
    while start.elapsed() < budget || times.len() < 5 {
        let t = Instant::now();
        f()?;
        times.push(t.elapsed());
    }
    let total = start.elapsed().as_secs_f64();
    times.sort();
    let pick = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    Ok((times.len() as f64 / total, pick(0.5), pick(0.99)))
}

/// The letter with an incompressible 1 MB stream added (as a scanned attachment would be).
fn one_megabyte(letter: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut doc = Document::load_mem(letter)?;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let noise: Vec<u8> = (0..1_000_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let blob = doc.add_object(Stream::new(dictionary! { "Type" => "EmbeddedFile" }, noise));
    let catalog = doc.catalog_mut()?;
    catalog.set("AbdiBenchBlob", Object::Reference(blob));
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}

fn main() -> anyhow::Result<()> {
    let config = Config::default();
    let today = Utc::now().date_naive();
    let content = sample_letter(&config, today);
    let letter = content.layout(
        "800.1.11/0001/BKD/2026",
        today,
        "https://abdi.example.go.id/verify/0",
    );
    let budget = Duration::from_secs(5);
    println!("| what (one core) | per second | p50 | p99 |");
    println!("|---|---|---|---|");
    let row = |what: &str, (rate, p50, p99): (f64, Duration, Duration)| {
        println!(
            "| {what} | {rate:.1} | {:.2} ms | {:.2} ms |",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    };
    row(
        "typeset a letter",
        measure(budget, || render(&letter).map(|_| ()).map_err(Into::into))?,
    );
    let pdf = render(&letter)?;
    for (name, alg) in [
        ("P-256", KeyAlgorithm::P256),
        ("RSA-2048", KeyAlgorithm::Rsa2048),
    ] {
        let (creds, trust) = ca(alg)?;
        let opts = SignOptions::at(Utc::now());
        row(
            &format!("sign a letter ({name})"),
            measure(budget, || {
                sign(&pdf, &creds, &opts).map(|_| ()).map_err(Into::into)
            })?,
        );
        row(
            &format!("typeset + sign a letter ({name})"),
            measure(budget, || {
                let pdf = render(&letter)?;
                sign(&pdf, &creds, &opts)?;
                Ok(())
            })?,
        );
        let signed = sign(&pdf, &creds, &opts)?;
        row(
            &format!("verify a letter ({} KB, {name})", signed.len() / 1024),
            measure(budget, || {
                anyhow::ensure!(verify(&signed, &trust, Utc::now()).is_intact());
                Ok(())
            })?,
        );
        let big = sign(&one_megabyte(&pdf)?, &creds, &opts)?;
        row(
            &format!(
                "verify a signed PDF of {:.2} MB ({name})",
                big.len() as f64 / 1_048_576.0
            ),
            measure(budget, || {
                anyhow::ensure!(verify(&big, &trust, Utc::now()).is_intact());
                Ok(())
            })?,
        );
    }
    Ok(())
}
