//! Due dates come to the employee: a daily job finds who becomes due soon for a date-driven
//! service (the next periodic raise, retirement, a service anniversary for the long-service
//! medal), from each active service's `due` dates, and tells them and the fasilitators of their
//! unit, once per event (`due_notices`).

use std::time::Duration;

use abdi_proto::Text;
use abdi_proto::notifications::NotificationKind;
use abdi_proto::services::ServiceDefinition;
use chrono::{NaiveDate, NaiveTime};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    TransactionTrait,
};
use serde::Serialize;

use crate::access::Access;
use crate::clock::SharedClock;
use crate::masterdata::entity::employee;
use crate::notifications::outbox;
use crate::services::ServiceError;
use crate::services::entity::service_type;

pub mod entity {
    pub mod due_notice {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "due_notices")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub employee_id: Uuid,
            pub service_code: String,
            pub due_on: Date,
            pub told_at: DateTimeUtc,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entity::due_notice;

/// What a run found.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct DueReport {
    /// Employees looked at.
    pub employees: usize,
    /// Events told for the first time (employee, service, date).
    pub told: usize,
    /// Events that were told on an earlier run.
    pub already_told: usize,
}

/// The local time the daily run starts.
const RUN_AT: NaiveTime = NaiveTime::from_hms_opt(6, 0, 0).unwrap();

#[derive(Clone)]
pub struct Reminders {
    db: DatabaseConnection,
    clock: SharedClock,
    waker: crate::notifications::Waker,
}

impl Reminders {
    pub fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        notifications: &crate::notifications::Notifications,
    ) -> Self {
        Self {
            db,
            clock,
            waker: notifications.waker.clone(),
        }
    }

    /// Tells every employee whose date-driven event falls within its notice, and their
    /// fasilitators, of each event not told before. Safe to run again: an event is told once.
    pub async fn run(&self) -> Result<DueReport, ServiceError> {
        let today = self.clock.today();
        let now = self.clock.now();
        let services: Vec<ServiceDefinition> = service_type::Entity::find()
            .filter(service_type::Column::Active.eq(true))
            .all(&self.db)
            .await?
            .iter()
            .map(crate::services::catalogue::definition)
            .collect::<Result<_, _>>()?;
        let services: Vec<ServiceDefinition> = services
            .into_iter()
            .filter(|s| !s.spec.due.is_empty())
            .collect();
        let mut report = DueReport::default();
        if services.is_empty() {
            return Ok(report);
        }
        let people = employee::Entity::find()
            .filter(employee::Column::Active.eq(true))
            .all(&self.db)
            .await?;
        let units: std::collections::HashMap<uuid::Uuid, uuid::Uuid> =
            people.iter().map(|e| (e.id, e.unit_id)).collect();
        report.employees = people.len();
        let records = crate::masterdata::record::dates_of_many(&self.db, people).await?;
        for record in &records {
            for service in &services {
                for due in &service.spec.due {
                    let Some(on) = due.date(record) else { continue };
                    let ahead = (on - today).num_days();
                    if ahead < 0 || ahead > i64::from(due.notice_days) {
                        continue;
                    }
                    let unit = units[&record.identity.id];
                    if self
                        .tell(
                            record.identity.id,
                            unit,
                            service,
                            &due.event,
                            on,
                            (now, today),
                        )
                        .await?
                    {
                        report.told += 1;
                    } else {
                        report.already_told += 1;
                    }
                }
            }
        }
        if report.told > 0 {
            self.waker.wake();
        }
        Ok(report)
    }

    /// Records the event and tells the employee and their fasilitators, in one transaction;
    /// false when it was told before.
    async fn tell(
        &self,
        employee_id: uuid::Uuid,
        unit_id: uuid::Uuid,
        service: &ServiceDefinition,
        event: &Text,
        on: NaiveDate,
        (now, today): (chrono::DateTime<chrono::Utc>, NaiveDate),
    ) -> Result<bool, DbErr> {
        let txn = self.db.begin().await?;
        let inserted = due_notice::Entity::insert(due_notice::ActiveModel {
            employee_id: Set(employee_id),
            service_code: Set(service.code.clone()),
            due_on: Set(on),
            told_at: Set(now),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([
                due_notice::Column::EmployeeId,
                due_notice::Column::ServiceCode,
                due_notice::Column::DueOn,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        if inserted == 0 {
            txn.rollback().await?;
            return Ok(false);
        }
        let date = crate::documents::letter::tanggal(on);
        let name = &service.spec.name;
        let own = (
            Text::new(
                format!("{} jatuh pada {date}", event.id),
                format!("{} falls due on {on}", event.en),
            ),
            Text::new(
                format!("Ajukan layanan {} melalui Abdi.", name.id),
                format!("Ask for the service {} through Abdi.", name.en),
            ),
        );
        let person = employee::Entity::find_by_id(employee_id)
            .one(&txn)
            .await?
            .map(|e| format!("{} ({})", e.full_name(), e.nip))
            .unwrap_or_default();
        let desk = (
            Text::new(
                format!("{}: {person}, {date}", event.id),
                format!("{}: {person}, {on}", event.en),
            ),
            Text::new(
                format!("Pegawai di unit Anda akan memerlukan layanan {}.", name.id),
                format!(
                    "An employee of your unit will need the service {}.",
                    name.en
                ),
            ),
        );
        let mut told = vec![(employee_id, own)];
        for f in Access::fasilitators(&txn, unit_id, today).await? {
            if f != employee_id {
                told.push((f, desk.clone()));
            }
        }
        for (to, (title, body)) in told {
            outbox::emit(
                &txn,
                now,
                outbox::NewEvent {
                    employee_id: to,
                    kind: NotificationKind::DueDate,
                    title,
                    body,
                    request_id: None,
                    status: None,
                    outcome: None,
                    quiet: false,
                },
            )
            .await?;
        }
        txn.commit().await?;
        Ok(true)
    }

    /// Runs every day at 06:00 Western Indonesia Time, for as long as the server runs.
    pub fn spawn_daily(&self) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                // Western Indonesia Time, as `Clock::today`.
                let local = (this.clock.now() + chrono::Duration::hours(7)).naive_utc();
                let mut next = local.date().and_time(RUN_AT);
                if next <= local {
                    next += chrono::Duration::days(1);
                }
                let wait = (next - local).to_std().unwrap_or(Duration::from_secs(60));
                tokio::time::sleep(wait).await;
                match this.run().await {
                    Ok(r) => tracing::info!(
                        employees = r.employees,
                        told = r.told,
                        already_told = r.already_told,
                        "due dates: reminders sent"
                    ),
                    Err(e) => tracing::warn!(error = %e, "due dates: the run failed"),
                }
            }
        })
    }
}
