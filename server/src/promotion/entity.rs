//! The promotion tables (migration 000018).

pub mod proposal {
    use abdi_proto::promotion::{PromotionKind, PromotionStatus};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "promotion_proposals")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub employee_id: Uuid,
        pub unit_id: Uuid,
        pub period: Date,
        pub kind: PromotionKind,
        pub status: PromotionStatus,
        pub rank_code: String,
        pub new_rank_code: String,
        /// JSON: the archive's documents ([`abdi_proto::promotion::ProposalDocument`]).
        pub documents: String,
        pub bkn_id: Option<String>,
        pub pertek_number: Option<String>,
        pub pertek_date: Option<Date>,
        pub pertek_rank: Option<String>,
        pub pertek_tmt: Option<Date>,
        pub base_salary: Option<i64>,
        /// JSON array of BKN's reasons (a BTS, a validation error).
        pub reasons: String,
        pub request_id: Option<Uuid>,
        pub attempts: i32,
        pub next_attempt_at: Option<DateTimeUtc>,
        pub lease_until: Option<DateTimeUtc>,
        pub last_error: Option<String>,
        pub verified_by: Option<Uuid>,
        pub verified_at: Option<DateTimeUtc>,
        pub version: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod exchange {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "bkn_exchanges")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub proposal_id: Option<Uuid>,
        pub operation: String,
        pub status: Option<i32>,
        pub outcome: String,
        pub detail: String,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
