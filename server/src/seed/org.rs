//! The synthetic organisation: one instansi (a province), its perangkat daerah, their unit
//! kerja, and a position hierarchy in which every post reports to the one above it.

use abdi_proto::master::{PositionKind, UnitLevel};
use rand::Rng;
use uuid::Uuid;

/// (code, name, weight): the ~49 perangkat daerah of a province and their relative size.
/// Education and health carry most of a province's ASN (teachers, hospital staff).
pub(crate) const PERANGKAT_DAERAH: &[(&str, &str, u32)] = &[
    ("SETDA", "Sekretariat Daerah", 30),
    ("SETWAN", "Sekretariat DPRD", 8),
    ("INSP", "Inspektorat", 6),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", 5),
    ("BKD", "Badan Kepegawaian Daerah", 6),
    ("BPSDM", "Badan Pengembangan Sumber Daya Manusia", 5),
    ("BAPENDA", "Badan Pendapatan Daerah", 25),
    ("BPKAD", "Badan Pengelola Keuangan dan Aset Daerah", 6),
    ("BPBD", "Badan Penanggulangan Bencana Daerah", 4),
    ("BAKESBANGPOL", "Badan Kesatuan Bangsa dan Politik", 3),
    ("BRIDA", "Badan Riset dan Inovasi Daerah", 3),
    (
        "BAKORWIL",
        "Badan Koordinasi Wilayah Pemerintahan dan Pembangunan",
        4,
    ),
    ("BANGHUB", "Badan Penghubung Daerah", 2),
    ("DISDIK", "Dinas Pendidikan", 400),
    ("DINKES", "Dinas Kesehatan", 20),
    ("DINSOS", "Dinas Sosial", 8),
    ("DISNAKERTRANS", "Dinas Tenaga Kerja dan Transmigrasi", 8),
    (
        "DP3AK",
        "Dinas Pemberdayaan Perempuan, Perlindungan Anak dan Kependudukan",
        3,
    ),
    ("DKP", "Dinas Ketahanan Pangan", 3),
    ("DLH", "Dinas Lingkungan Hidup", 4),
    ("DPMD", "Dinas Pemberdayaan Masyarakat dan Desa", 3),
    ("DISHUB", "Dinas Perhubungan", 10),
    ("KOMINFO", "Dinas Komunikasi dan Informatika", 4),
    ("DISKOPUKM", "Dinas Koperasi dan Usaha Kecil Menengah", 3),
    (
        "DPMPTSP",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        3,
    ),
    ("DISPORA", "Dinas Kepemudaan dan Olahraga", 3),
    ("DISPERPUSIP", "Dinas Perpustakaan dan Kearsipan", 3),
    ("DKP-LAUT", "Dinas Kelautan dan Perikanan", 6),
    ("DISBUDPAR", "Dinas Kebudayaan dan Pariwisata", 4),
    (
        "DISTANBUN",
        "Dinas Tanaman Pangan, Hortikultura dan Perkebunan",
        8,
    ),
    ("DISNAK", "Dinas Peternakan", 5),
    ("DISHUT", "Dinas Kehutanan", 8),
    ("DESDM", "Dinas Energi dan Sumber Daya Mineral", 4),
    ("DISPERINDAG", "Dinas Perindustrian dan Perdagangan", 5),
    ("DPUSDA", "Dinas Pekerjaan Umum Sumber Daya Air", 8),
    ("DPUBM", "Dinas Pekerjaan Umum Bina Marga", 6),
    (
        "DPRKPCK",
        "Dinas Perumahan Rakyat, Kawasan Permukiman dan Cipta Karya",
        4,
    ),
    ("SATPOLPP", "Satuan Polisi Pamong Praja", 5),
    ("RSUD-SOETOMO", "RSUD Dr. Soetomo", 45),
    ("RSUD-SAIFUL", "RSUD Dr. Saiful Anwar", 30),
    ("RSUD-SOEDONO", "RSUD Dr. Soedono", 15),
    ("RSUD-HAJI", "RSUD Haji", 12),
    ("RSJ-MENUR", "Rumah Sakit Jiwa Menur", 6),
    ("RS-MATA", "Rumah Sakit Mata Masyarakat", 3),
    ("RS-PARU-JEMBER", "Rumah Sakit Paru Jember", 3),
    ("RSUD-KARSA", "RSUD Karsa Husada Batu", 5),
    ("BIRO-PEM", "Biro Pemerintahan dan Otonomi Daerah", 2),
    ("BIRO-ORG", "Biro Organisasi", 2),
    ("BIRO-HUKUM", "Biro Hukum", 2),
];

/// The core units every perangkat daerah has under its head.
const CORE_UNITS: &[&str] = &[
    "Sekretariat",
    "Bidang Perencanaan dan Program",
    "Bidang Pelayanan",
    "Bidang Pengendalian dan Evaluasi",
];

/// Roughly how many employees one UPT (unit pelaksana teknis) serves.
const EMPLOYEES_PER_UPT: u32 = 400;

/// (title, kind, grade) of the non-struktural posts each unit has; employees are spread over
/// these, each reporting to one of the unit's section heads.
const STAFF_POSTS: &[(&str, PositionKind, Option<&str>)] = &[
    (
        "Analis Kebijakan Ahli Muda",
        PositionKind::Fungsional,
        Some("ahli_muda"),
    ),
    (
        "Analis Kebijakan Ahli Pertama",
        PositionKind::Fungsional,
        Some("ahli_pertama"),
    ),
    (
        "Perencana Ahli Muda",
        PositionKind::Fungsional,
        Some("ahli_muda"),
    ),
    (
        "Pranata Komputer Ahli Pertama",
        PositionKind::Fungsional,
        Some("ahli_pertama"),
    ),
    (
        "Arsiparis Terampil",
        PositionKind::Fungsional,
        Some("terampil"),
    ),
    ("Penata Layanan Operasional", PositionKind::Pelaksana, None),
    (
        "Pengadministrasi Perkantoran",
        PositionKind::Pelaksana,
        None,
    ),
    (
        "Operator Layanan Operasional",
        PositionKind::Pelaksana,
        None,
    ),
    (
        "Pengelola Layanan Operasional",
        PositionKind::Pelaksana,
        None,
    ),
];

#[derive(Debug, Clone)]
pub(crate) struct Unit {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub level: UnitLevel,
    pub parent_id: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub(crate) struct Post {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub kind: PositionKind,
    pub grade: Option<String>,
    pub unit_id: Uuid,
    pub reports_to_id: Option<Uuid>,
}

/// Where employees go: a unit, its single-holder struktural posts (filled first, by the most
/// senior) and the staff posts everyone else is spread over.
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    pub unit_index: usize,
    pub struktural: Vec<usize>,
    pub staff: Vec<usize>,
    /// Share of the province's employees this unit gets.
    pub weight: u32,
}

#[derive(Debug, Default)]
pub(crate) struct Organisation {
    pub units: Vec<Unit>,
    pub posts: Vec<Post>,
    pub slots: Vec<Slot>,
    /// (unit, post) of the Sekretaris Daerah and each perangkat daerah's head: filled first.
    pub heads: Vec<(usize, usize)>,
}

impl Organisation {
    /// Builds the province for `employees` people: more UPTs where more people work.
    pub(crate) fn generate(rng: &mut impl Rng, employees: u32) -> Organisation {
        let mut org = Organisation::default();
        let total_weight: u32 = PERANGKAT_DAERAH.iter().map(|(_, _, w)| w).sum();
        let province = org.unit(
            rng,
            "PROV",
            "Pemerintah Provinsi Jawa Timur",
            UnitLevel::Instansi,
            None,
        );
        let sekda = org.post(
            rng,
            "PROV-SEKDA",
            "Sekretaris Daerah",
            PositionKind::Struktural,
            Some("I.b"),
            province,
            None,
        );
        org.heads.push((province, sekda));
        for (code, name, weight) in PERANGKAT_DAERAH {
            let pd = org.unit(rng, code, name, UnitLevel::PerangkatDaerah, Some(province));
            let head_title = if *code == "SETDA" {
                "Asisten Administrasi Umum".to_owned()
            } else {
                format!("Kepala {name}")
            };
            let head = org.post(
                rng,
                &format!("{code}-KEPALA"),
                &head_title,
                PositionKind::Struktural,
                Some("II.a"),
                pd,
                Some(sekda),
            );
            org.heads.push((pd, head));
            let share = u64::from(employees) * u64::from(*weight) / u64::from(total_weight);
            let upts = (share as u32 / EMPLOYEES_PER_UPT).min(400);
            let mut unit_names: Vec<String> = CORE_UNITS.iter().map(|s| (*s).to_owned()).collect();
            unit_names.extend((1..=upts).map(|i| format!("UPT {name} Wilayah {i}")));
            let unit_count = unit_names.len() as u32;
            for (i, unit_name) in unit_names.into_iter().enumerate() {
                let ucode = format!("{code}-U{:03}", i + 1);
                let full_name = format!("{unit_name} {name}");
                let unit = org.unit(rng, &ucode, &full_name, UnitLevel::UnitKerja, Some(pd));
                let (head_title, grade) = if i == 0 {
                    ("Sekretaris".to_owned(), "III.a")
                } else {
                    (format!("Kepala {unit_name}"), "III.b")
                };
                let unit_head = org.post(
                    rng,
                    &format!("{ucode}-KEPALA"),
                    &head_title,
                    PositionKind::Struktural,
                    Some(grade),
                    unit,
                    Some(head),
                );
                let mut struktural = vec![unit_head];
                let mut section_heads = Vec::new();
                for s in 1..=2 {
                    let title = if i == 0 {
                        format!(
                            "Kepala Subbagian {}",
                            ["Umum dan Kepegawaian", "Keuangan"][s - 1]
                        )
                    } else {
                        format!("Kepala Seksi {s} {unit_name}")
                    };
                    let p = org.post(
                        rng,
                        &format!("{ucode}-KASI{s}"),
                        &title,
                        PositionKind::Struktural,
                        Some("IV.a"),
                        unit,
                        Some(unit_head),
                    );
                    struktural.push(p);
                    section_heads.push(p);
                }
                let staff = STAFF_POSTS
                    .iter()
                    .enumerate()
                    .map(|(k, (title, kind, grade))| {
                        let reports_to = section_heads[k % section_heads.len()];
                        org.post(
                            rng,
                            &format!("{ucode}-F{:02}", k + 1),
                            title,
                            *kind,
                            *grade,
                            unit,
                            Some(reports_to),
                        )
                    })
                    .collect();
                org.slots.push(Slot {
                    unit_index: org.units.len() - 1,
                    struktural,
                    staff,
                    weight: (*weight * 1000 / unit_count).max(1),
                });
            }
        }
        org
    }

    fn unit(
        &mut self,
        rng: &mut impl Rng,
        code: &str,
        name: &str,
        level: UnitLevel,
        parent: Option<usize>,
    ) -> usize {
        self.units.push(Unit {
            id: uuid(rng),
            code: code.to_owned(),
            name: name.to_owned(),
            level,
            parent_id: parent.map(|p| self.units[p].id),
        });
        self.units.len() - 1
    }

    #[allow(clippy::too_many_arguments)]
    fn post(
        &mut self,
        rng: &mut impl Rng,
        code: &str,
        title: &str,
        kind: PositionKind,
        grade: Option<&str>,
        unit: usize,
        reports_to: Option<usize>,
    ) -> usize {
        self.posts.push(Post {
            id: uuid(rng),
            code: code.to_owned(),
            title: title.to_owned(),
            kind,
            grade: grade.map(str::to_owned),
            unit_id: self.units[unit].id,
            reports_to_id: reports_to.map(|p| self.posts[p].id),
        });
        self.posts.len() - 1
    }
}

/// A UUID from the seeded generator, so the same seed gives the same ids.
pub(crate) fn uuid(rng: &mut impl Rng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}
