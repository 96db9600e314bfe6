//! Administrators' screens for what the API lets them do: roles by decree, the catalogue and
//! its revisions, the organisation, the import with its reconciliation report, and the audit
//! log. Every write goes through the same capability call as the API, with its step-up.

use abdi_proto::agency::{NewRoleGrant, Role, RoleRevocation, Standing};
use abdi_proto::services::{ServiceSpec, ServiceState};
use axum::Form;
use axum::extract::{Multipart, State};
use maud::{Markup, html};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::layout::{csrf_field, day, notice, shell, text, when};
use super::{PageResponses, PageResult, Signed, Visitor, WebError, date, page, see, unreadable};
use crate::error::ApiError;
use crate::http::extract::Path;
use crate::identity::audit::Origin as Client;
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(index))
        .routes(routes!(roles, grant))
        .routes(routes!(revoke))
        .routes(routes!(catalogue, create_service))
        .routes(routes!(service_history, change_service))
        .routes(routes!(import_form, import))
        .routes(routes!(audit))
        .routes(routes!(employee))
        .routes(routes!(disable))
        .routes(routes!(transfer))
        .routes(routes!(acting, record_acting))
        .routes(routes!(end_acting))
}

/// Refuses anyone but an administrator (for the pages that only show a form; every write
/// is checked again by the capability it calls).
async fn administrator(v: &Visitor) -> Result<(), WebError> {
    if v.caller()?.actor.principal().await?.administrator {
        Ok(())
    } else {
        Err(ApiError::new(abdi_proto::ErrorCode::Forbidden).into())
    }
}

/// The administrators' pages.
#[utoipa::path(get, path = "/admin", tag = "web", responses(PageResponses))]
async fn index(Signed(v): Signed) -> PageResult {
    administrator(&v).await?;
    page(shell(
        &v,
        v.t("Administrasi", "Administration"),
        html! {
            ul.cards {
                li { a href="/admin/roles" { strong { (v.t("Peran dan SK", "Roles by decree")) } } div.hint { (v.t("Fasilitator dan administrator", "Fasilitators and administrators")) } }
                li { a href="/admin/catalogue" { strong { (v.t("Katalog layanan", "Service catalogue")) } } div.hint { (v.t("Layanan dan revisinya", "Services and their revisions")) } }
                li { a href="/admin/organisation" { strong { (v.t("Organisasi", "Organisation")) } } div.hint { (v.t("Unit kerja", "Units")) } }
                li { a href="/admin/import" { strong { (v.t("Impor data SIASN/SIMPEG", "SIASN/SIMPEG import")) } } div.hint { (v.t("Dengan laporan rekonsiliasi", "With its reconciliation report")) } }
                li { a href="/admin/employees" { strong { (v.t("Pegawai", "Employees")) } } div.hint { (v.t("Nonaktifkan atau pindahkan", "Disable or transfer")) } }
                li { a href="/admin/acting" { strong { (v.t("Plt/Plh", "Acting officials")) } } div.hint { (v.t("Surat perintah Plt dan Plh", "Plt and Plh letters")) } }
                li { a href="/admin/data-clients" { strong { (v.t("Berbagi data", "Data sharing")) } } div.hint { (v.t("Sistem penerima data dan log aksesnya", "Client systems and their access log")) } }
                li { a href="/admin/audit" { strong { (v.t("Log audit", "Audit log")) } } div.hint { (v.t("Peristiwa autentikasi", "Authentication events")) } }
            }
        },
    ))
}

fn standing(v: &Visitor, s: Standing) -> &'static str {
    match s {
        Standing::Scheduled => v.t("terjadwal", "scheduled"),
        Standing::Active => v.t("berlaku", "in force"),
        Standing::Lapsed => v.t("berakhir", "lapsed"),
        Standing::Ended => v.t("dicabut", "revoked"),
    }
}

/// Role grants, newest first, and the form for a new one.
#[utoipa::path(get, path = "/admin/roles", tag = "web", responses(PageResponses))]
async fn roles(State(state): State<AppState>, Signed(v): Signed) -> PageResult {
    roles_page(&state, &v, None, None).await
}

async fn roles_page(
    state: &AppState,
    v: &Visitor,
    sent: Option<&GrantForm>,
    error: Option<&ApiError>,
) -> PageResult {
    let grants = state.agency.grants(&v.caller()?.actor, None, None).await?;
    let markup = shell(
        v,
        v.t("Peran dan SK", "Roles by decree"),
        html! {
            @if let Some(e) = error { (notice("error", super::layout::problem(e))) }
            (grant_form(v, sent))
            section.card {
                h2 { (v.t("Pemberian peran", "Grants")) }
                table #grants {
                    thead { tr {
                        th { (v.t("Pegawai", "Employee")) } th { (v.t("Peran", "Role")) } th { "Unit" }
                        th { "SK" } th { (v.t("Status", "Standing")) } th {}
                    } }
                    tbody {
                        @for g in &grants {
                            tr {
                                td { (g.employee.name) br; small { (g.employee.nip) } }
                                td { (g.role.code()) }
                                td { (g.unit_code.as_deref().unwrap_or("-")) }
                                td { (g.decree_number.as_deref().unwrap_or("-")) @if let Some(d) = g.decree_date { br; small { (day(d)) } } }
                                td { (standing(v, g.standing)) }
                                td {
                                    @if matches!(g.standing, Standing::Active | Standing::Scheduled) {
                                        form method="post" action={ "/admin/roles/" (g.id) "/revoke" } data-step-up {
                                            (csrf_field(v))
                                            label.sr for={ "reason-" (g.id) } { (v.t("Alasan", "Reason")) }
                                            input id={ "reason-" (g.id) } name="reason" required placeholder=(v.t("Alasan / SK", "Reason / decree"));
                                            button.secondary type="submit" { (v.t("Cabut", "Revoke")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    );
    let status = error
        .and_then(|e| axum::http::StatusCode::from_u16(e.code.status()).ok())
        .unwrap_or(axum::http::StatusCode::OK);
    Ok(axum::response::IntoResponse::into_response((
        status, markup,
    )))
}

fn grant_form(v: &Visitor, sent: Option<&GrantForm>) -> Markup {
    let s = |f: fn(&GrantForm) -> &str| sent.map_or("", f);
    html! {
        form.card #grant method="post" action="/admin/roles" data-step-up {
            h2 { (v.t("Beri peran", "Grant a role")) }
            (csrf_field(v))
            div.field { label for="g-nip" { (v.t("NIP pegawai", "Employee's NIP")) } input #g-nip name="nip" inputmode="numeric" required value=(s(|g| &g.nip)); }
            div.field {
                label for="g-role" { (v.t("Peran", "Role")) }
                select #g-role name="role" {
                    option value="fasilitator" { "Fasilitator" }
                    option value="administrator" selected[sent.is_some_and(|g| g.role == Role::Administrator)] { "Administrator" }
                }
            }
            div.field { label for="g-unit" { (v.t("Kode unit (fasilitator)", "Unit code (fasilitator)")) } input #g-unit name="unit_code" value=(s(|g| g.unit_code.as_deref().unwrap_or(""))); }
            div.field { label for="g-number" { (v.t("Nomor SK", "Decree number")) } input #g-number name="decree_number" required value=(s(|g| &g.decree_number)); }
            div.field { label for="g-date" { (v.t("Tanggal SK", "Decree date")) } input #g-date type="date" name="decree_date" required value=(s(|g| &g.decree_date)); }
            div.field { label for="g-from" { (v.t("Berlaku mulai (opsional)", "From (optional)")) } input #g-from type="date" name="starts_on" value=(s(|g| g.starts_on.as_deref().unwrap_or(""))); }
            div.field { label for="g-to" { (v.t("Sampai dengan (opsional)", "Until (optional)")) } input #g-to type="date" name="ends_on" value=(s(|g| g.ends_on.as_deref().unwrap_or(""))); }
            button type="submit" { (v.t("Beri peran (konfirmasi passkey)", "Grant (confirm with passkey)")) }
            p.error hidden data-error {}
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct GrantForm {
    csrf: String,
    nip: String,
    role: Role,
    unit_code: Option<String>,
    decree_number: String,
    /// `YYYY-MM-DD`.
    decree_date: String,
    starts_on: Option<String>,
    ends_on: Option<String>,
}

/// Grants a role by decree (a fresh step-up).
#[utoipa::path(post, path = "/admin/roles", tag = "web",
    request_body(content = GrantForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn grant(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Form(f): Form<GrantForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let parsed = (|| -> Result<NewRoleGrant, ApiError> {
        Ok(NewRoleGrant {
            nip: f.nip.trim().to_owned(),
            role: f.role,
            unit_code: f
                .unit_code
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty() && f.role == Role::Fasilitator)
                .map(str::to_owned),
            decree_number: f.decree_number.clone(),
            decree_date: date("decree_date", Some(&f.decree_date))?.unwrap_or_default(),
            starts_on: date("starts_on", f.starts_on.as_deref())?,
            ends_on: date("ends_on", f.ends_on.as_deref())?,
        })
    })();
    let result = match parsed {
        Ok(g) => state
            .agency
            .grant(&v.caller()?.actor, &client, &g)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => see("/admin/roles"),
        Err(e) => roles_page(&state, &v, Some(&f), Some(&e)).await,
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct RevokeForm {
    csrf: String,
    reason: String,
}

/// Revokes a grant (a fresh step-up); it stays in the history.
#[utoipa::path(post, path = "/admin/roles/{id}/revoke", tag = "web",
    params(("id" = Uuid, Path, description = "Grant id")),
    request_body(content = RevokeForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn revoke(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Path(id): Path<Uuid>,
    Form(f): Form<RevokeForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let r = RoleRevocation {
        reason: f.reason,
        decree_number: None,
    };
    state
        .agency
        .revoke(&v.caller()?.actor, &client, id, &r)
        .await?;
    see("/admin/roles")
}

/// The catalogue, closed services included.
#[utoipa::path(get, path = "/admin/catalogue", tag = "web", responses(PageResponses))]
async fn catalogue(State(state): State<AppState>, Signed(v): Signed) -> PageResult {
    let actor = &v.caller()?.actor;
    let list = state.services.catalogue(Some(actor)).await?;
    page(shell(
        &v,
        v.t("Katalog layanan", "Service catalogue"),
        html! {
            table {
                thead { tr { th { (v.t("Layanan", "Service")) } th { "SOP" } th { (v.t("Revisi", "Revision")) } th { (v.t("Status", "State")) } } }
                tbody {
                    @for s in &list {
                        tr {
                            td { a href={ "/admin/catalogue/" (s.code) } { (text(&v, &s.name)) } br; small { code { (s.code) } } }
                            td { (s.sop_version) } td { (s.revision) }
                            td { (state_words(&v, s.state)) }
                        }
                    }
                }
            }
            p.hint { (v.t(
                "Setiap perubahan layanan ditetapkan dengan SK dan menjadi revisi; permohonan yang sedang berjalan tetap memakai revisinya.",
                "Every change of a service is set by decree and becomes a revision; requests already open keep theirs."
            )) }
            (service_form(&v, None))
        },
    ))
}

fn state_words(v: &Visitor, state: ServiceState) -> &'static str {
    match state {
        ServiceState::Draft => v.t("draf", "draft"),
        ServiceState::Active => v.t("aktif", "active"),
        ServiceState::Inactive => v.t("ditutup dengan SK", "closed by decree"),
    }
}

/// What a new service starts from in the editor: a statement the official signs after the
/// fasilitator checked it, with no condition yet.
fn blank_service() -> ServiceSpec {
    use abdi_proto::services::{Approver, ChainStep, DocumentKind, StepKind};
    let step = |kind, by| ChainStep {
        kind,
        by,
        acting_allowed: true,
    };
    ServiceSpec {
        name: abdi_proto::Text::new("", ""),
        form: abdi_proto::forms::FormSchema {
            version: 1,
            fields: Vec::new(),
        },
        chain: vec![
            step(StepKind::Verification, Approver::Fasilitator),
            step(StepKind::Decision, Approver::Pybmc),
        ],
        output_document: DocumentKind::SuratKeterangan,
        state: ServiceState::Draft,
        sop_version: "1".into(),
        sop: abdi_proto::Text::new("", ""),
        decree: None,
        requires: Default::default(),
        eligibility: Default::default(),
        letter: None,
        due: Vec::new(),
    }
}

/// A service's revisions, newest first.
#[utoipa::path(get, path = "/admin/catalogue/{code}", tag = "web",
    params(("code" = String, Path, description = "Service code")),
    responses(PageResponses))]
async fn service_history(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(code): Path<String>,
) -> PageResult {
    let revisions = state
        .services
        .service_history(&v.caller()?.actor, &code)
        .await?;
    let current = state.services.service(&code).await?;
    page(shell(
        &v,
        &format!("{} {code}", v.t("Revisi layanan", "Revisions of")),
        html! {
            (service_form(&v, Some(&current)))
            h2 { (v.t("Revisi", "Revisions")) }
            ol.timeline #revisions {
                @for r in &revisions {
                    li {
                        strong { (v.t("Revisi", "Revision")) " " (r.revision) } " · " (when(r.changed_at))
                        @if let Some(by) = &r.changed_by { " · " (by) }
                        div { (text(&v, &r.spec.name)) " · SOP " (r.spec.sop_version) " · " (r.spec.form.fields.len()) " " (v.t("isian", "fields")) }
                        div.hint { (r.note) }
                    }
                }
            }
        },
    ))
}

/// The editor of a service: a change by decree of `current`, or a new service.
fn service_form(v: &Visitor, current: Option<&abdi_proto::services::ServiceDefinition>) -> Markup {
    let blank = blank_service();
    let s = current.map_or(&blank, |d| &d.spec);
    let (id, action) = match current {
        Some(d) => ("change-service", format!("/admin/catalogue/{}", d.code)),
        None => ("new-service", "/admin/catalogue".to_owned()),
    };
    html! {
        form.card #(id) method="post" action=(action) data-step-up {
            @match current {
                Some(d) => {
                    h2 { (v.t("Ubah layanan dengan SK", "Change the service by decree")) }
                    input type="hidden" name="revision" value=(d.revision);
                }
                None => {
                    h2 { (v.t("Tambah layanan", "Add a service")) }
                    div.field { label for="s-code" { (v.t("Kode (huruf kecil, angka, _)", "Code (lower case, digits, _)")) } input #s-code name="code" required pattern="[a-z][a-z0-9_]{2,47}"; }
                }
            }
            (csrf_field(v))
            div.pair {
                div.field { label for="s-name-id" { (v.t("Nama (Bahasa Indonesia)", "Name (Bahasa Indonesia)")) } input #s-name-id name="name_id" required value=(s.name.id); }
                div.field { label for="s-name-en" { (v.t("Nama (Inggris)", "Name (English)")) } input #s-name-en name="name_en" required value=(s.name.en); }
            }
            div.pair {
                div.field { label for="s-sop" { (v.t("Versi SOP", "SOP version")) } input #s-sop name="sop_version" required value=(s.sop_version); }
                div.field {
                    label for="s-state" { (v.t("Status", "State")) }
                    select #s-state name="state" {
                        @for st in [ServiceState::Draft, ServiceState::Active, ServiceState::Inactive] {
                            option value=(json(&st).trim_matches('"')) selected[st == s.state] { (state_words(v, st)) }
                        }
                    }
                }
            }
            div.field { label for="s-sop-id" { (v.t("SOP (Bahasa Indonesia)", "SOP (Bahasa Indonesia)")) } textarea #s-sop-id name="sop_id" { (s.sop.id) } }
            div.field { label for="s-sop-en" { (v.t("SOP (Inggris)", "SOP (English)")) } textarea #s-sop-en name="sop_en" { (s.sop.en) } }
            details open[current.is_none()] {
                summary { (v.t("Formulir, syarat, alur persetujuan dan surat (JSON)", "Form, conditions, approval chain and letter (JSON)")) }
                div.field { label for="s-form" { (v.t("Skema formulir", "Form schema")) } textarea.code #s-form name="form" rows="12" { (json(&s.form)) } }
                div.field { label for="s-eligibility" { (v.t("Syarat (bahasa syarat versi 1)", "Conditions (condition language version 1)")) } textarea.code #s-eligibility name="eligibility" rows="12" { (json(&s.eligibility)) } }
                div.field { label for="s-chain" { (v.t("Alur persetujuan", "Approval chain")) } textarea.code #s-chain name="chain" rows="6" { (json(&s.chain)) } }
                div.field { label for="s-requires" { (v.t("Data dan dokumen yang wajib ada", "Record data and documents required")) } textarea.code #s-requires name="requires" rows="4" { (json(&s.requires)) } }
                div.field { label for="s-output" { (v.t("Surat keluaran", "Output letter")) } input #s-output name="output_document" value=(json(&s.output_document).trim_matches('"')); }
                div.field { label for="s-due" { (v.t("Tanggal jatuh tempo (pemberitahuan kepada pegawai)", "Due dates (employees are told ahead)")) } textarea.code #s-due name="due" rows="4" { @if !s.due.is_empty() { (json(&s.due)) } } }
                div.field { label for="s-letter" { (v.t("Isi surat (judul, menimbang, mengingat, diktum; kosong untuk isi baku)", "Letter words (title, considerations, basis, decisions; empty for the standard words)")) } textarea.code #s-letter name="letter" rows="8" { @if let Some(l) = &s.letter { (json(l)) } } }
            }
            div.field { label for="s-decree" { (v.t("SK penetapan", "Decree")) } input #s-decree name="decree" value=(s.decree.clone().unwrap_or_default()); }
            div.field { label for="s-note" { (v.t("Dasar perubahan (nomor SK)", "Basis of the change (decree number)")) } input #s-note name="note" required; }
            @if current.is_some() {
                button type="submit" { (v.t("Simpan sebagai revisi baru (konfirmasi passkey)", "Save as a new revision (confirm with passkey)")) }
            } @else {
                button type="submit" { (v.t("Tambahkan layanan (konfirmasi passkey)", "Add the service (confirm with passkey)")) }
            }
            p.error hidden data-error {}
        }
    }
}

/// A value as pretty JSON, for an editor.
fn json(x: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(x).unwrap_or_default()
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct ServiceForm {
    csrf: String,
    /// A new service's code.
    #[serde(default)]
    code: Option<String>,
    /// The revision a change is made against.
    #[serde(default)]
    revision: Option<u32>,
    name_id: String,
    name_en: String,
    sop_version: String,
    /// `draft`, `active` or `inactive`.
    state: String,
    sop_id: String,
    sop_en: String,
    /// The form schema, as JSON.
    form: String,
    /// The conditions, as JSON (empty for none).
    #[serde(default)]
    eligibility: Option<String>,
    /// The approval chain, as JSON.
    chain: String,
    /// What the record and the archive must hold, as JSON (`{}` for nothing).
    #[serde(default)]
    requires: Option<String>,
    output_document: String,
    /// The letter's words, as JSON (empty for the standard words).
    #[serde(default)]
    letter: Option<String>,
    /// The due dates of a date-driven service, as JSON (empty for none).
    #[serde(default)]
    due: Option<String>,
    #[serde(default)]
    decree: Option<String>,
    note: String,
}

impl ServiceForm {
    fn spec(&self) -> Result<ServiceSpec, ApiError> {
        let optional = |x: &Option<String>| {
            x.as_deref()
                .map(str::trim)
                .filter(|j| !j.is_empty())
                .map(str::to_owned)
        };
        Ok(ServiceSpec {
            name: abdi_proto::Text::new(self.name_id.clone(), self.name_en.clone()),
            form: parsed(("Skema formulir", "The form schema"), &self.form)?,
            chain: parsed(("Alur persetujuan", "The approval chain"), &self.chain)?,
            output_document: parsed(
                ("Surat keluaran", "The output letter"),
                &format!("\"{}\"", self.output_document.trim()),
            )?,
            state: parsed(
                ("Status", "The state"),
                &format!("\"{}\"", self.state.trim()),
            )?,
            sop_version: self.sop_version.clone(),
            sop: abdi_proto::Text::new(self.sop_id.clone(), self.sop_en.clone()),
            decree: optional(&self.decree),
            requires: match optional(&self.requires) {
                None => Default::default(),
                Some(json) => parsed(("Data yang wajib ada", "The required data"), &json)?,
            },
            eligibility: match optional(&self.eligibility) {
                None => Default::default(),
                Some(json) => parsed(("Syarat", "The conditions"), &json)?,
            },
            letter: match optional(&self.letter) {
                None => None,
                Some(json) => Some(parsed(("Isi surat", "The letter's words"), &json)?),
            },
            due: match optional(&self.due) {
                None => Vec::new(),
                Some(json) => parsed(("Tanggal jatuh tempo", "The due dates"), &json)?,
            },
        })
    }
}

fn parsed<T: serde::de::DeserializeOwned>(what: (&str, &str), json: &str) -> Result<T, ApiError> {
    serde_json::from_str(json).map_err(|e| {
        ApiError::with_detail(
            abdi_proto::ErrorCode::InvalidBody,
            format!("{} tidak sesuai: {e}", what.0),
            format!("{} does not fit: {e}", what.1),
        )
    })
}

/// Changes a service by decree, as its next revision (a fresh step-up).
#[utoipa::path(post, path = "/admin/catalogue/{code}", tag = "web",
    params(("code" = String, Path, description = "Service code")),
    request_body(content = ServiceForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn change_service(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(code): Path<String>,
    Form(f): Form<ServiceForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    administrator(&v).await?;
    let spec = f.spec()?;
    let change = abdi_proto::services::ServiceChange {
        revision: f.revision.unwrap_or_default(),
        spec,
        note: f.note,
    };
    state
        .services
        .change_service(&v.caller()?.actor, &code, change)
        .await?;
    see(&format!("/admin/catalogue/{code}"))
}

/// Adds a service defined as data (a fresh step-up).
#[utoipa::path(post, path = "/admin/catalogue", tag = "web",
    request_body(content = ServiceForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn create_service(
    State(state): State<AppState>,
    Signed(v): Signed,
    Form(f): Form<ServiceForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    administrator(&v).await?;
    let new = abdi_proto::services::NewService {
        code: f.code.clone().unwrap_or_default().trim().to_owned(),
        spec: f.spec()?,
        note: f.note.clone(),
    };
    let def = state
        .services
        .create_service(&v.caller()?.actor, new)
        .await?;
    see(&format!("/admin/catalogue/{}", def.code))
}

/// The files of an export, in the order they are imported.
const IMPORT_FILES: [&str; 11] = [
    "units.csv",
    "posts.csv",
    "employees.csv",
    "rank_history.csv",
    "position_history.csv",
    "education_history.csv",
    "training_history.csv",
    "award_history.csv",
    "performance_history.csv",
    "family.csv",
    "discipline_history.csv",
];

/// Upload one file of an export to reconcile (and, when asked, write).
#[utoipa::path(get, path = "/admin/import", tag = "web", responses(PageResponses))]
async fn import_form(Signed(v): Signed) -> PageResult {
    administrator(&v).await?;
    page(shell(&v, v.t("Impor data", "Import"), import_upload(&v)))
}

fn import_upload(v: &Visitor) -> Markup {
    html! {
        form.card method="post" action="/admin/import" enctype="multipart/form-data" data-step-up-unless="dry_run" {
            (csrf_field(v))
            div.field {
                label for="i-file" { (v.t("Berkas ekspor", "Export file")) }
                select #i-file name="file" { @for f in IMPORT_FILES { option value=(f) { (f) } } }
            }
            div.field { label for="i-csv" { "CSV" } input #i-csv type="file" name="csv" accept=".csv,text/csv" required; }
            label.choice { input type="checkbox" name="dry_run" value="true" checked; " " (v.t("Hanya periksa (tidak menulis)", "Check only (write nothing)")) }
            button type="submit" { (v.t("Impor", "Import")) }
            p.error hidden data-error {}
        }
    }
}

/// Reconciles the uploaded file, and writes it unless it is a dry run (with a step-up).
#[utoipa::path(post, path = "/admin/import", tag = "web",
    request_body(content = Object, content_type = "multipart/form-data",
        description = "`csrf`, `file` (which file of the export), `csv` (the file), `dry_run`"),
    responses(PageResponses))]
async fn import(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    mut multipart: Multipart,
) -> PageResult {
    let (mut csrf, mut file, mut csv, mut dry_run) =
        (String::new(), String::new(), Vec::new(), false);
    while let Some(part) = multipart.next_field().await.map_err(unreadable)? {
        match part.name().unwrap_or("") {
            "csrf" => csrf = part.text().await.map_err(unreadable)?,
            "file" => file = part.text().await.map_err(unreadable)?,
            "dry_run" => dry_run = part.text().await.map_err(unreadable)? == "true",
            "csv" => {
                v.check_form(&csrf)?;
                csv = part.bytes().await.map_err(unreadable)?.to_vec();
            }
            _ => {}
        }
    }
    v.check_form(&csrf)?;
    let Some(name) = IMPORT_FILES.iter().find(|f| **f == file) else {
        return Err(ApiError::new(abdi_proto::ErrorCode::InvalidBody).into());
    };
    let export = crate::import::Export::single(name, csv);
    let report = state
        .agency
        .import(&v.caller()?.actor, &client, &export, dry_run)
        .await?;
    page(shell(
        &v,
        v.t("Laporan rekonsiliasi", "Reconciliation report"),
        html! {
            (notice(if report.applied { "ok" } else { "info" }, html! {
                p { @if report.applied { (v.t("Data ditulis.", "Written.")) } @else { (v.t("Hanya diperiksa; tidak ada yang ditulis.", "Checked only; nothing was written.")) } }
            }))
            table #import-counts {
                thead { tr { th { (v.t("Berkas", "File")) } th { (v.t("Baris", "Rows")) } th { (v.t("Baru", "New")) } th { (v.t("Berubah", "Changed")) } th { (v.t("Sama", "Unchanged")) } th { (v.t("Ditolak", "Refused")) } } }
                tbody { @for f in &report.files { tr { td { (f.file) } td { (f.rows) } td { (f.new) } td { (f.changed) } td { (f.unchanged) } td { (f.refused) } } } }
            }
            @if !report.refused.is_empty() {
                h2 { (v.t("Baris ditolak", "Refused rows")) }
                ul { @for r in &report.refused { li { (r.file) ":" (r.line) " " code { (r.code) } " " (r.message) } } }
            }
            @if !report.changes.is_empty() {
                h2 { (v.t("Perubahan", "Changes")) }
                ul { @for c in report.changes.iter().take(500) { li { (c.key) " " (c.field) ": '" (c.from) "' → '" (c.to) "'" } } }
            }
            @if !report.warnings.is_empty() {
                h2 { (v.t("Peringatan", "Warnings")) }
                ul { @for w in &report.warnings { li { (w.file) ":" (w.line) " " code { (w.code) } " " (w.message) } } }
            }
            (import_upload(&v))
        },
    ))
}

/// The authentication audit log, newest first.
#[utoipa::path(get, path = "/admin/audit", tag = "web", responses(PageResponses))]
async fn audit(State(state): State<AppState>, Signed(v): Signed) -> PageResult {
    let log = state
        .agency
        .auth_events(&v.caller()?.actor, None, 200)
        .await?;
    page(shell(
        &v,
        v.t("Log audit", "Audit log"),
        html! {
            table {
                thead { tr { th { (v.t("Waktu", "Time")) } th { (v.t("Peristiwa", "Event")) } th { (v.t("Hasil", "Outcome")) } th { "IP" } th { (v.t("Keterangan", "Detail")) } } }
                tbody {
                    @for e in &log.events {
                        tr { td { (when(e.at)) } td { (e.event) } td { (e.outcome) } td { (e.ip.as_deref().unwrap_or("")) } td { (e.detail.as_deref().or(e.subject.as_deref()).unwrap_or("")) } }
                    }
                }
            }
        },
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct FindEmployee {
    /// The employee's NIP.
    nip: Option<String>,
}

/// An employee found by NIP, with the forms to disable the account or transfer them.
#[utoipa::path(
    get,
    path = "/admin/employees",
    tag = "web",
    params(FindEmployee),
    responses(PageResponses)
)]
async fn employee(
    State(state): State<AppState>,
    Signed(v): Signed,
    axum::extract::Query(q): axum::extract::Query<FindEmployee>,
) -> PageResult {
    administrator(&v).await?;
    let actor = &v.caller()?.actor;
    let nip = q.nip.as_deref().map(str::trim).unwrap_or("");
    let found = if nip.is_empty() {
        None
    } else {
        let found = state.identity.directory.by_nip(nip).await;
        match found.map_err(crate::identity::IdentityError::from)? {
            Some(e) => Some((e.id, state.agency.profile(actor, e.id).await?)),
            None => return Err(ApiError::new(abdi_proto::ErrorCode::EmployeeNotFound).into()),
        }
    };
    page(shell(
        &v,
        v.t("Pegawai", "Employees"),
        html! {
            form.card method="get" action="/admin/employees" {
                div.field { label for="find-nip" { "NIP" } input #find-nip name="nip" inputmode="numeric" value=(nip); }
                button type="submit" { (v.t("Cari", "Find")) }
            }
            @if let Some((id, p)) = &found {
                section.card #employee {
                    h2 { (p.full_name) }
                    dl.facts {
                        dt { "NIP" } dd { (p.nip) }
                        dt { (v.t("Unit kerja", "Unit")) } dd { (p.unit) }
                        dt { (v.t("Jabatan", "Post")) } dd { (p.position.as_deref().unwrap_or("-")) }
                        dt { (v.t("Pangkat", "Rank")) } dd { (p.rank.as_deref().unwrap_or("-")) }
                    }
                }
                form.card #transfer method="post" action={ "/admin/employees/" (id) "/transfer" } data-step-up {
                    h2 { (v.t("Pindahkan (mutasi)", "Transfer")) }
                    (csrf_field(&v))
                    div.field { label for="t-unit" { (v.t("Kode unit tujuan", "Destination unit code")) } input #t-unit name="unit_code" required; }
                    div.field { label for="t-post" { (v.t("Kode jabatan tujuan (opsional)", "Destination post code (optional)")) } input #t-post name="position_code"; }
                    label.choice { input type="checkbox" name="replaces_holder" value="true"; " " (v.t("Menggantikan pemangku jabatan itu", "Replaces the post's holder")) }
                    div.field { label for="t-number" { (v.t("Nomor SK", "Decree number")) } input #t-number name="decree_number" required; }
                    div.field { label for="t-tmt" { "TMT" } input #t-tmt type="date" name="tmt" required; }
                    button type="submit" { (v.t("Pindahkan (konfirmasi passkey)", "Transfer (confirm with passkey)")) }
                    p.error hidden data-error {}
                }
                form.card #disable method="post" action={ "/admin/employees/" (id) "/disable" } data-step-up {
                    h2 { (v.t("Nonaktifkan akun", "Disable the account")) }
                    p { (v.t("Semua sesi dan perangkat berakhir seketika.", "Every session and device ends at once.")) }
                    (csrf_field(&v))
                    button.secondary type="submit" { (v.t("Nonaktifkan (konfirmasi passkey)", "Disable (confirm with passkey)")) }
                    p.error hidden data-error {}
                }
            }
        },
    ))
}

/// Disables an account (a fresh step-up).
#[utoipa::path(post, path = "/admin/employees/{id}/disable", tag = "web",
    params(("id" = Uuid, Path, description = "Employee id")),
    request_body(content = super::account::CsrfOnly, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn disable(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Path(id): Path<Uuid>,
    Form(f): Form<super::account::CsrfOnly>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    state
        .agency
        .disable(&v.caller()?.actor, &client, id)
        .await?;
    page(shell(
        &v,
        v.t("Akun dinonaktifkan", "Account disabled"),
        notice(
            "ok",
            html! { p { (v.t("Semua sesi pegawai ini telah berakhir.", "Every session of this employee has ended.")) } },
        ),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct TransferForm {
    csrf: String,
    unit_code: String,
    position_code: Option<String>,
    replaces_holder: Option<String>,
    decree_number: String,
    /// `YYYY-MM-DD`.
    tmt: String,
}

/// Transfers an employee by decree (a fresh step-up).
#[utoipa::path(post, path = "/admin/employees/{id}/transfer", tag = "web",
    params(("id" = Uuid, Path, description = "Employee id")),
    request_body(content = TransferForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn transfer(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Path(id): Path<Uuid>,
    Form(f): Form<TransferForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let req = abdi_proto::identity::TransferRequest {
        unit_code: f.unit_code.trim().to_owned(),
        position_code: f
            .position_code
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty()),
        replaces_holder: f.replaces_holder.as_deref() == Some("true"),
        decree_number: f.decree_number,
        tmt: date("tmt", Some(&f.tmt))?.unwrap_or_default(),
    };
    state
        .agency
        .transfer(&v.caller()?.actor, &client, id, &req)
        .await?;
    page(shell(
        &v,
        v.t("Pegawai dipindahkan", "Employee transferred"),
        notice(
            "ok",
            html! { p { (v.t("Mutasi dicatat dalam riwayat jabatan.", "The transfer is in the position history.")) } },
        ),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct UnitQuery {
    /// A unit's code: its letters and those of the units below it.
    unit: Option<String>,
}

/// Plt/Plh letters of a unit, the form for a new one, and early ends.
#[utoipa::path(
    get,
    path = "/admin/acting",
    tag = "web",
    params(UnitQuery),
    responses(PageResponses)
)]
async fn acting(
    State(state): State<AppState>,
    Signed(v): Signed,
    axum::extract::Query(q): axum::extract::Query<UnitQuery>,
) -> PageResult {
    administrator(&v).await?;
    let unit = q.unit.as_deref().map(str::trim).filter(|u| !u.is_empty());
    let letters = match unit {
        Some(u) => state.agency.acting_in_unit(&v.caller()?.actor, u).await?,
        None => Vec::new(),
    };
    let today = state.clock.today();
    page(shell(
        &v,
        v.t("Plt/Plh", "Acting officials"),
        html! {
            form.card method="get" action="/admin/acting" {
                div.field { label for="a-unit" { (v.t("Kode unit", "Unit code")) } input #a-unit name="unit" value=(unit.unwrap_or("")); }
                button type="submit" { (v.t("Tampilkan", "Show")) }
            }
            @if unit.is_some() {
                table #acting {
                    thead { tr { th { (v.t("Pejabat", "Official")) } th { (v.t("Jabatan", "Post")) } th { (v.t("Surat", "Letter")) } th { (v.t("Masa", "Window")) } th { (v.t("Status", "Standing")) } th {} } }
                    tbody {
                        @for l in &letters {
                            tr {
                                td { (l.employee.name) br; small { (l.employee.nip) } }
                                td { (l.position_title) br; small { code { (l.position_code) } } }
                                td { (format!("{:?}", l.kind)) " " (l.number) }
                                td { (day(l.starts_on)) " – " (day(l.ends_on)) }
                                td { (standing(&v, l.standing)) }
                                td {
                                    @if matches!(l.standing, Standing::Active | Standing::Scheduled) {
                                        form method="post" action={ "/admin/acting/" (l.id) "/end" } data-step-up {
                                            (csrf_field(&v))
                                            input type="hidden" name="version" value=(l.version);
                                            input type="hidden" name="last_day" value=(day(today));
                                            label.sr for={ "end-" (l.id) } { (v.t("Alasan", "Reason")) }
                                            input id={ "end-" (l.id) } name="reason" required placeholder=(v.t("Alasan", "Reason"));
                                            button.secondary type="submit" { (v.t("Akhiri hari ini", "End today")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            form.card #new-acting method="post" action="/admin/acting" data-step-up {
                h2 { (v.t("Catat surat Plt/Plh", "Record a Plt/Plh letter")) }
                (csrf_field(&v))
                div.field { label for="n-nip" { (v.t("NIP pejabat", "Official's NIP")) } input #n-nip name="nip" required; }
                div.field { label for="n-post" { (v.t("Kode jabatan", "Post code")) } input #n-post name="position_code" required; }
                div.field {
                    label for="n-kind" { (v.t("Jenis", "Kind")) }
                    select #n-kind name="kind" { option value="plt" { "Plt" } option value="plh" { "Plh" } }
                }
                div.field { label for="n-number" { (v.t("Nomor surat", "Letter number")) } input #n-number name="number" required; }
                div.field { label for="n-date" { (v.t("Tanggal surat", "Letter date")) } input #n-date type="date" name="letter_date" required; }
                div.field { label for="n-from" { (v.t("Mulai", "From")) } input #n-from type="date" name="starts_on" required; }
                div.field { label for="n-to" { (v.t("Sampai dengan", "Until")) } input #n-to type="date" name="ends_on" required; }
                button type="submit" { (v.t("Catat (konfirmasi passkey)", "Record (confirm with passkey)")) }
                p.error hidden data-error {}
            }
        },
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct ActingForm {
    csrf: String,
    nip: String,
    position_code: String,
    kind: abdi_proto::agency::ActingKind,
    number: String,
    letter_date: String,
    starts_on: String,
    ends_on: String,
}

/// Records a Plt/Plh letter (a fresh step-up).
#[utoipa::path(post, path = "/admin/acting", tag = "web",
    request_body(content = ActingForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn record_acting(
    State(state): State<AppState>,
    Signed(v): Signed,
    Form(f): Form<ActingForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let letter = abdi_proto::agency::NewActingLetter {
        nip: f.nip.trim().to_owned(),
        position_code: f.position_code.trim().to_owned(),
        kind: f.kind,
        number: f.number,
        letter_date: date("letter_date", Some(&f.letter_date))?.unwrap_or_default(),
        starts_on: date("starts_on", Some(&f.starts_on))?.unwrap_or_default(),
        ends_on: date("ends_on", Some(&f.ends_on))?.unwrap_or_default(),
    };
    let l = state
        .agency
        .record_acting(&v.caller()?.actor, &letter)
        .await?;
    see(&format!("/admin/acting?unit={}", l.unit_code))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct EndForm {
    csrf: String,
    version: u32,
    /// `YYYY-MM-DD`: the last day they act.
    last_day: String,
    reason: String,
}

/// Ends a letter early (a fresh step-up).
#[utoipa::path(post, path = "/admin/acting/{id}/end", tag = "web",
    params(("id" = Uuid, Path, description = "Letter id")),
    request_body(content = EndForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn end_acting(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(id): Path<Uuid>,
    Form(f): Form<EndForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let end = abdi_proto::agency::ActingEnd {
        version: f.version,
        last_day: date("last_day", Some(&f.last_day))?.unwrap_or_default(),
        reason: f.reason,
    };
    let l = state
        .agency
        .end_acting(&v.caller()?.actor, id, &end)
        .await?;
    see(&format!("/admin/acting?unit={}", l.unit_code))
}
