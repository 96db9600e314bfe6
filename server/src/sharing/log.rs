//! The log of every call to the data API (UU 27/2022 Pasal 31): the client, its purpose, the
//! NIPs and fields returned, the address and the time, in tables the database refuses to update
//! or delete from. A call whose answer cannot be logged is not answered.

use std::collections::HashMap;

use abdi_proto::sharing::{DataAccess, DataAccessPage, MyDataAccess, MyDataAccessPage};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement, TransactionTrait,
};
use uuid::Uuid;

use super::entity::{data_access, data_access_subject, data_client};
use super::token::CallMeta;
use super::{Sharing, SharingError, clients};
use crate::access::{Action, Actor};
use crate::store::page::{Cursor, Page};

/// At most this many calls go into one export (a year of a busy client is far less).
const EXPORT_MAX: u64 = 1_000_000;

impl Sharing {
    /// Appends one call: its row and one row per employee whose data it returned.
    pub(crate) async fn logged(
        &self,
        client: &data_client::Model,
        meta: &CallMeta,
        status: u16,
        fields: &[&str],
        subjects: &[(Uuid, String)],
    ) -> Result<(), SharingError> {
        let at = self.now();
        let method: String = meta.method.chars().take(8).collect();
        let path: String = meta.path.chars().take(2000).collect();
        let fields = serde_json::to_string(fields).unwrap_or_else(|_| "[]".into());
        if self.db.get_database_backend() == DbBackend::Postgres {
            // One statement, so one round trip and no explicit transaction, on every call.
            let subjects: Vec<serde_json::Value> = subjects
                .iter()
                .map(|(e, n)| serde_json::json!({ "e": e, "n": n }))
                .collect();
            self.db
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "WITH l AS ( \
                       INSERT INTO data_access_log \
                         (at, client_id, purpose, method, path, address, status, fields) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id) \
                     INSERT INTO data_access_subjects (log_id, employee_id, nip) \
                     SELECT l.id, (s->>'e')::uuid, s->>'n' \
                     FROM l, json_array_elements($9::json) s",
                    [
                        at.into(),
                        client.id.into(),
                        client.purpose.clone().into(),
                        method.into(),
                        path.into(),
                        meta.address.to_string().into(),
                        i32::from(status).into(),
                        fields.into(),
                        serde_json::Value::Array(subjects).to_string().into(),
                    ],
                ))
                .await?;
            return Ok(());
        }
        let txn = self.db.begin().await?;
        let row = data_access::ActiveModel {
            at: Set(at),
            client_id: Set(Some(client.id)),
            purpose: Set(client.purpose.clone()),
            method: Set(method),
            path: Set(path),
            address: Set(meta.address.to_string()),
            status: Set(i32::from(status)),
            fields: Set(fields),
            ..Default::default()
        };
        let id = data_access::Entity::insert(row)
            .exec(&txn)
            .await?
            .last_insert_id;
        for chunk in subjects.chunks(500) {
            data_access_subject::Entity::insert_many(chunk.iter().map(|(employee, nip)| {
                data_access_subject::ActiveModel {
                    log_id: Set(id),
                    employee_id: Set(*employee),
                    nip: Set(nip.clone()),
                }
            }))
            .exec_without_returning(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// The log, newest first, of one client or of everyone, or about one NIP (administrators).
    pub async fn access_log(
        &self,
        actor: &Actor,
        client: Option<Uuid>,
        nip: Option<&str>,
        page: Page<i64>,
    ) -> Result<DataAccessPage, SharingError> {
        actor.authorize(Action::ReadDataAccessLog, None).await?;
        let mut q = data_access::Entity::find();
        if let Some(c) = client {
            q = q.filter(data_access::Column::ClientId.eq(c));
        }
        if let Some(nip) = nip {
            let reads = sea_orm::sea_query::Query::select()
                .column(data_access_subject::Column::LogId)
                .from(data_access_subject::Entity)
                .and_where(data_access_subject::Column::Nip.eq(nip))
                .to_owned();
            q = q.filter(data_access::Column::Id.in_subquery(reads));
        }
        if let Some(after) = page.after {
            q = q.filter(data_access::Column::Id.lt(after));
        }
        let rows = q
            .order_by_desc(data_access::Column::Id)
            .limit(page.limit + 1)
            .all(&self.db)
            .await?;
        let more = rows.len() as u64 > page.limit;
        let rows: Vec<_> = rows.into_iter().take(page.limit as usize).collect();
        let next = more.then(|| rows.last().map(|r| r.id.render())).flatten();
        Ok(DataAccessPage {
            items: self.described(rows).await?,
            next,
        })
    }

    /// Every call of a year, oldest first, as CSV for the yearly review (administrators).
    pub async fn access_export(&self, actor: &Actor, year: i32) -> Result<String, SharingError> {
        actor.authorize(Action::ReadDataAccessLog, None).await?;
        let (Some(start), Some(end)) = (year_start(year), year_start(year + 1)) else {
            return Err(SharingError::Cursor);
        };
        let year_calls = data_access::Entity::find()
            .filter(data_access::Column::At.gte(start))
            .filter(data_access::Column::At.lt(end));
        let calls = year_calls.clone().count(&self.db).await?;
        if calls > EXPORT_MAX {
            return Err(SharingError::state(
                format!(
                    "Tahun {year} memuat {calls} panggilan, lebih dari {EXPORT_MAX} yang muat dalam satu berkas; baca log per klien lewat /api/v1/admin/data-access."
                ),
                format!(
                    "{year} holds {calls} calls, more than the {EXPORT_MAX} one file holds; read the log per client through /api/v1/admin/data-access."
                ),
            ));
        }
        let rows = year_calls
            .order_by_asc(data_access::Column::Id)
            .all(&self.db)
            .await?;
        let mut out = csv::Writer::from_writer(Vec::new());
        let header = [
            "id",
            "at",
            "client_id",
            "agency",
            "unit",
            "purpose",
            "method",
            "path",
            "address",
            "status",
            "fields",
            "nips",
        ];
        let write = |out: &mut csv::Writer<Vec<u8>>, record: &[String]| {
            out.write_record(record)
                .map_err(|e| SharingError::Internal(e.to_string()))
        };
        write(&mut out, &header.map(String::from))?;
        for chunk in rows.chunks(1000) {
            for a in self.described(chunk.to_vec()).await? {
                write(
                    &mut out,
                    &[
                        a.id.to_string(),
                        a.at.to_rfc3339(),
                        a.client_id.to_string(),
                        a.agency,
                        a.unit,
                        a.purpose,
                        a.method,
                        a.path,
                        a.address,
                        a.status.to_string(),
                        a.fields.join(" "),
                        a.nips.join(" "),
                    ],
                )?;
            }
        }
        let bytes = out
            .into_inner()
            .map_err(|e| SharingError::Internal(e.to_string()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Which systems read the employee's own data, and when, newest first.
    pub async fn my_access(
        &self,
        employee: Uuid,
        page: Page<i64>,
    ) -> Result<MyDataAccessPage, SharingError> {
        let mut q = data_access_subject::Entity::find()
            .filter(data_access_subject::Column::EmployeeId.eq(employee));
        if let Some(after) = page.after {
            q = q.filter(data_access_subject::Column::LogId.lt(after));
        }
        let subjects = q
            .order_by_desc(data_access_subject::Column::LogId)
            .limit(page.limit + 1)
            .all(&self.db)
            .await?;
        let more = subjects.len() as u64 > page.limit;
        let ids: Vec<i64> = subjects
            .iter()
            .take(page.limit as usize)
            .map(|s| s.log_id)
            .collect();
        let calls = data_access::Entity::find()
            .filter(data_access::Column::Id.is_in(ids.clone()))
            .order_by_desc(data_access::Column::Id)
            .all(&self.db)
            .await?;
        let described = self.described(calls).await?;
        let next = more.then(|| ids.last().map(|id| id.render())).flatten();
        Ok(MyDataAccessPage {
            items: described
                .into_iter()
                .map(|a| MyDataAccess {
                    id: a.id,
                    at: a.at,
                    agency: a.agency,
                    unit: a.unit,
                    purpose: a.purpose,
                    fields: a.fields,
                })
                .collect(),
            next,
        })
    }

    /// The log rows with their clients and NIPs.
    async fn described(
        &self,
        rows: Vec<data_access::Model>,
    ) -> Result<Vec<DataAccess>, SharingError> {
        let client_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.client_id).collect();
        let clients: HashMap<Uuid, data_client::Model> = data_client::Entity::find()
            .filter(data_client::Column::Id.is_in(client_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut nips: HashMap<i64, Vec<String>> = HashMap::new();
        for s in data_access_subject::Entity::find()
            .filter(data_access_subject::Column::LogId.is_in(ids))
            .order_by_asc(data_access_subject::Column::Nip)
            .all(&self.db)
            .await?
        {
            nips.entry(s.log_id).or_default().push(s.nip);
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let client = r.client_id.and_then(|c| clients.get(&c));
                DataAccess {
                    id: r.id,
                    at: r.at,
                    client_id: r.client_id.unwrap_or_default(),
                    agency: client.map(|c| c.agency.clone()).unwrap_or_default(),
                    unit: client.map(|c| c.unit.clone()).unwrap_or_default(),
                    purpose: r.purpose,
                    method: r.method,
                    path: r.path,
                    address: r.address,
                    status: u16::try_from(r.status).unwrap_or(0),
                    fields: clients::list(&r.fields),
                    nips: nips.remove(&r.id).unwrap_or_default(),
                }
            })
            .collect())
    }
}

/// The first moment of `year` as Jakarta counts it.
fn year_start(year: i32) -> Option<DateTime<Utc>> {
    NaiveDate::from_ymd_opt(year, 1, 1).map(crate::clock::jakarta_midnight)
}
