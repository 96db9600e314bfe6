//! The approval chain of a request, resolved from the organisation when it is submitted: each
//! step names the post that decides (whoever holds it, or acts in it, when deciding), so a
//! decider who leaves the post before acting hands the step to the post's next holder or its
//! Plt/Plh without anyone re-routing it.

use abdi_proto::services::{Approver, ChainStep, StepKind, Violation};
use sea_orm::{DbErr, EntityTrait};
use uuid::Uuid;

use crate::access::Access;
use crate::masterdata::entity::{employee, position};

/// One step as it will be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlannedStep {
    pub kind: StepKind,
    pub approver: Approver,
    pub acting_allowed: bool,
    pub position_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub pd_unit_id: Option<Uuid>,
}

/// Where the employee sits: their unit and its perangkat daerah.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placement {
    pub unit_id: Uuid,
    pub pd_unit_id: Option<Uuid>,
}

/// Resolves `template` for the employee. A step without anyone to take it (no atasan for the
/// top post) is left out; a decision nobody can take is a violation the employee is told about.
pub(crate) async fn resolve(
    db: &impl sea_orm::ConnectionTrait,
    e: &employee::Model,
    template: &[ChainStep],
    acting_restricted: bool,
) -> Result<Result<(Placement, Vec<PlannedStep>), Violation>, DbErr> {
    let units = Access::unit_chain(db, e.unit_id).await?;
    let placement = Placement {
        unit_id: e.unit_id,
        pd_unit_id: units
            .iter()
            .find(|u| u.level == "perangkat_daerah")
            .map(|u| u.id),
    };
    let own = match e.position_id {
        Some(id) => position::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let mut steps = Vec::new();
    for step in template {
        let post = match step.by {
            Approver::Fasilitator | Approver::Bkn => None,
            Approver::AtasanLangsung => match own.as_ref().and_then(|p| p.reports_to_id) {
                Some(up) => Some(Some(up)),
                // The head of the instansi reports to nobody inside it: no consideration step.
                None => continue,
            },
            Approver::Pybmc => Some(Access::pybmc_post(db, &units, e.position_id).await?),
            Approver::Ppk => Some(Access::ppk_post(db, &units, e.position_id).await?),
        };
        if post == Some(None) {
            return Ok(Err(Violation::new(
                "chain_unresolved",
                None,
                "Pejabat yang berwenang untuk unit Anda tidak dapat ditentukan dari data organisasi; hubungi fasilitator.",
                "The official authorised for your unit cannot be found in the organisation data; contact your fasilitator.",
            )));
        }
        let deciding = matches!(step.kind, StepKind::Decision | StepKind::Approval);
        steps.push(PlannedStep {
            kind: step.kind,
            approver: step.by,
            acting_allowed: step.acting_allowed && !(deciding && acting_restricted),
            position_id: post.flatten(),
            unit_id: (step.by == Approver::Fasilitator).then_some(placement.unit_id),
            pd_unit_id: (step.by == Approver::Fasilitator)
                .then_some(placement.pd_unit_id)
                .flatten(),
        });
    }
    Ok(Ok((placement, steps)))
}
