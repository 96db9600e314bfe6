//! `/api/v1/activation`, `/api/v1/auth/...` and `/api/v1/me...`: thin handlers over the
//! identity services.

use abdi_proto::Problem;
use abdi_proto::identity::{
    ActivationAccepted, ActivationRequest, EmailChange, EmailConfirmation, PasskeyAssertion,
    PasskeyChallenge, PasskeyInfo, PasskeyList, PasskeyRegistration, PhoneChange,
    PhoneConfirmation, Profile, RedeemRequest, SessionGranted, SessionInfo, SessionList, SsoLogin,
    SsoLogout, SsoProvider, SsoProviders, StepUp, VerificationSent,
};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::error::ApiError;
use crate::http::auth::{COOKIE, Caller, SessionToken};
use crate::http::extract::{Json, Path};
use crate::identity::IdentityError;
use crate::identity::audit::Origin;
use crate::identity::session::Session;
use crate::state::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(request_activation))
        .routes(routes!(redeem_activation))
        .routes(routes!(me))
        .routes(routes!(change_email))
        .routes(routes!(confirm_email))
        .routes(routes!(change_phone))
        .routes(routes!(confirm_phone))
        .routes(routes!(my_sessions, revoke_all_sessions))
        .routes(routes!(revoke_session))
        .routes(routes!(logout))
        .routes(routes!(refresh))
        .routes(routes!(start_passkey_registration))
        .routes(routes!(list_passkeys, finish_passkey_registration))
        .routes(routes!(remove_passkey))
        .routes(routes!(start_passkey_login))
        .routes(routes!(finish_passkey_login))
        .routes(routes!(start_step_up))
        .routes(routes!(finish_step_up))
        .routes(routes!(sso_providers))
        .routes(routes!(sso_login))
        .routes(routes!(sso_logout))
}

fn info(s: &Session, current: Option<Uuid>) -> SessionInfo {
    SessionInfo {
        id: s.id.to_string(),
        device_name: s.device_name.clone(),
        platform: s.platform.clone(),
        method: s.method.clone(),
        created_at: s.created_at,
        last_seen_at: s.last_seen_at,
        expires_at: s.expires_at,
        ip: s.ip.clone(),
        current: current == Some(s.id),
    }
}

/// A browser's session as the `__Host-` cookie (HttpOnly, Secure, SameSite=Lax); nothing for
/// the app, which keeps the token from the body.
pub(crate) fn session_cookie(state: &AppState, token: &str, session: &Session) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if session.platform != "web" {
        return headers;
    }
    let max_age = (session.expires_at - state.clock.now())
        .num_seconds()
        .max(0);
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}; Secure"
    )) {
        headers.insert(header::SET_COOKIE, v);
    }
    headers
}

/// A new or refreshed session: for the app the token in the body; for a browser
/// (`platform = "web"`) only the cookie, and the CSRF token its page sends with each write.
fn granted(
    state: &AppState,
    status: StatusCode,
    token: String,
    session: &Session,
) -> impl IntoResponse + use<> {
    let cookie = session_cookie(state, &token, session);
    let web = session.platform == "web";
    (
        status,
        cookie,
        axum::Json(SessionGranted {
            csrf_token: web.then(|| crate::identity::token::csrf(&token)),
            token: (!web).then_some(token),
            session: info(session, Some(session.id)),
        }),
    )
}

pub(crate) fn clear_cookie() -> [(header::HeaderName, &'static str); 1] {
    [(
        header::SET_COOKIE,
        "__Host-abdi_session=; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0",
    )]
}

/// Ask for an activation link: sent to the official email when NIP and email match the
/// personnel record. The answer is the same either way.
#[utoipa::path(post, path = "/activation", tag = "identity", request_body = ActivationRequest,
    responses(
        (status = 202, description = "Accepted (whether or not anything matched)", body = ActivationAccepted),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "`invalid_nip`, `invalid_email`, `email_domain_not_allowed`, `invalid_phone`, `invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`, with Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
async fn request_activation(
    State(state): State<AppState>,
    origin: Origin,
    Json(req): Json<ActivationRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let accepted = state.identity.activation.request(&req, &origin).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(accepted)))
}

/// Use the token from the activation link (once) and open a session on this device.
#[utoipa::path(post, path = "/activation/redeem", tag = "identity", request_body = RedeemRequest,
    responses(
        (status = 201, description = "A new session", body = SessionGranted),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "`activation_invalid`: unknown, expired or used token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn redeem_activation(
    State(state): State<AppState>,
    origin: Origin,
    Json(req): Json<RedeemRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let (token, session) = state.identity.activation.redeem(&req, &origin).await?;
    Ok(granted(&state, StatusCode::CREATED, token, &session))
}

/// Ask to change one's own official email: a confirmation link goes to the new address, and
/// nothing changes until it is opened in this account. Nobody else can change it.
#[utoipa::path(post, path = "/me/email", tag = "identity", security(("bearer" = [])),
    request_body = EmailChange,
    responses(
        (status = 202, description = "The link is on its way", body = VerificationSent),
        (status = 400, description = "`invalid_email`, `email_domain_not_allowed`, `invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email_in_use`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`, with Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`unavailable`: the mail could not be handed over, with Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
async fn change_email(
    State(state): State<AppState>,
    caller: Caller,
    origin: Origin,
    Json(req): Json<EmailChange>,
) -> Result<impl IntoResponse, ApiError> {
    let me = caller.actor.employee_id;
    let sent = state
        .identity
        .contact
        .request_email(me, &req.email, &origin)
        .await?;
    Ok((StatusCode::ACCEPTED, axum::Json(sent)))
}

/// Confirm the new email with the token from the mailed link (once, in the account that asked).
#[utoipa::path(post, path = "/me/email/confirm", tag = "identity", security(("bearer" = [])),
    request_body = EmailConfirmation,
    responses(
        (status = 200, description = "The email is changed", body = Profile),
        (status = 400, description = "`verification_invalid`, `invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email_in_use`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn confirm_email(
    State(state): State<AppState>,
    caller: Caller,
    origin: Origin,
    Json(req): Json<EmailConfirmation>,
) -> Result<axum::Json<Profile>, ApiError> {
    let me = caller.actor.employee_id;
    state
        .identity
        .contact
        .confirm_email(me, &req.token, &origin)
        .await?;
    profile_of(&state, me).await
}

/// Ask to change one's own mobile number: a six-digit code goes to it by SMS, and nothing
/// changes until it is typed back. Nobody else can change it.
#[utoipa::path(post, path = "/me/phone", tag = "identity", security(("bearer" = [])),
    request_body = PhoneChange,
    responses(
        (status = 202, description = "The code is on its way", body = VerificationSent),
        (status = 400, description = "`invalid_phone`, `invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`, with Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`unavailable`: the message could not be handed over, with Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
async fn change_phone(
    State(state): State<AppState>,
    caller: Caller,
    origin: Origin,
    Json(req): Json<PhoneChange>,
) -> Result<impl IntoResponse, ApiError> {
    let me = caller.actor.employee_id;
    let sent = state
        .identity
        .contact
        .request_phone(me, &req.phone, &origin)
        .await?;
    Ok((StatusCode::ACCEPTED, axum::Json(sent)))
}

/// Confirm the new number with the code sent to it (five wrong codes void it).
#[utoipa::path(post, path = "/me/phone/confirm", tag = "identity", security(("bearer" = [])),
    request_body = PhoneConfirmation,
    responses(
        (status = 200, description = "The number is changed", body = Profile),
        (status = 400, description = "`verification_invalid`, `invalid_body`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn confirm_phone(
    State(state): State<AppState>,
    caller: Caller,
    origin: Origin,
    Json(req): Json<PhoneConfirmation>,
) -> Result<axum::Json<Profile>, ApiError> {
    let me = caller.actor.employee_id;
    state
        .identity
        .contact
        .confirm_phone(me, &req.code, &origin)
        .await?;
    profile_of(&state, me).await
}

async fn profile_of(state: &AppState, id: uuid::Uuid) -> Result<axum::Json<Profile>, ApiError> {
    let profile = state
        .identity
        .directory
        .profile(id)
        .await
        .map_err(IdentityError::from)?
        .ok_or(IdentityError::Unauthenticated)?;
    Ok(axum::Json(profile))
}

/// The employee's own record.
#[utoipa::path(get, path = "/me", tag = "identity", security(("bearer" = [])),
    responses(
        (status = 200, description = "Profile", body = Profile),
    ))]
async fn me(
    State(state): State<AppState>,
    token: SessionToken,
) -> Result<axum::Json<Profile>, ApiError> {
    Ok(axum::Json(state.identity.me(&token.0).await?))
}

/// The employee's devices (live sessions), newest first.
#[utoipa::path(get, path = "/me/sessions", tag = "identity", security(("bearer" = [])),
    responses(
        (status = 200, description = "Sessions", body = SessionList),
    ))]
async fn my_sessions(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<SessionList>, ApiError> {
    let sessions = state
        .identity
        .sessions
        .list(caller.current.session.employee_id)
        .await?;
    Ok(axum::Json(SessionList {
        sessions: sessions
            .iter()
            .map(|(_, s)| info(s, Some(caller.current.session.id)))
            .collect(),
    }))
}

/// End every session of the employee, this one included (a lost phone).
#[utoipa::path(delete, path = "/me/sessions", tag = "identity", security(("bearer" = [])),
    responses(
        (status = 204, description = "All sessions ended"),
    ))]
async fn revoke_all_sessions(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    let id = caller.current.session.employee_id;
    let n = state.identity.sessions.revoke_all(id).await?;
    state.notifications.devices.forget_employee(id).await?;
    state
        .identity
        .audit(
            &origin,
            "sessions_revoked_all",
            Some(id),
            Some(format!("{n} sessions")),
        )
        .await;
    Ok((StatusCode::NO_CONTENT, clear_cookie()))
}

/// End one of the employee's sessions.
#[utoipa::path(delete, path = "/me/sessions/{id}", tag = "identity", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Session id from the list")),
    responses(
        (status = 204, description = "Session ended"),
        (status = 400, description = "`invalid_path`: not a session id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`session_not_found`: not one of yours", body = Problem, content_type = "application/problem+json"),
    ))]
async fn revoke_session(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    end_device(&state, &origin, caller.current.session.employee_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends one of the employee's sessions (a device) with its push devices, in the audit log.
pub(crate) async fn end_device(
    state: &AppState,
    origin: &Origin,
    employee: Uuid,
    id: Uuid,
) -> Result<(), ApiError> {
    state.identity.sessions.revoke(employee, id).await?;
    state.notifications.devices.forget_session(id).await?;
    state
        .identity
        .audit(
            origin,
            "session_revoked",
            Some(employee),
            Some(format!("session {id}")),
        )
        .await;
    Ok(())
}

/// End this session.
#[utoipa::path(post, path = "/auth/logout", tag = "identity", security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out"),
    ))]
async fn logout(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    log_out(&state, &origin, &caller.current).await?;
    Ok((StatusCode::NO_CONTENT, clear_cookie()))
}

/// Ends the caller's session with its push devices, in the audit log (the app and the web).
pub(crate) async fn log_out(
    state: &AppState,
    origin: &Origin,
    current: &crate::identity::session::Current,
) -> Result<(), ApiError> {
    state.identity.sessions.end(current).await?;
    state
        .notifications
        .devices
        .forget_session(current.session.id)
        .await?;
    state
        .identity
        .audit(origin, "logout", Some(current.session.employee_id), None)
        .await;
    Ok(())
}

/// Replace this session's token (the old one stops working); the session keeps its lifetime.
#[utoipa::path(post, path = "/auth/refresh", tag = "identity", security(("bearer" = [])),
    responses(
        (status = 200, description = "A new token for the same session", body = SessionGranted),
    ))]
async fn refresh(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    let token = state.identity.sessions.rotate(&caller.current).await?;
    state
        .identity
        .audit(
            &origin,
            "session_refreshed",
            Some(caller.current.session.employee_id),
            None,
        )
        .await;
    Ok(granted(
        &state,
        StatusCode::OK,
        token,
        &caller.current.session,
    ))
}

fn passkey_info(row: &crate::identity::passkeys::entity::Model) -> PasskeyInfo {
    PasskeyInfo {
        id: row.id.to_string(),
        name: row.name.clone(),
        created_at: row.created_at,
        last_used_at: row.last_used_at,
    }
}

fn challenge(id: String, options: impl serde::Serialize) -> axum::Json<PasskeyChallenge> {
    axum::Json(PasskeyChallenge {
        challenge_id: id,
        options: serde_json::to_value(options).unwrap_or_default(),
    })
}

/// Start registering a passkey on this device (hand `options` to the platform).
#[utoipa::path(post, path = "/me/passkeys/registration", tag = "identity", security(("bearer" = [])),
    responses(
        (status = 200, description = "WebAuthn creation options", body = PasskeyChallenge),
    ))]
async fn start_passkey_registration(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<PasskeyChallenge>, ApiError> {
    let (id, options) = state
        .identity
        .passkeys
        .start_registration(&caller.current)
        .await?;
    Ok(challenge(id, options))
}

/// Finish registering a passkey, with a name the employee recognises.
#[utoipa::path(post, path = "/me/passkeys", tag = "identity", security(("bearer" = [])),
    request_body = PasskeyRegistration,
    responses(
        (status = 201, description = "Registered", body = PasskeyInfo),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "`ceremony_invalid`, `invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`, `passkey_rejected`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn finish_passkey_registration(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Json(req): Json<PasskeyRegistration>,
) -> Result<impl IntoResponse, ApiError> {
    let row = state
        .identity
        .passkeys
        .finish_registration(
            &caller.current,
            &req.challenge_id,
            &req.name,
            req.credential,
            &origin,
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(passkey_info(&row))))
}

/// The employee's passkeys.
#[utoipa::path(get, path = "/me/passkeys", tag = "identity", security(("bearer" = [])),
    responses(
        (status = 200, description = "Passkeys", body = PasskeyList),
    ))]
async fn list_passkeys(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<PasskeyList>, ApiError> {
    let rows = state
        .identity
        .passkeys
        .list(caller.current.session.employee_id)
        .await?;
    Ok(axum::Json(PasskeyList {
        passkeys: rows.iter().map(passkey_info).collect(),
    }))
}

/// Remove a passkey. Needs a fresh step-up; the last way in cannot be removed.
#[utoipa::path(delete, path = "/me/passkeys/{id}", tag = "identity", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Passkey id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "`step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`passkey_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`last_credential`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn remove_passkey(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state
        .identity
        .passkeys
        .remove(&caller.current, id, &origin)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Start a passkey login: no name needed, the phone offers its passkeys for Abdi.
#[utoipa::path(post, path = "/auth/passkey/challenge", tag = "identity",
    responses(
        (status = 200, description = "WebAuthn request options", body = PasskeyChallenge),
        (status = 429, description = "`rate_limited`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn start_passkey_login(
    State(state): State<AppState>,
    origin: Origin,
) -> Result<axum::Json<PasskeyChallenge>, ApiError> {
    let (id, options) = state.identity.passkeys.start_login(&origin).await?;
    Ok(challenge(id, options))
}

/// Finish a passkey login and open a session on this device.
#[utoipa::path(post, path = "/auth/passkey", tag = "identity", request_body = PasskeyAssertion,
    responses(
        (status = 201, description = "A new session", body = SessionGranted),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "`ceremony_invalid`, `invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`passkey_rejected`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn finish_passkey_login(
    State(state): State<AppState>,
    origin: Origin,
    Json(req): Json<PasskeyAssertion>,
) -> Result<impl IntoResponse, ApiError> {
    let (token, session) = state
        .identity
        .passkeys
        .finish_login(
            &req.challenge_id,
            req.credential,
            req.device.as_ref(),
            &origin,
        )
        .await?;
    Ok(granted(&state, StatusCode::CREATED, token, &session))
}

/// Start a step-up: confirm with one of your passkeys before a sensitive action.
#[utoipa::path(post, path = "/me/step-up/challenge", tag = "identity", security(("bearer" = [])),
    responses(
        (status = 200, description = "WebAuthn request options", body = PasskeyChallenge),
        (status = 404, description = "`passkey_not_found`: enrol a passkey first", body = Problem, content_type = "application/problem+json"),
    ))]
async fn start_step_up(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<PasskeyChallenge>, ApiError> {
    let (id, options) = state
        .identity
        .passkeys
        .start_step_up(&caller.current)
        .await?;
    Ok(challenge(id, options))
}

/// Finish a step-up: this session may do sensitive actions for the configured time.
#[utoipa::path(post, path = "/me/step-up", tag = "identity", security(("bearer" = [])),
    request_body = PasskeyAssertion,
    responses(
        (status = 200, description = "Verified", body = StepUp),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "`ceremony_invalid`, `invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`, `passkey_rejected`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn finish_step_up(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
    Json(req): Json<PasskeyAssertion>,
) -> Result<axum::Json<StepUp>, ApiError> {
    let passkeys = &state.identity.passkeys;
    let verified_at = passkeys
        .finish_step_up(&caller.current, &req.challenge_id, req.credential, &origin)
        .await?;
    Ok(axum::Json(StepUp {
        verified_at,
        valid_until: verified_at + passkeys.step_up_max_age(),
    }))
}

/// The OpenID Connect providers the app can offer.
#[utoipa::path(get, path = "/auth/sso", tag = "identity",
    responses(
        (status = 200, description = "Configured providers", body = SsoProviders),
        (status = 500, description = "`internal`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn sso_providers(State(state): State<AppState>) -> axum::Json<SsoProviders> {
    axum::Json(SsoProviders {
        providers: state
            .identity
            .sso
            .providers()
            .map(|p| SsoProvider {
                name: p.name.clone(),
                issuer: p.issuer.clone(),
                client_id: p.client_id.clone(),
                redirect_uri: p.redirect_uri.clone(),
                scopes: p.scopes.clone(),
            })
            .collect(),
    })
}

/// Finish an SSO login: the server redeems the code, verifies the ID token and maps its NIP
/// claim to an employee.
#[utoipa::path(post, path = "/auth/sso/{provider}", tag = "identity", request_body = SsoLogin,
    params(("provider" = String, Path, description = "Provider name from GET /auth/sso")),
    responses(
        (status = 201, description = "A new session", body = SessionGranted),
        (status = 415, description = "`unsupported_media_type`: send application/json", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "`invalid_body`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`sso_rejected`: bad code, nonce, audience, expiry or signature", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`sso_unknown_identity`: no employee has that NIP claim", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`sso_provider_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`sso_unavailable`: the provider cannot be reached", body = Problem, content_type = "application/problem+json"),
    ))]
async fn sso_login(
    State(state): State<AppState>,
    origin: Origin,
    Path(provider): Path<String>,
    Json(req): Json<SsoLogin>,
) -> Result<impl IntoResponse, ApiError> {
    let (token, session) = state.identity.sso.login(&provider, &req, &origin).await?;
    Ok(granted(&state, StatusCode::CREATED, token, &session))
}

/// End this session and, for an SSO session, get the provider's logout URL to open.
#[utoipa::path(post, path = "/auth/sso/logout", tag = "identity", security(("bearer" = [])),
    responses(
        (status = 200, description = "Logged out here; open end_session_url to log out there", body = SsoLogout),
    ))]
async fn sso_logout(
    State(state): State<AppState>,
    origin: Origin,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    let url = match &caller.current.session.sso {
        Some(link) => state.identity.sso.end_session_url(link).await,
        None => None,
    };
    state.identity.sessions.end(&caller.current).await?;
    state
        .notifications
        .devices
        .forget_session(caller.current.session.id)
        .await?;
    state
        .identity
        .audit(
            &origin,
            "logout",
            Some(caller.current.session.employee_id),
            Some("sso".into()),
        )
        .await;
    Ok((
        clear_cookie(),
        axum::Json(SsoLogout {
            end_session_url: url,
        }),
    ))
}
