//! Completeness of the employee's record (Pergub Jatim 73/2020 Pasal 11(2)-(3)): no service while
//! the data a service needs is missing. What is present is told by [`RecordFacts`], which the
//! server reads from the database and the phone from its cached record and archive; what is
//! missing is worked out here, the same on both.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::archive::ArchiveKind;
use crate::error::Text;
use crate::record::EmployeeRecord;

/// A fact the record must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordItem {
    Nik,
    BirthPlace,
    Email,
    Phone,
    /// TMT CPNS (for PNS and CPNS).
    TmtCpns,
    /// TMT PNS (for PNS).
    TmtPns,
    /// The rank and its TMT (for PNS and CPNS).
    Rank,
    Position,
    /// At least one entry in the education history.
    Education,
}

impl RecordItem {
    pub const ALL: [RecordItem; 9] = [
        Self::Nik,
        Self::BirthPlace,
        Self::Email,
        Self::Phone,
        Self::TmtCpns,
        Self::TmtPns,
        Self::Rank,
        Self::Position,
        Self::Education,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Nik => "nik",
            Self::BirthPlace => "birth_place",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::TmtCpns => "tmt_cpns",
            Self::TmtPns => "tmt_pns",
            Self::Rank => "rank",
            Self::Position => "position",
            Self::Education => "education",
        }
    }

    pub fn label(self) -> Text {
        let (id, en) = match self {
            Self::Nik => ("NIK", "NIK"),
            Self::BirthPlace => ("Tempat lahir", "Place of birth"),
            Self::Email => ("Email", "Email"),
            Self::Phone => ("Nomor ponsel", "Mobile number"),
            Self::TmtCpns => ("TMT CPNS", "Start as CPNS (TMT CPNS)"),
            Self::TmtPns => ("TMT PNS", "Start as PNS (TMT PNS)"),
            Self::Rank => ("Pangkat/golongan dan TMT-nya", "Rank and its start date"),
            Self::Position => ("Jabatan", "Position"),
            Self::Education => ("Riwayat pendidikan", "Education history"),
        };
        Text::new(id, en)
    }

    /// Whether an employee of `employment_type` (`pns`, `cpns`, `pppk`) must have it.
    fn applies(self, employment_type: &str) -> bool {
        match self {
            Self::TmtPns => employment_type == "pns",
            Self::TmtCpns | Self::Rank => matches!(employment_type, "pns" | "cpns"),
            _ => true,
        }
    }
}

/// Whether an employee of `employment_type` must have a document of `kind` in the archive.
fn document_applies(kind: ArchiveKind, employment_type: &str) -> bool {
    match kind {
        ArchiveKind::SkPns | ArchiveKind::SkPangkat | ArchiveKind::Karpeg => {
            employment_type == "pns"
        }
        ArchiveKind::SkCpns => matches!(employment_type, "pns" | "cpns"),
        _ => true,
    }
}

/// What a service needs of the record and the archive before any of its rules runs (in the
/// catalogue, per service).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Requirements {
    #[serde(default)]
    pub fields: Vec<RecordItem>,
    #[serde(default)]
    pub documents: Vec<ArchiveKind>,
}

impl Requirements {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.documents.is_empty()
    }

    /// What every record should hold: the measure of its completeness.
    pub fn every_record() -> Self {
        Self {
            fields: RecordItem::ALL.to_vec(),
            documents: vec![
                ArchiveKind::SkCpns,
                ArchiveKind::SkPns,
                ArchiveKind::SkPangkat,
                ArchiveKind::Ijazah,
                ArchiveKind::Karpeg,
            ],
        }
    }
}

/// What the record holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordFacts {
    pub employment_type: String,
    pub present: BTreeSet<RecordItem>,
    pub documents: BTreeSet<ArchiveKind>,
}

impl RecordFacts {
    /// The facts of a record as the API serves it, with the kinds in the employee's archive.
    pub fn of(record: &EmployeeRecord, documents: impl IntoIterator<Item = ArchiveKind>) -> Self {
        let i = &record.identity;
        let filled = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
        let present = [
            (RecordItem::Nik, !i.nik.trim().is_empty()),
            (RecordItem::BirthPlace, !i.birth_place.trim().is_empty()),
            (RecordItem::Email, filled(&i.email)),
            (RecordItem::Phone, filled(&i.phone)),
            (RecordItem::TmtCpns, i.tmt_cpns.is_some()),
            (RecordItem::TmtPns, i.tmt_pns.is_some()),
            (
                RecordItem::Rank,
                i.rank_code.is_some() && i.rank_tmt.is_some(),
            ),
            (RecordItem::Position, filled(&i.position_title)),
            (RecordItem::Education, !record.education.is_empty()),
        ]
        .into_iter()
        .filter_map(|(item, ok)| ok.then_some(item))
        .collect();
        Self {
            employment_type: i.employment_type.clone(),
            present,
            documents: documents.into_iter().collect(),
        }
    }

    /// What the record lacks of `needs`, fields first, in the order asked.
    pub fn missing(&self, needs: &Requirements) -> Vec<Missing> {
        let t = self.employment_type.as_str();
        let fields = needs
            .fields
            .iter()
            .filter(|f| f.applies(t) && !self.present.contains(f))
            .map(|f| Missing {
                code: "missing_field".into(),
                item: f.code().into(),
                label: f.label(),
            });
        let documents = needs
            .documents
            .iter()
            .filter(|d| document_applies(**d, t) && !self.documents.contains(d))
            .map(|d| Missing {
                code: "missing_document".into(),
                item: d.code().into(),
                label: d.label(),
            });
        fields.chain(documents).collect()
    }

    /// The record's completeness against what every record should hold.
    pub fn completeness(&self) -> Completeness {
        let needs = Requirements::every_record();
        let t = self.employment_type.as_str();
        let total = needs.fields.iter().filter(|f| f.applies(t)).count()
            + needs
                .documents
                .iter()
                .filter(|d| document_applies(**d, t))
                .count();
        let missing = self.missing(&needs);
        let present = total - missing.len();
        Completeness {
            percent: (present * 100).checked_div(total).unwrap_or(100) as u8,
            present: present as u32,
            total: total as u32,
            missing,
        }
    }
}

/// Something the record lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Missing {
    /// `missing_field` or `missing_document`.
    pub code: String,
    /// The record item or the archive kind, e.g. `tmt_pns` or `ijazah`.
    pub item: String,
    pub label: Text,
}

/// How complete an employee's record is: of what every record should hold, the share present
/// (rounded down), and what is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Completeness {
    pub percent: u8,
    pub present: u32,
    pub total: u32,
    pub missing: Vec<Missing>,
}

/// What the record lacks, as one problem of a `record_incomplete` answer.
impl From<Missing> for crate::error::Violation {
    fn from(m: Missing) -> Self {
        Self {
            field: Some(m.item),
            message: Text::new(
                format!("Belum ada: {}.", m.label.id),
                format!("Missing: {}.", m.label.en),
            ),
            code: m.code,
            seen: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pppk_is_not_asked_for_a_pns_decree() {
        let mut facts = RecordFacts {
            employment_type: "pppk".into(),
            present: RecordItem::ALL.into_iter().collect(),
            documents: BTreeSet::new(),
        };
        let c = facts.completeness();
        // Six fields apply (no TMT CPNS, TMT PNS or rank), and one document (the diploma).
        assert_eq!((c.present, c.total, c.percent), (6, 7, 85));
        assert_eq!(c.missing[0].item, "ijazah");
        facts.documents.insert(ArchiveKind::Ijazah);
        assert_eq!(facts.completeness().percent, 100);
        facts.employment_type = "pns".into();
        let c = facts.completeness();
        assert_eq!((c.present, c.total), (10, 14));
        let needs = Requirements {
            fields: vec![RecordItem::TmtPns],
            documents: vec![ArchiveKind::Ijazah, ArchiveKind::SkPns],
        };
        let missing: Vec<String> = facts.missing(&needs).into_iter().map(|m| m.item).collect();
        assert_eq!(missing, vec!["sk_pns".to_owned()]);
    }
}
