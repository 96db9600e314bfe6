//! Mutual TLS for client systems (RFC 8705): a client that authenticates with its certificate
//! is pinned by the certificate's SHA-256 thumbprint (hex), as the TLS terminator hands it over.

use sea_orm_migration::prelude::*;

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
                    .table("data_clients")
                    .add_column(ColumnDef::new("certificate_sha256").string_len(64).null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("data_clients")
                    .drop_column("certificate_sha256")
                    .to_owned(),
            )
            .await
    }
}
