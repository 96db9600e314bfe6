//! Private keys for signing: RSA (PKCS#1 v1.5, SHA-256) or ECDSA P-256 (SHA-256).

use der::asn1::BitString;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use sha2::Sha256;
use signature::{SignatureEncoding, Signer};
use spki::{AlgorithmIdentifierOwned, EncodePublicKey, SubjectPublicKeyInfoOwned};

use crate::PadesError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    P256,
    Rsa2048,
    Rsa3072,
}

impl std::str::FromStr for KeyAlgorithm {
    type Err = PadesError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "p256" | "ecdsa" | "ec" => Ok(Self::P256),
            "rsa" | "rsa2048" => Ok(Self::Rsa2048),
            "rsa3072" => Ok(Self::Rsa3072),
            other => Err(PadesError::Key(format!(
                "unknown key algorithm '{other}' (p256, rsa2048, rsa3072)"
            ))),
        }
    }
}

#[derive(Clone)]
pub enum PrivateKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    P256(p256::SecretKey),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Rsa(_) => "PrivateKey::Rsa(..)",
            Self::P256(_) => "PrivateKey::P256(..)",
        })
    }
}

impl PrivateKey {
    pub fn generate(alg: KeyAlgorithm) -> Result<Self, PadesError> {
        let mut rng = rand_core::OsRng;
        Ok(match alg {
            KeyAlgorithm::P256 => Self::P256(p256::SecretKey::random(&mut rng)),
            KeyAlgorithm::Rsa2048 | KeyAlgorithm::Rsa3072 => {
                let bits = if alg == KeyAlgorithm::Rsa2048 {
                    2048
                } else {
                    3072
                };
                Self::Rsa(Box::new(
                    rsa::RsaPrivateKey::new(&mut rng, bits)
                        .map_err(|e| PadesError::Key(e.to_string()))?,
                ))
            }
        })
    }

    /// Reads a PKCS#8 PEM key (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pem(pem: &str) -> Result<Self, PadesError> {
        if let Ok(k) = p256::SecretKey::from_pkcs8_pem(pem) {
            return Ok(Self::P256(k));
        }
        rsa::RsaPrivateKey::from_pkcs8_pem(pem)
            .map(|k| Self::Rsa(Box::new(k)))
            .map_err(|e| PadesError::Key(format!("neither a P-256 nor an RSA PKCS#8 key: {e}")))
    }

    pub fn to_pem(&self) -> Result<String, PadesError> {
        let pem = match self {
            Self::Rsa(k) => k.to_pkcs8_pem(LineEnding::LF),
            Self::P256(k) => k.to_pkcs8_pem(LineEnding::LF),
        };
        pem.map(|p| p.to_string())
            .map_err(|e| PadesError::Key(e.to_string()))
    }

    pub fn public_key(&self) -> Result<SubjectPublicKeyInfoOwned, PadesError> {
        let der = match self {
            Self::Rsa(k) => k.to_public_key().to_public_key_der(),
            Self::P256(k) => k.public_key().to_public_key_der(),
        }
        .map_err(|e| PadesError::Key(e.to_string()))?;
        SubjectPublicKeyInfoOwned::try_from(der.as_bytes())
            .map_err(|e| PadesError::Key(e.to_string()))
    }

    /// sha256WithRSAEncryption or ecdsa-with-SHA256.
    pub fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        use const_oid::db::rfc5912 as oids;
        match self {
            Self::Rsa(_) => AlgorithmIdentifierOwned {
                oid: oids::SHA_256_WITH_RSA_ENCRYPTION,
                parameters: Some(der::asn1::Null.into()),
            },
            Self::P256(_) => AlgorithmIdentifierOwned {
                oid: oids::ECDSA_WITH_SHA_256,
                parameters: None,
            },
        }
    }

    /// Signs `msg` (hashing it with SHA-256); ECDSA signatures are DER-encoded.
    pub fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, PadesError> {
        match self {
            Self::Rsa(k) => {
                let key = rsa::pkcs1v15::SigningKey::<Sha256>::new(k.as_ref().clone());
                key.try_sign(msg)
                    .map(|s| s.to_vec())
                    .map_err(|e| PadesError::Signature(e.to_string()))
            }
            Self::P256(k) => {
                let key = p256::ecdsa::SigningKey::from(k);
                let sig: p256::ecdsa::Signature = key
                    .try_sign(msg)
                    .map_err(|e| PadesError::Signature(e.to_string()))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
        }
    }

    pub fn sign_bits(&self, msg: &[u8]) -> Result<BitString, PadesError> {
        BitString::from_bytes(&self.sign(msg)?).map_err(|e| PadesError::Signature(e.to_string()))
    }
}
