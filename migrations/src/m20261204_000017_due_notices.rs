//! Due dates told once: which employee was told of which date-driven service's event (the next
//! periodic raise, the retirement TMT, a service anniversary), so the daily reminder never
//! tells the same event twice.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{fk, index};

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
                    .table("due_notices")
                    .col(big_pk_auto("id"))
                    .col(uuid("employee_id"))
                    .col(string_len("service_code", 64))
                    .col(date("due_on"))
                    .col(timestamp_with_time_zone("told_at"))
                    .foreign_key(&mut fk(
                        "due_notices",
                        "employee_id",
                        "employees",
                        "id",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("due_notices", &["employee_id", "service_code", "due_on"])
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("due_notices").to_owned())
            .await
    }
}
