//! PostgreSQL tells every instance when a profile (`/api/v1/me`) may have changed, so that a
//! profile kept next to the session can be forgotten at once: `NOTIFY abdi_profile` with the
//! employee's id when a shown column of theirs changes or they are removed, and `*` when a unit's
//! name or a post's title changes (rare; every kept profile is forgotten). Triggers, so every
//! writer (the capabilities, the import, an operator's SQL) is covered in its own transaction;
//! the notice goes out when that transaction commits. SQLite runs one instance, which keeps
//! nothing, so it has no such trigger.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The channel the server listens on.
pub const PROFILE_CHANNEL: &str = "abdi_profile";

const UP: &[&str] = &[
    "CREATE FUNCTION profile_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_TABLE_NAME = 'employees' THEN
        PERFORM pg_notify('abdi_profile', OLD.id::text);
      ELSE
        PERFORM pg_notify('abdi_profile', '*');
      END IF;
      RETURN NULL;
    END $$",
    "CREATE TRIGGER employees_profile_changed
     AFTER DELETE OR UPDATE OF nip, front_title, name, back_title, gender, birth_place,
       birth_date, employment_type, rank_code, email, phone, unit_id, position_id
     ON employees FOR EACH ROW EXECUTE FUNCTION profile_changed()",
    "CREATE TRIGGER org_units_profile_changed AFTER DELETE OR UPDATE OF name
     ON org_units FOR EACH STATEMENT EXECUTE FUNCTION profile_changed()",
    "CREATE TRIGGER positions_profile_changed AFTER DELETE OR UPDATE OF title
     ON positions FOR EACH STATEMENT EXECUTE FUNCTION profile_changed()",
];

const DOWN: &[&str] = &[
    "DROP TRIGGER employees_profile_changed ON employees",
    "DROP TRIGGER org_units_profile_changed ON org_units",
    "DROP TRIGGER positions_profile_changed ON positions",
    "DROP FUNCTION profile_changed()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, DOWN).await
    }
}

async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for statement in statements {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}
