//! Hostile input: the verifier reports, it never panics. Proptest mutates real signed PDFs
//! (flipped bytes, cut files, inserted and duplicated spans) and a few crafted files aim at the
//! parser's soft spots. The number of cases is bounded so CI spends seconds here
//! (`PROPTEST_CASES` raises it for a longer hunt).

use std::sync::OnceLock;

use abdi_pades::keys::KeyAlgorithm;
use abdi_pades::sign::{SignOptions, sign};
use abdi_pades::{TrustStore, verify};
use abdi_proto::documents::SignatureStatus;
use chrono::Utc;
use proptest::prelude::*;

use crate::support::{Ca, plain_pdf};

fn fixture() -> &'static (Vec<u8>, TrustStore) {
    static SIGNED: OnceLock<(Vec<u8>, TrustStore)> = OnceLock::new();
    SIGNED.get_or_init(|| {
        let now = Utc::now();
        let ca = Ca::new(KeyAlgorithm::P256, now);
        let once = sign(
            &plain_pdf("Surat Izin Cuti"),
            &ca.credentials(),
            &SignOptions::at(now),
        )
        .unwrap();
        (
            sign(&once, &ca.credentials(), &SignOptions::at(now)).unwrap(),
            ca.trust(),
        )
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Cut(usize),
    Insert(usize, Vec<u8>),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<usize>().prop_map(Mutation::Cut),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..64)
        )
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        (any::<usize>(), 1usize..512).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

fn apply(file: &mut Vec<u8>, m: &Mutation) {
    let len = file.len().max(1);
    match m {
        Mutation::Flip(i, b) => {
            let i = i % len;
            if let Some(x) = file.get_mut(i) {
                *x ^= b | 1;
            }
        }
        Mutation::Cut(i) => file.truncate(i % len),
        Mutation::Insert(i, v) => {
            let i = i % len;
            file.splice(i..i, v.iter().copied());
        }
        Mutation::Duplicate(i, n) => {
            let i = i % len;
            let span: Vec<u8> = file[i..(i + n).min(file.len())].to_vec();
            file.splice(i..i, span);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_signed_pdfs_never_panic_and_never_pass_as_untouched(mutations in proptest::collection::vec(mutation(), 1..4)) {
        let (signed, trust) = fixture();
        let mut file = signed.clone();
        for m in &mutations {
            apply(&mut file, m);
        }
        let report = verify(&file, trust, Utc::now());
        // The report describes the file it was given, whatever that file is.
        prop_assert_eq!(report.size, file.len() as u64);
        prop_assert_eq!(&report.sha256, &hex_sha256(&file));
        prop_assert!(report.status != SignatureStatus::Intact || !report.signatures.is_empty());
    }

    #[test]
    fn a_flipped_byte_passes_only_inside_a_gap_or_by_destroying_the_later_signature(at in any::<usize>(), xor in 1u8..=255) {
        let (signed, trust) = fixture();
        let mut file = signed.clone();
        let i = at % file.len();
        file[i] ^= xor;
        let report = verify(&file, trust, Utc::now());
        if report.status == SignatureStatus::Intact {
            // Inside a gap, or the flip broke the later signature's own dictionary, which then
            // is no signature at all: the first still covers the unchanged content.
            let in_gap = gaps(signed).iter().any(|(b, c)| (*b + 1..*c - 1).contains(&i));
            prop_assert!(in_gap || report.signatures.len() < 2, "byte {i} changed and still intact");
        }
    }

    #[test]
    fn arbitrary_bytes_after_a_pdf_header_never_panic(body in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let mut file = b"%PDF-1.7\n".to_vec();
        file.extend(body);
        let report = verify(&file, &fixture().1, Utc::now());
        prop_assert_ne!(report.status, SignatureStatus::Intact);
    }
}

#[test]
fn crafted_files_are_reported_not_crashed_on() {
    let trust = &fixture().1;
    let deep = format!(
        "%PDF-1.7\n1 0 obj\n{}\nendobj\ntrailer\n<</Root 1 0 R>>\n%%EOF",
        "[".repeat(100_000)
    );
    let huge_range = b"%PDF-1.7\n1 0 obj\n<</Type/Sig/ByteRange[0 999999999999 99999999999999 1]/Contents<00>/Filter/Adobe.PPKLite>>\nendobj\ntrailer\n<</Root 1 0 R>>\n%%EOF".to_vec();
    let negative = b"%PDF-1.7\n1 0 obj\n<</Type/Sig/ByteRange[0 -5 -3 2]/Contents<00>>>\nendobj\ntrailer\n<</Root 1 0 R>>\n%%EOF".to_vec();
    for file in [
        deep.into_bytes(),
        huge_range,
        negative,
        Vec::new(),
        b"%PDF-".to_vec(),
    ] {
        let report = verify(&file, trust, Utc::now());
        assert_ne!(report.status, SignatureStatus::Intact);
    }
}

#[test]
fn a_deeply_nested_change_after_signing_is_reported_not_a_stack_overflow() {
    let (signed, trust) = fixture();
    let prev = lopdf::Document::load_mem(signed).unwrap();
    let page = *prev.get_pages().values().next().unwrap();
    let mut inc = lopdf::IncrementalDocument::create_from(signed.clone(), prev);
    let mut deep = lopdf::Object::Integer(1);
    for _ in 0..1000 {
        deep = lopdf::Object::Array(vec![deep]);
    }
    inc.opt_clone_object_to_new_document(page).unwrap();
    inc.new_document
        .get_dictionary_mut(page)
        .unwrap()
        .set("Deep", deep);
    let mut out = Vec::new();
    inc.save_to(&mut out).unwrap();
    let report = verify(&out, trust, Utc::now());
    assert_eq!(report.status, SignatureStatus::Modified, "{report:#?}");
}

fn hex_sha256(file: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(file)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `/Contents` gaps `[b, c)` of every signature in the file.
fn gaps(file: &[u8]) -> Vec<(usize, usize)> {
    let doc = lopdf::Document::load_mem(file).unwrap();
    doc.objects
        .values()
        .filter_map(|o| {
            o.as_dict()
                .ok()?
                .get(b"ByteRange")
                .ok()?
                .as_array()
                .ok()
                .cloned()
        })
        .map(|r| {
            (
                r[1].as_i64().unwrap() as usize,
                r[2].as_i64().unwrap() as usize,
            )
        })
        .collect()
}
