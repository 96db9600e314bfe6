//! What the web and the API call to read requests and to administer the catalogue. Each entry
//! point takes the caller and checks, here in the capability, what they may; handlers only
//! extract and answer.

use abdi_proto::eligibility::Evaluation;
use abdi_proto::services::{
    EligibilityTrial, NewService, RequestPage, RequestStatus, RequestView, ServiceChange,
    ServiceDefinition, ServiceRevision, ServiceSummary, WorkList,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::entity::attachment;
use super::views::{self, Cursor, Work};
use super::{ServiceError, Services, attachments, catalogue};
use crate::access::{Access, AccessError, Action, Actor};
use crate::masterdata::entity::employee;
use crate::store::page::Page;

impl Services {
    /// The open services; with an administrator as `including_closed`, the closed ones too.
    pub async fn catalogue(
        &self,
        including_closed: Option<&Actor>,
    ) -> Result<Vec<ServiceSummary>, ServiceError> {
        if let Some(admin) = including_closed {
            admin.authorize(Action::ManageCatalogue, None).await?;
        }
        catalogue::list(&self.db, including_closed.is_some()).await
    }

    /// A service in full: its form schema, documents, chain and SOP.
    pub async fn service(&self, code: &str) -> Result<ServiceDefinition, ServiceError> {
        Ok(catalogue::get(&self.db, code).await?.1)
    }

    /// Changes a service by decree, as its next revision (administrators, with a fresh
    /// step-up).
    pub async fn change_service(
        &self,
        actor: &Actor,
        code: &str,
        change: ServiceChange,
    ) -> Result<ServiceDefinition, ServiceError> {
        actor
            .authorize_sensitive(Action::ManageCatalogue, None)
            .await?;
        catalogue::update(&self.db, code, change, actor.employee_id, self.clock.now()).await
    }

    /// Adds a service defined as data, with its conditions and its letter (administrators,
    /// with a fresh step-up). A malformed condition is refused here, never when a request
    /// arrives.
    pub async fn create_service(
        &self,
        actor: &Actor,
        new: NewService,
    ) -> Result<ServiceDefinition, ServiceError> {
        actor
            .authorize_sensitive(Action::ManageCatalogue, None)
            .await?;
        catalogue::create(&self.db, new, actor.employee_id, self.clock.now()).await
    }

    /// Whether the caller meets a service's conditions today, ahead of the form (the
    /// conditions on the form wait for it), with every one they do not and what it saw (the
    /// phone says the same offline).
    pub async fn eligibility(&self, actor: &Actor, code: &str) -> Result<Evaluation, ServiceError> {
        let (_, def) = catalogue::get(&self.db, code).await?;
        Self::conditions(
            &self.db,
            actor.employee_id,
            &def.spec.eligibility,
            None,
            self.clock.today(),
        )
        .await
    }

    /// Conditions tried against one employee before they are saved (administrators).
    pub async fn try_eligibility(
        &self,
        actor: &Actor,
        trial: EligibilityTrial,
    ) -> Result<Evaluation, ServiceError> {
        actor.authorize(Action::ManageCatalogue, None).await?;
        let schema = trial.form_schema.unwrap_or_default();
        trial
            .eligibility
            .check(&schema)
            .map_err(ServiceError::InvalidSpec)?;
        let employee = employee::Entity::find()
            .filter(employee::Column::Nip.eq(trial.nip.trim()))
            .one(&self.db)
            .await?
            .ok_or(AccessError::EmployeeNotFound)?;
        Self::conditions(
            &self.db,
            employee.id,
            &trial.eligibility,
            Some(&trial.form),
            self.clock.today(),
        )
        .await
    }

    /// Every revision of a service, newest first (administrators).
    pub async fn service_history(
        &self,
        actor: &Actor,
        code: &str,
    ) -> Result<Vec<ServiceRevision>, ServiceError> {
        actor.authorize(Action::ManageCatalogue, None).await?;
        catalogue::history(&self.db, code).await
    }

    /// A request in full, for whoever may see it ([`views::can_view`]).
    pub async fn request(&self, actor: &Actor, id: Uuid) -> Result<RequestView, ServiceError> {
        if !views::can_view(&self.db, actor.principal().await?, id).await? {
            return Err(AccessError::Forbidden.into());
        }
        views::load(&self.db, id, None).await
    }

    /// The caller's own requests, newest first.
    pub async fn mine(
        &self,
        actor: &Actor,
        status: Option<RequestStatus>,
        page: Page<Cursor>,
    ) -> Result<RequestPage, ServiceError> {
        views::mine(&self.db, actor.employee_id, status, page).await
    }

    /// Steps waiting for the caller's posts (own, or as Plt/Plh where they may act).
    pub async fn inbox(
        &self,
        actor: &Actor,
        service: Option<&str>,
        page: Page<Cursor>,
    ) -> Result<WorkList, ServiceError> {
        let who = actor.principal().await?;
        views::work_list(&self.db, Work::Inbox(who), service, page).await
    }

    /// Verifications waiting in the caller's units as fasilitator, and every unit below them
    /// (a fasilitator appointed for a whole perangkat daerah or instansi has its queue).
    pub async fn verification_queue(
        &self,
        actor: &Actor,
        service: Option<&str>,
        page: Page<Cursor>,
    ) -> Result<WorkList, ServiceError> {
        let who = actor.principal().await?;
        let mut units = Vec::new();
        for unit in &who.fasilitator_units {
            units.extend(Access::units_below(&self.db, *unit).await?);
        }
        units.sort_unstable();
        units.dedup();
        let work = Work::Verification {
            of: actor.employee_id,
            units: &units,
        };
        views::work_list(&self.db, work, service, page).await
    }

    /// Steps nobody can take today, oldest first (administrators): a post nobody holds with
    /// no Plt/Plh in their window, or a verification in a unit with no fasilitator here or
    /// above. Each needs someone appointed.
    pub async fn stalled(
        &self,
        actor: &Actor,
        service: Option<&str>,
        page: Page<Cursor>,
    ) -> Result<WorkList, ServiceError> {
        actor.authorize(Action::ManageActing, None).await?;
        let steps = views::stalled_steps(&self.db, self.clock.today()).await?;
        views::work_list(&self.db, Work::Steps(&steps), service, page).await
    }

    /// An attachment for someone who may read it: its owner, anyone who may see the request
    /// it was sent with, and, for the evidence of a proposal to change the record (kept in the
    /// archive once verified), whoever may read the owner's record (its verifiers among them).
    pub async fn attachment(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<attachment::Model, ServiceError> {
        match attachments::readable(&self.db, actor.principal().await?, id).await {
            Err(ServiceError::Access(AccessError::Forbidden)) => {
                let a = attachments::find(&self.db, id).await?;
                if a.proposal_id.is_some() {
                    actor
                        .authorize(Action::ViewRecord, Some(a.owner_id))
                        .await?;
                    return Ok(a);
                }
                Err(AccessError::Forbidden.into())
            }
            other => other,
        }
    }
}
