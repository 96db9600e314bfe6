//! The employee's personal archive (Pergub Jatim 73/2020 Pasal 22): verified scans of their
//! decrees, diplomas and family documents, kept by kind, offered to a service's document field
//! so the same SK is not uploaded for every request.

use serde::{Deserialize, Serialize};

use crate::error::Text;

/// A kind of document in the employee's archive (Pasal 22: scanned documents collected).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ArchiveKind {
    SkCpns,
    SkPns,
    SkPangkat,
    Ijazah,
    Transkrip,
    Karpeg,
    Ktp,
    KartuKeluarga,
    AktaKelahiran,
    AktaNikah,
    SertifikatDiklat,
    PiagamPenghargaan,
    SertifikatKompetensi,
    SuratKeterangan,
}

impl ArchiveKind {
    pub const ALL: [ArchiveKind; 14] = [
        Self::SkCpns,
        Self::SkPns,
        Self::SkPangkat,
        Self::Ijazah,
        Self::Transkrip,
        Self::Karpeg,
        Self::Ktp,
        Self::KartuKeluarga,
        Self::AktaKelahiran,
        Self::AktaNikah,
        Self::SertifikatDiklat,
        Self::PiagamPenghargaan,
        Self::SertifikatKompetensi,
        Self::SuratKeterangan,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::SkCpns => "sk_cpns",
            Self::SkPns => "sk_pns",
            Self::SkPangkat => "sk_pangkat",
            Self::Ijazah => "ijazah",
            Self::Transkrip => "transkrip",
            Self::Karpeg => "karpeg",
            Self::Ktp => "ktp",
            Self::KartuKeluarga => "kartu_keluarga",
            Self::AktaKelahiran => "akta_kelahiran",
            Self::AktaNikah => "akta_nikah",
            Self::SertifikatDiklat => "sertifikat_diklat",
            Self::PiagamPenghargaan => "piagam_penghargaan",
            Self::SertifikatKompetensi => "sertifikat_kompetensi",
            Self::SuratKeterangan => "surat_keterangan",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> Text {
        let (id, en) = match self {
            Self::SkCpns => ("SK CPNS", "Decree of appointment as CPNS"),
            Self::SkPns => ("SK PNS", "Decree of appointment as PNS"),
            Self::SkPangkat => ("SK pangkat terakhir", "Latest rank decree"),
            Self::Ijazah => ("Ijazah", "Diploma"),
            Self::Transkrip => ("Transkrip nilai", "Transcript"),
            Self::Karpeg => ("Kartu pegawai (KARPEG)", "Civil servant card (KARPEG)"),
            Self::Ktp => ("KTP", "Identity card (KTP)"),
            Self::KartuKeluarga => ("Kartu keluarga", "Family card"),
            Self::AktaKelahiran => ("Akta kelahiran", "Birth certificate"),
            Self::AktaNikah => ("Akta / buku nikah", "Marriage certificate"),
            Self::SertifikatDiklat => ("Sertifikat diklat", "Training certificate"),
            Self::PiagamPenghargaan => ("Piagam penghargaan", "Award certificate"),
            Self::SertifikatKompetensi => ("Sertifikat kompetensi", "Competency certificate"),
            Self::SuratKeterangan => ("Surat keterangan", "Letter of statement"),
        };
        Text::new(id, en)
    }
}
