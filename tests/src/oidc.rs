//! A certified OpenID provider (panva/oidc-provider on Node, `tests/peers/oidc`, installed by
//! scripts/test with `npm ci`) and the browser half of Authorization Code + PKCE, done with a
//! cookie-keeping HTTP client instead of a browser.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use sha2::{Digest, Sha256};

pub const REDIRECT: &str = "id.go.abdi.app:/oauth2redirect";

pub struct OidcProvider {
    pub port: u16,
    child: Option<Child>,
    /// Where the web client `abdi-web` returns, if the provider has one.
    web_redirect: Option<String>,
}

/// What the app holds after the browser came back.
pub struct Authorized {
    pub code: String,
    pub verifier: String,
    pub state: String,
}

impl OidcProvider {
    pub fn start(key_id: &str, id_token_ttl: u64) -> OidcProvider {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let mut p = OidcProvider {
            port,
            child: None,
            web_redirect: None,
        };
        p.restart(key_id, id_token_ttl);
        p
    }

    /// A provider that also has the web client `abdi-web`, returning to `redirect`.
    pub fn start_for_web(redirect: &str) -> OidcProvider {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let mut p = OidcProvider {
            port,
            child: None,
            web_redirect: Some(redirect.to_owned()),
        };
        p.restart("key-a", 3600);
        p
    }

    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// (Re)starts on the same port with the given signing key id: a new key is a rotation.
    pub fn restart(&mut self, key_id: &str, id_token_ttl: u64) {
        self.stop();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/peers/oidc");
        assert!(
            std::path::Path::new(dir)
                .join("node_modules/oidc-provider")
                .exists(),
            "the OpenID provider is not installed: run scripts/test (npm ci in {dir})"
        );
        let child = Command::new("node")
            .arg("server.mjs")
            .current_dir(dir)
            .env("PORT", self.port.to_string())
            .env("KEY_ID", key_id)
            .env("ID_TOKEN_TTL", id_token_ttl.to_string())
            .env("WEB_REDIRECT", self.web_redirect.as_deref().unwrap_or(""))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("node is needed for the OpenID provider");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        let url = format!("{}/.well-known/openid-configuration", self.issuer());
        loop {
            let ok = std::process::Command::new("curl")
                .args(["-sf", "-o", "/dev/null", &url])
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the OpenID provider did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Runs the authorization request for `login_hint` as the system browser would, and
    /// returns the code from the redirect back to the app.
    pub async fn authorize(&self, client_id: &str, login_hint: &str, nonce: &str) -> Authorized {
        let mut raw = [0u8; 32];
        getrandom::fill(&mut raw).unwrap();
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let verifier = b64.encode(raw);
        let challenge = b64.encode(Sha256::digest(verifier.as_bytes()));
        let state = b64.encode(&raw[..12]);
        let mut url = reqwest::Url::parse(&format!("{}/auth", self.issuer())).unwrap();
        url.query_pairs_mut()
            .append_pair("client_id", client_id)
            .append_pair("response_type", "code")
            .append_pair("scope", "openid profile nip")
            .append_pair("redirect_uri", REDIRECT)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", &state)
            .append_pair("nonce", nonce);
        let location = browse(url.as_str(), login_hint).await;
        let query = location.strip_prefix(&format!("{REDIRECT}?")).unwrap();
        let pairs: Vec<(String, String)> = reqwest::Url::parse(&format!("http://x/?{query}"))
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(
            get("state").as_deref(),
            Some(state.as_str()),
            "the app checks state"
        );
        Authorized {
            code: get("code").expect("a code"),
            verifier,
            state,
        }
    }
}

/// The system browser: opens `authorization_url` (adding `login_hint`, which the provider's
/// interaction logs in and consents for), follows the provider's redirects, and returns the
/// redirect back to the app, whole, as the app receives it.
pub async fn browse(authorization_url: &str, login_hint: &str) -> String {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut url = reqwest::Url::parse(authorization_url).unwrap();
    url.query_pairs_mut().append_pair("login_hint", login_hint);
    for _ in 0..10 {
        let r = browser.get(url.clone()).send().await.unwrap();
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no redirect from {url}: {}", r.status()));
        if location.starts_with(&format!("{REDIRECT}?")) {
            return location;
        }
        url = url.join(&location).unwrap();
    }
    panic!("the authorization did not come back to the app");
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        self.stop();
    }
}
