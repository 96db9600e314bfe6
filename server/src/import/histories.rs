//! The history files of an export (SIASN's `rw-*` data): rank, position, education, training,
//! award, performance, family and discipline. Each file is one [`HistoryRow`] type; one
//! generic reconciliation checks its rows, finds the employee by NIP (stored or new in the same
//! export) and keeps only the entries the database does not have yet, by a key that names an
//! entry (a rank and its TMT, a degree and its year, ...). An entry already there is unchanged:
//! importing the same files twice adds nothing.

use std::collections::HashSet;
use std::hash::Hash;

use abdi_proto::RankCode;
use abdi_proto::master::{EducationLevel, FamilyRelation, PerformanceRating, Vocabulary};
use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, DatabaseConnection, DbErr, EntityTrait, TransactionTrait};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::read::{Export, read};
use super::report::ImportReport;
use super::rows::{Refusal, blank, date, gender, nip, optional_date, vocabulary};
use crate::masterdata::entity::{
    award, disciplinary_sanction, education_history, family_member, performance_rating,
    position_history, rank_history, training_history,
};

/// Finds an employee by NIP, or a post by code: stored, or new in the same export.
pub(super) type Lookup<'a> = dyn Fn(&str) -> Option<Uuid> + Send + Sync + 'a;
type Posts<'a> = Lookup<'a>;

type ActiveOf<R> = <<R as HistoryRow>::Entity as EntityTrait>::ActiveModel;
type ModelOf<R> = <<R as HistoryRow>::Entity as EntityTrait>::Model;

/// One row of a history file.
pub(super) trait HistoryRow: DeserializeOwned {
    const FILE: &'static str;
    type Entity: EntityTrait;
    /// What names an entry of the employee's history.
    type Key: Hash + Eq;

    fn nip(&self) -> &str;
    /// The row checked, as the entry to write for `employee`, with its key. `posts` are the
    /// post codes known (stored or in the export).
    fn check(&self, employee: Uuid, posts: &Posts) -> Result<(Self::Key, ActiveOf<Self>), Refusal>;
    /// The key of an entry already stored.
    fn key(m: &ModelOf<Self>) -> Self::Key;
}

/// Reconciles file `R::FILE`: the entries to add. `person` finds an employee by NIP.
pub(super) async fn reconcile<R: HistoryRow>(
    db: &DatabaseConnection,
    export: &Export,
    person: &Lookup<'_>,
    posts: &Posts<'_>,
    report: &mut ImportReport,
) -> Result<Vec<ActiveOf<R>>, DbErr> {
    let rows = read::<R>(export, R::FILE, report);
    let stored: HashSet<R::Key> = if rows.is_empty() {
        HashSet::new()
    } else {
        R::Entity::find()
            .all(db)
            .await?
            .iter()
            .map(R::key)
            .collect()
    };
    let mut seen = HashSet::new();
    let mut writes = Vec::new();
    for (line, row) in rows {
        let raw = row.nip().trim().to_owned();
        let checked = nip(&raw).and_then(|n| {
            let id = person(&n)
                .ok_or_else(|| Refusal::new("unknown_reference", "nipBaru is no employee"))?;
            row.check(id, posts)
        });
        match checked {
            Ok((key, entry)) => {
                if stored.contains(&key) || !seen.insert(key) {
                    report.counts(R::FILE).unchanged += 1;
                } else {
                    report.counts(R::FILE).new += 1;
                    writes.push(entry);
                }
            }
            Err(why) => report.refuse(R::FILE, line, &raw, why),
        }
    }
    Ok(writes)
}

/// The entries of one history file to add, whatever their table.
#[async_trait::async_trait]
pub(super) trait Writes: Send + Sync {
    fn label(&self) -> &'static str;
    fn len(&self) -> usize;
    /// Adds the entries, `batch` a transaction, calling `done` with each batch's size.
    async fn write(
        &self,
        db: &DatabaseConnection,
        batch: usize,
        done: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<(), DbErr>;
}

pub(super) struct Entries<R: HistoryRow> {
    pub rows: Vec<ActiveOf<R>>,
}

#[async_trait::async_trait]
impl<R> Writes for Entries<R>
where
    R: HistoryRow + Send + Sync,
    ActiveOf<R>: Send + Sync,
{
    fn label(&self) -> &'static str {
        R::FILE.trim_end_matches(".csv")
    }

    fn len(&self) -> usize {
        self.rows.len()
    }

    async fn write(
        &self,
        db: &DatabaseConnection,
        batch: usize,
        done: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<(), DbErr> {
        for chunk in self.rows.chunks(batch.max(1)) {
            let txn = db.begin().await?;
            R::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
            txn.commit().await?;
            done(chunk.len() as u64);
        }
        Ok(())
    }
}

/// Every history file, in the order they are imported, reconciled.
pub(super) async fn reconcile_all(
    db: &DatabaseConnection,
    export: &Export,
    person: &Lookup<'_>,
    posts: &Posts<'_>,
    report: &mut ImportReport,
) -> Result<Vec<Box<dyn Writes>>, DbErr> {
    async fn one<R>(
        db: &DatabaseConnection,
        export: &Export,
        person: &Lookup<'_>,
        posts: &Posts<'_>,
        report: &mut ImportReport,
    ) -> Result<Box<dyn Writes>, DbErr>
    where
        R: HistoryRow + Send + Sync + 'static,
        ActiveOf<R>: Send + Sync,
    {
        let rows = reconcile::<R>(db, export, person, posts, report).await?;
        Ok(Box::new(Entries::<R> { rows }))
    }
    Ok(vec![
        one::<RankRow>(db, export, person, posts, report).await?,
        one::<PositionRow>(db, export, person, posts, report).await?,
        one::<EducationRow>(db, export, person, posts, report).await?,
        one::<TrainingRow>(db, export, person, posts, report).await?,
        one::<AwardRow>(db, export, person, posts, report).await?,
        one::<PerformanceRow>(db, export, person, posts, report).await?,
        one::<FamilyRow>(db, export, person, posts, report).await?,
        one::<DisciplineRow>(db, export, person, posts, report).await?,
    ])
}

/// The history files' names, in the order they are imported.
pub(super) const FILES: [&str; 8] = [
    RankRow::FILE,
    PositionRow::FILE,
    EducationRow::FILE,
    TrainingRow::FILE,
    AwardRow::FILE,
    PerformanceRow::FILE,
    FamilyRow::FILE,
    DisciplineRow::FILE,
];

fn required<'a>(field: &str, raw: &'a str) -> Result<&'a str, Refusal> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(Refusal::new("invalid_value", format!("{field} is empty")));
    }
    Ok(v)
}

fn year(field: &str, raw: &str) -> Result<i32, Refusal> {
    raw.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (1940..=2100).contains(y))
        .ok_or_else(|| {
            Refusal::new(
                "invalid_value",
                format!("{field}: '{}' is not a year", raw.trim()),
            )
        })
}

/// `rank_history.csv`: SIASN's rw-golongan.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RankRow {
    pub nip_baru: String,
    pub golongan_id: String,
    pub tmt_golongan: String,
    pub sk_nomor: String,
    pub sk_tanggal: String,
}

impl HistoryRow for RankRow {
    const FILE: &'static str = "rank_history.csv";
    type Entity = rank_history::Entity;
    type Key = (Uuid, String, NaiveDate);

    fn nip(&self) -> &str {
        &self.nip_baru
    }

    fn check(&self, employee: Uuid, _: &Posts) -> Result<(Self::Key, ActiveOf<Self>), Refusal> {
        let raw = self.golongan_id.trim();
        let rank = RankCode::parse(raw)
            .map_err(|_| {
                Refusal::new(
                    "invalid_value",
                    format!("golonganId '{raw}' is not a rank (I/a to IV/e)"),
                )
            })?
            .to_string();
        let tmt = date("tmtGolongan", &self.tmt_golongan)?;
        let entry = rank_history::ActiveModel {
            employee_id: Set(employee),
            rank_code: Set(rank.clone()),
            tmt: Set(tmt),
            decree_number: Set(required("skNomor", &self.sk_nomor)?.to_owned()),
            decree_date: Set(date("skTanggal", &self.sk_tanggal)?),
            ..Default::default()
        };
        Ok(((employee, rank, tmt), entry))
    }

    fn key(m: &rank_history::Model) -> Self::Key {
        (m.employee_id, m.rank_code.clone(), m.tmt)
    }
}

/// `position_history.csv`: SIASN's rw-jabatan. The post's code is optional (a post held in
/// another agency has none here); its title and unit are kept as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PositionRow {
    pub nip_baru: String,
    #[serde(default)]
    pub jabatan_id: Option<String>,
    pub nama_jabatan: String,
    pub unor_nama: String,
    pub tmt_jabatan: String,
    pub nomor_sk: String,
}

impl HistoryRow for PositionRow {
    const FILE: &'static str = "position_history.csv";
    type Entity = position_history::Entity;
    type Key = (Uuid, NaiveDate, String);

    fn nip(&self) -> &str {
        &self.nip_baru
    }

    fn check(&self, employee: Uuid, posts: &Posts) -> Result<(Self::Key, ActiveOf<Self>), Refusal> {
        let title = required("namaJabatan", &self.nama_jabatan)?.to_owned();
        let tmt = date("tmtJabatan", &self.tmt_jabatan)?;
        let post = blank(&self.jabatan_id).and_then(posts);
        let entry = position_history::ActiveModel {
            employee_id: Set(employee),
            position_id: Set(post),
            position_title: Set(title.clone()),
            unit_name: Set(required("unorNama", &self.unor_nama)?.to_owned()),
            tmt: Set(tmt),
            decree_number: Set(required("nomorSk", &self.nomor_sk)?.to_owned()),
            ..Default::default()
        };
        Ok(((employee, tmt, title), entry))
    }

    fn key(m: &position_history::Model) -> Self::Key {
        (m.employee_id, m.tmt, m.position_title.clone())
    }
}

/// `education_history.csv`: SIASN's rw-pendidikan.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct EducationRow {
    pub nip_baru: String,
    pub tingkat_pendidikan: String,
    pub nama_sekolah: String,
    #[serde(default)]
    pub jurusan: Option<String>,
    pub tahun_lulus: String,
    #[serde(default)]
    pub nomor_ijasah: Option<String>,
}

impl HistoryRow for EducationRow {
    const FILE: &'static str = "education_history.csv";
    type Entity = education_history::Entity;
    type Key = (Uuid, String, i32);

    fn nip(&self) -> &str {
        &self.nip_baru
    }

    fn check(&self, employee: Uuid, _: &Posts) -> Result<(Self::Key, ActiveOf<Self>), Refusal> {
        let level: EducationLevel = vocabulary("tingkatPendidikan", &self.tingkat_pendidikan)?;
        let level = level.code().to_owned();
        let graduated = year("tahunLulus", &self.tahun_lulus)?;
        let entry = education_history::ActiveModel {
            employee_id: Set(employee),
            level: Set(level.clone()),
            institution: Set(required("namaSekolah", &self.nama_sekolah)?.to_owned()),
            major: Set(blank(&self.jurusan).map(str::to_owned)),
            graduation_year: Set(graduated),
            diploma_number: Set(blank(&self.nomor_ijasah).map(str::to_owned)),
            ..Default::default()
        };
        Ok(((employee, level, graduated), entry))
    }

    fn key(m: &education_history::Model) -> Self::Key {
        (m.employee_id, m.level.clone(), m.graduation_year)
    }
}

/// `training_history.csv`: SIASN's rw-diklat.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TrainingRow {
    pub nip_baru: String,
    pub nama_diklat: String,
    pub institusi_penyelenggara: String,
    pub tanggal_mulai: String,
    pub tanggal_selesai: String,
    pub jumlah_jam: String,
}

impl HistoryRow for TrainingRow {
    const FILE: &'static str = "training_history.csv";
    type Entity = training_history::Entity;
    type Key = (Uuid, String, NaiveDate);

    fn nip(&self) -> &str {
        &self.nip_baru
    }

    fn check(&self, employee: Uuid, _: &Posts) -> Result<(Self::Key, ActiveOf<Self>), Refusal> {
        let name = required("namaDiklat", &self.nama_diklat)?.to_owned();
        let start = date("tanggalMulai", &self.tanggal_mulai)?;
        let end = date("tanggalSelesai", &self.tanggal_selesai)?;
        if end < start {
            return Err(Refusal::new(
                "invalid_value",
                format!("tanggalSelesai {end} is before tanggalMulai {start}"),
            ));
        }
        let hours = self
            .jumlah_jam
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|h| (1..=10_000).contains(h))
            .ok_or_else(|| {
                Refusal::new(
                    "invalid_value",
                    format!(
                        "jumlahJam '{}' is not a number of hours",
                        self.jumlah_jam.trim()
                    ),
                )
            })?;
        let entry = training_history::ActiveModel {
            employee_id: Set(employee),
            name: Set(name.clone()),
            organizer: Set(
                required("institusiPenyelenggara", &self.institusi_penyelenggara)?.to_owned(),
            ),
            start_date: Set(start),
            end_date: Set(end),
            hours: Set(hours),
            ..Default::default()
        };
        Ok(((employee, name, start), entry))
    }

    fn key(m: &training_history::Model) -> Self::Key {
        (m.employee_id, m.name.clone(), m.start_date)
    }
}

/// `award_history.csv`: SIASN's rw-penghargaan.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AwardRow {
    pub nip_baru: String,
    pub nama_penghargaan: String,
    pub sk_nomor: String,
    pub tahun: String,
}

impl HistoryRow for AwardRow {
    const FILE: &'static str = "award_history.csv";
    type Entity = award::Entity;
    type Key = (Uuid, String, i32);

    fn nip(&self) -> &str {
        &self.nip_baru
    }

    fn check(&self, employee: Uuid, _: &Posts) -> Result<(Self::Key, ActiveOf<Self>), Refusal> {
        let name = required("namaPenghargaan", &self.nama_penghargaan)?.to_owned();
        let year = year("tahun", &self.tahun)?;
        let entry = award::ActiveModel {
            employee_id: Set(employee),
            name: Set(name.clone()),
            decree_number: Set(required("skNomor", &self.sk_nomor)?.to_owned()),
            year: Set(year),
            ..Default::default()
        };
        Ok(((employee, name, year), entry))
    }

    fn key(m: &award::Model) -> Self::Key {
        (m.employee_id, m.name.clone(), m.year)
    }
}

/// `performance_history.csv`: SIASN's rw-skp, one rating a year.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PerformanceRow {
    pub nip_baru: String,
    pub tahun: String,
    pub predikat: String,
}

impl HistoryRow for PerformanceRow {
    const FILE: &'static str = "performance_history.csv";
    type Entity = performance_rating::Entity;
    type Key = (Uuid, i32);

    fn nip(&self) -> &str {
        &self.nip_baru
    }

    fn check(&self, employee: Uuid, _: &Posts) -> Result<(Self::Key, ActiveOf<Self>), Refusal> {
        let year = year("tahun", &self.tahun)?;
        let rating: PerformanceRating = vocabulary("predikat", &self.predikat)?;
        let entry = performance_rating::ActiveModel {
            employee_id: Set(employee),
            year: Set(year),
            rating: Set(rating.code().to_owned()),
            ..Default::default()
        };
        Ok(((employee, year), entry))
    }

    fn key(m: &performance_rating::Model) -> Self::Key {
        (m.employee_id, m.year)
    }
}

/// `family.csv`: SIASN's data keluarga (spouses, children, parents).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FamilyRow {
    pub nip_baru: String,
    /// suami/istri, anak, ayah/ibu (or spouse, child, parent).
    pub hubungan: String,
    pub nama: String,
    pub jenis_kelamin: String,
    pub tgl_lahir: String,
    #[serde(default)]
    pub nik: Option<String>,
}

fn relation(raw: &str) -> Result<FamilyRelation, Refusal> {
    match raw.trim().to_lowercase().as_str() {
        "suami" | "istri" | "pasangan" => Ok(FamilyRelation::Spouse),
        "anak" | "anak kandung" | "anak angkat" | "anak tiri" => Ok(FamilyRelation::Child),
        "ayah" | "ibu" | "orang tua" | "orang_tua" => Ok(FamilyRelation::Parent),
        _ => vocabulary("hubungan", raw),
    }
}

impl HistoryRow for FamilyRow {
    const FILE: &'static str = "family.csv";
    type Entity = family_member::Entity;
    type Key = (Uuid, String, String, NaiveDate);

    fn nip(&self) -> &str {
        &self.nip_baru
    }

    fn check(&self, employee: Uuid, _: &Posts) -> Result<(Self::Key, ActiveOf<Self>), Refusal> {
        let relation = relation(&self.hubungan)?.code().to_owned();
        let name = required("nama", &self.nama)?.to_owned();
        let born = date("tglLahir", &self.tgl_lahir)?;
        let nik = match blank(&self.nik) {
            Some(raw) => Some(
                abdi_proto::Nik::parse(raw)
                    .map_err(|e| Refusal::new("invalid_nik", format!("nik '{raw}': {e}")))?
                    .as_str()
                    .to_owned(),
            ),
            None => None,
        };
        let entry = family_member::ActiveModel {
            employee_id: Set(employee),
            relation: Set(relation.clone()),
            name: Set(name.clone()),
            gender: Set(gender("jenisKelamin", &self.jenis_kelamin)?
                .code()
                .to_owned()),
            birth_date: Set(born),
            nik: Set(nik),
            ..Default::default()
        };
        Ok(((employee, relation, name.to_lowercase(), born), entry))
    }

    fn key(m: &family_member::Model) -> Self::Key {
        (
            m.employee_id,
            m.relation.clone(),
            m.name.to_lowercase(),
            m.birth_date,
        )
    }
}

/// `discipline_history.csv`: SIASN's rw-hukdis (PP 94/2021), one decree an entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct DisciplineRow {
    pub nip_baru: String,
    /// ringan, sedang or berat.
    pub tingkat_hukuman: String,
    pub sk_nomor: String,
    pub tmt_hukuman: String,
    #[serde(default)]
    pub akhir_hukuman: Option<String>,
}

impl HistoryRow for DisciplineRow {
    const FILE: &'static str = "discipline_history.csv";
    type Entity = disciplinary_sanction::Entity;
    type Key = (Uuid, String);

    fn nip(&self) -> &str {
        &self.nip_baru
    }

    fn check(&self, employee: Uuid, _: &Posts) -> Result<(Self::Key, ActiveOf<Self>), Refusal> {
        let level = self.tingkat_hukuman.trim().to_lowercase();
        if !["ringan", "sedang", "berat"].contains(&level.as_str()) {
            return Err(Refusal::new(
                "invalid_value",
                format!(
                    "tingkatHukuman '{}' is not one of ringan, sedang, berat",
                    self.tingkat_hukuman.trim()
                ),
            ));
        }
        let decree = required("skNomor", &self.sk_nomor)?.to_owned();
        let starts = date("tmtHukuman", &self.tmt_hukuman)?;
        let ends = optional_date("akhirHukuman", &self.akhir_hukuman)?;
        if ends.is_some_and(|e| e < starts) {
            return Err(Refusal::new(
                "invalid_value",
                "akhirHukuman is before tmtHukuman",
            ));
        }
        let entry = disciplinary_sanction::ActiveModel {
            employee_id: Set(employee),
            level: Set(level),
            decree_number: Set(decree.clone()),
            starts_on: Set(starts),
            ends_on: Set(ends),
            ..Default::default()
        };
        Ok(((employee, decree), entry))
    }

    fn key(m: &disciplinary_sanction::Model) -> Self::Key {
        (m.employee_id, m.decree_number.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_checked_with_the_exports_words() {
        let posts = |_: &str| None;
        let who = Uuid::nil();
        let family = FamilyRow {
            nip_baru: "198503122010011004".into(),
            hubungan: "Istri".into(),
            nama: "Sri Wahyuni".into(),
            jenis_kelamin: "P".into(),
            tgl_lahir: "14-02-1987".into(),
            nik: None,
        };
        let (key, _) = family.check(who, &posts).unwrap();
        assert_eq!(key.1, "spouse");
        assert_eq!(key.2, "sri wahyuni");
        let bad = FamilyRow {
            hubungan: "tetangga".into(),
            ..family
        };
        assert_eq!(bad.check(who, &posts).unwrap_err().code, "invalid_value");

        let training = TrainingRow {
            nip_baru: "198503122010011004".into(),
            nama_diklat: "Pelatihan Dasar CPNS".into(),
            institusi_penyelenggara: "BPSDM Provinsi".into(),
            tanggal_mulai: "10-03-2010".into(),
            tanggal_selesai: "01-03-2010".into(),
            jumlah_jam: "120".into(),
        };
        let refused = training.check(who, &posts).unwrap_err();
        assert!(refused.message.contains("before"), "{}", refused.message);

        let sanction = DisciplineRow {
            nip_baru: "198503122010011004".into(),
            tingkat_hukuman: "Berat".into(),
            sk_nomor: " ".into(),
            tmt_hukuman: "2024-01-01".into(),
            akhir_hukuman: None,
        };
        assert!(
            sanction
                .check(who, &posts)
                .unwrap_err()
                .message
                .contains("skNomor")
        );
        let rating = PerformanceRow {
            nip_baru: "198503122010011004".into(),
            tahun: "2025".into(),
            predikat: "Sangat Baik".into(),
        };
        assert_eq!(rating.check(who, &posts).unwrap().0, (who, 2025));
        let rating = PerformanceRow {
            tahun: "25".into(),
            ..rating
        };
        assert_eq!(rating.check(who, &posts).unwrap_err().code, "invalid_value");
    }
}
