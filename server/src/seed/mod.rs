//! `abdi-server seed`: a deterministic synthetic province. The same seed, count and as-of date
//! always give the same units, positions, employees and histories. Employees are written in
//! batches, each batch (employees with all their histories) in one transaction, so a failure
//! never leaves a half-written person.

pub mod accounts;
mod copy;
mod names;
pub(crate) mod org;
pub(crate) mod people;
pub(crate) mod requests;

use std::fmt;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, Iterable, ModelTrait,
    PaginatorTrait, PrimaryKeyToColumn, TransactionTrait,
};

use crate::masterdata::entity::{
    award, education_history, employee, family_member, org_unit, performance_rating, position,
    position_history, rank_history, training_history,
};
use accounts::Account;
use org::Organisation;
use people::{Fixed, Generator, Person, Registry};

/// Employees per transaction.
const BATCH: usize = 1_000;
/// Batches written at the same time (each on its own connection).
const WRITERS: usize = 3;
/// Bind parameters per INSERT: below SQLite's 32,766 and PostgreSQL's 65,535.
const PARAMS_PER_STATEMENT: usize = 30_000;

#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub employees: u32,
    pub seed: u64,
    pub as_of: NaiveDate,
    pub accounts: Vec<Account>,
    pub reset: bool,
    pub progress: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub employees: u64,
    pub units: u64,
    pub positions: u64,
    pub rows: u64,
    pub elapsed: Duration,
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.elapsed.as_secs_f64().max(0.001);
        write!(
            f,
            "seeded {} employees, {} units, {} positions ({} rows) in {:.1} s: {:.0} employees/s, {:.0} rows/s",
            self.employees,
            self.units,
            self.positions,
            self.rows,
            secs,
            self.employees as f64 / secs,
            self.rows as f64 / secs
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(
        "the database already has {employees} employees in {units} units; run seed with --reset to replace them"
    )]
    NotEmpty { employees: u64, units: u64 },
    #[error("account {nip}: unit '{unit}' does not exist in the generated organisation")]
    UnknownUnit { nip: String, unit: String },
    #[error("account {nip}: post {post} of unit {unit} is already held by another account")]
    PostTaken {
        nip: String,
        unit: String,
        post: String,
    },
    #[error("could not generate a unique NIP or NIK after several tries")]
    Exhausted,
    #[error("seed: database: {0}")]
    Database(#[from] DbErr),
    #[error("seed: the generator stopped unexpectedly")]
    Generator,
    #[error("seed: a database writer stopped unexpectedly")]
    Writer,
}

/// Who goes where: (slot, post, senior?, fixed facts) for every person, in generation order.
struct Placement {
    unit_index: usize,
    post_index: usize,
    senior: bool,
    fixed: Fixed,
}

/// The organisation and where every person goes, with the generator's state after drawing it.
pub struct Plan {
    rng: ChaCha8Rng,
    org: Organisation,
    placements: Vec<Placement>,
}

/// Builds the organisation and the placement of every person: accounts first, then the heads
/// (Sekretaris Daerah, each perangkat daerah's head), then everyone else by unit size. Fails on
/// an account that does not fit, before anything is written.
pub fn plan(options: &SeedOptions) -> Result<Plan, SeedError> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let org = Organisation::generate(&mut rng, options.employees);
    let mut taken = std::collections::HashSet::new();
    let mut placements = Vec::with_capacity(options.employees as usize + options.accounts.len());
    for account in &options.accounts {
        let wanted = account.unit.clone().unwrap_or_else(|| "BKD".into());
        let slot = org
            .slots
            .iter()
            .find(|s| org.units[s.unit_index].code == wanted)
            .or_else(|| {
                let first = format!("{wanted}-U001");
                org.slots
                    .iter()
                    .find(|s| org.units[s.unit_index].code == first)
            })
            .ok_or_else(|| SeedError::UnknownUnit {
                nip: account.nip.to_string(),
                unit: wanted.clone(),
            })?;
        let (post_index, senior) = match account.post.as_deref() {
            Some("KEPALA") => (slot.struktural[0], true),
            Some("KASI1") => (slot.struktural[1], true),
            Some("KASI2") => (slot.struktural[2], true),
            _ => (slot.staff[0], false),
        };
        if senior && !taken.insert(post_index) {
            return Err(SeedError::PostTaken {
                nip: account.nip.to_string(),
                unit: org.units[slot.unit_index].code.clone(),
                post: account.post.clone().unwrap_or_default(),
            });
        }
        placements.push(Placement {
            unit_index: slot.unit_index,
            post_index,
            senior,
            fixed: Fixed {
                nip: Some(account.nip.clone()),
                name: Some(account.name.clone()),
                front_title: account.front_title.clone(),
                back_title: account.back_title.clone(),
                email: Some(account.email.clone()),
                phone: account.phone.clone(),
            },
        });
    }
    let mut n = u64::from(options.employees);
    for (unit_index, post_index) in &org.heads {
        if n == 0 {
            break;
        }
        if taken.insert(*post_index) {
            placements.push(Placement {
                unit_index: *unit_index,
                post_index: *post_index,
                senior: true,
                fixed: Fixed::default(),
            });
            n -= 1;
        }
    }
    let total_weight: u64 = org.slots.iter().map(|s| u64::from(s.weight)).sum();
    let mut counts: Vec<u64> = org
        .slots
        .iter()
        .map(|s| n * u64::from(s.weight) / total_weight.max(1))
        .collect();
    let assigned: u64 = counts.iter().sum();
    for c in counts.iter_mut().take((n - assigned) as usize) {
        *c += 1;
    }
    for (slot, count) in org.slots.iter().zip(counts) {
        let open: Vec<usize> = slot
            .struktural
            .iter()
            .copied()
            .filter(|p| !taken.contains(p))
            .collect();
        for k in 0..count as usize {
            let (post_index, senior) = match open.get(k) {
                Some(p) => (*p, true),
                None => (slot.staff[k % slot.staff.len()], false),
            };
            placements.push(Placement {
                unit_index: slot.unit_index,
                post_index,
                senior,
                fixed: Fixed::default(),
            });
        }
    }
    Ok(Plan {
        rng,
        org,
        placements,
    })
}

/// Generates every person in order, handing them over in batches; stops early if `sink`
/// returns false. Deterministic for the same options.
pub fn generate(
    options: &SeedOptions,
    created_at: DateTime<Utc>,
    sink: impl FnMut(Vec<Person>) -> bool,
) -> Result<(), SeedError> {
    generate_people(plan(options)?, options, created_at, sink)
}

fn generate_people(
    plan: Plan,
    options: &SeedOptions,
    created_at: DateTime<Utc>,
    mut sink: impl FnMut(Vec<Person>) -> bool,
) -> Result<(), SeedError> {
    let Plan {
        mut rng,
        org,
        placements,
    } = plan;
    let mut registry = Registry::default();
    for account in &options.accounts {
        registry.reserve(&account.nip);
    }
    let mut generator = Generator {
        org: &org,
        as_of: options.as_of,
        created_at,
        registry,
    };
    let mut batch = Vec::with_capacity(BATCH);
    for p in placements {
        let person = (0..16)
            .find_map(|_| {
                generator.person(&mut rng, p.unit_index, p.post_index, p.senior, &p.fixed)
            })
            .ok_or(SeedError::Exhausted)?;
        batch.push(person);
        if batch.len() == BATCH && !sink(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))) {
            return Ok(());
        }
    }
    if !batch.is_empty() {
        sink(batch);
    }
    Ok(())
}

/// Generates and writes the province. Generation runs on a blocking thread while the async
/// side writes the previous batch.
pub async fn run_seed(
    db: &DatabaseConnection,
    options: &SeedOptions,
    now: DateTime<Utc>,
) -> Result<SeedReport, SeedError> {
    let started = Instant::now();
    let employees = employee::Entity::find().count(db).await?;
    let units = org_unit::Entity::find().count(db).await?;
    if (employees > 0 || units > 0) && !options.reset {
        return Err(SeedError::NotEmpty { employees, units });
    }
    // Everything about the input is checked here, before anything is deleted or written.
    let plan = plan(options)?;

    let total = u64::from(options.employees) + options.accounts.len() as u64;
    let progress = if options.progress {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} seeding [{bar:40}] {pos}/{len} employees ({per_sec}, {eta} left)",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar
    } else {
        ProgressBar::hidden()
    };

    let mut report = SeedReport {
        employees: 0,
        units: plan.org.units.len() as u64,
        positions: plan.org.posts.len() as u64,
        rows: 0,
        elapsed: Duration::ZERO,
    };
    // Replacing the old data and writing the new organisation is one transaction: a failure
    // leaves the database as it was.
    report.rows += write_organisation(db, &plan.org, now, options.reset).await?;

    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Person>>(4);
    let generator_options = options.clone();
    let producer = tokio::task::spawn_blocking(move || {
        generate_people(plan, &generator_options, now, |batch| {
            tx.blocking_send(batch).is_ok()
        })
    });

    // Several batches in flight: the database overlaps one batch's index and WAL work with the
    // next one's, while the generator keeps the channel full.
    let mut writing = tokio::task::JoinSet::new();
    let record = |done: Result<Result<(u64, u64), DbErr>, tokio::task::JoinError>,
                  report: &mut SeedReport|
     -> Result<(), SeedError> {
        let (n, rows) = done.map_err(|_| SeedError::Writer)??;
        report.employees += n;
        report.rows += rows;
        progress.inc(n);
        Ok(())
    };
    while let Some(batch) = rx.recv().await {
        if writing.len() >= WRITERS
            && let Some(done) = writing.join_next().await
        {
            record(done, &mut report)?;
        }
        let db = db.clone();
        writing.spawn(async move {
            let rows = write_people(&db, &batch).await?;
            Ok::<_, DbErr>((batch.len() as u64, rows))
        });
    }
    while let Some(done) = writing.join_next().await {
        record(done, &mut report)?;
    }
    producer.await.map_err(|_| SeedError::Generator)??;
    progress.finish_and_clear();
    report.elapsed = started.elapsed();
    tracing::info!(
        employees = report.employees,
        rows = report.rows,
        secs = report.elapsed.as_secs_f64(),
        "seed complete"
    );
    Ok(report)
}

pub(super) async fn begin_bulk(
    db: &DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    let txn = db.begin().await?;
    if db.get_database_backend() == DbBackend::Postgres {
        // Bulk load: a crash loses at most the last batches, which a re-run with --reset redoes.
        txn.execute_unprepared("SET LOCAL synchronous_commit = off")
            .await?;
    }
    Ok(txn)
}

async fn write_organisation(
    db: &DatabaseConnection,
    org: &Organisation,
    now: DateTime<Utc>,
    replace: bool,
) -> Result<u64, DbErr> {
    let txn = begin_bulk(db).await?;
    if replace {
        reset(&txn).await?;
    }
    let unit_rows: Vec<org_unit::Model> = org
        .units
        .iter()
        .map(|u| org_unit::Model {
            id: u.id,
            code: u.code.clone(),
            name: u.name.clone(),
            level: u.level.to_string(),
            parent_id: u.parent_id,
            created_at: now,
            closed_on: None,
        })
        .collect();
    let post_rows: Vec<position::Model> = org
        .posts
        .iter()
        .map(|p| position::Model {
            id: p.id,
            code: p.code.clone(),
            title: p.title.clone(),
            kind: p.kind.to_string(),
            grade: p.grade.clone(),
            unit_id: p.unit_id,
            reports_to_id: p.reports_to_id,
            created_at: now,
            closed_on: None,
        })
        .collect();
    // Parents come before children in both lists, so the self-references hold row by row.
    let mut rows = insert_models::<org_unit::Entity, _>(&txn, &unit_rows, true).await?;
    rows += insert_models::<position::Entity, _>(&txn, &post_rows, true).await?;
    txn.commit().await?;
    Ok(rows)
}

fn all<T: Clone>(people: &[Person], f: impl Fn(&Person) -> &Vec<T>) -> Vec<T> {
    people.iter().flat_map(|p| f(p).iter().cloned()).collect()
}

async fn write_people(db: &DatabaseConnection, people: &[Person]) -> Result<u64, DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        return copy::write_people(db.get_postgres_connection_pool(), people).await;
    }
    let txn = begin_bulk(db).await?;
    let employees: Vec<employee::Model> = people.iter().map(|p| p.employee.clone()).collect();
    let mut rows = insert_models::<employee::Entity, _>(&txn, &employees, true).await?;
    rows +=
        insert_models::<rank_history::Entity, _>(&txn, &all(people, |p| &p.ranks), false).await?;
    rows +=
        insert_models::<position_history::Entity, _>(&txn, &all(people, |p| &p.positions), false)
            .await?;
    rows +=
        insert_models::<education_history::Entity, _>(&txn, &all(people, |p| &p.education), false)
            .await?;
    rows +=
        insert_models::<training_history::Entity, _>(&txn, &all(people, |p| &p.trainings), false)
            .await?;
    rows +=
        insert_models::<performance_rating::Entity, _>(&txn, &all(people, |p| &p.ratings), false)
            .await?;
    rows += insert_models::<award::Entity, _>(&txn, &all(people, |p| &p.awards), false).await?;
    rows +=
        insert_models::<family_member::Entity, _>(&txn, &all(people, |p| &p.family), false).await?;
    txn.commit().await?;
    Ok(rows)
}

/// Multi-row INSERTs of `models`, as many rows per statement as the parameter budget allows.
/// `with_key` false leaves the primary key to the database (auto-increment ids).
pub(super) async fn insert_models<E, C>(
    db: &C,
    models: &[E::Model],
    with_key: bool,
) -> Result<u64, DbErr>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let columns = columns_of::<E>(with_key);
    let per_statement = (PARAMS_PER_STATEMENT / columns.len().max(1)).max(1);
    for chunk in models.chunks(per_statement) {
        let mut stmt = Query::insert();
        stmt.into_table(E::default())
            .columns(columns.iter().copied());
        for model in chunk {
            stmt.values(columns.iter().map(|c| Expr::from(model.get(*c))))
                .map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        db.execute(&stmt).await?;
    }
    Ok(models.len() as u64)
}

/// The entity's columns in declaration order, without the primary key unless `with_key`.
fn columns_of<E: EntityTrait>(with_key: bool) -> Vec<E::Column> {
    use sea_orm::IdenStatic;
    let keys: Vec<&str> = E::PrimaryKey::iter()
        .map(|k| k.into_column().as_str())
        .collect();
    E::Column::iter()
        .filter(|c| with_key || !keys.contains(&c.as_str()))
        .collect()
}

/// Removes all master data (employees, histories, positions, units) and everything that hangs
/// off employees (requests, bookings, uploads' records) inside `txn`.
async fn reset(txn: &sea_orm::DatabaseTransaction) -> Result<(), DbErr> {
    const TABLES: [&str; 39] = [
        "inbox_counts",
        "bkn_exchanges",
        "promotion_proposals",
        "archive_documents",
        "proposal_events",
        "record_proposals",
        "notification_deliveries",
        "notification_events",
        "notification_preferences",
        "devices",
        "documents",
        "document_numbers",
        "leave_bookings",
        "request_events",
        "request_steps",
        "attachments",
        "service_requests",
        "idempotency_keys",
        "disciplinary_sanctions",
        "passkeys",
        "sso_subjects",
        "role_assignments",
        "acting_assignments",
        "agency_changes",
        "record_reads",
        "due_notices",
        "competencies",
        "organisation_experiences",
        "salary_histories",
        "rank_histories",
        "position_histories",
        "education_histories",
        "training_histories",
        "performance_ratings",
        "awards",
        "family_members",
        "employees",
        "positions",
        "org_units",
    ];
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!("TRUNCATE {}", TABLES.join(", ")))
            .await?;
    } else {
        for table in &TABLES[..TABLES.len() - 2] {
            txn.execute_unprepared(&format!("DELETE FROM {table}"))
                .await?;
        }
        txn.execute_unprepared("UPDATE positions SET reports_to_id = NULL; DELETE FROM positions;")
            .await?;
        txn.execute_unprepared("UPDATE org_units SET parent_id = NULL; DELETE FROM org_units;")
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(seed: u64) -> SeedOptions {
        SeedOptions {
            employees: 300,
            seed,
            as_of: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            accounts: Vec::new(),
            reset: false,
            progress: false,
        }
    }

    fn people(seed: u64) -> Vec<Person> {
        let now = DateTime::from_timestamp(1_795_000_000, 0).unwrap();
        let mut out = Vec::new();
        generate(&options(seed), now, |batch| {
            out.extend(batch);
            true
        })
        .unwrap();
        out
    }

    #[test]
    fn the_same_seed_gives_the_same_province_and_another_seed_another() {
        let a = people(1);
        assert_eq!(a.len(), 300);
        assert_eq!(a, people(1));
        assert_ne!(a, people(2));
    }

    #[test]
    fn nips_and_niks_are_unique() {
        let p = people(3);
        let nips: std::collections::HashSet<_> = p.iter().map(|x| &x.employee.nip).collect();
        let niks: std::collections::HashSet<_> = p.iter().map(|x| &x.employee.nik).collect();
        assert_eq!(nips.len(), p.len());
        assert_eq!(niks.len(), p.len());
    }
}
