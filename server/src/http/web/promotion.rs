//! Promotion on the web: the desk's page of a period (who is due, what each still lacks or
//! what blocks them, the proposals and where they stand, BKN's reasons), where the fasilitator
//! proposes and verifies and the administrator sends the batch to BKN with a passkey step-up;
//! and the employee's own outlook. Every write is the same capability call as the API's.

use abdi_proto::promotion::{Candidacy, CandidateStanding, PromotionStatus, ProposalView};
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
        .routes(routes!(promotion_desk))
        .routes(routes!(desk_propose_promotion))
        .routes(routes!(desk_verify_promotion))
        .routes(routes!(desk_send_promotion_batch))
        .routes(routes!(my_promotion))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct PeriodQuery {
    /// The period's TMT (the next one by default).
    period: Option<NaiveDate>,
}

fn standing(v: &Visitor, s: CandidateStanding) -> &'static str {
    match s {
        CandidateStanding::Ready => v.t("Siap diusulkan", "Ready"),
        CandidateStanding::Lacking => v.t("Belum lengkap", "Lacking"),
        CandidateStanding::Blocked => v.t("Terhalang", "Blocked"),
        CandidateStanding::NotDue => v.t("Belum waktunya", "Not yet due"),
    }
}

fn proposal_status(v: &Visitor, s: PromotionStatus) -> &'static str {
    use PromotionStatus::*;
    match s {
        Draft => v.t("Disusun", "Assembled"),
        Verified => v.t(
            "Terverifikasi, menunggu dikirim",
            "Verified, waiting to be sent",
        ),
        Sending => v.t("Sedang dikirim ke BKN", "Being sent to BKN"),
        Sent => v.t("Di BKN", "At BKN"),
        Returned => v.t("Dikembalikan BKN", "Returned by BKN"),
        Failed => v.t("Ditolak validasi BKN", "Refused by BKN's validation"),
        Pertek => v.t("Pertek terbit, SK diproses", "Pertek in, SK under way"),
        Uploading => v.t("SK sedang diunggah", "SK being uploaded"),
        Uploaded => v.t("SK di BKN, menunggu TMT", "SK at BKN, waiting for the TMT"),
        Effective => v.t("Pangkat baru berlaku", "New rank in effect"),
    }
}

/// A vocabulary's wire code (its serde name), for the page's data attributes.
fn code(value: impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// What a candidacy lacks and what blocks it, each with its message.
fn reasons(v: &Visitor, c: &Candidacy) -> Markup {
    html! {
        @if !c.blocked.is_empty() || !c.lacks.is_empty() {
            ul.reasons {
                @for r in &c.blocked { li.blocked data-code=(r.code) { (text(v, &r.message)) } }
                @for r in &c.lacks { li data-code=(r.code) { (text(v, &r.message)) } }
            }
        }
    }
}

/// The desk's page of a period: candidates, proposals, and for administrators the batch.
#[utoipa::path(
    get,
    path = "/desk/promotion",
    tag = "web",
    params(PeriodQuery),
    responses(PageResponses)
)]
async fn promotion_desk(
    State(state): State<AppState>,
    Signed(v): Signed,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let actor = &v.caller()?.actor;
    let policy = state.promotion.policy();
    let period = q
        .period
        .or_else(|| policy.period_on_or_after(state.clock.today()))
        .unwrap_or_else(|| state.clock.today());
    let list = state.promotion.candidates(actor, period, None).await?;
    let proposals = state.promotion.list(actor, Some(period)).await?;
    let admin = actor.principal().await?.administrator;
    let verified = proposals
        .iter()
        .filter(|p| p.status == PromotionStatus::Verified)
        .count();
    page(shell(
        &v,
        v.t("Kenaikan pangkat", "Promotion"),
        html! {
            form.inline method="get" action="/desk/promotion" {
                label for="period" { (v.t("Periode (TMT)", "Period (TMT)")) }
                input #period type="date" name="period" value=(period);
                button type="submit" { (v.t("Tampilkan", "Show")) }
            }
            section.card {
                h2 { (v.t("Pegawai yang jatuh tempo", "Who is due")) " · " (day(period)) }
                p.hint { (list.judged) " " (v.t("pegawai dinilai", "employees judged")) }
                @if list.candidates.is_empty() {
                    p { (v.t("Tidak ada pegawai yang jatuh tempo pada periode ini.", "Nobody is due in this period.")) }
                } @else {
                    ul.cards #candidates {
                        @for c in &list.candidates {
                            li data-nip=(c.employee.nip) data-standing=(code(c.candidacy.standing)) {
                                strong { (c.employee.name) } " · " (c.employee.nip) " · " (c.unit_code)
                                div {
                                    (text(&v, &c.candidacy.kind.label())) ": "
                                    (c.candidacy.rank.map(|r| r.to_string()).unwrap_or_default())
                                    " → " (c.candidacy.new_rank.map(|r| r.to_string()).unwrap_or_default())
                                    " · " (standing(&v, c.candidacy.standing))
                                }
                                (reasons(&v, &c.candidacy))
                                @if c.candidacy.standing == CandidateStanding::Ready && c.proposal.is_none() {
                                    form method="post" action="/desk/promotion/proposals" {
                                        (csrf_field(&v))
                                        input type="hidden" name="nip" value=(c.employee.nip);
                                        input type="hidden" name="period" value=(period);
                                        button type="submit" { (v.t("Susun usulan dari arsip", "Assemble the proposal from the archive")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section.card {
                h2 { (v.t("Usulan periode ini", "This period's proposals")) }
                @if proposals.is_empty() {
                    p { (v.t("Belum ada usulan.", "No proposals yet.")) }
                } @else {
                    ul.cards #proposals {
                        @for p in &proposals { (proposal_item(&v, p, true)) }
                    }
                }
                @if admin && verified > 0 {
                    form method="post" action="/desk/promotion/batches" data-step-up {
                        (csrf_field(&v))
                        input type="hidden" name="period" value=(period);
                        button type="submit" {
                            (v.t("Kirim ke BKN", "Send to BKN")) " (" (verified) ")"
                        }
                    }
                }
            }
        },
    ))
}

/// One proposal; on the desk (`desk`) a draft carries the fasilitator's verify form.
fn proposal_item(v: &Visitor, p: &ProposalView, desk: bool) -> Markup {
    html! {
        li data-id=(p.id) data-status=(code(p.status)) {
            strong { (p.employee.name) } " · " (p.employee.nip) " · " (p.rank) " → " (p.new_rank)
            div { (proposal_status(v, p.status)) " · " (when(p.updated_at)) }
            @if let Some(t) = &p.pertek {
                div { "Pertek " (t.number) " · " (day(t.date)) " · TMT " (day(t.tmt)) }
            }
            @if !p.reasons.is_empty() {
                ul.reasons { @for r in &p.reasons { li.blocked { (r) } } }
            }
            @if let Some(e) = &p.last_error {
                div.hint { (v.t("Percobaan berikutnya", "Next attempt")) " "
                    (p.next_attempt_at.map(when).unwrap_or_default()) ": " (e) }
            }
            @if desk && p.status == PromotionStatus::Draft {
                form method="post" action={ "/desk/promotion/proposals/" (p.id) "/verify" } {
                    (csrf_field(v))
                    input type="hidden" name="version" value=(p.version);
                    input type="hidden" name="period" value=(p.period);
                    button type="submit" { (v.t("Dokumen sudah diperiksa: verifikasi", "Documents checked: verify")) }
                }
            }
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct ProposeForm {
    csrf: String,
    nip: String,
    period: NaiveDate,
}

/// Assembles a proposal from the archive (the API's `POST /promotion/proposals`).
#[utoipa::path(post, path = "/desk/promotion/proposals", tag = "web",
    request_body(content = ProposeForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn desk_propose_promotion(
    State(state): State<AppState>,
    Signed(v): Signed,
    Form(f): Form<ProposeForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    let new = abdi_proto::promotion::NewProposal {
        nip: f.nip,
        period: f.period,
        kind: None,
    };
    state.promotion.propose(&v.caller()?.actor, &new).await?;
    see(&format!("/desk/promotion?period={}", f.period))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct VerifyForm {
    csrf: String,
    version: u32,
    period: NaiveDate,
}

/// The fasilitator verified the proposal's documents.
#[utoipa::path(post, path = "/desk/promotion/proposals/{id}/verify", tag = "web",
    params(("id" = Uuid, Path, description = "Proposal id")),
    request_body(content = VerifyForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn desk_verify_promotion(
    State(state): State<AppState>,
    Signed(v): Signed,
    Path(id): Path<Uuid>,
    Form(f): Form<VerifyForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    state
        .promotion
        .verify(&v.caller()?.actor, id, f.version)
        .await?;
    see(&format!("/desk/promotion?period={}", f.period))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct BatchForm {
    csrf: String,
    period: NaiveDate,
}

/// Sends the period's verified proposals to BKN (administrators, a fresh step-up).
#[utoipa::path(post, path = "/desk/promotion/batches", tag = "web",
    request_body(content = BatchForm, content_type = "application/x-www-form-urlencoded"),
    responses(PageResponses))]
async fn desk_send_promotion_batch(
    State(state): State<AppState>,
    Signed(v): Signed,
    Form(f): Form<BatchForm>,
) -> PageResult {
    v.check_form(&f.csrf)?;
    state.promotion.send(&v.caller()?.actor, f.period).await?;
    see(&format!("/desk/promotion?period={}", f.period))
}

/// The employee's own outlook and proposals.
#[utoipa::path(get, path = "/record/promotion", tag = "web", responses(PageResponses))]
async fn my_promotion(State(state): State<AppState>, Signed(v): Signed) -> PageResult {
    let actor = &v.caller()?.actor;
    let outlook = state.promotion.outlook(actor).await?;
    let mine = state.promotion.mine(actor).await?;
    page(shell(
        &v,
        v.t("Kenaikan pangkat saya", "My promotion"),
        html! {
            section.card #outlook {
                @match &outlook.candidacy {
                    None => p { (v.t("Pangkat Anda belum tercatat.", "Your rank is not on record.")) },
                    Some(c) => {
                        h2 { (text(&v, &c.kind.label())) }
                        p {
                            (v.t("Periode", "Period")) " " strong { (day(c.period)) } ": "
                            (c.rank.map(|r| r.to_string()).unwrap_or_default()) " → "
                            strong { (c.new_rank.map(|r| r.to_string()).unwrap_or_default()) }
                            " · " (standing(&v, c.standing))
                        }
                        (reasons(&v, c))
                    }
                }
            }
            @if !mine.is_empty() {
                section.card {
                    h2 { (v.t("Usulan saya", "My proposals")) }
                    ul.cards { @for p in &mine { (proposal_item(&v, p, false)) } }
                }
            }
        },
    ))
}
