//! The one error every bridge function returns.

use abdi_core::CoreError;
use abdi_proto::Lang;

/// A failure: switch on `code` (stable, snake_case); show `message_id` (Bahasa Indonesia) or
/// `message_en`. `fields` lists each form field problem for `form_invalid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeError {
    pub code: String,
    pub message_id: String,
    pub message_en: String,
    /// True when the same call may succeed later (no network, server busy).
    pub transient: bool,
    pub fields: Vec<FieldProblem>,
}

/// One problem with a form field, from the offline check or the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field's name in the form schema (empty when the problem is about the whole form).
    pub field: String,
    /// e.g. `required`, `too_short`, `insufficient_balance`.
    pub code: String,
    pub message_id: String,
    pub message_en: String,
}

impl From<CoreError> for BridgeError {
    fn from(e: CoreError) -> Self {
        let fields = match &e {
            CoreError::FormInvalid(errors) => errors
                .iter()
                .map(|f| FieldProblem {
                    field: f.field.clone(),
                    code: serde_json::to_value(f.code)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    message_id: f.message.id.clone(),
                    message_en: f.message.en.clone(),
                })
                .collect(),
            CoreError::Api { items, .. } => items
                .iter()
                .map(|i| FieldProblem {
                    field: i.field.clone().unwrap_or_default(),
                    code: i.code.clone(),
                    message_id: i.message.clone(),
                    message_en: i.message.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        BridgeError {
            code: e.code().to_owned(),
            message_id: e.message(Lang::Id),
            message_en: e.message(Lang::En),
            transient: e.is_transient(),
            fields,
        }
    }
}

impl BridgeError {
    /// An argument from Dart that is not what the function documents (a date not
    /// `YYYY-MM-DD`, an id that is not a UUID, JSON that is not an object).
    pub(crate) fn input(what: &str, why: impl std::fmt::Display) -> BridgeError {
        BridgeError {
            code: "invalid_argument".into(),
            message_id: format!("Nilai {what} tidak valid: {why}"),
            message_en: format!("Invalid {what}: {why}"),
            transient: false,
            fields: Vec::new(),
        }
    }
}
