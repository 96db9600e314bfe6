//! The reconciliation report: what each file held against the database, every change field by
//! field, the rows refused and warned about, and who is missing.

use std::fmt;

use serde::Serialize;

use super::rows::Refusal;

/// What a file held, against the database.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FileCounts {
    pub file: String,
    pub rows: usize,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub refused: usize,
}

/// One field of one record that the file changes.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldChange {
    pub file: String,
    /// The record's key: a unit's or post's code, an employee's NIP.
    pub key: String,
    pub field: String,
    pub from: String,
    pub to: String,
}

/// A row refused, or a warning about one (imported anyway).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct RowNote {
    pub file: String,
    pub line: u64,
    pub key: String,
    pub code: String,
    pub message: String,
}

/// The reconciliation of one import, and what it wrote.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub files: Vec<FileCounts>,
    pub changes: Vec<FieldChange>,
    pub refused: Vec<RowNote>,
    pub warnings: Vec<RowNote>,
    /// NIPs of active employees the database has and `employees.csv` does not.
    pub missing: Vec<String>,
    /// Whether it was written (false for a dry run).
    pub applied: bool,
}

impl ImportReport {
    pub(super) fn counts(&mut self, file: &str) -> &mut FileCounts {
        if let Some(i) = self.files.iter().position(|f| f.file == file) {
            return &mut self.files[i];
        }
        self.files.push(FileCounts {
            file: file.to_owned(),
            ..Default::default()
        });
        let last = self.files.len() - 1;
        &mut self.files[last]
    }

    pub(super) fn refuse(&mut self, file: &str, line: u64, key: &str, r: Refusal) {
        self.counts(file).refused += 1;
        self.refused.push(RowNote {
            file: file.to_owned(),
            line,
            key: key.to_owned(),
            code: r.code.to_owned(),
            message: r.message,
        });
    }

    pub(super) fn warn(&mut self, file: &str, line: u64, key: &str, r: Refusal) {
        self.warnings.push(RowNote {
            file: file.to_owned(),
            line,
            key: key.to_owned(),
            code: r.code.to_owned(),
            message: r.message,
        });
    }

    pub(super) fn change(&mut self, file: &str, key: &str, field: &str, from: String, to: String) {
        self.changes.push(FieldChange {
            file: file.to_owned(),
            key: key.to_owned(),
            field: field.to_owned(),
            from,
            to,
        });
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} / {}",
            if self.applied {
                "Impor selesai"
            } else {
                "Uji coba (tidak ada yang ditulis)"
            },
            if self.applied {
                "Import done"
            } else {
                "Dry run (nothing written)"
            }
        )?;
        writeln!(
            f,
            "{:<18} {:>7} {:>7} {:>8} {:>10} {:>8}",
            "file", "rows", "new", "changed", "unchanged", "refused"
        )?;
        for c in &self.files {
            writeln!(
                f,
                "{:<18} {:>7} {:>7} {:>8} {:>10} {:>8}",
                c.file, c.rows, c.new, c.changed, c.unchanged, c.refused
            )?;
        }
        for c in self.changes.iter().take(200) {
            writeln!(
                f,
                "changed  {} {} {}: '{}' -> '{}'",
                c.file, c.key, c.field, c.from, c.to
            )?;
        }
        if self.changes.len() > 200 {
            writeln!(
                f,
                "... and {} more changes (--json lists them all)",
                self.changes.len() - 200
            )?;
        }
        for n in &self.refused {
            writeln!(
                f,
                "refused  {}:{} {} {}: {}",
                n.file, n.line, n.key, n.code, n.message
            )?;
        }
        for n in &self.warnings {
            writeln!(
                f,
                "warning  {}:{} {} {}: {}",
                n.file, n.line, n.key, n.code, n.message
            )?;
        }
        if !self.missing.is_empty() {
            let shown: Vec<&str> = self.missing.iter().take(50).map(String::as_str).collect();
            writeln!(
                f,
                "missing  {} employees in the database are not in employees.csv (not deleted): {}{}",
                self.missing.len(),
                shown.join(", "),
                if self.missing.len() > 50 { ", ..." } else { "" }
            )?;
        }
        Ok(())
    }
}
