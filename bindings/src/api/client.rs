//! The one client handle the app holds, and what it does. Dynamic data (form schemas, form
//! values, request views) crosses as JSON with the shapes of `/openapi.json`; everything the
//! app switches on is a typed field.

use std::sync::Arc;
use std::time::Duration;

use abdi_core::{Client, ClientConfig, CoreError, PinnedRoots, QueueState, SecureStore};
use abdi_proto::Lang;
use abdi_proto::forms::FormValues;
use abdi_proto::notifications::PushPlatform;
use abdi_proto::services::{Decision, Outcome};
use flutter_rust_bridge::DartFnFuture;
use uuid::Uuid;

use super::error::{BridgeError, FieldProblem};
use super::offline::{LetterCheck, date, letter_check};
use crate::frb_generated::StreamSink;

/// How the app reaches the server.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// e.g. `https://abdi.jatimprov.go.id`.
    pub base_url: String,
    /// `id` or `en`: the language of the server's messages.
    pub language: String,
    /// e.g. "Samsung Galaxy A14", shown in the employee's session list.
    pub device_name: String,
    /// `android` or `ios`.
    pub platform: String,
    pub app_version: String,
    /// Base64 SHA-256 SPKI hashes of the Abdi server's chain; empty for no pinning.
    pub spki_pins: Vec<String>,
    /// The roots a signed letter must chain to (PEM), pinned in the app.
    pub letter_roots_pem: Vec<u8>,
}

type Get = Arc<dyn Fn(String) -> DartFnFuture<Option<String>> + Send + Sync>;
type Set = Arc<dyn Fn(String, String) -> DartFnFuture<bool> + Send + Sync>;
type Delete = Arc<dyn Fn(String) -> DartFnFuture<bool> + Send + Sync>;

/// Secure storage in Dart (flutter_secure_storage over Keystore / Keychain).
struct DartSecureStore {
    get: Get,
    set: Set,
    delete: Delete,
}

#[async_trait::async_trait]
impl SecureStore for DartSecureStore {
    async fn get(&self, key: &str) -> Result<Option<String>, CoreError> {
        Ok((self.get)(key.to_owned()).await)
    }

    async fn set(&self, key: &str, value: &str) -> Result<(), CoreError> {
        match (self.set)(key.to_owned(), value.to_owned()).await {
            true => Ok(()),
            false => Err(CoreError::Storage(format!("secure storage refused {key}"))),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), CoreError> {
        match (self.delete)(key.to_owned()).await {
            true => Ok(()),
            false => Err(CoreError::Storage(format!("secure storage refused {key}"))),
        }
    }
}

/// The platform's attestation, asked for in Dart (Play Integrity, App Attest).
struct DartAttestor(Get);

#[async_trait::async_trait]
impl abdi_core::attendance::Attestor for DartAttestor {
    async fn attest(&self, request_hash: &str) -> Option<abdi_proto::attendance::AttestationToken> {
        // A token the app could not shape is sent as none: the server flags, never loses it.
        let token = (self.0)(request_hash.to_owned()).await?;
        serde_json::from_str(&token).ok()
    }
}

/// The signed-in phone: one per app.
#[flutter_rust_bridge::frb(opaque)]
pub struct AbdiClient {
    inner: Arc<Client>,
}

/// A session that was opened.
#[derive(Debug, Clone)]
pub struct SessionSummary {
    pub session_id: String,
    /// `activation`, `passkey` or `sso`.
    pub method: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// The activation mail is on its way (the same answer whether or not the NIP matched).
#[derive(Debug, Clone)]
pub struct ActivationNotice {
    pub message_id: String,
    pub message_en: String,
    pub expires_in_minutes: u64,
}

/// Open `authorization_url` in the system browser; hand back what returns to `redirect_uri`.
#[derive(Debug, Clone)]
pub struct SsoStart {
    pub authorization_url: String,
    pub redirect_uri: String,
}

/// A passkey ceremony for the platform authenticator.
#[derive(Debug, Clone)]
pub struct PasskeyPrompt {
    pub challenge_id: String,
    /// Android Credential Manager's `requestJson`.
    pub request_json: String,
    /// For iOS AuthenticationServices: relying party, base64url challenge and user handle.
    pub rp_id: String,
    pub challenge: String,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    /// Base64url credential ids allowed (login) or excluded (registration).
    pub credential_ids: Vec<String>,
}

/// A file for a form's attachment field.
#[derive(Debug, Clone)]
pub struct AttachmentFile {
    pub field: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A queued submission and where it stands.
#[derive(Debug, Clone)]
pub struct QueueItem {
    /// Also its idempotency key.
    pub id: String,
    pub service: String,
    /// `pending`, `sent`, `proposed` or `rejected`.
    pub state: String,
    /// For `sent`: the request on the server; for `proposed`: the proposal.
    pub request_id: Option<String>,
    pub attempts: u32,
    /// For `rejected`, and for `pending` after a failed attempt: why.
    pub error: Option<BridgeError>,
}

/// A change the employee should see (also the inbox item it came with).
#[derive(Debug, Clone)]
pub struct StatusEvent {
    pub id: i64,
    /// `request_status`, `passkey_added` or `new_device`.
    pub kind: String,
    pub title_id: String,
    pub title_en: String,
    pub body_id: String,
    pub body_en: String,
    pub request_id: Option<String>,
    /// The request's new status (`submitted`, `in_review`, `decided`, ...).
    pub status: Option<String>,
    /// Once decided: `disetujui`, `perubahan`, `ditangguhkan`, `tidak_disetujui`.
    pub outcome: Option<String>,
}

/// A letter for the viewer: the PDF and what its verification on the phone found.
#[derive(Debug, Clone)]
pub struct ViewedLetter {
    pub pdf: Vec<u8>,
    pub check: LetterCheck,
    pub number: String,
    /// True when offline and the copy on the phone was used.
    pub from_cache: bool,
}

fn code<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn uuid(what: &str, s: &str) -> Result<Uuid, BridgeError> {
    Uuid::parse_str(s).map_err(|e| BridgeError::input(what, e))
}

fn json<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T, BridgeError> {
    serde_json::from_str(s).map_err(|e| BridgeError::input(what, e))
}

fn to_json(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn session(s: abdi_proto::identity::SessionInfo) -> SessionSummary {
    SessionSummary {
        session_id: s.id,
        method: s.method,
        expires_at: s.expires_at.to_rfc3339(),
    }
}

fn prompt(p: abdi_core::PasskeyPrompt) -> PasskeyPrompt {
    PasskeyPrompt {
        challenge_id: p.challenge_id,
        request_json: p.request_json,
        rp_id: p.rp_id,
        challenge: p.challenge,
        user_id: p.user_id,
        user_name: p.user_name,
        credential_ids: p.credential_ids,
    }
}

fn queue_item(
    id: Uuid,
    service: String,
    state: &QueueState,
    attempts: u32,
    error: Option<CoreError>,
) -> QueueItem {
    let (name, request_id, rejected) = match state {
        QueueState::Pending => ("pending", None, None),
        QueueState::Sent { request_id, .. } => ("sent", Some(request_id.to_string()), None),
        QueueState::Proposed { proposal_id, .. } => {
            ("proposed", Some(proposal_id.to_string()), None)
        }
        QueueState::Rejected { code, message } => (
            "rejected",
            None,
            Some(BridgeError {
                code: code.clone(),
                message_id: message.id.clone(),
                message_en: message.en.clone(),
                transient: false,
                fields: Vec::new(),
            }),
        ),
    };
    QueueItem {
        id: id.to_string(),
        service,
        state: name.into(),
        request_id,
        attempts,
        error: rejected.or(error.map(BridgeError::from)),
    }
}

impl AbdiClient {
    /// A client keeping secrets through the three secure-storage callbacks (only there) and
    /// everything else under `data_dir` (the app's private folder).
    pub fn new(
        options: ClientOptions,
        data_dir: String,
        secure_get: impl Fn(String) -> DartFnFuture<Option<String>> + Send + Sync + 'static,
        secure_set: impl Fn(String, String) -> DartFnFuture<bool> + Send + Sync + 'static,
        secure_delete: impl Fn(String) -> DartFnFuture<bool> + Send + Sync + 'static,
    ) -> Result<AbdiClient, BridgeError> {
        let mut config = ClientConfig::new(options.base_url);
        config.lang = if options.language == "en" {
            Lang::En
        } else {
            Lang::Id
        };
        config.device_name = options.device_name;
        config.platform = options.platform;
        config.app_version = options.app_version;
        config.spki_pins = options.spki_pins;
        config.connect_timeout = Duration::from_secs(10);
        let roots = if options.letter_roots_pem.is_empty() {
            None
        } else {
            Some(PinnedRoots::from_pem(&options.letter_roots_pem)?)
        };
        let secure = Arc::new(DartSecureStore {
            get: Arc::new(secure_get),
            set: Arc::new(secure_set),
            delete: Arc::new(secure_delete),
        });
        Ok(AbdiClient {
            inner: Arc::new(Client::new(config, secure, data_dir, roots)?),
        })
    }

    /// Whether a session is stored (show the home screen, not the login).
    pub async fn has_session(&self) -> Result<bool, BridgeError> {
        Ok(self.inner.has_session().await?)
    }

    /// Asks for an activation link by email.
    pub async fn request_activation(
        &self,
        nip: String,
        email: String,
        phone: String,
    ) -> Result<ActivationNotice, BridgeError> {
        let a = self.inner.request_activation(&nip, &email, &phone).await?;
        Ok(ActivationNotice {
            message_id: a.message_id,
            message_en: a.message_en,
            expires_in_minutes: a.expires_in_minutes,
        })
    }

    /// Opens a session from the activation link the app was opened with.
    pub async fn redeem_activation(&self, link: String) -> Result<SessionSummary, BridgeError> {
        Ok(session(self.inner.redeem_activation(&link).await?))
    }

    /// Starts an SSO login with the named provider.
    pub async fn start_sso(&self, provider: String) -> Result<SsoStart, BridgeError> {
        let s = self.inner.start_sso(&provider).await?;
        Ok(SsoStart {
            authorization_url: s.authorization_url,
            redirect_uri: s.redirect_uri,
        })
    }

    /// Finishes it with the redirect the browser came back with.
    pub async fn finish_sso(&self, redirect: String) -> Result<SessionSummary, BridgeError> {
        Ok(session(self.inner.finish_sso(&redirect).await?))
    }

    pub async fn begin_passkey_registration(&self) -> Result<PasskeyPrompt, BridgeError> {
        Ok(prompt(self.inner.begin_passkey_registration().await?))
    }

    /// `response_json`: the platform's `RegistrationResponseJSON`.
    pub async fn finish_passkey_registration(
        &self,
        challenge_id: String,
        name: String,
        response_json: String,
    ) -> Result<(), BridgeError> {
        self.inner
            .finish_passkey_registration(&challenge_id, &name, &response_json)
            .await?;
        Ok(())
    }

    pub async fn begin_passkey_login(&self) -> Result<PasskeyPrompt, BridgeError> {
        Ok(prompt(self.inner.begin_passkey_login().await?))
    }

    /// `response_json`: the platform's `AuthenticationResponseJSON`.
    pub async fn finish_passkey_login(
        &self,
        challenge_id: String,
        response_json: String,
    ) -> Result<SessionSummary, BridgeError> {
        Ok(session(
            self.inner
                .finish_passkey_login(&challenge_id, &response_json)
                .await?,
        ))
    }

    /// Before a decision when the server answered `step_up_required`.
    pub async fn begin_step_up(&self) -> Result<PasskeyPrompt, BridgeError> {
        Ok(prompt(self.inner.begin_step_up().await?))
    }

    pub async fn finish_step_up(
        &self,
        challenge_id: String,
        response_json: String,
    ) -> Result<(), BridgeError> {
        self.inner
            .finish_step_up(&challenge_id, &response_json)
            .await?;
        Ok(())
    }

    /// Ends the session (forgotten on the phone even when offline).
    pub async fn logout(&self) -> Result<(), BridgeError> {
        Ok(self.inner.logout().await?)
    }

    /// Fetches a service and keeps it for offline use; returns the `ServiceDefinition` JSON.
    pub async fn fetch_service(&self, code: String) -> Result<String, BridgeError> {
        Ok(to_json(&self.inner.service(&code).await?))
    }

    /// The service as last fetched (`ServiceDefinition` JSON), offline.
    pub async fn cached_service(&self, code: String) -> Result<String, BridgeError> {
        Ok(to_json(&self.inner.cached_service(&code).await?))
    }

    /// Checks form values (JSON object) against the cached schema, offline.
    pub async fn validate_offline(
        &self,
        service: String,
        form_json: String,
        today: String,
    ) -> Result<Vec<FieldProblem>, BridgeError> {
        let form: FormValues = json("form", &form_json)?;
        let errors = self
            .inner
            .validate_offline(&service, &form, date("today", &today)?)
            .await?;
        Ok(BridgeError::from(CoreError::FormInvalid(errors)).fields)
    }

    /// Whether the employee meets a cached service's conditions, offline (`Evaluation` JSON):
    /// the reasons they are not yet eligible, with what was seen ("9 of 10 years").
    pub async fn eligibility_offline(
        &self,
        service: String,
        form_json: String,
        today: String,
    ) -> Result<String, BridgeError> {
        let form: FormValues = json("form", &form_json)?;
        Ok(to_json(
            &self
                .inner
                .eligibility_offline(&service, &form, date("today", &today)?)
                .await?,
        ))
    }

    /// Fetches and keeps the promotion policy (`PromotionPolicy` JSON) for offline use.
    pub async fn promotion_policy(&self) -> Result<String, BridgeError> {
        Ok(to_json(&self.inner.promotion_policy().await?))
    }

    /// The employee's promotion outlook as of `today` (`PromotionOutlook` JSON), offline from
    /// the cached policy, record and archive: the first period they are due in, the new rank,
    /// and what they still lack, with what was seen.
    pub async fn promotion_outlook(&self, today: String) -> Result<String, BridgeError> {
        Ok(to_json(
            &self.inner.promotion_outlook(date("today", &today)?).await?,
        ))
    }

    /// Checks and queues a submission on the phone; call [`AbdiClient::flush`] to send.
    pub async fn enqueue(
        &self,
        service: String,
        form_json: String,
        attachments: Vec<AttachmentFile>,
        today: String,
    ) -> Result<QueueItem, BridgeError> {
        let form: FormValues = json("form", &form_json)?;
        let files = attachments
            .into_iter()
            .map(|a| abdi_core::NewAttachment {
                field: a.field,
                name: a.name,
                bytes: a.bytes,
            })
            .collect();
        let q = self
            .inner
            .enqueue(&service, form, files, date("today", &today)?)
            .await?;
        Ok(queue_item(q.id, q.service, &q.state, q.attempts, None))
    }

    /// Checks and queues a proposal to change the record (`ProposalDraft` JSON, without its
    /// evidence) with its evidence files; [`AbdiClient::flush`] sends it.
    pub async fn enqueue_proposal(
        &self,
        draft_json: String,
        evidence: Vec<AttachmentFile>,
        today: String,
    ) -> Result<QueueItem, BridgeError> {
        let draft: abdi_proto::updates::ProposalDraft = json("draft", &draft_json)?;
        let files = evidence.into_iter().map(|a| (a.name, a.bytes)).collect();
        let q = self
            .inner
            .enqueue_proposal(draft, files, date("today", &today)?)
            .await?;
        Ok(queue_item(q.id, q.service, &q.state, q.attempts, None))
    }

    /// The employee's proposals (`ProposalPage` JSON), kept for offline use.
    pub async fn my_proposals(&self) -> Result<String, BridgeError> {
        Ok(to_json(&self.inner.my_proposals().await?))
    }

    /// The archive of verified documents (`ArchiveDocument` JSON array), kept for offline use.
    pub async fn my_archive(&self) -> Result<String, BridgeError> {
        Ok(to_json(&self.inner.my_archive().await?))
    }

    /// The record's completeness (`Completeness` JSON), worked out offline.
    pub async fn completeness(&self) -> Result<String, BridgeError> {
        Ok(to_json(&self.inner.completeness().await?))
    }

    /// Sends what waits, oldest first; one item per submission tried.
    pub async fn flush(&self) -> Result<Vec<QueueItem>, BridgeError> {
        let done = self.inner.flush().await?;
        let all = self.inner.queued().await?;
        Ok(done
            .into_iter()
            .map(|o| {
                let attempts = all.iter().find(|q| q.id == o.id).map_or(0, |q| q.attempts);
                queue_item(o.id, o.service, &o.state, attempts, o.error)
            })
            .collect())
    }

    /// Everything in the queue, oldest first.
    pub async fn queued(&self) -> Result<Vec<QueueItem>, BridgeError> {
        Ok(self
            .inner
            .queued()
            .await?
            .into_iter()
            .map(|q| queue_item(q.id, q.service, &q.state, q.attempts, None))
            .collect())
    }

    /// Removes a queued submission once its outcome was shown.
    pub async fn dismiss(&self, id: String) -> Result<(), BridgeError> {
        Ok(self.inner.dismiss(uuid("id", &id)?).await?)
    }

    /// The employee's requests (`RequestSummary` JSON array), kept for offline use.
    pub async fn my_requests(&self) -> Result<String, BridgeError> {
        Ok(to_json(&self.inner.my_requests().await?))
    }

    /// The requests as last fetched, offline.
    pub async fn cached_requests(&self) -> Result<String, BridgeError> {
        Ok(to_json(&self.inner.cached_requests().await?))
    }

    /// The employee's own record (`EmployeeRecord` JSON), kept for offline use.
    pub async fn my_record(&self) -> Result<String, BridgeError> {
        Ok(to_json(&self.inner.my_record().await?))
    }

    /// Which other systems read the employee's data, and when (`MyDataAccessPage` JSON, newest
    /// first); `after` is the `next` of the previous page.
    pub async fn my_data_access(&self, after: Option<i64>) -> Result<String, BridgeError> {
        Ok(to_json(&self.inner.my_data_access(after).await?))
    }

    /// Enrols this phone for attendance (its signing key stays in secure storage); returns
    /// the device id. The phone enrolled before is retired.
    pub async fn enroll_for_attendance(&self, name: String) -> Result<String, BridgeError> {
        Ok(self.inner.enroll_for_attendance(&name).await?.to_string())
    }

    /// Checks in (`kind` `in`) or out (`out`) with the fix the OS gave (`Fix` JSON: position,
    /// accuracy, the mock flag, the wall clock, `elapsedRealtime` and the boot, optionally the
    /// photo's location and the Wi-Fi BSSID). Answers `{"sent": CheckIn}` with the server's
    /// verdict and reasons, or, without a network, `{"queued": QueuedCheckIn}`.
    pub async fn check_in(&self, kind: String, fix_json: String) -> Result<String, BridgeError> {
        self.checked_in(&kind, &fix_json, None).await
    }

    /// [`AbdiClient::check_in`] with the platform's attestation: `attest` is handed the
    /// record's request hash (base64url) to ask Play Integrity or App Attest with, and answers
    /// the token as `AttestationToken` JSON (`{"platform": "play_integrity" | "app_attest",
    /// "token": ...}`), or null when the platform gives none.
    pub async fn check_in_attested(
        &self,
        kind: String,
        fix_json: String,
        attest: impl Fn(String) -> DartFnFuture<Option<String>> + Send + Sync + 'static,
    ) -> Result<String, BridgeError> {
        let attestor = DartAttestor(Arc::new(attest));
        self.checked_in(&kind, &fix_json, Some(&attestor)).await
    }

    async fn checked_in(
        &self,
        kind: &str,
        fix_json: &str,
        attestor: Option<&dyn abdi_core::attendance::Attestor>,
    ) -> Result<String, BridgeError> {
        use abdi_proto::attendance::CheckKind;
        let kind = match kind {
            "in" => CheckKind::In,
            "out" => CheckKind::Out,
            other => return Err(BridgeError::input("kind", format!("'{other}' (in, out)"))),
        };
        let fix: abdi_proto::attendance::Fix = json("fix", fix_json)?;
        Ok(
            match self.inner.check_in_attested(kind, fix, attestor).await? {
                abdi_core::attendance::CheckInOutcome::Sent(c) => {
                    to_json(&serde_json::json!({ "sent": c }))
                }
                abdi_core::attendance::CheckInOutcome::Queued(q) => {
                    to_json(&serde_json::json!({ "queued": q }))
                }
            },
        )
    }

    /// Sends the queued check-ins with the monotonic clock as it reads now (`elapsed_ms`
    /// since the boot `boot_id`); answers their outcomes (`CheckIn` JSON list).
    pub async fn flush_check_ins(
        &self,
        elapsed_ms: u64,
        boot_id: String,
    ) -> Result<String, BridgeError> {
        Ok(to_json(
            &self.inner.flush_check_ins(elapsed_ms, &boot_id).await?,
        ))
    }

    /// The check-ins waiting for a network (`QueuedCheckIn` JSON list), oldest first.
    pub async fn queued_check_ins(&self) -> Result<String, BridgeError> {
        Ok(to_json(&self.inner.queued_check_ins().await?))
    }

    /// The employee's check-ins from `from` to `to` (`YYYY-MM-DD`, both included; `CheckIn`
    /// JSON list, newest first).
    pub async fn my_check_ins(&self, from: String, to: String) -> Result<String, BridgeError> {
        Ok(to_json(
            &self
                .inner
                .my_check_ins(date("from", &from)?, date("to", &to)?)
                .await?,
        ))
    }

    /// What each day from `from` to `to` came to (`DayStatus` JSON list).
    pub async fn my_attendance_days(
        &self,
        from: String,
        to: String,
    ) -> Result<String, BridgeError> {
        Ok(to_json(
            &self
                .inner
                .my_attendance_days(date("from", &from)?, date("to", &to)?)
                .await?,
        ))
    }

    /// Where the employee may check in (`Place` JSON list), to show the distance first.
    pub async fn attendance_places(&self) -> Result<String, BridgeError> {
        Ok(to_json(&self.inner.attendance_places().await?))
    }

    /// The record as last fetched, offline (`not_cached` before the first fetch).
    pub async fn cached_record(&self) -> Result<String, BridgeError> {
        Ok(to_json(&self.inner.cached_record().await?))
    }

    /// The record's Daftar Riwayat Hidup (PDF bytes), kept for offline use.
    pub async fn my_record_pdf(&self) -> Result<Vec<u8>, BridgeError> {
        Ok(self.inner.my_record_pdf().await?)
    }

    /// The DRH as last fetched, offline.
    pub async fn cached_record_pdf(&self) -> Result<Vec<u8>, BridgeError> {
        Ok(self.inner.cached_record_pdf().await?)
    }

    /// Requests waiting for this employee's decision (`WorkList` JSON).
    pub async fn work_inbox(&self) -> Result<String, BridgeError> {
        Ok(to_json(&self.inner.work_inbox().await?))
    }

    /// A decision: `outcome` is `disetujui`, `perubahan`, `ditangguhkan` or
    /// `tidak_disetujui`; `version` the one shown. Returns the new status.
    pub async fn decide(
        &self,
        request_id: String,
        version: u32,
        outcome: String,
        note: Option<String>,
    ) -> Result<String, BridgeError> {
        let outcome: Outcome = json("outcome", &format!("\"{outcome}\""))?;
        let view = self
            .inner
            .decide(
                uuid("request_id", &request_id)?,
                &Decision {
                    version,
                    outcome,
                    note,
                    changes: None,
                },
            )
            .await?;
        Ok(code(view.status))
    }

    /// Registers the push token: `platform` is `fcm` or `apns`.
    pub async fn register_push(&self, platform: String, token: String) -> Result<(), BridgeError> {
        let platform: PushPlatform = json("platform", &format!("\"{platform}\""))?;
        self.inner.register_push(platform, &token).await?;
        Ok(())
    }

    /// Streams status changes into `sink` until the session ends (then one error) or the
    /// Dart side cancels. Reconnects and resumes by itself.
    pub async fn status_events(&self, sink: StreamSink<StatusEvent>) -> Result<(), BridgeError> {
        let mut events = self.inner.status_events().await?;
        loop {
            let n = events.next(&self.inner).await?;
            let event = StatusEvent {
                id: n.id,
                kind: n.kind.code().to_owned(),
                title_id: n.title.id,
                title_en: n.title.en,
                body_id: n.body.id,
                body_en: n.body.en,
                request_id: n.request_id.map(|u| u.to_string()),
                status: n.status.map(code),
                outcome: n.outcome.map(code),
            };
            if sink.add(event).is_err() {
                // The Dart side stopped listening.
                return Ok(());
            }
        }
    }

    /// The letters of a request (`DocumentView` JSON array).
    pub async fn request_letters(&self, request_id: String) -> Result<String, BridgeError> {
        Ok(to_json(
            &self
                .inner
                .request_documents(uuid("request_id", &request_id)?)
                .await?,
        ))
    }

    /// Downloads (or takes from the phone when offline) and verifies a letter.
    pub async fn open_letter(&self, document_id: String) -> Result<ViewedLetter, BridgeError> {
        let v = self
            .inner
            .open_document(uuid("document_id", &document_id)?)
            .await?;
        Ok(ViewedLetter {
            check: letter_check(&v.report),
            number: v.document.number,
            pdf: v.pdf,
            from_cache: v.from_cache,
        })
    }
}
