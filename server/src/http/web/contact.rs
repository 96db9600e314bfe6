//! The employee's own email and phone on the web: asked for here, changed once the mailed link
//! is opened (`/email/confirm`) or the code sent by SMS typed back. Only from the employee's own
//! session: no page lets anyone else change them.

use abdi_proto::identity::VerificationSent;
use axum::Form;
use axum::extract::{Query, State};
use maud::{Markup, html};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::layout::{csrf_field, notice, problem, shell};
use super::{PageResponses, PageResult, Signed, Visitor, page, see};
use crate::error::ApiError;
use crate::identity::IdentityError;
use crate::identity::audit::Origin as Client;
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(contact))
        .routes(routes!(change_email))
        .routes(routes!(change_phone))
        .routes(routes!(confirm_phone))
        .routes(routes!(confirm_email_page, confirm_email))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct Done {
    /// `email` or `phone` after a change.
    done: Option<String>,
}

/// My email and mobile number, and the forms that change them.
#[utoipa::path(
    get,
    path = "/contact",
    tag = "web",
    params(Done),
    responses(PageResponses)
)]
async fn contact(
    State(state): State<AppState>,
    Signed(v): Signed,
    Query(q): Query<Done>,
) -> PageResult {
    let said = match q.done.as_deref() {
        Some("email") => {
            Some(html! { p { (v.t("Email Anda telah diubah.", "Your email was changed.")) } })
        }
        Some("phone") => Some(
            html! { p { (v.t("Nomor ponsel Anda telah diubah.", "Your mobile number was changed.")) } },
        ),
        _ => None,
    };
    page(contact_page(&state, &v, said.map(|m| notice("ok", m)), false).await?)
}

async fn contact_page(
    state: &AppState,
    v: &Visitor,
    message: Option<Markup>,
    code_sent: bool,
) -> Result<Markup, super::WebError> {
    let me = v.caller()?.actor.employee_id;
    let profile = state
        .identity
        .directory
        .profile(me)
        .await
        .map_err(IdentityError::from)?
        .ok_or_else(|| ApiError::new(abdi_proto::ErrorCode::Unauthenticated))?;
    Ok(shell(
        v,
        v.t("Email dan nomor ponsel", "Email and mobile number"),
        html! {
            @if let Some(m) = message { (m) }
            p.hint { (v.t(
                "Hanya Anda yang dapat mengubah email dan nomor ponsel Anda, setelah membuktikan bahwa alamat atau nomor baru itu milik Anda.",
                "Only you can change your email and mobile number, once you prove the new address or number is yours.")) }
            form.card #email method="post" action="/contact/email" {
                (csrf_field(v))
                h2 { (v.t("Email dinas", "Official email")) }
                p { (v.t("Sekarang: ", "Now: ")) strong { (profile.email.as_deref().unwrap_or("-")) } }
                label for="new-email" { (v.t("Email baru", "New email")) }
                input #new-email type="email" name="email" autocomplete="email" required;
                button type="submit" { (v.t("Kirim tautan konfirmasi", "Send a confirmation link")) }
            }
            form.card #phone method="post" action="/contact/phone" {
                (csrf_field(v))
                h2 { (v.t("Nomor ponsel", "Mobile number")) }
                p { (v.t("Sekarang: ", "Now: ")) strong { (profile.phone.as_deref().unwrap_or("-")) } }
                label for="new-phone" { (v.t("Nomor baru", "New number")) }
                input #new-phone type="tel" name="phone" autocomplete="tel" inputmode="tel" required;
                button type="submit" { (v.t("Kirim kode lewat SMS", "Send a code by SMS")) }
            }
            @if code_sent {
                form.card #phone-code method="post" action="/contact/phone/confirm" {
                    (csrf_field(v))
                    label for="code" { (v.t("Kode dari SMS (6 angka)", "The code from the SMS (6 digits)")) }
                    input #code name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required;
                    button type="submit" { (v.t("Konfirmasi nomor baru", "Confirm the new number")) }
                }
            }
        },
    ))
}

/// A refusal shown on the page itself, in both languages with its code.
async fn refused(state: &AppState, v: &Visitor, e: ApiError) -> PageResult {
    let status = axum::http::StatusCode::from_u16(e.code.status())
        .unwrap_or(axum::http::StatusCode::BAD_REQUEST);
    let body = notice(
        "error",
        html! { p { strong { (e.code.title(v.lang)) } } (problem(&e)) },
    );
    let markup = contact_page(state, v, Some(body), false).await?;
    Ok(axum::response::IntoResponse::into_response((
        status, markup,
    )))
}

/// The page after asking: what was sent (and, for a phone, the form for its code), or why not.
async fn sent(
    state: &AppState,
    v: &Visitor,
    result: Result<VerificationSent, IdentityError>,
    code_form: bool,
) -> PageResult {
    match result {
        Ok(sent) => {
            let said = notice(
                "ok",
                html! { p #sent { (v.t(&sent.message_id, &sent.message_en)) } },
            );
            page(contact_page(state, v, Some(said), code_form).await?)
        }
        Err(e) => refused(state, v, e.into()).await,
    }
}

/// After a confirmation: the page that says what changed, or why not.
async fn changed(
    state: &AppState,
    v: &Visitor,
    result: Result<String, IdentityError>,
    what: &str,
) -> PageResult {
    match result {
        Ok(_) => see(&format!("/contact?done={what}")),
        Err(e) => refused(state, v, e.into()).await,
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct EmailForm {
    csrf: String,
    email: String,
}

/// Mails a confirmation link to the new address.
#[utoipa::path(post, path = "/contact/email", tag = "web",
    request_body(content = EmailForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn change_email(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Form(f): Form<EmailForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let me = v.caller()?.actor.employee_id;
    let result = state
        .identity
        .contact
        .request_email(me, &f.email, &client)
        .await;
    sent(&state, &v, result, false).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct PhoneForm {
    csrf: String,
    phone: String,
}

/// Sends a code to the new number, and asks for it.
#[utoipa::path(post, path = "/contact/phone", tag = "web",
    request_body(content = PhoneForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn change_phone(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Form(f): Form<PhoneForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let me = v.caller()?.actor.employee_id;
    let result = state
        .identity
        .contact
        .request_phone(me, &f.phone, &client)
        .await;
    sent(&state, &v, result, true).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct CodeForm {
    csrf: String,
    code: String,
}

/// Checks the code and changes the number.
#[utoipa::path(post, path = "/contact/phone/confirm", tag = "web",
    request_body(content = CodeForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn confirm_phone(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Form(f): Form<CodeForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let me = v.caller()?.actor.employee_id;
    let result = state
        .identity
        .contact
        .confirm_phone(me, &f.code, &client)
        .await;
    changed(&state, &v, result, "phone").await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct TokenQuery {
    /// The token from the mailed link.
    token: String,
}

/// The mailed link: a button confirms the new email (a link that is only fetched, by a mail
/// scanner, changes nothing).
#[utoipa::path(
    get,
    path = "/email/confirm",
    tag = "web",
    params(TokenQuery),
    responses(PageResponses)
)]
async fn confirm_email_page(Signed(v): Signed, Query(q): Query<TokenQuery>) -> PageResult {
    page(shell(
        &v,
        v.t("Konfirmasi email baru", "Confirm the new email"),
        html! {
            form.card #confirm-email method="post" action="/email/confirm" {
                (csrf_field(&v))
                input type="hidden" name="token" value=(q.token);
                p { (v.t("Pakai alamat ini sebagai email Anda di Abdi?", "Use this address as your Abdi email?")) }
                button type="submit" { (v.t("Ya, konfirmasi", "Yes, confirm")) }
            }
        },
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct TokenForm {
    csrf: String,
    token: String,
}

/// Confirms the new email with the mailed token.
#[utoipa::path(post, path = "/email/confirm", tag = "web",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn confirm_email(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Form(f): Form<TokenForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let me = v.caller()?.actor.employee_id;
    let result = state
        .identity
        .contact
        .confirm_email(me, &f.token, &client)
        .await;
    changed(&state, &v, result, "email").await
}
