//! NIP (Nomor Induk Pegawai): the 18-digit civil-servant number (Perka BKN 22/2007).
//!
//! Layout: birth date `YYYYMMDD` (1-8), appointment `YYYYMM` (9-14; TMT CPNS for PNS/CPNS, year of
//! appointment plus the two-digit code [`PPPK_CODE`] for PPPK), gender `1` male / `2` female (15),
//! sequence (16-18).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::master::Gender;

/// Why a NIP was refused. Each variant names the part that is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NipError {
    #[error("NIP must be 18 digits, got {0} characters")]
    Length(usize),
    #[error("NIP may contain digits only")]
    NotDigits,
    #[error("birth date {0} (digits 1-8) is not a real date")]
    BirthDate(String),
    #[error("appointment year {year} (digits 9-12) is not after the birth year {birth_year}")]
    AppointmentBeforeBirth { year: i32, birth_year: i32 },
    #[error("appointment month {0:02} (digits 13-14) is not a month")]
    AppointmentMonth(u32),
    #[error("digits 13-14 ({0:02}) are neither a month nor the PPPK code 21")]
    AppointmentCode(u32),
    #[error("gender digit (15) must be 1 or 2, got {0}")]
    Gender(char),
    #[error("sequence (digits 16-18) must not be 000")]
    Sequence,
}

/// Digits 13-14 of a PPPK number (where a PNS number has the TMT month). Verify against BKN's
/// current numbering before relying on it for more than validation.
pub const PPPK_CODE: u32 = 21;

/// A checked NIP. Construct with [`Nip::parse`] (or `str::parse`); the inner string is always
/// 18 digits whose parts are valid.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Nip(String);

impl Nip {
    /// Parses and checks a NIP. Spaces (as NIPs are often printed `19850312 201001 1 004`) are
    /// ignored. The appointment month is checked as a month; PPPK numbers whose digits 13-14 are
    /// a code rather than a month are accepted by [`Nip::parse_pppk`].
    pub fn parse(input: &str) -> Result<Self, NipError> {
        let nip = Self::parse_digits(input)?;
        let month = nip.appointment_code();
        if !(1..=12).contains(&month) {
            return Err(NipError::AppointmentMonth(month));
        }
        Ok(nip)
    }

    /// Parses a number whose digits 13-14 are a month (PNS, CPNS) or the PPPK code.
    pub fn parse_pppk(input: &str) -> Result<Self, NipError> {
        let nip = Self::parse_digits(input)?;
        let code = nip.appointment_code();
        if !(1..=12).contains(&code) && code != PPPK_CODE {
            return Err(NipError::AppointmentCode(code));
        }
        Ok(nip)
    }

    /// Whether digits 13-14 carry the PPPK code.
    pub fn is_pppk(&self) -> bool {
        self.appointment_code() == PPPK_CODE
    }

    /// Checks length, digits, birth date, appointment year, gender and sequence.
    fn parse_digits(input: &str) -> Result<Self, NipError> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.chars().count() != 18 {
            return Err(NipError::Length(digits.chars().count()));
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NipError::NotDigits);
        }
        let birth = NaiveDate::parse_from_str(&digits[0..8], "%Y%m%d")
            .map_err(|_| NipError::BirthDate(digits[0..8].to_owned()))?;
        let year = num(&digits[8..12]) as i32;
        if year <= chrono::Datelike::year(&birth) {
            return Err(NipError::AppointmentBeforeBirth {
                year,
                birth_year: chrono::Datelike::year(&birth),
            });
        }
        let gender = digits.as_bytes()[14] as char;
        if gender != '1' && gender != '2' {
            return Err(NipError::Gender(gender));
        }
        if &digits[15..18] == "000" {
            return Err(NipError::Sequence);
        }
        Ok(Self(digits))
    }

    /// Builds a NIP from its parts (used by the synthetic data generator). The result is checked.
    pub fn from_parts(
        birth: NaiveDate,
        appointment_year: i32,
        appointment_month: u32,
        gender: Gender,
        sequence: u16,
    ) -> Result<Self, NipError> {
        let g = match gender {
            Gender::Male => 1,
            Gender::Female => 2,
        };
        Self::parse(&format!(
            "{}{:04}{:02}{}{:03}",
            birth.format("%Y%m%d"),
            appointment_year,
            appointment_month,
            g,
            sequence
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        // The constructor proved these digits are a real date.
        NaiveDate::parse_from_str(&self.0[0..8], "%Y%m%d").unwrap_or_default()
    }

    pub fn appointment_year(&self) -> i32 {
        num(&self.0[8..12]) as i32
    }

    /// Digits 13-14: the TMT CPNS month for PNS/CPNS, a code for PPPK.
    pub fn appointment_code(&self) -> u32 {
        num(&self.0[12..14])
    }

    /// The TMT CPNS month (first day), when digits 13-14 are a month.
    pub fn tmt_cpns(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.appointment_year(), self.appointment_code(), 1)
    }

    pub fn gender(&self) -> Gender {
        if self.0.as_bytes()[14] == b'2' {
            Gender::Female
        } else {
            Gender::Male
        }
    }

    pub fn sequence(&self) -> u16 {
        num(&self.0[15..18]) as u16
    }

    /// The usual printed form: `19850312 201001 1 004`.
    pub fn formatted(&self) -> String {
        format!(
            "{} {} {} {}",
            &self.0[0..8],
            &self.0[8..14],
            &self.0[14..15],
            &self.0[15..18]
        )
    }
}

fn num(s: &str) -> u32 {
    s.bytes().fold(0, |n, b| n * 10 + u32::from(b - b'0'))
}

impl FromStr for Nip {
    type Err = NipError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Nip {
    type Error = NipError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse_pppk(&s)
    }
}

impl From<Nip> for String {
    fn from(n: Nip) -> Self {
        n.0
    }
}

impl fmt::Display for Nip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Nip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nip({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_real_nip_and_its_parts() {
        let nip = Nip::parse("198503122010011004").unwrap();
        assert_eq!(
            nip.birth_date(),
            NaiveDate::from_ymd_opt(1985, 3, 12).unwrap()
        );
        assert_eq!(nip.tmt_cpns(), NaiveDate::from_ymd_opt(2010, 1, 1));
        assert_eq!(nip.gender(), Gender::Male);
        assert_eq!(nip.sequence(), 4);
        assert_eq!(nip.formatted(), "19850312 201001 1 004");
    }

    #[test]
    fn accepts_the_printed_form_with_spaces() {
        let nip: Nip = "19850312 201001 2 004".parse().unwrap();
        assert_eq!(nip.as_str(), "198503122010012004");
        assert_eq!(nip.gender(), Gender::Female);
    }

    #[test]
    fn refuses_wrong_length_and_non_digits() {
        assert_eq!(Nip::parse("19850312201001100"), Err(NipError::Length(17)));
        assert_eq!(Nip::parse("1985031220100110045"), Err(NipError::Length(19)));
        assert_eq!(Nip::parse("19850312201001100x"), Err(NipError::NotDigits));
        assert_eq!(Nip::parse(""), Err(NipError::Length(0)));
    }

    #[test]
    fn refuses_birth_dates_that_are_not_real() {
        assert_eq!(
            Nip::parse("199002302010011004"),
            Err(NipError::BirthDate("19900230".into()))
        );
        assert_eq!(
            Nip::parse("198513122010011004"),
            Err(NipError::BirthDate("19851312".into()))
        );
        // 29 February only in leap years.
        assert!(Nip::parse("199202292015031001").is_ok());
        assert!(Nip::parse("199302292015031001").is_err());
    }

    #[test]
    fn refuses_an_appointment_that_is_not_a_month_or_before_birth() {
        assert_eq!(
            Nip::parse("198503122010131004"),
            Err(NipError::AppointmentMonth(13))
        );
        assert_eq!(
            Nip::parse("198503122010001004"),
            Err(NipError::AppointmentMonth(0))
        );
        assert_eq!(
            Nip::parse("198503121980011004"),
            Err(NipError::AppointmentBeforeBirth {
                year: 1980,
                birth_year: 1985
            })
        );
    }

    #[test]
    fn pppk_numbers_may_carry_a_code_in_digits_13_and_14() {
        let nip = Nip::parse_pppk("198503122021211004").unwrap();
        assert_eq!(nip.appointment_year(), 2021);
        assert_eq!(nip.appointment_code(), 21);
        assert_eq!(nip.tmt_cpns(), None);
        assert!(nip.is_pppk());
        assert!(Nip::parse("198503122021211004").is_err());
        assert_eq!(
            Nip::parse_pppk("198503122021001004"),
            Err(NipError::AppointmentCode(0))
        );
        assert_eq!(
            Nip::parse_pppk("198503122021131004"),
            Err(NipError::AppointmentCode(13))
        );
    }

    #[test]
    fn refuses_a_bad_gender_digit_or_a_zero_sequence() {
        assert_eq!(Nip::parse("198503122010013004"), Err(NipError::Gender('3')));
        assert_eq!(Nip::parse("198503122010010004"), Err(NipError::Gender('0')));
        assert_eq!(Nip::parse("198503122010011000"), Err(NipError::Sequence));
    }

    #[test]
    fn from_parts_round_trips() {
        let birth = NaiveDate::from_ymd_opt(1990, 7, 1).unwrap();
        let nip = Nip::from_parts(birth, 2014, 3, Gender::Female, 17).unwrap();
        assert_eq!(nip.as_str(), "199007012014032017");
        assert!(Nip::from_parts(birth, 2014, 13, Gender::Female, 17).is_err());
    }

    #[test]
    fn serde_refuses_a_bad_nip() {
        let ok: Nip = serde_json::from_str("\"198503122010011004\"").unwrap();
        assert_eq!(ok.as_str(), "198503122010011004");
        assert!(serde_json::from_str::<Nip>("\"199002302010011004\"").is_err());
        assert!(
            serde_json::from_str::<Nip>("\"198503122010001004\"").is_err(),
            "month 00"
        );
        assert!(
            serde_json::from_str::<Nip>("\"198503122010131004\"").is_err(),
            "month 13"
        );
        assert!(
            serde_json::from_str::<Nip>("\"198503122021211004\"").is_ok(),
            "PPPK"
        );
    }
}
