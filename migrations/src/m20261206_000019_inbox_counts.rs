//! How many active steps wait at each post, per service and whether a Plt/Plh may take them:
//! the decider's inbox counts without reading every step (the fullest inbox of a province holds
//! tens of thousands). Kept by the database itself, by triggers on `request_steps`, so every
//! write (the engine, the seed's COPY, a cascade, an operator's SQL) keeps it exact in its own
//! transaction. Filled from the steps already there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "CREATE TABLE inbox_counts (
    position_id uuid NOT NULL,
    acting_allowed boolean NOT NULL,
    service_code varchar(64) NOT NULL,
    waiting bigint NOT NULL,
    PRIMARY KEY (position_id, acting_allowed, service_code)
)";

/// Counts the active steps afresh: after a bulk load that bypassed the triggers (the seed).
pub async fn refill_inbox_counts(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    db.execute_unprepared("DELETE FROM inbox_counts").await?;
    db.execute_unprepared(FILL).await.map(|_| ())
}

const FILL: &str = "INSERT INTO inbox_counts (position_id, acting_allowed, service_code, waiting)
    SELECT position_id, acting_allowed, service_code, count(*) FROM request_steps
    WHERE status = 'active' AND position_id IS NOT NULL
    GROUP BY position_id, acting_allowed, service_code";

/// PostgreSQL: one function for every change of a row; an update that changes none of the
/// counted columns does nothing. The seed's bulk COPY sets `abdi.inbox_counts = off` for its
/// own transactions and refills the table after.
const POSTGRES: &[&str] = &[
    "CREATE FUNCTION inbox_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_setting('abdi.inbox_counts', true) = 'off' THEN
        RETURN NULL;
      END IF;
      IF TG_OP = 'UPDATE' AND OLD.status = NEW.status
         AND OLD.position_id IS NOT DISTINCT FROM NEW.position_id
         AND OLD.acting_allowed = NEW.acting_allowed AND OLD.service_code = NEW.service_code THEN
        RETURN NULL;
      END IF;
      IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'active' AND OLD.position_id IS NOT NULL THEN
        UPDATE inbox_counts SET waiting = waiting - 1
        WHERE position_id = OLD.position_id AND acting_allowed = OLD.acting_allowed
          AND service_code = OLD.service_code;
      END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = 'active' AND NEW.position_id IS NOT NULL THEN
        INSERT INTO inbox_counts (position_id, acting_allowed, service_code, waiting)
        VALUES (NEW.position_id, NEW.acting_allowed, NEW.service_code, 1)
        ON CONFLICT (position_id, acting_allowed, service_code)
        DO UPDATE SET waiting = inbox_counts.waiting + 1;
      END IF;
      RETURN NULL;
    END $$",
    "CREATE TRIGGER request_steps_inbox_counts
     AFTER INSERT OR DELETE OR UPDATE OF status, position_id, acting_allowed, service_code
     ON request_steps FOR EACH ROW EXECUTE FUNCTION inbox_counts_keep()",
];

/// SQLite: a trigger per kind of change (its triggers have no TG_OP).
const SQLITE: &[&str] = &[
    "CREATE TRIGGER request_steps_inbox_counts_insert AFTER INSERT ON request_steps
     WHEN NEW.status = 'active' AND NEW.position_id IS NOT NULL
     BEGIN
       INSERT INTO inbox_counts (position_id, acting_allowed, service_code, waiting)
       VALUES (NEW.position_id, NEW.acting_allowed, NEW.service_code, 1)
       ON CONFLICT (position_id, acting_allowed, service_code)
       DO UPDATE SET waiting = waiting + 1;
     END",
    "CREATE TRIGGER request_steps_inbox_counts_delete AFTER DELETE ON request_steps
     WHEN OLD.status = 'active' AND OLD.position_id IS NOT NULL
     BEGIN
       UPDATE inbox_counts SET waiting = waiting - 1
       WHERE position_id = OLD.position_id AND acting_allowed = OLD.acting_allowed
         AND service_code = OLD.service_code;
     END",
    "CREATE TRIGGER request_steps_inbox_counts_update
     AFTER UPDATE OF status, position_id, acting_allowed, service_code ON request_steps
     BEGIN
       UPDATE inbox_counts SET waiting = waiting - 1
       WHERE OLD.status = 'active' AND OLD.position_id IS NOT NULL
         AND position_id = OLD.position_id AND acting_allowed = OLD.acting_allowed
         AND service_code = OLD.service_code;
       INSERT INTO inbox_counts (position_id, acting_allowed, service_code, waiting)
       SELECT NEW.position_id, NEW.acting_allowed, NEW.service_code, 1
       WHERE NEW.status = 'active' AND NEW.position_id IS NOT NULL
       ON CONFLICT (position_id, acting_allowed, service_code)
       DO UPDATE SET waiting = waiting + 1;
     END",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let triggers = match db.get_database_backend() {
            DbBackend::Postgres => {
                // Writers wait while the table is filled, so none is counted twice or missed.
                db.execute_unprepared("LOCK TABLE request_steps IN SHARE MODE")
                    .await?;
                POSTGRES
            }
            _ => SQLITE,
        };
        db.execute_unprepared(TABLE).await?;
        for statement in triggers {
            db.execute_unprepared(statement).await?;
        }
        db.execute_unprepared(FILL).await.map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let drops: &[&str] = match db.get_database_backend() {
            DbBackend::Postgres => &[
                "DROP TRIGGER request_steps_inbox_counts ON request_steps",
                "DROP FUNCTION inbox_counts_keep()",
            ],
            _ => &[
                "DROP TRIGGER request_steps_inbox_counts_insert",
                "DROP TRIGGER request_steps_inbox_counts_delete",
                "DROP TRIGGER request_steps_inbox_counts_update",
            ],
        };
        for statement in drops {
            db.execute_unprepared(statement).await?;
        }
        db.execute_unprepared("DROP TABLE inbox_counts")
            .await
            .map(|_| ())
    }
}
