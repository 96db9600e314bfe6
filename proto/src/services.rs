//! Service requests on the wire: the catalogue (what can be asked for, with its form and its
//! approval chain), the request lifecycle, decisions, views and quotes. The same types are read
//! by the app (through abdi-core) and written by the server.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::completeness::Requirements;
use crate::eligibility::Eligibility;
use crate::error::Text;
pub use crate::error::Violation;
use crate::forms::{FormSchema, FormValues};

/// Where a request is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Saved by the employee, not yet sent.
    Draft,
    /// Sent; waiting for the fasilitator to check the documents.
    Submitted,
    /// Sent back by the fasilitator for revision, with a reason.
    Returned,
    /// Documents complete; moving along the approval chain.
    InReview,
    /// The final decision is made (see the outcome).
    Decided,
    /// Withdrawn by the employee before the final decision.
    Cancelled,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 6] = [
        Self::Draft,
        Self::Submitted,
        Self::Returned,
        Self::InReview,
        Self::Decided,
        Self::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::InReview => "in_review",
            Self::Decided => "decided",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Still open: the employee may cancel it.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Draft | Self::Submitted | Self::Returned | Self::InReview
        )
    }
}

/// A decision on a request (Peraturan BKN 24/2017, Anak Lampiran I.b, sections VII and VIII).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Approved as asked.
    Disetujui,
    /// Approved with changes (dates or length).
    Perubahan,
    /// Deferred.
    Ditangguhkan,
    /// Refused.
    TidakDisetujui,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Self::Disetujui,
        Self::Perubahan,
        Self::Ditangguhkan,
        Self::TidakDisetujui,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Disetujui => "disetujui",
            Self::Perubahan => "perubahan",
            Self::Ditangguhkan => "ditangguhkan",
            Self::TidakDisetujui => "tidak_disetujui",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Every outcome but approval needs a reason.
    pub fn needs_reason(self) -> bool {
        self != Self::Disetujui
    }

    /// Ends the chain at once (a refusal or deferral needs no further decider).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Ditangguhkan | Self::TidakDisetujui)
    }
}

/// What a step of the chain is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// The fasilitator checks the documents are complete.
    Verification,
    /// The atasan langsung's consideration (pertimbangan).
    Recommendation,
    /// A decision by an official (final unless more steps follow).
    Decision,
    /// An outside approval recorded by an administrator (BKN for CLTN).
    Approval,
}

/// Who acts on a step, worked out from the organisation when the request is submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum Approver {
    /// Fasilitator of the employee's unit or a unit above it.
    Fasilitator,
    /// The post the employee's post reports to.
    AtasanLangsung,
    /// The head of the employee's perangkat daerah (for that head: the next level up).
    Pybmc,
    /// The head of the instansi (the PPK's own post in the organisation).
    Ppk,
    /// BKN, recorded by an administrator with BKN's letter.
    Bkn,
}

/// One step of a service's approval chain template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChainStep {
    pub kind: StepKind,
    pub by: Approver,
    /// Whether a Plt/Plh may act (not for CLTN, leave abroad or appointments).
    #[serde(default = "yes")]
    pub acting_allowed: bool,
}

fn yes() -> bool {
    true
}

/// The document a decided request produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    SuratIzinCuti,
    SuratKeputusan,
    SuratIzin,
    /// A statement of fact by the official ("Surat Keterangan Aktif Bekerja").
    SuratKeterangan,
}

/// Where a service stands in the catalogue (Pergub Jatim 73/2020 Pasal 14-15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ServiceState {
    /// Being written: administrators see it, employees do not.
    Draft,
    /// Open for requests.
    Active,
    /// Closed by decree: requests already open go on under their revision.
    Inactive,
}

impl ServiceState {
    pub fn is_open(self) -> bool {
        self == Self::Active
    }
}

/// A state, or the `active: true|false` flag of revisions written before states existed.
fn state_or_flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<ServiceState, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        State(ServiceState),
        Flag(bool),
    }
    Ok(match Either::deserialize(d)? {
        Either::State(s) => s,
        Either::Flag(true) => ServiceState::Active,
        Either::Flag(false) => ServiceState::Inactive,
    })
}

/// The words of a decision letter, with placeholders from the record and the form filled in
/// when it is issued: `{name}`, `{nip}`, `{rank}`, `{position}`, `{unit}`, `{employee_kind}`,
/// `{birth_date}`, `{tmt_cpns}`, `{today}`, `{form.FIELD}` and `{assessment.KEY}` (what a
/// service's own rules worked out, such as `credit_points`). In Bahasa Indonesia, as the
/// letter is printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LetterTemplate {
    /// What the letter is about, after "TENTANG" (a decree) or as the title (a statement).
    pub title: String,
    /// "Menimbang": one consideration each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub considerations: Vec<String>,
    /// "Mengingat": the legal basis, one regulation each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub basis: Vec<String>,
    /// "Memperhatikan": what the decision took into account (BKN's Pertek).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// What is decided ("KESATU", "KEDUA", ...) or stated.
    pub decisions: Vec<String>,
    /// Rows added under the employee's data after the first decision (the old and new rank,
    /// the base salary).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<LetterField>,
    /// "Tembusan": who receives a copy; the BKD, the atasan and the employee when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub copies: Vec<String>,
    /// Whether the decree is about the requester: their name, NIP, rank, post and unit under
    /// the first decision. A decree on an agency's request for data names no employee there.
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub about_employee: bool,
}

fn is_yes(b: &bool) -> bool {
    *b
}

/// One labelled row of a letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LetterField {
    pub label: String,
    pub value: String,
}

impl LetterTemplate {
    /// The record's placeholders (the form's are `form.FIELD`).
    pub const RECORD: [&'static str; 9] = [
        "name",
        "nip",
        "rank",
        "position",
        "unit",
        "employee_kind",
        "birth_date",
        "tmt_cpns",
        "today",
    ];

    fn texts(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.title)
            .chain(&self.considerations)
            .chain(&self.basis)
            .chain(&self.notes)
            .chain(&self.decisions)
            .chain(self.fields.iter().flat_map(|f| [&f.label, &f.value]))
            .chain(&self.copies)
    }

    /// Every `{placeholder}` the template uses.
    pub fn placeholders(&self) -> Vec<String> {
        let mut found = Vec::new();
        for t in self.texts() {
            let mut rest = t.as_str();
            while let Some(open) = rest.find('{') {
                let after = &rest[open + 1..];
                let Some(close) = after.find('}') else { break };
                found.push(after[..close].to_owned());
                rest = &after[close + 1..];
            }
        }
        found
    }

    /// Refuses a template with no title or decision, or a placeholder neither the record
    /// nor `form` has.
    pub fn check(&self, form: &FormSchema) -> Result<(), String> {
        if self.title.trim().is_empty() || self.decisions.iter().all(|d| d.trim().is_empty()) {
            return Err("the letter needs a title and at least one decision".into());
        }
        for p in self.placeholders() {
            let known = Self::RECORD.contains(&p.as_str())
                || p.strip_prefix("form.")
                    .is_some_and(|f| form.fields.iter().any(|x| x.name == f))
                || p.strip_prefix("assessment.").is_some_and(|k| {
                    !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                });
            if !known {
                return Err(format!("the letter's placeholder '{{{p}}}' is not known"));
            }
        }
        Ok(())
    }

    /// The template with every placeholder replaced by `value(name)`.
    pub fn fill(&self, value: impl Fn(&str) -> String) -> Self {
        let one = |t: &String| {
            let mut out = String::new();
            let mut rest = t.as_str();
            while let Some(open) = rest.find('{') {
                out.push_str(&rest[..open]);
                let after = &rest[open + 1..];
                let Some(close) = after.find('}') else {
                    rest = &rest[open..];
                    break;
                };
                out.push_str(&value(&after[..close]));
                rest = &after[close + 1..];
            }
            out.push_str(rest);
            out
        };
        Self {
            title: one(&self.title),
            considerations: self.considerations.iter().map(one).collect(),
            basis: self.basis.iter().map(one).collect(),
            notes: self.notes.iter().map(one).collect(),
            decisions: self.decisions.iter().map(one).collect(),
            fields: self
                .fields
                .iter()
                .map(|f| LetterField {
                    label: one(&f.label),
                    value: one(&f.value),
                })
                .collect(),
            copies: self.copies.iter().map(one).collect(),
            about_employee: self.about_employee,
        }
    }
}

/// A service as the catalogue lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceSummary {
    pub code: String,
    pub name: Text,
    /// Open for requests (`state` is `active`).
    pub active: bool,
    pub state: ServiceState,
    pub sop_version: String,
    pub revision: u32,
}

/// What an administrator may change in a service by decree (Pergub Jatim 73/2020 Pasal 14-15).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceSpec {
    pub name: Text,
    /// The form the app renders; its attachment fields are the required documents.
    pub form: FormSchema,
    pub chain: Vec<ChainStep>,
    pub output_document: DocumentKind,
    /// Draft, active or inactive (earlier revisions said `active: true|false`).
    #[serde(alias = "active", deserialize_with = "state_or_flag")]
    pub state: ServiceState,
    pub sop_version: String,
    /// The SOP's text (requirements, duration, legal basis) as shown to employees.
    pub sop: Text,
    /// The decree that set this revision (the head of the BKD's, Pasal 11(5)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decree: Option<String>,
    /// What the record and the archive must hold before any rule runs (Pasal 11(3)).
    #[serde(default, skip_serializing_if = "Requirements::is_empty")]
    pub requires: Requirements,
    /// The conditions the employee must meet, checked the same way on the phone and the
    /// server; a service's own rules (the leave ledger) are checked after them.
    #[serde(default, skip_serializing_if = "Eligibility::is_empty")]
    pub eligibility: Eligibility,
    /// The letter's words; without it the letter says what the service's kind always says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub letter: Option<LetterTemplate>,
    /// The events that make the service due (a date-driven service): employees are told
    /// ahead, once per event.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub due: Vec<crate::eligibility::DueDate>,
}

/// A new service (`POST /api/v1/admin/services`), defined as data: its conditions alone are
/// checked before the chain (no Rust rules of its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewService {
    /// snake_case, unique: `sk_aktif_bekerja`.
    pub code: String,
    pub spec: ServiceSpec,
    /// Why: usually the decree's number.
    pub note: String,
}

/// Conditions tried against one employee's record before they are saved
/// (`POST /api/v1/admin/eligibility`, administrators).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EligibilityTrial {
    /// The employee's NIP.
    pub nip: String,
    pub eligibility: Eligibility,
    /// The form the conditions are checked against (its fields are referred to by name).
    #[serde(default)]
    pub form_schema: Option<FormSchema>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub form: FormValues,
}

/// A service with everything the app needs to render and explain it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceDefinition {
    pub code: String,
    /// Increases with every change; a request records the revision it was made under.
    pub revision: u32,
    #[serde(flatten)]
    pub spec: ServiceSpec,
    pub updated_at: DateTime<Utc>,
}

/// An administrator's change to a service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceChange {
    /// The revision the change was made against (a stale one is refused).
    pub revision: u32,
    pub spec: ServiceSpec,
    /// Why: usually the decree's number.
    pub note: String,
}

/// One earlier state of a service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceRevision {
    pub revision: u32,
    pub spec: ServiceSpec,
    pub changed_by: Option<String>,
    pub changed_at: DateTime<Utc>,
    pub note: String,
}

/// A new request (`POST /api/v1/requests`, with an `Idempotency-Key` header).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewRequest {
    pub service: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub form: FormValues,
    /// Send it at once (true, the default) or keep it as a draft.
    #[serde(default = "yes")]
    pub submit: bool,
}

/// Changing a draft or a returned request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestEdit {
    pub version: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub form: FormValues,
}

/// An action that only needs the version the caller saw (submit, cancel).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionedAction {
    pub version: u32,
    #[serde(default)]
    pub note: Option<String>,
}

/// The fasilitator's check of the documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VerificationOutcome {
    /// Complete: on to the approval chain.
    Complete,
    /// Back to the employee for revision (a reason is required).
    Return,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verification {
    pub version: u32,
    pub outcome: VerificationOutcome,
    #[serde(default)]
    pub note: Option<String>,
}

/// A decider's decision (needs a fresh passkey step-up).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    pub version: u32,
    pub outcome: Outcome,
    /// The reason; required for every outcome but `disetujui`.
    #[serde(default)]
    pub note: Option<String>,
    /// For `perubahan`: the changed form values (e.g. a shorter `period`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub changes: Option<FormValues>,
}

/// The state of one step of a request's chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Waiting,
    Active,
    Done,
    Skipped,
}

impl StepStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Active => "active",
            Self::Done => "done",
            Self::Skipped => "skipped",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Waiting, Self::Active, Self::Done, Self::Skipped]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// An acting official's assignment letter, shown with what they did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActingRef {
    pub kind: crate::agency::ActingKind,
    pub number: String,
}

pub use crate::people::PersonRef;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepView {
    pub seq: u32,
    pub kind: StepKind,
    pub by: Approver,
    pub status: StepStatus,
    /// The post that decides (none for verification and outside approvals).
    pub post: Option<String>,
    pub outcome: Option<String>,
    pub note: Option<String>,
    pub actor: Option<PersonRef>,
    /// The capacity the actor acted in (`atasan_langsung`, `pybmc`, `fasilitator`, ...).
    pub capacity: Option<String>,
    pub acting: Option<ActingRef>,
    pub acted_at: Option<DateTime<Utc>>,
}

/// One transition in a request's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    /// created, submitted, verified, returned, resubmitted, recommended, decided, approved,
    /// cancelled, edited.
    pub action: String,
    pub from: Option<RequestStatus>,
    pub to: RequestStatus,
    pub actor: Option<PersonRef>,
    pub capacity: Option<String>,
    pub acting: Option<ActingRef>,
    pub outcome: Option<String>,
    pub note: Option<String>,
}

/// A request in full: its form, what the service's rules made of it, its chain and timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestView {
    pub id: uuid::Uuid,
    pub service: String,
    pub service_name: Text,
    pub service_revision: u32,
    pub employee: PersonRef,
    pub status: RequestStatus,
    pub outcome: Option<Outcome>,
    /// Send this back with the next action (optimistic concurrency).
    pub version: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub form: FormValues,
    /// What the service's rules worked out (for leave: days and the balance).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub assessment: Value,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub steps: Vec<StepView>,
    pub timeline: Vec<TimelineEntry>,
}

/// A request in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestSummary {
    pub id: uuid::Uuid,
    pub service: String,
    pub employee: PersonRef,
    pub status: RequestStatus,
    pub outcome: Option<Outcome>,
    pub version: u32,
    /// One line for the list, e.g. "5 hari kerja, 2026-12-01 s/d 2026-12-05".
    pub summary: Text,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// A page of requests; pass `next` as `after` for the following page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestPage {
    pub items: Vec<RequestSummary>,
    pub next: Option<String>,
}

/// A decider's or fasilitator's work list: a page, and how many wait per service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkList {
    pub items: Vec<WorkItem>,
    pub next: Option<String>,
    pub total: u64,
    pub counts: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkItem {
    pub request: RequestSummary,
    pub step: StepKind,
    pub waiting_since: DateTime<Utc>,
}

/// An uploaded file (`POST /api/v1/attachments`); a form's attachment field lists these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentInfo {
    pub id: uuid::Uuid,
    pub name: String,
    /// Told by the content, not by the name: `application/pdf`, `image/jpeg` or `image/png`.
    pub content_type: String,
    pub size: u64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

/// What the service's rules say about a form before it is sent (`/services/{code}/quote`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quote {
    /// True when the request would be accepted now.
    pub ok: bool,
    pub violations: Vec<Violation>,
    /// What the rules worked out (for leave: days and the balance after).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub assessment: Value,
}

/// One row of the annual-leave table on the official form (section V).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BalanceRow {
    pub year: i32,
    /// Days of this year's entitlement still usable in the year asked about.
    pub remaining: u32,
    pub note: Text,
}

/// Annual leave for a year, as the official form shows it (rows N-2, N-1, N).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeaveBalance {
    pub year: i32,
    pub rows: Vec<BalanceRow>,
    /// Working days still available in `year` (all rows).
    pub available: u32,
    /// Working days booked in `year` by requests still being decided.
    pub pending: u32,
    /// Working days taken in `year`.
    pub used: u32,
}

/// A calendar period of a request (`{"start", "end"}`, both included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}
