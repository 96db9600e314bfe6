//! Promotion end to end against the BKN stand-in: a unit where three are due and two are not,
//! the candidate list exactly right (and the phone's own outlook, offline, the same as the
//! server's), proposals assembled from the archive and verified, the batch to BKN through a
//! 503 with Retry-After and expired tokens, one returned BTS and sent again in the next
//! period, two Perteks, both SKs signed by the PYBMC in one batch with one step-up, pdfsig and
//! pyHanko finding them intact, uploaded back, and the ranks changing on the TMT by the manual
//! clock. Also: a worker that dies between sending and recording leaves one proposal at BKN,
//! and a Plt of the PYBMC's post can neither decide nor sign an SK.

use std::sync::Arc;

use abdi_core::{Client, ClientConfig, MemorySecureStore, SESSION_KEY, SecureStore};
use abdi_proto::agency::ActingKind;
use abdi_proto::notifications::NotificationKind;
use abdi_proto::promotion::{CandidateStanding, PromotionOutlook, PromotionStatus, ProposalView};
use abdi_proto::services::Outcome;
use abdi_server::clock::ManualClock;
use abdi_server::config::SignerBackend;
use abdi_server::masterdata::entity::{
    archive_document, employee, org_unit, performance_rating, rank_history,
};
use abdi_server::notifications::entity::event;
use abdi_server::promotion::entity::proposal;
use abdi_server::services::entity::attachment;
use abdi_tests::api::{decide, decision, get, ok, ok_as, post, problem, verify, version, view};
use abdi_tests::bkn::BknPeer;
use abdi_tests::esign::{self, EsignPeer};
use abdi_tests::world::{
    Who::*, World, acting, holder, session_for, step_up, step_up_session, world_with,
};
use abdi_tests::{Backend, both_backends};
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use sha2::Digest;
use uuid::Uuid;

use crate::documents::{batch, documents_of, download, sign, validators};

const PASSPHRASE: &str = "rahasia-kepala";
const APRIL: &str = "2027-04-01";
const MAY: &str = "2027-05-01";

/// Tuesday 2 March 2027, 08:00 in Jakarta.
fn march_second() -> DateTime<Utc> {
    "2027-03-02T01:00:00Z".parse().unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The world with a BKN stand-in and a BSrE-style signer (the SKs wait for the PYBMC's
/// signature), on a manual clock.
struct Kp {
    w: World,
    clock: ManualClock,
    bkn: BknPeer,
    _esign: EsignPeer,
    root: std::path::PathBuf,
    dir: tempfile::TempDir,
    /// The new unit's id.
    unit: Uuid,
}

async fn kp(backend: Backend) -> Kp {
    let bkn = BknPeer::start().await;
    let esign = EsignPeer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("bsre-root.pem");
    std::fs::write(&root, &esign.root_pem).unwrap();
    let clock = ManualClock::at(march_second());
    let (url, root_file, bkn_config) = (esign.url.clone(), root.clone(), bkn.config());
    let w = world_with(backend, Some(clock.clone()), move |c| {
        c.documents.signer = SignerBackend::Remote;
        c.documents.remote_url = url;
        c.documents.remote_username = esign::USERNAME.into();
        c.documents.remote_password = Some(abdi_server::config::Secret::new(esign::PASSWORD));
        c.documents.trust_roots = vec![root_file];
        c.promotion.bkn = Some(bkn_config);
        c.promotion.poll_secs = 60;
        c.promotion.lease_secs = 120;
        c.promotion.backoff_base_ms = 10_000;
    })
    .await;
    let head = employee::Entity::find_by_id(w.ids[&Head])
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    esign.register(&head.nik, &head.full_name(), &head.nip, PASSPHRASE);
    // A new unit under the BKD, covered by its fasilitator; its head is the PYBMC.
    let db = &w.app.state.db;
    let parent = org_unit::Entity::find()
        .filter(org_unit::Column::Code.eq("BKD-U001"))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .parent_id;
    let unit = Uuid::new_v4();
    org_unit::Entity::insert(org_unit::ActiveModel {
        id: Set(unit),
        code: Set("BKD-KP".into()),
        name: Set("Subbidang Kepangkatan".into()),
        level: Set("unit_kerja".into()),
        parent_id: Set(parent),
        created_at: Set(Utc::now()),
        closed_on: Set(None),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    Kp {
        w,
        clock,
        bkn,
        _esign: esign,
        root,
        dir,
        unit,
    }
}

/// A PNS of the unit at `rank` since `tmt`, with an S1, Baik in 2025 and 2026, and their last
/// rank's SK in the archive (the diploma only when `diploma`).
async fn pns(kp: &Kp, nip: &str, name: &str, rank: &str, tmt: &str, diploma: bool) -> Uuid {
    let db = &kp.w.app.state.db;
    let id = Uuid::new_v4();
    let now = kp.clock_now();
    employee::Entity::insert(employee::ActiveModel {
        id: Set(id),
        nip: Set(nip.into()),
        nik: Set(format!("3578{}", &nip[..12])),
        front_title: Set(None),
        name: Set(name.into()),
        back_title: Set(Some("S.E.".into())),
        gender: Set("male".into()),
        birth_place: Set("Surabaya".into()),
        birth_date: Set(day(&format!("{}-{}-{}", &nip[..4], &nip[4..6], &nip[6..8]))),
        employment_type: Set("pns".into()),
        rank_code: Set(Some(rank.into())),
        rank_tmt: Set(Some(day(tmt))),
        tmt_cpns: Set(Some(day("2015-01-01"))),
        tmt_pns: Set(Some(day("2016-01-01"))),
        education_level: Set("s1".into()),
        unit_id: Set(kp.unit),
        position_id: Set(None),
        email: Set(Some(format!("{}@jatimprov.go.id", nip))),
        phone: Set(None),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    for (year, rating) in [(2025, "baik"), (2026, "baik")] {
        performance_rating::Entity::insert(performance_rating::ActiveModel {
            employee_id: Set(id),
            year: Set(year),
            rating: Set(rating.into()),
            ..Default::default()
        })
        .exec_without_returning(db)
        .await
        .unwrap();
    }
    archive(kp, id, "sk_pangkat").await;
    if diploma {
        archive(kp, id, "ijazah").await;
    }
    kp.bkn.knows(nip, name);
    id
}

impl Kp {
    fn clock_now(&self) -> DateTime<Utc> {
        use abdi_server::clock::Clock;
        self.clock.now()
    }

    async fn tick(&self) -> abdi_server::promotion::TickReport {
        self.w.app.state.promotion.tick().await.unwrap()
    }

    async fn proposal(&self, id: &str) -> ProposalView {
        ok_as(
            get(
                &self.w,
                Fasilitator,
                &format!("/api/v1/promotion/proposals/{id}"),
            )
            .await,
        )
        .await
    }
}

/// A verified document of `kind` in the employee's archive (a small PDF in the object store).
async fn archive(kp: &Kp, employee_id: Uuid, kind: &str) {
    let db = &kp.w.app.state.db;
    let bytes = format!("%PDF-1.4\n% {kind} of {employee_id}\n%%EOF\n").into_bytes();
    let key = format!("archive/{employee_id}/{kind}-{}.pdf", Uuid::new_v4());
    kp.w.app
        .state
        .services
        .objects
        .put_bytes(&key, Bytes::from(bytes.clone()))
        .await
        .unwrap();
    let attachment_id = Uuid::new_v4();
    attachment::Entity::insert(attachment::ActiveModel {
        id: Set(attachment_id),
        owner_id: Set(employee_id),
        request_id: Set(None),
        proposal_id: Set(None),
        name: Set(format!("{kind}.pdf")),
        content_type: Set("application/pdf".into()),
        size: Set(bytes.len() as i64),
        sha256: Set(hex::encode(sha2::Sha256::digest(&bytes))),
        storage_key: Set(key),
        created_at: Set(kp.clock_now()),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    archive_document::Entity::insert(archive_document::ActiveModel {
        id: Set(Uuid::new_v4()),
        employee_id: Set(employee_id),
        kind: Set(kind.into()),
        attachment_id: Set(attachment_id),
        proposal_id: Set(None),
        verified_by: Set(Some(kp.w.ids[&Fasilitator])),
        verified_at: Set(kp.clock_now()),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
}

async fn propose(kp: &Kp, nip: &str, period: &str) -> reqwest::Response {
    post(
        &kp.w,
        Fasilitator,
        "/api/v1/promotion/proposals",
        &json!({ "nip": nip, "period": period }),
    )
    .await
}

/// Proposed and verified by the fasilitator.
async fn proposed(kp: &Kp, nip: &str, period: &str) -> ProposalView {
    let p: ProposalView = ok_as(propose(kp, nip, period).await).await;
    assert_eq!(p.status, PromotionStatus::Draft);
    ok_as(
        post(
            &kp.w,
            Fasilitator,
            &format!("/api/v1/promotion/proposals/{}/verify", p.id),
            &json!({ "version": p.version }),
        )
        .await,
    )
    .await
}

async fn send_batch(kp: &Kp, period: &str) -> Value {
    step_up(&kp.w, Admin).await;
    ok(post(
        &kp.w,
        Admin,
        "/api/v1/promotion/batches",
        &json!({ "period": period }),
    )
    .await)
    .await
}

/// A phone of the employee `id`, signed in.
async fn phone(kp: &Kp, token: &str) -> (Client, tempfile::TempDir) {
    let secure = Arc::new(MemorySecureStore::new());
    secure.set(SESSION_KEY, token).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = ClientConfig::new(&kp.w.app.base);
    config.request_timeout = std::time::Duration::from_secs(10);
    config.retries = 1;
    (Client::new(config, secure, dir.path(), None).unwrap(), dir)
}

async fn promotion_events(kp: &Kp, employee_id: Uuid) -> Vec<String> {
    event::Entity::find()
        .filter(event::Column::EmployeeId.eq(employee_id))
        .filter(event::Column::Kind.eq(NotificationKind::Promotion))
        .all(&kp.w.app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.title_id)
        .collect()
}

const A: &str = "199001012015011001";
const B: &str = "199002022015011002";
const C: &str = "199003032015011003";
const D: &str = "199004042015011004";
const E: &str = "199005052015011005";

async fn a_promotion_goes_from_the_candidate_list_to_the_new_rank(backend: Backend) {
    let kp = kp(backend).await;
    let w = &kp.w;
    let a = pns(&kp, A, "Adi Nugroho", "III/a", "2023-04-01", true).await;
    let b = pns(&kp, B, "Budi Santoso", "III/a", "2023-04-01", true).await;
    let c = pns(&kp, C, "Citra Lestari", "III/a", "2023-04-01", false).await;
    let d = pns(&kp, D, "Dewi Anggraini", "III/a", "2024-04-01", true).await;
    pns(&kp, E, "Eko Prasetyo", "II/b", "2025-04-01", true).await;

    // The candidate list of April for the unit: exactly the three due, and what C lacks.
    let path = format!(
        "/api/v1/promotion/candidates?period={APRIL}&unit={}",
        kp.unit
    );
    let list = ok(get(w, Fasilitator, &path).await).await;
    assert_eq!(list["judged"], 5, "{list}");
    let rows = list["candidates"].as_array().unwrap();
    let nips: Vec<&str> = rows
        .iter()
        .map(|r| r["employee"]["nip"].as_str().unwrap())
        .collect();
    assert_eq!(nips, [A, B, C], "{list}");
    for r in &rows[..2] {
        assert_eq!(r["candidacy"]["standing"], "ready", "{r}");
        assert_eq!(r["candidacy"]["new_rank"], "III/b");
        assert_eq!(r["candidacy"]["kind"], "regular");
    }
    assert_eq!(rows[2]["candidacy"]["standing"], "lacking", "{}", rows[2]);
    assert_eq!(rows[2]["candidacy"]["lacks"][0]["code"], "document_missing");
    assert_eq!(
        rows[2]["candidacy"]["lacks"][0]["seen"][0]["value"],
        "ijazah"
    );
    // Not a period, not a desk, someone else's unit: clear refusals.
    problem(
        get(
            w,
            Fasilitator,
            "/api/v1/promotion/candidates?period=2027-04-02",
        )
        .await,
        422,
        "promotion_period_invalid",
    )
    .await;
    problem(get(w, Staff, &path).await, 403, "forbidden").await;
    let theirs = ok(get(
        w,
        OtherFasilitator,
        &format!("/api/v1/promotion/candidates?period={APRIL}"),
    )
    .await)
    .await;
    assert!(
        !theirs.to_string().contains(A),
        "another perangkat daerah's fasilitator sees none of the BKD's"
    );

    // The desk's page of the period says the same, for the fasilitator in a browser session.
    let page = web_page(w, Fasilitator, &format!("/desk/promotion?period={APRIL}")).await;
    for (nip, standing) in [(A, "ready"), (B, "ready"), (C, "lacking")] {
        assert!(
            page.contains(&format!("data-nip=\"{nip}\" data-standing=\"{standing}\"")),
            "{nip} {standing}: {page}"
        );
    }
    assert!(!page.contains(D) && !page.contains(E), "{page}");
    assert!(page.contains("Ijazah belum ada di arsip."), "{page}");

    // The employees' own outlook, on the phone offline, as the server says it.
    for (who, nip) in [(a, A), (d, D)] {
        let token = session_for(&w.app, who).await;
        let (phone, _dir) = phone(&kp, &token).await;
        phone.promotion_policy().await.unwrap();
        phone.my_record().await.unwrap();
        phone.my_archive().await.unwrap();
        let offline = phone.promotion_outlook(day("2027-03-02")).await.unwrap();
        let online: PromotionOutlook = ok_as(
            w.app
                .client
                .get(w.app.url("/api/v1/me/promotion"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(offline, online, "{nip}");
        let c = offline.candidacy.unwrap();
        if nip == A {
            assert_eq!(
                (c.period, c.standing),
                (day(APRIL), CandidateStanding::Ready)
            );
        } else {
            // D is due a year later, and is told so.
            assert_eq!(c.due_on, Some(day("2028-04-01")), "{c:?}");
            assert_eq!(c.period, day("2028-04-01"));
        }
    }

    // Proposals: D is not due (with the months seen); C once the diploma is archived.
    let refused = problem(propose(&kp, D, APRIL).await, 422, "promotion_not_eligible").await;
    assert_eq!(refused["errors"][0]["code"], "years_in_rank", "{refused}");
    assert_eq!(refused["errors"][0]["seen"][0]["value"], 36.0, "{refused}");
    problem(propose(&kp, C, APRIL).await, 422, "promotion_not_eligible").await;
    archive(&kp, c, "ijazah").await;
    let pa = proposed(&kp, A, APRIL).await;
    let pb = proposed(&kp, B, APRIL).await;
    let pc = proposed(&kp, C, APRIL).await;
    assert_eq!(pa.status, PromotionStatus::Verified);
    assert_eq!(pa.documents.len(), 2, "{pa:?}");
    problem(propose(&kp, A, MAY).await, 409, "promotion_exists").await;

    // The batch: only an administrator, with a step-up.
    problem(
        post(
            w,
            Fasilitator,
            "/api/v1/promotion/batches",
            &json!({ "period": APRIL }),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    problem(
        post(
            w,
            Admin,
            "/api/v1/promotion/batches",
            &json!({ "period": APRIL }),
        )
        .await,
        403,
        "step_up_required",
    )
    .await;
    let page = web_page(w, Admin, &format!("/desk/promotion?period={APRIL}")).await;
    assert!(
        page.contains("/desk/promotion/batches"),
        "the administrator's batch: {page}"
    );
    assert!(
        !web_page(w, Fasilitator, &format!("/desk/promotion?period={APRIL}"))
            .await
            .contains("/desk/promotion/batches"),
        "the batch is the administrator's"
    );
    assert_eq!(send_batch(&kp, APRIL).await["queued"], 3);

    // BKN answers the first call 503 with Retry-After: that proposal waits 120 s, the others go.
    kp.bkn.fail_next(1, 503, Some(120));
    let r = kp.tick().await;
    assert_eq!((r.sent, r.retried), (2, 1), "{r:?}");
    let retried: Vec<ProposalView> = {
        let mut v = Vec::new();
        for p in [&pa, &pb, &pc] {
            v.push(kp.proposal(&p.id.to_string()).await);
        }
        v
    };
    let late = retried
        .iter()
        .find(|p| p.status == PromotionStatus::Sending)
        .unwrap();
    assert_eq!(late.attempts, 1);
    assert_eq!(
        late.next_attempt_at,
        Some(kp.clock_now() + chrono::Duration::seconds(120))
    );
    // Not before BKN said.
    kp.clock.advance(std::time::Duration::from_secs(60));
    assert_eq!(kp.tick().await.sent, 0);
    kp.clock.advance(std::time::Duration::from_secs(61));
    assert_eq!(kp.tick().await.sent, 1);
    assert_eq!(kp.bkn.proposals().len(), 3);

    // BKN's answers, read through expired tokens: B returned (BTS), A and C their Pertek.
    kp.bkn.bts(
        B,
        &["Ijazah tidak terbaca", "SK pangkat terakhir tidak sesuai"],
    );
    kp.bkn
        .pertek(A, "PG-26300001", "2027-03-05", APRIL, 3_208_100);
    kp.bkn
        .pertek(C, "PG-26300002", "2027-03-05", APRIL, 3_208_100);
    kp.bkn.expire_tokens();
    kp.clock.advance(std::time::Duration::from_secs(61));
    let r = kp.tick().await;
    assert_eq!((r.answered, r.returned, r.filed), (2, 1, 2), "{r:?}");
    let b_now = kp.proposal(&pb.id.to_string()).await;
    assert_eq!(b_now.status, PromotionStatus::Returned);
    assert_eq!(
        b_now.reasons,
        ["Ijazah tidak terbaca", "SK pangkat terakhir tidak sesuai"]
    );
    let a_now = kp.proposal(&pa.id.to_string()).await;
    assert_eq!(a_now.status, PromotionStatus::Pertek);
    let pertek = a_now.pertek.clone().unwrap();
    assert_eq!(
        (
            pertek.number.as_str(),
            pertek.tmt,
            pertek.new_rank.to_string()
        ),
        ("PG-26300001", day(APRIL), "III/b".to_owned())
    );
    // The fasilitator and B are told of the return, with BKN's reasons.
    let told = promotion_events(&kp, w.ids[&Fasilitator]).await;
    assert!(
        told.iter().any(|t| t.contains("dikembalikan BKN")),
        "{told:?}"
    );
    assert!(
        promotion_events(&kp, b)
            .await
            .iter()
            .any(|t| t.contains("dikembalikan"))
    );

    // The exchange log shows the 503 and the refused token, for administrators only.
    let log = ok(get(w, Admin, "/api/v1/promotion/exchanges?limit=1000").await).await;
    let log = log.as_array().unwrap();
    assert!(
        log.iter()
            .any(|x| x["status"] == 503 && x["outcome"] == "retry"),
        "{log:?}"
    );
    assert!(
        log.iter()
            .any(|x| x["status"] == 401 && x["outcome"] == "retry"),
        "{log:?}"
    );
    assert!(
        log.iter()
            .any(|x| x["operation"] == "submit" && x["status"] == 200)
    );
    problem(
        get(w, Fasilitator, "/api/v1/promotion/exchanges").await,
        403,
        "forbidden",
    )
    .await;

    // B corrected and proposed again for May: a new proposal, sent in May's batch.
    archive(&kp, b, "ijazah").await;
    let pb2 = proposed(&kp, B, MAY).await;
    assert_eq!(send_batch(&kp, MAY).await["queued"], 1);
    assert_eq!(kp.tick().await.sent, 1);
    assert_eq!(
        kp.proposal(&pb2.id.to_string()).await.status,
        PromotionStatus::Sent
    );
    assert_eq!(
        kp.bkn.proposals().iter().filter(|u| u.nip == B).count(),
        2,
        "April's and May's"
    );

    // The PYBMC decides both SKs and signs them in one batch, with one step-up.
    let requests = [request_of(&kp, pa.id).await, request_of(&kp, pc.id).await];
    let mut docs = Vec::new();
    for id in &requests {
        let req = view(w, Head, id).await;
        assert_eq!(req["service"], "kenaikan_pangkat", "{req}");
        // The fasilitator checks the SK's data first.
        let req = verify(w, id, version(&req)).await;
        step_up(w, Head).await;
        let v = ok(decide(w, Head, id, &decision(version(&req), Outcome::Disetujui)).await).await;
        assert_eq!(v["status"], "decided", "{v}");
        let d = &documents_of(w, Head, id).await[0];
        assert_eq!(d["status"], "awaiting_signature", "{d}");
        docs.push(d["id"].as_str().unwrap().parse::<Uuid>().unwrap());
    }
    kp.clock.advance(std::time::Duration::from_secs(6 * 60));
    step_up(w, Head).await;
    let signed = ok(sign(w, Head, &batch(&docs, Some(PASSPHRASE))).await).await;
    assert_eq!(signed["signed"].as_array().unwrap().len(), 2, "{signed}");

    // pdfsig and pyHanko find each SK intact; it says what DOMAIN.md's layout says.
    for d in &docs {
        let pdf = download(w, Head, &d.to_string())
            .await
            .bytes()
            .await
            .unwrap();
        let file = kp.dir.path().join(format!("sk-{d}.pdf"));
        std::fs::write(&file, &pdf).unwrap();
        let (pdfsig, (code, pyhanko)) = validators(kp.dir.path(), &kp.root, &file);
        assert!(
            pdfsig.contains("Signature is Valid") && pdfsig.contains("Certificate is Trusted"),
            "{pdfsig}"
        );
        assert_eq!(code, 0, "{pyhanko}");
        assert!(pyhanko.contains("INTACT"), "{pyhanko}");
        let text = crate::documents::run("pdftotext", &["-layout", file.to_str().unwrap(), "-"]).1;
        for words in [
            "KENAIKAN PANGKAT PEGAWAI NEGERI SIPIL",
            "Menimbang",
            "Mengingat",
            "Memperhatikan",
            "PG-2630000",
            "KESATU",
            "KEDUA",
            "Penata Muda Tingkat I (III/b)",
            "1 April 2027",
            "Rp3.208.100,00",
            "Taspen",
        ] {
            assert!(text.contains(words), "{words} is not in the SK:\n{text}");
        }
    }

    // Uploaded back to BKN with the SK's number.
    let r = kp.tick().await;
    assert_eq!(r.uploaded, 2, "{r:?}");
    for (nip, p) in [(A, &pa), (C, &pc)] {
        let at_bkn = kp
            .bkn
            .proposals()
            .into_iter()
            .find(|u| u.nip == nip)
            .unwrap();
        assert!(at_bkn.sk_file.as_ref().unwrap().starts_with(b"%PDF"));
        let sk = &documents_of(w, Head, &request_of(&kp, p.id).await).await[0];
        assert_eq!(at_bkn.no_sk.as_deref(), sk["number"].as_str());
        assert_eq!(
            kp.proposal(&p.id.to_string()).await.status,
            PromotionStatus::Uploaded
        );
    }

    // The rank changes on the TMT, not before.
    assert_eq!(kp.tick().await.effective, 0);
    let db = &w.app.state.db;
    assert_eq!(
        employee::Entity::find_by_id(a)
            .one(db)
            .await
            .unwrap()
            .unwrap()
            .rank_code
            .as_deref(),
        Some("III/a")
    );
    let tmt: DateTime<Utc> = "2027-04-01T01:00:00Z".parse().unwrap();
    kp.clock.advance((tmt - kp.clock_now()).to_std().unwrap());
    assert_eq!(kp.tick().await.effective, 2);
    for id in [a, c] {
        let e = employee::Entity::find_by_id(id)
            .one(db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (e.rank_code.as_deref(), e.rank_tmt),
            (Some("III/b"), Some(day(APRIL)))
        );
        let history = rank_history::Entity::find()
            .filter(rank_history::Column::EmployeeId.eq(id))
            .all(db)
            .await
            .unwrap();
        assert!(
            history
                .iter()
                .any(|h| h.rank_code == "III/b" && h.tmt == day(APRIL)),
            "{history:?}"
        );
    }
    let b_rank = employee::Entity::find_by_id(b)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        b_rank.rank_code.as_deref(),
        Some("III/a"),
        "B waits for May's answer"
    );
    // A was told at every step: sent, Pertek, the new rank.
    let told = promotion_events(&kp, a).await;
    assert_eq!(told.len(), 3, "{told:?}");
    assert_eq!(kp.tick().await, Default::default(), "nothing is done twice");
}

both_backends!(a_promotion_goes_from_the_candidate_list_to_the_new_rank);

/// A page of the web as `who` sees it with their session's cookie.
async fn web_page(w: &World, who: abdi_tests::world::Who, path: &str) -> String {
    let r = w
        .app
        .client
        .get(w.app.url(path))
        .header("cookie", format!("__Host-abdi_session={}", w.tokens[&who]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

/// The SK request filed for a proposal (its Pertek is in).
async fn request_of(kp: &Kp, proposal_id: Uuid) -> String {
    proposal::Entity::find_by_id(proposal_id)
        .one(&kp.w.app.state.db)
        .await
        .unwrap()
        .unwrap()
        .request_id
        .unwrap()
        .to_string()
}

async fn a_worker_dying_after_sending_leaves_one_proposal_at_bkn(backend: Backend) {
    let kp = kp(backend).await;
    pns(&kp, A, "Adi Nugroho", "III/a", "2023-04-01", true).await;
    let p = proposed(&kp, A, APRIL).await;
    send_batch(&kp, APRIL).await;

    // BKN takes the proposal and the answer never comes; the worker dies waiting.
    kp.bkn.hold_submissions(true);
    let promotion = kp.w.app.state.promotion.clone();
    let worker = tokio::spawn(async move { promotion.tick().await });
    for _ in 0..500 {
        if !kp.bkn.proposals().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(kp.bkn.proposals().len(), 1, "BKN took it");
    worker.abort();
    let _ = worker.await;
    let row = kp.proposal(&p.id.to_string()).await;
    assert_eq!(row.status, PromotionStatus::Sending, "nothing was recorded");
    assert!(row.bkn_id.is_none());

    // Another worker, before the lease ends: it leaves the proposal alone.
    kp.bkn.hold_submissions(false);
    assert_eq!(kp.tick().await.sent, 0);
    // After the lease: it finds BKN's proposal and takes it, sending nothing again.
    kp.clock.advance(std::time::Duration::from_secs(121));
    assert_eq!(kp.tick().await.sent, 1);
    let at_bkn = kp.bkn.proposals();
    assert_eq!(at_bkn.len(), 1, "{at_bkn:?}");
    let row = kp.proposal(&p.id.to_string()).await;
    assert_eq!(row.status, PromotionStatus::Sent);
    assert_eq!(row.bkn_id.as_deref(), Some(at_bkn[0].id.as_str()));
    let submits = kp
        .bkn
        .calls()
        .iter()
        .filter(|(c, _)| c == "POST kp/usulan")
        .count();
    assert_eq!(submits, 1, "{:?}", kp.bkn.calls());
    let log = ok(get(
        &kp.w,
        Admin,
        &format!("/api/v1/promotion/exchanges?proposal={}", p.id),
    )
    .await)
    .await;
    assert!(log.to_string().contains("already holds"), "{log}");
}

both_backends!(a_worker_dying_after_sending_leaves_one_proposal_at_bkn);

async fn a_plt_can_neither_decide_nor_sign_an_sk(backend: Backend) {
    let kp = kp(backend).await;
    let w = &kp.w;
    pns(&kp, A, "Adi Nugroho", "III/a", "2023-04-01", true).await;
    let p = proposed(&kp, A, APRIL).await;
    send_batch(&kp, APRIL).await;
    assert_eq!(kp.tick().await.sent, 1);
    kp.bkn
        .pertek(A, "PG-26300009", "2027-03-05", APRIL, 3_208_100);
    kp.clock.advance(std::time::Duration::from_secs(61));
    assert_eq!(kp.tick().await.filed, 1);
    let request = request_of(&kp, p.id).await;

    // A Plt of the head's post, inside the letter's window.
    let (_, head_post) = holder(&w.app, "BKD-KEPALA").await;
    let plt = w.ids[&ActingNow];
    acting(
        w,
        plt,
        head_post,
        ActingKind::Plt,
        day("2027-03-01"),
        day("2027-03-31"),
    )
    .await;
    step_up(w, ActingNow).await;
    let req = view(w, Head, &request).await;
    let req = verify(w, &request, version(&req)).await;
    problem(
        decide(
            w,
            ActingNow,
            &request,
            &decision(version(&req), Outcome::Disetujui),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    // The head decides; the letter waits for the head alone.
    step_up(w, Head).await;
    ok(decide(
        w,
        Head,
        &request,
        &decision(version(&req), Outcome::Disetujui),
    )
    .await)
    .await;
    let doc: Uuid = documents_of(w, Head, &request).await[0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    step_up_session(&w.app, &w.tokens[&ActingNow]).await;
    problem(
        sign(w, ActingNow, &batch(&[doc], Some(PASSPHRASE))).await,
        409,
        "document_not_signable",
    )
    .await;
    let waiting: Vec<Value> =
        ok_as(get(w, ActingNow, "/api/v1/documents/awaiting-signature").await).await;
    assert!(waiting.is_empty(), "{waiting:?}");
    assert_eq!(
        documents_of(w, Head, &request).await[0]["status"],
        "awaiting_signature"
    );
}

both_backends!(a_plt_can_neither_decide_nor_sign_an_sk);
