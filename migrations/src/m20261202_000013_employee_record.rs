//! The rest of the employee record (Pergub Jatim 73/2020 Pasal 16) that the first tables
//! lacked: competencies, organisation experience and salary history; and the log of who read
//! whose record (every read of another person's record is kept, for the administrators).

use sea_orm_migration::{prelude::*, schema::*};

use crate::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A history table as the first ones: a big-integer id, the employee, its own columns.
fn history(table: &'static str, columns: Vec<ColumnDef>) -> TableCreateStatement {
    let mut stmt = Table::create();
    stmt.table(table)
        .col(big_pk_auto("id"))
        .col(uuid("employee_id"));
    for mut c in columns {
        stmt.col(&mut c);
    }
    stmt.foreign_key(&mut fk(
        table,
        "employee_id",
        "employees",
        "id",
        ForeignKeyAction::Cascade,
    ));
    stmt.to_owned()
}

const TABLES: [&str; 4] = [
    "competencies",
    "organisation_experiences",
    "salary_histories",
    "record_reads",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            history(
                "competencies",
                vec![
                    string("name"),
                    // e.g. "3" on a 1-5 scale, or the assessor's own wording
                    string_len("level", 32),
                    date("assessed_on"),
                    string("assessor"),
                ],
            ),
            history(
                "organisation_experiences",
                vec![
                    string("organisation"),
                    string("role"),
                    integer("start_year"),
                    integer_null("end_year"),
                ],
            ),
            history(
                "salary_histories",
                vec![
                    // Gaji pokok in rupiah.
                    big_integer("basic_salary"),
                    string_len("rank_code", 8),
                    // Masa kerja golongan, in years.
                    integer("service_years"),
                    date("tmt"),
                    string("decree_number"),
                ],
            ),
            Table::create()
                .table("record_reads")
                .col(big_pk_auto("id"))
                .col(timestamp_with_time_zone("at"))
                .col(uuid("reader_id"))
                .col(uuid("employee_id"))
                // atasan_langsung | fasilitator | administrator
                .col(string_len("capacity", 32))
                .to_owned(),
        ];
        for table in tables {
            manager.create_table(table).await?;
        }
        for table in TABLES {
            manager.create_index(index(table, &["employee_id"])).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
