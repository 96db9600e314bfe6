//! Leave (cuti PNS): the rules of the seven kinds behind [`ServiceRules`], the bookings that
//! hold a request's days, and the balance as the official form shows it. The annual-leave
//! arithmetic itself is `abdi_proto::leave` (pure, shared with the device).
//!
//! A request is assessed in two steps: [`facts::load`] reads everything the rules need from
//! the database once, and [`assess::assess`] judges those facts without a connection (the
//! checks every kind shares, then the kind's own).

mod assess;
pub mod entity;
mod facts;

use abdi_proto::leave::{BookingState, LeaveKind, Ledger};
use abdi_proto::services::{LeaveBalance, Violation};
use async_trait::async_trait;
use chrono::Datelike;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter,
};
use uuid::Uuid;

use crate::masterdata::entity::employee;
use crate::services::rules::{
    Assessment, RuleInput, ServiceRules, Settlement, period, service_start,
};
use entity::leave_booking;

/// Leave abroad must be asked for this many days ahead (local practice; the form's own notice
/// rule covers the rest).
pub const ABROAD_NOTICE_DAYS: i64 = 30;

/// The rules of one kind of leave.
#[derive(Debug, Clone)]
pub struct LeaveRules {
    kind: LeaveKind,
}

impl LeaveRules {
    pub fn new(kind: LeaveKind) -> Self {
        Self { kind }
    }
}

/// The employee's annual-leave balance for `year`.
pub async fn balance(
    db: &impl ConnectionTrait,
    e: &employee::Model,
    year: i32,
) -> Result<LeaveBalance, DbErr> {
    let held = facts::bookings(db, e.id, None).await?;
    let entries = assess::ledger_entries(&held);
    Ok(Ledger {
        first_year: assess::first_year(service_start(e)),
        bookings: &entries,
    }
    .balance(year))
}

#[async_trait]
impl ServiceRules for LeaveRules {
    async fn assess(
        &self,
        txn: &DatabaseTransaction,
        input: &RuleInput<'_>,
    ) -> Result<Result<Assessment, Vec<Violation>>, DbErr> {
        let Some(facts) = facts::load(txn, self.kind, input).await? else {
            return Ok(Err(vec![assess::period_missing()]));
        };
        Ok(assess::assess(&facts, input.today))
    }

    async fn book(
        &self,
        txn: &DatabaseTransaction,
        input: &RuleInput<'_>,
        assessment: &Assessment,
    ) -> Result<(), DbErr> {
        let Some((start, end)) = period(input.form, "period") else {
            return Err(DbErr::Custom(
                "booking a leave request without a period".into(),
            ));
        };
        let days = assessment.detail["charged_days"].as_i64().unwrap_or(0) as i32;
        // One statement: a request booked again (sent again after a return) replaces its row.
        let booking = leave_booking::ActiveModel {
            request_id: Set(input.request_id),
            employee_id: Set(input.employee.id),
            // As the rules booked it (maternity leave from the fourth birth as cuti besar).
            kind: Set(assessment.detail["booked_as"]
                .as_str()
                .and_then(LeaveKind::from_code)
                .unwrap_or(self.kind)
                .code()
                .to_owned()),
            start_date: Set(start),
            end_date: Set(end),
            days: Set(days),
            year: Set(start.year()),
            state: Set(BookingState::Pending),
        };
        leave_booking::Entity::insert(booking)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(leave_booking::Column::RequestId)
                    .update_columns([
                        leave_booking::Column::EmployeeId,
                        leave_booking::Column::Kind,
                        leave_booking::Column::StartDate,
                        leave_booking::Column::EndDate,
                        leave_booking::Column::Days,
                        leave_booking::Column::Year,
                        leave_booking::Column::State,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await
            .map(|_| ())
    }

    async fn settle(
        &self,
        txn: &DatabaseTransaction,
        request_id: Uuid,
        settlement: Settlement,
    ) -> Result<(), DbErr> {
        let state = match (settlement, self.kind) {
            (Settlement::Approved, _) => BookingState::Approved,
            // Deferred annual leave moves to next year (Pasal 314); other kinds just lapse.
            (Settlement::Deferred, LeaveKind::Tahunan) => BookingState::Deferred,
            _ => {
                leave_booking::Entity::delete_by_id(request_id)
                    .exec(txn)
                    .await?;
                return Ok(());
            }
        };
        leave_booking::Entity::update_many()
            .col_expr(
                leave_booking::Column::State,
                sea_orm::sea_query::Expr::value(state),
            )
            .filter(leave_booking::Column::RequestId.eq(request_id))
            .exec(txn)
            .await
            .map(|_| ())
    }
}

/// The employee's annual leave for `year`, as the official form's section V shows it.
pub async fn balance_of(
    db: &sea_orm::DatabaseConnection,
    employee_id: Uuid,
    year: i32,
) -> Result<LeaveBalance, crate::services::ServiceError> {
    let employee = employee::Entity::find_by_id(employee_id)
        .one(db)
        .await?
        .ok_or(crate::services::ServiceError::Access(
            crate::access::AccessError::EmployeeNotFound,
        ))?;
    Ok(balance(db, &employee, year).await?)
}

/// The leave requests still open (their days held, not yet decided) whose period holds one
/// of `days`: what a change of the holiday calendar touches. Decided requests keep the days
/// they were decided on, so they are not among them.
pub async fn open_requests_on(
    db: &impl sea_orm::ConnectionTrait,
    days: &[chrono::NaiveDate],
) -> Result<Vec<Uuid>, sea_orm::DbErr> {
    let (Some(first), Some(last)) = (days.iter().min(), days.iter().max()) else {
        return Ok(Vec::new());
    };
    Ok(leave_booking::Entity::find()
        .filter(leave_booking::Column::State.eq(BookingState::Pending))
        .filter(leave_booking::Column::StartDate.lte(*last))
        .filter(leave_booking::Column::EndDate.gte(*first))
        .all(db)
        .await?
        .into_iter()
        .filter(|b| days.iter().any(|d| (b.start_date..=b.end_date).contains(d)))
        .map(|b| b.request_id)
        .collect())
}
