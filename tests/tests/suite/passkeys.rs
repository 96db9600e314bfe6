//! Passkeys with SoftPasskey: registration, discoverable login, step-up (fresh and too old),
//! wrong origin, the last way in, and a ceremony finished on another instance.
//!
//! SoftPasskey is a U2F-style software token: it refuses to create resident keys, signs only for
//! credential ids it is given and returns no user handle. A platform passkey (Android, iOS)
//! keeps a resident credential, finds it by itself and returns the user handle. The helpers
//! play that part: registration asks the token for a plain key, and login tells the token its
//! credential id and adds the user handle. None of that is covered by the signatures the server
//! verifies, which are the token's own.

use abdi_proto::identity::{
    PasskeyChallenge, PasskeyInfo, PasskeyList, Profile, SessionGranted, StepUp,
};
use abdi_tests::smtp::SmtpServer;
use abdi_tests::{Backend, TestApp, both_backends};
use serde_json::{Value, json};
use webauthn_authenticator_rs::prelude::{Url, WebauthnAuthenticator};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs_proto::{CreationChallengeResponse, RequestChallengeResponse};

use crate::identity::{activate, app_with_mail};
use crate::problem;

const ORIGIN: &str = "http://localhost:8080";

/// A phone with one software passkey registered for the employee.
struct Phone {
    key: SoftPasskey,
    credential_id: String,
    user_handle: String,
    passkey_id: String,
}

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = app.client.request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

async fn register(
    app: &TestApp,
    token: &str,
    name: &str,
    origin: &str,
) -> Result<Phone, reqwest::Response> {
    let post = reqwest::Method::POST;
    let started = call(
        app,
        post.clone(),
        "/api/v1/me/passkeys/registration",
        Some(token),
        None,
    )
    .await;
    if started.status() != 200 {
        return Err(started);
    }
    let challenge: PasskeyChallenge = started.json().await.unwrap();
    assert_eq!(
        challenge.options["publicKey"]["authenticatorSelection"]["residentKey"],
        "required"
    );
    let user_handle = challenge.options["publicKey"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // SoftPasskey cannot keep resident keys; as a platform passkey would, it keeps this one
    // anyway (the login helper below hands its id back to it).
    let mut options = challenge.options;
    options["publicKey"]["authenticatorSelection"]["residentKey"] = json!("discouraged");
    options["publicKey"]["authenticatorSelection"]["requireResidentKey"] = json!(false);
    let ccr: CreationChallengeResponse = serde_json::from_value(options).unwrap();
    let mut key = SoftPasskey::new(true);
    let credential = key
        .do_registration(Url::parse(origin).unwrap(), ccr)
        .unwrap();
    let credential_id = credential.id.clone();
    let r = call(
        app,
        post,
        "/api/v1/me/passkeys",
        Some(token),
        Some(json!({ "challenge_id": challenge.challenge_id, "name": name, "credential": credential })),
    )
    .await;
    if r.status() != 201 {
        return Err(r);
    }
    let info: PasskeyInfo = r.json().await.unwrap();
    Ok(Phone {
        key,
        credential_id,
        user_handle,
        passkey_id: info.id,
    })
}

/// Signs `options` as the phone's platform authenticator would.
fn sign(phone: &mut Phone, options: Value, origin: &str, discoverable: bool) -> Value {
    let mut options = options;
    if discoverable {
        assert_eq!(
            options["publicKey"]["allowCredentials"],
            json!([]),
            "a discoverable login names nobody"
        );
        options["publicKey"]["allowCredentials"] =
            json!([{ "type": "public-key", "id": phone.credential_id }]);
    }
    let rcr: RequestChallengeResponse = serde_json::from_value(options).unwrap();
    let assertion = phone
        .key
        .do_authentication(Url::parse(origin).unwrap(), rcr)
        .unwrap();
    let mut assertion = serde_json::to_value(assertion).unwrap();
    if discoverable {
        assertion["response"]["userHandle"] = json!(phone.user_handle);
    }
    assertion
}

async fn login(app: &TestApp, phone: &mut Phone, origin: &str) -> reqwest::Response {
    let post = reqwest::Method::POST;
    let challenge: PasskeyChallenge = call(
        app,
        post.clone(),
        "/api/v1/auth/passkey/challenge",
        None,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let credential = sign(phone, challenge.options, origin, true);
    call(
        app,
        post,
        "/api/v1/auth/passkey",
        None,
        Some(json!({
            "challenge_id": challenge.challenge_id,
            "credential": credential,
            "device": { "device_name": "Galaxy A14", "platform": "android" }
        })),
    )
    .await
}

async fn step_up(app: &TestApp, phone: &mut Phone, token: &str) -> reqwest::Response {
    let post = reqwest::Method::POST;
    let challenge: PasskeyChallenge = call(
        app,
        post.clone(),
        "/api/v1/me/step-up/challenge",
        Some(token),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let credential = sign(phone, challenge.options, ORIGIN, false);
    call(
        app,
        post,
        "/api/v1/me/step-up",
        Some(token),
        Some(json!({ "challenge_id": challenge.challenge_id, "credential": credential })),
    )
    .await
}

async fn register_then_log_in_with_a_discoverable_passkey(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = app_with_mail(backend, &smtp, |_| {}).await;
    let activated = activate(&app, &smtp, 0, "Galaxy A14").await;
    let mut phone = register(&app, &activated.token, "HP Samsung", ORIGIN)
        .await
        .ok()
        .unwrap();

    let list: PasskeyList = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/me/passkeys",
        Some(&activated.token),
        None,
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
    assert_ne!(granted.token, activated.token, "a new token at every login");
    let me: Profile = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/me",
        Some(&granted.token),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(me.nip, crate::identity::NIP);

    let list: PasskeyList = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/me/passkeys",
        Some(&granted.token),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(list.passkeys[0].last_used_at.is_some());

    // A challenge is used once.
    let post = reqwest::Method::POST;
    let challenge: PasskeyChallenge = call(
        &app,
        post.clone(),
        "/api/v1/auth/passkey/challenge",
        None,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let credential = sign(&mut phone, challenge.options, ORIGIN, true);
    let body = json!({ "challenge_id": challenge.challenge_id, "credential": credential });
    assert_eq!(
        call(
            &app,
            post.clone(),
            "/api/v1/auth/passkey",
            None,
            Some(body.clone())
        )
        .await
        .status(),
        201
    );
    problem(
        call(&app, post, "/api/v1/auth/passkey", None, Some(body)).await,
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
    let r = register(&app, &activated.token, "evil", "http://localhost:9999")
        .await
        .err()
        .unwrap();
    problem(r, 401, "passkey_rejected").await;
    // ...and so does a login signed for another origin.
    let mut phone = register(&app, &activated.token, "HP", ORIGIN)
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
    let mut phone = register(&app, &s.token, "HP", ORIGIN).await.ok().unwrap();
    // With a passkey enrolled, adding another is itself sensitive: a stolen token cannot plant
    // a key of its own.
    let refused = register(&app, &s.token, "Tablet", ORIGIN)
        .await
        .err()
        .unwrap();
    problem(refused, 403, "step_up_required").await;
    let delete = |id: String| {
        let app = &app;
        let token = s.token.clone();
        async move {
            call(
                app,
                reqwest::Method::DELETE,
                &format!("/api/v1/me/passkeys/{id}"),
                Some(&token),
                None,
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

    let r = step_up(&app, &mut phone, &s.token).await;
    assert_eq!(r.status(), 200);
    let up: StepUp = r.json().await.unwrap();
    assert_eq!((up.valid_until - up.verified_at).num_seconds(), 2);
    let tablet = register(&app, &s.token, "Tablet", ORIGIN)
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
    let third = register(&app, &s.token, "Laptop", ORIGIN)
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
    let mut phone = register(&first, &s.token, "HP", ORIGIN).await.ok().unwrap();
    let post = reqwest::Method::POST;
    let challenge: PasskeyChallenge = call(
        &first,
        post.clone(),
        "/api/v1/auth/passkey/challenge",
        None,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let credential = sign(&mut phone, challenge.options, ORIGIN, true);
    let r = call(
        &second,
        post,
        "/api/v1/auth/passkey",
        None,
        Some(json!({ "challenge_id": challenge.challenge_id, "credential": credential })),
    )
    .await;
    assert_eq!(r.status(), 201);
    let granted: SessionGranted = r.json().await.unwrap();
    // And the session opened on the second instance is valid on the first.
    assert_eq!(
        call(
            &first,
            reqwest::Method::GET,
            "/api/v1/me",
            Some(&granted.token),
            None
        )
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
    let mut phone = register(&app, &s.token, "HP", ORIGIN).await.ok().unwrap();
    let post = reqwest::Method::POST;
    for _ in 0..2 {
        let challenge: PasskeyChallenge = call(
            &app,
            post.clone(),
            "/api/v1/auth/passkey/challenge",
            None,
            None,
        )
        .await
        .json()
        .await
        .unwrap();
        let mut credential = sign(&mut phone, challenge.options, ORIGIN, true);
        // A forged signature: same credential, wrong bytes.
        let forged = credential["response"]["signature"]
            .as_str()
            .unwrap()
            .replace(|c: char| c.is_ascii_alphabetic(), "A");
        credential["response"]["signature"] = json!(forged);
        let body = json!({ "challenge_id": challenge.challenge_id, "credential": credential });
        problem(
            call(&app, post.clone(), "/api/v1/auth/passkey", None, Some(body)).await,
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
