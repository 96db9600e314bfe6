//! Two more ways a client system comes to be and proves itself:
//! - requests for personal data by letter (Pergub Jatim 73/2020 Pasal 18-20): a granted request
//!   becomes a client system that names the request it came from, and may be limited to the
//!   persons the letter named (their NIPs, a JSON array; NULL for a client that reads whole
//!   units);
//! - mutual TLS (RFC 8705): a client that authenticates with its certificate is pinned by the
//!   certificate's SHA-256 thumbprint (hex), as the TLS terminator hands it over.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per ALTER: SQLite adds them one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table("data_clients")
                    .add_column(ColumnDef::new("request_id").uuid().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("data_clients")
                    .add_column(ColumnDef::new("persons").text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("data_clients")
                    .add_column(ColumnDef::new("certificate_sha256").string_len(64).null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("data_clients_request")
                    .table("data_clients")
                    .col("request_id")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("data_clients_request")
                    .table("data_clients")
                    .to_owned(),
            )
            .await?;
        for column in ["certificate_sha256", "persons", "request_id"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("data_clients")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
