//! The subject (`sub`) an OpenID provider gave an employee the first time they logged in
//! through it: a later login carrying the same NIP claim under another subject is refused.

use sea_orm_migration::{prelude::*, schema::*};

use crate::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("sso_subjects")
                    // The provider's issuer URL (names in the configuration may change).
                    .col(string_len("issuer", 500))
                    .col(uuid("employee_id"))
                    .col(string_len("subject", 255))
                    .col(timestamp_with_time_zone("linked_at"))
                    .primary_key(Index::create().col("issuer").col("employee_id"))
                    .foreign_key(&mut fk(
                        "sso_subjects",
                        "employee_id",
                        "employees",
                        "id",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // One subject is one person.
        manager
            .create_index(
                Index::create()
                    .name("ux_sso_subjects_issuer_subject")
                    .table("sso_subjects")
                    .col("issuer")
                    .col("subject")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("sso_subjects").to_owned())
            .await
    }
}
