//! Offline form validation on the device, with the very code the server runs (`abdi-proto`).

use abdi_proto::forms::{FieldError, FormSchema, FormValues};
use chrono::NaiveDate;

use crate::CoreError;

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
