//! The database: PostgreSQL in production, a SQLite file for the embedded default; the same
//! migrations on both.

use std::time::Duration;

use abdi_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};

use crate::config::DatabaseConfig;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to the database at {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("cannot create the folder {path} for the SQLite database: {reason}")]
    SqliteFolder { path: String, reason: String },
    #[error("database migration failed: {0}")]
    Migrate(String),
}

/// Connects (creating the SQLite file's folder if needed) and checks the connection works.
pub async fn connect(config: &DatabaseConfig) -> Result<DatabaseConnection, DbError> {
    let url = config.url.expose();
    if let Some(path) = sqlite_path(url)
        && let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| DbError::SqliteFolder {
            path: parent.display().to_string(),
            reason: e.to_string(),
        })?;
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(config.max_connections)
        .min_connections(0)
        .connect_timeout(Duration::from_secs(config.connect_timeout_secs))
        .acquire_timeout(Duration::from_secs(config.connect_timeout_secs))
        .sqlx_logging(false);
    let connect_error = |e: DbErr| DbError::Connect {
        url: config.url.redacted(),
        reason: one_line(&e.to_string()),
    };
    let db = Database::connect(options).await.map_err(connect_error)?;
    if db.get_database_backend() == DbBackend::Sqlite {
        // WAL lets readers work while the seed or a request writes; foreign keys are off by
        // default in SQLite and must be turned on per connection (sqlx does it by default).
        db.execute_unprepared("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;")
            .await
            .map_err(connect_error)?;
    }
    db.ping().await.map_err(connect_error)?;
    Ok(db)
}

/// A transaction that writes: on SQLite it takes the write lock at `BEGIN` (IMMEDIATE), so a
/// transaction that read first never fails to upgrade when another wrote meanwhile; it waits
/// its turn instead. PostgreSQL ignores the mode.
pub async fn write_txn(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbError> {
    Migrator::up(db, None)
        .await
        .map_err(|e| DbError::Migrate(one_line(&e.to_string())))
}

/// A PostgreSQL advisory lock held by a transaction: other instances wait at `acquire` until
/// this one calls `release` (or its connection ends). SQLite has one writer anyway.
pub struct StartupLock(Option<sea_orm::DatabaseTransaction>);

/// The advisory lock key for migrations ("ABDI" in ASCII).
const MIGRATION_LOCK: i64 = 0x4142_4449;

impl StartupLock {
    pub async fn acquire(db: &DatabaseConnection) -> Result<StartupLock, DbError> {
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(StartupLock(None));
        }
        let failed = |e: DbErr| {
            DbError::Migrate(format!(
                "taking the migration lock: {}",
                one_line(&e.to_string())
            ))
        };
        let txn = sea_orm::TransactionTrait::begin(db).await.map_err(failed)?;
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            .await
            .map_err(failed)?;
        Ok(StartupLock(Some(txn)))
    }

    pub async fn release(self) -> Result<(), DbError> {
        if let Some(txn) = self.0 {
            sea_orm::TransactionSession::commit(txn)
                .await
                .map_err(|e| DbError::Migrate(one_line(&e.to_string())))?;
        }
        Ok(())
    }
}

fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// Driver messages sometimes span lines; an operator's log wants one.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_sqlite_file() {
        assert_eq!(
            sqlite_path("sqlite://data/abdi.sqlite?mode=rwc"),
            Some("data/abdi.sqlite")
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x/y"), None);
    }
}
