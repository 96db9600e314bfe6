//! abdi-bindings: the thin facade the Flutter app calls. No logic lives here: each function
//! forwards to `abdi-core` and flattens its result for the bridge. flutter_rust_bridge code
//! generation arrives with the mobile-client issue; these signatures are already bridge-shaped
//! (owned strings in, plain structs out, a flat error with a code and both messages).

use abdi_core::CoreError;
use abdi_proto::Lang;

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

/// The error every bridge function returns: a stable code and the message in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeError {
    pub code: String,
    pub message_id: String,
    pub message_en: String,
}

impl From<CoreError> for BridgeError {
    fn from(e: CoreError) -> Self {
        BridgeError {
            code: e.code().to_owned(),
            message_id: e.message(Lang::Id),
            message_en: e.message(Lang::En),
        }
    }
}

/// Checks a NIP as the employee types it on the activation form (spaces allowed).
pub fn check_nip(nip: String) -> Result<NipSummary, BridgeError> {
    let info = abdi_core::check_nip(&nip)?;
    Ok(NipSummary {
        nip: info.nip,
        formatted: info.formatted,
        birth_date: info.birth_date.format("%Y-%m-%d").to_string(),
        gender: info.gender,
    })
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
        assert!(e.message_id.contains("18 digits") || e.message_id.starts_with("NIP tidak valid"));
        assert!(e.message_en.starts_with("Invalid NIP"));
    }
}
