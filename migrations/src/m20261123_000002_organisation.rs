//! The organisation (Pergub Jatim 73/2020 Pasal 16): units as a tree (instansi -> perangkat
//! daerah -> unit kerja) and positions, each reporting to another position.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{fk, index};

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
                    .table("org_units")
                    .col(pk_uuid("id"))
                    .col(string_len_uniq("code", 32))
                    .col(string("name"))
                    .col(string_len("level", 32))
                    .col(uuid_null("parent_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "org_units",
                        "parent_id",
                        "org_units",
                        "id",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("org_units", &["parent_id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("positions")
                    .col(pk_uuid("id"))
                    .col(string_len_uniq("code", 48))
                    .col(string("title"))
                    .col(string_len("kind", 32))
                    // Eselon for struktural posts (e.g. "II.a"), level for fungsional
                    // (e.g. "ahli_muda"); empty for pelaksana.
                    .col(string_len_null("grade", 32))
                    .col(uuid("unit_id"))
                    .col(uuid_null("reports_to_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "positions",
                        "unit_id",
                        "org_units",
                        "id",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "positions",
                        "reports_to_id",
                        "positions",
                        "id",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("positions", &["unit_id"]))
            .await?;
        manager
            .create_index(index("positions", &["reports_to_id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("positions").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("org_units").to_owned())
            .await
    }
}
