//! Leave (cuti PNS) rules that need no database: the seven kinds, and the annual-leave ledger
//! with carry-over (PP 11/2017 Pasal 310-315 as amended by PP 17/2020; Peraturan BKN 24/2017).
//!
//! The ledger works year by year, oldest first:
//! - a year's own entitlement is 12 working days once the employee has served a year (plus cuti
//!   bersama days they had to work through, Pasal 333), and nothing in a year with cuti besar;
//! - unused days of year N-1 carry into N, at most 6 (so at most 18 with N's own 12);
//! - when no annual leave was taken in N-1 and N-2 (two consecutive years), the unused days of
//!   N-2 carry too, at most 6 more (so at most 24);
//! - days the PYBMC deferred (ditangguhkan) in N-1 are added to N, within the 24;
//! - leave taken in N uses the oldest days first (N-2, then N-1, then N).

use serde::{Deserialize, Serialize};

use crate::error::Text;
use crate::services::{BalanceRow, LeaveBalance};

/// The seven kinds of leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LeaveKind {
    Tahunan,
    Besar,
    Sakit,
    Melahirkan,
    AlasanPenting,
    Bersama,
    Cltn,
}

impl LeaveKind {
    pub const ALL: [LeaveKind; 7] = [
        Self::Tahunan,
        Self::Besar,
        Self::Sakit,
        Self::Melahirkan,
        Self::AlasanPenting,
        Self::Bersama,
        Self::Cltn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Tahunan => "tahunan",
            Self::Besar => "besar",
            Self::Sakit => "sakit",
            Self::Melahirkan => "melahirkan",
            Self::AlasanPenting => "alasan_penting",
            Self::Bersama => "bersama",
            Self::Cltn => "cltn",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn name(self) -> Text {
        let (id, en) = match self {
            Self::Tahunan => ("Cuti Tahunan", "Annual leave"),
            Self::Besar => ("Cuti Besar", "Long leave"),
            Self::Sakit => ("Cuti Sakit", "Sick leave"),
            Self::Melahirkan => ("Cuti Melahirkan", "Maternity leave"),
            Self::AlasanPenting => ("Cuti Karena Alasan Penting", "Leave for important reasons"),
            Self::Bersama => ("Kompensasi Cuti Bersama", "Collective leave worked through"),
            Self::Cltn => (
                "Cuti di Luar Tanggungan Negara",
                "Unpaid leave (outside state responsibility)",
            ),
        };
        Text::new(id, en)
    }
}

/// The annual leave's own entitlement per year, in working days.
pub const ANNUAL_DAYS: u32 = 12;
/// At most this many unused days of one earlier year carry into the next.
pub const CARRY_DAYS: u32 = 6;
/// The most a year can hold with carry-over from one year (12 + 6).
pub const MAX_WITH_ONE_YEAR: u32 = 18;
/// The most a year can hold after two years without annual leave, or with deferred days.
pub const MAX_WITH_TWO_YEARS: u32 = 24;

/// Where a booking stands; refused and cancelled requests are not bookings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum BookingState {
    /// Submitted, not yet decided: it holds its days.
    Pending,
    Approved,
    /// Deferred by the PYBMC: the days move to the next year.
    Deferred,
}

/// One leave booking as the ledger needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Booking {
    pub kind: LeaveKind,
    pub year: i32,
    /// Working days (for `Bersama`: cuti bersama days worked through).
    pub days: u32,
    pub state: BookingState,
}

/// An employee's annual-leave ledger.
#[derive(Debug, Clone)]
pub struct Ledger<'a> {
    /// The first year with an entitlement (the year the first year of service completes).
    pub first_year: i32,
    pub bookings: &'a [Booking],
}

#[derive(Debug, Clone, Copy, Default)]
struct Year {
    /// Days of this year's own entitlement not used by the end of it.
    own_left: u32,
    /// Whether any annual leave was taken (or is pending) in it.
    taken: bool,
}

impl Ledger<'_> {
    fn sum(&self, year: i32, kind: LeaveKind, states: &[BookingState]) -> u32 {
        self.bookings
            .iter()
            .filter(|b| b.year == year && b.kind == kind && states.contains(&b.state))
            .map(|b| b.days)
            .sum()
    }

    fn entitlement(&self, year: i32) -> u32 {
        if year < self.first_year
            || self.sum(
                year,
                LeaveKind::Besar,
                &[BookingState::Pending, BookingState::Approved],
            ) > 0
        {
            return 0;
        }
        ANNUAL_DAYS + self.sum(year, LeaveKind::Bersama, &[BookingState::Approved])
    }

    /// The annual-leave table for `year`, as the form's section V shows it.
    pub fn balance(&self, year: i32) -> LeaveBalance {
        let mut history: [Year; 2] = [Year::default(); 2]; // [y-2, y-1]
        let mut rows = [0u32; 3];
        // Years far outside any service are simply empty; the arithmetic saturates.
        for y in year.saturating_sub(4)..=year {
            let own = self.entitlement(y);
            let [two_back, one_back] = history;
            let from_one = one_back.own_left.min(CARRY_DAYS);
            let from_two = if !one_back.taken && !two_back.taken {
                two_back.own_left.min(CARRY_DAYS)
            } else {
                0
            };
            let deferred = self.sum(
                y.saturating_sub(1),
                LeaveKind::Tahunan,
                &[BookingState::Deferred],
            );
            let mut carried = [from_two, (from_one + deferred)];
            let cap = if from_two > 0 || deferred > 0 {
                MAX_WITH_TWO_YEARS - ANNUAL_DAYS
            } else {
                CARRY_DAYS
            };
            if carried[0] + carried[1] > cap {
                carried[1] = cap.saturating_sub(carried[0]);
            }
            let mut left = [carried[0], carried[1], own];
            let besar = own == 0 && y >= self.first_year;
            if besar {
                left = [0, 0, 0];
            }
            let taken = self.sum(
                y,
                LeaveKind::Tahunan,
                &[BookingState::Pending, BookingState::Approved],
            );
            let mut rest = taken;
            for slot in &mut left {
                let drawn = rest.min(*slot);
                *slot -= drawn;
                rest -= drawn;
            }
            history = [
                one_back,
                Year {
                    own_left: left[2],
                    // A cuti besar year forfeits the annual leave: it breaks a run of untaken years.
                    taken: taken > 0 || besar,
                },
            ];
            rows = left;
        }
        let note = |id: &str, en: &str| Text::new(id, en);
        LeaveBalance {
            year,
            rows: vec![
                BalanceRow {
                    year: year.saturating_sub(2),
                    remaining: rows[0],
                    note: note(
                        "Sisa yang dapat dibawa bila 2 tahun berturut-turut tidak mengambil cuti",
                        "Carried only after two years without annual leave",
                    ),
                },
                BalanceRow {
                    year: year.saturating_sub(1),
                    remaining: rows[1],
                    note: note(
                        "Sisa tahun lalu (paling banyak 6 hari) dan cuti yang ditangguhkan",
                        "Last year's rest (at most 6 days) and deferred leave",
                    ),
                },
                BalanceRow {
                    year,
                    remaining: rows[2],
                    note: note("Hak cuti tahun berjalan", "This year's entitlement"),
                },
            ],
            available: rows.iter().sum(),
            pending: self.sum(year, LeaveKind::Tahunan, &[BookingState::Pending]),
            used: self.sum(year, LeaveKind::Tahunan, &[BookingState::Approved]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BookingState::*;
    use LeaveKind::*;

    fn b(kind: LeaveKind, year: i32, days: u32, state: BookingState) -> Booking {
        Booking {
            kind,
            year,
            days,
            state,
        }
    }

    fn rows(l: &Ledger, year: i32) -> (Vec<u32>, u32) {
        let bal = l.balance(year);
        (
            bal.rows.iter().map(|r| r.remaining).collect(),
            bal.available,
        )
    }

    #[test]
    fn a_new_employee_has_nothing_before_the_first_year_then_twelve() {
        let l = Ledger {
            first_year: 2026,
            bookings: &[],
        };
        assert_eq!(rows(&l, 2025), (vec![0, 0, 0], 0));
        assert_eq!(rows(&l, 2026), (vec![0, 0, 12], 12));
    }

    #[test]
    fn unused_days_carry_at_most_six_so_eighteen() {
        // 2025: took 2 of 12, 10 left; only 6 carry. But 2024 was also untaken...
        let bookings = [b(Tahunan, 2024, 3, Approved), b(Tahunan, 2025, 2, Approved)];
        let l = Ledger {
            first_year: 2020,
            bookings: &bookings,
        };
        assert_eq!(rows(&l, 2026), (vec![0, 6, 12], 18));
    }

    #[test]
    fn two_untaken_years_allow_twenty_four() {
        let bookings = [b(Tahunan, 2023, 12, Approved)];
        let l = Ledger {
            first_year: 2020,
            bookings: &bookings,
        };
        // Nothing taken in 2024 and 2025: 6 from each, 24 in all.
        assert_eq!(rows(&l, 2026), (vec![6, 6, 12], 24));
        // One day taken in 2025 breaks the two-year run: back to 18.
        let bookings = [
            b(Tahunan, 2023, 12, Approved),
            b(Tahunan, 2025, 1, Approved),
        ];
        let l = Ledger {
            first_year: 2020,
            bookings: &bookings,
        };
        assert_eq!(rows(&l, 2026), (vec![0, 6, 12], 18));
    }

    #[test]
    fn leave_uses_the_oldest_days_first() {
        let bookings = [b(Tahunan, 2023, 12, Approved), b(Tahunan, 2026, 8, Pending)];
        let l = Ledger {
            first_year: 2020,
            bookings: &bookings,
        };
        let bal = l.balance(2026);
        assert_eq!(
            bal.rows.iter().map(|r| r.remaining).collect::<Vec<_>>(),
            vec![0, 4, 12]
        );
        assert_eq!((bal.available, bal.pending, bal.used), (16, 8, 0));
        // What 2026 left of its own days carries into 2027, at most 6; 2025's rest expired.
        assert_eq!(rows(&l, 2027), (vec![0, 6, 12], 18));
    }

    #[test]
    fn cuti_besar_leaves_no_annual_leave_that_year() {
        let bookings = [b(Besar, 2026, 60, Approved)];
        let l = Ledger {
            first_year: 2010,
            bookings: &bookings,
        };
        assert_eq!(rows(&l, 2026), (vec![0, 0, 0], 0));
        // The next year starts again from 12; 2026 had nothing to carry.
        assert_eq!(rows(&l, 2027).1, 12);
    }

    #[test]
    fn deferred_days_move_to_the_next_year_within_twenty_four() {
        let bookings = [b(Tahunan, 2025, 4, Approved), b(Tahunan, 2025, 8, Deferred)];
        let l = Ledger {
            first_year: 2020,
            bookings: &bookings,
        };
        // 2025: 12 - 4 taken = 8 own left, 6 carry; plus 8 deferred = 14, capped to 12 carried.
        assert_eq!(rows(&l, 2026), (vec![0, 12, 12], 24));
    }

    #[test]
    fn cuti_bersama_worked_through_adds_to_the_year() {
        let bookings = [b(Bersama, 2026, 2, Approved), b(Bersama, 2026, 1, Pending)];
        let l = Ledger {
            first_year: 2026,
            bookings: &bookings,
        };
        assert_eq!(rows(&l, 2026), (vec![0, 0, 14], 14));
    }

    #[test]
    fn extreme_years_are_empty_not_a_panic() {
        let l = Ledger {
            first_year: 2020,
            bookings: &[],
        };
        assert_eq!(l.balance(i32::MIN).available, 0);
        assert_eq!(l.balance(i32::MIN + 1).rows.len(), 3);
        assert_eq!(l.balance(i32::MAX).available, 24);
    }

    #[test]
    fn codes_round_trip() {
        for k in LeaveKind::ALL {
            assert_eq!(LeaveKind::from_code(k.code()), Some(k));
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.code())
            );
        }
    }
}
