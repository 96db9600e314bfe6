//! An upload of signed check-ins, judged record by record.
//!
//! Each record must carry the enrolled phone's signature and a number above the last one the
//! phone sent: a record sent again is answered as it was the first time (the phone's retry
//! after a lost answer), and a different record under a number already used is a replay,
//! refused. An online record spends the nonce the server issued a moment before, and counts at
//! the time it arrives. An offline record counts at the time its monotonic clock says: the
//! upload's own reading of that clock (signed with it) against the record's, subtracted from
//! the time the upload arrived. A phone whose wall clock disagrees with that by more than the
//! tolerance set its clock back: the record is refused. A phone that restarted in between has
//! no common clock left: its record is flagged for the atasan.

use abdi_proto::attendance::{
    CheckIn, CheckInRecord, CheckInResults, CheckInUpload, GeoPoint, Place, Reason, SignedCheckIn,
    Verdict, WorkMode,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use p256::ecdsa::signature::Verifier;
use p256::pkcs8::DecodePublicKey;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use super::attestation;
use super::devices::{IssuedNonce, nonce_key};
use super::entity::{check_in, device};
use super::schedules::{Kept, hours_on};
use super::score::{Evidence, reason, score};
use super::{Attendance, AttendanceError};
use crate::access::Actor;
use crate::clock::wib_date;

/// The most records one upload may carry (a week offline, twice a day, is 14).
const MOST_RECORDS: usize = 100;

impl Attendance {
    /// Judges and keeps each record of `upload`, in order.
    pub async fn upload(
        &self,
        actor: &Actor,
        upload: CheckInUpload,
    ) -> Result<CheckInResults, AttendanceError> {
        let received = self.clock.now();
        if upload.records.is_empty() || upload.records.len() > MOST_RECORDS {
            return Err(AttendanceError::upload(
                format!("Kirim 1 sampai {MOST_RECORDS} catatan presensi."),
                format!("Send 1 to {MOST_RECORDS} check-in records."),
            ));
        }
        let device = device::Entity::find_by_id(upload.device_id)
            .one(&self.db)
            .await?
            .filter(|d| d.employee_id == actor.employee_id && d.retired_at.is_none())
            .ok_or(AttendanceError::DeviceUnknown)?;
        let key = p256::ecdsa::VerifyingKey::from_public_key_pem(&device.public_key_pem)
            .map_err(|_| AttendanceError::DeviceUnknown)?;
        if !verifies(&key, &upload.signed_bytes(), &upload.signature) {
            return Err(AttendanceError::upload(
                "Tanda tangan kiriman tidak sah.",
                "The upload's signature is not valid.",
            ));
        }
        let (places, chain) = self.places_and_chain(actor.employee_id).await?;
        let batch = Batch {
            places,
            schedules: self.kept_schedules().await?,
            chain,
            employee_id: actor.employee_id,
            device,
            key,
            received,
        };
        let mut results = Vec::with_capacity(upload.records.len());
        for signed in &upload.records {
            results.push(self.judge(&batch, &upload, signed).await?);
        }
        Ok(CheckInResults { results })
    }

    async fn judge(
        &self,
        batch: &Batch,
        upload: &CheckInUpload,
        signed: &SignedCheckIn,
    ) -> Result<CheckIn, AttendanceError> {
        let Batch {
            places,
            schedules,
            chain,
            employee_id,
            device,
            key,
            received,
        } = batch;
        let (places, received) = (places.as_slice(), *received);
        let record: CheckInRecord = serde_json::from_str(&signed.record).map_err(|e| {
            AttendanceError::upload(
                format!("Catatan presensi tidak terbaca: {e}"),
                format!("A check-in record cannot be read: {e}"),
            )
        })?;
        let fix = &record.fix;
        if !fix.position.is_valid()
            || !fix.accuracy_m.is_finite()
            || fix.accuracy_m < 0.0
            || fix.boot_id.len() > 64
            || fix.boot_id.contains('\0')
            || fix.photo_position.is_some_and(|p| !p.is_valid())
        {
            return Err(AttendanceError::upload(
                "Lokasi, akurasi atau foto dalam catatan presensi tidak sah.",
                "A record's location, accuracy or photo is not valid.",
            ));
        }
        let refused = |r: Reason| CheckIn {
            id: None,
            seq: record.seq,
            kind: record.kind,
            verdict: Verdict::Refused,
            reasons: vec![r],
            at: received,
            received_at: received,
            place: None,
            distance_m: None,
        };
        if record.device_id != device.id
            || !verifies(key, signed.record.as_bytes(), &signed.signature)
        {
            return Ok(refused(reason(
                "bad_signature",
                "Catatan ini tidak ditandatangani ponsel yang terdaftar.",
                "This record is not signed by the enrolled phone.",
            )));
        }
        let seq = i64::try_from(record.seq).unwrap_or(i64::MAX);
        // The same record again: answered as it was the first time.
        if let Some(kept) = check_in::Entity::find()
            .filter(check_in::Column::DeviceId.eq(device.id))
            .filter(check_in::Column::Seq.eq(seq))
            .one(&self.db)
            .await?
        {
            if kept.signature == signed.signature {
                return Ok(view(&kept, places));
            }
            return Ok(refused(replayed()));
        }
        if seq <= device.last_seq {
            return Ok(refused(replayed()));
        }

        // When the fix was taken.
        let tolerance = Duration::seconds(self.config.clock_tolerance_secs.max(0));
        let mut timing = Vec::new();
        let (at, offline) = match &record.nonce {
            Some(nonce) => {
                let issued: Option<IssuedNonce> = self
                    .store
                    .take(&nonce_key(nonce))
                    .await?
                    .and_then(|v| serde_json::from_slice(&v).ok());
                if issued.is_none_or(|n| n.e != *employee_id) {
                    return Ok(refused(reason(
                        "nonce_invalid",
                        "Kode presensi sudah dipakai atau kedaluwarsa; presensi lagi.",
                        "The check-in code was used already or has expired; check in again.",
                    )));
                }
                (received, false)
            }
            None if upload.boot_id == fix.boot_id && upload.sent_elapsed_ms >= fix.elapsed_ms => {
                let waited = i64::try_from(upload.sent_elapsed_ms - fix.elapsed_ms)
                    .ok()
                    .and_then(Duration::try_milliseconds);
                // A wait longer than the calendar holds is older than any kept: refused below.
                let at = waited
                    .and_then(|w| received.checked_sub_signed(w))
                    .unwrap_or(received - Duration::days(3650));
                if (fix.taken_at - at).abs() > tolerance {
                    timing.push(clock_disagrees(fix.taken_at, at));
                }
                (at, true)
            }
            None => {
                timing.push(reason(
                    "rebooted_offline",
                    "Ponsel dinyalakan ulang sebelum presensi terkirim: waktunya diperiksa atasan.",
                    "The phone restarted before the check-in was sent: its time is checked by the atasan.",
                ));
                if fix.taken_at > received + tolerance {
                    timing.push(clock_disagrees(fix.taken_at, received));
                }
                (fix.taken_at.min(received), true)
            }
        };
        if received - at > Duration::hours(self.config.offline_max_hours.max(1)) {
            timing.push(reason(
                "too_old",
                format!(
                    "Presensi luring lebih dari {} jam baru terkirim.",
                    self.config.offline_max_hours
                ),
                format!(
                    "An offline check-in sent more than {} hours late.",
                    self.config.offline_max_hours
                ),
            ));
        }
        let previous = check_in::Entity::find()
            .filter(check_in::Column::EmployeeId.eq(*employee_id))
            .filter(check_in::Column::Verdict.is_in([Verdict::Accepted, Verdict::Flagged]))
            .filter(check_in::Column::At.lt(at))
            .order_by_desc(check_in::Column::At)
            .limit(1)
            .one(&self.db)
            .await?
            .map(|c| (GeoPoint::new(c.lat, c.lon), c.at));
        let attestation = match (&signed.attestation, &self.attestation) {
            (Some(token), Some(provider)) => Some(
                attestation::judge(
                    provider.as_ref(),
                    token,
                    &signed.record,
                    at,
                    Duration::seconds(self.config.nonce_ttl_secs as i64),
                )
                .await,
            ),
            // Offline the platform cannot be asked either: only an online record must bring one.
            (None, Some(_)) if self.config.attestation_required && record.nonce.is_some() => {
                Some(Err(reason(
                    "integrity_missing",
                    "Ponsel tidak menyertakan pemeriksaan keaslian (Play Integrity / App Attest): diperiksa atasan.",
                    "The phone sent no integrity check (Play Integrity / App Attest): the atasan checks it.",
                )))
            }
            _ => None,
        };
        if let Some(Err(r)) = &attestation {
            timing.push(r.clone());
        }
        let anywhere = hours_on(schedules, chain, wib_date(at), &self.config)
            .is_some_and(|h| h.mode == WorkMode::Anywhere);
        let scored = score(
            &Evidence {
                fix,
                places,
                previous,
                at,
                signals: timing,
                anywhere,
            },
            &self.config,
        );
        let place = scored.place.map(|(i, d)| (&places[i], d));
        let id = Uuid::now_v7();
        let txn = self.db.begin().await?;
        // The number is taken once, whoever sends it first.
        let taken = device::Entity::update_many()
            .col_expr(device::Column::LastSeq, Expr::value(seq))
            .filter(device::Column::Id.eq(device.id))
            .filter(device::Column::LastSeq.lt(seq))
            .exec(&txn)
            .await?;
        if taken.rows_affected == 0 {
            return Ok(refused(replayed()));
        }
        let kept = check_in::ActiveModel {
            id: Set(id),
            employee_id: Set(*employee_id),
            device_id: Set(device.id),
            seq: Set(seq),
            kind: Set(record.kind),
            at: Set(at),
            received_at: Set(received),
            taken_at: Set(fix.taken_at),
            offline: Set(offline),
            lat: Set(fix.position.lat),
            lon: Set(fix.position.lon),
            accuracy_m: Set(fix.accuracy_m),
            mock: Set(fix.mock),
            place_id: Set(place.map(|(p, _)| p.id)),
            distance_m: Set(place.map(|(_, d)| d)),
            verdict: Set(scored.verdict),
            reasons: Set(serde_json::to_string(&scored.reasons).unwrap_or_else(|_| "[]".into())),
            photo_lat: Set(fix.photo_position.map(|p| p.lat)),
            photo_lon: Set(fix.photo_position.map(|p| p.lon)),
            record: Set(signed.record.clone()),
            signature: Set(signed.signature.clone()),
            reviewed_by: Set(None),
            reviewed_at: Set(None),
            review_note: Set(None),
            attestation: Set(attestation.map(|a| match a {
                Ok(()) => "ok".to_owned(),
                Err(r) => r.message.en,
            })),
            photo_key: Set(None),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(view(&kept, places))
    }

    /// The caller's own check-ins between two instants, newest first.
    pub async fn mine(
        &self,
        actor: &Actor,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CheckIn>, AttendanceError> {
        let rows = check_in::Entity::find()
            .filter(check_in::Column::EmployeeId.eq(actor.employee_id))
            .filter(check_in::Column::At.gte(from))
            .filter(check_in::Column::At.lt(to))
            .order_by_desc(check_in::Column::At)
            .limit(500)
            .all(&self.db)
            .await?;
        self.viewed(&rows).await
    }

    /// Kept check-ins as the API shows them, with the names of the places they counted for
    /// (one query for all of them).
    pub(super) async fn viewed(
        &self,
        rows: &[check_in::Model],
    ) -> Result<Vec<CheckIn>, AttendanceError> {
        let places = self
            .places_named(rows.iter().filter_map(|c| c.place_id).collect())
            .await?;
        Ok(rows.iter().map(|c| view(c, &places)).collect())
    }
}

/// One upload's records share these: the caller, their phone and its key, their places.
struct Batch {
    places: Vec<Place>,
    /// The schedules and the employee's unit chain: whether a day is worked anywhere.
    schedules: Vec<Kept>,
    chain: Vec<Uuid>,
    employee_id: Uuid,
    device: device::Model,
    key: p256::ecdsa::VerifyingKey,
    received: DateTime<Utc>,
}

/// A kept check-in as the phone is told of it.
fn view(c: &check_in::Model, places: &[Place]) -> CheckIn {
    CheckIn {
        id: (c.verdict != Verdict::Refused).then_some(c.id),
        seq: u64::try_from(c.seq).unwrap_or(0),
        kind: c.kind,
        verdict: c.verdict,
        reasons: serde_json::from_str(&c.reasons).unwrap_or_default(),
        at: c.at,
        received_at: c.received_at,
        place: c
            .place_id
            .and_then(|id| places.iter().find(|p| p.id == id))
            .map(|p| p.name.clone()),
        distance_m: c.distance_m,
    }
}

fn replayed() -> Reason {
    reason(
        "replayed",
        "Catatan presensi ini sudah pernah dikirim.",
        "This check-in record was sent before.",
    )
}

fn clock_disagrees(phone: DateTime<Utc>, worked_out: DateTime<Utc>) -> Reason {
    let wib = |t: DateTime<Utc>| {
        (t + Duration::hours(7))
            .format("%d-%m-%Y %H:%M")
            .to_string()
    };
    reason(
        "clock_disagrees",
        format!(
            "Jam ponsel menunjukkan {} WIB, tetapi presensi diambil {} WIB: jam ponsel diubah.",
            wib(phone),
            wib(worked_out)
        ),
        format!(
            "The phone's clock says {} WIB, but the check-in was taken at {} WIB: the clock was changed.",
            wib(phone),
            wib(worked_out)
        ),
    )
}

/// Whether `signature` (ES256, `r || s`, base64url) is `key`'s over `message`.
fn verifies(key: &p256::ecdsa::VerifyingKey, message: &[u8], signature: &str) -> bool {
    URL_SAFE_NO_PAD
        .decode(signature.trim())
        .ok()
        .and_then(|b| p256::ecdsa::Signature::from_slice(&b).ok())
        .is_some_and(|s| key.verify(message, &s).is_ok())
}
