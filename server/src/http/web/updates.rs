//! The data update on the web: my completeness, archive and proposals; a proposal's form for
//! any section of the record; a proposal's page (current and proposed side by side, the
//! evidence, its life) where the employee corrects or withdraws it and the verifier decides it;
//! the verification queue and the monitoring for the desk.

use std::collections::HashMap;

use abdi_proto::ErrorCode;
use abdi_proto::forms::FormValues;
use abdi_proto::updates::{
    Change, Proposal, ProposalDraft, ProposalResubmission, ProposalReview, ProposalStatus,
    ReviewOutcome, Section,
};
use axum::Form;
use axum::extract::{Multipart, Query, State};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::form::{self, Problems, inputs, read};
use super::layout::{csrf_field, day, shell, text, when};
use super::{PageResponses, PageResult, Signed, Visitor, page, see};
use crate::error::ApiError;
use crate::http::extract::Path;
use crate::http::routes::updates::MonitoringQuery;
use crate::state::AppState;
use crate::store::page::Page;
use crate::updates::Proposed;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_updates))
        .routes(routes!(new_proposal, send_proposal))
        .routes(routes!(proposal))
        .routes(routes!(resend_form, resend_proposal))
        .routes(routes!(withdraw_proposal))
        .routes(routes!(review_proposal))
        .routes(routes!(queue))
        .routes(routes!(monitoring))
}

fn first_page() -> Page<Uuid> {
    Page {
        after: None,
        limit: 100,
    }
}

/// My data: how complete it is, what is in my archive, my proposals, and where to propose.
#[utoipa::path(get, path = "/record/updates", tag = "web", responses(PageResponses))]
async fn my_updates(State(state): State<AppState>, Signed(v): Signed) -> PageResult {
    let actor = &v.caller()?.actor;
    let me = actor.employee_id;
    let completeness = state.updates.completeness(actor, me).await?;
    let archive = state.updates.archive(actor, me).await?;
    let mine = state.updates.mine(actor, first_page()).await?;
    page(shell(
        &v,
        v.t("Pemutakhiran data", "Updating my record"),
        html! {
            section.card {
                h2 { (v.t("Kelengkapan data", "Completeness")) }
                p { strong #completeness { (completeness.percent) "%" } " · "
                    (completeness.present) " / " (completeness.total) }
                @if completeness.missing.is_empty() {
                    p { (v.t("Data Anda lengkap.", "Your record is complete.")) }
                } @else {
                    p { (v.t("Belum ada:", "Missing:")) }
                    ul #missing { @for m in &completeness.missing { li data-item=(m.item) { (text(&v, &m.label)) } } }
                }
            }
            section.card {
                h2 { (v.t("Usulkan perubahan", "Propose a change")) }
                p.hint { (v.t(
                    "Setiap usulan disertai dokumen bukti dan diverifikasi fasilitator unit Anda. Data yang tidak benar dapat dikenai sanksi.",
                    "Each proposal comes with its evidence and is verified by your unit's facilitator. False data may be sanctioned.")) }
                ul.cards {
                    @for s in Section::ALL {
                        li {
                            strong { (text(&v, &s.label())) }
                            div {
                                @if s.changes().contains(&Change::Add) {
                                    a href={ "/record/updates/new?section=" (s.code()) "&change=add" } { (v.t("Tambah", "Add")) }
                                } @else {
                                    a href={ "/record/updates/new?section=" (s.code()) "&change=correct" } { (v.t("Perbaiki", "Correct")) }
                                }
                            }
                        }
                    }
                }
                p.hint { (v.t("Untuk memperbaiki atau menghapus satu riwayat, pilih dari halaman Data saya.",
                    "To correct or remove one entry, choose it on the My record page.")) }
            }
            section.card {
                h2 { (v.t("Usulan saya", "My proposals")) }
                @if mine.items.is_empty() {
                    p { (v.t("Belum ada usulan.", "No proposals yet.")) }
                } @else {
                    ul.cards #proposals {
                        @for p in &mine.items {
                            li {
                                a href={ "/record/updates/" (p.id) } { strong { (summary(&v, p)) } }
                                div { (text(&v, &p.status.label())) " · " (when(p.submitted_at)) }
                            }
                        }
                    }
                }
            }
            section.card {
                h2 { (v.t("Arsip dokumen saya", "My document archive")) }
                @if archive.is_empty() {
                    p { (v.t("Belum ada dokumen terverifikasi.", "No verified documents yet.")) }
                } @else {
                    ul #archive {
                        @for d in &archive {
                            li data-kind=(d.kind.code()) {
                                (text(&v, &d.kind.label())) ": "
                                a href={ "/api/v1/attachments/" (d.file.id) } { (d.file.name) }
                                " · " (v.t("diverifikasi", "verified")) " " (when(d.verified_at))
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// "Add to education", "Correct training", ...
fn summary(v: &Visitor, p: &Proposal) -> String {
    let verb = match p.change {
        Change::Add => v.t("Tambah", "Add to"),
        Change::Correct => v.t("Perbaiki", "Correct"),
        Change::Remove => v.t("Hapus dari", "Remove from"),
    };
    format!("{verb} {}", text(v, &p.section.label()).to_lowercase())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct Which {
    /// The section of the record (`education`, `family`, ...).
    section: Section,
    /// `add`, `correct` or `remove`.
    change: Change,
    /// The entry to correct or remove.
    entry: Option<i64>,
}

/// A proposal's form for one section of the record (a correction starts from the values as
/// they stand).
#[utoipa::path(
    get,
    path = "/record/updates/new",
    tag = "web",
    params(Which),
    responses(PageResponses)
)]
async fn new_proposal(
    State(state): State<AppState>,
    Signed(v): Signed,
    Query(which): Query<Which>,
) -> PageResult {
    let actor = &v.caller()?.actor;
    let values = match which.change {
        Change::Add => FormValues::new(),
        _ => {
            state
                .updates
                .current(actor, which.section, which.entry)
                .await?
        }
    };
    let target = Target::New {
        section: which.section,
        change: which.change,
        entry: which.entry,
    };
    page(proposal_form(&v, target, &values, None, None))
}

/// Where a proposal's form goes.
#[derive(Clone, Copy)]
enum Target {
    New {
        section: Section,
        change: Change,
        entry: Option<i64>,
    },
    Again {
        id: Uuid,
        version: u32,
        section: Section,
        change: Change,
    },
}

impl Target {
    fn section(self) -> (Section, Change) {
        match self {
            Target::New {
                section, change, ..
            }
            | Target::Again {
                section, change, ..
            } => (section, change),
        }
    }
}

fn proposal_form(
    v: &Visitor,
    target: Target,
    values: &FormValues,
    note: Option<&str>,
    error: Option<&ApiError>,
) -> Markup {
    let (section, change) = target.section();
    let schema = section.schema(change);
    let problems = Problems::of(v, &schema, error);
    let action = match target {
        Target::New { entry, .. } => format!(
            "/record/updates/new?section={}&change={}{}",
            section.code(),
            change.code(),
            entry.map(|e| format!("&entry={e}")).unwrap_or_default()
        ),
        Target::Again { id, .. } => format!("/record/updates/{id}/resend"),
    };
    html! {
        (shell(v, &format!("{} · {}", text(v, &section.label()), verb(v, change)), html! {
            (problems.notice(v, error))
            form.card method="post" action=(action) enctype="multipart/form-data" novalidate {
                (csrf_field(v))
                @match target {
                    Target::New { .. } => input type="hidden" name="idempotency_key" value=(Uuid::new_v4());,
                    Target::Again { version, .. } => input type="hidden" name="version" value=(version);,
                }
                (inputs(v, &schema, values, &problems.by_field))
                label for="note" { (v.t("Keterangan", "Explanation")) }
                textarea #note name="note" rows="3" maxlength="2000" required[change == Change::Remove] { (note.unwrap_or("")) }
                p.hint { (v.t(
                    "Dengan mengirim, saya menyatakan data dan dokumen ini benar (Pergub Jatim 73/2020 Pasal 9 ayat 2).",
                    "By sending, I declare this data and these documents true (Pergub Jatim 73/2020, Article 9(2)).")) }
                button type="submit" { (v.t("Kirim usulan", "Send the proposal")) }
            }
        }))
    }
}

fn verb(v: &Visitor, change: Change) -> &'static str {
    match change {
        Change::Add => v.t("tambah", "add"),
        Change::Correct => v.t("perbaiki", "correct"),
        Change::Remove => v.t("hapus", "remove"),
    }
}

/// Sends a proposal: the evidence first (as the employee's attachments), then the proposal,
/// once (an idempotency key per rendered form); errors come back beside their fields.
#[utoipa::path(post, path = "/record/updates/new", tag = "web", params(Which),
    request_body(content = Object, content_type = "multipart/form-data",
        description = "`csrf`, `idempotency_key`, `note`, and the section's fields by name"),
    responses(PageResponses))]
async fn send_proposal(
    State(state): State<AppState>,
    Signed(v): Signed,
    Query(which): Query<Which>,
    mut multipart: Multipart,
) -> PageResult {
    let caller = v.caller()?;
    let schema = which.section.schema(which.change);
    let sent = read(&state, &v, &schema, &mut multipart).await?;
    let field = |k: &str| sent.text.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
    let values = sent.values(&schema);
    let draft = ProposalDraft {
        section: which.section,
        change: which.change,
        entry_id: which.entry,
        values: values.clone(),
        note: field("note").map(str::to_owned),
    };
    match state
        .updates
        .propose_once(&caller.actor, &draft, field("idempotency_key"))
        .await
    {
        Ok(Proposed::Created(p)) => see(&format!("/record/updates/{}", p.id)),
        Ok(Proposed::Replayed { body, .. }) => {
            let id = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|b| b["id"].as_str().map(str::to_owned))
                .unwrap_or_default();
            see(&format!("/record/updates/{id}"))
        }
        Err(e) => {
            let target = Target::New {
                section: which.section,
                change: which.change,
                entry: which.entry,
            };
            again(&v, target, &values, draft.note.as_deref(), e.into())
        }
    }
}

/// The form again with what is wrong beside each field; any other refusal is its own page.
fn again(
    v: &Visitor,
    target: Target,
    values: &FormValues,
    note: Option<&str>,
    e: ApiError,
) -> PageResult {
    form::again(e, &[ErrorCode::FormInvalid], |e| {
        proposal_form(v, target, values, note, Some(e))
    })
}

/// A proposal: what it changes (current and proposed side by side), its evidence and its
/// life; the employee corrects a returned one or withdraws it, the verifier decides it here.
#[utoipa::path(get, path = "/record/updates/{id}", tag = "web",
    params(("id" = Uuid, Path, description = "Proposal id")),
    responses(PageResponses))]
async fn proposal(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(id): Path<Uuid>,
) -> PageResult {
    let actor = &v.caller()?.actor;
    let p = state.updates.get(actor, id).await?;
    let own = p.employee.id == actor.employee_id;
    let labels: HashMap<String, String> = p
        .section
        .fields()
        .into_iter()
        .map(|f| (f.field.name, text(&v, &f.field.label).to_owned()))
        .collect();
    let mut names: Vec<&String> = p.current.keys().chain(p.proposed.keys()).collect();
    names.sort_by_key(|n| {
        p.section
            .fields()
            .iter()
            .position(|f| &f.field.name == *n)
            .unwrap_or(usize::MAX)
    });
    names.dedup();
    page(shell(
        &v,
        &summary(&v, &p),
        html! {
            section.card {
                p #proposal-status { strong { (text(&v, &p.status.label())) } }
                dl.facts {
                    dt { (v.t("Pegawai", "Employee")) } dd { (p.employee.name) " · " (p.employee.nip) }
                    dt { (v.t("Dikirim", "Sent")) } dd { (when(p.submitted_at)) }
                    dt { (v.t("Diverifikasi oleh", "Verified by")) } dd { (match p.verifier {
                        abdi_proto::updates::Verifier::Fasilitator => v.t("fasilitator unit", "the unit's facilitator"),
                        abdi_proto::updates::Verifier::Administrator => v.t("administrator", "an administrator"),
                    }) }
                    @if let Some(n) = &p.note { dt { (v.t("Keterangan", "Explanation")) } dd { (n) } }
                }
                table.compare {
                    thead { tr { th { (v.t("Data", "Field")) } th { (v.t("Sekarang", "Now")) } th { (v.t("Diusulkan", "Proposed")) } } }
                    tbody {
                        @for name in &names {
                            @let now = p.current.get(*name).map(|x| shown(&v, p.section, name, x)).unwrap_or_default();
                            @let next = match p.change {
                                Change::Remove => v.t("(dihapus)", "(removed)").to_owned(),
                                _ => p.proposed.get(*name).map(|x| shown(&v, p.section, name, x)).unwrap_or_else(|| now.clone()),
                            };
                            tr.changed[now != next] data-field=(name) {
                                th { (labels.get(*name).map_or(name.as_str(), String::as_str)) }
                                td { (now) } td { (next) }
                            }
                        }
                    }
                }
            }
            section.card {
                h2 { (v.t("Dokumen bukti", "Evidence")) }
                @for e in &p.evidence {
                    figure.attachment {
                        figcaption { (text(&v, &e.kind.label())) ": " a href={ "/api/v1/attachments/" (e.file.id) } { (e.file.name) } }
                        @if e.file.content_type.starts_with("image/") {
                            img src={ "/api/v1/attachments/" (e.file.id) "?inline=true" } alt=(e.file.name);
                        } @else if !own {
                            iframe src={ "/api/v1/attachments/" (e.file.id) "?inline=true" } title=(e.file.name) loading="lazy" {}
                        }
                    }
                }
            }
            section.card {
                h2 { (v.t("Riwayat usulan", "History")) }
                ol.timeline {
                    @for e in &p.events {
                        li {
                            strong { (event_label(&v, &e.action)) } " · " (when(e.at))
                            @if let Some(by) = &e.by { " · " (by.name) }
                            @if let Some(n) = &e.note { div { (n) } }
                        }
                    }
                }
            }
            @if own && p.status == ProposalStatus::Returned {
                p { a.button href={ "/record/updates/" (p.id) "/resend" } { (v.t("Perbaiki dan kirim kembali", "Correct and send again")) } }
            }
            @if own && p.status.is_open() {
                form method="post" action={ "/record/updates/" (p.id) "/withdraw" } {
                    (csrf_field(&v))
                    input type="hidden" name="version" value=(p.version);
                    button.secondary type="submit" { (v.t("Tarik usulan", "Withdraw the proposal")) }
                }
            }
            @if !own && p.status == ProposalStatus::Submitted {
                form.card #review method="post" action={ "/record/updates/" (p.id) "/review" } {
                    (csrf_field(&v))
                    input type="hidden" name="version" value=(p.version);
                    fieldset {
                        legend { (v.t("Hasil verifikasi", "Verification")) }
                        label { input type="radio" name="outcome" value="verify" checked; " " (v.t("Sesuai bukti: catat pada data", "Matches the evidence: record it")) }
                        label { input type="radio" name="outcome" value="return"; " " (v.t("Kembalikan untuk diperbaiki", "Return for correction")) }
                        label { input type="radio" name="outcome" value="reject"; " " (v.t("Tolak", "Reject")) }
                    }
                    label for="review-note" { (v.t("Catatan (wajib bila dikembalikan atau ditolak)", "Note (required to return or reject)")) }
                    textarea #review-note name="note" rows="3" maxlength="2000" {}
                    button type="submit" { (v.t("Simpan", "Save")) }
                }
            }
        },
    ))
}

fn event_label<'a>(v: &Visitor, action: &'a str) -> &'a str {
    match action {
        "submitted" => v.t("Dikirim", "Sent"),
        "resubmitted" => v.t("Dikirim kembali", "Sent again"),
        "returned" => v.t("Dikembalikan", "Returned"),
        "verified" => v.t("Diverifikasi", "Verified"),
        "rejected" => v.t("Ditolak", "Rejected"),
        "withdrawn" => v.t("Ditarik", "Withdrawn"),
        other => other,
    }
}

/// A value as the section's field shows it: a choice by its label, a date as a day.
fn shown(v: &Visitor, section: Section, name: &str, value: &Value) -> String {
    let label = section
        .fields()
        .into_iter()
        .find(|f| f.field.name == name)
        .and_then(|f| match (f.field.kind, value.as_str()) {
            (abdi_proto::forms::FieldKind::Choice { options }, Some(chosen)) => options
                .into_iter()
                .find(|o| o.value == chosen)
                .map(|o| text(v, &o.label).to_owned()),
            _ => None,
        });
    label.unwrap_or_else(|| show(value))
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => day(d),
            Err(_) => s.clone(),
        },
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A returned proposal's form, to correct and send again.
#[utoipa::path(get, path = "/record/updates/{id}/resend", tag = "web",
    params(("id" = Uuid, Path, description = "Proposal id")),
    responses(PageResponses))]
async fn resend_form(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(id): Path<Uuid>,
) -> PageResult {
    let actor = &v.caller()?.actor;
    let p = state.updates.get(actor, id).await?;
    if p.employee.id != actor.employee_id {
        return Err(ApiError::new(ErrorCode::Forbidden).into());
    }
    let mut values: FormValues = p.proposed.clone().into_iter().collect();
    if let Some(e) = p.evidence.first() {
        values.insert(
            abdi_proto::updates::EVIDENCE_KIND.into(),
            Value::String(e.kind.code().into()),
        );
    }
    values.insert(
        abdi_proto::updates::EVIDENCE.into(),
        Value::Array(
            p.evidence
                .iter()
                .map(|e| serde_json::json!({"id": e.file.id, "name": e.file.name, "content_type": e.file.content_type, "size": e.file.size}))
                .collect(),
        ),
    );
    let target = Target::Again {
        id,
        version: p.version,
        section: p.section,
        change: p.change,
    };
    page(proposal_form(&v, target, &values, p.note.as_deref(), None))
}

/// Sends a returned proposal again, corrected.
#[utoipa::path(post, path = "/record/updates/{id}/resend", tag = "web",
    params(("id" = Uuid, Path, description = "Proposal id")),
    request_body(content = Object, content_type = "multipart/form-data",
        description = "`csrf`, `version`, `note`, and the section's fields by name"),
    responses(PageResponses))]
async fn resend_proposal(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(id): Path<Uuid>,
    mut multipart: Multipart,
) -> PageResult {
    let actor = &v.caller()?.actor;
    let p = state.updates.get(actor, id).await?;
    let schema = p.section.schema(p.change);
    let sent = read(&state, &v, &schema, &mut multipart).await?;
    let values = sent.values(&schema);
    let version = sent
        .text
        .get("version")
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(p.version);
    let note = sent.text.get("note").cloned();
    let change = ProposalResubmission {
        version,
        values: values.clone(),
        note: note.clone(),
    };
    match state.updates.resubmit(actor, id, &change).await {
        Ok(_) => see(&format!("/record/updates/{id}")),
        Err(e) => {
            let target = Target::Again {
                id,
                version,
                section: p.section,
                change: p.change,
            };
            again(&v, target, &values, note.as_deref(), e.into())
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct VersionForm {
    csrf: String,
    version: u32,
}

/// Withdraws the employee's proposal.
#[utoipa::path(post, path = "/record/updates/{id}/withdraw", tag = "web",
    params(("id" = Uuid, Path, description = "Proposal id")),
    request_body(content = VersionForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn withdraw_proposal(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(id): Path<Uuid>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    state
        .updates
        .withdraw(&v.caller()?.actor, id, f.version)
        .await?;
    see(&format!("/record/updates/{id}"))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct ReviewForm {
    csrf: String,
    version: u32,
    outcome: ReviewOutcome,
    #[serde(default)]
    note: Option<String>,
}

/// The verifier's answer to a proposal.
#[utoipa::path(post, path = "/record/updates/{id}/review", tag = "web",
    params(("id" = Uuid, Path, description = "Proposal id")),
    request_body(content = ReviewForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn review_proposal(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(id): Path<Uuid>,
    Form(f): Form<ReviewForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let review = ProposalReview {
        version: f.version,
        outcome: f.outcome,
        note: f.note,
    };
    state
        .updates
        .review(&v.caller()?.actor, id, &review)
        .await?;
    see(&format!("/record/updates/{id}"))
}

/// The verification queue of data updates.
#[utoipa::path(get, path = "/desk/updates", tag = "web", responses(PageResponses))]
async fn queue(State(state): State<AppState>, Signed(v): Signed) -> PageResult {
    let actor = &v.caller()?.actor;
    let q = state
        .updates
        .queue(actor, ProposalStatus::Submitted, first_page())
        .await?;
    page(shell(
        &v,
        v.t("Verifikasi pemutakhiran data", "Data updates to verify"),
        html! {
            p { a href="/desk/updates/monitoring" { (v.t("Pemantauan per unit", "Monitoring by unit")) } }
            @if q.items.is_empty() {
                p { (v.t("Tidak ada usulan yang menunggu.", "Nothing waits.")) }
            } @else {
                ul.cards #queue {
                    @for p in &q.items {
                        li {
                            a href={ "/record/updates/" (p.id) } { strong { (p.employee.name) } }
                            div { (summary(&v, p)) " · " (v.t("menunggu sejak", "waiting since")) " " (when(p.submitted_at)) }
                        }
                    }
                }
            }
        },
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct MonitoringPage {
    /// One row per unit below this one (per perangkat daerah without it).
    under: Option<Uuid>,
    /// The period (this quarter by default).
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
}

/// The monitoring of the data update per unit, with the CSV for the quarterly report.
#[utoipa::path(
    get,
    path = "/desk/updates/monitoring",
    tag = "web",
    params(MonitoringPage),
    responses(PageResponses)
)]
async fn monitoring(
    State(state): State<AppState>,
    Signed(v): Signed,
    Query(q): Query<MonitoringPage>,
) -> PageResult {
    use chrono::Datelike;
    let actor = &v.caller()?.actor;
    let today = state.clock.today();
    let quarter_start =
        chrono::NaiveDate::from_ymd_opt(today.year(), (today.month0() / 3) * 3 + 1, 1)
            .unwrap_or(today);
    let query = MonitoringQuery {
        under: q.under,
        from: q.from.unwrap_or(quarter_start),
        to: q.to.unwrap_or(today),
    };
    let report = state
        .updates
        .monitoring(actor, query.grouping(), (query.from, query.to))
        .await?;
    let csv = format!(
        "/api/v1/proposals/monitoring.csv?from={}&to={}{}",
        query.from,
        query.to,
        query
            .under
            .map(|u| format!("&under={u}"))
            .unwrap_or_default()
    );
    page(shell(
        &v,
        v.t("Pemantauan pemutakhiran data", "Data update monitoring"),
        html! {
            form.inline method="get" action="/desk/updates/monitoring" {
                @if let Some(u) = query.under { input type="hidden" name="under" value=(u); }
                label for="from" { (v.t("Dari", "From")) } input #from type="date" name="from" value=(query.from);
                label for="to" { (v.t("Sampai", "To")) } input #to type="date" name="to" value=(query.to);
                button type="submit" { (v.t("Tampilkan", "Show")) }
            }
            p { a href=(csv) { (v.t("Unduh CSV", "Download CSV")) } " · " a href=(csv.replace(".csv?", ".pdf?")) { (v.t("Unduh PDF", "Download PDF")) } }
            div.scroll {
                table #monitoring {
                    thead { tr {
                        th { (v.t("Unit", "Unit")) }
                        th { (v.t("Pegawai", "Employees")) }
                        th { (v.t("Data lengkap", "Complete")) }
                        th { (v.t("Rata-rata", "Mean")) }
                        th { (v.t("Menunggu", "Waiting")) }
                        th { (v.t("Menunggu sejak", "Waiting since")) }
                        th { (v.t("Diverifikasi", "Verified")) }
                        th { (v.t("Ditolak", "Rejected")) }
                    } }
                    tbody {
                        @for r in &report.rows {
                            tr data-unit=(r.unit_code) {
                                td { a href={ "/desk/updates/monitoring?under=" (r.unit_id) "&from=" (query.from) "&to=" (query.to) } { (r.unit_name) } }
                                td { (r.employees) } td { (r.complete) } td { (r.mean_percent) "%" }
                                td { (r.pending) } td { (r.oldest_pending_since.map(when).unwrap_or_default()) }
                                td { (r.verified) } td { (r.rejected) }
                            }
                        }
                    }
                }
            }
        },
    ))
}
