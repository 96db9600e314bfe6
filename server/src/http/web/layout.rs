//! The page shell (head, navigation, language switch) and the pieces every page shares.

use abdi_proto::documents::PublicDocument;
use abdi_proto::error::Text;
use abdi_proto::services::{Outcome, RequestStatus};
use abdi_proto::{ErrorCode, Lang};
use chrono::{DateTime, NaiveDate, Utc};
use maud::{DOCTYPE, Markup, html};

use super::Visitor;
use crate::error::ApiError;

/// The stylesheet and the script, embedded in the binary: no CDN, and it works offline.
pub(crate) const CSS: &str = include_str!("assets/abdi.css");
pub(crate) const JS: &str = include_str!("assets/abdi.js");
/// Changes whenever the assets do, so browsers may keep them for a year.
pub(crate) fn asset_version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(format!("{CSS}{JS}").as_bytes());
        digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
    })
}

/// A whole page: `title` in the visitor's language, the navigation for who they are.
pub(crate) fn shell(v: &Visitor, title: &str, body: Markup) -> Markup {
    let signed = v.caller.is_some();
    html! {
        (DOCTYPE)
        html lang=(v.lang.tag()) {
            (head(title, v.csrf.as_deref(), true))
            body {
                a.skip href="#main" { (v.t("Langsung ke isi", "Skip to content")) }
                header.top {
                    a.brand href="/" { "Abdi" }
                    nav aria-label=(v.t("Menu utama", "Main menu")) {
                        @if signed {
                            a href="/" { (v.t("Permohonan", "Requests")) }
                            a href="/services" { (v.t("Ajukan", "Apply")) }
                            a href="/leave-balance" { (v.t("Cuti", "Leave")) }
                            a href="/letters" { (v.t("Surat", "Letters")) }
                            a href="/record" { (v.t("Data saya", "My record")) }
                            a href="/record/updates" { (v.t("Pemutakhiran data", "Update my record")) }
                            a href="/record/promotion" { (v.t("Kenaikan pangkat", "Promotion")) }
                            a href="/notifications" { (v.t("Notifikasi", "Notifications")) }
                            a href="/desk" { (v.t("Meja kerja", "Desk")) }
                            a href="/devices" { (v.t("Perangkat", "Devices")) }
                            a href="/contact" { (v.t("Email & ponsel", "Email & phone")) }
                            a href="/data-access" { (v.t("Akses data", "Data access")) }
                        } @else {
                            a href="/login" { (v.t("Masuk", "Log in")) }
                            a href="/activation" { (v.t("Aktivasi", "Activate")) }
                            a href="/verify" { (v.t("Verifikasi surat", "Verify a letter")) }
                            a href="/statistik" { (v.t("Statistik", "Statistics")) }
                        }
                    }
                    div.tools {
                        (lang_switch(v))
                        @if signed {
                            form method="post" action="/logout" {
                                (csrf_field(v))
                                button.link type="submit" { (v.t("Keluar", "Log out")) }
                            }
                        }
                    }
                }
                main #main tabindex="-1" {
                    h1 { (title) }
                    (body)
                }
                footer {
                    p { "Abdi · " (v.t("Layanan kepegawaian ASN", "Civil-service workflows")) " · "
                        a href="/statistik" { (v.t("Statistik ASN", "Statistics")) } }
                }
            }
        }
    }
}

/// A page's `<head>`: its title, the stylesheet, and (for pages that act) the script and the
/// session's CSRF token.
fn head(title: &str, csrf: Option<&str>, script: bool) -> Markup {
    let version = asset_version();
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            @if let Some(csrf) = csrf { meta name="csrf-token" content=(csrf); }
            title { (title) " · Abdi" }
            link rel="stylesheet" href={ "/assets/abdi.css?v=" (version) };
            @if script { script src={ "/assets/abdi.js?v=" (version) } defer {} }
        }
    }
}

fn lang_switch(v: &Visitor) -> Markup {
    let next: String = url::form_urlencoded::byte_serialize(v.here.as_bytes()).collect();
    html! {
        @match v.lang {
            Lang::Id => a lang="en" hreflang="en" href={ "/lang/en?next=" (next) } { "English" },
            Lang::En => a lang="id" hreflang="id" href={ "/lang/id?next=" (next) } { "Bahasa Indonesia" },
        }
    }
}

/// The hidden CSRF field every form that writes carries.
pub(crate) fn csrf_field(v: &Visitor) -> Markup {
    html! { input type="hidden" name="csrf" value=(v.csrf.as_deref().unwrap_or("")); }
}

/// A text in the visitor's language.
pub(crate) fn text<'a>(v: &Visitor, t: &'a Text) -> &'a str {
    t.get(v.lang)
}

pub(crate) fn status(v: &Visitor, s: RequestStatus, outcome: Option<Outcome>) -> Markup {
    let (id, en) = match (s, outcome) {
        (RequestStatus::Draft, _) => ("Draf", "Draft"),
        (RequestStatus::Submitted, _) => ("Menunggu verifikasi", "Awaiting verification"),
        (RequestStatus::Returned, _) => ("Dikembalikan untuk perbaikan", "Returned for revision"),
        (RequestStatus::InReview, _) => ("Dalam pertimbangan", "Under review"),
        (RequestStatus::Decided, Some(o)) => outcome_text(o),
        (RequestStatus::Decided, None) => ("Diputuskan", "Decided"),
        (RequestStatus::Cancelled, _) => ("Dibatalkan", "Cancelled"),
    };
    html! { span.status data-status=(s.code()) { (v.t(id, en)) } }
}

pub(crate) fn outcome_text(o: Outcome) -> (&'static str, &'static str) {
    match o {
        Outcome::Disetujui => ("Disetujui", "Approved"),
        Outcome::Perubahan => ("Disetujui dengan perubahan", "Approved with changes"),
        Outcome::Ditangguhkan => ("Ditangguhkan", "Deferred"),
        Outcome::TidakDisetujui => ("Tidak disetujui", "Not approved"),
    }
}

pub(crate) fn when(t: DateTime<Utc>) -> String {
    // Jakarta time (WIB), as every Abdi user reads it.
    (t + chrono::Duration::hours(7))
        .format("%Y-%m-%d %H:%M WIB")
        .to_string()
}

pub(crate) fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A notice on the page (`kind`: ok, error, info).
pub(crate) fn notice(kind: &str, body: Markup) -> Markup {
    html! { div class={ "notice " (kind) } role=(if kind == "error" { "alert" } else { "status" }) { (body) } }
}

/// A refusal, in both languages (the visitor's own comes first where it is known to the
/// page; an error page shows Bahasa Indonesia first, English second).
pub(crate) fn problem(e: &ApiError) -> Markup {
    html! {
        p lang="id" { strong { (e.code.title(Lang::Id)) } @if let Some(d) = &e.detail { " " (d.id) } }
        p lang="en" .en { (e.code.title(Lang::En)) @if let Some(d) = &e.detail { " " (d.en) } }
        @if !e.items.is_empty() {
            ul {
                @for item in &e.items {
                    li { (item.message.id) " / " span lang="en" .en { (item.message.en) } }
                }
            }
        }
        p.code { code { (e.code.as_str()) } }
    }
}

/// The page for a refusal the visitor cannot fix on the page they were on.
pub(crate) fn error_page(e: &ApiError) -> Markup {
    let hint = match e.code {
        ErrorCode::StepUpRequired => Some((
            "Konfirmasi dengan passkey diperlukan. Kembali, lalu kirim lagi dan ikuti permintaan passkey.",
            "Your passkey is needed. Go back, send again, and follow the passkey prompt.",
        )),
        ErrorCode::CsrfRejected => Some((
            "Formulir ini tidak dikirim dari halaman Abdi sesi ini. Muat ulang halaman lalu coba lagi.",
            "This form was not sent from an Abdi page of this session. Reload the page and try again.",
        )),
        _ => None,
    };
    html! {
        (DOCTYPE)
        html lang="id" {
            (head(e.code.title(Lang::Id), None, false))
            body {
                header.top { a.brand href="/" { "Abdi" } }
                main #main {
                    h1 { (e.code.title(Lang::Id)) }
                    (notice("error", problem(e)))
                    @if let Some((id, en)) = hint { p { (id) } p lang="en" .en { (en) } }
                    p { a href="javascript:history.back()" { "Kembali / Back" } " · " a href="/" { "Beranda / Home" } }
                }
            }
        }
    }
}

/// The public page of a letter (the QR code's target): the same look as the rest of the web,
/// and never the employee's data.
pub(crate) fn public_document(v: &Visitor, p: &PublicDocument) -> Markup {
    let signed = p.signed_at.map(when).unwrap_or_else(|| "-".into());
    shell(
        v,
        v.t("Verifikasi dokumen", "Document verification"),
        html! {
            section.card {
                h2 { (text(v, &p.title)) }
                dl.facts {
                    dt { (v.t("Nomor", "Number")) } dd { (p.number) }
                    dt { (v.t("Tanggal", "Date")) } dd { (day(p.issued_on)) }
                    dt { (v.t("Penanda tangan", "Signer")) } dd { (p.signer_name) br; (p.signer_capacity) }
                    dt { (v.t("Ditandatangani", "Signed")) } dd { (signed) }
                    dt { "SHA-256" } dd.hash { code { (p.sha256.as_deref().unwrap_or("-")) } }
                }
                (notice("info", html! { p { (text(v, &p.message)) } }))
                p { a href="/verify" { (v.t("Periksa berkas PDF surat ini", "Check this letter's PDF file")) } }
            }
        },
    )
}
