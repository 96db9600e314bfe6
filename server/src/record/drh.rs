//! The Daftar Riwayat Hidup: the record laid out as the personnel office prints it, section by
//! section (I. Keterangan perorangan, II. Pendidikan, ...), with the employee's declaration
//! and signature line at the end. It is a print of the record, not a signed letter: no QR
//! code, and the footer says when it was printed and from what.

use abdi_proto::RankCode;
use abdi_proto::record::EmployeeRecord;
use chrono::NaiveDate;

use crate::documents::letter::tanggal;
use crate::documents::render::{Block, Letter};

fn rank(code: &str) -> String {
    RankCode::parse(code).map_or_else(|_| code.to_owned(), |r| format!("{}, {code}", r.pangkat()))
}

/// An education level as printed: `s1` is "S1".
fn education(code: &str) -> String {
    code.to_uppercase()
}

/// A performance rating as printed: `sangat_baik` is "Sangat baik".
fn rating(code: &str) -> String {
    let words = code.replace('_', " ");
    let mut chars = words.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn day(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "-".to_owned(), tanggal)
}

fn or_dash(s: Option<&str>) -> String {
    s.filter(|s| !s.is_empty()).unwrap_or("-").to_owned()
}

fn section(blocks: &mut Vec<Block>, title: &str) {
    blocks.push(Block::Space(8.0));
    // The heading, a table's header and its first row stay together.
    blocks.push(Block::Keep(70.0));
    blocks.push(Block::Para {
        label: None,
        indent: 0.0,
        text: title.to_owned(),
        bold: true,
    });
    blocks.push(Block::Space(2.0));
}

/// A table, or "-" when the history is empty.
fn table(blocks: &mut Vec<Block>, columns: &[(&str, f32)], rows: Vec<Vec<String>>) {
    if rows.is_empty() {
        blocks.push(Block::Para {
            label: None,
            indent: 14.0,
            text: "Tidak ada catatan.".into(),
            bold: false,
        });
        return;
    }
    let numbered = rows
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            r.insert(0, format!("{}.", i + 1));
            r
        })
        .collect();
    let mut cols = vec![("No".to_owned(), 0.5)];
    cols.extend(columns.iter().map(|(h, w)| ((*h).to_owned(), *w)));
    blocks.push(Block::Table {
        columns: cols,
        rows: numbered,
    });
}

/// The DRH of `r`, printed on `printed_on` at `place`.
pub(crate) fn layout(r: &EmployeeRecord, printed_on: NaiveDate, place: &str) -> Letter {
    let id = &r.identity;
    let gender = match id.gender.as_str() {
        "male" => "Laki-laki",
        "female" => "Perempuan",
        other => other,
    };
    let mut b = vec![
        Block::Center {
            text: "DAFTAR RIWAYAT HIDUP".into(),
            bold: true,
            size: 13.0,
        },
        Block::Space(10.0),
    ];
    section(&mut b, "I. KETERANGAN PERORANGAN");
    b.push(Block::Fields {
        indent: 14.0,
        rows: vec![
            ("Nama".into(), id.full_name.clone()),
            ("NIP".into(), id.nip.clone()),
            ("NIK".into(), id.nik.clone()),
            (
                "Tempat, tanggal lahir".into(),
                format!("{}, {}", id.birth_place, tanggal(id.birth_date)),
            ),
            ("Jenis kelamin".into(), gender.to_owned()),
            (
                "Pangkat, golongan".into(),
                id.rank_code.as_deref().map_or_else(|| "-".into(), rank),
            ),
            ("TMT pangkat".into(), day(id.rank_tmt)),
            ("Jabatan".into(), or_dash(id.position_title.as_deref())),
            ("Unit kerja".into(), id.unit_name.clone()),
            ("TMT CPNS".into(), day(id.tmt_cpns)),
            ("TMT PNS".into(), day(id.tmt_pns)),
            ("Pendidikan terakhir".into(), education(&id.education_level)),
            ("Email".into(), or_dash(id.email.as_deref())),
            ("Telepon".into(), or_dash(id.phone.as_deref())),
        ],
    });
    section(&mut b, "II. PENDIDIKAN");
    table(
        &mut b,
        &[
            ("Jenjang", 1.0),
            ("Nama sekolah / perguruan tinggi", 3.0),
            ("Jurusan", 2.0),
            ("Lulus", 0.9),
            ("Nomor ijazah", 1.8),
        ],
        r.education
            .iter()
            .map(|e| {
                vec![
                    education(&e.level),
                    e.institution.clone(),
                    or_dash(e.major.as_deref()),
                    e.graduation_year.to_string(),
                    or_dash(e.diploma_number.as_deref()),
                ]
            })
            .collect(),
    );
    section(&mut b, "III. RIWAYAT KEPANGKATAN");
    table(
        &mut b,
        &[
            ("Pangkat, golongan", 2.6),
            ("TMT", 1.6),
            ("Nomor SK", 2.4),
            ("Tanggal SK", 1.6),
        ],
        r.ranks
            .iter()
            .map(|x| {
                vec![
                    rank(&x.rank_code),
                    tanggal(x.tmt),
                    x.decree_number.clone(),
                    tanggal(x.decree_date),
                ]
            })
            .collect(),
    );
    section(&mut b, "IV. RIWAYAT JABATAN");
    table(
        &mut b,
        &[
            ("Jabatan", 2.6),
            ("Unit kerja", 2.6),
            ("TMT", 1.4),
            ("Nomor SK", 2.0),
        ],
        r.positions
            .iter()
            .map(|p| {
                vec![
                    p.position_title.clone(),
                    p.unit_name.clone(),
                    tanggal(p.tmt),
                    p.decree_number.clone(),
                ]
            })
            .collect(),
    );
    section(&mut b, "V. RIWAYAT GAJI POKOK");
    table(
        &mut b,
        &[
            ("Gaji pokok (Rp)", 1.6),
            ("Golongan", 1.0),
            ("Masa kerja", 1.0),
            ("TMT", 1.5),
            ("Nomor SK", 2.2),
        ],
        r.salary
            .iter()
            .map(|s| {
                vec![
                    rupiah(s.basic_salary),
                    s.rank_code.clone(),
                    format!("{} tahun", s.service_years),
                    tanggal(s.tmt),
                    s.decree_number.clone(),
                ]
            })
            .collect(),
    );
    section(&mut b, "VI. PENDIDIKAN DAN PELATIHAN");
    table(
        &mut b,
        &[
            ("Nama diklat", 3.0),
            ("Penyelenggara", 2.4),
            ("Tanggal", 2.4),
            ("Jam", 0.7),
        ],
        r.training
            .iter()
            .map(|t| {
                vec![
                    t.name.clone(),
                    t.organizer.clone(),
                    format!("{} s.d. {}", tanggal(t.start_date), tanggal(t.end_date)),
                    t.hours.to_string(),
                ]
            })
            .collect(),
    );
    section(&mut b, "VII. KOMPETENSI");
    table(
        &mut b,
        &[
            ("Kompetensi", 3.0),
            ("Tingkat", 1.0),
            ("Tanggal penilaian", 1.8),
            ("Penilai", 2.4),
        ],
        r.competencies
            .iter()
            .map(|c| {
                vec![
                    c.name.clone(),
                    c.level.clone(),
                    tanggal(c.assessed_on),
                    c.assessor.clone(),
                ]
            })
            .collect(),
    );
    section(&mut b, "VIII. PENILAIAN KINERJA");
    table(
        &mut b,
        &[("Tahun", 1.0), ("Predikat", 4.0)],
        r.performance
            .iter()
            .map(|p| vec![p.year.to_string(), rating(&p.rating)])
            .collect(),
    );
    section(&mut b, "IX. TANDA JASA / PENGHARGAAN");
    table(
        &mut b,
        &[("Nama penghargaan", 3.6), ("Nomor SK", 2.4), ("Tahun", 0.9)],
        r.awards
            .iter()
            .map(|a| vec![a.name.clone(), a.decree_number.clone(), a.year.to_string()])
            .collect(),
    );
    section(&mut b, "X. HUKUMAN DISIPLIN");
    table(
        &mut b,
        &[
            ("Tingkat", 1.2),
            ("Nomor SK", 2.4),
            ("Mulai", 1.6),
            ("Sampai", 1.6),
        ],
        r.discipline
            .iter()
            .map(|d| {
                vec![
                    d.level.clone(),
                    d.decree_number.clone(),
                    tanggal(d.starts_on),
                    day(d.ends_on),
                ]
            })
            .collect(),
    );
    section(&mut b, "XI. PENGALAMAN ORGANISASI");
    table(
        &mut b,
        &[("Organisasi", 3.0), ("Kedudukan", 2.0), ("Tahun", 1.6)],
        r.organisations
            .iter()
            .map(|o| {
                vec![
                    o.organisation.clone(),
                    o.role.clone(),
                    match o.end_year {
                        Some(end) => format!("{} - {end}", o.start_year),
                        None => format!("{} - sekarang", o.start_year),
                    },
                ]
            })
            .collect(),
    );
    section(&mut b, "XII. KETERANGAN KELUARGA");
    table(
        &mut b,
        &[
            ("Hubungan", 1.2),
            ("Nama", 2.8),
            ("Tanggal lahir", 1.8),
            ("NIK", 2.2),
        ],
        r.family
            .iter()
            .map(|f| {
                let relation = match f.relation.as_str() {
                    "spouse" => "Suami/Istri",
                    "child" => "Anak",
                    "parent" => "Orang tua",
                    other => other,
                };
                vec![
                    relation.to_owned(),
                    f.name.clone(),
                    tanggal(f.birth_date),
                    or_dash(f.nik.as_deref()),
                ]
            })
            .collect(),
    );
    b.push(Block::Space(10.0));
    // The declaration and the signature stay on one page.
    b.push(Block::Keep(170.0));
    b.push(Block::Para {
        label: None,
        indent: 0.0,
        text: "Demikian daftar riwayat hidup ini saya buat dengan sesungguhnya dan apabila di \
               kemudian hari terdapat keterangan yang tidak benar, saya bersedia dituntut \
               sesuai ketentuan peraturan perundang-undangan."
            .into(),
        bold: false,
    });
    b.push(Block::Space(6.0));
    b.push(Block::Signature {
        lines: vec![
            format!("{place}, {}", tanggal(printed_on)),
            "Yang membuat,".into(),
        ],
        name: id.full_name.clone(),
        nip: id.nip.clone(),
    });
    Letter {
        title: format!("Daftar Riwayat Hidup {}", id.full_name),
        blocks: b,
        verify_url: String::new(),
        footer: vec![format!(
            "Dicetak dari Abdi pada {} sesuai data kepegawaian saat itu; bukan surat keputusan. / \
             Printed from Abdi on {printed_on} from the personnel record as it stood; not a \
             decree.",
            tanggal(printed_on)
        )],
    }
}

/// Rupiah with dots between thousands: 3.880.400.
pub(crate) fn rupiah(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_print_as_words() {
        assert_eq!(education("s1"), "S1");
        assert_eq!(rating("sangat_baik"), "Sangat baik");
        assert_eq!(rating("baik"), "Baik");
        assert_eq!(rank("III/d"), "Penata Tingkat I, III/d");
    }

    #[test]
    fn rupiah_groups_thousands_with_dots() {
        assert_eq!(rupiah(3_880_400), "3.880.400");
        assert_eq!(rupiah(950), "950");
        assert_eq!(rupiah(1_000), "1.000");
    }
}
