//! Activation through a real SMTP server, sessions, the profile, rate limits and the audit log.

use abdi_proto::identity::{
    ActivationAccepted, ActivationRequest, DeviceInfo, Profile, RedeemRequest, SessionGranted,
    SessionList,
};
use abdi_server::config::{EmailTransport, SmtpTls};
use abdi_server::identity::audit::entity as audit;
use abdi_tests::api::{call_with, problem};
use abdi_tests::smtp::SmtpServer;
use abdi_tests::world::seed;
use abdi_tests::{Backend, TestApp, both_backends};
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use serde_json::json;

pub const NIP: &str = "198503122010011004";
const EMAIL: &str = "budi.santoso@jatimprov.go.id";

pub async fn app_with_mail(
    backend: Backend,
    smtp: &SmtpServer,
    tune: impl FnOnce(&mut abdi_server::config::Config),
) -> TestApp {
    let port = smtp.port;
    let app = TestApp::spawn_with(backend, |c| {
        c.email.transport = EmailTransport::Smtp;
        c.email.smtp_host = "127.0.0.1".into();
        c.email.smtp_port = port;
        c.email.smtp_tls = SmtpTls::None;
        c.identity.public_url = "https://abdi.test".into();
        tune(c);
    })
    .await;
    let account = format!(
        "[[account]]\nnip = \"{NIP}\"\nname = \"Budi Santoso\"\nback_title = \"S.Kom.\"\n\
         email = \"{EMAIL}\"\nunit = \"BKD-U001\"\n"
    );
    seed(&app, 60, 5, &account).await;
    app
}

/// An anonymous `POST path` with `body`.
async fn post(app: &TestApp, path: &str, body: &impl Serialize) -> reqwest::Response {
    call_with(app, Method::POST, path, None, body).await
}

/// An activation request for `nip` and `email`, with a valid phone.
fn request(nip: &str, email: &str) -> ActivationRequest {
    ActivationRequest {
        nip: nip.into(),
        email: email.into(),
        phone: "+62 812-3456-7890".into(),
    }
}

/// Redeems the link token `token` on the device `device_name` (`platform`).
fn redeem(token: &str, device_name: &str, platform: &str) -> RedeemRequest {
    RedeemRequest {
        token: token.into(),
        device: DeviceInfo {
            device_name: device_name.into(),
            platform: platform.into(),
        },
    }
}

/// The token in the activation link of the newest mail to `to`.
async fn link_token(smtp: &SmtpServer, to: &str, nth: usize) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let mails: Vec<_> = smtp
            .messages()
            .into_iter()
            .filter(|m| m.to.contains(to))
            .collect();
        if let Some(mail) = mails.get(nth) {
            assert!(
                mail.subject.contains("Aktivasi akun Abdi"),
                "{}",
                mail.subject
            );
            assert!(
                mail.body.contains("Yth. Budi Santoso, S.Kom."),
                "{}",
                mail.body
            );
            assert!(mail.body.contains("To activate your Abdi account"));
            let start = mail
                .body
                .find("https://abdi.test/activate?token=")
                .expect("a link");
            let rest = &mail.body[start + "https://abdi.test/activate?token=".len()..];
            return rest.split_whitespace().next().unwrap().to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no mail {nth} to {to}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

pub async fn activate(
    app: &TestApp,
    smtp: &SmtpServer,
    nth: usize,
    device: &str,
) -> SessionGranted {
    let r = post(app, "/api/v1/activation", &request(NIP, EMAIL)).await;
    assert_eq!(r.status(), 202);
    let token = link_token(smtp, EMAIL, nth).await;
    let r = post(
        app,
        "/api/v1/activation/redeem",
        &redeem(&token, device, "android"),
    )
    .await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

async fn get_as(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn activation_by_email_opens_a_session_once(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = app_with_mail(backend, &smtp, |_| {}).await;

    // Same answer for a match, an unknown NIP and a wrong email; only the match gets mail.
    let matched: ActivationAccepted = post(&app, "/api/v1/activation", &request(NIP, EMAIL))
        .await
        .json()
        .await
        .unwrap();
    let unknown = post(
        &app,
        "/api/v1/activation",
        &request("199001012015031001", "x@jatimprov.go.id"),
    )
    .await;
    assert_eq!(unknown.status(), 202);
    assert_eq!(unknown.json::<ActivationAccepted>().await.unwrap(), matched);
    let wrong_email = post(
        &app,
        "/api/v1/activation",
        &request(NIP, "someone.else@jatimprov.go.id"),
    )
    .await;
    assert_eq!(
        wrong_email.json::<ActivationAccepted>().await.unwrap(),
        matched
    );
    assert_eq!(matched.expires_in_minutes, 15);

    let token = link_token(&smtp, EMAIL, 0).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        smtp.messages().len(),
        1,
        "no mail for the non-matching requests"
    );

    let redeem = redeem(&token, "Galaxy A14", "android");
    let granted: SessionGranted = post(&app, "/api/v1/activation/redeem", &redeem)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(granted.session.method, "activation");
    assert!(granted.session.current);

    let me: Profile = get_as(&app, "/api/v1/me", granted.bearer())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me.nip, NIP);
    assert_eq!(me.full_name, "Budi Santoso, S.Kom.");
    assert_eq!(
        me.phone.as_deref(),
        Some("081234567890"),
        "the phone is recorded"
    );
    assert!(
        me.unit.starts_with("Sekretariat Badan Kepegawaian Daerah"),
        "{}",
        me.unit
    );

    // The link works once.
    problem(
        post(&app, "/api/v1/activation/redeem", &redeem).await,
        400,
        "activation_invalid",
    )
    .await;

    // The audit log saw all of it, including the attempts that matched nobody.
    let events = audit::Entity::find().all(&app.state.db).await.unwrap();
    let outcomes: Vec<_> = events
        .iter()
        .map(|e| (e.event.as_str(), e.outcome.as_str()))
        .collect();
    assert!(outcomes.contains(&("activation_requested", "sent")));
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| **o == ("activation_requested", "no_match"))
            .count(),
        2
    );
    assert!(outcomes.contains(&("activation_redeemed", "success")));
    assert!(outcomes.contains(&("activation_redeemed", "invalid_token")));
    assert!(events.iter().all(|e| e.ip.as_deref() == Some("127.0.0.1")));
}

async fn an_expired_link_is_refused(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = app_with_mail(backend, &smtp, |c| c.identity.activation_ttl_secs = 1).await;
    assert_eq!(
        post(&app, "/api/v1/activation", &request(NIP, EMAIL))
            .await
            .status(),
        202
    );
    let token = link_token(&smtp, EMAIL, 0).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_300)).await;
    let r = post(
        &app,
        "/api/v1/activation/redeem",
        &redeem(&token, "x", "android"),
    )
    .await;
    problem(r, 400, "activation_invalid").await;
}

async fn bad_activation_input_is_a_clear_400(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = app_with_mail(backend, &smtp, |_| {}).await;
    for (body, code) in [
        (request("19850312201001100", EMAIL), "invalid_nip"),
        (request("198502302010011004", EMAIL), "invalid_nip"),
        (
            request(NIP, "budi.santoso@gmail.com"),
            "email_domain_not_allowed",
        ),
        (request(NIP, "not an email"), "invalid_email"),
        (
            ActivationRequest {
                phone: "021-555-1234".into(),
                ..request(NIP, EMAIL)
            },
            "invalid_phone",
        ),
    ] {
        let body_json = problem(post(&app, "/api/v1/activation", &body).await, 400, code).await;
        assert!(body_json["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    // Deliberately raw: a body without the phone, which the typed request cannot leave out.
    let no_phone = json!({ "nip": NIP, "email": EMAIL });
    problem(
        post(&app, "/api/v1/activation", &no_phone).await,
        400,
        "invalid_body",
    )
    .await;
    // Deliberately raw: no content type, then a body that is not JSON.
    let r = app
        .client
        .post(app.url("/api/v1/activation"))
        .body("{}")
        .send()
        .await
        .unwrap();
    problem(r, 415, "unsupported_media_type").await;
    let r = app
        .client
        .post(app.url("/api/v1/activation"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    problem(r, 400, "invalid_body").await;
    assert!(smtp.messages().is_empty());
}

async fn activation_is_rate_limited_per_account(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = app_with_mail(backend, &smtp, |c| c.identity.activation_per_account = 2).await;
    for _ in 0..2 {
        assert_eq!(
            post(&app, "/api/v1/activation", &request(NIP, EMAIL))
                .await
                .status(),
            202
        );
    }
    let r = post(&app, "/api/v1/activation", &request(NIP, EMAIL)).await;
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    problem(r, 429, "rate_limited").await;
    // Another account from the same address is still served.
    let other = post(
        &app,
        "/api/v1/activation",
        &request("199001012015031001", "x@jatimprov.go.id"),
    )
    .await;
    assert_eq!(other.status(), 202);
}

/// Someone who knows a NIP but not its owner's email cannot lock the owner out: the
/// per-account limit counts the NIP and the email together.
async fn a_stranger_cannot_use_up_someone_elses_activations(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = app_with_mail(backend, &smtp, |c| c.identity.activation_per_account = 2).await;
    for _ in 0..2 {
        let r = post(
            &app,
            "/api/v1/activation",
            &request(NIP, "penipu@jatimprov.go.id"),
        )
        .await;
        assert_eq!(r.status(), 202);
    }
    let r = post(
        &app,
        "/api/v1/activation",
        &request(NIP, "penipu@jatimprov.go.id"),
    )
    .await;
    problem(r, 429, "rate_limited").await;
    // The owner, with the email on record, is still served and gets the link.
    let r = post(&app, "/api/v1/activation", &request(NIP, EMAIL)).await;
    assert_eq!(r.status(), 202);
    assert!(!link_token(&smtp, EMAIL, 0).await.is_empty());
    assert_eq!(
        smtp.messages().len(),
        1,
        "nothing went to the stranger's address"
    );
}

async fn sessions_are_listed_refreshed_and_revoked(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = app_with_mail(backend, &smtp, |_| {}).await;
    let phone = activate(&app, &smtp, 0, "Galaxy A14").await;
    let tablet = activate(&app, &smtp, 1, "Redmi Pad").await;

    let list: SessionList = get_as(&app, "/api/v1/me/sessions", phone.bearer())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.sessions.len(), 2);
    assert_eq!(list.sessions.iter().filter(|s| s.current).count(), 1);
    let current = list.sessions.iter().find(|s| s.current).unwrap();
    assert_eq!(current.device_name, "Galaxy A14");
    assert_eq!(current.ip.as_deref(), Some("127.0.0.1"));

    // Revoke the tablet from the phone: its token stops working at once.
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/me/sessions/{}", tablet.session.id)))
        .bearer_auth(phone.bearer())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    problem(
        get_as(&app, "/api/v1/me", tablet.bearer()).await,
        401,
        "unauthenticated",
    )
    .await;
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/me/sessions/{}", tablet.session.id)))
        .bearer_auth(phone.bearer())
        .send()
        .await
        .unwrap();
    problem(r, 404, "session_not_found").await;

    // Refresh: a new token, the old one is dead, the session is the same.
    let r = app
        .client
        .post(app.url("/api/v1/auth/refresh"))
        .bearer_auth(phone.bearer())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let refreshed: SessionGranted = r.json().await.unwrap();
    assert_eq!(refreshed.session.id, phone.session.id);
    problem(
        get_as(&app, "/api/v1/me", phone.bearer()).await,
        401,
        "unauthenticated",
    )
    .await;
    assert_eq!(
        get_as(&app, "/api/v1/me", refreshed.bearer())
            .await
            .status(),
        200
    );

    // A browser sends the token as the __Host- cookie; two session cookies (one planted by a
    // sibling site) are refused.
    let with_cookie = |cookie: String| {
        let app = &app;
        async move {
            app.client
                .get(app.url("/api/v1/me"))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
        }
    };
    let ok = with_cookie(format!(
        "theme=dark; __Host-abdi_session={}",
        refreshed.bearer()
    ))
    .await;
    assert_eq!(ok.status(), 200);
    let planted = with_cookie(format!(
        "__Host-abdi_session=planted; __Host-abdi_session={}",
        refreshed.bearer()
    ))
    .await;
    problem(planted, 401, "unauthenticated").await;

    // Revoke all, then nothing works.
    let third = activate(&app, &smtp, 2, "Browser").await;
    let r = app
        .client
        .delete(app.url("/api/v1/me/sessions"))
        .bearer_auth(third.bearer())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    for token in [refreshed.bearer(), third.bearer()] {
        problem(
            get_as(&app, "/api/v1/me", token).await,
            401,
            "unauthenticated",
        )
        .await;
    }
}

async fn requests_without_a_valid_session_are_401(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let r = app.get("/api/v1/me").await;
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    problem(r, 401, "unauthenticated").await;
    for header in ["Bearer not-a-token", "Basic dXNlcjpwdw==", "Bearer "] {
        let r = app
            .client
            .get(app.url("/api/v1/me"))
            .header("authorization", header)
            .send()
            .await
            .unwrap();
        problem(r, 401, "unauthenticated").await;
    }
    let r = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .send()
        .await
        .unwrap();
    problem(r, 401, "unauthenticated").await;
}

async fn logout_ends_the_session(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = app_with_mail(backend, &smtp, |_| {}).await;
    let s = activate(&app, &smtp, 0, "Galaxy A14").await;
    let r = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(s.bearer())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    problem(
        get_as(&app, "/api/v1/me", s.bearer()).await,
        401,
        "unauthenticated",
    )
    .await;
    let events = audit::Entity::find()
        .filter(audit::Column::Event.eq("logout"))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
}

both_backends!(
    activation_by_email_opens_a_session_once,
    an_expired_link_is_refused,
    bad_activation_input_is_a_clear_400,
    activation_is_rate_limited_per_account,
    a_stranger_cannot_use_up_someone_elses_activations,
    sessions_are_listed_refreshed_and_revoked,
    requests_without_a_valid_session_are_401,
    logout_ends_the_session
);

/// Redis restarts in the middle: while it is down a request gets 503 (not a 500, not a hang);
/// once it is back the same server serves again. Sessions lived only in Redis (which keeps
/// nothing on disk here), so the employee logs in again, and can.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_survives_a_redis_restart() {
    let mut redis = abdi_tests::redis_server::RedisServer::start();
    let smtp = SmtpServer::start();
    let url = redis.url();
    let app = app_with_mail(Backend::Postgres, &smtp, move |c| {
        c.sessions.redis_url = abdi_server::config::SecretUrl::new(url);
        c.sessions.redis_timeout_ms = 500;
    })
    .await;
    let first = activate(&app, &smtp, 0, "Galaxy A14").await;
    assert_eq!(
        get_as(&app, "/api/v1/me", first.bearer()).await.status(),
        200
    );

    redis.kill();
    problem(
        get_as(&app, "/api/v1/me", first.bearer()).await,
        503,
        "unavailable",
    )
    .await;

    redis.restart();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.get("/health/ready").await.status() != 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "not ready 10 s after Redis came back"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    problem(
        get_as(&app, "/api/v1/me", first.bearer()).await,
        401,
        "unauthenticated",
    )
    .await;
    let second = activate(&app, &smtp, 1, "Galaxy A14").await;
    assert_eq!(
        get_as(&app, "/api/v1/me", second.bearer()).await.status(),
        200
    );
}

/// A browser session gets its token as a cookie a script cannot read and another site cannot
/// plant: `__Host-`, HttpOnly, Secure, SameSite=Lax, path `/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_session_cookie_is_locked_down() {
    let smtp = SmtpServer::start();
    let app = app_with_mail(Backend::Sqlite, &smtp, |_| {}).await;
    assert_eq!(
        post(&app, "/api/v1/activation", &request(NIP, EMAIL))
            .await
            .status(),
        202
    );
    let token = link_token(&smtp, EMAIL, 0).await;
    let r = post(
        &app,
        "/api/v1/activation/redeem",
        &redeem(&token, "Firefox", "web"),
    )
    .await;
    assert_eq!(r.status(), 201);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-abdi_session="), "{cookie}");
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(!cookie.contains("Domain="), "{cookie}");
    // The browser gets no token to keep, only the CSRF token its page sends with each write.
    let granted: SessionGranted = r.json().await.unwrap();
    assert!(granted.token.is_none());
    let csrf = granted.csrf_token.expect("a CSRF token");
    let session = cookie.split(';').next().unwrap().to_owned();

    // A write authenticated by the cookie must come from Abdi's origin with the token.
    let write = |origin: Option<&str>, token: Option<&str>| {
        let mut req = app
            .client
            .post(app.url("/api/v1/me/passkeys/registration"))
            .header("cookie", session.clone());
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        if let Some(t) = token {
            req = req.header("x-csrf-token", t);
        }
        req.send()
    };
    let own = "https://abdi.test";
    problem(write(Some(own), None).await.unwrap(), 403, "csrf_rejected").await;
    problem(
        write(Some("https://evil.example"), Some(&csrf))
            .await
            .unwrap(),
        403,
        "csrf_rejected",
    )
    .await;
    problem(
        write(None, Some(&csrf)).await.unwrap(),
        403,
        "csrf_rejected",
    )
    .await;
    problem(
        write(Some(own), Some("0000")).await.unwrap(),
        403,
        "csrf_rejected",
    )
    .await;
    assert_eq!(write(Some(own), Some(&csrf)).await.unwrap().status(), 200);
    // Reads need neither; nor does the app, which sends its token as Authorization.
    let me = app
        .client
        .get(app.url("/api/v1/me"))
        .header("cookie", session.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
}

/// The employee alone changes their email and phone, and only after proving the new ones: the
/// link mailed to the new address (real SMTP), the code sent to the new number (the SMS spool a
/// gateway reads). A token works once, and only in the session of the employee who asked.
async fn the_employee_alone_changes_their_email_and_phone_after_proving_them(backend: Backend) {
    use abdi_server::config::SmsTransport;
    use abdi_server::masterdata::entity::employee;
    use abdi_tests::api::{ok, post};
    use abdi_tests::world::{Who, world_with};

    let smtp = SmtpServer::start();
    let spool = tempfile::tempdir().unwrap();
    let spool_dir = spool.path().to_owned();
    let mail_port = smtp.port;
    let w = world_with(backend, None, move |c| {
        c.email.transport = EmailTransport::Smtp;
        c.email.smtp_host = "127.0.0.1".into();
        c.email.smtp_port = mail_port;
        c.email.smtp_tls = SmtpTls::None;
        c.identity.sms_transport = SmsTransport::Spool;
        c.identity.sms_spool_dir = spool_dir;
    })
    .await;
    let staff = w.ids[&Who::Staff];
    let stored = |id| {
        let db = w.app.state.db.clone();
        async move {
            employee::Entity::find_by_id(id)
                .one(&db)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let before = stored(staff).await;

    // Only an official address, and not someone else's.
    let r = post(
        &w,
        Who::Staff,
        "/api/v1/me/email",
        &json!({"email": "budi@gmail.com"}),
    )
    .await;
    problem(r, 400, "email_domain_not_allowed").await;
    let theirs = employee::Entity::find()
        .filter(employee::Column::Email.is_not_null())
        .filter(employee::Column::Id.ne(staff))
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap()
        .email
        .unwrap();
    let r = post(
        &w,
        Who::Staff,
        "/api/v1/me/email",
        &json!({"email": theirs}),
    )
    .await;
    problem(r, 409, "email_in_use").await;

    // The link goes to the new address; nothing changes until it is used.
    let new_email = "staf.baru@jatimprov.go.id";
    let r = post(
        &w,
        Who::Staff,
        "/api/v1/me/email",
        &json!({"email": new_email}),
    )
    .await;
    assert_eq!(r.status(), 202);
    let mail = smtp.wait_for(new_email).await;
    let start = mail.body.find("token=").expect("a link") + "token=".len();
    let token: String = mail.body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert_eq!(stored(staff).await.email, before.email);
    // Someone else cannot use it, not even an administrator.
    for who in [Who::Supervisor, Who::Admin] {
        let r = post(
            &w,
            who,
            "/api/v1/me/email/confirm",
            &json!({"token": token}),
        )
        .await;
        problem(r, 400, "verification_invalid").await;
    }
    assert_eq!(stored(staff).await.email, before.email);
    let me = ok(post(
        &w,
        Who::Staff,
        "/api/v1/me/email/confirm",
        &json!({"token": token}),
    )
    .await)
    .await;
    assert_eq!(me["email"], new_email);
    let r = post(
        &w,
        Who::Staff,
        "/api/v1/me/email/confirm",
        &json!({"token": token}),
    )
    .await;
    problem(r, 400, "verification_invalid").await;

    // The phone: a code by SMS; a wrong one is refused and changes nothing.
    let r = post(
        &w,
        Who::Staff,
        "/api/v1/me/phone",
        &json!({"phone": "0812-9876-5432"}),
    )
    .await;
    assert_eq!(r.status(), 202);
    let sms: Vec<serde_json::Value> = std::fs::read_dir(spool.path())
        .unwrap()
        .map(|f| serde_json::from_slice(&std::fs::read(f.unwrap().path()).unwrap()).unwrap())
        .collect();
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0]["to"], "081298765432");
    let text = sms[0]["text"].as_str().unwrap();
    let code: String = text
        .split_whitespace()
        .find(|w| w.len() == 6 && w.bytes().all(|b| b.is_ascii_digit()))
        .unwrap()
        .to_owned();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = post(
        &w,
        Who::Staff,
        "/api/v1/me/phone/confirm",
        &json!({"code": wrong}),
    )
    .await;
    problem(r, 400, "verification_invalid").await;
    let r = post(
        &w,
        Who::Supervisor,
        "/api/v1/me/phone/confirm",
        &json!({"code": code}),
    )
    .await;
    problem(r, 400, "verification_invalid").await;
    let me = ok(post(
        &w,
        Who::Staff,
        "/api/v1/me/phone/confirm",
        &json!({"code": code}),
    )
    .await)
    .await;
    assert_eq!(me["phone"], "081298765432");
    assert_eq!(stored(staff).await.phone.as_deref(), Some("081298765432"));
    // Both changes are in the audit log.
    let events: Vec<String> = audit::Entity::find()
        .filter(audit::Column::EmployeeId.eq(staff))
        .all(&w.app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| format!("{}:{}", e.event, e.outcome))
        .collect();
    for e in [
        "email_changed:success",
        "phone_changed:wrong_code",
        "phone_changed:success",
    ] {
        assert!(events.iter().any(|x| x == e), "{e} in {events:?}");
    }
}

both_backends!(the_employee_alone_changes_their_email_and_phone_after_proving_them);

/// `/api/v1/me` answers from the profile kept next to the session, and never from a stale one:
/// whoever changes the record (here an operator's SQL, which no capability sees), a renamed
/// unit, on every instance, and after the instance's listening connection was cut.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_profile_kept_with_the_session_follows_every_change() {
    use abdi_proto::identity::Profile;
    use abdi_server::masterdata::entity::employee;
    use sea_orm::ConnectionTrait;
    use std::time::{Duration, Instant};

    async fn me(app: &TestApp, token: &str) -> Profile {
        let r = get_as(app, "/api/v1/me", token).await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }
    /// Waits (10 s at most) until both instances hear PostgreSQL's notices.
    async fn hearing(instances: [&TestApp; 2], what: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !instances
            .iter()
            .all(|i| i.state.identity.profiles.hearing())
        {
            assert!(Instant::now() < deadline, "{what}: not within 10 s");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    /// Runs `sql`, then waits (10 s at most) until both instances answer what it changed.
    async fn changed(
        instances: [&TestApp; 2],
        token: &str,
        sql: &str,
        shown: impl Fn(&Profile) -> bool,
    ) {
        instances[0].state.db.execute_unprepared(sql).await.unwrap();
        for instance in instances {
            let deadline = Instant::now() + Duration::from_secs(10);
            while !shown(&me(instance, token).await) {
                assert!(Instant::now() < deadline, "{sql}: not shown within 10 s");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }

    let app = TestApp::spawn(Backend::Postgres).await;
    seed(&app, 20, 11, "").await;
    let someone = employee::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let token = app.session(someone.id).await;
    let second = app.second_instance().await;
    let both = [&app, &second];
    hearing(both, "both instances hear PostgreSQL's notices").await;
    let before = me(&app, &token).await;
    assert_eq!(before.nip, someone.nip);

    // The first answer was kept, and the next one is that kept profile, not a database read:
    // an entry altered in the store (keeping its tokens) is what comes back.
    let key = format!("profile:{}", someone.id);
    let kept = app.state.sessions.get(&key).await.unwrap().expect("kept");
    let altered = String::from_utf8(kept)
        .unwrap()
        .replace(&before.name, "Dari Simpanan");
    app.state
        .sessions
        .put(&key, altered.as_bytes(), Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(me(&app, &token).await.name, "Dari Simpanan");
    assert_eq!(me(&second, &token).await.name, "Dari Simpanan");

    // Changed behind Abdi's back, by SQL: both instances answer the new name.
    let id = someone.id;
    let sql = format!("UPDATE employees SET name = 'Nama Baru' WHERE id = '{id}'");
    changed(both, &token, &sql, |p| p.name == "Nama Baru").await;
    // Their unit renamed: every kept profile is forgotten.
    let unit = someone.unit_id;
    let sql = format!("UPDATE org_units SET name = 'Dinas Yang Baru' WHERE id = '{unit}'");
    changed(both, &token, &sql, |p| p.unit == "Dinas Yang Baru").await;

    // The listening connections cut (as a PostgreSQL restart does) and a change made at once:
    // heard or not, it shows, and the instances hear again by themselves.
    app.state
        .db
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = 'abdi-profiles' AND datname = current_database()",
        )
        .await
        .unwrap();
    let sql = format!("UPDATE employees SET phone = '081234500099' WHERE id = '{id}'");
    changed(both, &token, &sql, |p| {
        p.phone.as_deref() == Some("081234500099")
    })
    .await;
    hearing(both, "hearing again after the cut").await;

    // And a revoked session gets nothing, kept profile or not.
    app.state.identity.sessions.revoke_all(id).await.unwrap();
    for instance in both {
        problem(
            get_as(instance, "/api/v1/me", &token).await,
            401,
            "unauthenticated",
        )
        .await;
    }
}
