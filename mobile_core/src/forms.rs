//! Offline form validation and eligibility on the device, with the very code the server runs
//! (`abdi-proto`).

use abdi_proto::archive::ArchiveKind;
use abdi_proto::eligibility::{Eligibility, Evaluation, Facts};
use abdi_proto::forms::{FieldError, FormSchema, FormValues};
use abdi_proto::record::EmployeeRecord;
use chrono::NaiveDate;

use crate::CoreError;

fn parse<T: serde::de::DeserializeOwned>(what: &str, json: &str) -> Result<T, CoreError> {
    serde_json::from_str(json).map_err(|e| CoreError::Corrupt(format!("{what}: {e}")))
}

/// Evaluates a service's conditions (JSON of `Eligibility`, as in `spec.eligibility`) over a
/// record (`EmployeeRecord` JSON), the kinds of the archived documents (JSON array of codes),
/// a form (JSON object) and days off (sorted), as of `today`: the same answer the server
/// gives for the same facts.
pub fn evaluate_eligibility(
    eligibility_json: &str,
    record_json: &str,
    archive_json: &str,
    form_json: &str,
    days_off: &[NaiveDate],
    today: NaiveDate,
) -> Result<Evaluation, CoreError> {
    let eligibility: Eligibility = parse("eligibility", eligibility_json)?;
    let record: EmployeeRecord = parse("record", record_json)?;
    let archive: Vec<ArchiveKind> = parse("archive", archive_json)?;
    let form: FormValues = parse("form", form_json)?;
    Ok(eligibility.evaluate(&Facts {
        record: &record,
        archive: &archive,
        form: &form,
        today,
        days_off,
    }))
}

/// Checks a filled-in form (JSON object of values) against the cached schema (JSON) as of
/// `today`; returns every field problem, or none.
pub fn validate_form(
    schema_json: &str,
    values_json: &str,
    today: NaiveDate,
) -> Result<Vec<FieldError>, CoreError> {
    let schema: FormSchema =
        serde_json::from_str(schema_json).map_err(|e| CoreError::Corrupt(e.to_string()))?;
    let values: FormValues =
        serde_json::from_str(values_json).map_err(|e| CoreError::Corrupt(e.to_string()))?;
    Ok(schema.validate(&values, today).err().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use abdi_proto::forms::FieldErrorCode;

    use super::*;

    const SCHEMA: &str = r#"{"version": 1, "fields": [
        {"name": "reason", "label": {"id": "Alasan", "en": "Reason"}, "required": {"when": "always"},
         "kind": {"type": "text", "min_len": 5, "max_len": 100}}]}"#;

    #[test]
    fn validates_offline_with_the_shared_rules() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert!(
            validate_form(SCHEMA, r#"{"reason": "Urusan keluarga"}"#, today)
                .unwrap()
                .is_empty()
        );
        let errors = validate_form(SCHEMA, r#"{"reason": "ok"}"#, today).unwrap();
        assert_eq!(errors[0].code, FieldErrorCode::TooShort);
        assert!(errors[0].message.id.starts_with("Terlalu"));
        assert!(matches!(
            validate_form("{", "{}", today),
            Err(CoreError::Corrupt(_))
        ));
    }
}
