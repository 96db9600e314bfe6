//! Letters typeset and signed per second on one core, the time to verify a 1 MB signed PDF, and
//! what hostile files cost `POST /verify` beside a real letter: a decompression bomb, an object
//! flood and 32 self-signed revisions (`bench/documents` pins it to one core). Prints tables and
//! the peak memory; no assertion.

// Tests and benches measure real time: the injected-clock rule is for the product's code.
#![allow(clippy::disallowed_methods)]

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

/// An object stream that inflates to `inflated` zero bytes (a few hundred KB on the wire).
fn bomb(inflated: usize) -> anyhow::Result<Vec<u8>> {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..inflated >> 20 {
        z.write_all(&zeros)?;
    }
    let data = z.finish()?;
    let mut stream = format!(
        "<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length {}>>stream\n",
        data.len()
    )
    .into_bytes();
    stream.extend_from_slice(&data);
    stream.extend_from_slice(b"\nendstream");
    Ok(abdi_pades::sample::raw_pdf(
        &[b"<</Type/Catalog>>".to_vec(), stream],
        "/Root 1 0 R",
    ))
}

/// Peak resident memory of this process so far, in MiB (Linux).
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))?
                .split_whitespace()
                .nth(1)?
                .parse::<f64>()
                .ok()
        })
        .map_or(0.0, |kb| kb / 1024.0)
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
        if alg == KeyAlgorithm::P256 {
            hostile(budget, &signed, &pdf, &trust)?;
        }
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
    println!(
        "\npeak resident memory of the whole run: {:.0} MiB",
        peak_mib()
    );
    Ok(())
}

/// What hostile files cost the public verifier, as a ratio to verifying the real letter in the
/// same run; each is refused (or reported untrusted) within the verifier's bounds.
fn hostile(budget: Duration, letter: &[u8], pdf: &[u8], trust: &TrustStore) -> anyhow::Result<()> {
    let (_, reference, _) = measure(budget, || {
        anyhow::ensure!(verify(letter, trust, Utc::now()).is_intact());
        Ok(())
    })?;
    let mut revisions = pdf.to_vec();
    for n in 0..32 {
        let now = Utc::now();
        let spec = Spec {
            subject: dn(&[("CN", &format!("Self-signed {n}"))]),
            algorithm: KeyAlgorithm::P256,
            not_before: now - chrono::Duration::days(1),
            not_after: now + chrono::Duration::days(1),
        };
        // A root of its own, trusted by nobody, and a signer under it.
        let root = pki::root(&spec)?;
        let leaf = pki::signer(&root, &spec)?;
        let creds = Credentials {
            key: leaf.key,
            chain: vec![leaf.cert, root.cert],
        };
        revisions = sign(&revisions, &creds, &SignOptions::at(now))?;
    }
    let flood = {
        let mut objects = vec![b"<</Type/Catalog>>".to_vec()];
        objects.extend((0..abdi_pades::limits::MAX_OBJECTS).map(|_| b"null".to_vec()));
        abdi_pades::sample::raw_pdf(&objects, "/Root 1 0 R")
    };
    let files = [
        ("an object-stream bomb (128 MiB of zeros)", bomb(128 << 20)?),
        ("100,001 objects", flood),
        ("32 self-signed revisions", revisions),
    ];
    println!("\n| hostile file (one core) | size | p50 | vs the letter | status |");
    println!("|---|---|---|---|---|");
    for (what, file) in files {
        let mut status = String::new();
        let (_, p50, _) = measure(budget, || {
            status = verify(&file, trust, Utc::now()).status.code().to_owned();
            Ok(())
        })?;
        println!(
            "| {what} | {} KB | {:.2} ms | {:.1}x | {status} |",
            file.len() / 1024,
            p50.as_secs_f64() * 1e3,
            p50.as_secs_f64() / reference.as_secs_f64()
        );
    }
    println!(
        "| (reference: the {} KB letter) | | {:.2} ms | 1.0x | intact |\n",
        letter.len() / 1024,
        reference.as_secs_f64() * 1e3
    );
    Ok(())
}
