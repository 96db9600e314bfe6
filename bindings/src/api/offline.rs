//! Checks that need no client and no network.

use abdi_core::PinnedRoots;
use chrono::NaiveDate;

use super::error::{BridgeError, FieldProblem};

/// A NIP that passed the offline check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NipSummary {
    /// The 18 digits.
    pub nip: String,
    /// Printed form, `19850312 201001 1 004`.
    pub formatted: String,
    /// Birth date as `YYYY-MM-DD`.
    pub birth_date: String,
    /// `male` or `female`.
    pub gender: String,
}

/// The core's version, for the app's "about" screen (and the bridge's smoke test).
#[flutter_rust_bridge::frb(sync)]
pub fn core_version() -> String {
    format!("abdi-core {}", env!("CARGO_PKG_VERSION"))
}

/// Checks a NIP as the employee types it on the activation form (spaces allowed).
#[flutter_rust_bridge::frb(sync)]
pub fn check_nip(nip: String) -> Result<NipSummary, BridgeError> {
    let info = abdi_core::check_nip(&nip)?;
    Ok(NipSummary {
        nip: info.nip,
        formatted: info.formatted,
        birth_date: info.birth_date.format("%Y-%m-%d").to_string(),
        gender: info.gender,
    })
}

pub(crate) fn date(what: &str, s: &str) -> Result<NaiveDate, BridgeError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| BridgeError::input(what, e))
}

/// Checks a filled-in form (JSON object) against a form schema (JSON, as in the service
/// definition's `spec.form`) as of `today` (`YYYY-MM-DD`); an empty list means it passes.
#[flutter_rust_bridge::frb(sync)]
pub fn validate_form(
    schema_json: String,
    values_json: String,
    today: String,
) -> Result<Vec<FieldProblem>, BridgeError> {
    let errors = abdi_core::validate_form(&schema_json, &values_json, date("today", &today)?)?;
    Ok(BridgeError::from(abdi_core::CoreError::FormInvalid(errors)).fields)
}

/// Evaluates a service's conditions offline (the evaluator the server runs): `eligibility_json`
/// is the service's `spec.eligibility`, `record_json` the cached `EmployeeRecord`,
/// `archive_json` the kinds of the archived documents (`["ijazah", ...]`), `form_json` the
/// form's values, `days_off_json` the days off (`["2026-08-17", ...]`), `today` `YYYY-MM-DD`.
/// Answers the `Evaluation` JSON: `eligible`, and every failing condition with its message
/// and what it saw.
#[flutter_rust_bridge::frb(sync)]
pub fn evaluate_eligibility(
    eligibility_json: String,
    record_json: String,
    archive_json: String,
    form_json: String,
    days_off_json: String,
    today: String,
) -> Result<String, BridgeError> {
    let mut days_off: Vec<NaiveDate> =
        serde_json::from_str(&days_off_json).map_err(|e| BridgeError::input("days_off", e))?;
    days_off.sort();
    let evaluation = abdi_core::evaluate_eligibility(
        &eligibility_json,
        &record_json,
        &archive_json,
        &form_json,
        &days_off,
        date("today", &today)?,
    )?;
    Ok(serde_json::to_string(&evaluation).unwrap_or_default())
}

/// What the verification of a signed letter found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterCheck {
    /// `intact`, `untrusted`, `modified` or `invalid`: only `intact` may be relied on.
    pub status: String,
    pub message_id: String,
    pub message_en: String,
    /// The first signature's signer, as in the certificate.
    pub signer_name: Option<String>,
    /// RFC 3339.
    pub signed_at: Option<String>,
}

pub(crate) fn letter_check(r: &abdi_proto::documents::VerificationReport) -> LetterCheck {
    let first = r.signatures.first();
    LetterCheck {
        status: serde_json::to_value(r.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        message_id: r.message.id.clone(),
        message_en: r.message.en.clone(),
        signer_name: first
            .and_then(|s| s.signer.as_ref())
            .map(|s| s.name.clone()),
        signed_at: first.and_then(|s| s.signed_at).map(|t| t.to_rfc3339()),
    }
}

/// Verifies a signed letter (PDF bytes) against the roots pinned in the app (PEM), offline:
/// the signatures are checked, and the file stays unconfirmed as an Abdi letter
/// (`not_issued`, finding `issuance_unknown`) until the client can ask the server.
pub fn verify_letter(pdf: Vec<u8>, pinned_roots_pem: Vec<u8>) -> Result<LetterCheck, BridgeError> {
    let roots = PinnedRoots::from_pem(&pinned_roots_pem)?;
    Ok(letter_check(&abdi_core::verify_document(
        &pdf, &roots, None,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwards_to_the_core_and_flattens_errors() {
        let ok = check_nip("198503122010011004".into()).unwrap();
        assert_eq!(ok.birth_date, "1985-03-12");
        assert_eq!(ok.formatted, "19850312 201001 1 004");
        let e = check_nip("12345".into()).unwrap_err();
        assert_eq!(e.code, "invalid_nip");
        assert!(e.message_id.starts_with("NIP tidak valid"));
        assert!(e.message_en.starts_with("Invalid NIP"));
        assert!(!e.transient);
    }

    #[test]
    fn form_problems_come_back_per_field() {
        let schema = r#"{"version": 1, "fields": [
            {"name": "reason", "label": {"id": "Alasan", "en": "Reason"}, "required": {"when": "always"},
             "kind": {"type": "text", "min_len": 5, "max_len": 100}}]}"#;
        let problems = validate_form(
            schema.into(),
            r#"{"reason": "ok"}"#.into(),
            "2026-11-23".into(),
        )
        .unwrap();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            (problems[0].field.as_str(), problems[0].code.as_str()),
            ("reason", "too_short")
        );
        let bad_day = validate_form(schema.into(), "{}".into(), "23/11/2026".into()).unwrap_err();
        assert_eq!(bad_day.code, "invalid_argument");
    }
}
