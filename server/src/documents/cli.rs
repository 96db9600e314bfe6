//! `abdi-server pki init` and `abdi-server documents sign|verify|sample`.

use std::path::PathBuf;

use abdi_pades::keys::KeyAlgorithm;
use abdi_proto::documents::VerificationReport;
use chrono::Duration;
use clap::Subcommand;

use super::letter::{LetterContent, LetterPerson};
use super::signer::{self, Credential, SignJob};
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, Secret};

#[derive(Debug, Subcommand)]
pub enum PkiCommand {
    /// Create a root CA, an intermediate CA and a signer certificate with its key in
    /// documents.local_dir (or --dir). Refuses to overwrite a key.
    Init {
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// p256 or rsa2048 (rsa3072).
        #[arg(long, default_value = "p256")]
        algorithm: String,
        /// The signer's name as the certificate shows it.
        #[arg(long, default_value = "Penandatangan Abdi")]
        signer_name: String,
        /// The signer's NIP (in the certificate's serialNumber).
        #[arg(long)]
        signer_nip: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DocumentsCommand {
    /// Sign a PDF with the configured signer (PAdES B-B, as an incremental update).
    Sign {
        input: PathBuf,
        output: PathBuf,
        /// For a remote signer: the official's NIK (the passphrase is read from
        /// ABDI_SIGNING_PASSPHRASE).
        #[arg(long)]
        nik: Option<String>,
    },
    /// Verify a signed PDF against the configured roots (and --trust). Prints what was found;
    /// exits 0 only when the document is intact and trusted.
    Verify {
        file: PathBuf,
        /// More trusted roots (PEM).
        #[arg(long, value_name = "PEM")]
        trust: Vec<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a realistic leave letter, signed with the configured signer.
    Sample {
        output: PathBuf,
        #[arg(long)]
        nik: Option<String>,
    },
}

pub fn pki(config: &Config, cmd: PkiCommand) -> anyhow::Result<()> {
    let PkiCommand::Init {
        dir,
        algorithm,
        signer_name,
        signer_nip,
    } = cmd;
    let dir = dir.unwrap_or_else(|| config.documents.local_dir.clone());
    let algorithm: KeyAlgorithm = algorithm.parse()?;
    signer::init_local_ca(
        &dir,
        algorithm,
        &config.documents.agency,
        &signer_name,
        signer_nip.as_deref(),
        SystemClock.now(),
    )?;
    println!(
        "local CA created in {}: root.pem (trust this), intermediate.pem, chain.pem, key.pem",
        dir.display()
    );
    Ok(())
}

/// Returns whether the command's answer is positive (verify: intact and trusted).
pub async fn documents(config: &Config, cmd: DocumentsCommand) -> anyhow::Result<bool> {
    let clock: crate::clock::SharedClock = std::sync::Arc::new(crate::clock::SystemClock);
    match cmd {
        DocumentsCommand::Sign { input, output, nik } => {
            let pdf =
                std::fs::read(&input).map_err(|e| anyhow::anyhow!("{}: {e}", input.display()))?;
            let signed = sign_one(config, clock, pdf, nik).await?;
            std::fs::write(&output, signed)?;
            println!("signed: {}", output.display());
            Ok(true)
        }
        DocumentsCommand::Verify { file, trust, json } => {
            let mut store = signer::trust_from_config(&config.documents)?;
            for path in trust {
                store.add(abdi_pades::TrustStore::from_pem(
                    &std::fs::read(&path)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
                )?);
            }
            let pdf =
                std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let report = abdi_pades::verify(
                &pdf,
                &store,
                abdi_pades::ValidationTime::Now(SystemClock.now()),
            );
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", describe(&report));
            }
            Ok(report.is_intact())
        }
        DocumentsCommand::Sample { output, nik } => {
            let today = SystemClock.today();
            let content = sample_letter(config, today);
            let letter = content.layout(
                &format!("800.1.11/0001/CONTOH/{}", chrono::Datelike::year(&today)),
                today,
                &format!(
                    "{}/verify/00000000-0000-0000-0000-000000000000",
                    config.identity.public_url.trim_end_matches('/')
                ),
            );
            let pdf = super::render::render(&letter)?;
            let signed = sign_one(config, clock, pdf, nik).await?;
            std::fs::write(&output, signed)?;
            println!("sample letter: {}", output.display());
            Ok(true)
        }
    }
}

async fn sign_one(
    config: &Config,
    clock: crate::clock::SharedClock,
    pdf: Vec<u8>,
    nik: Option<String>,
) -> anyhow::Result<Vec<u8>> {
    let (signer, _) = signer::from_config(&config.documents, clock)?;
    let credential = std::env::var("ABDI_SIGNING_PASSPHRASE")
        .ok()
        .map(|p| Credential::Passphrase(Secret::new(p)));
    let mut signed = signer
        .sign(SignJob {
            nik: nik.unwrap_or_default(),
            credential,
            reason: "Keputusan atas permohonan layanan kepegawaian".into(),
            location: config.documents.place.clone(),
            files: vec![pdf],
        })
        .await?;
    signed
        .pop()
        .ok_or_else(|| anyhow::anyhow!("the signer returned no file"))
}

/// A realistic annual-leave letter (the names are invented).
pub fn sample_letter(config: &Config, today: chrono::NaiveDate) -> LetterContent {
    let start = today + Duration::days(14);
    LetterContent {
        words: None,
        kind: "surat_izin_cuti".into(),
        service: "Cuti Tahunan".into(),
        agency: config.documents.agency.clone(),
        office: "Badan Kepegawaian Daerah".into(),
        address: config.documents.address.clone(),
        place: config.documents.place.clone(),
        employee: LetterPerson {
            name: "Ni Luh Putu Ṣaraswati, S.Kom.".into(),
            nip: "199001152015022003".into(),
            rank: "Penata Muda Tingkat I, III/b".into(),
            position: "Pranata Komputer Ahli Pertama".into(),
            unit: "Bidang Data dan Informasi Kepegawaian".into(),
        },
        employee_kind: "Pegawai Negeri Sipil".into(),
        start: Some(start),
        end: Some(start + Duration::days(4)),
        length: Some("5 hari kerja".into()),
        summary: "Cuti Tahunan 5 hari kerja".into(),
        changed: false,
        signer_name: "Dr. Bambang Eko Suharto, M.Si.".into(),
        signer_nip: "197203101998031004".into(),
        signer_lines: vec![
            "a.n. Gubernur Jawa Timur".into(),
            "Kepala Badan Kepegawaian Daerah".into(),
        ],
        signer_post: "Kepala Badan Kepegawaian Daerah".into(),
        certificate_authority: config.documents.certificate_authority.clone(),
        tembusan: vec![
            "Atasan langsung yang bersangkutan".into(),
            "Yang bersangkutan".into(),
        ],
    }
}

/// The report for a person at a terminal.
pub fn describe(r: &VerificationReport) -> String {
    let mut out = format!(
        "{}: {} / {}\nfile: {} bytes, sha256 {}\n",
        r.status.code().to_uppercase(),
        r.message.id,
        r.message.en,
        r.size,
        r.sha256
    );
    for f in &r.findings {
        out.push_str(&format!(
            "  - {}: {} ({})\n",
            f.code.code(),
            f.message.en,
            f.detail
        ));
    }
    for (i, s) in r.signatures.iter().enumerate() {
        out.push_str(&format!(
            "signature {} ({}): {}\n",
            i + 1,
            s.field.as_deref().unwrap_or("-"),
            s.status.code()
        ));
        if let Some(signer) = &s.signer {
            out.push_str(&format!(
                "  signer: {}{}{}\n  issuer: {}\n",
                signer.name,
                signer
                    .nip
                    .as_deref()
                    .map(|n| format!(", NIP {n}"))
                    .unwrap_or_default(),
                signer
                    .nik
                    .as_deref()
                    .map(|n| format!(", NIK {n}"))
                    .unwrap_or_default(),
                signer.issuer
            ));
        }
        if let Some(t) = s.signed_at {
            out.push_str(&format!("  signed at: {} (claimed)\n", t.to_rfc3339()));
        }
        if let Some(a) = &s.algorithm {
            out.push_str(&format!("  algorithm: {a}\n"));
        }
        out.push_str(&format!(
            "  covers {} bytes; {} bytes after it\n",
            s.covered_bytes, s.appended_bytes
        ));
        for f in &s.findings {
            out.push_str(&format!(
                "  - {}: {} ({})\n",
                f.code.code(),
                f.message.en,
                f.detail
            ));
        }
    }
    out
}
