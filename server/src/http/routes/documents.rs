//! Letters for their readers and signers, and verification for everyone: thin handlers over
//! [`super::Documents`].

use abdi_proto::Problem;
use abdi_proto::documents::{
    DocumentView, IssuedLetter, PublicDocument, SignBatch, SignBatchResult, VerificationReport,
};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::documents::DocumentError;
use crate::error::ApiError;
use crate::http::auth::Caller;
use crate::http::extract::{Json, Path};
use crate::identity::audit::Origin;
use crate::state::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(request_documents))
        .routes(routes!(get_document))
        .routes(routes!(download_document))
        .routes(routes!(awaiting_signature))
        .routes(routes!(sign_documents))
        .routes(routes!(verify_upload))
        .routes(routes!(verify_public))
        .routes(routes!(issued_letter))
}

/// The letters of a request (one once it is granted), for whoever may see the request.
#[utoipa::path(get, path = "/requests/{id}/documents", tag = "documents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    responses(
        (status = 200, description = "The request's letters", body = Vec<DocumentView>),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`document_not_found`: no such request", body = Problem, content_type = "application/problem+json"),
    ))]
async fn request_documents(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Vec<DocumentView>>, ApiError> {
    Ok(axum::Json(
        state.documents.of_request(&caller.actor, id).await?,
    ))
}

/// A letter's number, signer and state.
#[utoipa::path(get, path = "/documents/{id}", tag = "documents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Document id")),
    responses(
        (status = 200, description = "The letter", body = DocumentView),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`document_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_document(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<DocumentView>, ApiError> {
    let doc = state.documents.get(&caller.actor, id).await?;
    Ok(axum::Json(state.documents.view_of(&doc)))
}

/// The signed PDF: for the employee, the deciders on the chain, the unit's fasilitators and
/// administrators.
#[utoipa::path(get, path = "/documents/{id}/pdf", tag = "documents", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Document id")),
    responses(
        (status = 200, description = "The signed PDF", content_type = "application/pdf"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`document_not_found`: unknown, or not signed yet", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`storage_unavailable`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn download_document(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let doc = state.documents.get(&caller.actor, id).await?;
    let pdf = state.documents.pdf(&doc).await?;
    let name = format!("{}.pdf", doc.number.replace(['/', '"', '\\', ' '], "-"));
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        pdf,
    )
        .into_response())
}

/// Letters waiting for the caller's signature (with a remote signing service; the local signer
/// signs at the decision).
#[utoipa::path(get, path = "/documents/awaiting-signature", tag = "documents", security(("bearer" = [])),
    responses(
        (status = 200, description = "Oldest first", body = Vec<DocumentView>),
    ))]
async fn awaiting_signature(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<DocumentView>>, ApiError> {
    Ok(axum::Json(state.documents.awaiting(&caller.actor).await?))
}

/// Sign a batch of letters waiting for the caller, with one passkey step-up and, for a remote
/// signing service, the certificate's passphrase or one-time code. All or none.
#[utoipa::path(post, path = "/documents/sign", tag = "documents", security(("bearer" = [])),
    request_body = SignBatch,
    responses(
        (status = 200, description = "Signed", body = SignBatchResult),
        (status = 400, description = "`invalid_body`: not 1 to 100 documents", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step_up_required`, or `signing_rejected` (wrong passphrase or code)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`document_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`document_not_signable`: not waiting for the caller", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`signing_credential_required`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`signing_unavailable`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn sign_documents(
    State(state): State<AppState>,
    caller: Caller,
    Json(batch): Json<SignBatch>,
) -> Result<axum::Json<SignBatchResult>, ApiError> {
    let signed = state.documents.sign_batch(&caller.actor, &batch).await?;
    Ok(axum::Json(SignBatchResult { signed }))
}

/// Check a signed PDF: upload it as the raw body. Anyone may; nothing is kept.
#[utoipa::path(post, path = "/verify", tag = "documents",
    request_body(content = crate::http::Binary, content_type = "application/octet-stream", description = "The PDF file as the raw body (sent as `application/pdf` or `application/octet-stream`; the type is told from the bytes)"),
    responses(
        (status = 200, description = "What the verifier found (`status` is `intact` only when valid, trusted and unchanged)", body = VerificationReport),
        (status = 400, description = "`invalid_body`: the upload broke off", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`: too many verifications from this address (`documents.verify_per_ip`)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`unavailable`: every verification slot is busy, with Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
async fn verify_upload(
    State(state): State<AppState>,
    origin: Origin,
    headers: HeaderMap,
    body: Body,
) -> Result<axum::Json<VerificationReport>, ApiError> {
    // Counted and admitted before the upload is read; the slot is held until the answer.
    let _slot = state.documents.gate.admit(origin.ip_key()).await?;
    let limit = state.documents.verify_max_bytes();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(DocumentError::TooLarge(limit).into());
    }
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
        if e.to_string().contains("length limit") {
            DocumentError::TooLarge(limit)
        } else {
            DocumentError::Upload(e.to_string())
        }
    })?;
    Ok(axum::Json(state.documents.verify(bytes).await?))
}

/// The QR code's target: what the public may see of a letter (number, title, signer, date,
/// state and fingerprint; never the employee's data). HTML for a browser, JSON otherwise.
#[utoipa::path(get, path = "/verify/{id}", tag = "documents",
    params(("id" = Uuid, Path, description = "Document id")),
    responses(
        (status = 200, description = "The public facts: JSON, or a page when the client accepts text/html", content(
            (PublicDocument = "application/json"),
            (String = "text/html"),
        )),
        (status = 404, description = "`document_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn verify_public(
    State(state): State<AppState>,
    headers: HeaderMap,
    visitor: crate::http::web::Visitor,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let public = state.documents.public(id).await?;
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if !wants_html {
        return Ok(axum::Json(public).into_response());
    }
    Ok((
        StatusCode::OK,
        crate::http::web::layout::public_document(&visitor, &public),
    )
        .into_response())
}

/// Whether a file is a letter Abdi issued, by its SHA-256 (hex): the phone asks this for a
/// letter that reached it another way. What the letter itself shows, never the employee's data.
#[utoipa::path(get, path = "/verify/sha256/{sha256}", tag = "documents",
    params(("sha256" = String, Path, description = "The file's SHA-256, 64 hex digits")),
    responses(
        (status = 200, description = "The signed letter with that fingerprint", body = IssuedLetter),
        (status = 404, description = "`document_not_found`: Abdi issued no letter with it", body = Problem, content_type = "application/problem+json"),
    ))]
async fn issued_letter(
    State(state): State<AppState>,
    Path(sha256): Path<String>,
) -> Result<axum::Json<IssuedLetter>, ApiError> {
    state
        .documents
        .issued(&sha256)
        .await?
        .map(axum::Json)
        .ok_or_else(|| DocumentError::NotFound.into())
}
