//! Getting in and out: activation from the mailed link (with passkey enrolment), login by
//! passkey, logout, the visitor's devices and passkeys, the language, and the files that let
//! the phone's app open Abdi's links (Android App Links, iOS Universal Links).

use abdi_proto::identity::{ActivationRequest, DeviceInfo, RedeemRequest};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use maud::html;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::layout::{csrf_field, notice, problem, shell, when};
use super::{LANG_COOKIE, PageResponses, PageResult, Signed, Visitor, page, see};
use crate::error::ApiError;
use crate::http::extract::Path;
use crate::http::routes::identity::{end_device, log_out, session_cookie};
use crate::identity::audit::Origin as Client;
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(activation_form, request_activation))
        .routes(routes!(activate_page, activate))
        .routes(routes!(new_passkey))
        .routes(routes!(login))
        .routes(routes!(sso_start))
        .routes(routes!(sso_callback))
        .routes(routes!(logout))
        .routes(routes!(choose_language))
        .routes(routes!(devices))
        .routes(routes!(end_session))
        .routes(routes!(remove_passkey))
        .routes(routes!(asset_links))
        .routes(routes!(apple_site_association))
        .route("/assets/abdi.css", axum::routing::get(css))
        .route("/assets/abdi.js", axum::routing::get(js))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response()
}

async fn css() -> Response {
    asset("text/css; charset=utf-8", super::layout::CSS)
}

async fn js() -> Response {
    asset("text/javascript; charset=utf-8", super::layout::JS)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct Next {
    /// Where to go afterwards: a path on this site.
    next: Option<String>,
}

/// A path on this site only (never `//elsewhere` or a full URL): no open redirect.
fn local(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/",
    }
}

/// Ask for an activation link: NIP, official email and mobile number.
#[utoipa::path(get, path = "/activation", tag = "web", responses(PageResponses))]
async fn activation_form(v: Visitor) -> PageResult {
    page(activation_page(&v, None, None))
}

fn activation_page(
    v: &Visitor,
    sent: Option<&ActivationRequest>,
    error: Option<&ApiError>,
) -> maud::Markup {
    let (nip, email, phone) = sent.map_or(("", "", ""), |r| (&r.nip, &r.email, &r.phone));
    shell(
        v,
        v.t("Aktivasi akun", "Activate your account"),
        html! {
            p { (v.t(
                "Masukkan NIP, email dinas dan nomor HP Anda. Jika cocok dengan data kepegawaian, tautan aktivasi dikirim ke email dinas.",
                "Enter your NIP, official email and mobile number. If they match your personnel record, an activation link is sent to the official email."
            )) }
            @if let Some(e) = error { (notice("error", problem(e))) }
            form.card method="post" action="/activation" {
                div.field {
                    label for="nip" { "NIP" }
                    input #nip name="nip" inputmode="numeric" autocomplete="username" required value=(nip);
                }
                div.field {
                    label for="email" { (v.t("Email dinas", "Official email")) }
                    input #email name="email" type="email" autocomplete="email" required value=(email);
                }
                div.field {
                    label for="phone" { (v.t("Nomor HP", "Mobile number")) }
                    input #phone name="phone" type="tel" autocomplete="tel" required value=(phone);
                }
                button type="submit" { (v.t("Kirim tautan aktivasi", "Send the activation link")) }
            }
        },
    )
}

/// Sends the activation link (the same answer whether or not anything matched).
#[utoipa::path(post, path = "/activation", tag = "web",
    request_body(content = ActivationRequest, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn request_activation(
    State(state): State<AppState>,
    v: Visitor,
    client: Client,
    Form(req): Form<ActivationRequest>,
) -> PageResult {
    v.check_origin()?;
    match state.identity.activation.request(&req, &client).await {
        Ok(accepted) => page(shell(
            &v,
            v.t("Periksa email dinas Anda", "Check your official email"),
            html! {
                (notice("ok", html! {
                    p { (v.t(&accepted.message_id, &accepted.message_en)) }
                }))
                p { (v.t("Tautan berlaku", "The link is valid for")) " " (accepted.expires_in_minutes) " " (v.t("menit.", "minutes.")) }
            },
        )),
        Err(e) => {
            let e = ApiError::from(e);
            let status = StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::BAD_REQUEST);
            Ok((status, activation_page(&v, Some(&req), Some(&e))).into_response())
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct LinkToken {
    /// The token from the mailed link.
    token: Option<String>,
}

/// The mailed link. On a phone with the app, the app opens it (App Links); in a browser this
/// page uses it, once, and then enrols a passkey.
#[utoipa::path(
    get,
    path = "/activate",
    tag = "web",
    params(LinkToken),
    responses(PageResponses)
)]
async fn activate_page(v: Visitor, Query(q): Query<LinkToken>) -> PageResult {
    let token = q.token.unwrap_or_default();
    page(shell(
        &v,
        v.t("Aktivasi akun Abdi", "Activate your Abdi account"),
        html! {
            @if token.is_empty() {
                (notice("error", html! { p { (v.t(
                    "Tautan ini tidak lengkap. Buka tautan dari email aktivasi, atau minta yang baru.",
                    "This link is incomplete. Open the link from the activation email, or ask for a new one."
                )) } }))
                p { a href="/activation" { (v.t("Minta tautan aktivasi", "Ask for an activation link")) } }
            } @else {
                p { (v.t(
                    "Tautan ini hanya dapat dipakai sekali. Setelah aktif, buat passkey untuk masuk berikutnya di perangkat ini.",
                    "This link works once. Once active, create a passkey to log in on this device next time."
                )) }
                form.card method="post" action="/activate" {
                    input type="hidden" name="token" value=(token);
                    button type="submit" { (v.t("Aktifkan di peramban ini", "Activate in this browser")) }
                }
            }
        },
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct ActivateForm {
    token: String,
}

/// Uses the link: a web session (the cookie only), then on to enrol a passkey.
#[utoipa::path(post, path = "/activate", tag = "web",
    request_body(content = ActivateForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn activate(
    State(state): State<AppState>,
    v: Visitor,
    client: Client,
    headers: HeaderMap,
    Form(f): Form<ActivateForm>,
) -> PageResult {
    v.check_origin()?;
    let device = DeviceInfo {
        device_name: browser_name(&headers),
        platform: "web".into(),
    };
    let (token, session) = state
        .identity
        .activation
        .redeem(
            &RedeemRequest {
                token: f.token,
                device,
            },
            &client,
        )
        .await?;
    Ok((
        session_cookie(&state, &token, &session),
        Redirect::to("/passkeys/new"),
    )
        .into_response())
}

/// A name for the browser, from its User-Agent (what the devices list shows).
fn browser_name(headers: &HeaderMap) -> String {
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let browser = ["Edg/", "Firefox/", "Chrome/", "Safari/"]
        .iter()
        .find(|b| ua.contains(*b))
        .map_or("Browser", |b| match *b {
            "Edg/" => "Edge",
            "Firefox/" => "Firefox",
            "Chrome/" => "Chrome",
            _ => "Safari",
        });
    let os = ["Android", "iPhone", "Windows", "Mac OS", "Linux"]
        .iter()
        .find(|o| ua.contains(*o))
        .copied()
        .unwrap_or("");
    format!("{browser} {os}").trim().to_owned()
}

/// Enrol a passkey for this browser (right after activation, or another one later).
#[utoipa::path(get, path = "/passkeys/new", tag = "web", responses(PageResponses))]
async fn new_passkey(Signed(v): Signed) -> PageResult {
    page(shell(
        &v,
        v.t("Buat passkey", "Create a passkey"),
        html! {
            p { (v.t(
                "Passkey memakai kunci layar perangkat ini (sidik jari, wajah atau PIN). Tidak ada kata sandi.",
                "A passkey uses this device's screen lock (fingerprint, face or PIN). There is no password."
            )) }
            form.card #enrol data-passkey="register" data-next="/" {
                div.field {
                    label for="passkey-name" { (v.t("Nama passkey", "Passkey name")) }
                    input #passkey-name name="name" required value=(v.t("Peramban ini", "This browser"));
                }
                button type="submit" { (v.t("Buat passkey", "Create the passkey")) }
                p.error hidden data-error {}
            }
            p { a href="/" { (v.t("Nanti saja", "Not now")) } }
        },
    ))
}

/// Log in with a passkey (offered by the browser as you type, where it can), or by SSO.
#[utoipa::path(
    get,
    path = "/login",
    tag = "web",
    params(Next),
    responses(PageResponses)
)]
async fn login(State(state): State<AppState>, v: Visitor, Query(q): Query<Next>) -> PageResult {
    let next = local(q.next.as_deref());
    if v.caller.is_some() {
        return see(next);
    }
    page(shell(
        &v,
        v.t("Masuk ke Abdi", "Log in to Abdi"),
        html! {
            form.card #login data-passkey="login" data-next=(next) {
                div.field {
                    label for="username" { "NIP" }
                    input #username name="username" autocomplete="username webauthn" inputmode="numeric";
                    p.hint { (v.t(
                        "Pilih passkey Anda; NIP tidak perlu diketik.",
                        "Choose your passkey; no need to type the NIP."
                    )) }
                }
                button type="submit" { (v.t("Masuk dengan passkey", "Log in with a passkey")) }
                p.error hidden data-error {}
            }
            @let providers: Vec<_> = state.identity.sso.providers().collect();
            @if !providers.is_empty() {
                section.card {
                    h2 { (v.t("Atau masuk dengan", "Or log in with")) }
                    @for p in providers {
                        form.inline method="get" action={ "/login/sso/" (p.name) } {
                            input type="hidden" name="next" value=(next);
                            label.sr for={ "hint-" (p.name) } { "NIP" }
                            input type="hidden" id={ "hint-" (p.name) } name="login_hint" data-copy="#username";
                            button.secondary type="submit" { "SSO " (p.name) }
                        }
                    }
                }
            }
            p { (v.t("Belum punya akses?", "No access yet?")) " " a href="/activation" { (v.t("Aktivasi akun", "Activate your account")) } }
        },
    ))
}

/// The login in progress with a provider, kept by the browser for ten minutes: provider,
/// state, nonce, PKCE verifier and where to go after (HttpOnly, this host only).
const SSO_COOKIE: &str = "__Host-abdi_sso";

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct SsoStart {
    /// Where to go after login: a path on this site.
    next: Option<String>,
    /// The NIP, passed to the provider as `login_hint` when given.
    login_hint: Option<String>,
}

/// SSO in the same tab: to the provider's login, with PKCE S256, state and nonce.
#[utoipa::path(get, path = "/login/sso/{provider}", tag = "web",
    params(("provider" = String, Path, description = "The provider's name"), SsoStart),
    responses(PageResponses))]
async fn sso_start(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Query(q): Query<SsoStart>,
) -> PageResult {
    use base64::Engine;
    let (url, login) = state
        .identity
        .sso
        .start_browser_login(&provider, q.login_hint.as_deref())
        .await?;
    let next = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(local(q.next.as_deref()).as_bytes());
    let cookie = format!(
        "{SSO_COOKIE}={provider}.{}.{}.{}.{next}; Path=/; HttpOnly; SameSite=Lax; Max-Age=600; Secure",
        login.state, login.nonce, login.verifier
    );
    let mut response = Redirect::to(&url).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(response)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct SsoReturn {
    code: Option<String>,
    state: Option<String>,
    /// The provider's refusal (`access_denied`, ...).
    error: Option<String>,
}

/// Back from the provider: the code is exchanged, the ID token checked, and the browser gets
/// its session cookie.
#[utoipa::path(get, path = "/login/sso/{provider}/callback", tag = "web",
    params(("provider" = String, Path, description = "The provider's name"), SsoReturn),
    responses(PageResponses))]
async fn sso_callback(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    Path(provider): Path<String>,
    Query(q): Query<SsoReturn>,
) -> PageResult {
    use base64::Engine;
    // A return that does not belong to a login this browser started.
    let rejected = |why: &str| {
        ApiError::with_detail(
            abdi_proto::ErrorCode::InvalidQuery,
            format!(
                "Kembali dari SSO tanpa login yang dimulai di peramban ini ({why}); masuk lagi."
            ),
            format!("Back from SSO without a login started in this browser ({why}); log in again."),
        )
    };
    let kept = crate::http::auth::cookie(&headers, SSO_COOKIE)
        .ok_or_else(|| rejected("no login in progress"))?;
    let parts: Vec<&str> = kept.split('.').collect();
    let [name, login_state, nonce, verifier, next] = parts[..] else {
        return Err(rejected("login in progress unreadable").into());
    };
    if let Some(e) = &q.error {
        return Err(crate::identity::IdentityError::SsoRejected(e.clone()).into());
    }
    if name != provider || q.state.as_deref() != Some(login_state) {
        return Err(rejected("state does not match").into());
    }
    let login = abdi_proto::identity::SsoLogin {
        code: q.code.unwrap_or_default(),
        code_verifier: verifier.to_owned(),
        state: login_state.to_owned(),
        nonce: nonce.to_owned(),
        device: DeviceInfo {
            device_name: browser_name(&headers),
            platform: "web".into(),
        },
    };
    let (token, session) = state.identity.sso.login(&provider, &login, &client).await?;
    let next = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(next)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_else(|| "/".into());
    let mut response = (
        session_cookie(&state, &token, &session),
        Redirect::to(local(Some(&next))),
    )
        .into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "__Host-abdi_sso=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure",
        ),
    );
    Ok(response)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(super) struct CsrfOnly {
    pub csrf: String,
}

/// Log out of this browser.
#[utoipa::path(post, path = "/logout", tag = "web",
    request_body(content = CsrfOnly, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn logout(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    log_out(&state, &client, &v.caller()?.current).await?;
    Ok((
        crate::http::routes::identity::clear_cookie(),
        Redirect::to("/login"),
    )
        .into_response())
}

/// Switch the pages' language (`id` or `en`), remembered in a cookie.
#[utoipa::path(get, path = "/lang/{lang}", tag = "web",
    params(("lang" = String, Path, description = "`id` or `en`"), Next),
    responses(PageResponses))]
async fn choose_language(Path(lang): Path<String>, Query(q): Query<Next>) -> PageResult {
    let lang = match lang.as_str() {
        "en" => "en",
        _ => "id",
    };
    let cookie = format!("{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax");
    let mut response = Redirect::to(local(q.next.as_deref())).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(response)
}

/// The visitor's devices (sessions) and passkeys.
#[utoipa::path(get, path = "/devices", tag = "web", responses(PageResponses))]
async fn devices(State(state): State<AppState>, Signed(v): Signed) -> PageResult {
    let current = &v.caller()?.current;
    let me = current.session.employee_id;
    let sessions = state.identity.sessions.list(me).await?;
    let passkeys = state.identity.passkeys.list(me).await?;
    page(shell(
        &v,
        v.t("Perangkat dan passkey", "Devices and passkeys"),
        html! {
            section.card {
                h2 { (v.t("Perangkat yang masuk", "Devices logged in")) }
                table {
                    thead { tr { th { (v.t("Perangkat", "Device")) } th { (v.t("Terakhir dipakai", "Last used")) } th {} } }
                    tbody {
                        @for (_, s) in &sessions {
                            tr {
                                td { (s.device_name) " (" (s.platform) ")" @if s.id == current.session.id { " · " strong { (v.t("ini", "this one")) } } }
                                td { (when(s.last_seen_at)) }
                                td {
                                    @if s.id != current.session.id {
                                        form method="post" action={ "/devices/" (s.id) "/end" } {
                                            (csrf_field(&v))
                                            button.secondary type="submit" { (v.t("Keluarkan", "Log out")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section.card {
                h2 { "Passkey" }
                ul.plain {
                    @for p in &passkeys {
                        li {
                            (p.name) " · " (v.t("dibuat", "created")) " " (when(p.created_at))
                            form.inline method="post" action={ "/passkeys/" (p.id) "/remove" } data-step-up {
                                (csrf_field(&v))
                                button.secondary type="submit" { (v.t("Hapus", "Remove")) }
                            }
                        }
                    }
                }
                p { a.button href="/passkeys/new" { (v.t("Tambah passkey", "Add a passkey")) } }
            }
        },
    ))
}

/// Log another device out.
#[utoipa::path(post, path = "/devices/{id}/end", tag = "web",
    params(("id" = Uuid, Path, description = "Session id")),
    request_body(content = CsrfOnly, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn end_session(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Path(id): Path<Uuid>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    end_device(&state, &client, v.caller()?.current.session.employee_id, id).await?;
    see("/devices")
}

/// Remove a passkey (with a fresh step-up, as in the app).
#[utoipa::path(post, path = "/passkeys/{id}/remove", tag = "web",
    params(("id" = Uuid, Path, description = "Passkey id")),
    request_body(content = CsrfOnly, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn remove_passkey(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Path(id): Path<Uuid>,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    state
        .identity
        .passkeys
        .remove(&v.caller()?.current, id, &client)
        .await?;
    see("/devices")
}

/// Android App Links: the app (by package and signing certificate) may open Abdi's links.
#[utoipa::path(get, path = "/.well-known/assetlinks.json", tag = "web",
    responses(
        (status = 200, description = "The Digital Asset Links statement", body = Object),
        (status = 404, description = "No Android app is configured (`identity.android_package`)", body = abdi_proto::Problem, content_type = "application/problem+json"),
    ))]
async fn asset_links(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let id = &state.config.identity;
    let package = id
        .android_package
        .as_ref()
        .filter(|_| !id.android_cert_sha256.is_empty())
        .ok_or_else(|| ApiError::new(abdi_proto::ErrorCode::NotFound))?;
    Ok(Json(json!([{
        "relation": ["delegate_permission/common.handle_all_urls", "delegate_permission/common.get_login_creds"],
        "target": {
            "namespace": "android_app",
            "package_name": package,
            "sha256_cert_fingerprints": id.android_cert_sha256,
        }
    }])))
}

/// iOS Universal Links and passkeys (webcredentials) for the app of the configured team.
#[utoipa::path(get, path = "/.well-known/apple-app-site-association", tag = "web",
    responses(
        (status = 200, description = "The apple-app-site-association file", body = Object),
        (status = 404, description = "No iOS app is configured (`identity.ios_team_id`, `identity.ios_bundle_id`)", body = abdi_proto::Problem, content_type = "application/problem+json"),
    ))]
async fn apple_site_association(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let id = &state.config.identity;
    let (Some(team), Some(bundle)) = (&id.ios_team_id, &id.ios_bundle_id) else {
        return Err(ApiError::new(abdi_proto::ErrorCode::NotFound));
    };
    let app = format!("{team}.{bundle}");
    Ok(Json(json!({
        "applinks": { "details": [{ "appIDs": [app], "components": [
            { "/": "/activate", "comment": "activation links" },
            { "/": "/requests/*", "comment": "a request" },
            { "/": "/letters/*", "comment": "a letter" }
        ] }] },
        "webcredentials": { "apps": [app] }
    })))
}
