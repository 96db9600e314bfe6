//! The product's main story on the phone, through abdi-core only (the app's Rust half), against
//! the real server with PostgreSQL, Redis, a real SMTP server and a real OpenID provider:
//!
//! activation by email and passkey enrolment -> logout -> SSO login in the "system browser" ->
//! the leave form fetched, filled and validated offline -> queued while the server cannot be
//! reached -> the app restarts -> flushed when the server is back (exactly one request, also
//! when the answer was lost) -> the fasilitator, the supervisor and the official decide from
//! their own phones, with step-up -> the employee's event stream reports each change -> the
//! signed letter is downloaded and verified on the phone -> a tampered copy is reported
//! modified.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use abdi_core::{
    Client, ClientConfig, CoreError, MemorySecureStore, PasskeyPrompt, PinnedRoots, QueueState,
    SESSION_KEY, SecureStore,
};
use abdi_proto::ErrorCode;
use abdi_proto::documents::{Issuance, SignatureStatus};
use abdi_proto::forms::FormValues;
use abdi_proto::notifications::{Notification, PushPlatform};
use abdi_proto::services::{Decision, Outcome, RequestStatus, Verification, VerificationOutcome};
use abdi_server::config::{EmailTransport, SmtpTls, SsoProviderConfig};
use abdi_server::masterdata::entity::employee;
use abdi_server::services::entity::service_request;
use abdi_tests::oidc::{OidcProvider, REDIRECT, browse};
use abdi_tests::proxy::Proxy;
use abdi_tests::smtp::SmtpServer;
use abdi_tests::{Backend, TestApp};
use chrono::{Datelike, Duration as Days, Utc, Weekday};
use clap::Parser;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use uuid::Uuid;
use webauthn_authenticator_rs::prelude::{Url, WebauthnAuthenticator};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs_proto::{CreationChallengeResponse, RequestChallengeResponse};

use abdi_tests::forms::annual;
use abdi_tests::passkey::{ORIGIN, allow, plain_key};
use abdi_tests::world::{Who, world_with};

/// The phone's platform authenticator (Credential Manager, AuthenticationServices), played by
/// SoftPasskey. SoftPasskey keeps no resident keys and returns no user handle; as in
/// `abdi_tests::passkey`, this helper fills in what a platform passkey would, outside what the
/// server verifies.
struct Authenticator {
    key: SoftPasskey,
    credential_id: Option<String>,
    user_handle: Option<String>,
}

impl Authenticator {
    fn new() -> Self {
        Authenticator {
            key: SoftPasskey::new(true),
            credential_id: None,
            user_handle: None,
        }
    }

    /// Answers a registration prompt with `registrationResponseJson`.
    fn create(&mut self, prompt: &PasskeyPrompt) -> String {
        let mut options: Value = serde_json::from_str(&prompt.request_json).unwrap();
        assert_eq!(options["authenticatorSelection"]["residentKey"], "required");
        plain_key(&mut options);
        let ccr: CreationChallengeResponse =
            serde_json::from_value(json!({ "publicKey": options })).unwrap();
        let credential = self
            .key
            .do_registration(Url::parse(ORIGIN).unwrap(), ccr)
            .unwrap();
        self.credential_id = Some(credential.id.clone());
        self.user_handle = prompt.user_id.clone();
        serde_json::to_string(&credential).unwrap()
    }

    /// Answers a login or step-up prompt with `authenticationResponseJson`.
    fn get(&mut self, prompt: &PasskeyPrompt) -> String {
        let mut options: Value = serde_json::from_str(&prompt.request_json).unwrap();
        if prompt.credential_ids.is_empty() {
            allow(&mut options, self.credential_id.as_deref().unwrap());
        }
        let rcr: RequestChallengeResponse =
            serde_json::from_value(json!({ "publicKey": options })).unwrap();
        let assertion = self
            .key
            .do_authentication(Url::parse(ORIGIN).unwrap(), rcr)
            .unwrap();
        let mut v = serde_json::to_value(assertion).unwrap();
        v["response"]["userHandle"] = json!(self.user_handle);
        v.to_string()
    }
}

/// A phone: the core's client, its secure storage and folder, and its authenticator.
struct Phone {
    client: Arc<Client>,
    secure: Arc<MemorySecureStore>,
    dir: tempfile::TempDir,
    auth: Authenticator,
    base: String,
    roots: PinnedRoots,
}

fn config(base: &str, device: &str) -> ClientConfig {
    let mut c = ClientConfig::new(base);
    c.device_name = device.into();
    // Long enough for a call the server works hard on (a decision signs its letter) on a
    // loaded machine; an unreachable server is refused at once (the link points at port 1).
    c.request_timeout = Duration::from_secs(10);
    c.connect_timeout = Duration::from_secs(2);
    c.stream_idle_timeout = Duration::from_secs(3);
    c.retries = 1;
    c.backoff_base = Duration::from_millis(50);
    c.backoff_max = Duration::from_millis(200);
    c
}

impl Phone {
    fn new(base: &str, device: &str, roots: &PinnedRoots) -> Phone {
        let secure = Arc::new(MemorySecureStore::new());
        let dir = tempfile::tempdir().unwrap();
        let client = Client::new(
            config(base, device),
            secure.clone(),
            dir.path(),
            Some(roots.clone()),
        )
        .unwrap();
        Phone {
            client: Arc::new(client),
            secure,
            dir,
            auth: Authenticator::new(),
            base: base.into(),
            roots: roots.clone(),
        }
    }

    /// The app is killed and started again: a new client on the same storage.
    fn restart(&mut self) {
        let client = Client::new(
            config(&self.base, "Galaxy A14"),
            self.secure.clone(),
            self.dir.path(),
            Some(self.roots.clone()),
        )
        .unwrap();
        self.client = Arc::new(client);
    }

    async fn activate(&self, smtp: &SmtpServer, nip: &str, email: &str) {
        let accepted = self
            .client
            .request_activation(nip, email, "081234567890")
            .await
            .unwrap();
        assert!(accepted.message_id.len() > 10);
        let link = activation_link(smtp, email).await;
        let session = self.client.redeem_activation(&link).await.unwrap();
        assert_eq!(session.method, "activation");
    }

    async fn enrol_passkey(&mut self, name: &str) {
        let prompt = self.client.begin_passkey_registration().await.unwrap();
        let answer = self.auth.create(&prompt);
        let info = self
            .client
            .finish_passkey_registration(&prompt.challenge_id, name, &answer)
            .await
            .unwrap();
        assert_eq!(info.name, name);
    }

    async fn step_up(&mut self) {
        let prompt = self.client.begin_step_up().await.unwrap();
        let answer = self.auth.get(&prompt);
        let step = self
            .client
            .finish_step_up(&prompt.challenge_id, &answer)
            .await
            .unwrap();
        assert!(step.valid_until > step.verified_at);
    }

    async fn token(&self) -> Option<String> {
        self.secure.get(SESSION_KEY).await.unwrap()
    }
}

/// The activation link of the newest activation mail to `to`, as the deep link hands it over.
async fn activation_link(smtp: &SmtpServer, to: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(mail) = smtp
            .messages()
            .into_iter()
            .rev()
            .find(|m| m.to.contains(to) && m.subject.contains("Aktivasi"))
        {
            let start = mail.body.find("https://abdi.test/activate?token=").unwrap();
            return mail.body[start..]
                .split_whitespace()
                .next()
                .unwrap()
                .to_owned();
        }
        assert!(std::time::Instant::now() < deadline, "no mail to {to}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn is_step_up(e: &CoreError) -> bool {
    matches!(
        e,
        CoreError::Api {
            code: ErrorCode::StepUpRequired,
            ..
        }
    )
}

/// The next status event of the employee's stream.
async fn next_event(
    rx: &mut mpsc::UnboundedReceiver<Result<Notification, CoreError>>,
) -> Notification {
    tokio::time::timeout(Duration::from_secs(15), rx.recv())
        .await
        .expect("a status event within 15 s")
        .expect("the stream is running")
        .expect("the stream reports no error")
}

/// Every file under `dir`, for checking that no secret was written there.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Monday two weeks ahead, and the Wednesday after it.
fn leave_days() -> (String, String) {
    let mut start = Utc::now().date_naive() + Days::days(14);
    while start.weekday() != Weekday::Mon {
        start += Days::days(1);
    }
    (start.to_string(), (start + Days::days(2)).to_string())
}

async fn person(app: &TestApp, id: Uuid) -> (String, String) {
    let e = employee::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    (e.nip, e.email.expect("an email in the master record"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_story_on_the_phone() {
    let smtp = SmtpServer::start();
    let op = OidcProvider::start("key-a", 3600);
    let (smtp_port, issuer) = (smtp.port, op.issuer());
    let w = world_with(Backend::Postgres, None, move |c| {
        c.email.transport = EmailTransport::Smtp;
        c.email.smtp_host = "127.0.0.1".into();
        c.email.smtp_port = smtp_port;
        c.email.smtp_tls = SmtpTls::None;
        c.identity.public_url = "https://abdi.test".into();
        c.sso = vec![SsoProviderConfig {
            name: "bkn".into(),
            issuer,
            client_id: "abdi-app".into(),
            client_secret: None,
            redirect_uri: REDIRECT.into(),
            post_logout_redirect_uri: None,
            nip_claim: "nip".into(),
            scopes: vec!["openid".into(), "profile".into(), "nip".into()],
        }];
        // The outbox worker delivers to the event stream, as in production.
        c.notifications.worker = true;
        c.notifications.stream_keepalive_secs = 1;
    })
    .await;
    let app = &w.app;
    let roots = PinnedRoots::from_pem(
        &std::fs::read(app.state.config.documents.local_dir.join("root.pem")).unwrap(),
    )
    .unwrap();
    // The employee's phone reaches the server through a link the test can cut.
    let link = Proxy::start(app.addr.port()).await;
    let mut employee = Phone::new(
        &format!("http://127.0.0.1:{}", link.port),
        "Galaxy A14",
        &roots,
    );
    let staff = w.ids[&Who::Staff];
    let (staff_nip, staff_email) = person(app, staff).await;

    // 1. Activation by email, a passkey on the phone, logout.
    let bad = employee
        .client
        .request_activation("12345", &staff_email, "0812")
        .await;
    assert_eq!(
        bad.unwrap_err().code(),
        "invalid_nip",
        "checked before sending"
    );
    employee.activate(&smtp, &staff_nip, &staff_email).await;
    assert_eq!(employee.client.me().await.unwrap().nip, staff_nip);
    employee.enrol_passkey("HP Galaxy A14").await;
    assert_eq!(employee.client.passkeys().await.unwrap().len(), 1);
    employee.client.logout().await.unwrap();
    assert!(!employee.client.has_session().await.unwrap());
    assert_eq!(employee.token().await, None);
    assert!(matches!(
        employee.client.me().await,
        Err(CoreError::NotLoggedIn)
    ));

    // 2. SSO in the system browser: PKCE S256, state and nonce; a forged redirect is refused
    //    and does not cancel the real login.
    let start = employee.client.start_sso("bkn").await.unwrap();
    assert_eq!(start.redirect_uri, REDIRECT);
    let url = Url::parse(&start.authorization_url).unwrap();
    let q = |k: &str| {
        url.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(q("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(q("code_challenge").map(|c| c.len()), Some(43));
    assert!(q("state").is_some() && q("nonce").is_some());
    let redirect = browse(&start.authorization_url, &staff_nip).await;
    let forged = format!("{REDIRECT}?code=stolen&state=not-ours");
    assert!(matches!(
        employee.client.finish_sso(&forged).await,
        Err(CoreError::SsoStateMismatch)
    ));
    let session = employee.client.finish_sso(&redirect).await.unwrap();
    assert_eq!(session.method, "sso");
    assert!(
        matches!(
            employee.client.finish_sso(&redirect).await,
            Err(CoreError::SsoStateMismatch)
        ),
        "a redirect is used once"
    );
    employee
        .client
        .register_push(PushPlatform::Fcm, "fcm-token-galaxy-a14")
        .await
        .unwrap();

    // The employee's event stream, from now on.
    let (tx, mut events) = mpsc::unbounded_channel();
    let mut stream = employee.client.status_events().await.unwrap();
    let streaming = employee.client.clone();
    let stream_task = tokio::spawn(async move {
        loop {
            let r = stream.next(&streaming).await;
            let end = r.is_err();
            if tx.send(r).is_err() || end {
                return;
            }
        }
    });

    // 3. The leave form, fetched once, then filled and validated offline.
    let service = employee.client.service("cuti_tahunan").await.unwrap();
    assert_eq!(service.code, "cuti_tahunan");
    let (from, to) = leave_days();
    let today = Utc::now().date_naive();
    let mut leave = annual(&from, &to);
    leave["reason"] = json!("ok");
    let mut form: FormValues = abdi_tests::forms::form(leave);
    let errors = employee
        .client
        .validate_offline("cuti_tahunan", &form, today)
        .await
        .unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "reason");
    assert!(!errors[0].message.id.is_empty() && !errors[0].message.en.is_empty());
    let refused = employee
        .client
        .enqueue("cuti_tahunan", form.clone(), vec![], today)
        .await;
    assert!(
        matches!(refused, Err(CoreError::FormInvalid(_))),
        "an invalid form is not queued"
    );
    form.insert("reason".into(), json!("Keperluan keluarga"));
    assert!(
        employee
            .client
            .validate_offline("cuti_tahunan", &form, today)
            .await
            .unwrap()
            .is_empty()
    );

    // 4. The server cannot be reached: the submission is queued, the flush keeps it.
    link.blackhole_open_connections();
    link.retarget(1);
    let queued = employee
        .client
        .enqueue("cuti_tahunan", form, vec![], today)
        .await
        .unwrap();
    let outcomes = employee.client.flush().await.unwrap();
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].state, QueueState::Pending);
    assert!(
        outcomes[0]
            .error
            .as_ref()
            .is_some_and(CoreError::is_transient),
        "{outcomes:?}"
    );
    let requests = || {
        service_request::Entity::find()
            .filter(service_request::Column::EmployeeId.eq(staff))
            .count(&app.state.db)
    };
    assert_eq!(requests().await.unwrap(), 0);

    // 5. The app is restarted; the queue is still there. The server is back: one flush sends
    //    it, exactly once.
    employee.restart();
    let waiting = employee.client.queued().await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].id, queued.id);
    assert_eq!(waiting[0].attempts, 1);
    link.retarget(app.addr.port());
    // As the app does, it flushes again while the answer is only delayed (a slow first
    // attempt leaves the key in progress); the counts below prove one request was made.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let outcomes = loop {
        let o = employee.client.flush().await.unwrap();
        match &o[0] {
            abdi_core::FlushOutcome {
                state: QueueState::Pending,
                error: Some(e),
                ..
            } if e.is_transient() && std::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(500)).await
            }
            _ => break o,
        }
    };
    let QueueState::Sent { request_id, status } = outcomes[0].state.clone() else {
        panic!("not sent: {outcomes:?}");
    };
    assert_eq!(status, RequestStatus::Submitted);
    assert!(
        employee.client.flush().await.unwrap().is_empty(),
        "nothing left to send"
    );
    assert_eq!(requests().await.unwrap(), 1);
    // The answer of that flush lost (the app died before writing it down): the same key
    // brings back the same request, not a second one.
    let entry = employee.dir.path().join("queue");
    for f in files(&entry)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let mut v: Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        v["state"] = json!("pending");
        std::fs::write(&f, v.to_string()).unwrap();
    }
    let outcomes = employee.client.flush().await.unwrap();
    assert_eq!(
        outcomes[0].state,
        QueueState::Sent {
            request_id,
            status: RequestStatus::Submitted
        }
    );
    assert_eq!(requests().await.unwrap(), 1, "exactly one request");
    let mine = employee.client.my_requests().await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(employee.client.cached_requests().await.unwrap(), mine);
    let event = next_event(&mut events).await;
    assert_eq!(
        (event.request_id, event.status),
        (Some(request_id), Some(RequestStatus::Submitted))
    );
    employee.client.dismiss(queued.id).await.unwrap();
    assert!(employee.client.queued().await.unwrap().is_empty());

    // 6. The fasilitator, the supervisor and the official, each on their own phone.
    let mut phones = Vec::new();
    for (who, device) in [
        (Who::Fasilitator, "Redmi 12"),
        (Who::Supervisor, "iPhone 13"),
        (Who::Head, "Galaxy S23"),
    ] {
        let (nip, email) = person(app, w.ids[&who]).await;
        let mut phone = Phone::new(&app.base, device, &roots);
        phone.activate(&smtp, &nip, &email).await;
        phone.enrol_passkey(device).await;
        phones.push(phone);
    }
    let [fasilitator, supervisor, head] = &mut phones[..] else {
        unreachable!()
    };
    // The supervisor logs in again with the passkey alone.
    supervisor.client.logout().await.unwrap();
    let prompt = supervisor.client.begin_passkey_login().await.unwrap();
    assert!(
        prompt.credential_ids.is_empty(),
        "a discoverable login names nobody"
    );
    let answer = supervisor.auth.get(&prompt);
    let s = supervisor
        .client
        .finish_passkey_login(&prompt.challenge_id, &answer)
        .await
        .unwrap();
    assert_eq!(s.method, "passkey");

    let queue = fasilitator.client.verification_queue().await.unwrap();
    let item = queue
        .items
        .iter()
        .find(|i| i.request.id == request_id)
        .expect("in the queue");
    let check = Verification {
        version: item.request.version,
        outcome: VerificationOutcome::Complete,
        note: None,
    };
    let v = match fasilitator.client.verify_request(request_id, &check).await {
        Err(e) if is_step_up(&e) => {
            fasilitator.step_up().await;
            fasilitator
                .client
                .verify_request(request_id, &check)
                .await
                .unwrap()
        }
        other => other.unwrap(),
    };
    assert_eq!(v.status, RequestStatus::InReview);
    let event = next_event(&mut events).await;
    assert_eq!(event.status, Some(RequestStatus::InReview));

    let inbox = supervisor.client.work_inbox().await.unwrap();
    let item = inbox
        .items
        .iter()
        .find(|i| i.request.id == request_id)
        .expect("in the inbox");
    let approve = Decision {
        version: item.request.version,
        outcome: Outcome::Disetujui,
        note: None,
        changes: None,
    };
    // A passkey login is itself a fresh confirmation: no step-up needed.
    let v = supervisor
        .client
        .decide(request_id, &approve)
        .await
        .unwrap();
    assert_eq!(v.status, RequestStatus::InReview);
    let event = next_event(&mut events).await;
    assert_eq!(event.status, Some(RequestStatus::InReview));

    let item = head.client.work_inbox().await.unwrap();
    let item = item
        .items
        .iter()
        .find(|i| i.request.id == request_id)
        .expect("in the inbox");
    let grant = Decision {
        version: item.request.version,
        outcome: Outcome::Disetujui,
        note: None,
        changes: None,
    };
    let refused = head.client.decide(request_id, &grant).await.unwrap_err();
    assert!(is_step_up(&refused), "{refused:?}");
    assert!(refused.message(abdi_proto::Lang::Id).contains("passkey"));
    head.step_up().await;
    let v = head.client.decide(request_id, &grant).await.unwrap();
    assert_eq!(v.status, RequestStatus::Decided);
    let event = next_event(&mut events).await;
    assert_eq!(
        (event.status, event.outcome),
        (Some(RequestStatus::Decided), Some(Outcome::Disetujui))
    );
    assert!(!event.title.id.is_empty() && !event.title.en.is_empty());

    // 7. The signed letter on the employee's phone: downloaded, verified against the pinned
    //    roots, kept; a tampered copy is reported modified.
    let letters = employee.client.request_documents(request_id).await.unwrap();
    assert_eq!(letters.len(), 1);
    let viewed = employee.client.open_document(letters[0].id).await.unwrap();
    assert!(viewed.pdf.starts_with(b"%PDF-"));
    assert_eq!(
        viewed.report.status,
        SignatureStatus::Intact,
        "{:?}",
        viewed.report
    );
    assert!(!viewed.from_cache);
    assert_eq!(viewed.report.issuance, Issuance::Issued);
    // The same file reaching the phone another way: the server's register confirms it.
    let shared = employee.client.verify_pdf(&viewed.pdf).await.unwrap();
    assert_eq!(shared.status, SignatureStatus::Intact, "{shared:?}");
    assert_eq!(shared.issued.as_ref().map(|l| l.id), Some(letters[0].id));
    let mut tampered = viewed.pdf.clone();
    let at = tampered.windows(4).position(|w| w == b"/Pag").unwrap();
    tampered[at + 1] = b'Q';
    let report = employee.client.verify_pdf(&tampered).await.unwrap();
    assert_eq!(report.status, SignatureStatus::Modified);
    assert_eq!(report.issuance, Issuance::NotIssued);
    // Without a network the copy on the phone is shown, verified again.
    link.blackhole_open_connections();
    link.retarget(1);
    let offline = employee.client.open_document(letters[0].id).await.unwrap();
    assert!(offline.from_cache);
    assert_eq!(offline.report.status, SignatureStatus::Intact);
    // A letter from elsewhere cannot be confirmed offline: its signatures hold, but it is not
    // shown as an Abdi letter.
    let unconfirmed = employee.client.verify_pdf(&viewed.pdf).await.unwrap();
    assert_eq!(
        unconfirmed.status,
        SignatureStatus::NotIssued,
        "{unconfirmed:?}"
    );
    assert_eq!(unconfirmed.issuance, Issuance::Unknown);
    // A copy changed on the phone is caught too.
    let stored = employee
        .dir
        .path()
        .join(format!("documents/{}.pdf", letters[0].id));
    std::fs::write(&stored, &tampered).unwrap();
    let changed = employee.client.open_document(letters[0].id).await.unwrap();
    assert_eq!(changed.report.status, SignatureStatus::Modified);
    link.retarget(app.addr.port());

    // 8. The session token is in secure storage and nowhere in the phone's files.
    let token = employee.token().await.expect("a session");
    for f in files(employee.dir.path()) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "{} holds the token",
            f.display()
        );
    }
    stream_task.abort();
}

/// The people of the shipped import sample (`server/data/import-sample`) this story needs.
const BUDI: (&str, &str) = ("198503122010011004", "budi.santoso@contoh.go.id");
const HENDRA: (&str, &str) = ("197601052000031002", "hendra.wijaya@contoh.go.id");
const DEWI: (&str, &str) = ("199001152015022003", "dewi.lestari@contoh.go.id");
const YUSUF: (&str, &str) = ("198811032014031007", "yusuf.hidayat@contoh.go.id");
const AYU: (&str, &str) = ("199506212020122008", "ayu.puspita@contoh.go.id");

/// An administrator's call from the desk, with the session their phone holds.
async fn admin_call(app: &TestApp, token: &str, path: &str, body: &impl serde::Serialize) -> Value {
    let r = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

/// A new phone for `who`: activated by the mailed link, with a passkey enrolled.
async fn enrolled(
    smtp: &SmtpServer,
    roots: &PinnedRoots,
    base: &str,
    (nip, email): (&str, &str),
    device: &str,
) -> Phone {
    let mut phone = Phone::new(base, device, roots);
    phone.activate(smtp, nip, email).await;
    phone.enrol_passkey(device).await;
    phone
}

/// A fresh install, from an empty database to a leave decided by a Plh and the employee's
/// record on the phone: the sample export imported, the first administrator made from the
/// operator's console, the administrator (passkey login, step-up) appointing a fasilitator and
/// recording a Plh, the request through the fasilitator, the atasan and the Plh inside their
/// window, then the record and its DRH read through abdi-core, kept offline, and removed at
/// logout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agency_from_an_empty_database_to_the_record_on_the_phone() {
    use abdi_proto::agency::{ActingKind, NewActingLetter, NewRoleGrant, Role};
    use abdi_server::clock::{Clock, ManualClock};
    use abdi_server::import::{Export, ImportOptions};
    use abdi_tests::TestEnv;

    let smtp = SmtpServer::start();
    let clock = ManualClock::at(abdi_tests::world::july_first());
    let mut env = TestEnv::new(Backend::Postgres).await;
    env.config.email.transport = EmailTransport::Smtp;
    env.config.email.smtp_host = "127.0.0.1".into();
    env.config.email.smtp_port = smtp.port;
    env.config.email.smtp_tls = SmtpTls::None;
    env.config.identity.public_url = "https://abdi.test".into();
    let app = &TestApp::start(env, Arc::new(clock.clone())).await;
    let db = &app.state.db;
    assert_eq!(
        employee::Entity::find().count(db).await.unwrap(),
        0,
        "empty"
    );

    // 1. The sample export.
    let sample =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/data/import-sample");
    let options = ImportOptions {
        dry_run: false,
        progress: false,
        batch: 500,
        email_domains: vec!["go.id".into()],
    };
    let report = abdi_server::import::run(
        db,
        &Export::from_dir(&sample).unwrap(),
        &options,
        clock.now(),
    )
    .await
    .unwrap();
    assert!(report.applied && report.refused.is_empty(), "{report}");

    // 2. The first administrator, from the operator's console.
    let grant = [
        "abdi-server",
        "admin",
        "grant",
        "--nip",
        DEWI.0,
        "--role",
        "administrator",
        "--decree",
        "800/1/204/2026",
        "--decree-date",
        "2026-06-30",
    ];
    let cli = abdi_server::cli::Cli::try_parse_from(grant).unwrap();
    let abdi_server::cli::Command::Admin(cmd) = cli.command else {
        unreachable!()
    };
    abdi_server::agency::cli::run(db.clone(), Arc::new(clock.clone()), cmd)
        .await
        .unwrap();

    // 3. The administrator logs in by passkey, steps up, appoints a fasilitator for the BKD
    //    and records a Plh for its head from 1 to 3 July.
    let roots = PinnedRoots::from_pem(
        &std::fs::read(app.state.config.documents.local_dir.join("root.pem")).unwrap(),
    )
    .unwrap();
    let mut admin = enrolled(&smtp, &roots, &app.base, DEWI, "Laptop BKD").await;
    admin.client.logout().await.unwrap();
    let prompt = admin.client.begin_passkey_login().await.unwrap();
    let answer = admin.auth.get(&prompt);
    let login = admin
        .client
        .finish_passkey_login(&prompt.challenge_id, &answer)
        .await
        .unwrap();
    assert_eq!(login.method, "passkey");
    admin.step_up().await;
    let token = admin.token().await.unwrap();
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let fasilitator = NewRoleGrant {
        nip: AYU.0.into(),
        role: Role::Fasilitator,
        unit_code: Some("BKD".into()),
        decree_number: "188.4/321/204/2026".into(),
        decree_date: day("2026-06-30"),
        starts_on: None,
        ends_on: None,
    };
    let granted = admin_call(app, &token, "/api/v1/admin/roles", &fasilitator).await;
    assert_eq!(granted["standing"], "active", "{granted}");
    let plh = NewActingLetter {
        nip: YUSUF.0.into(),
        position_code: "BKD-KEPALA".into(),
        kind: ActingKind::Plh,
        number: "800.1.11.1/61/204/2026".into(),
        letter_date: day("2026-06-30"),
        starts_on: day("2026-07-01"),
        ends_on: day("2026-07-03"),
    };
    admin_call(app, &token, "/api/v1/admin/acting", &plh).await;

    // 4. Budi asks for two days of annual leave from his phone; the fasilitator checks it, the
    //    atasan recommends it and the Plh decides it, each on their own phone.
    let link = Proxy::start(app.addr.port()).await;
    let budi = enrolled(
        &smtp,
        &roots,
        &format!("http://127.0.0.1:{}", link.port),
        BUDI,
        "Galaxy A14",
    )
    .await;
    budi.client.service("cuti_tahunan").await.unwrap();
    let today = clock.today();
    let form = abdi_tests::forms::form(annual("2026-07-13", "2026-07-14"));
    budi.client
        .enqueue("cuti_tahunan", form, vec![], today)
        .await
        .unwrap();
    budi.client.flush().await.unwrap();
    let mine = budi.client.my_requests().await.unwrap();
    assert_eq!(mine.len(), 1, "{mine:?}");
    let request_id = mine[0].id;

    let mut ayu = enrolled(&smtp, &roots, &app.base, AYU, "Redmi 12").await;
    ayu.step_up().await;
    let queue = ayu.client.verification_queue().await.unwrap();
    let item = queue
        .items
        .iter()
        .find(|i| i.request.id == request_id)
        .expect("in the new fasilitator's queue");
    let check = Verification {
        version: item.request.version,
        outcome: VerificationOutcome::Complete,
        note: None,
    };
    let v = ayu.client.verify_request(request_id, &check).await.unwrap();
    assert_eq!(v.status, RequestStatus::InReview);

    for (who, device) in [(HENDRA, "iPhone 13"), (YUSUF, "Galaxy S23")] {
        let mut decider = enrolled(&smtp, &roots, &app.base, who, device).await;
        decider.step_up().await;
        let inbox = decider.client.work_inbox().await.unwrap();
        let item = inbox
            .items
            .iter()
            .find(|i| i.request.id == request_id)
            .unwrap_or_else(|| panic!("{} has it in the inbox", who.0));
        let approve = Decision {
            version: item.request.version,
            outcome: Outcome::Disetujui,
            note: None,
            changes: None,
        };
        decider.client.decide(request_id, &approve).await.unwrap();
    }
    let decided = budi.client.request(request_id).await.unwrap();
    assert_eq!(decided.status, RequestStatus::Decided);
    assert_eq!(decided.outcome, Some(Outcome::Disetujui));
    let last = decided.steps.last().unwrap();
    assert_eq!(last.actor.as_ref().map(|a| a.nip.as_str()), Some(YUSUF.0));
    let acting = last.acting.as_ref().expect("decided as Plh");
    assert_eq!(acting.kind, ActingKind::Plh);
    assert_eq!(acting.number, "800.1.11.1/61/204/2026");

    // 5. Budi's record and his DRH through abdi-core, kept on the phone.
    let record = budi.client.my_record().await.unwrap();
    assert_eq!(record.identity.nip, BUDI.0);
    assert_eq!(
        (record.identity.nik.as_str(), record.identity.nik_masked),
        ("3578011203850003", false)
    );
    assert_eq!(record.ranks.len(), 3);
    assert_eq!(record.positions.len(), 2);
    assert_eq!(record.education.len(), 2);
    assert_eq!(record.training.len(), 2);
    assert_eq!(record.awards.len(), 1);
    assert_eq!(record.performance.len(), 3);
    assert_eq!(record.family.len(), 2);
    let pdf = budi.client.my_record_pdf().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("drh.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let (code, text) =
        crate::documents::run("pdftotext", &["-layout", file.to_str().unwrap(), "-"]);
    assert_eq!(code, 0, "{text}");
    for expected in [
        "DAFTAR RIWAYAT HIDUP",
        "Budi Santoso",
        BUDI.0,
        "Institut Teknologi Sepuluh",
        "Pelatihan Analis Kepegawaian",
        "Sri Wahyuni",
        "Satyalancana Karya Satya",
    ] {
        assert!(text.contains(expected), "{expected} in the DRH:\n{text}");
    }
    // Which systems read Budi's data: nothing yet, then the read a data-API call logged.
    assert!(
        budi.client
            .my_data_access(None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    {
        use abdi_server::sharing::entity::{data_access, data_access_subject};
        use sea_orm::ActiveValue::Set;
        let budi_id = employee::Entity::find()
            .filter(employee::Column::Nip.eq(BUDI.0))
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap()
            .id;
        let log_id = data_access::Entity::insert(data_access::ActiveModel {
            at: Set(Utc::now()),
            client_id: Set(None),
            purpose: Set("Sinkronisasi SIMPEG".into()),
            method: Set("GET".into()),
            path: Set(format!("/api/data/v1/employees/{}", BUDI.0)),
            address: Set("203.0.113.10".into()),
            status: Set(200),
            fields: Set(r#"["nip","name","rank_code"]"#.into()),
            ..Default::default()
        })
        .exec(&app.state.db)
        .await
        .unwrap()
        .last_insert_id;
        data_access_subject::Entity::insert(data_access_subject::ActiveModel {
            log_id: Set(log_id),
            employee_id: Set(budi_id),
            nip: Set(BUDI.0.into()),
        })
        .exec_without_returning(&app.state.db)
        .await
        .unwrap();
    }
    let reads = budi.client.my_data_access(None).await.unwrap();
    assert_eq!(reads.items.len(), 1);
    assert_eq!(reads.items[0].purpose, "Sinkronisasi SIMPEG");
    assert_eq!(reads.items[0].fields, ["nip", "name", "rank_code"]);
    // Offline, the phone shows what it kept.
    link.blackhole_open_connections();
    link.retarget(1);
    assert!(budi.client.my_record().await.unwrap_err().is_transient());
    assert_eq!(budi.client.cached_record().await.unwrap(), record);
    assert_eq!(budi.client.cached_record_pdf().await.unwrap(), pdf);
    // Logging out takes the record off the phone.
    budi.client.logout().await.unwrap();
    assert!(matches!(
        budi.client.cached_record().await,
        Err(CoreError::NotCached(_))
    ));
    assert!(matches!(
        budi.client.cached_record_pdf().await,
        Err(CoreError::NotCached(_))
    ));
}
