//! Leave end to end: every outcome of annual leave, every kind through its chain, carry-over
//! across the year, and rights that begin on the day the service is complete.

use super::*;
use abdi_proto::agency::ActingKind;
use abdi_server::masterdata::entity::family_member;

async fn annual_leave_goes_through_every_outcome(backend: Backend) {
    let (w, clock) = at(backend, july_first()).await;
    // Sixteen years of service and nothing taken in the last two years: 6 + 6 + 12.
    let b = balance(&w, Staff, 2026).await;
    assert_eq!(b.available, 24, "{b:?}");

    let q = quote(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-09-07", "2026-09-11"),
    )
    .await;
    assert!(q.ok, "{q:?}");
    assert_eq!(q.assessment["working_days"], 5);
    assert_eq!(q.assessment["balance_before"]["available"], 24);
    assert_eq!(q.assessment["balance_after"]["available"], 19);
    // A range over a weekend and a holiday counts working days only: 17 Aug 2026 is a holiday.
    let q = quote(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-08-14", "2026-08-18"),
    )
    .await;
    assert_eq!(q.assessment["working_days"], 2, "{q:?}");

    let cases = [
        ("2026-09-07", "2026-09-11", decision(0, Outcome::Disetujui)),
        (
            "2026-09-14",
            "2026-09-18",
            Decision {
                note: Some("Dipersingkat karena rapat kerja".into()),
                changes: Some(form(
                    json!({ "period": period("2026-09-14", "2026-09-16") }),
                )),
                ..decision(0, Outcome::Perubahan)
            },
        ),
        (
            "2026-09-21",
            "2026-09-25",
            Decision {
                note: Some("Kebutuhan dinas".into()),
                ..decision(0, Outcome::Ditangguhkan)
            },
        ),
        (
            "2026-10-05",
            "2026-10-09",
            Decision {
                note: Some("Akhir tahun anggaran".into()),
                ..decision(0, Outcome::TidakDisetujui)
            },
        ),
    ];
    let mut finals = Vec::new();
    for (start, end, outcome) in cases {
        // Each round starts with the step-ups of the last one expired.
        clock.advance(std::time::Duration::from_secs(6 * 60));
        let v = created(&w, Staff, "cuti_tahunan", annual(start, end)).await;
        assert_eq!(v["status"], "submitted");
        let kinds: Vec<&str> = v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["verification", "recommendation", "decision"]);
        assert_eq!(v["steps"][0]["status"], "active");
        let id = v["id"].as_str().unwrap().to_owned();

        // The fasilitator sees it in the queue; the supervisor not yet in the inbox.
        let queue = ok(get(&w, Fasilitator, "/api/v1/verification-queue").await).await;
        assert!(
            queue["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["request"]["id"] == id.as_str())
        );
        let v = verify(&w, &id, version(&v)).await;
        let inbox = ok(get(&w, Supervisor, "/api/v1/inbox").await).await;
        assert!(
            inbox["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["request"]["id"] == id.as_str()),
            "{inbox}"
        );

        // Deciding needs a fresh step-up.
        let r = decide(&w, Supervisor, &id, &approval(&v)).await;
        problem(r, 403, "step_up_required").await;
        // A refusal needs a reason.
        step_up(&w, Supervisor).await;
        let r = decide(
            &w,
            Supervisor,
            &id,
            &decision(version(&v), Outcome::TidakDisetujui),
        )
        .await;
        problem(r, 422, "reason_required").await;
        let mut fin = outcome.clone();
        fin.version = version(&v);
        let v = ok(decide(&w, Supervisor, &id, &approval(&v)).await).await;
        assert_eq!(v["status"], "in_review");
        // The supervisor cannot take the official's step.
        let r = decide(&w, Supervisor, &id, &approval(&v)).await;
        problem(r, 403, "forbidden").await;
        step_up(&w, Head).await;
        if fin.outcome == Outcome::Perubahan {
            let r = decide(
                &w,
                Head,
                &id,
                &Decision {
                    note: Some("x".into()),
                    ..decision(version(&v), Outcome::Perubahan)
                },
            )
            .await;
            problem(r, 400, "invalid_body").await;
        }
        fin.version = version(&v);
        let v = ok(decide(&w, Head, &id, &fin).await).await;
        assert_eq!(v["status"], "decided");
        assert_eq!(v["outcome"], outcome.outcome.code());
        // Decided is final: no cancel.
        let r = post(
            &w,
            Staff,
            &format!("/api/v1/requests/{id}/cancel"),
            &action(version(&v)),
        )
        .await;
        problem(r, 409, "invalid_transition").await;
        finals.push(v);
    }
    // The changed request now covers three days.
    assert_eq!(finals[1]["assessment"]["working_days"], 3);
    assert_eq!(finals[1]["form"]["period"]["end"], "2026-09-16");
    // The timeline: who did what, in which capacity.
    let tl: Vec<(String, String)> = finals[1]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["capacity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        tl,
        [
            ("submitted", "own"),
            ("verified", "fasilitator"),
            ("recommended", "atasan_langsung"),
            ("decided", "pybmc")
        ]
        .map(|(a, c)| (a.to_owned(), c.to_owned()))
    );
    assert_eq!(
        finals[1]["timeline"][3]["actor"]["id"],
        w.ids[&Head].to_string()
    );

    // Approved 5 + 3 days; the deferred 5 wait for next year; the refused 5 are released.
    let b = balance(&w, Staff, 2026).await;
    assert_eq!((b.used, b.pending, b.available), (8, 0, 16), "{b:?}");
    // 2027: 6 carried from 2026 plus the 5 deferred days, on top of 12.
    let b = balance(&w, Staff, 2027).await;
    assert_eq!(b.available, 23, "{b:?}");
    // Overlapping the approved leave is refused.
    let r = submit(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-09-10", "2026-09-10"),
    )
    .await;
    let p = problem(r, 422, "rule_violation").await;
    assert_eq!(codes(&p), ["overlapping_leave"]);
}

async fn every_leave_kind_goes_through_its_chain(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    let common = |p: Value| json!({ "period": p, "reason": "Keperluan", "address": address(), "phone": PHONE });

    // Cuti besar: no annual leave in that year afterwards.
    let mut f = common(period("2026-09-01", "2026-10-30"));
    f["purpose"] = json!("umum");
    approved(&w, Staff, "cuti_besar", f).await;
    assert_eq!(balance(&w, Staff, 2026).await.available, 0);
    let q = quote(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-11-02", "2026-11-03"),
    )
    .await;
    assert!(!q.ok);
    // The refusal names the rule: no annual leave in a year with cuti besar.
    let refused: Vec<&str> = q.violations.iter().map(|v| v.code.as_str()).collect();
    assert_eq!(refused, ["cuti_besar_this_year"], "{q:?}");
    // More than three months is refused.
    let mut f = common(period("2027-01-04", "2027-04-04"));
    f["purpose"] = json!("umum");
    let p = problem(
        submit(&w, Ibu, "cuti_besar", f).await,
        422,
        "rule_violation",
    )
    .await;
    assert!(codes(&p).contains(&"too_long".to_owned()), "{p}");

    // Cuti sakit: more than one day needs a doctor's certificate.
    let sick = |doc: Option<Value>| sick_leave("2026-06-29", "2026-07-01", doc);
    let p = problem(
        submit(&w, Ibu, "cuti_sakit", sick(None)).await,
        422,
        "rule_violation",
    )
    .await;
    assert_eq!(codes(&p), ["certificate_required"]);
    let doc = pdf_id(&w, Ibu).await;
    let v = approved(&w, Ibu, "cuti_sakit", sick(Some(doc))).await;
    assert_eq!(v["assessment"]["calendar_days"], 3);

    // Cuti melahirkan: for women; the birth's order comes from the children the record shows
    // born while an ASN; from the fourth birth it is granted as cuti besar.
    let birth = |doc: Value| json!({ "period": period("2026-07-06", "2026-09-30"), "doctor_letter": doc, "address": address(), "phone": PHONE });
    let next_birth = |doc: Value| json!({ "period": period("2026-10-01", "2026-12-31"), "doctor_letter": doc, "address": address(), "phone": PHONE });
    let staff_doc = pdf_id(&w, Staff).await;
    let p = problem(
        submit(&w, Staff, "cuti_melahirkan", birth(staff_doc)).await,
        422,
        "rule_violation",
    )
    .await;
    assert!(codes(&p).contains(&"not_applicable".to_owned()));
    // No child on record: the first birth.
    family_member::Entity::delete_many()
        .filter(family_member::Column::EmployeeId.eq(w.ids[&Ibu]))
        .exec(&w.app.state.db)
        .await
        .unwrap();
    let v = approved(&w, Ibu, "cuti_melahirkan", birth(pdf_id(&w, Ibu).await)).await;
    assert_eq!(v["assessment"]["booked_as"], "melahirkan");
    // One maternity leave granted and still no child on record: the record lacks a birth.
    let q = quote(
        &w,
        Ibu,
        "cuti_melahirkan",
        next_birth(pdf_id(&w, Ibu).await),
    )
    .await;
    assert_eq!(q.violations[0].code, "birth_not_in_record", "{q:?}");
    // Three children born while an ASN (and one before), as verified into the record: the
    // fourth birth is booked as cuti besar.
    let start = employee::Entity::find_by_id(w.ids[&Ibu])
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap()
        .tmt_cpns
        .unwrap();
    for (n, born) in [-400i64, 400, 1200, 2000].into_iter().enumerate() {
        family_member::ActiveModel {
            employee_id: Set(w.ids[&Ibu]),
            relation: Set("child".into()),
            name: Set(format!("Anak {n}")),
            gender: Set("female".into()),
            birth_date: Set(start + Duration::days(born)),
            nik: Set(None),
            ..Default::default()
        }
        .insert(&w.app.state.db)
        .await
        .unwrap();
    }
    let q = quote(
        &w,
        Ibu,
        "cuti_melahirkan",
        next_birth(pdf_id(&w, Ibu).await),
    )
    .await;
    assert_eq!(q.assessment["booked_as"], "besar", "{q:?}");

    // Alasan penting: at most a month.
    let important = |p: Value, doc: Value| json!({ "period": p, "reason_kind": "keluarga_sakit", "reason": "Orang tua dirawat", "evidence": doc, "address": address(), "phone": PHONE });
    let p = problem(
        submit(
            &w,
            Supervisor,
            "cuti_alasan_penting",
            important(
                period("2026-09-30", "2026-10-30"),
                pdf_id(&w, Supervisor).await,
            ),
        )
        .await,
        422,
        "rule_violation",
    )
    .await;
    assert_eq!(codes(&p), ["too_long"]);

    // Cuti bersama worked through (28 May 2026) adds a day to the year. The supervisor's own
    // chain: their unit's head considers, the head of BKD decides.
    let before = balance(&w, Supervisor, 2026).await.available;
    let f = json!({ "period": period("2026-05-28", "2026-05-28"), "reason": "Piket layanan", "duty_letter": pdf_id(&w, Supervisor).await });
    let v = created(&w, Supervisor, "cuti_bersama", f).await;
    let id = v["id"].as_str().unwrap().to_owned();
    let v = verify(&w, &id, version(&v)).await;
    let their_head = step_holder(&w, &id, 1).await;
    assert_eq!(step_holder(&w, &id, 2).await.1, w.ids[&Head]);
    step_up_session(&w.app, &their_head.0).await;
    let v: Value = ok(call_with(
        &w.app,
        Method::POST,
        &format!("/api/v1/requests/{id}/decision"),
        Some(&their_head.0),
        &approval(&v),
    )
    .await)
    .await;
    step_up(&w, Head).await;
    let v = ok(decide(&w, Head, &id, &approval(&v)).await).await;
    assert_eq!(v["status"], "decided");
    assert_eq!(v["assessment"]["charged_days"], 1);
    assert_eq!(balance(&w, Supervisor, 2026).await.available, before + 1);
    // A day that was not cuti bersama is not compensated.
    let f = json!({ "period": period("2026-06-02", "2026-06-02"), "reason": "Piket", "duty_letter": pdf_id(&w, Supervisor).await });
    let p = problem(
        submit(&w, Supervisor, "cuti_bersama", f).await,
        422,
        "rule_violation",
    )
    .await;
    assert_eq!(codes(&p), ["no_cuti_bersama_days"]);

    // CLTN: PYBMC's consideration, the PPK's decision (never by a Plt/Plh), BKN's approval.
    let f = json!({ "period": period("2026-09-01", "2029-08-31"), "reason": "Mendampingi suami tugas belajar di luar negeri", "evidence": pdf_id(&w, Ibu).await, "address": address(), "phone": PHONE });
    let q = quote(&w, Ibu, "cltn", f.clone()).await;
    assert!(!q.ok, "Ibu's leave in that period overlaps: {q:?}");
    let f = json!({ "period": period("2026-11-02", "2029-11-01"), "reason": "Mendampingi suami tugas belajar di luar negeri", "evidence": pdf_id(&w, Ibu).await, "address": address(), "phone": PHONE });
    let v = created(&w, Ibu, "cltn", f).await;
    let chain: Vec<(String, String)> = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap().to_owned(),
                s["by"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        chain,
        [
            ("verification", "fasilitator"),
            ("recommendation", "atasan_langsung"),
            ("recommendation", "pybmc"),
            ("decision", "ppk"),
            ("approval", "bkn")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    let id = v["id"].as_str().unwrap().to_owned();
    let v = verify(&w, &id, version(&v)).await;
    step_up(&w, Supervisor).await;
    let v = ok(decide(&w, Supervisor, &id, &approval(&v)).await).await;
    step_up(&w, Head).await;
    let v = ok(decide(&w, Head, &id, &approval(&v)).await).await;
    // The PPK's post (head of the instansi) and a Plh of it.
    let view_steps = v["steps"].as_array().unwrap().clone();
    assert_eq!(view_steps[3]["status"], "active");
    let ppk_post = sekda_post(&w).await;
    let (ppk, _) = holder(&w.app, &ppk_post.1).await;
    let (now_told, seen) = told(&w, &id, 0).await;
    assert!(
        now_told.contains(&ppk),
        "the PPK hears the request waits: {now_told:?}"
    );
    let ppk_token = session_for(&w.app, ppk).await;
    let plh = w.ids[&Other];
    acting(
        &w,
        plh,
        ppk_post.0,
        ActingKind::Plh,
        w.app.state.clock.today(),
        w.app.state.clock.today(),
    )
    .await;
    step_up(&w, Other).await;
    let r = decide(&w, Other, &id, &approval(&v)).await;
    problem(r, 403, "forbidden").await;
    step_up_session(&w.app, &ppk_token).await;
    let v: Value = ok(call_with(
        &w.app,
        Method::POST,
        &format!("/api/v1/requests/{id}/decision"),
        Some(&ppk_token),
        &approval(&v),
    )
    .await)
    .await;
    assert_eq!(v["status"], "in_review", "BKN's approval is still needed");
    // The outside approval is the administrators' to record.
    assert_eq!(told(&w, &id, seen).await.0, [w.ids[&Admin]]);
    step_up(&w, Admin).await;
    let inbox = ok(get(&w, Admin, "/api/v1/inbox").await).await;
    assert_eq!(inbox["counts"]["cltn"], 1, "{inbox}");
    let v = ok(decide(
        &w,
        Admin,
        &id,
        &Decision {
            note: Some("Persetujuan BKN Nomor 123/B/2026".into()),
            ..approval(&v)
        },
    )
    .await)
    .await;
    assert_eq!(v["status"], "decided");
    assert_eq!(v["outcome"], "disetujui");
    assert_eq!(v["steps"][4]["capacity"], "administrator");
}

async fn carry_over_crosses_the_year(backend: Backend) {
    let clock = ManualClock::at(
        DateTime::parse_from_rfc3339("2025-07-01T01:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
    );
    let mut w = world_at(backend, Some(clock.clone())).await;
    // 2025: ten working days taken (6-17 October).
    let v = approved(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2025-10-06", "2025-10-17"),
    )
    .await;
    assert_eq!(v["assessment"]["working_days"], 10);
    // An annual request cannot straddle the year.
    let p = problem(
        submit(
            &w,
            Staff,
            "cuti_tahunan",
            annual("2025-12-29", "2026-01-02"),
        )
        .await,
        422,
        "rule_violation",
    )
    .await;
    assert!(codes(&p).contains(&"crosses_year".to_owned()));
    // Into 2026: sessions older than the idle timeout are gone, so log in again.
    clock.advance(std::time::Duration::from_secs(188 * 24 * 3600));
    assert_eq!(w.app.state.clock.today(), d("2026-01-05"));
    for (who, id) in w.ids.clone() {
        w.tokens.insert(who, session_for(&w.app, id).await);
    }
    let b = balance(&w, Staff, 2026).await;
    let rows: Vec<u32> = b.rows.iter().map(|r| r.remaining).collect();
    // 2025 used its carried days first, so 6 of its own 12 carry; 2024's rest has expired.
    assert_eq!(rows, [0, 6, 12], "{b:?}");
    assert_eq!(b.available, 18);
    // 2 Feb (Mon) to 27 Feb (Fri) 2026 is 18 working days (16 and 17 Feb are off): all of it.
    let q = quote(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-02-02", "2026-02-27"),
    )
    .await;
    assert!(q.ok, "{q:?}");
    assert_eq!(q.assessment["working_days"], 18);
    // One more working day is one too many.
    let q = quote(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-02-02", "2026-03-02"),
    )
    .await;
    assert!(!q.ok, "{q:?}");
    assert_eq!(q.violations[0].code, "insufficient_balance");
}

async fn leave_rights_begin_on_the_day_the_service_is_complete(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    // Annual leave after one year: appointed 7 Sep 2025, so from Monday 7 Sep 2026.
    set_employee(&w, Ibu, |a| a.tmt_cpns = Set(Some(d("2025-09-07")))).await;
    let q = quote(&w, Ibu, "cuti_tahunan", annual("2026-09-06", "2026-09-08")).await;
    assert_eq!(q.violations[0].code, "service_too_short", "{q:?}");
    let q = quote(&w, Ibu, "cuti_tahunan", annual("2026-09-07", "2026-09-08")).await;
    assert!(q.ok, "{q:?}");
    // The first year holds twelve days, nothing carried.
    assert_eq!(q.assessment["balance_before"]["available"], 12);

    // Cuti besar and CLTN after five years: appointed 7 Sep 2021.
    set_employee(&w, Ibu, |a| a.tmt_cpns = Set(Some(d("2021-09-07")))).await;
    let long = |start: &str, end: &str, purpose: &str, letter: Option<Value>| {
        let mut f = json!({ "period": period(start, end), "purpose": purpose, "reason": "Keperluan", "address": address(), "phone": PHONE });
        if let Some(l) = letter {
            f["hajj_letter"] = l;
        }
        f
    };
    let q = quote(
        &w,
        Ibu,
        "cuti_besar",
        long("2026-09-06", "2026-10-30", "umum", None),
    )
    .await;
    assert_eq!(q.violations[0].code, "service_too_short", "{q:?}");
    let q = quote(
        &w,
        Ibu,
        "cuti_besar",
        long("2026-09-07", "2026-10-30", "umum", None),
    )
    .await;
    assert!(q.ok, "{q:?}");
    // A first hajj waives the five years.
    let letter = pdf_id(&w, Ibu).await;
    let q = quote(
        &w,
        Ibu,
        "cuti_besar",
        long("2026-09-06", "2026-10-30", "haji_pertama", Some(letter)),
    )
    .await;
    assert!(q.ok, "{q:?}");
    let unpaid = |start: &str, end: &str, doc: Value| json!({ "period": period(start, end), "reason": "Mengurus orang tua di luar kota", "evidence": doc, "address": address(), "phone": PHONE });
    let doc = pdf_id(&w, Ibu).await;
    let q = quote(
        &w,
        Ibu,
        "cltn",
        unpaid("2026-09-06", "2027-09-05", doc.clone()),
    )
    .await;
    assert_eq!(q.violations[0].code, "service_too_short", "{q:?}");
    let q = quote(
        &w,
        Ibu,
        "cltn",
        unpaid("2026-09-07", "2027-09-06", doc.clone()),
    )
    .await;
    assert!(q.ok, "{q:?}");
    // At most three years, four with an extension.
    let q = quote(
        &w,
        Ibu,
        "cltn",
        unpaid("2026-09-07", "2029-09-07", doc.clone()),
    )
    .await;
    assert_eq!(q.violations[0].code, "too_long", "{q:?}");
    let mut f = unpaid("2026-09-07", "2029-09-07", doc);
    f["extension"] = json!("ya");
    assert!(quote(&w, Ibu, "cltn", f).await.ok);
    // PPPK have no cuti besar.
    set_employee(&w, Ibu, |a| a.employment_type = Set("pppk".into())).await;
    let q = quote(
        &w,
        Ibu,
        "cuti_besar",
        long("2026-09-07", "2026-10-30", "umum", None),
    )
    .await;
    assert!(
        q.violations.iter().any(|v| v.code == "not_for_pppk"),
        "{q:?}"
    );
}

both_backends!(
    annual_leave_goes_through_every_outcome,
    every_leave_kind_goes_through_its_chain,
    carry_over_crosses_the_year,
    leave_rights_begin_on_the_day_the_service_is_complete,
);
