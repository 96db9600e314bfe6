//! Synthetic service requests for benchmarks at national scale: each employee gets requests
//! (mostly annual leave, some sick leave and leave for important reasons) spread over the two
//! years before `as_of`, with the chain their organisation gives them. Old requests are decided
//! (mostly approved); those of the last month still wait for verification or a decision, so the
//! work lists are as full as a real agency's. The rows are made directly, not through the rules:
//! this is load, not a test of the rules.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use super::{SeedError, begin_bulk, insert_models};
use crate::leave::entity::leave_booking;
use crate::masterdata::entity::{employee, org_unit, position};
use crate::services::entity::{request_event, request_step, service_request};
use crate::services::events::Action;
use abdi_proto::leave::BookingState;
use abdi_proto::services::{Approver, Outcome, RequestStatus, StepKind, StepStatus};

/// Requests per written batch.
const BATCH: usize = 3_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestSeedReport {
    pub requests: u64,
    pub rows: u64,
    pub elapsed: Duration,
}

impl std::fmt::Display for RequestSeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secs = self.elapsed.as_secs_f64().max(0.001);
        write!(
            f,
            "seeded {} requests ({} rows) in {secs:.1} s: {:.0} requests/s, {:.0} rows/s",
            self.requests,
            self.rows,
            self.requests as f64 / secs,
            self.rows as f64 / secs
        )
    }
}

/// Where each employee's requests go: their unit's perangkat daerah, the post they report to,
/// the PYBMC's post.
struct Chains {
    pd_of: HashMap<Uuid, Option<Uuid>>,
    head_of: HashMap<Uuid, Uuid>,
    parent: HashMap<Uuid, Option<Uuid>>,
    level: HashMap<Uuid, String>,
    reports_to: HashMap<Uuid, Option<Uuid>>,
}

impl Chains {
    async fn load(db: &DatabaseConnection) -> Result<Self, DbErr> {
        let units = org_unit::Entity::find().all(db).await?;
        let posts = position::Entity::find().all(db).await?;
        let parent: HashMap<Uuid, Option<Uuid>> =
            units.iter().map(|u| (u.id, u.parent_id)).collect();
        let level: HashMap<Uuid, String> = units.iter().map(|u| (u.id, u.level.clone())).collect();
        let unit_of: HashMap<Uuid, Uuid> = posts.iter().map(|p| (p.id, p.unit_id)).collect();
        let mut head_of = HashMap::new();
        for p in posts.iter().filter(|p| p.kind == "struktural") {
            let inside = p
                .reports_to_id
                .is_some_and(|up| unit_of.get(&up) == Some(&p.unit_id));
            if !inside {
                head_of.entry(p.unit_id).or_insert(p.id);
            }
        }
        let mut chains = Chains {
            pd_of: HashMap::new(),
            head_of,
            parent,
            level,
            reports_to: posts.iter().map(|p| (p.id, p.reports_to_id)).collect(),
        };
        for u in &units {
            let pd = chains
                .up(u.id)
                .into_iter()
                .find(|id| chains.level.get(id).map(String::as_str) == Some("perangkat_daerah"));
            chains.pd_of.insert(u.id, pd);
        }
        Ok(chains)
    }

    /// The unit and those above it.
    fn up(&self, unit: Uuid) -> Vec<Uuid> {
        let mut out = vec![unit];
        let mut next = self.parent.get(&unit).copied().flatten();
        while let Some(id) = next {
            out.push(id);
            next = self.parent.get(&id).copied().flatten();
            if out.len() > 16 {
                break;
            }
        }
        out
    }

    /// The PYBMC's post, as `Access::pybmc_post` works it out.
    fn pybmc(&self, unit: Uuid, post: Option<Uuid>) -> Option<Uuid> {
        self.up(unit)
            .into_iter()
            .filter(|u| {
                matches!(
                    self.level.get(u).map(String::as_str),
                    Some("perangkat_daerah" | "instansi")
                )
            })
            .filter_map(|u| self.head_of.get(&u).copied())
            .find(|h| Some(*h) != post)
    }
}

fn uuid(rng: &mut ChaCha8Rng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

/// The next weekday on or after `d`.
fn weekday_from(d: NaiveDate) -> NaiveDate {
    match d.weekday() {
        Weekday::Sat => d + chrono::Days::new(2),
        Weekday::Sun => d + chrono::Days::new(1),
        _ => d,
    }
}

struct Batch {
    requests: Vec<service_request::Model>,
    steps: Vec<request_step::Model>,
    events: Vec<request_event::Model>,
    bookings: Vec<leave_booking::Model>,
}

impl Batch {
    fn new() -> Self {
        Self {
            requests: Vec::with_capacity(BATCH),
            steps: Vec::with_capacity(BATCH * 3),
            events: Vec::with_capacity(BATCH * 4),
            bookings: Vec::with_capacity(BATCH),
        }
    }
}

/// Adds about `total` requests over the employees already in the database.
pub(crate) async fn seed_requests(
    db: &DatabaseConnection,
    total: u64,
    seed: u64,
    as_of: NaiveDate,
) -> Result<RequestSeedReport, SeedError> {
    let started = Instant::now();
    let chains = Chains::load(db).await?;
    let people: Vec<(Uuid, Uuid, Option<Uuid>)> = employee::Entity::find()
        .select_only()
        .column(employee::Column::Id)
        .column(employee::Column::UnitId)
        .column(employee::Column::PositionId)
        .into_tuple()
        .all(db)
        .await?;
    if people.is_empty() {
        return Ok(RequestSeedReport {
            requests: 0,
            rows: 0,
            elapsed: started.elapsed(),
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_2E0E);
    let as_of_noon = Utc.from_utc_datetime(&as_of.and_hms_opt(3, 0, 0).unwrap_or_default());
    let per_person = total as f64 / people.len() as f64;
    let mut report = RequestSeedReport {
        requests: 0,
        rows: 0,
        elapsed: Duration::ZERO,
    };
    let mut batch = Batch::new();
    let mut carry = 0.0;
    let mut writing = tokio::task::JoinSet::new();
    for (employee_id, unit_id, post) in people {
        carry += per_person;
        let n = carry.floor() as u64;
        carry -= n as f64;
        for _ in 0..n {
            add_request(
                &mut rng,
                &chains,
                &mut batch,
                employee_id,
                unit_id,
                post,
                as_of_noon,
            );
        }
        if batch.requests.len() >= BATCH {
            let full = std::mem::replace(&mut batch, Batch::new());
            report.requests += full.requests.len() as u64;
            if writing.len() >= 3
                && let Some(done) = writing.join_next().await
            {
                report.rows += done.map_err(|_| SeedError::Writer)??;
            }
            let db = db.clone();
            writing.spawn(async move { write(&db, full).await });
        }
    }
    report.requests += batch.requests.len() as u64;
    report.rows += write(db, batch).await?;
    while let Some(done) = writing.join_next().await {
        report.rows += done.map_err(|_| SeedError::Writer)??;
    }
    if db.get_database_backend() == DbBackend::Postgres {
        abdi_migrations::refill_inbox_counts(db).await?;
        // Statistics for the planner, and the visibility map that lets work-list counts be
        // answered from their index alone (autovacuum does this in a running system).
        db.execute_unprepared(
            "VACUUM ANALYZE service_requests, request_steps, request_events, leave_bookings",
        )
        .await?;
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
fn add_request(
    rng: &mut ChaCha8Rng,
    chains: &Chains,
    batch: &mut Batch,
    employee_id: Uuid,
    unit_id: Uuid,
    post: Option<Uuid>,
    as_of: DateTime<Utc>,
) {
    let id = uuid(rng);
    let age_days = rng.random_range(0..730);
    let created = as_of
        - chrono::Duration::days(age_days)
        - chrono::Duration::minutes(rng.random_range(0..600));
    let (service, kind) = match rng.random_range(0..100) {
        0..80 => ("cuti_tahunan", "tahunan"),
        80..92 => ("cuti_sakit", "sakit"),
        _ => ("cuti_alasan_penting", "alasan_penting"),
    };
    let days: u64 = rng.random_range(1..=5);
    let start = weekday_from(created.date_naive() + chrono::Days::new(rng.random_range(7..60)));
    let end = start + chrono::Days::new(days - 1);
    let pd = chains.pd_of.get(&unit_id).copied().flatten();
    let atasan = post.and_then(|p| chains.reports_to.get(&p).copied().flatten());
    let pybmc = chains.pybmc(unit_id, post);

    // Where it stands: recent ones wait; older ones are decided (or were cancelled).
    let waiting = age_days < 30;
    let (status, outcome, active) = if waiting {
        if rng.random_bool(0.4) {
            (RequestStatus::Submitted, None, Some(0))
        } else if rng.random_bool(0.5) && atasan.is_some() {
            (RequestStatus::InReview, None, Some(1))
        } else {
            (RequestStatus::InReview, None, Some(2))
        }
    } else {
        let decided = |o| (RequestStatus::Decided, Some(o), None);
        match rng.random_range(0..100) {
            0..88 => decided(Outcome::Disetujui),
            88..92 => decided(Outcome::TidakDisetujui),
            92..95 => decided(Outcome::Perubahan),
            95..97 => decided(Outcome::Ditangguhkan),
            _ => (RequestStatus::Cancelled, None, Some(0)),
        }
    };
    let decided_at =
        (status == RequestStatus::Decided).then(|| created + chrono::Duration::days(3));
    let summary = json!({
        "id": format!("{days} hari kerja, {start} s/d {end}"),
        "en": format!("{days} working days, {start} to {end}"),
    });
    batch.requests.push(service_request::Model {
        id,
        employee_id,
        service_code: service.into(),
        service_revision: 1,
        status,
        outcome,
        form: json!({
            "period": { "start": start, "end": end },
            "reason": "Keperluan keluarga",
            "phone": "081234567890",
        })
        .to_string(),
        assessment: json!({ "kind": kind, "start": start, "end": end, "working_days": days, "summary": summary }).to_string(),
        unit_id,
        pd_unit_id: pd,
        version: 4,
        created_at: created,
        submitted_at: Some(created),
        decided_at,
        updated_at: decided_at.unwrap_or(created),
    });
    let plan: Vec<(StepKind, Approver, Option<Uuid>)> = [
        Some((StepKind::Verification, Approver::Fasilitator, None)),
        atasan.map(|a| (StepKind::Recommendation, Approver::AtasanLangsung, Some(a))),
        Some((StepKind::Decision, Approver::Pybmc, pybmc)),
    ]
    .into_iter()
    .flatten()
    .collect();
    // The step that waits, counted in the plan (no atasan step for the top posts).
    let active_seq = active.map(|a: usize| a.min(plan.len() - 1));
    for (seq, (kind, approver, position_id)) in plan.iter().enumerate() {
        let at = created + chrono::Duration::hours(seq as i64 * 20);
        let (step_status, step_outcome, acted) = match (status, active_seq) {
            (RequestStatus::Cancelled, _) => (StepStatus::Skipped, None, None),
            (_, Some(a)) if seq == a => (StepStatus::Active, None, None),
            (_, Some(a)) if seq > a => (StepStatus::Waiting, None, None),
            _ => (
                StepStatus::Done,
                Some(if *kind == StepKind::Verification {
                    "complete"
                } else if seq + 1 == plan.len() {
                    outcome.unwrap_or(Outcome::Disetujui).code()
                } else {
                    Outcome::Disetujui.code()
                }),
                Some(at),
            ),
        };
        batch.steps.push(request_step::Model {
            id: uuid(rng),
            request_id: id,
            service_code: service.into(),
            employee_id,
            seq: seq as i32,
            kind: *kind,
            approver: *approver,
            acting_allowed: true,
            position_id: *position_id,
            unit_id: (*kind == StepKind::Verification).then_some(unit_id),
            pd_unit_id: if *kind == StepKind::Verification {
                pd
            } else {
                None
            },
            status: step_status,
            activated_at: (step_status != StepStatus::Waiting).then_some(at),
            outcome: step_outcome.map(str::to_owned),
            note: None,
            actor_id: None,
            capacity: acted.map(|_| crate::services::engine::code(approver)),
            acting_assignment_id: None,
            acted_at: acted,
        });
        if let Some(at) = acted {
            batch.events.push(request_event::Model {
                id: 0,
                request_id: id,
                at,
                action: match *kind {
                    StepKind::Verification => Action::Verified,
                    StepKind::Recommendation => Action::Recommended,
                    _ => Action::Decided,
                },
                from_status: Some(RequestStatus::InReview),
                to_status: if seq + 1 == plan.len() {
                    status
                } else {
                    RequestStatus::InReview
                },
                actor_id: None,
                capacity: Some(crate::services::engine::code(approver)),
                acting_assignment_id: None,
                outcome: step_outcome.map(str::to_owned),
                note: None,
            });
        }
    }
    batch.events.push(request_event::Model {
        id: 0,
        request_id: id,
        at: created,
        action: Action::Submitted,
        from_status: None,
        to_status: RequestStatus::Submitted,
        actor_id: Some(employee_id),
        capacity: Some("own".into()),
        acting_assignment_id: None,
        outcome: None,
        note: None,
    });
    let booking = match (status, outcome) {
        (RequestStatus::Decided, Some(Outcome::Disetujui | Outcome::Perubahan)) => {
            Some(BookingState::Approved)
        }
        (RequestStatus::Decided, Some(Outcome::Ditangguhkan)) if kind == "tahunan" => {
            Some(BookingState::Deferred)
        }
        (RequestStatus::Submitted | RequestStatus::InReview, _) => Some(BookingState::Pending),
        _ => None,
    };
    if let Some(state) = booking {
        batch.bookings.push(leave_booking::Model {
            request_id: id,
            employee_id,
            kind: kind.into(),
            start_date: start,
            end_date: end,
            days: days as i32,
            year: start.year(),
            state,
        });
    }
}

async fn write(db: &DatabaseConnection, batch: Batch) -> Result<u64, SeedError> {
    if db.get_database_backend() == DbBackend::Postgres {
        use sea_orm::sqlx;
        let sql = |e: sqlx::Error| DbErr::Custom(format!("COPY: {e}"));
        let mut tx = db
            .get_postgres_connection_pool()
            .begin()
            .await
            .map_err(sql)?;
        sqlx::query("SET LOCAL synchronous_commit = off")
            .execute(&mut *tx)
            .await
            .map_err(sql)?;
        // Three writers at once would queue on the fullest posts' counters: the counts are
        // made once at the end instead (`refill_inbox_counts`).
        sqlx::query("SET LOCAL abdi.inbox_counts = off")
            .execute(&mut *tx)
            .await
            .map_err(sql)?;
        let mut rows =
            super::copy::copy::<service_request::Entity>(&mut tx, &batch.requests, true).await?;
        rows += super::copy::copy::<request_step::Entity>(&mut tx, &batch.steps, true).await?;
        rows += super::copy::copy::<request_event::Entity>(&mut tx, &batch.events, false).await?;
        rows += super::copy::copy::<leave_booking::Entity>(&mut tx, &batch.bookings, true).await?;
        tx.commit().await.map_err(sql)?;
        return Ok(rows);
    }
    let txn = begin_bulk(db).await?;
    let mut rows = insert_models::<service_request::Entity, _>(&txn, &batch.requests, true).await?;
    rows += insert_models::<request_step::Entity, _>(&txn, &batch.steps, true).await?;
    rows += insert_models::<request_event::Entity, _>(&txn, &batch.events, false).await?;
    rows += insert_models::<leave_booking::Entity, _>(&txn, &batch.bookings, true).await?;
    txn.commit().await?;
    Ok(rows)
}
