//! The audit log of authentication events. Writing it never fails the request it records: a
//! failed write is logged instead.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use uuid::Uuid;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "auth_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub at: DateTimeUtc,
        pub employee_id: Option<Uuid>,
        pub subject: Option<String>,
        pub event: String,
        pub outcome: String,
        pub ip: Option<String>,
        pub user_agent: Option<String>,
        pub detail: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Where a request came from.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Origin {
    /// The client address as a rate-limit key part (`-` when unknown).
    pub fn ip_key(&self) -> &str {
        self.ip.as_deref().unwrap_or("-")
    }
}

/// One event to record.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub event: &'a str,
    pub outcome: &'a str,
    pub employee_id: Option<Uuid>,
    pub subject: Option<&'a str>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AuditLog {
    db: DatabaseConnection,
}

impl AuditLog {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub async fn record(&self, at: DateTime<Utc>, origin: &Origin, e: Event<'_>) {
        let row = entity::ActiveModel {
            at: Set(at),
            employee_id: Set(e.employee_id),
            subject: Set(e.subject.map(|s| s.chars().take(128).collect())),
            event: Set(e.event.to_owned()),
            outcome: Set(e.outcome.to_owned()),
            ip: Set(origin.ip.clone()),
            user_agent: Set(origin
                .user_agent
                .as_ref()
                .map(|u| u.chars().take(256).collect())),
            detail: Set(e.detail),
            ..Default::default()
        };
        if let Err(err) = entity::Entity::insert(row)
            .exec_without_returning(&self.db)
            .await
        {
            tracing::error!(error = %err, event = e.event, "audit log write failed");
        }
    }

    /// The newest events, of one employee or of everyone.
    pub async fn query(
        &self,
        employee_id: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<entity::Model>, sea_orm::DbErr> {
        use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
        let mut q = entity::Entity::find();
        if let Some(id) = employee_id {
            q = q.filter(entity::Column::EmployeeId.eq(id));
        }
        q.order_by_desc(entity::Column::At)
            .order_by_desc(entity::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
    }
}
