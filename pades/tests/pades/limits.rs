//! The work one file may cost ([`abdi_pades::limits`]). Hostile files are refused by the
//! pre-scan before lopdf builds anything, and the work counters ([`WorkStats`]) prove it: bytes
//! inflated stay within [`MAX_INFLATED_BYTES`] plus one 32 KiB read, lopdf parses nothing
//! (`parses == 0`), and appended self-signed revisions are never parsed again. No test asserts a
//! time (project rule): `cost_of_hostile_files` (ignored) prints wall time and peak memory.

use abdi_pades::keys::KeyAlgorithm;
use abdi_pades::limits::{MAX_INFLATED_BYTES, MAX_OBJECTS, MAX_REVISIONS_PARSED, WorkStats};
use abdi_pades::sign::{SignOptions, sign};
use abdi_pades::verify_with_stats;
use abdi_proto::documents::{FindingCode, SignatureStatus, VerificationReport};
use chrono::Utc;

use crate::support::{Ca, plain_pdf, raw_pdf, self_signed, stream_body, zlib_zeros};

/// One read of the counting sink past the budget.
const OVERSHOOT: u64 = 32 * 1024;

fn catalog() -> Vec<Vec<u8>> {
    vec![
        b"<</Type/Catalog/Pages 2 0 R>>".to_vec(),
        b"<</Type/Pages/Kids[]/Count 0>>".to_vec(),
    ]
}

fn check(file: &[u8]) -> (VerificationReport, WorkStats) {
    verify_with_stats(
        file,
        &Ca::new(KeyAlgorithm::P256, Utc::now()).trust(),
        Utc::now(),
    )
}

fn assert_refused(report: &VerificationReport, stats: &WorkStats, why: &str) {
    assert_eq!(report.status, SignatureStatus::Invalid, "{report:#?}");
    assert_eq!(
        report.findings[0].code,
        FindingCode::Malformed,
        "{report:#?}"
    );
    assert!(
        report.findings[0].detail.contains(why),
        "{}",
        report.findings[0].detail
    );
    assert_eq!(stats.parses, 0, "lopdf must not see a refused file");
    assert!(
        stats.inflated_bytes <= MAX_INFLATED_BYTES + OVERSHOOT,
        "{stats:?}"
    );
}

/// An object stream of 512 MiB of zeros (3.3 MB compressed): refused after inflating at most
/// the 64 MiB budget (plus one 32 KiB read) into a counting sink that keeps nothing, with lopdf
/// never parsing the file. Budget: one 64 MiB inflation, a few MB of memory (the file itself).
#[test]
fn an_object_stream_bomb_is_refused_before_lopdf_decodes_it() {
    let mut objects = catalog();
    objects.push(stream_body(
        "/Type/ObjStm/N 1/First 4/Filter/FlateDecode",
        &zlib_zeros(512 << 20),
    ));
    let file = raw_pdf(&objects, "/Root 1 0 R");
    let (report, stats) = check(&file);
    assert_refused(&report, &stats, "decodes to more than");
    assert!(
        stats.inflated_bytes > MAX_INFLATED_BYTES,
        "measured, not guessed: {stats:?}"
    );
}

/// Five object streams of 16 MiB each: every one under lopdf's own limit for a stream, together
/// over the budget for the file. Budget: 64 MiB inflated in all.
#[test]
fn bombs_spread_over_streams_are_refused_together() {
    let mut objects = catalog();
    for _ in 0..5 {
        objects.push(stream_body(
            "/Type/ObjStm/N 1/First 4/Filter/FlateDecode",
            &zlib_zeros(16 << 20),
        ));
    }
    let file = raw_pdf(&objects, "/Root 1 0 R");
    let (report, stats) = check(&file);
    assert_refused(&report, &stats, "decodes to more than");
}

/// lopdf decodes whatever stream a `/Prev` points at as a cross-reference stream, typed or not:
/// so does the scan. Budget: 64 MiB inflated.
#[test]
fn an_untyped_bomb_a_prev_points_at_is_refused() {
    let mut objects = catalog();
    let body = stream_body("/Filter/FlateDecode", &zlib_zeros(128 << 20));
    objects.push(body);
    let mut file = raw_pdf(&objects, "/Root 1 0 R");
    let find = |what: &[u8]| file.windows(what.len()).rposition(|w| w == what).unwrap();
    let (at, trailer) = (find(b"3 0 obj"), find(b"/Root 1 0 R"));
    file.splice(trailer..trailer, format!("/Prev {at}").into_bytes());
    let (report, stats) = check(&file);
    assert_refused(&report, &stats, "decodes to more than");
}

/// 100 001 objects, or an object stream declaring that many members: refused by counting, before
/// lopdf builds one of them. Budget: two linear passes over a 2.5 MB file.
#[test]
fn a_flood_of_objects_is_refused() {
    let mut objects = catalog();
    objects.extend((0..MAX_OBJECTS).map(|_| b"null".to_vec()));
    let file = raw_pdf(&objects, "/Root 1 0 R");
    let (report, stats) = check(&file);
    assert_refused(&report, &stats, "objects");
    // Counting stopped at the first object past the limit.
    assert_eq!(stats.objects, MAX_OBJECTS + 1, "{stats:?}");

    // The same through one unfiltered object stream.
    let n = MAX_OBJECTS as usize + 1;
    let header: String = (0..n).map(|i| format!("{} {} ", i + 10, i * 5)).collect();
    let mut content = header.clone().into_bytes();
    content.extend(b"null ".repeat(n));
    let mut objects = catalog();
    objects.push(stream_body(
        &format!("/Type/ObjStm/N {n}/First {}", header.len()),
        &content,
    ));
    let file = raw_pdf(&objects, "/Root 1 0 R");
    let (report, stats) = check(&file);
    assert_refused(&report, &stats, "more than 100000 objects");
}

/// What writers produce passes: a letter saved with object streams and a cross-reference stream,
/// then signed, is intact, and the scan counted the object streams' members.
#[test]
fn a_file_with_object_streams_passes_and_is_counted() {
    let now = Utc::now();
    let ca = Ca::new(KeyAlgorithm::P256, now);
    let mut doc = lopdf::Document::load_mem(&plain_pdf("Surat Izin Cuti")).unwrap();
    let mut modern = Vec::new();
    doc.save_with_options(
        &mut modern,
        lopdf::SaveOptions::builder()
            .use_object_streams(true)
            .use_xref_streams(true)
            .build(),
    )
    .unwrap();
    assert!(modern.windows(7).any(|w| w == b"/ObjStm"));
    let signed = sign(&modern, &ca.credentials(), &SignOptions::at(now)).unwrap();
    let (report, stats) = verify_with_stats(&signed, &ca.trust(), now);
    assert_eq!(report.status, SignatureStatus::Intact, "{report:#?}");
    assert!(stats.inflated_bytes > 0, "{stats:?}");
    assert!(stats.objects > 5, "members counted: {stats:?}");
    assert_eq!(stats.parses, 1);
}

/// 32 incremental revisions, each signed by a different self-signed certificate: all reported
/// untrusted, and none makes the verifier parse its revision again (an untrusted signature is
/// not compared). Budget: one parse of the file.
#[test]
fn thirty_two_self_signed_revisions_cost_no_reparse() {
    let now = Utc::now();
    let mut pdf = plain_pdf("Surat Keputusan");
    for n in 0..32 {
        pdf = sign(&pdf, &self_signed(n), &SignOptions::at(now)).unwrap();
    }
    let (report, stats) = check(&pdf);
    assert_eq!(report.signatures.len(), 32);
    assert!(
        report
            .signatures
            .iter()
            .all(|s| s.status == SignatureStatus::Untrusted),
        "{report:#?}"
    );
    assert_eq!(report.status, SignatureStatus::Untrusted);
    assert_eq!(stats.revisions_parsed, 0, "{stats:?}");
    assert_eq!(stats.parses, 1, "{stats:?}");
}

/// A trusted letter under 31 appended self-signed signatures: the letter's revision is parsed
/// once to see that only signatures were added; the strangers' cost nothing.
#[test]
fn a_trusted_signature_under_self_signed_ones_is_compared_once() {
    let now = Utc::now();
    let ca = Ca::new(KeyAlgorithm::P256, now);
    let mut pdf = sign(
        &plain_pdf("Surat Izin"),
        &ca.credentials(),
        &SignOptions::at(now),
    )
    .unwrap();
    for n in 0..31 {
        pdf = sign(&pdf, &self_signed(n), &SignOptions::at(now)).unwrap();
    }
    let (report, stats) = verify_with_stats(&pdf, &ca.trust(), now);
    assert_eq!(report.signatures.len(), 32);
    assert_eq!(
        report.signatures[0].status,
        SignatureStatus::Intact,
        "{report:#?}"
    );
    assert_eq!(
        report.signatures[0].findings.last().unwrap().code,
        FindingCode::SignaturesAdded
    );
    assert!(
        report.signatures[1..]
            .iter()
            .all(|s| s.status == SignatureStatus::Untrusted)
    );
    assert_eq!(stats.revisions_parsed, 1, "{stats:?}");
    assert_eq!(stats.parses, 2, "{stats:?}");
}

/// Ten trusted signatures: eight earlier revisions are compared, the ninth signature's is not
/// (and so it is not reported intact), the last has nothing after it.
#[test]
fn at_most_eight_earlier_revisions_are_parsed() {
    let now = Utc::now();
    let ca = Ca::new(KeyAlgorithm::P256, now);
    let mut pdf = plain_pdf("Surat Keputusan");
    for _ in 0..10 {
        pdf = sign(&pdf, &ca.credentials(), &SignOptions::at(now)).unwrap();
    }
    let (report, stats) = verify_with_stats(&pdf, &ca.trust(), now);
    assert_eq!(stats.revisions_parsed, MAX_REVISIONS_PARSED, "{stats:?}");
    let statuses: Vec<_> = report.signatures.iter().map(|s| s.status).collect();
    assert_eq!(&statuses[..8], &[SignatureStatus::Intact; 8], "{report:#?}");
    assert_eq!(statuses[8], SignatureStatus::Modified);
    assert!(
        report.signatures[8]
            .findings
            .last()
            .unwrap()
            .detail
            .contains("at most 8"),
        "{report:#?}"
    );
    assert_eq!(statuses[9], SignatureStatus::Intact);
}
