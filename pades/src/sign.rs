//! PAdES baseline B-B signing: the PDF gets an incremental update holding a signature field, its
//! widget and a signature dictionary whose `/Contents` is a detached CMS signature (with the ESS
//! signing-certificate-v2 attribute) over everything but itself.

use chrono::{DateTime, Utc};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Encode};
use lopdf::{Dictionary, Document, IncrementalDocument, Object, StringFormat};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;

use crate::PadesError;
use crate::crypto::Digest;
use crate::ess::{self, EssCertIdV2, IssuerSerial, SigningCertificateV2};
use crate::keys::PrivateKey;
use crate::pdf::array;
use crate::tsp::{MessageImprint, TstInfo};

/// Bytes reserved for the CMS signature: certificates of a three-level RSA chain fit easily.
pub const DEFAULT_RESERVE: usize = 12 * 1024;

/// A signing key with its certificate chain (the signer's first, the root may be left out).
#[derive(Debug, Clone)]
pub struct Credentials {
    pub key: PrivateKey,
    pub chain: Vec<Certificate>,
}

impl Credentials {
    pub fn from_pem(key_pem: &str, chain_pem: &str) -> Result<Self, PadesError> {
        let key = PrivateKey::from_pem(key_pem)?;
        let chain = Certificate::load_pem_chain(chain_pem.as_bytes())
            .map_err(|e| PadesError::Certificate(e.to_string()))?;
        let Some(first) = chain.first() else {
            return Err(PadesError::Certificate(
                "the chain holds no certificate".into(),
            ));
        };
        if first.tbs_certificate.subject_public_key_info != key.public_key()? {
            return Err(PadesError::Key(
                "the key does not belong to the first certificate of the chain".into(),
            ));
        }
        Ok(Self { key, chain })
    }

    /// The signer's certificate (the first of the chain).
    pub fn certificate(&self) -> Option<&Certificate> {
        self.chain.first()
    }
}

/// What the signature dictionary says besides the signature.
#[derive(Debug, Clone)]
pub struct SignOptions {
    /// The claimed signing time (`/M`).
    pub time: DateTime<Utc>,
    pub name: Option<String>,
    pub reason: Option<String>,
    pub location: Option<String>,
    /// Bytes reserved for the CMS value.
    pub reserve: usize,
}

impl SignOptions {
    pub fn at(time: DateTime<Utc>) -> Self {
        Self {
            time,
            name: None,
            reason: None,
            location: None,
            reserve: DEFAULT_RESERVE,
        }
    }
}

/// Signs `pdf`, returning the original bytes followed by the signature's incremental update.
pub fn sign(pdf: &[u8], creds: &Credentials, opts: &SignOptions) -> Result<Vec<u8>, PadesError> {
    let pdf_err = |e: lopdf::Error| PadesError::Pdf(e.to_string());
    let prev = Document::load_mem(pdf).map_err(pdf_err)?;
    if prev.is_encrypted() {
        return Err(PadesError::Pdf("encrypted PDFs cannot be signed".into()));
    }
    // A field name no field uses yet.
    let names: Vec<String> = prev
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok()?.get(b"T").ok())
        .filter_map(|t| lopdf::decode_text_string(t).ok())
        .collect();
    let field = (1..)
        .map(|n| format!("Signature{n}"))
        .find(|n| !names.contains(n))
        .unwrap_or_default();
    // Placeholder numbers nobody can plant in the input: ten random digits each.
    let mut rng = rand_core::OsRng;
    let placeholder: Vec<i64> = (0..3)
        .map(|_| 1_000_000_000 + i64::from(rand_core::RngCore::next_u32(&mut rng)) % 9_000_000_000)
        .collect();
    let range_placeholder = format!("{} {} {}", placeholder[0], placeholder[1], placeholder[2]);
    let root_id = prev
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| PadesError::Pdf("the trailer has no /Root".into()))?;
    let page_id = *prev
        .get_pages()
        .values()
        .next()
        .ok_or_else(|| PadesError::Pdf("the document has no page".into()))?;
    let mut inc = IncrementalDocument::create_from(pdf.to_vec(), prev);

    let mut sig = Dictionary::new();
    sig.set("Type", Object::Name(b"Sig".to_vec()));
    sig.set("Filter", Object::Name(b"Adobe.PPKLite".to_vec()));
    sig.set("SubFilter", Object::Name(b"ETSI.CAdES.detached".to_vec()));
    sig.set(
        "ByteRange",
        Object::Array(vec![
            0.into(),
            placeholder[0].into(),
            placeholder[1].into(),
            placeholder[2].into(),
        ]),
    );
    sig.set(
        "Contents",
        Object::String(vec![0; opts.reserve], StringFormat::Hexadecimal),
    );
    sig.set("M", Object::string_literal(pdf_date(opts.time)));
    for (key, value) in [
        ("Name", &opts.name),
        ("Reason", &opts.reason),
        ("Location", &opts.location),
    ] {
        if let Some(v) = value {
            sig.set(key, lopdf::text_string(v));
        }
    }
    let doc = &mut inc.new_document;
    let sig_id = doc.add_object(sig);
    let mut widget = Dictionary::new();
    widget.set("Type", Object::Name(b"Annot".to_vec()));
    widget.set("Subtype", Object::Name(b"Widget".to_vec()));
    widget.set("FT", Object::Name(b"Sig".to_vec()));
    widget.set("T", lopdf::text_string(&field));
    widget.set("V", Object::Reference(sig_id));
    widget.set(
        "Rect",
        Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
    );
    widget.set("F", 132);
    widget.set("P", Object::Reference(page_id));
    let widget_id = doc.add_object(widget);

    // The page lists the widget among its annotations.
    inc.opt_clone_object_to_new_document(page_id)
        .map_err(pdf_err)?;
    let prev = inc.get_prev_documents();
    let mut list = array(
        prev,
        prev.get_dictionary(page_id)
            .ok()
            .and_then(|p| p.get(b"Annots").ok()),
    );
    list.push(Object::Reference(widget_id));
    inc.new_document
        .get_dictionary_mut(page_id)
        .map_err(pdf_err)?
        .set("Annots", Object::Array(list));

    // The form lists the field and says the document is signed (SigFlags 3: append only).
    inc.opt_clone_object_to_new_document(root_id)
        .map_err(pdf_err)?;
    let form = inc
        .get_prev_documents()
        .catalog()
        .ok()
        .and_then(|c| c.get(b"AcroForm").ok().cloned());
    let mut form = match form {
        Some(Object::Dictionary(d)) => d,
        Some(Object::Reference(id)) => inc
            .get_prev_documents()
            .get_dictionary(id)
            .cloned()
            .unwrap_or_default(),
        _ => Dictionary::new(),
    };
    let mut fields = array(inc.get_prev_documents(), form.get(b"Fields").ok());
    fields.push(Object::Reference(widget_id));
    form.set("Fields", Object::Array(fields));
    form.set("SigFlags", 3);
    let form_id = inc.new_document.add_object(form);
    inc.new_document
        .get_dictionary_mut(root_id)
        .map_err(pdf_err)?
        .set("AcroForm", Object::Reference(form_id));

    let mut out = Vec::with_capacity(pdf.len() + opts.reserve * 2 + 4096);
    inc.save_to(&mut out)
        .map_err(|e| PadesError::Pdf(e.to_string()))?;

    // Fill in the byte range, then sign everything but the /Contents string.
    let tail = pdf.len();
    let range_at = find(&out[tail..], range_placeholder.as_bytes())
        .map(|i| i + tail)
        .ok_or_else(|| PadesError::Pdf("the /ByteRange placeholder is missing".into()))?;
    // /Contents follows /ByteRange in the dictionary.
    let start = contents_start(&out[range_at..], opts.reserve)
        .map(|i| i + range_at)
        .ok_or_else(|| PadesError::Pdf("the /Contents placeholder is missing".into()))?;
    let end = start + 2 + 2 * opts.reserve;
    let range = format!("{start} {end} {}", out.len() - end);
    if range.len() > range_placeholder.len() {
        return Err(PadesError::Pdf("the file is too large to sign".into()));
    }
    let padded = format!("{range:<width$}", width = range_placeholder.len());
    out[range_at..range_at + range_placeholder.len()].copy_from_slice(padded.as_bytes());
    let digest = Digest::Sha256.of(&[&out[..start], &out[end..]]);
    let cms = cms_signature(&digest, creds)?;
    if cms.len() > opts.reserve {
        return Err(PadesError::Signature(format!(
            "the signature takes {} bytes, {} are reserved",
            cms.len(),
            opts.reserve
        )));
    }
    let hex = hex::encode_upper(&cms);
    out[start + 1..start + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(out)
}

/// The detached CMS SignedData over a message digest (SHA-256), with content-type,
/// message-digest and signing-certificate-v2 signed attributes and the chain attached.
pub fn cms_signature(digest: &[u8], creds: &Credentials) -> Result<Vec<u8>, PadesError> {
    signed_data(ess::DATA, None, digest, creds)
}

/// The policy a local timestamp authority names: under the private enterprise number RFC 5612
/// reserves for documentation, as a local authority has no registered policy.
const LOCAL_TSA_POLICY: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.32473.1");

/// An RFC 3161 timestamp token over `message` (a signer info's signature value: the token goes
/// into its id-aa-signatureTimeStampToken attribute), as a timestamp authority holding `tsa`
/// would issue it at `time`. A local authority for tests and development, like [`crate::pki`];
/// production timestamps come from a real TSA.
pub fn timestamp_token(
    message: &[u8],
    tsa: &Credentials,
    time: DateTime<Utc>,
) -> Result<Vec<u8>, PadesError> {
    let err = |e: der::Error| PadesError::Signature(e.to_string());
    let secs = u64::try_from(time.timestamp())
        .map_err(|_| PadesError::Signature("a time before 1970".into()))?;
    let mut serial = [0u8; 8];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut serial);
    serial[0] = (serial[0] & 0x7f) | 0x01;
    let tst = TstInfo {
        version: 1,
        policy: LOCAL_TSA_POLICY,
        message_imprint: MessageImprint {
            hash_algorithm: ess::sha256_algorithm(),
            hashed_message: OctetString::new(Digest::Sha256.of(&[message])).map_err(err)?,
        },
        serial_number: der::asn1::Int::new(&serial).map_err(err)?,
        gen_time: Any::encode_from(
            &der::asn1::GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(secs))
                .map_err(err)?,
        )
        .map_err(err)?,
        accuracy: None,
        ordering: false,
        nonce: None,
        tsa: None,
        extensions: None,
    };
    let content = tst.to_der().map_err(err)?;
    let digest = Digest::Sha256.of(&[&content]);
    signed_data(ess::TST_INFO, Some(&content), &digest, tsa)
}

/// A CMS SignedData with one signer over `digest` (SHA-256) of content of type `content_type`,
/// encapsulated when given (else detached), with content-type, message-digest and
/// signing-certificate-v2 signed attributes and the chain attached.
fn signed_data(
    content_type: const_oid::ObjectIdentifier,
    content: Option<&[u8]>,
    digest: &[u8],
    creds: &Credentials,
) -> Result<Vec<u8>, PadesError> {
    let err = |e: der::Error| PadesError::Signature(e.to_string());
    let cert = creds
        .certificate()
        .ok_or_else(|| PadesError::Certificate("the chain holds no certificate".into()))?;
    let cert_der = cert.to_der().map_err(err)?;
    let ess_value = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            // SHA-256 is the default, which DER leaves out.
            hash_algorithm: None,
            cert_hash: OctetString::new(Digest::Sha256.of(&[&cert_der])).map_err(err)?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(
                    cert.tbs_certificate.issuer.clone(),
                )],
                serial_number: cert.tbs_certificate.serial_number.clone(),
            }),
        }],
        policies: None,
    };
    let attr = |oid, value: Any| -> Result<Attribute, PadesError> {
        Ok(Attribute {
            oid,
            values: SetOfVec::try_from(vec![value]).map_err(err)?,
        })
    };
    let signed_attrs = SetOfVec::try_from(vec![
        attr(
            ess::CONTENT_TYPE,
            Any::encode_from(&content_type).map_err(err)?,
        )?,
        attr(
            ess::MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest).map_err(err)?).map_err(err)?,
        )?,
        attr(
            ess::SIGNING_CERTIFICATE_V2,
            Any::encode_from(&ess_value).map_err(err)?,
        )?,
    ])
    .map_err(err)?;
    let signature = creds.key.sign(&signed_attrs.to_der().map_err(err)?)?;
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: ess::sha256_algorithm(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: creds.key.signature_algorithm(),
        signature: OctetString::new(signature).map_err(err)?,
        unsigned_attrs: None,
    };
    let certificates = CertificateSet(
        SetOfVec::try_from(
            creds
                .chain
                .iter()
                .cloned()
                .map(CertificateChoices::Certificate)
                .collect::<Vec<_>>(),
        )
        .map_err(err)?,
    );
    let econtent = content
        .map(|c| Any::encode_from(&OctetString::new(c)?))
        .transpose()
        .map_err(err)?;
    let signed = SignedData {
        // RFC 5652 5.1: version 3 when the content is not id-data.
        version: if content_type == ess::DATA {
            CmsVersion::V1
        } else {
            CmsVersion::V3
        },
        digest_algorithms: SetOfVec::try_from(vec![ess::sha256_algorithm()]).map_err(err)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: content_type,
            econtent,
        },
        certificates: Some(certificates),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).map_err(err)?),
    };
    ContentInfo {
        content_type: ess::SIGNED_DATA,
        content: Any::encode_from(&signed).map_err(err)?,
    }
    .to_der()
    .map_err(err)
}

/// `D:YYYYMMDDHHmmSS+00'00'`
pub fn pdf_date(t: DateTime<Utc>) -> String {
    t.format("D:%Y%m%d%H%M%S+00'00'").to_string()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Where the zero-filled `/Contents` hex string of `reserve` bytes starts (its `<`).
fn contents_start(hay: &[u8], reserve: usize) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = find(&hay[from..], b"<00000000").map(|i| i + from) {
        let digits = hay.get(i + 1..i + 1 + 2 * reserve)?;
        if digits.iter().all(|&d| d == b'0') && hay.get(i + 1 + 2 * reserve) == Some(&b'>') {
            return Some(i);
        }
        from = i + 1;
    }
    None
}
