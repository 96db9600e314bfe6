//! Passkeys with SoftPasskey: registration, discoverable login, step-up (fresh and too old),
//! wrong origin, the last way in, and a ceremony finished on another instance. How the software
//! token plays a platform passkey is told in `abdi_tests::passkey`.

use abdi_proto::identity::{PasskeyList, Profile, SessionGranted, StepUp};
use abdi_tests::api::{call, call_with, problem};
use abdi_tests::passkey::{ORIGIN, login, login_assertion, register, step_up};
use abdi_tests::smtp::SmtpServer;
use abdi_tests::{Backend, both_backends};
use reqwest::Method;

use crate::identity::{activate, app_with_mail};

async fn register_then_log_in_with_a_discoverable_passkey(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = app_with_mail(backend, &smtp, |_| {}).await;
    let activated = activate(&app, &smtp, 0, "Galaxy A14").await;
    let mut phone = register(&app, activated.bearer(), "HP Samsung", ORIGIN)
        .await
        .ok()
        .unwrap();

    let list: PasskeyList = call(
        &app,
        Method::GET,
        "/api/v1/me/passkeys",
        Some(activated.bearer()),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(list.passkeys.len(), 1);
    assert_eq!(list.passkeys[0].name, "HP Samsung");
    assert_eq!(list.passkeys[0].last_used_at, None);

    let r = login(&app, &mut phone, ORIGIN).await;
    assert_eq!(r.status(), 201);
    let granted: SessionGranted = r.json().await.unwrap();
    assert_eq!(granted.session.method, "passkey");
    assert_ne!(
        granted.bearer(),
        activated.bearer(),
        "a new token at every login"
    );
    let me: Profile = call(&app, Method::GET, "/api/v1/me", Some(granted.bearer()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me.nip, crate::identity::NIP);

    let list: PasskeyList = call(
        &app,
        Method::GET,
        "/api/v1/me/passkeys",
        Some(granted.bearer()),
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(list.passkeys[0].last_used_at.is_some());

    // A challenge is used once.
    let post = Method::POST;
    let body = login_assertion(&app, &mut phone, ORIGIN).await;
    assert_eq!(
        call_with(&app, post.clone(), "/api/v1/auth/passkey", None, &body)
            .await
            .status(),
        201
    );
    problem(
        call_with(&app, post, "/api/v1/auth/passkey", None, &body).await,
        400,
        "ceremony_invalid",
    )
    .await;
}

async fn a_wrong_origin_is_rejected(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = app_with_mail(backend, &smtp, |_| {}).await;
    let activated = activate(&app, &smtp, 0, "Galaxy A14").await;
    // Same relying-party id, another origin (a look-alike site): registration fails...
    let r = register(&app, activated.bearer(), "evil", "http://localhost:9999")
        .await
        .err()
        .unwrap();
    problem(r, 401, "passkey_rejected").await;
    // ...and so does a login signed for another origin.
    let mut phone = register(&app, activated.bearer(), "HP", ORIGIN)
        .await
        .ok()
        .unwrap();
    problem(
        login(&app, &mut phone, "http://localhost:9999").await,
        401,
        "passkey_rejected",
    )
    .await;
    assert_eq!(login(&app, &mut phone, ORIGIN).await.status(), 201);
}

async fn sensitive_actions_need_a_recent_step_up(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = app_with_mail(backend, &smtp, |c| c.identity.step_up_max_age_secs = 2).await;
    let s = activate(&app, &smtp, 0, "Galaxy A14").await;
    let mut phone = register(&app, s.bearer(), "HP", ORIGIN).await.ok().unwrap();
    // With a passkey enrolled, adding another is itself sensitive: a stolen token cannot plant
    // a key of its own.
    let refused = register(&app, s.bearer(), "Tablet", ORIGIN)
        .await
        .err()
        .unwrap();
    problem(refused, 403, "step_up_required").await;
    let delete = |id: String| {
        let app = &app;
        let token = s.bearer().to_owned();
        async move {
            call(
                app,
                Method::DELETE,
                &format!("/api/v1/me/passkeys/{id}"),
                Some(&token),
            )
            .await
        }
    };

    // An activation session never confirmed with a passkey may not remove one.
    problem(
        delete(phone.passkey_id.clone()).await,
        403,
        "step_up_required",
    )
    .await;

    let r = step_up(&app, &mut phone, s.bearer()).await;
    assert_eq!(r.status(), 200);
    let up: StepUp = r.json().await.unwrap();
    assert_eq!((up.valid_until - up.verified_at).num_seconds(), 2);
    let tablet = register(&app, s.bearer(), "Tablet", ORIGIN)
        .await
        .ok()
        .unwrap();
    assert_eq!(delete(tablet.passkey_id.clone()).await.status(), 204);
    problem(
        delete(tablet.passkey_id.clone()).await,
        404,
        "passkey_not_found",
    )
    .await;
    // The last way in stays, even freshly confirmed.
    problem(
        delete(phone.passkey_id.clone()).await,
        409,
        "last_credential",
    )
    .await;

    // Too old: the confirmation has expired.
    let third = register(&app, s.bearer(), "Laptop", ORIGIN)
        .await
        .ok()
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2_300)).await;
    problem(
        delete(third.passkey_id.clone()).await,
        403,
        "step_up_required",
    )
    .await;
}

async fn a_ceremony_started_on_one_instance_finishes_on_another(backend: Backend) {
    let smtp = SmtpServer::start();
    let first = app_with_mail(backend, &smtp, |_| {}).await;
    let second = first.second_instance().await;
    let s = activate(&first, &smtp, 0, "Galaxy A14").await;
    let mut phone = register(&first, s.bearer(), "HP", ORIGIN)
        .await
        .ok()
        .unwrap();
    let body = login_assertion(&first, &mut phone, ORIGIN).await;
    let r = call_with(&second, Method::POST, "/api/v1/auth/passkey", None, &body).await;
    assert_eq!(r.status(), 201);
    let granted: SessionGranted = r.json().await.unwrap();
    // And the session opened on the second instance is valid on the first.
    assert_eq!(
        call(&first, Method::GET, "/api/v1/me", Some(granted.bearer()))
            .await
            .status(),
        200
    );
}

/// Failed verifications count against the account; junk that names the account does not.
async fn failed_passkey_logins_are_limited_per_account(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = app_with_mail(backend, &smtp, |c| c.identity.login_per_account = 2).await;
    let s = activate(&app, &smtp, 0, "Galaxy A14").await;
    let mut phone = register(&app, s.bearer(), "HP", ORIGIN).await.ok().unwrap();
    let post = Method::POST;
    for _ in 0..2 {
        let mut body = login_assertion(&app, &mut phone, ORIGIN).await;
        // A forged signature: same credential, wrong bytes.
        let forged = body.credential["response"]["signature"]
            .as_str()
            .unwrap()
            .replace(|c: char| c.is_ascii_alphabetic(), "A");
        body.credential["response"]["signature"] = forged.into();
        problem(
            call_with(&app, post.clone(), "/api/v1/auth/passkey", None, &body).await,
            401,
            "passkey_rejected",
        )
        .await;
    }
    // Now even the genuine key waits for the window to pass.
    let r = login(&app, &mut phone, ORIGIN).await;
    assert!(r.headers().contains_key("retry-after"));
    problem(r, 429, "rate_limited").await;
}

both_backends!(
    failed_passkey_logins_are_limited_per_account,
    register_then_log_in_with_a_discoverable_passkey,
    a_wrong_origin_is_rejected,
    sensitive_actions_need_a_recent_step_up
);

/// Only meaningful where instances share a store: PostgreSQL with Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ceremony_started_on_one_instance_finishes_on_another_through_redis() {
    a_ceremony_started_on_one_instance_finishes_on_another(Backend::Postgres).await;
}
