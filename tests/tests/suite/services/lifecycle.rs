//! The request lifecycle: return for revision, resubmission and cancel; acting officials in
//! their window and a decider who leaves; concurrent submissions and decisions; idempotent retries.

use abdi_proto::agency::ActingKind;
use abdi_proto::identity::TransferRequest;
use abdi_proto::services::NewRequest;

use super::*;

async fn a_returned_request_is_revised_resubmitted_and_cancelled(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    let v = created(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-09-07", "2026-09-11"),
    )
    .await;
    let id = v["id"].as_str().unwrap().to_owned();
    assert_eq!(balance(&w, Staff, 2026).await.pending, 5);
    let path = format!("/api/v1/requests/{id}/verification");
    let r = post(
        &w,
        Fasilitator,
        &path,
        &Verification {
            version: version(&v),
            outcome: VerificationOutcome::Return,
            note: None,
        },
    )
    .await;
    problem(r, 422, "reason_required").await;
    let v = ok(post(
        &w,
        Fasilitator,
        &path,
        &Verification {
            version: version(&v),
            outcome: VerificationOutcome::Return,
            note: Some("Alamat belum lengkap".into()),
        },
    )
    .await)
    .await;
    assert_eq!(v["status"], "returned");
    assert_eq!(v["steps"][0]["outcome"], "return");
    assert_eq!(v["steps"][1]["status"], "skipped");
    // Returned: the days are free again until it is sent back.
    assert_eq!(balance(&w, Staff, 2026).await.pending, 0);
    // Only the employee edits it, with the version they saw.
    let edit = RequestEdit {
        version: version(&v),
        form: form(annual("2026-09-07", "2026-09-09")),
    };
    problem(
        put(
            &w,
            Supervisor,
            &format!("/api/v1/requests/{id}"),
            &edit.clone(),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let v = ok(put(&w, Staff, &format!("/api/v1/requests/{id}"), &edit.clone()).await).await;
    problem(
        put(&w, Staff, &format!("/api/v1/requests/{id}"), &edit).await,
        409,
        "version_conflict",
    )
    .await;
    let v = ok(post(
        &w,
        Staff,
        &format!("/api/v1/requests/{id}/submit"),
        &action(version(&v)),
    )
    .await)
    .await;
    assert_eq!(v["status"], "submitted");
    assert_eq!(v["steps"][0]["status"], "active");
    assert_eq!(v["assessment"]["working_days"], 3);
    assert_eq!(balance(&w, Staff, 2026).await.pending, 3);
    let actions: Vec<&str> = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["submitted", "returned", "edited", "resubmitted"]);
    // Cancel: a stale version is refused, the right one releases the days.
    let cancel = format!("/api/v1/requests/{id}/cancel");
    problem(
        post(&w, Staff, &cancel, &action(1)).await,
        409,
        "version_conflict",
    )
    .await;
    let v = ok(post(
        &w,
        Staff,
        &cancel,
        &VersionedAction {
            note: Some("Batal berangkat".into()),
            ..action(version(&v))
        },
    )
    .await)
    .await;
    assert_eq!(v["status"], "cancelled");
    assert_eq!(balance(&w, Staff, 2026).await.pending, 0);
    problem(
        post(&w, Staff, &cancel, &action(version(&v))).await,
        409,
        "invalid_transition",
    )
    .await;
    // Drafts: kept, then sent.
    let new = new_draft("cuti_tahunan", json!({ "reason": "Belum lengkap" }));
    let r = post_request(&w, Staff, &new).await;
    let draft: Value = ok(r).await;
    assert_eq!(draft["status"], "draft");
    let r = post(
        &w,
        Staff,
        &format!("/api/v1/requests/{}/submit", draft["id"].as_str().unwrap()),
        &action(version(&draft)),
    )
    .await;
    let p = problem(r, 422, "form_invalid").await;
    assert!(
        p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "period" && e["code"] == "required"),
        "{p}"
    );
    let mine = ok(get(&w, Staff, "/api/v1/requests?status=draft").await).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
}

async fn acting_officials_decide_in_their_window_and_a_leaving_decider_hands_over(
    backend: Backend,
) {
    let (w, clock) = at(backend, july_first()).await;
    let v = created(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-09-07", "2026-09-11"),
    )
    .await;
    let id = v["id"].as_str().unwrap().to_owned();
    let v = verify(&w, &id, version(&v)).await;
    // Plh whose window ended yesterday: refused. Plt inside the window: in the inbox, decides.
    step_up(&w, ActingExpired).await;
    problem(
        decide(&w, ActingExpired, &id, &approval(&v)).await,
        403,
        "forbidden",
    )
    .await;
    let inbox = ok(get(&w, ActingNow, "/api/v1/inbox").await).await;
    assert_eq!(inbox["total"], 1, "{inbox}");
    step_up(&w, ActingNow).await;
    let v = ok(decide(&w, ActingNow, &id, &approval(&v)).await).await;
    assert_eq!(v["steps"][1]["acting"]["kind"], "plt");
    assert_eq!(v["timeline"][2]["acting"]["number"], "800/123/204/2026");

    // The head leaves the post before deciding; a Plh of the post takes the step over.
    step_up(&w, Admin).await;
    let head_post = abdi_server::masterdata::entity::position::Entity::find()
        .filter(abdi_server::masterdata::entity::position::Column::Code.eq("BKD-KEPALA"))
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let away = TransferRequest {
        unit_code: "DISHUB-U003".into(),
        position_code: None,
        replaces_holder: false,
        decree_number: "821.2/77/204/2026".into(),
        tmt: "2026-07-01".parse().unwrap(),
    };
    let r = post(
        &w,
        Admin,
        &format!("/api/v1/admin/employees/{}/transfer", w.ids[&Head]),
        &away,
    )
    .await;
    assert_eq!(r.status(), 204);
    // A session opened in the millisecond of a revocation counts as revoked: log in later.
    clock.advance(std::time::Duration::from_secs(1));
    let head_again = session_for(&w.app, w.ids[&Head]).await;
    let r = call_with(
        &w.app,
        Method::POST,
        &format!("/api/v1/requests/{id}/decision"),
        Some(&head_again),
        &approval(&v),
    )
    .await;
    problem(r, 403, "forbidden").await;
    let today = w.app.state.clock.today();
    acting(
        &w,
        w.ids[&Other],
        head_post,
        ActingKind::Plh,
        today,
        today + Duration::days(14),
    )
    .await;
    let inbox = ok(get(&w, Other, "/api/v1/inbox").await).await;
    assert_eq!(inbox["items"][0]["request"]["id"], id.as_str(), "{inbox}");
    step_up(&w, Other).await;
    let v = ok(decide(&w, Other, &id, &approval(&v)).await).await;
    assert_eq!(v["status"], "decided");
    assert_eq!(v["steps"][2]["acting"]["kind"], "plh");

    // Leave abroad: no Plt/Plh may decide it.
    let mut f = annual("2026-10-05", "2026-10-09");
    f["abroad"] = json!("ya");
    let v = created(&w, Staff, "cuti_tahunan", f).await;
    let id = v["id"].as_str().unwrap().to_owned();
    let v = verify(&w, &id, version(&v)).await;
    step_up(&w, Supervisor).await;
    let v = ok(decide(&w, Supervisor, &id, &approval(&v)).await).await;
    let inbox = ok(get(&w, Other, "/api/v1/inbox").await).await;
    assert_eq!(inbox["total"], 0, "{inbox}");
    problem(
        decide(&w, Other, &id, &approval(&v)).await,
        403,
        "forbidden",
    )
    .await;
    // Leave abroad needs 30 days' notice.
    let mut f = annual("2026-07-20", "2026-07-21");
    f["abroad"] = json!("ya");
    let p = problem(
        submit(&w, Staff, "cuti_tahunan", f).await,
        422,
        "rule_violation",
    )
    .await;
    assert_eq!(codes(&p), ["notice_abroad"]);
    // Through all of it (steps activated, done, skipped, taken by a Plt and a Plh), the
    // counters the inbox reads are what the steps themselves say.
    inbox_counts_are_exact(&w.app).await;
}

/// `inbox_counts`, kept by the database's triggers, against a count of the active steps.
async fn inbox_counts_are_exact(app: &abdi_tests::TestApp) {
    use sea_orm::{ConnectionTrait, Statement};
    let db = &app.state.db;
    let rows = |sql: &str| {
        let statement = Statement::from_string(db.get_database_backend(), sql.to_owned());
        async move {
            let mut rows: Vec<(String, bool, String, i64)> = db
                .query_all_raw(statement)
                .await
                .unwrap()
                .iter()
                .map(|r| {
                    let post: uuid::Uuid = r.try_get_by_index(0).unwrap();
                    (
                        post.to_string(),
                        r.try_get_by_index(1).unwrap(),
                        r.try_get_by_index(2).unwrap(),
                        r.try_get_by_index(3).unwrap(),
                    )
                })
                .collect();
            rows.sort();
            rows
        }
    };
    let kept = rows(
        "SELECT position_id, acting_allowed, service_code, waiting FROM inbox_counts \
         WHERE waiting <> 0",
    )
    .await;
    let counted = rows(
        "SELECT position_id, acting_allowed, service_code, count(*) FROM request_steps \
         WHERE status = 'active' AND position_id IS NOT NULL \
         GROUP BY position_id, acting_allowed, service_code",
    )
    .await;
    assert!(!counted.is_empty(), "the test left steps waiting");
    assert_eq!(kept, counted);
}

async fn concurrent_submissions_never_overspend_and_one_decision_wins(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    // Eight five-day weeks at once against 24 days: four fit.
    let weeks = [
        ("2026-09-07", "2026-09-11"),
        ("2026-09-14", "2026-09-18"),
        ("2026-09-21", "2026-09-25"),
        ("2026-09-28", "2026-10-02"),
        ("2026-10-05", "2026-10-09"),
        ("2026-10-12", "2026-10-16"),
        ("2026-10-19", "2026-10-23"),
        ("2026-10-26", "2026-10-30"),
    ];
    let results = futures_util::future::join_all(
        weeks
            .iter()
            .map(|(s, e)| submit(&w, Staff, "cuti_tahunan", annual(s, e))),
    )
    .await;
    let mut created = 0;
    for r in results {
        match r.status().as_u16() {
            201 => created += 1,
            _ => {
                let p = problem(r, 422, "rule_violation").await;
                assert_eq!(codes(&p), ["insufficient_balance"]);
            }
        }
    }
    assert_eq!(created, 4);
    let b = balance(&w, Staff, 2026).await;
    assert_eq!((b.pending, b.available), (20, 4), "{b:?}");

    // Five identical two-day requests at once: exactly one, the others overlap it.
    let results = futures_util::future::join_all(
        (0..5).map(|_| submit(&w, Ibu, "cuti_tahunan", annual("2026-11-02", "2026-11-03"))),
    )
    .await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 422).count(),
        4,
        "{statuses:?}"
    );
    let n = leave_booking::Entity::find()
        .filter(leave_booking::Column::EmployeeId.eq(w.ids[&Ibu]))
        .count(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(n, 1);

    // The supervisor and the Plt of the same post act on the same version at once.
    let mine = ok(get(&w, Staff, "/api/v1/requests").await).await;
    let id = mine["items"][0]["id"].as_str().unwrap().to_owned();
    let v = view(&w, Staff, &id).await;
    let v = verify(&w, &id, version(&v)).await;
    step_up(&w, Supervisor).await;
    step_up(&w, ActingNow).await;
    let body = approval(&v);
    let (a, b) = tokio::join!(
        decide(&w, Supervisor, &id, &body),
        decide(&w, ActingNow, &id, &body)
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    let loser = if a.status() == 409 { a } else { b };
    problem(loser, 409, "version_conflict").await;
    let v = view(&w, Staff, &id).await;
    let recommended = v["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "recommended")
        .count();
    assert_eq!(recommended, 1, "no lost update, no double decision");
}

async fn retries_with_one_idempotency_key_make_one_request(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    let key = Uuid::new_v4().to_string();
    let body = new_request("cuti_tahunan", annual("2026-09-07", "2026-09-11"));
    let post = |k: &str, b: &NewRequest| {
        w.app
            .client
            .post(w.app.url("/api/v1/requests"))
            .bearer_auth(&w.tokens[&Staff])
            .header("idempotency-key", k)
            .json(b)
            .send()
    };
    let results = futures_util::future::join_all((0..10).map(|_| post(&key, &body))).await;
    let mut ids = std::collections::BTreeSet::new();
    for r in results {
        let r = r.unwrap();
        match r.status().as_u16() {
            201 => {
                let v: Value = r.json().await.unwrap();
                ids.insert(v["id"].as_str().unwrap().to_owned());
            }
            409 => {
                assert!(r.headers().contains_key("retry-after"));
                problem(r, 409, "idempotency_in_progress").await;
            }
            s => panic!("unexpected {s}"),
        }
    }
    assert_eq!(ids.len(), 1, "every success is the same request");
    let n = service_request::Entity::find()
        .filter(service_request::Column::EmployeeId.eq(w.ids[&Staff]))
        .count(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(n, 1, "one row for many retries");
    // A later retry gets the first answer.
    let r = post(&key, &body).await.unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    let v: Value = r.json().await.unwrap();
    assert!(ids.contains(v["id"].as_str().unwrap()));
    // The same key with another body is refused; no key at all too.
    let other = new_request("cuti_tahunan", annual("2026-09-14", "2026-09-18"));
    problem(
        post(&key, &other).await.unwrap(),
        422,
        "idempotency_key_reused",
    )
    .await;
    let r = w
        .app
        .client
        .post(w.app.url("/api/v1/requests"))
        .bearer_auth(&w.tokens[&Staff])
        .json(&other)
        .send()
        .await
        .unwrap();
    problem(r, 400, "idempotency_key_invalid").await;
    // A refused attempt leaves no claim: fixed and retried, the same key goes through.
    let key2 = Uuid::new_v4().to_string();
    let bad = new_request("cuti_tahunan", annual("2026-09-08", "2026-09-08"));
    problem(post(&key2, &bad).await.unwrap(), 422, "rule_violation").await;
    problem(post(&key2, &bad).await.unwrap(), 422, "rule_violation").await;
    let n = service_request::Entity::find()
        .filter(service_request::Column::EmployeeId.eq(w.ids[&Staff]))
        .count(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

both_backends!(
    a_returned_request_is_revised_resubmitted_and_cancelled,
    acting_officials_decide_in_their_window_and_a_leaving_decider_hands_over,
    concurrent_submissions_never_overspend_and_one_decision_wins,
    retries_with_one_idempotency_key_make_one_request,
);
