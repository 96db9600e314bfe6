//! Data sharing: a registered system syncs its unit with a token from its own networks, sees
//! only the fields its scopes open, is refused from elsewhere, after a rotation, a suspension,
//! its agreement's end and a revocation; every call is logged, and the employee sees who read
//! their data. The public statistics hide small counts so that no intruder can solve for them.

use abdi_proto::sharing::{ClientAuth, ClientStatusChange, CredentialRotation, DataScope};
use abdi_server::masterdata::entity::{employee, rank_history};
use abdi_tests::api::{get, ok, post, problem};
use abdi_tests::sharing::{System, audit, new_client};
use abdi_tests::world::{STAFF_NIP, Who, World, july_first, step_up, world, world_with};
use abdi_tests::{Backend, both_backends};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, TransactionTrait,
};
use serde_json::{Value, json};

both_backends!(
    a_registered_system_syncs_its_unit_from_its_networks_only,
    sensitive_data_needs_its_own_scope_and_a_signed_assertion_is_used_once,
);

/// Inside the registered network, and outside it.
const INSIDE: &str = "203.0.113.10";
const OUTSIDE: &str = "198.51.100.7";

async fn registered<'a>(w: &'a World, body: &impl serde::Serialize) -> (System<'a>, Value) {
    step_up(w, Who::Admin).await;
    let r = post(w, Who::Admin, "/api/v1/admin/data-clients", body).await;
    assert_eq!(r.status(), 201);
    let issued: Value = r.json().await.unwrap();
    let system = System {
        app: &w.app,
        client_id: issued["client"]["client_id"].as_str().unwrap().to_owned(),
        secret: issued["client_secret"].as_str().map(str::to_owned),
        address: INSIDE.into(),
    };
    (system, issued)
}

async fn a_registered_system_syncs_its_unit_from_its_networks_only(backend: Backend) {
    let clock = abdi_server::clock::ManualClock::at(july_first());
    let w = world_with(backend, Some(clock.clone()), |c| {
        // The test client is the load balancer: it says where each call comes from.
        c.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        // Long enough to outlive the clock's jumps: what ends access here is the client's
        // state, read on every call, not the token's age.
        c.sharing.token_ttl_secs = 400 * 86_400;
    })
    .await;
    let body = new_client(&["203.0.113.0/24"], &["BKD"]);

    // Registration: administrators only, stepped up.
    problem(
        post(&w, Who::Staff, "/api/v1/admin/data-clients", &body).await,
        403,
        "forbidden",
    )
    .await;
    problem(
        post(&w, Who::Admin, "/api/v1/admin/data-clients", &body).await,
        403,
        "step_up_required",
    )
    .await;
    let mut nul = body.clone();
    nul.agency = "Kementerian\0Agama".into();
    step_up(&w, Who::Admin).await;
    problem(
        post(&w, Who::Admin, "/api/v1/admin/data-clients", &nul).await,
        422,
        "data_client_invalid",
    )
    .await;
    let mut wide = body.clone();
    wide.networks = vec!["0.0.0.0/0".into()];
    problem(
        post(&w, Who::Admin, "/api/v1/admin/data-clients", &wide).await,
        422,
        "data_client_invalid",
    )
    .await;
    let mut bad = body.clone();
    bad.networks = vec!["kemenag.go.id".into()];
    step_up(&w, Who::Admin).await;
    let refused = problem(
        post(&w, Who::Admin, "/api/v1/admin/data-clients", &bad).await,
        422,
        "data_client_invalid",
    )
    .await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("kemenag.go.id")
    );
    // Mutual TLS is offered only where the deployment's TLS terminator hands certificates on.
    let mut mtls = body.clone();
    mtls.auth = ClientAuth::TlsClientAuth {
        certificate_pem: "-----BEGIN CERTIFICATE-----".into(),
    };
    let refused = problem(
        post(&w, Who::Admin, "/api/v1/admin/data-clients", &mtls).await,
        422,
        "data_client_invalid",
    )
    .await;
    assert!(refused["detail"].as_str().unwrap().contains("TLS mutual"));
    let (mut system, issued) = registered(&w, &body).await;
    let id = issued["client"]["id"].as_str().unwrap().to_owned();
    assert_eq!(issued["client"]["status"], "active");
    assert_eq!(
        issued["client"]["scopes"],
        json!([
            "employees",
            "rank_history",
            "position_history",
            "education_history"
        ])
    );
    // The secret is shown once: the registry never shows it again.
    let listed = ok(get(&w, Who::Admin, "/api/v1/admin/data-clients").await).await;
    assert!(
        !listed
            .to_string()
            .contains(system.secret.as_deref().unwrap())
    );

    // From outside its networks it gets no token, and a wrong secret gets none either.
    system.address = OUTSIDE.into();
    problem(system.token_request(None).await, 403, "source_not_allowed").await;
    system.address = INSIDE.into();
    let genuine = system.secret.replace("salah".into());
    problem(system.token_request(None).await, 401, "invalid_client").await;
    system.secret = genuine;
    // A scope it was not granted is refused by name.
    problem(
        system.token_request(Some("employees employees.nik")).await,
        400,
        "invalid_scope",
    )
    .await;
    let token = system.token(None).await;
    // What names no client, or no unit, is refused as such, never a server error.
    let nobody = System {
        client_id: "abdi\0".into(),
        ..System {
            app: &w.app,
            client_id: String::new(),
            secret: Some("x".into()),
            address: INSIDE.into(),
        }
    };
    problem(nobody.token_request(None).await, 401, "invalid_client").await;
    problem(
        system
            .get("/api/data/v1/employees?unit=BKD%00", &token)
            .await,
        404,
        "unit_not_found",
    )
    .await;

    // 1. It syncs BKD, page by page: every active employee of BKD and its units, once.
    let db = &w.app.state.db;
    let below = abdi_server::access::Access::units_below(
        db,
        abdi_tests::world::unit_id(&w.app, "BKD").await,
    )
    .await
    .unwrap();
    let expected = employee::Entity::find()
        .filter(employee::Column::UnitId.is_in(below))
        .filter(employee::Column::Active.eq(true))
        .count(db)
        .await
        .unwrap();
    let mut nips = Vec::new();
    let mut after = String::new();
    loop {
        let r = system
            .get(
                &format!("/api/data/v1/employees?unit=BKD&limit=7{after}"),
                &token,
            )
            .await;
        let page = ok(r).await;
        for e in page["items"].as_array().unwrap() {
            nips.push(e["nip"].as_str().unwrap().to_owned());
            // 4. The default scopes: identity, rank and post, but no birth, contact or NIK.
            assert!(e["name"].is_string() && e["unit_code"].is_string(), "{e}");
            assert!(e["rank_history"].is_array() && e["education_history"].is_array());
            for hidden in [
                "nik",
                "birth_date",
                "birth_place",
                "email",
                "phone",
                "family",
            ] {
                assert!(e.get(hidden).is_none(), "{hidden} was sent: {e}");
            }
        }
        match page["next"].as_str() {
            Some(n) => after = format!("&after={n}"),
            None => break,
        }
    }
    assert_eq!(nips.len() as u64, expected);
    assert!(nips.windows(2).all(|p| p[0] < p[1]), "by NIP, each once");
    assert!(nips.iter().any(|n| n == STAFF_NIP));
    let staff = ok(system
        .get(&format!("/api/data/v1/employees/{STAFF_NIP}"), &token)
        .await)
    .await;
    assert_eq!(staff["unit_code"], "BKD-U001");

    // Outside its units: refused, and a person there does not exist for it.
    problem(
        system
            .get("/api/data/v1/employees?unit=DINKES", &token)
            .await,
        403,
        "scope_insufficient",
    )
    .await;
    let other = abdi_server::masterdata::entity::employee::Entity::find_by_id(w.ids[&Who::Other])
        .one(db)
        .await
        .unwrap()
        .unwrap();
    problem(
        system
            .get(&format!("/api/data/v1/employees/{}", other.nip), &token)
            .await,
        404,
        "employee_not_found",
    )
    .await;
    problem(
        system.get("/api/data/v1/employees/12345", &token).await,
        400,
        "invalid_nip",
    )
    .await;

    // 2. The same token from outside the networks is refused on the call itself.
    system.address = OUTSIDE.into();
    problem(
        system.get("/api/data/v1/employees?unit=BKD", &token).await,
        403,
        "source_not_allowed",
    )
    .await;
    system.address = INSIDE.into();

    // Changes since a cursor: a rename and a new rank of Staff's, behind Abdi's back.
    let start = ok(system
        .get("/api/data/v1/changes?since=latest", &token)
        .await)
    .await;
    let cursor = start["cursor"].as_str().unwrap().to_owned();
    let staff_id = w.ids[&Who::Staff];
    let mut row: employee::ActiveModel = employee::Entity::find_by_id(staff_id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .into();
    // One transaction, as an import writes them: the feed shows a transaction whole, once
    // every transaction older than it has ended.
    let txn = db.begin().await.unwrap();
    row.name = Set("Staf Berganti Nama".into());
    row.update(&txn).await.unwrap();
    rank_history::ActiveModel {
        employee_id: Set(staff_id),
        rank_code: Set("III/c".into()),
        tmt: Set("2026-04-01".parse().unwrap()),
        decree_number: Set("823.3/77/204/2026".into()),
        decree_date: Set("2026-03-20".parse().unwrap()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .unwrap();
    txn.commit().await.unwrap();
    // A change is sent once every transaction older than it has ended (a worker's may be
    // open this instant): a client simply asks again.
    let mut changed = Value::Null;
    for _ in 0..50 {
        changed = ok(system
            .get(&format!("/api/data/v1/changes?since={cursor}"), &token)
            .await)
        .await;
        if changed["items"].as_array().unwrap().len() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let items = changed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{changed}");
    assert_eq!(items[0]["name"], "Staf Berganti Nama");
    assert!(
        items[0]["rank_history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["decree_number"] == "823.3/77/204/2026")
    );
    let next = changed["cursor"].as_str().unwrap();
    assert_ne!(next, cursor);
    let quiet = ok(system
        .get(&format!("/api/data/v1/changes?since={next}"), &token)
        .await)
    .await;
    assert_eq!(quiet["items"], json!([]));
    assert_eq!(quiet["cursor"], next);
    // A change outside its units is not sent to it.
    let mut other_row: employee::ActiveModel = other.into();
    other_row.name = Set("Orang Lain".into());
    other_row.update(db).await.unwrap();
    let outside = ok(system
        .get(&format!("/api/data/v1/changes?since={next}"), &token)
        .await)
    .await;
    assert_eq!(outside["items"], json!([]));
    assert_eq!(outside["removed"], json!([]), "nor is someone it never saw");
    // One of BKD's people moves to DINKES, one of DINKES's to BKD: the first is gone for the
    // client (it deletes them), the second arrives whole.
    let since = outside["cursor"].as_str().unwrap().to_owned();
    let taken: Vec<uuid::Uuid> = w.ids.values().copied().collect();
    let leaving = someone_in(&w, "BKD", &taken).await.id;
    let arriving = someone_in(&w, "DINKES", &taken).await.id;
    let bkd = abdi_tests::world::unit_id(&w.app, "BKD-U002").await;
    let dinkes = abdi_tests::world::unit_id(&w.app, "DINKES-U002").await;
    let mut moves = Vec::new();
    let txn = db.begin().await.unwrap();
    for (who, to) in [(leaving, dinkes), (arriving, bkd)] {
        let row = employee::Entity::find_by_id(who)
            .one(&txn)
            .await
            .unwrap()
            .unwrap();
        moves.push(row.nip.clone());
        let mut row: employee::ActiveModel = row.into();
        row.unit_id = Set(to);
        row.position_id = Set(None);
        row.update(&txn).await.unwrap();
    }
    txn.commit().await.unwrap();
    let mut moved = Value::Null;
    for _ in 0..50 {
        moved = ok(system
            .get(&format!("/api/data/v1/changes?since={since}"), &token)
            .await)
        .await;
        if !moved["removed"].as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(moved["removed"], json!([moves[0]]), "{moved}");
    let arrived = moved["items"].as_array().unwrap();
    assert_eq!(arrived.len(), 1, "{moved}");
    assert_eq!(arrived[0]["nip"], moves[1].as_str());
    assert_eq!(arrived[0]["unit_code"], "BKD-U002");
    problem(
        system.get("/api/data/v1/changes?since=abc", &token).await,
        400,
        "invalid_query",
    )
    .await;

    // 5. Every call is logged with what it returned; the employee sees who read their data.
    let log = ok(get(
        &w,
        Who::Admin,
        &format!("/api/v1/admin/data-access?nip={STAFF_NIP}&limit=100"),
    )
    .await)
    .await;
    let calls = log["items"].as_array().unwrap();
    assert!(calls.len() >= 3, "{log}");
    for call in calls {
        assert_eq!(call["agency"], "Kementerian Agama");
        assert_eq!(call["address"], INSIDE);
        assert_eq!(call["status"], 200);
        assert!(call["fields"].as_array().unwrap().contains(&json!("name")));
        assert!(!call["fields"].as_array().unwrap().contains(&json!("nik")));
    }
    let refusals = ok(get(
        &w,
        Who::Admin,
        &format!("/api/v1/admin/data-access?client_id={id}&limit=100"),
    )
    .await)
    .await;
    assert!(
        refusals["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["status"] == 403 && c["address"] == OUTSIDE),
        "a refused call is logged too: {refusals}"
    );
    let mine = ok(get(&w, Who::Staff, "/api/v1/me/data-access").await).await;
    let reads = mine["items"].as_array().unwrap();
    assert!(!reads.is_empty());
    assert_eq!(reads[0]["agency"], "Kementerian Agama");
    assert_eq!(reads[0]["purpose"], body.purpose);
    let theirs = ok(get(&w, Who::Other, "/api/v1/me/data-access").await).await;
    assert_eq!(theirs["items"], json!([]), "nobody read Other's data");
    let export = w
        .app
        .client
        .get(w.app.url("/api/v1/admin/data-access/export?year=2026"))
        .bearer_auth(&w.tokens[&Who::Admin])
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    let csv = export.text().await.unwrap();
    assert!(csv.starts_with("id,at,client_id,agency"));
    assert!(csv.contains(STAFF_NIP) && csv.contains("Kementerian Agama"));
    // The log is only ever appended to.
    for sql in [
        "UPDATE data_access_log SET status = 200",
        "DELETE FROM data_access_log",
        "DELETE FROM data_access_subjects",
    ] {
        assert!(
            db.execute_unprepared(sql).await.is_err(),
            "{sql} was allowed"
        );
    }

    // 3. A rotated secret: the old token and the old secret are refused on the next call.
    step_up(&w, Who::Admin).await;
    let rotated = ok(post(
        &w,
        Who::Admin,
        &format!("/api/v1/admin/data-clients/{id}/rotate"),
        &CredentialRotation {
            public_key_pem: None,
            certificate_pem: None,
            reason: "Kredensial bocor di repositori".into(),
        },
    )
    .await)
    .await;
    problem(
        system.get("/api/data/v1/employees?unit=BKD", &token).await,
        401,
        "invalid_token",
    )
    .await;
    problem(system.token_request(None).await, 401, "invalid_client").await;
    system.secret = rotated["client_secret"].as_str().map(str::to_owned);
    let token = system.token(None).await;
    ok(system
        .get("/api/data/v1/employees?unit=BKD&limit=1", &token)
        .await)
    .await;

    // A suspension, then resumption, each on the next call.
    let change = |r: &str| ClientStatusChange { reason: r.into() };
    step_up(&w, Who::Admin).await;
    ok(post(
        &w,
        Who::Admin,
        &format!("/api/v1/admin/data-clients/{id}/suspend"),
        &change("Audit tahunan"),
    )
    .await)
    .await;
    problem(
        system.get("/api/data/v1/employees?unit=BKD", &token).await,
        403,
        "client_suspended",
    )
    .await;
    ok(post(
        &w,
        Who::Admin,
        &format!("/api/v1/admin/data-clients/{id}/resume"),
        &change("Audit selesai"),
    )
    .await)
    .await;
    ok(system
        .get("/api/data/v1/employees?unit=BKD&limit=1", &token)
        .await)
    .await;

    // A revocation is for good: nothing it holds works, and it cannot be resumed.
    let (second, issued) = registered(&w, &body).await;
    let second_id = issued["client"]["id"].as_str().unwrap().to_owned();
    let second_token = second.token(None).await;
    step_up(&w, Who::Admin).await;
    ok(post(
        &w,
        Who::Admin,
        &format!("/api/v1/admin/data-clients/{second_id}/revoke"),
        &change("Penyalahgunaan data"),
    )
    .await)
    .await;
    problem(
        second
            .get("/api/data/v1/employees?unit=BKD", &second_token)
            .await,
        401,
        "invalid_token",
    )
    .await;
    problem(second.token_request(None).await, 401, "invalid_client").await;
    problem(
        post(
            &w,
            Who::Admin,
            &format!("/api/v1/admin/data-clients/{second_id}/resume"),
            &change("Salah cabut"),
        )
        .await,
        409,
        "data_client_state",
    )
    .await;

    // The agreement's last day still counts; the day after, the client is expired by itself.
    let new_year = chrono::DateTime::parse_from_rfc3339("2026-12-31T17:01:00Z").unwrap();
    clock.advance(
        (new_year.with_timezone(&chrono::Utc) - clock_now(&w))
            .to_std()
            .unwrap(),
    );
    problem(
        system.get("/api/data/v1/employees?unit=BKD", &token).await,
        403,
        "agreement_expired",
    )
    .await;
    problem(system.token_request(None).await, 403, "agreement_expired").await;
    // The world's sessions have lapsed by now: the administrator logs in again.
    let admin = abdi_tests::world::session_for(&w.app, w.ids[&Who::Admin]).await;
    let viewed: Value = w
        .app
        .client
        .get(w.app.url(&format!("/api/v1/admin/data-clients/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(viewed["status"], "expired");
}

/// An active employee of `root` or a unit below it, none of `not`.
async fn someone_in(w: &World, root: &str, not: &[uuid::Uuid]) -> employee::Model {
    let db = &w.app.state.db;
    let root = abdi_tests::world::unit_id(&w.app, root).await;
    let units = abdi_server::access::Access::units_below(db, root)
        .await
        .unwrap();
    employee::Entity::find()
        .filter(employee::Column::UnitId.is_in(units))
        .filter(employee::Column::Id.is_not_in(not.to_vec()))
        .filter(employee::Column::Active.eq(true))
        .one(db)
        .await
        .unwrap()
        .expect("someone else there")
}

fn clock_now(w: &World) -> chrono::DateTime<chrono::Utc> {
    w.app.state.clock.now()
}

async fn sensitive_data_needs_its_own_scope_and_a_signed_assertion_is_used_once(backend: Backend) {
    use p256::ecdsa::{Signature, SigningKey, signature::Signer};
    use p256::pkcs8::{EncodePublicKey, LineEnding};
    let w = world_with(backend, None, |c| {
        c.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let key = SigningKey::from_slice(&[42u8; 32]).unwrap();
    let mut body = new_client(&["203.0.113.10"], &["BKD-U001"]);
    body.scopes = vec![
        DataScope::Employees,
        DataScope::Nik,
        DataScope::Family,
        DataScope::Birth,
    ];
    body.auth = ClientAuth::PrivateKeyJwt {
        public_key_pem: key
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap(),
    };
    let (system, issued) = registered(&w, &body).await;
    assert!(issued["client_secret"].is_null(), "no secret for a key");
    let audience = format!("{}/api/data/v1/token", w.app.config.identity.public_url);
    let assertion = |jti: &str, aud: &str| {
        use base64::Engine;
        let b64 = |v: Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string().as_bytes())
        };
        let now = chrono::Utc::now().timestamp();
        let signed = format!(
            "{}.{}",
            b64(json!({"alg": "ES256", "typ": "JWT"})),
            b64(
                json!({"iss": system.client_id, "sub": system.client_id, "aud": aud,
                "exp": now + 120, "iat": now, "jti": jti})
            )
        );
        let sig: Signature = key.sign(signed.as_bytes());
        format!(
            "{signed}.{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sig.to_bytes())
        )
    };
    let ask = |jwt: String, scope: Option<&'static str>| {
        let mut form = vec![
            ("grant_type", "client_credentials".to_owned()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
            ),
            ("client_assertion", jwt),
        ];
        if let Some(s) = scope {
            form.push(("scope", s.to_owned()));
        }
        w.app
            .client
            .post(w.app.url("/api/data/v1/token"))
            .header("x-forwarded-for", INSIDE)
            .form(&form)
            .send()
    };

    // Without a scope, the token has none of the sensitive ones, though they are granted.
    let first = assertion("jti-1", &audience);
    let plain: Value = ok(ask(first.clone(), None).await.unwrap()).await;
    assert_eq!(plain["scope"], "employees employees.birth");
    // The same assertion again, or one for another audience, is refused.
    problem(ask(first, None).await.unwrap(), 401, "invalid_client").await;
    problem(
        ask(assertion("jti-2", "https://elsewhere.example/token"), None)
            .await
            .unwrap(),
        401,
        "invalid_client",
    )
    .await;
    let plain_token = plain["access_token"].as_str().unwrap();
    let staff = ok(system
        .get(&format!("/api/data/v1/employees/{STAFF_NIP}"), plain_token)
        .await)
    .await;
    assert!(staff["birth_date"].is_string());
    assert!(staff.get("nik").is_none() && staff.get("family").is_none());
    assert!(staff.get("rank_history").is_none(), "not granted at all");

    // Asked for by name, they come.
    let sensitive: Value = ok(ask(
        assertion("jti-3", &audience),
        Some("employees employees.nik family"),
    )
    .await
    .unwrap())
    .await;
    let token = sensitive["access_token"].as_str().unwrap();
    let staff = ok(system
        .get(&format!("/api/data/v1/employees/{STAFF_NIP}"), token)
        .await)
    .await;
    let nik = employee::Entity::find_by_id(w.ids[&Who::Staff])
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap()
        .nik;
    assert_eq!(staff["nik"], nik);
    assert!(staff["family"].is_array());
    assert!(staff.get("birth_date").is_none(), "not asked for");
    let log = ok(get(
        &w,
        Who::Admin,
        &format!("/api/v1/admin/data-access?nip={STAFF_NIP}"),
    )
    .await)
    .await;
    assert!(
        log["items"][0]["fields"]
            .as_array()
            .unwrap()
            .contains(&json!("nik"))
    );
    // An exact address is an allowlist of one.
    let mut elsewhere = System {
        address: "203.0.113.11".into(),
        ..system
    };
    problem(
        elsewhere
            .get(&format!("/api/data/v1/employees/{STAFF_NIP}"), token)
            .await,
        403,
        "source_not_allowed",
    )
    .await;
    elsewhere.address = INSIDE.into();
    ok(elsewhere
        .get(&format!("/api/data/v1/employees/{STAFF_NIP}"), token)
        .await)
    .await;
}

/// 6. Every table: no count from 1 to 9 is shown, and the intruder's integer programs over
/// all the tables at once (they share the headcounts and the PPPK) leave every suppressed count
/// at least two values, so none is recovered from what is published.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_statistics_hide_small_counts_so_that_none_can_be_solved_for() {
    let w = world(Backend::Postgres).await;
    let index = ok(w.app.get("/api/data/v1/statistics").await).await;
    assert_eq!(index["threshold"], 10);
    let entries = index["tables"].as_array().unwrap();
    assert_eq!(entries.len(), 6);
    let active = employee::Entity::find()
        .filter(employee::Column::Active.eq(true))
        .count(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(index["grand_total"], active);
    let mut tables = Vec::new();
    for entry in entries {
        let href = entry["href"].as_str().unwrap();
        let table = ok(w.app.get(href).await).await;
        let counts: Vec<Value> = table["rows"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| {
                r["cells"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .chain([&r["total"]])
                    .cloned()
                    .collect::<Vec<_>>()
            })
            .chain(table["totals"].as_array().unwrap().iter().cloned())
            .collect();
        for v in counts.iter().filter_map(Value::as_u64) {
            assert!(v == 0 || v >= 10, "{href} shows {v}");
        }
        let hidden = counts.iter().filter(|v| v.is_null()).count();
        assert_eq!(hidden as u64, table["suppressed"].as_u64().unwrap());
        // The CSV says the same, `*` for each suppressed count.
        let csv = w
            .app
            .get(&format!("{href}?format=csv"))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(csv.matches('*').count(), hidden, "{href}");
        assert!(csv.starts_with("kode_perangkat_daerah,perangkat_daerah,"));
        tables.push(table);
    }
    // A headcount hidden in one table is hidden in all of them.
    let headcounts = |t: &Value| -> Vec<bool> {
        t["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["total"].is_null())
            .collect()
    };
    for t in &tables[1..] {
        assert_eq!(headcounts(t), headcounts(&tables[0]), "{}", t["dimension"]);
    }
    let bounds = audit(&tables);
    assert!(!bounds.is_empty(), "a 400-person province has small counts");
    for b in &bounds {
        assert!(b.min < b.max, "{b:?} can be solved for");
    }
    // A small true count exists and is among the suppressed: Staff's perangkat daerah has
    // fewer than ten people of some rank.
    let bkd = tables[0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit_code"] == "BKD")
        .unwrap();
    assert!(bkd["cells"].as_array().unwrap().iter().any(Value::is_null));
    problem(
        w.app.get("/api/data/v1/statistics/religion").await,
        400,
        "invalid_path",
    )
    .await;
}

/// The form of an agency's letter asking for `persons`' data `scopes`, recorded by `letter`
/// (an uploaded PDF).
fn data_request(persons: &str, scopes: &str, networks: &str, letter: Value) -> Value {
    json!({
        "agency": "Badan Pusat Statistik Provinsi Jawa Timur",
        "unit": "Bagian Umum",
        "letter_number": "B-123/35000/KP.100/2026",
        "letter_date": "2026-06-24",
        "letter": letter,
        "purpose": "Verifikasi data pegawai untuk sensus ekonomi",
        "persons": persons,
        "scopes": scopes,
        "until": "2026-09-30",
        "networks": networks,
        "contact_name": "Rina Pratiwi",
        "contact_email": "rina@bps.go.id",
        "recommendation": "kabulkan",
        "recommendation_note": "Keperluannya sesuai tugas BPS; data sebatas yang diminta",
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_letter_granted_becomes_a_client_for_the_persons_and_data_it_named() {
    use abdi_proto::services::Outcome;
    use abdi_tests::api::{created, decide, decision, pdf_id, submit, verify, version};
    let clock = abdi_server::clock::ManualClock::at(july_first());
    let w = world_with(Backend::Postgres, Some(clock.clone()), |c| {
        c.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        c.sharing.token_ttl_secs = 200 * 86_400;
    })
    .await;
    let taken: Vec<uuid::Uuid> = w.ids.values().copied().collect();
    let named = someone_in(&w, "DINKES", &taken).await.nip;
    let persons = format!("{STAFF_NIP}\n{named}");
    let codes = |p: &Value| -> Vec<String> {
        p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["code"].as_str().unwrap().to_owned())
            .collect()
    };

    // Only an administrator records a letter, and what it asks for is checked by name.
    let letter = pdf_id(&w, Who::Staff).await;
    let r = submit(
        &w,
        Who::Staff,
        "permintaan_data_pribadi",
        data_request(&persons, "employees", INSIDE, letter),
    )
    .await;
    let p = problem(r, 422, "rule_violation").await;
    assert_eq!(codes(&p), ["filer_not_administrator"], "{p}");
    let letter = pdf_id(&w, Who::Admin).await;
    let r = submit(
        &w,
        Who::Admin,
        "permintaan_data_pribadi",
        data_request(
            &format!("{persons} 199912312020121999"),
            "employees agama",
            "0.0.0.0/0",
            letter,
        ),
    )
    .await;
    let p = problem(r, 422, "rule_violation").await;
    let mut seen = codes(&p);
    seen.sort();
    assert_eq!(
        seen,
        [
            "invalid_network",
            "networks_count",
            "persons_not_found",
            "scope_unknown"
        ],
        "{p}"
    );
    assert!(p.to_string().contains("199912312020121999"), "{p}");

    // Recorded with the administrator's recommendation; the head of the BKD decides.
    let letter = pdf_id(&w, Who::Admin).await;
    let v = created(
        &w,
        Who::Admin,
        "permintaan_data_pribadi",
        data_request(
            &persons,
            "employees employees.nik rank_history",
            INSIDE,
            letter,
        ),
    )
    .await;
    let id = v["id"].as_str().unwrap().to_owned();
    let v = verify(&w, &id, version(&v)).await;
    problem(
        decide(
            &w,
            Who::Admin,
            &id,
            &decision(version(&v), Outcome::Disetujui),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    step_up(&w, Who::Head).await;
    let v = ok(decide(
        &w,
        Who::Head,
        &id,
        &decision(version(&v), Outcome::Disetujui),
    )
    .await)
    .await;
    assert_eq!(v["status"], "decided", "{v}");

    // The decree is signed, and names the agency, the data and the persons, not the recorder.
    let docs = ok(get(&w, Who::Admin, &format!("/api/v1/requests/{id}/documents")).await).await;
    let doc = &docs[0];
    assert_eq!(doc["status"], "signed", "{doc}");
    let decree = doc["number"].as_str().unwrap().to_owned();
    let pdf = get(
        &w,
        Who::Admin,
        &format!("/api/v1/documents/{}/pdf", doc["id"].as_str().unwrap()),
    )
    .await
    .bytes()
    .await
    .unwrap()
    .to_vec();
    let text = crate::documents::pdf_text(&pdf);
    for needle in [
        "PEMBERIAN AKSES DATA PRIBADI PEGAWAI KEPADA BADAN PUSAT STATISTIK",
        "B-123/35000/KP.100/2026",
        "riwayat pangkat",
        "NIK (data pribadi yang bersifat spesifik)",
        STAFF_NIP,
        named.as_str(),
        "203.0.113.10/32",
        "30 September 2026",
    ] {
        assert!(text.contains(needle), "'{needle}' missing from: {text}");
    }
    assert!(
        !text.contains("Pangkat/Gol. Ruang"),
        "no employee block: {text}"
    );
    if let Ok(dir) = std::env::var("ABDI_KEEP_LETTERS") {
        std::fs::write(format!("{dir}/permintaan_data_pribadi.pdf"), &pdf).unwrap();
    }

    // It is a client now, for exactly those persons and scopes, until the last day granted,
    // with no credential until an administrator issues one.
    let listed = ok(get(&w, Who::Admin, "/api/v1/admin/data-clients").await).await;
    let client = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["request_id"] == id.as_str())
        .unwrap_or_else(|| panic!("no client for {id}: {listed}"))
        .clone();
    let mut expected = vec![STAFF_NIP.to_owned(), named.clone()];
    expected.sort();
    assert_eq!(client["persons"], json!(expected));
    assert_eq!(
        client["scopes"],
        json!(["employees", "employees.nik", "rank_history"])
    );
    assert_eq!(client["agreement"]["number"], decree.as_str());
    assert_eq!(client["agreement"]["expires_on"], "2026-09-30");
    assert_eq!(client["credential_pending"], true);
    let mut system = System {
        app: &w.app,
        client_id: client["client_id"].as_str().unwrap().to_owned(),
        secret: Some("belum-ada".into()),
        address: INSIDE.into(),
    };
    problem(system.token_request(None).await, 401, "invalid_client").await;
    step_up(&w, Who::Admin).await;
    let issued = ok(post(
        &w,
        Who::Admin,
        &format!(
            "/api/v1/admin/data-clients/{}/rotate",
            client["id"].as_str().unwrap()
        ),
        &CredentialRotation {
            public_key_pem: None,
            certificate_pem: None,
            reason: "Penerbitan kredensial sesuai keputusan".into(),
        },
    )
    .await)
    .await;
    assert_eq!(issued["client"]["credential_pending"], false);
    system.secret = issued["client_secret"].as_str().map(str::to_owned);
    let token = system.token(Some("employees employees.nik")).await;

    // The persons named, wherever they work, and nobody else.
    let staff = ok(system
        .get(&format!("/api/data/v1/employees/{STAFF_NIP}"), &token)
        .await)
    .await;
    assert!(staff["nik"].is_string(), "{staff}");
    ok(system
        .get(&format!("/api/data/v1/employees/{named}"), &token)
        .await)
    .await;
    let other = employee::Entity::find_by_id(w.ids[&Who::Other])
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    problem(
        system
            .get(&format!("/api/data/v1/employees/{}", other.nip), &token)
            .await,
        404,
        "employee_not_found",
    )
    .await;
    let page = ok(system.get("/api/data/v1/employees?unit=BKD", &token).await).await;
    let nips: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["nip"].as_str().unwrap())
        .collect();
    assert_eq!(nips, [STAFF_NIP], "{page}");
    // And Staff sees the agency among those who read their data.
    let mine = ok(get(&w, Who::Staff, "/api/v1/me/data-access").await).await;
    assert_eq!(
        mine["items"][0]["agency"],
        "Badan Pusat Statistik Provinsi Jawa Timur"
    );

    // A refused letter makes no client.
    let letter = pdf_id(&w, Who::Admin).await;
    let v = created(
        &w,
        Who::Admin,
        "permintaan_data_pribadi",
        data_request(STAFF_NIP, "employees family", INSIDE, letter),
    )
    .await;
    let v = verify(&w, v["id"].as_str().unwrap(), version(&v)).await;
    step_up(&w, Who::Head).await;
    let mut refusal = decision(version(&v), Outcome::TidakDisetujui);
    refusal.note = Some("Data keluarga tidak diperlukan untuk keperluan itu".into());
    let v = ok(decide(&w, Who::Head, v["id"].as_str().unwrap(), &refusal).await).await;
    assert_eq!(v["outcome"], "tidak_disetujui", "{v}");
    let after = ok(get(&w, Who::Admin, "/api/v1/admin/data-clients").await).await;
    assert_eq!(
        after.as_array().unwrap().len(),
        listed.as_array().unwrap().len()
    );

    // The day after the last day granted, it is refused by itself.
    let end = chrono::DateTime::parse_from_rfc3339("2026-09-30T17:01:00Z").unwrap();
    clock.advance(
        (end.with_timezone(&chrono::Utc) - clock_now(&w))
            .to_std()
            .unwrap(),
    );
    problem(
        system
            .get(&format!("/api/data/v1/employees/{STAFF_NIP}"), &token)
            .await,
        403,
        "agreement_expired",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_system_with_a_certificate_gets_tokens_that_work_with_that_certificate_only() {
    use abdi_tests::tls_terminator::{CERT_HEADER, TlsTerminator};
    let w = world_with(Backend::Postgres, None, |c| {
        // nginx, on this machine, is the deployment's TLS terminator.
        c.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        c.sharing.client_certificate_header = CERT_HEADER.into();
    })
    .await;
    let tls = TlsTerminator::start(w.app.addr.port());
    let simpeg = tls.client_certificate("simpeg-kemenag");
    let stranger = tls.client_certificate("bukan-simpeg");
    let mut body = new_client(&["127.0.0.1"], &["BKD"]);
    body.auth = ClientAuth::TlsClientAuth {
        certificate_pem: "-----BEGIN CERTIFICATE-----\nrusak\n-----END CERTIFICATE-----".into(),
    };
    step_up(&w, Who::Admin).await;
    problem(
        post(&w, Who::Admin, "/api/v1/admin/data-clients", &body).await,
        422,
        "data_client_invalid",
    )
    .await;
    body.auth = ClientAuth::TlsClientAuth {
        certificate_pem: simpeg.certificate_pem.clone(),
    };
    let (system, issued) = registered(&w, &body).await;
    assert!(
        issued["client_secret"].is_null(),
        "no secret for a certificate"
    );
    assert_eq!(issued["client"]["auth_method"], "tls_client_auth");
    let client_id = system.client_id.clone();

    let token_request = |http: reqwest::Client, forged: Option<String>| {
        let url = tls.url("/api/data/v1/token");
        let client_id = client_id.clone();
        async move {
            let mut r = http.post(url).form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id.as_str()),
            ]);
            if let Some(f) = forged {
                r = r.header(CERT_HEADER, f);
            }
            r.send().await.unwrap()
        }
    };
    let with_simpeg = tls.client(Some(&simpeg));
    let with_stranger = tls.client(Some(&stranger));
    let without = tls.client(None);
    // Another certificate, none, or a forged header (the terminator overwrites it): no token.
    problem(
        token_request(with_stranger.clone(), None).await,
        401,
        "invalid_client",
    )
    .await;
    problem(
        token_request(without.clone(), None).await,
        401,
        "invalid_client",
    )
    .await;
    let forged: String =
        url::form_urlencoded::byte_serialize(simpeg.certificate_pem.as_bytes()).collect();
    problem(
        token_request(without.clone(), Some(forged)).await,
        401,
        "invalid_client",
    )
    .await;
    let answer = ok(token_request(with_simpeg.clone(), None).await).await;
    let token = answer["access_token"].as_str().unwrap().to_owned();

    // The token works with its certificate only (RFC 8705): a stolen token is no use.
    let read = |http: &reqwest::Client| {
        http.get(tls.url("/api/data/v1/employees?unit=BKD&limit=3"))
            .bearer_auth(&token)
            .send()
    };
    let page = ok(read(&with_simpeg).await.unwrap()).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 3, "{page}");
    problem(read(&with_stranger).await.unwrap(), 401, "invalid_token").await;
    problem(read(&without).await.unwrap(), 401, "invalid_token").await;

    // A new certificate: the old one, and its token, stop at once.
    let renewed = tls.client_certificate("simpeg-kemenag-2027");
    step_up(&w, Who::Admin).await;
    let rotated = ok(post(
        &w,
        Who::Admin,
        &format!(
            "/api/v1/admin/data-clients/{}/rotate",
            issued["client"]["id"].as_str().unwrap()
        ),
        &CredentialRotation {
            public_key_pem: None,
            certificate_pem: Some(renewed.certificate_pem.clone()),
            reason: "Sertifikat diperbarui".into(),
        },
    )
    .await)
    .await;
    assert!(rotated["client_secret"].is_null());
    problem(read(&with_simpeg).await.unwrap(), 401, "invalid_token").await;
    problem(
        token_request(with_simpeg, None).await,
        401,
        "invalid_client",
    )
    .await;
    ok(token_request(tls.client(Some(&renewed)), None).await).await;
}
