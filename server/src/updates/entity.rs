//! The proposals' tables: one row per proposal, and its life, kept for good.

pub mod record_proposal {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "record_proposals")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub employee_id: Uuid,
        /// The employee's unit when it was sent.
        pub unit_id: Uuid,
        pub section: String,
        pub change: String,
        pub entry_id: Option<i64>,
        /// JSON: the entry's values when it was sent.
        pub current: String,
        /// JSON: the values proposed.
        pub proposed: String,
        pub evidence_kind: String,
        pub note: Option<String>,
        pub verifier: String,
        pub status: String,
        pub version: i32,
        pub submitted_at: DateTimeUtc,
        pub decided_at: Option<DateTimeUtc>,
        pub decided_by: Option<Uuid>,
        pub applied_entry_id: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod proposal_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "proposal_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub proposal_id: Uuid,
        pub at: DateTimeUtc,
        pub action: String,
        pub actor_id: Option<Uuid>,
        pub capacity: String,
        pub note: Option<String>,
        /// JSON: the values as sent, or as applied.
        pub values: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
