//! Attendance on the web: the atasan's page (the team's day, and the flagged check-ins to
//! accept or reject with a reason the employee sees) and, for fasilitators and
//! administrators, a unit's day, its monthly recap as CSV and PDF, and the absence cases to
//! close. Every write is the same capability call as the API's.

use abdi_proto::attendance::{AbsenceCase, CheckInReview, DayKind, FlaggedCheckIn, TeamDay};
use axum::Form;
use axum::extract::{Query, State};
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::layout::{csrf_field, day, shell, text, when};
use super::{PageResponses, PageResult, Signed, Visitor, page, see};
use crate::http::extract::Path;
use crate::state::AppState;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(attendance_desk))
        .routes(routes!(desk_review_check_in))
        .routes(routes!(desk_close_absence_case))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct DeskQuery {
    /// The day shown (today by default).
    date: Option<NaiveDate>,
    /// A unit's code, for its fasilitators and administrators.
    unit: Option<String>,
}

fn kind(v: &Visitor, k: DayKind) -> &'static str {
    match k {
        DayKind::Present => v.t("Hadir", "Present"),
        DayKind::Late => v.t("Terlambat", "Late"),
        DayKind::LeftEarly => v.t("Pulang cepat", "Left early"),
        DayKind::Absent => v.t("Tanpa keterangan", "Absent"),
        DayKind::Excused => v.t("Cuti / dinas luar", "Leave / travel"),
        DayKind::Holiday => v.t("Libur", "Holiday"),
        DayKind::Weekend => v.t("Bukan hari kerja", "Not a working day"),
        DayKind::NotYet => v.t("Belum presensi", "Not in yet"),
    }
}

/// A team's or unit's day as a table, with its counts.
fn day_table(v: &Visitor, d: &TeamDay) -> Markup {
    let c = &d.counts;
    html! {
        p.hint {
            (v.t("Hadir", "Present")) " " strong { (c.present) } " · "
            (v.t("Terlambat", "Late")) " " strong { (c.late) } " · "
            (v.t("Pulang cepat", "Left early")) " " strong { (c.left_early) } " · "
            (v.t("Belum presensi", "Not in yet")) " " strong { (c.not_yet) } " · "
            (v.t("Tanpa keterangan", "Absent")) " " strong { (c.absent) } " · "
            (v.t("Cuti / dinas", "Leave / travel")) " " strong { (c.excused) } " · "
            (v.t("Perlu diperiksa", "Flagged")) " " strong { (c.flagged) }
        }
        table {
            thead { tr {
                th { (v.t("Pegawai", "Employee")) } th { (v.t("Unit", "Unit")) }
                th { (v.t("Keadaan", "Status")) } th { (v.t("Masuk", "In")) } th { (v.t("Pulang", "Out")) }
                th { (v.t("Terlambat (menit)", "Late (min)")) }
            } }
            tbody {
                @for p in &d.people {
                    tr data-nip=(p.nip) data-kind=(format!("{:?}", p.day.kind)) {
                        td { strong { (p.name) } br; small { (p.nip) } }
                        td { (p.unit) }
                        td {
                            (kind(v, p.day.kind))
                            @if let Some(w) = &p.day.why { br; small { (w) } }
                            @if p.day.waiting > 0 { br; small.blocked { (p.day.waiting) " " (v.t("menunggu keputusan", "waiting for a decision")) } }
                        }
                        td { (p.day.check_in.map(when).unwrap_or_else(|| "-".into())) }
                        td { (p.day.check_out.map(when).unwrap_or_else(|| "-".into())) }
                        td { (p.day.late_minutes) }
                    }
                }
            }
        }
    }
}

fn flagged_item(v: &Visitor, f: &FlaggedCheckIn) -> Markup {
    let c = &f.check_in;
    let id = c.id.map(|i| i.to_string()).unwrap_or_default();
    html! {
        li data-id=(id) {
            strong { (f.name) } " · " (f.nip)
            div { (when(c.at)) @if let Some(p) = &c.place { " · " (p) } @if let Some(d) = c.distance_m { " · " (format!("{d:.0} m")) } }
            ul.reasons { @for r in &c.reasons { li data-code=(r.code) { (text(v, &r.message)) } } }
            form.inline method="post" action={ "/desk/attendance/check-ins/" (id) "/review" } {
                (csrf_field(v))
                input type="hidden" name="accept" value="true";
                label for={ "note-ok-" (id) } { (v.t("Catatan (boleh kosong)", "Note (optional)")) }
                input id={ "note-ok-" (id) } type="text" name="note" maxlength="500";
                button type="submit" { (v.t("Terima", "Accept")) }
            }
            form.inline method="post" action={ "/desk/attendance/check-ins/" (id) "/review" } {
                (csrf_field(v))
                input type="hidden" name="accept" value="false";
                label for={ "note-no-" (id) } { (v.t("Alasan penolakan", "Why it is rejected")) }
                input id={ "note-no-" (id) } type="text" name="note" required minlength="3" maxlength="500";
                button.secondary type="submit" { (v.t("Tolak", "Reject")) }
            }
        }
    }
}

fn case_item(v: &Visitor, c: &AbsenceCase) -> Markup {
    html! {
        li data-id=(c.id) data-threshold=(c.threshold) {
            strong { (c.name) } " · " (c.nip) " · " (c.unit)
            div { (c.days) " " (v.t("hari tanpa keterangan pada", "days without excuse in")) " " (c.year) }
            p { (text(v, &c.explanation)) }
            p.hint { (c.dates.iter().map(|d| day(*d)).collect::<Vec<_>>().join(", ")) }
            @if c.open {
                form method="post" action={ "/desk/attendance/cases/" (c.id) "/close" } {
                    (csrf_field(v))
                    label for={ "case-" (c.id) } { (v.t("Tindak lanjut (kasus disiplin yang diajukan, atau mengapa tidak)", "What was done (the disciplinary case filed, or why none was)")) }
                    textarea id={ "case-" (c.id) } name="note" required minlength="10" maxlength="2000" {}
                    button type="submit" { (v.t("Tutup kasus", "Close the case")) }
                }
            } @else {
                p { (v.t("Ditutup", "Closed")) ": " (c.note.as_deref().unwrap_or("")) }
            }
        }
    }
}

/// The atasan's team and what waits for them; a unit's day, recap and cases for its
/// fasilitators and administrators.
#[utoipa::path(
    get,
    path = "/desk/attendance",
    tag = "web",
    params(DeskQuery),
    responses(PageResponses)
)]
async fn attendance_desk(
    State(state): State<AppState>,
    Signed(v): Signed,
    Query(q): Query<DeskQuery>,
) -> PageResult {
    let actor = &v.caller()?.actor;
    let who = actor.principal().await?;
    let desk = who.administrator || !who.fasilitator_units.is_empty();
    let date = q.date.unwrap_or_else(|| state.clock.today());
    let team = state.attendance.team_day(actor, Some(date)).await?;
    let flagged = state.attendance.flagged_of_team(actor).await?;
    let unit_code = q.unit.as_deref().map(str::trim).filter(|u| !u.is_empty());
    let unit = match (desk, unit_code) {
        (true, Some(code)) => Some(state.attendance.unit_day(actor, code, Some(date)).await?),
        _ => None,
    };
    let cases = if desk {
        state.attendance.cases(actor).await?
    } else {
        Vec::new()
    };
    let month = date.format("%Y-%m").to_string();
    page(shell(
        &v,
        v.t("Presensi", "Attendance"),
        html! {
            form.inline method="get" action="/desk/attendance" {
                label for="date" { (v.t("Tanggal", "Day")) }
                input #date type="date" name="date" value=(date);
                @if desk {
                    label for="unit" { (v.t("Kode unit", "Unit code")) }
                    input #unit type="text" name="unit" value=(unit_code.unwrap_or("")) maxlength="64";
                }
                button type="submit" { (v.t("Tampilkan", "Show")) }
            }
            section.card #flagged {
                h2 { (v.t("Presensi yang menunggu keputusan Anda", "Check-ins waiting for your word")) " (" (flagged.len()) ")" }
                @if flagged.is_empty() {
                    p { (v.t("Tidak ada yang menunggu.", "Nothing waits.")) }
                } @else {
                    ul.cards { @for f in &flagged { (flagged_item(&v, f)) } }
                }
            }
            section.card #team {
                h2 { (v.t("Tim saya", "My team")) " · " (day(date)) }
                @if team.people.is_empty() {
                    p { (v.t("Tidak ada pegawai yang melapor langsung kepada Anda.", "Nobody reports to you directly.")) }
                } @else {
                    (day_table(&v, &team))
                }
            }
            @if let (Some(u), Some(code)) = (&unit, unit_code) {
                section.card #unit {
                    h2 { (v.t("Unit", "Unit")) " " (code) " · " (day(date)) }
                    p {
                        (v.t("Rekap bulan", "The month's recap")) " " (month) ": "
                        a href={ "/api/v1/attendance/units/" (code) "/recap.csv?month=" (month) } { "CSV" } " · "
                        a href={ "/api/v1/attendance/units/" (code) "/recap.pdf?month=" (month) } { "PDF" }
                    }
                    (day_table(&v, u))
                }
            }
            @if desk {
                section.card #cases {
                    h2 { (v.t("Kasus ketidakhadiran (PP 94/2021)", "Absence cases (PP 94/2021)")) }
                    @if cases.is_empty() {
                        p { (v.t("Tidak ada kasus.", "No cases.")) }
                    } @else {
                        ul.cards { @for c in &cases { (case_item(&v, c)) } }
                    }
                }
            }
        },
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct ReviewForm {
    csrf: String,
    accept: bool,
    #[serde(default)]
    note: Option<String>,
}

/// The atasan accepts or rejects a flagged check-in (the API's review).
#[utoipa::path(post, path = "/desk/attendance/check-ins/{id}/review", tag = "web",
    params(("id" = Uuid, Path, description = "The check-in's id")),
    request_body(content = ReviewForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn desk_review_check_in(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(id): Path<Uuid>,
    Form(f): Form<ReviewForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let note = f.note.filter(|n| !n.trim().is_empty());
    state
        .attendance
        .review(
            &v.caller()?.actor,
            id,
            CheckInReview {
                accept: f.accept,
                note,
            },
        )
        .await?;
    see("/desk/attendance")
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct CloseForm {
    csrf: String,
    note: String,
}

/// The fasilitator closes an absence case with what was done.
#[utoipa::path(post, path = "/desk/attendance/cases/{id}/close", tag = "web",
    params(("id" = Uuid, Path, description = "The case's id")),
    request_body(content = CloseForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn desk_close_absence_case(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(id): Path<Uuid>,
    Form(f): Form<CloseForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    state
        .attendance
        .close_case(&v.caller()?.actor, id, &f.note)
        .await?;
    see("/desk/attendance")
}
