//! The employee's self-service: my requests with their timeline, a new request from any
//! service's form, my leave balance, my letters with their verification, my notifications.

use abdi_proto::forms::{FieldKind, FormValues};
use abdi_proto::services::{NewRequest, RequestStatus, RequestView, StepKind, StepStatus};
use abdi_proto::updates::Section;
use axum::Form;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::Datelike;
use maud::{Markup, html};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::form::{self, Problems, inputs, read};
use super::layout::{csrf_field, day, outcome_text, shell, status, text, when};
use super::{PageResponses, PageResult, Signed, Visitor, page, see};
use crate::error::ApiError;
use crate::http::extract::Path;
use crate::services::idempotency::Submitted;
use crate::state::AppState;
use crate::store::page::Page;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(home))
        .routes(routes!(services))
        .routes(routes!(new_request, send_request))
        .routes(routes!(request))
        .routes(routes!(edit_form, resend))
        .routes(routes!(cancel))
        .routes(routes!(balance))
        .routes(routes!(record))
        .routes(routes!(letters))
        .routes(routes!(letter))
        .routes(routes!(notifications, read_all))
}

/// My requests, newest first.
#[utoipa::path(get, path = "/", tag = "web", responses(PageResponses))]
async fn home(State(state): State<AppState>, Signed(v): Signed) -> PageResult {
    let actor = &v.caller()?.actor;
    let mine = state
        .services
        .mine(
            actor,
            None,
            Page {
                after: None,
                limit: 50,
            },
        )
        .await?;
    page(shell(
        &v,
        v.t("Permohonan saya", "My requests"),
        html! {
            p { a.button href="/services" { (v.t("Ajukan permohonan baru", "Make a new request")) } }
            @if mine.items.is_empty() {
                p { (v.t("Belum ada permohonan.", "No requests yet.")) }
            } @else {
                ul.cards {
                    @for r in &mine.items {
                        li {
                            a href={ "/requests/" (r.id) } {
                                strong { (text(&v, &r.summary)) }
                            }
                            div { (status(&v, r.status, r.outcome)) " · " (when(r.updated_at)) }
                        }
                    }
                }
            }
        },
    ))
}

/// The services an employee can ask for.
#[utoipa::path(get, path = "/services", tag = "web", responses(PageResponses))]
async fn services(State(state): State<AppState>, Signed(v): Signed) -> PageResult {
    let list = state.services.catalogue(None).await?;
    page(shell(
        &v,
        v.t("Layanan", "Services"),
        html! {
            ul.cards {
                @for s in list.iter().filter(|s| s.active) {
                    li { a href={ "/services/" (s.code) "/new" } { strong { (text(&v, &s.name)) } } div.hint { "SOP " (s.sop_version) } }
                }
            }
        },
    ))
}

/// A new request, its form rendered from the service's schema.
#[utoipa::path(get, path = "/services/{code}/new", tag = "web",
    params(("code" = String, Path, description = "Service code")),
    responses(PageResponses))]
async fn new_request(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(code): Path<String>,
) -> PageResult {
    let actor = &v.caller()?.actor;
    let service = state.services.service(&code).await?;
    // The documents the archive holds are offered, not asked for again.
    let archive = state.updates.archive(actor, actor.employee_id).await?;
    let values = abdi_proto::updates::offer(&service.spec.form, &archive);
    page(request_form(&v, &service, &values, None, Target::New))
}

/// Where a request's form goes: a new request (sent once, by its idempotency key), or the
/// changes to a returned one (at the version seen).
#[derive(Clone, Copy)]
enum Target {
    New,
    Edit { id: Uuid, version: u32 },
}

fn request_form(
    v: &Visitor,
    service: &abdi_proto::services::ServiceDefinition,
    values: &FormValues,
    error: Option<&ApiError>,
    target: Target,
) -> Markup {
    let problems = Problems::of(v, &service.spec.form, error);
    let key = Uuid::new_v4();
    shell(
        v,
        text(v, &service.spec.name),
        html! {
            details.sop { summary { (v.t("Persyaratan dan SOP", "Requirements and SOP")) } p { (text(v, &service.spec.sop)) } }
            (problems.notice(v, error))
            @let action = match target {
                Target::New => format!("/services/{}/new", service.code),
                Target::Edit { id, .. } => format!("/requests/{id}/edit"),
            };
            form.card method="post" action=(action) enctype="multipart/form-data" novalidate {
                (csrf_field(v))
                @match target {
                    Target::New => input type="hidden" name="idempotency_key" value=(key);,
                    Target::Edit { version, .. } => input type="hidden" name="version" value=(version);,
                }
                (inputs(v, &service.spec.form, values, &problems.by_field))
                button type="submit" { (v.t("Kirim permohonan", "Send the request")) }
            }
        },
    )
}

/// Sends the request: the files first (as the employee's attachments), then the form, once
/// (an idempotency key per rendered form); errors come back beside their fields.
#[utoipa::path(post, path = "/services/{code}/new", tag = "web",
    params(("code" = String, Path, description = "Service code")),
    request_body(content = Object, content_type = "multipart/form-data",
        description = "The form's inputs (`csrf`, `idempotency_key`, and the fields by name)"),
    responses(PageResponses))]
async fn send_request(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(code): Path<String>,
    mut multipart: Multipart,
) -> PageResult {
    let caller = v.caller()?;
    let service = state.services.service(&code).await?;
    let sent = read(&state, &v, &service.spec.form, &mut multipart).await?;
    let values = sent.values(&service.spec.form);
    let new = NewRequest {
        service: code.clone(),
        form: values.clone(),
        submit: true,
    };
    let key = sent.text.get("idempotency_key").map(String::as_str);
    match state
        .services
        .create_once(caller.actor.employee_id, &new, key)
        .await
    {
        Ok(Submitted::Created(view)) => see(&format!("/requests/{}", view.id)),
        Ok(Submitted::Replayed { body, .. }) => {
            let id = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|b| b["id"].as_str().map(str::to_owned))
                .unwrap_or_default();
            see(&format!("/requests/{id}"))
        }
        Err(e) => {
            let e = ApiError::from(e);
            let status =
                StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            Ok((
                status,
                request_form(&v, &service, &values, Some(&e), Target::New),
            )
                .into_response())
        }
    }
}

/// The form again with what is wrong beside each field (a form or rule error); any other
/// refusal is its own page.
fn again(
    v: &Visitor,
    service: &abdi_proto::services::ServiceDefinition,
    values: &FormValues,
    e: ApiError,
    target: Target,
) -> PageResult {
    use abdi_proto::ErrorCode::{FormInvalid, RuleViolation};
    form::again(e, &[FormInvalid, RuleViolation], |e| {
        request_form(v, service, values, Some(e), target)
    })
}

/// A returned request (or a draft), to correct and send again.
#[utoipa::path(get, path = "/requests/{id}/edit", tag = "web",
    params(("id" = Uuid, Path, description = "Request id")),
    responses(PageResponses))]
async fn edit_form(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(id): Path<Uuid>,
) -> PageResult {
    let actor = &v.caller()?.actor;
    let r = state.services.request(actor, id).await?;
    if r.employee.id != actor.employee_id {
        return Err(ApiError::new(abdi_proto::ErrorCode::Forbidden).into());
    }
    let service = state.services.service(&r.service).await?;
    let target = Target::Edit {
        id,
        version: r.version,
    };
    page(request_form(&v, &service, &r.form, None, target))
}

/// Saves the corrections and sends the request again.
#[utoipa::path(post, path = "/requests/{id}/edit", tag = "web",
    params(("id" = Uuid, Path, description = "Request id")),
    request_body(content = Object, content_type = "multipart/form-data",
        description = "The form's inputs (`csrf`, `version`, and the fields by name)"),
    responses(PageResponses))]
async fn resend(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(id): Path<Uuid>,
    mut multipart: Multipart,
) -> PageResult {
    let me = v.caller()?.actor.employee_id;
    let r = state.services.request(&v.caller()?.actor, id).await?;
    let service = state.services.service(&r.service).await?;
    let sent = read(&state, &v, &service.spec.form, &mut multipart).await?;
    let values = sent.values(&service.spec.form);
    let version = sent
        .text
        .get("version")
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(r.version);
    let result = async {
        let edited = state.services.edit(me, id, version, &values).await?;
        state.services.submit(me, id, edited.version).await
    }
    .await;
    match result {
        Ok(_) => see(&format!("/requests/{id}")),
        Err(e) => again(
            &v,
            &service,
            &values,
            e.into(),
            Target::Edit { id, version },
        ),
    }
}

/// A request with its chain and timeline; the owner may cancel it, the fasilitator verify it
/// and the decider decide it, each from here.
#[utoipa::path(get, path = "/requests/{id}", tag = "web",
    params(("id" = Uuid, Path, description = "Request id")),
    responses(PageResponses))]
async fn request(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(id): Path<Uuid>,
) -> PageResult {
    let actor = &v.caller()?.actor;
    let r = state.services.request(actor, id).await?;
    let service = state.services.service(&r.service).await?;
    let letters = state.documents.of_request(actor, id).await?;
    let own = r.employee.id == actor.employee_id;
    let active = r.steps.iter().find(|s| s.status == StepStatus::Active);
    let files: Vec<(String, &serde_json::Value)> = service
        .spec
        .form
        .fields
        .iter()
        .filter(|f| matches!(f.kind, FieldKind::Attachment { .. }))
        .flat_map(|f| {
            let label = text(&v, &f.label).to_owned();
            r.form
                .get(&f.name)
                .and_then(|x| x.as_array())
                .into_iter()
                .flatten()
                .map(move |file| (label.clone(), file))
        })
        .collect();
    page(shell(
        &v,
        text(&v, &r.service_name),
        html! {
            section.card data-live-request=(r.id) data-version=(r.version) {
                p #request-status { (status(&v, r.status, r.outcome)) }
                dl.facts {
                    dt { (v.t("Pegawai", "Employee")) } dd { (r.employee.name) " · " (r.employee.nip) }
                    @if let Some(t) = r.submitted_at { dt { (v.t("Dikirim", "Sent")) } dd { (when(t)) } }
                    @for (name, value) in &r.form {
                        @if !value.is_array() {
                            dt { (label_of(&v, &service, name)) } dd { (show(value)) }
                        }
                    }
                }
                (assessment(&v, &r))
            }
            @if !files.is_empty() {
                section.card {
                    h2 { (v.t("Dokumen persyaratan", "Supporting documents")) }
                    @for (label, f) in &files {
                        @let fid = f["id"].as_str().unwrap_or("");
                        @let kind = f["content_type"].as_str().unwrap_or("");
                        figure.attachment {
                            figcaption { (label) ": " a href={ "/api/v1/attachments/" (fid) } { (f["name"].as_str().unwrap_or("")) } }
                            @if kind.starts_with("image/") {
                                img src={ "/api/v1/attachments/" (fid) "?inline=true" } alt=(f["name"].as_str().unwrap_or(""));
                            } @else if kind == "application/pdf" && !own {
                                iframe src={ "/api/v1/attachments/" (fid) "?inline=true" } title=(f["name"].as_str().unwrap_or("")) loading="lazy" {}
                            }
                        }
                    }
                }
            }
            @if !letters.is_empty() {
                section.card {
                    h2 { (v.t("Surat", "Letters")) }
                    ul.plain { @for d in &letters { li { a href={ "/letters/" (d.id) } { (text(&v, &d.title)) " " (d.number) } } } }
                }
            }
            @if !own && let Some(step) = active {
                (super::desk::actions(&v, &r, step.kind))
            }
            @if own && matches!(r.status, RequestStatus::Returned | RequestStatus::Draft) {
                p { a.button href={ "/requests/" (r.id) "/edit" } { (v.t("Perbaiki dan kirim", "Correct and send")) } }
            }
            @if own && r.status.is_open() {
                form.inline method="post" action={ "/requests/" (r.id) "/cancel" } {
                    (csrf_field(&v))
                    input type="hidden" name="version" value=(r.version);
                    button.secondary type="submit" { (v.t("Batalkan permohonan", "Cancel the request")) }
                }
            }
            section.card {
                h2 { (v.t("Alur persetujuan", "Approval chain")) }
                ol.steps {
                    @for s in &r.steps {
                        li data-step=(s.status.code()) {
                            (step_name(&v, s.kind, s.by)) " · " (step_state(&v, s.status))
                            @if let Some(a) = &s.actor { " · " (a.name) }
                            @if let Some(o) = s.outcome.as_deref().and_then(abdi_proto::services::Outcome::from_code) { " · " (v.t(outcome_text(o).0, outcome_text(o).1)) }
                            @if let Some(n) = &s.note { div.hint { (n) } }
                        }
                    }
                }
                h2 { (v.t("Riwayat", "Timeline")) }
                ol.timeline {
                    @for e in &r.timeline {
                        li {
                            time { (when(e.at)) } " " (action_name(&v, &e.action))
                            @if let Some(a) = &e.actor { " · " (a.name) }
                            @if let Some(n) = &e.note { div.hint { (n) } }
                        }
                    }
                }
            }
        },
    ))
}

fn label_of<'a>(
    v: &Visitor,
    service: &'a abdi_proto::services::ServiceDefinition,
    name: &'a str,
) -> &'a str {
    service
        .spec
        .form
        .fields
        .iter()
        .find(|f| f.name == name)
        .map_or(name, |f| f.label.get(v.lang))
}

fn show(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(o) if o.contains_key("start") => format!(
            "{} – {}",
            o["start"].as_str().unwrap_or(""),
            o.get("end").and_then(|e| e.as_str()).unwrap_or("")
        ),
        serde_json::Value::Object(o) => o
            .values()
            .filter_map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

fn assessment(v: &Visitor, r: &RequestView) -> Markup {
    let a = &r.assessment;
    html! {
        @if let Some(days) = a.get("working_days").and_then(|d| d.as_u64()) {
            p { strong { (days) " " (v.t("hari kerja", "working days")) } }
        }
    }
}

fn step_name(v: &Visitor, kind: StepKind, by: abdi_proto::services::Approver) -> &'static str {
    use abdi_proto::services::Approver::*;
    match (kind, by) {
        (StepKind::Verification, _) => v.t("Verifikasi fasilitator", "Fasilitator's verification"),
        (_, AtasanLangsung) => v.t(
            "Pertimbangan atasan langsung",
            "Direct superior's recommendation",
        ),
        (_, Pybmc) => v.t(
            "Keputusan pejabat yang berwenang",
            "Authorised official's decision",
        ),
        (_, Ppk) => v.t("Keputusan PPK", "PPK's decision"),
        (_, Bkn) => v.t("Pertimbangan BKN", "BKN's consideration"),
        (_, Fasilitator) => v.t("Fasilitator", "Fasilitator"),
    }
}

fn step_state(v: &Visitor, s: StepStatus) -> &'static str {
    match s {
        StepStatus::Waiting => v.t("menunggu giliran", "waiting its turn"),
        StepStatus::Active => v.t("sedang diproses", "in progress"),
        StepStatus::Done => v.t("selesai", "done"),
        StepStatus::Skipped => v.t("dilewati", "skipped"),
    }
}

fn action_name<'a>(v: &Visitor, action: &'a str) -> &'a str {
    match action {
        "created" => v.t("dibuat", "created"),
        "submitted" => v.t("dikirim", "sent"),
        "verified" => v.t("diverifikasi", "verified"),
        "returned" => v.t("dikembalikan", "returned"),
        "resubmitted" => v.t("dikirim ulang", "sent again"),
        "recommended" => v.t("dipertimbangkan", "recommended"),
        "decided" => v.t("diputuskan", "decided"),
        "approved" => v.t("disetujui", "approved"),
        "cancelled" => v.t("dibatalkan", "cancelled"),
        "edited" => v.t("diubah", "edited"),
        other => other,
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(super) struct Versioned {
    csrf: String,
    version: u32,
}

/// The owner cancels an open request.
#[utoipa::path(post, path = "/requests/{id}/cancel", tag = "web",
    params(("id" = Uuid, Path, description = "Request id")),
    request_body(content = Versioned, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn cancel(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(id): Path<Uuid>,
    Form(f): Form<Versioned>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let me = v.caller()?.actor.employee_id;
    state.services.cancel(me, id, f.version, None).await?;
    see(&format!("/requests/{id}"))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct Year {
    /// The year (this year by default).
    #[param(minimum = 1900, maximum = 2200)]
    year: Option<i32>,
}

/// My annual leave, as the official form's table shows it (N-2, N-1, N).
#[utoipa::path(
    get,
    path = "/leave-balance",
    tag = "web",
    params(Year),
    responses(PageResponses)
)]
async fn balance(
    State(state): State<AppState>,
    Signed(v): Signed,
    Query(q): Query<Year>,
) -> PageResult {
    let year = q
        .year
        .filter(|y| (1900..=2200).contains(y))
        .unwrap_or_else(|| state.clock.today().year());
    let me = v.caller()?.actor.employee_id;
    let b = crate::leave::balance_of(&state.db, me, year).await?;
    page(shell(
        &v,
        &format!("{} {year}", v.t("Cuti tahunan", "Annual leave")),
        html! {
            section.card {
                table {
                    thead { tr { th { (v.t("Tahun", "Year")) } th { (v.t("Sisa", "Remaining")) } th { (v.t("Keterangan", "Note")) } } }
                    tbody {
                        @for row in &b.rows {
                            tr { td { "N" @if row.year < year { "-" (year - row.year) } " (" (row.year) ")" } td { (row.remaining) } td { (text(&v, &row.note)) } }
                        }
                    }
                }
                dl.facts {
                    dt { (v.t("Tersedia", "Available")) } dd { (b.available) " " (v.t("hari kerja", "working days")) }
                    dt { (v.t("Sedang diajukan", "Being decided")) } dd { (b.pending) }
                    dt { (v.t("Sudah diambil", "Taken")) } dd { (b.used) }
                }
            }
            p { a href={ "/leave-balance?year=" (year - 1) } { "← " (year - 1) } " · " a href={ "/leave-balance?year=" (year + 1) } { (year + 1) " →" } }
        },
    ))
}

/// My letters: the letters of my decided requests.
#[utoipa::path(get, path = "/letters", tag = "web", responses(PageResponses))]
async fn letters(State(state): State<AppState>, Signed(v): Signed) -> PageResult {
    let docs = state.documents.mine(&v.caller()?.actor).await?;
    page(shell(
        &v,
        v.t("Surat saya", "My letters"),
        html! {
            @if docs.is_empty() { p { (v.t("Belum ada surat.", "No letters yet.")) } }
            ul.cards {
                @for d in &docs {
                    li {
                        a href={ "/letters/" (d.id) } { strong { (text(&v, &d.title)) } }
                        div { (d.number) " · " (day(d.issued_on)) }
                    }
                }
            }
        },
    ))
}

/// A letter: what Abdi's verifier finds in the very file, and the file to download.
#[utoipa::path(get, path = "/letters/{id}", tag = "web",
    params(("id" = Uuid, Path, description = "Document id")),
    responses(PageResponses))]
async fn letter(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(id): Path<Uuid>,
) -> PageResult {
    let actor = &v.caller()?.actor;
    let doc = state.documents.get(actor, id).await?;
    let view = state.documents.view_of(&doc);
    let report = match state.documents.pdf(&doc).await {
        Ok(pdf) => Some(state.documents.verify(pdf).await?),
        Err(crate::documents::DocumentError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    page(shell(
        &v,
        text(&v, &view.title),
        html! {
            section.card {
                dl.facts {
                    dt { (v.t("Nomor", "Number")) } dd { (view.number) }
                    dt { (v.t("Tanggal", "Date")) } dd { (day(view.issued_on)) }
                    dt { (v.t("Penanda tangan", "Signer")) } dd { (view.signer_name) br; (view.signer_capacity) }
                    @if let Some(t) = view.signed_at { dt { (v.t("Ditandatangani", "Signed")) } dd { (when(t)) } }
                }
                @match &report {
                    Some(r) => {
                        (super::verify::result(&v, r, false))
                        p { a.button href={ "/api/v1/documents/" (view.id) "/pdf" } download { (v.t("Unduh PDF", "Download the PDF")) } }
                    },
                    None => p { (v.t("Surat ini menunggu tanda tangan.", "This letter is waiting for its signature.")) },
                }
                p { a href={ "/requests/" (view.request_id) } { (v.t("Lihat permohonannya", "See its request")) } }
            }
        },
    ))
}

/// My notifications, newest first; new ones arrive live.
#[utoipa::path(get, path = "/notifications", tag = "web", responses(PageResponses))]
async fn notifications(State(state): State<AppState>, Signed(v): Signed) -> PageResult {
    let me = v.caller()?.actor.employee_id;
    let inbox = state
        .notifications
        .inbox(
            me,
            Page {
                after: None,
                limit: 50,
            },
        )
        .await?;
    page(shell(
        &v,
        v.t("Notifikasi", "Notifications"),
        html! {
            @if inbox.unread > 0 {
                form method="post" action="/notifications/read" {
                    (csrf_field(&v))
                    @if let Some(first) = inbox.items.first() { input type="hidden" name="up_to" value=(first.id); }
                    button.secondary type="submit" { (v.t("Tandai semua sudah dibaca", "Mark all as read")) }
                }
            }
            ul.cards #notifications data-live-list {
                @for n in &inbox.items {
                    li .unread[n.read_at.is_none()] {
                        @if let Some(r) = n.request_id { a href={ "/requests/" (r) } { strong { (text(&v, &n.title)) } } }
                        @else { strong { (text(&v, &n.title)) } }
                        div { (text(&v, &n.body)) }
                        div.hint { (when(n.created_at)) }
                    }
                }
            }
        },
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct ReadUpTo {
    csrf: String,
    up_to: Option<i64>,
}

/// Marks every notification up to the newest shown as read.
#[utoipa::path(post, path = "/notifications/read", tag = "web",
    request_body(content = ReadUpTo, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn read_all(
    State(state): State<AppState>,
    Signed(v): Signed,
    Form(f): Form<ReadUpTo>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let me = v.caller()?.actor.employee_id;
    if f.up_to.is_some() {
        state
            .notifications
            .mark_read(
                me,
                &abdi_proto::notifications::MarkRead {
                    ids: Vec::new(),
                    up_to: f.up_to,
                },
            )
            .await?;
    }
    see("/notifications")
}

/// A table of a record's history: headers, then one row of texts per entry.
fn history(
    v: &Visitor,
    title: (&str, &str),
    headers: &[(&str, &str)],
    rows: Vec<Vec<String>>,
    edit: Option<(Section, Vec<i64>)>,
) -> Markup {
    let link = |section: Section, change: &str, entry: Option<i64>| {
        format!(
            "/record/updates/new?section={}&change={change}{}",
            section.code(),
            entry.map(|e| format!("&entry={e}")).unwrap_or_default()
        )
    };
    html! {
        section.card {
            h2 { (v.t(title.0, title.1)) }
            @if rows.is_empty() {
                p.hint { (v.t("Belum ada data.", "Nothing recorded yet.")) }
            } @else {
                table {
                    thead { tr {
                        @for (id, en) in headers { th { (v.t(id, en)) } }
                        @if edit.is_some() { th { span.sr-only { (v.t("Usulan", "Proposals")) } } }
                    } }
                    tbody { @for (n, row) in rows.iter().enumerate() { tr {
                        @for cell in row { td { (cell) } }
                        @if let Some((section, ids)) = &edit {
                            td {
                                a href=(link(*section, "correct", ids.get(n).copied())) { (v.t("Perbaiki", "Correct")) }
                                " · "
                                a href=(link(*section, "remove", ids.get(n).copied())) { (v.t("Hapus", "Remove")) }
                            }
                        }
                    } } }
                }
            }
            @if let Some((section, _)) = &edit {
                p { a href=(link(*section, "add", None)) { (v.t("Usulkan tambahan", "Propose an addition")) } }
            }
        }
    }
}

/// My record as the agency keeps it (the same document the app caches), with the Daftar
/// Riwayat Hidup to download.
#[utoipa::path(get, path = "/record", tag = "web", responses(PageResponses))]
async fn record(State(state): State<AppState>, Signed(v): Signed) -> PageResult {
    let actor = &v.caller()?.actor;
    let r = state.records.record(actor, actor.employee_id).await?;
    let i = &r.identity;
    let opt = |d: Option<chrono::NaiveDate>| d.map(day).unwrap_or_else(|| "-".into());
    page(shell(
        &v,
        v.t("Data kepegawaian saya", "My personnel record"),
        html! {
            p { a.button href="/api/v1/me/record/pdf" download { (v.t("Unduh Daftar Riwayat Hidup (PDF)", "Download the curriculum vitae (PDF)")) } }
            section.card #identity {
                h2 { (i.full_name) }
                dl.facts {
                    dt { "NIP" } dd { (i.nip) }
                    dt { "NIK" } dd { (i.nik) }
                    dt { (v.t("Tempat, tanggal lahir", "Born")) } dd { (i.birth_place) ", " (day(i.birth_date)) }
                    dt { (v.t("Status", "Employment")) } dd { (i.employment_type) }
                    dt { (v.t("Pangkat/golongan", "Rank")) } dd { (i.rank_code.as_deref().unwrap_or("-")) " (TMT " (opt(i.rank_tmt)) ")" }
                    dt { "TMT CPNS / PNS" } dd { (opt(i.tmt_cpns)) " / " (opt(i.tmt_pns)) }
                    dt { (v.t("Unit kerja", "Unit")) } dd { (i.unit_name) }
                    dt { (v.t("Jabatan", "Post")) } dd { (i.position_title.as_deref().unwrap_or("-")) }
                    dt { (v.t("Email dinas", "Official email")) } dd { (i.email.as_deref().unwrap_or("-")) }
                    dt { (v.t("Nomor HP", "Mobile")) } dd { (i.phone.as_deref().unwrap_or("-")) }
                }
                p { a href="/record/updates/new?section=identity&change=correct" { (v.t("Usulkan perbaikan data pribadi", "Propose a correction to your personal data")) } }
            }
            (history(&v, ("Riwayat pangkat", "Ranks"), &[("Golongan", "Rank"), ("TMT", "From"), ("SK", "Decree")],
                r.ranks.iter().map(|e| vec![e.rank_code.clone(), day(e.tmt), format!("{} ({})", e.decree_number, day(e.decree_date))]).collect(), None))
            (history(&v, ("Riwayat jabatan", "Posts"), &[("Jabatan", "Post"), ("Unit", "Unit"), ("TMT", "From"), ("SK", "Decree")],
                r.positions.iter().map(|e| vec![e.position_title.clone(), e.unit_name.clone(), day(e.tmt), e.decree_number.clone()]).collect(), None))
            (history(&v, ("Riwayat pendidikan", "Education"), &[("Jenjang", "Level"), ("Sekolah", "School"), ("Jurusan", "Major"), ("Lulus", "Graduated")],
                r.education.iter().map(|e| vec![e.level.clone(), e.institution.clone(), e.major.clone().unwrap_or_default(), e.graduation_year.to_string()]).collect(), Some((Section::Education, r.education.iter().map(|e| e.id).collect()))))
            (history(&v, ("Diklat", "Training"), &[("Nama", "Name"), ("Penyelenggara", "Organiser"), ("Tanggal", "Dates"), ("Jam", "Hours")],
                r.training.iter().map(|e| vec![e.name.clone(), e.organizer.clone(), format!("{} – {}", day(e.start_date), day(e.end_date)), e.hours.to_string()]).collect(), Some((Section::Training, r.training.iter().map(|e| e.id).collect()))))
            (history(&v, ("Penilaian kinerja", "Performance"), &[("Tahun", "Year"), ("Predikat", "Rating")],
                r.performance.iter().map(|e| vec![e.year.to_string(), e.rating.clone()]).collect(), None))
            (history(&v, ("Penghargaan", "Awards"), &[("Nama", "Name"), ("SK", "Decree"), ("Tahun", "Year")],
                r.awards.iter().map(|e| vec![e.name.clone(), e.decree_number.clone(), e.year.to_string()]).collect(), Some((Section::Award, r.awards.iter().map(|e| e.id).collect()))))
            (history(&v, ("Keluarga", "Family"), &[("Hubungan", "Relation"), ("Nama", "Name"), ("Lahir", "Born")],
                r.family.iter().map(|e| vec![e.relation.clone(), e.name.clone(), day(e.birth_date)]).collect(), Some((Section::Family, r.family.iter().map(|e| e.id).collect()))))
            (history(&v, ("Hukuman disiplin", "Discipline"), &[("Tingkat", "Level"), ("SK", "Decree"), ("Masa", "Period")],
                r.discipline.iter().map(|e| vec![e.level.clone(), e.decree_number.clone(), format!("{} – {}", day(e.starts_on), opt(e.ends_on))]).collect(), None))
            (history(&v, ("Pengalaman organisasi", "Organisation experience"), &[("Organisasi", "Organisation"), ("Kedudukan", "Role"), ("Tahun", "Years")],
                r.organisations.iter().map(|e| vec![e.organisation.clone(), e.role.clone(), format!("{} – {}", e.start_year, e.end_year.map(|y| y.to_string()).unwrap_or_default())]).collect(),
                Some((Section::Organisation, r.organisations.iter().map(|e| e.id).collect()))))
            (history(&v, ("Kompetensi", "Competencies"), &[("Kompetensi", "Competency"), ("Level", "Level"), ("Dinilai", "Assessed"), ("Penilai", "Assessor")],
                r.competencies.iter().map(|e| vec![e.name.clone(), e.level.clone(), day(e.assessed_on), e.assessor.clone()]).collect(),
                Some((Section::Competency, r.competencies.iter().map(|e| e.id).collect()))))
            p.hint { (v.t(
                "Data ini berasal dari data kepegawaian instansi. Jika ada yang keliru atau belum ada, usulkan perubahannya dengan dokumen bukti; fasilitator unit Anda memverifikasinya.",
                "This comes from the agency's personnel records. If anything is wrong or missing, propose the change with its evidence; your unit's facilitator verifies it."
            )) }
        },
    ))
}
