//! Self-service data update (pemutakhiran data mandiri; Pergub Jatim 73/2020 Pasal 9-13): the
//! employee proposes a change to their own record with evidence, the fasilitator of their unit
//! (or, for a confidential field, an administrator) verifies it, and a verified change applies
//! to the record with its evidence kept in the employee's archive.
//!
//! The field table here is the only one. Each part of the record a proposal can touch is a
//! [`Section`]; its fields are a [`FormSchema`], so the phone checks a draft offline, the web
//! renders it and the server checks it again with the same code as a service form.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::archive::ArchiveKind;
use crate::error::Text;
use crate::forms::{
    AttachmentKind, ChoiceOption, Field, FieldError, FieldErrorCode, FieldKind, FormSchema,
    FormValues, Requirement, error,
};
use crate::people::PersonRef;
use crate::services::AttachmentInfo;

/// The part of the record a proposal changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// Identity: titles, birth place; name, birth date, gender and NIK (administrators verify).
    Identity,
    Education,
    Training,
    Award,
    Family,
    /// Organisation experience.
    Organisation,
    Competency,
    /// A personnel document for the archive alone (SK CPNS, SK PNS, the last SK pangkat,
    /// KARPEG, ...): nothing in the record's fields changes.
    Archive,
}

impl Section {
    pub const ALL: [Section; 8] = [
        Self::Identity,
        Self::Education,
        Self::Training,
        Self::Award,
        Self::Family,
        Self::Organisation,
        Self::Competency,
        Self::Archive,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Education => "education",
            Self::Training => "training",
            Self::Award => "award",
            Self::Family => "family",
            Self::Organisation => "organisation",
            Self::Competency => "competency",
            Self::Archive => "archive",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> Text {
        let (id, en) = match self {
            Self::Identity => ("Data pribadi", "Personal data"),
            Self::Education => ("Riwayat pendidikan", "Education"),
            Self::Training => ("Riwayat diklat", "Training"),
            Self::Award => ("Tanda jasa dan penghargaan", "Awards"),
            Self::Family => ("Keluarga", "Family"),
            Self::Organisation => ("Pengalaman organisasi", "Organisation experience"),
            Self::Competency => ("Kompetensi", "Competencies"),
            Self::Archive => ("Dokumen kepegawaian", "Personnel documents"),
        };
        Text::new(id, en)
    }

    /// The changes a section takes: identity is one entry, corrected; a history is added to,
    /// corrected and removed from entry by entry.
    pub fn changes(self) -> &'static [Change] {
        match self {
            Self::Identity => &[Change::Correct],
            Self::Archive => &[Change::Add],
            _ => &[Change::Add, Change::Correct, Change::Remove],
        }
    }

    /// The archive kinds its evidence may be (the first is the usual one).
    pub fn evidence(self) -> &'static [ArchiveKind] {
        use ArchiveKind::*;
        match self {
            Self::Identity => &[Ktp, KartuKeluarga, AktaKelahiran, Ijazah],
            Self::Education => &[Ijazah, Transkrip],
            Self::Training => &[SertifikatDiklat],
            Self::Award => &[PiagamPenghargaan],
            Self::Family => &[KartuKeluarga, AktaKelahiran, AktaNikah],
            Self::Organisation => &[SuratKeterangan],
            Self::Competency => &[SertifikatKompetensi],
            Self::Archive => &[
                SkCpns,
                SkPns,
                SkPangkat,
                Karpeg,
                Ijazah,
                Transkrip,
                Ktp,
                KartuKeluarga,
                AktaKelahiran,
                AktaNikah,
                SuratKeterangan,
            ],
        }
    }

    /// Its fields, each with who verifies it.
    pub fn fields(self) -> Vec<SectionField> {
        use Verifier::{Administrator as A, Fasilitator as F};
        let text = |max: u32| FieldKind::Text {
            min_len: 1,
            max_len: max,
        };
        let year = || FieldKind::Number {
            min: Some(1900),
            max: Some(2100),
        };
        let date = || FieldKind::Date {
            min_days_ahead: None,
            max_days_ahead: Some(0),
        };
        let gender = || {
            choice(&[
                ("male", "Laki-laki", "Male"),
                ("female", "Perempuan", "Female"),
            ])
        };
        let f =
            |name: &'static str, id: &str, en: &str, kind: FieldKind, required, by| SectionField {
                field: Field {
                    name: name.into(),
                    label: Text::new(id, en),
                    help: None,
                    kind,
                    required: if required {
                        Requirement::Always
                    } else {
                        Requirement::Optional
                    },
                },
                verifier: by,
            };
        match self {
            Self::Identity => vec![
                f(
                    "front_title",
                    "Gelar depan",
                    "Title before the name",
                    text(32),
                    false,
                    F,
                ),
                f(
                    "back_title",
                    "Gelar belakang",
                    "Title after the name",
                    text(64),
                    false,
                    F,
                ),
                f(
                    "birth_place",
                    "Tempat lahir",
                    "Place of birth",
                    text(100),
                    false,
                    F,
                ),
                f("name", "Nama", "Name", text(200), false, A),
                f(
                    "birth_date",
                    "Tanggal lahir",
                    "Date of birth",
                    date(),
                    false,
                    A,
                ),
                f("gender", "Jenis kelamin", "Gender", gender(), false, A),
                f(
                    "nik",
                    "NIK",
                    "NIK (national identity number)",
                    nik(),
                    false,
                    A,
                ),
            ],
            Self::Education => vec![
                f("level", "Jenjang", "Level", education_level(), true, F),
                f(
                    "institution",
                    "Nama sekolah / perguruan tinggi",
                    "School or university",
                    text(200),
                    true,
                    F,
                ),
                f(
                    "major",
                    "Jurusan / program studi",
                    "Major",
                    text(200),
                    false,
                    F,
                ),
                f(
                    "graduation_year",
                    "Tahun lulus",
                    "Year of graduation",
                    year(),
                    true,
                    F,
                ),
                f(
                    "diploma_number",
                    "Nomor ijazah",
                    "Diploma number",
                    text(100),
                    false,
                    F,
                ),
            ],
            Self::Training => vec![
                f("name", "Nama diklat", "Training", text(200), true, F),
                f(
                    "organizer",
                    "Penyelenggara",
                    "Organiser",
                    text(200),
                    true,
                    F,
                ),
                f("start_date", "Tanggal mulai", "Start date", date(), true, F),
                f("end_date", "Tanggal selesai", "End date", date(), true, F),
                f(
                    "hours",
                    "Jumlah jam pelajaran",
                    "Hours",
                    FieldKind::Number {
                        min: Some(1),
                        max: Some(10_000),
                    },
                    true,
                    F,
                ),
            ],
            Self::Award => vec![
                f(
                    "name",
                    "Nama tanda jasa / penghargaan",
                    "Award",
                    text(200),
                    true,
                    F,
                ),
                f(
                    "decree_number",
                    "Nomor keputusan",
                    "Decree number",
                    text(200),
                    true,
                    F,
                ),
                f("year", "Tahun", "Year", year(), true, F),
            ],
            Self::Family => vec![
                f(
                    "relation",
                    "Hubungan",
                    "Relation",
                    choice(&[
                        ("spouse", "Suami / istri", "Spouse"),
                        ("child", "Anak", "Child"),
                        ("parent", "Orang tua", "Parent"),
                    ]),
                    true,
                    F,
                ),
                f("name", "Nama", "Name", text(200), true, F),
                f("gender", "Jenis kelamin", "Gender", gender(), true, F),
                f(
                    "birth_date",
                    "Tanggal lahir",
                    "Date of birth",
                    date(),
                    true,
                    F,
                ),
                f("nik", "NIK", "NIK", nik(), false, F),
            ],
            Self::Organisation => vec![
                f(
                    "organisation",
                    "Nama organisasi",
                    "Organisation",
                    text(200),
                    true,
                    F,
                ),
                f("role", "Kedudukan", "Role", text(200), true, F),
                f("start_year", "Tahun mulai", "From (year)", year(), true, F),
                f(
                    "end_year",
                    "Tahun selesai",
                    "Until (year)",
                    year(),
                    false,
                    F,
                ),
            ],
            Self::Competency => vec![
                f("name", "Kompetensi", "Competency", text(200), true, F),
                f("level", "Level", "Level", text(32), true, F),
                f(
                    "assessed_on",
                    "Tanggal penilaian",
                    "Assessed on",
                    date(),
                    true,
                    F,
                ),
                f("assessor", "Penilai", "Assessor", text(200), true, F),
            ],
            Self::Archive => Vec::new(),
        }
    }

    /// The form a proposal of `change` fills in: the section's fields (all optional for a
    /// correction, which names only what changes; none for a removal), the evidence, and the
    /// evidence's kind where the section takes more than one.
    pub fn schema(self, change: Change) -> FormSchema {
        let mut fields: Vec<Field> = match change {
            Change::Add => self.fields().into_iter().map(|f| f.field).collect(),
            Change::Correct => self
                .fields()
                .into_iter()
                .map(|f| Field {
                    required: Requirement::Optional,
                    ..f.field
                })
                .collect(),
            Change::Remove => Vec::new(),
        };
        let kinds = self.evidence();
        if kinds.len() > 1 {
            fields.push(Field {
                name: EVIDENCE_KIND.into(),
                label: Text::new("Jenis dokumen bukti", "Kind of evidence"),
                help: None,
                kind: FieldKind::Choice {
                    options: kinds
                        .iter()
                        .map(|k| ChoiceOption {
                            value: k.code().into(),
                            label: k.label(),
                        })
                        .collect(),
                },
                required: Requirement::Always,
            });
        }
        fields.push(Field {
            name: EVIDENCE.into(),
            label: Text::new(
                "Dokumen bukti (pindaian atau PDF)",
                "Evidence (a scan or a PDF)",
            ),
            help: Some(Text::new(
                "Data yang tidak benar dapat dikenai sanksi (Pergub Jatim 73/2020 Pasal 9 ayat 2).",
                "False data may be sanctioned (Pergub Jatim 73/2020, Article 9(2)).",
            )),
            kind: FieldKind::Attachment {
                kinds: vec![
                    AttachmentKind::Pdf,
                    AttachmentKind::Jpeg,
                    AttachmentKind::Png,
                ],
                max_bytes: EVIDENCE_MAX_BYTES,
                min_count: u32::from(change != Change::Remove),
                max_count: 3,
                archive: None,
            },
            required: if change == Change::Remove {
                Requirement::Optional
            } else {
                Requirement::Always
            },
        });
        FormSchema { version: 1, fields }
    }
}

/// The form key of a proposal's evidence files.
pub const EVIDENCE: &str = "evidence";
/// The form key of the evidence's archive kind (where the section takes more than one).
pub const EVIDENCE_KIND: &str = "evidence_kind";
pub const EVIDENCE_MAX_BYTES: u64 = 5 * 1024 * 1024;

fn choice(options: &[(&str, &str, &str)]) -> FieldKind {
    FieldKind::Choice {
        options: options
            .iter()
            .map(|(value, id, en)| ChoiceOption {
                value: (*value).into(),
                label: Text::new(*id, *en),
            })
            .collect(),
    }
}

fn nik() -> FieldKind {
    FieldKind::Text {
        min_len: 16,
        max_len: 16,
    }
}

fn education_level() -> FieldKind {
    choice(&[
        ("sd", "SD", "Primary school"),
        ("smp", "SMP", "Junior high school"),
        ("sma", "SMA/SMK", "Senior high school"),
        ("d1", "D-I", "D-I"),
        ("d2", "D-II", "D-II"),
        ("d3", "D-III", "D-III"),
        ("d4", "D-IV", "D-IV"),
        ("s1", "S-1", "Bachelor"),
        ("s2", "S-2", "Master"),
        ("s3", "S-3", "Doctorate"),
    ])
}

/// One field of a section, with who verifies a change to it.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionField {
    pub field: Field,
    pub verifier: Verifier,
}

/// What a proposal does to its section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// A new entry (a diploma, a child).
    Add,
    /// New values for some fields of one entry (or of the identity).
    Correct,
    /// Takes an entry out (with a reason).
    Remove,
}

impl Change {
    pub fn code(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Correct => "correct",
            Self::Remove => "remove",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Add, Self::Correct, Self::Remove]
            .into_iter()
            .find(|c| c.code() == code)
    }
}

/// Who verifies a proposal: the fasilitator of the employee's unit, or (for confidential fields
/// such as the NIK, Pasal 10(2)(c)) an administrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verifier {
    Fasilitator,
    Administrator,
}

impl Verifier {
    pub fn code(self) -> &'static str {
        match self {
            Self::Fasilitator => "fasilitator",
            Self::Administrator => "administrator",
        }
    }
}

/// A proposal as the employee sends it (`POST /api/v1/me/proposals`, with an
/// `Idempotency-Key`), or sends again after it was returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalDraft {
    pub section: Section,
    pub change: Change,
    /// The entry corrected or removed (its `id` in the record); none for an addition or the
    /// identity.
    #[serde(default)]
    pub entry_id: Option<i64>,
    /// The section's fields (see [`Section::schema`]), the evidence files as uploaded
    /// (`evidence`) and their kind (`evidence_kind`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub values: FormValues,
    /// The employee's explanation; required for a removal.
    #[serde(default)]
    pub note: Option<String>,
}

impl ProposalDraft {
    /// Every problem with the draft, offline and on the server alike.
    pub fn check(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if !self.section.changes().contains(&self.change) {
            errors.push(error("change", FieldErrorCode::UnknownChoice));
        }
        let needs_entry = self.change != Change::Add && self.section != Section::Identity;
        if needs_entry != self.entry_id.is_some() {
            errors.push(error(
                "entry_id",
                if needs_entry {
                    FieldErrorCode::Required
                } else {
                    FieldErrorCode::UnknownField
                },
            ));
        }
        if let Err(mut e) = self
            .section
            .schema(self.change)
            .validate(&self.values, today)
        {
            errors.append(&mut e);
        }
        for f in ["nik"] {
            if let Some(v) = self.values.get(f).and_then(Value::as_str)
                && !v.is_empty()
                && crate::nik::Nik::parse(v).is_err()
            {
                errors.push(error(f, FieldErrorCode::WrongType));
            }
        }
        if self.change == Change::Correct && self.changed_fields().is_empty() {
            errors.push(error("values", FieldErrorCode::Required));
        }
        if self.change == Change::Remove && self.note.as_deref().is_none_or(|n| n.trim().is_empty())
        {
            errors.push(error("note", FieldErrorCode::Required));
        }
        errors
    }

    /// The record fields it sets (the evidence aside), with their values.
    pub fn changed_fields(&self) -> BTreeMap<String, Value> {
        let names: Vec<String> = self
            .section
            .fields()
            .into_iter()
            .map(|f| f.field.name)
            .collect();
        // An empty value is no value: a correction names only what it sets.
        let empty = |v: &Value| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty());
        self.values
            .iter()
            .filter(|(k, v)| names.contains(k) && !empty(v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Who must verify it: an administrator if it touches any field only administrators
    /// verify (for an addition or a removal: any in the section), otherwise the fasilitator.
    pub fn verifier(&self) -> Verifier {
        let changed = self.changed_fields();
        self.section
            .fields()
            .into_iter()
            .filter(|f| self.change != Change::Correct || changed.contains_key(&f.field.name))
            .map(|f| f.verifier)
            .max()
            .unwrap_or(Verifier::Fasilitator)
    }

    /// The archive kind of its evidence.
    pub fn evidence_kind(&self) -> ArchiveKind {
        let kinds = self.section.evidence();
        self.values
            .get(EVIDENCE_KIND)
            .and_then(Value::as_str)
            .and_then(ArchiveKind::from_code)
            .filter(|k| kinds.contains(k))
            .unwrap_or(kinds[0])
    }
}

/// Where a proposal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Sent; waiting for verification.
    Submitted,
    /// Sent back with a note; the employee corrects it and sends it again.
    Returned,
    /// Verified and applied to the record.
    Verified,
    /// Refused: kept, never applied.
    Rejected,
    /// Taken back by the employee before a decision.
    Withdrawn,
}

impl ProposalStatus {
    pub const ALL: [ProposalStatus; 5] = [
        Self::Submitted,
        Self::Returned,
        Self::Verified,
        Self::Rejected,
        Self::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::Verified => "verified",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> Text {
        let (id, en) = match self {
            Self::Submitted => ("Menunggu verifikasi", "Awaiting verification"),
            Self::Returned => ("Dikembalikan untuk diperbaiki", "Returned for correction"),
            Self::Verified => ("Terverifikasi", "Verified"),
            Self::Rejected => ("Ditolak", "Rejected"),
            Self::Withdrawn => ("Ditarik", "Withdrawn"),
        };
        Text::new(id, en)
    }

    pub fn is_open(self) -> bool {
        matches!(self, Self::Submitted | Self::Returned)
    }
}

/// One step in a proposal's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalEvent {
    pub at: DateTime<Utc>,
    /// `submitted`, `resubmitted`, `returned`, `verified`, `rejected` or `withdrawn`.
    pub action: String,
    pub by: Option<PersonRef>,
    /// The capacity it was done in: `own`, `fasilitator` or `administrator`.
    pub capacity: String,
    pub note: Option<String>,
}

/// One evidence file of a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidenceFile {
    pub kind: ArchiveKind,
    pub file: AttachmentInfo,
}

/// A proposal with the current and proposed values side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Proposal {
    pub id: uuid::Uuid,
    pub employee: PersonRef,
    pub section: Section,
    pub change: Change,
    pub entry_id: Option<i64>,
    /// The entry's values when the proposal was made (none for an addition).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub current: BTreeMap<String, Value>,
    /// The values proposed (for a correction: only those that change).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub proposed: BTreeMap<String, Value>,
    pub evidence: Vec<EvidenceFile>,
    pub note: Option<String>,
    pub status: ProposalStatus,
    pub verifier: Verifier,
    /// For [`ProposalReview::version`] and a resubmission.
    pub version: u32,
    pub submitted_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The record entry the verified change wrote (an addition's new id).
    pub applied_entry_id: Option<i64>,
    pub events: Vec<ProposalEvent>,
}

/// The verifier's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    /// The evidence holds: apply it.
    Verify,
    /// Back to the employee with a note.
    Return,
    /// Refused for good, with a note.
    Reject,
}

/// `POST /api/v1/proposals/{id}/review`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalReview {
    pub version: u32,
    pub outcome: ReviewOutcome,
    /// Required to return or reject.
    #[serde(default)]
    pub note: Option<String>,
}

/// `PUT /api/v1/me/proposals/{id}`: a returned proposal, corrected and sent again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalResubmission {
    pub version: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub values: FormValues,
    #[serde(default)]
    pub note: Option<String>,
}

/// A page of proposals, newest first; pass `next` as `after`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalPage {
    pub items: Vec<Proposal>,
    pub next: Option<String>,
}

/// A verified document in the employee's archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArchiveDocument {
    pub id: uuid::Uuid,
    pub kind: ArchiveKind,
    pub file: AttachmentInfo,
    /// The proposal it came with.
    pub proposal_id: Option<uuid::Uuid>,
    pub verified_at: DateTime<Utc>,
}

/// One unit's figures in the monitoring report (Pasal 13 and 17).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonitoringRow {
    pub unit_id: uuid::Uuid,
    pub unit_code: String,
    pub unit_name: String,
    /// Active employees of the unit (and every unit below it).
    pub employees: u32,
    /// Of them, those whose record is complete.
    pub complete: u32,
    /// The mean completeness of their records, in percent.
    pub mean_percent: u8,
    /// Proposals waiting for verification.
    pub pending: u32,
    /// When the oldest of them was sent.
    pub oldest_pending_since: Option<DateTime<Utc>>,
    /// Proposals verified, and rejected, in the period.
    pub verified: u32,
    pub rejected: u32,
}

/// The monitoring report for a period, per perangkat daerah or per unit below one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonitoringReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub rows: Vec<MonitoringRow>,
}

/// A form's document fields filled from the archive: each field that offers the archive gets
/// the newest verified document of its kind, as `{"archive": <document id>, ...the file}`, so
/// the employee does not upload the same SK again. The phone and the web both start from it.
pub fn offer(schema: &FormSchema, archive: &[ArchiveDocument]) -> FormValues {
    schema
        .fields
        .iter()
        .filter_map(|f| match &f.kind {
            FieldKind::Attachment {
                archive: Some(kind),
                ..
            } => archive
                .iter()
                .filter(|d| d.kind == *kind)
                .max_by_key(|d| d.verified_at)
                .map(|d| {
                    let file = serde_json::json!({
                        "archive": d.id, "id": d.file.id, "name": d.file.name,
                        "content_type": d.file.content_type, "size": d.file.size,
                    });
                    (f.name.clone(), Value::Array(vec![file]))
                }),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
    }

    fn evidence() -> Value {
        json!([{"id": "0192f7a0-0000-7000-8000-000000000001", "name": "ijazah.pdf",
                "content_type": "application/pdf", "size": 1000}])
    }

    #[test]
    fn a_diploma_needs_its_fields_and_its_scan() {
        let mut draft = ProposalDraft {
            section: Section::Education,
            change: Change::Add,
            entry_id: None,
            values: FormValues::new(),
            note: None,
        };
        let codes = |d: &ProposalDraft| {
            d.check(today())
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect::<Vec<_>>()
        };
        let missing = codes(&draft);
        for f in ["level", "institution", "graduation_year", "evidence"] {
            assert!(
                missing.contains(&(f.into(), FieldErrorCode::Required)),
                "{f}: {missing:?}"
            );
        }
        draft.values.insert("level".into(), json!("s2"));
        draft
            .values
            .insert("institution".into(), json!("Universitas Airlangga"));
        draft.values.insert("graduation_year".into(), json!(2024));
        draft.values.insert("evidence".into(), evidence());
        draft.values.insert("evidence_kind".into(), json!("ijazah"));
        assert_eq!(codes(&draft), vec![]);
        assert_eq!(draft.verifier(), Verifier::Fasilitator);
        assert_eq!(draft.evidence_kind(), ArchiveKind::Ijazah);
        // An unknown key is refused, like in a service form.
        draft.values.insert("rank_code".into(), json!("IV/e"));
        assert_eq!(
            codes(&draft),
            vec![("rank_code".into(), FieldErrorCode::UnknownField)]
        );
    }

    #[test]
    fn the_nik_is_for_administrators_and_must_be_one() {
        let mut values = FormValues::new();
        values.insert("nik".into(), json!("3578011203850004"));
        values.insert("evidence".into(), evidence());
        values.insert("evidence_kind".into(), json!("ktp"));
        let draft = ProposalDraft {
            section: Section::Identity,
            change: Change::Correct,
            entry_id: None,
            values,
            note: None,
        };
        assert_eq!(draft.check(today()), vec![]);
        assert_eq!(draft.verifier(), Verifier::Administrator);
        // An empty value changes nothing (and is never written as one).
        let mut blank = draft.clone();
        blank.values.insert("name".into(), json!(" "));
        assert!(!blank.changed_fields().contains_key("name"));
        let mut titles = draft.clone();
        titles.values.remove("nik");
        titles.values.insert("back_title".into(), json!("M.AP."));
        assert_eq!(titles.verifier(), Verifier::Fasilitator);
        let mut bad = draft;
        bad.values.insert("nik".into(), json!("1234567890123456"));
        assert!(
            bad.check(today())
                .iter()
                .any(|e| e.field == "nik" && e.code == FieldErrorCode::WrongType)
        );
    }

    #[test]
    fn a_removal_names_its_entry_and_says_why() {
        let draft = ProposalDraft {
            section: Section::Training,
            change: Change::Remove,
            entry_id: None,
            values: FormValues::new(),
            note: None,
        };
        let fields: Vec<String> = draft.check(today()).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["entry_id".to_owned(), "note".to_owned()]);
    }
}
