//! Bringing an agency's data in from a SIASN or SIMPEG export: `units.csv`, `posts.csv`,
//! `employees.csv` and `rank_history.csv` in one folder (each optional; the README has their
//! columns). Every row is reconciled against the database first: new, changed (field by
//! field), unchanged, refused (with its line and why), and the employees the database has
//! and the file does not (missing). `--dry-run` stops there and prints the report; a real run
//! then writes what is new and changed, in one transaction per batch, with progress on the
//! terminal. Importing the same files twice changes nothing. A refused row stops nothing else.
//! Missing employees are reported, never deleted: leaving is a decision, not an import.

mod rows;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

use abdi_proto::master::Vocabulary;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    TransactionTrait,
};
use serde::Serialize;
use uuid::Uuid;

use crate::masterdata::entity::{employee, org_unit, position, rank_history};
use rows::{Employee, EmployeeRow, PostRow, Rank, RankRow, Refusal, UnitRow};

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
    fn counts(&mut self, file: &str) -> &mut FileCounts {
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

    fn refuse(&mut self, file: &str, line: u64, key: &str, r: Refusal) {
        self.counts(file).refused += 1;
        self.refused.push(RowNote {
            file: file.to_owned(),
            line,
            key: key.to_owned(),
            code: r.code.to_owned(),
            message: r.message,
        });
    }

    fn warn(&mut self, file: &str, line: u64, key: &str, r: Refusal) {
        self.warnings.push(RowNote {
            file: file.to_owned(),
            line,
            key: key.to_owned(),
            code: r.code.to_owned(),
            message: r.message,
        });
    }

    fn change(&mut self, file: &str, key: &str, field: &str, from: String, to: String) {
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

/// The files of one export, by name (any of [`Export::FILES`]).
#[derive(Debug, Clone, Default)]
pub struct Export {
    files: HashMap<&'static str, Vec<u8>>,
}

impl Export {
    /// The files an export may hold, in the order they are imported.
    pub const FILES: [&'static str; 4] = [
        "units.csv",
        "posts.csv",
        "employees.csv",
        "rank_history.csv",
    ];

    /// The export's files in `dir` (those that are there).
    pub fn from_dir(dir: &Path) -> Result<Export, ImportError> {
        if !dir.is_dir() {
            return Err(ImportError::Read(
                dir.display().to_string(),
                "not a folder".into(),
            ));
        }
        let mut files = HashMap::new();
        for name in Self::FILES {
            let path = dir.join(name);
            if path.exists() {
                let bytes = std::fs::read(&path)
                    .map_err(|e| ImportError::Read(path.display().to_string(), e.to_string()))?;
                files.insert(name, bytes);
            }
        }
        Ok(Export { files })
    }

    /// One file of an export, as uploaded.
    pub fn single(name: &'static str, bytes: Vec<u8>) -> Export {
        Export {
            files: HashMap::from([(name, bytes)]),
        }
    }
}

/// Reads the rows of one CSV file with their line numbers; a file that is not there is empty.
fn read<T: serde::de::DeserializeOwned>(
    export: &Export,
    file: &'static str,
    report: &mut ImportReport,
) -> Result<Vec<(u64, T)>, ImportError> {
    let Some(bytes) = export.files.get(file) else {
        return Ok(Vec::new());
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes.as_slice());
    let headers = reader
        .headers()
        .map_err(|e| ImportError::Read(file.to_owned(), e.to_string()))?
        .clone();
    // Lines are counted from the bytes (the reader's own count is off by one for CRLF files,
    // which exports saved on Windows are).
    let newlines: Vec<u64> = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i as u64)
        .collect();
    let line_at = |p: Option<&csv::Position>| {
        p.map_or(0, |p| {
            newlines.partition_point(|n| *n <= p.byte()) as u64 + 1
        })
    };
    let mut out = Vec::new();
    for record in reader.records() {
        report.counts(file).rows += 1;
        let parsed = record.and_then(|r| {
            let line = line_at(r.position());
            r.deserialize::<T>(Some(&headers)).map(|row| (line, row))
        });
        match parsed {
            Ok(row) => out.push(row),
            Err(e) => {
                let line = line_at(e.position());
                let message = match e.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("{len} columns where the header has {expected_len}"),
                    csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_owned(),
                    other => format!("{other:?}"),
                };
                report.refuse(file, line, "", Refusal::new("invalid_row", message));
            }
        }
    }
    Ok(out)
}

/// What a code names: the row in the database, or a new one from the file.
#[derive(Debug, Clone, Copy)]
enum Known {
    Stored(Uuid),
    New(Uuid),
}

impl Known {
    fn id(self) -> Uuid {
        match self {
            Known::Stored(id) | Known::New(id) => id,
        }
    }
}

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn day(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Imports `export` (see the module's documentation).
pub async fn run(
    db: &DatabaseConnection,
    export: &Export,
    options: &ImportOptions,
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::default();
    let units = read::<UnitRow>(export, "units.csv", &mut report)?;
    let posts = read::<PostRow>(export, "posts.csv", &mut report)?;
    let people = read::<EmployeeRow>(export, "employees.csv", &mut report)?;
    let ranks = read::<RankRow>(export, "rank_history.csv", &mut report)?;

    // Units: codes first (a child may come before its parent), then each row.
    let stored_units: HashMap<String, org_unit::Model> = org_unit::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.code.clone(), u))
        .collect();
    let mut unit_ids: HashMap<String, Known> = stored_units
        .iter()
        .map(|(c, u)| (c.clone(), Known::Stored(u.id)))
        .collect();
    for (_, row) in &units {
        let code = row.unor_id.trim();
        if !unit_ids.contains_key(code) {
            unit_ids.insert(code.to_owned(), Known::New(Uuid::now_v7()));
        }
    }
    let mut unit_writes: Vec<org_unit::ActiveModel> = Vec::new();
    let mut seen = HashSet::new();
    for (line, row) in &units {
        let code = row.unor_id.trim().to_owned();
        let file = "units.csv";
        if !seen.insert(code.clone()) {
            report.refuse(
                file,
                *line,
                &code,
                Refusal::new("duplicate_code", "the code comes twice in the file"),
            );
            continue;
        }
        let level = match row.level() {
            Ok(l) => l,
            Err(r) => {
                report.refuse(file, *line, &code, r);
                continue;
            }
        };
        let parent = match row
            .diatasan_id
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) => match unit_ids.get(p) {
                Some(k) => Some(k.id()),
                None => {
                    report.refuse(
                        file,
                        *line,
                        &code,
                        Refusal::new("unknown_reference", format!("diatasanId '{p}' is no unit")),
                    );
                    continue;
                }
            },
            None => None,
        };
        let name = row.nama_unor.trim().to_owned();
        match stored_units.get(&code) {
            Some(u) => {
                let mut changed = false;
                if u.name != name {
                    report.change(file, &code, "namaUnor", u.name.clone(), name.clone());
                    changed = true;
                }
                if u.level != level.code() {
                    report.change(
                        file,
                        &code,
                        "jenisUnor",
                        u.level.clone(),
                        level.code().into(),
                    );
                    changed = true;
                }
                if u.parent_id != parent {
                    let name_of = |id: Option<Uuid>| {
                        id.and_then(|id| unit_ids.iter().find(|(_, k)| k.id() == id))
                            .map(|(c, _)| c.clone())
                            .unwrap_or_default()
                    };
                    report.change(
                        file,
                        &code,
                        "diatasanId",
                        name_of(u.parent_id),
                        name_of(parent),
                    );
                    changed = true;
                }
                if changed {
                    report.counts(file).changed += 1;
                    unit_writes.push(org_unit::ActiveModel {
                        id: Set(u.id),
                        code: Set(code),
                        name: Set(name),
                        level: Set(level.code().into()),
                        parent_id: Set(parent),
                        created_at: Set(u.created_at),
                    });
                } else {
                    report.counts(file).unchanged += 1;
                }
            }
            None => {
                report.counts(file).new += 1;
                unit_writes.push(org_unit::ActiveModel {
                    id: Set(unit_ids[&code].id()),
                    code: Set(code),
                    name: Set(name),
                    level: Set(level.code().into()),
                    parent_id: Set(parent),
                    created_at: Set(now),
                });
            }
        }
    }

    // Posts.
    let stored_posts: HashMap<String, position::Model> = position::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.code.clone(), p))
        .collect();
    let mut post_ids: HashMap<String, Known> = stored_posts
        .iter()
        .map(|(c, p)| (c.clone(), Known::Stored(p.id)))
        .collect();
    for (_, row) in &posts {
        let code = row.jabatan_id.trim();
        if !post_ids.contains_key(code) {
            post_ids.insert(code.to_owned(), Known::New(Uuid::now_v7()));
        }
    }
    let mut post_writes: Vec<position::ActiveModel> = Vec::new();
    let mut seen = HashSet::new();
    for (line, row) in &posts {
        let file = "posts.csv";
        let code = row.jabatan_id.trim().to_owned();
        if !seen.insert(code.clone()) {
            report.refuse(
                file,
                *line,
                &code,
                Refusal::new("duplicate_code", "the code comes twice in the file"),
            );
            continue;
        }
        let kind = match row.kind() {
            Ok(k) => k,
            Err(r) => {
                report.refuse(file, *line, &code, r);
                continue;
            }
        };
        let Some(unit) = unit_ids.get(row.unor_id.trim()) else {
            report.refuse(
                file,
                *line,
                &code,
                Refusal::new(
                    "unknown_reference",
                    format!("unorId '{}' is no unit", row.unor_id.trim()),
                ),
            );
            continue;
        };
        let reports_to = match row
            .atasan_jabatan_id
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) => match post_ids.get(p) {
                Some(k) => Some(k.id()),
                None => {
                    report.refuse(
                        file,
                        *line,
                        &code,
                        Refusal::new(
                            "unknown_reference",
                            format!("atasanJabatanId '{p}' is no post"),
                        ),
                    );
                    continue;
                }
            },
            None => None,
        };
        let title = row.nama_jabatan.trim().to_owned();
        let grade = row
            .eselon
            .as_deref()
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(str::to_owned);
        let write = |id: Uuid, created_at| position::ActiveModel {
            id: Set(id),
            code: Set(code.clone()),
            title: Set(title.clone()),
            kind: Set(kind.code().into()),
            grade: Set(grade.clone()),
            unit_id: Set(unit.id()),
            reports_to_id: Set(reports_to),
            created_at: Set(created_at),
        };
        match stored_posts.get(&code) {
            Some(p) => {
                let before = report.changes.len();
                if p.title != title {
                    report.change(file, &code, "namaJabatan", p.title.clone(), title.clone());
                }
                if p.kind != kind.code() {
                    report.change(
                        file,
                        &code,
                        "jenisJabatan",
                        p.kind.clone(),
                        kind.code().into(),
                    );
                }
                if p.grade != grade {
                    report.change(file, &code, "eselon", text(&p.grade), text(&grade));
                }
                if p.unit_id != unit.id() {
                    report.change(
                        file,
                        &code,
                        "unorId",
                        p.unit_id.to_string(),
                        row.unor_id.trim().into(),
                    );
                }
                if p.reports_to_id != reports_to {
                    report.change(
                        file,
                        &code,
                        "atasanJabatanId",
                        text(&p.reports_to_id.map(|i| i.to_string())),
                        text(&row.atasan_jabatan_id),
                    );
                }
                if report.changes.len() > before {
                    report.counts(file).changed += 1;
                    post_writes.push(write(p.id, p.created_at));
                } else {
                    report.counts(file).unchanged += 1;
                }
            }
            None => {
                report.counts(file).new += 1;
                post_writes.push(write(post_ids[&code].id(), now));
            }
        }
    }

    // Employees.
    let stored: HashMap<String, employee::Model> = employee::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.nip.clone(), e))
        .collect();
    let mut nik_owner: HashMap<String, String> = stored
        .values()
        .map(|e| (e.nik.clone(), e.nip.clone()))
        .collect();
    let mut email_owner: HashMap<String, String> = stored
        .values()
        .filter_map(|e| e.email.clone().map(|m| (m, e.nip.clone())))
        .collect();
    let mut phone_owner: HashMap<String, String> = HashMap::new();
    let mut in_file: HashSet<String> = HashSet::new();
    let mut new_people: Vec<employee::ActiveModel> = Vec::new();
    let mut changed_people: Vec<employee::ActiveModel> = Vec::new();
    for (line, row) in &people {
        let file = "employees.csv";
        let key = row.nip_baru.trim().to_owned();
        let (e, warnings) = match row.check(&options.email_domains) {
            Ok(x) => x,
            Err(r) => {
                report.refuse(file, *line, &key, r);
                continue;
            }
        };
        if !in_file.insert(e.nip.clone()) {
            report.refuse(
                file,
                *line,
                &e.nip,
                Refusal::new(
                    "duplicate_nip",
                    "the NIP comes twice in the file; only its first row is imported",
                ),
            );
            continue;
        }
        if let Some(owner) = nik_owner.get(&e.nik).filter(|o| **o != e.nip) {
            report.refuse(
                file,
                *line,
                &e.nip,
                Refusal::new(
                    "conflicting_nik",
                    format!("NIK {} already belongs to NIP {owner}", e.nik),
                ),
            );
            continue;
        }
        if let Some(mail) = &e.email
            && let Some(owner) = email_owner.get(mail).filter(|o| **o != e.nip)
        {
            report.refuse(
                file,
                *line,
                &e.nip,
                Refusal::new(
                    "duplicate_email",
                    format!("email {mail} already belongs to NIP {owner}"),
                ),
            );
            continue;
        }
        for w in warnings {
            report.warn(file, *line, &e.nip, w);
        }
        if let Some(phone) = &e.phone {
            if let Some(owner) = phone_owner.get(phone).filter(|o| **o != e.nip) {
                report.warn(
                    file,
                    *line,
                    &e.nip,
                    Refusal::new(
                        "duplicate_phone",
                        format!("phone {phone} is also NIP {owner}'s"),
                    ),
                );
            } else {
                phone_owner.insert(phone.clone(), e.nip.clone());
            }
        }
        let Some(unit) = unit_ids.get(&e.unit_code) else {
            report.refuse(
                file,
                *line,
                &e.nip,
                Refusal::new(
                    "unknown_reference",
                    format!("unorId '{}' is no unit", e.unit_code),
                ),
            );
            continue;
        };
        let post = match &e.position_code {
            Some(code) => match post_ids.get(code) {
                Some(p) => Some(p.id()),
                None => {
                    report.refuse(
                        file,
                        *line,
                        &e.nip,
                        Refusal::new(
                            "unknown_reference",
                            format!("jabatanId '{code}' is no post"),
                        ),
                    );
                    continue;
                }
            },
            None => None,
        };
        nik_owner.insert(e.nik.clone(), e.nip.clone());
        if let Some(mail) = &e.email {
            email_owner.insert(mail.clone(), e.nip.clone());
        }
        match stored.get(&e.nip) {
            Some(before) => {
                let n = employee_changes(
                    &mut report,
                    before,
                    &e,
                    unit.id(),
                    post,
                    &unit_ids,
                    &post_ids,
                );
                if n == 0 {
                    report.counts(file).unchanged += 1;
                } else {
                    report.counts(file).changed += 1;
                    changed_people.push(employee_model(
                        &e,
                        before.id,
                        unit.id(),
                        post,
                        before.created_at,
                        now,
                    ));
                }
            }
            None => {
                report.counts(file).new += 1;
                new_people.push(employee_model(
                    &e,
                    Uuid::now_v7(),
                    unit.id(),
                    post,
                    now,
                    now,
                ));
            }
        }
    }
    if !people.is_empty() {
        let mut missing: Vec<String> = stored
            .values()
            .filter(|e| e.active && !in_file.contains(&e.nip))
            .map(|e| e.nip.clone())
            .collect();
        missing.sort_unstable();
        report.missing = missing;
    }

    // Rank history: a (NIP, rank, TMT) the database does not have is new.
    let known_nips: HashSet<&str> = stored
        .keys()
        .map(String::as_str)
        .chain(in_file.iter().map(String::as_str))
        .collect();
    let stored_ranks: HashSet<(Uuid, String, chrono::NaiveDate)> = if ranks.is_empty() {
        HashSet::new()
    } else {
        rank_history::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.employee_id, r.rank_code, r.tmt))
            .collect()
    };
    let person_id = |nip: &str| -> Option<Uuid> {
        stored.get(nip).map(|e| e.id).or_else(|| {
            new_people.iter().find_map(|m| match (&m.nip, &m.id) {
                (Set(n), Set(id)) if n == nip => Some(*id),
                _ => None,
            })
        })
    };
    let mut rank_writes: Vec<rank_history::ActiveModel> = Vec::new();
    let mut seen_ranks = HashSet::new();
    for (line, row) in &ranks {
        let file = "rank_history.csv";
        let r: Rank = match row.check() {
            Ok(r) => r,
            Err(x) => {
                report.refuse(file, *line, row.nip_baru.trim(), x);
                continue;
            }
        };
        if !known_nips.contains(r.nip.as_str()) {
            report.refuse(
                file,
                *line,
                &r.nip,
                Refusal::new("unknown_reference", "nipBaru is no employee"),
            );
            continue;
        }
        let Some(id) = person_id(&r.nip) else {
            report.refuse(
                file,
                *line,
                &r.nip,
                Refusal::new("unknown_reference", "nipBaru is no employee"),
            );
            continue;
        };
        let key = (id, r.rank_code.clone(), r.tmt);
        if stored_ranks.contains(&key) || !seen_ranks.insert(key) {
            report.counts(file).unchanged += 1;
            continue;
        }
        report.counts(file).new += 1;
        rank_writes.push(rank_history::ActiveModel {
            employee_id: Set(id),
            rank_code: Set(r.rank_code),
            tmt: Set(r.tmt),
            decree_number: Set(r.decree_number),
            decree_date: Set(r.decree_date),
            ..Default::default()
        });
    }

    if options.dry_run {
        return Ok(report);
    }
    apply(
        db,
        options,
        unit_writes,
        post_writes,
        new_people,
        changed_people,
        rank_writes,
    )
    .await?;
    report.applied = true;
    Ok(report)
}

impl Refusal {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            code,
            message: message.into(),
        }
    }
}

/// Records the fields of `e` that differ from `before`; returns how many.
fn employee_changes(
    report: &mut ImportReport,
    before: &employee::Model,
    e: &Employee,
    unit: Uuid,
    post: Option<Uuid>,
    unit_ids: &HashMap<String, Known>,
    post_ids: &HashMap<String, Known>,
) -> usize {
    let code_of = |ids: &HashMap<String, Known>, id: Option<Uuid>| {
        id.and_then(|id| ids.iter().find(|(_, k)| k.id() == id))
            .map(|(c, _)| c.clone())
            .unwrap_or_default()
    };
    let pairs: [(&str, String, String); 17] = [
        ("nik", before.nik.clone(), e.nik.clone()),
        (
            "gelarDepan",
            text(&before.front_title),
            text(&e.front_title),
        ),
        ("nama", before.name.clone(), e.name.clone()),
        (
            "gelarBelakang",
            text(&before.back_title),
            text(&e.back_title),
        ),
        (
            "jenisKelamin",
            before.gender.clone(),
            e.gender.code().into(),
        ),
        (
            "tempatLahir",
            before.birth_place.clone(),
            e.birth_place.clone(),
        ),
        (
            "tglLahir",
            before.birth_date.to_string(),
            e.birth_date.to_string(),
        ),
        (
            "statusPegawai",
            before.employment_type.clone(),
            e.employment_type.code().into(),
        ),
        (
            "golRuangAkhirId",
            text(&before.rank_code),
            text(&e.rank_code),
        ),
        ("tmtGolAkhir", day(before.rank_tmt), day(e.rank_tmt)),
        ("tmtCpns", day(before.tmt_cpns), day(e.tmt_cpns)),
        ("tmtPns", day(before.tmt_pns), day(e.tmt_pns)),
        (
            "pendidikanTerakhir",
            before.education_level.clone(),
            e.education_level.code().into(),
        ),
        (
            "unorId",
            code_of(unit_ids, Some(before.unit_id)),
            code_of(unit_ids, Some(unit)),
        ),
        (
            "jabatanId",
            code_of(post_ids, before.position_id),
            code_of(post_ids, post),
        ),
        ("email", text(&before.email), text(&e.email)),
        ("noHp", text(&before.phone), text(&e.phone)),
    ];
    let mut n = 0;
    for (field, from, to) in pairs {
        if from != to {
            report.change("employees.csv", &e.nip, field, from, to);
            n += 1;
        }
    }
    n
}

fn employee_model(
    e: &Employee,
    id: Uuid,
    unit: Uuid,
    post: Option<Uuid>,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> employee::ActiveModel {
    employee::ActiveModel {
        id: Set(id),
        nip: Set(e.nip.clone()),
        nik: Set(e.nik.clone()),
        front_title: Set(e.front_title.clone()),
        name: Set(e.name.clone()),
        back_title: Set(e.back_title.clone()),
        gender: Set(e.gender.code().into()),
        birth_place: Set(e.birth_place.clone()),
        birth_date: Set(e.birth_date),
        employment_type: Set(e.employment_type.code().into()),
        rank_code: Set(e.rank_code.clone()),
        rank_tmt: Set(e.rank_tmt),
        tmt_cpns: Set(e.tmt_cpns),
        tmt_pns: Set(e.tmt_pns),
        education_level: Set(e.education_level.code().into()),
        unit_id: Set(unit),
        position_id: Set(post),
        email: Set(e.email.clone()),
        phone: Set(e.phone.clone()),
        active: Set(true),
        created_at: Set(created_at),
        updated_at: Set(now),
    }
}

/// Writes the reconciled changes: units and posts each in one transaction (parents set after
/// every unit and post exists), then employees and ranks in batches.
#[allow(clippy::too_many_arguments)]
async fn apply(
    db: &DatabaseConnection,
    options: &ImportOptions,
    units: Vec<org_unit::ActiveModel>,
    posts: Vec<position::ActiveModel>,
    new_people: Vec<employee::ActiveModel>,
    changed_people: Vec<employee::ActiveModel>,
    ranks: Vec<rank_history::ActiveModel>,
) -> Result<(), ImportError> {
    let total = (new_people.len() + changed_people.len() + ranks.len()) as u64;
    let progress = if options.progress {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg:>10} [{bar:40}] {pos}/{len} rows, {per_sec}, {eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let batch = options.batch.max(1);

    // A unit or post may point at another that is new: insert without the link, then link.
    let txn = db.begin().await?;
    for u in &units {
        let mut bare = u.clone();
        bare.parent_id = Set(None);
        org_unit::Entity::insert(bare)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(org_unit::Column::Id)
                    .update_columns([org_unit::Column::Name, org_unit::Column::Level])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    for u in &units {
        if let (Set(id), Set(parent)) = (&u.id, &u.parent_id) {
            org_unit::Entity::update_many()
                .col_expr(org_unit::Column::ParentId, Expr::value(*parent))
                .filter(org_unit::Column::Id.eq(*id))
                .exec(&txn)
                .await?;
        }
    }
    for p in &posts {
        let mut bare = p.clone();
        bare.reports_to_id = Set(None);
        position::Entity::insert(bare)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(position::Column::Id)
                    .update_columns([
                        position::Column::Title,
                        position::Column::Kind,
                        position::Column::Grade,
                        position::Column::UnitId,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    for p in &posts {
        if let (Set(id), Set(up)) = (&p.id, &p.reports_to_id) {
            position::Entity::update_many()
                .col_expr(position::Column::ReportsToId, Expr::value(*up))
                .filter(position::Column::Id.eq(*id))
                .exec(&txn)
                .await?;
        }
    }
    txn.commit().await?;

    progress.set_message("employees");
    for chunk in new_people.chunks(batch) {
        let txn = db.begin().await?;
        employee::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
        txn.commit().await?;
        progress.inc(chunk.len() as u64);
    }
    for chunk in changed_people.chunks(batch) {
        let txn = db.begin().await?;
        for m in chunk {
            employee::Entity::update(m.clone()).exec(&txn).await?;
        }
        txn.commit().await?;
        progress.inc(chunk.len() as u64);
    }
    progress.set_message("ranks");
    for chunk in ranks.chunks(batch) {
        let txn = db.begin().await?;
        rank_history::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
        txn.commit().await?;
        progress.inc(chunk.len() as u64);
    }
    progress.finish_and_clear();
    Ok(())
}
