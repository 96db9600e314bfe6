//! SSO end to end against a real OpenID provider, and what must be refused: wrong nonce, wrong
//! audience, expired token, replayed code, unknown NIP claim, provider down; and a signing key
//! rotated by the provider.

use std::sync::Arc;

use abdi_proto::identity::{
    DeviceInfo, Profile, SessionGranted, SsoLogin, SsoLogout, SsoProviders,
};
use abdi_server::clock::ManualClock;
use abdi_server::config::{Config, Secret, SsoProviderConfig};
use abdi_tests::oidc::{Authorized, OidcProvider, REDIRECT};
use abdi_tests::{Backend, TestApp, TestEnv, both_backends};
use chrono::Utc;

use crate::identity::NIP;
use abdi_tests::api::problem;

fn provider(
    op: &OidcProvider,
    name: &str,
    client_id: &str,
    secret: Option<&str>,
) -> SsoProviderConfig {
    SsoProviderConfig {
        name: name.into(),
        issuer: op.issuer(),
        client_id: client_id.into(),
        client_secret: secret.map(Secret::new),
        redirect_uri: REDIRECT.into(),
        post_logout_redirect_uri: Some("https://abdi.test/logout".into()),
        nip_claim: "nip".into(),
        scopes: vec!["openid".into(), "profile".into(), "nip".into()],
    }
}

fn configure(c: &mut Config, op: &OidcProvider) {
    c.sso = vec![
        provider(op, "bkn", "abdi-app", None),
        provider(op, "bkn-server", "abdi-server", Some("abdi-server-secret")),
    ];
}

async fn seed(app: &TestApp) {
    let account = format!(
        "[[account]]\nnip = \"{NIP}\"\nname = \"Budi Santoso\"\nemail = \"budi@jatimprov.go.id\"\n"
    );
    abdi_tests::world::seed(app, 40, 3, &account).await;
}

async fn exchange(app: &TestApp, name: &str, a: &Authorized, nonce: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/auth/sso/{name}")))
        .json(&SsoLogin {
            code: a.code.clone(),
            code_verifier: a.verifier.clone(),
            state: a.state.clone(),
            nonce: nonce.into(),
            device: DeviceInfo {
                device_name: "Galaxy A14".into(),
                platform: "android".into(),
            },
        })
        .send()
        .await
        .unwrap()
}

async fn sso_login_end_to_end(backend: Backend) {
    let op = OidcProvider::start("key-a", 3600);
    let app = TestApp::spawn_with(backend, |c| configure(c, &op)).await;
    seed(&app).await;

    let providers: SsoProviders = app.get("/api/v1/auth/sso").await.json().await.unwrap();
    assert_eq!(providers.providers[0].name, "bkn");
    assert_eq!(providers.providers[0].redirect_uri, REDIRECT);

    // Public client.
    let a = op.authorize("abdi-app", NIP, "nonce-1").await;
    let r = exchange(&app, "bkn", &a, "nonce-1").await;
    assert_eq!(r.status(), 201);
    let granted: SessionGranted = r.json().await.unwrap();
    assert_eq!(granted.session.method, "sso");
    let me: Profile = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(granted.bearer())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me.nip, NIP);

    // The same code again is refused by the provider, so by us.
    problem(
        exchange(&app, "bkn", &a, "nonce-1").await,
        401,
        "sso_rejected",
    )
    .await;

    // Confidential client.
    let a = op.authorize("abdi-server", NIP, "nonce-2").await;
    assert_eq!(
        exchange(&app, "bkn-server", &a, "nonce-2").await.status(),
        201
    );

    // RP-initiated logout: our session ends, the app gets the provider's logout URL.
    let r = app
        .client
        .post(app.url("/api/v1/auth/sso/logout"))
        .bearer_auth(granted.bearer())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let out: SsoLogout = r.json().await.unwrap();
    let url = out.end_session_url.expect("an end-session URL");
    assert!(
        url.starts_with(&format!("{}/session/end?", op.issuer())),
        "{url}"
    );
    assert!(url.contains("id_token_hint=") && url.contains("post_logout_redirect_uri="));
    let r = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(granted.bearer())
        .send()
        .await
        .unwrap();
    problem(r, 401, "unauthenticated").await;
}

async fn sso_refuses_what_it_must(backend: Backend) {
    let mut op = OidcProvider::start("key-a", 3600);
    let app = TestApp::spawn_with(backend, |c| configure(c, &op)).await;
    seed(&app).await;

    // Wrong nonce: the ID token carries another one.
    let a = op.authorize("abdi-app", NIP, "the-real-nonce").await;
    problem(
        exchange(&app, "bkn", &a, "another-nonce").await,
        401,
        "sso_rejected",
    )
    .await;

    // A code issued to another client.
    let a = op.authorize("other-app", NIP, "n").await;
    problem(exchange(&app, "bkn", &a, "n").await, 401, "sso_rejected").await;

    // Wrong audience: a genuine ID token, signed by the provider, but for another client.
    let a = op.authorize("other-app", NIP, "n2").await;
    let tokens: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/token", op.issuer()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", a.code.as_str()),
            ("redirect_uri", REDIRECT),
            ("client_id", "other-app"),
            ("code_verifier", a.verifier.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let foreign = tokens["id_token"].as_str().unwrap();
    let e = app
        .state
        .identity
        .sso
        .verify_id_token("bkn", foreign, "n2")
        .await
        .unwrap_err();
    assert!(e.to_string().to_lowercase().contains("audience"), "{e}");

    // A NIP claim no employee has, and no NIP claim at all.
    let a = op.authorize("abdi-app", "199001012015031001", "n3").await;
    problem(
        exchange(&app, "bkn", &a, "n3").await,
        403,
        "sso_unknown_identity",
    )
    .await;
    let a = op.authorize("abdi-app", "someone-without-nip", "n4").await;
    problem(
        exchange(&app, "bkn", &a, "n4").await,
        403,
        "sso_unknown_identity",
    )
    .await;

    // An unknown provider name.
    let a = op.authorize("abdi-app", NIP, "n5").await;
    problem(
        exchange(&app, "nope", &a, "n5").await,
        404,
        "sso_provider_not_found",
    )
    .await;

    // The provider is down.
    op.stop();
    problem(
        exchange(&app, "bkn", &a, "n5").await,
        503,
        "sso_unavailable",
    )
    .await;

    // Every refusal is in the audit log.
    use abdi_server::identity::audit::entity as audit;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let refused = audit::Entity::find()
        .filter(audit::Column::Event.eq("login_sso"))
        .filter(audit::Column::Outcome.ne("success"))
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(refused.len() >= 5, "{}", refused.len());
}

/// The provider's subject is remembered at the first login: another account at the provider
/// that carries the same NIP claim is refused, and the first one still gets in.
async fn a_second_subject_for_a_nip_is_refused(backend: Backend) {
    let op = OidcProvider::start("key-a", 3600);
    let app = TestApp::spawn_with(backend, |c| configure(c, &op)).await;
    seed(&app).await;
    let a = op.authorize("abdi-app", NIP, "n1").await;
    assert_eq!(exchange(&app, "bkn", &a, "n1").await.status(), 201);
    let impostor = format!("{NIP}~impostor");
    let a = op.authorize("abdi-app", &impostor, "n2").await;
    problem(exchange(&app, "bkn", &a, "n2").await, 401, "sso_rejected").await;
    // The confidential client of the same provider (same issuer) knows the same subject.
    let a = op.authorize("abdi-server", &impostor, "n3").await;
    problem(
        exchange(&app, "bkn-server", &a, "n3").await,
        401,
        "sso_rejected",
    )
    .await;
    let a = op.authorize("abdi-server", NIP, "n4").await;
    assert_eq!(exchange(&app, "bkn-server", &a, "n4").await.status(), 201);
    use abdi_server::identity::audit::entity as audit;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let mismatches = audit::Entity::find()
        .filter(audit::Column::Outcome.eq("subject_mismatch"))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(mismatches.len(), 2);
}

both_backends!(
    sso_login_end_to_end,
    sso_refuses_what_it_must,
    a_second_subject_for_a_nip_is_refused
);

/// An ID token past its expiry is refused; the same flow with a clock still inside the
/// token's hour succeeds (so the refusal is the expiry, nothing else).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_id_token_is_refused() {
    let op = OidcProvider::start("key-a", 3600);
    let mut env = TestEnv::new(Backend::Postgres).await;
    configure(&mut env.config, &op);
    let clock = ManualClock::at(Utc::now() + chrono::Duration::minutes(30));
    let app = TestApp::start(env, Arc::new(clock.clone())).await;
    seed(&app).await;
    let a = op.authorize("abdi-app", NIP, "n").await;
    assert_eq!(exchange(&app, "bkn", &a, "n").await.status(), 201);
    clock.advance(std::time::Duration::from_secs(90 * 60));
    let a = op.authorize("abdi-app", NIP, "n2").await;
    problem(exchange(&app, "bkn", &a, "n2").await, 401, "sso_rejected").await;
}

/// The provider rotates its signing key: the next login still works (keys fetched again).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_signing_key_is_fetched() {
    let mut op = OidcProvider::start("key-a", 3600);
    let app = TestApp::spawn_with(Backend::Postgres, |c| configure(c, &op)).await;
    seed(&app).await;
    let a = op.authorize("abdi-app", NIP, "n1").await;
    assert_eq!(exchange(&app, "bkn", &a, "n1").await.status(), 201);
    op.restart("key-b", 3600);
    let a = op.authorize("abdi-app", NIP, "n2").await;
    assert_eq!(exchange(&app, "bkn", &a, "n2").await.status(), 201);
}
