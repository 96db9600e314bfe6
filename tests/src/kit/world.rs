//! The seeded world most end-to-end tests start from: an organisation of 400 people, the
//! thirteen people a test needs in it ([`Who`]), each with a session, and the database
//! look-ups and changes tests make around the API (posts, units, roles, acting assignments).

use abdi_proto::agency::{ActingKind, Role};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use abdi_server::access::entity::{acting_assignment, role_assignment};
use abdi_server::clock::{ManualClock, SystemClock};
use abdi_server::config::Config;
use abdi_server::masterdata::entity::{employee, org_unit, position};
use abdi_server::seed::{SeedOptions, accounts, run_seed};
use abdi_server::startup::Providers;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use crate::{Backend, TestApp, TestEnv};

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Who {
    /// A staff member of BKD-U001 (the usual target).
    Staff,
    /// Holds the post Staff's post reports to.
    Supervisor,
    /// Holds the head post of Staff's perangkat daerah (BKD).
    Head,
    /// Fasilitator of BKD.
    Fasilitator,
    /// Fasilitator of another perangkat daerah.
    OtherFasilitator,
    Admin,
    /// Someone in another perangkat daerah, no roles.
    Other,
    /// Plt of the Supervisor's post, inside the assignment window.
    ActingNow,
    /// Plh of the Supervisor's post whose window ended yesterday.
    ActingExpired,
    /// Plh of the Supervisor's post whose window ends today (still inside it).
    ActingEndsToday,
    /// Plt of the Supervisor's post whose window starts tomorrow.
    ActingFuture,
    /// Only ever a target (of the disable route), never a caller.
    Victim,
    /// A woman on Staff's unit and post (maternity leave), not a caller in the matrix.
    Ibu,
}

use Who::*;

/// Staff's NIP in the seeded accounts.
pub const STAFF_NIP: &str = "198503122010011004";
/// Ibu's NIP in the seeded accounts.
pub const IBU_NIP: &str = "199001152015022003";
/// Staff's seed account (BKD-U001).
pub const STAFF_ACCOUNT: &str = "[[account]]\nnip = \"198503122010011004\"\nname = \"Staf\"\nemail = \"staf@jatimprov.go.id\"\nunit = \"BKD-U001\"\n";
/// The supervisor's seed account: BKD-U001's post KASI1, the one Staff's post reports to.
pub const ATASAN_ACCOUNT: &str = "[[account]]\nnip = \"197601052000031002\"\nname = \"Atasan\"\nemail = \"atasan@jatimprov.go.id\"\nunit = \"BKD-U001\"\npost = \"KASI1\"\n";
/// Ibu's seed account (BKD-U001).
pub const IBU_ACCOUNT: &str = "[[account]]\nnip = \"199001152015022003\"\nname = \"Ibu\"\nemail = \"ibu@jatimprov.go.id\"\nunit = \"BKD-U001\"\n";

/// The app with its seeded organisation, the people of [`Who`] and a session for each.
pub struct World {
    pub app: TestApp,
    pub ids: HashMap<Who, Uuid>,
    pub tokens: HashMap<Who, String>,
}

/// Wednesday 1 July 2026, 08:00 in Jakarta.
pub fn july_first() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-07-01T01:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// The world on the system clock.
pub async fn world(backend: Backend) -> World {
    world_at(backend, None).await
}

/// The world on a manual clock set to `t`, and that clock.
pub async fn at(backend: Backend, t: DateTime<Utc>) -> (World, ManualClock) {
    let clock = ManualClock::at(t);
    (world_at(backend, Some(clock.clone())).await, clock)
}

/// The world with the app on `clock` (or the system clock).
pub async fn world_at(backend: Backend, clock: Option<ManualClock>) -> World {
    world_with(backend, clock, |_| {}).await
}

/// The world with the app on `clock` and its configuration adjusted by `customize`.
pub async fn world_with(
    backend: Backend,
    clock: Option<ManualClock>,
    customize: impl FnOnce(&mut Config),
) -> World {
    world_providing(backend, clock, customize, Providers::default()).await
}

/// [`world_with`], the app given `providers` (an attestation double).
pub async fn world_providing(
    backend: Backend,
    clock: Option<ManualClock>,
    customize: impl FnOnce(&mut Config),
    providers: Providers,
) -> World {
    let mut env = TestEnv::new(backend).await;
    customize(&mut env.config);
    let clock: abdi_server::clock::SharedClock = match &clock {
        Some(c) => Arc::new(c.clone()),
        None => Arc::new(SystemClock),
    };
    let app = TestApp::start_providing(env, clock, providers).await;
    let db = &app.state.db;
    seed(
        &app,
        400,
        9,
        &format!("{STAFF_ACCOUNT}{ATASAN_ACCOUNT}{IBU_ACCOUNT}"),
    )
    .await;
    let (staff, _) = holder(&app, "BKD-U001-F01").await;
    let staff = employee::Entity::find()
        .filter(employee::Column::Nip.eq(STAFF_NIP))
        .one(db)
        .await
        .unwrap()
        .map_or(staff, |e| e.id);
    let (supervisor, supervisor_post) = holder(&app, "BKD-U001-KASI1").await;
    let (head, _) = holder(&app, "BKD-KEPALA").await;
    let taken = [staff, supervisor, head];
    let fasilitator = employee_in(&app, "BKD-U002", &taken).await;
    let other_fasilitator = employee_in(&app, "DINKES-U001", &taken).await;
    let admin = employee_in(&app, "BKD-U003", &taken).await;
    let other = employee_in(&app, "DISHUB-U001", &taken).await;
    let acting_now = employee_in(&app, "BKD-U004", &taken).await;
    let acting_expired = employee_in(&app, "DINSOS-U001", &taken).await;
    let victim = employee_in(&app, "DISHUB-U002", &taken).await;
    let acting_ends_today = employee_in(&app, "DINSOS-U002", &taken).await;
    let acting_future = employee_in(&app, "DINSOS-U003", &taken).await;

    let ibu = by_nip(&app, IBU_NIP).await;
    let now = Utc::now();
    let today = app.state.clock.today();
    for (who, role, unit) in [
        (
            fasilitator,
            Role::Fasilitator,
            Some(unit_id(&app, "BKD").await),
        ),
        (
            other_fasilitator,
            Role::Fasilitator,
            Some(unit_id(&app, "DINKES").await),
        ),
        (admin, Role::Administrator, None),
    ] {
        grant_role(db, who, role, unit, now).await;
    }
    for (who, kind, starts, ends) in [
        (
            acting_now,
            ActingKind::Plt,
            today - Duration::days(10),
            today + Duration::days(10),
        ),
        (
            acting_expired,
            ActingKind::Plh,
            today - Duration::days(30),
            today - Duration::days(1),
        ),
        (
            acting_ends_today,
            ActingKind::Plh,
            today - Duration::days(5),
            today,
        ),
        (
            acting_future,
            ActingKind::Plt,
            today + Duration::days(1),
            today + Duration::days(20),
        ),
    ] {
        let letter = ActingLetter {
            kind,
            number: "800/123/204/2026",
            starts_on: starts,
            ends_on: ends,
        };
        assign_acting(db, who, supervisor_post, &letter, now).await;
    }

    let ids: HashMap<Who, Uuid> = [
        (Staff, staff),
        (Supervisor, supervisor),
        (Head, head),
        (Fasilitator, fasilitator),
        (OtherFasilitator, other_fasilitator),
        (Admin, admin),
        (Other, other),
        (ActingNow, acting_now),
        (ActingExpired, acting_expired),
        (Victim, victim),
        (ActingEndsToday, acting_ends_today),
        (ActingFuture, acting_future),
        (Ibu, ibu),
    ]
    .into();
    assert_eq!(
        ids.values().collect::<BTreeSet<_>>().len(),
        13,
        "thirteen different people"
    );
    let mut tokens = HashMap::new();
    for (who, id) in &ids {
        tokens.insert(*who, session_for(&app, *id).await);
    }
    World { app, ids, tokens }
}

/// Seeds `employees` people (from the random `seed`) as of 23 November 2026, with the accounts
/// `accounts_toml` (as `abdi-server seed --accounts` reads them; empty for none) among them.
pub async fn seed(app: &TestApp, employees: u32, seed: u64, accounts_toml: &str) {
    let accounts = if accounts_toml.is_empty() {
        Vec::new()
    } else {
        accounts::parse("accounts.toml", accounts_toml).unwrap()
    };
    let options = SeedOptions {
        employees,
        seed,
        as_of: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        accounts,
        reset: false,
        progress: false,
    };
    run_seed(&app.state.db, &options, Utc::now()).await.unwrap();
}

/// Opens a session for `employee` directly (how sessions are opened is tested elsewhere).
pub async fn session_for(app: &TestApp, employee: Uuid) -> String {
    app.session(employee).await
}

/// Marks the session of `token` freshly verified, as a passkey step-up does (the ceremony
/// itself is tested with the passkeys).
pub async fn step_up_session(app: &TestApp, token: &str) {
    let sessions = &app.state.identity.sessions;
    let current = sessions.validate(token).await.unwrap();
    sessions.mark_verified(&current).await.unwrap();
}

/// A passkey step-up in `who`'s session.
pub async fn step_up(w: &World, who: Who) {
    step_up_session(&w.app, &w.tokens[&who]).await;
}

/// Whoever holds the post `post_code`, and the post: (employee id, post id).
pub async fn holder(app: &TestApp, post_code: &str) -> (Uuid, Uuid) {
    let post = position::Entity::find()
        .filter(position::Column::Code.eq(post_code))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let e = employee::Entity::find()
        .filter(employee::Column::PositionId.eq(post.id))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("nobody holds {post_code}"));
    (e.id, post.id)
}

/// The employee with `nip`.
pub async fn by_nip(app: &TestApp, nip: &str) -> Uuid {
    employee::Entity::find()
        .filter(employee::Column::Nip.eq(nip))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("nobody has NIP {nip}"))
        .id
}

/// Someone in the unit `unit_code` who is none of `not`.
pub async fn employee_in(app: &TestApp, unit_code: &str, not: &[Uuid]) -> Uuid {
    let unit = unit_id(app, unit_code).await;
    employee::Entity::find()
        .filter(employee::Column::UnitId.eq(unit))
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .find(|id| !not.contains(id))
        .unwrap_or_else(|| panic!("nobody else in {unit_code}"))
}

/// The id of the unit `code`.
pub async fn unit_id(app: &TestApp, code: &str) -> Uuid {
    org_unit::Entity::find()
        .filter(org_unit::Column::Code.eq(code))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Gives `employee` the role `role` (fasilitator of `unit`, administrator), from `now`, as
/// a row with no decree (as rows from before roles by decree are).
pub async fn grant_role(
    db: &DatabaseConnection,
    employee: Uuid,
    role: Role,
    unit: Option<Uuid>,
    now: DateTime<Utc>,
) {
    role_assignment::ActiveModel {
        id: Set(Uuid::new_v4()),
        employee_id: Set(employee),
        role: Set(role),
        unit_id: Set(unit),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
}

/// A Plt/Plh assignment letter: its kind, number and window (both days in).
pub struct ActingLetter<'a> {
    pub kind: ActingKind,
    pub number: &'a str,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Makes `employee` acting holder of `post` under `letter`.
pub async fn assign_acting(
    db: &DatabaseConnection,
    employee: Uuid,
    post: Uuid,
    letter: &ActingLetter<'_>,
    now: DateTime<Utc>,
) {
    acting_assignment::ActiveModel {
        id: Set(Uuid::new_v4()),
        employee_id: Set(employee),
        position_id: Set(post),
        kind: Set(letter.kind),
        number: Set(letter.number.into()),
        starts_on: Set(letter.starts_on),
        ends_on: Set(letter.ends_on),
        created_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
}

/// Makes `who` Plt/Plh (`kind`) of `post` from `from` to `to`, under letter 800.1.11.1/77/204/2026.
pub async fn acting(
    w: &World,
    who: Uuid,
    post: Uuid,
    kind: ActingKind,
    from: NaiveDate,
    to: NaiveDate,
) {
    let letter = ActingLetter {
        kind,
        number: "800.1.11.1/77/204/2026",
        starts_on: from,
        ends_on: to,
    };
    assign_acting(&w.app.state.db, who, post, &letter, Utc::now()).await;
}

/// Changes `who`'s master record with `change`.
pub async fn set_employee(w: &World, who: Who, change: impl FnOnce(&mut employee::ActiveModel)) {
    let e = employee::Entity::find_by_id(w.ids[&who])
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut a: employee::ActiveModel = e.into();
    change(&mut a);
    a.update(&w.app.state.db).await.unwrap();
}

/// Everyone told since notice `after` that `request` waits for them (`action_required`),
/// and the newest notice's id.
pub async fn told(w: &World, request: &str, after: i64) -> (Vec<Uuid>, i64) {
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

/// A session for whoever holds the post of step `seq` of a request, and their id.
pub async fn step_holder(w: &World, request: &str, seq: i32) -> (String, Uuid) {
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
pub async fn sekda_post(w: &World) -> (Uuid, String) {
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
