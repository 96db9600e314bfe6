//! Data sharing (SE Sekjen Kemenag 32502/2019; Pergub Jatim 73/2020 Pasal 20-30; UU 27/2022):
//! the registry of client systems and its history, the log of every call to the data API
//! (append-only: a trigger refuses every update and delete, on both backends), the feed of
//! changed employees that clients sync from, and the published statistics.
//!
//! The change feed is written by triggers on `employees` and the histories the data API
//! serves, so every writer (the capabilities, the import, an operator's SQL) is covered in its
//! own transaction. On PostgreSQL each change carries its transaction id: a reader takes only
//! changes of transactions older than every transaction still running, so a change committed
//! late under a lower sequence number is never skipped. SQLite has one writer at a time.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose rows name an employee by `employee_id` and feed the change log.
const HISTORIES: [&str; 4] = [
    "rank_histories",
    "position_histories",
    "education_histories",
    "family_members",
];

/// The tables only ever appended to.
const APPEND_ONLY: [&str; 3] = [
    "data_access_log",
    "data_access_subjects",
    "data_client_changes",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("data_clients")
                    .col(uuid("id").primary_key())
                    .col(string_len_uniq("client_id", 64))
                    .col(string_len("agency", 200))
                    .col(string_len("unit", 200))
                    .col(string_len("agreement_number", 128))
                    .col(date("agreement_date"))
                    .col(date("agreement_expires_on"))
                    .col(text("purpose"))
                    .col(string_len("contact_name", 200))
                    .col(string_len("contact_email", 254))
                    .col(string_len_null("contact_phone", 32))
                    // JSON arrays: CIDRs, scope names, unit codes.
                    .col(text("networks"))
                    .col(text("scopes"))
                    .col(text("units"))
                    // `client_secret` or `private_key_jwt`
                    .col(string_len("auth_method", 16))
                    // Hex SHA-256 of the secret (a random 256-bit value, so no slow hash).
                    .col(string_len_null("secret_hash", 64))
                    .col(text_null("public_key_pem"))
                    // Bumped by every rotation and revocation: a token names the one it was
                    // made under, and an older one is refused.
                    .col(integer("credential_generation"))
                    .col(timestamp_with_time_zone("credential_issued_at"))
                    .col(integer("rate_per_minute"))
                    // `active`, `suspended`, `revoked` (expiry is read from the agreement)
                    .col(string_len("status", 16))
                    .col(text_null("status_reason"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("data_client_changes")
                    .col(big_pk_auto("id"))
                    .col(uuid("client_id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(uuid("actor_id"))
                    // `registered`, `rotated`, `suspended`, `resumed`, `revoked`
                    .col(string_len("action", 16))
                    .col(text_null("reason"))
                    .col(string_len_null("address", 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("data_client_changes", &["client_id", "id"]).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("data_access_log")
                    .col(big_pk_auto("id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(uuid_null("client_id"))
                    .col(text("purpose"))
                    .col(string_len("method", 8))
                    .col(text("path"))
                    .col(string_len("address", 64))
                    .col(integer("status"))
                    // JSON array of the fields returned.
                    .col(text("fields"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("data_access_log", &["client_id", "id"]).to_owned())
            .await?;
        manager
            .create_index(index("data_access_log", &["at"]).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("data_access_subjects")
                    .col(big_integer("log_id"))
                    .col(uuid("employee_id"))
                    .col(string_len("nip", 18))
                    .primary_key(Index::create().col("log_id").col("employee_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("data_access_subjects", &["employee_id", "log_id"]).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("data_changes")
                    .col(big_pk_auto("seq"))
                    // The writer's transaction id on PostgreSQL; 0 on SQLite.
                    .col(big_integer("txn"))
                    .col(uuid("employee_id"))
                    // The unit an employee left with this change (moved, or removed): a client
                    // that saw them there is told they are gone.
                    .col(uuid_null("left_unit_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("data_changes", &["txn", "seq"]).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("statistics_snapshots")
                    .col(big_pk_auto("id"))
                    .col(timestamp_with_time_zone("computed_at"))
                    // `daily`, `import`
                    .col(string_len("reason", 16))
                    .col(integer("threshold"))
                    // JSON: every table.
                    .col(text("tables"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for statement in triggers(db.get_database_backend()) {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let pg = db.get_database_backend() == DbBackend::Postgres;
        for t in std::iter::once("employees").chain(HISTORIES) {
            for op in ["insert", "update", "delete"] {
                let on = if pg {
                    format!(" ON {t}")
                } else {
                    String::new()
                };
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {t}_data_{op}{on}"))
                    .await?;
            }
        }
        if pg {
            db.execute_unprepared("DROP FUNCTION data_changed_employee_moved()")
                .await?;
            for f in ["employee", "history"] {
                for rows in ["new_rows", "old_rows"] {
                    db.execute_unprepared(&format!("DROP FUNCTION data_changed_{f}_{rows}()"))
                        .await?;
                }
            }
        }
        for t in [
            "statistics_snapshots",
            "data_changes",
            "data_access_subjects",
            "data_access_log",
            "data_client_changes",
            "data_clients",
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        if pg {
            db.execute_unprepared("DROP FUNCTION append_only()").await?;
        }
        Ok(())
    }
}

fn triggers(backend: DbBackend) -> Vec<String> {
    let mut out = Vec::new();
    if backend == DbBackend::Postgres {
        // Statement triggers over transition tables: an import or a seed's COPY of many rows
        // writes its changes in one set-based insert, not one call per row.
        for (key, name) in [("id", "employee"), ("employee_id", "history")] {
            for rows in ["new_rows", "old_rows"] {
                // A removed employee left their unit.
                let left = if (name, rows) == ("employee", "old_rows") {
                    "unit_id"
                } else {
                    "NULL::uuid"
                };
                out.push(format!(
                    "CREATE FUNCTION data_changed_{name}_{rows}() RETURNS trigger
                     LANGUAGE plpgsql AS $$
                     BEGIN
                       INSERT INTO data_changes (txn, employee_id, left_unit_id)
                         SELECT DISTINCT txid_current(), {key}, {left} FROM {rows};
                       RETURN NULL;
                     END $$"
                ));
            }
        }
        // An employee's update knows both rows: one moved to another unit left the old one.
        out.push(
            "CREATE FUNCTION data_changed_employee_moved() RETURNS trigger
             LANGUAGE plpgsql AS $$
             BEGIN
               INSERT INTO data_changes (txn, employee_id, left_unit_id)
                 SELECT txid_current(), n.id,
                   CASE WHEN o.unit_id IS DISTINCT FROM n.unit_id THEN o.unit_id END
                 FROM new_rows n JOIN old_rows o ON o.id = n.id;
               RETURN NULL;
             END $$"
                .to_owned(),
        );
        out.push(
            "CREATE TRIGGER employees_data_update AFTER UPDATE ON employees
             REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
             FOR EACH STATEMENT EXECUTE FUNCTION data_changed_employee_moved()"
                .to_owned(),
        );
        for t in std::iter::once("employees").chain(HISTORIES) {
            let name = if t == "employees" {
                "employee"
            } else {
                "history"
            };
            for (op, rows, alias) in [
                ("insert", "new_rows", "NEW"),
                ("update", "new_rows", "NEW"),
                ("delete", "old_rows", "OLD"),
            ] {
                if (t, op) == ("employees", "update") {
                    continue;
                }
                out.push(format!(
                    "CREATE TRIGGER {t}_data_{op} AFTER {op} ON {t}
                     REFERENCING {alias} TABLE AS {rows}
                     FOR EACH STATEMENT EXECUTE FUNCTION data_changed_{name}_{rows}()"
                ));
            }
        }
        out.push(
            "CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
            END $$"
                .to_owned(),
        );
        for t in APPEND_ONLY {
            out.push(format!(
                "CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t}
                 FOR EACH ROW EXECUTE FUNCTION append_only()"
            ));
            out.push(format!(
                "CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t}
                 FOR EACH STATEMENT EXECUTE FUNCTION append_only()"
            ));
        }
    } else {
        for t in std::iter::once("employees").chain(HISTORIES) {
            let key = if t == "employees" {
                "id"
            } else {
                "employee_id"
            };
            for (op, row) in [("insert", "NEW"), ("update", "NEW"), ("delete", "OLD")] {
                let left = match (t, op) {
                    ("employees", "update") => {
                        "CASE WHEN OLD.unit_id IS NOT NEW.unit_id THEN OLD.unit_id END"
                    }
                    ("employees", "delete") => "OLD.unit_id",
                    _ => "NULL",
                };
                out.push(format!(
                    "CREATE TRIGGER {t}_data_{op} AFTER {op} ON {t} BEGIN
                       INSERT INTO data_changes (txn, employee_id, left_unit_id)
                       VALUES (0, {row}.{key}, {left});
                     END"
                ));
            }
        }
        for t in APPEND_ONLY {
            for op in ["update", "delete"] {
                out.push(format!(
                    "CREATE TRIGGER {t}_no_{op} BEFORE {op} ON {t} BEGIN
                       SELECT RAISE(ABORT, '{t} is append-only');
                     END"
                ));
            }
        }
    }
    out
}
