//! Decision letters: one per decided request, numbered per year, rendered at the decision from a
//! snapshot of what it says, then signed (PAdES) and kept in the object store.

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
                    .table("document_numbers")
                    .col(integer("year").primary_key())
                    .col(integer("last"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("documents")
                    .col(uuid("id").primary_key())
                    .col(uuid("request_id").unique_key())
                    // surat_izin_cuti | surat_keputusan
                    .col(string_len("kind", 32))
                    .col(string_len("number", 96).unique_key())
                    .col(text("title_id"))
                    .col(text("title_en"))
                    .col(date("issued_on"))
                    // awaiting_signature | signed
                    .col(string_len("status", 24))
                    // Whoever decided signs: that employee, holding or acting for that post.
                    .col(uuid_null("signer_employee_id"))
                    .col(uuid_null("signer_position_id"))
                    .col(text("signer_name"))
                    .col(string_len("signer_nip", 18))
                    .col(text("signer_capacity"))
                    // What the letter says, as JSON, frozen at the decision.
                    .col(text("content"))
                    .col(text_null("object_key"))
                    .col(string_len_null("sha256", 64))
                    .col(big_integer_null("size"))
                    .col(timestamp_with_time_zone_null("signed_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "documents",
                        "request_id",
                        "service_requests",
                        "id",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("documents", &["signer_employee_id", "status"]))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["documents", "document_numbers"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
