//! The audit log of authentication events: who, what, when, from where, outcome.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on SQLite too (sea-orm wraps only PostgreSQL migrations by default).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("auth_events")
                    .col(big_pk_auto("id"))
                    .col(timestamp_with_time_zone("at"))
                    // The employee, when known (not for an activation request that matched nobody).
                    .col(uuid_null("employee_id"))
                    // What the client claimed (a NIP, an SSO subject), for failed attempts.
                    .col(string_len_null("subject", 128))
                    .col(string_len("event", 48))
                    .col(string_len("outcome", 32))
                    .col(string_len_null("ip", 64))
                    .col(string_len_null("user_agent", 256))
                    .col(string_null("detail"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("auth_events", &["at"])).await?;
        manager
            .create_index(index("auth_events", &["employee_id", "at"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("auth_events").to_owned())
            .await
    }
}
