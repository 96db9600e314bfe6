//! The caller as the capabilities see it: an employee, whether their session confirmed with a
//! passkey recently, and their posts and roles today, loaded once on first use (a route that
//! only needs the employee id costs no query).

use chrono::NaiveDate;
use tokio::sync::OnceCell;
use uuid::Uuid;

use super::{Access, AccessError, Action, Capacity, Principal};

pub struct Actor {
    pub employee_id: Uuid,
    stepped_up: bool,
    today: NaiveDate,
    access: Access,
    principal: OnceCell<Principal>,
}

impl Actor {
    /// `stepped_up`: the session's passkey step-up is recent enough for a sensitive action.
    pub fn new(access: &Access, employee_id: Uuid, stepped_up: bool, today: NaiveDate) -> Self {
        Self {
            employee_id,
            stepped_up,
            today,
            access: access.clone(),
            principal: OnceCell::new(),
        }
    }

    /// The caller's posts (own, and as Plt/Plh today) and roles.
    pub async fn principal(&self) -> Result<&Principal, AccessError> {
        self.principal
            .get_or_try_init(|| self.access.principal(self.employee_id, self.today))
            .await
            .map_err(AccessError::from)
    }

    /// Whether the caller may do `action` (on `target`), and in which capacity.
    pub async fn authorize(
        &self,
        action: Action,
        target: Option<Uuid>,
    ) -> Result<Capacity, AccessError> {
        let who = self.principal().await?;
        self.access.check(who, action, target).await
    }

    /// [`Actor::authorize`], answering every capacity the caller holds towards `target`.
    pub async fn authorize_all(
        &self,
        action: Action,
        target: Option<Uuid>,
    ) -> Result<Vec<Capacity>, AccessError> {
        let who = self.principal().await?;
        self.access.check_all(who, action, target).await
    }

    /// [`Actor::authorize`], then a fresh step-up: the order every sensitive write keeps, so a
    /// caller who may not act learns only "forbidden", never that a step-up would help.
    pub async fn authorize_sensitive(
        &self,
        action: Action,
        target: Option<Uuid>,
    ) -> Result<Capacity, AccessError> {
        let capacity = self.authorize(action, target).await?;
        self.require_step_up()?;
        Ok(capacity)
    }

    /// A passkey step-up in this session, recent enough.
    pub fn require_step_up(&self) -> Result<(), AccessError> {
        if self.stepped_up {
            Ok(())
        } else {
            Err(AccessError::StepUpRequired)
        }
    }
}
