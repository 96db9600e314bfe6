//! Attendance from the phone: the device key, check-in and check-out, and the offline queue.
//!
//! At enrolment the core makes a P-256 key, keeps it in secure storage and enrols its public
//! half with the server. Each check-in is a record (the fix the app hands over, the next record
//! number) the core signs with that key at once. Online it first asks for a nonce and sends the
//! record with it; without a network the record waits in the app's folder, signed as it was
//! taken, and [`Client::flush_check_ins`] sends what waits with the monotonic clock's reading
//! now (which the app reads from the OS), so the server can tell when each fix was taken
//! whatever the wall clock says. Record numbers only rise: a record sent twice is one record.

use abdi_proto::attendance::{
    AttendanceNonce, AttestationToken, CheckIn, CheckInRecord, CheckInResults, CheckInUpload,
    CheckKind, DayStatus, DeviceEnrolment, EnrolledDevice, Fix, Place, SignedCheckIn, request_hash,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::{EncodePublicKey, LineEnding};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::http::Call;
use crate::{Client, CoreError};

/// Secure storage: the device key (base64url) and the enrolment with the last record number.
const KEY_SLOT: &str = "attendance.key";
const DEVICE_SLOT: &str = "attendance.device";
/// The app's folder: the records waiting for a network.
const QUEUE_FILE: &str = "attendance/queue.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Enrolment {
    device_id: Uuid,
    last_seq: u64,
}

/// A signed record waiting for a network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuedCheckIn {
    pub seq: u64,
    pub kind: CheckKind,
    pub fix: Fix,
    pub signed: SignedCheckIn,
}

/// Gets the platform's attestation (Play Integrity, App Attest) for a record about to be sent:
/// the app asks the platform with `request_hash` as the request hash. None when the platform
/// cannot give one (no Google Play services, no network to it): the record goes without.
#[async_trait::async_trait]
pub trait Attestor: Send + Sync {
    async fn attest(&self, request_hash: &str) -> Option<AttestationToken>;
}

/// What a check-in came to: the server's verdict, or a place in the queue.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckInOutcome {
    Sent(CheckIn),
    Queued(QueuedCheckIn),
}

impl Client {
    /// Enrols this phone for attendance (a new key; the phone enrolled before is retired).
    pub async fn enroll_for_attendance(&self, name: &str) -> Result<Uuid, CoreError> {
        let mut bytes = [0u8; 32];
        let key = loop {
            getrandom::fill(&mut bytes).map_err(|e| CoreError::Storage(e.to_string()))?;
            if let Ok(k) = SigningKey::from_slice(&bytes) {
                break k;
            }
        };
        let public_key_pem = key
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| CoreError::Storage(e.to_string()))?;
        let enrolled: EnrolledDevice = self
            .authed(Call::post(
                "/api/v1/attendance/devices",
                &DeviceEnrolment {
                    public_key_pem,
                    name: name.to_owned(),
                },
            )?)
            .await?;
        self.secure
            .set(KEY_SLOT, &URL_SAFE_NO_PAD.encode(key.to_bytes()))
            .await?;
        self.save_enrolment(&Enrolment {
            device_id: enrolled.device_id,
            last_seq: 0,
        })
        .await?;
        Ok(enrolled.device_id)
    }

    /// Checks in (or out) with `fix`: sent at once with a fresh nonce, or, without a network,
    /// signed now and queued for [`Client::flush_check_ins`].
    pub async fn check_in(&self, kind: CheckKind, fix: Fix) -> Result<CheckInOutcome, CoreError> {
        self.check_in_attested(kind, fix, None).await
    }

    /// [`Client::check_in`], an online record carrying the platform attestation `attestor`
    /// gets for it (an offline one cannot: the platform needs the network too).
    pub async fn check_in_attested(
        &self,
        kind: CheckKind,
        fix: Fix,
        attestor: Option<&dyn Attestor>,
    ) -> Result<CheckInOutcome, CoreError> {
        let (key, mut enrolment) = self.attendance_key().await?;
        enrolment.last_seq += 1;
        // The number is spent before anything leaves the phone: it is never used twice.
        self.save_enrolment(&enrolment).await?;
        let seq = enrolment.last_seq;
        let record = |nonce: Option<String>| CheckInRecord {
            device_id: enrolment.device_id,
            seq,
            kind,
            fix: fix.clone(),
            nonce,
        };
        let nonce: Result<AttendanceNonce, CoreError> = self
            .authed(Call::bare(
                reqwest::Method::POST,
                "/api/v1/attendance/nonce",
            ))
            .await;
        match nonce {
            Ok(n) => {
                let mut signed = sign(&key, &record(Some(n.nonce)))?;
                if let Some(a) = attestor {
                    signed.attestation = a.attest(&request_hash(&signed.record)).await;
                }
                let upload = upload(&key, enrolment.device_id, vec![signed], &fix)?;
                match self.send(upload).await {
                    Ok(mut results) if !results.is_empty() => {
                        Ok(CheckInOutcome::Sent(results.remove(0)))
                    }
                    Ok(_) => Err(CoreError::Protocol("no result for the check-in".into())),
                    // Lost on the way: kept without its nonce, which may be spent already.
                    Err(e) if e.is_transient() => {
                        self.queue(&key, seq, kind, &fix, record(None)).await
                    }
                    Err(e) => Err(e),
                }
            }
            Err(e) if e.is_transient() => self.queue(&key, seq, kind, &fix, record(None)).await,
            Err(e) => Err(e),
        }
    }

    /// Sends the queued check-ins, with the monotonic clock as it reads now (`elapsed_ms`
    /// since the boot `boot_id`), and returns their outcomes; each one answered leaves the
    /// queue. Without a network nothing changes.
    pub async fn flush_check_ins(
        &self,
        elapsed_ms: u64,
        boot_id: &str,
    ) -> Result<Vec<CheckIn>, CoreError> {
        let queued = self.queued_check_ins().await?;
        if queued.is_empty() {
            return Ok(Vec::new());
        }
        let (key, enrolment) = self.attendance_key().await?;
        let signed: Vec<SignedCheckIn> = queued.iter().map(|q| q.signed.clone()).collect();
        let clock = Fix {
            elapsed_ms,
            boot_id: boot_id.to_owned(),
            ..queued[0].fix.clone()
        };
        let results = self
            .send(upload(&key, enrolment.device_id, signed, &clock)?)
            .await?;
        self.data.remove(QUEUE_FILE).await?;
        Ok(results)
    }

    /// The check-ins waiting for a network, oldest first.
    pub async fn queued_check_ins(&self) -> Result<Vec<QueuedCheckIn>, CoreError> {
        Ok(self
            .data
            .read_json::<Vec<QueuedCheckIn>>(QUEUE_FILE)
            .await?
            .unwrap_or_default())
    }

    /// The employee's own check-ins from `from` to `to` (both included), newest first.
    pub async fn my_check_ins(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<CheckIn>, CoreError> {
        self.authed(Call::get(format!(
            "/api/v1/me/attendance?from={from}&to={to}"
        )))
        .await
    }

    /// What each day from `from` to `to` came to (present, late, excused, ...).
    pub async fn my_attendance_days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DayStatus>, CoreError> {
        self.authed(Call::get(format!(
            "/api/v1/me/attendance/days?from={from}&to={to}"
        )))
        .await
    }

    /// Where the employee may check in (to show the distance before sending).
    pub async fn attendance_places(&self) -> Result<Vec<Place>, CoreError> {
        self.authed(Call::get("/api/v1/attendance/places")).await
    }

    async fn send(&self, upload: CheckInUpload) -> Result<Vec<CheckIn>, CoreError> {
        let results: CheckInResults = self
            .authed(Call::post("/api/v1/attendance/check-ins", &upload)?)
            .await?;
        Ok(results.results)
    }

    async fn queue(
        &self,
        key: &SigningKey,
        seq: u64,
        kind: CheckKind,
        fix: &Fix,
        record: CheckInRecord,
    ) -> Result<CheckInOutcome, CoreError> {
        let entry = QueuedCheckIn {
            seq,
            kind,
            fix: fix.clone(),
            signed: sign(key, &record)?,
        };
        let mut all = self.queued_check_ins().await?;
        all.push(entry.clone());
        self.data.write_json(QUEUE_FILE, &all).await?;
        Ok(CheckInOutcome::Queued(entry))
    }

    async fn attendance_key(&self) -> Result<(SigningKey, Enrolment), CoreError> {
        let not_enrolled = || CoreError::NotCached("attendance enrolment".into());
        let encoded = self.secure.get(KEY_SLOT).await?.ok_or_else(not_enrolled)?;
        let key = URL_SAFE_NO_PAD
            .decode(&encoded)
            .ok()
            .and_then(|b| SigningKey::from_slice(&b).ok())
            .ok_or_else(|| CoreError::Corrupt("the attendance key".into()))?;
        let raw = self
            .secure
            .get(DEVICE_SLOT)
            .await?
            .ok_or_else(not_enrolled)?;
        let enrolment = serde_json::from_str(&raw)
            .map_err(|_| CoreError::Corrupt("the attendance enrolment".into()))?;
        Ok((key, enrolment))
    }

    async fn save_enrolment(&self, e: &Enrolment) -> Result<(), CoreError> {
        let json = serde_json::to_string(e).map_err(|e| CoreError::Storage(e.to_string()))?;
        self.secure.set(DEVICE_SLOT, &json).await
    }
}

/// The record as JSON, with `key`'s signature over exactly that JSON (what the phone sends;
/// public for the benches' phones).
pub fn sign(key: &SigningKey, record: &CheckInRecord) -> Result<SignedCheckIn, CoreError> {
    let record = serde_json::to_string(record).map_err(|e| CoreError::Storage(e.to_string()))?;
    let signature: Signature = key.sign(record.as_bytes());
    Ok(SignedCheckIn {
        signature: URL_SAFE_NO_PAD.encode(signature.to_bytes()),
        record,
        attestation: None,
    })
}

/// The upload of `records`, signed with the monotonic clock of `now`.
pub fn upload(
    key: &SigningKey,
    device_id: Uuid,
    records: Vec<SignedCheckIn>,
    now: &Fix,
) -> Result<CheckInUpload, CoreError> {
    let mut upload = CheckInUpload {
        device_id,
        records,
        sent_elapsed_ms: now.elapsed_ms,
        boot_id: now.boot_id.clone(),
        signature: String::new(),
    };
    let signature: Signature = key.sign(&upload.signed_bytes());
    upload.signature = URL_SAFE_NO_PAD.encode(signature.to_bytes());
    Ok(upload)
}
