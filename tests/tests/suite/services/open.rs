//! The open catalogue: a service an administrator defines as data, explained offline on the
//! phone (abdi-core) in the server's own words, then granted and signed; a disciplinary case
//! written into the record that a study permit then reads; and the server and the phone
//! agreeing on random conditions over random records.

use std::sync::Arc;

use abdi_core::{Client, ClientConfig, MemorySecureStore, QueueState, SESSION_KEY, SecureStore};
use abdi_proto::eligibility::{Eligibility, Evaluation};
use abdi_server::masterdata::entity::{family_member, salary_history, training_history};
use abdi_server::reference::entity::holiday;
use abdi_tests::api::through_chain;
use abdi_tests::world::{IBU_NIP, STAFF_NIP};

use super::*;

/// A phone of `who`, signed in with their session.
async fn phone(w: &World, who: Who) -> (Client, tempfile::TempDir) {
    let secure = Arc::new(MemorySecureStore::new());
    secure.set(SESSION_KEY, &w.tokens[&who]).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = ClientConfig::new(&w.app.base);
    config.request_timeout = std::time::Duration::from_secs(10);
    config.retries = 1;
    let client = Client::new(config, secure, dir.path(), None).unwrap();
    (client, dir)
}

/// "Surat Keterangan Aktif Bekerja": one year of service and an active status, a statement
/// signed by the head of the perangkat daerah after the fasilitator and the atasan.
fn active_employment() -> Value {
    json!({
        "code": "sk_aktif_bekerja",
        "note": "Keputusan Kepala BKD Nomor 800/15/2026",
        "spec": {
            "name": { "id": "Surat Keterangan Aktif Bekerja", "en": "Certificate of active employment" },
            "output_document": "surat_keterangan",
            "state": "active",
            "sop_version": "BKD-SOP-SKAB-2026.1",
            "sop": { "id": "Bagi ASN yang masih aktif bekerja, paling sedikit 1 tahun.", "en": "For ASN still in service, for at least a year." },
            "decree": "800/15/2026",
            "chain": [
                { "kind": "verification", "by": "fasilitator" },
                { "kind": "recommendation", "by": "atasan_langsung" },
                { "kind": "decision", "by": "pybmc" }
            ],
            "form": { "version": 1, "fields": [
                { "name": "purpose", "label": { "id": "Keperluan", "en": "Purpose" },
                  "kind": { "type": "text", "min_len": 5, "max_len": 300 }, "required": { "when": "always" } }
            ] },
            "eligibility": { "version": 1, "params": { "min_years": 1.0 }, "conditions": [
                { "code": "service_years",
                  "text": { "id": "Masa kerja {seen} dari {need} tahun.", "en": "{seen} of {need} years of service." },
                  "test": { "op": "compare", "cmp": "ge",
                            "left": { "of": "years", "from": { "day": "service_start" }, "to": { "day": "today" } },
                            "right": { "of": "param", "name": "min_years" } } },
                { "code": "not_in_service",
                  "text": { "id": "Hanya untuk PNS dan PPPK (status: {seen}).", "en": "Only for PNS and PPPK (status: {seen})." },
                  "test": { "op": "one_of", "word": { "of": "employment_type" }, "values": ["pns", "pppk"] } }
            ] },
            "letter": {
                "title": "Surat Keterangan Aktif Bekerja",
                "decisions": [
                    "adalah {employee_kind} yang masih aktif bekerja pada {unit} sejak {tmt_cpns};",
                    "surat keterangan ini diberikan untuk keperluan {form.purpose}."
                ]
            }
        }
    })
}

async fn an_administrator_adds_a_service_that_the_phone_explains_and_the_official_signs(
    backend: Backend,
) {
    let (w, _clock) = at(backend, july_first()).await;
    let today = d("2026-07-01");
    let path = "/api/v1/admin/services";
    let service = active_employment();

    // A new service is a decree: a fresh step-up, and only for administrators.
    problem(
        post(&w, Admin, path, &service).await,
        403,
        "step_up_required",
    )
    .await;
    step_up(&w, Staff).await;
    problem(post(&w, Staff, path, &service).await, 403, "forbidden").await;
    step_up(&w, Admin).await;
    // A condition that cannot be evaluated is refused now, never when a request arrives.
    let mut broken = service.clone();
    broken["spec"]["eligibility"]["conditions"][0]["test"]["right"] =
        json!({ "of": "form_number", "field": "years" });
    let p = problem(post(&w, Admin, path, &broken).await, 422, "service_invalid").await;
    assert!(p["detail"].as_str().unwrap().contains("'years'"), "{p}");
    broken["spec"]["eligibility"]["conditions"][0]["test"]["op"] = json!("xor");
    problem(post(&w, Admin, path, &broken).await, 400, "invalid_body").await;
    let mut unknown_placeholder = service.clone();
    unknown_placeholder["spec"]["letter"]["decisions"][0] = json!("{gaji}");
    problem(
        post(&w, Admin, path, &unknown_placeholder).await,
        422,
        "service_invalid",
    )
    .await;
    let created_def = ok(post(&w, Admin, path, &service).await).await;
    assert_eq!(created_def["revision"], 1);
    assert_eq!(created_def["state"], "active");
    problem(post(&w, Admin, path, &service).await, 409, "service_exists").await;
    let open: Value = ok(w.app.get("/api/v1/services").await).await;
    assert!(
        open.as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == "sk_aktif_bekerja"),
        "{open}"
    );

    // Six months of service: the phone explains it offline, in the server's very words.
    set_employee(&w, Staff, |a| a.tmt_cpns = Set(Some(d("2026-01-02")))).await;
    let (phone, _dir) = phone(&w, Staff).await;
    phone.service("sk_aktif_bekerja").await.unwrap();
    phone.my_record().await.unwrap();
    phone.my_archive().await.unwrap();
    let purpose = form(json!({ "purpose": "pengajuan kredit perumahan" }));
    let offline = phone
        .eligibility_offline("sk_aktif_bekerja", &purpose, today)
        .await
        .unwrap();
    assert!(!offline.eligible);
    assert_eq!(offline.failures.len(), 1, "{offline:?}");
    assert_eq!(offline.failures[0].code, "service_years");
    assert_eq!(offline.failures[0].message.id, "Masa kerja 0 dari 1 tahun.");
    assert_eq!(offline.failures[0].message.en, "0 of 1 years of service.");
    let server: Evaluation =
        ok_as(get(&w, Staff, "/api/v1/services/sk_aktif_bekerja/eligibility").await).await;
    assert_eq!(server, offline);
    let q = quote(
        &w,
        Staff,
        "sk_aktif_bekerja",
        json!({ "purpose": "pengajuan kredit perumahan" }),
    )
    .await;
    assert_eq!(q.violations, offline.failures);

    // Sixteen years: eligible, queued on the phone, sent, through the chain, signed.
    set_employee(&w, Staff, |a| a.tmt_cpns = Set(Some(d("2010-01-01")))).await;
    phone.my_record().await.unwrap();
    let offline = phone
        .eligibility_offline("sk_aktif_bekerja", &purpose, today)
        .await
        .unwrap();
    assert!(offline.eligible, "{offline:?}");
    let queued = phone
        .enqueue("sk_aktif_bekerja", purpose.clone(), Vec::new(), today)
        .await
        .unwrap();
    let sent = phone.flush().await.unwrap();
    let outcome = sent.iter().find(|o| o.id == queued.id).unwrap();
    let QueueState::Sent { request_id, .. } = outcome.state else {
        panic!("not sent: {outcome:?}");
    };
    let v = view(&w, Staff, &request_id.to_string()).await;
    assert_eq!(v["service_revision"], 1);
    let v = through_chain(&w, v, decision(0, Outcome::Disetujui)).await;
    assert_eq!(v["outcome"], "disetujui", "{v}");
    let docs = ok(get(
        &w,
        Staff,
        &format!("/api/v1/requests/{request_id}/documents"),
    )
    .await)
    .await;
    let doc = &docs[0];
    assert_eq!(doc["kind"], "surat_keterangan", "{doc}");
    assert_eq!(doc["status"], "signed", "{doc}");
    let pdf = get(
        &w,
        Staff,
        &format!("/api/v1/documents/{}/pdf", doc["id"].as_str().unwrap()),
    )
    .await
    .bytes()
    .await
    .unwrap()
    .to_vec();
    let text = crate::documents::pdf_text(&pdf);
    for needle in [
        "SURAT KETERANGAN AKTIF BEKERJA",
        "adalah Pegawai Negeri Sipil yang masih aktif bekerja",
        "sejak 1 Januari 2010",
        "untuk keperluan pengajuan kredit perumahan",
        doc["number"].as_str().unwrap(),
    ] {
        assert!(text.contains(needle), "'{needle}' missing from: {text}");
    }
    if let Ok(dir) = std::env::var("ABDI_KEEP_LETTERS") {
        std::fs::write(format!("{dir}/sk_aktif_bekerja.pdf"), &pdf).unwrap();
    }

    // Closed by decree: no new request, while the one granted keeps its revision.
    let mut spec = created_def.clone();
    spec["state"] = json!("inactive");
    let change =
        json!({ "revision": 1, "spec": spec, "note": "Keputusan Kepala BKD Nomor 800/16/2026" });
    let changed = ok(put(
        &w,
        Admin,
        "/api/v1/admin/services/sk_aktif_bekerja",
        &change,
    )
    .await)
    .await;
    assert_eq!(changed["revision"], 2);
    problem(
        submit(
            &w,
            Staff,
            "sk_aktif_bekerja",
            json!({ "purpose": "pengajuan kredit" }),
        )
        .await,
        409,
        "service_inactive",
    )
    .await;
    assert_eq!(
        view(&w, Staff, &request_id.to_string()).await["service_revision"],
        1
    );
}

async fn a_disciplinary_case_goes_into_the_record_and_bars_a_study_permit(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    let case = |nip: &str, level: &str, sanction: &str, bap: Value| {
        json!({
            "subject_nip": nip, "level": level, "sanction": sanction, "starts_on": "2026-07-01",
            "violation": "Tidak masuk kerja tanpa alasan yang sah selama 12 hari kerja",
            "examination_record": bap,
        })
    };
    let bap = || async { pdf_id(&w, Supervisor).await };
    // A sanction of another level, and a case about oneself, are refused with their reasons.
    let r = submit(
        &w,
        Supervisor,
        "hukuman_disiplin",
        case(STAFF_NIP, "ringan", "potong_tukin_6", bap().await),
    )
    .await;
    let p = problem(r, 422, "rule_violation").await;
    assert_eq!(codes(&p), ["sanction_level_mismatch"], "{p}");
    let own = w.app.state.db.clone();
    let supervisor_nip = employee::Entity::find_by_id(w.ids[&Supervisor])
        .one(&own)
        .await
        .unwrap()
        .unwrap()
        .nip;
    let r = submit(
        &w,
        Supervisor,
        "hukuman_disiplin",
        case(&supervisor_nip, "sedang", "potong_tukin_6", bap().await),
    )
    .await;
    assert_eq!(
        codes(&problem(r, 422, "rule_violation").await),
        ["subject_is_filer"]
    );

    // Staff's study permit is open before the case.
    let study: Evaluation =
        ok_as(get(&w, Staff, "/api/v1/services/izin_belajar/eligibility").await).await;
    assert!(study.eligible, "{study:?}");

    // The superior files it, the fasilitator checks it, the head of the unit decides it.
    let v = created(
        &w,
        Supervisor,
        "hukuman_disiplin",
        case(STAFF_NIP, "sedang", "potong_tukin_6", bap().await),
    )
    .await;
    let id = v["id"].as_str().unwrap().to_owned();
    let v = verify(&w, &id, version(&v)).await;
    step_up(&w, Head).await;
    let v = ok(decide(&w, Head, &id, &approval(&v)).await).await;
    assert_eq!(v["status"], "decided", "{v}");
    let docs = ok(get(&w, Supervisor, &format!("/api/v1/requests/{id}/documents")).await).await;
    let number = docs[0]["number"].as_str().unwrap().to_owned();
    let pdf = get(
        &w,
        Supervisor,
        &format!("/api/v1/documents/{}/pdf", docs[0]["id"].as_str().unwrap()),
    )
    .await
    .bytes()
    .await
    .unwrap()
    .to_vec();
    let text = crate::documents::pdf_text(&pdf);
    for needle in [
        "TENTANG PENJATUHAN HUKUMAN DISIPLIN",
        "Peraturan Pemerintah Nomor 94 Tahun 2021",
        "hukuman disiplin tingkat Sedang berupa Pemotongan tunjangan kinerja 25% selama 6 bulan",
        // The decree names the employee sanctioned, not the superior who filed it.
        &format!("NIP : {STAFF_NIP}"),
    ] {
        assert!(text.contains(needle), "'{needle}' missing from: {text}");
    }
    if let Ok(dir) = std::env::var("ABDI_KEEP_LETTERS") {
        std::fs::write(format!("{dir}/hukuman_disiplin.pdf"), &pdf).unwrap();
    }

    // The sanction is in Staff's record, under the decree's number, for six months.
    let record: Value = ok(get(&w, Staff, "/api/v1/me/record").await).await;
    let sanctions = record["discipline"].as_array().unwrap();
    assert_eq!(sanctions.len(), 1, "{record}");
    assert_eq!(sanctions[0]["level"], "sedang");
    assert_eq!(sanctions[0]["decree_number"], number.as_str());
    assert_eq!(sanctions[0]["starts_on"], "2026-07-01");
    assert_eq!(sanctions[0]["ends_on"], "2027-01-01");
    // And the study permit now says why not.
    let study: Evaluation =
        ok_as(get(&w, Staff, "/api/v1/services/izin_belajar/eligibility").await).await;
    assert!(!study.eligible);
    assert_eq!(study.failures[0].code, "disciplinary_sanction", "{study:?}");
}

async fn due_dates_come_to_the_employee_and_the_fasilitator_once(backend: Backend) {
    use abdi_proto::notifications::NotificationKind;
    use abdi_server::notifications::entity::event;
    let (w, _clock) = at(backend, july_first()).await;
    let db = &w.app.state.db;
    // Staff: the last periodic raise on 1 August 2024 (the next falls on 1 August 2026), 58 on
    // 15 September 2026 (retirement on 1 October), 20 years of service on 1 September 2026.
    set_employee(&w, Staff, |a| {
        a.birth_date = Set(d("1968-09-15"));
        a.tmt_cpns = Set(Some(d("2006-09-01")));
    })
    .await;
    salary_history::ActiveModel {
        employee_id: Set(w.ids[&Staff]),
        basic_salary: Set(3_500_000),
        rank_code: Set("III/c".into()),
        service_years: Set(14),
        tmt: Set(d("2024-08-01")),
        decree_number: Set("KGB/1/2024".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let due_of = |who: Who| {
        let id = w.ids[&who];
        async move {
            event::Entity::find()
                .filter(event::Column::EmployeeId.eq(id))
                .filter(event::Column::Kind.eq(NotificationKind::DueDate))
                .all(db)
                .await
                .unwrap()
        }
    };
    let first = w.app.state.reminders.run().await.unwrap();
    assert!(first.told >= 3, "{first:?}");
    let mut titles: Vec<String> = due_of(Staff)
        .await
        .into_iter()
        .map(|e| e.title_id)
        .collect();
    titles.sort();
    assert_eq!(
        titles,
        [
            "Kenaikan gaji berkala jatuh pada 1 Agustus 2026",
            "Masa kerja 20 tahun (Satyalancana Karya Satya) jatuh pada 1 September 2026",
            "Pensiun (batas usia pensiun) jatuh pada 1 Oktober 2026",
        ]
    );
    let staff_nip = STAFF_NIP.to_owned();
    let desk = due_of(Fasilitator).await;
    assert_eq!(
        desk.iter()
            .filter(|e| e.title_id.contains(&staff_nip))
            .count(),
        3,
        "{desk:?}"
    );
    // The next day's run tells nobody again.
    let again = w.app.state.reminders.run().await.unwrap();
    assert_eq!(again.told, 0, "{again:?}");
    assert_eq!(again.already_told, first.told);
    assert_eq!(due_of(Staff).await.len(), 3);
}

/// A small deterministic generator (xorshift), so a failing case can be replayed by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<T: Clone>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize].clone()
    }
    fn some<T: Clone>(&mut self, xs: &[T]) -> Vec<T> {
        xs.iter().filter(|_| self.chance(40)).cloned().collect()
    }
    fn date(&mut self, from: i32, to: i32) -> NaiveDate {
        let year = from + self.below((to - from + 1) as u64) as i32;
        NaiveDate::from_ymd_opt(year, 1 + self.below(12) as u32, 1 + self.below(28) as u32).unwrap()
    }
    fn day(&mut self, depth: u32) -> Value {
        let plain = [
            "today",
            "birth_date",
            "service_start",
            "tmt_pns",
            "rank_tmt",
            "post_tmt",
            "salary_tmt",
        ];
        match self.below(if depth < 2 { 6 } else { 4 }) {
            0 => json!({ "day": self.pick(&plain) }),
            1 => json!({ "day": "date", "value": self.date(1960, 2030) }),
            2 => json!({ "day": "form", "field": "d" }),
            3 => json!({ "day": "form", "field": "p", "part": self.pick(&["start", "end"]) }),
            4 => json!({ "day": "shift", "base": self.day(depth + 1),
                         "years": self.below(11) as i32 - 5, "months": self.below(23) as i32 - 11 }),
            _ => json!({ "day": "retirement", "otherwise": self.pick(&[58, 60]), "ages": [
                { "kind": "fungsional", "grades": self.some(&["ahli_madya", "ahli_utama"]), "age": 60 },
                { "kind": self.pick(&["struktural", "pelaksana"]), "age": 65 } ] }),
        }
    }
    fn items(&mut self) -> Value {
        match self.below(7) {
            0 => {
                json!({ "in": "sanctions", "levels": self.some(&["ringan", "sedang", "berat", "pemberhentian_sementara"]),
                         "within_years": if self.chance(50) { Some(1 + self.below(10)) } else { None },
                         "running": self.chance(50) })
            }
            1 => json!({ "in": "ratings", "years": 1 + self.below(4),
                         "at_least": self.pick(&["sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"]) }),
            2 => json!({ "in": "family", "relations": self.some(&["spouse", "child", "parent"]) }),
            3 => json!({ "in": "documents", "kind": self.pick(&["ijazah", "sk_cpns", "ktp"]) }),
            4 => json!({ "in": "education", "at_least": self.pick(&["sma", "d3", "s1", "s2"]) }),
            5 => json!({ "in": "awards", "named": self.pick(&["satya", "teladan"]) }),
            _ => json!({ "in": "training", "named": self.pick(&["latsar", "teknis"]) }),
        }
    }
    fn number(&mut self, depth: u32) -> Value {
        match self.below(8) {
            0 => json!({ "of": "const", "value": (self.below(81) as f64 - 10.0) / 2.0 }),
            1 => json!({ "of": "years", "from": self.day(depth), "to": self.day(depth) }),
            2 => json!({ "of": "months", "from": self.day(depth), "to": self.day(depth) }),
            3 => json!({ "of": "days", "from": self.day(depth), "to": self.day(depth) }),
            4 => json!({ "of": "working_days", "from": self.day(depth), "to": self.day(depth) }),
            5 => json!({ "of": "param", "name": "k" }),
            6 => json!({ "of": "count", "items": self.items() }),
            _ => json!({ "of": "form_number", "field": self.pick(&["n", "c"]) }),
        }
    }
    fn test(&mut self, depth: u32) -> Value {
        let words = [
            json!({ "of": "employment_type" }),
            json!({ "of": "gender" }),
            json!({ "of": "rank" }),
            json!({ "of": "golongan" }),
            json!({ "of": "education_level" }),
            json!({ "of": "position_kind" }),
            json!({ "of": "position_grade" }),
            json!({ "of": "form_text", "field": "t" }),
        ];
        let values = [
            "pns",
            "cpns",
            "pppk",
            "male",
            "female",
            "III/a",
            "III",
            "IV",
            "s1",
            "sma",
            "pelaksana",
            "struktural",
            "a",
            "b",
        ];
        match self.below(if depth < 3 { 6 } else { 3 }) {
            0 | 1 => {
                json!({ "op": "compare", "left": self.number(depth), "right": self.number(depth),
                             "cmp": self.pick(&["ge", "gt", "le", "lt", "eq", "ne"]) })
            }
            2 => {
                let mut v = self.some(&values);
                if v.is_empty() {
                    v.push("a");
                }
                let word = self.pick(&words);
                // A form choice can only be compared with its own options.
                if word["of"] == "form_text" {
                    v = vec![self.pick(&["a", "b"])];
                }
                json!({ "op": "one_of", "word": word, "values": v })
            }
            3 => json!({ "op": "not", "test": self.test(depth + 1) }),
            k => {
                let n = 1 + self.below(3);
                let of: Vec<Value> = (0..n).map(|_| self.test(depth + 1)).collect();
                json!({ "op": if k == 4 { "all" } else { "any" }, "of": of })
            }
        }
    }
    fn eligibility(&mut self) -> Eligibility {
        let conditions: Vec<Value> = (0..1 + self.below(3))
            .map(|i| json!({ "code": format!("c{i}"), "text": { "id": "{seen} / {need}", "en": "{seen} of {need}" },
                              "test": self.test(0) }))
            .collect();
        serde_json::from_value(json!({ "version": 1, "params": { "k": self.below(30) as f64 }, "conditions": conditions }))
            .unwrap()
    }
    fn form(&mut self) -> Value {
        // An empty form: the conditions on it fail, alike on both sides.
        if self.chance(10) {
            return json!({});
        }
        json!({ "n": self.below(40), "t": self.pick(&["a", "b"]), "c": self.pick(&["10", "20"]),
                "d": self.date(2020, 2028), "p": { "start": self.date(2024, 2027), "end": self.date(2026, 2030) } })
    }
}

/// The form the random conditions refer to.
fn trial_schema() -> Value {
    let label = json!({ "id": "x", "en": "x" });
    let option = |v: &str| json!({ "value": v, "label": label });
    json!({ "version": 1, "fields": [
        { "name": "n", "label": label, "kind": { "type": "number" } },
        { "name": "t", "label": label, "kind": { "type": "choice", "options": [option("a"), option("b")] } },
        { "name": "c", "label": label, "kind": { "type": "choice", "options": [option("10"), option("20")] } },
        { "name": "d", "label": label, "kind": { "type": "date" } },
        { "name": "p", "label": label, "kind": { "type": "date_range" } }
    ] })
}

/// Gives Staff a random record: dates, rank, status, education and random histories.
async fn random_record(w: &World, r: &mut Rng) {
    let db = &w.app.state.db;
    let id = w.ids[&Staff];
    let (cpns, pns, rank_tmt, birth) = (
        r.date(1985, 2026),
        r.date(1986, 2026),
        r.date(2000, 2026),
        r.date(1960, 2002),
    );
    let (status, rank, education) = (
        r.pick(&["pns", "cpns", "pppk"]),
        r.pick(&["II/d", "III/a", "III/c", "III/d", "IV/a"]),
        r.pick(&["sma", "d3", "s1", "s2"]),
    );
    let no_tmt = r.chance(15);
    set_employee(w, Staff, |a| {
        a.tmt_cpns = Set((!no_tmt).then_some(cpns));
        a.tmt_pns = Set(Some(pns));
        a.rank_tmt = Set(Some(rank_tmt));
        a.rank_code = Set(Some(rank.into()));
        a.birth_date = Set(birth);
        a.employment_type = Set(status.into());
        a.education_level = Set(education.into());
    })
    .await;
    disciplinary_sanction::Entity::delete_many()
        .filter(disciplinary_sanction::Column::EmployeeId.eq(id))
        .exec(db)
        .await
        .unwrap();
    for _ in 0..r.below(3) {
        let starts = r.date(2015, 2027);
        disciplinary_sanction::ActiveModel {
            employee_id: Set(id),
            level: Set(r
                .pick(&["ringan", "sedang", "berat", "pemberhentian_sementara"])
                .into()),
            decree_number: Set("800/1/2020".into()),
            starts_on: Set(starts),
            ends_on: Set(r
                .chance(70)
                .then(|| starts + Duration::days(r.below(900) as i64))),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    performance_rating::Entity::delete_many()
        .filter(performance_rating::Column::EmployeeId.eq(id))
        .exec(db)
        .await
        .unwrap();
    for year in 2022..2026 {
        if r.chance(75) {
            performance_rating::ActiveModel {
                employee_id: Set(id),
                year: Set(year),
                rating: Set(r
                    .pick(&[
                        "sangat_baik",
                        "baik",
                        "butuh_perbaikan",
                        "kurang",
                        "sangat_kurang",
                    ])
                    .into()),
                ..Default::default()
            }
            .insert(db)
            .await
            .unwrap();
        }
    }
    family_member::Entity::delete_many()
        .filter(family_member::Column::EmployeeId.eq(id))
        .exec(db)
        .await
        .unwrap();
    for _ in 0..r.below(4) {
        family_member::ActiveModel {
            employee_id: Set(id),
            relation: Set(r.pick(&["spouse", "child", "parent"]).into()),
            name: Set("Anggota".into()),
            gender: Set("female".into()),
            birth_date: Set(r.date(1950, 2024)),
            nik: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    training_history::Entity::delete_many()
        .filter(training_history::Column::EmployeeId.eq(id))
        .exec(db)
        .await
        .unwrap();
    if r.chance(60) {
        let start = r.date(2005, 2025);
        training_history::ActiveModel {
            employee_id: Set(id),
            name: Set(r.pick(&["Latsar CPNS", "Diklat Teknis Kepegawaian"]).into()),
            organizer: Set("BPSDM".into()),
            start_date: Set(start),
            end_date: Set(start + Duration::days(30)),
            hours: Set(120),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    salary_history::Entity::delete_many()
        .filter(salary_history::Column::EmployeeId.eq(id))
        .exec(db)
        .await
        .unwrap();
    if r.chance(70) {
        salary_history::ActiveModel {
            employee_id: Set(id),
            basic_salary: Set(3_000_000),
            rank_code: Set(rank.into()),
            service_years: Set(10),
            tmt: Set(r.date(2020, 2026)),
            decree_number: Set("KGB/1/2024".into()),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
}

/// The server's evaluation (an administrator trying the conditions on Staff) and the phone's
/// (abdi-core over the record, archive and calendars it fetched) agree on every random set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_and_the_phone_agree_on_random_conditions() {
    let (w, _clock) = at(Backend::Postgres, july_first()).await;
    let (phone, _dir) = phone(&w, Staff).await;
    let years: std::collections::BTreeSet<i32> = holiday::Entity::find()
        .all(&w.app.state.db)
        .await
        .unwrap()
        .iter()
        .map(|h| h.year)
        .collect();
    for year in &years {
        phone.refresh_calendar(*year).await.unwrap();
    }
    let days_off = phone.reference().await.unwrap().days_off();
    let schema = trial_schema();
    let seed: u64 = 0x5eed_abd1;
    let mut r = Rng(seed);
    let (mut cases, mut eligible) = (0, 0);
    for round in 0..8 {
        random_record(&w, &mut r).await;
        let record = phone.my_record().await.unwrap();
        let archive: Vec<String> = phone
            .my_archive()
            .await
            .unwrap()
            .iter()
            .map(|d| {
                serde_json::to_value(d.kind)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        for case in 0..40 {
            let set = r.eligibility();
            let values = r.form();
            let trial = json!({ "nip": STAFF_NIP, "eligibility": set, "form_schema": schema, "form": values });
            let server: Evaluation =
                ok_as(post(&w, Admin, "/api/v1/admin/eligibility", &trial).await).await;
            let on_phone = abdi_core::evaluate_eligibility(
                &serde_json::to_string(&set).unwrap(),
                &serde_json::to_string(&record).unwrap(),
                &serde_json::to_string(&archive).unwrap(),
                &values.to_string(),
                &days_off,
                server.on,
            )
            .unwrap();
            assert_eq!(
                server,
                on_phone,
                "seed {seed:#x}, round {round}, case {case}: {}",
                serde_json::to_string(&set).unwrap()
            );
            cases += 1;
            eligible += usize::from(server.eligible);
        }
    }
    // Both answers occur, so the comparison is not of two constant answers.
    assert!(
        eligible > 0 && eligible < cases,
        "{eligible} of {cases} eligible"
    );
    // The trial is for administrators, and refuses what cannot be evaluated.
    let trial = json!({ "nip": IBU_NIP, "eligibility": { "version": 1, "conditions": [] } });
    problem(
        post(&w, Staff, "/api/v1/admin/eligibility", &trial).await,
        403,
        "forbidden",
    )
    .await;
    let bad = json!({ "nip": IBU_NIP, "eligibility": { "version": 9, "conditions": [] } });
    problem(
        post(&w, Admin, "/api/v1/admin/eligibility", &bad).await,
        422,
        "service_invalid",
    )
    .await;
}

both_backends!(
    an_administrator_adds_a_service_that_the_phone_explains_and_the_official_signs,
    due_dates_come_to_the_employee_and_the_fasilitator_once,
    a_disciplinary_case_goes_into_the_record_and_bars_a_study_permit,
);
