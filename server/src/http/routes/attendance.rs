//! `/api/v1/attendance/*`, `/api/v1/me/attendance` and `/api/v1/admin/attendance/*`: the
//! phone's enrolment, nonces and check-ins, the employee's own check-ins and days, the atasan's
//! team and review, a unit's day and monthly recap, the absence cases for fasilitators, and the
//! places and schedules administrators set; thin handlers over
//! [`crate::attendance::Attendance`].

use abdi_proto::Problem;
use abdi_proto::attendance::{
    AbsenceCase, AttendanceNonce, CaseClosing, CheckIn, CheckInResults, CheckInReview,
    CheckInUpload, DayStatus, DeviceEnrolment, EnrolledDevice, FlaggedCheckIn, NewPlace,
    NewSchedule, Place, Recap, Schedule, TeamDay,
};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::clock::jakarta_midnight;
use crate::error::ApiError;
use crate::http::auth::Caller;
use crate::http::extract::{Json, Path, Query};
use crate::state::AppState;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(enroll))
        .routes(routes!(nonce))
        .routes(routes!(check_in))
        .routes(routes!(my_places))
        .routes(routes!(my_check_ins))
        .routes(routes!(my_days))
        .routes(routes!(team_flagged))
        .routes(routes!(review_check_in))
        .routes(routes!(team_day))
        .routes(routes!(unit_day))
        .routes(routes!(unit_recap))
        .routes(routes!(unit_recap_csv))
        .routes(routes!(unit_recap_pdf))
        .routes(routes!(absence_cases))
        .routes(routes!(close_absence_case))
        .routes(routes!(list_places, add_place))
        .routes(routes!(list_schedules, add_schedule))
}

/// Enrol the caller's phone for attendance with the P-256 key it signs check-ins with. The
/// phone enrolled before it is retired.
#[utoipa::path(post, path = "/attendance/devices", tag = "attendance", security(("bearer" = [])),
    request_body = DeviceEnrolment,
    responses(
        (status = 201, description = "Enrolled", body = EnrolledDevice),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`attendance_upload_invalid`: the key or name", body = Problem, content_type = "application/problem+json"),
    ))]
async fn enroll(
    State(state): State<AppState>,
    caller: Caller,
    Json(enrolment): Json<DeviceEnrolment>,
) -> Result<(StatusCode, axum::Json<EnrolledDevice>), ApiError> {
    let device = state.attendance.enroll(&caller.actor, enrolment).await?;
    Ok((StatusCode::CREATED, axum::Json(device)))
}

/// A single-use nonce for the caller's next online check-in, with the server's time.
#[utoipa::path(post, path = "/attendance/nonce", tag = "attendance", security(("bearer" = [])),
    responses(
        (status = 200, description = "The nonce", body = AttendanceNonce),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`unavailable`, with Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
async fn nonce(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<AttendanceNonce>, ApiError> {
    Ok(axum::Json(state.attendance.nonce(&caller.actor).await?))
}

/// Check-ins and check-outs signed by the enrolled phone, online or from its offline queue:
/// each is accepted, flagged for the atasan, or refused, with its reasons and the time it
/// counts at.
#[utoipa::path(post, path = "/attendance/check-ins", tag = "attendance", security(("bearer" = [])),
    request_body = CheckInUpload,
    responses(
        (status = 200, description = "Each record's outcome, in order", body = CheckInResults),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`attendance_device_unknown`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`attendance_upload_invalid`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn check_in(
    State(state): State<AppState>,
    caller: Caller,
    Json(upload): Json<CheckInUpload>,
) -> Result<axum::Json<CheckInResults>, ApiError> {
    Ok(axum::Json(
        state.attendance.upload(&caller.actor, upload).await?,
    ))
}

/// Where the caller may check in: their unit's offices and the places assigned to them.
#[utoipa::path(get, path = "/attendance/places", tag = "attendance", security(("bearer" = [])),
    responses(
        (status = 200, description = "The places", body = Vec<Place>),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn my_places(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<Place>>, ApiError> {
    Ok(axum::Json(
        state.attendance.places_of(caller.actor.employee_id).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
struct DaysQuery {
    /// The first day (WIB), `YYYY-MM-DD`; today when not given.
    from: Option<NaiveDate>,
    /// The last day (WIB), included; `from` when not given. At most 62 days after `from`.
    to: Option<NaiveDate>,
}

/// The caller's own check-ins over some days, newest first, refused ones included with their
/// reasons.
#[utoipa::path(get, path = "/me/attendance", tag = "attendance", security(("bearer" = [])),
    params(DaysQuery),
    responses(
        (status = 200, description = "The check-ins", body = Vec<CheckIn>),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn my_check_ins(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DaysQuery>,
) -> Result<axum::Json<Vec<CheckIn>>, ApiError> {
    let (from, to) = q.days(state.clock.today())?;
    let end = jakarta_midnight(to + chrono::Duration::days(1));
    Ok(axum::Json(
        state
            .attendance
            .mine(&caller.actor, jakarta_midnight(from), end)
            .await?,
    ))
}

impl DaysQuery {
    /// The days asked for: from `from` (today) to `to` (`from`), at most 62 days apart.
    fn days(&self, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), ApiError> {
        use chrono::Datelike;
        let from = self.from.unwrap_or(today);
        let to = self.to.unwrap_or(from);
        let sane = |d: NaiveDate| (2000..=2200).contains(&d.year());
        if !sane(from) || !sane(to) || to < from || (to - from).num_days() > 62 {
            return Err(ApiError::with_detail(
                abdi_proto::ErrorCode::InvalidQuery,
                "`from` dan `to` pada tahun 2000 sampai 2200; `to` paling awal `from` dan paling lama 62 hari sesudahnya.",
                "`from` and `to` lie in 2000 to 2200; `to` is on or after `from`, and at most 62 days after it.",
            ));
        }
        Ok((from, to))
    }
}

/// What each of the caller's days came to: present, late (with the minutes), left early,
/// absent, excused by approved leave, a holiday or a weekend.
#[utoipa::path(get, path = "/me/attendance/days", tag = "attendance", security(("bearer" = [])),
    params(DaysQuery),
    responses(
        (status = 200, description = "One status per day", body = Vec<DayStatus>),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn my_days(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DaysQuery>,
) -> Result<axum::Json<Vec<DayStatus>>, ApiError> {
    let (from, to) = q.days(state.clock.today())?;
    Ok(axum::Json(
        state
            .attendance
            .days(caller.actor.employee_id, from, to)
            .await?,
    ))
}

/// The flagged check-ins of the people whose posts report to the caller's, oldest first.
#[utoipa::path(get, path = "/attendance/team/flagged", tag = "attendance", security(("bearer" = [])),
    responses(
        (status = 200, description = "Waiting for the caller's word", body = Vec<FlaggedCheckIn>),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn team_flagged(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<FlaggedCheckIn>>, ApiError> {
    Ok(axum::Json(
        state.attendance.flagged_of_team(&caller.actor).await?,
    ))
}

/// The atasan accepts a flagged check-in (it counts for the day) or rejects it with a reason
/// the employee sees.
#[utoipa::path(post, path = "/attendance/check-ins/{id}/review", tag = "attendance", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The check-in's id")),
    request_body = CheckInReview,
    responses(
        (status = 200, description = "The check-in as it now stands", body = CheckIn),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`check_in_not_found`: none, or not of the caller's team", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`check_in_not_flagged`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`attendance_upload_invalid`: a rejection without its reason", body = Problem, content_type = "application/problem+json"),
    ))]
async fn review_check_in(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<uuid::Uuid>,
    Json(body): Json<CheckInReview>,
) -> Result<axum::Json<CheckIn>, ApiError> {
    Ok(axum::Json(
        state.attendance.review(&caller.actor, id, body).await?,
    ))
}

/// Every check-in place (administrators).
#[utoipa::path(get, path = "/admin/attendance/places", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "The places", body = Vec<Place>),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_places(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<Place>>, ApiError> {
    Ok(axum::Json(
        state.attendance.all_places(&caller.actor).await?,
    ))
}

/// A check-in place for a unit (and the units below it) or for one employee: a circle or a
/// polygon, with the accuracy a fix needs. Needs a fresh step-up.
#[utoipa::path(post, path = "/admin/attendance/places", tag = "admin", security(("bearer" = [])),
    request_body = NewPlace,
    responses(
        (status = 201, description = "The place", body = Place),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`unit_not_found`, `employee_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`attendance_place_invalid`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn add_place(
    State(state): State<AppState>,
    caller: Caller,
    Json(new): Json<NewPlace>,
) -> Result<(StatusCode, axum::Json<Place>), ApiError> {
    let place = state.attendance.add_place(&caller.actor, new).await?;
    Ok((StatusCode::CREATED, axum::Json(place)))
}

#[derive(Debug, Deserialize, IntoParams)]
struct DayQuery {
    /// The day (WIB), `YYYY-MM-DD`; today when not given.
    date: Option<NaiveDate>,
}

/// The caller's team on a day (their direct reports, today by default): each one's day (in,
/// late with the minutes, left early, absent, excused, not yet) and how many of each, with
/// those who have check-ins waiting for the caller.
#[utoipa::path(get, path = "/attendance/team/day", tag = "attendance", security(("bearer" = [])),
    params(DayQuery),
    responses(
        (status = 200, description = "The team's day (empty for a caller with no team)", body = TeamDay),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn team_day(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DayQuery>,
) -> Result<axum::Json<TeamDay>, ApiError> {
    Ok(axum::Json(
        state.attendance.team_day(&caller.actor, q.date).await?,
    ))
}

/// A unit's day (the unit and every unit below it): for its fasilitators and administrators.
#[utoipa::path(get, path = "/attendance/units/{code}/day", tag = "attendance", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit's code"), DayQuery),
    responses(
        (status = 200, description = "The unit's day", body = TeamDay),
        (status = 400, description = "`invalid_query`: a unit too large for one list", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: not a fasilitator of the unit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`unit_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn unit_day(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Query(q): Query<DayQuery>,
) -> Result<axum::Json<TeamDay>, ApiError> {
    Ok(axum::Json(
        state
            .attendance
            .unit_day(&caller.actor, &code, q.date)
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
struct MonthQuery {
    /// The month, `YYYY-MM`.
    month: String,
}

/// A unit's month per employee: working days, days present, late (TL) and left early (PSW)
/// with their minutes, excused, absent without excuse: the inputs to tunjangan kinerja.
#[utoipa::path(get, path = "/attendance/units/{code}/recap", tag = "attendance", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit's code"), MonthQuery),
    responses(
        (status = 200, description = "The recap", body = Recap),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`unit_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn unit_recap(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Query(q): Query<MonthQuery>,
) -> Result<axum::Json<Recap>, ApiError> {
    Ok(axum::Json(
        state
            .attendance
            .recap(&caller.actor, &code, &q.month)
            .await?,
    ))
}

/// The same recap as CSV, for the payroll's spreadsheet.
#[utoipa::path(get, path = "/attendance/units/{code}/recap.csv", tag = "attendance", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit's code"), MonthQuery),
    responses(
        (status = 200, description = "The recap as CSV", content_type = "text/csv", body = String),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`unit_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn unit_recap_csv(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, ApiError> {
    let recap = state
        .attendance
        .recap(&caller.actor, &code, &q.month)
        .await?;
    Ok(download(
        "text/csv; charset=utf-8",
        &recap,
        "csv",
        crate::attendance::supervision::recap_csv(&recap).into_bytes(),
    ))
}

/// The same recap as a PDF, for the unit's file.
#[utoipa::path(get, path = "/attendance/units/{code}/recap.pdf", tag = "attendance", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit's code"), MonthQuery),
    responses(
        (status = 200, description = "The recap as a PDF", content((crate::http::Binary = "application/pdf"))),
        (status = 400, description = "`invalid_query`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`unit_not_found`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn unit_recap_pdf(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, ApiError> {
    let recap = state
        .attendance
        .recap(&caller.actor, &code, &q.month)
        .await?;
    let docs = &state.config.documents;
    let pdf = crate::attendance::supervision::recap_pdf(
        &recap,
        (&docs.agency, &docs.place, state.clock.today()),
    )
    .map_err(|e| ApiError::internal(&e))?;
    Ok(download("application/pdf", &recap, "pdf", pdf))
}

fn download(content_type: &'static str, recap: &Recap, ext: &str, body: Vec<u8>) -> Response {
    // The unit's code is the organisation's (letters, digits, dots and dashes); anything else
    // is left out of the file name.
    let code: String = recap
        .unit_code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"rekap-presensi-{code}-{}.{ext}\"",
                    recap.month
                ),
            ),
        ],
        body,
    )
        .into_response()
}

/// The cases unexcused absence opened (PP 94/2021 Pasal 11), for the fasilitators of the
/// employees' units and administrators: open ones first.
#[utoipa::path(get, path = "/attendance/cases", tag = "attendance", security(("bearer" = [])),
    responses(
        (status = 200, description = "The cases", body = Vec<AbsenceCase>),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`: neither fasilitator nor administrator", body = Problem, content_type = "application/problem+json"),
    ))]
async fn absence_cases(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<AbsenceCase>>, ApiError> {
    Ok(axum::Json(state.attendance.cases(&caller.actor).await?))
}

/// The fasilitator closes a case with what was done (the disciplinary case filed, or why
/// none was).
#[utoipa::path(post, path = "/attendance/cases/{id}/close", tag = "attendance", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The case's id")),
    request_body = CaseClosing,
    responses(
        (status = 200, description = "The closed case", body = AbsenceCase),
        (status = 400, description = "`invalid_query`: the note", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`attendance_case_not_found`: none, or not of the caller's units", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`attendance_case_closed`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn close_absence_case(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<uuid::Uuid>,
    Json(body): Json<CaseClosing>,
) -> Result<axum::Json<AbsenceCase>, ApiError> {
    Ok(axum::Json(
        state
            .attendance
            .close_case(&caller.actor, id, &body.note)
            .await?,
    ))
}

/// Every work schedule (administrators).
#[utoipa::path(get, path = "/admin/attendance/schedules", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "The schedules", body = Vec<Schedule>),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_schedules(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<Schedule>>, ApiError> {
    Ok(axum::Json(
        state.attendance.all_schedules(&caller.actor).await?,
    ))
}

/// A work schedule for a unit (and the units below it) or the whole agency: the hours of each
/// working weekday and whether it is worked at the office or anywhere, from a day, until a day
/// for a period's variant (Ramadan), with a flexible start. Needs a fresh step-up.
#[utoipa::path(post, path = "/admin/attendance/schedules", tag = "admin", security(("bearer" = [])),
    request_body = NewSchedule,
    responses(
        (status = 201, description = "The schedule", body = Schedule),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`, `step_up_required`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`unit_not_found`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`attendance_schedule_invalid`", body = Problem, content_type = "application/problem+json"),
    ))]
async fn add_schedule(
    State(state): State<AppState>,
    caller: Caller,
    Json(new): Json<NewSchedule>,
) -> Result<(StatusCode, axum::Json<Schedule>), ApiError> {
    let schedule = state.attendance.add_schedule(&caller.actor, new).await?;
    Ok((StatusCode::CREATED, axum::Json(schedule)))
}
