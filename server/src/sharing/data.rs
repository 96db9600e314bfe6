//! What the data API answers: employees of a unit (and everything below it), one employee by
//! NIP, and the employees changed since a cursor. Only the units the client was granted are
//! reachable, and each answer holds only the fields the token's scopes open. Every answer is
//! logged, with the NIPs and fields it returned, before it is sent.

use std::collections::{HashMap, HashSet};

use abdi_proto::Nip;
use abdi_proto::record::{EducationEntry, FamilyEntry, PositionEntry, RankEntry};
use abdi_proto::sharing::{DataScope, SharedChanges, SharedEmployee, SharedEmployeePage};
use sea_orm::{
    ColumnTrait, Condition, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};
use uuid::Uuid;

use super::token::DataCall;
use super::{Sharing, SharingError, clients};
use crate::access::Access;
use crate::masterdata::entity::{
    education_history, employee, family_member, org_unit, position, position_history, rank_history,
};
use crate::masterdata::record::{education_entry, position_entry, rank_entry};
use crate::store::page::{Cursor, Page};

/// The change feed, as the triggers of migration 21 write it.
pub mod data_change {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "data_changes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub seq: i64,
        pub txn: i64,
        pub employee_id: Uuid,
        pub left_unit_id: Option<Uuid>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The only NIPs the client may read, when its letter named them.
fn named(call: &DataCall) -> Option<Vec<String>> {
    call.client.persons.as_deref().map(clients::list)
}

/// A page of a unit's employees ends at a NIP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NipCursor(pub String);

impl Cursor for NipCursor {
    fn parse(raw: &str) -> Option<Self> {
        (raw.len() == 18 && raw.bytes().all(|b| b.is_ascii_digit())).then(|| NipCursor(raw.into()))
    }

    fn render(&self) -> String {
        self.0.clone()
    }
}

/// Where a client's sync stands: the transaction and the sequence number of the last change
/// it was given, `txn.seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FeedCursor {
    txn: i64,
    seq: i64,
}

impl FeedCursor {
    fn parse(raw: &str) -> Option<FeedCursor> {
        let (txn, seq) = raw.split_once('.')?;
        let (txn, seq) = (txn.parse().ok()?, seq.parse().ok()?);
        (txn >= 0 && seq >= 0).then_some(FeedCursor { txn, seq })
    }

    fn render(self) -> String {
        format!("{}.{}", self.txn, self.seq)
    }
}

impl Sharing {
    /// The active employees of `unit_code` and every unit below it, by NIP.
    pub async fn unit_employees(
        &self,
        call: &DataCall,
        unit_code: &str,
        page: Page<NipCursor>,
    ) -> Result<SharedEmployeePage, SharingError> {
        let outcome = self.unit_page(call, unit_code, page).await;
        self.answered(call, outcome).await
    }

    async fn unit_page(
        &self,
        call: &DataCall,
        unit_code: &str,
        page: Page<NipCursor>,
    ) -> Result<(SharedEmployeePage, Vec<(Uuid, String)>), SharingError> {
        if unit_code.len() > 64 || unit_code.chars().any(char::is_control) {
            return Err(crate::access::AccessError::UnitNotFound(
                unit_code
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(64)
                    .collect(),
            )
            .into());
        }
        let unit = org_unit::Entity::find()
            .filter(org_unit::Column::Code.eq(unit_code))
            .one(&self.db)
            .await?
            .ok_or_else(|| {
                crate::access::AccessError::UnitNotFound(unit_code.chars().take(64).collect())
            })?;
        if !self.within(call, unit.id).await? {
            return Err(SharingError::ScopeInsufficient {
                id: format!(
                    "Unit {} tidak termasuk unit yang diberikan kepada sistem ini.",
                    unit.code
                ),
                en: format!(
                    "Unit {} is not among the units granted to this system.",
                    unit.code
                ),
            });
        }
        let below = Access::units_below(&self.db, unit.id).await?;
        let mut q = employee::Entity::find()
            .filter(employee::Column::UnitId.is_in(below))
            .filter(employee::Column::Active.eq(true));
        if let Some(named) = named(call) {
            q = q.filter(employee::Column::Nip.is_in(named));
        }
        if let Some(after) = &page.after {
            q = q.filter(employee::Column::Nip.gt(after.0.clone()));
        }
        let rows = q
            .order_by_asc(employee::Column::Nip)
            .limit(page.limit + 1)
            .all(&self.db)
            .await?;
        let more = rows.len() as u64 > page.limit;
        let rows: Vec<_> = rows.into_iter().take(page.limit as usize).collect();
        let next = more
            .then(|| rows.last().map(|e| NipCursor(e.nip.clone()).render()))
            .flatten();
        let subjects = rows.iter().map(|e| (e.id, e.nip.clone())).collect();
        let items = self.shared(&call.scopes, rows).await?;
        Ok((SharedEmployeePage { items, next }, subjects))
    }

    /// One employee by NIP, if they are in a unit granted to the client (404 otherwise: a
    /// client learns nothing of who is outside its units).
    pub async fn employee(
        &self,
        call: &DataCall,
        nip: &str,
    ) -> Result<SharedEmployee, SharingError> {
        let outcome = self.one(call, nip).await;
        self.answered(call, outcome).await
    }

    async fn one(
        &self,
        call: &DataCall,
        nip: &str,
    ) -> Result<(SharedEmployee, Vec<(Uuid, String)>), SharingError> {
        let nip = Nip::parse(nip)
            .or_else(|_| Nip::parse_pppk(nip))
            .map_err(|_| SharingError::InvalidNip)?;
        let row = employee::Entity::find()
            .filter(employee::Column::Nip.eq(nip.as_str()))
            .one(&self.db)
            .await?
            .ok_or(crate::access::AccessError::EmployeeNotFound)?;
        let named = named(call).is_none_or(|n| n.contains(&row.nip));
        if !named || !self.within(call, row.unit_id).await? {
            return Err(crate::access::AccessError::EmployeeNotFound.into());
        }
        let subjects = vec![(row.id, row.nip.clone())];
        let mut items = self.shared(&call.scopes, vec![row]).await?;
        Ok((items.remove(0), subjects))
    }

    /// The employees of the client's units changed since `since` (a `cursor` of an earlier
    /// answer), each as they are now; `latest` gives no employees and the cursor of now, to
    /// start from after a full read of the units. Without `since`, from the first change.
    pub async fn changes(
        &self,
        call: &DataCall,
        since: Option<&str>,
        limit: u64,
    ) -> Result<SharedChanges, SharingError> {
        let outcome = self.feed(call, since, limit).await;
        self.answered(call, outcome).await
    }

    async fn feed(
        &self,
        call: &DataCall,
        since: Option<&str>,
        limit: u64,
    ) -> Result<(SharedChanges, Vec<(Uuid, String)>), SharingError> {
        let horizon = self.horizon().await?;
        if since == Some("latest") {
            let last = data_change::Entity::find()
                .filter(data_change::Column::Txn.lt(horizon))
                .order_by_desc(data_change::Column::Txn)
                .order_by_desc(data_change::Column::Seq)
                .one(&self.db)
                .await?;
            let cursor = last.map_or(FeedCursor { txn: 0, seq: 0 }, |c| FeedCursor {
                txn: c.txn,
                seq: c.seq,
            });
            return Ok((
                SharedChanges {
                    items: Vec::new(),
                    removed: Vec::new(),
                    cursor: cursor.render(),
                    more: false,
                },
                Vec::new(),
            ));
        }
        let from = match since {
            Some(raw) => FeedCursor::parse(raw).ok_or(SharingError::Cursor)?,
            None => FeedCursor { txn: 0, seq: 0 },
        };
        let after = Condition::any()
            .add(data_change::Column::Txn.gt(from.txn))
            .add(
                Condition::all()
                    .add(data_change::Column::Txn.eq(from.txn))
                    .add(data_change::Column::Seq.gt(from.seq)),
            );
        let changes = data_change::Entity::find()
            .filter(after)
            .filter(data_change::Column::Txn.lt(horizon))
            .order_by_asc(data_change::Column::Txn)
            .order_by_asc(data_change::Column::Seq)
            .limit(limit)
            .all(&self.db)
            .await?;
        let more = changes.len() as u64 == limit;
        let cursor = changes.last().map_or(from, |c| FeedCursor {
            txn: c.txn,
            seq: c.seq,
        });
        let mut seen = HashSet::new();
        let ids: Vec<Uuid> = changes
            .iter()
            .map(|c| c.employee_id)
            .filter(|id| seen.insert(*id))
            .collect();
        let granted = self.granted_units(call).await?;
        let named = named(call);
        let (mut rows, gone): (Vec<employee::Model>, Vec<employee::Model>) =
            employee::Entity::find()
                .filter(employee::Column::Id.is_in(ids.clone()))
                .all(&self.db)
                .await?
                .into_iter()
                .partition(|e| {
                    granted.contains(&e.unit_id)
                        && named.as_ref().is_none_or(|n| n.contains(&e.nip))
                });
        // Those now outside its units that left one of them in these changes: the client saw
        // them, and is told they are gone (a change of someone it never saw says nothing).
        let left: HashSet<Uuid> = changes
            .iter()
            .filter(|c| c.left_unit_id.is_some_and(|u| granted.contains(&u)))
            .map(|c| c.employee_id)
            .collect();
        let removed: Vec<&employee::Model> = gone.iter().filter(|e| left.contains(&e.id)).collect();
        rows.sort_by_key(|e| ids.iter().position(|id| *id == e.id));
        let subjects = rows
            .iter()
            .chain(removed.iter().copied())
            .map(|e| (e.id, e.nip.clone()))
            .collect();
        let removed = removed.iter().map(|e| e.nip.clone()).collect();
        let items = self.shared(&call.scopes, rows).await?;
        Ok((
            SharedChanges {
                items,
                removed,
                cursor: cursor.render(),
                more,
            },
            subjects,
        ))
    }

    /// The transactions whose changes may be read: on PostgreSQL, those older than every
    /// transaction still running (a later one may commit under a lower sequence number); on
    /// SQLite (one writer at a time), all.
    async fn horizon(&self) -> Result<i64, SharingError> {
        if self.db.get_database_backend() != DbBackend::Postgres {
            return Ok(1);
        }
        use sea_orm::ConnectionTrait;
        let row = self
            .db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT txid_snapshot_xmin(txid_current_snapshot())::bigint",
            ))
            .await?
            .ok_or(SharingError::Internal("no snapshot".into()))?;
        Ok(row.try_get_by_index::<i64>(0)?)
    }

    /// Logs the answer (or the refusal) and hands it on: an answer that cannot be logged is
    /// not sent.
    async fn answered<T>(
        &self,
        call: &DataCall,
        outcome: Result<(T, Vec<(Uuid, String)>), SharingError>,
    ) -> Result<T, SharingError> {
        match outcome {
            Ok((answer, subjects)) => {
                let fields: Vec<&str> = call
                    .scopes
                    .iter()
                    .flat_map(|s| s.fields().iter().copied())
                    .collect();
                let mut fields = fields;
                fields.insert(0, "nip");
                fields.dedup();
                self.logged(&call.client, &call.meta, 200, &fields, &subjects)
                    .await?;
                Ok(answer)
            }
            Err(e) => {
                self.refused(Some(&call.client), &call.meta, &e).await;
                Err(e)
            }
        }
    }

    /// Whether `unit_id` is a unit granted to the client or below one: one walk up the tree.
    async fn within(&self, call: &DataCall, unit_id: Uuid) -> Result<bool, SharingError> {
        let codes: Vec<String> = clients::list(&call.client.units);
        Ok(Access::unit_chain(&self.db, unit_id)
            .await?
            .iter()
            .any(|u| codes.contains(&u.code)))
    }

    /// Every unit the client may read: those granted and everything below them.
    async fn granted_units(&self, call: &DataCall) -> Result<HashSet<Uuid>, SharingError> {
        let codes: Vec<String> = clients::list(&call.client.units);
        let roots = org_unit::Entity::find()
            .filter(org_unit::Column::Code.is_in(codes))
            .all(&self.db)
            .await?;
        let mut out = HashSet::new();
        for root in roots {
            out.extend(Access::units_below(&self.db, root.id).await?);
        }
        Ok(out)
    }

    /// The employees as the scopes let them be seen: a few queries for the whole page.
    async fn shared(
        &self,
        scopes: &[DataScope],
        rows: Vec<employee::Model>,
    ) -> Result<Vec<SharedEmployee>, SharingError> {
        let has = |s: DataScope| scopes.contains(&s);
        let ids: Vec<Uuid> = rows.iter().map(|e| e.id).collect();
        let db = &self.db;
        let unit_ids: Vec<Uuid> = rows.iter().map(|e| e.unit_id).collect();
        let post_ids: Vec<Uuid> = rows.iter().filter_map(|e| e.position_id).collect();
        // Each part the scopes open is one query for the whole page, all of them at once.
        let units = async {
            if !has(DataScope::Employees) {
                return Ok(HashMap::new());
            }
            let found = org_unit::Entity::find()
                .filter(org_unit::Column::Id.is_in(unit_ids))
                .all(db)
                .await?;
            Ok::<_, sea_orm::DbErr>(
                found
                    .into_iter()
                    .map(|u| (u.id, u))
                    .collect::<HashMap<_, _>>(),
            )
        };
        let posts = async {
            if !has(DataScope::Employees) {
                return Ok(HashMap::new());
            }
            let found = position::Entity::find()
                .filter(position::Column::Id.is_in(post_ids))
                .all(db)
                .await?;
            Ok::<_, sea_orm::DbErr>(
                found
                    .into_iter()
                    .map(|p| (p.id, p))
                    .collect::<HashMap<_, _>>(),
            )
        };
        let ranks = async {
            let mut out: HashMap<Uuid, Vec<RankEntry>> = HashMap::new();
            if has(DataScope::RankHistory) {
                for r in rank_history::Entity::find()
                    .filter(rank_history::Column::EmployeeId.is_in(ids.clone()))
                    .order_by_asc(rank_history::Column::Tmt)
                    .all(db)
                    .await?
                {
                    out.entry(r.employee_id).or_default().push(rank_entry(r));
                }
            }
            Ok::<_, sea_orm::DbErr>(out)
        };
        let positions = async {
            let mut out: HashMap<Uuid, Vec<PositionEntry>> = HashMap::new();
            if has(DataScope::PositionHistory) {
                for p in position_history::Entity::find()
                    .filter(position_history::Column::EmployeeId.is_in(ids.clone()))
                    .order_by_asc(position_history::Column::Tmt)
                    .all(db)
                    .await?
                {
                    out.entry(p.employee_id)
                        .or_default()
                        .push(position_entry(p));
                }
            }
            Ok::<_, sea_orm::DbErr>(out)
        };
        let education = async {
            let mut out: HashMap<Uuid, Vec<EducationEntry>> = HashMap::new();
            if has(DataScope::EducationHistory) {
                for x in education_history::Entity::find()
                    .filter(education_history::Column::EmployeeId.is_in(ids.clone()))
                    .order_by_asc(education_history::Column::GraduationYear)
                    .all(db)
                    .await?
                {
                    out.entry(x.employee_id)
                        .or_default()
                        .push(education_entry(x));
                }
            }
            Ok::<_, sea_orm::DbErr>(out)
        };
        let family = async {
            let mut out: HashMap<Uuid, Vec<FamilyEntry>> = HashMap::new();
            if has(DataScope::Family) {
                for f in family_member::Entity::find()
                    .filter(family_member::Column::EmployeeId.is_in(ids.clone()))
                    .order_by_asc(family_member::Column::BirthDate)
                    .all(db)
                    .await?
                {
                    out.entry(f.employee_id).or_default().push(FamilyEntry {
                        id: f.id,
                        relation: f.relation,
                        name: f.name,
                        gender: f.gender,
                        birth_date: f.birth_date,
                        // The family's NIKs need the NIK scope as well.
                        nik: f.nik.filter(|_| has(DataScope::Nik)),
                    });
                }
            }
            Ok::<_, sea_orm::DbErr>(out)
        };
        let (units, posts, mut ranks, mut positions, mut education, mut family) =
            tokio::try_join!(units, posts, ranks, positions, education, family)?;
        Ok(rows
            .into_iter()
            .map(|e| {
                let mut out = SharedEmployee {
                    nip: e.nip.clone(),
                    ..SharedEmployee::default()
                };
                if has(DataScope::Employees) {
                    let unit = units.get(&e.unit_id);
                    let post = e.position_id.and_then(|p| posts.get(&p));
                    out.name = Some(e.name.clone());
                    out.front_title = e.front_title.clone();
                    out.back_title = e.back_title.clone();
                    out.gender = Some(e.gender.clone());
                    out.employment_type = Some(e.employment_type.clone());
                    out.rank_code = e.rank_code.clone();
                    out.rank_tmt = e.rank_tmt;
                    out.education_level = Some(e.education_level.clone());
                    out.unit_code = unit.map(|u| u.code.clone());
                    out.unit_name = unit.map(|u| u.name.clone());
                    out.position_code = post.map(|p| p.code.clone());
                    out.position_title = post.map(|p| p.title.clone());
                    out.active = Some(e.active);
                }
                if has(DataScope::Birth) {
                    out.birth_place = Some(e.birth_place.clone());
                    out.birth_date = Some(e.birth_date);
                }
                if has(DataScope::Contact) {
                    out.email = e.email.clone();
                    out.phone = e.phone.clone();
                }
                if has(DataScope::Service) {
                    out.tmt_cpns = e.tmt_cpns;
                    out.tmt_pns = e.tmt_pns;
                }
                if has(DataScope::Nik) {
                    out.nik = Some(e.nik.clone());
                }
                if has(DataScope::RankHistory) {
                    out.rank_history = Some(ranks.remove(&e.id).unwrap_or_default());
                }
                if has(DataScope::PositionHistory) {
                    out.position_history = Some(positions.remove(&e.id).unwrap_or_default());
                }
                if has(DataScope::EducationHistory) {
                    out.education_history = Some(education.remove(&e.id).unwrap_or_default());
                }
                if has(DataScope::Family) {
                    out.family = Some(family.remove(&e.id).unwrap_or_default());
                }
                out
            })
            .collect())
    }
}
