//! Form schemas for service requests and their validation: the same code checks a form on the
//! phone (offline, before queueing) and on the server (before storing). A schema is data an
//! administrator edits with the service catalogue; the app renders it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Text;
use crate::phone::Phone;

/// A service's form, versioned with the service's SOP.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormSchema {
    pub version: u32,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Field {
    /// Key in the submitted values, e.g. `start_date`.
    pub name: String,
    pub label: Text,
    #[serde(default)]
    pub help: Option<Text>,
    pub kind: FieldKind,
    #[serde(default)]
    pub required: Requirement,
}

/// When a field must be filled in.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "when")]
pub enum Requirement {
    Always,
    #[default]
    Optional,
    /// Required when the choice field `field` has one of `values`.
    If {
        field: String,
        values: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum FieldKind {
    Text {
        #[serde(default)]
        min_len: u32,
        max_len: u32,
    },
    Number {
        #[serde(default)]
        min: Option<i64>,
        #[serde(default)]
        max: Option<i64>,
    },
    /// `YYYY-MM-DD`; bounds are days from today (e.g. `min_days_ahead = 7`).
    Date {
        #[serde(default)]
        min_days_ahead: Option<i64>,
        #[serde(default)]
        max_days_ahead: Option<i64>,
    },
    /// `{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}`, both included.
    DateRange {
        #[serde(default)]
        min_days_ahead: Option<i64>,
        /// The longest range in calendar days.
        #[serde(default)]
        max_days: Option<u32>,
    },
    Choice {
        options: Vec<ChoiceOption>,
    },
    /// `{"street", "city", "province", "postal_code"}`; postal code 5 digits.
    Address,
    /// An Indonesian mobile number.
    Phone,
    /// Uploaded files: `[{"id", "name", "content_type", "size"}]`.
    Attachment {
        kinds: Vec<AttachmentKind>,
        max_bytes: u64,
        #[serde(default)]
        min_count: u32,
        max_count: u32,
        /// The kind of the employee's archived documents that may stand in for an upload
        /// (`[{"archive": "<document id>"}]`): a verified diploma is offered, not asked for
        /// again. A field without it always asks for a fresh copy.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        archive: Option<crate::archive::ArchiveKind>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChoiceOption {
    pub value: String,
    pub label: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    Pdf,
    Jpeg,
    Png,
}

impl AttachmentKind {
    pub fn content_type(self) -> &'static str {
        match self {
            AttachmentKind::Pdf => "application/pdf",
            AttachmentKind::Jpeg => "image/jpeg",
            AttachmentKind::Png => "image/png",
        }
    }
}

/// What is wrong with one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldErrorCode {
    Required,
    UnknownField,
    WrongType,
    TooShort,
    TooLong,
    OutOfRange,
    NotADate,
    TooEarly,
    TooLate,
    RangeReversed,
    RangeTooLong,
    UnknownChoice,
    InvalidPhone,
    InvalidAddress,
    AttachmentKind,
    AttachmentTooLarge,
    TooFewFiles,
    TooManyFiles,
    /// The attachment id is not one of the employee's uploads.
    AttachmentNotFound,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub code: FieldErrorCode,
    pub message: Text,
}

/// Submitted values by field name.
pub type FormValues = BTreeMap<String, Value>;

impl FormSchema {
    /// Checks `values` against the schema as of `today`; every problem is reported, not only
    /// the first, so the form can mark all of them at once.
    pub fn validate(&self, values: &FormValues, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errors = self.unknown_fields(values);
        for field in &self.fields {
            let value = values.get(&field.name).filter(|v| !is_empty(v));
            match value {
                None if self.is_required(field, values) => {
                    errors.push(error(&field.name, FieldErrorCode::Required))
                }
                None => {}
                Some(v) => {
                    if let Err(code) = check(&field.kind, v, today) {
                        errors.push(error(&field.name, code));
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Keys in `values` that the schema does not declare: refused in drafts as well as in
    /// submissions, so a form can carry nothing the service did not ask for.
    pub fn unknown_fields(&self, values: &FormValues) -> Vec<FieldError> {
        values
            .keys()
            .filter(|name| !self.fields.iter().any(|f| &f.name == *name))
            .map(|name| error(name, FieldErrorCode::UnknownField))
            .collect()
    }

    fn is_required(&self, field: &Field, values: &FormValues) -> bool {
        match &field.required {
            Requirement::Always => true,
            Requirement::Optional => false,
            Requirement::If {
                field: other,
                values: wanted,
            } => values
                .get(other)
                .and_then(Value::as_str)
                .is_some_and(|v| wanted.iter().any(|w| w == v)),
        }
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn date(v: &Value) -> Option<NaiveDate> {
    v.as_str()
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

fn within(
    d: NaiveDate,
    today: NaiveDate,
    min: Option<i64>,
    max: Option<i64>,
) -> Result<(), FieldErrorCode> {
    let ahead = (d - today).num_days();
    if min.is_some_and(|m| ahead < m) {
        return Err(FieldErrorCode::TooEarly);
    }
    if max.is_some_and(|m| ahead > m) {
        return Err(FieldErrorCode::TooLate);
    }
    Ok(())
}

fn check(kind: &FieldKind, v: &Value, today: NaiveDate) -> Result<(), FieldErrorCode> {
    use FieldErrorCode::*;
    match kind {
        FieldKind::Text { min_len, max_len } => {
            let s = v.as_str().ok_or(WrongType)?.trim();
            let n = s.chars().count() as u32;
            if n < *min_len {
                Err(TooShort)
            } else if n > *max_len {
                Err(TooLong)
            } else {
                Ok(())
            }
        }
        FieldKind::Number { min, max } => {
            let n = v.as_i64().ok_or(WrongType)?;
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                Err(OutOfRange)
            } else {
                Ok(())
            }
        }
        FieldKind::Date {
            min_days_ahead,
            max_days_ahead,
        } => within(
            date(v).ok_or(NotADate)?,
            today,
            *min_days_ahead,
            *max_days_ahead,
        ),
        FieldKind::DateRange {
            min_days_ahead,
            max_days,
        } => {
            let start = date(&v["start"]).ok_or(NotADate)?;
            let end = date(&v["end"]).ok_or(NotADate)?;
            if end < start {
                return Err(RangeReversed);
            }
            within(start, today, *min_days_ahead, None)?;
            if max_days.is_some_and(|m| (end - start).num_days() + 1 > i64::from(m)) {
                return Err(RangeTooLong);
            }
            Ok(())
        }
        FieldKind::Choice { options } => {
            let s = v.as_str().ok_or(WrongType)?;
            if options.iter().any(|o| o.value == s) {
                Ok(())
            } else {
                Err(UnknownChoice)
            }
        }
        FieldKind::Address => {
            let part = |k: &str| v[k].as_str().map(str::trim).filter(|s| !s.is_empty());
            let postal = part("postal_code").unwrap_or("");
            let ok = part("street").is_some()
                && part("city").is_some()
                && part("province").is_some()
                && postal.len() == 5
                && postal.bytes().all(|b| b.is_ascii_digit());
            if ok { Ok(()) } else { Err(InvalidAddress) }
        }
        FieldKind::Phone => Phone::parse(v.as_str().ok_or(WrongType)?)
            .map(|_| ())
            .map_err(|_| InvalidPhone),
        FieldKind::Attachment {
            kinds,
            max_bytes,
            min_count,
            max_count,
            ..
        } => {
            let files = v.as_array().ok_or(WrongType)?;
            let n = files.len() as u32;
            if n < *min_count {
                return Err(TooFewFiles);
            }
            if n > *max_count {
                return Err(TooManyFiles);
            }
            for f in files {
                let content_type = f["content_type"].as_str().ok_or(WrongType)?;
                let size = f["size"].as_u64().ok_or(WrongType)?;
                if f["id"].as_str().is_none_or(str::is_empty) {
                    return Err(WrongType);
                }
                if !kinds.iter().any(|k| k.content_type() == content_type) {
                    return Err(AttachmentKind);
                }
                if size > *max_bytes {
                    return Err(AttachmentTooLarge);
                }
            }
            Ok(())
        }
    }
}

/// The error for `code` on `field`, with its message in both languages.
pub fn error(field: &str, code: FieldErrorCode) -> FieldError {
    use FieldErrorCode::*;
    let (id, en) = match code {
        Required => ("Wajib diisi.", "Required."),
        UnknownField => (
            "Isian ini tidak ada dalam formulir.",
            "This field is not in the form.",
        ),
        WrongType => (
            "Bentuk isian tidak sesuai.",
            "The value has the wrong form.",
        ),
        TooShort => ("Terlalu pendek.", "Too short."),
        TooLong => ("Terlalu panjang.", "Too long."),
        OutOfRange => (
            "Di luar batas yang diizinkan.",
            "Outside the allowed range.",
        ),
        NotADate => (
            "Bukan tanggal yang valid (TTTT-BB-HH).",
            "Not a valid date (YYYY-MM-DD).",
        ),
        TooEarly => ("Tanggal terlalu dekat.", "The date is too soon."),
        TooLate => ("Tanggal terlalu jauh.", "The date is too far ahead."),
        RangeReversed => (
            "Tanggal selesai sebelum tanggal mulai.",
            "The end is before the start.",
        ),
        RangeTooLong => (
            "Rentang tanggal terlalu panjang.",
            "The date range is too long.",
        ),
        UnknownChoice => ("Pilihan tidak tersedia.", "Not one of the choices."),
        InvalidPhone => (
            "Nomor ponsel tidak valid (08... atau +628...).",
            "Not a mobile number (08... or +628...).",
        ),
        InvalidAddress => (
            "Alamat harus berisi jalan, kota, provinsi dan kode pos 5 angka.",
            "The address needs street, city, province and a 5-digit postal code.",
        ),
        AttachmentKind => (
            "Jenis berkas tidak diterima.",
            "This file type is not accepted.",
        ),
        AttachmentTooLarge => ("Berkas terlalu besar.", "The file is too large."),
        TooFewFiles => ("Lampiran kurang.", "Too few files."),
        TooManyFiles => ("Lampiran terlalu banyak.", "Too many files."),
        AttachmentNotFound => (
            "Lampiran tidak ditemukan; unggah ulang berkasnya.",
            "Attachment not found; upload the file again.",
        ),
    };
    FieldError {
        field: field.to_owned(),
        code,
        message: Text::new(id, en),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The annual-leave form as a schema: type, dates at least 7 days ahead and at most a month,
    /// a reason, the address during leave, a phone, and a doctor's letter required for sick
    /// leave only.
    fn leave() -> FormSchema {
        serde_json::from_value(json!({
            "version": 1,
            "fields": [
                { "name": "type", "label": {"id": "Jenis cuti", "en": "Leave type"}, "required": {"when": "always"},
                  "kind": { "type": "choice", "options": [
                      { "value": "tahunan", "label": {"id": "Cuti tahunan", "en": "Annual"} },
                      { "value": "sakit", "label": {"id": "Cuti sakit", "en": "Sick"} } ] } },
                { "name": "dates", "label": {"id": "Tanggal", "en": "Dates"}, "required": {"when": "always"},
                  "kind": { "type": "date_range", "min_days_ahead": 7, "max_days": 31 } },
                { "name": "reason", "label": {"id": "Alasan", "en": "Reason"}, "required": {"when": "always"},
                  "kind": { "type": "text", "min_len": 5, "max_len": 500 } },
                { "name": "address", "label": {"id": "Alamat selama cuti", "en": "Address"},
                  "kind": { "type": "address" } },
                { "name": "phone", "label": {"id": "Telepon", "en": "Phone"}, "kind": { "type": "phone" } },
                { "name": "days", "label": {"id": "Hari", "en": "Days"}, "kind": { "type": "number", "min": 1, "max": 12 } },
                { "name": "letter", "label": {"id": "Surat dokter", "en": "Doctor's letter"},
                  "required": {"when": "if", "field": "type", "values": ["sakit"]},
                  "kind": { "type": "attachment", "kinds": ["pdf", "jpeg"], "max_bytes": 2000000, "max_count": 2 } }
            ]
        }))
        .unwrap()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn good() -> FormValues {
        serde_json::from_value(json!({
            "type": "tahunan",
            "dates": { "start": "2026-12-07", "end": "2026-12-11" },
            "reason": "Urusan keluarga",
            "address": { "street": "Jl. Pahlawan 110", "city": "Surabaya", "province": "Jawa Timur", "postal_code": "60175" },
            "phone": "0812 3456 7890",
            "days": 5
        }))
        .unwrap()
    }

    fn codes(r: Result<(), Vec<FieldError>>) -> Vec<(String, FieldErrorCode)> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn a_complete_form_passes() {
        assert_eq!(leave().validate(&good(), today()), Ok(()));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut v = good();
        v.remove("reason");
        v.insert(
            "dates".into(),
            json!({ "start": "2026-11-25", "end": "2026-11-24" }),
        );
        v.insert("phone".into(), json!("021-555"));
        v.insert("days".into(), json!(13));
        v.insert("extra".into(), json!("x"));
        let got = codes(leave().validate(&v, today()));
        assert_eq!(
            got,
            vec![
                ("extra".into(), FieldErrorCode::UnknownField),
                ("dates".into(), FieldErrorCode::RangeReversed),
                ("reason".into(), FieldErrorCode::Required),
                ("phone".into(), FieldErrorCode::InvalidPhone),
                ("days".into(), FieldErrorCode::OutOfRange),
            ]
        );
    }

    #[test]
    fn dates_respect_notice_and_length() {
        let mut v = good();
        v.insert(
            "dates".into(),
            json!({ "start": "2026-11-27", "end": "2026-11-28" }),
        );
        assert_eq!(
            codes(leave().validate(&v, today())),
            vec![("dates".into(), FieldErrorCode::TooEarly)]
        );
        v.insert(
            "dates".into(),
            json!({ "start": "2026-12-07", "end": "2027-01-07" }),
        );
        assert_eq!(
            codes(leave().validate(&v, today())),
            vec![("dates".into(), FieldErrorCode::RangeTooLong)]
        );
        v.insert(
            "dates".into(),
            json!({ "start": "2026-02-30", "end": "2026-03-02" }),
        );
        assert_eq!(
            codes(leave().validate(&v, today())),
            vec![("dates".into(), FieldErrorCode::NotADate)]
        );
    }

    #[test]
    fn a_conditional_field_is_required_only_when_its_condition_holds() {
        let mut v = good();
        v.insert("type".into(), json!("sakit"));
        assert_eq!(
            codes(leave().validate(&v, today())),
            vec![("letter".into(), FieldErrorCode::Required)]
        );
        v.insert(
            "letter".into(),
            json!([{ "id": "a1", "name": "surat.pdf", "content_type": "application/pdf", "size": 120000 }]),
        );
        assert_eq!(leave().validate(&v, today()), Ok(()));
        v.insert(
            "letter".into(),
            json!([{ "id": "a1", "name": "surat.docx", "content_type": "application/msword", "size": 1 }]),
        );
        assert_eq!(
            codes(leave().validate(&v, today())),
            vec![("letter".into(), FieldErrorCode::AttachmentKind)]
        );
        v.insert(
            "letter".into(),
            json!([{ "id": "a1", "name": "scan.jpg", "content_type": "image/jpeg", "size": 3000000 }]),
        );
        assert_eq!(
            codes(leave().validate(&v, today())),
            vec![("letter".into(), FieldErrorCode::AttachmentTooLarge)]
        );
        v.insert("type".into(), json!("cuti-panjang"));
        v.remove("letter");
        assert_eq!(
            codes(leave().validate(&v, today())),
            vec![("type".into(), FieldErrorCode::UnknownChoice)]
        );
    }

    #[test]
    fn wrong_shapes_and_bad_addresses_are_errors_not_panics() {
        let mut v = good();
        v.insert("reason".into(), json!(42));
        v.insert("days".into(), json!("five"));
        v.insert("address".into(), json!({ "street": "Jl. A", "city": "Malang", "province": "Jatim", "postal_code": "651" }));
        v.insert("dates".into(), json!("2026-12-07"));
        let got = codes(leave().validate(&v, today()));
        assert_eq!(
            got,
            vec![
                ("dates".into(), FieldErrorCode::NotADate),
                ("reason".into(), FieldErrorCode::WrongType),
                ("address".into(), FieldErrorCode::InvalidAddress),
                ("days".into(), FieldErrorCode::WrongType),
            ]
        );
        let blank = FormValues::new();
        assert_eq!(
            codes(leave().validate(&blank, today())).len(),
            3,
            "type, dates, reason"
        );
    }

    #[test]
    fn every_error_has_both_languages() {
        let all = [
            FieldErrorCode::Required,
            FieldErrorCode::UnknownField,
            FieldErrorCode::WrongType,
            FieldErrorCode::TooShort,
            FieldErrorCode::TooLong,
            FieldErrorCode::OutOfRange,
            FieldErrorCode::NotADate,
            FieldErrorCode::TooEarly,
            FieldErrorCode::TooLate,
            FieldErrorCode::RangeReversed,
            FieldErrorCode::RangeTooLong,
            FieldErrorCode::UnknownChoice,
            FieldErrorCode::InvalidPhone,
            FieldErrorCode::InvalidAddress,
            FieldErrorCode::AttachmentKind,
            FieldErrorCode::AttachmentTooLarge,
            FieldErrorCode::TooFewFiles,
            FieldErrorCode::TooManyFiles,
        ];
        for code in all {
            let e = error("f", code);
            assert!(!e.message.id.is_empty() && !e.message.en.is_empty());
            assert_ne!(e.message.id, e.message.en, "{code:?}");
        }
    }
}
