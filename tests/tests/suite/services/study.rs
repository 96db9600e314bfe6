//! Study permits and study assignments: their conditions on the day.

use super::*;

async fn study_permits_and_assignments_meet_their_conditions_on_the_day(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    let today = d("2026-07-01");
    // Without a verified diploma in the archive the record is incomplete for a study permit:
    // refused before any rule runs, naming what is missing.
    let no_diploma = json!({"level": "s2"});
    let r = post(
        &w,
        Staff,
        "/api/v1/services/izin_belajar/quote",
        &json!({"form": no_diploma}),
    )
    .await;
    let p = problem(r, 422, "record_incomplete").await;
    assert_eq!(p["errors"][0]["code"], "missing_document", "{p}");
    assert_eq!(p["errors"][0]["field"], "ijazah", "{p}");
    let diploma = archived_diploma(&w, Staff, Fasilitator).await;
    let permit = |accreditation: &str| {
        json!({
            "level": "s2", "institution": "Universitas Airlangga", "programme": "Magister Administrasi Publik",
            "accreditation": accreditation, "relevance": "Mendukung tugas analis kebijakan kepegawaian",
            "study_period": period("2026-08-31", "2028-08-30"),
            "acceptance_letter": [], "accreditation_certificate": [],
            "last_diploma": [{ "archive": diploma["id"] }],
        })
    };
    let with_docs = |mut f: Value, a: Value, b: Value| {
        f["acceptance_letter"] = a;
        f["accreditation_certificate"] = b;
        f
    };
    let form = with_docs(
        permit("b"),
        pdf_id(&w, Staff).await,
        pdf_id(&w, Staff).await,
    );
    // One year as a PNS: the day before it is met, and the day it is.
    set_employee(&w, Staff, |a| a.tmt_pns = Set(Some(d("2025-07-02")))).await;
    let q = quote(&w, Staff, "izin_belajar", form.clone()).await;
    assert_eq!(q.violations[0].code, "service_too_short", "{q:?}");
    set_employee(&w, Staff, |a| a.tmt_pns = Set(Some(d("2025-07-01")))).await;
    assert!(quote(&w, Staff, "izin_belajar", form.clone()).await.ok);
    // A medium sanction running until today bars it; one that ended yesterday does not.
    let sanction = disciplinary_sanction::ActiveModel {
        employee_id: Set(w.ids[&Staff]),
        level: Set("sedang".into()),
        decree_number: Set("800/12/2026".into()),
        starts_on: Set(d("2026-01-02")),
        ends_on: Set(Some(today)),
        ..Default::default()
    }
    .insert(&w.app.state.db)
    .await
    .unwrap();
    let q = quote(&w, Staff, "izin_belajar", form.clone()).await;
    assert_eq!(q.violations[0].code, "disciplinary_sanction", "{q:?}");
    let mut s: disciplinary_sanction::ActiveModel = sanction.into();
    s.ends_on = Set(Some(today - Duration::days(1)));
    s.update(&w.app.state.db).await.unwrap();
    assert!(quote(&w, Staff, "izin_belajar", form.clone()).await.ok);
    // Accreditation below B.
    let low = with_docs(
        permit("c"),
        pdf_id(&w, Staff).await,
        pdf_id(&w, Staff).await,
    );
    assert_eq!(
        quote(&w, Staff, "izin_belajar", low).await.violations[0].code,
        "accreditation_too_low"
    );
    // Through the chain.
    let v = approved(&w, Staff, "izin_belajar", form).await;
    assert_eq!(v["outcome"], "disetujui");

    // Tugas belajar S1: at most 25 at the start of study (37 in a remote area).
    let assignment = |level: &str,
                      start: &str,
                      end: &str,
                      remote: &str,
                      a: Value,
                      b: Value,
                      c: Value| {
        json!({
            "level": level, "institution": "Universitas Brawijaya", "programme": "Ilmu Administrasi",
            "accreditation": "unggul", "funding": "apbd", "remote": remote, "extension": "tidak",
            "study_period": period(start, end),
            "selection_letter": a, "study_agreement": b, "acceptance_letter": c,
        })
    };
    let docs = [
        pdf_id(&w, Ibu).await,
        pdf_id(&w, Ibu).await,
        pdf_id(&w, Ibu).await,
    ];
    let tb = |level: &str, start: &str, end: &str, remote: &str| {
        assignment(
            level,
            start,
            end,
            remote,
            docs[0].clone(),
            docs[1].clone(),
            docs[2].clone(),
        )
    };
    set_employee(&w, Ibu, |a| {
        a.birth_date = Set(d("2000-09-01"));
        a.tmt_pns = Set(Some(d("2020-03-01")));
    })
    .await;
    // Study starts the day before the 26th birthday: 25, allowed.
    let q = quote(
        &w,
        Ibu,
        "tugas_belajar",
        tb("s1", "2026-08-31", "2030-08-30", "tidak"),
    )
    .await;
    assert!(q.ok, "{q:?}");
    // On the 26th birthday: too old, unless remote.
    let q = quote(
        &w,
        Ibu,
        "tugas_belajar",
        tb("s1", "2026-09-01", "2030-08-31", "tidak"),
    )
    .await;
    assert_eq!(q.violations[0].code, "age_limit", "{q:?}");
    let q = quote(
        &w,
        Ibu,
        "tugas_belajar",
        tb("s1", "2026-09-01", "2030-08-31", "ya"),
    )
    .await;
    assert!(q.ok, "{q:?}");
    // Length: S2 two years, one more with approval.
    let q = quote(
        &w,
        Ibu,
        "tugas_belajar",
        tb("s2", "2026-09-01", "2028-09-01", "tidak"),
    )
    .await;
    assert_eq!(q.violations[0].code, "too_long", "{q:?}");
    assert!(
        quote(
            &w,
            Ibu,
            "tugas_belajar",
            tb("s2", "2026-09-01", "2028-08-31", "tidak")
        )
        .await
        .ok
    );
    // Performance rating at least Baik in 2024 and 2025.
    performance_rating::Entity::update_many()
        .col_expr(
            performance_rating::Column::Rating,
            sea_orm::sea_query::Expr::value("butuh_perbaikan"),
        )
        .filter(performance_rating::Column::EmployeeId.eq(w.ids[&Ibu]))
        .filter(performance_rating::Column::Year.eq(2025))
        .exec(&w.app.state.db)
        .await
        .unwrap();
    let q = quote(
        &w,
        Ibu,
        "tugas_belajar",
        tb("s2", "2026-09-01", "2028-08-31", "tidak"),
    )
    .await;
    assert_eq!(q.violations[0].code, "performance_rating", "{q:?}");
}

both_backends!(study_permits_and_assignments_meet_their_conditions_on_the_day,);
