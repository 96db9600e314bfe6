//! Offline NIP check for the activation form.

use abdi_proto::Nip;
use abdi_proto::master::Vocabulary;
use chrono::NaiveDate;

use crate::CoreError;

/// What a valid NIP says about its holder, for the form to show back ("born 12 March 1985?").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NipInfo {
    /// The 18 digits, without spaces.
    pub nip: String,
    /// The usual printed form, `19850312 201001 1 004`.
    pub formatted: String,
    pub birth_date: NaiveDate,
    /// `male` or `female`.
    pub gender: String,
    /// The TMT CPNS month, when digits 13-14 are a month (not a PPPK code).
    pub tmt_cpns: Option<NaiveDate>,
}

/// Checks a NIP as typed (spaces allowed). PNS, CPNS and PPPK numbers are accepted.
pub fn check_nip(input: &str) -> Result<NipInfo, CoreError> {
    let nip = Nip::parse_pppk(input).map_err(|e| CoreError::InvalidNip(e.to_string()))?;
    Ok(NipInfo {
        nip: nip.as_str().to_owned(),
        formatted: nip.formatted(),
        birth_date: nip.birth_date(),
        gender: nip.gender().code().to_owned(),
        tmt_cpns: nip.tmt_cpns(),
    })
}

#[cfg(test)]
mod tests {
    use abdi_proto::Lang;

    use super::*;

    #[test]
    fn a_typed_nip_is_checked_and_explained() {
        let info = check_nip("19850312 201001 2 004").unwrap();
        assert_eq!(info.nip, "198503122010012004");
        assert_eq!(info.gender, "female");
        assert_eq!(
            info.birth_date,
            NaiveDate::from_ymd_opt(1985, 3, 12).unwrap()
        );
        assert_eq!(info.tmt_cpns, NaiveDate::from_ymd_opt(2010, 1, 1));
    }

    #[test]
    fn a_bad_nip_says_why_in_both_languages() {
        let e = check_nip("199002302010011004").unwrap_err();
        assert_eq!(e.code(), "invalid_nip");
        assert!(e.message(Lang::Id).starts_with("NIP tidak valid"));
        assert!(e.message(Lang::En).contains("19900230"));
    }
}
