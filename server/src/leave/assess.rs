//! The rules of the seven kinds of leave, judged on [`Facts`] alone (no database): [`common`]
//! for what every kind must meet, one function per kind for the rest, and [`assess`] putting
//! them together in the order the violations are shown.

use abdi_proto::Text;
use abdi_proto::leave::{Booking, BookingState, LeaveKind, Ledger};
use abdi_proto::services::{LeaveBalance, Violation};
use chrono::{Datelike, NaiveDate};
use serde_json::json;

use super::ABROAD_NOTICE_DAYS;
use super::facts::{Facts, Held, SickCause, booked_kind};
use crate::services::rules::{Assessment, add_months, add_years};

/// What one kind's rules made of a request.
#[derive(Debug, Clone, PartialEq)]
struct Verdict {
    problems: Vec<Violation>,
    /// The days the booking takes: working days, calendar days or cuti bersama days.
    charged: u32,
    /// The annual-leave table before and after the request (annual leave only).
    balance_before: Option<LeaveBalance>,
    balance_after: Option<LeaveBalance>,
}

impl Verdict {
    fn charging(charged: u32) -> Self {
        Self {
            problems: Vec::new(),
            charged,
            balance_before: None,
            balance_after: None,
        }
    }
}

impl Facts {
    fn calendar_days(&self) -> u32 {
        (self.end - self.start).num_days() as u32 + 1
    }

    /// Working days where the calendars are loaded, else calendar days.
    fn working_or_calendar_days(&self) -> u32 {
        self.working_days.unwrap_or(self.calendar_days())
    }

    /// Whether `years` of continuous service are complete on the first day of leave.
    fn served(&self, years: u32) -> bool {
        self.employee
            .service_start
            .is_some_and(|s| add_years(s, years) <= self.start)
    }
}

/// The first year with an annual-leave entitlement: the year the first year of service ends.
pub(crate) fn first_year(service_start: Option<NaiveDate>) -> i32 {
    service_start.map_or(i32::MAX, |s| add_years(s, 1).year())
}

/// The bookings as the annual-leave ledger counts them (unknown kinds left out).
pub(crate) fn ledger_entries(held: &[Held]) -> Vec<Booking> {
    held.iter()
        .filter_map(|h| {
            Some(Booking {
                kind: h.kind?,
                year: h.year,
                days: u32::try_from(h.days).ok()?,
                state: h.state,
            })
        })
        .collect()
}

/// The violation of a form without a period (nothing else can be judged then).
pub(crate) fn period_missing() -> Violation {
    Violation::new(
        "period_missing",
        Some("period"),
        "Tanggal cuti wajib diisi.",
        "The leave period is required.",
    )
}

/// Judges a request: every rule it breaks, or what it takes.
pub(crate) fn assess(f: &Facts, today: NaiveDate) -> Result<Assessment, Vec<Violation>> {
    let booked = booked_kind(f.kind, f.birth_order);
    let mut problems = common(f, today);
    let verdict = match f.kind {
        LeaveKind::Tahunan => tahunan(f),
        LeaveKind::Besar => besar(f),
        LeaveKind::Melahirkan if booked == LeaveKind::Besar => besar(f),
        LeaveKind::Melahirkan => melahirkan(f),
        LeaveKind::Sakit => sakit(f),
        LeaveKind::AlasanPenting => alasan_penting(f),
        LeaveKind::Bersama => bersama(f, today),
        LeaveKind::Cltn => cltn(f),
    };
    problems.extend(verdict.problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let (kind, start, end) = (f.kind, f.start, f.end);
    let (charged, calendar_days) = (verdict.charged, f.calendar_days());
    let summary = match (kind, f.working_days) {
        (LeaveKind::Bersama, _) => Text::new(
            format!("{charged} hari cuti bersama tetap bekerja, {start} s/d {end}"),
            format!("{charged} collective-leave days worked, {start} to {end}"),
        ),
        (LeaveKind::Tahunan | LeaveKind::AlasanPenting | LeaveKind::Besar, Some(w)) => Text::new(
            format!("{} {w} hari kerja, {start} s/d {end}", kind.name().id),
            format!("{} of {w} working days, {start} to {end}", kind.name().en),
        ),
        _ => Text::new(
            format!("{} {calendar_days} hari, {start} s/d {end}", kind.name().id),
            format!(
                "{} of {calendar_days} days, {start} to {end}",
                kind.name().en
            ),
        ),
    };
    Ok(Assessment {
        detail: json!({
            "kind": kind,
            "booked_as": booked,
            "start": start,
            "end": end,
            "year": start.year(),
            "calendar_days": calendar_days,
            "working_days": f.working_days,
            "charged_days": charged,
            "abroad": f.answers.abroad,
            "balance_before": verdict.balance_before,
            "balance_after": verdict.balance_after,
            "summary": summary,
        }),
        summary,
        acting_restricted: f.answers.abroad || kind == LeaveKind::Cltn,
    })
}

/// What every kind must meet, in this order: the kinds PPPK may take, the notice for leave
/// abroad, maternity leave for women only, and no overlap with other leave.
pub(crate) fn common(f: &Facts, today: NaiveDate) -> Vec<Violation> {
    let mut problems = Vec::new();
    let kind = f.kind;
    if f.employee.pppk
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
    if f.answers.abroad && (f.start - today).num_days() < ABROAD_NOTICE_DAYS {
        problems.push(Violation::new(
            "notice_abroad",
            Some("period"),
            format!(
                "Cuti ke luar negeri diajukan paling lambat {ABROAD_NOTICE_DAYS} hari sebelumnya."
            ),
            format!("Leave abroad must be asked for at least {ABROAD_NOTICE_DAYS} days ahead."),
        ));
    }
    if kind == LeaveKind::Melahirkan && !f.employee.female {
        problems.push(Violation::new(
            "not_applicable",
            None,
            "Cuti melahirkan hanya untuk pegawai perempuan; suami menggunakan cuti karena alasan penting.",
            "Maternity leave is for women; a husband uses leave for important reasons.",
        ));
    }
    // Overlap with other leave (a compensation for cuti bersama is not leave).
    if kind != LeaveKind::Bersama
        && let Some(o) = f.others.iter().find(|o| {
            o.kind != Some(LeaveKind::Bersama)
                && o.state != BookingState::Deferred
                && o.start <= f.end
                && o.end >= f.start
        })
    {
        problems.push(Violation::new(
            "overlapping_leave",
            Some("period"),
            format!(
                "Bertumpang tindih dengan cuti lain {} s/d {}.",
                o.start, o.end
            ),
            format!("Overlaps other leave from {} to {}.", o.start, o.end),
        ));
    }
    problems
}

/// Cuti tahunan: after a year of service, within one year, within the ledger's balance.
fn tahunan(f: &Facts) -> Verdict {
    let mut v = Verdict::charging(f.working_or_calendar_days());
    let (start, end) = (f.start, f.end);
    let anniversary = f.employee.service_start.map(|s| add_years(s, 1));
    if anniversary.is_none_or(|a| start < a) {
        v.problems.push(Violation::new(
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
    let besar_this_year = f.others.iter().any(|o| {
        o.kind == Some(LeaveKind::Besar)
            && o.year == start.year()
            && matches!(o.state, BookingState::Pending | BookingState::Approved)
    });
    if besar_this_year {
        v.problems.push(Violation::new(
            "cuti_besar_this_year",
            Some("period"),
            format!(
                "Tahun {} Anda menjalani cuti besar: tidak ada cuti tahunan pada tahun itu (PP 11/2017).",
                start.year()
            ),
            format!(
                "You take long leave in {}: there is no annual leave in that year (PP 11/2017).",
                start.year()
            ),
        ));
    }
    if start.year() != end.year() {
        v.problems.push(Violation::new(
            "crosses_year",
            Some("period"),
            "Cuti tahunan dihitung per tahun: ajukan satu permohonan untuk tiap tahun.",
            "Annual leave is counted per year: ask once for each year.",
        ));
    }
    match f.working_days {
        None => v.problems.push(calendar_missing(start, end)),
        Some(0) => v.problems.push(Violation::new(
            "no_working_days",
            Some("period"),
            "Rentang tanggal tidak memuat hari kerja.",
            "The dates contain no working day.",
        )),
        Some(days) => {
            let first_year = first_year(f.employee.service_start);
            let entries = ledger_entries(&f.others);
            let before = Ledger {
                first_year,
                bookings: &entries,
            }
            .balance(start.year());
            // In a year with cuti besar the rule above says why; the emptied balance does not.
            if days > before.available && !besar_this_year {
                v.problems.push(Violation::new(
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
                kind: f.kind,
                year: start.year(),
                days,
                state: BookingState::Pending,
            });
            v.balance_after = Some(
                Ledger {
                    first_year,
                    bookings: &with,
                }
                .balance(start.year()),
            );
            v.balance_before = Some(before);
        }
    }
    v
}

/// Cuti besar, and maternity leave from the fourth birth: after five years of service (waived
/// for a first hajj and for a birth), at most three months, five years after the last, less
/// the annual leave taken that year.
fn besar(f: &Facts) -> Verdict {
    let mut v = Verdict::charging(f.working_or_calendar_days());
    let (start, end) = (f.start, f.end);
    let waived = f.answers.first_hajj || f.kind == LeaveKind::Melahirkan;
    if !waived && !f.served(5) {
        v.problems.push(Violation::new(
            "service_too_short",
            Some("period"),
            "Cuti besar berhak setelah 5 tahun bekerja terus-menerus.",
            "Long leave is due after five continuous years of service.",
        ));
    }
    if end >= add_months(start, 3) {
        v.problems.push(too_long("3 bulan", "3 months"));
    }
    if f.kind == LeaveKind::Besar
        && let Some(prev) = f.others.iter().find(|o| {
            o.kind == Some(LeaveKind::Besar)
                && o.state == BookingState::Approved
                && add_years(o.end, 5) > start
        })
    {
        v.problems.push(Violation::new(
            "besar_within_five_years",
            Some("period"),
            format!(
                "Cuti besar terakhir berakhir {}; hak berikutnya setelah 5 tahun.",
                prev.end
            ),
            format!(
                "The last long leave ended {}; the next is due five years later.",
                prev.end
            ),
        ));
    }
    // Annual leave already taken that year is deducted (Pasal 318).
    let taken: u32 = f
        .others
        .iter()
        .filter(|o| {
            o.kind == Some(LeaveKind::Tahunan)
                && o.year == start.year()
                && o.state != BookingState::Deferred
        })
        .map(|o| o.days.max(0) as u32)
        .sum();
    if taken > 0
        && let (Some(asked), Some(full)) = (f.working_days, f.besar_full_days)
        && asked + taken > full
    {
        v.problems.push(Violation::new(
            "exceeds_entitlement",
            Some("period"),
            format!(
                "Cuti tahunan {taken} hari kerja tahun ini mengurangi cuti besar: paling banyak {} hari kerja.",
                full.saturating_sub(taken)
            ),
            format!(
                "{taken} working days of annual leave this year are deducted: at most {} working days.",
                full.saturating_sub(taken)
            ),
        ));
    }
    v
}

/// Cuti melahirkan for births 1 to 3: the birth follows those on record, at most three
/// months, counted in calendar days.
fn melahirkan(f: &Facts) -> Verdict {
    let mut v = Verdict::charging(f.calendar_days());
    let earlier = f
        .others
        .iter()
        .filter(|o| o.kind == Some(LeaveKind::Melahirkan) && o.state == BookingState::Approved)
        .count() as i64;
    let order = f.birth_order.unwrap_or(1);
    if order <= earlier {
        // More maternity leaves than births on record: a child is missing from the record.
        v.problems.push(Violation::new(
            "birth_not_in_record",
            None,
            format!(
                "Tercatat {earlier} cuti melahirkan, tetapi data keluarga Anda baru memuat {} anak yang lahir selama menjadi ASN. Usulkan data anak yang belum tercatat, dengan akta kelahirannya, melalui pemutakhiran data.",
                order - 1
            ),
            format!(
                "{earlier} maternity leaves are on record, but your family record shows only {} children born while an ASN. Propose the missing child, with the birth certificate, through a data update.",
                order - 1
            ),
        ));
    }
    if f.end >= add_months(f.start, 3) {
        v.problems.push(too_long("3 bulan", "3 months"));
    }
    v
}

/// Cuti sakit: a doctor's certificate from the second day; at most 1.5 months after a
/// miscarriage, no limit after a work accident, else a year (18 months with the medical
/// board's letter); counted in calendar days.
fn sakit(f: &Facts) -> Verdict {
    let calendar_days = f.calendar_days();
    let mut v = Verdict::charging(calendar_days);
    let (start, end) = (f.start, f.end);
    if calendar_days > 1 && !f.answers.doctor_certificate {
        v.problems.push(Violation::new(
            "certificate_required",
            Some("doctor_certificate"),
            "Cuti sakit lebih dari 1 hari memerlukan surat keterangan dokter.",
            "Sick leave of more than one day needs a doctor's certificate.",
        ));
    }
    match f.answers.sick_cause {
        SickCause::Miscarriage => {
            if end >= add_months(start, 1) + chrono::Days::new(15) {
                v.problems.push(too_long("1,5 bulan", "1.5 months"));
            }
        }
        SickCause::WorkAccident => {}
        SickCause::Illness => {
            let months = if f.answers.medical_board_letter {
                18
            } else {
                12
            };
            if end >= add_months(start, months) {
                v.problems.push(if months == 12 {
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
    v
}

/// Cuti karena alasan penting: under a month.
fn alasan_penting(f: &Facts) -> Verdict {
    let mut v = Verdict::charging(f.working_or_calendar_days());
    if f.end >= add_months(f.start, 1) {
        v.problems.push(too_long("1 bulan", "one month"));
    }
    v
}

/// Compensation for cuti bersama worked through: only days already past, and only cuti
/// bersama days, which are what it is charged.
fn bersama(f: &Facts, today: NaiveDate) -> Verdict {
    let mut v = Verdict::charging(f.working_or_calendar_days());
    if f.end > today {
        v.problems.push(Violation::new(
            "not_yet_worked",
            Some("period"),
            "Kompensasi hanya untuk hari cuti bersama yang sudah dijalani dengan tetap bekerja.",
            "Only collective-leave days already worked can be compensated.",
        ));
    }
    match f.cuti_bersama_days {
        None => v.problems.push(calendar_missing(f.start, f.end)),
        Some(0) => v.problems.push(Violation::new(
            "no_cuti_bersama_days",
            Some("period"),
            "Rentang tanggal tidak memuat hari cuti bersama.",
            "The dates contain no collective-leave day.",
        )),
        Some(n) => v.charged = n,
    }
    v
}

/// Cuti di luar tanggungan negara: after five years of service, at most three years (four
/// with an extension), counted in calendar days.
fn cltn(f: &Facts) -> Verdict {
    let mut v = Verdict::charging(f.calendar_days());
    if !f.served(5) {
        v.problems.push(Violation::new(
            "service_too_short",
            Some("period"),
            "CLTN dapat diberikan setelah 5 tahun bekerja terus-menerus.",
            "Unpaid leave is possible after five continuous years of service.",
        ));
    }
    let years = if f.answers.extension { 4 } else { 3 };
    if f.end >= add_years(f.start, years) {
        v.problems.push(if years == 3 {
            too_long(
                "3 tahun (dapat diperpanjang 1 tahun)",
                "three years (one more with an extension)",
            )
        } else {
            too_long("4 tahun", "four years")
        });
    }
    v
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

#[cfg(test)]
mod tests {
    use abdi_proto::leave::LeaveKind::*;
    use chrono::{Days, TimeZone, Utc};

    use super::*;
    use crate::clock::{Clock, ManualClock};
    use crate::leave::facts::{Answers, Employee};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Monday 2026-06-01 in Western Indonesia: the clock says 20:00 UTC the day before.
    fn today() -> NaiveDate {
        let today = ManualClock::at(Utc.with_ymd_and_hms(2026, 5, 31, 20, 0, 0).unwrap()).today();
        assert_eq!(today, d(2026, 6, 1));
        today
    }

    /// Mondays to Fridays from `start` to `end` (the tests' calendars have no holidays).
    fn weekdays(start: NaiveDate, end: NaiveDate) -> u32 {
        start
            .iter_days()
            .take_while(|x| *x <= end)
            .filter(|x| x.weekday().number_from_monday() <= 5)
            .count() as u32
    }

    /// A PNS woman in service since 2010 asks for `kind`; she holds no other booking.
    fn request(kind: LeaveKind, start: NaiveDate, end: NaiveDate) -> Facts {
        Facts {
            kind,
            start,
            end,
            answers: Answers::default(),
            employee: Employee {
                pppk: false,
                female: true,
                service_start: Some(d(2010, 1, 4)),
            },
            working_days: Some(weekdays(start, end)),
            besar_full_days: Some(weekdays(start, add_months(start, 3) - Days::new(1))),
            cuti_bersama_days: Some(0),
            others: Vec::new(),
            birth_order: None,
        }
    }

    fn held(kind: LeaveKind, start: NaiveDate, end: NaiveDate, state: BookingState) -> Held {
        Held {
            kind: Some(kind),
            start,
            end,
            year: start.year(),
            days: weekdays(start, end) as i32,
            state,
        }
    }

    fn codes(v: &[Violation]) -> Vec<&str> {
        v.iter().map(|v| v.code.as_str()).collect()
    }

    /// The codes `assess` refuses `f` with; empty when it is accepted.
    fn refused(f: &Facts) -> Vec<String> {
        match assess(f, today()) {
            Ok(_) => Vec::new(),
            Err(v) => v.into_iter().map(|v| v.code).collect(),
        }
    }

    // Common checks.

    #[test]
    fn pppk_may_take_only_annual_sick_maternity_and_collective_leave() {
        for kind in LeaveKind::ALL {
            let mut f = request(kind, d(2026, 7, 6), d(2026, 7, 10));
            assert!(codes(&common(&f, today())).is_empty(), "PNS, {kind:?}");
            f.employee.pppk = true;
            let refused = codes(&common(&f, today())) == ["not_for_pppk"];
            assert_eq!(
                refused,
                matches!(kind, Besar | AlasanPenting | Cltn),
                "PPPK, {kind:?}"
            );
        }
        let mut f = request(Besar, d(2026, 7, 6), d(2026, 7, 10));
        f.employee.pppk = true;
        let v = common(&f, today());
        assert_eq!(v[0].field, None);
        assert_eq!(
            v[0].message.id,
            "Cuti Besar tidak berlaku bagi PPPK (PP 49/2018 Pasal 70)."
        );
    }

    #[test]
    fn leave_abroad_needs_thirty_days_notice() {
        let mut f = request(AlasanPenting, d(2026, 7, 1), d(2026, 7, 3));
        f.answers.abroad = true;
        // 30 days ahead of 2026-06-01: just in time.
        assert!(common(&f, today()).is_empty());
        f.start = d(2026, 6, 30);
        let v = common(&f, today());
        assert_eq!(codes(&v), ["notice_abroad"]);
        assert_eq!(v[0].field.as_deref(), Some("period"));
        assert_eq!(
            v[0].message.en,
            "Leave abroad must be asked for at least 30 days ahead."
        );
        // At home the same dates need no such notice.
        f.answers.abroad = false;
        assert!(common(&f, today()).is_empty());
    }

    #[test]
    fn maternity_leave_is_refused_to_a_man() {
        let mut f = request(Melahirkan, d(2026, 7, 6), d(2026, 10, 5));
        f.birth_order = Some(1);
        assert!(common(&f, today()).is_empty());
        f.employee.female = false;
        assert_eq!(codes(&common(&f, today())), ["not_applicable"]);
        // Also from the fourth birth, when it is granted as cuti besar.
        f.birth_order = Some(4);
        assert_eq!(refused(&f), ["not_applicable"]);
        // Leave for important reasons is his.
        let mut f = request(AlasanPenting, d(2026, 7, 6), d(2026, 7, 10));
        f.employee.female = false;
        assert!(common(&f, today()).is_empty());
    }

    #[test]
    fn leave_overlapping_other_leave_is_refused() {
        let other = |state| held(Tahunan, d(2026, 7, 6), d(2026, 7, 10), state);
        let mut f = request(AlasanPenting, d(2026, 7, 10), d(2026, 7, 14));
        f.others = vec![other(BookingState::Pending)];
        let v = common(&f, today());
        assert_eq!(codes(&v), ["overlapping_leave"]);
        assert_eq!(
            v[0].message.id,
            "Bertumpang tindih dengan cuti lain 2026-07-06 s/d 2026-07-10."
        );
        f.others = vec![other(BookingState::Approved)];
        assert_eq!(codes(&common(&f, today())), ["overlapping_leave"]);
        // Touching the other's first day from before overlaps too.
        f.start = d(2026, 7, 1);
        f.end = d(2026, 7, 6);
        assert_eq!(codes(&common(&f, today())), ["overlapping_leave"]);
        // The day after it does not.
        f.start = d(2026, 7, 11);
        f.end = d(2026, 7, 14);
        assert!(common(&f, today()).is_empty());
        // Deferred leave holds no days; a compensation for cuti bersama is not leave.
        f.start = d(2026, 7, 8);
        f.others = vec![other(BookingState::Deferred)];
        assert!(common(&f, today()).is_empty());
        f.others = vec![held(
            Bersama,
            d(2026, 7, 6),
            d(2026, 7, 10),
            BookingState::Approved,
        )];
        assert!(common(&f, today()).is_empty());
        // Nor is a compensation checked against leave.
        let mut f = request(Bersama, d(2026, 7, 6), d(2026, 7, 10));
        f.others = vec![other(BookingState::Approved)];
        assert!(common(&f, today()).is_empty());
    }

    #[test]
    fn violations_come_common_first_then_the_kinds_own() {
        let mut f = request(Cltn, d(2026, 6, 15), d(2026, 12, 31));
        f.employee.pppk = true;
        f.employee.service_start = Some(d(2024, 1, 1));
        f.answers.abroad = true;
        f.others = vec![held(
            Tahunan,
            d(2026, 6, 15),
            d(2026, 6, 19),
            BookingState::Pending,
        )];
        assert_eq!(
            refused(&f),
            [
                "not_for_pppk",
                "notice_abroad",
                "overlapping_leave",
                "service_too_short"
            ]
        );
    }

    // Annual leave.

    #[test]
    fn annual_leave_is_due_after_one_year_of_service() {
        let mut f = request(Tahunan, d(2026, 7, 3), d(2026, 7, 3));
        f.employee.service_start = Some(d(2025, 7, 6));
        let v = tahunan(&f).problems;
        assert_eq!(codes(&v), ["service_too_short"]);
        assert_eq!(
            v[0].message.id,
            "Cuti tahunan berhak setelah 1 tahun bekerja terus-menerus (mulai 2026-07-06)."
        );
        f.start = d(2026, 7, 6);
        f.end = d(2026, 7, 6);
        f.working_days = Some(1);
        assert!(tahunan(&f).problems.is_empty());
        // Without a known start of service it is never due.
        f.employee.service_start = None;
        let v = tahunan(&f).problems;
        assert_eq!(codes(&v), ["service_too_short", "insufficient_balance"]);
        assert_eq!(
            v[0].message.en,
            "Annual leave is due after one continuous year of service."
        );
    }

    #[test]
    fn annual_leave_over_the_balance_is_refused() {
        // First year of entitlement 2026: exactly 12 working days.
        let mut f = request(Tahunan, d(2026, 7, 1), d(2026, 7, 16));
        f.employee.service_start = Some(d(2025, 1, 5));
        f.working_days = Some(12);
        let v = tahunan(&f);
        assert!(v.problems.is_empty());
        assert_eq!(v.charged, 12);
        assert_eq!(v.balance_before.as_ref().map(|b| b.available), Some(12));
        let after = v.balance_after.unwrap();
        assert_eq!((after.available, after.pending), (0, 12));

        f.working_days = Some(13);
        let v = tahunan(&f).problems;
        assert_eq!(codes(&v), ["insufficient_balance"]);
        assert_eq!(
            v[0].message.id,
            "Sisa cuti tahunan 12 hari kerja; diminta 13 hari kerja."
        );

        // Five days still pending that year leave seven.
        f.others = vec![held(
            Tahunan,
            d(2026, 2, 2),
            d(2026, 2, 6),
            BookingState::Pending,
        )];
        f.working_days = Some(7);
        assert!(tahunan(&f).problems.is_empty());
        f.working_days = Some(8);
        assert_eq!(codes(&tahunan(&f).problems), ["insufficient_balance"]);
    }

    #[test]
    fn annual_leave_is_asked_for_one_year_at_a_time() {
        let f = request(Tahunan, d(2026, 12, 30), d(2027, 1, 4));
        assert_eq!(codes(&tahunan(&f).problems), ["crosses_year"]);
        let f = request(Tahunan, d(2026, 12, 28), d(2026, 12, 31));
        assert!(tahunan(&f).problems.is_empty());
    }

    #[test]
    fn annual_leave_needs_the_holiday_calendar_and_a_working_day() {
        let mut f = request(Tahunan, d(2026, 7, 11), d(2026, 7, 12));
        f.working_days = None;
        let v = tahunan(&f).problems;
        assert_eq!(codes(&v), ["calendar_missing"]);
        assert_eq!(
            v[0].message.id,
            "Kalender hari libur untuk 2026-07-11 s/d 2026-07-12 belum dimuat; hubungi administrator."
        );
        f.working_days = Some(0);
        assert_eq!(codes(&tahunan(&f).problems), ["no_working_days"]);
        f.working_days = Some(1);
        assert!(tahunan(&f).problems.is_empty());
    }

    // Long leave.

    #[test]
    fn long_leave_needs_five_years_of_service_except_for_a_first_hajj() {
        let mut f = request(Besar, d(2026, 7, 3), d(2026, 7, 31));
        f.employee.service_start = Some(d(2021, 7, 6));
        assert_eq!(codes(&besar(&f).problems), ["service_too_short"]);
        f.answers.first_hajj = true;
        assert!(besar(&f).problems.is_empty());
        f.answers.first_hajj = false;
        f.start = d(2026, 7, 6);
        assert!(besar(&f).problems.is_empty());
        f.employee.service_start = None;
        assert_eq!(codes(&besar(&f).problems), ["service_too_short"]);
    }

    #[test]
    fn long_leave_is_at_most_three_months() {
        let mut f = request(Besar, d(2026, 7, 6), d(2026, 10, 5));
        assert!(besar(&f).problems.is_empty());
        f.end = d(2026, 10, 6);
        let v = besar(&f).problems;
        assert_eq!(codes(&v), ["too_long"]);
        assert_eq!(v[0].message.id, "Paling lama 3 bulan.");
    }

    #[test]
    fn long_leave_again_only_five_years_after_the_last() {
        let last = |state| held(Besar, d(2021, 4, 6), d(2021, 7, 5), state);
        let mut f = request(Besar, d(2026, 7, 4), d(2026, 7, 31));
        f.others = vec![last(BookingState::Approved)];
        let v = besar(&f).problems;
        assert_eq!(codes(&v), ["besar_within_five_years"]);
        assert_eq!(
            v[0].message.en,
            "The last long leave ended 2021-07-05; the next is due five years later."
        );
        // Five years to the day after it ended.
        f.start = d(2026, 7, 5);
        assert!(besar(&f).problems.is_empty());
        // Only an approved one counts.
        f.start = d(2026, 7, 4);
        f.others = vec![last(BookingState::Pending)];
        assert!(besar(&f).problems.is_empty());
    }

    #[test]
    fn annual_leave_taken_that_year_is_deducted_from_long_leave() {
        let mut f = request(Besar, d(2026, 7, 6), d(2026, 9, 30));
        f.besar_full_days = Some(64);
        f.others = vec![held(
            Tahunan,
            d(2026, 2, 2),
            d(2026, 2, 6),
            BookingState::Approved,
        )];
        f.working_days = Some(59);
        assert!(besar(&f).problems.is_empty());
        f.working_days = Some(60);
        let v = besar(&f).problems;
        assert_eq!(codes(&v), ["exceeds_entitlement"]);
        assert_eq!(
            v[0].message.id,
            "Cuti tahunan 5 hari kerja tahun ini mengurangi cuti besar: paling banyak 59 hari kerja."
        );
        // Deferred days were not taken; last year's leave is not this year's.
        f.others[0].state = BookingState::Deferred;
        assert!(besar(&f).problems.is_empty());
        f.others[0].state = BookingState::Approved;
        f.others[0].year = 2025;
        assert!(besar(&f).problems.is_empty());
    }

    #[test]
    fn no_annual_leave_in_a_year_with_long_leave() {
        let mut f = request(Tahunan, d(2026, 11, 2), d(2026, 11, 3));
        assert!(tahunan(&f).problems.is_empty());
        f.others = vec![held(
            Besar,
            d(2026, 2, 2),
            d(2026, 4, 30),
            BookingState::Approved,
        )];
        let v = tahunan(&f).problems;
        assert_eq!(
            codes(&v),
            ["cuti_besar_this_year"],
            "its own code, not the balance's"
        );
        assert!(v[0].message.id.contains("Tahun 2026"), "{v:?}");
        // A long leave deferred to another year, or taken in another, does not bar it.
        f.others[0].state = BookingState::Deferred;
        assert!(tahunan(&f).problems.is_empty());
        f.others = vec![held(
            Besar,
            d(2025, 2, 3),
            d(2025, 4, 30),
            BookingState::Approved,
        )];
        assert!(tahunan(&f).problems.is_empty());
    }

    // Maternity leave.

    #[test]
    fn maternity_leave_birth_order_follows_the_births_on_record() {
        let birth = |state| held(Melahirkan, d(2020, 1, 6), d(2020, 4, 5), state);
        let mut f = request(Melahirkan, d(2026, 7, 6), d(2026, 10, 5));
        // No child on record: the first birth.
        f.birth_order = Some(1);
        assert!(melahirkan(&f).problems.is_empty());
        // Two maternity leaves granted, one child on record: a child is missing from it.
        f.others = vec![
            birth(BookingState::Approved),
            birth(BookingState::Approved),
            birth(BookingState::Pending),
        ];
        f.birth_order = Some(2);
        let v = melahirkan(&f).problems;
        assert_eq!(codes(&v), ["birth_not_in_record"]);
        assert!(v[0].message.id.contains("baru memuat 1 anak"), "{v:?}");
        f.birth_order = Some(3);
        assert!(melahirkan(&f).problems.is_empty());
    }

    #[test]
    fn maternity_leave_is_three_months_counted_in_calendar_days() {
        let mut f = request(Melahirkan, d(2026, 7, 6), d(2026, 10, 5));
        f.birth_order = Some(1);
        let v = melahirkan(&f);
        assert!(v.problems.is_empty());
        assert_eq!(v.charged, 92);
        f.end = d(2026, 10, 6);
        assert_eq!(codes(&melahirkan(&f).problems), ["too_long"]);
    }

    #[test]
    fn maternity_leave_from_the_fourth_birth_is_granted_as_long_leave() {
        let mut f = request(Melahirkan, d(2026, 7, 6), d(2026, 10, 5));
        f.employee.service_start = Some(d(2024, 1, 2));
        f.birth_order = Some(4);
        // Under five years of service, and no earlier births on record: both waived.
        let a = assess(&f, today()).unwrap();
        assert_eq!(a.detail["kind"], "melahirkan");
        assert_eq!(a.detail["booked_as"], "besar");
        assert_eq!(a.detail["charged_days"], 66);
        assert_eq!(a.detail["calendar_days"], 92);
        assert_eq!(
            a.summary.id,
            "Cuti Melahirkan 92 hari, 2026-07-06 s/d 2026-10-05"
        );
        f.end = d(2026, 10, 6);
        assert_eq!(refused(&f), ["too_long"]);
        // The third birth stays maternity leave.
        f.birth_order = Some(3);
        assert_eq!(booked_kind(Melahirkan, Some(3)), Melahirkan);
        assert_eq!(refused(&f), ["too_long"]);
        f.end = d(2026, 10, 5);
        assert_eq!(assess(&f, today()).unwrap().detail["charged_days"], 92);
    }

    // Sick leave.

    #[test]
    fn sick_leave_over_one_day_needs_a_doctors_certificate() {
        let mut f = request(Sakit, d(2026, 7, 6), d(2026, 7, 6));
        assert!(sakit(&f).problems.is_empty());
        f.end = d(2026, 7, 7);
        let v = sakit(&f).problems;
        assert_eq!(codes(&v), ["certificate_required"]);
        assert_eq!(v[0].field.as_deref(), Some("doctor_certificate"));
        f.answers.doctor_certificate = true;
        assert!(sakit(&f).problems.is_empty());
    }

    #[test]
    fn sick_leave_is_at_most_a_year_or_eighteen_months_with_the_medical_board() {
        let mut f = request(Sakit, d(2026, 1, 12), d(2027, 1, 11));
        f.answers.doctor_certificate = true;
        let v = sakit(&f);
        assert!(v.problems.is_empty());
        assert_eq!(v.charged, 365);
        f.end = d(2027, 1, 12);
        let v = sakit(&f).problems;
        assert_eq!(codes(&v), ["too_long"]);
        assert_eq!(
            v[0].message.id,
            "Paling lama 1 tahun (tambahan 6 bulan dengan surat tim penguji kesehatan)."
        );
        f.answers.medical_board_letter = true;
        assert!(sakit(&f).problems.is_empty());
        f.end = d(2027, 7, 11);
        assert!(sakit(&f).problems.is_empty());
        f.end = d(2027, 7, 12);
        let v = sakit(&f).problems;
        assert_eq!(codes(&v), ["too_long"]);
        assert_eq!(v[0].message.id, "Paling lama 1 tahun 6 bulan.");
    }

    #[test]
    fn sick_leave_after_a_miscarriage_is_at_most_a_month_and_a_half() {
        let mut f = request(Sakit, d(2026, 1, 12), d(2026, 2, 26));
        f.answers.doctor_certificate = true;
        f.answers.sick_cause = SickCause::Miscarriage;
        assert!(sakit(&f).problems.is_empty());
        f.end = d(2026, 2, 27);
        let v = sakit(&f).problems;
        assert_eq!(codes(&v), ["too_long"]);
        assert_eq!(v[0].message.en, "At most 1.5 months.");
    }

    #[test]
    fn sick_leave_after_a_work_accident_has_no_longest_length() {
        let mut f = request(Sakit, d(2026, 1, 12), d(2029, 1, 11));
        f.answers.doctor_certificate = true;
        f.answers.sick_cause = SickCause::WorkAccident;
        assert!(sakit(&f).problems.is_empty());
        f.answers.sick_cause = SickCause::Illness;
        assert_eq!(codes(&sakit(&f).problems), ["too_long"]);
    }

    // Leave for important reasons.

    #[test]
    fn leave_for_important_reasons_is_under_a_month_in_working_days() {
        let mut f = request(AlasanPenting, d(2026, 7, 6), d(2026, 8, 5));
        let v = alasan_penting(&f);
        assert!(v.problems.is_empty());
        assert_eq!(v.charged, 23);
        f.end = d(2026, 8, 6);
        let v = alasan_penting(&f).problems;
        assert_eq!(codes(&v), ["too_long"]);
        assert_eq!(v[0].message.id, "Paling lama 1 bulan.");
    }

    // Cuti bersama worked through.

    #[test]
    fn collective_leave_is_compensated_only_once_worked() {
        let mut f = request(Bersama, d(2026, 5, 28), today());
        f.cuti_bersama_days = Some(1);
        assert!(bersama(&f, today()).problems.is_empty());
        f.end = d(2026, 6, 2);
        assert_eq!(codes(&bersama(&f, today()).problems), ["not_yet_worked"]);
    }

    #[test]
    fn collective_leave_compensation_counts_only_cuti_bersama_days() {
        let mut f = request(Bersama, d(2026, 3, 16), d(2026, 3, 24));
        f.cuti_bersama_days = Some(0);
        assert_eq!(
            codes(&bersama(&f, today()).problems),
            ["no_cuti_bersama_days"]
        );
        f.cuti_bersama_days = None;
        assert_eq!(codes(&bersama(&f, today()).problems), ["calendar_missing"]);
        f.cuti_bersama_days = Some(4);
        let v = bersama(&f, today());
        assert!(v.problems.is_empty());
        assert_eq!(v.charged, 4);
        let a = assess(&f, today()).unwrap();
        assert_eq!(
            a.summary.id,
            "4 hari cuti bersama tetap bekerja, 2026-03-16 s/d 2026-03-24"
        );
        assert_eq!(a.detail["charged_days"], 4);
    }

    // Unpaid leave.

    #[test]
    fn unpaid_leave_needs_five_years_of_service() {
        let mut f = request(Cltn, d(2026, 7, 3), d(2027, 7, 2));
        f.employee.service_start = Some(d(2021, 7, 6));
        let v = cltn(&f).problems;
        assert_eq!(codes(&v), ["service_too_short"]);
        assert_eq!(
            v[0].message.id,
            "CLTN dapat diberikan setelah 5 tahun bekerja terus-menerus."
        );
        f.start = d(2026, 7, 6);
        assert!(cltn(&f).problems.is_empty());
    }

    #[test]
    fn unpaid_leave_is_at_most_three_years_or_four_with_an_extension() {
        let mut f = request(Cltn, d(2026, 7, 6), d(2029, 7, 5));
        let v = cltn(&f);
        assert!(v.problems.is_empty());
        assert_eq!(v.charged, 1096);
        f.end = d(2029, 7, 6);
        let v = cltn(&f).problems;
        assert_eq!(codes(&v), ["too_long"]);
        assert_eq!(
            v[0].message.id,
            "Paling lama 3 tahun (dapat diperpanjang 1 tahun)."
        );
        f.answers.extension = true;
        assert!(cltn(&f).problems.is_empty());
        f.end = d(2030, 7, 5);
        assert!(cltn(&f).problems.is_empty());
        f.end = d(2030, 7, 6);
        let v = cltn(&f).problems;
        assert_eq!(codes(&v), ["too_long"]);
        assert_eq!(v[0].message.id, "Paling lama 4 tahun.");
    }

    // The assessment.

    #[test]
    fn no_acting_official_decides_leave_abroad_or_unpaid_leave() {
        let f = request(Cltn, d(2026, 7, 6), d(2027, 7, 5));
        assert!(assess(&f, today()).unwrap().acting_restricted);
        let mut f = request(Tahunan, d(2026, 7, 6), d(2026, 7, 10));
        assert!(!assess(&f, today()).unwrap().acting_restricted);
        f.answers.abroad = true;
        assert!(assess(&f, today()).unwrap().acting_restricted);
    }

    #[test]
    fn accepted_annual_leave_shows_its_days_and_balance() {
        let f = request(Tahunan, d(2026, 7, 6), d(2026, 7, 10));
        let a = assess(&f, today()).unwrap();
        assert_eq!(
            a.summary.id,
            "Cuti Tahunan 5 hari kerja, 2026-07-06 s/d 2026-07-10"
        );
        assert_eq!(
            a.summary.en,
            "Annual leave of 5 working days, 2026-07-06 to 2026-07-10"
        );
        let mut detail = a.detail.clone();
        let before = detail["balance_before"].take();
        let after = detail["balance_after"].take();
        assert_eq!(
            detail,
            json!({
                "kind": "tahunan",
                "booked_as": "tahunan",
                "start": "2026-07-06",
                "end": "2026-07-10",
                "year": 2026,
                "calendar_days": 5,
                "working_days": 5,
                "charged_days": 5,
                "abroad": false,
                "balance_before": null,
                "balance_after": null,
                "summary": a.summary,
            })
        );
        // In service since 2010 and no leave for two years: 24 days.
        let balance = |v| serde_json::from_value::<LeaveBalance>(v).unwrap();
        assert_eq!(balance(before).available, 24);
        let after = balance(after);
        assert_eq!((after.available, after.pending), (19, 5));
        // Other kinds show no balance.
        let f = request(AlasanPenting, d(2026, 7, 6), d(2026, 7, 10));
        let a = assess(&f, today()).unwrap();
        assert!(a.detail["balance_before"].is_null());
        assert_eq!(
            a.summary.id,
            "Cuti Karena Alasan Penting 5 hari kerja, 2026-07-06 s/d 2026-07-10"
        );
    }

    #[test]
    fn the_ledger_leaves_out_what_it_cannot_read() {
        let ok = held(
            Tahunan,
            d(2026, 2, 2),
            d(2026, 2, 6),
            BookingState::Approved,
        );
        let unknown_kind = Held {
            kind: None,
            ..ok.clone()
        };
        let negative = Held {
            days: -1,
            ..ok.clone()
        };
        let entries = ledger_entries(&[ok, unknown_kind, negative]);
        assert_eq!(
            entries,
            [Booking {
                kind: Tahunan,
                year: 2026,
                days: 5,
                state: BookingState::Approved
            }]
        );
        assert_eq!(first_year(Some(d(2025, 7, 6))), 2026);
        assert_eq!(first_year(None), i32::MAX);
    }
}
