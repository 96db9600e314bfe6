//! Reference data: the rank ladder (PP 99/2000 as amended) and the holiday calendar.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (code, golongan, ruang, pangkat, level) as the ladder stood on 2026-11-23.
const RANKS: [(&str, &str, &str, &str, i32); 17] = [
    ("I/a", "I", "a", "Juru Muda", 1),
    ("I/b", "I", "b", "Juru Muda Tingkat I", 2),
    ("I/c", "I", "c", "Juru", 3),
    ("I/d", "I", "d", "Juru Tingkat I", 4),
    ("II/a", "II", "a", "Pengatur Muda", 5),
    ("II/b", "II", "b", "Pengatur Muda Tingkat I", 6),
    ("II/c", "II", "c", "Pengatur", 7),
    ("II/d", "II", "d", "Pengatur Tingkat I", 8),
    ("III/a", "III", "a", "Penata Muda", 9),
    ("III/b", "III", "b", "Penata Muda Tingkat I", 10),
    ("III/c", "III", "c", "Penata", 11),
    ("III/d", "III", "d", "Penata Tingkat I", 12),
    ("IV/a", "IV", "a", "Pembina", 13),
    ("IV/b", "IV", "b", "Pembina Tingkat I", 14),
    ("IV/c", "IV", "c", "Pembina Utama Muda", 15),
    ("IV/d", "IV", "d", "Pembina Utama Madya", 16),
    ("IV/e", "IV", "e", "Pembina Utama", 17),
];

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
                    .table("ranks")
                    .col(string_len("code", 8).primary_key())
                    .col(string_len("golongan", 4))
                    .col(string_len("ruang", 1))
                    .col(string("pangkat"))
                    .col(integer_uniq("level"))
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert();
        insert
            .into_table("ranks")
            .columns(["code", "golongan", "ruang", "pangkat", "level"]);
        for (code, gol, ruang, pangkat, level) in RANKS {
            insert.values_panic([
                code.into(),
                gol.into(),
                ruang.into(),
                pangkat.into(),
                level.into(),
            ]);
        }
        manager.exec_stmt(insert).await?;

        manager
            .create_table(
                Table::create()
                    .table("holidays")
                    .col(pk_uuid("id"))
                    .col(integer("year"))
                    .col(date_uniq("date"))
                    .col(string_len("kind", 32))
                    .col(string("name_id"))
                    .col(string("name_en"))
                    .col(string("legal_basis"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(crate::index("holidays", &["year"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("holidays").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("ranks").to_owned())
            .await
    }
}
