//! Signature checks for the algorithms PAdES signers use: RSA PKCS#1 v1.5 with SHA-2 and ECDSA
//! on P-256 with SHA-256. Anything else is reported as unsupported, never guessed.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912 as oids;
use der::Encode;
use sha2::{Sha256, Sha384, Sha512};
use signature::Verifier;
use spki::{AlgorithmIdentifierOwned, DecodePublicKey, SubjectPublicKeyInfoOwned};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digest {
    Sha256,
    Sha384,
    Sha512,
}

impl Digest {
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        match *oid {
            oids::ID_SHA_256 => Some(Self::Sha256),
            oids::ID_SHA_384 => Some(Self::Sha384),
            oids::ID_SHA_512 => Some(Self::Sha512),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "SHA256",
            Self::Sha384 => "SHA384",
            Self::Sha512 => "SHA512",
        }
    }

    /// The digest of the parts, one after the other.
    pub fn of(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: sha2::Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut d = D::new();
            for p in parts {
                d.update(p);
            }
            d.finalize().to_vec()
        }
        match self {
            Self::Sha256 => run::<Sha256>(parts),
            Self::Sha384 => run::<Sha384>(parts),
            Self::Sha512 => run::<Sha512>(parts),
        }
    }
}

#[derive(Debug)]
pub enum CryptoError {
    Unsupported(String),
    Invalid(String),
}

/// Checks `sig` over `msg` with `key`. `digest` names the hash when the algorithm identifier
/// does not (CMS may say plain rsaEncryption). Returns the algorithm's name.
pub fn verify(
    key: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    digest: Option<Digest>,
    msg: &[u8],
    sig: &[u8],
) -> Result<String, CryptoError> {
    let key_der = key
        .to_der()
        .map_err(|e| CryptoError::Invalid(format!("public key: {e}")))?;
    let rsa_digest = match alg.oid {
        oids::SHA_256_WITH_RSA_ENCRYPTION => Some(Digest::Sha256),
        oids::SHA_384_WITH_RSA_ENCRYPTION => Some(Digest::Sha384),
        oids::SHA_512_WITH_RSA_ENCRYPTION => Some(Digest::Sha512),
        oids::RSA_ENCRYPTION => digest,
        _ => None,
    };
    if let Some(d) = rsa_digest {
        let public = rsa::RsaPublicKey::from_public_key_der(&key_der)
            .map_err(|e| CryptoError::Invalid(format!("RSA public key: {e}")))?;
        let signature = rsa::pkcs1v15::Signature::try_from(sig)
            .map_err(|e| CryptoError::Invalid(format!("RSA signature: {e}")))?;
        let ok = match d {
            Digest::Sha256 => rsa::pkcs1v15::VerifyingKey::<Sha256>::new(public)
                .verify(msg, &signature)
                .is_ok(),
            Digest::Sha384 => rsa::pkcs1v15::VerifyingKey::<Sha384>::new(public)
                .verify(msg, &signature)
                .is_ok(),
            Digest::Sha512 => rsa::pkcs1v15::VerifyingKey::<Sha512>::new(public)
                .verify(msg, &signature)
                .is_ok(),
        };
        return if ok {
            Ok(format!("RSA-{}", d.name()))
        } else {
            Err(CryptoError::Invalid("RSA signature does not verify".into()))
        };
    }
    if alg.oid == oids::ECDSA_WITH_SHA_256 {
        let public = p256::ecdsa::VerifyingKey::from_public_key_der(&key_der)
            .map_err(|e| CryptoError::Unsupported(format!("ECDSA key is not on P-256 ({e})")))?;
        let signature = p256::ecdsa::Signature::from_der(sig)
            .map_err(|e| CryptoError::Invalid(format!("ECDSA signature: {e}")))?;
        return if public.verify(msg, &signature).is_ok() {
            Ok("ECDSA-P256-SHA256".into())
        } else {
            Err(CryptoError::Invalid(
                "ECDSA signature does not verify".into(),
            ))
        };
    }
    Err(CryptoError::Unsupported(format!(
        "signature algorithm {}",
        alg.oid
    )))
}
