//! A test CA (root, intermediate, signer) and a plain one-page PDF.

use abdi_pades::TrustStore;
use abdi_pades::keys::KeyAlgorithm;
use abdi_pades::pki::{self, Issued, Spec, dn};
use abdi_pades::sign::Credentials;
use chrono::{DateTime, Duration, Utc};
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

pub struct Ca {
    pub root: Issued,
    pub intermediate: Issued,
    pub signer: Issued,
}

impl Ca {
    /// A two-level CA: root -> intermediate -> signer, all with `alg`.
    pub fn new(alg: KeyAlgorithm, now: DateTime<Utc>) -> Self {
        Self::with_signer_validity(alg, now - Duration::days(30), now + Duration::days(365))
    }

    pub fn with_signer_validity(
        alg: KeyAlgorithm,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Self {
        let now = Utc::now();
        let spec = |subject: String, not_before, not_after| Spec {
            subject,
            algorithm: alg,
            not_before,
            not_after,
        };
        let root = pki::root(&spec(
            dn(&[("CN", "Abdi Test Root CA"), ("O", "Abdi Test"), ("C", "ID")]),
            now - Duration::days(3650),
            now + Duration::days(3650),
        ))
        .unwrap();
        let intermediate = pki::intermediate(
            &root,
            &spec(
                dn(&[
                    ("CN", "Abdi Test Signing CA"),
                    ("O", "Abdi Test"),
                    ("C", "ID"),
                ]),
                now - Duration::days(3000),
                now + Duration::days(3000),
            ),
        )
        .unwrap();
        let signer = pki::signer(
            &intermediate,
            &spec(
                dn(&[
                    ("CN", "Dr. Ṣiti Rahayu, S.H., M.Si."),
                    ("serialNumber", "197001012000032001"),
                    ("O", "Pemerintah Provinsi Jawa Timur"),
                    ("C", "ID"),
                ]),
                from,
                until,
            ),
        )
        .unwrap();
        Self {
            root,
            intermediate,
            signer,
        }
    }

    pub fn trust(&self) -> TrustStore {
        TrustStore::new(vec![self.root.cert.clone()])
    }

    pub fn credentials(&self) -> Credentials {
        Credentials {
            key: self.signer.key.clone(),
            chain: vec![self.signer.cert.clone(), self.intermediate.cert.clone()],
        }
    }

    /// Writes key.pem, chain.pem (signer + intermediate) and root.pem into `dir`.
    pub fn write(&self, dir: &std::path::Path) {
        std::fs::write(dir.join("key.pem"), self.signer.key.to_pem().unwrap()).unwrap();
        std::fs::write(
            dir.join("chain.pem"),
            format!(
                "{}{}",
                self.signer.cert_pem().unwrap(),
                self.intermediate.cert_pem().unwrap()
            ),
        )
        .unwrap();
        std::fs::write(dir.join("signer.pem"), self.signer.cert_pem().unwrap()).unwrap();
        std::fs::write(
            dir.join("intermediate.pem"),
            self.intermediate.cert_pem().unwrap(),
        )
        .unwrap();
        std::fs::write(dir.join("root.pem"), self.root.cert_pem().unwrap()).unwrap();
    }
}

/// A one-page PDF saying `text` (Helvetica), with a classic xref table.
pub fn plain_pdf(text: &str) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let content = Content {
        operations: vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 14.into()]),
            Operation::new("Td", vec![72.into(), 720.into()]),
            Operation::new("Tj", vec![Object::string_literal(text)]),
            Operation::new("ET", vec![]),
        ],
    };
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
        ),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// Runs a program, returning (exit code, stdout + stderr).
pub fn run(program: &str, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} could not start ({e}); scripts/test installs it"));
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

pub use abdi_pades::sample::raw_pdf;

/// A stream object's body: `dict` (without `/Length`) and `data`.
pub fn stream_body(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<<{dict}/Length {}>>stream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

/// A zlib stream that inflates to `n` zero bytes, written by hand (a fixed-Huffman block of
/// one literal and back-references of 258 bytes) so a 512 MiB bomb costs no compression time:
/// 13 bits per 258 bytes.
pub fn zlib_zeros(n: u64) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        len: u32,
    }
    impl Bits {
        fn put(&mut self, value: u64, bits: u32) {
            self.acc |= value << self.len;
            self.len += bits;
            while self.len >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.len -= 8;
            }
        }
        /// A Huffman code goes out most significant bit first.
        fn code(&mut self, code: u64, bits: u32) {
            for i in (0..bits).rev() {
                self.put((code >> i) & 1, 1);
            }
        }
    }
    assert!(n > 0);
    let mut b = Bits {
        out: vec![0x78, 0x01],
        acc: 0,
        len: 0,
    };
    b.put(1, 1); // BFINAL
    b.put(1, 2); // fixed Huffman
    b.code(0x30, 8); // literal 0
    let rest = n - 1;
    for _ in 0..rest / 258 {
        b.code(0xC5, 8); // length 258 (symbol 285)
        b.code(0, 5); // distance 1
    }
    for _ in 0..rest % 258 {
        b.code(0x30, 8);
    }
    b.code(0, 7); // end of block
    if b.len > 0 {
        b.put(0, 8 - b.len);
    }
    let adler = ((n % 65521) << 16) | 1;
    b.out.extend_from_slice(&(adler as u32).to_be_bytes());
    b.out
}

/// A self-signed P-256 certificate used as a signer (no CA anyone trusts).
pub fn self_signed(n: usize) -> Credentials {
    let now = Utc::now();
    let me = pki::root(&Spec {
        subject: dn(&[("CN", &format!("Self-signed {n}")), ("C", "ID")]),
        algorithm: KeyAlgorithm::P256,
        not_before: now - Duration::days(1),
        not_after: now + Duration::days(30),
    })
    .unwrap();
    Credentials {
        key: me.key,
        chain: vec![me.cert],
    }
}

/// Puts the token `stamp` makes from the last signature's value into that signature's CMS as
/// its id-aa-signatureTimeStampToken attribute. `/Contents` lies outside the signed bytes, so
/// the signature stays valid (as when a signer adds the token it got from a TSA).
pub fn add_timestamp(pdf: &[u8], stamp: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    use cms::content_info::ContentInfo;
    use cms::signed_data::SignedData;
    use der::{Any, Decode, Encode};

    let doc = Document::load_mem(pdf).unwrap();
    let (b, c) = doc
        .objects
        .values()
        .filter_map(|o| {
            let r = o.as_dict().ok()?.get(b"ByteRange").ok()?.as_array().ok()?;
            Some((
                r[1].as_i64().unwrap() as usize,
                r[2].as_i64().unwrap() as usize,
            ))
        })
        .max_by_key(|(b, _)| *b)
        .unwrap();
    let der_bytes = hex::decode(&pdf[b + 1..c - 1]).unwrap();
    let mut reader = der::SliceReader::new(&der_bytes).unwrap();
    let info = ContentInfo::decode(&mut reader).unwrap();
    let mut data: SignedData = info.content.decode_as().unwrap();
    let mut infos: Vec<_> = data.signer_infos.0.iter().cloned().collect();
    let token = stamp(infos[0].signature.as_bytes());
    infos[0].unsigned_attrs = Some(
        der::asn1::SetOfVec::try_from(vec![x509_cert::attr::Attribute {
            oid: const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14"),
            values: der::asn1::SetOfVec::try_from(vec![Any::from_der(&token).unwrap()]).unwrap(),
        }])
        .unwrap(),
    );
    data.signer_infos =
        cms::signed_data::SignerInfos(der::asn1::SetOfVec::try_from(infos).unwrap());
    let cms = ContentInfo {
        content_type: info.content_type,
        content: Any::encode_from(&data).unwrap(),
    }
    .to_der()
    .unwrap();
    let hex = hex::encode_upper(cms);
    assert!(
        hex.len() <= c - 1 - (b + 1),
        "the timestamp does not fit the reserve"
    );
    let mut out = pdf.to_vec();
    out[b + 1..c - 1].fill(b'0');
    out[b + 1..b + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    out
}
