//! Optional certificate pinning for the Abdi server: on top of the usual WebPKI validation,
//! one certificate of the chain must carry a pinned SubjectPublicKeyInfo (its SHA-256, base64,
//! as in HPKP and OkHttp's `CertificatePinner`). Pinning the agency CA's or an intermediate's key
//! survives the server certificate's renewal.

use std::sync::Arc;

use base64::Engine;
use der::{Decode, Encode};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use sha2::{Digest, Sha256};

use crate::CoreError;

const PIN_FAILURE: &str = "abdi: no pinned public key in the server's certificate chain";

/// The pin of a DER certificate: base64 of the SHA-256 of its SubjectPublicKeyInfo.
pub fn spki_pin(cert_der: &[u8]) -> Result<String, CoreError> {
    let cert = x509_cert::Certificate::from_der(cert_der)
        .map_err(|e| CoreError::Protocol(format!("certificate: {e}")))?;
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| CoreError::Protocol(format!("certificate: {e}")))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(Sha256::digest(spki)))
}

/// A rustls configuration trusting the Mozilla roots plus `extra_roots_pem`, and, when `pins`
/// is not empty, only chains that carry one of them.
pub(crate) fn tls_config(
    pins: &[String],
    extra_roots_pem: Option<&[u8]>,
) -> Result<rustls::ClientConfig, CoreError> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = extra_roots_pem {
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| CoreError::Protocol(format!("extra roots: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| CoreError::Protocol(format!("extra roots: {e}")))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| CoreError::Protocol(format!("TLS: {e}")))?;
    let verifier = Arc::new(Pinned {
        inner: webpki,
        pins: pins.to_vec(),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| CoreError::Protocol(format!("TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(config)
}

/// The pin failure inside a reqwest error, if that is what it is.
pub(crate) fn pin_failure(e: &reqwest::Error) -> Option<String> {
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        if s.to_string().contains(PIN_FAILURE) {
            return Some(PIN_FAILURE.to_owned());
        }
        source = s.source();
    }
    None
}

#[derive(Debug)]
struct Pinned {
    inner: Arc<WebPkiServerVerifier>,
    pins: Vec<String>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verified = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )?;
        if self.pins.is_empty() {
            return Ok(verified);
        }
        let pinned = std::iter::once(end_entity)
            .chain(intermediates)
            .filter_map(|c| spki_pin(c).ok())
            .any(|pin| self.pins.contains(&pin));
        if pinned {
            Ok(verified)
        } else {
            Err(rustls::Error::General(PIN_FAILURE.into()))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
