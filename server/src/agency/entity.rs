//! The history of what administrators (or the operator's console) changed by decree: roles
//! and acting letters, and the organisation.

pub mod agency_change {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "agency_changes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub at: DateTimeUtc,
        /// The administrator; none for the operator's console.
        pub by_employee_id: Option<Uuid>,
        pub source: super::Source,
        pub subject: super::Subject,
        pub subject_id: Uuid,
        pub action: super::Change,
        /// Whom the change is about.
        pub employee_id: Uuid,
        pub decree_number: Option<String>,
        /// What changed, as JSON.
        pub detail: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The history of the organisation: units and posts added, renamed, moved and closed.
pub mod organisation_change {
    use abdi_proto::organisation::{OrganisationAction, OrganisationSubject};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "organisation_changes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub at: DateTimeUtc,
        pub by_employee_id: Option<Uuid>,
        pub subject: OrganisationSubject,
        pub subject_id: Uuid,
        pub code: String,
        /// The unit the change is listed under (a post's unit after the change).
        pub unit_id: Uuid,
        pub action: OrganisationAction,
        pub decree_number: String,
        pub decree_date: Date,
        pub before: Option<String>,
        pub after: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use sea_orm::{DeriveActiveEnum, EnumIter};

/// Where a change came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum Source {
    /// An administrator, through the API.
    Api,
    /// The operator, with `abdi-server admin` on the server's machine.
    Console,
}

/// What a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum Subject {
    Role,
    Acting,
}

/// What happened to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum Change {
    Granted,
    Revoked,
    /// A fasilitator moved to another unit (Pergub Jatim 73/2020 Pasal 10(6)).
    EndedByTransfer,
    Recorded,
    Amended,
    Ended,
}
