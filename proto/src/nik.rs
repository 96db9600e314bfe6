//! NIK (Nomor Induk Kependudukan): the 16-digit population number.
//!
//! Layout: province (1-2), regency (3-4), district (5-6), birth date `DDMMYY` with 40 added to the
//! day for women (7-12), sequence (13-16).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::master::Gender;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NikError {
    #[error("NIK must be 16 digits, got {0} characters")]
    Length(usize),
    #[error("NIK may contain digits only")]
    NotDigits,
    #[error("province code {0} (digits 1-2) is not an Indonesian province code")]
    Province(String),
    #[error("birth date {0} (digits 7-12) is not a real date")]
    BirthDate(String),
    #[error("sequence (digits 13-16) must not be 0000")]
    Sequence,
}

/// A checked NIK. The two-digit birth year is ambiguous by itself; [`Nik::birth_date_in`] resolves
/// it against the century the caller knows (for an employee, the NIP's birth year).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Nik(String);

impl Nik {
    pub fn parse(input: &str) -> Result<Self, NikError> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.chars().count() != 16 {
            return Err(NikError::Length(digits.chars().count()));
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NikError::NotDigits);
        }
        let province = &digits[0..2];
        // Province codes run from 11 (Aceh) to 97 (the Papua provinces); none start with 0.
        if !(11..=97).contains(&num(province)) {
            return Err(NikError::Province(province.to_owned()));
        }
        let nik = Self(digits);
        // Any century will do to check the day and month; 2000 is a leap year so 29 Feb passes
        // here and is checked again against the real century in `birth_date_in`.
        if nik.birth_date_in(2000).is_none() {
            return Err(NikError::BirthDate(nik.0[6..12].to_owned()));
        }
        if &nik.0[12..16] == "0000" {
            return Err(NikError::Sequence);
        }
        Ok(nik)
    }

    /// Builds the NIK of a person born on `birth` in the given region (used by the generator).
    pub fn from_parts(
        region: &str,
        birth: NaiveDate,
        gender: Gender,
        sequence: u16,
    ) -> Result<Self, NikError> {
        use chrono::Datelike;
        let day = birth.day()
            + match gender {
                Gender::Male => 0,
                Gender::Female => 40,
            };
        Self::parse(&format!(
            "{region}{day:02}{:02}{:02}{sequence:04}",
            birth.month(),
            birth.year() % 100
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Region code: province, regency, district (digits 1-6).
    pub fn region(&self) -> &str {
        &self.0[0..6]
    }

    pub fn gender(&self) -> Gender {
        if num(&self.0[6..8]) > 40 {
            Gender::Female
        } else {
            Gender::Male
        }
    }

    /// The birth date, taking the century from `century_year` (e.g. 1900 or 2000).
    pub fn birth_date_in(&self, century_year: i32) -> Option<NaiveDate> {
        let mut day = num(&self.0[6..8]);
        if day > 40 {
            day -= 40;
        }
        let month = num(&self.0[8..10]);
        let yy = num(&self.0[10..12]) as i32;
        NaiveDate::from_ymd_opt(century_year - century_year.rem_euclid(100) + yy, month, day)
    }
}

fn num(s: &str) -> u32 {
    s.bytes().fold(0, |n, b| n * 10 + u32::from(b - b'0'))
}

impl FromStr for Nik {
    type Err = NikError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Nik {
    type Error = NikError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Nik> for String {
    fn from(n: Nik) -> Self {
        n.0
    }
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A NIK is personal data: Debug shows only the region so it never lands whole in a log.
impl fmt::Debug for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nik({}**********)", &self.0[0..6])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_man_and_a_woman() {
        let man = Nik::parse("3578011203850004").unwrap();
        assert_eq!(man.gender(), Gender::Male);
        assert_eq!(man.region(), "357801");
        assert_eq!(
            man.birth_date_in(1900),
            NaiveDate::from_ymd_opt(1985, 3, 12)
        );
        let woman = Nik::parse("3578015203850004").unwrap();
        assert_eq!(woman.gender(), Gender::Female);
        assert_eq!(
            woman.birth_date_in(1900),
            NaiveDate::from_ymd_opt(1985, 3, 12)
        );
    }

    #[test]
    fn refuses_bad_niks() {
        assert_eq!(Nik::parse("357801120385000"), Err(NikError::Length(15)));
        assert_eq!(Nik::parse("35780112038500a4"), Err(NikError::NotDigits));
        assert_eq!(
            Nik::parse("0578011203850004"),
            Err(NikError::Province("05".into()))
        );
        assert_eq!(
            Nik::parse("3578013203850004"),
            Err(NikError::BirthDate("320385".into()))
        );
        assert_eq!(
            Nik::parse("3578017203850004"),
            Err(NikError::BirthDate("720385".into()))
        );
        assert_eq!(Nik::parse("3578011203850000"), Err(NikError::Sequence));
    }

    #[test]
    fn from_parts_adds_forty_for_women_and_debug_hides_the_person() {
        let birth = NaiveDate::from_ymd_opt(1991, 11, 5).unwrap();
        let nik = Nik::from_parts("350101", birth, Gender::Female, 12).unwrap();
        assert_eq!(nik.as_str(), "3501014511910012");
        assert_eq!(format!("{nik:?}"), "Nik(350101**********)");
    }
}
