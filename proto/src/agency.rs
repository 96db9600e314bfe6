//! Running an agency: roles granted by decree (fasilitator, administrator) and acting officials
//! (Plt/Plh) recorded from their assignment letter. Pergub Jatim 73/2020 Pasal 8-10; SE BKN
//! 1/SE/I/2021 for what a Plt/Plh may do.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::people::PersonRef;

/// A login role held by decree (the employee's own login needs none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// HR staff of a unit (and everything below it): verifies requests, keeps data.
    Fasilitator,
    /// The personnel agency (BKD/BKPSDM): runs Abdi for the whole agency.
    Administrator,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Fasilitator => "fasilitator",
            Role::Administrator => "administrator",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Role::Fasilitator, Role::Administrator]
            .into_iter()
            .find(|r| r.code() == code)
    }
}

/// A Plt holds a post that is vacant; a Plh holds it while its holder is away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum ActingKind {
    Plt,
    Plh,
}

/// Where a grant or a letter stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Its window has not begun.
    Scheduled,
    /// In force today.
    Active,
    /// Its window is over.
    Lapsed,
    /// Revoked, or ended early.
    Ended,
}

impl Standing {
    /// Where a window `[starts_on, ends_on]` (open at either end) stands on `today`.
    pub fn of(
        starts_on: Option<NaiveDate>,
        ends_on: Option<NaiveDate>,
        ended: bool,
        today: NaiveDate,
    ) -> Self {
        if ended {
            Standing::Ended
        } else if starts_on.is_some_and(|s| today < s) {
            Standing::Scheduled
        } else if ends_on.is_some_and(|e| today > e) {
            Standing::Lapsed
        } else {
            Standing::Active
        }
    }
}

/// `POST /api/v1/admin/roles`: grant a role by decree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewRoleGrant {
    /// The employee's NIP (18 digits).
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[0-9]{18}$"))]
    pub nip: String,
    pub role: Role,
    /// A fasilitator's unit, e.g. `DINKES` (a perangkat daerah, or a unit below one): the role
    /// covers it and everything below it. None for an administrator.
    #[serde(default)]
    pub unit_code: Option<String>,
    /// The decree's number, e.g. `800/1234/204/2026`.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub decree_number: String,
    pub decree_date: NaiveDate,
    /// From this day (the decree's date if not given).
    #[serde(default)]
    pub starts_on: Option<NaiveDate>,
    /// Up to and including this day (open-ended if not given).
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
}

/// A role grant as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleGrant {
    pub id: Uuid,
    pub employee: PersonRef,
    pub role: Role,
    pub unit_code: Option<String>,
    pub unit_name: Option<String>,
    pub decree_number: Option<String>,
    pub decree_date: Option<NaiveDate>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// The administrator's NIP; none when granted from the operator's console.
    pub granted_by: Option<String>,
    pub granted_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<String>,
    /// Today.
    pub standing: Standing,
}

/// `POST /api/v1/admin/roles/{id}/revoke`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RoleRevocation {
    /// Why, e.g. the decree that replaces the grant.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
    pub reason: String,
    #[serde(default)]
    pub decree_number: Option<String>,
}

/// `POST /api/v1/admin/acting`: record a Plt/Plh assignment letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewActingLetter {
    /// The acting official's NIP.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[0-9]{18}$"))]
    pub nip: String,
    /// The post they act in, e.g. `DINKES-KADIS`.
    pub position_code: String,
    pub kind: ActingKind,
    /// The letter's number.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub number: String,
    pub letter_date: NaiveDate,
    pub starts_on: NaiveDate,
    /// The last day they act (inclusive).
    pub ends_on: NaiveDate,
}

/// A Plt/Plh letter as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActingLetter {
    pub id: Uuid,
    pub employee: PersonRef,
    pub position_code: String,
    pub position_title: String,
    pub unit_code: String,
    pub kind: ActingKind,
    pub number: String,
    pub letter_date: Option<NaiveDate>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub ended_at: Option<DateTime<Utc>>,
    pub end_reason: Option<String>,
    /// Send it back with an amendment or an early end.
    pub version: u32,
    /// Today.
    pub standing: Standing,
}

/// `PUT /api/v1/admin/acting/{id}`: amend a letter (a corrected number or window).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActingAmendment {
    /// The version last read.
    pub version: u32,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub number: String,
    pub letter_date: NaiveDate,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Why it is amended.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
    pub note: String,
}

/// `POST /api/v1/admin/acting/{id}/end`: end a letter early (the holder is back, a Plt is
/// replaced by a definitive appointment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActingEnd {
    pub version: u32,
    /// The last day they act (inclusive); today at the latest stays in force until midnight.
    pub last_day: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
    pub reason: String,
}
