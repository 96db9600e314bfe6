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

/// One unknown as the intruder bounds it: what it counts (a table's cell, or a count the
/// tables share: a headcount, a perangkat daerah's PPPK) and the least and greatest whole
/// number it can be.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    pub key: Value,
    pub min: i64,
    pub max: i64,
}

/// Solves the published tables (their JSON), together, for every suppressed count.
pub fn audit(tables: &[Value]) -> Vec<Bound> {
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
        .write_all(Value::from(tables.to_vec()).to_string().as_bytes())
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
            let v: Value = serde_json::from_str(l).unwrap();
            Bound {
                key: v["key"].clone(),
                min: v["min"].as_i64().unwrap(),
                max: v["max"].as_i64().unwrap(),
            }
        })
        .collect()
}
