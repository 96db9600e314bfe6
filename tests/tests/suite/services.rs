//! Service requests end to end: the catalogue, every leave kind through its chain with every
//! outcome, return for revision, cancel, acting officials, a decider leaving the post, a year
//! boundary with carry-over, concurrent submissions and decisions, idempotent retries,
//! attachments, and study permit and assignment eligibility at their edges.

use abdi_server::access::entity::acting_assignment;
use abdi_server::clock::ManualClock;
use abdi_server::leave::entity::leave_booking;
use abdi_server::masterdata::entity::{employee, performance_rating};
use abdi_server::services::entity::service_request;
use abdi_server::study::entity::disciplinary_sanction;
use abdi_tests::{Backend, both_backends};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::access::{Who, Who::*, World, holder, session_for, world_at};
use crate::problem;

/// Wednesday 1 July 2026, 08:00 in Jakarta.
pub(crate) fn july_first() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-07-01T01:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub(crate) async fn at(backend: Backend, t: DateTime<Utc>) -> (World, ManualClock) {
    let clock = ManualClock::at(t);
    (world_at(backend, Some(clock.clone())).await, clock)
}

pub(crate) fn address() -> Value {
    json!({ "street": "Jl. Pahlawan 110", "city": "Surabaya", "province": "Jawa Timur", "postal_code": "60174" })
}

pub(crate) fn period(start: &str, end: &str) -> Value {
    json!({ "start": start, "end": end })
}

/// An annual-leave form.
pub(crate) fn annual(start: &str, end: &str) -> Value {
    json!({
        "period": period(start, end),
        "reason": "Keperluan keluarga",
        "address": address(),
        "phone": "081234567890",
    })
}

pub(crate) async fn send(
    w: &World,
    who: Who,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let verb = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = w
        .app
        .client
        .request(verb, w.app.url(path))
        .bearer_auth(&w.tokens[&who]);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

pub(crate) async fn ok(r: reqwest::Response) -> Value {
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    body
}

/// Submits `form` for `service` with a fresh idempotency key.
pub(crate) async fn submit(w: &World, who: Who, service: &str, form: Value) -> reqwest::Response {
    w.app
        .client
        .post(w.app.url("/api/v1/requests"))
        .bearer_auth(&w.tokens[&who])
        .header("idempotency-key", Uuid::new_v4().to_string())
        .json(&json!({ "service": service, "form": form }))
        .send()
        .await
        .unwrap()
}

/// The request as `who` sees it.
pub(crate) async fn view(w: &World, who: Who, id: &str) -> Value {
    ok(send(w, who, "GET", &format!("/api/v1/requests/{id}"), None).await).await
}

/// A passkey step-up in `who`'s session (the ceremony itself is tested with the passkeys).
pub(crate) async fn step_up(w: &World, who: Who) {
    let sessions = &w.app.state.identity.sessions;
    let current = sessions.validate(&w.tokens[&who]).await.unwrap();
    sessions.mark_verified(&current).await.unwrap();
}

pub(crate) async fn verify(w: &World, id: &str, version: &Value) -> Value {
    ok(send(
        w,
        Fasilitator,
        "POST",
        &format!("/api/v1/requests/{id}/verification"),
        Some(json!({ "version": version, "outcome": "complete" })),
    )
    .await)
    .await
}

pub(crate) async fn decide(w: &World, who: Who, id: &str, body: Value) -> reqwest::Response {
    send(
        w,
        who,
        "POST",
        &format!("/api/v1/requests/{id}/decision"),
        Some(body),
    )
    .await
}

/// Everyone told since notice `after` that `request` waits for them (`action_required`),
/// and the newest notice's id.
pub(crate) async fn told(w: &World, request: &str, after: i64) -> (Vec<Uuid>, i64) {
    use abdi_server::notifications::entity::event;
    use sea_orm::QueryOrder;
    let rows = event::Entity::find()
        .filter(event::Column::RequestId.eq(Uuid::parse_str(request).unwrap()))
        .filter(event::Column::Kind.eq("action_required"))
        .filter(event::Column::Id.gt(after))
        .order_by_asc(event::Column::Id)
        .all(&w.app.state.db)
        .await
        .unwrap();
    let newest = rows.last().map_or(after, |r| r.id);
    let mut who: Vec<Uuid> = rows.into_iter().map(|r| r.employee_id).collect();
    who.sort_unstable();
    (who, newest)
}

/// Verification, the atasan's approval and the official's decision `outcome`; at every step
/// whoever must act next is told, and nobody once the request is decided.
pub(crate) async fn through_chain(w: &World, v: Value, outcome: Value) -> Value {
    let id = v["id"].as_str().unwrap().to_owned();
    let (first, seen) = told(w, &id, 0).await;
    assert!(first.contains(&w.ids[&Fasilitator]), "{first:?}");
    let v = verify(w, &id, &v["version"]).await;
    assert_eq!(v["status"], "in_review");
    let (next, seen) = told(w, &id, seen).await;
    assert!(next.contains(&w.ids[&Supervisor]), "{next:?}");
    step_up(w, Supervisor).await;
    let v = ok(decide(
        w,
        Supervisor,
        &id,
        json!({ "version": v["version"], "outcome": "disetujui" }),
    )
    .await)
    .await;
    let (next, seen) = told(w, &id, seen).await;
    assert_eq!(next, [w.ids[&Head]]);
    step_up(w, Head).await;
    let mut body = outcome;
    body["version"] = v["version"].clone();
    let v = ok(decide(w, Head, &id, body).await).await;
    if v["status"] == "decided" {
        assert!(
            told(w, &id, seen).await.0.is_empty(),
            "nobody acts on a decided request"
        );
    }
    v
}

async fn balance(w: &World, who: Who, year: i32) -> Value {
    ok(send(
        w,
        who,
        "GET",
        &format!("/api/v1/me/leave-balance?year={year}"),
        None,
    )
    .await)
    .await
}

async fn quote(w: &World, who: Who, service: &str, form: Value) -> Value {
    ok(send(
        w,
        who,
        "POST",
        &format!("/api/v1/services/{service}/quote"),
        Some(json!({ "form": form })),
    )
    .await)
    .await
}

fn codes(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["code"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) async fn created(w: &World, who: Who, service: &str, form: Value) -> Value {
    let r = submit(w, who, service, form).await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    body
}

async fn annual_leave_goes_through_every_outcome(backend: Backend) {
    let (w, clock) = at(backend, july_first()).await;
    // Sixteen years of service and nothing taken in the last two years: 6 + 6 + 12.
    let b = balance(&w, Staff, 2026).await;
    assert_eq!(b["available"], 24, "{b}");

    let q = quote(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-09-07", "2026-09-11"),
    )
    .await;
    assert_eq!(q["ok"], true, "{q}");
    assert_eq!(q["assessment"]["working_days"], 5);
    assert_eq!(q["assessment"]["balance_before"]["available"], 24);
    assert_eq!(q["assessment"]["balance_after"]["available"], 19);
    // A range over a weekend and a holiday counts working days only: 17 Aug 2026 is a holiday.
    let q = quote(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-08-14", "2026-08-18"),
    )
    .await;
    assert_eq!(q["assessment"]["working_days"], 2, "{q}");

    let cases = [
        (
            "2026-09-07",
            "2026-09-11",
            json!({ "outcome": "disetujui" }),
        ),
        (
            "2026-09-14",
            "2026-09-18",
            json!({ "outcome": "perubahan", "note": "Dipersingkat karena rapat kerja", "changes": { "period": period("2026-09-14", "2026-09-16") } }),
        ),
        (
            "2026-09-21",
            "2026-09-25",
            json!({ "outcome": "ditangguhkan", "note": "Kebutuhan dinas" }),
        ),
        (
            "2026-10-05",
            "2026-10-09",
            json!({ "outcome": "tidak_disetujui", "note": "Akhir tahun anggaran" }),
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
        let queue =
            ok(send(&w, Fasilitator, "GET", "/api/v1/verification-queue", None).await).await;
        assert!(
            queue["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["request"]["id"] == id.as_str())
        );
        let v = verify(&w, &id, &v["version"]).await;
        let inbox = ok(send(&w, Supervisor, "GET", "/api/v1/inbox", None).await).await;
        assert!(
            inbox["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["request"]["id"] == id.as_str()),
            "{inbox}"
        );

        // Deciding needs a fresh step-up.
        let r = decide(
            &w,
            Supervisor,
            &id,
            json!({ "version": v["version"], "outcome": "disetujui" }),
        )
        .await;
        problem(r, 403, "step_up_required").await;
        // A refusal needs a reason.
        step_up(&w, Supervisor).await;
        let r = decide(
            &w,
            Supervisor,
            &id,
            json!({ "version": v["version"], "outcome": "tidak_disetujui" }),
        )
        .await;
        problem(r, 422, "reason_required").await;
        let mut fin = outcome.clone();
        fin["version"] = v["version"].clone();
        let v = ok(decide(
            &w,
            Supervisor,
            &id,
            json!({ "version": v["version"], "outcome": "disetujui" }),
        )
        .await)
        .await;
        assert_eq!(v["status"], "in_review");
        // The supervisor cannot take the official's step.
        let r = decide(
            &w,
            Supervisor,
            &id,
            json!({ "version": v["version"], "outcome": "disetujui" }),
        )
        .await;
        problem(r, 403, "forbidden").await;
        step_up(&w, Head).await;
        if fin["outcome"] == "perubahan" {
            let r = decide(
                &w,
                Head,
                &id,
                json!({ "version": v["version"], "outcome": "perubahan", "note": "x" }),
            )
            .await;
            problem(r, 400, "invalid_body").await;
        }
        fin["version"] = v["version"].clone();
        let v = ok(decide(&w, Head, &id, fin).await).await;
        assert_eq!(v["status"], "decided");
        assert_eq!(v["outcome"], outcome["outcome"]);
        // Decided is final: no cancel.
        let r = send(
            &w,
            Staff,
            "POST",
            &format!("/api/v1/requests/{id}/cancel"),
            Some(json!({ "version": v["version"] })),
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
    assert_eq!(
        (
            b["used"].as_u64(),
            b["pending"].as_u64(),
            b["available"].as_u64()
        ),
        (Some(8), Some(0), Some(16)),
        "{b}"
    );
    // 2027: 6 carried from 2026 plus the 5 deferred days, on top of 12.
    let b = balance(&w, Staff, 2027).await;
    assert_eq!(b["available"], 23, "{b}");
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

/// Walks a request of `who` through verification and the chain, with `Supervisor` and `Head`
/// approving; returns the final view.
async fn approved(w: &World, who: Who, service: &str, form: Value) -> Value {
    let v = created(w, who, service, form).await;
    let v = through_chain(w, v, json!({ "outcome": "disetujui" })).await;
    assert_eq!(v["status"], "decided", "{v}");
    assert_eq!(v["outcome"], "disetujui");
    v
}

async fn upload(w: &World, who: Who, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    w.app
        .client
        .post(w.app.url(&format!("/api/v1/attachments?name={name}")))
        .bearer_auth(&w.tokens[&who])
        .body(bytes)
        .send()
        .await
        .unwrap()
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<<>>\n%%EOF\n".to_vec()
}

async fn pdf_id(w: &World, who: Who) -> Value {
    let v = ok(upload(w, who, "surat.pdf", pdf()).await).await;
    json!([{ "id": v["id"] }])
}

async fn every_leave_kind_goes_through_its_chain(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    let common = |p: Value| json!({ "period": p, "reason": "Keperluan", "address": address(), "phone": "081234567890" });

    // Cuti besar: no annual leave in that year afterwards.
    let mut f = common(period("2026-09-01", "2026-10-30"));
    f["purpose"] = json!("umum");
    approved(&w, Staff, "cuti_besar", f).await;
    assert_eq!(balance(&w, Staff, 2026).await["available"], 0);
    let q = quote(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-11-02", "2026-11-03"),
    )
    .await;
    assert_eq!(q["ok"], false);
    assert!(
        q["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["code"] == "insufficient_balance")
    );
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
    let sick = |doc: Option<Value>| {
        let mut f = json!({ "period": period("2026-06-29", "2026-07-01"), "sick_kind": "biasa", "address": address(), "phone": "081234567890" });
        if let Some(d) = doc {
            f["doctor_certificate"] = d;
        }
        f
    };
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

    // Cuti melahirkan: for women; from the fourth birth it is granted as cuti besar.
    let birth = |order: i64, doc: Value| json!({ "period": period("2026-07-06", "2026-10-05"), "birth_order": order, "doctor_letter": doc, "address": address(), "phone": "081234567890" });
    let staff_doc = pdf_id(&w, Staff).await;
    let p = problem(
        submit(&w, Staff, "cuti_melahirkan", birth(1, staff_doc)).await,
        422,
        "rule_violation",
    )
    .await;
    assert!(codes(&p).contains(&"not_applicable".to_owned()));
    let q = quote(&w, Ibu, "cuti_melahirkan", birth(4, pdf_id(&w, Ibu).await)).await;
    assert_eq!(q["assessment"]["booked_as"], "besar", "{q}");
    let v = approved(&w, Ibu, "cuti_melahirkan", birth(1, pdf_id(&w, Ibu).await)).await;
    assert_eq!(v["assessment"]["booked_as"], "melahirkan");

    // Alasan penting: at most a month.
    let important = |p: Value, doc: Value| json!({ "period": p, "reason_kind": "keluarga_sakit", "reason": "Orang tua dirawat", "evidence": doc, "address": address(), "phone": "081234567890" });
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
    let before = balance(&w, Supervisor, 2026).await["available"]
        .as_u64()
        .unwrap();
    let f = json!({ "period": period("2026-05-28", "2026-05-28"), "reason": "Piket layanan", "duty_letter": pdf_id(&w, Supervisor).await });
    let v = created(&w, Supervisor, "cuti_bersama", f).await;
    let id = v["id"].as_str().unwrap().to_owned();
    let v = verify(&w, &id, &v["version"]).await;
    let their_head = step_holder(&w, &id, 1).await;
    assert_eq!(step_holder(&w, &id, 2).await.1, w.ids[&Head]);
    let current = w
        .app
        .state
        .identity
        .sessions
        .validate(&their_head.0)
        .await
        .unwrap();
    w.app
        .state
        .identity
        .sessions
        .mark_verified(&current)
        .await
        .unwrap();
    let v: Value = ok(w
        .app
        .client
        .post(w.app.url(&format!("/api/v1/requests/{id}/decision")))
        .bearer_auth(&their_head.0)
        .json(&json!({ "version": v["version"], "outcome": "disetujui" }))
        .send()
        .await
        .unwrap())
    .await;
    step_up(&w, Head).await;
    let v = ok(decide(
        &w,
        Head,
        &id,
        json!({ "version": v["version"], "outcome": "disetujui" }),
    )
    .await)
    .await;
    assert_eq!(v["status"], "decided");
    assert_eq!(v["assessment"]["charged_days"], 1);
    assert_eq!(
        balance(&w, Supervisor, 2026).await["available"]
            .as_u64()
            .unwrap(),
        before + 1
    );
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
    let f = json!({ "period": period("2026-09-01", "2029-08-31"), "reason": "Mendampingi suami tugas belajar di luar negeri", "evidence": pdf_id(&w, Ibu).await, "address": address(), "phone": "081234567890" });
    let q = quote(&w, Ibu, "cltn", f.clone()).await;
    assert_eq!(q["ok"], false, "Ibu's leave in that period overlaps: {q}");
    let f = json!({ "period": period("2026-11-02", "2029-11-01"), "reason": "Mendampingi suami tugas belajar di luar negeri", "evidence": pdf_id(&w, Ibu).await, "address": address(), "phone": "081234567890" });
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
    let v = verify(&w, &id, &v["version"]).await;
    step_up(&w, Supervisor).await;
    let v = ok(decide(
        &w,
        Supervisor,
        &id,
        json!({ "version": v["version"], "outcome": "disetujui" }),
    )
    .await)
    .await;
    step_up(&w, Head).await;
    let v = ok(decide(
        &w,
        Head,
        &id,
        json!({ "version": v["version"], "outcome": "disetujui" }),
    )
    .await)
    .await;
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
        "plh",
        w.app.state.clock.today(),
        w.app.state.clock.today(),
    )
    .await;
    step_up(&w, Other).await;
    let r = decide(
        &w,
        Other,
        &id,
        json!({ "version": v["version"], "outcome": "disetujui" }),
    )
    .await;
    problem(r, 403, "forbidden").await;
    let current = w
        .app
        .state
        .identity
        .sessions
        .validate(&ppk_token)
        .await
        .unwrap();
    w.app
        .state
        .identity
        .sessions
        .mark_verified(&current)
        .await
        .unwrap();
    let v: Value = ok(w
        .app
        .client
        .post(w.app.url(&format!("/api/v1/requests/{id}/decision")))
        .bearer_auth(&ppk_token)
        .json(&json!({ "version": v["version"], "outcome": "disetujui" }))
        .send()
        .await
        .unwrap())
    .await;
    assert_eq!(v["status"], "in_review", "BKN's approval is still needed");
    // The outside approval is the administrators' to record.
    assert_eq!(told(&w, &id, seen).await.0, [w.ids[&Admin]]);
    step_up(&w, Admin).await;
    let inbox = ok(send(&w, Admin, "GET", "/api/v1/inbox", None).await).await;
    assert_eq!(inbox["counts"]["cltn"], 1, "{inbox}");
    let v = ok(decide(&w, Admin, &id, json!({ "version": v["version"], "outcome": "disetujui", "note": "Persetujuan BKN Nomor 123/B/2026" })).await).await;
    assert_eq!(v["status"], "decided");
    assert_eq!(v["outcome"], "disetujui");
    assert_eq!(v["steps"][4]["capacity"], "administrator");
}

/// A session for whoever holds the post of step `seq` of a request, and their id.
async fn step_holder(w: &World, request: &str, seq: i32) -> (String, Uuid) {
    use abdi_server::services::entity::request_step;
    let step = request_step::Entity::find()
        .filter(request_step::Column::RequestId.eq(Uuid::parse_str(request).unwrap()))
        .filter(request_step::Column::Seq.eq(seq))
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let holder = employee::Entity::find()
        .filter(employee::Column::PositionId.eq(step.position_id.unwrap()))
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    (session_for(&w.app, holder.id).await, holder.id)
}

/// The head post of the instansi: (id, code).
async fn sekda_post(w: &World) -> (Uuid, String) {
    use abdi_server::masterdata::entity::{org_unit, position};
    let top = org_unit::Entity::find()
        .filter(org_unit::Column::Level.eq("instansi"))
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let post = position::Entity::find()
        .filter(position::Column::UnitId.eq(top.id))
        .filter(position::Column::Kind.eq("struktural"))
        .filter(position::Column::ReportsToId.is_null())
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    (post.id, post.code)
}

async fn acting(w: &World, who: Uuid, post: Uuid, kind: &str, from: NaiveDate, to: NaiveDate) {
    acting_assignment::ActiveModel {
        id: Set(Uuid::new_v4()),
        employee_id: Set(who),
        position_id: Set(post),
        kind: Set(kind.into()),
        number: Set("800.1.11.1/77/204/2026".into()),
        starts_on: Set(from),
        ends_on: Set(to),
        created_at: Set(Utc::now()),
    }
    .insert(&w.app.state.db)
    .await
    .unwrap();
}

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
    assert_eq!(balance(&w, Staff, 2026).await["pending"], 5);
    let path = format!("/api/v1/requests/{id}/verification");
    let r = send(
        &w,
        Fasilitator,
        "POST",
        &path,
        Some(json!({ "version": v["version"], "outcome": "return" })),
    )
    .await;
    problem(r, 422, "reason_required").await;
    let v = ok(send(
        &w,
        Fasilitator,
        "POST",
        &path,
        Some(
            json!({ "version": v["version"], "outcome": "return", "note": "Alamat belum lengkap" }),
        ),
    )
    .await)
    .await;
    assert_eq!(v["status"], "returned");
    assert_eq!(v["steps"][0]["outcome"], "return");
    assert_eq!(v["steps"][1]["status"], "skipped");
    // Returned: the days are free again until it is sent back.
    assert_eq!(balance(&w, Staff, 2026).await["pending"], 0);
    // Only the employee edits it, with the version they saw.
    let edit = json!({ "version": v["version"], "form": annual("2026-09-07", "2026-09-09") });
    problem(
        send(
            &w,
            Supervisor,
            "PUT",
            &format!("/api/v1/requests/{id}"),
            Some(edit.clone()),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let v = ok(send(
        &w,
        Staff,
        "PUT",
        &format!("/api/v1/requests/{id}"),
        Some(edit.clone()),
    )
    .await)
    .await;
    problem(
        send(
            &w,
            Staff,
            "PUT",
            &format!("/api/v1/requests/{id}"),
            Some(edit),
        )
        .await,
        409,
        "version_conflict",
    )
    .await;
    let v = ok(send(
        &w,
        Staff,
        "POST",
        &format!("/api/v1/requests/{id}/submit"),
        Some(json!({ "version": v["version"] })),
    )
    .await)
    .await;
    assert_eq!(v["status"], "submitted");
    assert_eq!(v["steps"][0]["status"], "active");
    assert_eq!(v["assessment"]["working_days"], 3);
    assert_eq!(balance(&w, Staff, 2026).await["pending"], 3);
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
        send(&w, Staff, "POST", &cancel, Some(json!({ "version": 1 }))).await,
        409,
        "version_conflict",
    )
    .await;
    let v = ok(send(
        &w,
        Staff,
        "POST",
        &cancel,
        Some(json!({ "version": v["version"], "note": "Batal berangkat" })),
    )
    .await)
    .await;
    assert_eq!(v["status"], "cancelled");
    assert_eq!(balance(&w, Staff, 2026).await["pending"], 0);
    problem(
        send(
            &w,
            Staff,
            "POST",
            &cancel,
            Some(json!({ "version": v["version"] })),
        )
        .await,
        409,
        "invalid_transition",
    )
    .await;
    // Drafts: kept, then sent.
    let r = w
        .app
        .client
        .post(w.app.url("/api/v1/requests"))
        .bearer_auth(&w.tokens[&Staff])
        .header("idempotency-key", Uuid::new_v4().to_string())
        .json(&json!({ "service": "cuti_tahunan", "form": { "reason": "Belum lengkap" }, "submit": false }))
        .send()
        .await
        .unwrap();
    let draft: Value = ok(r).await;
    assert_eq!(draft["status"], "draft");
    let r = send(
        &w,
        Staff,
        "POST",
        &format!("/api/v1/requests/{}/submit", draft["id"].as_str().unwrap()),
        Some(json!({ "version": draft["version"] })),
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
    let mine = ok(send(&w, Staff, "GET", "/api/v1/requests?status=draft", None).await).await;
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
    let v = verify(&w, &id, &v["version"]).await;
    // Plh whose window ended yesterday: refused. Plt inside the window: in the inbox, decides.
    step_up(&w, ActingExpired).await;
    problem(
        decide(
            &w,
            ActingExpired,
            &id,
            json!({ "version": v["version"], "outcome": "disetujui" }),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let inbox = ok(send(&w, ActingNow, "GET", "/api/v1/inbox", None).await).await;
    assert_eq!(inbox["total"], 1, "{inbox}");
    step_up(&w, ActingNow).await;
    let v = ok(decide(
        &w,
        ActingNow,
        &id,
        json!({ "version": v["version"], "outcome": "disetujui" }),
    )
    .await)
    .await;
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
    let r = w
        .app
        .client
        .post(w.app.url(&format!(
            "/api/v1/admin/employees/{}/transfer",
            w.ids[&Head]
        )))
        .bearer_auth(&w.tokens[&Admin])
        .json(&json!({ "unit_code": "DISHUB-U003" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    // A session opened in the millisecond of a revocation counts as revoked: log in later.
    clock.advance(std::time::Duration::from_secs(1));
    let head_again = session_for(&w.app, w.ids[&Head]).await;
    let r = w
        .app
        .client
        .post(w.app.url(&format!("/api/v1/requests/{id}/decision")))
        .bearer_auth(&head_again)
        .json(&json!({ "version": v["version"], "outcome": "disetujui" }))
        .send()
        .await
        .unwrap();
    problem(r, 403, "forbidden").await;
    let today = w.app.state.clock.today();
    acting(
        &w,
        w.ids[&Other],
        head_post,
        "plh",
        today,
        today + Duration::days(14),
    )
    .await;
    let inbox = ok(send(&w, Other, "GET", "/api/v1/inbox", None).await).await;
    assert_eq!(inbox["items"][0]["request"]["id"], id.as_str(), "{inbox}");
    step_up(&w, Other).await;
    let v = ok(decide(
        &w,
        Other,
        &id,
        json!({ "version": v["version"], "outcome": "disetujui" }),
    )
    .await)
    .await;
    assert_eq!(v["status"], "decided");
    assert_eq!(v["steps"][2]["acting"]["kind"], "plh");

    // Leave abroad: no Plt/Plh may decide it.
    let mut f = annual("2026-10-05", "2026-10-09");
    f["abroad"] = json!("ya");
    let v = created(&w, Staff, "cuti_tahunan", f).await;
    let id = v["id"].as_str().unwrap().to_owned();
    let v = verify(&w, &id, &v["version"]).await;
    step_up(&w, Supervisor).await;
    let v = ok(decide(
        &w,
        Supervisor,
        &id,
        json!({ "version": v["version"], "outcome": "disetujui" }),
    )
    .await)
    .await;
    let inbox = ok(send(&w, Other, "GET", "/api/v1/inbox", None).await).await;
    assert_eq!(inbox["total"], 0, "{inbox}");
    problem(
        decide(
            &w,
            Other,
            &id,
            json!({ "version": v["version"], "outcome": "disetujui" }),
        )
        .await,
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
    let rows: Vec<u64> = b["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["remaining"].as_u64().unwrap())
        .collect();
    // 2025 used its carried days first, so 6 of its own 12 carry; 2024's rest has expired.
    assert_eq!(rows, [0, 6, 12], "{b}");
    assert_eq!(b["available"], 18);
    // 2 Feb (Mon) to 27 Feb (Fri) 2026 is 18 working days (16 and 17 Feb are off): all of it.
    let q = quote(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-02-02", "2026-02-27"),
    )
    .await;
    assert_eq!(q["ok"], true, "{q}");
    assert_eq!(q["assessment"]["working_days"], 18);
    // One more working day is one too many.
    let q = quote(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-02-02", "2026-03-02"),
    )
    .await;
    assert_eq!(q["ok"], false, "{q}");
    assert_eq!(q["violations"][0]["code"], "insufficient_balance");
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
    assert_eq!(
        (b["pending"].as_u64(), b["available"].as_u64()),
        (Some(20), Some(4)),
        "{b}"
    );

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
    let mine = ok(send(&w, Staff, "GET", "/api/v1/requests", None).await).await;
    let id = mine["items"][0]["id"].as_str().unwrap().to_owned();
    let v = view(&w, Staff, &id).await;
    let v = verify(&w, &id, &v["version"]).await;
    step_up(&w, Supervisor).await;
    step_up(&w, ActingNow).await;
    let body = json!({ "version": v["version"], "outcome": "disetujui" });
    let (a, b) = tokio::join!(
        decide(&w, Supervisor, &id, body.clone()),
        decide(&w, ActingNow, &id, body)
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
    let body = json!({ "service": "cuti_tahunan", "form": annual("2026-09-07", "2026-09-11") });
    let post = |k: &str, b: &Value| {
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
    let other = json!({ "service": "cuti_tahunan", "form": annual("2026-09-14", "2026-09-18") });
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
    let bad = json!({ "service": "cuti_tahunan", "form": annual("2026-09-08", "2026-09-08") });
    problem(post(&key2, &bad).await.unwrap(), 422, "rule_violation").await;
    problem(post(&key2, &bad).await.unwrap(), 422, "rule_violation").await;
    let n = service_request::Entity::find()
        .filter(service_request::Column::EmployeeId.eq(w.ids[&Staff]))
        .count(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

async fn attachments_are_checked_by_content_and_guarded(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    problem(
        upload(&w, Staff, "x.pdf", b"<html>not a pdf</html>".to_vec()).await,
        415,
        "attachment_type",
    )
    .await;
    problem(
        upload(&w, Staff, "x.pdf", Vec::new()).await,
        400,
        "invalid_body",
    )
    .await;
    let mut big = pdf();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    problem(
        upload(&w, Staff, "big.pdf", big).await,
        413,
        "payload_too_large",
    )
    .await;
    let r = upload(&w, Staff, "../../etc/surat dokter.pdf", pdf()).await;
    assert_eq!(r.status(), 201);
    let info: Value = r.json().await.unwrap();
    assert_eq!(info["name"], "surat dokter.pdf");
    assert_eq!(info["content_type"], "application/pdf");
    use sha2::Digest;
    assert_eq!(info["sha256"], hex::encode(sha2::Sha256::digest(pdf())));
    let id = info["id"].as_str().unwrap().to_owned();
    // Only the owner sees an attachment not yet sent.
    let r = send(&w, Staff, "GET", &format!("/api/v1/attachments/{id}"), None).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf());
    problem(
        send(
            &w,
            Fasilitator,
            "GET",
            &format!("/api/v1/attachments/{id}"),
            None,
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    problem(
        send(
            &w,
            Staff,
            "GET",
            &format!("/api/v1/attachments/{}", Uuid::new_v4()),
            None,
        )
        .await,
        404,
        "attachment_not_found",
    )
    .await;

    // A PNG where only PDF is accepted is caught by what was stored, not what the form says.
    let png = [
        &[0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..],
        b"rest",
    ]
    .concat();
    let png_id = ok(upload(&w, Staff, "scan.png", png).await).await["id"].clone();
    let mut f = json!({ "period": period("2026-06-29", "2026-07-01"), "sick_kind": "biasa", "address": address(), "phone": "081234567890" });
    f["doctor_certificate"] = json!([{ "id": id }]);
    f["medical_board_letter"] =
        json!([{ "id": png_id, "content_type": "application/pdf", "size": 10 }]);
    let p = problem(
        submit(&w, Staff, "cuti_sakit", f.clone()).await,
        422,
        "form_invalid",
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "attachment_kind", "{p}");
    // Someone else's upload cannot be sent.
    let theirs = ok(upload(&w, Ibu, "x.pdf", pdf()).await).await["id"].clone();
    f["medical_board_letter"] = json!([{ "id": theirs }]);
    let p = problem(
        submit(&w, Staff, "cuti_sakit", f.clone()).await,
        422,
        "form_invalid",
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "attachment_not_found", "{p}");
    f.as_object_mut().unwrap().remove("medical_board_letter");
    let v = created(&w, Staff, "cuti_sakit", f).await;
    assert_eq!(
        v["form"]["doctor_certificate"][0]["name"],
        "surat dokter.pdf"
    );
    // Sent: the fasilitator may read it now; someone from another unit may not.
    let r = send(
        &w,
        Fasilitator,
        "GET",
        &format!("/api/v1/attachments/{id}"),
        None,
    )
    .await;
    assert_eq!(r.status(), 200);
    problem(
        send(
            &w,
            OtherFasilitator,
            "GET",
            &format!("/api/v1/attachments/{id}"),
            None,
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    // And it cannot be sent a second time with another request.
    let f2 = json!({ "period": period("2026-07-06", "2026-07-07"), "sick_kind": "biasa", "doctor_certificate": [{ "id": id }], "address": address(), "phone": "081234567890" });
    let p = problem(
        submit(&w, Staff, "cuti_sakit", f2).await,
        422,
        "form_invalid",
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "attachment_not_found");
}

/// A draft (or an edit) can take only its owner's free files, and only through the attachment
/// fields its service declares: another employee's attachment id in an unknown key, or in a
/// real attachment field, neither moves the file nor lets the caller read it.
async fn someone_elses_attachment_cannot_be_taken(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    let draft = |who: Who, form: Value| {
        let w = &w;
        async move {
            w.app
                .client
                .post(w.app.url("/api/v1/requests"))
                .bearer_auth(&w.tokens[&who])
                .header("idempotency-key", Uuid::new_v4().to_string())
                .json(&json!({ "service": "cuti_sakit", "form": form, "submit": false }))
                .send()
                .await
                .unwrap()
        }
    };
    // The victim's doctor's letter, sent with her request.
    let letter = ok(upload(&w, Ibu, "surat dokter.pdf", pdf()).await).await["id"].clone();
    let hers = json!({ "period": period("2026-06-29", "2026-07-01"), "sick_kind": "biasa",
        "doctor_certificate": [{ "id": letter }], "address": address(), "phone": "081234567890" });
    let theirs = created(&w, Ibu, "cuti_sakit", hers).await;
    // And a file she uploaded but has not sent yet.
    let pending = ok(upload(&w, Ibu, "ktp.pdf", pdf()).await).await["id"].clone();

    for id in [&letter, &pending] {
        // An unknown key is refused in a draft, as in a submission.
        let p = problem(
            draft(Staff, json!({ "zz": [{ "id": id }] })).await,
            422,
            "form_invalid",
        )
        .await;
        assert_eq!(p["errors"][0]["code"], "unknown_field", "{p}");
        assert_eq!(p["errors"][0]["field"], "zz", "{p}");
        // A declared attachment field does not take someone else's file either.
        let p = problem(
            draft(Staff, json!({ "doctor_certificate": [{ "id": id }] })).await,
            422,
            "form_invalid",
        )
        .await;
        assert_eq!(p["errors"][0]["code"], "attachment_not_found", "{p}");
        problem(
            send(
                &w,
                Staff,
                "GET",
                &format!("/api/v1/attachments/{}", id.as_str().unwrap()),
                None,
            )
            .await,
            403,
            "forbidden",
        )
        .await;
    }
    // An edit of the attacker's own draft is held to the same rules.
    let mine = ok(draft(Staff, json!({ "sick_kind": "biasa" })).await).await;
    let path = format!("/api/v1/requests/{}", mine["id"].as_str().unwrap());
    let edit = |form: Value| {
        send(
            &w,
            Staff,
            "PUT",
            &path,
            Some(json!({ "version": mine["version"], "form": form })),
        )
    };
    let p = problem(
        edit(json!({ "zz": [{ "id": letter }] })).await,
        422,
        "form_invalid",
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "unknown_field", "{p}");
    let p = problem(
        edit(json!({ "doctor_certificate": [{ "id": pending }] })).await,
        422,
        "form_invalid",
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "attachment_not_found", "{p}");

    // The victim's files stayed where they were, and her request still shows its letter.
    use abdi_server::services::entity::attachment;
    let rows = attachment::Entity::find()
        .filter(attachment::Column::OwnerId.eq(w.ids[&Ibu]))
        .all(&w.app.state.db)
        .await
        .unwrap();
    let on = |id: &Value| {
        rows.iter()
            .find(|a| a.id.to_string() == id.as_str().unwrap())
            .unwrap()
            .request_id
    };
    assert_eq!(
        on(&letter).map(|u| u.to_string()),
        theirs["id"].as_str().map(str::to_owned)
    );
    assert_eq!(on(&pending), None);
    let again = view(&w, Ibu, theirs["id"].as_str().unwrap()).await;
    assert_eq!(
        again["form"]["doctor_certificate"][0]["id"], letter,
        "{again}"
    );
    let r = send(
        &w,
        Ibu,
        "GET",
        &format!("/api/v1/attachments/{}", letter.as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(r.status(), 200);

    // Her own draft takes her pending file; an edit that drops it lets it go again.
    let d = ok(draft(Ibu, json!({ "doctor_certificate": [{ "id": pending }] })).await).await;
    let released = ok(send(
        &w,
        Ibu,
        "PUT",
        &format!("/api/v1/requests/{}", d["id"].as_str().unwrap()),
        Some(json!({ "version": d["version"], "form": { "sick_kind": "biasa" } })),
    )
    .await)
    .await;
    assert_eq!(released["status"], "draft");
    let row = attachment::Entity::find_by_id(Uuid::parse_str(pending.as_str().unwrap()).unwrap())
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.request_id, None);
}

/// An employee keeps only so many files waiting to be sent, and those never sent are swept
/// away after their time; files sent with a request stay.
async fn unsent_uploads_have_a_quota_and_are_swept(backend: Backend) {
    let clock = ManualClock::at(july_first());
    let w = crate::access::world_with(backend, Some(clock.clone()), |c| {
        c.storage.pending_uploads_per_employee = 2;
        c.storage.pending_upload_ttl_hours = 48;
    })
    .await;
    let a = ok(upload(&w, Staff, "a.pdf", pdf()).await).await["id"].clone();
    let b = ok(upload(&w, Staff, "b.pdf", pdf()).await).await["id"].clone();
    let p = problem(
        upload(&w, Staff, "c.pdf", pdf()).await,
        409,
        "upload_quota_exceeded",
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("48"), "{p}");
    // Someone else's quota is their own.
    ok(upload(&w, Ibu, "x.pdf", pdf()).await).await;
    // Sending one with a request frees its place.
    let f = json!({ "period": period("2026-06-29", "2026-07-01"), "sick_kind": "biasa",
        "doctor_certificate": [{ "id": a }], "address": address(), "phone": "081234567890" });
    created(&w, Staff, "cuti_sakit", f).await;
    let c = ok(upload(&w, Staff, "c.pdf", pdf()).await).await["id"].clone();

    // Two days on, nothing has been swept yet; past the time, the unsent ones go.
    use abdi_server::services::entity::attachment;
    let keys: Vec<String> = attachment::Entity::find()
        .filter(attachment::Column::RequestId.is_null())
        .all(&w.app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.storage_key)
        .collect();
    assert_eq!(keys.len(), 3);
    let pending = abdi_server::services::attachments::Pending {
        per_employee: 2,
        ttl_hours: 48,
    };
    clock.advance(std::time::Duration::from_secs(47 * 3600));
    assert_eq!(
        w.app.state.services.sweep_uploads(pending).await.unwrap(),
        0
    );
    clock.advance(std::time::Duration::from_secs(2 * 3600));
    assert_eq!(
        w.app.state.services.sweep_uploads(pending).await.unwrap(),
        3,
        "b, c and Ibu's"
    );
    for id in [&b, &c] {
        problem(
            send(
                &w,
                Staff,
                "GET",
                &format!("/api/v1/attachments/{}", id.as_str().unwrap()),
                None,
            )
            .await,
            404,
            "attachment_not_found",
        )
        .await;
    }
    let r = send(
        &w,
        Staff,
        "GET",
        &format!("/api/v1/attachments/{}", a.as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf());
    // Their files are gone from the object store too.
    for key in keys {
        assert!(
            w.app.state.services.objects.get_bytes(&key).await.is_err(),
            "{key} left behind"
        );
    }
}

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
        send(&w, Staff, "GET", "/api/v1/services?all=true", None).await,
        403,
        "forbidden",
    )
    .await;
    let r = w
        .app
        .client
        .get(w.app.url("/api/v1/services?all=true"))
        .bearer_auth("not-a-session")
        .send()
        .await
        .unwrap();
    problem(r, 401, "unauthenticated").await;
    let all = ok(send(&w, Admin, "GET", "/api/v1/services?all=true", None).await).await;
    assert!(all.as_array().unwrap().len() >= open.as_array().unwrap().len());
    // A session is not needed, nor held against anyone, for the open list.
    let mine = ok(send(&w, Staff, "GET", "/api/v1/services", None).await).await;
    assert_eq!(mine, open);
}

/// Attachments in an S3-compatible store: streamed in, read back, and nothing left behind by
/// a refused upload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_go_to_an_s3_compatible_store() {
    use abdi_server::config::Secret;
    use abdi_server::config::StorageBackend;
    let s3 = abdi_tests::s3::S3Server::start().await;
    let mut env = abdi_tests::TestEnv::new(Backend::Postgres).await;
    env.config.storage.backend = StorageBackend::S3;
    env.config.storage.s3_endpoint = s3.endpoint.clone();
    env.config.storage.s3_bucket = s3.bucket.clone();
    env.config.storage.s3_access_key_id = "abdi".into();
    env.config.storage.s3_secret_access_key = Some(Secret::new("abdi-secret"));
    env.config.storage.s3_allow_http = true;
    env.config.storage.max_upload_bytes = 64 * 1024;
    let app =
        abdi_tests::TestApp::start(env, std::sync::Arc::new(abdi_server::clock::SystemClock)).await;
    abdi_server::seed::run_seed(
        &app.state.db,
        &abdi_server::seed::SeedOptions {
            employees: 20,
            seed: 5,
            as_of: d("2026-11-23"),
            accounts: Vec::new(),
            reset: false,
            progress: false,
        },
        Utc::now(),
    )
    .await
    .unwrap();
    let someone = employee::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let token = session_for(&app, someone.id).await;
    // Larger than one multipart chunk of the client would be for a small store: 40 KB.
    let mut body = pdf();
    body.resize(40 * 1024, b'%');
    let r = app
        .client
        .post(app.url("/api/v1/attachments?name=ijazah.pdf"))
        .bearer_auth(&token)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let info: Value = r.json().await.unwrap();
    let keys = s3.keys().await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].ends_with(info["id"].as_str().unwrap()));
    let r = app
        .client
        .get(app.url(&format!(
            "/api/v1/attachments/{}",
            info["id"].as_str().unwrap()
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), body);
    // Over the limit: refused while streaming, and no object is left in the bucket.
    let mut big = pdf();
    big.resize(65 * 1024, b'%');
    let r = app
        .client
        .post(app.url("/api/v1/attachments?name=besar.pdf"))
        .bearer_auth(&token)
        .body(big)
        .send()
        .await
        .unwrap();
    problem(r, 413, "payload_too_large").await;
    assert_eq!(s3.keys().await.len(), 1);
}

async fn set_employee(w: &World, who: Who, change: impl FnOnce(&mut employee::ActiveModel)) {
    let e = employee::Entity::find_by_id(w.ids[&who])
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut a: employee::ActiveModel = e.into();
    change(&mut a);
    a.update(&w.app.state.db).await.unwrap();
}

async fn study_permits_and_assignments_meet_their_conditions_on_the_day(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    let today = d("2026-07-01");
    let permit = |accreditation: &str| {
        json!({
            "level": "s2", "institution": "Universitas Airlangga", "programme": "Magister Administrasi Publik",
            "accreditation": accreditation, "relevance": "Mendukung tugas analis kebijakan kepegawaian",
            "study_period": period("2026-08-31", "2028-08-30"),
            "acceptance_letter": [], "accreditation_certificate": [],
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
    assert_eq!(q["violations"][0]["code"], "service_too_short", "{q}");
    set_employee(&w, Staff, |a| a.tmt_pns = Set(Some(d("2025-07-01")))).await;
    assert_eq!(
        quote(&w, Staff, "izin_belajar", form.clone()).await["ok"],
        true
    );
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
    assert_eq!(q["violations"][0]["code"], "disciplinary_sanction", "{q}");
    let mut s: disciplinary_sanction::ActiveModel = sanction.into();
    s.ends_on = Set(Some(today - Duration::days(1)));
    s.update(&w.app.state.db).await.unwrap();
    assert_eq!(
        quote(&w, Staff, "izin_belajar", form.clone()).await["ok"],
        true
    );
    // Accreditation below B.
    let low = with_docs(
        permit("c"),
        pdf_id(&w, Staff).await,
        pdf_id(&w, Staff).await,
    );
    assert_eq!(
        quote(&w, Staff, "izin_belajar", low).await["violations"][0]["code"],
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
    assert_eq!(q["ok"], true, "{q}");
    // On the 26th birthday: too old, unless remote.
    let q = quote(
        &w,
        Ibu,
        "tugas_belajar",
        tb("s1", "2026-09-01", "2030-08-31", "tidak"),
    )
    .await;
    assert_eq!(q["violations"][0]["code"], "age_limit", "{q}");
    let q = quote(
        &w,
        Ibu,
        "tugas_belajar",
        tb("s1", "2026-09-01", "2030-08-31", "ya"),
    )
    .await;
    assert_eq!(q["ok"], true, "{q}");
    // Length: S2 two years, one more with approval.
    let q = quote(
        &w,
        Ibu,
        "tugas_belajar",
        tb("s2", "2026-09-01", "2028-09-01", "tidak"),
    )
    .await;
    assert_eq!(q["violations"][0]["code"], "too_long", "{q}");
    assert_eq!(
        quote(
            &w,
            Ibu,
            "tugas_belajar",
            tb("s2", "2026-09-01", "2028-08-31", "tidak")
        )
        .await["ok"],
        true
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
    assert_eq!(q["violations"][0]["code"], "performance_rating", "{q}");
}

async fn leave_rights_begin_on_the_day_the_service_is_complete(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    // Annual leave after one year: appointed 7 Sep 2025, so from Monday 7 Sep 2026.
    set_employee(&w, Ibu, |a| a.tmt_cpns = Set(Some(d("2025-09-07")))).await;
    let q = quote(&w, Ibu, "cuti_tahunan", annual("2026-09-06", "2026-09-08")).await;
    assert_eq!(q["violations"][0]["code"], "service_too_short", "{q}");
    let q = quote(&w, Ibu, "cuti_tahunan", annual("2026-09-07", "2026-09-08")).await;
    assert_eq!(q["ok"], true, "{q}");
    // The first year holds twelve days, nothing carried.
    assert_eq!(q["assessment"]["balance_before"]["available"], 12);

    // Cuti besar and CLTN after five years: appointed 7 Sep 2021.
    set_employee(&w, Ibu, |a| a.tmt_cpns = Set(Some(d("2021-09-07")))).await;
    let long = |start: &str, end: &str, purpose: &str, letter: Option<Value>| {
        let mut f = json!({ "period": period(start, end), "purpose": purpose, "reason": "Keperluan", "address": address(), "phone": "081234567890" });
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
    assert_eq!(q["violations"][0]["code"], "service_too_short", "{q}");
    let q = quote(
        &w,
        Ibu,
        "cuti_besar",
        long("2026-09-07", "2026-10-30", "umum", None),
    )
    .await;
    assert_eq!(q["ok"], true, "{q}");
    // A first hajj waives the five years.
    let letter = pdf_id(&w, Ibu).await;
    let q = quote(
        &w,
        Ibu,
        "cuti_besar",
        long("2026-09-06", "2026-10-30", "haji_pertama", Some(letter)),
    )
    .await;
    assert_eq!(q["ok"], true, "{q}");
    let unpaid = |start: &str, end: &str, doc: Value| json!({ "period": period(start, end), "reason": "Mengurus orang tua di luar kota", "evidence": doc, "address": address(), "phone": "081234567890" });
    let doc = pdf_id(&w, Ibu).await;
    let q = quote(
        &w,
        Ibu,
        "cltn",
        unpaid("2026-09-06", "2027-09-05", doc.clone()),
    )
    .await;
    assert_eq!(q["violations"][0]["code"], "service_too_short", "{q}");
    let q = quote(
        &w,
        Ibu,
        "cltn",
        unpaid("2026-09-07", "2027-09-06", doc.clone()),
    )
    .await;
    assert_eq!(q["ok"], true, "{q}");
    // At most three years, four with an extension.
    let q = quote(
        &w,
        Ibu,
        "cltn",
        unpaid("2026-09-07", "2029-09-07", doc.clone()),
    )
    .await;
    assert_eq!(q["violations"][0]["code"], "too_long", "{q}");
    let mut f = unpaid("2026-09-07", "2029-09-07", doc);
    f["extension"] = json!("ya");
    assert_eq!(quote(&w, Ibu, "cltn", f).await["ok"], true);
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
        q["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["code"] == "not_for_pppk"),
        "{q}"
    );
}

async fn the_catalogue_is_data_with_history(backend: Backend) {
    let (w, _clock) = at(backend, july_first()).await;
    let list: Value = w.app.get("/api/v1/services").await.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 9);
    let def: Value = w
        .app
        .get("/api/v1/services/cuti_tahunan")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(def["revision"], 1);
    assert_eq!(def["form"]["fields"][0]["name"], "period");
    problem(
        w.app.get("/api/v1/services/nope").await,
        404,
        "service_not_found",
    )
    .await;
    // A decree closes the service.
    let mut spec = def.clone();
    for k in ["code", "revision", "updated_at"] {
        spec.as_object_mut().unwrap().remove(k);
    }
    spec["active"] = json!(false);
    spec["sop_version"] = json!("BKD-SOP-CUTI-2026.2");
    let path = "/api/v1/admin/services/cuti_tahunan";
    let change =
        |rev: i64, spec: &Value, note: &str| json!({ "revision": rev, "spec": spec, "note": note });
    problem(
        send(&w, Staff, "PUT", path, Some(change(1, &spec, "SK 9/2026"))).await,
        403,
        "forbidden",
    )
    .await;
    // An administrator's change needs a fresh step-up, as a decision does.
    problem(
        send(&w, Admin, "PUT", path, Some(change(1, &spec, "SK 9/2026"))).await,
        403,
        "step_up_required",
    )
    .await;
    step_up(&w, Admin).await;
    problem(
        send(&w, Admin, "PUT", path, Some(change(1, &spec, " "))).await,
        422,
        "reason_required",
    )
    .await;
    let changed = ok(send(
        &w,
        Admin,
        "PUT",
        path,
        Some(change(1, &spec, "Keputusan Kepala BKD Nomor 9/2026")),
    )
    .await)
    .await;
    assert_eq!(changed["revision"], 2);
    problem(
        send(&w, Admin, "PUT", path, Some(change(1, &spec, "again"))).await,
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
    assert_eq!(q["ok"], false, "{q}");
    assert_eq!(q["violations"][0]["code"], "service_inactive");
    let open: Value = w.app.get("/api/v1/services").await.json().await.unwrap();
    assert_eq!(open.as_array().unwrap().len(), 8);
    let revisions = ok(send(
        &w,
        Admin,
        "GET",
        "/api/v1/admin/services/cuti_tahunan/revisions",
        None,
    )
    .await)
    .await;
    assert_eq!(revisions.as_array().unwrap().len(), 2);
    assert_eq!(revisions[0]["note"], "Keputusan Kepala BKD Nomor 9/2026");
    assert_eq!(revisions[0]["spec"]["active"], false);
    assert_eq!(revisions[1]["spec"]["active"], true);
    // A chain without a decision is refused.
    spec["chain"] = json!([{ "kind": "verification", "by": "fasilitator" }]);
    problem(
        send(&w, Admin, "PUT", path, Some(change(2, &spec, "x"))).await,
        400,
        "invalid_body",
    )
    .await;
    // Reopened, with requests recording the revision they were made under.
    spec["chain"] = def["chain"].clone();
    spec["active"] = json!(true);
    ok(send(
        &w,
        Admin,
        "PUT",
        path,
        Some(change(2, &spec, "Dibuka kembali")),
    )
    .await)
    .await;
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
    created(&w, Staff, "cuti_sakit", json!({ "period": period("2026-06-29", "2026-07-01"), "sick_kind": "biasa", "doctor_certificate": doc, "address": address(), "phone": "081234567890" })).await;
    let page = ok(send(
        &w,
        Fasilitator,
        "GET",
        "/api/v1/verification-queue?limit=2",
        None,
    )
    .await)
    .await;
    assert_eq!(page["total"], 3);
    assert_eq!(page["counts"]["cuti_tahunan"], 2);
    assert_eq!(page["counts"]["cuti_sakit"], 1);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let next = page["next"].as_str().unwrap();
    let page2 = ok(send(
        &w,
        Fasilitator,
        "GET",
        &format!("/api/v1/verification-queue?limit=2&after={next}"),
        None,
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
    let sick = ok(send(
        &w,
        Fasilitator,
        "GET",
        "/api/v1/verification-queue?service=cuti_sakit",
        None,
    )
    .await)
    .await;
    assert_eq!(sick["items"].as_array().unwrap().len(), 1);
    problem(
        send(
            &w,
            Fasilitator,
            "GET",
            "/api/v1/verification-queue?after=garbage",
            None,
        )
        .await,
        400,
        "invalid_query",
    )
    .await;
    // Other units' fasilitators see none of it; nobody sees their own request to decide.
    let other = ok(send(
        &w,
        OtherFasilitator,
        "GET",
        "/api/v1/verification-queue",
        None,
    )
    .await)
    .await;
    assert_eq!(other["total"], 0);
    let mine = ok(send(&w, Staff, "GET", "/api/v1/requests?limit=1", None).await).await;
    assert_eq!(mine["items"][0]["service"], "cuti_sakit", "newest first");
    let more = ok(send(
        &w,
        Staff,
        "GET",
        &format!(
            "/api/v1/requests?limit=1&after={}",
            mine["next"].as_str().unwrap()
        ),
        None,
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
    annual_leave_goes_through_every_outcome,
    every_leave_kind_goes_through_its_chain,
    a_returned_request_is_revised_resubmitted_and_cancelled,
    acting_officials_decide_in_their_window_and_a_leaving_decider_hands_over,
    carry_over_crosses_the_year,
    concurrent_submissions_never_overspend_and_one_decision_wins,
    retries_with_one_idempotency_key_make_one_request,
    attachments_are_checked_by_content_and_guarded,
    someone_elses_attachment_cannot_be_taken,
    unsent_uploads_have_a_quota_and_are_swept,
    closed_services_are_listed_for_administrators_only,
    study_permits_and_assignments_meet_their_conditions_on_the_day,
    leave_rights_begin_on_the_day_the_service_is_complete,
    the_catalogue_is_data_with_history,
    work_lists_page_and_count,
);
