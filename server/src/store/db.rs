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

/// Whether a database error means the database cannot be reached right now, so that the same
/// request may well succeed in a moment: the connection could not be opened or was lost (I/O,
/// TLS, a broken protocol exchange), the pool timed out or closed, or the server ended the
/// connection or refused it (shutting down, starting up, a killed backend, too many
/// connections). The one place that tells outages from bugs: everything else (a syntax error, a
/// constraint, a row that does not decode) is not an outage, and retrying would not help.
pub fn is_unavailable(e: &DbErr) -> bool {
    match e {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => true,
        DbErr::Exec(r) | DbErr::Query(r) => {
            matches!(r, sea_orm::RuntimeErr::SqlxError(e) if sqlx_unavailable(e))
        }
        _ => false,
    }
}

fn sqlx_unavailable(e: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    match e {
        Sqlx::Io(_)
        | Sqlx::Tls(_)
        | Sqlx::Protocol(_)
        | Sqlx::PoolTimedOut
        | Sqlx::PoolClosed
        | Sqlx::WorkerCrashed => true,
        Sqlx::Database(db) => db.code().is_some_and(|code| unavailable_code(&code)),
        _ => false,
    }
}

/// PostgreSQL SQLSTATEs of a connection the server ended or would not open: class 08
/// (connection exception), 57P01 admin_shutdown (`pg_ctl stop`, `pg_terminate_backend`),
/// 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, shutting down), 57P05
/// idle_session_timeout, 53300 too_many_connections. A SQLSTATE has five characters; SQLite's
/// (extended) result codes are numbers below 10000: SQLITE_BUSY (5, the busy timeout ran out)
/// and SQLITE_IOERR (10), with their extended codes (the low byte is the primary code).
fn unavailable_code(code: &str) -> bool {
    if code.len() == 5 {
        return code.starts_with("08")
            || matches!(code, "57P01" | "57P02" | "57P03" | "57P05" | "53300");
    }
    code.parse::<u32>()
        .is_ok_and(|sqlite| matches!(sqlite & 0xff, 5 | 10))
}

/// Driver messages sometimes span lines; an operator's log wants one.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A database failure: 503 with Retry-After when the database cannot be reached (retrying
/// helps, see [`is_unavailable`]), 500 otherwise (a bug: logged in full).
/// Every `DbErr` that becomes an answer goes through here.
pub fn problem(e: &sea_orm::DbErr) -> crate::error::ApiError {
    if is_unavailable(e) {
        tracing::warn!(error = %e, "database unavailable");
        crate::error::ApiError::unavailable("Basis data", "The database")
    } else {
        crate::error::ApiError::internal(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database error as sqlx reports one, with this SQLSTATE.
    #[derive(Debug)]
    struct Coded(&'static str);

    impl std::fmt::Display for Coded {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "error {}", self.0)
        }
    }

    impl std::error::Error for Coded {}

    impl sea_orm::sqlx::error::DatabaseError for Coded {
        fn message(&self) -> &str {
            "coded"
        }
        fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
            Some(self.0.into())
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sea_orm::sqlx::error::ErrorKind {
            sea_orm::sqlx::error::ErrorKind::Other
        }
    }

    fn query(e: sea_orm::sqlx::Error) -> DbErr {
        DbErr::Query(sea_orm::RuntimeErr::SqlxError(std::sync::Arc::new(e)))
    }

    fn coded(code: &'static str) -> DbErr {
        query(sea_orm::sqlx::Error::Database(Box::new(Coded(code))))
    }

    #[test]
    fn outages_are_told_from_bugs() {
        use sea_orm::sqlx::Error as Sqlx;
        for code in [
            "57P01", "57P02", "57P03", "57P05", "08000", "08003", "08006", "08P01", "53300", "5",
            "517", "10", "266",
        ] {
            assert!(is_unavailable(&coded(code)), "{code}");
        }
        let reset = || std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(is_unavailable(&query(Sqlx::Io(reset()))));
        assert!(is_unavailable(&DbErr::Exec(
            sea_orm::RuntimeErr::SqlxError(std::sync::Arc::new(Sqlx::Protocol(
                "unexpected EOF".into()
            )))
        )));
        assert!(is_unavailable(&query(Sqlx::PoolTimedOut)));
        assert!(is_unavailable(&query(Sqlx::PoolClosed)));
        assert!(is_unavailable(&DbErr::ConnectionAcquire(
            sea_orm::ConnAcquireErr::Timeout
        )));
        assert!(is_unavailable(&DbErr::Conn(
            sea_orm::RuntimeErr::SqlxError(std::sync::Arc::new(Sqlx::Io(reset())))
        )));
        // Bugs and rules stay what they are: syntax, unique and foreign-key violations, an
        // undefined table, a query cancelled by its timeout, SQLite's constraint and error.
        for code in [
            "42601", "23505", "23503", "42P01", "57014", "40001", "19", "2067", "1",
        ] {
            assert!(!is_unavailable(&coded(code)), "{code}");
        }
        assert!(!is_unavailable(&query(Sqlx::RowNotFound)));
        assert!(!is_unavailable(&query(Sqlx::ColumnNotFound("x".into()))));
        assert!(!is_unavailable(&DbErr::Custom("unknown status".into())));
        assert!(!is_unavailable(&DbErr::RecordNotFound("request".into())));
        assert!(!is_unavailable(&DbErr::Query(
            sea_orm::RuntimeErr::Internal("x".into())
        )));
    }

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
