//! Roles by decree: a grant (fasilitator, administrator) and an acting letter (Plt/Plh) carry
//! their decree's number and date and a window; a revoked grant or an ended letter is kept, so
//! the history of each stays. `agency_changes` records who changed what and on which decree,
//! from the API or from the operator's console.

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
        // One column per statement: SQLite adds one at a time. Rows from before have no decree
        // and an open window.
        let role_columns = [
            string_len_null("decree_number", 200),
            date_null("decree_date"),
            date_null("starts_on"),
            date_null("ends_on"),
            // Who granted it (none: the operator's console).
            uuid_null("granted_by"),
            timestamp_with_time_zone_null("revoked_at"),
            uuid_null("revoked_by"),
            string_len_null("revoke_reason", 500),
        ];
        for column in role_columns {
            manager
                .alter_table(
                    Table::alter()
                        .table("role_assignments")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        let acting_columns = [
            date_null("letter_date"),
            uuid_null("granted_by"),
            // Ended before `ends_on` (ends_on is then moved to the last day held).
            timestamp_with_time_zone_null("ended_at"),
            string_len_null("end_reason", 500),
            integer("version").default(1).take(),
        ];
        for column in acting_columns {
            manager
                .alter_table(
                    Table::alter()
                        .table("acting_assignments")
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(index("acting_assignments", &["position_id"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("agency_changes")
                    .col(big_integer("id").auto_increment().primary_key())
                    .col(timestamp_with_time_zone("at"))
                    // The administrator (none: the operator's console).
                    .col(uuid_null("by_employee_id"))
                    // api | console
                    .col(string_len("source", 16))
                    // role | acting
                    .col(string_len("subject", 16))
                    .col(uuid("subject_id"))
                    // granted | revoked | ended_by_transfer | recorded | amended | ended
                    .col(string_len("action", 32))
                    .col(uuid("employee_id"))
                    .col(string_len_null("decree_number", 200))
                    .col(text("detail"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("agency_changes", &["subject_id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("agency_changes").to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_acting_assignments_position_id")
                    .table("acting_assignments")
                    .to_owned(),
            )
            .await?;
        for column in [
            "version",
            "end_reason",
            "ended_at",
            "granted_by",
            "letter_date",
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("acting_assignments")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            "revoke_reason",
            "revoked_by",
            "revoked_at",
            "granted_by",
            "ends_on",
            "starts_on",
            "decree_date",
            "decree_number",
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table("role_assignments")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
