//! Optional certificate pinning for the Abdi server: on top of the usual WebPKI validation,
//! the validated path (the server's certificate, the intermediates that path building used and
//! the trust anchor it ended at) must carry a pinned SubjectPublicKeyInfo (its SHA-256, base64,
//! as in HPKP and OkHttp's `CertificatePinner`). Pinning the agency CA's or an intermediate's key
//! survives the server certificate's renewal.
//!
//! Only the path counts, not everything the server sent: a certificate mis-issued by another
//! trusted CA with the pinned CA's certificate appended to the handshake does not pass. When a
//! chain has several valid paths (cross-signed CAs), a pinned one is searched for; a pinned key on
//! a certificate that does not lead to a trusted root does not count either.

use std::cell::Cell;
use std::sync::Arc;

use base64::Engine;
use der::{Decode, Encode};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, RootCertStore, SignatureScheme};
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
    Ok(pin_of_spki(&spki))
}

/// base64 of the SHA-256 of a DER SubjectPublicKeyInfo (the whole SEQUENCE).
fn pin_of_spki(spki_der: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(spki_der))
}

/// A rustls configuration trusting the Mozilla roots plus `extra_roots_pem`, and, when `pins`
/// is not empty, only paths that carry one of them.
pub(crate) fn tls_config(
    pins: &[String],
    extra_roots_pem: Option<&[u8]>,
) -> Result<rustls::ClientConfig, CoreError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(verifier(pins, extra_roots_pem, &provider)?);
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| CoreError::Protocol(format!("TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(config)
}

fn verifier(
    pins: &[String],
    extra_roots_pem: Option<&[u8]>,
    provider: &Arc<rustls::crypto::CryptoProvider>,
) -> Result<Pinned, CoreError> {
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
    let roots = Arc::new(roots);
    let webpki = WebPkiServerVerifier::builder_with_provider(roots.clone(), provider.clone())
        .build()
        .map_err(|e| CoreError::Protocol(format!("TLS: {e}")))?;
    Ok(Pinned {
        inner: webpki,
        roots,
        algs: provider.signature_verification_algorithms,
        pins: pins.to_vec(),
    })
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
    /// Plain WebPKI validation (no pins) and the handshake signatures.
    inner: Arc<WebPkiServerVerifier>,
    roots: Arc<RootCertStore>,
    algs: WebPkiSupportedAlgorithms,
    pins: Vec<String>,
}

impl Pinned {
    /// Whether the end entity, an intermediate or the anchor of `path` carries a pin.
    fn is_pinned(&self, path: &webpki::VerifiedPath<'_>) -> bool {
        let pinned = |spki: &[u8]| self.pins.contains(&pin_of_spki(spki));
        pinned(path.end_entity().subject_public_key_info().as_ref())
            || path
                .intermediate_certificates()
                .any(|c| pinned(c.subject_public_key_info().as_ref()))
            // The anchor keeps the SPKI's content only; this puts its SEQUENCE back.
            || pinned(webpki::spki_for_anchor(path.anchor()).as_ref())
    }
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
        if self.pins.is_empty() {
            return self.inner.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            );
        }
        let cert = webpki::EndEntityCert::try_from(end_entity).map_err(pki_error)?;
        // Set when path building found a valid path that carries no pin; the error returned to
        // webpki then only makes it try the other paths.
        let unpinned_path = Cell::new(false);
        let check_pins = |path: &webpki::VerifiedPath<'_>| {
            if self.is_pinned(path) {
                Ok(())
            } else {
                unpinned_path.set(true);
                Err(webpki::Error::UnknownIssuer)
            }
        };
        let path = cert.verify_for_usage(
            self.algs.all,
            &self.roots.roots,
            intermediates,
            now,
            webpki::KeyUsage::server_auth(),
            None,
            Some(&check_pins),
        );
        let pin_failed = match path {
            Ok(_) => false,
            Err(_) if unpinned_path.get() => true,
            Err(e) => return Err(pki_error(e)),
        };
        cert.verify_is_valid_for_subject_name(server_name)
            .map_err(pki_error)?;
        if pin_failed {
            return Err(rustls::Error::General(PIN_FAILURE.into()));
        }
        Ok(ServerCertVerified::assertion())
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

/// A webpki error as rustls reports it (after rustls' own mapping, which is private).
fn pki_error(error: webpki::Error) -> rustls::Error {
    use webpki::Error as E;
    let e = match error {
        E::BadDer | E::BadDerTime | E::TrailingData(_) => CertificateError::BadEncoding,
        E::CertNotValidYet { time, not_before } => {
            CertificateError::NotValidYetContext { time, not_before }
        }
        E::CertExpired { time, not_after } => CertificateError::ExpiredContext { time, not_after },
        E::InvalidCertValidity => CertificateError::Expired,
        E::UnknownIssuer => CertificateError::UnknownIssuer,
        E::CertNotValidForName(webpki::InvalidNameContext {
            expected,
            presented,
        }) => CertificateError::NotValidForNameContext {
            expected,
            presented,
        },
        E::CertRevoked => CertificateError::Revoked,
        E::InvalidSignatureForPublicKey => CertificateError::BadSignature,
        #[allow(deprecated)]
        E::UnsupportedSignatureAlgorithm
        | E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKey
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            CertificateError::UnsupportedSignatureAlgorithm
        }
        #[allow(deprecated)]
        E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) => {
            CertificateError::InvalidPurpose
        }
        other => CertificateError::Other(OtherError(Arc::new(other))),
    };
    rustls::Error::InvalidCertificate(e)
}

#[cfg(test)]
mod tests {
    //! Against a real TLS server on 127.0.0.1, through the client's own transport.

    use std::io::{Read, Write};

    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
        IsCa, KeyPair, KeyUsagePurpose,
    };
    use rustls::pki_types::PrivateKeyDer;

    use super::*;
    use crate::http::{Call, Http};

    type Ca = CertifiedIssuer<'static, KeyPair>;

    fn ca_params(name: &str) -> CertificateParams {
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params
    }

    fn root(name: &str) -> Ca {
        CertifiedIssuer::self_signed(ca_params(name), KeyPair::generate().unwrap()).unwrap()
    }

    fn intermediate(name: &str, parent: &Ca) -> Ca {
        CertifiedIssuer::signed_by(ca_params(name), KeyPair::generate().unwrap(), parent).unwrap()
    }

    /// A server certificate for `localhost` issued by `parent`, and its key.
    fn leaf(parent: &Ca) -> (CertificateDer<'static>, KeyPair) {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.signed_by(&key, parent).unwrap();
        (cert.der().clone(), key)
    }

    fn pin(cert: &CertificateDer<'_>) -> String {
        spki_pin(cert).unwrap()
    }

    /// Serves `chain` (leaf first) on 127.0.0.1 until the test process ends, answering every
    /// request with `200 ok`; returns the port.
    fn serve(chain: Vec<CertificateDer<'static>>, key: &KeyPair) -> u16 {
        let key = PrivateKeyDer::try_from(key.serialize_der()).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
        let config = Arc::new(config);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let config = config.clone();
                std::thread::spawn(move || {
                    let Ok(conn) = rustls::ServerConnection::new(config) else {
                        return;
                    };
                    let mut tls = rustls::StreamOwned::new(conn, stream);
                    let mut request = Vec::new();
                    let mut chunk = [0u8; 1024];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let _ = tls.write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                    );
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                });
            }
        });
        port
    }

    /// One GET through abdi-core's transport to `https://localhost:PORT/`, trusting the
    /// Mozilla roots plus `trusted`.
    async fn fetch(port: u16, pins: Vec<String>, trusted: &[&Ca]) -> Result<Vec<u8>, CoreError> {
        let mut config = crate::ClientConfig::new(format!("https://localhost:{port}"));
        config.retries = 0;
        config.spki_pins = pins;
        config.extra_roots_pem = Some(trusted.iter().map(|c| c.pem()).collect::<String>().into());
        Http::new(&config)?.bytes(Call::get("/")).await
    }

    /// The verifier alone, on `chain` (leaf first) for `name`.
    fn verify(
        pins: Vec<String>,
        trusted: &[&Ca],
        chain: &[CertificateDer<'static>],
        name: &str,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let pem = trusted.iter().map(|c| c.pem()).collect::<String>();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = verifier(&pins, Some(pem.as_bytes()), &provider).unwrap();
        verifier.verify_server_cert(
            &chain[0],
            &chain[1..],
            &ServerName::try_from(name.to_owned()).unwrap(),
            &[],
            UnixTime::now(),
        )
    }

    #[tokio::test]
    async fn pin_of_the_trusted_root_passes() {
        let ca = root("Agency Root CA");
        let (cert, key) = leaf(&ca);
        let port = serve(vec![cert], &key);
        let body = fetch(port, vec![pin(ca.der())], &[&ca]).await.unwrap();
        assert_eq!(body, b"ok");
    }

    #[tokio::test]
    async fn pin_of_the_leaf_passes() {
        let ca = root("Agency Root CA");
        let (cert, key) = leaf(&ca);
        let port = serve(vec![cert.clone()], &key);
        let body = fetch(port, vec![pin(&cert)], &[&ca]).await.unwrap();
        assert_eq!(body, b"ok");
    }

    #[tokio::test]
    async fn pin_of_the_intermediate_on_the_path_passes() {
        let ca = root("Agency Root CA");
        let int = intermediate("Agency Issuing CA", &ca);
        let (cert, key) = leaf(&int);
        let port = serve(vec![cert, int.der().clone()], &key);
        let other = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".to_owned();
        let body = fetch(port, vec![other, pin(int.der())], &[&ca])
            .await
            .unwrap();
        assert_eq!(body, b"ok");
    }

    /// A certificate mis-issued by a public CA with the pinned CA's certificate appended: the
    /// pinned certificate is in the handshake but not on the validated path.
    #[tokio::test]
    async fn pin_of_an_appended_certificate_off_the_path_fails() {
        let trusted = root("Public Root CA");
        let pinned = root("Agency Root CA");
        let (cert, key) = leaf(&trusted);
        let port = serve(vec![cert, pinned.der().clone()], &key);
        let err = fetch(port, vec![pin(pinned.der())], &[&trusted])
            .await
            .unwrap_err();
        assert!(
            matches!(&err, CoreError::CertificatePin(m) if m == PIN_FAILURE),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn leaf_from_an_untrusted_ca_is_an_unknown_issuer() {
        let trusted = root("Agency Root CA");
        let rogue = root("Rogue Root CA");
        let (cert, key) = leaf(&rogue);
        // The rogue chain even carries a pinned key, the leaf's and its CA's.
        let port = serve(vec![cert.clone(), rogue.der().clone()], &key);
        let err = fetch(port, vec![pin(&cert), pin(rogue.der())], &[&trusted])
            .await
            .unwrap_err();
        assert!(
            matches!(&err, CoreError::Network(m) if m.contains("UnknownIssuer")),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn without_pins_plain_validation_applies() {
        let ca = root("Agency Root CA");
        let (cert, key) = leaf(&ca);
        let port = serve(vec![cert], &key);
        assert_eq!(fetch(port, Vec::new(), &[&ca]).await.unwrap(), b"ok");

        let rogue = root("Rogue Root CA");
        let (cert, key) = leaf(&rogue);
        let port = serve(vec![cert], &key);
        let err = fetch(port, Vec::new(), &[&ca]).await.unwrap_err();
        assert!(
            matches!(&err, CoreError::Network(m) if m.contains("UnknownIssuer")),
            "{err:?}"
        );
    }

    #[test]
    fn a_pinned_path_is_searched_among_the_valid_ones() {
        // The issuing CA is cross-signed: by a trusted root nobody pinned, and by the pinned
        // agency root. The unpinned path comes first in the chain.
        let public = root("Public Root CA");
        let agency = root("Agency Root CA");
        let key = KeyPair::generate().unwrap();
        let params = ca_params("Agency Issuing CA");
        let by_public = params.signed_by(&key, &public).unwrap();
        let by_agency = params.signed_by(&key, &agency).unwrap();
        let issuing = rcgen::Issuer::new(params, key);
        let leaf_key = KeyPair::generate().unwrap();
        let mut leaf_params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let leaf = leaf_params.signed_by(&leaf_key, &issuing).unwrap();
        let chain = [
            leaf.der().clone(),
            by_public.der().clone(),
            by_agency.der().clone(),
        ];
        let trusted = [&public, &agency];

        verify(vec![pin(agency.der())], &trusted, &chain, "localhost").unwrap();
        verify(vec![pin(public.der())], &trusted, &chain, "localhost").unwrap();
        // Only the path through the unpinned root remains: the pin failure, not an unknown issuer.
        let err = verify(vec![pin(agency.der())], &[&public], &chain, "localhost").unwrap_err();
        assert!(
            matches!(&err, rustls::Error::General(m) if m == PIN_FAILURE),
            "{err:?}"
        );
    }

    #[test]
    fn errors_are_those_of_webpki() {
        let trusted = root("Agency Root CA");
        let rogue = root("Rogue Root CA");
        let (cert, _) = leaf(&rogue);
        let err = verify(vec![pin(rogue.der())], &[&trusted], &[cert], "localhost").unwrap_err();
        assert_eq!(
            err,
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)
        );

        // A valid, pinned path for another name is an error of the name, not of the pin.
        let (cert, _) = leaf(&trusted);
        let err = verify(
            vec![pin(trusted.der())],
            &[&trusted],
            std::slice::from_ref(&cert),
            "abdi.example.go.id",
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext { .. })
            ),
            "{err:?}"
        );
        let err = verify(
            vec![pin(rogue.der())],
            &[&trusted],
            &[cert],
            "abdi.example.go.id",
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext { .. })
            ),
            "{err:?}"
        );
    }
}
