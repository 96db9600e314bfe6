//! The access matrix: every route x every role x own / other unit / other employee, from one
//! table. A route missing from the table fails the test, so none can be left out.

use std::collections::{BTreeSet, HashMap};

use abdi_server::access::entity::{acting_assignment, role_assignment};
use abdi_server::identity::session::NewSession;
use abdi_server::masterdata::entity::{employee, org_unit, position};
use abdi_server::seed::{SeedOptions, accounts, run_seed};
use abdi_tests::{Backend, TestApp, both_backends};
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

use crate::problem;

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Who {
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
}

const EVERYONE: [Who; 11] = [
    Who::Staff,
    Who::Supervisor,
    Who::Head,
    Who::Fasilitator,
    Who::OtherFasilitator,
    Who::Admin,
    Who::Other,
    Who::ActingNow,
    Who::ActingExpired,
    Who::ActingEndsToday,
    Who::ActingFuture,
];

/// What a route is about.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// No session needed (activation, login, reference data, health).
    Public,
    /// Only ever the caller's own data: a session is required and no one else's id is taken.
    Own,
    /// About the employee `target`; `allowed` may, everyone else gets 403.
    About {
        target: Who,
        allowed: &'static [Who],
    },
    /// Not about an employee; `allowed` may.
    Admin { allowed: &'static [Who] },
}

use Who::*;

/// The table: (method, path, rule).
const ROUTES: &[(&str, &str, Rule)] = &[
    ("get", "/health/live", Rule::Public),
    ("get", "/health/ready", Rule::Public),
    ("get", "/api/v1/reference/ranks", Rule::Public),
    ("get", "/api/v1/reference/holidays", Rule::Public),
    ("get", "/api/v1/reference/holidays/{year}", Rule::Public),
    ("post", "/api/v1/activation", Rule::Public),
    ("post", "/api/v1/activation/redeem", Rule::Public),
    ("post", "/api/v1/auth/passkey/challenge", Rule::Public),
    ("post", "/api/v1/auth/passkey", Rule::Public),
    ("get", "/api/v1/auth/sso", Rule::Public),
    ("post", "/api/v1/auth/sso/{provider}", Rule::Public),
    ("post", "/api/v1/auth/sso/logout", Rule::Own),
    ("get", "/api/v1/me", Rule::Own),
    ("get", "/api/v1/me/sessions", Rule::Own),
    ("delete", "/api/v1/me/sessions", Rule::Own),
    ("delete", "/api/v1/me/sessions/{id}", Rule::Own),
    ("post", "/api/v1/auth/logout", Rule::Own),
    ("post", "/api/v1/auth/refresh", Rule::Own),
    ("post", "/api/v1/me/passkeys/registration", Rule::Own),
    ("get", "/api/v1/me/passkeys", Rule::Own),
    ("post", "/api/v1/me/passkeys", Rule::Own),
    ("delete", "/api/v1/me/passkeys/{id}", Rule::Own),
    ("post", "/api/v1/me/step-up/challenge", Rule::Own),
    ("post", "/api/v1/me/step-up", Rule::Own),
    (
        "get",
        "/api/v1/employees/{id}",
        Rule::About {
            target: Staff,
            allowed: &[
                Staff,
                Supervisor,
                Head,
                Fasilitator,
                Admin,
                ActingNow,
                ActingEndsToday,
            ],
        },
    ),
    (
        "get",
        "/api/v1/employees/{id}",
        Rule::About {
            target: Supervisor,
            allowed: &[Supervisor, Head, Fasilitator, Admin],
        },
    ),
    (
        "post",
        "/api/v1/admin/employees/{id}/disable",
        Rule::About {
            target: Victim,
            allowed: &[Admin],
        },
    ),
    (
        "get",
        "/api/v1/admin/auth-events",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/employees/{id}/transfer",
        Rule::About {
            target: Victim,
            allowed: &[Admin],
        },
    ),
];

struct World {
    app: TestApp,
    ids: HashMap<Who, Uuid>,
    tokens: HashMap<Who, String>,
}

async fn holder(app: &TestApp, post_code: &str) -> (Uuid, Uuid) {
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

async fn employee_in(app: &TestApp, unit_code: &str, not: &[Uuid]) -> Uuid {
    let unit = org_unit::Entity::find()
        .filter(org_unit::Column::Code.eq(unit_code))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    employee::Entity::find()
        .filter(employee::Column::UnitId.eq(unit.id))
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .find(|id| !not.contains(id))
        .unwrap_or_else(|| panic!("nobody else in {unit_code}"))
}

async fn unit_id(app: &TestApp, code: &str) -> Uuid {
    org_unit::Entity::find()
        .filter(org_unit::Column::Code.eq(code))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn world(backend: Backend) -> World {
    let app = TestApp::spawn(backend).await;
    let db = &app.state.db;
    let options = SeedOptions {
        employees: 400,
        seed: 9,
        as_of: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        accounts: accounts::parse(
            "a.toml",
            "[[account]]\nnip = \"198503122010011004\"\nname = \"Staf\"\nemail = \"staf@jatimprov.go.id\"\nunit = \"BKD-U001\"\n\
             [[account]]\nnip = \"197601052000031002\"\nname = \"Atasan\"\nemail = \"atasan@jatimprov.go.id\"\nunit = \"BKD-U001\"\npost = \"KASI1\"\n",
        )
        .unwrap(),
        reset: false,
        progress: false,
    };
    run_seed(db, &options, Utc::now()).await.unwrap();
    let (staff, _) = holder(&app, "BKD-U001-F01").await;
    let staff = employee::Entity::find()
        .filter(employee::Column::Nip.eq("198503122010011004"))
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

    let now = Utc::now();
    let today = app.state.clock.today();
    for (who, role, unit) in [
        (fasilitator, "fasilitator", Some(unit_id(&app, "BKD").await)),
        (
            other_fasilitator,
            "fasilitator",
            Some(unit_id(&app, "DINKES").await),
        ),
        (admin, "administrator", None),
    ] {
        role_assignment::ActiveModel {
            id: Set(Uuid::new_v4()),
            employee_id: Set(who),
            role: Set(role.into()),
            unit_id: Set(unit),
            created_at: Set(now),
        }
        .insert(db)
        .await
        .unwrap();
    }
    for (who, kind, starts, ends) in [
        (
            acting_now,
            "plt",
            today - Duration::days(10),
            today + Duration::days(10),
        ),
        (
            acting_expired,
            "plh",
            today - Duration::days(30),
            today - Duration::days(1),
        ),
        (acting_ends_today, "plh", today - Duration::days(5), today),
        (
            acting_future,
            "plt",
            today + Duration::days(1),
            today + Duration::days(20),
        ),
    ] {
        acting_assignment::ActiveModel {
            id: Set(Uuid::new_v4()),
            employee_id: Set(who),
            position_id: Set(supervisor_post),
            kind: Set(kind.into()),
            number: Set("800/123/204/2026".into()),
            starts_on: Set(starts),
            ends_on: Set(ends),
            created_at: Set(now),
        }
        .insert(db)
        .await
        .unwrap();
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
    ]
    .into();
    assert_eq!(
        ids.values().collect::<BTreeSet<_>>().len(),
        12,
        "twelve different people"
    );
    let mut tokens = HashMap::new();
    for (who, id) in &ids {
        // Sessions are opened directly: how they are opened is tested elsewhere.
        let (token, _) = app
            .state
            .identity
            .sessions
            .create(NewSession {
                employee_id: *id,
                device_name: "test",
                platform: "android",
                method: "activation",
                ip: None,
            })
            .await
            .unwrap();
        tokens.insert(*who, token);
    }
    World { app, ids, tokens }
}

/// The body a route needs to get past its input checks to the access decision.
fn body_for(path: &str) -> Option<Value> {
    path.ends_with("/transfer")
        .then(|| serde_json::json!({ "unit_code": "DISHUB-U003" }))
}

async fn call(w: &World, method: &str, path: &str, who: Option<Who>) -> reqwest::Response {
    let method = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
    let mut req = w.app.client.request(method, w.app.url(path));
    if let Some(body) = body_for(path) {
        req = req.json(&body);
    }
    if let Some(who) = who {
        req = req.bearer_auth(&w.tokens[&who]);
    }
    req.send().await.unwrap()
}

async fn the_access_matrix_holds_for_every_route(backend: Backend) {
    let w = world(backend).await;

    // Every described operation is in the table, and the table describes nothing else.
    let spec: Value = w.app.get("/openapi.json").await.json().await.unwrap();
    let described: BTreeSet<(String, String)> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(|m| (m.clone(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    let tabled: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(described, tabled, "the access table and the API differ");

    for (method, path, rule) in ROUTES {
        match rule {
            Rule::Public => {
                let concrete = path.replace("{year}", "2026").replace("{provider}", "bkn");
                let r = call(&w, method, &concrete, None).await;
                assert!(
                    r.status() != 401 && r.status() != 403,
                    "{method} {path} wants a session: {}",
                    r.status()
                );
            }
            Rule::Own => {
                assert!(
                    !path.contains("/employees/"),
                    "{path} takes someone else's id"
                );
                let concrete = path.replace("{id}", &Uuid::new_v4().to_string());
                let r = call(&w, method, &concrete, None).await;
                problem(r, 401, "unauthenticated").await;
            }
            Rule::About { target, allowed } => {
                let concrete = path.replace("{id}", &w.ids[target].to_string());
                let r = call(&w, method, &concrete, None).await;
                problem(r, 401, "unauthenticated").await;
                // Those refused first: a refused call must change nothing.
                let (yes, no): (Vec<Who>, Vec<Who>) =
                    EVERYONE.iter().partition(|who| allowed.contains(who));
                let before = employee::Entity::find_by_id(w.ids[target])
                    .one(&w.app.state.db)
                    .await
                    .unwrap();
                for who in no {
                    let r = call(&w, method, &concrete, Some(who)).await;
                    assert_eq!(r.status(), 403, "{who:?} {method} {path} about {target:?}");
                }
                let after = employee::Entity::find_by_id(w.ids[target])
                    .one(&w.app.state.db)
                    .await
                    .unwrap();
                assert_eq!(
                    before, after,
                    "a refused {method} {path} changed the record"
                );
                for who in yes {
                    let r = call(&w, method, &concrete, Some(who)).await;
                    assert!(
                        r.status().is_success(),
                        "{who:?} {method} {path} about {target:?}: {}",
                        r.status()
                    );
                }
            }
            Rule::Admin { allowed } => {
                for who in EVERYONE {
                    let r = call(&w, method, path, Some(who)).await;
                    let expected = if allowed.contains(&who) { 200 } else { 403 };
                    assert_eq!(r.status(), expected, "{who:?} {method} {path}");
                }
            }
        }
    }

    // Everyone sees their own record through /me.
    for who in EVERYONE {
        let me: Value = call(&w, "get", "/api/v1/me", Some(who))
            .await
            .json()
            .await
            .unwrap();
        let own = employee::Entity::find_by_id(w.ids[&who])
            .one(&w.app.state.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(me["nip"], own.nip);
    }
}

async fn a_disabled_account_is_out_at_once(backend: Backend) {
    let w = world(backend).await;
    let staff = w.ids[&Staff];
    assert_eq!(
        call(&w, "get", "/api/v1/me", Some(Staff)).await.status(),
        200
    );
    let r = call(
        &w,
        "post",
        &format!("/api/v1/admin/employees/{staff}/disable"),
        Some(Admin),
    )
    .await;
    assert_eq!(r.status(), 204);
    // The very next request is refused: sessions ended with the disable, not at their expiry.
    problem(
        call(&w, "get", "/api/v1/me", Some(Staff)).await,
        401,
        "unauthenticated",
    )
    .await;
    let e = employee::Entity::find_by_id(staff)
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(!e.active);
    // The administrator reads it back in the audit log.
    let log: Value = call(
        &w,
        "get",
        &format!("/api/v1/admin/auth-events?employee_id={staff}"),
        Some(Admin),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(log["events"][0]["event"], "account_disabled");
    let r = call(
        &w,
        "get",
        "/api/v1/admin/auth-events?limit=abc",
        Some(Admin),
    )
    .await;
    problem(r, 400, "invalid_query").await;
    let r = call(
        &w,
        "get",
        &format!("/api/v1/employees/{}", Uuid::new_v4()),
        Some(Admin),
    )
    .await;
    problem(r, 404, "employee_not_found").await;
}

async fn a_transfer_ends_the_sessions_at_once(backend: Backend) {
    let w = world(backend).await;
    let staff = w.ids[&Staff];
    assert_eq!(
        call(&w, "get", "/api/v1/me", Some(Staff)).await.status(),
        200
    );
    let transfer = |body: Value| {
        let w = &w;
        async move {
            w.app
                .client
                .post(
                    w.app
                        .url(&format!("/api/v1/admin/employees/{staff}/transfer")),
                )
                .bearer_auth(&w.tokens[&Admin])
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let r = transfer(serde_json::json!({ "unit_code": "NOPE" })).await;
    problem(r, 404, "unit_not_found").await;
    assert_eq!(
        call(&w, "get", "/api/v1/me", Some(Staff)).await.status(),
        200,
        "nothing changed"
    );
    let r = transfer(
        serde_json::json!({ "unit_code": "DINKES-U001", "position_code": "DINKES-U001-F03" }),
    )
    .await;
    assert_eq!(r.status(), 204);
    problem(
        call(&w, "get", "/api/v1/me", Some(Staff)).await,
        401,
        "unauthenticated",
    )
    .await;
    // The old supervisor no longer sees the employee; the new perangkat daerah's fasilitator does.
    let r = call(
        &w,
        "get",
        &format!("/api/v1/employees/{staff}"),
        Some(Supervisor),
    )
    .await;
    problem(r, 403, "forbidden").await;
    let r = call(
        &w,
        "get",
        &format!("/api/v1/employees/{staff}"),
        Some(OtherFasilitator),
    )
    .await;
    assert_eq!(r.status(), 200);
}

both_backends!(
    the_access_matrix_holds_for_every_route,
    a_disabled_account_is_out_at_once,
    a_transfer_ends_the_sessions_at_once
);
