//! The CSV files of an export, one row type each, with the column names of SIASN's data
//! (`unorId`, `nipBaru`, `golRuangAkhirId`, `tmtGolongan`, `skNomor`, ...). A row is checked on
//! its own here (NIP, NIK, dates, vocabularies); what it means against the database is for
//! the reconciliation.

use abdi_proto::master::{
    EducationLevel, EmploymentType, Gender, PositionKind, UnitLevel, Vocabulary,
};
use abdi_proto::{Nik, Nip, Phone, RankCode};
use chrono::NaiveDate;
use serde::Deserialize;

/// `units.csv`: the organisation, parents before children or in any order.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UnitRow {
    pub unor_id: String,
    pub nama_unor: String,
    /// instansi, perangkat_daerah or unit_kerja.
    pub jenis_unor: String,
    #[serde(default)]
    pub diatasan_id: Option<String>,
}

/// `posts.csv`: the posts of each unit, with the post each reports to.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PostRow {
    pub jabatan_id: String,
    pub nama_jabatan: String,
    /// struktural, fungsional or pelaksana.
    pub jenis_jabatan: String,
    #[serde(default)]
    pub eselon: Option<String>,
    pub unor_id: String,
    #[serde(default)]
    pub atasan_jabatan_id: Option<String>,
}

/// `employees.csv`: SIASN's data-utama, one employee a row.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EmployeeRow {
    pub nip_baru: String,
    pub nik: String,
    pub nama: String,
    #[serde(default)]
    pub gelar_depan: Option<String>,
    #[serde(default)]
    pub gelar_belakang: Option<String>,
    pub jenis_kelamin: String,
    pub tempat_lahir: String,
    pub tgl_lahir: String,
    pub status_pegawai: String,
    #[serde(default)]
    pub gol_ruang_akhir_id: Option<String>,
    #[serde(default)]
    pub tmt_gol_akhir: Option<String>,
    #[serde(default)]
    pub tmt_cpns: Option<String>,
    #[serde(default)]
    pub tmt_pns: Option<String>,
    pub pendidikan_terakhir: String,
    pub unor_id: String,
    #[serde(default)]
    pub jabatan_id: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub no_hp: Option<String>,
}

/// An employee row, checked: what would be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Employee {
    pub nip: String,
    pub nik: String,
    pub front_title: Option<String>,
    pub name: String,
    pub back_title: Option<String>,
    pub gender: Gender,
    pub birth_place: String,
    pub birth_date: NaiveDate,
    pub employment_type: EmploymentType,
    pub rank_code: Option<String>,
    pub rank_tmt: Option<NaiveDate>,
    pub tmt_cpns: Option<NaiveDate>,
    pub tmt_pns: Option<NaiveDate>,
    pub education_level: EducationLevel,
    pub unit_code: String,
    pub position_code: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Why a row is refused: a stable code and the words for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            code,
            message: message.into(),
        }
    }
}

fn refuse(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal::new(code, message)
}

pub(super) fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A date as exports write it: `2026-07-01`, `01-07-2026` or `01/07/2026`.
pub(crate) fn date(field: &str, raw: &str) -> Result<NaiveDate, Refusal> {
    let raw = raw.trim();
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d-%m-%Y"))
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d/%m/%Y"))
        .map_err(|_| refuse("invalid_date", format!("{field}: '{raw}' is not a date")))
}

pub(super) fn optional_date(
    field: &str,
    raw: &Option<String>,
) -> Result<Option<NaiveDate>, Refusal> {
    blank(raw).map(|d| date(field, d)).transpose()
}

pub(super) fn vocabulary<V: Vocabulary>(field: &str, raw: &str) -> Result<V, Refusal> {
    let code = raw.trim().to_lowercase().replace([' ', '-'], "_");
    V::from_code(&code).ok_or_else(|| {
        let allowed: Vec<&str> = V::ALL.iter().map(|v| v.code()).collect();
        refuse(
            "invalid_value",
            format!("{field}: '{raw}' is not one of {}", allowed.join(", ")),
        )
    })
}

/// A gender as exports write it: L/P, M/F, or the words.
pub(super) fn gender(field: &str, raw: &str) -> Result<Gender, Refusal> {
    match raw.trim().to_uppercase().as_str() {
        "L" | "M" | "LAKI-LAKI" | "MALE" | "1" => Ok(Gender::Male),
        "P" | "F" | "PEREMPUAN" | "FEMALE" | "2" => Ok(Gender::Female),
        other => Err(refuse(
            "invalid_value",
            format!("{field} '{other}' is not L/P (M/F)"),
        )),
    }
}

impl UnitRow {
    pub(crate) fn level(&self) -> Result<UnitLevel, Refusal> {
        vocabulary("jenisUnor", &self.jenis_unor)
    }
}

impl PostRow {
    pub(crate) fn kind(&self) -> Result<PositionKind, Refusal> {
        vocabulary("jenisJabatan", &self.jenis_jabatan)
    }
}

/// The NIP of a row, as it must be written: 18 digits that are a real NIP.
pub(crate) fn nip(raw: &str) -> Result<String, Refusal> {
    let raw = raw.trim();
    Nip::parse(raw)
        .or_else(|_| Nip::parse_pppk(raw))
        .map(|n| n.as_str().to_owned())
        .map_err(|e| refuse("invalid_nip", format!("nipBaru '{raw}': {e}")))
}

impl EmployeeRow {
    pub(crate) fn check(
        &self,
        allowed_domains: &[String],
    ) -> Result<(Employee, Vec<Refusal>), Refusal> {
        let nip = nip(&self.nip_baru)?;
        let nik = Nik::parse(&self.nik)
            .map_err(|e| refuse("invalid_nik", format!("nik '{}': {e}", self.nik.trim())))?;
        let name = self.nama.trim();
        if name.is_empty() {
            return Err(refuse("invalid_value", "nama is empty"));
        }
        let gender = gender("jenisKelamin", &self.jenis_kelamin)?;
        let rank_code = match blank(&self.gol_ruang_akhir_id) {
            Some(raw) => Some(
                RankCode::parse(raw)
                    .map_err(|_| {
                        refuse(
                            "invalid_value",
                            format!("golRuangAkhirId '{raw}' is not a rank (I/a to IV/e)"),
                        )
                    })?
                    .to_string(),
            ),
            None => None,
        };
        let mut warnings = Vec::new();
        let email = blank(&self.email).map(str::to_lowercase);
        if let Some(e) = &email {
            let (_, domain) = e
                .split_once('@')
                .ok_or_else(|| refuse("invalid_email", format!("email '{e}' is not an address")))?;
            if !allowed_domains
                .iter()
                .any(|d| domain == d || domain.ends_with(&format!(".{d}")))
            {
                warnings.push(refuse(
                    "email_not_official",
                    format!(
                        "email '{e}' is not an official ({}) address",
                        allowed_domains.join(", ")
                    ),
                ));
            }
        }
        let phone = match blank(&self.no_hp) {
            Some(raw) => Some(
                Phone::parse(raw)
                    .map_err(|_| {
                        refuse(
                            "invalid_phone",
                            format!("noHp '{raw}' is not a mobile number"),
                        )
                    })?
                    .as_str()
                    .to_owned(),
            ),
            None => None,
        };
        Ok((
            Employee {
                nip,
                nik: nik.as_str().to_owned(),
                front_title: blank(&self.gelar_depan).map(str::to_owned),
                name: name.to_owned(),
                back_title: blank(&self.gelar_belakang).map(str::to_owned),
                gender,
                birth_place: self.tempat_lahir.trim().to_owned(),
                birth_date: date("tglLahir", &self.tgl_lahir)?,
                employment_type: vocabulary("statusPegawai", &self.status_pegawai)?,
                rank_code,
                rank_tmt: optional_date("tmtGolAkhir", &self.tmt_gol_akhir)?,
                tmt_cpns: optional_date("tmtCpns", &self.tmt_cpns)?,
                tmt_pns: optional_date("tmtPns", &self.tmt_pns)?,
                education_level: vocabulary("pendidikanTerakhir", &self.pendidikan_terakhir)?,
                unit_code: self.unor_id.trim().to_owned(),
                position_code: blank(&self.jabatan_id).map(str::to_owned),
                email,
                phone,
            },
            warnings,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_come_in_the_exports_three_shapes() {
        let d = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        for raw in ["2026-07-01", "01-07-2026", "01/07/2026", " 2026-07-01 "] {
            assert_eq!(date("tmt", raw), Ok(d), "{raw}");
        }
        assert_eq!(date("tmt", "31-02-2026").unwrap_err().code, "invalid_date");
    }

    #[test]
    fn vocabularies_accept_the_exports_spellings() {
        assert_eq!(
            vocabulary::<UnitLevel>("j", "Perangkat Daerah"),
            Ok(UnitLevel::PerangkatDaerah)
        );
        assert_eq!(
            vocabulary::<EducationLevel>("p", "S1"),
            Ok(EducationLevel::S1)
        );
        let no = vocabulary::<EmploymentType>("statusPegawai", "honorer").unwrap_err();
        assert!(no.message.contains("pns, cpns, pppk"), "{}", no.message);
    }
}
