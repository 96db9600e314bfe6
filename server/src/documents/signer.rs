//! Who puts the signature on a letter, behind one trait: a local key (the embedded default, tests,
//! an agency seal) or a BSrE-style signing service that holds each official's certificate and
//! signs a batch of files with the official's NIK and passphrase or one-time code.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use abdi_pades::TrustStore;
use abdi_pades::keys::KeyAlgorithm;
use abdi_pades::pki::{self, Spec, dn};
use abdi_pades::sign::{Credentials, SignOptions};
use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{DocumentsConfig, Secret, SignerBackend};

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The official's passphrase or code was refused (the service said so).
    #[error("the signing credential was refused: {0}")]
    Credential(String),
    /// The remote signer needs the official's passphrase or code.
    #[error("a passphrase or one-time code is required")]
    CredentialRequired,
    /// The service or key is not usable now.
    #[error("signing is unavailable: {0}")]
    Unavailable(String),
    #[error("signing failed: {0}")]
    Failed(String),
}

/// The official's secret for a remote signing service; never stored or logged.
#[derive(Clone)]
pub enum Credential {
    Passphrase(Secret),
    Totp(Secret),
}

/// A batch of PDFs for one official.
pub struct SignJob {
    /// The official's NIK (the signing service's account).
    pub nik: String,
    pub credential: Option<Credential>,
    pub reason: String,
    pub location: String,
    pub files: Vec<Vec<u8>>,
}

#[async_trait]
pub trait Signer: Send + Sync {
    /// Whether letters wait for the official (passphrase or code) instead of being signed at
    /// the decision.
    fn needs_credential(&self) -> bool;

    /// Signs every file of the batch, or none.
    async fn sign(&self, job: SignJob) -> Result<Vec<Vec<u8>>, SignError>;
}

/// A key and its certificate chain from files.
pub struct LocalSigner {
    credentials: Arc<Credentials>,
    clock: crate::clock::SharedClock,
}

impl LocalSigner {
    pub fn new(credentials: Credentials, clock: crate::clock::SharedClock) -> Self {
        Self {
            credentials: Arc::new(credentials),
            clock,
        }
    }
}

#[async_trait]
impl Signer for LocalSigner {
    fn needs_credential(&self) -> bool {
        false
    }

    async fn sign(&self, job: SignJob) -> Result<Vec<Vec<u8>>, SignError> {
        let creds = self.credentials.clone();
        let now = self.clock.now();
        // A certificate outside its validity would make every letter untrusted.
        if !creds
            .certificate()
            .is_some_and(|c| abdi_pades::valid_at(c, now))
        {
            return Err(SignError::Unavailable(
                "the signing certificate is not valid today".into(),
            ));
        }
        tokio::task::spawn_blocking(move || {
            let mut opts = SignOptions::at(now);
            opts.reason = Some(job.reason);
            opts.location = Some(job.location);
            job.files
                .iter()
                .map(|f| abdi_pades::sign::sign(f, &creds, &opts))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| SignError::Failed(e.to_string()))
        })
        .await
        .map_err(|e| SignError::Failed(e.to_string()))?
    }
}

/// A BSrE-style signing service (esign-client-service API v2): `POST {url}/api/v2/sign/pdf`
/// with the platform's basic-auth account, the official's NIK, passphrase or TOTP, and the files
/// in base64; it answers with the signed files in the same order, or `{status_code, error}`.
pub struct RemoteSigner {
    http: reqwest::Client,
    url: String,
    username: String,
    password: Option<Secret>,
}

#[derive(Serialize)]
struct RemoteRequest<'a> {
    nik: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    passphrase: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    totp: Option<&'a str>,
    #[serde(rename = "signatureProperties")]
    signature_properties: Vec<SignatureProperties<'a>>,
    file: Vec<String>,
}

#[derive(Serialize)]
struct SignatureProperties<'a> {
    tampilan: &'static str,
    reason: &'a str,
    location: &'a str,
}

#[derive(Deserialize)]
struct RemoteAnswer {
    #[serde(default)]
    file: Vec<String>,
    #[serde(default)]
    status_code: Option<i64>,
    #[serde(default)]
    error: Option<String>,
}

impl RemoteSigner {
    pub fn new(config: &DocumentsConfig) -> Result<Self, SignError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.remote_timeout_secs))
            .build()
            .map_err(|e| SignError::Unavailable(e.to_string()))?;
        Ok(Self {
            http,
            url: config.remote_url.trim_end_matches('/').to_owned(),
            username: config.remote_username.clone(),
            password: config.remote_password.clone(),
        })
    }
}

#[async_trait]
impl Signer for RemoteSigner {
    fn needs_credential(&self) -> bool {
        true
    }

    async fn sign(&self, job: SignJob) -> Result<Vec<Vec<u8>>, SignError> {
        let (passphrase, totp) = match &job.credential {
            Some(Credential::Passphrase(p)) => (Some(p.expose()), None),
            Some(Credential::Totp(t)) => (None, Some(t.expose())),
            None => return Err(SignError::CredentialRequired),
        };
        let count = job.files.len();
        let body = RemoteRequest {
            nik: &job.nik,
            passphrase,
            totp,
            signature_properties: (0..count)
                .map(|_| SignatureProperties {
                    tampilan: "INVISIBLE",
                    reason: &job.reason,
                    location: &job.location,
                })
                .collect(),
            file: job.files.iter().map(|f| B64.encode(f)).collect(),
        };
        let started = Instant::now();
        let masked = abdi_pades::mask_nik(&job.nik);
        let mut req = self
            .http
            .post(format!("{}/api/v2/sign/pdf", self.url))
            .json(&body);
        if !self.username.is_empty() {
            req = req.basic_auth(&self.username, self.password.as_ref().map(Secret::expose));
        }
        let sent = req.send().await;
        let answer = match sent {
            Ok(resp) => {
                let status = resp.status();
                let answer: Result<RemoteAnswer, _> = resp.json().await;
                // Every call is logged, never with the secret.
                tracing::info!(
                    target: "abdi::signing",
                    nik = %masked,
                    files = count,
                    http_status = status.as_u16(),
                    service_code = answer.as_ref().ok().and_then(|a| a.status_code),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "remote signing call"
                );
                let answer = answer.map_err(|e| {
                    SignError::Unavailable(format!("unreadable answer ({status}): {e}"))
                })?;
                if status.is_success() && answer.file.len() == count {
                    answer
                } else {
                    let why = answer.error.unwrap_or_else(|| status.to_string());
                    return Err(match status.as_u16() {
                        // The official's passphrase, code or NIK was refused.
                        400 | 412 | 422 => SignError::Credential(why),
                        // The platform's own account: an operator's problem, not the official's.
                        401 | 403 => {
                            tracing::error!(target: "abdi::signing", "the signing service refused the platform's account (documents.remote_username)");
                            SignError::Unavailable(why)
                        }
                        _ => SignError::Unavailable(why),
                    });
                }
            }
            Err(e) => {
                tracing::warn!(target: "abdi::signing", nik = %masked, files = count, error = %e, "remote signing call failed");
                return Err(SignError::Unavailable(e.to_string()));
            }
        };
        answer
            .file
            .iter()
            .map(|f| {
                B64.decode(f)
                    .map_err(|e| SignError::Failed(format!("signed file is not base64: {e}")))
            })
            .collect()
    }
}

/// The signer the configuration names, and the roots letters are checked against.
pub fn from_config(
    config: &DocumentsConfig,
    clock: crate::clock::SharedClock,
) -> anyhow::Result<(Arc<dyn Signer>, TrustStore)> {
    if !config.number_format.contains("{seq}") {
        anyhow::bail!("documents.number_format must contain {{seq}} (letter numbers are unique)");
    }
    let signer: Arc<dyn Signer> = match config.signer {
        SignerBackend::Local => {
            let dir = &config.local_dir;
            if !dir.join("key.pem").exists() {
                tracing::warn!(dir = %dir.display(), "no signing key: creating a local CA (not BSrE; for trials and tests)");
                init_local_ca(
                    dir,
                    KeyAlgorithm::P256,
                    &config.agency,
                    "Penandatangan Abdi",
                    None,
                    clock.now(),
                )?;
            }
            let read = |f: &str| {
                std::fs::read_to_string(dir.join(f)).map_err(|e| {
                    anyhow::anyhow!("documents.local_dir: {}: {e}", dir.join(f).display())
                })
            };
            let creds = Credentials::from_pem(&read("key.pem")?, &read("chain.pem")?)?;
            Arc::new(LocalSigner::new(creds, clock))
        }
        SignerBackend::Remote => {
            if config.remote_url.is_empty() {
                anyhow::bail!("documents.signer = \"remote\" needs documents.remote_url");
            }
            Arc::new(RemoteSigner::new(config)?)
        }
    };
    let trust = trust_from_config(config)?;
    if trust.roots().is_empty() {
        anyhow::bail!("no trusted root: set documents.trust_roots (e.g. BSrE's root certificate)");
    }
    Ok((signer, trust))
}

/// The configured roots, plus the local CA's root with the local signer.
pub fn trust_from_config(config: &DocumentsConfig) -> anyhow::Result<TrustStore> {
    let mut trust = TrustStore::default();
    for path in &config.trust_roots {
        let pem = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("documents.trust_roots: {}: {e}", path.display()))?;
        trust.add(TrustStore::from_pem(&pem)?);
    }
    let local_root = config.local_dir.join("root.pem");
    if config.signer == SignerBackend::Local && local_root.exists() {
        trust.add(TrustStore::from_pem(&std::fs::read(local_root)?)?);
    }
    Ok(trust)
}

/// Creates a local CA in `dir`: a root, an intermediate and a signer certificate with its key
/// (root.pem, intermediate.pem, chain.pem, key.pem; the CA keys stay in ca/). Refuses to
/// overwrite an existing key.
pub fn init_local_ca(
    dir: &Path,
    algorithm: KeyAlgorithm,
    organisation: &str,
    signer_name: &str,
    signer_nip: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    if dir.join("key.pem").exists() {
        anyhow::bail!("{} already holds a signing key", dir.display());
    }
    std::fs::create_dir_all(dir.join("ca"))?;
    let years = |n: i64| now + chrono::Duration::days(365 * n);
    let spec = |subject: String, until| Spec {
        subject,
        algorithm,
        not_before: now - chrono::Duration::hours(1),
        not_after: until,
    };
    let root = pki::root(&spec(
        dn(&[
            ("CN", "Abdi Local Root CA"),
            ("O", organisation),
            ("C", "ID"),
        ]),
        years(20),
    ))?;
    let intermediate = pki::intermediate(
        &root,
        &spec(
            dn(&[
                ("CN", "Abdi Local Signing CA"),
                ("O", organisation),
                ("C", "ID"),
            ]),
            years(10),
        ),
    )?;
    let mut subject = vec![("CN", signer_name)];
    if let Some(nip) = signer_nip {
        subject.push(("serialNumber", nip));
    }
    subject.push(("O", organisation));
    subject.push(("C", "ID"));
    let signer = pki::signer(&intermediate, &spec(dn(&subject), years(2)))?;
    write_private(&dir.join("key.pem"), &signer.key.to_pem()?)?;
    write_private(&dir.join("ca/root.key"), &root.key.to_pem()?)?;
    write_private(
        &dir.join("ca/intermediate.key"),
        &intermediate.key.to_pem()?,
    )?;
    std::fs::write(dir.join("root.pem"), root.cert_pem()?)?;
    std::fs::write(dir.join("intermediate.pem"), intermediate.cert_pem()?)?;
    std::fs::write(
        dir.join("chain.pem"),
        format!("{}{}", signer.cert_pem()?, intermediate.cert_pem()?),
    )?;
    Ok(())
}

fn write_private(path: &Path, pem: &str) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)?;
        f.write_all(pem.as_bytes())
    }
    #[cfg(not(unix))]
    {
        std::fs::write(path, pem)
    }
}
