//! Administrators keep the organisation from the desk: units and posts added, renamed, moved
//! and closed by decree, each with a fresh step-up, through the same calls as the API
//! (`agency::organisation`), and the history of each unit.

use abdi_proto::master::{PositionKind, UnitLevel, Vocabulary};
use abdi_proto::organisation::{
    Closure, NewPost, NewUnit, OrganisationDecree, UnitAmendment, UnitDetail,
};
use axum::Form;
use axum::extract::State;
use maud::{Markup, html};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::layout::{csrf_field, day, shell, when};
use super::{PageResponses, PageResult, Signed, Visitor, WebError, page, see};
use crate::error::ApiError;
use crate::http::extract::Path;
use crate::identity::audit::Origin as Client;
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(units, add_unit))
        .routes(routes!(unit, amend_unit))
        .routes(routes!(close_unit))
        .routes(routes!(add_post))
        .routes(routes!(close_post))
}

/// The decree fields every write carries.
fn decree_fields(v: &Visitor, prefix: &str) -> Markup {
    html! {
        div.pair {
            div.field { label for={ (prefix) "-number" } { (v.t("Nomor SK", "Decree number")) } input id={ (prefix) "-number" } name="decree_number" required; }
            div.field { label for={ (prefix) "-date" } { (v.t("Tanggal SK", "Decree date")) } input id={ (prefix) "-date" } type="date" name="decree_date" required; }
        }
    }
}

fn decree(number: String, day: &str) -> Result<OrganisationDecree, WebError> {
    let date = super::date("decree_date", Some(day))?.ok_or_else(|| {
        ApiError::with_detail(
            abdi_proto::ErrorCode::InvalidBody,
            "Tanggal SK wajib diisi.",
            "The decree date is required.",
        )
    })?;
    Ok(OrganisationDecree { number, date })
}

fn some(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Every unit, closed ones included, and the form for a new one.
#[utoipa::path(
    get,
    path = "/admin/organisation",
    tag = "web",
    responses(PageResponses)
)]
async fn units(State(state): State<AppState>, Signed(v): Signed) -> PageResult {
    let units = state.agency.units(&v.caller()?.actor).await?;
    page(shell(
        &v,
        v.t("Organisasi", "Organisation"),
        html! {
            form.card #new-unit method="post" action="/admin/organisation" data-step-up {
                h2 { (v.t("Tambah unit", "Add a unit")) }
                (csrf_field(&v))
                div.pair {
                    div.field { label for="u-code" { (v.t("Kode", "Code")) } input #u-code name="code" required; }
                    div.field { label for="u-name" { (v.t("Nama", "Name")) } input #u-name name="name" required; }
                }
                div.pair {
                    div.field {
                        label for="u-level" { (v.t("Tingkat", "Level")) }
                        select #u-level name="level" { @for l in UnitLevel::ALL { option value=(l.code()) { (l.code()) } } }
                    }
                    div.field { label for="u-parent" { (v.t("Di bawah unit (kode)", "Under unit (code)")) } input #u-parent name="parent_code"; }
                }
                (decree_fields(&v, "u"))
                button type="submit" { (v.t("Tambah (konfirmasi passkey)", "Add (confirm with passkey)")) }
                p.error hidden data-error {}
            }
            table #units {
                thead { tr { th { (v.t("Kode", "Code")) } th { (v.t("Nama", "Name")) } th { (v.t("Di bawah", "Under")) } th { (v.t("Ditutup", "Closed")) } } }
                tbody {
                    @for u in &units {
                        tr {
                            td { a href={ "/admin/organisation/" (u.code) } { code { (u.code) } } }
                            td { (u.name) } td { (u.parent_code.as_deref().unwrap_or("-")) }
                            td { (u.closed_on.map(day).unwrap_or_default()) }
                        }
                    }
                }
            }
        },
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct UnitForm {
    csrf: String,
    code: String,
    name: String,
    level: UnitLevel,
    parent_code: Option<String>,
    decree_number: String,
    /// `YYYY-MM-DD`.
    decree_date: String,
}

/// Adds a unit by decree.
#[utoipa::path(post, path = "/admin/organisation", tag = "web",
    request_body(content = UnitForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn add_unit(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Form(f): Form<UnitForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let new = NewUnit {
        code: f.code.trim().to_owned(),
        name: f.name,
        level: f.level,
        parent_code: some(f.parent_code),
        decree: decree(f.decree_number, &f.decree_date)?,
    };
    let detail = state
        .agency
        .add_unit(&v.caller()?.actor, &client, &new)
        .await?;
    see(&format!("/admin/organisation/{}", detail.unit.code))
}

/// A unit: its posts, its history, and the forms to rename or move it, add a post, close it.
#[utoipa::path(get, path = "/admin/organisation/{code}", tag = "web",
    params(("code" = String, Path, description = "Unit code")),
    responses(PageResponses))]
async fn unit(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(code): Path<String>,
) -> PageResult {
    let d = state.agency.unit(&v.caller()?.actor, &code).await?;
    page(unit_page(&v, &d))
}

fn unit_page(v: &Visitor, d: &UnitDetail) -> Markup {
    let u = &d.unit;
    let open = u.closed_on.is_none();
    shell(
        v,
        &format!("{} · {}", u.code, u.name),
        html! {
            section.card {
                dl.facts {
                    dt { (v.t("Tingkat", "Level")) } dd { (u.level.code()) }
                    dt { (v.t("Di bawah", "Under")) } dd { (u.parent_code.as_deref().unwrap_or("-")) }
                    @if let Some(c) = u.closed_on { dt { (v.t("Ditutup", "Closed")) } dd { (day(c)) } }
                }
            }
            section.card {
                h2 { (v.t("Jabatan", "Posts")) }
                table #posts {
                    thead { tr { th { (v.t("Kode", "Code")) } th { (v.t("Jabatan", "Title")) } th { (v.t("Jenis", "Kind")) } th { (v.t("Pemangku", "Holders")) } th {} } }
                    tbody {
                        @for p in &d.posts {
                            tr {
                                td { code { (p.code) } } td { (p.title) } td { (p.kind.code()) } td { (p.holders) }
                                td {
                                    @if p.closed_on.is_none() {
                                        form method="post" action={ "/admin/posts/" (p.code) "/close" } data-step-up {
                                            (csrf_field(v))
                                            (decree_fields(v, &format!("c-{}", p.code)))
                                            button.secondary type="submit" { (v.t("Tutup jabatan", "Close the post")) }
                                        }
                                    } @else { (v.t("ditutup", "closed")) " " (p.closed_on.map(day).unwrap_or_default()) }
                                }
                            }
                        }
                    }
                }
            }
            @if open {
                form.card #new-post method="post" action={ "/admin/organisation/" (u.code) "/posts" } data-step-up {
                    h2 { (v.t("Tambah jabatan", "Add a post")) }
                    (csrf_field(v))
                    div.pair {
                        div.field { label for="p-code" { (v.t("Kode", "Code")) } input #p-code name="code" required; }
                        div.field { label for="p-title" { (v.t("Nama jabatan", "Title")) } input #p-title name="title" required; }
                    }
                    div.pair {
                        div.field {
                            label for="p-kind" { (v.t("Jenis", "Kind")) }
                            select #p-kind name="kind" { @for k in PositionKind::ALL { option value=(k.code()) { (k.code()) } } }
                        }
                        div.field { label for="p-grade" { (v.t("Eselon/jenjang (opsional)", "Grade (optional)")) } input #p-grade name="grade"; }
                        div.field { label for="p-reports" { (v.t("Atasan (kode jabatan)", "Reports to (post code)")) } input #p-reports name="reports_to_code"; }
                    }
                    (decree_fields(v, "p"))
                    button type="submit" { (v.t("Tambah (konfirmasi passkey)", "Add (confirm with passkey)")) }
                    p.error hidden data-error {}
                }
                form.card #amend-unit method="post" action={ "/admin/organisation/" (u.code) } data-step-up {
                    h2 { (v.t("Ubah nama atau pindahkan", "Rename or move")) }
                    (csrf_field(v))
                    div.pair {
                        div.field { label for="a-name" { (v.t("Nama baru", "New name")) } input #a-name name="name" placeholder=(u.name); }
                        div.field { label for="a-parent" { (v.t("Pindah ke bawah unit (kode)", "Move under unit (code)")) } input #a-parent name="parent_code"; }
                    }
                    (decree_fields(v, "a"))
                    button type="submit" { (v.t("Simpan (konfirmasi passkey)", "Save (confirm with passkey)")) }
                    p.error hidden data-error {}
                }
                form.card #close-unit method="post" action={ "/admin/organisation/" (u.code) "/close" } data-step-up {
                    h2 { (v.t("Tutup unit", "Close the unit")) }
                    p.hint { (v.t(
                        "Hanya unit tanpa unit, jabatan, pegawai aktif, fasilitator, dan permohonan terbuka.",
                        "Only a unit with no open units, posts, active employees, fasilitators or open requests."
                    )) }
                    (csrf_field(v))
                    (decree_fields(v, "x"))
                    button.secondary type="submit" { (v.t("Tutup (konfirmasi passkey)", "Close (confirm with passkey)")) }
                    p.error hidden data-error {}
                }
            }
            section.card {
                h2 { (v.t("Riwayat", "History")) }
                ol.timeline #history {
                    @for c in &d.history {
                        li {
                            time { (when(c.at)) } " " code { (c.code) } " "
                            (format!("{:?}", c.action).to_lowercase())
                            @if let Some(b) = &c.before { " · " (b) " →" }
                            @if let Some(a) = &c.after { " " (a) }
                            div.hint { "SK " (c.decree_number) " (" (day(c.decree_date)) ")" @if let Some(by) = &c.by { " · " (by) } }
                        }
                    }
                }
            }
        },
    )
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct AmendForm {
    csrf: String,
    name: Option<String>,
    parent_code: Option<String>,
    decree_number: String,
    /// `YYYY-MM-DD`.
    decree_date: String,
}

/// Renames a unit or moves it (with everything below it).
#[utoipa::path(post, path = "/admin/organisation/{code}", tag = "web",
    params(("code" = String, Path, description = "Unit code")),
    request_body(content = AmendForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn amend_unit(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Path(code): Path<String>,
    Form(f): Form<AmendForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let change = UnitAmendment {
        name: some(f.name),
        parent_code: some(f.parent_code),
        decree: decree(f.decree_number, &f.decree_date)?,
    };
    state
        .agency
        .amend_unit(&v.caller()?.actor, &client, &code, &change)
        .await?;
    see(&format!("/admin/organisation/{code}"))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct CloseForm {
    csrf: String,
    decree_number: String,
    /// `YYYY-MM-DD`; closed from this day.
    decree_date: String,
}

fn closure(f: CloseForm) -> Result<Closure, WebError> {
    Ok(Closure {
        decree: decree(f.decree_number, &f.decree_date)?,
        closed_on: None,
    })
}

/// Closes a unit by decree (refused, naming what is still there, while anything is).
#[utoipa::path(post, path = "/admin/organisation/{code}/close", tag = "web",
    params(("code" = String, Path, description = "Unit code")),
    request_body(content = CloseForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn close_unit(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Path(code): Path<String>,
    Form(f): Form<CloseForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let c = closure(f)?;
    state
        .agency
        .close_unit(&v.caller()?.actor, &client, &code, &c)
        .await?;
    see(&format!("/admin/organisation/{code}"))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct PostForm {
    csrf: String,
    code: String,
    title: String,
    kind: PositionKind,
    grade: Option<String>,
    reports_to_code: Option<String>,
    decree_number: String,
    /// `YYYY-MM-DD`.
    decree_date: String,
}

/// Adds a post to the unit by decree.
#[utoipa::path(post, path = "/admin/organisation/{code}/posts", tag = "web",
    params(("code" = String, Path, description = "Unit code")),
    request_body(content = PostForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn add_post(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Path(code): Path<String>,
    Form(f): Form<PostForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let new = NewPost {
        code: f.code.trim().to_owned(),
        title: f.title,
        kind: f.kind,
        grade: some(f.grade),
        unit_code: code.clone(),
        reports_to_code: some(f.reports_to_code),
        decree: decree(f.decree_number, &f.decree_date)?,
    };
    state
        .agency
        .add_post(&v.caller()?.actor, &client, &new)
        .await?;
    see(&format!("/admin/organisation/{code}"))
}

/// Closes a post by decree (refused while someone holds it, acts in it or reports to it).
#[utoipa::path(post, path = "/admin/posts/{code}/close", tag = "web",
    params(("code" = String, Path, description = "Post code")),
    request_body(content = CloseForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn close_post(
    State(state): State<AppState>,
    Signed(v): Signed,
    client: Client,
    Path(code): Path<String>,
    Form(f): Form<CloseForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let c = closure(f)?;
    let post = state
        .agency
        .close_post(&v.caller()?.actor, &client, &code, &c)
        .await?;
    see(&format!("/admin/organisation/{}", post.unit_code))
}
