//! A real browser for the web tests: Debian's Chromium, headless, driven through ChromeDriver
//! by the W3C WebDriver protocol (plain HTTP and JSON), each browser with a virtual WebAuthn
//! authenticator (the WebDriver WebAuthn extension: CTAP2, internal, resident keys, user
//! verification), so passkeys are created and used as on a phone's screen lock.
//!
//! `scripts/test` installs `chromium` and `chromium-driver`; a missing one fails the test.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

/// A ChromeDriver process; each [`Browser`] is a session of it (its own profile, cookies and
/// authenticator).
pub struct Chrome {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Chrome {
    pub async fn start() -> Chrome {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("chromedriver could not start ({e}); scripts/test installs chromium-driver")
            });
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = http.get(format!("{base}/status")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not answer");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Chrome { child, base, http }
    }

    /// A new browser window (a fresh profile) with its passkey authenticator.
    pub async fn browser(&self, name: &str) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    "--lang=id", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        } } });
        let r: Value = self
            .http
            .post(format!("{}/session", self.base))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {r}"))
            .to_owned();
        let b = Browser {
            name: name.to_owned(),
            base: format!("{}/session/{session}", self.base),
            http: self.http.clone(),
            _profile: profile,
        };
        b.cmd(
            "POST",
            "/webauthn/authenticator",
            json!({
                "protocol": "ctap2", "transport": "internal", "hasResidentKey": true,
                "hasUserVerification": true, "isUserConsenting": true, "isUserVerified": true,
            }),
        )
        .await;
        b
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser window.
pub struct Browser {
    name: String,
    base: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.base);
        let req = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let r: Value = req.send().await.unwrap().json().await.unwrap();
        if r["value"].get("error").is_some() {
            panic!("{}: WebDriver {method} {path}: {}", self.name, r["value"]);
        }
        r["value"].clone()
    }

    async fn try_find(&self, css: &str) -> Option<String> {
        let r: Value = self
            .http
            .post(format!("{}/element", self.base))
            .json(&json!({ "using": "css selector", "value": css }))
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        r["value"]
            .as_object()?
            .iter()
            .find(|(k, _)| k.starts_with("element-"))
            .and_then(|(_, v)| v.as_str().map(str::to_owned))
    }

    /// Waits (up to 15 s) for an element.
    pub async fn find(&self, css: &str) -> String {
        if let Some(id) = until(15, || self.try_find(css)).await {
            return id;
        }
        panic!(
            "{}: no '{css}' on {} after 15 s:\n{}",
            self.name,
            self.url().await,
            self.text("body").await
        );
    }

    pub async fn goto(&self, url: &str) {
        self.cmd("POST", "/url", json!({ "url": url })).await;
    }

    pub async fn url(&self) -> String {
        self.cmd("GET", "/url", Value::Null)
            .await
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    pub async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.cmd("POST", &format!("/element/{id}/click"), json!({}))
            .await;
    }

    /// Clicks `css` if it is there now; false if it is not (or the page moved on meanwhile).
    pub async fn try_click(&self, css: &str) -> bool {
        let Some(id) = self.try_find(css).await else {
            return false;
        };
        let r: Value = self
            .http
            .post(format!("{}/element/{id}/click", self.base))
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["value"].get("error").is_none()
    }

    /// Types `text` into an input, as a person would.
    pub async fn fill(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.cmd("POST", &format!("/element/{id}/clear"), json!({}))
            .await;
        self.cmd(
            "POST",
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    /// Picks the file at `path` in a file input, as a person would from the file chooser.
    pub async fn attach(&self, css: &str, path: &std::path::Path) {
        let id = self.find(css).await;
        self.cmd(
            "POST",
            &format!("/element/{id}/value"),
            json!({ "text": path.display().to_string() }),
        )
        .await;
    }

    /// Sets an input's value directly (date pickers, whose typing order follows the locale).
    pub async fn set(&self, css: &str, value: &str) {
        self.find(css).await;
        self.exec(
            "document.querySelector(arguments[0]).value = arguments[1];",
            json!([css, value]),
        )
        .await;
    }

    /// The text an element shows ("" when there is none), read in one step so a page that
    /// changes meanwhile cannot leave a stale element behind.
    pub async fn text(&self, css: &str) -> String {
        self.exec(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';",
            json!([css]),
        )
        .await
        .as_str()
        .unwrap_or("")
        .to_owned()
    }

    /// Waits (up to 20 s) until `css` shows `needle`.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let shown = || async {
            let t = self.text(css).await;
            t.contains(needle).then_some(t)
        };
        if let Some(t) = until(20, shown).await {
            return t;
        }
        panic!(
            "{}: '{css}' never showed '{needle}' on {} (it shows '{}'):\n{}",
            self.name,
            self.url().await,
            self.text(css).await,
            self.text("body").await
        );
    }

    /// Waits (up to 20 s) for the address to contain `part`.
    pub async fn wait_url(&self, part: &str) -> String {
        let reached = || async {
            let u = self.url().await;
            u.contains(part).then_some(u)
        };
        if let Some(u) = until(20, reached).await {
            return u;
        }
        panic!(
            "{}: never reached '{part}' (at {}):\n{}",
            self.name,
            self.url().await,
            self.text("body").await
        );
    }

    pub async fn exec(&self, script: &str, args: Value) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            json!({ "script": script, "args": args }),
        )
        .await
    }

    /// Runs an async script; it calls `arguments[arguments.length - 1]` with its result.
    pub async fn exec_async(&self, script: &str, args: Value) -> Value {
        self.cmd(
            "POST",
            "/execute/async",
            json!({ "script": script, "args": args }),
        )
        .await
    }

    /// The attribute of the first element matching `css`.
    pub async fn attribute(&self, css: &str, name: &str) -> Option<String> {
        self.exec(
            "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
            json!([css, name]),
        )
        .await
        .as_str()
        .map(str::to_owned)
    }

    /// Screenshots of the page at 360 px (a phone) and 1280 px (a desk), whole page, written
    /// as `NAME-360.png` and `NAME-1280.png` into [`screenshot_dir`]. Fails when anything on
    /// the page sticks out sideways at 360 px.
    pub async fn screenshots(&self, name: &str) {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        for width in [360, 1280] {
            self.cmd(
                "POST",
                "/window/rect",
                json!({ "width": width, "height": 900 }),
            )
            .await;
            let height = self
                .exec(
                    "return Math.min(6000, document.documentElement.scrollHeight);",
                    json!([]),
                )
                .await
                .as_u64()
                .unwrap_or(900)
                .max(600);
            self.cmd(
                "POST",
                "/window/rect",
                json!({ "width": width, "height": height + 120 }),
            )
            .await;
            if width == 360 {
                let overflow = self.overflow().await;
                assert!(
                    overflow <= 0,
                    "{}: '{name}' is {overflow} px too wide at 360 px",
                    self.name
                );
            }
            let png = self.cmd("GET", "/screenshot", Value::Null).await;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(png.as_str().unwrap())
                .unwrap();
            std::fs::write(dir.join(format!("{name}-{width}.png")), bytes).unwrap();
        }
        self.cmd(
            "POST",
            "/window/rect",
            json!({ "width": 1280, "height": 900 }),
        )
        .await;
    }

    /// The page's horizontal overflow at its current width (0 when nothing sticks out).
    async fn overflow(&self) -> i64 {
        self.exec(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            json!([]),
        )
        .await
        .as_i64()
        .unwrap_or(0)
    }

    pub async fn close(self) {
        self.cmd("DELETE", "", Value::Null).await;
    }
}

/// Asks `probe` every 150 ms until it answers, for at most `secs` seconds.
async fn until<T, F: Future<Output = Option<T>>>(
    secs: u64,
    mut probe: impl FnMut() -> F,
) -> Option<T> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = probe().await {
            return Some(v);
        }
        if Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Where the browser tests write their screenshots: `ABDI_SCREENSHOTS`, else
/// `tests/screenshots` in the workspace.
pub fn screenshot_dir() -> PathBuf {
    std::env::var_os("ABDI_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("screenshots"))
}
