//! The service catalogue, cached for offline use, and the work on requests: the employee's
//! own list, and the fasilitator's, supervisor's and official's actions.

use abdi_proto::archive::ArchiveKind;
use abdi_proto::eligibility::{Evaluation, Facts};
use abdi_proto::forms::{FieldError, FormValues};
use abdi_proto::reference::CalendarYear;
use abdi_proto::services::{
    Decision, RequestPage, RequestSummary, RequestView, ServiceDefinition, Verification,
    VersionedAction, WorkList,
};
use chrono::NaiveDate;
use reqwest::Method;
use uuid::Uuid;

use crate::http::Call;
use crate::{Client, CoreError, ReferenceCache};

fn service_file(code: &str) -> Result<String, CoreError> {
    if code.is_empty()
        || !code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(CoreError::Api {
            code: abdi_proto::ErrorCode::ServiceNotFound,
            status: 404,
            detail: code.to_owned(),
            items: Vec::new(),
        });
    }
    Ok(format!("cache/services/{code}.json"))
}

impl Client {
    /// A service with its form schema, fetched and kept for offline use.
    pub async fn service(&self, code: &str) -> Result<ServiceDefinition, CoreError> {
        let file = service_file(code)?;
        let def: ServiceDefinition = self
            .http
            .json(Call::get(format!("/api/v1/services/{code}")))
            .await?;
        self.data.write_json(&file, &def).await?;
        Ok(def)
    }

    /// The service as last fetched, without a network.
    pub async fn cached_service(&self, code: &str) -> Result<ServiceDefinition, CoreError> {
        self.data
            .read_json(&service_file(code)?)
            .await?
            .ok_or_else(|| CoreError::NotCached(format!("form {code}")))
    }

    /// Checks a filled-in form against the cached schema, with the server's own rules, offline.
    /// An empty list means the form may be sent.
    pub async fn validate_offline(
        &self,
        service: &str,
        form: &FormValues,
        today: NaiveDate,
    ) -> Result<Vec<FieldError>, CoreError> {
        let def = self.cached_service(service).await?;
        Ok(def
            .spec
            .form
            .validate(form, today)
            .err()
            .unwrap_or_default())
    }

    /// Whether the employee meets a service's conditions, worked out offline from the cached
    /// service, record, archive and calendars: "9 of 10 years of service", as the server will
    /// say when the request arrives. Before the form is filled in (an empty form), only the
    /// conditions on the record are judged, as `GET /services/{code}/eligibility` judges them.
    pub async fn eligibility_offline(
        &self,
        service: &str,
        form: &FormValues,
        today: NaiveDate,
    ) -> Result<Evaluation, CoreError> {
        let def = self.cached_service(service).await?;
        let record = self.cached_record().await?;
        let archive: Vec<ArchiveKind> = self
            .cached_archive()
            .await?
            .iter()
            .map(|d| d.kind)
            .collect();
        let days_off = self.reference().await?.days_off();
        let facts = Facts {
            record: &record,
            archive: &archive,
            form,
            today,
            days_off: &days_off,
        };
        let eligibility = &def.spec.eligibility;
        Ok(if form.is_empty() {
            eligibility.ahead(&facts)
        } else {
            eligibility.evaluate(&facts)
        })
    }

    /// Fetches and keeps a year's holiday calendar.
    pub async fn refresh_calendar(&self, year: i32) -> Result<CalendarYear, CoreError> {
        let cal: CalendarYear = self
            .http
            .json(Call::get(format!("/api/v1/reference/holidays/{year}")))
            .await?;
        self.data
            .write_json(&format!("cache/holidays/{year}.json"), &cal)
            .await?;
        Ok(cal)
    }

    /// The calendars on the device, for counting working days offline.
    pub async fn reference(&self) -> Result<ReferenceCache, CoreError> {
        let mut cache = ReferenceCache::default();
        for name in self.data.list("cache/holidays").await? {
            if let Some(bytes) = self.data.read(&format!("cache/holidays/{name}")).await? {
                cache.store_calendar_json(&String::from_utf8_lossy(&bytes))?;
            }
        }
        Ok(cache)
    }

    /// The employee's requests, newest first (first page), kept for offline use.
    pub async fn my_requests(&self) -> Result<Vec<RequestSummary>, CoreError> {
        let page: RequestPage = self.authed(Call::get("/api/v1/requests?limit=100")).await?;
        self.data
            .write_json("cache/my-requests.json", &page.items)
            .await?;
        Ok(page.items)
    }

    /// The requests as last fetched, without a network.
    pub async fn cached_requests(&self) -> Result<Vec<RequestSummary>, CoreError> {
        Ok(self
            .data
            .read_json("cache/my-requests.json")
            .await?
            .unwrap_or_default())
    }

    pub async fn request(&self, id: Uuid) -> Result<RequestView, CoreError> {
        self.authed(Call::get(format!("/api/v1/requests/{id}")))
            .await
    }

    /// Cancels one of the employee's own requests not yet decided.
    pub async fn cancel_request(
        &self,
        id: Uuid,
        version: u32,
        note: Option<String>,
    ) -> Result<RequestView, CoreError> {
        let body = VersionedAction { version, note };
        self.authed(Call::post(format!("/api/v1/requests/{id}/cancel"), &body)?)
            .await
    }

    /// The requests waiting for this employee's decision (supervisor, official).
    pub async fn work_inbox(&self) -> Result<WorkList, CoreError> {
        self.authed(Call::get("/api/v1/inbox")).await
    }

    /// The requests waiting for this fasilitator's check.
    pub async fn verification_queue(&self) -> Result<WorkList, CoreError> {
        self.authed(Call::get("/api/v1/verification-queue")).await
    }

    /// The fasilitator's check. `version` is the one the fasilitator saw.
    pub async fn verify_request(
        &self,
        id: Uuid,
        input: &Verification,
    ) -> Result<RequestView, CoreError> {
        self.authed(Call::post(
            format!("/api/v1/requests/{id}/verification"),
            input,
        )?)
        .await
    }

    /// A decision. Without a fresh step-up the server answers `step_up_required`: run
    /// [`Client::begin_step_up`] and try again.
    pub async fn decide(&self, id: Uuid, input: &Decision) -> Result<RequestView, CoreError> {
        self.authed(Call::json(
            Method::POST,
            format!("/api/v1/requests/{id}/decision"),
            input,
        )?)
        .await
    }
}
