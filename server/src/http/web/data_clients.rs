//! Administrators' screens for data sharing: the registry of client systems (register on a
//! unit's letter, rotate the credential, suspend, resume, revoke; each a fresh step-up) and the
//! log of their calls with the yearly export. Every write goes through the same capability
//! call as the API.

use abdi_proto::sharing::{
    Agreement, AuthMethod, ClientAuth, ClientStatus, Contact, CredentialRotation, DataClient,
    DataScope, IssuedClient, NewDataClient,
};
use axum::Form;
use axum::extract::{Query, State};
use maud::{Markup, html};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::layout::{csrf_field, day, notice, problem, shell, when};
use super::{PageResponses, PageResult, Signed, Visitor, date, page, see};
use crate::error::ApiError;
use crate::http::extract::Path;
use crate::identity::audit::Origin as Client;
use crate::sharing::clients::StatusAction;
use crate::state::AppState;
use crate::store::page::{Cursor, Page};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(clients, register_client))
        .routes(routes!(rotate_client))
        .routes(routes!(suspend_client))
        .routes(routes!(resume_client))
        .routes(routes!(revoke_client))
        .routes(routes!(access_log))
}

/// The registered systems and the form that registers one.
#[utoipa::path(
    get,
    path = "/admin/data-clients",
    tag = "web",
    responses(PageResponses)
)]
async fn clients(State(state): State<AppState>, Signed(v): Signed) -> PageResult {
    clients_page(&state, &v, None, None).await
}

async fn clients_page(
    state: &AppState,
    v: &Visitor,
    sent: Option<&RegisterForm>,
    error: Option<&ApiError>,
) -> PageResult {
    let list = state.sharing.clients(&v.caller()?.actor).await?;
    let markup = shell(
        v,
        v.t("Sistem penerima data", "Client systems"),
        html! {
            @if let Some(e) = error { (notice("error", problem(e))) }
            p.hint { (v.t(
                "Sistem instansi lain membaca data pegawai melalui /api/data/v1 dengan kredensialnya sendiri, hanya dari alamat yang didaftarkan dan hanya data dalam cakupannya. Setiap panggilan dicatat.",
                "Other agencies' systems read staff data through /api/data/v1 with their own credentials, only from the registered addresses and only the data in their scopes. Every call is logged.")) }
            p { a href="/admin/data-access" { (v.t("Log akses data", "Data access log")) } }
            section.card {
                h2 { (v.t("Terdaftar", "Registered")) }
                @if list.is_empty() {
                    p { (v.t("Belum ada sistem terdaftar.", "No system is registered yet.")) }
                } @else {
                    table #data-clients {
                        thead { tr {
                            th { (v.t("Sistem", "System")) } th { (v.t("Perjanjian", "Agreement")) }
                            th { (v.t("Jaringan dan cakupan", "Networks and scopes")) }
                            th { (v.t("Status", "Status")) } th {}
                        } }
                        tbody { @for c in &list { (client_row(v, c)) } }
                    }
                }
            }
            (register_form(v, sent))
        },
    );
    let status = error
        .and_then(|e| axum::http::StatusCode::from_u16(e.code.status()).ok())
        .unwrap_or(axum::http::StatusCode::OK);
    Ok(axum::response::IntoResponse::into_response((
        status, markup,
    )))
}

fn status_text(v: &Visitor, s: ClientStatus) -> &'static str {
    match s {
        ClientStatus::Active => v.t("aktif", "active"),
        ClientStatus::Suspended => v.t("ditangguhkan", "suspended"),
        ClientStatus::Expired => v.t("perjanjian berakhir", "agreement expired"),
        ClientStatus::Revoked => v.t("dicabut", "revoked"),
    }
}

fn client_row(v: &Visitor, c: &DataClient) -> Markup {
    let action = |path: &str, label: &str, class: &str| {
        html! {
            form method="post" action={ "/admin/data-clients/" (c.id) "/" (path) } data-step-up {
                (csrf_field(v))
                label.sr for={ (path) "-" (c.id) } { (v.t("Alasan", "Reason")) }
                input id={ (path) "-" (c.id) } name="reason" required placeholder=(v.t("Alasan", "Reason"));
                button class=(class) type="submit" { (label) }
            }
        }
    };
    html! {
        tr {
            td { strong { (c.agency) } br; (c.unit) br; small { code { (c.client_id) } " · " (match c.auth_method { AuthMethod::ClientSecret => "client_secret", AuthMethod::PrivateKeyJwt => "private_key_jwt", AuthMethod::TlsClientAuth => "tls_client_auth" }) } }
            td {
                @if let Some(request) = c.request_id {
                    a href={ "/requests/" (request) } { (c.agreement.number) }
                } @else { (c.agreement.number) }
                br; small { (day(c.agreement.date)) " – " (day(c.agreement.expires_on)) }
            }
            td {
                (c.networks.join(", ")) br; small { (c.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")) }
                @if !c.persons.is_empty() {
                    br; small { (v.t("Hanya pegawai: ", "Only employees: ")) (c.persons.join(", ")) }
                }
            }
            td {
                (status_text(v, c.status)) @if let Some(r) = &c.status_reason { br; small { (r) } }
                @if c.credential_pending { br; strong { (v.t("Kredensial belum diterbitkan", "No credential issued yet")) } }
            }
            td {
                @if c.status != ClientStatus::Revoked {
                    @if c.credential_pending {
                        (action("rotate", v.t("Terbitkan kredensial", "Issue the credential"), ""))
                    } @else if c.auth_method == AuthMethod::ClientSecret {
                        (action("rotate", v.t("Ganti rahasia", "New secret"), "secondary"))
                    }
                    @if c.status == ClientStatus::Suspended {
                        (action("resume", v.t("Aktifkan lagi", "Resume"), "secondary"))
                    } @else {
                        (action("suspend", v.t("Tangguhkan", "Suspend"), "secondary"))
                    }
                    (action("revoke", v.t("Cabut", "Revoke"), "danger"))
                }
            }
        }
    }
}

fn register_form(v: &Visitor, sent: Option<&RegisterForm>) -> Markup {
    let s = |f: fn(&RegisterForm) -> &str| sent.map_or("", f);
    let checked = |scope: DataScope| {
        sent.map_or(DataScope::DEFAULT.contains(&scope), |f| {
            f.scopes().contains(&scope)
        })
    };
    html! {
        form.card #register method="post" action="/admin/data-clients" data-step-up {
            h2 { (v.t("Daftarkan sistem", "Register a system")) }
            (csrf_field(v))
            div.field { label for="c-agency" { (v.t("Instansi", "Agency")) } input #c-agency name="agency" required value=(s(|f| &f.agency)); }
            div.field { label for="c-unit" { (v.t("Unit pemohon", "Requesting unit")) } input #c-unit name="unit" required value=(s(|f| &f.unit)); }
            div.field { label for="c-number" { (v.t("Nomor perjanjian / surat", "Agreement / letter number")) } input #c-number name="agreement_number" required value=(s(|f| &f.agreement_number)); }
            div.field { label for="c-date" { (v.t("Tanggal perjanjian", "Agreement date")) } input #c-date type="date" name="agreement_date" required value=(s(|f| &f.agreement_date)); }
            div.field { label for="c-expires" { (v.t("Berlaku sampai", "In force until")) } input #c-expires type="date" name="expires_on" required value=(s(|f| &f.expires_on)); }
            div.field { label for="c-purpose" { (v.t("Tujuan penggunaan data", "Purpose of the data")) } textarea #c-purpose name="purpose" required { (s(|f| &f.purpose)) } }
            div.field { label for="c-contact" { (v.t("Narahubung", "Contact")) } input #c-contact name="contact_name" required value=(s(|f| &f.contact_name)); }
            div.field { label for="c-email" { (v.t("Email narahubung", "Contact's email")) } input #c-email type="email" name="contact_email" required value=(s(|f| &f.contact_email)); }
            div.field { label for="c-networks" { (v.t("Alamat IP / jaringan (CIDR), pisahkan dengan koma", "IP addresses / networks (CIDR), comma-separated")) } input #c-networks name="networks" required value=(s(|f| &f.networks)); }
            div.field { label for="c-units" { (v.t("Kode unit yang boleh dibaca, pisahkan dengan koma", "Unit codes it may read, comma-separated")) } input #c-units name="units" required value=(s(|f| &f.units)); }
            fieldset.field {
                legend { (v.t("Cakupan data", "Scopes")) }
                @for scope in DataScope::ALL {
                    label.check {
                        input type="checkbox" name=(scope.as_str()) value="on" checked[checked(scope)];
                        " " code { (scope.as_str()) }
                        @if scope.sensitive() { " " strong { (v.t("(data pribadi spesifik)", "(specific personal data)")) } }
                    }
                }
            }
            div.field {
                label for="c-key" { (v.t("Kunci publik untuk private_key_jwt, atau sertifikat klien untuk TLS mutual (opsional; tanpa keduanya, Abdi membuat client_secret)", "Public key for private_key_jwt, or the client certificate for mutual TLS (optional; without either Abdi makes a client_secret)")) }
                textarea #c-key name="public_key_pem" rows="4" placeholder="-----BEGIN PUBLIC KEY----- / -----BEGIN CERTIFICATE-----" { (s(|f| &f.public_key_pem)) }
            }
            button type="submit" { (v.t("Daftarkan (konfirmasi passkey)", "Register (confirm with passkey)")) }
            p.error hidden data-error {}
        }
    }
}

/// The register form as the browser sends it: the scopes are checkboxes named after them.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct RegisterForm {
    csrf: String,
    agency: String,
    unit: String,
    agreement_number: String,
    /// `YYYY-MM-DD`.
    agreement_date: String,
    /// `YYYY-MM-DD`.
    expires_on: String,
    purpose: String,
    contact_name: String,
    contact_email: String,
    /// Comma-separated.
    networks: String,
    /// Comma-separated unit codes.
    units: String,
    #[serde(default)]
    public_key_pem: String,
    /// The checked scopes, by name (`employees`, `employees.nik`, ...).
    #[serde(flatten)]
    #[schema(value_type = std::collections::HashMap<String, String>)]
    checked: std::collections::HashMap<String, String>,
}

impl RegisterForm {
    fn scopes(&self) -> Vec<DataScope> {
        DataScope::ALL
            .into_iter()
            .filter(|s| self.checked.contains_key(s.as_str()))
            .collect()
    }

    fn new_client(&self) -> Result<NewDataClient, ApiError> {
        let list = |raw: &str| {
            raw.split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        let key = self.public_key_pem.trim();
        let required = |field: &str, raw: &str| {
            date(field, Some(raw))?.ok_or_else(|| {
                ApiError::with_detail(
                    abdi_proto::ErrorCode::DataClientInvalid,
                    format!("Isi tanggal `{field}`."),
                    format!("Fill in the date `{field}`."),
                )
            })
        };
        Ok(NewDataClient {
            agency: self.agency.clone(),
            unit: self.unit.clone(),
            agreement: Agreement {
                number: self.agreement_number.clone(),
                date: required("agreement_date", &self.agreement_date)?,
                expires_on: required("expires_on", &self.expires_on)?,
            },
            purpose: self.purpose.clone(),
            contact: Contact {
                name: self.contact_name.clone(),
                email: self.contact_email.clone(),
                phone: None,
            },
            networks: list(&self.networks),
            scopes: self.scopes(),
            units: list(&self.units),
            auth: if key.is_empty() {
                ClientAuth::ClientSecret
            } else if key.contains("BEGIN CERTIFICATE") {
                ClientAuth::TlsClientAuth {
                    certificate_pem: key.to_owned(),
                }
            } else {
                ClientAuth::PrivateKeyJwt {
                    public_key_pem: key.to_owned(),
                }
            },
            rate_per_minute: None,
        })
    }
}

/// What the new credential is, shown this once.
fn issued_page(v: &Visitor, issued: &IssuedClient) -> Markup {
    shell(
        v,
        v.t("Kredensial sistem", "The system's credential"),
        html! {
            section.card #issued {
                h2 { (issued.client.agency) " · " (issued.client.unit) }
                dl.facts {
                    dt { "client_id" } dd { code #client-id { (issued.client.client_id) } }
                    @if let Some(secret) = &issued.client_secret {
                        dt { "client_secret" } dd { code #secret { (secret) } }
                    }
                }
                @if issued.client_secret.is_some() {
                    (notice("error", html! { p { (v.t(
                        "Salin rahasia ini sekarang dan serahkan kepada narahubung lewat saluran resmi. Abdi hanya menyimpan hash-nya: rahasia ini tidak akan ditampilkan lagi.",
                        "Copy this secret now and hand it to the contact through an official channel. Abdi keeps only its hash: it will not be shown again.")) } }))
                }
                p { a href="/admin/data-clients" { (v.t("Kembali ke daftar", "Back to the list")) } }
            }
        },
    )
}

/// Registers a system (a fresh step-up); its secret is shown once.
#[utoipa::path(post, path = "/admin/data-clients", tag = "web",
    request_body(content = RegisterForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn register_client(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Form(f): Form<RegisterForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let result = match f.new_client() {
        Ok(new) => state
            .sharing
            .register(&v.caller()?.actor, &client, new)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(issued) => secret_page(&v, &issued),
        Err(e) => clients_page(&state, &v, Some(&f), Some(&e)).await,
    }
}

/// The page with a credential, never kept by a cache.
fn secret_page(v: &Visitor, issued: &IssuedClient) -> PageResult {
    use axum::response::IntoResponse;
    let mut response = issued_page(v, issued).into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct ReasonForm {
    csrf: String,
    reason: String,
}

/// A new secret for a system (a fresh step-up): the old one stops at once.
#[utoipa::path(post, path = "/admin/data-clients/{id}/rotate", tag = "web",
    params(("id" = Uuid, Path, description = "The client's id")),
    request_body(content = ReasonForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn rotate_client(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Path(id): Path<Uuid>,
    Form(f): Form<ReasonForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let rotation = CredentialRotation {
        public_key_pem: None,
        certificate_pem: None,
        reason: f.reason,
    };
    let issued = state
        .sharing
        .rotate(&v.caller()?.actor, &client, id, rotation)
        .await?;
    secret_page(&v, &issued)
}

async fn change_status(
    state: &AppState,
    v: &Visitor,
    client: &Client,
    id: Uuid,
    action: StatusAction,
    f: ReasonForm,
) -> PageResult {
    v.check_form(&f.csrf)?;
    state
        .sharing
        .set_status(&v.caller()?.actor, client, id, action, &f.reason)
        .await?;
    see("/admin/data-clients")
}

/// Suspends a system (a fresh step-up): its next call is refused.
#[utoipa::path(post, path = "/admin/data-clients/{id}/suspend", tag = "web",
    params(("id" = Uuid, Path, description = "The client's id")),
    request_body(content = ReasonForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn suspend_client(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Path(id): Path<Uuid>,
    Form(f): Form<ReasonForm>,
) -> PageResult {
    change_status(&state, &v, &client, id, StatusAction::Suspend, f).await
}

/// Resumes a suspended system (a fresh step-up).
#[utoipa::path(post, path = "/admin/data-clients/{id}/resume", tag = "web",
    params(("id" = Uuid, Path, description = "The client's id")),
    request_body(content = ReasonForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn resume_client(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Path(id): Path<Uuid>,
    Form(f): Form<ReasonForm>,
) -> PageResult {
    change_status(&state, &v, &client, id, StatusAction::Resume, f).await
}

/// Revokes a system for good (a fresh step-up).
#[utoipa::path(post, path = "/admin/data-clients/{id}/revoke", tag = "web",
    params(("id" = Uuid, Path, description = "The client's id")),
    request_body(content = ReasonForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn revoke_client(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Path(id): Path<Uuid>,
    Form(f): Form<ReasonForm>,
) -> PageResult {
    change_status(&state, &v, &client, id, StatusAction::Revoke, f).await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct LogQuery {
    /// Only this client's calls.
    client_id: Option<Uuid>,
    /// The `next` of the previous page.
    after: Option<String>,
}

/// The calls to the data API, newest first, with the yearly export.
#[utoipa::path(
    get,
    path = "/admin/data-access",
    tag = "web",
    params(LogQuery),
    responses(PageResponses)
)]
async fn access_log(
    State(state): State<AppState>,
    Signed(v): Signed,
    Query(q): Query<LogQuery>,
) -> PageResult {
    let after = q.after.as_deref().and_then(i64::parse);
    let log = state
        .sharing
        .access_log(
            &v.caller()?.actor,
            q.client_id,
            None,
            Page { after, limit: 50 },
        )
        .await?;
    let year = chrono::Datelike::year(&state.clock.today());
    page(shell(
        &v,
        v.t("Log akses data", "Data access log"),
        html! {
            p {
                a href={ "/api/v1/admin/data-access/export?year=" (year) } { (v.t("Unduh CSV tahun ", "Download the CSV of ")) (year) }
                " · " a href="/admin/data-clients" { (v.t("Sistem penerima data", "Client systems")) }
            }
            table #data-access {
                thead { tr {
                    th { (v.t("Waktu", "When")) } th { (v.t("Sistem", "System")) } th { (v.t("Panggilan", "Call")) }
                    th { (v.t("Alamat", "Address")) } th { "Status" } th { (v.t("NIP", "NIPs")) }
                } }
                tbody { @for a in &log.items { tr {
                    td { (when(a.at)) }
                    td { (a.agency) br; small { (a.purpose) } }
                    td { code { (a.method) " " (a.path) } }
                    td { (a.address) }
                    td { (a.status) }
                    td { (a.nips.len()) @if let Some(first) = a.nips.first() { br; small { (first) @if a.nips.len() > 1 { " …" } } } }
                } } }
            }
            @if let Some(next) = &log.next {
                p { a href={ "/admin/data-access?after=" (next) } { (v.t("Lebih lama", "Older")) } }
            }
        },
    ))
}
