//! Synthetic employees: NIP and NIK consistent with birth date, appointment and gender; rank
//! plausible for age and education; histories that agree with all of it.

use std::collections::{HashMap, HashSet};

use abdi_proto::master::{
    EducationLevel, EmploymentType, FamilyRelation, Gender, PerformanceRating, PositionKind,
};
use abdi_proto::{Nik, Nip, PPPK_CODE, RankCode};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use rand::Rng;
use rand::seq::IndexedRandom;

use super::names::*;
use super::org::{Organisation, Post, uuid};
use crate::masterdata::entity::{
    award, education_history, employee, family_member, performance_rating, position_history,
    rank_history, training_history,
};

/// One employee and everything recorded about them.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub employee: employee::Model,
    pub ranks: Vec<rank_history::Model>,
    pub positions: Vec<position_history::Model>,
    pub education: Vec<education_history::Model>,
    pub trainings: Vec<training_history::Model>,
    pub ratings: Vec<performance_rating::Model>,
    pub awards: Vec<award::Model>,
    pub family: Vec<family_member::Model>,
}

/// Facts fixed from outside (a named account) instead of drawn at random.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fixed {
    pub nip: Option<Nip>,
    pub name: Option<String>,
    pub front_title: Option<String>,
    pub back_title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Keeps NIPs and NIKs unique the way the registries do: a sequence per prefix.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    nip_seq: HashMap<(NaiveDate, i32, u32, Gender), u16>,
    nik_seq: HashMap<(String, NaiveDate, Gender), u16>,
    reserved_nips: HashSet<String>,
}

impl Registry {
    /// Keeps a NIP given from outside from being generated again.
    pub(crate) fn reserve(&mut self, nip: &Nip) -> bool {
        self.reserved_nips.insert(nip.as_str().to_owned())
    }

    fn next_nip(&mut self, birth: NaiveDate, year: i32, code: u32, gender: Gender) -> Option<Nip> {
        loop {
            let seq = self.nip_seq.entry((birth, year, code, gender)).or_insert(0);
            *seq += 1;
            if *seq > 999 {
                return None;
            }
            let g = if gender == Gender::Male { 1 } else { 2 };
            let text = format!("{}{year:04}{code:02}{g}{:03}", birth.format("%Y%m%d"), *seq);
            if self.reserved_nips.contains(&text) {
                continue;
            }
            return Nip::parse_pppk(&text).ok();
        }
    }

    fn next_nik(&mut self, region: &str, birth: NaiveDate, gender: Gender) -> Option<Nik> {
        let seq = self
            .nik_seq
            .entry((region.to_owned(), birth, gender))
            .or_insert(0);
        *seq += 1;
        if *seq > 9999 {
            return None;
        }
        Nik::from_parts(region, birth, gender, *seq).ok()
    }
}

pub(crate) struct Generator<'a> {
    pub org: &'a Organisation,
    pub as_of: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub registry: Registry,
}

impl Generator<'_> {
    /// One employee in `slot`, holding `post` (an index into the organisation's posts).
    /// `senior` people are older and better educated (they hold struktural posts). Returns None
    /// only if the NIP or NIK sequence for someone's exact birth date ran out, which a caller
    /// treats as "draw again".
    pub(crate) fn person(
        &mut self,
        rng: &mut impl Rng,
        unit_index: usize,
        post_index: usize,
        senior: bool,
        fixed: &Fixed,
    ) -> Option<Person> {
        let post = &self.org.posts[post_index];
        let unit = &self.org.units[unit_index];
        let as_of = self.as_of;

        let (gender, birth, employment, tmt_cpns, education, nip) = match &fixed.nip {
            Some(nip) => {
                let employment = match nip.tmt_cpns() {
                    None => EmploymentType::Pppk,
                    Some(t) if t > as_of - Months::new(12) => EmploymentType::Cpns,
                    Some(_) => EmploymentType::Pns,
                };
                let education = if senior {
                    EducationLevel::S2
                } else {
                    EducationLevel::S1
                };
                (
                    nip.gender(),
                    nip.birth_date(),
                    employment,
                    nip.tmt_cpns(),
                    education,
                    nip.clone(),
                )
            }
            None => {
                let gender = draw_gender(rng);
                let education = draw_education(rng, senior, post.kind);
                let employment = if senior || post.kind == PositionKind::Struktural {
                    EmploymentType::Pns
                } else {
                    match rng.random_range(0..100) {
                        0..80 => EmploymentType::Pns,
                        80..83 => EmploymentType::Cpns,
                        _ => EmploymentType::Pppk,
                    }
                };
                let entry_age = rng.random_range(entry_age_range(education));
                let (appointed, code) = match employment {
                    EmploymentType::Cpns => {
                        let t = as_of - Months::new(rng.random_range(1..=11));
                        (first_of_month(t), t.month())
                    }
                    EmploymentType::Pns => {
                        let min_service = if senior { 14 } else { 1 };
                        let max_service = (58 - entry_age).max(min_service + 1);
                        let years = rng.random_range(min_service..max_service);
                        let t = as_of - Months::new(years * 12 + rng.random_range(0..12));
                        (first_of_month(t), t.month())
                    }
                    EmploymentType::Pppk => {
                        let year = rng.random_range(2019..=as_of.year().max(2019));
                        (NaiveDate::from_ymd_opt(year, 1, 1)?, PPPK_CODE)
                    }
                };
                let birth_year = appointed.year() - entry_age as i32;
                let birth = NaiveDate::from_yo_opt(birth_year, rng.random_range(1..=365))?;
                let nip = self
                    .registry
                    .next_nip(birth, appointed.year(), code, gender)?;
                let tmt = (employment != EmploymentType::Pppk).then_some(appointed);
                (gender, birth, employment, tmt, education, nip)
            }
        };

        let employee_id = uuid(rng);
        let (place, regency) = *PLACES.choose(rng)?;
        let region = format!("{regency}{:02}", rng.random_range(1..=20));
        let nik = self.registry.next_nik(&region, birth, gender)?;
        let given = *given_names(gender).choose(rng)?;
        let family = *FAMILY.choose(rng)?;
        let (major, s1_title, s2_title) = *MAJORS.choose(rng)?;
        let (front_title, back_title) = titles(education, s1_title, s2_title);
        let name = fixed
            .name
            .clone()
            .unwrap_or_else(|| format!("{given} {family}"));

        let appointed_on = tmt_cpns.unwrap_or_else(|| {
            NaiveDate::from_ymd_opt(nip.appointment_year(), 1, 1).unwrap_or(as_of)
        });
        let tmt_pns = match employment {
            EmploymentType::Pns => tmt_cpns.map(|t| t + Months::new(12)),
            _ => None,
        };

        // Ranks: the entry rank for the education, then a promotion every 4-6 years up to the
        // education's ceiling. PPPK have no PNS rank.
        let mut ranks = Vec::new();
        if let Some(tmt) = tmt_cpns {
            let ceiling = ceiling_for(education);
            let mut rank = RankCode::entry_for(education);
            let mut at = tmt;
            loop {
                ranks.push(rank_history::Model {
                    id: 0,
                    employee_id,
                    rank_code: rank.to_string(),
                    tmt: at,
                    decree_number: format!("800/{}/204/{}", rng.random_range(100..9999), at.year()),
                    decree_date: at - chrono::Duration::days(rng.random_range(14..60)),
                });
                let next_at = promotion_date(at + Months::new(12 * rng.random_range(4..=6)));
                match rank.next() {
                    Some(next) if next <= ceiling && next_at <= as_of => {
                        rank = next;
                        at = next_at;
                    }
                    _ => break,
                }
            }
        }
        let (rank_code, rank_tmt) = ranks
            .last()
            .map(|r| (Some(r.rank_code.clone()), Some(r.tmt)))
            .unwrap_or((None, None));

        // Education: the one before the highest level, then the highest (with its diploma).
        let mut education_rows = Vec::new();
        let levels = previous_education(education)
            .map(|before| (before, false))
            .into_iter()
            .chain([(education, true)]);
        for (level, highest) in levels {
            let pool = if level <= EducationLevel::Sma {
                SCHOOLS
            } else {
                UNIVERSITIES
            };
            let year = (birth.year() + graduation_age(level)).min(as_of.year());
            education_rows.push(education_history::Model {
                id: 0,
                employee_id,
                level: level.to_string(),
                institution: (*pool.choose(rng)?).to_owned(),
                major: (level > EducationLevel::Sma).then(|| major.to_owned()),
                graduation_year: year,
                diploma_number: highest
                    .then(|| format!("{:06}/{year}", rng.random_range(1..999_999))),
            });
        }

        // Positions: a staff post on appointment, the current post later for seniors.
        // Seniors started as staff somewhere; where the unit has no staff post (the province and
        // perangkat daerah levels), in the province's first one.
        let first_post = if senior {
            first_staff_post(self.org, unit_index)
        } else {
            post
        };
        let mut positions = vec![position_history::Model {
            id: 0,
            employee_id,
            position_id: Some(first_post.id),
            position_title: first_post.title.clone(),
            unit_name: unit.name.clone(),
            tmt: appointed_on,
            decree_number: format!(
                "821.2/{}/204/{}",
                rng.random_range(100..9999),
                appointed_on.year()
            ),
        }];
        if senior {
            let at = first_of_month(as_of - Months::new(rng.random_range(6..72)));
            positions.push(position_history::Model {
                id: 0,
                employee_id,
                position_id: Some(post.id),
                position_title: post.title.clone(),
                unit_name: unit.name.clone(),
                tmt: at.max(appointed_on),
                decree_number: format!("821.2/{}/204/{}", rng.random_range(100..9999), at.year()),
            });
        }

        // Training: the basic CPNS training in the first year, then a few technical ones.
        let mut trainings = Vec::new();
        if employment == EmploymentType::Pns {
            let start = appointed_on + Months::new(rng.random_range(3..10));
            trainings.push(training_history::Model {
                id: 0,
                employee_id,
                name: "Pelatihan Dasar CPNS".into(),
                organizer: "BPSDM Provinsi Jawa Timur".into(),
                start_date: start,
                end_date: start + chrono::Duration::days(50),
                hours: 286,
            });
        }
        for _ in 0..rng.random_range(0..=2) {
            let (tname, organizer, hours) = *TRAININGS.choose(rng)?;
            let years = (as_of.year() - appointed_on.year()).max(1) as u32;
            let start =
                appointed_on + Months::new(rng.random_range(12..=12 * years + 11).min(12 * years));
            if start >= as_of {
                continue;
            }
            trainings.push(training_history::Model {
                id: 0,
                employee_id,
                name: tname.into(),
                organizer: organizer.into(),
                start_date: start,
                end_date: start + chrono::Duration::days(i64::from(hours / 8).max(1)),
                hours,
            });
        }

        // Performance ratings (SKP) for the last three complete years in service.
        let ratings = ((as_of.year() - 3)..as_of.year())
            .filter(|y| *y > appointed_on.year())
            .map(|year| performance_rating::Model {
                id: 0,
                employee_id,
                year,
                rating: draw_rating(rng).to_string(),
            })
            .collect();

        // Long-service medals: Satyalancana Karya Satya X, XX, XXX years.
        let service_years = tmt_cpns.map_or(0, |t| (as_of - t).num_days() / 365);
        let mut awards = Vec::new();
        for (years, roman) in [(10, "X"), (20, "XX"), (30, "XXX")] {
            if service_years < years || !rng.random_bool(0.7) {
                continue;
            }
            let year = (appointed_on.year() + years as i32 + 1).min(as_of.year());
            awards.push(award::Model {
                id: 0,
                employee_id,
                name: format!("Satyalancana Karya Satya {roman} Tahun"),
                decree_number: format!("Keppres {}/TK/{year}", rng.random_range(10..150)),
                year,
            });
        }

        // Family: most people over 27 are married; children born after the wedding.
        let mut family_rows = Vec::new();
        let age = as_of.year() - birth.year();
        if age > 24 && rng.random_bool(if age > 27 { 0.85 } else { 0.4 }) {
            let spouse_gender = if gender == Gender::Male {
                Gender::Female
            } else {
                Gender::Male
            };
            let spouse_birth = birth + chrono::Duration::days(rng.random_range(-1800..1800));
            let spouse_given = *given_names(spouse_gender).choose(rng)?;
            family_rows.push(family_member::Model {
                id: 0,
                employee_id,
                relation: FamilyRelation::Spouse.to_string(),
                name: format!("{spouse_given} {}", FAMILY.choose(rng)?),
                gender: spouse_gender.to_string(),
                birth_date: spouse_birth.min(as_of),
                nik: self
                    .registry
                    .next_nik(&region, spouse_birth, spouse_gender)
                    .map(String::from),
            });
            let wedding = birth + Months::new(12 * rng.random_range(24..=30));
            for _ in 0..rng.random_range(0..=3) {
                let born = wedding + chrono::Duration::days(rng.random_range(300..6000));
                if born >= as_of {
                    continue;
                }
                let child_gender = draw_gender(rng);
                let child_given = *given_names(child_gender).choose(rng)?;
                family_rows.push(family_member::Model {
                    id: 0,
                    employee_id,
                    relation: FamilyRelation::Child.to_string(),
                    name: format!("{child_given} {family}"),
                    gender: child_gender.to_string(),
                    birth_date: born,
                    nik: None,
                });
            }
        }

        let slug: String = format!("{given}{family}")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        let email = fixed
            .email
            .clone()
            .unwrap_or_else(|| format!("{slug}.{}@jatimprov.go.id", nip.as_str()));
        let phone = fixed.phone.clone().unwrap_or_else(|| {
            format!(
                "08{}{:09}",
                rng.random_range(1..=9),
                rng.random_range(0..1_000_000_000u32)
            )
        });

        Some(Person {
            employee: employee::Model {
                id: employee_id,
                nip: nip.as_str().to_owned(),
                nik: nik.as_str().to_owned(),
                front_title: fixed.front_title.clone().or(front_title),
                name,
                back_title: fixed.back_title.clone().or(back_title),
                gender: gender.to_string(),
                birth_place: place.to_owned(),
                birth_date: birth,
                employment_type: employment.to_string(),
                rank_code,
                rank_tmt,
                tmt_cpns,
                tmt_pns,
                education_level: education.to_string(),
                unit_id: unit.id,
                position_id: Some(post.id),
                email: Some(email),
                phone: Some(phone),
                active: true,
                created_at: self.created_at,
                updated_at: self.created_at,
            },
            ranks,
            positions,
            education: education_rows,
            trainings,
            ratings,
            awards,
            family: family_rows,
        })
    }
}

fn first_staff_post(org: &Organisation, unit_index: usize) -> &Post {
    let unit_id = org.units[unit_index].id;
    let pelaksana = |p: &&Post| p.kind == PositionKind::Pelaksana;
    org.posts
        .iter()
        .filter(pelaksana)
        .find(|p| p.unit_id == unit_id)
        .or_else(|| org.posts.iter().find(pelaksana))
        .unwrap_or(&org.posts[0])
}

fn given_names(gender: Gender) -> &'static [&'static str] {
    match gender {
        Gender::Male => MALE_GIVEN,
        Gender::Female => FEMALE_GIVEN,
    }
}

fn draw_gender(rng: &mut impl Rng) -> Gender {
    if rng.random_bool(0.5) {
        Gender::Male
    } else {
        Gender::Female
    }
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn draw_education(rng: &mut impl Rng, senior: bool, kind: PositionKind) -> EducationLevel {
    use EducationLevel::*;
    let table: &[(EducationLevel, u32)] = if senior {
        &[(S1, 40), (S2, 52), (S3, 8)]
    } else if kind == PositionKind::Fungsional {
        &[(D3, 15), (D4, 8), (S1, 60), (S2, 16), (S3, 1)]
    } else {
        &[
            (Sd, 1),
            (Smp, 3),
            (Sma, 34),
            (D3, 17),
            (D4, 4),
            (S1, 36),
            (S2, 5),
        ]
    };
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    for (level, weight) in table {
        if pick < *weight {
            return *level;
        }
        pick -= weight;
    }
    S1
}

fn entry_age_range(level: EducationLevel) -> std::ops::RangeInclusive<u32> {
    use EducationLevel::*;
    match level {
        Sd | Smp => 18..=30,
        Sma | D1 | D2 => 19..=32,
        D3 => 21..=33,
        D4 | S1 => 23..=35,
        S2 => 26..=38,
        S3 => 30..=40,
    }
}

fn graduation_age(level: EducationLevel) -> i32 {
    use EducationLevel::*;
    match level {
        Sd => 12,
        Smp => 15,
        Sma => 18,
        D1 => 19,
        D2 => 20,
        D3 => 21,
        D4 | S1 => 22,
        S2 => 25,
        S3 => 30,
    }
}

fn previous_education(level: EducationLevel) -> Option<EducationLevel> {
    use EducationLevel::*;
    match level {
        Sd => None,
        Smp => Some(Sd),
        Sma => Some(Smp),
        D1 | D2 | D3 | D4 | S1 => Some(Sma),
        S2 => Some(S1),
        S3 => Some(S2),
    }
}

/// The highest rank a regular promotion reaches with this education (synthetic data only;
/// the promotion issue encodes the verified table).
fn ceiling_for(level: EducationLevel) -> RankCode {
    use EducationLevel::*;
    let code = match level {
        Sd => "II/a",
        Smp => "II/c",
        Sma | D1 | D2 => "III/b",
        D3 => "III/c",
        D4 | S1 => "IV/a",
        S2 => "IV/c",
        S3 => "IV/e",
    };
    RankCode::parse(code).unwrap_or(RankCode::LOWEST)
}

/// Promotions take effect on 1 April or 1 October until 2023, in the even months from 2024
/// (Peraturan BKN 4/2023) and on the first of any month from October 2025 (Peraturan BKN 4/2025).
pub(crate) fn promotion_date(earliest: NaiveDate) -> NaiveDate {
    let mut d = if earliest.day() == 1 {
        earliest
    } else {
        first_of_month(earliest) + Months::new(1)
    };
    loop {
        let allowed = match d.year() {
            ..=2023 => matches!(d.month(), 4 | 10),
            2024 => d.month() % 2 == 0,
            2025 if d.month() < 10 => d.month() % 2 == 0,
            _ => true,
        };
        if allowed {
            return d;
        }
        d = d + Months::new(1);
    }
}

fn titles(level: EducationLevel, s1: &str, s2: &str) -> (Option<String>, Option<String>) {
    use EducationLevel::*;
    match level {
        Sd | Smp | Sma | D1 | D2 => (None, None),
        D3 => (None, Some("A.Md.".into())),
        D4 => (None, Some("S.Tr.".into())),
        S1 => (None, Some(s1.into())),
        S2 => (None, Some(format!("{s1}, {s2}"))),
        S3 => (Some("Dr.".into()), Some(format!("{s1}, {s2}"))),
    }
}

fn draw_rating(rng: &mut impl Rng) -> PerformanceRating {
    match rng.random_range(0..100) {
        0..15 => PerformanceRating::SangatBaik,
        15..90 => PerformanceRating::Baik,
        90..97 => PerformanceRating::ButuhPerbaikan,
        97..99 => PerformanceRating::Kurang,
        _ => PerformanceRating::SangatKurang,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn promotion_periods_follow_the_regulations_of_their_time() {
        assert_eq!(promotion_date(d(2019, 5, 12)), d(2019, 10, 1));
        assert_eq!(promotion_date(d(2019, 4, 1)), d(2019, 4, 1));
        assert_eq!(promotion_date(d(2023, 10, 2)), d(2024, 2, 1));
        assert_eq!(promotion_date(d(2024, 3, 1)), d(2024, 4, 1));
        assert_eq!(promotion_date(d(2025, 8, 15)), d(2025, 10, 1));
        assert_eq!(promotion_date(d(2025, 11, 2)), d(2025, 12, 1));
        assert_eq!(promotion_date(d(2026, 3, 1)), d(2026, 3, 1));
    }
}
