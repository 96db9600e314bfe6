//! The employee's record as one document (Pergub Jatim 73/2020 Pasal 16): identity, and every
//! history with its decrees. What the record API answers, what the phone keeps offline.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::people::PersonRef;

/// `GET /api/v1/employees/{id}/record`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmployeeRecord {
    pub identity: RecordIdentity,
    pub ranks: Vec<RankEntry>,
    pub positions: Vec<PositionEntry>,
    pub education: Vec<EducationEntry>,
    pub training: Vec<TrainingEntry>,
    pub performance: Vec<RatingEntry>,
    pub awards: Vec<AwardEntry>,
    pub family: Vec<FamilyEntry>,
    pub discipline: Vec<SanctionEntry>,
    pub competencies: Vec<CompetencyEntry>,
    pub organisations: Vec<OrganisationEntry>,
    pub salary: Vec<SalaryEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordIdentity {
    pub id: uuid::Uuid,
    pub nip: String,
    /// The NIK in full for the employee and administrators; otherwise its first four and last
    /// two digits, the rest as `*`.
    pub nik: String,
    pub nik_masked: bool,
    pub front_title: Option<String>,
    pub name: String,
    pub back_title: Option<String>,
    /// With titles, as letters print it.
    pub full_name: String,
    /// `male` or `female`.
    pub gender: String,
    pub birth_place: String,
    pub birth_date: NaiveDate,
    /// `pns`, `cpns` or `pppk`.
    pub employment_type: String,
    pub rank_code: Option<String>,
    pub rank_tmt: Option<NaiveDate>,
    pub tmt_cpns: Option<NaiveDate>,
    pub tmt_pns: Option<NaiveDate>,
    pub education_level: String,
    pub unit_code: String,
    pub unit_name: String,
    pub position_title: Option<String>,
    /// `struktural`, `fungsional` or `pelaksana`.
    #[serde(default)]
    pub position_kind: Option<String>,
    /// The post's eselon (`II.a`) or functional level.
    #[serde(default)]
    pub position_grade: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RankEntry {
    pub rank_code: String,
    pub tmt: NaiveDate,
    pub decree_number: String,
    pub decree_date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PositionEntry {
    pub position_title: String,
    pub unit_name: String,
    pub tmt: NaiveDate,
    pub decree_number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EducationEntry {
    /// The entry's id, for a proposal that corrects or removes it.
    #[serde(default)]
    pub id: i64,
    pub level: String,
    pub institution: String,
    pub major: Option<String>,
    pub graduation_year: i32,
    pub diploma_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingEntry {
    /// The entry's id, for a proposal that corrects or removes it.
    #[serde(default)]
    pub id: i64,
    pub name: String,
    pub organizer: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub hours: i32,
}

/// A yearly performance rating (SKP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingEntry {
    pub year: i32,
    pub rating: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AwardEntry {
    /// The entry's id, for a proposal that corrects or removes it.
    #[serde(default)]
    pub id: i64,
    pub name: String,
    pub decree_number: String,
    pub year: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FamilyEntry {
    /// The entry's id, for a proposal that corrects or removes it.
    #[serde(default)]
    pub id: i64,
    /// `spouse`, `child` or `parent`.
    pub relation: String,
    pub name: String,
    pub gender: String,
    pub birth_date: NaiveDate,
    /// Masked like the employee's own NIK.
    pub nik: Option<String>,
}

/// A disciplinary sanction (hukuman disiplin, PP 94/2021).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SanctionEntry {
    /// `ringan`, `sedang` or `berat`.
    pub level: String,
    pub decree_number: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompetencyEntry {
    /// The entry's id, for a proposal that corrects or removes it.
    #[serde(default)]
    pub id: i64,
    pub name: String,
    pub level: String,
    pub assessed_on: NaiveDate,
    pub assessor: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganisationEntry {
    /// The entry's id, for a proposal that corrects or removes it.
    #[serde(default)]
    pub id: i64,
    pub organisation: String,
    pub role: String,
    pub start_year: i32,
    pub end_year: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SalaryEntry {
    /// Gaji pokok, in rupiah.
    pub basic_salary: i64,
    pub rank_code: String,
    /// Masa kerja golongan, in years.
    pub service_years: i32,
    pub tmt: NaiveDate,
    pub decree_number: String,
}

/// One read of someone else's record, as the access log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordRead {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub reader: PersonRef,
    pub employee: PersonRef,
    /// The capacity it was read in: `atasan_langsung`, `fasilitator` or `administrator`.
    pub capacity: String,
}

/// A page of the access log, newest first; pass `next` as `after`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordReadPage {
    pub items: Vec<RecordRead>,
    pub next: Option<String>,
}

/// A NIK as someone who is neither its owner nor an administrator sees it.
pub fn mask_nik(nik: &str) -> String {
    let n = nik.chars().count();
    if n <= 6 {
        return "*".repeat(n);
    }
    nik.chars()
        .enumerate()
        .map(|(i, c)| if i < 4 || i >= n - 2 { c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_nik_keeps_its_region_and_last_two_digits() {
        assert_eq!(mask_nik("3578014503900001"), "3578**********01");
        assert_eq!(mask_nik("123"), "***");
    }
}
