//! What people see of requests: one request with its chain and timeline, the employee's own
//! list, the decider's inbox and the fasilitator's verification queue. Lists are keyset-paged
//! (`after` is the last item's cursor), so page 1,000 costs what page 1 does.

use std::collections::{BTreeMap, HashMap, HashSet};

use abdi_proto::Text;
use abdi_proto::services::{
    ActingRef, Approver, Outcome, PersonRef, RequestPage, RequestStatus, RequestSummary,
    RequestView, StepKind, StepStatus, StepView, TimelineEntry, WorkItem, WorkList,
};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{
    Alias, Condition, Expr, ExprTrait, JoinType, Order, Query, SelectStatement, UnionType,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
};
use serde_json::Value;
use uuid::Uuid;

use super::ServiceError;
use super::catalogue;
use super::entity::{request_event, request_step, service_request};
use crate::access::entity::acting_assignment;
use crate::access::{Access, Principal};
use crate::masterdata::entity::{employee, position};
use crate::store::page::{self, Page};

fn summary_of(assessment: &str, fallback: &Text) -> Text {
    /// The one field a list shows; the rest of the assessment is skipped, not built.
    #[derive(serde::Deserialize)]
    struct Head {
        summary: Option<Text>,
    }
    serde_json::from_str::<Head>(assessment)
        .ok()
        .and_then(|h| h.summary)
        .unwrap_or_else(|| fallback.clone())
}

/// A request in full, read through `db` (inside a transaction: what it is about to commit).
/// `service_name` is the catalogue's name of its service when the caller has it at hand (else
/// it is read).
pub(crate) async fn load(
    db: &impl ConnectionTrait,
    id: Uuid,
    service_name: Option<&Text>,
) -> Result<RequestView, ServiceError> {
    let req = service_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::RequestNotFound)?;
    let steps = request_step::Entity::find()
        .filter(request_step::Column::RequestId.eq(id))
        .order_by_asc(request_step::Column::Seq)
        .all(db)
        .await?;
    let events = request_event::Entity::find()
        .filter(request_event::Column::RequestId.eq(id))
        .order_by_asc(request_event::Column::Id)
        .all(db)
        .await?;
    let mut people_ids: HashSet<Uuid> = HashSet::from([req.employee_id]);
    people_ids.extend(steps.iter().filter_map(|s| s.actor_id));
    people_ids.extend(events.iter().filter_map(|e| e.actor_id));
    let people: Vec<employee::Model> = employee::Entity::find()
        .filter(employee::Column::Id.is_in(people_ids))
        .all(db)
        .await?;
    let acting_ids: HashSet<Uuid> = steps
        .iter()
        .filter_map(|s| s.acting_assignment_id)
        .chain(events.iter().filter_map(|e| e.acting_assignment_id))
        .collect();
    let acting = if acting_ids.is_empty() {
        Vec::new()
    } else {
        acting_assignment::Entity::find()
            .filter(acting_assignment::Column::Id.is_in(acting_ids))
            .all(db)
            .await?
    };
    let name = match service_name {
        Some(name) => name.clone(),
        None => catalogue::get(db, &req.service_code).await?.1.spec.name,
    };
    let parts = Parts {
        people: &people,
        acting: &acting,
        service_name: name,
    };
    assemble(db, &req, &steps, &events, parts).await
}

/// What a view is made of besides the request, its chain and its timeline.
pub(crate) struct Parts<'a> {
    /// The requester and everyone who acted on it.
    pub people: &'a [employee::Model],
    /// The Plt/Plh letters anyone acted under.
    pub acting: &'a [acting_assignment::Model],
    pub service_name: Text,
}

/// The view of rows already at hand (the request just written, or just read); reads only the
/// titles of the chain's posts.
pub(crate) async fn assemble(
    db: &impl ConnectionTrait,
    req: &service_request::Model,
    steps: &[request_step::Model],
    events: &[request_event::Model],
    parts: Parts<'_>,
) -> Result<RequestView, ServiceError> {
    let id = req.id;
    let people: HashMap<Uuid, PersonRef> =
        parts.people.iter().map(|e| (e.id, e.person())).collect();
    let post_ids: HashSet<Uuid> = steps.iter().filter_map(|s| s.position_id).collect();
    let posts: HashMap<Uuid, String> = if post_ids.is_empty() {
        HashMap::new()
    } else {
        position::Entity::find()
            .filter(position::Column::Id.is_in(post_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p.title))
            .collect()
    };
    let acting: HashMap<Uuid, ActingRef> = parts
        .acting
        .iter()
        .map(|a| {
            (
                a.id,
                ActingRef {
                    kind: a.kind,
                    number: a.number.clone(),
                },
            )
        })
        .collect();
    let bad =
        |what: &str| ServiceError::Database(DbErr::Custom(format!("request {id}: unknown {what}")));
    let status = req.status;
    Ok(RequestView {
        id,
        service: req.service_code.clone(),
        service_name: parts.service_name,
        service_revision: req.service_revision as u32,
        employee: people
            .get(&req.employee_id)
            .cloned()
            .ok_or_else(|| bad("employee"))?,
        status,
        outcome: req.outcome,
        version: req.version as u32,
        form: serde_json::from_str(&req.form).unwrap_or_default(),
        assessment: serde_json::from_str(&req.assessment).unwrap_or(Value::Null),
        created_at: req.created_at,
        submitted_at: req.submitted_at,
        decided_at: req.decided_at,
        steps: steps
            .iter()
            .map(|s| {
                Ok(StepView {
                    seq: s.seq as u32,
                    kind: s.kind,
                    by: s.approver,
                    status: s.status,
                    post: s.position_id.and_then(|p| posts.get(&p).cloned()),
                    outcome: s.outcome.clone(),
                    note: s.note.clone(),
                    actor: s.actor_id.and_then(|a| people.get(&a).cloned()),
                    capacity: s.capacity.clone(),
                    acting: s.acting_assignment_id.and_then(|a| acting.get(&a).cloned()),
                    acted_at: s.acted_at,
                })
            })
            .collect::<Result<_, ServiceError>>()?,
        timeline: events
            .iter()
            .map(|e| {
                Ok(TimelineEntry {
                    at: e.at,
                    action: e.action.code().to_owned(),
                    from: e.from_status,
                    to: e.to_status,
                    actor: e.actor_id.and_then(|a| people.get(&a).cloned()),
                    capacity: e.capacity.clone(),
                    acting: e.acting_assignment_id.and_then(|a| acting.get(&a).cloned()),
                    outcome: e.outcome.clone(),
                    note: e.note.clone(),
                })
            })
            .collect::<Result<_, ServiceError>>()?,
    })
}

/// Who may see a request: the employee, anyone holding (or acting in) a post on its chain,
/// fasilitators of its unit or a unit above, administrators.
pub(crate) async fn can_view(
    db: &impl ConnectionTrait,
    who: &Principal,
    request_id: Uuid,
) -> Result<bool, ServiceError> {
    let req = service_request::Entity::find_by_id(request_id)
        .one(db)
        .await?
        .ok_or(ServiceError::RequestNotFound)?;
    if req.employee_id == who.employee_id || who.administrator {
        return Ok(true);
    }
    let on_chain = request_step::Entity::find()
        .filter(request_step::Column::RequestId.eq(request_id))
        .all(db)
        .await?
        .iter()
        .any(|s| s.position_id.is_some_and(|p| who.posts.contains(&p)));
    if on_chain {
        return Ok(true);
    }
    if who.fasilitator_units.is_empty() {
        return Ok(false);
    }
    let units = Access::unit_chain(db, req.unit_id).await?;
    Ok(units.iter().any(|u| who.fasilitator_units.contains(&u.id)))
}

/// Where a keyset page starts: the sort time and the id of the last item seen.
pub(crate) type Cursor = (DateTime<Utc>, Uuid);

impl page::Cursor for Cursor {
    fn parse(raw: &str) -> Option<Self> {
        let (at, id) = raw.split_once('_')?;
        Some((
            DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc),
            Uuid::parse_str(id).ok()?,
        ))
    }

    fn render(&self) -> String {
        format!("{}_{}", self.0.format("%Y-%m-%dT%H:%M:%S%.6fZ"), self.1)
    }
}

fn cursor(at: DateTime<Utc>, id: Uuid) -> String {
    page::Cursor::render(&(at, id))
}

#[derive(Debug, FromQueryResult)]
struct Row {
    step_kind: Option<StepKind>,
    waiting_since: Option<DateTime<Utc>>,
    step_id: Option<Uuid>,
    id: Uuid,
    service_code: String,
    status: RequestStatus,
    outcome: Option<Outcome>,
    version: i32,
    assessment: String,
    submitted_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    employee_id: Uuid,
    nip: String,
    name: String,
    front_title: Option<String>,
    back_title: Option<String>,
}

fn summary(row: &Row, names: &BTreeMap<String, Text>) -> Result<RequestSummary, ServiceError> {
    let fallback = names
        .get(&row.service_code)
        .cloned()
        .unwrap_or_else(|| Text::new(row.service_code.clone(), row.service_code.clone()));
    Ok(RequestSummary {
        id: row.id,
        service: row.service_code.clone(),
        employee: PersonRef {
            id: row.employee_id,
            nip: row.nip.clone(),
            name: employee::full_name(
                row.front_title.as_deref(),
                &row.name,
                row.back_title.as_deref(),
            ),
        },
        status: row.status,
        outcome: row.outcome,
        version: row.version as u32,
        summary: summary_of(&row.assessment, &fallback),
        submitted_at: row.submitted_at,
        updated_at: row.updated_at,
    })
}

/// The requests and their employees, as lists select them.
fn base() -> SelectStatement {
    let r = Alias::new("r");
    let e = Alias::new("e");
    let mut q = Query::select();
    for (expr, alias) in [
        (Expr::col((r.clone(), service_request::Column::Id)), "id"),
        (
            Expr::col((r.clone(), service_request::Column::ServiceCode)),
            "service_code",
        ),
        (
            Expr::col((r.clone(), service_request::Column::Status)),
            "status",
        ),
        (
            Expr::col((r.clone(), service_request::Column::Outcome)),
            "outcome",
        ),
        (
            Expr::col((r.clone(), service_request::Column::Version)),
            "version",
        ),
        (
            Expr::col((r.clone(), service_request::Column::Assessment)),
            "assessment",
        ),
        (
            Expr::col((r.clone(), service_request::Column::SubmittedAt)),
            "submitted_at",
        ),
        (
            Expr::col((r.clone(), service_request::Column::UpdatedAt)),
            "updated_at",
        ),
        (
            Expr::col((r.clone(), service_request::Column::CreatedAt)),
            "created_at",
        ),
        (
            Expr::col((r.clone(), service_request::Column::EmployeeId)),
            "employee_id",
        ),
        (Expr::col((e.clone(), employee::Column::Nip)), "nip"),
        (Expr::col((e.clone(), employee::Column::Name)), "name"),
        (
            Expr::col((e.clone(), employee::Column::FrontTitle)),
            "front_title",
        ),
        (
            Expr::col((e.clone(), employee::Column::BackTitle)),
            "back_title",
        ),
    ] {
        q.expr_as(expr, Alias::new(alias));
    }
    q.from_as(service_request::Entity, r.clone())
        .join_as(
            JoinType::InnerJoin,
            employee::Entity,
            e.clone(),
            Expr::col((e, employee::Column::Id)).equals((r, service_request::Column::EmployeeId)),
        )
        .to_owned()
}

/// The employee's own requests, newest first.
pub(crate) async fn mine(
    db: &impl ConnectionTrait,
    owner: Uuid,
    status: Option<RequestStatus>,
    page: Page<Cursor>,
) -> Result<RequestPage, ServiceError> {
    let Page { after, limit } = page;
    let r = Alias::new("r");
    let at = Expr::col((r.clone(), service_request::Column::CreatedAt));
    let id = Expr::col((r.clone(), service_request::Column::Id));
    let mut q = base();
    q.expr_as(Expr::value(Option::<String>::None), Alias::new("step_kind"))
        .expr_as(
            Expr::value(Option::<DateTime<Utc>>::None),
            Alias::new("waiting_since"),
        )
        .expr_as(Expr::value(Option::<Uuid>::None), Alias::new("step_id"))
        .and_where(Expr::col((r.clone(), service_request::Column::EmployeeId)).eq(owner));
    if let Some(s) = status {
        q.and_where(Expr::col((r.clone(), service_request::Column::Status)).eq(s));
    }
    if let Some((t, last)) = after {
        q.cond_where(
            Condition::any().add(at.clone().lt(t)).add(
                Condition::all()
                    .add(at.clone().eq(t))
                    .add(id.clone().lt(last)),
            ),
        );
    }
    q.order_by_expr(at, Order::Desc)
        .order_by_expr(id, Order::Desc)
        .limit(limit + 1);
    let rows = Row::find_by_statement(db.get_database_backend().build(&q))
        .all(db)
        .await?;
    let names = catalogue::names(db).await?;
    let more = rows.len() as u64 > limit;
    let items = rows
        .iter()
        .take(limit as usize)
        .map(|r| summary(r, &names))
        .collect::<Result<Vec<_>, _>>()?;
    let next = more
        .then(|| {
            rows.get(limit as usize - 1)
                .map(|r| cursor(r.created_at, r.id))
        })
        .flatten();
    Ok(RequestPage { items, next })
}

/// Which active steps a work list shows.
pub(crate) enum Work<'a> {
    /// Recommendations and decisions for the caller's posts (own, or acting where allowed),
    /// and outside approvals for administrators.
    Inbox(&'a Principal),
    /// Verifications in these units (a fasilitator's, with every unit below them), never of
    /// the fasilitator's own requests.
    Verification { of: Uuid, units: &'a [Uuid] },
    /// These steps (those nobody can take, for administrators).
    Steps(&'a [Uuid]),
}

fn work_condition(work: &Work<'_>) -> Condition {
    let s = Alias::new("s");
    let col = |c: request_step::Column| Expr::col((s.clone(), c));
    match work {
        Work::Inbox(who) => {
            let mut any = inbox_posts(who, &s);
            if who.administrator {
                any = any.add(col(request_step::Column::Approver).eq(Approver::Bkn));
            }
            // Never one's own request.
            Condition::all()
                .add(any)
                .add(col(request_step::Column::EmployeeId).ne(who.employee_id))
        }
        Work::Verification { of, units } => Condition::all()
            .add(col(request_step::Column::Approver).eq(Approver::Fasilitator))
            .add(col(request_step::Column::UnitId).is_in(units.iter().copied()))
            .add(col(request_step::Column::EmployeeId).ne(*of)),
        Work::Steps(ids) => {
            Condition::all().add(col(request_step::Column::Id).is_in(ids.iter().copied()))
        }
    }
}

/// How many wait per service in a work list (not paged, not filtered by service), in one
/// statement. An inbox reads the counters the database keeps per post (`inbox_counts`), less
/// the caller's own requests waiting there (reached through their requests, a handful), plus
/// for administrators the outside approvals; the other lists count their steps' own index.
async fn counts(
    db: &impl ConnectionTrait,
    work: &Work<'_>,
) -> Result<BTreeMap<String, u64>, ServiceError> {
    let s = Alias::new("s");
    let code = Expr::col((s.clone(), request_step::Column::ServiceCode));
    let n = Alias::new("n");
    let live = |condition: Condition| {
        Query::select()
            .expr_as(code.clone(), Alias::new("service_code"))
            .expr_as(code.clone().count(), n.clone())
            .from_as(request_step::Entity, s.clone())
            .and_where(Expr::col((s.clone(), request_step::Column::Status)).eq(StepStatus::Active))
            .cond_where(condition)
            .group_by_col((s.clone(), request_step::Column::ServiceCode))
            .to_owned()
    };
    let q = match work {
        Work::Inbox(who) => {
            let c = Alias::new("c");
            let col = |name: &str| Expr::col((c.clone(), Alias::new(name)));
            let mut q = Query::select()
                .expr_as(col("service_code"), Alias::new("service_code"))
                // PostgreSQL sums bigints as numeric; every part of the union is a bigint.
                .expr_as(
                    col("waiting").sum().cast_as(Alias::new("BIGINT")),
                    n.clone(),
                )
                .from_as(Alias::new("inbox_counts"), c.clone())
                .cond_where(inbox_posts(who, &c))
                .group_by_col((c.clone(), Alias::new("service_code")))
                .to_owned();
            // Less the caller's own requests at those posts.
            let r = Alias::new("r");
            let own = Query::select()
                .expr_as(code.clone(), Alias::new("service_code"))
                .expr_as(code.clone().count().mul(-1), n.clone())
                .from_as(service_request::Entity, r.clone())
                .join_as(
                    JoinType::InnerJoin,
                    request_step::Entity,
                    s.clone(),
                    Expr::col((s.clone(), request_step::Column::RequestId))
                        .equals((r.clone(), service_request::Column::Id)),
                )
                .and_where(Expr::col((r, service_request::Column::EmployeeId)).eq(who.employee_id))
                .and_where(
                    Expr::col((s.clone(), request_step::Column::Status)).eq(StepStatus::Active),
                )
                .cond_where(inbox_posts(who, &s))
                .group_by_col((s.clone(), request_step::Column::ServiceCode))
                .to_owned();
            q.union(UnionType::All, own);
            if who.administrator {
                let bkn = live(
                    Condition::all()
                        .add(
                            Expr::col((s.clone(), request_step::Column::Approver))
                                .eq(Approver::Bkn),
                        )
                        .add(
                            Expr::col((s.clone(), request_step::Column::EmployeeId))
                                .ne(who.employee_id),
                        ),
                );
                q.union(UnionType::All, bkn);
            }
            q
        }
        other => live(work_condition(other)),
    };
    #[derive(FromQueryResult)]
    struct Count {
        service_code: String,
        n: i64,
    }
    let mut counts = BTreeMap::<String, i64>::new();
    for c in Count::find_by_statement(db.get_database_backend().build(&q))
        .all(db)
        .await?
    {
        *counts.entry(c.service_code).or_default() += c.n;
    }
    Ok(counts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(code, n)| (code, n as u64))
        .collect())
}

/// The steps at the caller's posts: their own, and those they hold as Plt/Plh where a Plt/Plh
/// may take the step. Only consideration and decision steps name a post. `table` is the steps
/// or their counters (`inbox_counts`), which name these columns alike.
fn inbox_posts(who: &Principal, table: &Alias) -> Condition {
    let col = |name: &str| Expr::col((table.clone(), Alias::new(name)));
    let mut any = Condition::any();
    if let Some(own) = who.own_post {
        any = any.add(col("position_id").eq(own));
    }
    let acting: Vec<Uuid> = who.acting.keys().copied().collect();
    if !acting.is_empty() {
        any = any.add(
            Condition::all()
                .add(col("position_id").is_in(acting))
                .add(col("acting_allowed").eq(true)),
        );
    }
    any
}

fn with_steps(q: &mut SelectStatement, work: &Work<'_>) {
    let s = Alias::new("s");
    let r = Alias::new("r");
    q.join_as(
        JoinType::InnerJoin,
        request_step::Entity,
        s.clone(),
        Expr::col((s.clone(), request_step::Column::RequestId))
            .equals((r, service_request::Column::Id)),
    )
    .and_where(Expr::col((s, request_step::Column::Status)).eq(StepStatus::Active))
    .cond_where(work_condition(work));
}

/// A work list: oldest waiting first, with how many wait per service.
pub(crate) async fn work_list(
    db: &impl ConnectionTrait,
    work: Work<'_>,
    service: Option<&str>,
    page: Page<Cursor>,
) -> Result<WorkList, ServiceError> {
    let Page { after, limit } = page;
    let s = Alias::new("s");
    let at = Expr::col((s.clone(), request_step::Column::ActivatedAt));
    let id = Expr::col((s.clone(), request_step::Column::Id));

    let counts = counts(db, &work).await?;

    let mut q = base();
    q.expr_as(
        Expr::col((s.clone(), request_step::Column::Kind)),
        Alias::new("step_kind"),
    )
    .expr_as(at.clone(), Alias::new("waiting_since"))
    .expr_as(id.clone(), Alias::new("step_id"));
    with_steps(&mut q, &work);
    if let Some(code) = service {
        q.and_where(Expr::col((s.clone(), request_step::Column::ServiceCode)).eq(code));
    }
    if let Some((t, last)) = after {
        // A row comparison, which the index on (activated_at, id) takes as its start: a page
        // deep in the list costs what the first does (an OR of the two would be a filter).
        q.and_where(
            Expr::tuple([at.clone(), id.clone()])
                .gt(Expr::tuple([Expr::value(t), Expr::value(last)])),
        );
    }
    q.order_by_expr(at, Order::Asc)
        .order_by_expr(id, Order::Asc)
        .limit(limit + 1);
    let rows = Row::find_by_statement(db.get_database_backend().build(&q))
        .all(db)
        .await?;
    let names = catalogue::names(db).await?;
    let more = rows.len() as u64 > limit;
    let items = rows
        .iter()
        .take(limit as usize)
        .map(|row| {
            Ok(WorkItem {
                request: summary(row, &names)?,
                step: row
                    .step_kind
                    .ok_or_else(|| ServiceError::Database(DbErr::Custom("step kind".into())))?,
                waiting_since: row.waiting_since.unwrap_or(row.updated_at),
            })
        })
        .collect::<Result<Vec<_>, ServiceError>>()?;
    let next = more
        .then(|| {
            rows.get(limit as usize - 1)
                .and_then(|r| Some(cursor(r.waiting_since?, r.step_id?)))
        })
        .flatten();
    Ok(WorkList {
        total: counts.values().sum(),
        items,
        next,
        counts,
    })
}

/// The active steps nobody may take on `today`: a post nobody holds and no Plt/Plh covers
/// (where acting officials may act), or a verification in a unit with no fasilitator in force
/// there or above. Outside approvals always have the administrators. At most 10,000 (the
/// oldest first would need them all read; a list that long is an emergency of its own).
pub(crate) async fn stalled_steps(
    db: &impl ConnectionTrait,
    today: chrono::NaiveDate,
) -> Result<Vec<Uuid>, ServiceError> {
    use crate::access::entity::role_assignment;
    use abdi_proto::agency::Role;
    use sea_orm::QuerySelect;

    /// An active step: id, post, unit, approver, whether a Plt/Plh may act.
    type Active = (Uuid, Option<Uuid>, Option<Uuid>, Approver, bool);
    const CHUNK: usize = 5_000;
    let active: Vec<Active> = request_step::Entity::find()
        .select_only()
        .columns([
            request_step::Column::Id,
            request_step::Column::PositionId,
            request_step::Column::UnitId,
            request_step::Column::Approver,
            request_step::Column::ActingAllowed,
        ])
        .filter(request_step::Column::Status.eq(StepStatus::Active))
        .into_tuple()
        .all(db)
        .await?;

    let posts: Vec<Uuid> = active
        .iter()
        .filter_map(|s| s.1)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut held = HashSet::new();
    let mut covered = HashSet::new();
    for chunk in posts.chunks(CHUNK) {
        let holders: Vec<Option<Uuid>> = employee::Entity::find()
            .select_only()
            .column(employee::Column::PositionId)
            .filter(employee::Column::PositionId.is_in(chunk.iter().copied()))
            .filter(employee::Column::Active.eq(true))
            .into_tuple()
            .all(db)
            .await?;
        held.extend(holders.into_iter().flatten());
        let acting: Vec<Uuid> = acting_assignment::Entity::find()
            .select_only()
            .column(acting_assignment::Column::PositionId)
            .filter(acting_assignment::Column::PositionId.is_in(chunk.iter().copied()))
            .filter(acting_assignment::Column::StartsOn.lte(today))
            .filter(acting_assignment::Column::EndsOn.gte(today))
            .into_tuple()
            .all(db)
            .await?;
        covered.extend(acting);
    }

    let fasilitated: HashSet<Uuid> = role_assignment::Entity::find()
        .filter(role_assignment::Column::Role.eq(Role::Fasilitator))
        .filter(crate::access::in_force(today))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| r.unit_id)
        .collect();
    let mut unit_has_fasilitator: HashMap<Uuid, bool> = HashMap::new();
    let mut stalled = Vec::new();
    for (id, post, unit, approver, acting_allowed) in active {
        let nobody = match (approver, post, unit) {
            (Approver::Bkn, _, _) => false,
            (Approver::Fasilitator, _, Some(unit)) => {
                let has = match unit_has_fasilitator.get(&unit) {
                    Some(has) => *has,
                    None => {
                        let has = !fasilitated.is_empty()
                            && Access::unit_chain(db, unit)
                                .await?
                                .iter()
                                .any(|u| fasilitated.contains(&u.id));
                        unit_has_fasilitator.insert(unit, has);
                        has
                    }
                };
                !has
            }
            (_, Some(post), _) => {
                let acting = acting_allowed && covered.contains(&post);
                !(held.contains(&post) || acting)
            }
            _ => false,
        };
        if nobody {
            stalled.push(id);
            if stalled.len() == 10_000 {
                break;
            }
        }
    }
    Ok(stalled)
}
