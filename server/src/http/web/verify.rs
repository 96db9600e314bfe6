//! Anyone checks a letter: the public page of a letter (its QR code's target) and a page to
//! upload a PDF and see what Abdi's verifier finds, in the same look.

use abdi_proto::documents::{SignatureStatus, VerificationReport};
use axum::extract::{Multipart, State};
use maud::{Markup, html};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::layout::{notice, public_document, shell, text};
use super::{PageResponses, PageResult, Visitor, page, unreadable};
use crate::documents::DocumentError;
use crate::error::ApiError;
use crate::http::extract::Path;
use crate::identity::audit::Origin as Client;
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_form, upload))
        .routes(routes!(public))
}

/// A letter's public facts (never the employee's data).
#[utoipa::path(get, path = "/verify/{id}", tag = "web",
    params(("id" = Uuid, Path, description = "Document id")),
    responses(PageResponses))]
async fn public(State(state): State<AppState>, v: Visitor, Path(id): Path<Uuid>) -> PageResult {
    let p = state.documents.public(id).await?;
    page(public_document(&v, &p))
}

/// Upload a signed PDF to verify it.
#[utoipa::path(get, path = "/verify", tag = "web", responses(PageResponses))]
async fn upload_form(v: Visitor) -> PageResult {
    page(shell(
        &v,
        v.t("Verifikasi surat", "Verify a letter"),
        form(&v),
    ))
}

fn form(v: &Visitor) -> Markup {
    html! {
        p { (v.t(
            "Unggah berkas PDF surat. Abdi memeriksa tanda tangan elektroniknya dan apakah surat itu diterbitkan oleh Abdi. Berkas tidak disimpan.",
            "Upload the letter's PDF file. Abdi checks its electronic signature and whether Abdi issued it. The file is not kept."
        )) }
        form.card method="post" action="/verify" enctype="multipart/form-data" {
            div.field {
                label for="pdf" { (v.t("Berkas PDF", "PDF file")) }
                input #pdf type="file" name="pdf" accept="application/pdf" required;
            }
            button type="submit" { (v.t("Periksa", "Check")) }
        }
    }
}

/// What the verifier finds in the uploaded PDF (rationed per address, like `POST /api/v1/verify`).
#[utoipa::path(post, path = "/verify", tag = "web",
    request_body(content = Object, content_type = "multipart/form-data", description = "`pdf`: the file"),
    responses(PageResponses))]
async fn upload(
    State(state): State<AppState>,
    v: Visitor,
    client: Client,
    mut multipart: Multipart,
) -> PageResult {
    let _slot = state.documents.gate.admit(client.ip_key()).await?;
    let limit = state.documents.verify_max_bytes();
    let mut pdf = None;
    while let Some(mut part) = multipart.next_field().await.map_err(unreadable)? {
        if part.name() != Some("pdf") {
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = part.chunk().await.map_err(unreadable)? {
            if bytes.len() + chunk.len() > limit {
                return Err(DocumentError::TooLarge(limit).into());
            }
            bytes.extend_from_slice(&chunk);
        }
        pdf = Some(bytes);
    }
    let pdf = pdf.filter(|b| !b.is_empty()).ok_or_else(|| {
        ApiError::with_detail(
            abdi_proto::ErrorCode::InvalidBody,
            "Pilih berkas PDF untuk diperiksa.",
            "Choose a PDF file to check.",
        )
    })?;
    let report = state.documents.verify(pdf.into()).await?;
    page(shell(
        &v,
        v.t("Hasil verifikasi", "Verification result"),
        html! { (result(&v, &report, true)) (form(&v)) },
    ))
}

/// What the verifier found; `facts`: also the issued letter's number and signer (a file the
/// page does not already describe).
pub(super) fn result(v: &Visitor, r: &VerificationReport, facts: bool) -> Markup {
    let intact = r.status == SignatureStatus::Intact;
    let code = serde_json::to_value(r.status)
        .ok()
        .and_then(|s| s.as_str().map(str::to_owned))
        .unwrap_or_default();
    html! {
        (notice(if intact { "ok" } else { "error" }, html! {
            p #verification data-status=(code) {
                strong { @if intact { (v.t("Utuh dan sah", "Intact and valid")) } @else { (v.t("Tidak dapat dipastikan", "Cannot be confirmed")) } }
                " · " (text(v, &r.message))
            }
        }))
        @if facts && let Some(issued) = &r.issued {
            dl.facts {
                dt { (v.t("Nomor", "Number")) } dd { (issued.number) }
                dt { (v.t("Penanda tangan", "Signer")) } dd { (issued.signer_name) }
            }
        }
        p.hint { "SHA-256: " code { (r.sha256) } }
    }
}
