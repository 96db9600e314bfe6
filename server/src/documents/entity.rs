//! The documents table (migration 000008).

pub mod document {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "documents")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub request_id: Uuid,
        pub kind: String,
        pub number: String,
        pub title_id: String,
        pub title_en: String,
        pub issued_on: Date,
        pub status: abdi_proto::documents::DocumentStatus,
        pub signer_employee_id: Option<Uuid>,
        pub signer_position_id: Option<Uuid>,
        pub signer_name: String,
        pub signer_nip: String,
        pub signer_capacity: String,
        pub content: String,
        pub object_key: Option<String>,
        pub sha256: Option<String>,
        pub size: Option<i64>,
        pub signed_at: Option<DateTimeUtc>,
        /// The certificate that signed the file kept (issuer's name, serial in hex).
        pub signer_certificate_issuer: Option<String>,
        pub signer_certificate_serial: Option<String>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
