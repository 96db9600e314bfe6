//! The organisation as administrators keep it (Pergub Jatim 73/2020 Pasal 16): units and
//! posts added, renamed, moved and closed by decree, each change kept in a history.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::master::{PositionKind, UnitLevel};

/// A unit as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitView {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub level: UnitLevel,
    pub parent_code: Option<String>,
    /// Closed by decree from this day.
    pub closed_on: Option<NaiveDate>,
}

/// A post as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostView {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub kind: PositionKind,
    /// Eselon for a struktural post (`II.a`), level for a fungsional one.
    pub grade: Option<String>,
    pub unit_code: String,
    pub reports_to_code: Option<String>,
    /// How many active employees hold it today.
    pub holders: u32,
    pub closed_on: Option<NaiveDate>,
}

/// A unit with its posts and the history of both, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitDetail {
    pub unit: UnitView,
    pub posts: Vec<PostView>,
    pub history: Vec<OrganisationChange>,
}

/// The decree behind a change to the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrganisationDecree {
    /// e.g. `061/1234/013/2026`.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub number: String,
    pub date: NaiveDate,
}

/// `POST /api/v1/admin/units`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    /// Upper-case letters, digits, `-` and `_`, at most 32.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Z0-9_-]{1,32}$"))]
    pub code: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: String,
    pub level: UnitLevel,
    /// None only for an instansi at the top.
    #[serde(default)]
    pub parent_code: Option<String>,
    pub decree: OrganisationDecree,
}

/// `PUT /api/v1/admin/units/{code}`: a new name, a new parent, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UnitAmendment {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: Option<String>,
    /// Moves the unit (with everything below it) under this one.
    #[serde(default)]
    pub parent_code: Option<String>,
    pub decree: OrganisationDecree,
}

/// `POST /api/v1/admin/posts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPost {
    /// Upper-case letters, digits, `-` and `_`, at most 48.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Z0-9_-]{1,48}$"))]
    pub code: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub title: String,
    pub kind: PositionKind,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub grade: Option<String>,
    pub unit_code: String,
    /// The post it reports to (its atasan's post); none at the top.
    #[serde(default)]
    pub reports_to_code: Option<String>,
    pub decree: OrganisationDecree,
}

/// Where a post sits: its unit and the post it reports to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PostPlacement {
    pub unit_code: String,
    #[serde(default)]
    pub reports_to_code: Option<String>,
}

/// `PUT /api/v1/admin/posts/{code}`: a new title, a new placement, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PostAmendment {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub title: Option<String>,
    #[serde(default)]
    pub placement: Option<PostPlacement>,
    pub decree: OrganisationDecree,
}

/// `POST /api/v1/admin/units/{code}/close` and `/admin/posts/{code}/close`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Closure {
    pub decree: OrganisationDecree,
    /// From this day (the decree's date if not given).
    #[serde(default)]
    pub closed_on: Option<NaiveDate>,
}

/// What a change was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationSubject {
    Unit,
    Post,
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationAction {
    Added,
    Renamed,
    Moved,
    Closed,
}

/// One entry of the organisation's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganisationChange {
    pub at: DateTime<Utc>,
    /// The administrator's NIP.
    pub by: Option<String>,
    pub subject: OrganisationSubject,
    /// The unit's or the post's code.
    pub code: String,
    pub action: OrganisationAction,
    /// The value before (a name, a title, a parent or a placement); none for an addition.
    pub before: Option<String>,
    /// The value after; for a closure, the first day closed.
    pub after: Option<String>,
    pub decree_number: String,
    pub decree_date: NaiveDate,
}
