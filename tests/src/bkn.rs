//! A BKN stand-in that answers as the SIASN-style API does (INTEGRATION.md, "SIASN / BKN"): no
//! BKN can run here. It issues WSO2 API-manager tokens (HTTP Basic, client credentials) and
//! Keycloak SSO tokens (password grant), wants both on every API call (a gateway 401 fault
//! 900902 when one is missing, 900901 when BKN no longer takes it), keeps uploaded documents
//! (PDF only), takes proposals (404 "Data tidak ditemukan" for a NIP it does not know, 400 for
//! a proposal without documents), lists a period's proposals with their status, Pertek and
//! reasons, and takes the signed SK (idempotently). Switches make it fail with 5xx and
//! Retry-After, expire every token, or take a proposal and never answer (a worker that dies
//! mid-call).

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};

pub const CONSUMER_KEY: &str = "abdi-consumer";
pub const CONSUMER_SECRET: &str = "abdi-consumer-secret";
pub const SSO_CLIENT: &str = "abdi-siasn";
pub const SSO_USER: &str = "199001012020011001";
pub const SSO_PASSWORD: &str = "sso-rahasia";

/// A proposal as BKN holds it.
#[derive(Debug, Clone)]
pub struct Usulan {
    pub id: String,
    pub nip: String,
    pub periode: String,
    pub jenis: String,
    pub golongan_baru: String,
    pub dokumen: Vec<(String, String)>,
    pub status: String,
    pub status_nama: String,
    pub no_pertek: Option<String>,
    pub tgl_pertek: Option<String>,
    pub tmt: Option<String>,
    pub gaji_baru: Option<i64>,
    pub alasan: Vec<String>,
    pub no_sk: Option<String>,
    pub tgl_sk: Option<String>,
    pub sk_file: Option<Vec<u8>>,
}

#[derive(Default)]
struct Inner {
    apim: HashSet<String>,
    sso: HashSet<String>,
    known: HashMap<String, String>,
    documents: HashMap<String, Vec<u8>>,
    usulan: Vec<Usulan>,
    /// (status, Retry-After) for the next API calls.
    failures: Vec<(u16, Option<u64>)>,
    hold_submit: bool,
    calls: Vec<(String, u16)>,
    seq: u64,
}

#[derive(Clone, Default)]
struct Bkn(Arc<Mutex<Inner>>);

pub struct BknPeer {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for BknPeer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl BknPeer {
    pub async fn start() -> BknPeer {
        let state = Bkn::default();
        let inner = state.0.clone();
        let app = axum::Router::new()
            .route("/oauth2/token", post(apim_token))
            .route(
                "/auth/realms/public-siasn/protocol/openid-connect/token",
                post(sso_token),
            )
            .route("/apisiasn/1.0/pns/list-kp-instansi", get(list_kp))
            .route("/apisiasn/1.0/upload-dok", post(upload_dok))
            .route("/apisiasn/1.0/kp/usulan", post(usulan))
            .route("/apisiasn/1.0/upload-dok-sk-kp", post(upload_sk))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        BknPeer { url, inner, task }
    }

    /// The connector's configuration for this stand-in.
    pub fn config(&self) -> abdi_server::config::BknConfig {
        abdi_server::config::BknConfig {
            apim_token_url: format!("{}/oauth2/token", self.url),
            consumer_key: CONSUMER_KEY.into(),
            consumer_secret: abdi_server::config::Secret::new(CONSUMER_SECRET),
            sso_token_url: format!(
                "{}/auth/realms/public-siasn/protocol/openid-connect/token",
                self.url
            ),
            sso_client_id: SSO_CLIENT.into(),
            sso_username: SSO_USER.into(),
            sso_password: abdi_server::config::Secret::new(SSO_PASSWORD),
            api_url: format!("{}/apisiasn/1.0", self.url),
            timeout_secs: 30,
        }
    }

    /// A PNS BKN knows (data-utama).
    pub fn knows(&self, nip: &str, name: &str) {
        self.inner
            .lock()
            .unwrap()
            .known
            .insert(nip.into(), name.into());
    }

    /// The next `n` API calls answer `status` (with Retry-After when given).
    pub fn fail_next(&self, n: usize, status: u16, retry_after: Option<u64>) {
        let mut i = self.inner.lock().unwrap();
        for _ in 0..n {
            i.failures.push((status, retry_after));
        }
    }

    /// BKN no longer takes any token it issued.
    pub fn expire_tokens(&self) {
        let mut i = self.inner.lock().unwrap();
        i.apim.clear();
        i.sso.clear();
    }

    /// Take proposals, and never answer their submission.
    pub fn hold_submissions(&self, hold: bool) {
        self.inner.lock().unwrap().hold_submit = hold;
    }

    /// BKN's technical consideration for the proposal of `nip`.
    pub fn pertek(&self, nip: &str, number: &str, date: &str, tmt: &str, base_salary: i64) {
        let mut i = self.inner.lock().unwrap();
        let u = i.usulan.iter_mut().rfind(|u| u.nip == nip).unwrap();
        u.status = "PERTEK".into();
        u.status_nama = "Pertek Terbit".into();
        u.no_pertek = Some(number.into());
        u.tgl_pertek = Some(date.into());
        u.tmt = Some(tmt.into());
        u.gaji_baru = Some(base_salary);
    }

    /// BKN returns the proposal of `nip`: berkas tidak sesuai, with its reasons.
    pub fn bts(&self, nip: &str, reasons: &[&str]) {
        let mut i = self.inner.lock().unwrap();
        let u = i.usulan.iter_mut().rfind(|u| u.nip == nip).unwrap();
        u.status = "BTS".into();
        u.status_nama = "Berkas Tidak Sesuai".into();
        u.alasan = reasons.iter().map(|r| (*r).to_owned()).collect();
    }

    pub fn proposals(&self) -> Vec<Usulan> {
        self.inner.lock().unwrap().usulan.clone()
    }

    /// (method and path, status) of every call, oldest first.
    pub fn calls(&self) -> Vec<(String, u16)> {
        self.inner.lock().unwrap().calls.clone()
    }
}

fn fault(code: u32, message: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"fault": {"code": code, "message": message, "description": format!("Access failure for API: /apisiasn/1.0, version: 1.0 status: ({code}) - {message}")}})),
    )
        .into_response()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"code": 0, "data": "Data tidak ditemukan"})),
    )
        .into_response()
}

fn invalid(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"code": 0, "message": message})),
    )
        .into_response()
}

fn token(prefix: &str, seq: u64) -> String {
    format!("{prefix}-{seq}-{}", uuid::Uuid::new_v4().simple())
}

async fn apim_token(
    State(s): State<Bkn>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| B64.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let mut i = s.0.lock().unwrap();
    let ok = basic.as_deref() == Some(&format!("{CONSUMER_KEY}:{CONSUMER_SECRET}"))
        && form.get("grant_type").map(String::as_str) == Some("client_credentials");
    let status = if ok { 200 } else { 401 };
    i.calls.push(("POST /oauth2/token".into(), status));
    if !ok {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client", "error_description": "Client Authentication failed."})),
        )
            .into_response();
    }
    i.seq += 1;
    let t = token("apim", i.seq);
    i.apim.insert(t.clone());
    Json(json!({"access_token": t, "scope": "default", "token_type": "Bearer", "expires_in": 3600}))
        .into_response()
}

async fn sso_token(State(s): State<Bkn>, Form(form): Form<HashMap<String, String>>) -> Response {
    let mut i = s.0.lock().unwrap();
    let ok = form.get("grant_type").map(String::as_str) == Some("password")
        && form.get("client_id").map(String::as_str) == Some(SSO_CLIENT)
        && form.get("username").map(String::as_str) == Some(SSO_USER)
        && form.get("password").map(String::as_str) == Some(SSO_PASSWORD);
    let status = if ok { 200 } else { 401 };
    i.calls.push(("POST sso token".into(), status));
    if !ok {
        return (
            StatusCode::UNAUTHORIZED,
            Json(
                json!({"error": "invalid_grant", "error_description": "Invalid user credentials"}),
            ),
        )
            .into_response();
    }
    i.seq += 1;
    let t = token("sso", i.seq);
    i.sso.insert(t.clone());
    Json(json!({"access_token": t, "expires_in": 43200, "refresh_expires_in": 43200, "refresh_token": token("refresh", i.seq), "token_type": "Bearer"}))
        .into_response()
}

/// The gateway's checks and the failure switch, in that order; `None` lets the call through.
fn gate(i: &mut Inner, headers: &HeaderMap, what: &str) -> Option<Response> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let sso = headers
        .get("Auth")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bearer "));
    let (Some(bearer), Some(sso)) = (bearer, sso) else {
        i.calls.push((what.into(), 401));
        return Some(fault(900902, "Missing Credentials"));
    };
    if !i.apim.contains(bearer) || !i.sso.contains(sso) {
        i.calls.push((what.into(), 401));
        return Some(fault(900901, "Invalid Credentials"));
    }
    if !i.failures.is_empty() {
        let (status, after) = i.failures.remove(0);
        i.calls.push((what.into(), status));
        let mut r = (
            StatusCode::from_u16(status).unwrap(),
            Json(json!({"code": 0, "message": "Service Unavailable"})),
        )
            .into_response();
        if let Some(a) = after {
            r.headers_mut()
                .insert(header::RETRY_AFTER, a.to_string().parse().unwrap());
        }
        return Some(r);
    }
    None
}

fn row(u: &Usulan) -> Value {
    json!({
        "id": u.id,
        "pnsId": format!("pns-{}", u.nip),
        "nipBaru": u.nip,
        "nama": "",
        "statusUsulan": u.status,
        "statusUsulanNama": u.status_nama,
        "jenisKpId": u.jenis,
        "golonganBaruId": u.golongan_baru,
        "tmtKp": u.tmt,
        "no_pertek": u.no_pertek,
        "tgl_pertek": u.tgl_pertek,
        "no_sk": u.no_sk,
        "tgl_sk": u.tgl_sk,
        "path_ttd_sk": u.sk_file.as_ref().map(|_| format!("/sk/{}.pdf", u.id)),
        "gaji_pokok_baru": u.gaji_baru,
        "alasan": u.alasan,
    })
}

async fn list_kp(
    State(s): State<Bkn>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut i = s.0.lock().unwrap();
    if let Some(r) = gate(&mut i, &headers, "GET list-kp-instansi") {
        return r;
    }
    let periode = q.get("periode").cloned().unwrap_or_default();
    let rows: Vec<Value> = i
        .usulan
        .iter()
        .filter(|u| u.periode == periode)
        .map(row)
        .collect();
    i.calls.push((
        "GET list-kp-instansi".into(),
        if rows.is_empty() { 404 } else { 200 },
    ));
    if rows.is_empty() {
        return not_found();
    }
    Json(json!({"code": 1, "data": rows})).into_response()
}

/// The multipart fields (text) and the file.
async fn fields(mut m: Multipart) -> (HashMap<String, String>, Option<Vec<u8>>) {
    let mut out = HashMap::new();
    let mut file = None;
    while let Ok(Some(f)) = m.next_field().await {
        let name = f.name().unwrap_or_default().to_owned();
        let bytes = f.bytes().await.unwrap_or_default();
        if name == "file" {
            file = Some(bytes.to_vec());
        } else {
            out.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    (out, file)
}

async fn upload_dok(State(s): State<Bkn>, headers: HeaderMap, m: Multipart) -> Response {
    if let Some(r) = gate(&mut s.0.lock().unwrap(), &headers, "POST upload-dok") {
        return r;
    }
    let (f, file) = fields(m).await;
    let mut i = s.0.lock().unwrap();
    let Some(file) = file.filter(|f| f.starts_with(b"%PDF")) else {
        i.calls.push(("POST upload-dok".into(), 400));
        return invalid("File harus berupa PDF");
    };
    let Some(kind) = f.get("id_ref_dokumen").filter(|k| !k.is_empty()) else {
        i.calls.push(("POST upload-dok".into(), 400));
        return invalid("id_ref_dokumen wajib diisi");
    };
    i.seq += 1;
    let uri = format!("peremajaan/usulan/{kind}/{}.pdf", i.seq);
    i.documents.insert(uri.clone(), file);
    i.calls.push(("POST upload-dok".into(), 200));
    Json(json!({"code": 1, "data": {"dok_uri": uri, "object": uri}})).into_response()
}

async fn usulan(State(s): State<Bkn>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let hold = {
        let mut i = s.0.lock().unwrap();
        if let Some(r) = gate(&mut i, &headers, "POST kp/usulan") {
            return r;
        }
        let nip = body["nipBaru"].as_str().unwrap_or_default().to_owned();
        if !i.known.contains_key(&nip) {
            i.calls.push(("POST kp/usulan".into(), 404));
            return not_found();
        }
        let dokumen: Vec<(String, String)> = body["dokumen"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|d| {
                        (
                            d["id_ref_dokumen"].as_str().unwrap_or_default().to_owned(),
                            d["dok_uri"].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        if dokumen.is_empty() || dokumen.iter().any(|(_, u)| !i.documents.contains_key(u)) {
            i.calls.push(("POST kp/usulan".into(), 400));
            return invalid("Dokumen usulan tidak lengkap");
        }
        let periode = body["periode"].as_str().unwrap_or_default().to_owned();
        if i.usulan
            .iter()
            .any(|u| u.nip == nip && u.periode == periode)
        {
            i.calls.push(("POST kp/usulan".into(), 400));
            return invalid("Usulan untuk NIP ini pada periode ini sudah ada");
        }
        i.seq += 1;
        let id = format!("usulan-{}", i.seq);
        i.usulan.push(Usulan {
            id: id.clone(),
            nip,
            periode,
            jenis: body["jenisKpId"].as_str().unwrap_or_default().to_owned(),
            golongan_baru: body["golonganBaruId"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            dokumen,
            status: "10".into(),
            status_nama: "Input Berkas".into(),
            no_pertek: None,
            tgl_pertek: None,
            tmt: None,
            gaji_baru: None,
            alasan: Vec::new(),
            no_sk: None,
            tgl_sk: None,
            sk_file: None,
        });
        i.calls.push(("POST kp/usulan".into(), 200));
        if i.hold_submit { None } else { Some(id) }
    };
    match hold {
        Some(id) => Json(json!({"code": 1, "data": {"id": id}})).into_response(),
        None => {
            // Taken, and the answer never comes.
            std::future::pending::<()>().await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
    }
}

async fn upload_sk(State(s): State<Bkn>, headers: HeaderMap, m: Multipart) -> Response {
    if let Some(r) = gate(&mut s.0.lock().unwrap(), &headers, "POST upload-dok-sk-kp") {
        return r;
    }
    let (f, file) = fields(m).await;
    let mut i = s.0.lock().unwrap();
    let Some(file) = file.filter(|f| f.starts_with(b"%PDF")) else {
        i.calls.push(("POST upload-dok-sk-kp".into(), 400));
        return invalid("File harus berupa PDF");
    };
    let id = f.get("id_usulan").cloned().unwrap_or_default();
    let Some(u) = i.usulan.iter_mut().find(|u| u.id == id) else {
        i.calls.push(("POST upload-dok-sk-kp".into(), 404));
        return not_found();
    };
    u.no_sk = f.get("no_sk").cloned();
    u.tgl_sk = f.get("tgl_sk").cloned();
    u.sk_file = Some(file);
    u.status = "SK".into();
    u.status_nama = "SK Diunggah".into();
    i.calls.push(("POST upload-dok-sk-kp".into(), 200));
    Json(json!({"code": 1, "data": "Dokumen berhasil diunggah"})).into_response()
}
