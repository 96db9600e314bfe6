//! Data sharing on the web: the public statistics with their charts (no login), and the
//! employee's own page of which systems read their data and when (UU 27/2022 Pasal 32).

use abdi_proto::sharing::{StatColumn, StatTable};
use axum::extract::{Query, State};
use maud::{Markup, html};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::layout::{shell, text, when};
use super::{PageResponses, PageResult, Signed, Visitor, page};
use crate::state::AppState;
use crate::store::page::{Cursor, Page};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(statistics))
        .routes(routes!(data_access))
}

/// The public statistics: active employees by perangkat daerah and each dimension, small
/// counts suppressed, each table with a chart of its totals and links to JSON and CSV.
#[utoipa::path(get, path = "/statistik", tag = "web", responses(PageResponses))]
async fn statistics(State(state): State<AppState>, v: Visitor) -> PageResult {
    let snapshot = state.sharing.statistics().current().await?;
    page(shell(
        &v,
        v.t("Statistik ASN", "Civil-service statistics"),
        html! {
            p { (v.t("Jumlah pegawai aktif: ", "Active employees: ")) strong { (snapshot.index().grand_total) } }
            p.hint { (v.t(
                "Statistik ini tidak memuat data pribadi. Jumlah dari 1 sampai ",
                "These statistics hold no personal data. Counts from 1 to ")) (snapshot.threshold.saturating_sub(1))
                (v.t(
                " tidak ditampilkan (•), begitu pula beberapa jumlah lain, agar tidak satu pun dapat dihitung dari totalnya. Diperbarui ",
                " are not shown (•), and neither are some others, so that none can be worked out from the totals. Updated "))
                (when(snapshot.computed_at)) "." }
            nav.card aria-label=(v.t("Daftar tabel", "Tables")) {
                ul { @for t in &snapshot.tables {
                    li { a href={ "#" (t.dimension.as_str()) } { (text(&v, &t.title)) } }
                } }
            }
            @for t in &snapshot.tables { (section(&v, t)) }
        },
    ))
}

fn section(v: &Visitor, t: &StatTable) -> Markup {
    let dim = t.dimension.as_str();
    html! {
        section.card id=(dim) {
            h2 { (text(v, &t.title)) }
            (chart(v, &t.columns, &t.totals))
            p {
                a href={ "/api/data/v1/statistics/" (dim) } { "JSON" } " · "
                a href={ "/api/data/v1/statistics/" (dim) "?format=csv" } { "CSV" }
            }
            details {
                summary { (v.t("Tabel per perangkat daerah", "Table by perangkat daerah")) }
                table {
                    thead { tr {
                        th scope="col" { (v.t("Perangkat daerah", "Perangkat daerah")) }
                        @for c in &t.columns { th scope="col" { (text(v, &c.label)) } }
                        th scope="col" { (v.t("Jumlah", "Total")) }
                    } }
                    tbody {
                        @for r in &t.rows { tr {
                            th scope="row" { (r.unit_name) }
                            @for c in &r.cells { td.num { (count(*c)) } }
                            td.num { (count(r.total)) }
                        } }
                        tr.total {
                            th scope="row" { (v.t("Jumlah", "Total")) }
                            @for c in &t.totals { td.num { (count(*c)) } }
                            td.num { (t.grand_total) }
                        }
                    }
                }
            }
        }
    }
}

fn count(c: Option<u32>) -> String {
    c.map_or_else(|| "•".to_owned(), |n| n.to_string())
}

/// A horizontal bar per column, from the totals; a suppressed total has no bar. Plain HTML, so
/// the labels keep their size on a narrow phone.
fn chart(v: &Visitor, columns: &[StatColumn], totals: &[Option<u32>]) -> Markup {
    let max = totals.iter().flatten().copied().max().unwrap_or(0).max(1);
    html! {
        ul.chart aria-label=(v.t("Grafik jumlah per kategori", "Chart of the count in each category")) {
            @for (c, total) in columns.iter().zip(totals) {
                li {
                    span.label { (text(v, &c.label)) }
                    span.track {
                        @if let Some(n) = total {
                            @let share = f64::from(*n) / f64::from(max);
                            // The longest bar leaves room for its number.
                            span.bar style=(format!("width: calc((100% - 3.5rem) * {share:.3})")) {}
                            span.n { (n) }
                        } @else {
                            span.n.hidden { "•" }
                        }
                    }
                }
            }
        }
    }
}

/// The fields a system read, as a person names them (a field's name when it is none of ours).
fn fields(v: &Visitor, names: &[String]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for name in names {
        let (id, en) = match name.as_str() {
            "nip" => ("NIP", "NIP"),
            "name" | "front_title" | "back_title" => ("nama dan gelar", "name and titles"),
            "gender" => ("jenis kelamin", "gender"),
            "employment_type" => ("jenis kepegawaian", "employment type"),
            "rank_code" | "rank_tmt" => ("golongan", "rank"),
            "education_level" => ("pendidikan", "education"),
            "unit_code" | "unit_name" => ("unit kerja", "unit"),
            "position_code" | "position_title" => ("jabatan", "post"),
            "active" => ("status aktif", "whether active"),
            "birth_place" | "birth_date" => ("tempat dan tanggal lahir", "place and date of birth"),
            "email" => ("email", "email"),
            "phone" => ("nomor ponsel", "mobile number"),
            "tmt_cpns" | "tmt_pns" => ("TMT CPNS/PNS", "TMT CPNS/PNS"),
            "nik" => ("NIK", "NIK"),
            "rank_history" => ("riwayat golongan", "rank history"),
            "position_history" => ("riwayat jabatan", "post history"),
            "education_history" => ("riwayat pendidikan", "education history"),
            "family" => ("data keluarga", "family"),
            other => (other, other),
        };
        let label = v.t(id, en);
        if !out.contains(&label) {
            out.push(label);
        }
    }
    out.join(", ")
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct After {
    /// The `next` of the previous page.
    after: Option<String>,
}

/// Which other systems read my data, and when: the agency, its unit, the purpose and the
/// fields they received.
#[utoipa::path(
    get,
    path = "/data-access",
    tag = "web",
    params(After),
    responses(PageResponses)
)]
async fn data_access(
    State(state): State<AppState>,
    Signed(v): Signed,
    Query(q): Query<After>,
) -> PageResult {
    let me = v.caller()?.actor.employee_id;
    let after = q.after.as_deref().and_then(i64::parse);
    let reads = state
        .sharing
        .my_access(me, Page { after, limit: 50 })
        .await?;
    page(shell(
        &v,
        v.t(
            "Akses data oleh sistem lain",
            "Reads of my data by other systems",
        ),
        html! {
            p.hint { (v.t(
                "Sistem instansi lain yang terdaftar dapat membaca sebagian data kepegawaian Anda berdasarkan perjanjian. Setiap pembacaan dicatat di sini (UU 27/2022 Pasal 32).",
                "Registered systems of other agencies may read part of your personnel data under an agreement. Every read is recorded here (UU 27/2022 Pasal 32).")) }
            @if reads.items.is_empty() {
                p.card { (v.t("Belum ada sistem lain yang membaca data Anda.", "No other system has read your data yet.")) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (v.t("Waktu", "When")) }
                        th scope="col" { (v.t("Instansi", "Agency")) }
                        th scope="col" { (v.t("Tujuan", "Purpose")) }
                        th scope="col" { (v.t("Data yang dibaca", "Data read")) }
                    } }
                    tbody { @for r in &reads.items { tr {
                        td { (when(r.at)) }
                        td { (r.agency) br; small { (r.unit) } }
                        td { (r.purpose) }
                        td { (fields(&v, &r.fields)) }
                    } } }
                }
                @if let Some(next) = &reads.next {
                    p { a href={ "/data-access?after=" (next) } { (v.t("Lebih lama", "Older")) } }
                }
            }
        },
    ))
}
