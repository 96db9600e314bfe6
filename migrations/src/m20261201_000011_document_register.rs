//! The register of issued letters: a letter is found by its file's SHA-256 (a verification asks
//! whether a file is a letter Abdi issued), and it records the certificate that signed it
//! (issuer and serial), so a verification can tell whether the file's signer is the letter's.

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
        for column in ["signer_certificate_issuer", "signer_certificate_serial"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("documents")
                        .add_column(string_len_null(column, 500))
                        .to_owned(),
                )
                .await?;
        }
        manager.create_index(index("documents", &["sha256"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_documents_sha256")
                    .table("documents")
                    .to_owned(),
            )
            .await?;
        for column in ["signer_certificate_serial", "signer_certificate_issuer"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("documents")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
