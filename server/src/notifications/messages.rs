//! What a notification says, in Bahasa Indonesia and English: built once when the event is
//! written, then shown the same in the inbox, on the lock screen, in the email and on the stream.

use abdi_proto::Text;
use abdi_proto::services::{Outcome, RequestStatus, StepKind};

/// Title and body of a request's change.
pub(crate) fn request_changed(
    service: &Text,
    action: &str,
    to: RequestStatus,
    outcome: Option<Outcome>,
    note: Option<&str>,
) -> (Text, Text) {
    let (state_id, state_en, body_id, body_en) = match (to, outcome) {
        (RequestStatus::Decided, Some(Outcome::Disetujui)) => (
            "disetujui",
            "approved",
            "Permohonan Anda disetujui. Surat keputusannya dapat dilihat di aplikasi setelah ditandatangani.",
            "Your request was approved. Its decision letter appears in the app once it is signed.",
        ),
        (RequestStatus::Decided, Some(Outcome::Perubahan)) => (
            "disetujui dengan perubahan",
            "approved with changes",
            "Permohonan Anda disetujui dengan perubahan. Periksa tanggal dan lamanya di aplikasi.",
            "Your request was approved with changes. Check its dates and length in the app.",
        ),
        (RequestStatus::Decided, Some(Outcome::Ditangguhkan)) => (
            "ditangguhkan",
            "deferred",
            "Permohonan Anda ditangguhkan.",
            "Your request was deferred.",
        ),
        (RequestStatus::Decided, _) => (
            "tidak disetujui",
            "not approved",
            "Permohonan Anda tidak disetujui.",
            "Your request was not approved.",
        ),
        (RequestStatus::Returned, _) => (
            "dikembalikan untuk diperbaiki",
            "returned for revision",
            "Fasilitator mengembalikan permohonan Anda. Perbaiki lalu ajukan kembali.",
            "The facilitator returned your request. Revise it and submit it again.",
        ),
        (RequestStatus::Cancelled, _) => (
            "dibatalkan",
            "cancelled",
            "Permohonan Anda dibatalkan.",
            "Your request was cancelled.",
        ),
        (RequestStatus::InReview, _) if action == "verified" => (
            "lolos verifikasi",
            "verified",
            "Berkas Anda lengkap; permohonan diteruskan kepada pejabat yang berwenang.",
            "Your documents are complete; the request went on to the officials who decide it.",
        ),
        (RequestStatus::InReview, _) => (
            "diteruskan",
            "forwarded",
            "Permohonan Anda disetujui pada satu tahap dan diteruskan ke tahap berikutnya.",
            "Your request was approved at one step and went on to the next.",
        ),
        (RequestStatus::Submitted, _) => (
            "diajukan",
            "submitted",
            "Permohonan Anda diterima dan menunggu verifikasi.",
            "Your request was received and awaits verification.",
        ),
        (RequestStatus::Draft, _) => ("disimpan", "saved", "Draf disimpan.", "Draft saved."),
    };
    let reason = note.map(str::trim).filter(|n| !n.is_empty());
    let (body_id, body_en) = match reason {
        Some(r) => (
            format!("{body_id} Catatan: {r}"),
            format!("{body_en} Note: {r}"),
        ),
        None => (body_id.to_owned(), body_en.to_owned()),
    };
    (
        Text::new(
            format!("{}: {state_id}", service.id),
            format!("{}: {state_en}", service.en),
        ),
        Text::new(body_id, body_en),
    )
}

/// Title and body of "the calendar changed on a day this open request covers", for its
/// fasilitators.
pub(crate) fn calendar_changed(year: i32, requester: &str) -> (Text, Text) {
    (
        Text::new(
            format!("Kalender libur {year} berubah"),
            format!("The {year} holiday calendar changed"),
        ),
        Text::new(
            format!(
                "Permohonan cuti {requester} mencakup tanggal yang berubah. Periksa jumlah hari \
                 kerjanya sebelum diputuskan."
            ),
            format!(
                "{requester}'s leave request covers a day that changed. Check its working days \
                 before it is decided."
            ),
        ),
    )
}

/// Title and body of "a fasilitator moved and their role ended", for administrators.
pub(crate) fn fasilitator_moved(name: &str, of_unit: &str, to_unit: &str) -> (Text, Text) {
    (
        Text::new(
            format!("Fasilitator {of_unit} perlu pengganti"),
            format!("{of_unit} needs a new fasilitator"),
        ),
        Text::new(
            format!(
                "{name} dimutasi ke {to_unit}; perannya sebagai fasilitator {of_unit} berakhir \
                 (Pergub Jatim 73/2020 Pasal 10 ayat 6). Tetapkan penggantinya."
            ),
            format!(
                "{name} moved to {to_unit}, so their role as fasilitator of {of_unit} ended \
                 (Pergub Jatim 73/2020 Art. 10(6)). Appoint a successor."
            ),
        ),
    )
}

/// What a step waits for when nobody may act on it.
pub(crate) enum Nobody<'a> {
    /// A post nobody holds and no Plt/Plh covers today (its title).
    Post(&'a str),
    /// A unit without a fasilitator, here or above (its name).
    Fasilitator(&'a str),
}

/// Title and body of "a request waits and nobody may act on it", for administrators.
pub(crate) fn nobody_to_act(service: &Text, requester: &str, missing: Nobody<'_>) -> (Text, Text) {
    let (waits_id, waits_en, todo_id, todo_en) = match missing {
        Nobody::Post(post) => (
            format!("di jabatan {post}, yang kosong dan tanpa Plt/Plh hari ini"),
            format!("on the post {post}, which nobody holds and no Plt/Plh covers today"),
            "Tunjuk Plt/Plh",
            "Appoint a Plt/Plh",
        ),
        Nobody::Fasilitator(unit) => (
            format!("verifikasi di {unit}, yang belum memiliki fasilitator"),
            format!("verification in {unit}, which has no fasilitator"),
            "Tunjuk fasilitator",
            "Appoint a fasilitator",
        ),
    };
    (
        Text::new(
            format!("{}: tidak ada yang dapat memproses", service.id),
            format!("{}: nobody can act on it", service.en),
        ),
        Text::new(
            format!(
                "Permohonan {} dari {requester} menunggu {waits_id}. {todo_id} agar \
                 permohonan dapat diproses.",
                service.id
            ),
            format!(
                "{requester}'s request for {} waits {waits_en}. {todo_en} so the request \
                 can proceed.",
                service.en
            ),
        ),
    )
}

/// Title and body of "a request waits for you", for whoever must act on its active step.
pub(crate) fn action_required(service: &Text, requester: &str, step: StepKind) -> (Text, Text) {
    let (title_id, title_en, todo_id, todo_en) = match step {
        StepKind::Verification => (
            "menunggu verifikasi",
            "awaits verification",
            "Periksa kelengkapan berkasnya.",
            "Check that its documents are complete.",
        ),
        StepKind::Recommendation => (
            "menunggu pertimbangan Anda",
            "awaits your recommendation",
            "Berikan pertimbangan Anda di aplikasi.",
            "Give your recommendation in the app.",
        ),
        StepKind::Approval | StepKind::Decision => (
            "menunggu keputusan Anda",
            "awaits your decision",
            "Putuskan permohonannya di aplikasi.",
            "Decide the request in the app.",
        ),
    };
    (
        Text::new(
            format!("{}: {title_id}", service.id),
            format!("{}: {title_en}", service.en),
        ),
        Text::new(
            format!("Permohonan {} dari {requester}. {todo_id}", service.id),
            format!("{requester}'s request for {}. {todo_en}", service.en),
        ),
    )
}

pub(crate) fn passkey_added(name: &str) -> (Text, Text) {
    (
        Text::new("Passkey baru ditambahkan", "A new passkey was added"),
        Text::new(
            format!(
                "Passkey \"{name}\" ditambahkan ke akun Anda. Jika bukan Anda, segera hubungi \
                 admin kepegawaian dan cabut semua sesi."
            ),
            format!(
                "The passkey \"{name}\" was added to your account. If this was not you, contact \
                 your personnel administrator and end all sessions at once."
            ),
        ),
    )
}

pub(crate) fn new_device(device: &str, platform: &str) -> (Text, Text) {
    (
        Text::new("Perangkat baru", "New device"),
        Text::new(
            format!(
                "Perangkat \"{device}\" ({platform}) kini menerima notifikasi akun Anda. Jika bukan \
                 Anda, cabut sesinya di aplikasi."
            ),
            format!(
                "The device \"{device}\" ({platform}) now receives your account's notifications. \
                 If this was not you, end its session in the app."
            ),
        ),
    )
}

/// The email of a notification: Bahasa Indonesia first, English second.
pub(crate) fn email(title: &Text, body: &Text, app_url: &str) -> (String, String) {
    let subject = format!("[Abdi] {} / {}", title.id, title.en);
    let body = format!(
        "{}\n\n{}\n\nBuka aplikasi Abdi atau {app_url} untuk rinciannya.\n\n\
         ---\n\n{}\n\n{}\n\nOpen the Abdi app or {app_url} for the details.\n\n\
         Pengaturan notifikasi / notification settings: {app_url}\n",
        title.id, body.id, title.en, body.en
    );
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_carries_its_reason_in_both_languages() {
        let name = Text::new("Cuti Tahunan", "Annual Leave");
        let (title, body) = request_changed(
            &name,
            "decided",
            RequestStatus::Decided,
            Some(Outcome::TidakDisetujui),
            Some("Kebutuhan dinas"),
        );
        assert_eq!(title.id, "Cuti Tahunan: tidak disetujui");
        assert_eq!(title.en, "Annual Leave: not approved");
        assert!(body.id.ends_with("Catatan: Kebutuhan dinas"));
        assert!(body.en.ends_with("Note: Kebutuhan dinas"));
        let (subject, text) = email(&title, &body, "https://abdi.example.go.id");
        assert!(subject.starts_with("[Abdi] Cuti Tahunan: tidak disetujui / Annual Leave"));
        assert!(text.find("tidak disetujui").unwrap() < text.find("not approved").unwrap());
    }
}
