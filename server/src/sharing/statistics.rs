//! The public statistics (Pergub Jatim 73/2020 Pasal 23-24): active employees by perangkat
//! daerah and one dimension, never a person.
//!
//! Disclosure control: every count from 1 to `threshold - 1` (cells and totals alike; the
//! grand total is the published headcount) is suppressed, then enough other counts that none
//! can be worked out from what is published. A table with its totals is a two-way table whose
//! rows and columns each sum to zero once the totals are negated, so a suppressed count is
//! determined by the published ones exactly when it is a bridge in the graph whose nodes are
//! the rows and columns and whose edges are the suppressed counts. Each bridge is closed into a
//! cycle by the cheapest path of further suppressions (small counts first, non-zero counts
//! before zeros, cells before totals). On a cycle of counts of at least 1 every count can move
//! by one either way without changing a published number, so none is pinned.
//!
//! The tables are computed into `statistics_snapshots` and served from there: every instance
//! publishes the same numbers, and they change only daily or after an import, not with each
//! change to one person (publishing before and after one change would reveal it).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use abdi_proto::RankCode;
use abdi_proto::Text;
use abdi_proto::sharing::{Dimension, StatColumn, StatIndex, StatIndexEntry, StatRow, StatTable};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use tokio::sync::RwLock;
use uuid::Uuid;

use super::SharingError;
use super::entity::statistics_snapshot;
use crate::clock::SharedClock;
use crate::config::SharingConfig;
use crate::masterdata::entity::{employee, org_unit, position};

/// How long an instance serves its copy before it looks for a newer snapshot.
const RECHECK: Duration = Duration::from_secs(60);

/// The tables of one snapshot.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Snapshot {
    pub id: i64,
    pub computed_at: DateTime<Utc>,
    pub threshold: u32,
    pub tables: Vec<StatTable>,
}

impl Snapshot {
    pub fn table(&self, dimension: Dimension) -> Option<&StatTable> {
        self.tables.iter().find(|t| t.dimension == dimension)
    }

    pub fn index(&self) -> StatIndex {
        StatIndex {
            computed_at: self.computed_at,
            threshold: self.threshold,
            grand_total: self.tables.first().map_or(0, |t| t.grand_total),
            tables: self
                .tables
                .iter()
                .map(|t| StatIndexEntry {
                    dimension: t.dimension,
                    title: t.title.clone(),
                    href: format!("/api/data/v1/statistics/{}", t.dimension.as_str()),
                })
                .collect(),
        }
    }
}

/// A snapshot as an instance keeps it, and when it last looked for a newer one.
type Kept = (Arc<Snapshot>, Instant);

/// The published snapshot, shared by every request of this instance.
#[derive(Clone)]
pub struct Published {
    db: DatabaseConnection,
    clock: SharedClock,
    threshold: u32,
    refresh: chrono::Duration,
    kept: Arc<RwLock<Option<Kept>>>,
}

impl Published {
    pub fn new(db: DatabaseConnection, clock: SharedClock, config: &SharingConfig) -> Self {
        Self {
            db,
            clock,
            threshold: config.statistics_threshold.max(1),
            // At least an hour, at most a year.
            refresh: chrono::Duration::hours(
                i64::try_from(config.statistics_refresh_hours.clamp(1, 24 * 366)).unwrap_or(24),
            ),
            kept: Arc::new(RwLock::new(None)),
        }
    }

    /// The newest snapshot; computed first when there is none, or when it is older than the
    /// refresh interval.
    pub async fn current(&self) -> Result<Arc<Snapshot>, SharingError> {
        if let Some((snapshot, at)) = self.kept.read().await.as_ref()
            && at.elapsed() < RECHECK
        {
            return Ok(snapshot.clone());
        }
        let mut kept = self.kept.write().await;
        let newest = statistics_snapshot::Entity::find()
            .select_only()
            .column(statistics_snapshot::Column::Id)
            .column(statistics_snapshot::Column::ComputedAt)
            .order_by_desc(statistics_snapshot::Column::Id)
            .into_tuple::<(i64, DateTime<Utc>)>()
            .one(&self.db)
            .await?;
        let snapshot = match newest {
            Some((id, at)) if self.clock.now() - at < self.refresh => {
                match kept.as_ref().filter(|(s, _)| s.id == id) {
                    Some((s, _)) => s.clone(),
                    None => Arc::new(self.load(id).await?),
                }
            }
            _ => Arc::new(self.compute("daily").await?),
        };
        *kept = Some((snapshot.clone(), Instant::now()));
        Ok(snapshot)
    }

    /// Computes and publishes a new snapshot now (after an import), for every instance.
    pub async fn refresh(&self, reason: &str) -> Result<Arc<Snapshot>, SharingError> {
        let snapshot = Arc::new(self.compute(reason).await?);
        *self.kept.write().await = Some((snapshot.clone(), Instant::now()));
        Ok(snapshot)
    }

    async fn load(&self, id: i64) -> Result<Snapshot, SharingError> {
        let row = statistics_snapshot::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| SharingError::Internal(format!("snapshot {id} vanished")))?;
        Ok(Snapshot {
            id: row.id,
            computed_at: row.computed_at,
            threshold: u32::try_from(row.threshold).unwrap_or(self.threshold),
            tables: serde_json::from_str(&row.tables)
                .map_err(|e| SharingError::Internal(format!("snapshot {id}: {e}")))?,
        })
    }

    async fn compute(&self, reason: &str) -> Result<Snapshot, SharingError> {
        let now = self.clock.now();
        let today = self.clock.today();
        let units = org_unit::Entity::find().all(&self.db).await?;
        let posts: HashMap<Uuid, (String, Option<String>)> = position::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| (p.id, (p.kind, p.grade)))
            .collect();
        let people: Vec<Person> = employee::Entity::find()
            .select_only()
            .columns([
                employee::Column::UnitId,
                employee::Column::PositionId,
                employee::Column::RankCode,
                employee::Column::EducationLevel,
                employee::Column::BirthDate,
                employee::Column::Gender,
                employee::Column::EmploymentType,
            ])
            .filter(employee::Column::Active.eq(true))
            .into_tuple::<(
                Uuid,
                Option<Uuid>,
                Option<String>,
                String,
                NaiveDate,
                String,
                String,
            )>()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|t| Person {
                unit: t.0,
                post: t.1.and_then(|p| posts.get(&p).cloned()),
                rank: t.2,
                education: t.3,
                birth: t.4,
                gender: t.5,
                kind: t.6,
            })
            .collect();
        let departments = departments(&units);
        let tables = tables(&people, &departments, today, now, self.threshold);
        let row = statistics_snapshot::ActiveModel {
            computed_at: Set(now),
            reason: Set(reason.chars().take(16).collect()),
            threshold: Set(i32::try_from(self.threshold).unwrap_or(i32::MAX)),
            tables: Set(serde_json::to_string(&tables)
                .map_err(|e| SharingError::Internal(e.to_string()))?),
            ..Default::default()
        };
        let id = statistics_snapshot::Entity::insert(row)
            .exec(&self.db)
            .await?
            .last_insert_id;
        tracing::info!(id, reason, "statistics published");
        Ok(Snapshot {
            id,
            computed_at: now,
            threshold: self.threshold,
            tables,
        })
    }
}

/// What the statistics read of one active employee.
struct Person {
    unit: Uuid,
    /// The post's kind and grade (for the retirement age).
    post: Option<(String, Option<String>)>,
    rank: Option<String>,
    education: String,
    birth: NaiveDate,
    gender: String,
    kind: String,
}

/// Each unit's perangkat daerah (code, name): the nearest one at or above it, else the top.
fn departments(units: &[org_unit::Model]) -> HashMap<Uuid, (String, String)> {
    let by_id: HashMap<Uuid, &org_unit::Model> = units.iter().map(|u| (u.id, u)).collect();
    units
        .iter()
        .map(|u| {
            let mut at = u;
            for _ in 0..16 {
                if at.level == "perangkat_daerah" {
                    break;
                }
                match at.parent_id.and_then(|p| by_id.get(&p)) {
                    Some(parent) => at = parent,
                    None => break,
                }
            }
            (u.id, (at.code.clone(), at.name.clone()))
        })
        .collect()
}

/// The columns of a dimension, in order, and the column of one person.
fn columns(dimension: Dimension, today: NaiveDate) -> Vec<StatColumn> {
    let col = |code: &str, id: &str, en: &str| StatColumn {
        code: code.to_owned(),
        label: Text::new(id, en),
    };
    match dimension {
        Dimension::Rank => RankCode::all()
            .map(|r| {
                let s = r.to_string();
                col(&s, &s, &s)
            })
            .chain([col("none", "Tanpa golongan (PPPK)", "No rank (PPPK)")])
            .collect(),
        Dimension::Education => ["sd", "smp", "sma", "d1", "d2", "d3", "d4", "s1", "s2", "s3"]
            .iter()
            .map(|e| {
                let label = e.to_uppercase();
                col(e, &label, &label)
            })
            .collect(),
        Dimension::AgeBand => vec![
            col("under_25", "< 25 tahun", "Under 25"),
            col("25_34", "25-34 tahun", "25-34"),
            col("35_44", "35-44 tahun", "35-44"),
            col("45_54", "45-54 tahun", "45-54"),
            col("55_up", "55 tahun ke atas", "55 and over"),
        ],
        Dimension::Gender => vec![
            col("male", "Laki-laki", "Male"),
            col("female", "Perempuan", "Female"),
        ],
        Dimension::EmploymentType => vec![
            col("pns", "PNS", "PNS"),
            col("cpns", "CPNS", "CPNS"),
            col("pppk", "PPPK", "PPPK"),
        ],
        Dimension::RetirementYear => {
            let year = today.year();
            (year..year + 10)
                .map(|y| {
                    let s = y.to_string();
                    col(&s, &s, &s)
                })
                .chain([
                    col(
                        "later",
                        &format!("{} atau sesudahnya", year + 10),
                        &format!("{} or later", year + 10),
                    ),
                    col("none", "Tanpa BUP (PPPK)", "No BUP (PPPK)"),
                ])
                .collect()
        }
    }
}

fn column_of(dimension: Dimension, p: &Person, today: NaiveDate) -> String {
    match dimension {
        Dimension::Rank => p.rank.clone().unwrap_or_else(|| "none".into()),
        Dimension::Education => p.education.clone(),
        Dimension::AgeBand => {
            let age = today.years_since(p.birth).unwrap_or(0);
            match age {
                0..25 => "under_25",
                25..35 => "25_34",
                35..45 => "35_44",
                45..55 => "45_54",
                _ => "55_up",
            }
            .into()
        }
        Dimension::Gender => p.gender.clone(),
        Dimension::EmploymentType => p.kind.clone(),
        Dimension::RetirementYear => {
            if p.kind == "pppk" {
                return "none".into();
            }
            // The usual BUP (PP 11/2017 Pasal 239): 60 for eselon I and II, 58 otherwise.
            let senior = p.post.as_ref().is_some_and(|(kind, grade)| {
                kind == "struktural"
                    && grade
                        .as_deref()
                        .is_some_and(|g| g.starts_with("I.") || g.starts_with("II."))
            });
            let age = if senior { 60 } else { 58 };
            let year = abdi_proto::eligibility::retirement_on(p.birth, age)
                .map_or(today.year(), |d| d.year());
            if year < today.year() {
                today.year().to_string()
            } else if year >= today.year() + 10 {
                "later".into()
            } else {
                year.to_string()
            }
        }
    }
}

/// One table's counts before suppression: its columns, its rows (perangkat daerah) and the
/// grid with the totals (the last column the row totals, the last row the column totals).
struct Counts {
    dimension: Dimension,
    columns: Vec<StatColumn>,
    names: Vec<(String, String)>,
    grid: Vec<Vec<u32>>,
}

/// A count that stands in more than one table: a perangkat daerah's headcount (every table's
/// row total), and its PPPK (the employment type's `pppk`, the retirement year's and the rank's
/// `none`), with their column totals. Each must be hidden in every table or in none, or one
/// table would give away what another hides.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Shared {
    Headcount(String),
    Pppk(String),
    AllPppk,
}

impl Counts {
    /// Every cell of this table that stands for a [`Shared`] count.
    fn shared(&self) -> Vec<((usize, usize), Shared)> {
        let width = self.columns.len();
        let last = self.grid.len() - 1;
        let mut out: Vec<((usize, usize), Shared)> = self
            .names
            .iter()
            .enumerate()
            .map(|(r, (code, _))| ((r, width), Shared::Headcount(code.clone())))
            .collect();
        let pppk = match self.dimension {
            Dimension::EmploymentType => "pppk",
            Dimension::RetirementYear | Dimension::Rank => "none",
            _ => return out,
        };
        if let Some(c) = self.columns.iter().position(|col| col.code == pppk) {
            for (r, (code, _)) in self.names.iter().enumerate() {
                out.push(((r, c), Shared::Pppk(code.clone())));
            }
            out.push(((last, c), Shared::AllPppk));
        }
        out
    }
}

/// Every table, suppressed together: a shared count hidden in one is hidden in all, and each
/// table's complementary suppression runs again around it, until nothing more is hidden (the
/// hidden set only grows, so this ends).
fn tables(
    people: &[Person],
    departments: &HashMap<Uuid, (String, String)>,
    today: NaiveDate,
    now: DateTime<Utc>,
    threshold: u32,
) -> Vec<StatTable> {
    let counts: Vec<Counts> = Dimension::ALL
        .into_iter()
        .map(|d| count(d, people, departments, today))
        .collect();
    let mut forced: HashSet<Shared> = HashSet::new();
    let masks = loop {
        let masks: Vec<Vec<Vec<bool>>> = counts
            .iter()
            .map(|t| {
                let mut first = vec![vec![false; t.grid[0].len()]; t.grid.len()];
                for ((r, c), key) in t.shared() {
                    first[r][c] = forced.contains(&key);
                }
                suppress(&t.grid, threshold, first)
            })
            .collect();
        let mut grown = forced.clone();
        for (t, mask) in counts.iter().zip(&masks) {
            for ((r, c), key) in t.shared() {
                if mask[r][c] {
                    grown.insert(key);
                }
            }
        }
        if grown == forced {
            break masks;
        }
        forced = grown;
    };
    counts
        .into_iter()
        .zip(masks)
        .map(|(t, hidden)| render(t, &hidden, now, threshold))
        .collect()
}

fn count(
    dimension: Dimension,
    people: &[Person],
    departments: &HashMap<Uuid, (String, String)>,
    today: NaiveDate,
) -> Counts {
    let mut columns = columns(dimension, today);
    let mut index: HashMap<String, usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c.code.clone(), i))
        .collect();
    let mut counts: BTreeMap<(String, String), Vec<u32>> = BTreeMap::new();
    for p in people {
        let Some(dept) = departments.get(&p.unit) else {
            continue;
        };
        // A value no column names (bad data) is counted under `other`, so that every table's
        // row totals are the same headcounts.
        let value = column_of(dimension, p, today);
        let c = match index.get(&value) {
            Some(&c) => c,
            None => *index.entry("other".into()).or_insert_with(|| {
                columns.push(StatColumn {
                    code: "other".into(),
                    label: Text::new("Lainnya / tidak tercatat", "Other / not recorded"),
                });
                columns.len() - 1
            }),
        };
        let row = counts.entry(dept.clone()).or_default();
        if row.len() <= c {
            row.resize(c + 1, 0);
        }
        row[c] += 1;
    }
    let width = columns.len();
    let names: Vec<(String, String)> = counts.keys().cloned().collect();
    let mut grid: Vec<Vec<u32>> = counts
        .into_values()
        .map(|mut row| {
            row.resize(width, 0);
            let total = row.iter().sum();
            row.push(total);
            row
        })
        .collect();
    let totals: Vec<u32> = (0..=width)
        .map(|c| grid.iter().map(|r| r[c]).sum())
        .collect();
    grid.push(totals);
    Counts {
        dimension,
        columns,
        names,
        grid,
    }
}

fn render(t: Counts, hidden: &[Vec<bool>], now: DateTime<Utc>, threshold: u32) -> StatTable {
    let width = t.columns.len();
    let grid = &t.grid;
    let shown = |r: usize, c: usize| (!hidden[r][c]).then_some(grid[r][c]);
    let last = grid.len() - 1;
    StatTable {
        dimension: t.dimension,
        title: t.dimension.title(),
        computed_at: now,
        threshold,
        rows: t
            .names
            .iter()
            .enumerate()
            .map(|(r, (code, name))| StatRow {
                unit_code: code.clone(),
                unit_name: name.clone(),
                cells: (0..width).map(|c| shown(r, c)).collect(),
                total: shown(r, width),
            })
            .collect(),
        totals: (0..width).map(|c| shown(last, c)).collect(),
        grand_total: grid[last][width],
        suppressed: hidden.iter().flatten().filter(|h| **h).count() as u32,
        columns: t.columns,
    }
}

/// Which counts of `grid` to suppress: those `first` names (hidden in another table) and those
/// under the threshold, then enough others. `grid` is the table with its totals: the last
/// column holds the row totals, the last row the column totals, its last cell the grand total
/// (never suppressed).
pub(crate) fn suppress(grid: &[Vec<u32>], threshold: u32, first: Vec<Vec<bool>>) -> Vec<Vec<bool>> {
    let rows = grid.len();
    let cols = grid.first().map_or(0, Vec::len);
    let corner = (rows.saturating_sub(1), cols.saturating_sub(1));
    let mut hidden: Vec<Vec<bool>> = grid
        .iter()
        .zip(first)
        .enumerate()
        .map(|(r, (row, forced))| {
            row.iter()
                .zip(forced)
                .enumerate()
                .map(|(c, (&v, f))| (r, c) != corner && (f || (v > 0 && v < threshold)))
                .collect()
        })
        .collect();
    if rows < 2 || cols < 2 {
        return hidden;
    }
    // Closing one bridge never opens another (edges are only added), so one pass in order, with
    // each cell checked again when its turn comes, ends with none.
    for r in 0..rows {
        for c in 0..cols {
            if hidden[r][c] && !on_cycle(&hidden, r, c) {
                if let Some(path) = cheapest_cycle(grid, &hidden, r, c, corner) {
                    for (pr, pc) in path {
                        hidden[pr][pc] = true;
                    }
                } else {
                    tracing::warn!(r, c, "a suppressed count could not be protected");
                }
            }
        }
    }
    hidden
}

/// Whether the suppressed count (r, c) lies on a cycle of suppressed counts: row r reaches
/// column c through them without the edge (r, c) itself.
fn on_cycle(hidden: &[Vec<bool>], r: usize, c: usize) -> bool {
    let rows = hidden.len();
    let cols = hidden[0].len();
    // Nodes: rows 0..rows, then columns rows..rows+cols.
    let mut seen = vec![false; rows + cols];
    let mut stack = vec![r];
    seen[r] = true;
    while let Some(node) = stack.pop() {
        let next: Vec<usize> = if node < rows {
            (0..cols)
                .filter(|&j| hidden[node][j] && (node, j) != (r, c))
                .map(|j| rows + j)
                .collect()
        } else {
            let j = node - rows;
            (0..rows)
                .filter(|&i| hidden[i][j] && (i, j) != (r, c))
                .collect()
        };
        for n in next {
            if n == rows + c {
                return true;
            }
            if !seen[n] {
                seen[n] = true;
                stack.push(n);
            }
        }
    }
    false
}

/// The cheapest set of further suppressions that puts (r, c) on a cycle: Dijkstra from row r
/// to column c over every count but (r, c) and the grand total, a suppressed one free.
fn cheapest_cycle(
    grid: &[Vec<u32>],
    hidden: &[Vec<bool>],
    r: usize,
    c: usize,
    corner: (usize, usize),
) -> Option<Vec<(usize, usize)>> {
    let rows = grid.len();
    let cols = grid[0].len();
    let cost = |i: usize, j: usize| -> Option<u64> {
        if (i, j) == (r, c) || (i, j) == corner {
            return None;
        }
        if hidden[i][j] {
            return Some(0);
        }
        let v = u64::from(grid[i][j]);
        let margin = i == rows - 1 || j == cols - 1;
        let base = if v == 0 { 1_000_000 } else { v + 1 };
        Some(if margin { base * 4 } else { base })
    };
    let n = rows + cols;
    let mut dist = vec![u64::MAX; n];
    let mut prev: Vec<Option<usize>> = vec![None; n];
    let mut done = vec![false; n];
    dist[r] = 0;
    for _ in 0..n {
        let Some(u) = (0..n)
            .filter(|&u| !done[u] && dist[u] != u64::MAX)
            .min_by_key(|&u| dist[u])
        else {
            break;
        };
        done[u] = true;
        if u == rows + c {
            break;
        }
        let edges: Vec<(usize, u64)> = if u < rows {
            (0..cols)
                .filter_map(|j| cost(u, j).map(|w| (rows + j, w)))
                .collect()
        } else {
            let j = u - rows;
            (0..rows)
                .filter_map(|i| cost(i, j).map(|w| (i, w)))
                .collect()
        };
        for (v, w) in edges {
            let d = dist[u].saturating_add(w);
            if d < dist[v] {
                dist[v] = d;
                prev[v] = Some(u);
            }
        }
    }
    if dist[rows + c] == u64::MAX {
        return None;
    }
    let mut path = Vec::new();
    let mut at = rows + c;
    while let Some(p) = prev[at] {
        let (i, j) = if p < rows {
            (p, at - rows)
        } else {
            (at, p - rows)
        };
        path.push((i, j));
        at = p;
    }
    Some(path)
}

/// A table as CSV: one row per perangkat daerah, then the totals; `*` for a suppressed count.
pub fn csv(table: &StatTable) -> String {
    let cell = |v: Option<u32>| v.map_or_else(|| "*".to_owned(), |v| v.to_string());
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "kode_perangkat_daerah".to_owned(),
        "perangkat_daerah".to_owned(),
    ];
    header.extend(table.columns.iter().map(|c| c.code.clone()));
    header.push("jumlah".into());
    let mut records = vec![header];
    for row in &table.rows {
        let mut line = vec![row.unit_code.clone(), row.unit_name.clone()];
        line.extend(row.cells.iter().map(|v| cell(*v)));
        line.push(cell(row.total));
        records.push(line);
    }
    let mut last = vec!["JUMLAH".to_owned(), "Jumlah".to_owned()];
    last.extend(table.totals.iter().map(|v| cell(*v)));
    last.push(table.grand_total.to_string());
    records.push(last);
    for r in records {
        // Writing to memory does not fail.
        let _ = out.write_record(&r);
    }
    String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(grid: &[Vec<u32>]) -> Vec<Vec<bool>> {
        vec![vec![false; grid[0].len()]; grid.len()]
    }

    /// Rows and columns with their totals appended, and the grand total.
    fn with_totals(cells: &[&[u32]]) -> Vec<Vec<u32>> {
        let mut grid: Vec<Vec<u32>> = cells
            .iter()
            .map(|r| {
                let mut r = r.to_vec();
                r.push(r.iter().sum());
                r
            })
            .collect();
        let width = grid[0].len();
        let totals = (0..width)
            .map(|c| grid.iter().map(|r| r[c]).sum())
            .collect();
        grid.push(totals);
        grid
    }

    #[test]
    fn every_suppressed_count_lies_on_a_cycle() {
        let grid = with_totals(&[
            &[3, 40, 25, 12],
            &[30, 41, 22, 18],
            &[15, 12, 0, 33],
            &[20, 2, 35, 40],
        ]);
        let hidden = suppress(&grid, 10, none(&grid));
        assert!(
            hidden[0][0] && hidden[3][1],
            "the small cells are suppressed"
        );
        assert!(!hidden[4][4], "the grand total is published");
        for (r, row) in hidden.iter().enumerate() {
            for (c, &h) in row.iter().enumerate() {
                if h {
                    assert!(on_cycle(&hidden, r, c), "({r}, {c}) can be worked out");
                }
            }
        }
    }

    #[test]
    fn a_lone_small_count_in_its_row_hides_the_row_total_too() {
        // DISHUB has one person in the first column and nobody else: the row total would
        // give it away.
        let grid = with_totals(&[&[4, 0, 0], &[30, 41, 22], &[15, 12, 19]]);
        let hidden = suppress(&grid, 10, none(&grid));
        assert!(hidden[0][0] && hidden[0][3]);
        for (r, row) in hidden.iter().enumerate() {
            for (c, &h) in row.iter().enumerate() {
                if h {
                    assert!(on_cycle(&hidden, r, c), "({r}, {c}) can be worked out");
                }
            }
        }
    }

    #[test]
    fn nothing_is_suppressed_when_every_count_is_large_or_zero() {
        let grid = with_totals(&[&[30, 0], &[12, 44]]);
        assert!(
            suppress(&grid, 10, none(&grid))
                .iter()
                .flatten()
                .all(|h| !h)
        );
    }

    /// A small perangkat daerah's headcount is hidden in every table; each table alone would
    /// pick its own second headcount to hide with it, and one table's shown second would give
    /// away another's. Suppressed together, every table hides the same headcounts.
    #[test]
    fn a_headcount_hidden_in_one_table_is_hidden_in_all() {
        let today = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        let mut departments = HashMap::new();
        let mut people = Vec::new();
        // Sizes chosen so that the tables' cheapest second headcounts differ.
        for (i, size) in [6u32, 31, 44, 57, 23, 90].into_iter().enumerate() {
            let i = i as u32;
            let unit = Uuid::from_u128(u128::from(i) + 1);
            departments.insert(unit, (format!("PD{i}"), format!("Perangkat {i}")));
            for k in 0..size {
                let pppk = k.is_multiple_of(7);
                people.push(Person {
                    unit,
                    post: None,
                    rank: (!pppk)
                        .then(|| ["II/a", "III/a", "III/b", "IV/a"][(k % 4) as usize].into()),
                    education: ["sma", "d3", "s1", "s2"][((k + i) % 4) as usize].into(),
                    birth: NaiveDate::from_ymd_opt(1970 + ((k * 3 + i) % 30) as i32, 1 + k % 12, 1)
                        .unwrap(),
                    gender: if (k + i).is_multiple_of(3) {
                        "female"
                    } else {
                        "male"
                    }
                    .into(),
                    kind: if pppk {
                        "pppk"
                    } else if k.is_multiple_of(11) {
                        "cpns"
                    } else {
                        "pns"
                    }
                    .into(),
                });
            }
        }
        let now = DateTime::<Utc>::from_timestamp(1_782_864_000, 0).unwrap();
        let published = tables(&people, &departments, today, now, 10);
        let hidden =
            |t: &StatTable| -> Vec<bool> { t.rows.iter().map(|r| r.total.is_none()).collect() };
        assert!(hidden(&published[0])[0], "PD0 (6 people) is hidden");
        for t in &published {
            assert_eq!(hidden(t), hidden(&published[0]), "{:?}", t.dimension);
        }
        // The employment type's PPPK and the retirement year's `none` are one count: hidden
        // together, department by department.
        let column = |d: Dimension, code: &str| -> Vec<bool> {
            let t = published.iter().find(|t| t.dimension == d).unwrap();
            let c = t.columns.iter().position(|col| col.code == code).unwrap();
            t.rows.iter().map(|r| r.cells[c].is_none()).collect()
        };
        assert_eq!(
            column(Dimension::EmploymentType, "pppk"),
            column(Dimension::RetirementYear, "none")
        );
    }
}
