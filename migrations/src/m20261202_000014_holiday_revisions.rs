//! The holiday calendar as administrators keep it: each change of a year is a revision, with
//! the days before and after, who made it and why (the SKB or Keppres that changed it).

use sea_orm_migration::{prelude::*, schema::*};

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
                    .table("holiday_revisions")
                    .col(big_pk_auto("id"))
                    .col(integer("year"))
                    .col(integer("revision"))
                    // The year's days after the change, and before it, as JSON.
                    .col(text("days"))
                    .col(text("previous"))
                    .col(uuid_null("changed_by"))
                    .col(timestamp_with_time_zone("changed_at"))
                    .col(text("note"))
                    // Open leave requests the change touched when it was made.
                    .col(integer("affected"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_holiday_revisions_year_revision")
                    .table("holiday_revisions")
                    .col("year")
                    .col("revision")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("holiday_revisions").to_owned())
            .await
    }
}
