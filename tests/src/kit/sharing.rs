//! Data sharing in tests: a client system's registration, its calls from a given source
//! address (through the trusted-proxy header, as a load balancer would send it), and the
//! intruder's solver that checks the public statistics (`tests/peers/sdc/audit.py`).

use abdi_proto::sharing::{Agreement, ClientAuth, Contact, NewDataClient};
use reqwest::Response;
use serde_json::Value;

use crate::TestApp;

/// A client system of Kemenag's Biro Kepegawaian with a secret, the default scopes and an
/// agreement to the end of 2026.
pub fn new_client(networks: &[&str], units: &[&str]) -> NewDataClient {
    NewDataClient {
        agency: "Kementerian Agama".into(),
        unit: "Biro Kepegawaian".into(),
        agreement: Agreement {
            number: "B-32502/SJ/B.II.1/Kp.09/09/2019".into(),
            date: "2026-06-01".parse().unwrap(),
            expires_on: "2026-12-31".parse().unwrap(),
        },
        purpose: "Sinkronisasi data kepegawaian untuk SIMPEG Kemenag".into(),
        contact: Contact {
            name: "Admin SIMPEG".into(),
            email: "simpeg@kemenag.go.id".into(),
            phone: None,
        },
        networks: networks.iter().map(|n| (*n).to_owned()).collect(),
        scopes: Vec::new(),
        units: units.iter().map(|u| (*u).to_owned()).collect(),
        auth: ClientAuth::ClientSecret,
        rate_per_minute: None,
    }
}

/// A registered system calling from `address`.
pub struct System<'a> {
    pub app: &'a TestApp,
    pub client_id: String,
    pub secret: Option<String>,
    pub address: String,
}

impl System<'_> {
    /// `POST /api/data/v1/token` with HTTP Basic (and `scope`, if given).
    pub async fn token_request(&self, scope: Option<&str>) -> Response {
        let mut form = vec![("grant_type", "client_credentials".to_owned())];
        if let Some(s) = scope {
            form.push(("scope", s.to_owned()));
        }
        self.app
            .client
            .post(self.app.url("/api/data/v1/token"))
            .basic_auth(&self.client_id, self.secret.as_deref())
            .header("x-forwarded-for", &self.address)
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// A token, which must be given.
    pub async fn token(&self, scope: Option<&str>) -> String {
        let r = self.token_request(scope).await;
        assert_eq!(r.status(), 200, "token: {}", r.text().await.unwrap());
        let body: Value = r.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// A data-API call with `token`.
    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.app
            .client
            .get(self.app.url(path))
            .bearer_auth(token)
            .header("x-forwarded-for", &self.address)
            .send()
            .await
            .unwrap()
    }
}

/// One suppressed count as the intruder bounds it: its row and column (-1 for a total) and
/// the least and greatest whole number it can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    pub row: i64,
    pub col: i64,
    pub min: i64,
    pub max: i64,
}

/// Solves a published table (its JSON) for every suppressed count.
pub fn audit(table: &Value) -> Vec<Bound> {
    use std::io::Write;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/peers/sdc/audit.py");
    let mut child = std::process::Command::new("python3")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 with scipy: scripts/test installs it");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(table.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the audit failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let n: Vec<i64> = l.split(' ').map(|x| x.parse().unwrap()).collect();
            Bound {
                row: n[0],
                col: n[1],
                min: n[2],
                max: n[3],
            }
        })
        .collect()
}
