//! The data update (Pergub Jatim 73/2020 Pasal 9-13, 22): an employee proposes a diploma with
//! its scan, the fasilitator returns it, the employee corrects it, the fasilitator verifies it;
//! the record, its history and the archive change once, and a study permit that needs the
//! diploma then passes its completeness check with the archived copy. Administrators alone
//! verify confidential fields; nobody verifies for another unit; the monitoring counts hold.

use abdi_proto::updates::{MonitoringReport, Proposal, ProposalStatus};
use abdi_server::masterdata::entity::{education_history, employee};
use abdi_tests::api::{
    diploma, get, ok, ok_as, pdf_id, post, problem, propose, propose_with_key, put, review, upload,
};
use abdi_tests::forms::period;
use abdi_tests::world::{Who, World, at, july_first};
use abdi_tests::{Backend, both_backends};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use Who::*;

async fn diplomas(w: &World, who: Who) -> u64 {
    education_history::Entity::find()
        .filter(education_history::Column::EmployeeId.eq(w.ids[&who]))
        .count(&w.app.state.db)
        .await
        .unwrap()
}

async fn a_diploma_is_proposed_returned_corrected_verified_and_archived(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    let before = diplomas(&w, Staff).await;

    // A study permit needs a verified diploma: refused before any rule runs, in both
    // languages, naming it.
    let r = post(
        &w,
        Staff,
        "/api/v1/services/izin_belajar/quote",
        &json!({"form": {}}),
    )
    .await;
    let p = problem(r, 422, "record_incomplete").await;
    assert_eq!(p["errors"][0]["field"], "ijazah", "{p}");
    let c: Value = ok(get(&w, Staff, "/api/v1/me/completeness").await).await;
    assert!(
        c["missing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["item"] == "ijazah"),
        "{c}"
    );

    // A file that is not what it says is refused when uploaded (told by content).
    let forged = upload(&w, Staff, "ijazah.pdf", b"GIF89a\x01\x00\x01\x00".to_vec()).await;
    problem(forged, 415, "attachment_type").await;
    // Another employee's upload is no evidence of Staff's.
    let theirs = pdf_id(&w, Other).await;
    let r = propose(&w, Staff, &diploma("s2", 2023, theirs)).await;
    let p = problem(r, 422, "form_invalid").await;
    assert_eq!(p["errors"][0]["code"], "attachment_not_found", "{p}");
    // Email and phone are no part of a proposal (the employee changes them after verifying).
    let mut with_email = diploma("s2", 2023, pdf_id(&w, Staff).await);
    with_email["values"]["email"] = json!("baru@contoh.go.id");
    let p = problem(propose(&w, Staff, &with_email).await, 422, "form_invalid").await;
    assert_eq!(p["errors"][0]["field"], "email", "{p}");

    // 1. Staff proposes an S-2 diploma with its scan, once per key.
    let evidence = pdf_id(&w, Staff).await;
    let draft = diploma("s2", 2023, evidence);
    let key = uuid::Uuid::new_v4().to_string();
    let first: Proposal = ok_as(propose_with_key(&w, Staff, &draft, &key).await).await;
    assert_eq!(first.status, ProposalStatus::Submitted);
    assert_eq!(first.evidence.len(), 1);
    assert_eq!(first.evidence[0].file.content_type, "application/pdf");
    let again = propose_with_key(&w, Staff, &draft, &key).await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Proposal = ok_as(again).await;
    assert_eq!(again.id, first.id);
    let p: Value = ok(get(&w, Staff, &format!("/api/v1/proposals/{}", first.id)).await).await;

    // A fasilitator of another unit may neither see nor decide it; Staff cannot verify their
    // own; returning needs a note.
    problem(
        get(
            &w,
            OtherFasilitator,
            &format!("/api/v1/proposals/{}", first.id),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    problem(
        review(&w, OtherFasilitator, &p, "verify", None).await,
        403,
        "forbidden",
    )
    .await;
    problem(
        review(&w, Staff, &p, "verify", None).await,
        403,
        "forbidden",
    )
    .await;
    problem(
        review(&w, Fasilitator, &p, "return", None).await,
        422,
        "reason_required",
    )
    .await;
    // The evidence is for the unit's fasilitator to read, not another's.
    let scan = format!("/api/v1/attachments/{}", first.evidence[0].file.id);
    assert_eq!(get(&w, Fasilitator, &scan).await.status(), 200);
    problem(get(&w, OtherFasilitator, &scan).await, 403, "forbidden").await;
    let queue: Value = ok(get(&w, OtherFasilitator, "/api/v1/proposals").await).await;
    assert_eq!(queue["items"].as_array().unwrap().len(), 0);
    let queue: Value = ok(get(&w, Fasilitator, "/api/v1/proposals").await).await;
    assert_eq!(queue["items"][0]["id"], p["id"]);
    assert_eq!(queue["items"][0]["proposed"]["level"], "s2");

    // 2. The fasilitator returns it: the year on the scan is 2024. Staff is told.
    let returned: Value = ok(review(
        &w,
        Fasilitator,
        &p,
        "return",
        Some("Tahun lulus pada ijazah 2024"),
    )
    .await)
    .await;
    assert_eq!(returned["status"], "returned");
    let inbox: Value = ok(get(&w, Staff, "/api/v1/notifications").await).await;
    let told = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "record_update")
        .unwrap_or_else(|| panic!("{inbox}"));
    assert!(
        told["body"]["id"].as_str().unwrap().contains("2024"),
        "{told}"
    );
    assert_eq!(diplomas(&w, Staff).await, before, "nothing applied yet");

    // 3. Staff corrects it and sends it again, with the same scan.
    let mut values = draft["values"].clone();
    values["graduation_year"] = json!(2024);
    values["evidence"] = json!([{ "id": first.evidence[0].file.id }]);
    let path = format!("/api/v1/me/proposals/{}", first.id);
    let stale = put(&w, Staff, &path, &json!({"version": 1, "values": values})).await;
    problem(stale, 409, "proposal_changed").await;
    let resent: Value = ok(put(
        &w,
        Staff,
        &path,
        &json!({"version": returned["version"], "values": values}),
    )
    .await)
    .await;
    assert_eq!(resent["status"], "submitted");
    assert_eq!(resent["proposed"]["graduation_year"], 2024);

    // 4. The fasilitator and an administrator verify it at the same moment: one wins, the
    //    record changes once.
    let (a, b) = tokio::join!(
        review(&w, Fasilitator, &resent, "verify", None),
        review(&w, Admin, &resent, "verify", None),
    );
    let statuses = [a.status().as_u16(), b.status().as_u16()];
    assert!(
        statuses.contains(&200) && statuses.iter().filter(|s| **s == 200).count() == 1,
        "{statuses:?}"
    );
    let loser = if a.status() == 200 { b } else { a };
    let code = loser.json::<Value>().await.unwrap()["code"].clone();
    assert!(
        code == "proposal_changed" || code == "proposal_closed",
        "{code}"
    );
    assert_eq!(diplomas(&w, Staff).await, before + 1);
    let record: Value = ok(get(&w, Staff, "/api/v1/me/record").await).await;
    let added = record["education"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["graduation_year"] == 2024)
        .unwrap_or_else(|| panic!("{record}"));
    assert_eq!(added["level"], "s2");
    assert_eq!(added["diploma_number"], "UA/2024/0001");

    // The history: who proposed, who returned and verified, when, on what evidence.
    let done: Proposal = ok_as(get(&w, Staff, &path.replace("/me", "")).await).await;
    assert_eq!(done.status, ProposalStatus::Verified);
    assert_eq!(done.applied_entry_id, added["id"].as_i64());
    let actions: Vec<&str> = done.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec!["submitted", "returned", "resubmitted", "verified"]
    );
    assert_eq!(done.events[1].capacity, "fasilitator");
    assert!(done.events[3].by.is_some());

    // 5. The diploma is in the archive; the study permit offers it and passes completeness.
    let archive: Value = ok(get(&w, Staff, "/api/v1/me/archive").await).await;
    assert_eq!(archive[0]["kind"], "ijazah");
    assert_eq!(archive[0]["file"]["id"], json!(first.evidence[0].file.id));
    let form = json!({
        "level": "s2", "institution": "Universitas Airlangga", "programme": "Magister Administrasi Publik",
        "accreditation": "a", "relevance": "Mendukung tugas analis kebijakan kepegawaian",
        "study_period": period("2026-08-31", "2028-08-30"),
        "acceptance_letter": pdf_id(&w, Staff).await,
        "accreditation_certificate": pdf_id(&w, Staff).await,
        "last_diploma": [{ "archive": archive[0]["id"] }],
    });
    let q: Value = ok(post(
        &w,
        Staff,
        "/api/v1/services/izin_belajar/quote",
        &json!({"form": form}),
    )
    .await)
    .await;
    assert!(
        q["violations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["code"] != "record_incomplete"),
        "{q}"
    );
    let sent: Value = ok(abdi_tests::api::submit(&w, Staff, "izin_belajar", form).await).await;
    let named = &sent["form"]["last_diploma"][0];
    assert_eq!(named["archive"], archive[0]["id"]);
    assert_eq!(named["id"], archive[0]["file"]["id"]);
    // The fasilitator checking the permit reads the archived diploma; the archive keeps it.
    let file = get(
        &w,
        Fasilitator,
        &format!("/api/v1/attachments/{}", named["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(file.status(), 200);
    let archive: Value = ok(get(&w, Staff, "/api/v1/me/archive").await).await;
    assert_eq!(archive.as_array().unwrap().len(), 1);

    // A decree for the archive alone: once verified, the record no longer lacks it.
    let sk = json!({
        "section": "archive", "change": "add",
        "values": { "evidence_kind": "sk_cpns", "evidence": pdf_id(&w, Staff).await },
    });
    let p: Value = ok(propose(&w, Staff, &sk).await).await;
    assert_eq!(p["verifier"], "fasilitator");
    ok(review(&w, Fasilitator, &p, "verify", None).await).await;
    let c: Value = ok(get(&w, Staff, "/api/v1/me/completeness").await).await;
    let missing: Vec<&str> = c["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["item"].as_str().unwrap())
        .collect();
    assert!(
        !missing.contains(&"sk_cpns") && !missing.contains(&"ijazah"),
        "{c}"
    );
}

async fn confidential_fields_are_verified_by_administrators_only(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    let staff = w.ids[&Staff];
    let ktp = pdf_id(&w, Staff).await;
    let nik = "3578015203850002";
    let draft = json!({
        "section": "identity", "change": "correct",
        "values": { "nik": nik, "evidence_kind": "ktp", "evidence": ktp },
        "note": "NIK pada KTP elektronik",
    });
    // Another employee's NIK is refused at once, beside the field.
    let someone = employee::Entity::find_by_id(w.ids[&Other])
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap()
        .nik;
    let mut theirs = draft.clone();
    theirs["values"]["nik"] = json!(someone);
    theirs["values"]["evidence"] = pdf_id(&w, Staff).await;
    let refused = problem(propose(&w, Staff, &theirs).await, 422, "form_invalid").await;
    assert_eq!(refused["errors"][0]["code"], "nik_in_use", "{refused}");
    let p: Value = ok(propose(&w, Staff, &draft).await).await;
    assert_eq!(p["verifier"], "administrator");
    // Only the field that changes is shown beside its value.
    assert_eq!(
        p["current"].as_object().unwrap().keys().collect::<Vec<_>>(),
        vec!["nik"]
    );
    // The fasilitator does not see it in the queue and may not verify it.
    let queue: Value = ok(get(&w, Fasilitator, "/api/v1/proposals").await).await;
    assert!(
        queue["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["id"] != p["id"])
    );
    let refused = problem(
        review(&w, Fasilitator, &p, "verify", None).await,
        403,
        "forbidden",
    )
    .await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("administrator"),
        "{refused}"
    );
    let unchanged = employee::Entity::find_by_id(staff)
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(unchanged.nik, nik);
    let done: Value = ok(review(&w, Admin, &p, "verify", None).await).await;
    assert_eq!(done["status"], "verified");
    let after = employee::Entity::find_by_id(staff)
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.nik, nik);
    // The KTP went into the archive; a rejected proposal's evidence does not.
    let titles = json!({
        "section": "identity", "change": "correct",
        "values": { "back_title": "S.H.", "evidence_kind": "ijazah", "evidence": pdf_id(&w, Staff).await },
    });
    let t: Value = ok(propose(&w, Staff, &titles).await).await;
    assert_eq!(t["verifier"], "fasilitator");
    let rejected: Value =
        ok(review(&w, Fasilitator, &t, "reject", Some("Ijazah tidak sesuai")).await).await;
    assert_eq!(rejected["status"], "rejected");
    let archive: Value = ok(get(&w, Staff, "/api/v1/me/archive").await).await;
    let kinds: Vec<&str> = archive
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["ktp"]);
    // A decided proposal is closed.
    problem(
        review(&w, Admin, &rejected, "verify", None).await,
        409,
        "proposal_closed",
    )
    .await;
}

async fn the_monitoring_counts_what_waits_and_what_was_decided(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    // In BKD: one proposal waits, one was verified, one rejected.
    let waiting: Value =
        ok(propose(&w, Staff, &diploma("s1", 2010, pdf_id(&w, Staff).await)).await).await;
    let verified: Value =
        ok(propose(&w, Ibu, &diploma("s1", 2011, pdf_id(&w, Ibu).await)).await).await;
    ok(review(&w, Fasilitator, &verified, "verify", None).await).await;
    let rejected: Value = ok(propose(
        &w,
        Supervisor,
        &diploma("s1", 2012, pdf_id(&w, Supervisor).await),
    )
    .await)
    .await;
    ok(review(&w, Admin, &rejected, "reject", Some("Bukan ijazah")).await).await;
    // Elsewhere, one waits.
    ok(propose(&w, Other, &diploma("s1", 2013, pdf_id(&w, Other).await)).await).await;

    let query = "from=2026-07-01&to=2026-09-30";
    let report: MonitoringReport =
        ok_as(get(&w, Admin, &format!("/api/v1/proposals/monitoring?{query}")).await).await;
    let bkd = report.rows.iter().find(|r| r.unit_code == "BKD").unwrap();
    assert_eq!(
        (bkd.pending, bkd.verified, bkd.rejected),
        (1, 1, 1),
        "{bkd:?}"
    );
    assert_eq!(
        bkd.oldest_pending_since,
        Some(waiting["submitted_at"].as_str().unwrap().parse().unwrap())
    );
    let others: u32 = report
        .rows
        .iter()
        .filter(|r| r.unit_code != "BKD")
        .map(|r| r.pending)
        .sum();
    assert_eq!(others, 1);
    // The employees counted are the active ones of the unit and every unit below it.
    let in_bkd = active_in(&w, "BKD").await;
    assert_eq!(bkd.employees, in_bkd);
    // Nobody's record has every document yet: none is complete.
    assert_eq!(bkd.complete, 0);
    // A fasilitator sees their own perangkat daerah only.
    let theirs: MonitoringReport = ok_as(
        get(
            &w,
            Fasilitator,
            &format!("/api/v1/proposals/monitoring?{query}"),
        )
        .await,
    )
    .await;
    let codes: Vec<&str> = theirs.rows.iter().map(|r| r.unit_code.as_str()).collect();
    assert_eq!(codes, vec!["BKD"]);
    problem(
        get(&w, Staff, &format!("/api/v1/proposals/monitoring?{query}")).await,
        403,
        "forbidden",
    )
    .await;
    // The CSV for the quarterly report carries the same figures.
    let csv = get(
        &w,
        Admin,
        &format!("/api/v1/proposals/monitoring.csv?{query}"),
    )
    .await;
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("BKD,"))
        .unwrap_or_else(|| panic!("{text}"));
    let cells: Vec<&str> = line.split(',').collect();
    assert_eq!(cells[2], in_bkd.to_string());
    assert_eq!((cells[5], cells[7], cells[8]), ("1", "1", "1"), "{line}");
    // And the PDF for the administrator: the same figures, as pdftotext reads them.
    let pdf = get(
        &w,
        Admin,
        &format!("/api/v1/proposals/monitoring.pdf?{query}"),
    )
    .await;
    assert_eq!(pdf.status(), 200);
    let bytes = pdf.bytes().await.unwrap();
    // Kept beside the web's screenshots, to be looked at.
    let dir = abdi_tests::browser::screenshot_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let backend = sea_orm::ConnectionTrait::get_database_backend(&w.app.state.db);
    let file = dir.join(format!("monitoring-{}.pdf", backend.as_str()));
    std::fs::write(&file, &bytes).unwrap();
    if let Ok(keep) = std::env::var("ABDI_KEEP_LETTERS") {
        std::fs::write(format!("{keep}/pemantauan.pdf"), &bytes).unwrap();
    }
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", file.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("LAPORAN PEMANTAUAN PEMUTAKHIRAN DATA PEGAWAI"),
        "{text}"
    );
    assert!(
        text.contains("1 Juli 2026 s.d. 30 September 2026"),
        "{text}"
    );
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("BKD "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.contains(&in_bkd.to_string()), "{row}");
    // A period that ends before it starts is refused.
    problem(
        get(
            &w,
            Admin,
            "/api/v1/proposals/monitoring?from=2026-09-30&to=2026-07-01",
        )
        .await,
        422,
        "form_invalid",
    )
    .await;
}

/// Active employees of the unit `code` and every unit below it, counted here from the tables.
async fn active_in(w: &World, code: &str) -> u32 {
    use abdi_server::masterdata::entity::org_unit;
    let db = &w.app.state.db;
    let units = org_unit::Entity::find().all(db).await.unwrap();
    let root = units.iter().find(|u| u.code == code).unwrap().id;
    let mut inside = vec![root];
    loop {
        let more: Vec<_> = units
            .iter()
            .filter(|u| u.parent_id.is_some_and(|p| inside.contains(&p)) && !inside.contains(&u.id))
            .map(|u| u.id)
            .collect();
        if more.is_empty() {
            break;
        }
        inside.extend(more);
    }
    employee::Entity::find()
        .filter(employee::Column::Active.eq(true))
        .filter(employee::Column::UnitId.is_in(inside))
        .count(db)
        .await
        .unwrap() as u32
}

both_backends!(a_diploma_is_proposed_returned_corrected_verified_and_archived);
both_backends!(confidential_fields_are_verified_by_administrators_only);
both_backends!(the_monitoring_counts_what_waits_and_what_was_decided);

/// Through abdi-core, as the app would: the proposal is checked and queued on the phone
/// without a network, flushed once the network is back (exactly once, by its key), and once
/// verified the phone's archive and completeness show the diploma, offline, and a study
/// permit's form is filled from it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proposal_waits_on_the_phone_and_is_sent_once() {
    use abdi_core::{
        Client, ClientConfig, MemorySecureStore, QueueState, SESSION_KEY, SecureStore,
    };
    use abdi_proto::updates::{Change, ProposalDraft, Section};
    use abdi_server::updates::entity::record_proposal;
    use abdi_tests::proxy::Proxy;
    use std::sync::Arc;

    let (w, _clock) = at(Backend::Postgres, july_first()).await;
    let today = w.app.state.clock.today();
    let link = Proxy::start(w.app.addr.port()).await;
    let secure = Arc::new(MemorySecureStore::new());
    secure.set(SESSION_KEY, &w.tokens[&Staff]).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = ClientConfig::new(format!("http://127.0.0.1:{}", link.port));
    config.request_timeout = std::time::Duration::from_secs(10);
    config.connect_timeout = std::time::Duration::from_secs(2);
    config.retries = 0;
    let phone = Client::new(config, secure, dir.path(), None).unwrap();
    phone.my_record().await.unwrap();

    // Offline: the link leads nowhere (and what it held open goes silent).
    link.blackhole_open_connections();
    link.retarget(1);
    let values: abdi_proto::forms::FormValues = serde_json::from_value(json!({
        "level": "s2", "institution": "Universitas Airlangga", "graduation_year": 2024,
        "evidence_kind": "ijazah",
    }))
    .unwrap();
    let draft = ProposalDraft {
        section: Section::Education,
        change: Change::Add,
        entry_id: None,
        values,
        note: None,
    };
    // Without its scan it is refused on the phone, naming the field.
    let err = phone
        .enqueue_proposal(draft.clone(), vec![], today)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, abdi_core::CoreError::FormInvalid(e) if e.iter().any(|f| f.field == "evidence")),
        "{err:?}"
    );
    let queued = phone
        .enqueue_proposal(
            draft,
            vec![("ijazah.pdf".into(), abdi_tests::forms::pdf())],
            today,
        )
        .await
        .unwrap();
    let out = phone.flush().await.unwrap();
    assert_eq!(out[0].state, QueueState::Pending);
    assert!(out[0].error.as_ref().unwrap().is_transient());
    let proposals = || async {
        record_proposal::Entity::find()
            .filter(record_proposal::Column::EmployeeId.eq(w.ids[&Staff]))
            .count(&w.app.state.db)
            .await
            .unwrap()
    };
    assert_eq!(proposals().await, 0);

    // Back online: sent once; a second flush has nothing to send.
    link.retarget(w.app.addr.port());
    let out = phone.flush().await.unwrap();
    let QueueState::Proposed { proposal_id, .. } = out[0].state.clone() else {
        panic!("not sent: {out:?}");
    };
    assert_eq!(out[0].id, queued.id);
    assert!(phone.flush().await.unwrap().is_empty());
    assert_eq!(proposals().await, 1);
    let mine = phone.my_proposals().await.unwrap();
    assert_eq!(mine.items[0].id, proposal_id);
    assert_eq!(mine.items[0].evidence[0].file.name, "ijazah.pdf");

    // Verified at the desk; the phone's archive and completeness follow, offline too.
    let p: Value =
        ok(get(&w, Fasilitator, &format!("/api/v1/proposals/{proposal_id}")).await).await;
    ok(review(&w, Fasilitator, &p, "verify", None).await).await;
    phone.my_record().await.unwrap();
    let archive = phone.my_archive().await.unwrap();
    assert_eq!(archive[0].kind, abdi_proto::archive::ArchiveKind::Ijazah);
    link.blackhole_open_connections();
    link.retarget(1);
    let c = phone.completeness().await.unwrap();
    assert!(c.missing.iter().all(|m| m.item != "ijazah"), "{c:?}");
    let server: Value = ok(get(&w, Staff, "/api/v1/me/completeness").await).await;
    assert_eq!(
        json!(c.percent),
        server["percent"],
        "the phone and the server agree"
    );
    let permit: abdi_proto::services::ServiceDefinition =
        ok_as(get(&w, Staff, "/api/v1/services/izin_belajar").await).await;
    let offered =
        abdi_proto::updates::offer(&permit.spec.form, &phone.cached_archive().await.unwrap());
    assert_eq!(offered["last_diploma"][0]["archive"], json!(archive[0].id));
}
