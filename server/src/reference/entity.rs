//! Database entities of the reference data.

pub mod rank {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "ranks")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub code: String,
        pub golongan: String,
        pub ruang: String,
        pub pangkat: String,
        pub level: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod holiday {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "holidays")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub year: i32,
        pub date: Date,
        pub kind: String,
        pub name_id: String,
        pub name_en: String,
        pub legal_basis: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod holiday_revision {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "holiday_revisions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub year: i32,
        pub revision: i32,
        /// The year's days after the change (JSON).
        pub days: String,
        /// ... and before it.
        pub previous: String,
        pub changed_by: Option<Uuid>,
        pub changed_at: DateTimeUtc,
        pub note: String,
        pub affected: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
