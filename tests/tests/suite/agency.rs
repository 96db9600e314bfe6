//! Running an agency from a fresh install: the first administrator from the operator's
//! console, roles by decree and Plt/Plh letters through the API, and what follows from them
//! (who verifies, who decides, who is told).

use std::collections::HashMap;
use std::sync::Arc;

use abdi_proto::agency::{
    ActingAmendment, ActingEnd, ActingKind, ActingLetter, NewActingLetter, NewRoleGrant, Role,
    RoleGrant, RoleRevocation, Standing,
};
use abdi_proto::identity::TransferRequest;
use abdi_proto::master::{PositionKind, UnitLevel};
use abdi_proto::organisation::{
    Closure, NewPost, NewUnit, OrganisationAction, OrganisationDecree, OrganisationSubject,
    PostAmendment, PostPlacement, PostView, UnitAmendment, UnitDetail, UnitView,
};
use abdi_proto::services::Outcome;
use abdi_server::cli::{Cli, Command};
use abdi_server::clock::ManualClock;
use abdi_server::masterdata::entity::{employee, position_history};
use abdi_server::notifications::entity::event;
use abdi_tests::api::{decide, decision, get, ok, ok_as, post, problem, put, version};
use abdi_tests::forms::annual;
use abdi_tests::world::{
    ATASAN_ACCOUNT, IBU_ACCOUNT, STAFF_ACCOUNT, STAFF_NIP, Who, World, employee_in, holder,
    july_first, seed, session_for, step_up,
};
use abdi_tests::{Backend, TestApp, TestEnv, both_backends};
use chrono::NaiveDate;
use clap::Parser;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use Who::*;

/// A fresh agency on 1 July 2026: the seeded organisation and people, and no role at all.
/// `Admin`, `Fasilitator` and `ActingNow` are only the people who will be given them.
async fn fresh(backend: Backend) -> (World, ManualClock) {
    let clock = ManualClock::at(july_first());
    let app = TestApp::start(TestEnv::new(backend).await, Arc::new(clock.clone())).await;
    seed(
        &app,
        400,
        9,
        &format!("{STAFF_ACCOUNT}{ATASAN_ACCOUNT}{IBU_ACCOUNT}"),
    )
    .await;
    let staff = employee::Entity::find()
        .filter(employee::Column::Nip.eq(STAFF_NIP))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let (supervisor, _) = holder(&app, "BKD-U001-KASI1").await;
    let (head, _) = holder(&app, "BKD-KEPALA").await;
    let taken = [staff, supervisor, head];
    let ids: HashMap<Who, Uuid> = [
        (Staff, staff),
        (Supervisor, supervisor),
        (Head, head),
        (Admin, employee_in(&app, "BKD-U003", &taken).await),
        (Fasilitator, employee_in(&app, "BKD-U002", &taken).await),
        (ActingNow, employee_in(&app, "BKD-U004", &taken).await),
        (Other, employee_in(&app, "DISHUB-U001", &taken).await),
    ]
    .into();
    let mut tokens = HashMap::new();
    for (who, id) in &ids {
        tokens.insert(*who, session_for(&app, *id).await);
    }
    (World { app, ids, tokens }, clock)
}

async fn nip(w: &World, who: Who) -> String {
    employee::Entity::find_by_id(w.ids[&who])
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap()
        .nip
}

/// `abdi-server admin ...` against the test's database, as the operator types it.
async fn console(w: &World, clock: &ManualClock, args: &[&str]) -> anyhow::Result<()> {
    let cli = Cli::try_parse_from(["abdi-server", "admin"].iter().chain(args)).unwrap();
    let Command::Admin(cmd) = cli.command else {
        panic!("not an admin command")
    };
    abdi_server::agency::cli::run(w.app.state.db.clone(), Arc::new(clock.clone()), cmd).await
}

/// `Admin` made the first administrator from the console, as the operator does it.
async fn first_administrator(w: &World, clock: &ManualClock) {
    let nip = nip(w, Admin).await;
    let grant = [
        "grant",
        "--nip",
        &nip,
        "--role",
        "administrator",
        "--decree",
        "800/1/204/2026",
        "--decree-date",
        "2026-06-30",
    ];
    console(w, clock, &grant).await.unwrap();
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn fasilitator_of(nip: String, unit: &str) -> NewRoleGrant {
    NewRoleGrant {
        nip,
        role: Role::Fasilitator,
        unit_code: Some(unit.into()),
        decree_number: "188.4/321/204/2026".into(),
        decree_date: d("2026-06-29"),
        starts_on: None,
        ends_on: None,
    }
}

async fn notices(w: &World, who: Who, kind: &str) -> Vec<event::Model> {
    event::Entity::find()
        .filter(event::Column::EmployeeId.eq(w.ids[&who]))
        .filter(event::Column::Kind.eq(kind))
        .all(&w.app.state.db)
        .await
        .unwrap()
}

async fn the_first_administrator_comes_from_the_console_and_appoints_the_rest(backend: Backend) {
    let (w, clock) = fresh(backend).await;
    let admin_nip = nip(&w, Admin).await;

    // Nobody may administer a fresh install.
    problem(
        get(&w, Admin, "/api/v1/admin/roles").await,
        403,
        "forbidden",
    )
    .await;
    // The console refuses what the API would, in both languages.
    let e = console(
        &w,
        &clock,
        &[
            "grant",
            "--nip",
            &admin_nip,
            "--role",
            "administrator",
            "--unit",
            "BKD",
            "--decree",
            "800/1/204/2026",
            "--decree-date",
            "2026-06-30",
        ],
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("kosongkan unit_code") && e.contains("leave unit_code out"),
        "{e}"
    );
    console(
        &w,
        &clock,
        &[
            "grant",
            "--nip",
            &admin_nip,
            "--role",
            "administrator",
            "--decree",
            "800/1/204/2026",
            "--decree-date",
            "2026-06-30",
        ],
    )
    .await
    .unwrap();

    // The administrator reads it back: from the console, in force.
    let grants: Vec<RoleGrant> = ok_as(get(&w, Admin, "/api/v1/admin/roles").await).await;
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].employee.nip, admin_nip);
    assert_eq!(grants[0].role, Role::Administrator);
    assert_eq!(grants[0].granted_by, None, "from the console");
    assert_eq!(grants[0].standing, Standing::Active);
    assert_eq!(grants[0].decree_number.as_deref(), Some("800/1/204/2026"));

    // Every write needs a fresh step-up, asked for only once the caller may act.
    let fas = fasilitator_of(nip(&w, Fasilitator).await, "BKD");
    problem(
        post(&w, Other, "/api/v1/admin/roles", &fas).await,
        403,
        "forbidden",
    )
    .await;
    problem(
        post(&w, Admin, "/api/v1/admin/roles", &fas).await,
        403,
        "step_up_required",
    )
    .await;
    step_up(&w, Admin).await;
    let granted: RoleGrant = ok_as(post(&w, Admin, "/api/v1/admin/roles", &fas).await).await;
    assert_eq!(granted.unit_code.as_deref(), Some("BKD"));
    assert_eq!(granted.granted_by.as_deref(), Some(admin_nip.as_str()));
    assert_eq!(
        granted.starts_on,
        Some(d("2026-06-29")),
        "from the decree's date"
    );
    problem(
        post(&w, Admin, "/api/v1/admin/roles", &fas).await,
        409,
        "grant_conflict",
    )
    .await;
    let no_unit = NewRoleGrant {
        unit_code: None,
        ..fas.clone()
    };
    problem(
        post(&w, Admin, "/api/v1/admin/roles", &no_unit).await,
        422,
        "grant_invalid",
    )
    .await;
    let backwards = NewRoleGrant {
        unit_code: Some("DINKES".into()),
        starts_on: Some(d("2026-07-10")),
        ends_on: Some(d("2026-07-01")),
        ..fas.clone()
    };
    problem(
        post(&w, Admin, "/api/v1/admin/roles", &backwards).await,
        422,
        "grant_invalid",
    )
    .await;
    let nobody = NewRoleGrant {
        nip: "199912312025011999".into(),
        ..fas.clone()
    };
    problem(
        post(&w, Admin, "/api/v1/admin/roles", &nobody).await,
        404,
        "employee_not_found",
    )
    .await;
    let nowhere = NewRoleGrant {
        unit_code: Some("NOWHERE".into()),
        ..fas.clone()
    };
    problem(
        post(&w, Admin, "/api/v1/admin/roles", &nowhere).await,
        404,
        "unit_not_found",
    )
    .await;

    // A Plh for the supervisor, who is away from 1 to 10 July.
    let plh = NewActingLetter {
        nip: nip(&w, ActingNow).await,
        position_code: "BKD-U001-KASI1".into(),
        kind: ActingKind::Plh,
        number: "800.1.11.1/55/204/2026".into(),
        letter_date: d("2026-06-30"),
        starts_on: d("2026-07-01"),
        ends_on: d("2026-07-10"),
    };
    let letter: ActingLetter = ok_as(post(&w, Admin, "/api/v1/admin/acting", &plh).await).await;
    assert_eq!(letter.standing, Standing::Active);
    assert_eq!(letter.version, 1);
    let overlapping = NewActingLetter {
        nip: nip(&w, Other).await,
        starts_on: d("2026-07-10"),
        ends_on: d("2026-07-20"),
        ..plh.clone()
    };
    problem(
        post(&w, Admin, "/api/v1/admin/acting", &overlapping).await,
        409,
        "acting_overlap",
    )
    .await;
    let plt_on_a_held_post = NewActingLetter {
        kind: ActingKind::Plt,
        starts_on: d("2026-08-01"),
        ends_on: d("2026-08-31"),
        ..plh.clone()
    };
    let refusal = problem(
        post(&w, Admin, "/api/v1/admin/acting", &plt_on_a_held_post).await,
        422,
        "grant_invalid",
    )
    .await;
    assert!(
        refusal["detail"].as_str().unwrap().contains("Plt"),
        "{refusal}"
    );
    let own_post = NewActingLetter {
        nip: nip(&w, Supervisor).await,
        starts_on: d("2026-08-01"),
        ends_on: d("2026-08-31"),
        ..plh.clone()
    };
    problem(
        post(&w, Admin, "/api/v1/admin/acting", &own_post).await,
        422,
        "grant_invalid",
    )
    .await;
    let listed: Vec<ActingLetter> =
        ok_as(get(&w, Admin, "/api/v1/admin/units/BKD/acting").await).await;
    assert_eq!(listed.len(), 1, "the unit and those below it");
    assert_eq!(listed[0].id, letter.id);
    let listed: Vec<ActingLetter> =
        ok_as(get(&w, Admin, "/api/v1/admin/units/DINKES/acting").await).await;
    assert!(listed.is_empty());

    // Staff's leave goes through the new fasilitator and the Plh, who are told.
    let v = ok(abdi_tests::api::submit(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-07-13", "2026-07-14"),
    )
    .await)
    .await;
    let id = v["id"].as_str().unwrap().to_owned();
    let (told, seen) = abdi_tests::world::told(&w, &id, 0).await;
    assert_eq!(told, [w.ids[&Fasilitator]], "the fasilitator verifies");
    let queue = ok(get(&w, Fasilitator, "/api/v1/verification-queue").await).await;
    assert_eq!(queue["items"][0]["request"]["id"], id.as_str(), "{queue}");
    let v = abdi_tests::api::verify(&w, &id, version(&v)).await;
    let (told, _) = abdi_tests::world::told(&w, &id, seen).await;
    let mut both = vec![w.ids[&Supervisor], w.ids[&ActingNow]];
    both.sort_unstable();
    assert_eq!(told, both, "the holder and the Plh in their window");
    step_up(&w, ActingNow).await;
    let v = ok(decide(
        &w,
        ActingNow,
        &id,
        &decision(version(&v), Outcome::Disetujui),
    )
    .await)
    .await;
    assert_eq!(v["steps"][1]["acting"]["kind"], "plh", "{v}");
    assert_eq!(v["steps"][1]["acting"]["number"], "800.1.11.1/55/204/2026");

    // The supervisor is back early: the letter ends on 3 July, after a stale amendment fails.
    let stale = ActingAmendment {
        version: 7,
        number: plh.number.clone(),
        letter_date: plh.letter_date,
        starts_on: plh.starts_on,
        ends_on: d("2026-07-08"),
        note: "salah ketik tanggal".into(),
    };
    let path = format!("/api/v1/admin/acting/{}", letter.id);
    problem(put(&w, Admin, &path, &stale).await, 409, "version_conflict").await;
    let amended: ActingLetter = ok_as(
        put(
            &w,
            Admin,
            &path,
            &ActingAmendment {
                version: 1,
                ..stale
            },
        )
        .await,
    )
    .await;
    assert_eq!((amended.ends_on, amended.version), (d("2026-07-08"), 2));
    let end = ActingEnd {
        version: 2,
        last_day: d("2026-07-03"),
        reason: "Pejabat definitif kembali bertugas".into(),
    };
    let early = ActingEnd {
        last_day: d("2026-06-01"),
        ..end.clone()
    };
    problem(
        post(&w, Admin, &format!("{path}/end"), &early).await,
        422,
        "grant_invalid",
    )
    .await;
    let ended: ActingLetter = ok_as(post(&w, Admin, &format!("{path}/end"), &end).await).await;
    assert_eq!(ended.ends_on, d("2026-07-03"));
    assert_eq!(
        ended.standing,
        Standing::Active,
        "still theirs until 3 July ends"
    );
    clock.advance(std::time::Duration::from_secs(3 * 86_400));
    let listed: Vec<ActingLetter> =
        ok_as(get(&w, Admin, "/api/v1/admin/units/BKD/acting").await).await;
    assert_eq!(listed[0].standing, Standing::Ended);
    let inbox = ok(get(&w, ActingNow, "/api/v1/inbox").await).await;
    assert_eq!(
        inbox["items"],
        serde_json::json!([]),
        "no authority after it"
    );

    // Revoking the fasilitator empties their queue; the last administrator stays.
    let revoke = RoleRevocation {
        reason: "Diganti SK 188.4/400/204/2026".into(),
        decree_number: Some("188.4/400/204/2026".into()),
    };
    step_up(&w, Admin).await;
    let revoked: RoleGrant = ok_as(
        post(
            &w,
            Admin,
            &format!("/api/v1/admin/roles/{}/revoke", granted.id),
            &revoke,
        )
        .await,
    )
    .await;
    assert_eq!(revoked.standing, Standing::Ended);
    problem(
        post(
            &w,
            Admin,
            &format!("/api/v1/admin/roles/{}/revoke", granted.id),
            &revoke,
        )
        .await,
        409,
        "grant_conflict",
    )
    .await;
    let staff_leave = ok(abdi_tests::api::submit(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-07-20", "2026-07-21"),
    )
    .await)
    .await;
    assert_eq!(staff_leave["status"], "submitted");
    let queue = ok(get(&w, Fasilitator, "/api/v1/verification-queue").await).await;
    assert_eq!(queue["items"], serde_json::json!([]), "{queue}");
    problem(
        post(
            &w,
            Admin,
            &format!("/api/v1/admin/roles/{}/revoke", grants[0].id),
            &revoke,
        )
        .await,
        409,
        "grant_conflict",
    )
    .await;
    // Nobody verifies now: the administrator hears that the unit has no fasilitator.
    let vacant = notices(&w, Admin, "post_vacant").await;
    assert_eq!(vacant.len(), 1, "{vacant:?}");
    assert!(
        vacant[0].body_id.contains("fasilitator"),
        "{}",
        vacant[0].body_id
    );
    assert!(
        vacant[0].body_en.contains("Appoint a fasilitator"),
        "{}",
        vacant[0].body_en
    );
    // It is on the list of steps nobody can take.
    let stalled = ok(get(&w, Admin, "/api/v1/admin/stalled-steps").await).await;
    assert_eq!(
        stalled["items"][0]["request"]["id"], staff_leave["id"],
        "{stalled}"
    );
    assert_eq!(stalled["items"][0]["step"], "verification");
    // A fasilitator for the whole instansi has it in their queue.
    step_up(&w, Admin).await;
    let whole = fasilitator_of(nip(&w, Other).await, "PROV");
    ok(post(&w, Admin, "/api/v1/admin/roles", &whole).await).await;
    let queue = ok(get(&w, Other, "/api/v1/verification-queue").await).await;
    assert_eq!(
        queue["items"][0]["request"]["id"], staff_leave["id"],
        "{queue}"
    );
    let stalled = ok(get(&w, Admin, "/api/v1/admin/stalled-steps").await).await;
    assert_eq!(stalled["total"], 0, "{stalled}");

    // The console can always revoke, and its list shows the history.
    console(
        &w,
        &clock,
        &[
            "revoke",
            "--nip",
            &admin_nip,
            "--role",
            "administrator",
            "--reason",
            "pensiun",
        ],
    )
    .await
    .unwrap();
    console(&w, &clock, &["list", "--all"]).await.unwrap();
    problem(
        get(&w, Admin, "/api/v1/admin/roles").await,
        403,
        "forbidden",
    )
    .await;
}

async fn a_fasilitator_who_moves_loses_the_role_and_the_administrators_hear(backend: Backend) {
    let (w, clock) = fresh(backend).await;
    first_administrator(&w, &clock).await;
    step_up(&w, Admin).await;
    let fas = fasilitator_of(nip(&w, Fasilitator).await, "BKD");
    let granted: RoleGrant = ok_as(post(&w, Admin, "/api/v1/admin/roles", &fas).await).await;

    // The fasilitator's own leave is on its way when they move.
    let mine = ok(abdi_tests::api::submit(
        &w,
        Fasilitator,
        "cuti_tahunan",
        annual("2026-07-13", "2026-07-14"),
    )
    .await)
    .await;
    let mine = mine["id"].as_str().unwrap().to_owned();

    // A move to another perangkat daerah ends the role.
    let to = TransferRequest {
        unit_code: "DINKES-U001".into(),
        position_code: None,
        replaces_holder: false,
        decree_number: "821.2/77/204/2026".into(),
        tmt: "2026-07-01".parse().unwrap(),
    };
    let path = format!("/api/v1/admin/employees/{}/transfer", w.ids[&Fasilitator]);
    let undecreed = TransferRequest {
        decree_number: "  ".into(),
        ..to.clone()
    };
    problem(
        post(&w, Admin, &path, &undecreed).await,
        422,
        "decree_invalid",
    )
    .await;
    let r = post(&w, Admin, &path, &to).await;
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    let grants: Vec<RoleGrant> = ok_as(
        get(
            &w,
            Admin,
            &format!("/api/v1/admin/roles?employee_id={}", w.ids[&Fasilitator]),
        )
        .await,
    )
    .await;
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].id, granted.id);
    assert_eq!(grants[0].standing, Standing::Ended);
    assert_eq!(
        grants[0].revoke_reason.as_deref(),
        Some("mutasi / transferred")
    );
    // The same transfer again (a retry) moves nothing and writes no second entry.
    assert_eq!(post(&w, Admin, &path, &to).await.status(), 204);
    // The move is in the position history, under its decree and TMT, once.
    let history = position_history::Entity::find()
        .filter(position_history::Column::EmployeeId.eq(w.ids[&Fasilitator]))
        .filter(position_history::Column::DecreeNumber.eq("821.2/77/204/2026"))
        .all(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0].tmt, d("2026-07-01"));
    assert!(!history[0].unit_name.is_empty());
    // Their open request went back to them, to be sent again from the new unit.
    // (Their sessions ended with the move; the administrator reads it.)
    let v = ok(get(&w, Admin, &format!("/api/v1/requests/{mine}")).await).await;
    assert_eq!(v["status"], "returned", "{v}");
    let last = v["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "returned", "{last}");
    assert!(last["note"].as_str().unwrap().contains("mutasi"), "{last}");
    let news = notices(&w, Fasilitator, "request_status").await;
    assert!(
        news.iter()
            .any(|n| n.status == Some(abdi_proto::services::RequestStatus::Returned)),
        "they are told: {news:?}"
    );
    let told = notices(&w, Admin, "role_ended").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].body_id.contains("Tetapkan penggantinya"),
        "{}",
        told[0].body_id
    );
    assert!(
        told[0].body_en.contains("Appoint a successor"),
        "{}",
        told[0].body_en
    );
}

async fn a_step_nobody_can_take_is_told_to_the_administrators(backend: Backend) {
    let (w, clock) = fresh(backend).await;
    first_administrator(&w, &clock).await;
    step_up(&w, Admin).await;
    let fas = fasilitator_of(nip(&w, Fasilitator).await, "BKD");
    ok(post(&w, Admin, "/api/v1/admin/roles", &fas).await).await;
    // The supervisor leaves the post empty (moved elsewhere, nobody in their place).
    let away = TransferRequest {
        unit_code: "DISHUB-U001".into(),
        position_code: None,
        replaces_holder: false,
        decree_number: "821.2/77/204/2026".into(),
        tmt: "2026-07-01".parse().unwrap(),
    };
    let path = format!("/api/v1/admin/employees/{}/transfer", w.ids[&Supervisor]);
    assert_eq!(post(&w, Admin, &path, &away).await.status(), 204);

    let v = ok(abdi_tests::api::submit(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-07-13", "2026-07-14"),
    )
    .await)
    .await;
    let id = v["id"].as_str().unwrap().to_owned();
    abdi_tests::api::verify(&w, &id, version(&v)).await;
    let vacant = notices(&w, Admin, "post_vacant").await;
    assert_eq!(vacant.len(), 1, "{vacant:?}");
    assert_eq!(vacant[0].request_id, Some(Uuid::parse_str(&id).unwrap()));
    assert!(
        vacant[0].body_id.contains("Tunjuk Plt/Plh"),
        "{}",
        vacant[0].body_id
    );
    assert!(
        vacant[0].body_en.contains("Appoint a Plt/Plh"),
        "{}",
        vacant[0].body_en
    );
    assert!(
        notices(&w, Fasilitator, "post_vacant").await.is_empty(),
        "only administrators can appoint"
    );

    // It is on the administrators' list of steps nobody can take, with its age.
    problem(
        get(&w, Staff, "/api/v1/admin/stalled-steps").await,
        403,
        "forbidden",
    )
    .await;
    clock.advance(std::time::Duration::from_secs(2 * 86_400));
    let stalled = ok(get(&w, Admin, "/api/v1/admin/stalled-steps").await).await;
    assert_eq!(stalled["total"], 1, "{stalled}");
    assert_eq!(stalled["items"][0]["request"]["id"], id.as_str());
    assert_eq!(stalled["items"][0]["step"], "recommendation");
    assert!(stalled["items"][0]["waiting_since"].as_str().unwrap() < "2026-07-02");
    // A Plt for the vacant post takes it off the list, and has it in their inbox.
    step_up(&w, Admin).await;
    let plt = NewActingLetter {
        nip: nip(&w, ActingNow).await,
        position_code: "BKD-U001-KASI1".into(),
        kind: ActingKind::Plt,
        number: "800.1.11.1/60/204/2026".into(),
        letter_date: d("2026-07-03"),
        starts_on: d("2026-07-03"),
        ends_on: d("2026-09-30"),
    };
    ok(post(&w, Admin, "/api/v1/admin/acting", &plt).await).await;
    let stalled = ok(get(&w, Admin, "/api/v1/admin/stalled-steps").await).await;
    assert_eq!(stalled["total"], 0, "{stalled}");
    let inbox = ok(get(&w, ActingNow, "/api/v1/inbox").await).await;
    assert_eq!(inbox["items"][0]["request"]["id"], id.as_str(), "{inbox}");
}

fn sk(number: &str) -> OrganisationDecree {
    OrganisationDecree {
        number: number.into(),
        date: d("2026-06-30"),
    }
}

fn closure() -> Closure {
    Closure {
        decree: sk("061/90/013/2026"),
        closed_on: Some(d("2026-07-01")),
    }
}

async fn administrators_keep_the_organisation_with_its_history(backend: Backend) {
    let (w, clock) = fresh(backend).await;
    first_administrator(&w, &clock).await;
    let upt = NewUnit {
        code: "BKD-U009".into(),
        name: "UPT Penilaian Kompetensi".into(),
        level: UnitLevel::UnitKerja,
        parent_code: Some("BKD".into()),
        decree: sk("061/77/013/2026"),
    };
    problem(
        get(&w, Staff, "/api/v1/admin/units").await,
        403,
        "forbidden",
    )
    .await;
    problem(
        post(&w, Admin, "/api/v1/admin/units", &upt).await,
        403,
        "step_up_required",
    )
    .await;
    step_up(&w, Admin).await;

    // Added, with its decree in the history.
    let added: UnitDetail = ok_as(post(&w, Admin, "/api/v1/admin/units", &upt).await).await;
    assert_eq!(added.unit.parent_code.as_deref(), Some("BKD"));
    assert_eq!(added.history.len(), 1);
    assert_eq!(added.history[0].action, OrganisationAction::Added);
    assert_eq!(added.history[0].decree_number, "061/77/013/2026");
    assert_eq!(
        added.history[0].by.as_deref(),
        Some(nip(&w, Admin).await.as_str())
    );
    problem(
        post(&w, Admin, "/api/v1/admin/units", &upt).await,
        409,
        "organisation_in_use",
    )
    .await;
    let misplaced = NewUnit {
        code: "BKD-PD".into(),
        level: UnitLevel::PerangkatDaerah,
        ..upt.clone()
    };
    let refusal = problem(
        post(&w, Admin, "/api/v1/admin/units", &misplaced).await,
        422,
        "organisation_invalid",
    )
    .await;
    assert!(
        refusal["detail"]
            .as_str()
            .unwrap()
            .contains("perangkat daerah di bawah instansi")
    );
    let orphan = NewUnit {
        code: "BKD-U010".into(),
        parent_code: Some("NOWHERE".into()),
        ..upt.clone()
    };
    problem(
        post(&w, Admin, "/api/v1/admin/units", &orphan).await,
        404,
        "unit_not_found",
    )
    .await;

    // A post in it, reporting to the head of the BKD; a rename and a move, each kept.
    let kasi = NewPost {
        code: "BKD-U009-KEPALA".into(),
        title: "Kepala UPT Penilaian Kompetensi".into(),
        kind: PositionKind::Struktural,
        grade: Some("III.a".into()),
        unit_code: "BKD-U009".into(),
        reports_to_code: Some("BKD-KEPALA".into()),
        decree: sk("061/78/013/2026"),
    };
    let post_view: PostView = ok_as(post(&w, Admin, "/api/v1/admin/posts", &kasi).await).await;
    assert_eq!(
        (post_view.holders, post_view.reports_to_code.as_deref()),
        (0, Some("BKD-KEPALA"))
    );
    let rename = UnitAmendment {
        name: Some("UPT Asesmen Kompetensi ASN".into()),
        parent_code: Some("DISHUB".into()),
        decree: sk("061/79/013/2026"),
    };
    let amended: UnitDetail =
        ok_as(put(&w, Admin, "/api/v1/admin/units/BKD-U009", &rename).await).await;
    assert_eq!(amended.unit.name, "UPT Asesmen Kompetensi ASN");
    assert_eq!(amended.unit.parent_code.as_deref(), Some("DISHUB"));
    let kept: Vec<_> = amended
        .history
        .iter()
        .map(|h| (h.subject, h.action, h.before.clone(), h.after.clone()))
        .collect();
    assert_eq!(
        kept,
        [
            (
                OrganisationSubject::Unit,
                OrganisationAction::Moved,
                Some("BKD".into()),
                Some("DISHUB".into())
            ),
            (
                OrganisationSubject::Unit,
                OrganisationAction::Renamed,
                Some("UPT Penilaian Kompetensi".into()),
                Some("UPT Asesmen Kompetensi ASN".into())
            ),
            (
                OrganisationSubject::Post,
                OrganisationAction::Added,
                None,
                Some("BKD-U009 / BKD-KEPALA".into())
            ),
            (
                OrganisationSubject::Unit,
                OrganisationAction::Added,
                None,
                Some("UPT Penilaian Kompetensi (BKD)".into())
            ),
        ]
    );
    let below_itself = UnitAmendment {
        name: None,
        parent_code: Some("BKD-U001".into()),
        decree: sk("061/80/013/2026"),
    };
    problem(
        put(&w, Admin, "/api/v1/admin/units/BKD", &below_itself).await,
        422,
        "organisation_invalid",
    )
    .await;
    // A post cannot report to one below it.
    let circle = PostAmendment {
        title: None,
        placement: Some(PostPlacement {
            unit_code: "BKD".into(),
            reports_to_code: Some("BKD-U001-KASI1".into()),
        }),
        decree: sk("061/81/013/2026"),
    };
    problem(
        put(&w, Admin, "/api/v1/admin/posts/BKD-KEPALA", &circle).await,
        422,
        "organisation_invalid",
    )
    .await;

    // An open request holds its unit and the post its step waits on.
    let fas = fasilitator_of(nip(&w, Fasilitator).await, "BKD");
    ok(post(&w, Admin, "/api/v1/admin/roles", &fas).await).await;
    let v = ok(abdi_tests::api::submit(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-07-13", "2026-07-14"),
    )
    .await)
    .await;
    abdi_tests::api::verify(&w, v["id"].as_str().unwrap(), version(&v)).await;
    let away = UnitAmendment {
        name: None,
        parent_code: Some("DISHUB".into()),
        decree: sk("061/82/013/2026"),
    };
    let refusal = problem(
        put(&w, Admin, "/api/v1/admin/units/BKD-U001", &away).await,
        409,
        "organisation_in_use",
    )
    .await;
    assert!(
        refusal["detail"]
            .as_str()
            .unwrap()
            .contains("1 permohonan yang masih berjalan"),
        "{refusal}"
    );
    let refusal = problem(
        post(
            &w,
            Admin,
            "/api/v1/admin/posts/BKD-U001-KASI1/close",
            &closure(),
        )
        .await,
        409,
        "organisation_in_use",
    )
    .await;
    let detail = refusal["detail"].as_str().unwrap();
    assert!(
        detail.contains("1 pegawai yang memangku jabatan ini"),
        "{detail}"
    );
    assert!(
        detail.contains("1 langkah persetujuan yang menunggu"),
        "{detail}"
    );
    assert!(
        detail.contains("jabatan yang melapor kepadanya"),
        "{detail}"
    );
    let held_elsewhere = PostAmendment {
        title: None,
        placement: Some(PostPlacement {
            unit_code: "BKD-U002".into(),
            reports_to_code: None,
        }),
        decree: sk("061/83/013/2026"),
    };
    problem(
        put(
            &w,
            Admin,
            "/api/v1/admin/posts/BKD-U001-KASI1",
            &held_elsewhere,
        )
        .await,
        409,
        "organisation_in_use",
    )
    .await;

    // Closing: the post first, then the unit; nobody can be moved into either after.
    let refusal = problem(
        post(&w, Admin, "/api/v1/admin/units/BKD-U009/close", &closure()).await,
        409,
        "organisation_in_use",
    )
    .await;
    assert!(
        refusal["detail"]
            .as_str()
            .unwrap()
            .contains("1 jabatan yang belum ditutup"),
        "{refusal}"
    );
    let closed: PostView = ok_as(
        post(
            &w,
            Admin,
            "/api/v1/admin/posts/BKD-U009-KEPALA/close",
            &closure(),
        )
        .await,
    )
    .await;
    assert_eq!(closed.closed_on, Some(d("2026-07-01")));
    let closed: UnitDetail =
        ok_as(post(&w, Admin, "/api/v1/admin/units/BKD-U009/close", &closure()).await).await;
    assert_eq!(closed.unit.closed_on, Some(d("2026-07-01")));
    assert_eq!(closed.history[0].action, OrganisationAction::Closed);
    assert_eq!(closed.history[0].after.as_deref(), Some("2026-07-01"));
    problem(
        post(&w, Admin, "/api/v1/admin/units/BKD-U009/close", &closure()).await,
        422,
        "organisation_invalid",
    )
    .await;
    let into_closed = TransferRequest {
        unit_code: "BKD-U009".into(),
        position_code: None,
        replaces_holder: false,
        decree_number: "821.2/78/204/2026".into(),
        tmt: d("2026-07-01"),
    };
    let path = format!("/api/v1/admin/employees/{}/transfer", w.ids[&Other]);
    problem(
        post(&w, Admin, &path, &into_closed).await,
        404,
        "unit_not_found",
    )
    .await;
    let units: Vec<UnitView> = ok_as(get(&w, Admin, "/api/v1/admin/units").await).await;
    let upt = units.iter().find(|u| u.code == "BKD-U009").unwrap();
    assert_eq!(upt.closed_on, Some(d("2026-07-01")));
    let gone = problem(
        get(&w, Admin, "/api/v1/admin/units/NOWHERE").await,
        404,
        "unit_not_found",
    )
    .await;
    assert!(gone["detail"].as_str().is_some());
}

both_backends!(
    the_first_administrator_comes_from_the_console_and_appoints_the_rest,
    a_fasilitator_who_moves_loses_the_role_and_the_administrators_hear,
    a_step_nobody_can_take_is_told_to_the_administrators,
    administrators_keep_the_organisation_with_its_history,
);

async fn administrators_keep_the_holiday_calendar_with_its_history(backend: Backend) {
    use abdi_proto::calendar::{CalendarChange, CalendarRevision};
    use abdi_proto::master::HolidayKind;
    use abdi_proto::services::Quote;
    use abdi_proto::{Holiday, HolidayCalendar};
    use abdi_tests::api::QuoteRequest;
    use abdi_tests::forms::form;

    let (w, _clock) = abdi_tests::world::at(backend, july_first()).await;
    let quote = |from: &'static str, to: &'static str| {
        let body = QuoteRequest {
            form: form(annual(from, to)),
        };
        let w = &w;
        async move {
            ok_as::<Quote>(post(w, Staff, "/api/v1/services/cuti_tahunan/quote", &body).await).await
        }
    };
    // Leave into 2027 needs 2027's calendar, and says so while it is missing.
    let q = quote("2027-01-04", "2027-01-05").await;
    let codes: Vec<&str> = q.violations.iter().map(|v| v.code.as_str()).collect();
    assert!(codes.contains(&"calendar_missing"), "{q:?}");

    // An open request over 17-19 August 2026.
    let v = ok(abdi_tests::api::submit(
        &w,
        Staff,
        "cuti_tahunan",
        annual("2026-08-17", "2026-08-19"),
    )
    .await)
    .await;
    let id = v["id"].as_str().unwrap().to_owned();

    // The decree adds a cuti bersama on 18 August 2026.
    let mut days: Vec<Holiday> =
        ok_as::<HolidayCalendar>(get(&w, Staff, "/api/v1/reference/holidays/2026").await)
            .await
            .days()
            .cloned()
            .collect();
    days.push(Holiday {
        date: d("2026-08-18"),
        kind: HolidayKind::CutiBersama,
        name_id: "Cuti bersama Hari Kemerdekaan".into(),
        name_en: "Collective leave, Independence Day".into(),
        legal_basis: "SKB 3 Menteri (perubahan) 2026".into(),
    });
    let change = CalendarChange {
        days,
        note: "SKB perubahan cuti bersama 2026".into(),
    };
    problem(
        put(&w, Staff, "/api/v1/admin/holidays/2026", &change).await,
        403,
        "forbidden",
    )
    .await;
    problem(
        put(&w, Admin, "/api/v1/admin/holidays/2026", &change).await,
        403,
        "step_up_required",
    )
    .await;
    step_up(&w, Admin).await;
    let outside = CalendarChange {
        days: vec![Holiday {
            date: d("2027-01-01"),
            ..change.days[0].clone()
        }],
        note: "salah".into(),
    };
    problem(
        put(&w, Admin, "/api/v1/admin/holidays/2026", &outside).await,
        422,
        "calendar_invalid",
    )
    .await;
    let rev: CalendarRevision =
        ok_as(put(&w, Admin, "/api/v1/admin/holidays/2026", &change).await).await;
    assert_eq!(rev.revision, 1);
    assert_eq!(rev.added, [d("2026-08-18")]);
    assert!(rev.removed.is_empty());
    assert_eq!(rev.affected_requests, 1, "{rev:?}");
    // The fasilitator of the open request is told; the public calendar shows the day.
    let told = notices(&w, Fasilitator, "calendar_changed").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].request_id, Some(Uuid::parse_str(&id).unwrap()));
    let now: HolidayCalendar = ok_as(get(&w, Staff, "/api/v1/reference/holidays/2026").await).await;
    assert!(now.days().any(|h| h.date == d("2026-08-18")));
    // The same again changes nothing, and is still a revision of its own.
    let again: CalendarRevision =
        ok_as(put(&w, Admin, "/api/v1/admin/holidays/2026", &change).await).await;
    assert_eq!(
        (again.revision, again.added.len(), again.affected_requests),
        (2, 0, 0)
    );
    let history: Vec<CalendarRevision> =
        ok_as(get(&w, Admin, "/api/v1/admin/holidays/2026/revisions").await).await;
    let revisions: Vec<u32> = history.iter().map(|r| r.revision).collect();
    assert_eq!(revisions, [2, 1]);
    assert_eq!(history[1].added, [d("2026-08-18")]);
    assert_eq!(history[1].note, "SKB perubahan cuti bersama 2026");

    // 2027 is added, and leave into it can be quoted.
    let new_year = CalendarChange {
        days: vec![Holiday {
            date: d("2027-01-01"),
            kind: HolidayKind::NationalHoliday,
            name_id: "Tahun Baru 2027 Masehi".into(),
            name_en: "New Year's Day 2027".into(),
            legal_basis: "SKB 3 Menteri 2026".into(),
        }],
        note: "SKB 3 Menteri tentang hari libur nasional dan cuti bersama 2027".into(),
    };
    let rev: CalendarRevision =
        ok_as(put(&w, Admin, "/api/v1/admin/holidays/2027", &new_year).await).await;
    assert_eq!((rev.year, rev.revision), (2027, 1));
    let q = quote("2027-01-04", "2027-01-05").await;
    assert!(
        q.violations.iter().all(|v| v.code != "calendar_missing"),
        "{q:?}"
    );
}

both_backends!(administrators_keep_the_holiday_calendar_with_its_history);
