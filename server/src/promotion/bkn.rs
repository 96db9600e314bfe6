//! The connector to BKN, behind [`Bkn`]: [`Siasn`] speaks the SIASN-style API (a WSO2 API
//! manager token by OAuth2 client credentials, plus a Keycloak SSO token, both on every call).
//!
//! The API has no idempotency key and no webhook, so the worker makes both safe itself: before
//! it submits a proposal it asks BKN for the period's proposals and takes the one it finds for
//! the NIP (a worker that died after sending left one there), and it polls the period's list
//! for BKN's answers.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use tokio::sync::Mutex;

use crate::clock::SharedClock;
use crate::config::BknConfig;

/// One call as the exchange log keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub operation: &'static str,
    pub status: Option<u16>,
    pub outcome: &'static str,
    pub detail: String,
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BknError {
    /// BKN could not answer now (5xx, a timeout, a refused connection, credentials it would
    /// not take): try again later, after `retry_after` when BKN said.
    #[error("BKN unavailable: {detail}")]
    Unavailable {
        retry_after: Option<Duration>,
        detail: String,
    },
    /// BKN refused what was sent (a validation error): sending it again will not help.
    #[error("BKN refused: {detail}")]
    Refused { status: u16, detail: String },
}

/// A proposal as BKN lists it for a period (`list-kp-instansi`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpEntry {
    pub id: String,
    pub nip: String,
    /// `statusUsulan` and its name.
    pub status: String,
    pub status_name: String,
    pub new_rank_id: Option<String>,
    pub tmt: Option<NaiveDate>,
    pub pertek_number: Option<String>,
    pub pertek_date: Option<NaiveDate>,
    pub base_salary: Option<i64>,
    pub sk_number: Option<String>,
    /// BKN's reasons for a return (`alasan`).
    pub reasons: Vec<String>,
}

/// The statuses BKN uses for a returned proposal: BTS (berkas tidak sesuai) and TMS (tidak
/// memenuhi syarat). The codes are the stand-in's reading of public clients: verify them in
/// the training environment.
pub const RETURNED: [&str; 2] = ["BTS", "TMS"];

impl KpEntry {
    pub fn returned(&self) -> bool {
        RETURNED.contains(&self.status.as_str())
    }
}

/// What is sent for one proposal.
#[derive(Debug, Clone)]
pub struct Submission {
    pub nip: String,
    pub period: NaiveDate,
    /// BKN's reference id of the kind (`jenisKpId`).
    pub kind_id: &'static str,
    /// BKN's golongan id of the new rank (`golonganBaruId`, e.g. 32 for III/b).
    pub new_rank_id: String,
    /// (`id_ref_dokumen`, `dok_uri`) of the documents already uploaded.
    pub documents: Vec<(String, String)>,
}

/// The calls the worker makes; each records what it did in `log`.
#[async_trait]
pub trait Bkn: Send + Sync {
    /// The period's proposals.
    async fn period(
        &self,
        period: NaiveDate,
        log: &mut Vec<Call>,
    ) -> Result<Vec<KpEntry>, BknError>;
    /// Uploads one document; BKN answers its `dok_uri`.
    async fn upload_document(
        &self,
        kind: &str,
        name: &str,
        file: Bytes,
        log: &mut Vec<Call>,
    ) -> Result<String, BknError>;
    /// Submits a proposal; BKN answers its id (id usulan).
    async fn submit(&self, s: &Submission, log: &mut Vec<Call>) -> Result<String, BknError>;
    /// Uploads the signed SK of a proposal (idempotent at BKN).
    async fn upload_sk(
        &self,
        id: &str,
        number: &str,
        date: NaiveDate,
        pdf: Bytes,
        log: &mut Vec<Call>,
    ) -> Result<(), BknError>;
}

#[derive(Debug, Clone)]
struct Token {
    value: String,
    expires: DateTime<Utc>,
}

/// The SIASN-style client.
pub struct Siasn {
    config: BknConfig,
    http: reqwest::Client,
    clock: SharedClock,
    tokens: Mutex<Option<(Token, Token)>>,
}

/// BKN's golongan id of a rank: golongan and ruang as digits (I/a 11 ... IV/e 45).
pub fn rank_id(rank: abdi_proto::RankCode) -> String {
    let ruang = (rank.ruang() as u8 - b'a' + 1) as u32;
    format!("{}{}", rank.golongan_number(), ruang)
}

/// The rank of a BKN golongan id.
pub fn rank_of_id(id: &str) -> Option<abdi_proto::RankCode> {
    let mut c = id.chars();
    let g = c.next()?.to_digit(10)?;
    let r = c.next()?.to_digit(10)?;
    let golongan = ["I", "II", "III", "IV"].get((g as usize).checked_sub(1)?)?;
    let ruang = char::from(b'a' + u8::try_from(r.checked_sub(1)?).ok()?);
    abdi_proto::RankCode::parse(&format!("{golongan}/{ruang}")).ok()
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

fn excerpt(body: &str) -> String {
    body.chars().take(300).collect()
}

fn unavailable(detail: impl Into<String>) -> BknError {
    BknError::Unavailable {
        retry_after: None,
        detail: detail.into(),
    }
}

/// A call BKN did not answer (refused connection, timeout): logged, to be tried again.
fn unanswered(operation: &'static str, e: &reqwest::Error, log: &mut Vec<Call>) -> BknError {
    log.push(Call {
        operation,
        status: None,
        outcome: "retry",
        detail: e.to_string(),
    });
    unavailable(e.to_string())
}

fn date(v: &Value) -> Option<NaiveDate> {
    let s = v.as_str()?.get(..10)?;
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d-%m-%Y"))
        .ok()
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl KpEntry {
    fn of(v: &Value) -> Option<Self> {
        Some(Self {
            id: text(&v["id"])?,
            nip: text(&v["nipBaru"])?,
            status: text(&v["statusUsulan"]).unwrap_or_default(),
            status_name: text(&v["statusUsulanNama"]).unwrap_or_default(),
            new_rank_id: text(&v["golonganBaruId"]),
            tmt: date(&v["tmtKp"]),
            pertek_number: text(&v["no_pertek"]),
            pertek_date: date(&v["tgl_pertek"]),
            base_salary: v["gaji_pokok_baru"]
                .as_i64()
                .or_else(|| v["gaji_pokok_baru"].as_str()?.parse().ok()),
            sk_number: text(&v["no_sk"]),
            reasons: match &v["alasan"] {
                Value::Array(a) => a.iter().filter_map(text).collect(),
                Value::String(s) if !s.is_empty() => vec![s.clone()],
                _ => Vec::new(),
            },
        })
    }
}

impl Siasn {
    pub fn new(config: BknConfig, clock: SharedClock) -> Result<Arc<Self>, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.timeout_secs.max(1)))
            .build()?;
        Ok(Arc::new(Self {
            config,
            http,
            clock,
            tokens: Mutex::new(None),
        }))
    }

    async fn token(
        &self,
        operation: &'static str,
        req: reqwest::RequestBuilder,
        log: &mut Vec<Call>,
    ) -> Result<Token, BknError> {
        let now = self.clock.now();
        let resp = req
            .send()
            .await
            .map_err(|e| unanswered(operation, &e, log))?;
        let status = resp.status().as_u16();
        let after = retry_after(resp.headers());
        let body = resp.text().await.unwrap_or_default();
        let json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        match json["access_token"].as_str() {
            Some(t) if status == 200 => {
                let secs = json["expires_in"].as_i64().unwrap_or(300);
                log.push(Call {
                    operation,
                    status: Some(status),
                    outcome: "ok",
                    detail: format!("expires_in {secs}"),
                });
                Ok(Token {
                    value: t.to_owned(),
                    // A minute early, so a token never expires on its way.
                    expires: now + chrono::Duration::seconds((secs - 60).max(1)),
                })
            }
            _ => {
                log.push(Call {
                    operation,
                    status: Some(status),
                    outcome: "retry",
                    detail: excerpt(&body),
                });
                // Credentials BKN will not take are a configuration to fix, not a proposal's
                // fault: the proposal waits and the exchange log says why.
                Err(BknError::Unavailable {
                    retry_after: after,
                    detail: format!("{operation}: HTTP {status} {}", excerpt(&body)),
                })
            }
        }
    }

    /// Both tokens, fetched again when either is about to expire.
    async fn tokens(&self, log: &mut Vec<Call>) -> Result<(String, String), BknError> {
        let mut held = self.tokens.lock().await;
        let now = self.clock.now();
        if let Some((apim, sso)) = held.as_ref()
            && apim.expires > now
            && sso.expires > now
        {
            return Ok((apim.value.clone(), sso.value.clone()));
        }
        let c = &self.config;
        let apim = self
            .token(
                "token_apim",
                self.http
                    .post(&c.apim_token_url)
                    .basic_auth(&c.consumer_key, Some(c.consumer_secret.expose()))
                    .form(&[("grant_type", "client_credentials")]),
                log,
            )
            .await?;
        let sso = self
            .token(
                "token_sso",
                self.http.post(&c.sso_token_url).form(&[
                    ("grant_type", "password"),
                    ("client_id", c.sso_client_id.as_str()),
                    ("username", c.sso_username.as_str()),
                    ("password", c.sso_password.expose()),
                ]),
                log,
            )
            .await?;
        let out = (apim.value.clone(), sso.value.clone());
        *held = Some((apim, sso));
        Ok(out)
    }

    /// One API call with both tokens; a gateway 401 (a token BKN no longer takes) drops the
    /// tokens and tries once more with fresh ones.
    async fn call(
        &self,
        operation: &'static str,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
        log: &mut Vec<Call>,
    ) -> Result<Value, BknError> {
        for attempt in 0..2 {
            let (apim, sso) = self.tokens(log).await?;
            let resp = build(&self.http)
                .bearer_auth(&apim)
                .header("Auth", format!("bearer {sso}"))
                .send()
                .await
                .map_err(|e| unanswered(operation, &e, log))?;
            let status = resp.status().as_u16();
            let after = retry_after(resp.headers());
            let body = resp.text().await.unwrap_or_default();
            let json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            match status {
                200..=299 => {
                    log.push(Call {
                        operation,
                        status: Some(status),
                        outcome: "ok",
                        detail: excerpt(&body),
                    });
                    return Ok(json);
                }
                401 if attempt == 0 => {
                    log.push(Call {
                        operation,
                        status: Some(status),
                        outcome: "retry",
                        detail: format!("token refused, fetching new ones: {}", excerpt(&body)),
                    });
                    *self.tokens.lock().await = None;
                }
                400..=499 if status != 401 && status != 408 && status != 429 => {
                    log.push(Call {
                        operation,
                        status: Some(status),
                        outcome: "refused",
                        detail: excerpt(&body),
                    });
                    let detail = json["message"]
                        .as_str()
                        .or_else(|| json["data"].as_str())
                        .map_or_else(|| excerpt(&body), str::to_owned);
                    return Err(BknError::Refused { status, detail });
                }
                _ => {
                    log.push(Call {
                        operation,
                        status: Some(status),
                        outcome: "retry",
                        detail: excerpt(&body),
                    });
                    return Err(BknError::Unavailable {
                        retry_after: after,
                        detail: format!("{operation}: HTTP {status}"),
                    });
                }
            }
        }
        Err(unavailable(format!(
            "{operation}: BKN refused fresh tokens too"
        )))
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.config.api_url.trim_end_matches('/'))
    }
}

#[async_trait]
impl Bkn for Siasn {
    async fn period(
        &self,
        period: NaiveDate,
        log: &mut Vec<Call>,
    ) -> Result<Vec<KpEntry>, BknError> {
        let url = self.url("pns/list-kp-instansi");
        let periode = period.format("%Y-%m-%d").to_string();
        let json = match self
            .call(
                "status",
                |http| http.get(&url).query(&[("periode", periode.as_str())]),
                log,
            )
            .await
        {
            // "Data tidak ditemukan": no proposal in the period yet, which is an answer.
            Err(BknError::Refused { status: 404, .. }) => {
                if let Some(last) = log.last_mut() {
                    last.outcome = "ok";
                }
                return Ok(Vec::new());
            }
            other => other?,
        };
        Ok(match &json["data"] {
            Value::Array(rows) => rows.iter().filter_map(KpEntry::of).collect(),
            _ => Vec::new(),
        })
    }

    async fn upload_document(
        &self,
        kind: &str,
        name: &str,
        file: Bytes,
        log: &mut Vec<Call>,
    ) -> Result<String, BknError> {
        let url = self.url("upload-dok");
        let json = self
            .call(
                "upload_document",
                |http| {
                    let part = reqwest::multipart::Part::stream(file.clone())
                        .file_name(name.to_owned())
                        .mime_str("application/pdf")
                        .unwrap_or_else(|_| reqwest::multipart::Part::stream(file.clone()));
                    let form = reqwest::multipart::Form::new()
                        .text("id_ref_dokumen", kind.to_owned())
                        .part("file", part);
                    http.post(&url).multipart(form)
                },
                log,
            )
            .await?;
        text(&json["data"]["dok_uri"]).ok_or_else(|| unavailable("upload-dok answered no dok_uri"))
    }

    async fn submit(&self, s: &Submission, log: &mut Vec<Call>) -> Result<String, BknError> {
        let url = self.url("kp/usulan");
        let body = serde_json::json!({
            "nipBaru": s.nip,
            "periode": s.period.format("%Y-%m-%d").to_string(),
            "jenisKpId": s.kind_id,
            "golonganBaruId": s.new_rank_id,
            "dokumen": s.documents.iter().map(|(k, uri)| serde_json::json!({
                "id_ref_dokumen": k, "dok_uri": uri,
            })).collect::<Vec<_>>(),
        });
        let json = self
            .call("submit", |http| http.post(&url).json(&body), log)
            .await?;
        text(&json["data"]["id"]).ok_or_else(|| unavailable("the submission answered no id"))
    }

    async fn upload_sk(
        &self,
        id: &str,
        number: &str,
        date: NaiveDate,
        pdf: Bytes,
        log: &mut Vec<Call>,
    ) -> Result<(), BknError> {
        let url = self.url("upload-dok-sk-kp");
        self.call(
            "upload_sk",
            |http| {
                let part = reqwest::multipart::Part::stream(pdf.clone())
                    .file_name("sk-kp.pdf")
                    .mime_str("application/pdf")
                    .unwrap_or_else(|_| reqwest::multipart::Part::stream(pdf.clone()));
                let form = reqwest::multipart::Form::new()
                    .text("id_usulan", id.to_owned())
                    .text("no_sk", number.to_owned())
                    .text("tgl_sk", date.format("%d-%m-%Y").to_string())
                    .part("file", part);
                http.post(&url).multipart(form)
            },
            log,
        )
        .await
        .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golongan_ids_round_trip() {
        for r in abdi_proto::RankCode::all() {
            assert_eq!(rank_of_id(&rank_id(r)), Some(r));
        }
        assert_eq!(rank_id("III/b".parse().unwrap()), "32");
        assert_eq!(rank_of_id("46"), None);
        assert_eq!(rank_of_id("x"), None);
    }
}
