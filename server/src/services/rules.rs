//! The one trait a service's rules implement. The engine is service-agnostic: it validates the
//! form, resolves the chain and moves the request; what a request may ask for (balances,
//! eligibility) and what it takes (leave days) is the service's, behind [`ServiceRules`].

use std::collections::HashMap;
use std::sync::Arc;

use abdi_proto::Text;
use abdi_proto::forms::FormValues;
use abdi_proto::services::Violation;
use async_trait::async_trait;
use chrono::NaiveDate;
use sea_orm::{DatabaseTransaction, DbErr};
use serde_json::Value;
use uuid::Uuid;

use crate::masterdata::entity::employee;

/// What the rules are asked about.
pub struct RuleInput<'a> {
    pub request_id: Uuid,
    pub employee: &'a employee::Model,
    pub form: &'a FormValues,
    pub today: NaiveDate,
    /// The service's named constants (its conditions' `params`): facts kept as data.
    pub params: &'a std::collections::BTreeMap<String, f64>,
}

/// What the rules made of an acceptable request.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Shown with the request (for leave: the days and the balance).
    pub detail: Value,
    /// One line for lists.
    pub summary: Text,
    /// No Plt/Plh may decide (leave abroad, CLTN, appointments).
    pub acting_restricted: bool,
}

/// How a booking ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    Approved,
    /// Deferred by the official: annual leave moves to the next year.
    Deferred,
    /// Refused, cancelled or returned for revision: nothing is taken.
    Released,
}

#[async_trait]
pub trait ServiceRules: Send + Sync {
    /// Checks the request inside the transaction that holds the employee's lock, so two
    /// submissions at once are checked one after the other. `Ok(Err(..))` lists every rule
    /// the request breaks.
    async fn assess(
        &self,
        txn: &DatabaseTransaction,
        input: &RuleInput<'_>,
    ) -> Result<Result<Assessment, Vec<Violation>>, DbErr>;

    /// Books what the request takes, replacing an earlier booking of the same request. A
    /// service that takes nothing (a permit, a statement) books nothing.
    async fn book(
        &self,
        _txn: &DatabaseTransaction,
        _input: &RuleInput<'_>,
        _assessment: &Assessment,
    ) -> Result<(), DbErr> {
        Ok(())
    }

    /// Settles the booking after the final decision, a cancel or a return.
    async fn settle(
        &self,
        _txn: &DatabaseTransaction,
        _request_id: Uuid,
        _settlement: Settlement,
    ) -> Result<(), DbErr> {
        Ok(())
    }
}

/// The rules of every service that exists, by the name a catalogue entry gives
/// (`leave.tahunan`, `study.izin_belajar`, ...). Built by `startup` from the capabilities.
#[derive(Clone, Default)]
pub struct Registry(Arc<HashMap<String, Arc<dyn ServiceRules>>>);

impl Registry {
    /// The capabilities' rules, and [`Declarative`] for services that have only conditions.
    pub fn new(rules: impl IntoIterator<Item = (String, Arc<dyn ServiceRules>)>) -> Self {
        let declarative: Arc<dyn ServiceRules> = Arc::new(Declarative);
        Self(Arc::new(
            std::iter::once((super::catalogue::DECLARATIVE.to_owned(), declarative))
                .chain(rules)
                .collect(),
        ))
    }

    pub fn get(&self, name: &str) -> Option<Arc<dyn ServiceRules>> {
        self.0.get(name).cloned()
    }
}

/// The rules of a service defined by its declarative conditions alone (checked by the engine
/// before any rules): nothing more to check, nothing to book.
pub(crate) struct Declarative;

#[async_trait]
impl ServiceRules for Declarative {
    async fn assess(
        &self,
        _txn: &DatabaseTransaction,
        _input: &RuleInput<'_>,
    ) -> Result<Result<Assessment, Vec<Violation>>, DbErr> {
        Ok(Ok(Assessment {
            detail: Value::Object(Default::default()),
            summary: Text::new("", ""),
            acting_restricted: false,
        }))
    }
}

/// A `{"start", "end"}` value of a form (already checked by the schema).
pub(crate) fn period(form: &FormValues, field: &str) -> Option<(NaiveDate, NaiveDate)> {
    let v = form.get(field)?;
    let d = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
    };
    Some((d("start")?, d("end")?))
}

/// A choice or text value of a form.
pub(crate) fn text<'a>(form: &'a FormValues, field: &str) -> Option<&'a str> {
    form.get(field).and_then(Value::as_str)
}

pub(crate) use abdi_proto::eligibility::years_between;

/// The date `years` after `from` (29 February becomes 28 February).
pub(crate) fn add_years(from: NaiveDate, years: u32) -> NaiveDate {
    add_months(from, 12 * years)
}

/// The date `months` after `from`.
pub(crate) fn add_months(from: NaiveDate, months: u32) -> NaiveDate {
    from.checked_add_months(chrono::Months::new(months))
        .unwrap_or(from)
}

/// When the employee's continuous service began: TMT CPNS, or for PPPK 1 January of the
/// appointment year in their number.
pub(crate) fn service_start(e: &employee::Model) -> Option<NaiveDate> {
    abdi_proto::eligibility::service_start(e.tmt_cpns, &e.nip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_years_turn_on_the_anniversary() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(years_between(d(2000, 6, 15), d(2025, 6, 14)), 24);
        assert_eq!(years_between(d(2000, 6, 15), d(2025, 6, 15)), 25);
        assert_eq!(add_years(d(2024, 2, 29), 1), d(2025, 2, 28));
        assert_eq!(add_months(d(2026, 1, 31), 1), d(2026, 2, 28));
    }
}
