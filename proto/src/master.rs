//! Master-data vocabularies (Pergub Jatim 73/2020 Pasal 6 and 16). Stored and sent as the
//! snake_case strings their serde names give; [`Vocabulary::code`] is the same string.

use serde::{Deserialize, Serialize};

/// A closed set of codes stored as text in the database and sent as text on the wire.
pub trait Vocabulary: Sized + Copy + 'static {
    const ALL: &'static [Self];
    fn code(self) -> &'static str;
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.code() == code)
    }
}

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant),+
        }
        impl Vocabulary for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn code(self) -> &'static str {
                match self { $(Self::$variant => $code),+ }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

vocabulary!(
    /// Gender as the NIP (digit 15) and NIK record it.
    Gender { Male = "male", Female = "female" }
);

vocabulary!(
    /// Employment type of an ASN.
    EmploymentType { Pns = "pns", Cpns = "cpns", Pppk = "pppk" }
);

vocabulary!(
    /// Level of an organisation unit: instansi -> perangkat daerah -> unit kerja.
    UnitLevel { Instansi = "instansi", PerangkatDaerah = "perangkat_daerah", UnitKerja = "unit_kerja" }
);

vocabulary!(
    /// Kind of position (jabatan).
    PositionKind { Struktural = "struktural", Fungsional = "fungsional", Pelaksana = "pelaksana" }
);

vocabulary!(
    /// Education level, lowest first.
    EducationLevel {
        Sd = "sd", Smp = "smp", Sma = "sma", D1 = "d1", D2 = "d2", D3 = "d3", D4 = "d4",
        S1 = "s1", S2 = "s2", S3 = "s3",
    }
);

vocabulary!(
    /// Performance rating (PermenPANRB 6/2022), best first.
    PerformanceRating {
        SangatBaik = "sangat_baik", Baik = "baik", ButuhPerbaikan = "butuh_perbaikan",
        Kurang = "kurang", SangatKurang = "sangat_kurang",
    }
);

vocabulary!(
    /// A family member's relation to the employee.
    FamilyRelation { Spouse = "spouse", Child = "child", Parent = "parent" }
);

vocabulary!(
    /// Kind of a day in the holiday calendar.
    HolidayKind { NationalHoliday = "national_holiday", CutiBersama = "cuti_bersama" }
);

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<V: Vocabulary + Serialize + PartialEq + std::fmt::Debug>() {
        for v in V::ALL {
            assert_eq!(V::from_code(v.code()), Some(*v));
            assert_eq!(
                serde_json::to_string(v).unwrap(),
                format!("\"{}\"", v.code())
            );
        }
    }

    #[test]
    fn codes_round_trip_and_match_serde() {
        round_trips::<Gender>();
        round_trips::<EmploymentType>();
        round_trips::<UnitLevel>();
        round_trips::<PositionKind>();
        round_trips::<EducationLevel>();
        round_trips::<PerformanceRating>();
        round_trips::<FamilyRelation>();
        round_trips::<HolidayKind>();
        assert_eq!(EmploymentType::from_code("honorer"), None);
        assert!(EducationLevel::S1 > EducationLevel::D3);
    }
}
