//! The desk: the fasilitator's verification queue, the decider's inbox, and batch signing
//! for officials; verify, return and decide from the request's own page.

use abdi_proto::documents::SignBatch;
use abdi_proto::services::{
    Decision, Outcome, RequestView, StepKind, Verification, VerificationOutcome, WorkList,
};
use axum::Form;
use axum::extract::State;
use maud::{Markup, html};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::layout::{csrf_field, notice, shell, status, text, when};
use super::{PageResponses, PageResult, Signed, Visitor, page, see};
use crate::http::extract::Path;
use crate::state::AppState;
use crate::store::page::Page;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(desk))
        .routes(routes!(verify))
        .routes(routes!(decide))
        .routes(routes!(signing, sign))
}

fn first_page() -> Page<crate::services::views::Cursor> {
    Page {
        after: None,
        limit: 100,
    }
}

/// What waits for the visitor: verifications, decisions and letters to sign.
#[utoipa::path(get, path = "/desk", tag = "web", responses(PageResponses))]
async fn desk(State(state): State<AppState>, Signed(v): Signed) -> PageResult {
    let actor = &v.caller()?.actor;
    let who = actor.principal().await?;
    let queue = if who.fasilitator_units.is_empty() {
        None
    } else {
        Some(
            state
                .services
                .verification_queue(actor, None, first_page())
                .await?,
        )
    };
    let inbox = state.services.inbox(actor, None, first_page()).await?;
    let to_sign = state.documents.awaiting(actor).await?;
    let admin = who.administrator;
    page(shell(
        &v,
        v.t("Meja kerja", "Desk"),
        html! {
            @if let Some(q) = &queue {
                (work(&v, v.t("Antrean verifikasi", "Verification queue"), "verification", q))
            }
            @if admin || queue.is_some() {
                section.card #record-updates {
                    h2 { (v.t("Pemutakhiran data pegawai", "Employees' data updates")) }
                    p { a.button href="/desk/updates" { (v.t("Usulan yang menunggu verifikasi", "Proposals waiting for verification")) } }
                }
            }
            @if admin || queue.is_some() {
                section.card #promotion {
                    h2 { (v.t("Kenaikan pangkat", "Promotion")) }
                    p { a.button href="/desk/promotion" { (v.t("Pegawai yang jatuh tempo dan usulan ke BKN", "Who is due, and the proposals to BKN")) } }
                }
            }
            @if admin || queue.is_some() || !who.posts.is_empty() {
                section.card #attendance {
                    h2 { (v.t("Presensi", "Attendance")) }
                    p { a.button href="/desk/attendance" { (v.t("Tim hari ini dan presensi yang perlu diperiksa", "The team today, and check-ins to look at")) } }
                }
            }
            (work(&v, v.t("Menunggu keputusan saya", "Waiting for my decision"), "inbox", &inbox))
            @if !to_sign.is_empty() {
                section.card {
                    h2 { (v.t("Surat menunggu tanda tangan", "Letters to sign")) " (" (to_sign.len()) ")" }
                    p { a.button href="/desk/signing" { (v.t("Tanda tangani", "Sign them")) } }
                }
            }
            @if admin {
                section.card {
                    h2 { (v.t("Administrasi", "Administration")) }
                    p { a.button href="/admin" { (v.t("Buka halaman administrator", "Open the administrators' pages")) } }
                }
            }
        },
    ))
}

fn work(v: &Visitor, title: &str, id: &str, list: &WorkList) -> Markup {
    html! {
        section.card id=(id) {
            h2 { (title) " (" (list.total) ")" }
            @if list.items.is_empty() {
                p { (v.t("Tidak ada yang menunggu.", "Nothing is waiting.")) }
            } @else {
                ul.cards {
                    @for item in &list.items {
                        li {
                            a href={ "/requests/" (item.request.id) } {
                                strong { (item.request.employee.name) } " · " (text(v, &item.request.summary))
                            }
                            div { (status(v, item.request.status, item.request.outcome)) " · " (v.t("sejak", "since")) " " (when(item.waiting_since)) }
                        }
                    }
                }
            }
        }
    }
}

/// The forms for the step waiting on the request's page: verify or return; or decide, with
/// the outcomes the law allows, after a passkey step-up.
pub(super) fn actions(v: &Visitor, r: &RequestView, kind: StepKind) -> Markup {
    html! {
        section.card #actions {
            @if kind == StepKind::Verification {
                h2 { (v.t("Verifikasi dokumen", "Verify the documents")) }
                form method="post" action={ "/requests/" (r.id) "/verify" } {
                    (csrf_field(v))
                    input type="hidden" name="version" value=(r.version);
                    div.field {
                        label for="verify-note" { (v.t("Catatan (wajib bila dikembalikan)", "Note (required to return)")) }
                        textarea #verify-note name="note" maxlength="2000" {}
                    }
                    div.buttons {
                        button type="submit" name="outcome" value="complete" { (v.t("Lengkap, teruskan", "Complete, pass on")) }
                        button.secondary type="submit" name="outcome" value="return" { (v.t("Kembalikan untuk perbaikan", "Return for revision")) }
                    }
                }
            } @else {
                h2 { (v.t("Keputusan", "Decision")) }
                form method="post" action={ "/requests/" (r.id) "/decide" } data-step-up {
                    (csrf_field(v))
                    input type="hidden" name="version" value=(r.version);
                    fieldset {
                        legend { (v.t("Hasil", "Outcome")) }
                        @for (i, o) in Outcome::ALL.iter().enumerate() {
                            @let (id, en) = super::layout::outcome_text(*o);
                            label.choice {
                                input type="radio" name="outcome" value=(o.code()) checked[i == 0];
                                " " (v.t(id, en))
                            }
                        }
                    }
                    div.field {
                        label for="decide-note" { (v.t("Alasan (wajib selain disetujui)", "Reason (required unless approved)")) }
                        textarea #decide-note name="note" maxlength="2000" {}
                    }
                    button type="submit" { (v.t("Putuskan (konfirmasi passkey)", "Decide (confirm with passkey)")) }
                    p.error hidden data-error {}
                }
            }
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct VerifyForm {
    csrf: String,
    version: u32,
    outcome: VerificationOutcome,
    note: Option<String>,
}

fn note(n: Option<String>) -> Option<String> {
    n.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// The fasilitator verifies or returns a request.
#[utoipa::path(post, path = "/requests/{id}/verify", tag = "web",
    params(("id" = Uuid, Path, description = "Request id")),
    request_body(content = VerifyForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn verify(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(id): Path<Uuid>,
    Form(f): Form<VerifyForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let input = Verification {
        version: f.version,
        outcome: f.outcome,
        note: note(f.note),
    };
    state
        .services
        .verify(&v.caller()?.actor, id, &input)
        .await?;
    see("/desk")
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct DecideForm {
    csrf: String,
    version: u32,
    outcome: Outcome,
    note: Option<String>,
}

/// The decider decides (a fresh step-up, as in the app).
#[utoipa::path(post, path = "/requests/{id}/decide", tag = "web",
    params(("id" = Uuid, Path, description = "Request id")),
    request_body(content = DecideForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn decide(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(id): Path<Uuid>,
    Form(f): Form<DecideForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let input = Decision {
        version: f.version,
        outcome: f.outcome,
        note: note(f.note),
        changes: None,
    };
    state
        .services
        .decide(&v.caller()?.actor, id, &input)
        .await?;
    see("/desk")
}

/// Letters waiting for the official's signature (with a signing service; the local signer
/// signs at the decision).
#[utoipa::path(get, path = "/desk/signing", tag = "web", responses(PageResponses))]
async fn signing(State(state): State<AppState>, Signed(v): Signed) -> PageResult {
    let docs = state.documents.awaiting(&v.caller()?.actor).await?;
    page(shell(
        &v,
        v.t("Tanda tangan elektronik", "Electronic signature"),
        html! {
            @if docs.is_empty() {
                p { (v.t("Tidak ada surat yang menunggu tanda tangan Anda.", "No letter is waiting for your signature.")) }
            } @else {
                form.card method="post" action="/desk/signing" data-step-up {
                    (csrf_field(&v))
                    fieldset {
                        legend { (v.t("Surat", "Letters")) }
                        @for d in &docs {
                            label.choice {
                                input type="checkbox" name="documents" value=(d.id) checked;
                                " " (text(&v, &d.title)) " " (d.number)
                            }
                        }
                    }
                    div.field {
                        label for="passphrase" { (v.t("Passphrase sertifikat elektronik", "Your certificate's passphrase")) }
                        input #passphrase type="password" name="passphrase" autocomplete="off";
                    }
                    button type="submit" { (v.t("Tanda tangani (konfirmasi passkey)", "Sign (confirm with passkey)")) }
                    p.error hidden data-error {}
                }
            }
        },
    ))
}

/// The form's shape, for the OpenAPI document; the body is read by hand, as its checkboxes
/// repeat `documents`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
struct SignForm {
    csrf: String,
    /// The letters' ids, as the form's checkboxes send them (`documents=..&documents=..`).
    documents: String,
    passphrase: Option<String>,
}

/// Signs the chosen letters in one batch.
#[utoipa::path(post, path = "/desk/signing", tag = "web",
    request_body(content = SignForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn sign(
    State(state): State<AppState>,
    Signed(v): Signed,
    body: axum::body::Bytes,
) -> PageResult {
    let mut csrf = String::new();
    let mut documents = Vec::new();
    let mut passphrase = None;
    for (k, value) in url::form_urlencoded::parse(&body) {
        match k.as_ref() {
            "csrf" => csrf = value.into_owned(),
            "documents" => documents.extend(value.parse::<Uuid>().ok()),
            "passphrase" if !value.is_empty() => passphrase = Some(value.into_owned()),
            _ => {}
        }
    }
    v.check_form(&csrf)?;
    let batch = SignBatch {
        documents,
        passphrase,
        totp: None,
    };
    let signed = state
        .documents
        .sign_batch(&v.caller()?.actor, &batch)
        .await?;
    page(shell(
        &v,
        v.t("Tanda tangan elektronik", "Electronic signature"),
        notice(
            "ok",
            html! { p { (signed.len()) " " (v.t("surat ditandatangani.", "letters signed.")) } },
        ),
    ))
}
