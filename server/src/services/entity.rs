//! Database entities of service requests. JSON columns (spec, form, assessment, response) are
//! text holding JSON, the same on PostgreSQL and SQLite.

pub mod service_type {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "service_types")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub code: String,
        pub rules: String,
        pub revision: i32,
        pub active: bool,
        pub spec: String,
        pub updated_at: DateTimeUtc,
        pub updated_by: Option<Uuid>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod service_type_revision {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "service_type_revisions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub code: String,
        pub revision: i32,
        pub spec: String,
        pub changed_by: Option<Uuid>,
        pub changed_at: DateTimeUtc,
        pub note: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod service_request {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "service_requests")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub employee_id: Uuid,
        pub service_code: String,
        pub service_revision: i32,
        pub status: abdi_proto::services::RequestStatus,
        pub outcome: Option<abdi_proto::services::Outcome>,
        pub form: String,
        pub assessment: String,
        pub unit_id: Uuid,
        pub pd_unit_id: Option<Uuid>,
        pub version: i32,
        pub created_at: DateTimeUtc,
        pub submitted_at: Option<DateTimeUtc>,
        pub decided_at: Option<DateTimeUtc>,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod request_step {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "request_steps")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub request_id: Uuid,
        pub service_code: String,
        pub employee_id: Uuid,
        pub seq: i32,
        pub kind: abdi_proto::services::StepKind,
        pub approver: abdi_proto::services::Approver,
        pub acting_allowed: bool,
        pub position_id: Option<Uuid>,
        pub unit_id: Option<Uuid>,
        pub pd_unit_id: Option<Uuid>,
        pub status: abdi_proto::services::StepStatus,
        pub activated_at: Option<DateTimeUtc>,
        pub outcome: Option<String>,
        pub note: Option<String>,
        pub actor_id: Option<Uuid>,
        pub capacity: Option<String>,
        pub acting_assignment_id: Option<Uuid>,
        pub acted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod request_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "request_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub request_id: Uuid,
        pub at: DateTimeUtc,
        pub action: crate::services::events::Action,
        pub from_status: Option<abdi_proto::services::RequestStatus>,
        pub to_status: abdi_proto::services::RequestStatus,
        pub actor_id: Option<Uuid>,
        pub capacity: Option<String>,
        pub acting_assignment_id: Option<Uuid>,
        pub outcome: Option<String>,
        pub note: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod idempotency_key {
    use sea_orm::entity::prelude::*;

    /// Where a key's first attempt stands.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, sea_orm::EnumIter, sea_orm::DeriveActiveEnum)]
    #[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
    pub enum KeyState {
        /// Claimed; the request is being made.
        Running,
        /// Answered: retries get the recorded answer.
        Done,
    }

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "idempotency_keys")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub employee_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        pub body_hash: String,
        pub state: KeyState,
        pub response_status: Option<i32>,
        pub response: Option<String>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod attachment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "attachments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub owner_id: Uuid,
        pub request_id: Option<Uuid>,
        /// The proposal it is evidence for (then kept, and later archived, not swept).
        pub proposal_id: Option<Uuid>,
        pub name: String,
        pub content_type: String,
        pub size: i64,
        pub sha256: String,
        pub storage_key: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
