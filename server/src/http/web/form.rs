//! Any form schema the catalogue serves, as HTML inputs, and what a browser sends back as the
//! form values the services validate (the same validation, the same messages, as the app).
//!
//! Input names: a field's name, or `name.part` for the parts of a date range (`start`, `end`)
//! and an address (`street`, `city`, `province`, `postal_code`); an attachment field takes
//! files, and the files already uploaded with an earlier try travel as `name.kept`.

use std::collections::{BTreeMap, HashMap};

use abdi_proto::forms::{Field, FieldKind, FormSchema, FormValues, Requirement};
use maud::{Markup, html};
use serde_json::{Value, json};

use abdi_proto::ErrorCode;
use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::layout::{notice, problem, text};
use super::{PageResult, Visitor, WebError, unreadable};
use crate::error::ApiError;
use crate::services::attachments;
use crate::state::AppState;

const ADDRESS: [(&str, &str, &str); 4] = [
    ("street", "Alamat", "Street"),
    ("city", "Kota/kabupaten", "City or regency"),
    ("province", "Provinsi", "Province"),
    ("postal_code", "Kode pos", "Postal code"),
];

/// What the browser sent: text parts by input name, and uploaded files (already stored as
/// the employee's attachments) by field.
#[derive(Debug, Default)]
pub(crate) struct Sent {
    pub text: HashMap<String, String>,
    pub files: BTreeMap<String, Vec<Value>>,
}

impl Sent {
    fn get(&self, name: &str) -> Option<&str> {
        self.text
            .get(name)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    /// The form values for `schema`: only the fields it declares, each in the shape its kind
    /// takes (a number that is not one is passed on as text, for the validator to name).
    pub(crate) fn values(&self, schema: &FormSchema) -> FormValues {
        let mut out = FormValues::new();
        for f in &schema.fields {
            let n = &f.name;
            let value = match &f.kind {
                FieldKind::Number { .. } => self
                    .get(n)
                    .map(|s| s.parse::<i64>().map_or_else(|_| json!(s), |i| json!(i))),
                FieldKind::DateRange { .. } => {
                    let (start, end) = (
                        self.get(&format!("{n}.start")),
                        self.get(&format!("{n}.end")),
                    );
                    (start.is_some() || end.is_some())
                        .then(|| json!({"start": start.unwrap_or(""), "end": end.unwrap_or("")}))
                }
                FieldKind::Address => {
                    let parts: serde_json::Map<String, Value> = ADDRESS
                        .iter()
                        .map(|(p, _, _)| {
                            (
                                p.to_string(),
                                json!(self.get(&format!("{n}.{p}")).unwrap_or("")),
                            )
                        })
                        .collect();
                    parts
                        .values()
                        .any(|v| v.as_str().is_some_and(|s| !s.is_empty()))
                        .then_some(Value::Object(parts))
                }
                FieldKind::Attachment { .. } => {
                    let mut files: Vec<Value> = self
                        .text
                        .get(&format!("{n}.kept"))
                        .and_then(|k| serde_json::from_str::<Vec<Value>>(k).ok())
                        .unwrap_or_default();
                    files.extend(self.files.get(n).cloned().unwrap_or_default());
                    (!files.is_empty()).then_some(Value::Array(files))
                }
                _ => self.get(n).map(|s| json!(s)),
            };
            if let Some(v) = value {
                out.insert(n.clone(), v);
            }
        }
        out
    }
}

/// What an error says of a form: each message beside its field, and the rest above the form.
pub(crate) struct Problems {
    pub by_field: HashMap<String, Vec<String>>,
    general: Vec<String>,
}

impl Problems {
    pub(crate) fn of(v: &Visitor, schema: &FormSchema, error: Option<&ApiError>) -> Self {
        let mut by_field: HashMap<String, Vec<String>> = HashMap::new();
        let mut general = Vec::new();
        for item in error.map(|e| e.items.as_slice()).unwrap_or(&[]) {
            let message = item.message.get(v.lang).to_owned();
            match &item.field {
                Some(f) if schema.fields.iter().any(|x| &x.name == f) => {
                    by_field.entry(f.clone()).or_default().push(message)
                }
                _ => general.push(message),
            }
        }
        Self { by_field, general }
    }

    /// The notice above the form (nothing without an error).
    pub(crate) fn notice(&self, v: &Visitor, error: Option<&ApiError>) -> Markup {
        html! {
            @if let Some(e) = error {
                (notice("error", html! {
                    p { strong { (e.code.title(v.lang)) } }
                    @if self.by_field.is_empty() && self.general.is_empty() { (problem(e)) }
                    @for g in &self.general { p { (g) } }
                    @if !self.by_field.is_empty() { p { (v.t("Periksa isian yang ditandai.", "Check the marked fields.")) } }
                }))
            }
        }
    }
}

/// The form again, drawn by `page` with the error beside its fields, when the error is one of
/// `about_input`; any other refusal is its own page.
pub(crate) fn again(
    e: ApiError,
    about_input: &[ErrorCode],
    page: impl FnOnce(&ApiError) -> Markup,
) -> PageResult {
    if !about_input.contains(&e.code) {
        return Err(e.into());
    }
    let status = StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
    Ok((status, page(&e)).into_response())
}

/// The inputs of `schema`, filled with `values`, each with its errors beside it.
pub(crate) fn inputs(
    v: &Visitor,
    schema: &FormSchema,
    values: &FormValues,
    errors: &HashMap<String, Vec<String>>,
) -> Markup {
    html! {
        @for f in &schema.fields {
            (field(v, f, values.get(&f.name), errors.get(&f.name).map(Vec::as_slice).unwrap_or(&[])))
        }
    }
}

fn field(v: &Visitor, f: &Field, value: Option<&Value>, errors: &[String]) -> Markup {
    let id = format!("f-{}", f.name);
    let err_id = format!("{id}-error");
    let required = matches!(f.required, Requirement::Always);
    let invalid = !errors.is_empty();
    let described = if invalid { Some(err_id.as_str()) } else { None };
    let s = |key: &str| -> String {
        value
            .and_then(|v| if key.is_empty() { Some(v) } else { v.get(key) })
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .unwrap_or_default()
    };
    let label = html! {
        (text(v, &f.label))
        @if required { span.req aria-hidden="true" { " *" } }
    };
    let control = match &f.kind {
        FieldKind::Text { max_len, .. } if *max_len > 200 => html! {
            label for=(id) { (label) }
            textarea id=(id) name=(f.name) maxlength=(max_len) required[required]
                aria-invalid=[invalid.then_some("true")] aria-describedby=[described] { (s("")) }
        },
        FieldKind::Text { max_len, .. } => html! {
            label for=(id) { (label) }
            input id=(id) type="text" name=(f.name) value=(s("")) maxlength=(max_len) required[required]
                aria-invalid=[invalid.then_some("true")] aria-describedby=[described];
        },
        FieldKind::Number { min, max } => html! {
            label for=(id) { (label) }
            input id=(id) type="number" name=(f.name) value=(s("")) min=[min] max=[max] required[required]
                aria-invalid=[invalid.then_some("true")] aria-describedby=[described];
        },
        FieldKind::Date { .. } => html! {
            label for=(id) { (label) }
            input id=(id) type="date" name=(f.name) value=(s("")) required[required]
                aria-invalid=[invalid.then_some("true")] aria-describedby=[described];
        },
        FieldKind::Phone => html! {
            label for=(id) { (label) }
            input id=(id) type="tel" name=(f.name) value=(s("")) autocomplete="tel" required[required]
                aria-invalid=[invalid.then_some("true")] aria-describedby=[described];
        },
        FieldKind::Choice { options } => html! {
            label for=(id) { (label) }
            select id=(id) name=(f.name) required[required]
                aria-invalid=[invalid.then_some("true")] aria-describedby=[described] {
                option value="" { (v.t("— pilih —", "— choose —")) }
                @for o in options {
                    option value=(o.value) selected[s("") == o.value] { (text(v, &o.label)) }
                }
            }
        },
        FieldKind::DateRange { .. } => html! {
            fieldset aria-invalid=[invalid.then_some("true")] aria-describedby=[described] {
                legend { (label) }
                div.pair {
                    div {
                        label for={ (id) "-start" } { (v.t("Mulai", "From")) }
                        input id={ (id) "-start" } type="date" name={ (f.name) ".start" } value=(s("start")) required[required];
                    }
                    div {
                        label for={ (id) "-end" } { (v.t("Sampai dengan", "Until")) }
                        input id={ (id) "-end" } type="date" name={ (f.name) ".end" } value=(s("end")) required[required];
                    }
                }
            }
        },
        FieldKind::Address => html! {
            fieldset aria-invalid=[invalid.then_some("true")] aria-describedby=[described] {
                legend { (label) }
                @for (part, pid, pen) in ADDRESS {
                    label for={ (id) "-" (part) } { (v.t(pid, pen)) }
                    input id={ (id) "-" (part) } type="text" name={ (f.name) "." (part) } value=(s(part))
                        inputmode=[(part == "postal_code").then_some("numeric")] required[required];
                }
            }
        },
        FieldKind::Attachment {
            kinds,
            max_bytes,
            max_count,
            ..
        } => {
            let accept: Vec<&str> = kinds.iter().map(|k| k.content_type()).collect();
            let kept: Vec<Value> = value.and_then(Value::as_array).cloned().unwrap_or_default();
            html! {
                label for=(id) { (label) }
                @if !kept.is_empty() {
                    ul.files {
                        @for file in &kept { li { (file["name"].as_str().unwrap_or("")) } }
                    }
                    input type="hidden" name={ (f.name) ".kept" } value=(Value::Array(kept.clone()).to_string());
                }
                input id=(id) type="file" name=(f.name) accept=(accept.join(","))
                    multiple[*max_count > 1] aria-invalid=[invalid.then_some("true")] aria-describedby=[described];
                p.hint { (v.t("Berkas", "Files")) ": " (accept.join(", ")) "; " (v.t("paling besar", "at most")) " " (max_bytes / (1024 * 1024)) " MB" }
            }
        }
    };
    html! {
        div.field .invalid[invalid] {
            (control)
            @if let Some(help) = &f.help { p.hint { (text(v, help)) } }
            @if invalid {
                p.error id=(err_id) {
                    @for e in errors { span { (e) } }
                }
            }
        }
    }
}

/// What the browser sent for `schema`: the text inputs, and the files (stored as the
/// employee's attachments as they stream in, once the CSRF token, which comes first, is
/// checked).
pub(crate) async fn read(
    state: &AppState,
    v: &Visitor,
    schema: &FormSchema,
    multipart: &mut Multipart,
) -> Result<Sent, WebError> {
    let caller = v.caller()?;
    let attachment_fields: Vec<&str> = schema
        .fields
        .iter()
        .filter(|f| matches!(f.kind, FieldKind::Attachment { .. }))
        .map(|f| f.name.as_str())
        .collect();
    let mut sent = Sent::default();
    let mut checked = false;
    while let Some(part) = multipart.next_field().await.map_err(unreadable)? {
        let name = part.name().unwrap_or("").to_owned();
        match part.file_name().map(str::to_owned) {
            Some(file) if checked && attachment_fields.contains(&name.as_str()) => {
                if file.is_empty() {
                    continue;
                }
                let stream = futures_util::TryStreamExt::map_err(part, std::io::Error::other);
                let info = attachments::upload(
                    &state.db,
                    &state.services.objects,
                    (caller.actor.employee_id, (&state.config.storage).into()),
                    &file,
                    stream,
                    state.clock.now(),
                )
                .await?;
                sent.files.entry(name).or_default().push(serde_json::json!({
                    "id": info.id, "name": info.name, "content_type": info.content_type, "size": info.size,
                }));
            }
            Some(_) => continue,
            None => {
                let value = part.text().await.map_err(unreadable)?;
                if name == "csrf" {
                    v.check_form(&value)?;
                    checked = true;
                }
                sent.text.insert(name, value);
            }
        }
    }
    if !checked {
        v.check_form("")?;
    }
    Ok(sent)
}
