//! Employees and their histories: rank, position, education, training, performance ratings
//! (SKP), awards and family (Pergub Jatim 73/2020 Pasal 6).

use sea_orm_migration::{prelude::*, schema::*};

use crate::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// History tables: each has a big-integer id, the employee, and its own columns.
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

const HISTORIES: [&str; 7] = [
    "rank_histories",
    "position_histories",
    "education_histories",
    "training_histories",
    "performance_ratings",
    "awards",
    "family_members",
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
                    .table("employees")
                    .col(pk_uuid("id"))
                    .col(string_len_uniq("nip", 18))
                    .col(string_len_uniq("nik", 16))
                    .col(string_len_null("front_title", 32))
                    .col(string("name"))
                    .col(string_len_null("back_title", 64))
                    .col(string_len("gender", 8))
                    .col(string("birth_place"))
                    .col(date("birth_date"))
                    .col(string_len("employment_type", 8))
                    .col(string_len_null("rank_code", 8))
                    .col(date_null("rank_tmt"))
                    .col(date_null("tmt_cpns"))
                    .col(date_null("tmt_pns"))
                    .col(string_len("education_level", 4))
                    .col(uuid("unit_id"))
                    .col(uuid_null("position_id"))
                    .col(string_null("email"))
                    .col(string_len_null("phone", 20))
                    .col(boolean("active"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "employees",
                        "rank_code",
                        "ranks",
                        "code",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "employees",
                        "unit_id",
                        "org_units",
                        "id",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "employees",
                        "position_id",
                        "positions",
                        "id",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("employees", &["unit_id"]))
            .await?;
        manager
            .create_index(index("employees", &["position_id"]))
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_employees_email")
                    .table("employees")
                    .col("email")
                    .unique()
                    .to_owned(),
            )
            .await?;

        let tables = [
            history(
                "rank_histories",
                vec![
                    string_len("rank_code", 8),
                    date("tmt"),
                    string("decree_number"),
                    date("decree_date"),
                ],
            )
            .foreign_key(&mut fk(
                "rank_histories",
                "rank_code",
                "ranks",
                "code",
                ForeignKeyAction::Restrict,
            ))
            .to_owned(),
            history(
                "position_histories",
                vec![
                    uuid_null("position_id"),
                    string("position_title"),
                    string("unit_name"),
                    date("tmt"),
                    string("decree_number"),
                ],
            )
            .foreign_key(&mut fk(
                "position_histories",
                "position_id",
                "positions",
                "id",
                ForeignKeyAction::SetNull,
            ))
            .to_owned(),
            history(
                "education_histories",
                vec![
                    string_len("level", 4),
                    string("institution"),
                    string_null("major"),
                    integer("graduation_year"),
                    string_null("diploma_number"),
                ],
            ),
            history(
                "training_histories",
                vec![
                    string("name"),
                    string("organizer"),
                    date("start_date"),
                    date("end_date"),
                    integer("hours"),
                ],
            ),
            history(
                "performance_ratings",
                vec![integer("year"), string_len("rating", 32)],
            ),
            history(
                "awards",
                vec![string("name"), string("decree_number"), integer("year")],
            ),
            history(
                "family_members",
                vec![
                    string_len("relation", 16),
                    string("name"),
                    string_len("gender", 8),
                    date("birth_date"),
                    string_len_null("nik", 16),
                ],
            ),
        ];
        for table in tables {
            manager.create_table(table).await?;
        }
        for table in HISTORIES {
            manager.create_index(index(table, &["employee_id"])).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ux_performance_ratings_employee_year")
                    .table("performance_ratings")
                    .col("employee_id")
                    .col("year")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in HISTORIES.iter().chain(["employees"].iter()) {
            manager
                .drop_table(Table::drop().table(*table).to_owned())
                .await?;
        }
        Ok(())
    }
}
