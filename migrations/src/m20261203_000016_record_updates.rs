//! Self-service data update (Pergub Jatim 73/2020 Pasal 9-13, 22): proposals to change the
//! record with their evidence and their life, the employee's archive of verified documents, and
//! an attachment's tie to the proposal it is evidence for (so it is not swept as unsent).

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
            .alter_table(
                Table::alter()
                    .table("attachments")
                    .add_column(uuid_null("proposal_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("record_proposals")
                    .col(pk_uuid("id"))
                    .col(uuid("employee_id"))
                    // The employee's unit when it was sent: whose fasilitators verify it, and
                    // where the monitoring counts it.
                    .col(uuid("unit_id"))
                    .col(string_len("section", 32))
                    // `add`, `correct`, `remove`
                    .col(string_len("change", 16))
                    .col(big_integer_null("entry_id"))
                    // JSON: the entry's values when it was sent, and the values proposed.
                    .col(text("current"))
                    .col(text("proposed"))
                    .col(string_len("evidence_kind", 32))
                    .col(text_null("note"))
                    // `fasilitator` or `administrator`
                    .col(string_len("verifier", 16))
                    // `submitted`, `returned`, `verified`, `rejected`, `withdrawn`
                    .col(string_len("status", 16))
                    .col(integer("version"))
                    .col(timestamp_with_time_zone("submitted_at"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(uuid_null("decided_by"))
                    .col(big_integer_null("applied_entry_id"))
                    .foreign_key(&mut fk(
                        "record_proposals",
                        "employee_id",
                        "employees",
                        "id",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("record_proposals", &["employee_id"]))
            .await?;
        manager
            .create_index(index("record_proposals", &["unit_id", "status"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("proposal_events")
                    .col(big_pk_auto("id"))
                    .col(uuid("proposal_id"))
                    .col(timestamp_with_time_zone("at"))
                    // `submitted`, `resubmitted`, `returned`, `verified`, `rejected`, `withdrawn`
                    .col(string_len("action", 16))
                    .col(uuid_null("actor_id"))
                    // `own`, `fasilitator`, `administrator`
                    .col(string_len("capacity", 16))
                    .col(text_null("note"))
                    // JSON: the values as sent (submissions), or as applied (verification).
                    .col(text_null("values"))
                    .foreign_key(&mut fk(
                        "proposal_events",
                        "proposal_id",
                        "record_proposals",
                        "id",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("proposal_events", &["proposal_id"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("archive_documents")
                    .col(pk_uuid("id"))
                    .col(uuid("employee_id"))
                    .col(string_len("kind", 32))
                    .col(uuid("attachment_id"))
                    .col(uuid_null("proposal_id"))
                    .col(uuid_null("verified_by"))
                    .col(timestamp_with_time_zone("verified_at"))
                    .foreign_key(&mut fk(
                        "archive_documents",
                        "employee_id",
                        "employees",
                        "id",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "archive_documents",
                        "attachment_id",
                        "attachments",
                        "id",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("archive_documents", &["employee_id", "kind"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["archive_documents", "proposal_events", "record_proposals"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("attachments")
                    .drop_column("proposal_id")
                    .to_owned(),
            )
            .await
    }
}
