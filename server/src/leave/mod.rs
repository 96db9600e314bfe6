//! Leave (cuti PNS): the rules of the seven kinds behind [`ServiceRules`], the bookings that
//! hold a request's days, and the balance as the official form shows it. The annual-leave
//! arithmetic itself is `abdi_proto::leave` (pure, shared with the device).

use std::collections::BTreeMap;

use abdi_proto::HolidayCalendar;
use abdi_proto::leave::{Booking, BookingState, LeaveKind, Ledger};
use abdi_proto::services::{LeaveBalance, Violation};
use abdi_proto::{Text, master::HolidayKind};
use async_trait::async_trait;
use chrono::{Datelike, NaiveDate};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr,
    EntityTrait, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use crate::masterdata::entity::employee;
use crate::reference::{ReferenceError, ReferenceService};
use crate::services::entity::leave_booking;
use crate::services::rules::{
    Assessment, RuleInput, ServiceRules, Settlement, add_months, add_years, period, service_start,
    text,
};

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

/// Holiday calendars by year, loaded on demand through the request's transaction.
struct Calendars<'a, C> {
    db: &'a C,
    years: BTreeMap<i32, Option<HolidayCalendar>>,
}

impl<C: ConnectionTrait> Calendars<'_, C> {
    async fn year(&mut self, year: i32) -> Result<Option<&HolidayCalendar>, DbErr> {
        if !self.years.contains_key(&year) {
            let calendar = match ReferenceService::calendar_in(self.db, year).await {
                Ok(c) => Some(c),
                Err(ReferenceError::CalendarNotFound(_)) => None,
                Err(ReferenceError::Database(e)) => return Err(e),
            };
            self.years.insert(year, calendar);
        }
        Ok(self.years.get(&year).and_then(Option::as_ref))
    }

    /// Working days from `start` to `end`; `None` when a year's calendar is missing.
    async fn working_days(
        &mut self,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Option<u32>, DbErr> {
        let mut total = 0;
        for year in start.year()..=end.year() {
            let Some(cal) = self.year(year).await? else {
                return Ok(None);
            };
            let from = start.max(NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(start));
            let to = end.min(NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(end));
            total += cal.working_days(from, to).unwrap_or(0);
        }
        Ok(Some(total))
    }

    /// The cuti bersama days from `start` to `end`.
    async fn cuti_bersama(
        &mut self,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Option<u32>, DbErr> {
        let mut total = 0;
        for year in start.year()..=end.year() {
            let Some(cal) = self.year(year).await? else {
                return Ok(None);
            };
            total += cal
                .of_kind(HolidayKind::CutiBersama)
                .filter(|d| d.date >= start && d.date <= end)
                .count() as u32;
        }
        Ok(Some(total))
    }
}

/// The employee's bookings (other than `except`), as the ledger reads them.
async fn bookings(
    txn: &impl ConnectionTrait,
    employee_id: Uuid,
    except: Option<Uuid>,
) -> Result<Vec<leave_booking::Model>, DbErr> {
    let mut q =
        leave_booking::Entity::find().filter(leave_booking::Column::EmployeeId.eq(employee_id));
    if let Some(id) = except {
        q = q.filter(leave_booking::Column::RequestId.ne(id));
    }
    q.all(txn).await
}

fn ledger_entries(rows: &[leave_booking::Model]) -> Vec<Booking> {
    rows.iter()
        .filter_map(|r| {
            Some(Booking {
                kind: LeaveKind::from_code(&r.kind)?,
                year: r.year,
                days: u32::try_from(r.days).ok()?,
                state: match r.state.as_str() {
                    "pending" => BookingState::Pending,
                    "approved" => BookingState::Approved,
                    "deferred" => BookingState::Deferred,
                    _ => return None,
                },
            })
        })
        .collect()
}

/// The first year with an annual-leave entitlement: the year the first year of service ends.
fn first_year(e: &employee::Model) -> i32 {
    service_start(e).map_or(i32::MAX, |s| add_years(s, 1).year())
}

/// The employee's annual-leave balance for `year`.
pub async fn balance(
    db: &impl ConnectionTrait,
    e: &employee::Model,
    year: i32,
) -> Result<LeaveBalance, DbErr> {
    let rows = bookings(db, e.id, None).await?;
    let entries = ledger_entries(&rows);
    Ok(Ledger {
        first_year: first_year(e),
        bookings: &entries,
    }
    .balance(year))
}

/// The kind a request is booked as: from the fourth birth, maternity leave is granted as cuti
/// besar (PP 11/2017 Pasal 327).
fn booked_kind(kind: LeaveKind, form: &abdi_proto::forms::FormValues) -> LeaveKind {
    let birth_order = form.get("birth_order").and_then(serde_json::Value::as_i64);
    match (kind, birth_order) {
        (LeaveKind::Melahirkan, Some(n)) if n >= 4 => LeaveKind::Besar,
        _ => kind,
    }
}

#[async_trait]
impl ServiceRules for LeaveRules {
    async fn assess(
        &self,
        txn: &DatabaseTransaction,
        input: &RuleInput<'_>,
    ) -> Result<Result<Assessment, Vec<Violation>>, DbErr> {
        let e = input.employee;
        let form = input.form;
        let mut problems = Vec::new();
        let Some((start, end)) = period(form, "period") else {
            problems.push(Violation::new(
                "period_missing",
                Some("period"),
                "Tanggal cuti wajib diisi.",
                "The leave period is required.",
            ));
            return Ok(Err(problems));
        };
        let kind = self.kind;
        let booked = booked_kind(kind, form);
        let calendar_days = (end - start).num_days() as u32 + 1;
        let mut calendars = Calendars {
            db: txn,
            years: BTreeMap::new(),
        };
        let working_days = calendars.working_days(start, end).await?;
        let abroad = text(form, "abroad") == Some("ya");
        let pppk = e.employment_type == "pppk";
        let started = service_start(e);
        let served = |years: u32| started.is_some_and(|s| add_years(s, years) <= start);

        if pppk
            && !matches!(
                kind,
                LeaveKind::Tahunan | LeaveKind::Sakit | LeaveKind::Melahirkan | LeaveKind::Bersama
            )
        {
            problems.push(Violation::new(
                "not_for_pppk",
                None,
                format!(
                    "{} tidak berlaku bagi PPPK (PP 49/2018 Pasal 70).",
                    kind.name().id
                ),
                format!(
                    "{} is not available to PPPK (PP 49/2018 Art. 70).",
                    kind.name().en
                ),
            ));
        }
        if abroad && (start - input.today).num_days() < ABROAD_NOTICE_DAYS {
            problems.push(Violation::new(
                "notice_abroad",
                Some("period"),
                format!("Cuti ke luar negeri diajukan paling lambat {ABROAD_NOTICE_DAYS} hari sebelumnya."),
                format!("Leave abroad must be asked for at least {ABROAD_NOTICE_DAYS} days ahead."),
            ));
        }

        if kind == LeaveKind::Melahirkan && e.gender != "female" {
            problems.push(Violation::new(
                "not_applicable",
                None,
                "Cuti melahirkan hanya untuk pegawai perempuan; suami menggunakan cuti karena alasan penting.",
                "Maternity leave is for women; a husband uses leave for important reasons.",
            ));
        }

        // Overlap with other leave (a compensation for cuti bersama is not leave).
        let others = bookings(txn, e.id, Some(input.request_id)).await?;
        if kind != LeaveKind::Bersama
            && let Some(o) = others.iter().find(|o| {
                o.kind != LeaveKind::Bersama.code()
                    && o.state != "deferred"
                    && o.start_date <= end
                    && o.end_date >= start
            })
        {
            problems.push(Violation::new(
                "overlapping_leave",
                Some("period"),
                format!(
                    "Bertumpang tindih dengan cuti lain {} s/d {}.",
                    o.start_date, o.end_date
                ),
                format!(
                    "Overlaps other leave from {} to {}.",
                    o.start_date, o.end_date
                ),
            ));
        }

        let mut charged = working_days.unwrap_or(calendar_days);
        let mut balance_before = None;
        let mut balance_after = None;
        match kind {
            LeaveKind::Tahunan => {
                let anniversary = started.map(|s| add_years(s, 1));
                if anniversary.is_none_or(|a| start < a) {
                    problems.push(Violation::new(
                        "service_too_short",
                        Some("period"),
                        format!(
                            "Cuti tahunan berhak setelah 1 tahun bekerja terus-menerus{}.",
                            anniversary
                                .map(|a| format!(" (mulai {a})"))
                                .unwrap_or_default()
                        ),
                        format!(
                            "Annual leave is due after one continuous year of service{}.",
                            anniversary
                                .map(|a| format!(" (from {a})"))
                                .unwrap_or_default()
                        ),
                    ));
                }
                if start.year() != end.year() {
                    problems.push(Violation::new(
                        "crosses_year",
                        Some("period"),
                        "Cuti tahunan dihitung per tahun: ajukan satu permohonan untuk tiap tahun.",
                        "Annual leave is counted per year: ask once for each year.",
                    ));
                }
                match working_days {
                    None => problems.push(calendar_missing(start, end)),
                    Some(0) => problems.push(Violation::new(
                        "no_working_days",
                        Some("period"),
                        "Rentang tanggal tidak memuat hari kerja.",
                        "The dates contain no working day.",
                    )),
                    Some(days) => {
                        let entries = ledger_entries(&others);
                        let before = Ledger {
                            first_year: first_year(e),
                            bookings: &entries,
                        }
                        .balance(start.year());
                        if days > before.available {
                            problems.push(Violation::new(
                                "insufficient_balance",
                                Some("period"),
                                format!(
                                    "Sisa cuti tahunan {} hari kerja; diminta {days} hari kerja.",
                                    before.available
                                ),
                                format!(
                                    "{} working days of annual leave are left; {days} were asked for.",
                                    before.available
                                ),
                            ));
                        }
                        let mut with = entries.clone();
                        with.push(Booking {
                            kind,
                            year: start.year(),
                            days,
                            state: BookingState::Pending,
                        });
                        balance_after = Some(
                            Ledger {
                                first_year: first_year(e),
                                bookings: &with,
                            }
                            .balance(start.year()),
                        );
                        balance_before = Some(before);
                    }
                }
            }
            LeaveKind::Besar | LeaveKind::Melahirkan if booked == LeaveKind::Besar => {
                let hajj = text(form, "purpose") == Some("haji_pertama");
                let waived = hajj || kind == LeaveKind::Melahirkan;
                if !waived && !served(5) {
                    problems.push(Violation::new(
                        "service_too_short",
                        Some("period"),
                        "Cuti besar berhak setelah 5 tahun bekerja terus-menerus.",
                        "Long leave is due after five continuous years of service.",
                    ));
                }
                if end >= add_months(start, 3) {
                    problems.push(too_long("3 bulan", "3 months"));
                }
                if kind == LeaveKind::Besar
                    && let Some(prev) = others.iter().find(|o| {
                        o.kind == LeaveKind::Besar.code()
                            && o.state == "approved"
                            && add_years(o.end_date, 5) > start
                    })
                {
                    problems.push(Violation::new(
                        "besar_within_five_years",
                        Some("period"),
                        format!(
                            "Cuti besar terakhir berakhir {}; hak berikutnya setelah 5 tahun.",
                            prev.end_date
                        ),
                        format!(
                            "The last long leave ended {}; the next is due five years later.",
                            prev.end_date
                        ),
                    ));
                }
                // Annual leave already taken that year is deducted (Pasal 318).
                let taken: u32 = others
                    .iter()
                    .filter(|o| {
                        o.kind == LeaveKind::Tahunan.code()
                            && o.year == start.year()
                            && o.state != "deferred"
                    })
                    .map(|o| o.days.max(0) as u32)
                    .sum();
                if taken > 0
                    && let (Some(asked), Some(full)) = (
                        working_days,
                        calendars
                            .working_days(start, add_months(start, 3) - chrono::Days::new(1))
                            .await?,
                    )
                    && asked + taken > full
                {
                    problems.push(Violation::new(
                        "exceeds_entitlement",
                        Some("period"),
                        format!("Cuti tahunan {taken} hari kerja tahun ini mengurangi cuti besar: paling banyak {} hari kerja.", full.saturating_sub(taken)),
                        format!("{taken} working days of annual leave this year are deducted: at most {} working days.", full.saturating_sub(taken)),
                    ));
                }
            }
            LeaveKind::Besar => {}
            LeaveKind::Melahirkan => {
                let earlier = others
                    .iter()
                    .filter(|o| o.kind == LeaveKind::Melahirkan.code() && o.state == "approved")
                    .count() as i64;
                let order = form
                    .get("birth_order")
                    .and_then(serde_json::Value::as_i64)
                    .unwrap_or(0);
                if order <= earlier {
                    problems.push(Violation::new(
                        "birth_order_inconsistent",
                        Some("birth_order"),
                        format!("Sudah tercatat {earlier} cuti melahirkan; kelahiran ini paling sedikit ke-{}.", earlier + 1),
                        format!("{earlier} maternity leaves are on record; this is at least birth {}.", earlier + 1),
                    ));
                }
                if end >= add_months(start, 3) {
                    problems.push(too_long("3 bulan", "3 months"));
                }
                charged = calendar_days;
            }
            LeaveKind::Sakit => {
                let has = |f: &str| {
                    form.get(f)
                        .and_then(serde_json::Value::as_array)
                        .is_some_and(|a| !a.is_empty())
                };
                if calendar_days > 1 && !has("doctor_certificate") {
                    problems.push(Violation::new(
                        "certificate_required",
                        Some("doctor_certificate"),
                        "Cuti sakit lebih dari 1 hari memerlukan surat keterangan dokter.",
                        "Sick leave of more than one day needs a doctor's certificate.",
                    ));
                }
                match text(form, "sick_kind") {
                    Some("gugur_kandungan") => {
                        if end >= add_months(start, 1) + chrono::Days::new(15) {
                            problems.push(too_long("1,5 bulan", "1.5 months"));
                        }
                    }
                    Some("kecelakaan_kerja") => {}
                    _ => {
                        let months = if has("medical_board_letter") { 18 } else { 12 };
                        if end >= add_months(start, months) {
                            problems.push(if months == 12 {
                                too_long(
                                    "1 tahun (tambahan 6 bulan dengan surat tim penguji kesehatan)",
                                    "one year (6 more months with a medical board's letter)",
                                )
                            } else {
                                too_long("1 tahun 6 bulan", "18 months")
                            });
                        }
                    }
                }
                charged = calendar_days;
            }
            LeaveKind::AlasanPenting => {
                if end >= add_months(start, 1) {
                    problems.push(too_long("1 bulan", "one month"));
                }
            }
            LeaveKind::Bersama => {
                if end > input.today {
                    problems.push(Violation::new(
                        "not_yet_worked",
                        Some("period"),
                        "Kompensasi hanya untuk hari cuti bersama yang sudah dijalani dengan tetap bekerja.",
                        "Only collective-leave days already worked can be compensated.",
                    ));
                }
                match calendars.cuti_bersama(start, end).await? {
                    None => problems.push(calendar_missing(start, end)),
                    Some(0) => problems.push(Violation::new(
                        "no_cuti_bersama_days",
                        Some("period"),
                        "Rentang tanggal tidak memuat hari cuti bersama.",
                        "The dates contain no collective-leave day.",
                    )),
                    Some(n) => charged = n,
                }
            }
            LeaveKind::Cltn => {
                if !served(5) {
                    problems.push(Violation::new(
                        "service_too_short",
                        Some("period"),
                        "CLTN dapat diberikan setelah 5 tahun bekerja terus-menerus.",
                        "Unpaid leave is possible after five continuous years of service.",
                    ));
                }
                let years = if text(form, "extension") == Some("ya") {
                    4
                } else {
                    3
                };
                if end >= add_years(start, years) {
                    problems.push(if years == 3 {
                        too_long(
                            "3 tahun (dapat diperpanjang 1 tahun)",
                            "three years (one more with an extension)",
                        )
                    } else {
                        too_long("4 tahun", "four years")
                    });
                }
                charged = calendar_days;
            }
        }
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        let summary = match (kind, working_days) {
            (LeaveKind::Bersama, _) => Text::new(
                format!("{charged} hari cuti bersama tetap bekerja, {start} s/d {end}"),
                format!("{charged} collective-leave days worked, {start} to {end}"),
            ),
            (LeaveKind::Tahunan | LeaveKind::AlasanPenting | LeaveKind::Besar, Some(w)) => {
                Text::new(
                    format!("{} {w} hari kerja, {start} s/d {end}", kind.name().id),
                    format!("{} of {w} working days, {start} to {end}", kind.name().en),
                )
            }
            _ => Text::new(
                format!("{} {calendar_days} hari, {start} s/d {end}", kind.name().id),
                format!(
                    "{} of {calendar_days} days, {start} to {end}",
                    kind.name().en
                ),
            ),
        };
        Ok(Ok(Assessment {
            detail: json!({
                "kind": kind,
                "booked_as": booked,
                "start": start,
                "end": end,
                "year": start.year(),
                "calendar_days": calendar_days,
                "working_days": working_days,
                "charged_days": charged,
                "abroad": abroad,
                "balance_before": balance_before,
                "balance_after": balance_after,
                "summary": summary,
            }),
            summary,
            acting_restricted: abroad || kind == LeaveKind::Cltn,
        }))
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
        leave_booking::Entity::delete_by_id(input.request_id)
            .exec(txn)
            .await?;
        leave_booking::ActiveModel {
            request_id: Set(input.request_id),
            employee_id: Set(input.employee.id),
            kind: Set(booked_kind(self.kind, input.form).code().to_owned()),
            start_date: Set(start),
            end_date: Set(end),
            days: Set(days),
            year: Set(start.year()),
            state: Set("pending".into()),
        }
        .insert(txn)
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
            (Settlement::Approved, _) => "approved",
            // Deferred annual leave moves to next year (Pasal 314); other kinds just lapse.
            (Settlement::Deferred, LeaveKind::Tahunan) => "deferred",
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

fn too_long(id: &str, en: &str) -> Violation {
    Violation::new(
        "too_long",
        Some("period"),
        format!("Paling lama {id}."),
        format!("At most {en}."),
    )
}

fn calendar_missing(start: NaiveDate, end: NaiveDate) -> Violation {
    Violation::new(
        "calendar_missing",
        Some("period"),
        format!("Kalender hari libur untuk {start} s/d {end} belum dimuat; hubungi administrator."),
        format!(
            "The holiday calendar for {start} to {end} is not loaded yet; contact the administrator."
        ),
    )
}
