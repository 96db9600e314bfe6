//! Database entities study permits read: the disciplinary record.

pub mod disciplinary_sanction {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "disciplinary_sanctions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub employee_id: Uuid,
        pub level: String,
        pub decree_number: String,
        pub starts_on: Date,
        pub ends_on: Option<Date>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
