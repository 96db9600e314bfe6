//! Bringing an agency's data in from a SIASN or SIMPEG export: `units.csv`, `posts.csv`,
//! `employees.csv` and the history files (rank, position, education, training, award,
//! performance, family, discipline; see [`Export::file_names`]) in one folder, each optional
//! (the README has their columns). Every row is reconciled against the database first: new, changed (field by
//! field), unchanged, refused (with its line and why), and the employees the database has
//! and the file does not (missing). `--dry-run` stops there and prints the report; a real run
//! then writes what is new and changed, in one transaction per batch, with progress on the
//! terminal. Importing the same files twice changes nothing. A refused row stops nothing else.
//! Missing employees are reported, never deleted: leaving is a decision, not an import.

mod apply;
mod histories;
mod read;
mod reconcile;
mod report;
mod rows;

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};

pub use read::Export;
pub use report::{FieldChange, FileCounts, ImportReport, RowNote};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}: {1}")]
    Read(String, String),
    #[error("database: {0}")]
    Database(#[from] DbErr),
}

/// How to run an import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Reconcile and report only.
    pub dry_run: bool,
    /// A progress bar on the terminal.
    pub progress: bool,
    /// Rows per transaction.
    pub batch: usize,
    /// The official email domains (`identity.allowed_email_domains`); others are reported.
    pub email_domains: Vec<String>,
}

impl Export {
    /// The files an export may hold, in the order they are imported.
    pub fn file_names() -> impl Iterator<Item = &'static str> {
        ["units.csv", "posts.csv", "employees.csv"]
            .into_iter()
            .chain(histories::FILES)
    }

    /// The export's files in `dir` (those that are there).
    pub fn from_dir(dir: &Path) -> Result<Export, ImportError> {
        if !dir.is_dir() {
            return Err(ImportError::Read(
                dir.display().to_string(),
                "not a folder".into(),
            ));
        }
        let mut files = HashMap::new();
        for name in Self::file_names() {
            let path = dir.join(name);
            if path.exists() {
                let bytes = std::fs::read(&path)
                    .map_err(|e| ImportError::Read(path.display().to_string(), e.to_string()))?;
                files.insert(name, bytes);
            }
        }
        Ok(Export { files })
    }
}

/// Imports `export` (see the module's documentation).
pub async fn run(
    db: &DatabaseConnection,
    export: &Export,
    options: &ImportOptions,
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::default();
    let plan = reconcile::reconcile(db, export, options, &mut report, now).await?;
    if !options.dry_run {
        apply::apply(db, options, plan).await?;
        report.applied = true;
    }
    Ok(report)
}
