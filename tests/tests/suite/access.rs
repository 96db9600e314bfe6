//! The access matrix: every route x every role x own / other unit / other employee, from one
//! table. A route missing from the table fails the test, so none can be left out.

use std::collections::BTreeSet;

use abdi_proto::Text;
use abdi_proto::agency::{
    ActingAmendment, ActingEnd, ActingKind, NewActingLetter, NewRoleGrant, Role, RoleRevocation,
};
use abdi_proto::forms::FormSchema;
use abdi_proto::identity::TransferRequest;
use abdi_proto::master::{PositionKind, UnitLevel};
use abdi_proto::organisation::{
    Closure, NewPost, NewUnit, OrganisationDecree, PostAmendment, UnitAmendment,
};
use abdi_proto::promotion::{NewProposal, ProposalBatch};
use abdi_proto::services::{
    Approver, ChainStep, DocumentKind, EligibilityTrial, NewService, Outcome, RequestEdit,
    ServiceChange, ServiceSpec, ServiceState, StepKind, Verification, VerificationOutcome,
};
use abdi_proto::updates::{ProposalResubmission, ProposalReview, ReviewOutcome};
use abdi_server::masterdata::entity::employee;
use abdi_tests::api::{action, decision, ok, post, problem, submit, upload};
use abdi_tests::forms::{pdf, sick_leave};
use abdi_tests::world::{STAFF_NIP, Who, World, holder, step_up, world};
use abdi_tests::{Backend, both_backends};
use chrono::Duration;
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

const EVERYONE: [Who; 11] = [
    Who::Staff,
    Who::Supervisor,
    Who::Head,
    Who::Fasilitator,
    Who::OtherFasilitator,
    Who::Admin,
    Who::Other,
    Who::ActingNow,
    Who::ActingExpired,
    Who::ActingEndsToday,
    Who::ActingFuture,
];

/// What a route is about.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// No session needed (activation, login, reference data, health).
    Public,
    /// Only ever the caller's own data: a session is required and no one else's id is taken.
    Own,
    /// About the employee `target`; `allowed` may, everyone else gets 403.
    About {
        target: Who,
        allowed: &'static [Who],
    },
    /// Not about an employee; `allowed` may.
    Admin { allowed: &'static [Who] },
    /// About Staff's submitted sick-leave request (or its attachment); `allowed` get past the
    /// access check (their answer may still be a conflict or a step-up), everyone else 403.
    OnRequest { allowed: &'static [Who] },
    /// About Staff's proposal to add a diploma to their record (waiting for verification);
    /// `allowed` get past the access check, everyone else 403.
    OnProposal { allowed: &'static [Who] },
    /// The data API: a registered system's access token only; no session of anyone opens it.
    DataClient,
}

/// Who may verify Staff's proposal: the fasilitator of Staff's unit and administrators.
const PROPOSAL_VERIFIERS: &[Who] = &[Fasilitator, Admin];
/// Who may see it: Staff and its verifiers.
const PROPOSAL_VIEWERS: &[Who] = &[Staff, Fasilitator, Admin];
/// Whoever may read Staff's record.
const RECORD_READERS: &[Who] = &[
    Staff,
    Supervisor,
    Fasilitator,
    Admin,
    ActingNow,
    ActingEndsToday,
];
/// Fasilitators (for their units) and administrators; Staff too, whom the roles row above
/// (an administrator's grant) made a fasilitator of BKD.
const DESK_OF_UPDATES: &[Who] = &[Staff, Fasilitator, OtherFasilitator, Admin];
/// Who may see BKD's own lists: its fasilitators (Staff among them) and administrators.
const UNIT_DESK: &[Who] = &[Staff, Fasilitator, Admin];

/// Who may see Staff's request: Staff, the deciders on its chain (also as Plt/Plh inside their
/// window), the unit's fasilitator, administrators.
const REQUEST_VIEWERS: &[Who] = &[
    Staff,
    Supervisor,
    Head,
    Fasilitator,
    Admin,
    ActingNow,
    ActingEndsToday,
];
const REQUEST_DECIDERS: &[Who] = &[Supervisor, Head, ActingNow, ActingEndsToday];

use Who::*;

/// The table: (method, path, rule).
const ROUTES: &[(&str, &str, Rule)] = &[
    ("get", "/health/live", Rule::Public),
    ("get", "/health/ready", Rule::Public),
    ("get", "/api/v1/reference/ranks", Rule::Public),
    ("get", "/api/v1/reference/holidays", Rule::Public),
    ("get", "/api/v1/reference/holidays/{year}", Rule::Public),
    ("post", "/api/v1/activation", Rule::Public),
    ("post", "/api/v1/activation/redeem", Rule::Public),
    ("post", "/api/v1/auth/passkey/challenge", Rule::Public),
    ("post", "/api/v1/auth/passkey", Rule::Public),
    ("get", "/api/v1/auth/sso", Rule::Public),
    ("post", "/api/v1/auth/sso/{provider}", Rule::Public),
    ("post", "/api/v1/auth/sso/logout", Rule::Own),
    ("get", "/api/v1/me", Rule::Own),
    ("get", "/api/v1/me/sessions", Rule::Own),
    ("delete", "/api/v1/me/sessions", Rule::Own),
    ("delete", "/api/v1/me/sessions/{id}", Rule::Own),
    ("post", "/api/v1/auth/logout", Rule::Own),
    ("post", "/api/v1/auth/refresh", Rule::Own),
    ("post", "/api/v1/me/passkeys/registration", Rule::Own),
    ("get", "/api/v1/me/passkeys", Rule::Own),
    ("post", "/api/v1/me/passkeys", Rule::Own),
    ("delete", "/api/v1/me/passkeys/{id}", Rule::Own),
    ("post", "/api/v1/me/step-up/challenge", Rule::Own),
    ("post", "/api/v1/me/step-up", Rule::Own),
    (
        "get",
        "/api/v1/employees/{id}",
        Rule::About {
            target: Staff,
            allowed: &[
                Staff,
                Supervisor,
                Head,
                Fasilitator,
                Admin,
                ActingNow,
                ActingEndsToday,
            ],
        },
    ),
    (
        "get",
        "/api/v1/employees/{id}",
        Rule::About {
            target: Supervisor,
            allowed: &[Supervisor, Head, Fasilitator, Admin],
        },
    ),
    (
        "get",
        "/api/v1/employees/{id}/record",
        Rule::About {
            target: Staff,
            allowed: &[
                Staff,
                Supervisor,
                Fasilitator,
                Admin,
                ActingNow,
                ActingEndsToday,
            ],
        },
    ),
    (
        "get",
        "/api/v1/employees/{id}/record/pdf",
        Rule::About {
            target: Staff,
            allowed: &[
                Staff,
                Supervisor,
                Fasilitator,
                Admin,
                ActingNow,
                ActingEndsToday,
            ],
        },
    ),
    (
        "get",
        "/api/v1/admin/record-reads",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/employees/{id}/disable",
        Rule::About {
            target: Victim,
            allowed: &[Admin],
        },
    ),
    (
        "get",
        "/api/v1/admin/auth-events",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/employees/{id}/transfer",
        Rule::About {
            target: Victim,
            allowed: &[Admin],
        },
    ),
    (
        "get",
        "/api/v1/admin/roles",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/roles",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/roles/{id}/revoke",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/acting",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "put",
        "/api/v1/admin/acting/{id}",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/acting/{id}/end",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "get",
        "/api/v1/admin/units/{code}/acting",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "put",
        "/api/v1/admin/holidays/{year}",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "get",
        "/api/v1/admin/holidays/{year}/revisions",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/import/{file}",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "get",
        "/api/v1/admin/stalled-steps",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "get",
        "/api/v1/admin/units",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/units",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "get",
        "/api/v1/admin/units/{code}",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "put",
        "/api/v1/admin/units/{code}",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/units/{code}/close",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/posts",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "put",
        "/api/v1/admin/posts/{code}",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/posts/{code}/close",
        Rule::Admin { allowed: &[Admin] },
    ),
    ("get", "/api/v1/services", Rule::Public),
    ("get", "/api/v1/services/{code}", Rule::Public),
    ("post", "/api/v1/services/{code}/quote", Rule::Own),
    ("get", "/api/v1/services/{code}/eligibility", Rule::Own),
    (
        "post",
        "/api/v1/admin/services",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/eligibility",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "put",
        "/api/v1/admin/services/{code}",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "get",
        "/api/v1/admin/services/{code}/revisions",
        Rule::Admin { allowed: &[Admin] },
    ),
    ("post", "/api/v1/requests", Rule::Own),
    ("get", "/api/v1/requests", Rule::Own),
    (
        "get",
        "/api/v1/requests/{id}",
        Rule::OnRequest {
            allowed: REQUEST_VIEWERS,
        },
    ),
    (
        "put",
        "/api/v1/requests/{id}",
        Rule::OnRequest { allowed: &[Staff] },
    ),
    (
        "post",
        "/api/v1/requests/{id}/submit",
        Rule::OnRequest { allowed: &[Staff] },
    ),
    (
        "post",
        "/api/v1/requests/{id}/cancel",
        Rule::OnRequest { allowed: &[Staff] },
    ),
    (
        "post",
        "/api/v1/requests/{id}/verification",
        Rule::OnRequest {
            allowed: &[Fasilitator],
        },
    ),
    (
        "post",
        "/api/v1/requests/{id}/decision",
        Rule::OnRequest {
            allowed: REQUEST_DECIDERS,
        },
    ),
    ("get", "/api/v1/inbox", Rule::Own),
    ("get", "/api/v1/verification-queue", Rule::Own),
    ("post", "/api/v1/attachments", Rule::Own),
    (
        "get",
        "/api/v1/attachments/{id}",
        Rule::OnRequest {
            allowed: REQUEST_VIEWERS,
        },
    ),
    ("get", "/api/v1/me/leave-balance", Rule::Own),
    ("get", "/api/v1/me/record", Rule::Own),
    ("get", "/api/v1/me/record/pdf", Rule::Own),
    ("post", "/api/v1/me/email", Rule::Own),
    ("post", "/api/v1/me/email/confirm", Rule::Own),
    ("post", "/api/v1/me/phone", Rule::Own),
    ("post", "/api/v1/me/phone/confirm", Rule::Own),
    ("get", "/api/v1/me/proposals", Rule::Own),
    ("post", "/api/v1/me/proposals", Rule::Own),
    (
        "put",
        "/api/v1/me/proposals/{id}",
        Rule::OnProposal { allowed: &[Staff] },
    ),
    (
        "post",
        "/api/v1/me/proposals/{id}/withdraw",
        Rule::OnProposal { allowed: &[Staff] },
    ),
    (
        "get",
        "/api/v1/proposals",
        Rule::Admin {
            allowed: DESK_OF_UPDATES,
        },
    ),
    (
        "get",
        "/api/v1/proposals/{id}",
        Rule::OnProposal {
            allowed: PROPOSAL_VIEWERS,
        },
    ),
    (
        "post",
        "/api/v1/proposals/{id}/review",
        Rule::OnProposal {
            allowed: PROPOSAL_VERIFIERS,
        },
    ),
    (
        "get",
        "/api/v1/proposals/monitoring",
        Rule::Admin {
            allowed: DESK_OF_UPDATES,
        },
    ),
    (
        "get",
        "/api/v1/proposals/monitoring.csv",
        Rule::Admin {
            allowed: DESK_OF_UPDATES,
        },
    ),
    (
        "get",
        "/api/v1/proposals/monitoring.pdf",
        Rule::Admin {
            allowed: DESK_OF_UPDATES,
        },
    ),
    ("get", "/api/v1/me/archive", Rule::Own),
    (
        "get",
        "/api/v1/employees/{id}/archive",
        Rule::About {
            target: Staff,
            allowed: RECORD_READERS,
        },
    ),
    ("get", "/api/v1/me/completeness", Rule::Own),
    (
        "get",
        "/api/v1/employees/{id}/completeness",
        Rule::About {
            target: Staff,
            allowed: RECORD_READERS,
        },
    ),
    (
        "get",
        "/api/v1/requests/{id}/documents",
        Rule::OnRequest {
            allowed: REQUEST_VIEWERS,
        },
    ),
    (
        "get",
        "/api/v1/documents/{id}",
        Rule::OnRequest {
            allowed: REQUEST_VIEWERS,
        },
    ),
    (
        "get",
        "/api/v1/documents/{id}/pdf",
        Rule::OnRequest {
            allowed: REQUEST_VIEWERS,
        },
    ),
    ("get", "/api/v1/documents/awaiting-signature", Rule::Own),
    ("post", "/api/v1/documents/sign", Rule::Own),
    ("post", "/api/v1/verify", Rule::Public),
    ("get", "/api/v1/verify/{id}", Rule::Public),
    ("get", "/api/v1/verify/sha256/{sha256}", Rule::Public),
    ("get", "/api/v1/notifications", Rule::Own),
    ("get", "/api/v1/notifications/unread-count", Rule::Own),
    ("post", "/api/v1/notifications/read", Rule::Own),
    ("get", "/api/v1/notifications/stream", Rule::Own),
    ("get", "/api/v1/notification-preferences", Rule::Own),
    ("put", "/api/v1/notification-preferences", Rule::Own),
    ("get", "/api/v1/devices", Rule::Own),
    ("put", "/api/v1/devices/current", Rule::Own),
    ("delete", "/api/v1/devices/current", Rule::Own),
    // The web's pages: the same rules, with the session as the cookie and every form with
    // its CSRF token (see `web_call`).
    ("get", "/activation", Rule::Public),
    ("post", "/activation", Rule::Public),
    ("get", "/activate", Rule::Public),
    ("post", "/activate", Rule::Public),
    ("get", "/login", Rule::Public),
    ("get", "/lang/{lang}", Rule::Public),
    ("get", "/verify", Rule::Public),
    ("post", "/verify", Rule::Public),
    ("get", "/verify/{id}", Rule::Public),
    ("get", "/login/sso/{provider}", Rule::Public),
    ("get", "/login/sso/{provider}/callback", Rule::Public),
    ("get", "/.well-known/assetlinks.json", Rule::Public),
    (
        "get",
        "/.well-known/apple-app-site-association",
        Rule::Public,
    ),
    ("get", "/", Rule::Own),
    ("get", "/services", Rule::Own),
    ("get", "/services/{code}/new", Rule::Own),
    ("post", "/services/{code}/new", Rule::Own),
    ("get", "/passkeys/new", Rule::Own),
    ("post", "/logout", Rule::Own),
    ("get", "/devices", Rule::Own),
    ("post", "/devices/{id}/end", Rule::Own),
    ("post", "/passkeys/{id}/remove", Rule::Own),
    ("get", "/leave-balance", Rule::Own),
    ("get", "/record", Rule::Own),
    ("get", "/contact", Rule::Own),
    ("post", "/contact/email", Rule::Own),
    ("post", "/contact/phone", Rule::Own),
    ("post", "/contact/phone/confirm", Rule::Own),
    ("get", "/email/confirm", Rule::Own),
    ("post", "/email/confirm", Rule::Own),
    ("get", "/record/updates", Rule::Own),
    ("get", "/record/updates/new", Rule::Own),
    ("post", "/record/updates/new", Rule::Own),
    (
        "get",
        "/record/updates/{id}",
        Rule::OnProposal {
            allowed: PROPOSAL_VIEWERS,
        },
    ),
    (
        "get",
        "/record/updates/{id}/resend",
        Rule::OnProposal { allowed: &[Staff] },
    ),
    (
        "post",
        "/record/updates/{id}/resend",
        Rule::OnProposal { allowed: &[Staff] },
    ),
    (
        "post",
        "/record/updates/{id}/withdraw",
        Rule::OnProposal { allowed: &[Staff] },
    ),
    (
        "post",
        "/record/updates/{id}/review",
        Rule::OnProposal {
            allowed: PROPOSAL_VERIFIERS,
        },
    ),
    (
        "get",
        "/desk/updates",
        Rule::Admin {
            allowed: DESK_OF_UPDATES,
        },
    ),
    (
        "get",
        "/desk/updates/monitoring",
        Rule::Admin {
            allowed: DESK_OF_UPDATES,
        },
    ),
    (
        "get",
        "/desk/promotion",
        Rule::Admin {
            allowed: DESK_OF_UPDATES,
        },
    ),
    (
        "post",
        "/desk/promotion/proposals",
        Rule::Admin {
            allowed: &[Fasilitator, Admin],
        },
    ),
    (
        "post",
        "/desk/promotion/proposals/{id}/verify",
        Rule::Admin {
            allowed: &[Fasilitator, Admin],
        },
    ),
    (
        "post",
        "/desk/promotion/batches",
        Rule::Admin { allowed: &[Admin] },
    ),
    ("get", "/record/promotion", Rule::Own),
    ("get", "/desk/attendance", Rule::Own),
    ("post", "/desk/attendance/check-ins/{id}/review", Rule::Own),
    (
        "post",
        "/desk/attendance/cases/{id}/close",
        Rule::Admin {
            allowed: DESK_OF_UPDATES,
        },
    ),
    ("get", "/letters", Rule::Own),
    ("get", "/notifications", Rule::Own),
    ("post", "/notifications/read", Rule::Own),
    ("get", "/desk", Rule::Own),
    ("get", "/desk/signing", Rule::Own),
    ("post", "/desk/signing", Rule::Own),
    (
        "get",
        "/requests/{id}",
        Rule::OnRequest {
            allowed: REQUEST_VIEWERS,
        },
    ),
    (
        "post",
        "/requests/{id}/cancel",
        Rule::OnRequest { allowed: &[Staff] },
    ),
    (
        "get",
        "/requests/{id}/edit",
        Rule::OnRequest { allowed: &[Staff] },
    ),
    (
        "post",
        "/requests/{id}/edit",
        Rule::OnRequest { allowed: &[Staff] },
    ),
    (
        "post",
        "/requests/{id}/verify",
        Rule::OnRequest {
            allowed: &[Fasilitator],
        },
    ),
    (
        "post",
        "/requests/{id}/decide",
        Rule::OnRequest {
            allowed: REQUEST_DECIDERS,
        },
    ),
    (
        "get",
        "/letters/{id}",
        Rule::OnRequest {
            allowed: REQUEST_VIEWERS,
        },
    ),
    ("get", "/admin", Rule::Admin { allowed: &[Admin] }),
    ("get", "/admin/roles", Rule::Admin { allowed: &[Admin] }),
    ("post", "/admin/roles", Rule::Admin { allowed: &[Admin] }),
    (
        "post",
        "/admin/roles/{id}/revoke",
        Rule::Admin { allowed: &[Admin] },
    ),
    ("get", "/admin/catalogue", Rule::Admin { allowed: &[Admin] }),
    (
        "post",
        "/admin/catalogue",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "get",
        "/admin/catalogue/{code}",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "get",
        "/admin/organisation",
        Rule::Admin { allowed: &[Admin] },
    ),
    ("get", "/admin/import", Rule::Admin { allowed: &[Admin] }),
    ("post", "/admin/import", Rule::Admin { allowed: &[Admin] }),
    ("get", "/admin/audit", Rule::Admin { allowed: &[Admin] }),
    (
        "post",
        "/admin/organisation",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "get",
        "/admin/organisation/{code}",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/admin/organisation/{code}",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/admin/organisation/{code}/close",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/admin/organisation/{code}/posts",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/admin/posts/{code}/close",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/admin/catalogue/{code}",
        Rule::Admin { allowed: &[Admin] },
    ),
    ("get", "/admin/employees", Rule::Admin { allowed: &[Admin] }),
    ("get", "/admin/acting", Rule::Admin { allowed: &[Admin] }),
    ("post", "/admin/acting", Rule::Admin { allowed: &[Admin] }),
    (
        "post",
        "/admin/acting/{id}/end",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/admin/employees/{id}/disable",
        Rule::About {
            target: Victim,
            allowed: &[Admin],
        },
    ),
    (
        "post",
        "/admin/employees/{id}/transfer",
        Rule::About {
            target: Victim,
            allowed: &[Admin],
        },
    ),
    ("get", "/api/v1/promotion/policy", Rule::Own),
    ("get", "/api/v1/me/promotion", Rule::Own),
    ("get", "/api/v1/me/promotion/proposals", Rule::Own),
    (
        "get",
        "/api/v1/promotion/candidates",
        Rule::Admin {
            allowed: DESK_OF_UPDATES,
        },
    ),
    (
        "get",
        "/api/v1/promotion/proposals",
        Rule::Admin {
            allowed: DESK_OF_UPDATES,
        },
    ),
    // About Staff (nobody proposes their own promotion).
    (
        "post",
        "/api/v1/promotion/proposals",
        Rule::Admin {
            allowed: &[Fasilitator, Admin],
        },
    ),
    // Staff's draft promotion proposal.
    (
        "get",
        "/api/v1/promotion/proposals/{id}",
        Rule::Admin {
            allowed: &[Staff, Fasilitator, Admin],
        },
    ),
    (
        "post",
        "/api/v1/promotion/proposals/{id}/verify",
        Rule::Admin {
            allowed: &[Fasilitator, Admin],
        },
    ),
    (
        "post",
        "/api/v1/promotion/batches",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "get",
        "/api/v1/promotion/exchanges",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "get",
        "/api/v1/admin/data-clients",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/data-clients",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "get",
        "/api/v1/admin/data-clients/{id}",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/data-clients/{id}/rotate",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/data-clients/{id}/suspend",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/data-clients/{id}/resume",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/data-clients/{id}/revoke",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "get",
        "/api/v1/admin/data-access",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "get",
        "/api/v1/admin/data-access/export",
        Rule::Admin { allowed: &[Admin] },
    ),
    ("get", "/api/v1/me/data-access", Rule::Own),
    ("post", "/api/v1/attendance/devices", Rule::Own),
    ("post", "/api/v1/attendance/nonce", Rule::Own),
    ("post", "/api/v1/attendance/check-ins", Rule::Own),
    ("get", "/api/v1/attendance/places", Rule::Own),
    ("get", "/api/v1/me/attendance", Rule::Own),
    ("get", "/api/v1/me/attendance/days", Rule::Own),
    ("get", "/api/v1/attendance/team/flagged", Rule::Own),
    (
        "post",
        "/api/v1/attendance/check-ins/{id}/review",
        Rule::Own,
    ),
    (
        "get",
        "/api/v1/admin/attendance/places",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/attendance/places",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "get",
        "/api/v1/admin/attendance/schedules",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/api/v1/admin/attendance/schedules",
        Rule::Admin { allowed: &[Admin] },
    ),
    ("get", "/api/v1/attendance/team/day", Rule::Own),
    (
        "get",
        "/api/v1/attendance/units/{code}/day",
        Rule::Admin { allowed: UNIT_DESK },
    ),
    (
        "get",
        "/api/v1/attendance/units/{code}/recap",
        Rule::Admin { allowed: UNIT_DESK },
    ),
    (
        "get",
        "/api/v1/attendance/units/{code}/recap.csv",
        Rule::Admin { allowed: UNIT_DESK },
    ),
    (
        "get",
        "/api/v1/attendance/units/{code}/recap.pdf",
        Rule::Admin { allowed: UNIT_DESK },
    ),
    (
        "get",
        "/api/v1/attendance/cases",
        Rule::Admin {
            allowed: DESK_OF_UPDATES,
        },
    ),
    (
        "post",
        "/api/v1/attendance/cases/{id}/close",
        Rule::Admin {
            allowed: DESK_OF_UPDATES,
        },
    ),
    ("post", "/api/data/v1/token", Rule::Public),
    ("get", "/api/data/v1/statistics", Rule::Public),
    ("get", "/api/data/v1/statistics/{dimension}", Rule::Public),
    ("get", "/statistik", Rule::Public),
    (
        "get",
        "/admin/data-clients",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/admin/data-clients",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/admin/data-clients/{id}/rotate",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/admin/data-clients/{id}/suspend",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/admin/data-clients/{id}/resume",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "post",
        "/admin/data-clients/{id}/revoke",
        Rule::Admin { allowed: &[Admin] },
    ),
    (
        "get",
        "/admin/data-access",
        Rule::Admin { allowed: &[Admin] },
    ),
    ("get", "/data-access", Rule::Own),
    ("get", "/api/data/v1/employees", Rule::DataClient),
    ("get", "/api/data/v1/employees/{nip}", Rule::DataClient),
    ("get", "/api/data/v1/changes", Rule::DataClient),
];

/// Whether a path is one of the web's pages (the rest is the API).
fn is_web(path: &str) -> bool {
    !path.starts_with("/api/") && !path.starts_with("/health/")
}

/// The origin the world's pages are served from (`identity.public_url`).
const WEB_ORIGIN: &str = "http://localhost:8080";

/// The fields of a web form that writes: its CSRF token, and what it needs to reach the
/// access decision (request actions carry a stale version, so nothing changes).
fn web_fields(path: &str, csrf: &str) -> Vec<(&'static str, String)> {
    let mut fields: Vec<(&'static str, String)> = vec![("csrf", csrf.to_owned())];
    let decree = [
        ("decree_number", "061/1/013/2026".to_owned()),
        ("decree_date", "2026-07-01".to_owned()),
    ];
    if path == "/admin/organisation" {
        // Under a unit that does not exist: refused past the access check.
        fields.extend([
            ("code", "MATRIX".into()),
            ("name", "Unit Uji".into()),
            ("level", "unit_kerja".into()),
            ("parent_code", "NOSUCH".into()),
        ]);
        fields.extend(decree);
    } else if path.starts_with("/admin/organisation/") && path.ends_with("/posts") {
        fields.extend([
            ("code", "MATRIX-1".into()),
            ("title", "Jabatan Uji".into()),
            ("kind", "pelaksana".into()),
        ]);
        fields.extend(decree);
    } else if path.starts_with("/admin/organisation/") || path.starts_with("/admin/posts/") {
        fields.extend(decree);
    } else if path.starts_with("/admin/catalogue") {
        fields.push(("state", "active".into()));
        fields.push(("code", "matrix_uji".into()));
        for k in [
            "name_id",
            "name_en",
            "sop_version",
            "sop_id",
            "sop_en",
            "form",
            "chain",
            "output_document",
            "note",
        ] {
            fields.push((k, "x".into()));
        }
        fields.push(("revision", "999".into()));
    } else if path == "/desk/promotion/proposals" {
        fields.extend([("nip", STAFF_NIP.into()), ("period", "2026-08-01".into())]);
    } else if path.starts_with("/desk/promotion/proposals/") {
        fields.extend([("version", "1".into()), ("period", "2026-08-01".into())]);
    } else if path == "/desk/promotion/batches" {
        fields.push(("period", "2026-08-01".into()));
    } else if path.starts_with("/desk/attendance/check-ins/") {
        fields.extend([("accept", "true".into()), ("note", "Sudah dicek".into())]);
    } else if path.starts_with("/desk/attendance/cases/") {
        fields.push(("note", "Sudah dibina oleh atasan langsung.".into()));
    } else if path.starts_with("/record/updates/") && path.ends_with("/review") {
        fields.extend([("version", "999".into()), ("outcome", "verify".into())]);
    } else if path.starts_with("/record/updates/") {
        fields.push(("version", "999".into()));
    } else if path.starts_with("/requests/") && path.ends_with("/verify") {
        fields.extend([("version", "999".into()), ("outcome", "complete".into())]);
    } else if path.ends_with("/decide") {
        fields.extend([("version", "999".into()), ("outcome", "disetujui".into())]);
    } else if path.ends_with("/cancel") || path.ends_with("/edit") {
        fields.push(("version", "999".into()));
    } else if path == "/admin/data-clients" {
        // A network that does not parse: refused past the access check, nothing registered.
        fields.extend([
            ("agency", "Kementerian Agama".into()),
            ("unit", "Biro Kepegawaian".into()),
            ("agreement_number", "B-1/2026".into()),
            ("agreement_date", "2026-06-01".into()),
            ("expires_on", "2026-12-31".into()),
            ("purpose", "Uji".into()),
            ("contact_name", "Admin".into()),
            ("contact_email", "admin@kemenag.go.id".into()),
            ("networks", "bukan-jaringan".into()),
            ("units", "BKD".into()),
            ("employees", "on".into()),
        ]);
    } else if path.starts_with("/admin/data-clients/") {
        fields.push(("reason", "access matrix".into()));
    } else if path == "/admin/roles" {
        fields.extend([
            ("nip", STAFF_NIP.into()),
            ("role", "fasilitator".into()),
            ("unit_code", "BKD".into()),
            ("decree_number", "188.4/1/204/2026".into()),
            ("decree_date", "2026-07-01".into()),
        ]);
    } else if path.ends_with("/revoke") {
        fields.push(("reason", "access matrix".into()));
    } else if path == "/admin/import" {
        fields.extend([("file", "units.csv".into()), ("dry_run", "true".into())]);
    } else if path.ends_with("/transfer") {
        let t = onto("DISHUB-U003", None);
        fields.extend([
            ("unit_code", t.unit_code),
            ("decree_number", t.decree_number),
            ("tmt", t.tmt.to_string()),
        ]);
    } else if path == "/admin/acting" {
        // A Plt for a post someone holds: refused past the access check, nothing recorded.
        fields.extend([
            ("nip", STAFF_NIP.into()),
            ("position_code", "BKD-U001-KASI1".into()),
            ("kind", "plt".into()),
            ("number", "800/9/204/2026".into()),
            ("letter_date", "2026-07-01".into()),
            ("starts_on", "2026-07-01".into()),
            ("ends_on", "2026-07-31".into()),
        ]);
    } else if path.ends_with("/end") {
        fields.extend([
            ("version", "999".into()),
            ("last_day", "2026-07-01".into()),
            ("reason", "access matrix".into()),
        ]);
    }
    fields
}

/// The CSRF token of `token`'s session, as its pages carry it.
async fn csrf_of(w: &World, token: &str) -> String {
    let page = w
        .app
        .client
        .get(w.app.url("/devices"))
        .header("cookie", format!("__Host-abdi_session={token}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = r#"name="csrf-token" content=""#;
    let start = page.find(marker).expect("the page's CSRF token") + marker.len();
    page[start..start + page[start..].find('"').unwrap()].to_owned()
}

/// A web page as a browser asks for it: the session as the cookie; a form that writes from
/// Abdi's own origin with its CSRF token (url-encoded, or multipart for the pages that upload).
async fn web_call(w: &World, method: &str, path: &str, who: Option<Who>) -> reqwest::Response {
    let verb = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
    let mut req = w.app.client.request(verb, w.app.url(path));
    let mut csrf = String::new();
    if let Some(who) = who {
        let token = &w.tokens[&who];
        req = req.header("cookie", format!("__Host-abdi_session={token}"));
        csrf = csrf_of(w, token).await;
    }
    if method != "get" {
        req = req.header("origin", WEB_ORIGIN);
        let fields = web_fields(path, &csrf);
        let uploads = path.ends_with("/new")
            || path.ends_with("/edit")
            || path.ends_with("/resend")
            || path == "/admin/import"
            || path == "/verify";
        req = if uploads {
            let mut form = reqwest::multipart::Form::new();
            for (k, v) in fields {
                form = form.text(k, v);
            }
            if path == "/admin/import" {
                let csv = b"unorId,namaUnor,jenisUnor,diatasanId\n".to_vec();
                form = form.part(
                    "csv",
                    reqwest::multipart::Part::bytes(csv).file_name("units.csv"),
                );
            }
            req.multipart(form)
        } else {
            req.form(&fields)
        };
    }
    req.send().await.unwrap()
}

/// A call without a session: the API says 401; a web page sends the browser to login.
async fn unauthenticated(r: reqwest::Response, path: &str) {
    if is_web(path) {
        assert_eq!(r.status(), 303, "{path} without a session");
        let to = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(to.starts_with("/login"), "{path} sent to {to}");
    } else {
        problem(r, 401, "unauthenticated").await;
    }
}

/// A refused call: the API's problem, or the web's page naming `forbidden`.
async fn forbidden(r: reqwest::Response, path: &str) {
    if is_web(path) {
        assert_eq!(r.status(), 403, "{path}");
        let page = r.text().await.unwrap();
        assert!(page.contains("<code>forbidden</code>"), "{path}: {page}");
    } else {
        assert_eq!(r.status(), 403, "{path}");
        problem(r, 403, "forbidden").await;
    }
}

/// The body a route needs to get past its input checks to the access decision. Request
/// actions carry a stale version: whoever gets past the access check gets a conflict, and
/// nothing changes. Each is typed; the table holds them as JSON, one shape per route.
fn body_for(method: &str, path: &str) -> Option<Value> {
    fn typed(body: &impl serde::Serialize) -> Option<Value> {
        Some(serde_json::to_value(body).unwrap())
    }
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let decree = || OrganisationDecree {
        number: "061/1/013/2026".into(),
        date: day("2026-07-01"),
    };
    if path.ends_with("/transfer") {
        typed(&onto("DISHUB-U003", None))
    } else if path == "/api/v1/admin/roles" && method == "post" {
        typed(&NewRoleGrant {
            nip: STAFF_NIP.into(),
            role: Role::Fasilitator,
            unit_code: Some("BKD".into()),
            decree_number: "188.4/1/204/2026".into(),
            decree_date: day("2026-07-01"),
            starts_on: None,
            ends_on: None,
        })
    } else if path.starts_with("/api/v1/admin/holidays/") && method == "put" {
        typed(&abdi_proto::calendar::CalendarChange {
            days: vec![],
            note: "uji".into(),
        })
    } else if path == "/api/v1/admin/attendance/places" && method == "post" {
        typed(&abdi_proto::attendance::NewPlace {
            name: "Kantor uji".into(),
            fence: abdi_proto::attendance::Fence::Circle {
                center: abdi_proto::attendance::GeoPoint::new(-7.2451, 112.7379),
                radius_m: 100.0,
            },
            accuracy_m: None,
            unit_code: Some("BKD".into()),
            nip: None,
        })
    } else if path == "/api/v1/admin/attendance/schedules" && method == "post" {
        typed(&abdi_proto::attendance::NewSchedule {
            name: "Jadwal uji".into(),
            unit_code: Some("BKD".into()),
            from: day("2026-07-01"),
            until: None,
            days: vec![],
            flexible_minutes: 0,
        })
    } else if path.ends_with("/close") && path.starts_with("/api/v1/attendance/cases/") {
        typed(&abdi_proto::attendance::CaseClosing {
            note: "Sudah dibina oleh atasan langsung.".into(),
        })
    } else if path == "/api/v1/admin/data-clients" && method == "post" {
        typed(&abdi_tests::sharing::new_client(
            &["203.0.113.0/24"],
            &["BKD"],
        ))
    } else if path.starts_with("/api/v1/admin/data-clients/") && path.ends_with("/rotate") {
        typed(&abdi_proto::sharing::CredentialRotation {
            public_key_pem: None,
            certificate_pem: None,
            reason: "uji".into(),
        })
    } else if path.starts_with("/api/v1/admin/data-clients/") {
        typed(&abdi_proto::sharing::ClientStatusChange {
            reason: "uji".into(),
        })
    } else if path.ends_with("/revoke") {
        typed(&RoleRevocation {
            reason: "uji".into(),
            decree_number: None,
        })
    } else if path == "/api/v1/admin/acting" {
        typed(&NewActingLetter {
            nip: STAFF_NIP.into(),
            position_code: "BKD-KEPALA".into(),
            kind: ActingKind::Plh,
            number: "800/1/2026".into(),
            letter_date: day("2026-07-01"),
            starts_on: day("2026-07-01"),
            ends_on: day("2026-07-02"),
        })
    } else if path.starts_with("/api/v1/admin/acting/") && method == "put" {
        typed(&ActingAmendment {
            version: 999,
            number: "800/1/2026".into(),
            letter_date: day("2026-07-01"),
            starts_on: day("2026-07-01"),
            ends_on: day("2026-07-02"),
            note: "uji".into(),
        })
    } else if path == "/api/v1/admin/units" && method == "post" {
        typed(&NewUnit {
            code: "BKD-UJI".into(),
            name: "Unit Uji".into(),
            level: UnitLevel::UnitKerja,
            parent_code: Some("BKD".into()),
            decree: decree(),
        })
    } else if path == "/api/v1/admin/posts" {
        typed(&NewPost {
            code: "BKD-UJI-1".into(),
            title: "Jabatan Uji".into(),
            kind: PositionKind::Pelaksana,
            grade: None,
            unit_code: "BKD".into(),
            reports_to_code: Some("BKD-KEPALA".into()),
            decree: decree(),
        })
    } else if path.starts_with("/api/v1/admin/units/") && method == "put" {
        // Changes nothing: no new name, no new parent.
        typed(&UnitAmendment {
            name: None,
            parent_code: None,
            decree: decree(),
        })
    } else if path.starts_with("/api/v1/admin/posts/") && method == "put" {
        typed(&PostAmendment {
            title: None,
            placement: None,
            decree: decree(),
        })
    } else if path.ends_with("/close") {
        // Refused past the access check: the unit and the post are still in use.
        typed(&Closure {
            decree: decree(),
            closed_on: None,
        })
    } else if path.ends_with("/end") {
        typed(&ActingEnd {
            version: 999,
            last_day: day("2026-07-01"),
            reason: "uji".into(),
        })
    } else if path.contains("/admin/services/") && method == "put" {
        typed(&ServiceChange {
            revision: 999,
            note: "SK 1/2026".into(),
            spec: matrix_spec(),
        })
    } else if path == "/api/v1/admin/services" {
        // An existing code: refused past the access check.
        typed(&NewService {
            code: "cuti_tahunan".into(),
            note: "SK 1/2026".into(),
            spec: matrix_spec(),
        })
    } else if path == "/api/v1/admin/eligibility" {
        typed(&EligibilityTrial {
            nip: STAFF_NIP.into(),
            eligibility: Default::default(),
            form_schema: None,
            form: Default::default(),
        })
    } else if path.starts_with("/api/v1/proposals/") && path.ends_with("/review") {
        typed(&ProposalReview {
            version: 999,
            outcome: ReviewOutcome::Verify,
            note: None,
        })
    } else if path.starts_with("/api/v1/me/proposals/") && method == "put" {
        typed(&ProposalResubmission {
            version: 999,
            values: Default::default(),
            note: None,
        })
    } else if path == "/api/v1/promotion/proposals" && method == "post" {
        typed(&NewProposal {
            nip: STAFF_NIP.into(),
            period: day("2026-08-01"),
            kind: None,
        })
    } else if path.starts_with("/api/v1/promotion/proposals/") && path.ends_with("/verify") {
        typed(&action(1))
    } else if path == "/api/v1/promotion/batches" {
        typed(&ProposalBatch {
            period: day("2026-08-01"),
        })
    } else if path.ends_with("/withdraw") {
        typed(&action(999))
    } else if path.ends_with("/verification") {
        typed(&Verification {
            version: 999,
            outcome: VerificationOutcome::Complete,
            note: None,
        })
    } else if path.ends_with("/decision") {
        typed(&decision(999, Outcome::Disetujui))
    } else if path.starts_with("/api/v1/requests/") && method == "put" {
        typed(&RequestEdit {
            version: 999,
            form: Default::default(),
        })
    } else if path.ends_with("/submit") || path.ends_with("/cancel") {
        typed(&action(999))
    } else {
        None
    }
}

async fn call(w: &World, method: &str, path: &str, who: Option<Who>) -> reqwest::Response {
    if is_web(path) {
        return web_call(w, method, path, who).await;
    }
    let verb = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
    let mut req = w.app.client.request(verb, w.app.url(path));
    if let Some(body) = body_for(method, path) {
        req = req.json(&body);
    }
    if let Some(who) = who {
        req = req.bearer_auth(&w.tokens[&who]);
    }
    req.send().await.unwrap()
}

/// Whether a response got past the access check: anything but 401 and a plain 403
/// (`step_up_required` is a 403 past it), and never a server error.
async fn passed_access(r: reqwest::Response) -> bool {
    let status = r.status().as_u16();
    let to_login = r
        .headers()
        .get("location")
        .is_some_and(|l| l.to_str().unwrap_or("").starts_with("/login"));
    let text = r.text().await.unwrap_or_default();
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    assert!(status < 500, "{status} {text}");
    let refused = body["code"] == "forbidden" || text.contains("<code>forbidden</code>");
    status != 401 && !(status == 303 && to_login) && !(status == 403 && refused)
}

/// Staff uploads a doctor's certificate and asks for two days of sick leave with it.
async fn staff_request(w: &World) -> (Uuid, Uuid) {
    let up = ok(upload(w, Staff, "surat-dokter.pdf", pdf()).await).await;
    let today = w.app.state.clock.today();
    let r = submit(
        w,
        Staff,
        "cuti_sakit",
        sick_leave(
            &today.to_string(),
            &(today + Duration::days(1)).to_string(),
            Some(json!([{ "id": up["id"] }])),
        ),
    )
    .await;
    assert_eq!(r.status(), 201);
    let view: Value = r.json().await.unwrap();
    (
        view["id"].as_str().unwrap().parse().unwrap(),
        up["id"].as_str().unwrap().parse().unwrap(),
    )
}

/// Staff proposes a diploma for their record, with its scan.
async fn staff_proposal(w: &World) -> Uuid {
    let up = ok(upload(w, Staff, "ijazah.pdf", pdf()).await).await;
    let r = w
        .app
        .client
        .post(w.app.url("/api/v1/me/proposals"))
        .bearer_auth(&w.tokens[&Staff])
        .header("idempotency-key", Uuid::new_v4().to_string())
        .json(&json!({
            "section": "education", "change": "add",
            "values": {
                "level": "s2", "institution": "Universitas Airlangga", "graduation_year": 2024,
                "evidence_kind": "ijazah", "evidence": [{ "id": up["id"] }],
            },
        }))
        .send()
        .await
        .unwrap();
    let p = ok(r).await;
    p["id"].as_str().unwrap().parse().unwrap()
}

/// Staff's draft promotion proposal (as a fasilitator's assembly leaves it).
async fn staff_promotion(w: &World) -> Uuid {
    use abdi_proto::promotion::{PromotionKind, PromotionStatus};
    use abdi_server::promotion::entity::proposal;
    let id = Uuid::new_v4();
    let now = chrono::Utc::now();
    let staff = employee::Entity::find_by_id(w.ids[&Staff])
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    proposal::Entity::insert(proposal::ActiveModel {
        id: Set(id),
        employee_id: Set(staff.id),
        unit_id: Set(staff.unit_id),
        period: Set("2026-08-01".parse().unwrap()),
        kind: Set(PromotionKind::Regular),
        status: Set(PromotionStatus::Draft),
        rank_code: Set("III/a".into()),
        new_rank_code: Set("III/b".into()),
        documents: Set("[]".into()),
        bkn_id: Set(None),
        pertek_number: Set(None),
        pertek_date: Set(None),
        pertek_rank: Set(None),
        pertek_tmt: Set(None),
        base_salary: Set(None),
        reasons: Set("[]".into()),
        request_id: Set(None),
        attempts: Set(0),
        next_attempt_at: Set(None),
        lease_until: Set(None),
        last_error: Set(None),
        verified_by: Set(None),
        verified_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(&w.app.state.db)
    .await
    .unwrap();
    id
}

/// A letter on Staff's request, as the final decision would issue it (here without deciding,
/// so the request stays as the other rows expect it).
async fn letter_for(w: &World, request: Uuid) -> Uuid {
    use abdi_server::documents::entity::document;
    let id = Uuid::now_v7();
    document::Entity::insert(document::ActiveModel {
        id: Set(id),
        request_id: Set(request),
        kind: Set("surat_izin_cuti".into()),
        number: Set("800.1.11/0001/TEST/2026".into()),
        title_id: Set("Surat Izin Cuti Sakit".into()),
        title_en: Set("Leave permit: Cuti Sakit".into()),
        issued_on: Set(w.app.state.clock.today()),
        status: Set(abdi_proto::documents::DocumentStatus::AwaitingSignature),
        signer_employee_id: Set(Some(w.ids[&Head])),
        signer_position_id: Set(None),
        signer_name: Set("Kepala".into()),
        signer_nip: Set("197001012000031001".into()),
        signer_capacity: Set("Kepala Dinas".into()),
        content: Set("{}".into()),
        object_key: Set(None),
        sha256: Set(None),
        size: Set(None),
        signed_at: Set(None),
        signer_certificate_issuer: Set(None),
        signer_certificate_serial: Set(None),
        created_at: Set(w.app.state.clock.now()),
    })
    .exec_without_returning(&w.app.state.db)
    .await
    .unwrap();
    id
}

async fn the_access_matrix_holds_for_every_route(backend: Backend) {
    let w = world(backend).await;
    let (request, attachment) = staff_request(&w).await;
    let document = letter_for(&w, request).await;
    let proposal = staff_proposal(&w).await;
    let promotion = staff_promotion(&w).await;

    // Every described operation is in the table, and the table describes nothing else.
    let spec: Value = w.app.get("/openapi.json").await.json().await.unwrap();
    let described: BTreeSet<(String, String)> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(|m| (m.clone(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    let tabled: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(described, tabled, "the access table and the API differ");

    for (method, path, rule) in ROUTES {
        match rule {
            Rule::Public => {
                let concrete = path
                    .replace("{year}", "2026")
                    .replace("{provider}", "bkn")
                    .replace("{lang}", "en")
                    .replace("{dimension}", "rank")
                    .replace("{code}", "cuti_tahunan");
                let r = call(&w, method, &concrete, None).await;
                assert!(
                    r.status() != 401 && r.status() != 403,
                    "{method} {path} wants a session: {}",
                    r.status()
                );
            }
            Rule::Own => {
                assert!(
                    !path.contains("/employees/"),
                    "{path} takes someone else's id"
                );
                let concrete = path
                    .replace("{id}", &Uuid::new_v4().to_string())
                    .replace("{code}", "cuti_tahunan");
                let r = call(&w, method, &concrete, None).await;
                unauthenticated(r, path).await;
            }
            Rule::DataClient => {
                let concrete = path.replace("{nip}", STAFF_NIP);
                let concrete = if concrete.ends_with("/employees") {
                    format!("{concrete}?unit=BKD")
                } else {
                    concrete
                };
                problem(
                    call(&w, method, &concrete, None).await,
                    401,
                    "invalid_token",
                )
                .await;
                for who in EVERYONE {
                    let r = call(&w, method, &concrete, Some(who)).await;
                    problem(r, 401, "invalid_token").await;
                }
            }
            Rule::About { target, allowed } => {
                let concrete = path.replace("{id}", &w.ids[target].to_string());
                let r = call(&w, method, &concrete, None).await;
                unauthenticated(r, path).await;
                // Those refused first: a refused call must change nothing.
                let (yes, no): (Vec<Who>, Vec<Who>) =
                    EVERYONE.iter().partition(|who| allowed.contains(who));
                let before = employee::Entity::find_by_id(w.ids[target])
                    .one(&w.app.state.db)
                    .await
                    .unwrap();
                for who in no {
                    let r = call(&w, method, &concrete, Some(who)).await;
                    assert_eq!(r.status(), 403, "{who:?} {method} {path} about {target:?}");
                }
                let after = employee::Entity::find_by_id(w.ids[target])
                    .one(&w.app.state.db)
                    .await
                    .unwrap();
                assert_eq!(
                    before, after,
                    "a refused {method} {path} changed the record"
                );
                for who in yes {
                    // Administrators' writes need a step-up too; it is no capacity.
                    step_up(&w, who).await;
                    let r = call(&w, method, &concrete, Some(who)).await;
                    assert!(
                        r.status().is_success(),
                        "{who:?} {method} {path} about {target:?}: {}",
                        r.status()
                    );
                }
            }
            Rule::Admin { allowed } => {
                let concrete = path
                    .replace("/units/{code}", "/units/BKD")
                    .replace("/posts/{code}", "/posts/BKD-KEPALA")
                    .replace("{file}", "units")
                    .replace("{year}", "2026")
                    .replace("{code}", "cuti_tahunan")
                    .replace(
                        "{id}",
                        &if path.starts_with("/api/v1/promotion/proposals/")
                            || path.starts_with("/desk/promotion/proposals/")
                        {
                            promotion
                        } else {
                            Uuid::new_v4()
                        }
                        .to_string(),
                    );
                let concrete = if path.ends_with("/data-access/export") {
                    format!("{concrete}?year=2026")
                } else if path.contains("/monitoring") {
                    format!("{concrete}?from=2026-07-01&to=2026-07-31")
                } else if path.ends_with("/promotion/candidates") {
                    format!("{concrete}?period=2026-08-01")
                } else if path.contains("/recap") {
                    format!("{concrete}?month=2026-07")
                } else {
                    concrete
                };
                for who in EVERYONE {
                    let r = call(&w, method, &concrete, Some(who)).await;
                    if allowed.contains(&who) {
                        assert!(
                            passed_access(r).await,
                            "{who:?} {method} {path} was refused"
                        );
                    } else {
                        forbidden(r, &format!("{path} ({who:?})")).await;
                    }
                }
            }
            Rule::OnProposal { allowed } => {
                let concrete = path.replace("{id}", &proposal.to_string());
                let r = call(&w, method, &concrete, None).await;
                unauthenticated(r, path).await;
                for who in EVERYONE {
                    let r = call(&w, method, &concrete, Some(who)).await;
                    if allowed.contains(&who) {
                        assert!(
                            passed_access(r).await,
                            "{who:?} {method} {path} was refused"
                        );
                    } else {
                        forbidden(r, path).await;
                    }
                }
                let after: Value = call(
                    &w,
                    "get",
                    &format!("/api/v1/proposals/{proposal}"),
                    Some(Staff),
                )
                .await
                .json()
                .await
                .unwrap();
                assert_eq!(after["version"], 1, "{method} {path} changed the proposal");
                assert_eq!(after["status"], "submitted", "{method} {path}");
            }
            Rule::OnRequest { allowed } => {
                let id = if path.starts_with("/api/v1/attachments/") {
                    attachment
                } else if path.starts_with("/api/v1/documents/") || path.starts_with("/letters/") {
                    document
                } else {
                    request
                };
                let concrete = path.replace("{id}", &id.to_string());
                let r = call(&w, method, &concrete, None).await;
                unauthenticated(r, path).await;
                for who in EVERYONE {
                    let r = call(&w, method, &concrete, Some(who)).await;
                    if allowed.contains(&who) {
                        assert!(
                            passed_access(r).await,
                            "{who:?} {method} {path} was refused"
                        );
                    } else {
                        forbidden(r, path).await;
                    }
                }
                let after: Value = call(
                    &w,
                    "get",
                    &format!("/api/v1/requests/{request}"),
                    Some(Staff),
                )
                .await
                .json()
                .await
                .unwrap();
                assert_eq!(after["version"], 1, "{method} {path} changed the request");
            }
        }
    }

    // Everyone sees their own record through /me.
    for who in EVERYONE {
        let me: Value = call(&w, "get", "/api/v1/me", Some(who))
            .await
            .json()
            .await
            .unwrap();
        let own = employee::Entity::find_by_id(w.ids[&who])
            .one(&w.app.state.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(me["nip"], own.nip);
    }
}

async fn a_disabled_account_is_out_at_once(backend: Backend) {
    let w = world(backend).await;
    let staff = w.ids[&Staff];
    assert_eq!(
        call(&w, "get", "/api/v1/me", Some(Staff)).await.status(),
        200
    );
    // An administrator's write needs a fresh step-up.
    problem(
        call(
            &w,
            "post",
            &format!("/api/v1/admin/employees/{staff}/disable"),
            Some(Admin),
        )
        .await,
        403,
        "step_up_required",
    )
    .await;
    assert_eq!(
        call(&w, "get", "/api/v1/me", Some(Staff)).await.status(),
        200,
        "nothing changed"
    );
    step_up(&w, Admin).await;
    let r = call(
        &w,
        "post",
        &format!("/api/v1/admin/employees/{staff}/disable"),
        Some(Admin),
    )
    .await;
    assert_eq!(r.status(), 204);
    // The very next request is refused: sessions ended with the disable, not at their expiry.
    problem(
        call(&w, "get", "/api/v1/me", Some(Staff)).await,
        401,
        "unauthenticated",
    )
    .await;
    let e = employee::Entity::find_by_id(staff)
        .one(&w.app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(!e.active);
    // The administrator reads it back in the audit log.
    let log: Value = call(
        &w,
        "get",
        &format!("/api/v1/admin/auth-events?employee_id={staff}"),
        Some(Admin),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(log["events"][0]["event"], "account_disabled");
    let r = call(
        &w,
        "get",
        "/api/v1/admin/auth-events?limit=abc",
        Some(Admin),
    )
    .await;
    problem(r, 400, "invalid_query").await;
    let r = call(
        &w,
        "get",
        &format!("/api/v1/employees/{}", Uuid::new_v4()),
        Some(Admin),
    )
    .await;
    problem(r, 404, "employee_not_found").await;
    // Anyone else cannot tell an unknown id from someone they may not see.
    for target in [Uuid::new_v4(), w.ids[&Head]] {
        let r = call(
            &w,
            "get",
            &format!("/api/v1/employees/{target}"),
            Some(Other),
        )
        .await;
        problem(r, 403, "forbidden").await;
    }
}

/// The administrator transfers `employee` as `body` says.
async fn transfer(w: &World, employee: Uuid, body: &TransferRequest) -> reqwest::Response {
    let path = format!("/api/v1/admin/employees/{employee}/transfer");
    post(w, Admin, &path, body).await
}

/// A transfer to the unit `unit_code` (and the post `position_code`), replacing nobody.
fn onto(unit_code: &str, position_code: Option<&str>) -> TransferRequest {
    TransferRequest {
        unit_code: unit_code.into(),
        position_code: position_code.map(str::to_owned),
        replaces_holder: false,
        decree_number: "821.2/77/204/2026".into(),
        tmt: "2026-07-01".parse().unwrap(),
    }
}

async fn a_transfer_ends_the_sessions_at_once(backend: Backend) {
    let w = world(backend).await;
    let staff = w.ids[&Staff];
    assert_eq!(
        call(&w, "get", "/api/v1/me", Some(Staff)).await.status(),
        200
    );
    let body = onto("DINKES-U001", Some("DINKES-U001-F03"));
    problem(transfer(&w, staff, &body).await, 403, "step_up_required").await;
    step_up(&w, Admin).await;
    let r = transfer(&w, staff, &onto("NOPE", None)).await;
    problem(r, 404, "unit_not_found").await;
    assert_eq!(
        call(&w, "get", "/api/v1/me", Some(Staff)).await.status(),
        200,
        "nothing changed"
    );
    // A post shared by many (fungsional) is no one's to give up.
    let r = transfer(&w, staff, &body).await;
    assert_eq!(r.status(), 204);
    problem(
        call(&w, "get", "/api/v1/me", Some(Staff)).await,
        401,
        "unauthenticated",
    )
    .await;
    // The old supervisor no longer sees the employee; the new perangkat daerah's fasilitator does.
    let r = call(
        &w,
        "get",
        &format!("/api/v1/employees/{staff}"),
        Some(Supervisor),
    )
    .await;
    problem(r, 403, "forbidden").await;
    let r = call(
        &w,
        "get",
        &format!("/api/v1/employees/{staff}"),
        Some(OtherFasilitator),
    )
    .await;
    assert_eq!(r.status(), 200);
}

/// A struktural post has one holder: a transfer onto it is refused until the administrator
/// says the holder is being replaced; then the holder leaves it and is logged out too.
async fn a_held_post_is_taken_only_by_replacing_its_holder(backend: Backend) {
    let w = world(backend).await;
    let staff = w.ids[&Staff];
    let (holder_id, post) = holder(&w.app, "BKD-U001-KASI1").await;
    assert_eq!(holder_id, w.ids[&Supervisor]);
    step_up(&w, Admin).await;
    let kasi = onto("BKD-U001", Some("BKD-U001-KASI1"));
    problem(transfer(&w, staff, &kasi).await, 409, "position_occupied").await;
    let post_of = |id: Uuid| {
        let w = &w;
        async move {
            employee::Entity::find_by_id(id)
                .one(&w.app.state.db)
                .await
                .unwrap()
                .unwrap()
                .position_id
        }
    };
    assert_eq!(post_of(holder_id).await, Some(post), "nothing changed");
    for who in [Staff, Supervisor] {
        assert_eq!(call(&w, "get", "/api/v1/me", Some(who)).await.status(), 200);
    }

    let replacing = TransferRequest {
        replaces_holder: true,
        ..kasi
    };
    assert_eq!(transfer(&w, staff, &replacing).await.status(), 204);
    assert_eq!(post_of(staff).await, Some(post));
    assert_eq!(post_of(holder_id).await, None, "the holder left the post");
    for who in [Staff, Supervisor] {
        problem(
            call(&w, "get", "/api/v1/me", Some(who)).await,
            401,
            "unauthenticated",
        )
        .await;
    }
}

both_backends!(
    the_access_matrix_holds_for_every_route,
    a_held_post_is_taken_only_by_replacing_its_holder,
    a_disabled_account_is_out_at_once,
    a_transfer_ends_the_sessions_at_once
);

/// A usable service definition for the catalogue rows.
fn matrix_spec() -> ServiceSpec {
    ServiceSpec {
        name: Text::new("Uji", "Test"),
        form: FormSchema {
            version: 1,
            fields: vec![],
        },
        chain: vec![ChainStep {
            kind: StepKind::Decision,
            by: Approver::Pybmc,
            acting_allowed: true,
        }],
        output_document: DocumentKind::SuratIzin,
        state: ServiceState::Active,
        sop_version: "1".into(),
        sop: Text::new("-", "-"),
        decree: None,
        requires: Default::default(),
        eligibility: Default::default(),
        letter: None,
        due: Vec::new(),
    }
}
