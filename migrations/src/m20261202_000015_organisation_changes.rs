//! The organisation as administrators keep it: a unit or a post can be closed (it stays, for
//! the histories that name it), and every addition, rename, move and closure is kept in
//! `organisation_changes` with the decree that made it.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for table in ["org_units", "positions"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(date_null("closed_on"))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("organisation_changes")
                    .col(big_pk_auto("id"))
                    .col(timestamp_with_time_zone("at"))
                    // The administrator; none for an import.
                    .col(uuid_null("by_employee_id"))
                    // `unit` or `post`.
                    .col(string_len("subject", 16))
                    .col(uuid("subject_id"))
                    // Its code (codes never change).
                    .col(string_len("code", 48))
                    // The unit the change is listed under (a post's unit after the change).
                    .col(uuid("unit_id"))
                    // `added`, `renamed`, `moved`, `closed`.
                    .col(string_len("action", 16))
                    .col(string_len("decree_number", 200))
                    .col(date("decree_date"))
                    // The value before and after (a name, a parent, a placement, a day).
                    .col(text_null("before"))
                    .col(text_null("after"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("organisation_changes", &["unit_id"]))
            .await?;
        manager
            .create_index(index("organisation_changes", &["subject_id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("organisation_changes").to_owned())
            .await?;
        for table in ["org_units", "positions"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column("closed_on")
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
