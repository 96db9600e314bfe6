//! The rank ladder: golongan/ruang with its pangkat name (PP 99/2000 as amended).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::master::EducationLevel;

/// One step of the PNS rank ladder, from I/a (Juru Muda) to IV/e (Pembina Utama). Ordered from
/// lowest to highest; written `III/a`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RankCode(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a rank: expected golongan I-IV and ruang a-d (IV also e), e.g. III/a")]
pub struct RankError(pub String);

/// (golongan, ruang, pangkat), lowest first.
const LADDER: [(&str, char, &str); 17] = [
    ("I", 'a', "Juru Muda"),
    ("I", 'b', "Juru Muda Tingkat I"),
    ("I", 'c', "Juru"),
    ("I", 'd', "Juru Tingkat I"),
    ("II", 'a', "Pengatur Muda"),
    ("II", 'b', "Pengatur Muda Tingkat I"),
    ("II", 'c', "Pengatur"),
    ("II", 'd', "Pengatur Tingkat I"),
    ("III", 'a', "Penata Muda"),
    ("III", 'b', "Penata Muda Tingkat I"),
    ("III", 'c', "Penata"),
    ("III", 'd', "Penata Tingkat I"),
    ("IV", 'a', "Pembina"),
    ("IV", 'b', "Pembina Tingkat I"),
    ("IV", 'c', "Pembina Utama Muda"),
    ("IV", 'd', "Pembina Utama Madya"),
    ("IV", 'e', "Pembina Utama"),
];

impl RankCode {
    /// Every rank, lowest first.
    pub fn all() -> impl Iterator<Item = RankCode> {
        (0..LADDER.len() as u8).map(RankCode)
    }

    pub const LOWEST: RankCode = RankCode(0);
    pub const HIGHEST: RankCode = RankCode(16);

    pub fn parse(input: &str) -> Result<Self, RankError> {
        let trimmed = input.trim();
        let (gol, ruang) = trimmed
            .split_once('/')
            .ok_or_else(|| RankError(input.to_owned()))?;
        let ruang = ruang.trim().to_ascii_lowercase();
        LADDER
            .iter()
            .position(|(g, r, _)| {
                g.eq_ignore_ascii_case(gol.trim()) && ruang.len() == 1 && ruang.starts_with(*r)
            })
            .map(|i| RankCode(i as u8))
            .ok_or_else(|| RankError(input.to_owned()))
    }

    /// Golongan as a Roman numeral (I-IV).
    pub fn golongan(self) -> &'static str {
        LADDER[self.0 as usize].0
    }

    /// Golongan as a number (1-4).
    pub fn golongan_number(self) -> u8 {
        match self.0 {
            0..=3 => 1,
            4..=7 => 2,
            8..=11 => 3,
            _ => 4,
        }
    }

    pub fn ruang(self) -> char {
        LADDER[self.0 as usize].1
    }

    /// The pangkat name, e.g. "Penata Muda" for III/a.
    pub fn pangkat(self) -> &'static str {
        LADDER[self.0 as usize].2
    }

    /// Position on the ladder, 1 for I/a up to 17 for IV/e.
    pub fn level(self) -> u8 {
        self.0 + 1
    }

    pub fn next(self) -> Option<RankCode> {
        (self != Self::HIGHEST).then(|| RankCode(self.0 + 1))
    }

    pub fn previous(self) -> Option<RankCode> {
        self.0.checked_sub(1).map(RankCode)
    }

    /// The rank a new PNS starts in with this education (PP 99/2000 Pasal 11 as amended):
    /// SD I/a, SMP I/c, SMA and D1 II/a, D2 II/b, D3 II/c, S1/D4 III/a, S2 III/b, S3 III/c.
    pub fn entry_for(education: EducationLevel) -> RankCode {
        let code = match education {
            EducationLevel::Sd => "I/a",
            EducationLevel::Smp => "I/c",
            EducationLevel::Sma | EducationLevel::D1 => "II/a",
            EducationLevel::D2 => "II/b",
            EducationLevel::D3 => "II/c",
            EducationLevel::S1 | EducationLevel::D4 => "III/a",
            EducationLevel::S2 => "III/b",
            EducationLevel::S3 => "III/c",
        };
        Self::parse(code).unwrap_or(Self::LOWEST)
    }
}

impl fmt::Display for RankCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.golongan(), self.ruang())
    }
}

impl FromStr for RankCode {
    type Err = RankError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for RankCode {
    type Error = RankError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<RankCode> for String {
    fn from(r: RankCode) -> Self {
        r.to_string()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for RankCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^(I|II|III)/[a-d]$|^IV/[a-e]$"))
            .description(Some("A rank, golongan/ruang: I/a to IV/e"))
            .examples([serde_json::json!("III/b")])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for RankCode {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ladder_has_seventeen_steps_in_order() {
        let all: Vec<_> = RankCode::all().collect();
        assert_eq!(all.len(), 17);
        assert_eq!(all[0].to_string(), "I/a");
        assert_eq!(all[16].to_string(), "IV/e");
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(all[0].pangkat(), "Juru Muda");
        assert_eq!(all[16].pangkat(), "Pembina Utama");
    }

    #[test]
    fn parses_and_names_ranks() {
        let r = RankCode::parse("III/a").unwrap();
        assert_eq!(r.pangkat(), "Penata Muda");
        assert_eq!(r.golongan_number(), 3);
        assert_eq!(r.level(), 9);
        assert_eq!(
            RankCode::parse(" iv / E ").unwrap().pangkat(),
            "Pembina Utama"
        );
        assert_eq!(
            RankCode::parse("II/d").unwrap().pangkat(),
            "Pengatur Tingkat I"
        );
    }

    #[test]
    fn refuses_ranks_that_do_not_exist() {
        for bad in ["III/e", "V/a", "III", "III/ab", "", "3/a", "I/e"] {
            assert_eq!(
                RankCode::parse(bad),
                Err(RankError(bad.to_owned())),
                "{bad}"
            );
        }
    }

    #[test]
    fn next_and_previous_walk_the_ladder_across_golongan() {
        let iid = RankCode::parse("II/d").unwrap();
        assert_eq!(iid.next().unwrap().to_string(), "III/a");
        assert_eq!(RankCode::parse("III/a").unwrap().previous(), Some(iid));
        assert_eq!(RankCode::HIGHEST.next(), None);
        assert_eq!(RankCode::LOWEST.previous(), None);
    }

    #[test]
    fn entry_rank_follows_education() {
        assert_eq!(RankCode::entry_for(EducationLevel::S1).to_string(), "III/a");
        assert_eq!(RankCode::entry_for(EducationLevel::D3).to_string(), "II/c");
        assert_eq!(RankCode::entry_for(EducationLevel::Sma).to_string(), "II/a");
        assert_eq!(RankCode::entry_for(EducationLevel::S2).to_string(), "III/b");
    }

    #[test]
    fn serde_uses_the_written_form() {
        let r: RankCode = serde_json::from_str("\"IV/b\"").unwrap();
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"IV/b\"");
        assert!(serde_json::from_str::<RankCode>("\"IV/f\"").is_err());
    }
}
