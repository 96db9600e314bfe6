//! The access matrix: every route x every role x own / other unit / other employee, from one
//! table. A route missing from the table fails the test, so none can be left out.

use std::collections::{BTreeSet, HashMap};

use abdi_server::access::entity::{acting_assignment, role_assignment};
use abdi_server::clock::ManualClock;
use abdi_server::masterdata::entity::{employee, org_unit, position};
use abdi_server::seed::{SeedOptions, accounts, run_seed};
use abdi_tests::{Backend, TestApp, TestEnv, both_backends};
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use std::sync::Arc;
use uuid::Uuid;

use crate::problem;

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Who {
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
    /// About Staff's submitted sick-leave request (or its attachment); `allowed` get past the
    /// access check (their answer may still be a conflict or a step-up), everyone else 403.
    OnRequest { allowed: &'static [Who] },
}

/// Who may see Staff's request: Staff, the deciders on its chain (also as Plt/Plh inside their
/// window), the unit's fasilitator, administrators.
const REQUEST_VIEWERS: &[Who] = &[
    Staff,
    Supervisor,
    Head,
    Fasilitator,
    Admin,
    ActingNow,
    ActingEndsToday,
];
const REQUEST_DECIDERS: &[Who] = &[Supervisor, Head, ActingNow, ActingEndsToday];

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
    ("get", "/api/v1/services", Rule::Public),
    ("get", "/api/v1/services/{code}", Rule::Public),
    ("post", "/api/v1/services/{code}/quote", Rule::Own),
    (
        "put",
        "/api/v1/admin/services/{code}",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "get",
        "/api/v1/admin/services/{code}/revisions",
        Rule::Admin { allowed: &[Admin] },
    ),
    ("post", "/api/v1/requests", Rule::Own),
    ("get", "/api/v1/requests", Rule::Own),
    (
        "get",
        "/api/v1/requests/{id}",
        Rule::OnRequest {
            allowed: REQUEST_VIEWERS,
        },
    ),
    (
        "put",
        "/api/v1/requests/{id}",
        Rule::OnRequest { allowed: &[Staff] },
    ),
    (
        "post",
        "/api/v1/requests/{id}/submit",
        Rule::OnRequest { allowed: &[Staff] },
    ),
    (
        "post",
        "/api/v1/requests/{id}/cancel",
        Rule::OnRequest { allowed: &[Staff] },
    ),
    (
        "post",
        "/api/v1/requests/{id}/verification",
        Rule::OnRequest {
            allowed: &[Fasilitator],
        },
    ),
    (
        "post",
        "/api/v1/requests/{id}/decision",
        Rule::OnRequest {
            allowed: REQUEST_DECIDERS,
        },
    ),
    ("get", "/api/v1/inbox", Rule::Own),
    ("get", "/api/v1/verification-queue", Rule::Own),
    ("post", "/api/v1/attachments", Rule::Own),
    (
        "get",
        "/api/v1/attachments/{id}",
        Rule::OnRequest {
            allowed: REQUEST_VIEWERS,
        },
    ),
    ("get", "/api/v1/me/leave-balance", Rule::Own),
    (
        "get",
        "/api/v1/requests/{id}/documents",
        Rule::OnRequest {
            allowed: REQUEST_VIEWERS,
        },
    ),
    (
        "get",
        "/api/v1/documents/{id}",
        Rule::OnRequest {
            allowed: REQUEST_VIEWERS,
        },
    ),
    (
        "get",
        "/api/v1/documents/{id}/pdf",
        Rule::OnRequest {
            allowed: REQUEST_VIEWERS,
        },
    ),
    ("get", "/api/v1/documents/awaiting-signature", Rule::Own),
    ("post", "/api/v1/documents/sign", Rule::Own),
    ("post", "/api/v1/verify", Rule::Public),
    ("get", "/api/v1/verify/{id}", Rule::Public),
    ("get", "/api/v1/verify/sha256/{sha256}", Rule::Public),
    ("get", "/api/v1/notifications", Rule::Own),
    ("get", "/api/v1/notifications/unread-count", Rule::Own),
    ("post", "/api/v1/notifications/read", Rule::Own),
    ("get", "/api/v1/notifications/stream", Rule::Own),
    ("get", "/api/v1/notification-preferences", Rule::Own),
    ("put", "/api/v1/notification-preferences", Rule::Own),
    ("get", "/api/v1/devices", Rule::Own),
    ("put", "/api/v1/devices/current", Rule::Own),
    ("delete", "/api/v1/devices/current", Rule::Own),
];

pub(crate) struct World {
    pub app: TestApp,
    pub ids: HashMap<Who, Uuid>,
    pub tokens: HashMap<Who, String>,
}

/// Opens a session for `employee` directly (how sessions are opened is tested elsewhere).
pub(crate) async fn session_for(app: &TestApp, employee: Uuid) -> String {
    app.session(employee).await
}

pub(crate) async fn holder(app: &TestApp, post_code: &str) -> (Uuid, Uuid) {
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

pub(crate) async fn unit_id(app: &TestApp, code: &str) -> Uuid {
    org_unit::Entity::find()
        .filter(org_unit::Column::Code.eq(code))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn world(backend: Backend) -> World {
    world_at(backend, None).await
}

/// The world with the app on `clock` (or the system clock).
pub(crate) async fn world_at(backend: Backend, clock: Option<ManualClock>) -> World {
    world_with(backend, clock, |_| {}).await
}

/// The world with the app on `clock` and its configuration adjusted by `customize`.
pub(crate) async fn world_with(
    backend: Backend,
    clock: Option<ManualClock>,
    customize: impl FnOnce(&mut abdi_server::config::Config),
) -> World {
    let mut env = TestEnv::new(backend).await;
    customize(&mut env.config);
    let app = match &clock {
        Some(c) => TestApp::start(env, Arc::new(c.clone())).await,
        None => TestApp::start(env, Arc::new(abdi_server::clock::SystemClock)).await,
    };
    let db = &app.state.db;
    let options = SeedOptions {
        employees: 400,
        seed: 9,
        as_of: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        accounts: accounts::parse(
            "a.toml",
            "[[account]]\nnip = \"198503122010011004\"\nname = \"Staf\"\nemail = \"staf@jatimprov.go.id\"\nunit = \"BKD-U001\"\n\
             [[account]]\nnip = \"197601052000031002\"\nname = \"Atasan\"\nemail = \"atasan@jatimprov.go.id\"\nunit = \"BKD-U001\"\npost = \"KASI1\"\n\
             [[account]]\nnip = \"199001152015022003\"\nname = \"Ibu\"\nemail = \"ibu@jatimprov.go.id\"\nunit = \"BKD-U001\"\n",
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

    let ibu = employee::Entity::find()
        .filter(employee::Column::Nip.eq("199001152015022003"))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id;
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

/// The body a route needs to get past its input checks to the access decision. Request
/// actions carry a stale version: whoever gets past the access check gets a conflict, and
/// nothing changes.
fn body_for(method: &str, path: &str) -> Option<Value> {
    use serde_json::json;
    if path.ends_with("/transfer") {
        Some(json!({ "unit_code": "DISHUB-U003" }))
    } else if path.contains("/admin/services/") && method == "put" {
        Some(json!({
            "revision": 999,
            "note": "SK 1/2026",
            "spec": {
                "name": { "id": "Uji", "en": "Test" },
                "form": { "version": 1, "fields": [] },
                "chain": [{ "kind": "decision", "by": "pybmc" }],
                "output_document": "surat_izin",
                "active": true,
                "sop_version": "1",
                "sop": { "id": "-", "en": "-" }
            }
        }))
    } else if path.ends_with("/verification") {
        Some(json!({ "version": 999, "outcome": "complete" }))
    } else if path.ends_with("/decision") {
        Some(json!({ "version": 999, "outcome": "disetujui" }))
    } else if path.starts_with("/api/v1/requests/") && method == "put" {
        Some(json!({ "version": 999, "form": {} }))
    } else if path.ends_with("/submit") || path.ends_with("/cancel") {
        Some(json!({ "version": 999 }))
    } else {
        None
    }
}

async fn call(w: &World, method: &str, path: &str, who: Option<Who>) -> reqwest::Response {
    let verb = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
    let mut req = w.app.client.request(verb, w.app.url(path));
    if let Some(body) = body_for(method, path) {
        req = req.json(&body);
    }
    if let Some(who) = who {
        req = req.bearer_auth(&w.tokens[&who]);
    }
    req.send().await.unwrap()
}

/// Whether a response got past the access check: anything but 401 and a plain 403
/// (`step_up_required` is a 403 past it), and never a server error.
async fn passed_access(r: reqwest::Response) -> bool {
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status < 500, "{status} {body}");
    status != 401 && !(status == 403 && body["code"] == "forbidden")
}

/// Staff uploads a doctor's certificate and asks for two days of sick leave with it.
async fn staff_request(w: &World) -> (Uuid, Uuid) {
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let up: Value = w
        .app
        .client
        .post(w.app.url("/api/v1/attachments?name=surat-dokter.pdf"))
        .bearer_auth(&w.tokens[&Staff])
        .body(pdf)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let today = w.app.state.clock.today();
    let r = w
        .app
        .client
        .post(w.app.url("/api/v1/requests"))
        .bearer_auth(&w.tokens[&Staff])
        .header("idempotency-key", Uuid::new_v4().to_string())
        .json(&serde_json::json!({
            "service": "cuti_sakit",
            "form": {
                "period": { "start": today.to_string(), "end": (today + Duration::days(1)).to_string() },
                "sick_kind": "biasa",
                "doctor_certificate": [{ "id": up["id"] }],
                "address": { "street": "Jl. Pahlawan 110", "city": "Surabaya", "province": "Jawa Timur", "postal_code": "60174" },
                "phone": "081234567890"
            }
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let view: Value = r.json().await.unwrap();
    (
        view["id"].as_str().unwrap().parse().unwrap(),
        up["id"].as_str().unwrap().parse().unwrap(),
    )
}

/// A letter on Staff's request, as the final decision would issue it (here without deciding,
/// so the request stays as the other rows expect it).
async fn letter_for(w: &World, request: Uuid) -> Uuid {
    use abdi_server::documents::entity::document;
    let id = Uuid::now_v7();
    document::Entity::insert(document::ActiveModel {
        id: Set(id),
        request_id: Set(request),
        kind: Set("surat_izin_cuti".into()),
        number: Set("800.1.11/0001/TEST/2026".into()),
        title_id: Set("Surat Izin Cuti Sakit".into()),
        title_en: Set("Leave permit: Cuti Sakit".into()),
        issued_on: Set(w.app.state.clock.today()),
        status: Set(abdi_proto::documents::DocumentStatus::AwaitingSignature),
        signer_employee_id: Set(Some(w.ids[&Head])),
        signer_position_id: Set(None),
        signer_name: Set("Kepala".into()),
        signer_nip: Set("197001012000031001".into()),
        signer_capacity: Set("Kepala Dinas".into()),
        content: Set("{}".into()),
        object_key: Set(None),
        sha256: Set(None),
        size: Set(None),
        signed_at: Set(None),
        signer_certificate_issuer: Set(None),
        signer_certificate_serial: Set(None),
        created_at: Set(w.app.state.clock.now()),
    })
    .exec_without_returning(&w.app.state.db)
    .await
    .unwrap();
    id
}

async fn the_access_matrix_holds_for_every_route(backend: Backend) {
    let w = world(backend).await;
    let (request, attachment) = staff_request(&w).await;
    let document = letter_for(&w, request).await;

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
                let concrete = path
                    .replace("{year}", "2026")
                    .replace("{provider}", "bkn")
                    .replace("{code}", "cuti_tahunan");
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
                    // Administrators' writes need a step-up too; it is no capacity.
                    crate::services::step_up(&w, who).await;
                    let r = call(&w, method, &concrete, Some(who)).await;
                    assert!(
                        r.status().is_success(),
                        "{who:?} {method} {path} about {target:?}: {}",
                        r.status()
                    );
                }
            }
            Rule::Admin { allowed } => {
                let concrete = path.replace("{code}", "cuti_tahunan");
                for who in EVERYONE {
                    let r = call(&w, method, &concrete, Some(who)).await;
                    if allowed.contains(&who) {
                        assert!(
                            passed_access(r).await,
                            "{who:?} {method} {path} was refused"
                        );
                    } else {
                        problem(r, 403, "forbidden").await;
                    }
                }
            }
            Rule::OnRequest { allowed } => {
                let id = if path.starts_with("/api/v1/attachments/") {
                    attachment
                } else if path.starts_with("/api/v1/documents/") {
                    document
                } else {
                    request
                };
                let concrete = path.replace("{id}", &id.to_string());
                let r = call(&w, method, &concrete, None).await;
                problem(r, 401, "unauthenticated").await;
                for who in EVERYONE {
                    let r = call(&w, method, &concrete, Some(who)).await;
                    if allowed.contains(&who) {
                        assert!(
                            passed_access(r).await,
                            "{who:?} {method} {path} was refused"
                        );
                    } else {
                        problem(r, 403, "forbidden").await;
                    }
                }
                let after: Value = call(
                    &w,
                    "get",
                    &format!("/api/v1/requests/{request}"),
                    Some(Staff),
                )
                .await
                .json()
                .await
                .unwrap();
                assert_eq!(after["version"], 1, "{method} {path} changed the request");
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
    // An administrator's write needs a fresh step-up.
    problem(
        call(
            &w,
            "post",
            &format!("/api/v1/admin/employees/{staff}/disable"),
            Some(Admin),
        )
        .await,
        403,
        "step_up_required",
    )
    .await;
    assert_eq!(
        call(&w, "get", "/api/v1/me", Some(Staff)).await.status(),
        200,
        "nothing changed"
    );
    crate::services::step_up(&w, Admin).await;
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
    // Anyone else cannot tell an unknown id from someone they may not see.
    for target in [Uuid::new_v4(), w.ids[&Head]] {
        let r = call(
            &w,
            "get",
            &format!("/api/v1/employees/{target}"),
            Some(Other),
        )
        .await;
        problem(r, 403, "forbidden").await;
    }
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
    let body =
        serde_json::json!({ "unit_code": "DINKES-U001", "position_code": "DINKES-U001-F03" });
    problem(transfer(body.clone()).await, 403, "step_up_required").await;
    crate::services::step_up(&w, Admin).await;
    let r = transfer(serde_json::json!({ "unit_code": "NOPE" })).await;
    problem(r, 404, "unit_not_found").await;
    assert_eq!(
        call(&w, "get", "/api/v1/me", Some(Staff)).await.status(),
        200,
        "nothing changed"
    );
    // A post shared by many (fungsional) is no one's to give up.
    let r = transfer(body).await;
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

/// A struktural post has one holder: a transfer onto it is refused until the administrator
/// says the holder is being replaced; then the holder leaves it and is logged out too.
async fn a_held_post_is_taken_only_by_replacing_its_holder(backend: Backend) {
    let w = world(backend).await;
    let staff = w.ids[&Staff];
    let (holder_id, post) = holder(&w.app, "BKD-U001-KASI1").await;
    assert_eq!(holder_id, w.ids[&Supervisor]);
    crate::services::step_up(&w, Admin).await;
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
    let onto = serde_json::json!({ "unit_code": "BKD-U001", "position_code": "BKD-U001-KASI1" });
    problem(transfer(onto.clone()).await, 409, "position_occupied").await;
    let post_of = |id: Uuid| {
        let w = &w;
        async move {
            employee::Entity::find_by_id(id)
                .one(&w.app.state.db)
                .await
                .unwrap()
                .unwrap()
                .position_id
        }
    };
    assert_eq!(post_of(holder_id).await, Some(post), "nothing changed");
    for who in [Staff, Supervisor] {
        assert_eq!(call(&w, "get", "/api/v1/me", Some(who)).await.status(), 200);
    }

    let mut replacing = onto;
    replacing["replaces_holder"] = serde_json::json!(true);
    assert_eq!(transfer(replacing).await.status(), 204);
    assert_eq!(post_of(staff).await, Some(post));
    assert_eq!(post_of(holder_id).await, None, "the holder left the post");
    for who in [Staff, Supervisor] {
        problem(
            call(&w, "get", "/api/v1/me", Some(who)).await,
            401,
            "unauthenticated",
        )
        .await;
    }
}

both_backends!(
    the_access_matrix_holds_for_every_route,
    a_held_post_is_taken_only_by_replacing_its_holder,
    a_disabled_account_is_out_at_once,
    a_transfer_ends_the_sessions_at_once
);
