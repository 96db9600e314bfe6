//! The catalogue as data with history, closed services, and the work lists.

use abdi_proto::services::{
    Approver, ChainStep, ServiceChange, ServiceDefinition, ServiceRevision, ServiceSpec,
    ServiceState, StepKind,
};

use super::*;

/// The closed services are listed for administrators only; the open catalogue for anyone.
async fn closed_services_are_listed_for_administrators_only(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    let open: Value = w.app.get("/api/v1/services").await.json().await.unwrap();
    problem(
        w.app.get("/api/v1/services?all=true").await,
        401,
        "unauthenticated",
    )
    .await;
    problem(
        get(&w, Staff, "/api/v1/services?all=true").await,
        403,
        "forbidden",
    )
    .await;
    let r = call(
        &w.app,
        Method::GET,
        "/api/v1/services?all=true",
        Some("not-a-session"),
    )
    .await;
    problem(r, 401, "unauthenticated").await;
    let all = ok(get(&w, Admin, "/api/v1/services?all=true").await).await;
    assert!(all.as_array().unwrap().len() >= open.as_array().unwrap().len());
    // A session is not needed, nor held against anyone, for the open list.
    let mine = ok(get(&w, Staff, "/api/v1/services").await).await;
    assert_eq!(mine, open);
}

async fn the_catalogue_is_data_with_history(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    let list: Value = w.app.get("/api/v1/services").await.json().await.unwrap();
    // The leave kinds, the study permits, the Pergub's other services and the agencies' data
    // requests, and attendance's travel and corrections.
    assert_eq!(list.as_array().unwrap().len(), 29);
    let def: ServiceDefinition = ok_as(w.app.get("/api/v1/services/cuti_tahunan").await).await;
    assert_eq!(def.revision, 1);
    assert_eq!(def.spec.form.fields[0].name, "period");
    problem(
        w.app.get("/api/v1/services/nope").await,
        404,
        "service_not_found",
    )
    .await;
    // A decree closes the service.
    let mut spec = def.spec.clone();
    spec.state = ServiceState::Inactive;
    spec.sop_version = "BKD-SOP-CUTI-2026.2".into();
    let path = "/api/v1/admin/services/cuti_tahunan";
    let change = |revision: u32, spec: &ServiceSpec, note: &str| ServiceChange {
        revision,
        spec: spec.clone(),
        note: note.into(),
    };
    problem(
        put(&w, Staff, path, &change(1, &spec, "SK 9/2026")).await,
        403,
        "forbidden",
    )
    .await;
    // An administrator's change needs a fresh step-up, as a decision does.
    problem(
        put(&w, Admin, path, &change(1, &spec, "SK 9/2026")).await,
        403,
        "step_up_required",
    )
    .await;
    step_up(&w, Admin).await;
    problem(
        put(&w, Admin, path, &change(1, &spec, " ")).await,
        422,
        "reason_required",
    )
    .await;
    let changed: ServiceDefinition = ok_as(
        put(
            &w,
            Admin,
            path,
            &change(1, &spec, "Keputusan Kepala BKD Nomor 9/2026"),
        )
        .await,
    )
    .await;
    assert_eq!(changed.revision, 2);
    problem(
        put(&w, Admin, path, &change(1, &spec, "again")).await,
        409,
        "version_conflict",
    )
    .await;
    problem(
        submit(
            &w,
            Staff,
            "cuti_tahunan",
            annual("2026-09-07", "2026-09-11"),
        )
        .await,
        409,
        "service_inactive",
    )
    .await;
    let q = quote(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-09-07", "2026-09-11"),
    )
    .await;
    assert!(!q.ok, "{q:?}");
    assert_eq!(q.violations[0].code, "service_inactive");
    let open: Value = w.app.get("/api/v1/services").await.json().await.unwrap();
    assert_eq!(open.as_array().unwrap().len(), 28);
    let revisions: Vec<ServiceRevision> =
        ok_as(get(&w, Admin, "/api/v1/admin/services/cuti_tahunan/revisions").await).await;
    assert_eq!(revisions.len(), 2);
    assert_eq!(revisions[0].note, "Keputusan Kepala BKD Nomor 9/2026");
    assert_eq!(revisions[0].spec.state, ServiceState::Inactive);
    assert_eq!(revisions[1].spec.state, ServiceState::Active);
    // A chain without a decision is refused.
    spec.chain = vec![ChainStep {
        kind: StepKind::Verification,
        by: Approver::Fasilitator,
        acting_allowed: true,
    }];
    problem(
        put(&w, Admin, path, &change(2, &spec, "x")).await,
        422,
        "service_invalid",
    )
    .await;
    // Reopened, with requests recording the revision they were made under.
    spec.chain = def.spec.chain.clone();
    spec.state = ServiceState::Active;
    ok(put(&w, Admin, path, &change(2, &spec, "Dibuka kembali")).await).await;
    let v = created(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-09-07", "2026-09-11"),
    )
    .await;
    assert_eq!(v["service_revision"], 3);
}

async fn work_lists_page_and_count(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    created(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-09-07", "2026-09-11"),
    )
    .await;
    created(&w, Ibu, "cuti_tahunan", annual("2026-09-07", "2026-09-11")).await;
    let doc = pdf_id(&w, Staff).await;
    let sick = sick_leave("2026-06-29", "2026-07-01", Some(doc));
    created(&w, Staff, "cuti_sakit", sick).await;
    let page = ok(get(&w, Fasilitator, "/api/v1/verification-queue?limit=2").await).await;
    assert_eq!(page["total"], 3);
    assert_eq!(page["counts"]["cuti_tahunan"], 2);
    assert_eq!(page["counts"]["cuti_sakit"], 1);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let next = page["next"].as_str().unwrap();
    let page2 = ok(get(
        &w,
        Fasilitator,
        &format!("/api/v1/verification-queue?limit=2&after={next}"),
    )
    .await)
    .await;
    assert_eq!(page2["items"].as_array().unwrap().len(), 1);
    assert!(page2["next"].is_null());
    let seen: std::collections::BTreeSet<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(page2["items"].as_array().unwrap())
        .map(|i| i["request"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seen.len(), 3, "no item twice, none lost");
    let sick = ok(get(
        &w,
        Fasilitator,
        "/api/v1/verification-queue?service=cuti_sakit",
    )
    .await)
    .await;
    assert_eq!(sick["items"].as_array().unwrap().len(), 1);
    problem(
        get(&w, Fasilitator, "/api/v1/verification-queue?after=garbage").await,
        400,
        "invalid_query",
    )
    .await;
    // Other units' fasilitators see none of it; nobody sees their own request to decide.
    let other = ok(get(&w, OtherFasilitator, "/api/v1/verification-queue").await).await;
    assert_eq!(other["total"], 0);
    let mine = ok(get(&w, Staff, "/api/v1/requests?limit=1").await).await;
    assert_eq!(mine["items"][0]["service"], "cuti_sakit", "newest first");
    let more = ok(get(
        &w,
        Staff,
        &format!(
            "/api/v1/requests?limit=1&after={}",
            mine["next"].as_str().unwrap()
        ),
    )
    .await)
    .await;
    assert_eq!(more["items"][0]["service"], "cuti_tahunan");
    assert!(
        more["items"][0]["summary"]["id"]
            .as_str()
            .unwrap()
            .contains("5 hari kerja"),
        "{more}"
    );
}

both_backends!(
    closed_services_are_listed_for_administrators_only,
    the_catalogue_is_data_with_history,
    work_lists_page_and_count,
);
