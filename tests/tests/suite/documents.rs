//! Decision letters end to end: a granted request gets a numbered letter signed at the decision,
//! which pdfsig and pyHanko report valid and trusted and whose text names the employee; only
//! those who may see the request download it; the public sees the QR page without personal
//! data; a tampered copy is reported modified. With a BSrE-style remote signer the official signs
//! a batch with one step-up and their passphrase, and every refusal is a clear error.

use std::path::Path;
use std::process::Command;

use abdi_server::config::SignerBackend;
use abdi_server::masterdata::entity::employee;
use abdi_tests::esign::{self, EsignPeer};
use abdi_tests::{Backend, both_backends};
use sea_orm::{ActiveModelTrait, EntityTrait};
use serde_json::Value;

use abdi_proto::documents::{DocumentView, SignBatch};
use abdi_proto::services::{Decision, Outcome};
use abdi_tests::api::{created, decision, get, ok, ok_as, post, problem, through_chain};
use abdi_tests::forms::annual;
use abdi_tests::world::{Who, Who::*, World, july_first, step_up, world_with};
use uuid::Uuid;

/// Runs a validator, returning its exit code and output.
pub(crate) fn run(program: &str, args: &[&str]) -> (i32, String) {
    let out = Command::new(program)
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

/// A PDF's text as pdftotext reads it, on one line.
pub(crate) fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("letter.pdf");
    std::fs::write(&file, pdf).unwrap();
    let (code, text) = run("pdftotext", &[file.to_str().unwrap(), "-"]);
    assert_eq!(code, 0, "{text}");
    text.replace('\n', " ")
}

/// pdfsig's and pyHanko's verdicts on `file` with `root` trusted.
pub(crate) fn validators(dir: &Path, root: &Path, file: &Path) -> (String, (i32, String)) {
    let db = dir.join("nss");
    if !db.exists() {
        std::fs::create_dir_all(&db).unwrap();
        let nss = format!("sql:{}", db.display());
        assert_eq!(
            run("certutil", &["-N", "-d", &nss, "--empty-password"]).0,
            0
        );
        let (code, out) = run(
            "certutil",
            &[
                "-A",
                "-d",
                &nss,
                "-n",
                "root",
                "-t",
                "CT,C,C",
                "-a",
                "-i",
                root.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "{out}");
    }
    let nss = format!("sql:{}", db.display());
    let pdfsig = run("pdfsig", &["-nssdir", &nss, file.to_str().unwrap()]).1;
    let pyhanko = run(
        "pyhanko",
        &[
            "sign",
            "validate",
            "--trust",
            root.to_str().unwrap(),
            "--trust-replace",
            file.to_str().unwrap(),
        ],
    );
    (pdfsig, pyhanko)
}

async fn world(backend: Backend) -> World {
    world_with(
        backend,
        Some(abdi_server::clock::ManualClock::at(july_first())),
        |_| {},
    )
    .await
}

/// Staff's annual leave of 13-15 July through the chain with `outcome`.
async fn granted(w: &World, outcome: Decision) -> Value {
    granted_between(w, "2026-07-13", "2026-07-15", outcome).await
}

pub(crate) async fn documents_of(w: &World, who: Who, request: &str) -> Vec<Value> {
    ok(get(w, who, &format!("/api/v1/requests/{request}/documents")).await)
        .await
        .as_array()
        .unwrap()
        .clone()
}

pub(crate) async fn download(w: &World, who: Who, id: &str) -> reqwest::Response {
    get(w, who, &format!("/api/v1/documents/{id}/pdf")).await
}

async fn verify_upload(w: &World, pdf: Vec<u8>) -> Value {
    let r = w
        .app
        .client
        .post(w.app.url("/api/v1/verify"))
        .header("content-type", "application/pdf")
        .body(pdf)
        .send()
        .await
        .unwrap();
    ok(r).await
}

async fn a_granted_request_gets_a_signed_letter_that_validators_trust(backend: Backend) {
    let w = world(backend).await;
    let done = granted(&w, decision(0, Outcome::Disetujui)).await;
    assert_eq!(done["status"], "decided");
    let request = done["id"].as_str().unwrap();
    let docs = documents_of(&w, Staff, request).await;
    assert_eq!(docs.len(), 1, "{docs:?}");
    let doc = &docs[0];
    assert_eq!(doc["status"], "signed", "{doc}");
    assert_eq!(doc["kind"], "surat_izin_cuti");
    let number = doc["number"].as_str().unwrap();
    assert!(
        number.starts_with("800.1.11/0001/") && number.ends_with("/2026"),
        "{number}"
    );
    assert!(
        doc["signer_capacity"].as_str().unwrap().contains("Kepala"),
        "{doc}"
    );
    let id = doc["id"].as_str().unwrap();

    // The employee, the deciders, the fasilitator and administrators download it; no one else.
    let r = download(&w, Staff, id).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap().to_vec();
    assert_eq!(pdf.len() as u64, doc["size"].as_u64().unwrap());
    for who in [Supervisor, Head, Fasilitator, Admin] {
        assert_eq!(download(&w, who, id).await.status(), 200, "{who:?}");
    }
    for who in [Other, OtherFasilitator] {
        problem(download(&w, who, id).await, 403, "forbidden").await;
    }
    let r = w
        .app
        .client
        .get(w.app.url(&format!("/api/v1/documents/{id}/pdf")))
        .send()
        .await
        .unwrap();
    problem(r, 401, "unauthenticated").await;

    // pdfsig and pyHanko: valid, trusted, untouched.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("letter.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let root = w.app.state.config.documents.local_dir.join("root.pem");
    let (pdfsig, (code, pyhanko)) = validators(dir.path(), &root, &file);
    assert!(pdfsig.contains("Signature is Valid"), "{pdfsig}");
    assert!(pdfsig.contains("Certificate is Trusted"), "{pdfsig}");
    assert!(pdfsig.contains("Total document signed"), "{pdfsig}");
    assert_eq!(code, 0, "{pyhanko}");
    assert!(pyhanko.contains("INTACT:TRUSTED,UNTOUCHED"), "{pyhanko}");

    // The text is there, in the embedded font: the employee's name, the number, the dates.
    let (code, text) = run("pdftotext", &[file.to_str().unwrap(), "-"]);
    assert_eq!(code, 0, "{text}");
    let text = text.replace('\n', " ");
    for needle in [
        "SURAT IZIN CUTI TAHUNAN",
        number,
        "3 hari kerja",
        "13 Juli 2026",
        "15 Juli 2026",
        "Staf",
    ] {
        assert!(text.contains(needle), "'{needle}' missing from: {text}");
    }

    // Abdi's own verifier agrees: the very file Abdi issued, by its signer, its certificates
    // judged at the time Abdi recorded the signature.
    let report = verify_upload(&w, pdf.clone()).await;
    assert_eq!(report["status"], "intact", "{report}");
    assert_eq!(report["issuance"], "issued", "{report}");
    assert_eq!(report["issued"]["number"], number);
    assert_eq!(report["issued"]["signer_nip"], doc["signer_nip"]);
    assert_eq!(
        report["signatures"][0]["validated_at_source"], "issued",
        "{report}"
    );
    assert_eq!(report["signatures"][0]["validated_at"], doc["signed_at"]);
    let sha = doc["sha256"].as_str().unwrap();
    let entry: Value = ok(w.app.get(&format!("/api/v1/verify/sha256/{sha}")).await).await;
    assert_eq!(entry["number"], number);
    problem(
        w.app
            .get(&format!("/api/v1/verify/sha256/{}", "0".repeat(64)))
            .await,
        404,
        "document_not_found",
    )
    .await;

    // A forged letter: the same text, validly signed with a certificate under the very roots
    // Abdi trusts, but never issued by Abdi. It is reported as such, never as intact.
    let (signer, _) = abdi_server::documents::signer::from_config(
        &w.app.state.config.documents,
        w.app.state.clock.clone(),
    )
    .unwrap();
    let forged = signer
        .sign(abdi_server::documents::signer::SignJob {
            nik: "3578010101900001".into(),
            credential: None,
            reason: "Surat Izin Cuti".into(),
            location: "Surabaya".into(),
            files: vec![pdf.clone()],
        })
        .await
        .unwrap()
        .remove(0);
    let report = verify_upload(&w, forged).await;
    assert_eq!(report["status"], "not_issued", "{report}");
    assert_eq!(report["issuance"], "not_issued");
    assert!(report["issued"].is_null());
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "not_issued"),
        "{report}"
    );
    assert!(
        report["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] == "intact")
    );
    assert_eq!(
        report["signatures"][1]["validated_at_source"], "now",
        "{report}"
    );

    // A tampered copy is modified.
    assert_eq!(
        report["signatures"][0]["signer"]["issuer"],
        "Abdi Local Signing CA"
    );
    let mut tampered = pdf.clone();
    let at = tampered.windows(4).position(|w| w == b"/Pag").unwrap();
    tampered[at + 1] = b'Q';
    let report = verify_upload(&w, tampered).await;
    assert_eq!(report["status"], "modified", "{report}");
    assert_eq!(
        report["signatures"][0]["findings"][0]["code"],
        "digest_mismatch"
    );
    let report = verify_upload(&w, b"not a pdf".to_vec()).await;
    assert_eq!(report["status"], "invalid");
    assert_eq!(report["findings"][0]["code"], "malformed");

    // The QR page: number, signer, state, fingerprint; never the employee's name or NIP.
    let public = w.app.get(&format!("/api/v1/verify/{id}")).await;
    assert_eq!(public.status(), 200);
    let body = public.text().await.unwrap();
    let p: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(p["number"], number);
    assert_eq!(p["status"], "signed");
    assert_eq!(p["sha256"], doc["sha256"]);
    let staff = employee::Entity::find_by_id(w.ids[&Staff])
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !body.contains(&staff.nip) && !body.contains("Staf"),
        "{body}"
    );
    let html = w
        .app
        .client
        .get(w.app.url(&format!("/api/v1/verify/{id}")))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(
        html.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = html.text().await.unwrap();
    assert!(
        html.contains(number) && !html.contains(&staff.nip),
        "{html}"
    );
    problem(
        w.app
            .get(&format!("/api/v1/verify/{}", Uuid::new_v4()))
            .await,
        404,
        "document_not_found",
    )
    .await;
}

async fn refusals_get_no_letter_and_numbers_follow_each_other(backend: Backend) {
    let w = world(backend).await;
    let refused = granted(
        &w,
        Decision {
            note: Some("Kebutuhan dinas".into()),
            ..decision(0, Outcome::TidakDisetujui)
        },
    )
    .await;
    assert_eq!(refused["outcome"], "tidak_disetujui");
    assert!(
        documents_of(&w, Staff, refused["id"].as_str().unwrap())
            .await
            .is_empty()
    );
    let first = granted_between(
        &w,
        "2026-07-20",
        "2026-07-21",
        decision(0, Outcome::Disetujui),
    )
    .await;
    let second = granted_between(
        &w,
        "2026-07-27",
        "2026-07-28",
        decision(0, Outcome::Disetujui),
    )
    .await;
    let n = |v: &Value| {
        v["number"]
            .as_str()
            .unwrap()
            .split('/')
            .nth(1)
            .unwrap()
            .to_owned()
    };
    let a = &documents_of(&w, Staff, first["id"].as_str().unwrap()).await[0];
    let b = &documents_of(&w, Staff, second["id"].as_str().unwrap()).await[0];
    assert_eq!((n(a).as_str(), n(b).as_str()), ("0001", "0002"));
}

async fn granted_between(w: &World, start: &str, end: &str, outcome: Decision) -> Value {
    let v = created(w, Staff, "cuti_tahunan", annual(start, end)).await;
    through_chain(w, v, outcome).await
}

pub(crate) async fn sign(w: &World, who: Who, body: &SignBatch) -> reqwest::Response {
    post(w, who, "/api/v1/documents/sign", body).await
}

/// The letters `documents`, signed with `passphrase` (if any).
pub(crate) fn batch(documents: &[Uuid], passphrase: Option<&str>) -> SignBatch {
    SignBatch {
        documents: documents.to_vec(),
        passphrase: passphrase.map(str::to_owned),
        totp: None,
    }
}

async fn a_remote_signer_signs_a_batch_with_one_step_up(backend: Backend) {
    let peer = EsignPeer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("bsre-root.pem");
    std::fs::write(&root, &peer.root_pem).unwrap();
    let clock = abdi_server::clock::ManualClock::at(july_first());
    let url = peer.url.clone();
    let root_file = root.clone();
    let w = world_with(backend, Some(clock.clone()), move |c| {
        c.documents.signer = SignerBackend::Remote;
        c.documents.remote_url = url;
        c.documents.remote_username = esign::USERNAME.into();
        c.documents.remote_password = Some(abdi_server::config::Secret::new(esign::PASSWORD));
        c.documents.trust_roots = vec![root_file];
    })
    .await;
    let head = employee::Entity::find_by_id(w.ids[&Head])
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    peer.register(&head.nik, &head.full_name(), &head.nip, "rahasia-kepala");

    // Two granted requests: their letters wait for the head's signature.
    let first = granted_between(
        &w,
        "2026-07-13",
        "2026-07-15",
        decision(0, Outcome::Disetujui),
    )
    .await;
    let second = granted_between(
        &w,
        "2026-07-20",
        "2026-07-21",
        decision(0, Outcome::Disetujui),
    )
    .await;
    let waiting = ok(get(&w, Head, "/api/v1/documents/awaiting-signature").await).await;
    let ids: Vec<Uuid> = waiting
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{waiting}");
    let mine: Vec<DocumentView> =
        ok_as(get(&w, Staff, "/api/v1/documents/awaiting-signature").await).await;
    assert!(mine.is_empty(), "{mine:?}");
    let doc = &documents_of(&w, Staff, first["id"].as_str().unwrap()).await[0];
    assert_eq!(doc["status"], "awaiting_signature");
    problem(
        download(&w, Staff, doc["id"].as_str().unwrap()).await,
        404,
        "document_not_found",
    )
    .await;

    // A stale step-up, no passphrase, a wrong one, someone else, an empty batch: all refused,
    // and the letters still wait.
    clock.advance(std::time::Duration::from_secs(6 * 60));
    problem(
        sign(&w, Head, &batch(&ids, Some("rahasia-kepala"))).await,
        403,
        "step_up_required",
    )
    .await;
    step_up(&w, Head).await;
    problem(
        sign(&w, Head, &batch(&ids, None)).await,
        422,
        "signing_credential_required",
    )
    .await;
    let body = problem(
        sign(&w, Head, &batch(&ids, Some("salah"))).await,
        403,
        "signing_rejected",
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("Passphrase anda salah"),
        "{body}"
    );
    step_up(&w, Staff).await;
    problem(
        sign(&w, Staff, &batch(&ids, Some("x"))).await,
        409,
        "document_not_signable",
    )
    .await;
    problem(sign(&w, Head, &batch(&[], None)).await, 400, "invalid_body").await;
    problem(
        sign(&w, Head, &batch(&[Uuid::new_v4()], Some("x"))).await,
        404,
        "document_not_found",
    )
    .await;
    assert_eq!(
        documents_of(&w, Staff, first["id"].as_str().unwrap()).await[0]["status"],
        "awaiting_signature"
    );

    // The head leaves the post (and holds no Plt/Plh of it): the letters it was to sign in
    // are no longer theirs to sign, even with the right passphrase and a fresh step-up.
    let set_post = |post: Option<uuid::Uuid>| {
        let db = w.app.state.db.clone();
        let id = w.ids[&Head];
        async move {
            employee::ActiveModel {
                id: sea_orm::ActiveValue::Set(id),
                position_id: sea_orm::ActiveValue::Set(post),
                ..Default::default()
            }
            .update(&db)
            .await
            .unwrap();
        }
    };
    set_post(None).await;
    let calls_before = peer.calls().len();
    let body = problem(
        sign(&w, Head, &batch(&ids, Some("rahasia-kepala"))).await,
        409,
        "document_not_signable",
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("jabatan"),
        "{body}"
    );
    assert_eq!(
        peer.calls().len(),
        calls_before,
        "nothing went to the signing service"
    );
    set_post(head.position_id).await;

    // The right passphrase signs both in one call to the service.
    let calls_before = peer.calls().len();
    let done = ok(sign(&w, Head, &batch(&ids, Some("rahasia-kepala"))).await).await;
    let signed = done["signed"].as_array().unwrap();
    assert_eq!(signed.len(), 2);
    assert!(signed.iter().all(|d| d["status"] == "signed"), "{done}");
    let calls = peer.calls();
    assert_eq!(calls.len(), calls_before + 1);
    let last = calls.last().unwrap();
    assert_eq!(
        (last.nik.as_str(), last.files, last.status),
        (head.nik.as_str(), 2, 200)
    );
    problem(
        sign(&w, Head, &batch(&ids, Some("rahasia-kepala"))).await,
        409,
        "document_not_signable",
    )
    .await;

    // Signed with the official's own certificate, trusted through the configured root.
    let doc = &documents_of(&w, Staff, second["id"].as_str().unwrap()).await[0];
    let pdf = download(&w, Staff, doc["id"].as_str().unwrap())
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let report = verify_upload(&w, pdf.clone()).await;
    assert_eq!(report["status"], "intact", "{report}");
    assert_eq!(report["signatures"][0]["signer"]["nip"], head.nip);
    let file = dir.path().join("letter.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let (pdfsig, (code, pyhanko)) = validators(dir.path(), &root, &file);
    assert!(
        pdfsig.contains("Signature is Valid") && pdfsig.contains("Certificate is Trusted"),
        "{pdfsig}"
    );
    assert_eq!(code, 0, "{pyhanko}");

    // The service down: a clear 503, and the letter keeps waiting.
    let third = granted_between(
        &w,
        "2026-07-27",
        "2026-07-28",
        decision(0, Outcome::Disetujui),
    )
    .await;
    let doc = &documents_of(&w, Staff, third["id"].as_str().unwrap()).await[0];
    peer.stop();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    step_up(&w, Head).await;
    problem(
        sign(
            &w,
            Head,
            &batch(
                &[doc["id"].as_str().unwrap().parse().unwrap()],
                Some("rahasia-kepala"),
            ),
        )
        .await,
        503,
        "signing_unavailable",
    )
    .await;
    assert_eq!(
        documents_of(&w, Staff, third["id"].as_str().unwrap()).await[0]["status"],
        "awaiting_signature"
    );
}

/// The public verifier is rationed: a few checks per client address in a window (429 with
/// Retry-After past them), and a few at once per instance (503 with Retry-After while every
/// slot is busy, even with an upload still streaming in).
async fn public_verification_is_rationed(backend: Backend) {
    let w = world_with(backend, None, |c| c.documents.verify_per_ip = 3).await;
    let post = |body: reqwest::Body| {
        w.app
            .client
            .post(w.app.url("/api/v1/verify"))
            .header("content-type", "application/pdf")
            .body(body)
            .send()
    };
    for _ in 0..3 {
        let report: Value = ok(post(b"not a pdf".to_vec().into()).await.unwrap()).await;
        assert_eq!(report["status"], "invalid");
    }
    let r = post(b"not a pdf".to_vec().into()).await.unwrap();
    assert!(r.headers().contains_key("retry-after"));
    problem(r, 429, "rate_limited").await;

    let w = world_with(backend, None, |c| {
        c.documents.verify_concurrency = 1;
        c.documents.verify_per_ip = 10_000;
    })
    .await;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    let slow_body = reqwest::Body::wrap_stream(futures_util::stream::unfold(rx, |mut rx| async {
        rx.recv().await.map(|chunk| (chunk, rx))
    }));
    let slow = {
        let req = w
            .app
            .client
            .post(w.app.url("/api/v1/verify"))
            .header("content-type", "application/pdf")
            .body(slow_body);
        tokio::spawn(req.send())
    };
    tx.send(Ok(b"%PDF-1.7\n".to_vec())).await.unwrap();
    // Once the slow upload holds the only slot, the next check is told to come back.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while w.app.state.documents.gate.free() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the slow upload never took the slot"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let busy = w
        .app
        .client
        .post(w.app.url("/api/v1/verify"))
        .body(b"not a pdf".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(busy.headers()["retry-after"], "2");
    problem(busy, 503, "unavailable").await;
    // The slow upload finishes and gets its report; the slot is free again.
    drop(tx);
    let report: Value = ok(slow.await.unwrap().unwrap()).await;
    assert_eq!(report["status"], "invalid");
    let r = w
        .app
        .client
        .post(w.app.url("/api/v1/verify"))
        .body(b"x".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

both_backends!(
    a_granted_request_gets_a_signed_letter_that_validators_trust,
    public_verification_is_rationed,
    refusals_get_no_letter_and_numbers_follow_each_other,
    a_remote_signer_signs_a_batch_with_one_step_up,
);
