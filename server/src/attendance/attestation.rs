//! The platform's word on the phone and the app (Play Integrity on Android, App Attest on iOS),
//! behind [`Attestation`]: a deployment plugs in the provider's client (Google's
//! `decodeIntegrityToken`, Apple's assertion check), the tests a double. No verdict can be had
//! without the provider, so none is built in; without one, a token is not asked for.
//!
//! A verdict counts only for the record it was made for: its request hash must be the
//! record's ([`request_hash`], made over its JSON) and it must be fresh. Then the app must be the one the store
//! recognises and the device must meet integrity. Whatever fails flags the check-in with the
//! reason, for the atasan: an attestation never refuses alone, since a phone can fail it for
//! reasons of its own (an old Android, an unlocked bootloader) that the atasan may know.

use std::sync::Arc;

use abdi_proto::attendance::{AttestationToken, Reason, request_hash};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::score::reason;

/// What the platform said of a token, decoded by its provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformVerdict {
    /// The hash the app asked the platform to sign over (base64url, no padding).
    pub request_hash: String,
    pub issued_at: DateTime<Utc>,
    /// The store recognises the app (Play: `PLAY_RECOGNIZED`).
    pub app_recognized: bool,
    /// The device meets integrity (Play: `MEETS_DEVICE_INTEGRITY`).
    pub device_integrity: bool,
}

/// The provider could not be asked, or would not answer: the check-in is flagged, not lost.
#[derive(Debug, thiserror::Error)]
pub enum AttestationError {
    #[error("the token is not valid: {0}")]
    Invalid(String),
    #[error("the provider is unavailable: {0}")]
    Unavailable(String),
}

/// Decodes a platform's attestation token.
#[async_trait]
pub trait Attestation: Send + Sync {
    async fn decode(&self, token: &AttestationToken) -> Result<PlatformVerdict, AttestationError>;
}

pub type SharedAttestation = Arc<dyn Attestation>;

/// Play Integrity's decoded verdict, `tokenPayloadExternal`, as Google documents it (the
/// fields a check-in reads).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlayIntegrityPayload {
    pub request_details: PlayRequestDetails,
    #[serde(default)]
    pub app_integrity: PlayAppIntegrity,
    #[serde(default)]
    pub device_integrity: PlayDeviceIntegrity,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlayRequestDetails {
    #[serde(default)]
    pub request_package_name: String,
    #[serde(default)]
    pub request_hash: String,
    /// Milliseconds since the epoch, as a string.
    pub timestamp_millis: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlayAppIntegrity {
    #[serde(default)]
    pub app_recognition_verdict: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlayDeviceIntegrity {
    #[serde(default)]
    pub device_recognition_verdict: Vec<String>,
}

impl PlayIntegrityPayload {
    pub fn verdict(&self) -> Result<PlatformVerdict, AttestationError> {
        let millis: i64 = self
            .request_details
            .timestamp_millis
            .parse()
            .map_err(|_| AttestationError::Invalid("timestampMillis is not a number".into()))?;
        let issued_at = DateTime::from_timestamp_millis(millis)
            .ok_or_else(|| AttestationError::Invalid("timestampMillis is out of range".into()))?;
        Ok(PlatformVerdict {
            request_hash: self.request_details.request_hash.clone(),
            issued_at,
            app_recognized: self.app_integrity.app_recognition_verdict == "PLAY_RECOGNIZED",
            device_integrity: self
                .device_integrity
                .device_recognition_verdict
                .iter()
                .any(|v| v == "MEETS_DEVICE_INTEGRITY" || v == "MEETS_STRONG_INTEGRITY"),
        })
    }
}

/// What a record's token comes to: `Ok` for a verdict that holds, else the reason it is
/// flagged. `at` is when the fix was taken; a verdict more than `freshness` from it is stale.
pub async fn judge(
    provider: &dyn Attestation,
    token: &AttestationToken,
    record: &str,
    at: DateTime<Utc>,
    freshness: Duration,
) -> Result<(), Reason> {
    let verdict = match provider.decode(token).await {
        Ok(v) => v,
        Err(AttestationError::Invalid(why)) => {
            tracing::info!(%why, "attestation token refused by its provider");
            return Err(failed("token tidak sah", "the token is not valid"));
        }
        Err(AttestationError::Unavailable(why)) => {
            tracing::warn!(%why, "attestation provider unavailable");
            return Err(reason(
                "integrity_unchecked",
                "Keaslian aplikasi dan ponsel belum dapat diperiksa (layanan platform tidak menjawab): diperiksa atasan.",
                "The app and phone could not be checked (the platform's service did not answer): the atasan checks it.",
            ));
        }
    };
    if verdict.request_hash != request_hash(record) {
        return Err(failed(
            "dibuat untuk catatan lain",
            "it was made for another record",
        ));
    }
    if (verdict.issued_at - at).abs() > freshness {
        return Err(failed("sudah kedaluwarsa", "it is stale"));
    }
    if !verdict.app_recognized {
        return Err(failed(
            "aplikasi bukan dari toko resmi atau telah diubah",
            "the app is not the store's or was modified",
        ));
    }
    if !verdict.device_integrity {
        return Err(failed(
            "ponsel tidak memenuhi integritas (root, ROM ubahan, atau emulator)",
            "the phone fails integrity (rooted, a custom ROM, or an emulator)",
        ));
    }
    Ok(())
}

fn failed(id: &str, en: &str) -> Reason {
    reason(
        "integrity_failed",
        format!("Pemeriksaan keaslian ponsel gagal: {id}."),
        format!("The phone's integrity check failed: {en}."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Result<PlatformVerdict, &'static str>);

    #[async_trait]
    impl Attestation for Fixed {
        async fn decode(&self, _: &AttestationToken) -> Result<PlatformVerdict, AttestationError> {
            self.0
                .clone()
                .map_err(|e| AttestationError::Unavailable(e.into()))
        }
    }

    #[tokio::test]
    async fn a_verdict_holds_only_for_its_record_fresh_recognised_and_intact() {
        let at = DateTime::UNIX_EPOCH + Duration::days(20_000);
        let token = AttestationToken {
            platform: abdi_proto::attendance::Platform::PlayIntegrity,
            token: "t".into(),
        };
        let good = PlatformVerdict {
            request_hash: request_hash("{\"seq\":1}"),
            issued_at: at + Duration::seconds(3),
            app_recognized: true,
            device_integrity: true,
        };
        let code = |r: Result<(), Reason>| r.err().map(|r| r.code);
        let run = |v: Result<PlatformVerdict, &'static str>, record: &'static str| {
            let token = token.clone();
            async move { judge(&Fixed(v), &token, record, at, Duration::minutes(2)).await }
        };
        assert_eq!(code(run(Ok(good.clone()), "{\"seq\":1}").await), None);
        assert_eq!(
            code(run(Ok(good.clone()), "{\"seq\":2}").await).as_deref(),
            Some("integrity_failed")
        );
        let stale = PlatformVerdict {
            issued_at: at - Duration::hours(1),
            ..good.clone()
        };
        assert_eq!(
            code(run(Ok(stale), "{\"seq\":1}").await).as_deref(),
            Some("integrity_failed")
        );
        let rooted = PlatformVerdict {
            device_integrity: false,
            ..good.clone()
        };
        assert_eq!(
            code(run(Ok(rooted), "{\"seq\":1}").await).as_deref(),
            Some("integrity_failed")
        );
        let sideloaded = PlatformVerdict {
            app_recognized: false,
            ..good
        };
        assert_eq!(
            code(run(Ok(sideloaded), "{\"seq\":1}").await).as_deref(),
            Some("integrity_failed")
        );
        assert_eq!(
            code(run(Err("down"), "{\"seq\":1}").await).as_deref(),
            Some("integrity_unchecked")
        );
    }

    #[test]
    fn play_integritys_documented_payload_reads_as_a_verdict() {
        let payload: PlayIntegrityPayload = serde_json::from_str(
            r#"{"requestDetails":{"requestPackageName":"id.go.jatimprov.abdi","requestHash":"aGFzaA","timestampMillis":"1617893780"},
                "appIntegrity":{"appRecognitionVerdict":"PLAY_RECOGNIZED","packageName":"id.go.jatimprov.abdi","certificateSha256Digest":["x"],"versionCode":"42"},
                "deviceIntegrity":{"deviceRecognitionVerdict":["MEETS_DEVICE_INTEGRITY"]},
                "accountDetails":{"appLicensingVerdict":"LICENSED"}}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let v = payload.verdict().unwrap_or_else(|e| panic!("{e}"));
        assert!(v.app_recognized && v.device_integrity);
        assert_eq!(v.request_hash, "aGFzaA");
        assert_eq!(v.issued_at.timestamp_millis(), 1_617_893_780);
        let basic: PlayIntegrityPayload = serde_json::from_str(
            r#"{"requestDetails":{"timestampMillis":"1"},"appIntegrity":{"appRecognitionVerdict":"UNRECOGNIZED_VERSION"},"deviceIntegrity":{}}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let v = basic.verdict().unwrap_or_else(|e| panic!("{e}"));
        assert!(!v.app_recognized && !v.device_integrity);
    }
}
