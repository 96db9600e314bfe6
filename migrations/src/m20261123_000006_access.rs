//! Access: roles held by assignment (fasilitator for units, administrator) and acting
//! officials (Plt/Plh) holding a post for the period of their assignment letter.

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
                    .table("role_assignments")
                    .col(pk_uuid("id"))
                    .col(uuid("employee_id"))
                    // fasilitator | administrator
                    .col(string_len("role", 32))
                    // A fasilitator's unit (and everything below it); none for administrators.
                    .col(uuid_null("unit_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "role_assignments",
                        "employee_id",
                        "employees",
                        "id",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "role_assignments",
                        "unit_id",
                        "org_units",
                        "id",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("role_assignments", &["employee_id"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("acting_assignments")
                    .col(pk_uuid("id"))
                    .col(uuid("employee_id"))
                    .col(uuid("position_id"))
                    // plt (post vacant) | plh (holder away)
                    .col(string_len("kind", 8))
                    // The assignment letter's number.
                    .col(string("number"))
                    .col(date("starts_on"))
                    .col(date("ends_on"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "acting_assignments",
                        "employee_id",
                        "employees",
                        "id",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "acting_assignments",
                        "position_id",
                        "positions",
                        "id",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("acting_assignments", &["employee_id"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["acting_assignments", "role_assignments"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
