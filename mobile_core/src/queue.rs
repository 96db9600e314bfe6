//! The offline submission queue.
//!
//! A submission is checked against the cached form schema, then written to the app's folder
//! with its idempotency key (and its attachments' bytes) before anything is sent. `flush`
//! sends what waits, oldest first, each with its own key, so a call that reached the server
//! but whose answer was lost is answered from the server's record the next time instead of
//! making a second request. Entries survive an app restart; one flush runs at a time.
//!
//! A proposal to change the employee's record (with its evidence) is queued the same way.

use abdi_proto::Text;
use abdi_proto::forms::FormValues;
use abdi_proto::services::{AttachmentInfo, NewRequest, RequestStatus, RequestView};
use abdi_proto::updates::{Change, EVIDENCE, Proposal, ProposalDraft, ProposalStatus, Section};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::http::Call;
use crate::{Client, CoreError};

/// A file for a form's attachment field, as the app picked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub field: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Where a queued submission stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum QueueState {
    /// Waiting for the network (or for the next flush).
    Pending,
    /// The server has it.
    Sent {
        request_id: Uuid,
        status: RequestStatus,
    },
    /// The server has the proposal.
    Proposed {
        proposal_id: Uuid,
        status: ProposalStatus,
    },
    /// The server refused it for good (the rules changed since the schema was cached, the
    /// balance ran out): the employee must look at it.
    Rejected { code: String, message: Text },
}

/// One attachment kept with a queued submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedFile {
    pub field: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// The file in the app's folder.
    pub file: String,
    /// Set once uploaded, so a restart does not upload it again.
    pub uploaded: Option<AttachmentInfo>,
}

/// What a queued proposal changes (its values are the entry's `form`, its evidence the
/// entry's files).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedProposal {
    pub section: Section,
    pub change: Change,
    pub entry_id: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuedSubmission {
    /// Also the `Idempotency-Key` of every attempt.
    pub id: Uuid,
    /// The service asked for (empty for a proposal).
    pub service: String,
    /// Set for a proposal to change the record instead of a service request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<QueuedProposal>,
    /// The form without its attachment fields (they are filled in from `files` when sent).
    pub form: FormValues,
    pub files: Vec<QueuedFile>,
    pub queued_at: DateTime<Utc>,
    pub attempts: u32,
    /// The last transient failure (no network, server busy), for the app to show.
    pub last_error: Option<String>,
    #[serde(flatten)]
    pub state: QueueState,
}

impl QueuedSubmission {
    fn path(&self) -> String {
        format!(
            "queue/{}-{}.json",
            self.queued_at.timestamp_micros(),
            self.id
        )
    }

    /// The form as sent: each attachment field lists its files (local placeholders until
    /// uploaded, which carry everything the schema checks).
    fn form_with_files(&self) -> FormValues {
        let mut form = self.form.clone();
        for f in &self.files {
            let entry = match &f.uploaded {
                Some(info) => json!({
                    "id": info.id, "name": info.name,
                    "content_type": info.content_type, "size": info.size,
                }),
                None => json!({
                    "id": format!("local-{}", f.file), "name": f.name,
                    "content_type": f.content_type, "size": f.size,
                }),
            };
            match form.entry(f.field.clone()).or_insert_with(|| json!([])) {
                Value::Array(list) => list.push(entry),
                other => *other = json!([entry]),
            }
        }
        form
    }
}

impl QueuedSubmission {
    /// The proposal as it is sent (with its evidence as [`Self::form_with_files`] lists it).
    fn draft(&self, p: &QueuedProposal) -> ProposalDraft {
        ProposalDraft {
            section: p.section,
            change: p.change,
            entry_id: p.entry_id,
            values: self.form_with_files(),
            note: p.note.clone(),
        }
    }
}

/// What a flush did with one submission.
#[derive(Debug, Clone, PartialEq)]
pub struct FlushOutcome {
    pub id: Uuid,
    pub service: String,
    pub state: QueueState,
    /// For a submission still pending: why it could not go now.
    pub error: Option<CoreError>,
}

/// PDF, JPEG or PNG, told by the first bytes as the server tells them.
pub fn sniff_content_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n']) {
        Some("image/png")
    } else {
        None
    }
}

impl Client {
    /// Checks the form offline and queues it durably; nothing is sent yet (call
    /// [`Client::flush`]). A form that does not pass is refused here, with every field error.
    pub async fn enqueue(
        &self,
        service: &str,
        form: FormValues,
        attachments: Vec<NewAttachment>,
        today: NaiveDate,
    ) -> Result<QueuedSubmission, CoreError> {
        let entry = self.entry(service, None, form, &attachments);
        let errors = self
            .validate_offline(service, &entry.form_with_files(), today)
            .await?;
        self.keep(entry, attachments, errors).await
    }

    /// Checks a proposal to change the record offline (the field table is the server's own)
    /// and queues it durably with its evidence files; [`Client::flush`] sends it.
    pub async fn enqueue_proposal(
        &self,
        draft: ProposalDraft,
        evidence: Vec<(String, Vec<u8>)>,
        today: NaiveDate,
    ) -> Result<QueuedSubmission, CoreError> {
        let target = QueuedProposal {
            section: draft.section,
            change: draft.change,
            entry_id: draft.entry_id,
            note: draft.note,
        };
        let files: Vec<NewAttachment> = evidence
            .into_iter()
            .map(|(name, bytes)| NewAttachment {
                field: EVIDENCE.into(),
                name,
                bytes,
            })
            .collect();
        let mut values = draft.values;
        values.remove(EVIDENCE);
        let entry = self.entry("", Some(target.clone()), values, &files);
        let errors = entry.draft(&target).check(today);
        self.keep(entry, files, errors).await
    }

    fn entry(
        &self,
        service: &str,
        proposal: Option<QueuedProposal>,
        form: FormValues,
        attachments: &[NewAttachment],
    ) -> QueuedSubmission {
        let id = Uuid::new_v4();
        let files = attachments
            .iter()
            .enumerate()
            .map(|(n, a)| QueuedFile {
                field: a.field.clone(),
                name: a.name.clone(),
                content_type: sniff_content_type(&a.bytes)
                    .unwrap_or("application/octet-stream")
                    .to_owned(),
                size: a.bytes.len() as u64,
                file: format!("queue/files/{id}-{n}"),
                uploaded: None,
            })
            .collect();
        QueuedSubmission {
            id,
            service: service.to_owned(),
            proposal,
            form,
            files,
            queued_at: self.clock.now(),
            attempts: 0,
            last_error: None,
            state: QueueState::Pending,
        }
    }

    /// Writes an entry that passed its offline check, its files first.
    async fn keep(
        &self,
        entry: QueuedSubmission,
        attachments: Vec<NewAttachment>,
        errors: Vec<abdi_proto::forms::FieldError>,
    ) -> Result<QueuedSubmission, CoreError> {
        if !errors.is_empty() {
            return Err(CoreError::FormInvalid(errors));
        }
        for (a, f) in attachments.into_iter().zip(&entry.files) {
            self.data.write(&f.file, a.bytes).await?;
        }
        // The entry last: a crash before this leaves stray files, never an entry without them.
        self.data.write_json(&entry.path(), &entry).await?;
        Ok(entry)
    }

    /// Every queued submission, oldest first, with its state (sent and refused ones stay until
    /// dismissed, so the app can tell the employee).
    pub async fn queued(&self) -> Result<Vec<QueuedSubmission>, CoreError> {
        let mut out = Vec::new();
        for name in self.data.list("queue").await? {
            if !name.ends_with(".json") {
                continue;
            }
            if let Some(entry) = self.data.read_json(&format!("queue/{name}")).await? {
                out.push(entry);
            }
        }
        Ok(out)
    }

    /// Removes a submission the employee has seen the outcome of (or gives up on one still
    /// pending), with its files.
    pub async fn dismiss(&self, id: Uuid) -> Result<(), CoreError> {
        let _flush = self.flushing.lock().await;
        let entry = self
            .queued()
            .await?
            .into_iter()
            .find(|e| e.id == id)
            .ok_or_else(|| CoreError::QueueEntryNotFound(id.to_string()))?;
        self.data.remove(&entry.path()).await?;
        for f in &entry.files {
            self.data.remove(&f.file).await?;
        }
        Ok(())
    }

    /// Sends every pending submission, oldest first, and reports each outcome. Stops at the
    /// first transient failure (no network), leaving that one and the rest pending.
    pub async fn flush(&self) -> Result<Vec<FlushOutcome>, CoreError> {
        let _flush = self.flushing.lock().await;
        let mut outcomes = Vec::new();
        for mut entry in self.queued().await? {
            if entry.state != QueueState::Pending {
                continue;
            }
            entry.attempts += 1;
            let result = self.send_queued(&mut entry).await;
            let error = match result {
                Ok(state) => {
                    entry.state = state;
                    entry.last_error = None;
                    None
                }
                Err(e) if e.is_transient() || matches!(e, CoreError::NotLoggedIn) => {
                    entry.last_error = Some(e.to_string());
                    Some(e)
                }
                Err(CoreError::Api {
                    code: abdi_proto::ErrorCode::Unauthenticated,
                    ..
                }) => {
                    entry.last_error = Some("session ended".into());
                    Some(CoreError::NotLoggedIn)
                }
                Err(e) => {
                    entry.state = QueueState::Rejected {
                        code: e.code().to_owned(),
                        message: e.text(),
                    };
                    None
                }
            };
            self.data.write_json(&entry.path(), &entry).await?;
            let stop = error.is_some();
            outcomes.push(FlushOutcome {
                id: entry.id,
                service: entry.service.clone(),
                state: entry.state.clone(),
                error,
            });
            if stop {
                break;
            }
        }
        Ok(outcomes)
    }

    async fn send_queued(&self, entry: &mut QueuedSubmission) -> Result<QueueState, CoreError> {
        for i in 0..entry.files.len() {
            if entry.files[i].uploaded.is_some() {
                continue;
            }
            let f = &entry.files[i];
            let bytes = self
                .data
                .read(&f.file)
                .await?
                .ok_or_else(|| CoreError::Storage(format!("{} is gone", f.file)))?;
            let name: String = url::form_urlencoded::byte_serialize(f.name.as_bytes()).collect();
            let info: AttachmentInfo = self
                .authed(Call::upload(
                    format!("/api/v1/attachments?name={name}"),
                    bytes,
                ))
                .await?;
            entry.files[i].uploaded = Some(info);
            self.data.write_json(&entry.path(), &*entry).await?;
        }
        let key = entry.id.to_string();
        if let Some(p) = &entry.proposal {
            let body = entry.draft(p);
            let sent: Proposal = self
                .authed(Call::post("/api/v1/me/proposals", &body)?.idempotent(&key))
                .await?;
            return Ok(QueueState::Proposed {
                proposal_id: sent.id,
                status: sent.status,
            });
        }
        let body = NewRequest {
            service: entry.service.clone(),
            form: entry.form_with_files(),
            submit: true,
        };
        let view: RequestView = self
            .authed(Call::post("/api/v1/requests", &body)?.idempotent(&key))
            .await?;
        Ok(QueueState::Sent {
            request_id: view.id,
            status: view.status,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::TimeDelta;

    use super::*;
    use crate::clock::ManualClock;
    use crate::{ClientConfig, MemorySecureStore};

    const SERVICE: &str = r#"{
        "code": "cuti", "revision": 1,
        "name": {"id": "Cuti Tahunan", "en": "Annual leave"},
        "form": {"version": 1, "fields": [
            {"name": "reason", "label": {"id": "Alasan", "en": "Reason"},
             "required": {"when": "always"},
             "kind": {"type": "text", "min_len": 5, "max_len": 100}}]},
        "chain": [], "output_document": "surat_izin_cuti", "active": true,
        "sop_version": "1", "sop": {"id": "SOP", "en": "SOP"},
        "updated_at": "2026-01-01T00:00:00Z"
    }"#;

    #[tokio::test]
    async fn a_submission_is_queued_at_the_clocks_time() {
        let tmp = tempfile::tempdir().unwrap();
        let start = DateTime::parse_from_rfc3339("2026-03-01T08:00:00.250Z")
            .unwrap()
            .to_utc();
        let clock = ManualClock::at(start);
        let client = Client::with_clock(
            ClientConfig::new("http://127.0.0.1:9"),
            Arc::new(MemorySecureStore::default()),
            tmp.path(),
            None,
            clock.shared(),
        )
        .unwrap();
        client
            .data
            .write("cache/services/cuti.json", SERVICE.as_bytes().to_vec())
            .await
            .unwrap();
        let today = start.date_naive();
        let form = |reason: &str| {
            let mut form = FormValues::new();
            form.insert("reason".into(), json!(reason));
            form
        };

        let first = client
            .enqueue("cuti", form("Urusan keluarga"), Vec::new(), today)
            .await
            .unwrap();
        assert_eq!(first.queued_at, start);
        clock.advance(TimeDelta::minutes(5));
        let second = client
            .enqueue("cuti", form("Urusan keluarga lagi"), Vec::new(), today)
            .await
            .unwrap();
        assert_eq!(second.queued_at, start + TimeDelta::minutes(5));

        // Kept on disk with those times, oldest first.
        let queued = client.queued().await.unwrap();
        assert_eq!(
            queued
                .iter()
                .map(|e| (e.id, e.queued_at))
                .collect::<Vec<_>>(),
            vec![
                (first.id, start),
                (second.id, start + TimeDelta::minutes(5))
            ]
        );
    }

    #[test]
    fn content_types_are_told_by_content() {
        assert_eq!(sniff_content_type(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(
            sniff_content_type(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some("image/jpeg")
        );
        assert_eq!(sniff_content_type(b"GIF89a"), None);
    }
}
