//! What a decision letter says, frozen at the decision, and its official layout: a Surat Izin
//! Cuti for leave, a Surat Keputusan (considerations and decisions) for the other services.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use abdi_proto::forms::{FieldKind, FormSchema, FormValues};
use abdi_proto::services::LetterTemplate;
use serde_json::Value;

use super::render::{Block, Letter};

/// A form value as a letter prints it: a date in words, a period as "from to", a choice by its
/// label, a number or text as it is.
pub(crate) fn form_words(schema: &FormSchema, form: &FormValues, field: &str) -> String {
    let Some(v) = form.get(field) else {
        return "-".into();
    };
    let date = |v: &Value| {
        v.as_str()
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .map(tanggal)
    };
    let kind = schema
        .fields
        .iter()
        .find(|f| f.name == field)
        .map(|f| &f.kind);
    match kind {
        Some(FieldKind::Date { .. }) => date(v).unwrap_or_default(),
        Some(FieldKind::DateRange { .. }) => format!(
            "{} sampai dengan {}",
            v.get("start").and_then(date).unwrap_or_default(),
            v.get("end").and_then(date).unwrap_or_default()
        ),
        Some(FieldKind::Choice { options }) => {
            let code = v.as_str().unwrap_or_default();
            options
                .iter()
                .find(|o| o.value == code)
                .map_or_else(|| code.to_owned(), |o| o.label.id.clone())
        }
        _ => match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => "-".into(),
        },
    }
}

/// The numbering of a decree's decisions.
const DICTA: [&str; 10] = [
    "KESATU",
    "KEDUA",
    "KETIGA",
    "KEEMPAT",
    "KELIMA",
    "KEENAM",
    "KETUJUH",
    "KEDELAPAN",
    "KESEMBILAN",
    "KESEPULUH",
];

/// The letter's content as stored with the document (JSON), so that a later change of names,
/// posts or ranks does not change a letter already issued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LetterContent {
    /// `surat_izin_cuti`, `surat_keputusan` or `surat_keterangan`.
    pub kind: String,
    /// The service's own words, its template filled in at the decision; without them the
    /// letter says what its kind always says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words: Option<LetterTemplate>,
    /// The service's name in Bahasa Indonesia, e.g. "Cuti Tahunan".
    pub service: String,
    pub agency: String,
    /// The signer's perangkat daerah (the letterhead's second line).
    pub office: String,
    pub address: String,
    pub place: String,
    pub employee: LetterPerson,
    /// "Pegawai Negeri Sipil" or "Pegawai Pemerintah dengan Perjanjian Kerja".
    pub employee_kind: String,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    /// How long, as printed ("12 hari kerja", "90 hari kalender").
    pub length: Option<String>,
    /// What the rules worked out, in words (Bahasa Indonesia).
    pub summary: String,
    /// Granted with changes (PERUBAHAN).
    pub changed: bool,
    pub signer_name: String,
    pub signer_nip: String,
    /// The capacity as printed, one line each ("a.n. Gubernur Jawa Timur", "Plt. Kepala Dinas").
    pub signer_lines: Vec<String>,
    /// The signer's post without prefixes (the decree's heading).
    pub signer_post: String,
    pub certificate_authority: String,
    pub tembusan: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LetterPerson {
    pub name: String,
    pub nip: String,
    /// "Penata Muda, III/a"
    pub rank: String,
    pub position: String,
    pub unit: String,
}

/// A report for an office's file (not a letter: no number, no signature, no QR code).
pub(crate) struct Report<'a> {
    /// The agency, printed in capitals above the title.
    pub agency: &'a str,
    pub title: &'a str,
    pub subtitle: String,
    /// The table's columns with their share of the width, and its rows.
    pub columns: Vec<(String, f32)>,
    pub rows: Vec<Vec<String>>,
    /// What the columns mean.
    pub note: &'a str,
    /// Where and when it was made.
    pub place: &'a str,
    pub today: NaiveDate,
}

/// Typesets `r`: the agency and the title centred, the subtitle, the table, the note, the
/// place and date.
pub(crate) fn report(r: Report<'_>) -> Result<Vec<u8>, super::render::RenderError> {
    use super::render::{Block, Letter, render};
    let centred = |text: String, bold: bool, size: f32| Block::Center { text, bold, size };
    let para = |text: String| Block::Para {
        label: None,
        indent: 0.0,
        text,
        bold: false,
    };
    render(&Letter {
        title: r.title.to_owned(),
        blocks: vec![
            centred(r.agency.to_uppercase(), true, 12.0),
            centred(r.title.to_uppercase(), true, 12.0),
            centred(r.subtitle, false, 10.0),
            Block::Space(10.0),
            Block::Table {
                columns: r.columns,
                rows: r.rows,
            },
            Block::Space(8.0),
            para(r.note.to_owned()),
            Block::Space(6.0),
            para(format!("{}, {}", r.place, tanggal(r.today))),
        ],
        verify_url: String::new(),
        footer: Vec::new(),
    })
}

/// A date as Indonesian letters write it: "23 November 2026".
pub(crate) fn tanggal(d: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ];
    format!(
        "{} {} {}",
        d.day(),
        MONTHS[d.month0() as usize % 12],
        d.year()
    )
}

impl LetterContent {
    /// The title as printed, e.g. "SURAT IZIN CUTI TAHUNAN".
    pub fn title(&self) -> (String, String) {
        match self.kind.as_str() {
            "surat_izin_cuti" => (
                format!("Surat Izin {}", self.service),
                format!("Leave permit: {}", self.service),
            ),
            "surat_keterangan" => (
                self.words.as_ref().map_or_else(
                    || format!("Surat Keterangan {}", self.service),
                    |w| w.title.clone(),
                ),
                format!("Statement: {}", self.service),
            ),
            _ => (
                self.words.as_ref().map_or_else(
                    || format!("Keputusan tentang Pemberian {}", self.service),
                    |w| format!("Keputusan tentang {}", w.title),
                ),
                format!("Decree granting {}", self.service),
            ),
        }
    }

    /// Lays the letter out with its number, date and verification address.
    pub fn layout(&self, number: &str, issued_on: NaiveDate, verify_url: &str) -> Letter {
        let mut blocks = vec![
            Block::Center {
                text: self.agency.to_uppercase(),
                bold: true,
                size: 12.0,
            },
            Block::Center {
                text: self.office.to_uppercase(),
                bold: true,
                size: 13.0,
            },
            Block::Center {
                text: self.address.clone(),
                bold: false,
                size: 8.5,
            },
            Block::Rule,
            Block::Space(8.0),
        ];
        let employee_rows = vec![
            ("Nama".to_owned(), self.employee.name.clone()),
            ("NIP".to_owned(), self.employee.nip.clone()),
            ("Pangkat/Gol. Ruang".to_owned(), self.employee.rank.clone()),
            ("Jabatan".to_owned(), self.employee.position.clone()),
            ("Satuan Organisasi".to_owned(), self.employee.unit.clone()),
        ];
        let service = self.service.to_lowercase();
        let mut signature_lines = Vec::new();
        if self.kind == "surat_izin_cuti" {
            blocks.push(center_bold(&format!(
                "SURAT IZIN {}",
                self.service.to_uppercase()
            )));
            blocks.push(center(&format!("Nomor: {number}")));
            blocks.push(Block::Space(10.0));
            let year = self
                .start
                .map(|s| format!(" untuk tahun {}", s.year()))
                .filter(|_| self.service.eq_ignore_ascii_case("cuti tahunan"))
                .unwrap_or_default();
            blocks.push(para(
                Some((0.0, "1.")),
                18.0,
                &format!("Diberikan {service}{year} kepada {}:", self.employee_kind),
            ));
            blocks.push(Block::Fields {
                indent: 18.0,
                rows: employee_rows,
            });
            let length = self.length.clone().unwrap_or_else(|| self.summary.clone());
            let period = match (self.start, self.end) {
                (Some(s), Some(e)) => format!(
                    ", terhitung mulai tanggal {} sampai dengan tanggal {}",
                    tanggal(s),
                    tanggal(e)
                ),
                _ => String::new(),
            };
            blocks.push(para(
                None,
                18.0,
                &format!("selama {length}{period}, dengan ketentuan sebagai berikut:"),
            ));
            blocks.push(para(
                Some((18.0, "a.")),
                36.0,
                &format!("Sebelum menjalankan {service}, wajib menyerahkan pekerjaannya kepada atasan langsungnya atau pejabat lain yang ditunjuk."),
            ));
            blocks.push(para(
                Some((18.0, "b.")),
                36.0,
                &format!("Setelah selesai menjalankan {service}, wajib melaporkan diri kepada atasan langsungnya dan bekerja kembali sebagaimana biasa."),
            ));
            if self.changed {
                blocks.push(para(
                    Some((18.0, "c.")),
                    36.0,
                    "Izin ini diberikan dengan perubahan dari permintaan semula.",
                ));
            }
            blocks.push(para(
                Some((0.0, "2.")),
                18.0,
                &format!("Demikian surat izin {service} ini dibuat untuk dapat dipergunakan sebagaimana mestinya."),
            ));
            signature_lines.push(format!("{}, {}", self.place, tanggal(issued_on)));
        } else if self.kind == "surat_keterangan" {
            let title = self.title().0;
            blocks.push(center_bold(&title.to_uppercase()));
            blocks.push(center(&format!("Nomor: {number}")));
            blocks.push(Block::Space(10.0));
            blocks.push(para(
                None,
                0.0,
                &format!(
                    "Yang bertanda tangan di bawah ini, {}, dengan ini menerangkan bahwa:",
                    self.signer_post
                ),
            ));
            blocks.push(Block::Fields {
                indent: 18.0,
                rows: employee_rows,
            });
            for (i, d) in self.words.iter().flat_map(|w| &w.decisions).enumerate() {
                blocks.push(para(Some((0.0, &format!("{}.", i + 1))), 18.0, d));
            }
            blocks.push(para(
                None,
                0.0,
                "Demikian surat keterangan ini dibuat dengan sebenarnya untuk dapat dipergunakan sebagaimana mestinya.",
            ));
            signature_lines.push(format!("{}, {}", self.place, tanggal(issued_on)));
        } else {
            let post = self.signer_post.to_uppercase();
            let subject = self.words.as_ref().map_or_else(
                || format!("PEMBERIAN {}", self.service.to_uppercase()),
                |w| w.title.to_uppercase(),
            );
            for line in [
                format!("KEPUTUSAN {post}"),
                format!("NOMOR {number}"),
                "TENTANG".to_owned(),
                subject.clone(),
            ] {
                blocks.push(center_bold(&line));
            }
            blocks.push(Block::Space(6.0));
            blocks.push(center_bold("DENGAN RAHMAT TUHAN YANG MAHA ESA"));
            blocks.push(center_bold(&format!("{post},")));
            blocks.push(Block::Space(6.0));
            let hang = 92.0;
            let default_considerations = [
                format!(
                    "bahwa Sdr. {} NIP {} telah mengajukan permohonan {service};",
                    self.employee.name, self.employee.nip
                ),
                format!(
                    "bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam huruf a, yang bersangkutan telah memenuhi syarat sesuai ketentuan peraturan perundang-undangan, sehingga perlu menetapkan Keputusan tentang Pemberian {};",
                    self.service
                ),
            ];
            let default_basis = [
                "Undang-Undang Nomor 20 Tahun 2023 tentang Aparatur Sipil Negara;".to_owned(),
                "Peraturan Pemerintah Nomor 11 Tahun 2017 tentang Manajemen Pegawai Negeri Sipil sebagaimana telah diubah dengan Peraturan Pemerintah Nomor 17 Tahun 2020;".to_owned(),
            ];
            let words = self.words.as_ref();
            let considerations = words
                .map(|w| w.considerations.as_slice())
                .filter(|c| !c.is_empty())
                .unwrap_or(&default_considerations);
            let basis = words
                .map(|w| w.basis.as_slice())
                .filter(|b| !b.is_empty())
                .unwrap_or(&default_basis);
            for (i, c) in considerations.iter().enumerate() {
                let letter = char::from(b'a' + (i % 26) as u8);
                let label = (i == 0).then_some((0.0, "Menimbang"));
                blocks.push(para(label, hang, &format!("{letter}. {c}")));
            }
            for (i, b) in basis.iter().enumerate() {
                let label = (i == 0).then_some((0.0, "Mengingat"));
                blocks.push(para(label, hang, &format!("{}. {b}", i + 1)));
            }
            let notes = words.map(|w| w.notes.as_slice()).unwrap_or_default();
            for (i, n) in notes.iter().enumerate() {
                let label = (i == 0).then_some((0.0, "Memperhatikan"));
                let text = if notes.len() == 1 {
                    n.clone()
                } else {
                    format!("{}. {n}", i + 1)
                };
                blocks.push(para(label, hang, &text));
            }
            blocks.push(Block::Space(4.0));
            blocks.push(center_bold("MEMUTUSKAN:"));
            blocks.push(para(
                Some((0.0, "Menetapkan")),
                hang,
                &format!("KEPUTUSAN {post} TENTANG {subject}."),
            ));
            match words {
                Some(w) => {
                    for (i, d) in w.decisions.iter().enumerate() {
                        let dictum = DICTA.get(i).copied().unwrap_or("SELANJUTNYA");
                        blocks.push(para(Some((0.0, dictum)), hang, d));
                        if i == 0 {
                            let mut rows = if w.about_employee {
                                employee_rows.clone()
                            } else {
                                Vec::new()
                            };
                            rows.extend(
                                w.fields.iter().map(|f| (f.label.clone(), f.value.clone())),
                            );
                            blocks.push(Block::Fields { indent: hang, rows });
                        }
                    }
                }
                None => {
                    blocks.push(para(
                        Some((0.0, "KESATU")),
                        hang,
                        &format!("Memberikan {service} kepada:"),
                    ));
                    blocks.push(Block::Fields {
                        indent: hang,
                        rows: employee_rows,
                    });
                    blocks.push(para(None, hang, &format!("untuk {}.", self.summary)));
                    blocks.push(para(
                        Some((0.0, "KEDUA")),
                        hang,
                        &format!("Selama menjalankan {service}, yang bersangkutan wajib mematuhi ketentuan peraturan perundang-undangan dan melaporkan diri kepada atasan langsungnya setelah selesai."),
                    ));
                    blocks.push(para(
                        Some((0.0, "KETIGA")),
                        hang,
                        "Keputusan ini mulai berlaku pada tanggal ditetapkan, dengan ketentuan apabila di kemudian hari terdapat kekeliruan akan diadakan perbaikan sebagaimana mestinya.",
                    ));
                }
            }
            signature_lines.push(format!("Ditetapkan di {}", self.place));
            signature_lines.push(format!("pada tanggal {}", tanggal(issued_on)));
        }
        blocks.push(Block::Space(12.0));
        signature_lines.extend(self.signer_lines.iter().cloned());
        blocks.push(Block::Signature {
            lines: signature_lines,
            name: self.signer_name.clone(),
            nip: self.signer_nip.clone(),
        });
        let copies = match self.words.as_ref().map(|w| &w.copies) {
            Some(c) if !c.is_empty() => c,
            _ => &self.tembusan,
        };
        if !copies.is_empty() {
            blocks.push(Block::Space(10.0));
            blocks.push(para(None, 0.0, "Tembusan Yth.:"));
            for (i, t) in copies.iter().enumerate() {
                let label = format!("{}.", i + 1);
                blocks.push(Block::Para {
                    label: Some((0.0, label)),
                    indent: 18.0,
                    text: t.clone(),
                    bold: false,
                });
            }
        }
        Letter {
            title: format!("{} {number}", self.title().0),
            blocks,
            verify_url: verify_url.to_owned(),
            footer: vec![
                format!(
                    "Dokumen ini telah ditandatangani secara elektronik menggunakan sertifikat elektronik yang diterbitkan oleh {}.",
                    self.certificate_authority
                ),
                "Sesuai Undang-Undang Nomor 11 Tahun 2008 tentang Informasi dan Transaksi Elektronik Pasal 5 ayat 1, informasi elektronik dan/atau hasil cetaknya merupakan alat bukti hukum yang sah.".to_owned(),
                format!("Pindai kode QR atau buka {verify_url} untuk memeriksa keaslian dokumen ini."),
            ],
        }
    }
}

fn center(text: &str) -> Block {
    Block::Center {
        text: text.to_owned(),
        bold: false,
        size: 10.5,
    }
}

fn center_bold(text: &str) -> Block {
    Block::Center {
        text: text.to_owned(),
        bold: true,
        size: 11.0,
    }
}

fn para(label: Option<(f32, &str)>, indent: f32, text: &str) -> Block {
    Block::Para {
        label: label.map(|(at, l)| (at, l.to_owned())),
        indent,
        text: text.to_owned(),
        bold: false,
    }
}
