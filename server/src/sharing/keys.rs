//! A client system's public key for `private_key_jwt` (RFC 7523): read from its PEM when the
//! client is registered or rotated, and used to verify each assertion it signs; and the
//! thumbprint a mutual-TLS client's certificate is pinned by (RFC 8705).

use sha2::Sha256;

/// A PEM that is neither an RSA key of 2048 bits or more nor a P-256 key.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("not an RSA (2048 bits or more) or P-256 public key")]
pub struct UnreadableKey;

/// A client's public key for `private_key_jwt`.
pub enum PublicKey {
    Rsa(Box<rsa::pkcs1v15::VerifyingKey<Sha256>>),
    P256(p256::ecdsa::VerifyingKey),
}

impl PublicKey {
    /// A `PUBLIC KEY` PEM: RSA of 2048 bits or more, or P-256.
    pub fn parse(pem: &str) -> Result<PublicKey, UnreadableKey> {
        use rsa::traits::PublicKeyParts;
        let pem = pem.trim();
        if let Ok(key) =
            <rsa::RsaPublicKey as rsa::pkcs8::DecodePublicKey>::from_public_key_pem(pem)
        {
            return if key.size() >= 256 {
                Ok(PublicKey::Rsa(Box::new(rsa::pkcs1v15::VerifyingKey::new(
                    key,
                ))))
            } else {
                Err(UnreadableKey)
            };
        }
        <p256::ecdsa::VerifyingKey as p256::pkcs8::DecodePublicKey>::from_public_key_pem(pem)
            .map(PublicKey::P256)
            .map_err(|_| UnreadableKey)
    }

    pub(crate) fn verify(&self, alg: &str, message: &[u8], signature: &[u8]) -> bool {
        use signature::Verifier;
        match (self, alg) {
            (PublicKey::Rsa(key), "RS256") => rsa::pkcs1v15::Signature::try_from(signature)
                .is_ok_and(|s| key.verify(message, &s).is_ok()),
            (PublicKey::P256(key), "ES256") => p256::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|s| key.verify(message, &s).is_ok()),
            _ => false,
        }
    }
}

/// The SHA-256 thumbprint (hex) of a `CERTIFICATE` PEM, the value a `tls_client_auth` client
/// is pinned by (RFC 8705 `x5t#S256`, in hex); `None` when it is no certificate.
pub fn certificate_thumbprint(pem: &str) -> Option<String> {
    use sha2::Digest;
    use x509_cert::der::{DecodePem, Encode};
    let cert = x509_cert::Certificate::from_pem(pem.trim().as_bytes()).ok()?;
    let der = cert.to_der().ok()?;
    Some(hex::encode(Sha256::digest(der)))
}

/// The thumbprint of the certificate a TLS terminator handed over in a header: URL-escaped
/// PEM (nginx `$ssl_client_escaped_cert`, Apache with `SSL_CLIENT_CERT` escaped the same way).
/// Empty (no certificate sent) or unreadable is `None`.
pub fn forwarded_certificate(value: &str) -> Option<String> {
    let pem = percent_encoding::percent_decode_str(value.trim())
        .decode_utf8()
        .ok()?;
    certificate_thumbprint(&pem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_p256_key_verifies_its_own_signature_only() {
        use p256::ecdsa::{SigningKey, signature::Signer};
        use p256::pkcs8::{EncodePublicKey, LineEnding};
        let signing = SigningKey::from_slice(&[7u8; 32]).unwrap();
        let pem = signing
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        let key = PublicKey::parse(&pem).unwrap();
        let sig: p256::ecdsa::Signature = signing.sign(b"header.claims");
        assert!(key.verify("ES256", b"header.claims", &sig.to_bytes()));
        assert!(!key.verify("ES256", b"header.claimz", &sig.to_bytes()));
        assert!(!key.verify("RS256", b"header.claims", &sig.to_bytes()));
        assert!(!key.verify("none", b"header.claims", &[]));
        assert!(PublicKey::parse("not a key").is_err());
    }
}
