//! Abdi in a real browser (Debian's Chromium, headless, through ChromeDriver), with a virtual
//! passkey authenticator per person: activation from the real mail with passkey enrolment,
//! logout and passkey login, an annual-leave request with a field error shown and corrected,
//! the fasilitator's verification and the atasan's recommendation in the console, the PYBMC's
//! decision with a step-up, the employee seeing it live and downloading the signed letter shown
//! intact, the atasan accepting a flagged check-in, and an administrator appointing a
//! fasilitator. Screenshots of the main pages at
//! 360 px and 1280 px go to `tests/screenshots/` (`ABDI_SCREENSHOTS`).

use abdi_server::config::{EmailTransport, SignerBackend, SmtpTls, SsoProviderConfig};
use abdi_server::masterdata::entity::employee;
use abdi_tests::Backend;
use abdi_tests::browser::{Browser, Chrome};
use abdi_tests::esign::EsignPeer;
use abdi_tests::oidc::OidcProvider;
use abdi_tests::smtp::SmtpServer;
use abdi_tests::world::{Who, Who::*, World, july_first, world_with};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};

const PHONE: &str = "081234567890";

/// The activation link in the newest mail to `to`.
async fn link(smtp: &SmtpServer, to: &str) -> String {
    let mail = smtp.wait_for(to).await;
    let start = mail.body.find("http://localhost:").expect("a link");
    mail.body[start..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

/// `who`'s NIP and official email (one is given where the seed left none).
async fn account(w: &World, who: Who) -> (String, String) {
    let e = employee::Entity::find_by_id(w.ids[&who])
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    let email = match &e.email {
        Some(m) if m.ends_with(".go.id") => m.clone(),
        _ => {
            let m = format!("{}@jatimprov.go.id", e.nip);
            let mut a: employee::ActiveModel = e.clone().into();
            a.email = Set(Some(m.clone()));
            a.update(&w.app.state.db).await.unwrap();
            m
        }
    };
    (e.nip, email)
}

/// Activation in the browser: the form, the mail, the link, and a passkey enrolled.
async fn activate(b: &Browser, w: &World, smtp: &SmtpServer, who: Who, shots: bool) {
    let (nip, email) = account(w, who).await;
    b.goto(&w.app.url("/activation").replace("127.0.0.1", "localhost"))
        .await;
    b.fill("#nip", &nip).await;
    b.fill("#email", &email).await;
    b.fill("#phone", PHONE).await;
    if shots {
        b.screenshots("activation").await;
    }
    b.click("form[action='/activation'] button").await;
    b.wait_text("main", "email").await;
    let link = link(smtp, &email).await;
    b.goto(&link).await;
    if shots {
        b.screenshots("activate").await;
    }
    b.click("form[action='/activate'] button").await;
    b.wait_url("/passkeys/new").await;
    if shots {
        b.screenshots("passkey-new").await;
    }
    b.click("#enrol button").await;
    b.wait_text("h1", "Permohonan saya").await;
}

async fn web(backend: Backend) {
    let smtp = SmtpServer::start();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let origin = format!("http://localhost:{port}");
    let mail_port = smtp.port;
    let op = OidcProvider::start_for_web(&format!("{origin}/login/sso/bkn/callback"));
    let issuer = op.issuer();
    // Letters are signed by the official through a BSrE-style signing service, in a batch.
    let esign = EsignPeer::start().await;
    let roots = tempfile::tempdir().unwrap();
    let root = roots.path().join("bsre-root.pem");
    std::fs::write(&root, &esign.root_pem).unwrap();
    let esign_url = esign.url.clone();
    let w = world_with(
        backend,
        Some(abdi_server::clock::ManualClock::at(july_first())),
        |c| {
            c.server.listen = ([127, 0, 0, 1], port).into();
            c.identity.public_url = origin.clone();
            c.identity.rp_origin = origin.clone();
            c.identity.rp_id = "localhost".into();
            c.email.transport = EmailTransport::Smtp;
            c.email.smtp_host = "127.0.0.1".into();
            c.email.smtp_port = mail_port;
            c.email.smtp_tls = SmtpTls::None;
            c.documents.signer = SignerBackend::Remote;
            c.documents.remote_url = esign_url;
            c.documents.remote_username = abdi_tests::esign::USERNAME.into();
            c.documents.remote_password = Some(abdi_server::config::Secret::new(
                abdi_tests::esign::PASSWORD,
            ));
            c.documents.trust_roots = vec![root.clone()];
            c.sso = vec![SsoProviderConfig {
                name: "bkn".into(),
                issuer: issuer.clone(),
                client_id: "abdi-web".into(),
                client_secret: None,
                redirect_uri: format!("{origin}/login/sso/bkn/callback"),
                post_logout_redirect_uri: None,
                nip_claim: "nip".into(),
                scopes: vec!["openid".into(), "profile".into(), "nip".into()],
            }];
        },
    )
    .await;
    let at = |path: &str| format!("{origin}{path}");
    let chrome = Chrome::start().await;

    // 1. Activation from the real mail, with a passkey enrolled.
    let staff = chrome.browser("staff").await;
    activate(&staff, &w, &smtp, Staff, true).await;
    let (staff_nip, _) = account(&w, Staff).await;
    staff.screenshots("home-empty").await;

    // 2. Logout, then a passkey login: the browser offers the passkey as soon as the login
    //    page opens (conditional UI; the virtual authenticator picks it at once), else the
    //    button asks for it.
    staff.click("form[action='/logout'] button").await;
    let sessions = |w: &World| {
        let state = w.app.state.clone();
        let id = w.ids[&Staff];
        async move { state.identity.sessions.list(id).await.unwrap() }
    };
    // Logout sends the browser to /login, from where conditional UI may log in again before
    // the address can be read; the page is not waited for, the session's end is.
    let activated = |list: &[(String, abdi_server::identity::session::Session)]| {
        list.iter()
            .any(|(_, s)| s.platform == "web" && s.method == "activation")
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while activated(&sessions(&w).await) && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // The session activation opened is gone (the login page may already have opened the
    // next one by passkey).
    assert!(
        sessions(&w)
            .await
            .iter()
            .all(|(_, s)| !(s.platform == "web" && s.method == "activation")),
        "logout ended the browser's session"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !staff.text("h1").await.contains("Permohonan saya") {
        assert!(std::time::Instant::now() < deadline, "no passkey login");
        staff.try_click("#login button").await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    assert!(
        sessions(&w)
            .await
            .iter()
            .any(|(_, s)| s.platform == "web" && s.method == "passkey"),
        "a passkey login"
    );

    // 3. Annual leave: a period ending before it starts is shown beside the field, then put
    //    right and sent.
    staff.goto(&at("/services/cuti_tahunan/new")).await;
    staff.set("#f-period-start", "2026-07-15").await;
    staff.set("#f-period-end", "2026-07-13").await;
    staff.fill("#f-reason", "Keperluan keluarga").await;
    staff.fill("#f-address-street", "Jl. Pahlawan 110").await;
    staff.fill("#f-address-city", "Surabaya").await;
    staff.fill("#f-address-province", "Jawa Timur").await;
    staff.fill("#f-address-postal_code", "60174").await;
    staff.fill("#f-phone", PHONE).await;
    staff
        .click("form[enctype='multipart/form-data'] button[type=submit]")
        .await;
    // The error sits in the period's own field, in Bahasa Indonesia.
    staff
        .find(".field.invalid input[name='period.start']")
        .await;
    let error = staff.text(".field.invalid p.error").await;
    assert!(!error.is_empty(), "the period's error is beside it");
    staff.screenshots("request-error").await;
    staff.set("#f-period-start", "2026-07-13").await;
    staff.set("#f-period-end", "2026-07-15").await;
    staff
        .click("form[enctype='multipart/form-data'] button[type=submit]")
        .await;
    let request_url = staff.wait_url("/requests/").await;
    staff
        .wait_text("#request-status", "Menunggu verifikasi")
        .await;
    let request_id = request_url.rsplit('/').next().unwrap().to_owned();
    staff.screenshots("request").await;

    // 4. The fasilitator verifies in the console, the atasan recommends with a step-up.
    let fasilitator = chrome.browser("fasilitator").await;
    fasilitator.goto(&at("/login")).await;
    fasilitator.find("#login button").await;
    fasilitator.screenshots("login").await;
    activate(&fasilitator, &w, &smtp, Fasilitator, false).await;
    fasilitator.goto(&at("/desk")).await;
    fasilitator.screenshots("desk").await;
    fasilitator
        .click(&format!("#verification a[href='/requests/{request_id}']"))
        .await;
    fasilitator.wait_text("#actions", "Verifikasi").await;
    fasilitator.screenshots("verify").await;
    // First back to the employee with a note; the employee's page, open all along, shows it
    // by itself, and the employee corrects the request and sends it again.
    fasilitator
        .fill("#verify-note", "Lampirkan alamat lengkap dengan RT/RW.")
        .await;
    fasilitator.click("#actions button[value='return']").await;
    fasilitator.wait_url("/desk").await;
    staff
        .wait_text("#request-status", "Dikembalikan untuk perbaikan")
        .await;
    staff.wait_text("main", "RT/RW").await;
    staff
        .click(&format!("a[href='/requests/{request_id}/edit']"))
        .await;
    staff
        .fill("#f-address-street", "Jl. Pahlawan 110 RT 02/RW 05")
        .await;
    staff
        .click("form[action$='/edit'] button[type=submit]")
        .await;
    staff
        .wait_text("#request-status", "Menunggu verifikasi")
        .await;
    fasilitator
        .goto(&at(&format!("/requests/{request_id}")))
        .await;
    fasilitator.wait_text("main", "RT 02/RW 05").await;
    fasilitator.click("#actions button[value='complete']").await;
    fasilitator.wait_url("/desk").await;

    // 5. A data update: the employee proposes a diploma with its scan; the fasilitator
    //    returns it with a note, the employee corrects it, the fasilitator verifies it (the
    //    current and proposed values side by side); the diploma is then in the archive and the
    //    study permit's form offers it.
    let files = tempfile::tempdir().unwrap();
    let scan = files.path().join("ijazah-s2.pdf");
    std::fs::write(&scan, abdi_tests::forms::pdf()).unwrap();
    staff
        .goto(&at("/record/updates/new?section=education&change=add"))
        .await;
    staff.set("#f-level", "s2").await;
    staff.fill("#f-institution", "Universitas Airlangga").await;
    staff.fill("#f-graduation_year", "2023").await;
    staff.set("#f-evidence_kind", "ijazah").await;
    staff.attach("#f-evidence", &scan).await;
    staff.screenshots("proposal-new").await;
    staff
        .click("form[enctype='multipart/form-data'] button[type=submit]")
        .await;
    staff
        .wait_text("#proposal-status", "Menunggu verifikasi")
        .await;
    let proposal_url = staff.url().await;
    fasilitator.goto(&at("/desk")).await;
    fasilitator.click("#record-updates a").await;
    fasilitator.click("#queue a").await;
    fasilitator.wait_text("#review", "Hasil verifikasi").await;
    fasilitator.screenshots("proposal-review").await;
    fasilitator.click("#review input[value='return']").await;
    fasilitator
        .fill("#review-note", "Tahun lulus pada ijazah 2024")
        .await;
    fasilitator.click("#review button[type=submit]").await;
    fasilitator
        .wait_text("#proposal-status", "Dikembalikan")
        .await;
    staff.goto(&proposal_url).await;
    staff
        .wait_text("main", "Tahun lulus pada ijazah 2024")
        .await;
    staff.click("a[href$='/resend']").await;
    staff.fill("#f-graduation_year", "2024").await;
    staff
        .click("form[enctype='multipart/form-data'] button[type=submit]")
        .await;
    staff
        .wait_text("#proposal-status", "Menunggu verifikasi")
        .await;
    fasilitator.goto(&proposal_url).await;
    fasilitator
        .wait_text("tr[data-field='graduation_year']", "2024")
        .await;
    fasilitator.click("#review button[type=submit]").await;
    fasilitator
        .wait_text("#proposal-status", "Terverifikasi")
        .await;
    // A correction of the new entry starts from the values the record now holds.
    staff.goto(&at("/record")).await;
    staff
        .click("a[href*='section=education&change=correct']")
        .await;
    staff.find("#f-institution").await;
    let prefilled = staff
        .exec(
            "return document.querySelector('#f-graduation_year').value;",
            json!([]),
        )
        .await;
    assert!(
        prefilled.as_str().is_some_and(|y| !y.is_empty()),
        "{prefilled}"
    );
    staff.screenshots("proposal-correct").await;
    staff.goto(&at("/record/updates")).await;
    staff.wait_text("#archive", "ijazah-s2.pdf").await;
    staff.screenshots("record-updates").await;
    staff.goto(&at("/services/izin_belajar/new")).await;
    staff.wait_text("main", "ijazah-s2.pdf").await;
    staff.screenshots("permit-with-archive").await;
    fasilitator.goto(&at("/desk/updates/monitoring")).await;
    fasilitator.find("#monitoring tbody tr").await;
    fasilitator.screenshots("monitoring").await;
    staff.goto(&at("/contact")).await;
    staff.find("#email input[name='email']").await;
    staff.screenshots("contact").await;
    // A registered system reads Staff's data; Staff sees which, when and what.
    abdi_tests::world::step_up(&w, Admin).await;
    let issued = abdi_tests::api::ok(
        abdi_tests::api::post(
            &w,
            Admin,
            "/api/v1/admin/data-clients",
            &abdi_tests::sharing::new_client(&["127.0.0.1"], &["BKD"]),
        )
        .await,
    )
    .await;
    let system = abdi_tests::sharing::System {
        app: &w.app,
        client_id: issued["client"]["client_id"].as_str().unwrap().to_owned(),
        secret: issued["client_secret"].as_str().map(str::to_owned),
        address: "127.0.0.1".into(),
    };
    let token = system.token(None).await;
    abdi_tests::api::ok(
        system
            .get(
                &format!("/api/data/v1/employees/{}", abdi_tests::world::STAFF_NIP),
                &token,
            )
            .await,
    )
    .await;
    staff.goto(&at("/data-access")).await;
    staff.wait_text("main table", "Kementerian Agama").await;
    staff.screenshots("data-access").await;
    staff.goto(&at("/statistik")).await;
    staff.find("ul.chart .bar").await;
    staff.screenshots("statistics").await;
    fasilitator.close().await;

    let atasan = chrome.browser("atasan").await;
    activate(&atasan, &w, &smtp, Supervisor, false).await;
    atasan.goto(&at("/desk")).await;
    atasan
        .click(&format!("#inbox a[href='/requests/{request_id}']"))
        .await;
    atasan.wait_text("#actions", "Keputusan").await;
    atasan.click("#actions button[type=submit]").await;
    atasan.wait_url("/desk").await;
    // The atasan's attendance page: Staff's phone reported a mock location; the atasan reads
    // why and accepts it in the page.
    crate::attendance::flagged_check_in(&w).await;
    atasan.goto(&at("/desk/attendance")).await;
    atasan.wait_text("#flagged", "lokasi palsu").await;
    atasan.screenshots("attendance").await;
    atasan.click("#flagged form button[type=submit]").await;
    atasan.wait_url("/desk/attendance").await;
    atasan
        .wait_text("#flagged", "Tidak ada yang menunggu")
        .await;
    atasan.close().await;

    // 5. The PYBMC decides, with a step-up by passkey in the page; the employee's page, open
    //    all along, changes by itself (6).
    staff.goto(&request_url).await;
    staff
        .wait_text("#request-status", "Dalam pertimbangan")
        .await;
    let head = chrome.browser("pybmc").await;
    activate(&head, &w, &smtp, Head, false).await;
    head.goto(&at(&format!("/requests/{request_id}"))).await;
    head.wait_text("#actions", "Keputusan").await;
    head.screenshots("decide").await;
    head.click("#actions button[type=submit]").await;
    head.wait_url("/desk").await;
    staff.wait_text("#request-status", "Disetujui").await;

    // The official signs the letter in a batch: the passphrase of their certificate and a
    // passkey step-up, in the page.
    let official = employee::Entity::find_by_id(w.ids[&Head])
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    esign.register(
        &official.nik,
        &official.full_name(),
        &official.nip,
        "rahasia-kepala",
    );
    head.wait_text("main", "Surat menunggu tanda tangan").await;
    head.goto(&at("/desk/signing")).await;
    head.fill("#passphrase", "salah").await;
    head.click("form[action='/desk/signing'] button[type=submit]")
        .await;
    head.wait_text("main", "signing_rejected").await;
    head.goto(&at("/desk/signing")).await;
    head.fill("#passphrase", "rahasia-kepala").await;
    head.screenshots("signing").await;
    head.click("form[action='/desk/signing'] button[type=submit]")
        .await;
    head.wait_text("main", "1 surat ditandatangani").await;
    head.close().await;

    // 6. The letter: shown intact by Abdi's verifier, and the file downloaded is the one
    //    Abdi signed.
    staff.goto(&request_url).await;
    staff.click("a[href^='/letters/']").await;
    staff.wait_text("#verification", "Utuh").await;
    assert_eq!(
        staff
            .attribute("#verification", "data-status")
            .await
            .as_deref(),
        Some("intact")
    );
    staff.screenshots("letter").await;
    let href = staff
        .attribute("a[href$='/pdf']", "href")
        .await
        .expect("a download link");
    let got = staff
        .exec_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0], { credentials: 'same-origin' })
               .then(async r => { const b = await r.arrayBuffer();
                 const d = await crypto.subtle.digest('SHA-256', b);
                 done({ status: r.status, type: r.headers.get('content-type'),
                   sha: [...new Uint8Array(d)].map(x => x.toString(16).padStart(2, '0')).join('') }); })
               .catch(e => done({ error: String(e) }));",
            json!([href]),
        )
        .await;
    assert_eq!(got["status"], 200, "{got}");
    assert_eq!(got["type"], "application/pdf", "{got}");
    let doc_id = href.split('/').nth(4).unwrap().to_owned();
    let doc: Value = w
        .app
        .client
        .get(w.app.url(&format!("/api/v1/documents/{doc_id}")))
        .bearer_auth(&w.tokens[&Staff])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["sha"], doc["sha256"], "{got} {doc}");
    staff.goto(&at("/")).await;
    staff.screenshots("home").await;
    staff.goto(&at("/record")).await;
    staff.wait_text("#identity", &staff_nip).await;
    staff.screenshots("record").await;
    staff.goto(&at("/leave-balance")).await;
    staff.wait_text("main", "2026").await;
    staff.screenshots("leave-balance").await;
    staff.goto(&at("/notifications")).await;
    staff.wait_text("#notifications", "").await;
    staff.screenshots("notifications").await;
    staff.goto(&at("/devices")).await;
    staff.screenshots("devices").await;

    // 7. An administrator appoints a fasilitator by decree, confirming with the passkey.
    let admin = chrome.browser("admin").await;
    activate(&admin, &w, &smtp, Admin, false).await;
    admin.goto(&at("/admin/roles")).await;
    let (other_nip, _) = account(&w, Other).await;
    admin.fill("#g-nip", &other_nip).await;
    admin.fill("#g-unit", "DISHUB").await;
    admin.fill("#g-number", "800/77/204/2026").await;
    admin.set("#g-date", "2026-06-30").await;
    admin.screenshots("admin-roles").await;
    admin.click("#grant button[type=submit]").await;
    admin.wait_text("#grants", &other_nip).await;
    let grants: Value = w
        .app
        .client
        .get(w.app.url("/api/v1/admin/roles?role=fasilitator"))
        .bearer_auth(&w.tokens[&Admin])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        grants
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["employee"]["nip"] == other_nip
                && g["unit_code"] == "DISHUB"
                && g["decree_number"] == "800/77/204/2026"
                && g["standing"] == "active"),
        "{grants}"
    );

    // Data sharing: a system registered on the form (with the passkey), its secret shown once,
    // a token taken with it; then suspended from the list, and refused on its next call.
    admin.goto(&at("/admin/data-clients")).await;
    for (field, value) in [
        ("#c-agency", "Badan Kepegawaian Negara"),
        ("#c-unit", "Direktorat Pengolahan Data"),
        ("#c-number", "PKS/12/BKN/2026"),
        ("#c-purpose", "Integrasi data SIASN"),
        ("#c-contact", "Admin SIASN"),
        ("#c-email", "siasn@bkn.go.id"),
        ("#c-networks", "127.0.0.1"),
        ("#c-units", "BKD"),
    ] {
        admin.fill(field, value).await;
    }
    admin.set("#c-date", "2026-06-01").await;
    admin.set("#c-expires", "2027-05-31").await;
    admin.screenshots("admin-data-clients").await;
    admin.click("#register button[type=submit]").await;
    admin.find("#secret").await;
    admin.screenshots("admin-data-client-secret").await;
    let bkn = abdi_tests::sharing::System {
        app: &w.app,
        client_id: admin.text("#client-id").await,
        secret: Some(admin.text("#secret").await),
        address: "127.0.0.1".into(),
    };
    let bkn_token = bkn.token(None).await;
    abdi_tests::api::ok(
        bkn.get("/api/data/v1/employees?unit=BKD&limit=5", &bkn_token)
            .await,
    )
    .await;
    let registered =
        abdi_tests::api::ok(abdi_tests::api::get(&w, Admin, "/api/v1/admin/data-clients").await)
            .await;
    let bkn_id = registered
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["client_id"] == bkn.client_id.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    admin.goto(&at("/admin/data-clients")).await;
    admin
        .fill(&format!("#suspend-{bkn_id}"), "Audit tahunan")
        .await;
    admin
        .click(&format!(
            "form[action='/admin/data-clients/{bkn_id}/suspend'] button"
        ))
        .await;
    admin.wait_text("#data-clients", "ditangguhkan").await;
    abdi_tests::api::problem(
        bkn.get("/api/data/v1/employees?unit=BKD&limit=5", &bkn_token)
            .await,
        403,
        "client_suspended",
    )
    .await;
    admin.goto(&at("/admin/data-access")).await;
    admin
        .wait_text("#data-access", "Badan Kepegawaian Negara")
        .await;
    admin.screenshots("admin-data-access").await;

    // The organisation kept from the desk: a unit added by decree, a post in it, the post
    // closed; each change in the unit's history.
    admin.goto(&at("/admin/organisation")).await;
    admin.fill("#u-code", "BKD-U099").await;
    admin.fill("#u-name", "Bidang Uji Coba").await;
    admin.set("#u-level", "unit_kerja").await;
    admin.fill("#u-parent", "BKD").await;
    admin.fill("#u-number", "061/12/013/2026").await;
    admin.set("#u-date", "2026-07-01").await;
    admin.click("#new-unit button[type=submit]").await;
    admin.wait_url("/admin/organisation/BKD-U099").await;
    admin.fill("#p-code", "BKD-U099-F01").await;
    admin.fill("#p-title", "Analis Uji Coba").await;
    admin.set("#p-kind", "fungsional").await;
    admin.fill("#p-number", "061/13/013/2026").await;
    admin.set("#p-date", "2026-07-01").await;
    admin.click("#new-post button[type=submit]").await;
    admin.wait_text("#posts", "Analis Uji Coba").await;
    admin.screenshots("admin-organisation").await;
    admin
        .fill("#c-BKD-U099-F01-number", "061/14/013/2026")
        .await;
    admin.set("#c-BKD-U099-F01-date", "2026-07-01").await;
    admin
        .click("form[action='/admin/posts/BKD-U099-F01/close'] button")
        .await;
    admin.wait_text("#posts", "ditutup").await;
    let history = admin.text("#history").await;
    for decree in ["061/12/013/2026", "061/13/013/2026", "061/14/013/2026"] {
        assert!(history.contains(decree), "{decree} missing: {history}");
    }

    // The catalogue: a service changed by decree becomes its next revision.
    admin.goto(&at("/admin/catalogue/cuti_tahunan")).await;
    let sop = admin.attribute("#s-sop", "value").await.unwrap_or_default();
    admin.fill("#s-sop", "SOP-CT-2026-02").await;
    admin.fill("#s-note", "800/90/204/2026").await;
    admin.screenshots("admin-catalogue").await;
    admin.click("#change-service button[type=submit]").await;
    admin.wait_text("#revisions", "800/90/204/2026").await;
    let service: Value = w
        .app
        .client
        .get(w.app.url("/api/v1/services/cuti_tahunan"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(service["sop_version"], "SOP-CT-2026-02", "was {sop}");

    // A new service defined as data from the console, a decree confirmed by passkey: its
    // conditions are checked when it is saved.
    let fields = r#"{"version": 1, "fields": [{"name": "purpose", "label": {"id": "Keperluan", "en": "Purpose"}, "kind": {"type": "text", "min_len": 5, "max_len": 300}, "required": {"when": "always"}}]}"#;
    let conditions = r#"{"version": 1, "conditions": [{"code": "not_in_service", "text": {"id": "Hanya untuk PNS dan PPPK.", "en": "Only for PNS and PPPK."}, "test": {"op": "one_of", "word": {"of": "employment_type"}, "values": ["pns", "pppk"]}}]}"#;
    let new_service = |conditions: String| {
        let admin = &admin;
        let at = &at;
        async move {
            admin.goto(&at("/admin/catalogue")).await;
            admin.fill("#s-code", "sk_aktif_bekerja").await;
            admin
                .fill("#s-name-id", "Surat Keterangan Aktif Bekerja")
                .await;
            admin
                .fill("#s-name-en", "Certificate of active employment")
                .await;
            admin.set("#s-state", "active").await;
            admin
                .fill("#s-sop-id", "Bagi ASN yang masih aktif bekerja.")
                .await;
            admin.fill("#s-sop-en", "For ASN still in service.").await;
            admin.set("#s-form", fields).await;
            admin.set("#s-eligibility", &conditions).await;
            admin.set("#s-letter", r#"{"title": "Surat Keterangan Aktif Bekerja", "decisions": ["adalah {employee_kind} yang masih aktif bekerja pada {unit}."]}"#).await;
            admin.fill("#s-note", "800/91/204/2026").await;
            admin.click("#new-service button[type=submit]").await;
        }
    };
    admin.goto(&at("/admin/catalogue")).await;
    admin.screenshots("admin-catalogue-new").await;
    // A word the language does not have: refused, with the reason, nothing saved.
    new_service(conditions.replace("\"employment_type\"", "\"employment\"")).await;
    admin.wait_text("main", "employment").await;
    admin.screenshots("admin-catalogue-refused").await;
    new_service(conditions.to_owned()).await;
    admin.wait_text("#revisions", "800/91/204/2026").await;
    let added: Value = w
        .app
        .client
        .get(w.app.url("/api/v1/services/sk_aktif_bekerja"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        added["eligibility"]["conditions"][0]["code"], "not_in_service",
        "{added}"
    );
    assert_eq!(added["revision"], 1);
    admin.close().await;

    // SSO in the same tab: the NIP typed on the login page goes to the provider as the
    // login hint, and the browser comes back logged in.
    let sso = chrome.browser("sso").await;
    sso.goto(&at("/login")).await;
    sso.fill("#username", &staff_nip).await;
    sso.click("form[action='/login/sso/bkn'] button").await;
    sso.wait_text("h1", "Permohonan saya").await;
    assert!(
        sessions(&w)
            .await
            .iter()
            .any(|(_, s)| s.platform == "web" && s.method == "sso"),
        "an SSO login in the browser"
    );
    sso.close().await;

    // The public pages: verification by upload, in English too.
    staff.goto(&at("/lang/en?next=/verify")).await;
    staff.wait_text("h1", "Verify a letter").await;
    staff.screenshots("verify-upload").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abdi_in_a_real_browser() {
    web(Backend::Postgres).await;
}

/// The phone's app opens Abdi's links (activation, a request, a letter) when the deployment
/// names it: Android by package and signing certificate, iOS by team and bundle id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_opens_abdis_links_when_configured() {
    let app = abdi_tests::TestApp::spawn_with(Backend::Sqlite, |c| {
        c.identity.android_package = Some("id.go.jatimprov.abdi".into());
        c.identity.android_cert_sha256 = vec!["14:6D:E9:83:C5:73:06:50:D8:EE:B9:95:2F:34:FC:64:16:A0:83:42:E6:1D:BE:A8:8A:04:96:B2:3F:CF:44:E5".into()];
        c.identity.ios_team_id = Some("ABCDE12345".into());
        c.identity.ios_bundle_id = Some("id.go.jatimprov.abdi".into());
    })
    .await;
    let links: Value = app
        .get("/.well-known/assetlinks.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(links[0]["target"]["package_name"], "id.go.jatimprov.abdi");
    assert_eq!(
        links[0]["target"]["sha256_cert_fingerprints"][0]
            .as_str()
            .unwrap()
            .len(),
        95
    );
    let apple: Value = app
        .get("/.well-known/apple-app-site-association")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        apple["applinks"]["details"][0]["appIDs"][0],
        "ABCDE12345.id.go.jatimprov.abdi"
    );
    assert_eq!(
        apple["webcredentials"]["apps"][0],
        "ABCDE12345.id.go.jatimprov.abdi"
    );
    // Without an app configured there is nothing to associate.
    let bare = abdi_tests::TestApp::spawn(Backend::Sqlite).await;
    abdi_tests::api::problem(
        bare.get("/.well-known/assetlinks.json").await,
        404,
        "not_found",
    )
    .await;
}
