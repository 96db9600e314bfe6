//! Promotion (kenaikan pangkat): who is due in a period, for which kind, to which rank, and what
//! they still lack or what blocks them. Pure and shared: the server computes the candidate list
//! with it, the phone the employee's own projection, offline, from the same [`PromotionPolicy`].
//!
//! Every fact that regulations set (years in rank, the ceilings by education, credit points, the
//! exams, the period schedule) is data in the policy (`server/data/promotion.toml`), so a new
//! Peraturan BKN is a data change.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::eligibility::months_between;
use crate::error::{Seen, SeenValue, Violation};
use crate::master::{EducationLevel, PerformanceRating, Vocabulary};
use crate::record::EmployeeRecord;
use crate::{RankCode, Text};

/// The kinds of promotion (PP 99/2000 as amended; Peraturan BKN 2/2025).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum PromotionKind {
    /// Reguler: years in rank and ratings, up to the ceiling of the education.
    Regular,
    /// Pilihan, functional post: credit points.
    Functional,
    /// Pilihan, structural post.
    Structural,
    /// Pilihan, diploma adjustment (penyesuaian ijazah): study permit and exam.
    Diploma,
    /// Pilihan, exceptional performance (Sangat Baik last year).
    Exceptional,
}

impl PromotionKind {
    pub const ALL: [PromotionKind; 5] = [
        Self::Regular,
        Self::Functional,
        Self::Structural,
        Self::Diploma,
        Self::Exceptional,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Regular => "regular",
            Self::Functional => "functional",
            Self::Structural => "structural",
            Self::Diploma => "diploma",
            Self::Exceptional => "exceptional",
        }
    }

    /// As the SK and the lists say it.
    pub fn label(self) -> Text {
        match self {
            Self::Regular => Text::new("Kenaikan pangkat reguler", "Regular promotion"),
            Self::Functional => Text::new(
                "Kenaikan pangkat pilihan (jabatan fungsional)",
                "Choice promotion (functional post)",
            ),
            Self::Structural => Text::new(
                "Kenaikan pangkat pilihan (jabatan struktural)",
                "Choice promotion (structural post)",
            ),
            Self::Diploma => Text::new(
                "Kenaikan pangkat penyesuaian ijazah",
                "Promotion by diploma adjustment",
            ),
            Self::Exceptional => Text::new(
                "Kenaikan pangkat prestasi luar biasa",
                "Promotion for exceptional performance",
            ),
        }
    }
}

/// The period schedule in force from a date: the months whose 1st is a TMT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodEra {
    pub from: NaiveDate,
    /// 1-12.
    pub months: Vec<u32>,
    /// The regulation that set it.
    pub basis: String,
}

/// What one kind needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KindRule {
    /// Whole years in the current rank at the TMT.
    pub years_in_rank: u32,
    /// The last N years' ratings (the years before the TMT's year) must each be at least
    /// `rating_at_least`.
    pub rating_years: u32,
    pub rating_at_least: PerformanceRating,
    /// The archive's documents: each entry is satisfied by any one of its kinds.
    pub documents: Vec<Vec<String>>,
}

/// A functional level (jenjang): its ranks, its credit points, its yearly coefficient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FunctionalLevel {
    /// The post's grade as the organisation records it (`ahli_pertama`, `terampil`, ...).
    pub grade: String,
    /// The highest rank of the level.
    pub ceiling: RankCode,
    /// Credit points needed for one promotion within the level.
    pub per_promotion: f64,
    /// The yearly credit at 100 % (PermenPANRB 1/2023).
    pub coefficient: f64,
}

/// A service exam needed to cross a golongan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExamRule {
    /// The rank the exam is needed from (II/d: level I; III/d: level II).
    pub from: RankCode,
    pub name: Text,
    /// Training-history names that record the exam passed (compared trimmed, ignoring case).
    pub recorded_as: Vec<String>,
}

/// Every fact of promotion, as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PromotionPolicy {
    pub version: u32,
    pub periods: Vec<PeriodEra>,
    /// The regular ceiling by education level code.
    pub ceilings: BTreeMap<String, RankCode>,
    pub regular: KindRule,
    pub functional: KindRule,
    pub structural: KindRule,
    pub diploma: KindRule,
    pub exceptional: KindRule,
    pub functional_levels: Vec<FunctionalLevel>,
    /// The rating's percentage of the coefficient, by rating code.
    pub credit_percent: BTreeMap<String, f64>,
    /// The structural ceiling by the post's grade (eselon, as the organisation records it:
    /// `IV.a`): the highest rank of the eselon's range (PP 100/2000 jo. PP 13/2002; verify).
    pub structural_ceilings: BTreeMap<String, RankCode>,
    pub exams: Vec<ExamRule>,
    /// Training-history names that record the diploma-adjustment exam passed.
    pub diploma_exam: Vec<String>,
    /// Sanction levels that block while they run.
    pub blocking_sanctions: Vec<String>,
    /// The sanction level of a suspension.
    pub suspension: String,
}

/// What a promotion is judged on: the slice of the record that matters, filled from the full
/// record on the phone and from a few bulk queries on the server.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PromotionFacts {
    pub employment_type: String,
    pub rank: Option<RankCode>,
    pub rank_tmt: Option<NaiveDate>,
    pub education: Option<EducationLevel>,
    pub position_kind: Option<String>,
    pub position_grade: Option<String>,
    /// (year, rating code).
    pub ratings: Vec<(i32, String)>,
    /// (level, starts, ends).
    pub sanctions: Vec<(String, NaiveDate, Option<NaiveDate>)>,
    /// The training history's names.
    pub training: Vec<String>,
    /// The archive's kinds (codes).
    pub archive: Vec<String>,
    /// A study permit (izin or tugas belajar) was granted.
    pub study_permit: bool,
}

impl PromotionFacts {
    /// The facts of the employee's full record and archive (the phone's cache).
    pub fn of_record(record: &EmployeeRecord, archive: &[String], study_permit: bool) -> Self {
        let id = &record.identity;
        Self {
            employment_type: id.employment_type.clone(),
            rank: id.rank_code.as_deref().and_then(|r| r.parse().ok()),
            rank_tmt: id.rank_tmt,
            education: EducationLevel::from_code(&id.education_level),
            position_kind: id.position_kind.clone(),
            position_grade: id.position_grade.clone(),
            ratings: record
                .performance
                .iter()
                .map(|r| (r.year, r.rating.clone()))
                .collect(),
            sanctions: record
                .discipline
                .iter()
                .map(|s| (s.level.clone(), s.starts_on, s.ends_on))
                .collect(),
            training: record.training.iter().map(|t| t.name.clone()).collect(),
            archive: archive.to_vec(),
            study_permit,
        }
    }
}

/// Where a candidate stands for a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CandidateStanding {
    /// Due and complete: a proposal can be sent.
    Ready,
    /// Due, but documents, ratings, exams or credit points are still missing.
    Lacking,
    /// Due by time, but something no document can fix stands in the way.
    Blocked,
    /// Not yet due in this period.
    NotDue,
}

/// One employee's promotion for a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Candidacy {
    /// The period (its TMT, the 1st of a month).
    pub period: NaiveDate,
    pub kind: PromotionKind,
    pub standing: CandidateStanding,
    pub rank: Option<RankCode>,
    pub new_rank: Option<RankCode>,
    /// The first period in which the time in rank is met (this one when due).
    pub due_on: Option<NaiveDate>,
    /// What is still missing, with the values seen.
    pub lacks: Vec<Violation>,
    /// What stands in the way, with the values seen.
    pub blocked: Vec<Violation>,
}

fn seen(what: &str, value: impl Into<Option<SeenValue>>) -> Seen {
    Seen {
        what: what.to_owned(),
        value: value.into(),
    }
}

fn num(v: f64) -> Option<SeenValue> {
    Some(SeenValue::Number(v))
}

fn txt(v: impl Into<String>) -> Option<SeenValue> {
    Some(SeenValue::Text(v.into()))
}

fn violation(code: &str, id: String, en: String, seen_: Vec<Seen>) -> Violation {
    let mut v = Violation::new(code, None, id, en);
    v.seen = seen_;
    v
}

fn rating_rank(code: &str) -> Option<usize> {
    PerformanceRating::ALL.iter().position(|r| r.code() == code)
}

fn normalised(s: &str) -> String {
    s.trim().to_lowercase()
}

impl PromotionPolicy {
    /// The policy Abdi ships (`proto/data/promotion.json`): the same on the server and the
    /// phone until the server serves another.
    pub fn embedded() -> Self {
        #[allow(clippy::expect_used)]
        serde_json::from_str(include_str!("../data/promotion.json"))
            .expect("proto/data/promotion.json is a valid policy (its unit tests parse it)")
    }

    /// The period schedule in force on `day`.
    fn months_on(&self, day: NaiveDate) -> &[u32] {
        self.periods
            .iter()
            .filter(|e| e.from <= day)
            .max_by_key(|e| e.from)
            .map_or(&[][..], |e| e.months.as_slice())
    }

    /// Whether `day` is a promotion period (a TMT) under the schedule.
    pub fn is_period(&self, day: NaiveDate) -> bool {
        day.day() == 1 && self.months_on(day).contains(&day.month())
    }

    /// The first period on or after `day`, within ten years.
    pub fn period_on_or_after(&self, day: NaiveDate) -> Option<NaiveDate> {
        let mut d = NaiveDate::from_ymd_opt(day.year(), day.month(), 1)?;
        if d < day {
            d = d.checked_add_months(chrono::Months::new(1))?;
        }
        for _ in 0..120 {
            if self.is_period(d) {
                return Some(d);
            }
            d = d.checked_add_months(chrono::Months::new(1))?;
        }
        None
    }

    /// What `kind` needs.
    pub fn rule(&self, kind: PromotionKind) -> &KindRule {
        match kind {
            PromotionKind::Regular => &self.regular,
            PromotionKind::Functional => &self.functional,
            PromotionKind::Structural => &self.structural,
            PromotionKind::Diploma => &self.diploma,
            PromotionKind::Exceptional => &self.exceptional,
        }
    }

    /// The kind the record points to: the post's kind, else regular.
    pub fn kind_of(&self, facts: &PromotionFacts) -> PromotionKind {
        match facts.position_kind.as_deref() {
            Some("fungsional") => PromotionKind::Functional,
            Some("struktural") => PromotionKind::Structural,
            _ => PromotionKind::Regular,
        }
    }

    /// The credit points earned in rank before `period`: each year from the rank's TMT year to
    /// the year before the period, the rating's percentage of the level's coefficient.
    pub fn credit_points(&self, facts: &PromotionFacts, period: NaiveDate) -> f64 {
        let Some(level) = self.functional_level(facts) else {
            return 0.0;
        };
        let Some(since) = facts.rank_tmt else {
            return 0.0;
        };
        let total: f64 = facts
            .ratings
            .iter()
            .filter(|(y, _)| *y >= since.year() && *y < period.year())
            .filter_map(|(_, r)| self.credit_percent.get(r))
            .map(|p| (p * level.coefficient).round() / 100.0)
            .sum();
        (total * 100.0).round() / 100.0
    }

    fn functional_level(&self, facts: &PromotionFacts) -> Option<&FunctionalLevel> {
        let grade = facts.position_grade.as_deref()?;
        self.functional_levels.iter().find(|l| l.grade == grade)
    }

    /// Judges `kind` (or the record's own kind) for the period `period`.
    pub fn judge(
        &self,
        facts: &PromotionFacts,
        kind: Option<PromotionKind>,
        period: NaiveDate,
    ) -> Candidacy {
        let kind = kind.unwrap_or_else(|| self.kind_of(facts));
        let rule = self.rule(kind);
        let mut lacks = Vec::new();
        let mut blocked = Vec::new();
        let rank = facts.rank;
        let new_rank = match kind {
            PromotionKind::Diploma => facts
                .education
                .map(RankCode::entry_for)
                .filter(|e| rank.is_none_or(|r| *e > r)),
            _ => rank.and_then(RankCode::next),
        };

        if facts.employment_type != "pns" {
            blocked.push(violation(
                "not_pns",
                format!(
                    "Kenaikan pangkat hanya untuk PNS (status: {}).",
                    facts.employment_type
                ),
                format!(
                    "Promotion is only for a PNS (status: {}).",
                    facts.employment_type
                ),
                vec![seen("employment_type", txt(&facts.employment_type))],
            ));
        }
        let Some(current) = rank else {
            blocked.push(violation(
                "rank_not_recorded",
                "Pangkat terakhir belum tercatat.".into(),
                "The current rank is not on record.".into(),
                vec![seen("rank", None)],
            ));
            return self.candidacy(period, kind, None, None, None, lacks, blocked);
        };

        // Time in rank, and the first period it is met in.
        let months_needed = i64::from(rule.years_in_rank) * 12;
        let due_on = facts.rank_tmt.and_then(|tmt| {
            let from = crate::eligibility::shift(tmt, 0, months_needed as i32)?;
            self.period_on_or_after(from)
        });
        let in_rank = facts.rank_tmt.map(|t| months_between(t, period));
        let due = in_rank.is_some_and(|m| m >= months_needed);

        // The target rank: a next one, and within the kind's ceiling.
        match new_rank {
            None => blocked.push(violation(
                "no_higher_rank",
                format!("Tidak ada pangkat yang lebih tinggi dari {current} untuk jenis ini."),
                format!("There is no higher rank than {current} for this kind."),
                vec![seen("rank", txt(current.to_string()))],
            )),
            Some(next) => {
                if let Some(v) = self.ceiling(kind, facts, current, next) {
                    blocked.push(v);
                }
            }
        }

        // Sanctions running at the TMT.
        let running = |level: &str| {
            facts
                .sanctions
                .iter()
                .filter(|(l, s, e)| l == level && *s <= period && e.is_none_or(|e| e >= period))
                .count()
        };
        let sanctions: usize = self.blocking_sanctions.iter().map(|l| running(l)).sum();
        if sanctions > 0 {
            blocked.push(violation(
                "disciplinary_sanction",
                format!(
                    "Sedang menjalani hukuman disiplin tingkat {} ({sanctions} berjalan).",
                    self.blocking_sanctions.join("/")
                ),
                format!(
                    "A {} disciplinary sanction is running ({sanctions}).",
                    self.blocking_sanctions.join("/")
                ),
                vec![seen("sanctions_running", num(sanctions as f64))],
            ));
        }
        if running(&self.suspension) > 0 {
            blocked.push(violation(
                "suspended",
                "Sedang diberhentikan sementara.".into(),
                "Suspended from duty.".into(),
                vec![seen("suspension", txt(&self.suspension))],
            ));
        }

        // The last years' ratings.
        let at_least = rating_rank(rule.rating_at_least.code()).unwrap_or(0);
        for year in (period.year() - rule.rating_years as i32)..period.year() {
            match facts.ratings.iter().find(|(y, _)| *y == year) {
                None => lacks.push(violation(
                    "rating_missing",
                    format!("Predikat kinerja (SKP) tahun {year} belum tercatat."),
                    format!("The performance rating of {year} is not on record."),
                    vec![seen(&format!("rating({year})"), None)],
                )),
                Some((_, r)) if rating_rank(r).is_none_or(|x| x > at_least) => {
                    blocked.push(violation(
                        "rating_too_low",
                        format!(
                            "Predikat kinerja tahun {year} {r}; paling rendah {} diperlukan.",
                            rule.rating_at_least
                        ),
                        format!(
                            "The rating of {year} is {r}; at least {} is needed.",
                            rule.rating_at_least
                        ),
                        vec![seen(&format!("rating({year})"), txt(r))],
                    ))
                }
                Some(_) => {}
            }
        }

        // What the kind adds.
        match kind {
            PromotionKind::Functional => match self.functional_level(facts) {
                None => blocked.push(violation(
                    "functional_level_unknown",
                    "Jenjang jabatan fungsional tidak dikenal.".into(),
                    "The functional level of the post is not known.".into(),
                    vec![seen(
                        "position_grade",
                        facts.position_grade.clone().map(SeenValue::Text),
                    )],
                )),
                Some(level) => {
                    let points = self.credit_points(facts, period);
                    if points < level.per_promotion {
                        lacks.push(violation(
                            "credit_points",
                            format!(
                                "Angka kredit {points} dari {} yang diperlukan.",
                                level.per_promotion
                            ),
                            format!(
                                "{points} of the {} credit points needed.",
                                level.per_promotion
                            ),
                            vec![
                                seen("credit_points", num(points)),
                                seen("needed", num(level.per_promotion)),
                            ],
                        ));
                    }
                }
            },
            PromotionKind::Structural => {
                if facts.position_kind.as_deref() != Some("struktural") {
                    blocked.push(violation(
                        "not_structural",
                        "Hanya untuk pejabat struktural.".into(),
                        "Only for a structural post.".into(),
                        vec![seen(
                            "position_kind",
                            facts.position_kind.clone().map(SeenValue::Text),
                        )],
                    ));
                }
            }
            PromotionKind::Diploma => {
                if !facts.study_permit {
                    lacks.push(violation(
                        "study_permit_missing",
                        "Izin belajar atau tugas belajar belum tercatat.".into(),
                        "No study permit or assignment is on record.".into(),
                        vec![seen("study_permit", txt("none"))],
                    ));
                }
                if !self.passed(facts, &self.diploma_exam) {
                    lacks.push(violation(
                        "diploma_exam_missing",
                        "Ujian penyesuaian kenaikan pangkat (penyesuaian ijazah) belum lulus."
                            .into(),
                        "The diploma-adjustment exam is not passed.".into(),
                        vec![seen("exam", txt("ujian penyesuaian ijazah"))],
                    ));
                }
            }
            PromotionKind::Exceptional => {
                let last = period.year() - 1;
                let best = facts
                    .ratings
                    .iter()
                    .any(|(y, r)| *y == last && r == PerformanceRating::SangatBaik.code());
                if !best {
                    blocked.push(violation(
                        "not_exceptional",
                        format!("Predikat kinerja tahun {last} bukan Sangat Baik."),
                        format!("The rating of {last} is not Sangat Baik."),
                        vec![seen(
                            &format!("rating({last})"),
                            facts
                                .ratings
                                .iter()
                                .find(|(y, _)| *y == last)
                                .map(|(_, r)| SeenValue::Text(r.clone())),
                        )],
                    ));
                }
            }
            PromotionKind::Regular => {}
        }

        // The service exam to cross a golongan (not needed where the diploma sets the rank).
        if kind != PromotionKind::Diploma
            && let Some(exam) = self.exams.iter().find(|e| e.from == current)
            && !self.passed(facts, &exam.recorded_as)
        {
            lacks.push(violation(
                "exam_missing",
                format!("{} belum lulus (diperlukan dari {current}).", exam.name.id),
                format!("{} is not passed (needed from {current}).", exam.name.en),
                vec![seen("exam", txt(&exam.name.id))],
            ));
        }

        // The archive's documents.
        for needed in &rule.documents {
            if !needed.iter().any(|k| facts.archive.contains(k)) {
                let label = |k: &String| {
                    crate::archive::ArchiveKind::from_code(k)
                        .map_or_else(|| Text::new(k.as_str(), k.as_str()), |a| a.label())
                };
                let names: Vec<Text> = needed.iter().map(label).collect();
                let id: Vec<&str> = names.iter().map(|t| t.id.as_str()).collect();
                let en: Vec<&str> = names.iter().map(|t| t.en.as_str()).collect();
                lacks.push(violation(
                    "document_missing",
                    format!("{} belum ada di arsip.", id.join(" atau ")),
                    format!("No {} is in the archive.", en.join(" or ")),
                    vec![seen("document", txt(needed.join(" / ")))],
                ));
            }
        }

        if !due {
            let tmt = facts.rank_tmt.map(|t| t.to_string());
            let months = in_rank.unwrap_or_default();
            lacks.insert(
                0,
                violation(
                    "years_in_rank",
                    format!(
                        "Masa dalam pangkat {} tahun {} bulan dari {} tahun (TMT {}).",
                        months.max(0) / 12,
                        months.max(0) % 12,
                        rule.years_in_rank,
                        tmt.as_deref().unwrap_or("belum tercatat")
                    ),
                    format!(
                        "{} years {} months in rank of the {} needed (TMT {}).",
                        months.max(0) / 12,
                        months.max(0) % 12,
                        rule.years_in_rank,
                        tmt.as_deref().unwrap_or("not on record")
                    ),
                    vec![
                        seen("months_in_rank", num(months as f64)),
                        seen("needed_months", num(months_needed as f64)),
                    ],
                ),
            );
        }
        let mut c = self.candidacy(period, kind, rank, new_rank, due_on, lacks, blocked);
        if !due {
            c.standing = CandidateStanding::NotDue;
        }
        c
    }

    fn passed(&self, facts: &PromotionFacts, names: &[String]) -> bool {
        facts
            .training
            .iter()
            .any(|t| names.iter().any(|n| normalised(n) == normalised(t)))
    }

    fn ceiling(
        &self,
        kind: PromotionKind,
        facts: &PromotionFacts,
        current: RankCode,
        next: RankCode,
    ) -> Option<Violation> {
        let (ceiling, what) = match kind {
            PromotionKind::Regular => (
                facts
                    .education
                    .and_then(|e| self.ceilings.get(e.code()).copied()),
                facts.education.map(|e| e.code().to_owned()),
            ),
            PromotionKind::Functional => (
                self.functional_level(facts).map(|l| l.ceiling),
                facts.position_grade.clone(),
            ),
            PromotionKind::Structural => (
                facts
                    .position_grade
                    .as_deref()
                    .and_then(|g| self.structural_ceilings.get(g).copied()),
                facts.position_grade.clone(),
            ),
            PromotionKind::Diploma | PromotionKind::Exceptional => return None,
        };
        let what = what.unwrap_or_else(|| "-".into());
        match ceiling {
            Some(c) if next <= c => None,
            Some(c) => Some(violation(
                "ceiling",
                format!(
                    "Pangkat {current} sudah mencapai batas tertinggi {c} untuk {what}; kenaikan ke {next} tidak dapat diberikan."
                ),
                format!("Rank {current} is at the ceiling {c} for {what}; {next} cannot be given."),
                vec![
                    seen("rank", txt(current.to_string())),
                    seen("ceiling", txt(c.to_string())),
                    seen("basis", txt(what)),
                ],
            )),
            None => Some(violation(
                "ceiling_unknown",
                format!("Batas pangkat tertinggi untuk {what} tidak ada dalam kebijakan."),
                format!("The policy has no rank ceiling for {what}."),
                vec![seen("basis", txt(what))],
            )),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn candidacy(
        &self,
        period: NaiveDate,
        kind: PromotionKind,
        rank: Option<RankCode>,
        new_rank: Option<RankCode>,
        due_on: Option<NaiveDate>,
        lacks: Vec<Violation>,
        blocked: Vec<Violation>,
    ) -> Candidacy {
        let standing = if !blocked.is_empty() {
            CandidateStanding::Blocked
        } else if !lacks.is_empty() {
            CandidateStanding::Lacking
        } else {
            CandidateStanding::Ready
        };
        Candidacy {
            period,
            kind,
            standing,
            rank,
            new_rank,
            due_on,
            lacks,
            blocked,
        }
    }

    /// The employee's own outlook from `today`: the first period they are due in (judged for
    /// that period), or, when the time in rank cannot be told, the next period.
    pub fn projection(&self, facts: &PromotionFacts, today: NaiveDate) -> Option<Candidacy> {
        let next = self.period_on_or_after(today)?;
        let first = self.judge(facts, None, next);
        match first.due_on {
            Some(due) if due > next => Some(self.judge(facts, None, due)),
            _ => Some(first),
        }
    }
}

/// The employee's own outlook: the first period they are due in (judged for it), or none
/// when the record holds no rank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PromotionOutlook {
    pub candidacy: Option<Candidacy>,
}

/// Where a proposal (usulan) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "db",
    sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum PromotionStatus {
    /// Assembled by the fasilitator from the archive.
    Draft,
    /// Checked by the fasilitator; waits for the administrator's batch.
    Verified,
    /// In the batch: the connector is sending it to BKN.
    Sending,
    /// At BKN: waiting for its verification.
    Sent,
    /// Returned by BKN (BTS, berkas tidak sesuai), with its reasons.
    Returned,
    /// Refused by BKN's validation before it was taken (the reason is kept).
    Failed,
    /// BKN's technical consideration (Pertek) is in; the SK is being decided and signed.
    Pertek,
    /// The SK is signed: the connector is uploading it.
    Uploading,
    /// The signed SK is at BKN; the rank changes on the TMT.
    Uploaded,
    /// The new rank is on record.
    Effective,
}

impl PromotionStatus {
    /// Still on its way (one open proposal per employee).
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Returned | Self::Failed | Self::Effective)
    }
}

/// A fasilitator's new proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewProposal {
    pub nip: String,
    /// The period's TMT (the 1st of a month in the schedule).
    pub period: NaiveDate,
    /// The kind; the record's own (post) kind when absent.
    #[serde(default)]
    pub kind: Option<PromotionKind>,
}

/// One document of a proposal, from the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalDocument {
    pub kind: String,
    pub archive_id: Uuid,
    pub attachment_id: Uuid,
}

/// BKN's technical consideration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pertek {
    pub number: String,
    pub date: NaiveDate,
    pub new_rank: RankCode,
    pub tmt: NaiveDate,
    /// The new base salary, in rupiah.
    pub base_salary: Option<i64>,
}

/// A proposal as the fasilitator, the administrator and the employee see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalView {
    pub id: Uuid,
    pub employee: crate::people::PersonRef,
    pub unit_code: String,
    pub period: NaiveDate,
    pub kind: PromotionKind,
    pub status: PromotionStatus,
    pub rank: RankCode,
    pub new_rank: RankCode,
    pub documents: Vec<ProposalDocument>,
    /// BKN's id of the proposal (id usulan), once sent.
    pub bkn_id: Option<String>,
    pub pertek: Option<Pertek>,
    /// BKN's reasons for a return (BTS), or its validation error.
    pub reasons: Vec<String>,
    /// The SK's request in the service engine, once the Pertek is in.
    pub request_id: Option<Uuid>,
    pub attempts: u32,
    pub next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_error: Option<String>,
    pub version: u32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// A row of the candidate list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Candidate {
    pub employee: crate::people::PersonRef,
    pub unit_code: String,
    pub candidacy: Candidacy,
    /// The employee's open proposal, if any.
    pub proposal: Option<Uuid>,
}

/// The candidate list of a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CandidateList {
    pub period: NaiveDate,
    /// Employees judged (active, in the units asked for).
    pub judged: u32,
    pub candidates: Vec<Candidate>,
}

/// The administrator's batch: send every verified proposal of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalBatch {
    pub period: NaiveDate,
}

/// What a batch queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchQueued {
    pub period: NaiveDate,
    pub queued: u32,
}

/// One call to BKN, as the exchange log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Exchange {
    pub id: i64,
    pub proposal_id: Option<Uuid>,
    /// `token`, `find`, `submit`, `upload_document`, `status`, `upload_sk`.
    pub operation: String,
    /// The HTTP status BKN answered, if it answered.
    pub status: Option<u16>,
    /// `ok`, `retry`, `refused`, `returned`.
    pub outcome: String,
    pub detail: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn policy() -> PromotionPolicy {
        PromotionPolicy::embedded()
    }

    fn staff(rank: &str, tmt: &str, education: EducationLevel) -> PromotionFacts {
        PromotionFacts {
            employment_type: "pns".into(),
            rank: Some(rank.parse().unwrap()),
            rank_tmt: Some(d(tmt)),
            education: Some(education),
            position_kind: Some("pelaksana".into()),
            position_grade: None,
            ratings: vec![(2025, "baik".into()), (2026, "baik".into())],
            sanctions: vec![],
            training: vec![],
            archive: vec!["sk_pangkat".into(), "ijazah".into(), "transkrip".into()],
            study_permit: false,
        }
    }

    fn codes(v: &[Violation]) -> Vec<&str> {
        v.iter().map(|v| v.code.as_str()).collect()
    }

    #[test]
    fn periods_follow_the_schedule_in_force() {
        let p = policy();
        // PP 99/2000: April and October.
        assert_eq!(p.period_on_or_after(d("2023-05-02")), Some(d("2023-10-01")));
        // Peraturan BKN 4/2023: every second month from 2024.
        assert_eq!(p.period_on_or_after(d("2024-02-02")), Some(d("2024-04-01")));
        // Peraturan BKN 4/2025: every month from 1 October 2025.
        assert_eq!(p.period_on_or_after(d("2025-10-02")), Some(d("2025-11-01")));
        assert!(p.is_period(d("2027-03-01")));
        assert!(!p.is_period(d("2027-03-02")));
    }

    #[test]
    fn regular_four_years_and_two_ratings() {
        let p = policy();
        // III/a since 1 Apr 2023, S1: due 1 Apr 2027 for III/b.
        let f = staff("III/a", "2023-04-01", EducationLevel::S1);
        let c = p.judge(&f, None, d("2027-04-01"));
        assert_eq!(c.standing, CandidateStanding::Ready, "{c:?}");
        assert_eq!(c.kind, PromotionKind::Regular);
        assert_eq!(c.new_rank, Some("III/b".parse().unwrap()));
        assert_eq!(c.due_on, Some(d("2027-04-01")));
        // A month early: not due, with the months seen.
        let c = p.judge(&f, None, d("2027-03-01"));
        assert_eq!(c.standing, CandidateStanding::NotDue);
        assert_eq!(codes(&c.lacks), ["years_in_rank"]);
        assert_eq!(c.lacks[0].seen[0].value, Some(SeenValue::Number(47.0)));
        // A Butuh Perbaikan in 2026 blocks; a missing 2025 rating is lacking.
        let mut low = f.clone();
        low.ratings = vec![(2026, "butuh_perbaikan".into())];
        let c = p.judge(&low, None, d("2027-04-01"));
        assert_eq!(c.standing, CandidateStanding::Blocked);
        assert_eq!(codes(&c.lacks), ["rating_missing"]);
        assert_eq!(codes(&c.blocked), ["rating_too_low"]);
    }

    #[test]
    fn the_ceiling_by_education_blocks_a_regular_promotion() {
        let p = policy();
        // SMA: ceiling III/b. At III/b, III/c is refused, naming the ceiling.
        let f = staff("III/b", "2020-04-01", EducationLevel::Sma);
        let c = p.judge(&f, None, d("2027-04-01"));
        assert_eq!(c.standing, CandidateStanding::Blocked);
        assert_eq!(codes(&c.blocked), ["ceiling"]);
        assert!(c.blocked[0].seen.contains(&Seen {
            what: "ceiling".into(),
            value: Some(SeenValue::Text("III/b".into()))
        }));
        // S1 reaches III/d, never IV/a by the regular path.
        let f = staff("III/c", "2020-04-01", EducationLevel::S1);
        assert_eq!(
            p.judge(&f, None, d("2027-04-01")).standing,
            CandidateStanding::Ready
        );
        let mut f = staff("III/d", "2020-04-01", EducationLevel::S1);
        f.training = vec!["Ujian Dinas Tingkat II".into()];
        assert_eq!(
            codes(&p.judge(&f, None, d("2027-04-01")).blocked),
            ["ceiling"]
        );
    }

    #[test]
    fn the_service_exams_at_ii_d_and_iii_d() {
        let p = policy();
        let mut f = staff("II/d", "2020-04-01", EducationLevel::D4);
        let c = p.judge(&f, None, d("2027-04-01"));
        assert_eq!(codes(&c.lacks), ["exam_missing"]);
        assert_eq!(c.standing, CandidateStanding::Lacking);
        // Level II does not stand for level I.
        f.training = vec!["Ujian Dinas Tingkat II".into()];
        assert_eq!(
            codes(&p.judge(&f, None, d("2027-04-01")).lacks),
            ["exam_missing"]
        );
        f.training = vec!["  ujian dinas tingkat i ".into()];
        assert_eq!(
            p.judge(&f, None, d("2027-04-01")).standing,
            CandidateStanding::Ready
        );
        // III/d with S2 needs level II.
        let f = staff("III/d", "2020-04-01", EducationLevel::S2);
        assert_eq!(
            codes(&p.judge(&f, None, d("2027-04-01")).lacks),
            ["exam_missing"]
        );
    }

    #[test]
    fn functional_posts_count_credit_points() {
        let p = policy();
        let mut f = staff("III/a", "2024-04-01", EducationLevel::S1);
        f.position_kind = Some("fungsional".into());
        f.position_grade = Some("ahli_pertama".into());
        // 2024 baik 12.5, 2025 baik 12.5, 2026 sangat baik 18.75: 43.75 of 50.
        f.ratings = vec![
            (2024, "baik".into()),
            (2025, "baik".into()),
            (2026, "sangat_baik".into()),
        ];
        let c = p.judge(&f, None, d("2027-04-01"));
        assert_eq!(c.kind, PromotionKind::Functional);
        assert_eq!(codes(&c.lacks), ["credit_points"]);
        assert_eq!(c.lacks[0].seen[0].value, Some(SeenValue::Number(43.75)));
        // A year more: 62.5, and the level's ceiling III/b allows III/b.
        f.ratings.push((2027, "sangat_baik".into()));
        let c = p.judge(&f, None, d("2028-04-01"));
        assert_eq!(c.standing, CandidateStanding::Ready, "{c:?}");
        // At III/b the level Ahli Pertama stops.
        f.rank = Some("III/b".parse().unwrap());
        let c = p.judge(&f, None, d("2028-04-01"));
        assert_eq!(codes(&c.blocked), ["ceiling"]);
    }

    #[test]
    fn structural_posts_go_past_the_education_ceiling_up_to_the_post() {
        let p = policy();
        let mut f = staff("III/b", "2022-04-01", EducationLevel::Sma);
        f.position_kind = Some("struktural".into());
        f.position_grade = Some("IV.a".into());
        let c = p.judge(&f, None, d("2027-04-01"));
        assert_eq!(c.kind, PromotionKind::Structural);
        assert_eq!(c.standing, CandidateStanding::Ready, "{c:?}");
        // Asked as regular, the education ceiling stands.
        let c = p.judge(&f, Some(PromotionKind::Regular), d("2027-04-01"));
        assert_eq!(codes(&c.blocked), ["ceiling"]);
    }

    #[test]
    fn diploma_adjustment_needs_the_permit_and_the_exam() {
        let p = policy();
        // II/c with a new S1: to III/a after a year in rank.
        let mut f = staff("II/c", "2026-03-01", EducationLevel::S1);
        let c = p.judge(&f, Some(PromotionKind::Diploma), d("2027-04-01"));
        assert_eq!(c.new_rank, Some("III/a".parse().unwrap()));
        assert_eq!(
            codes(&c.lacks),
            ["study_permit_missing", "diploma_exam_missing"]
        );
        f.study_permit = true;
        f.training = vec!["Ujian Penyesuaian Kenaikan Pangkat".into()];
        let c = p.judge(&f, Some(PromotionKind::Diploma), d("2027-04-01"));
        assert_eq!(c.standing, CandidateStanding::Ready, "{c:?}");
        // A diploma that gives no higher rank gives no adjustment.
        let f = staff("III/a", "2026-03-01", EducationLevel::S1);
        let c = p.judge(&f, Some(PromotionKind::Diploma), d("2027-04-01"));
        assert_eq!(codes(&c.blocked), ["no_higher_rank"]);
    }

    #[test]
    fn exceptional_performance_needs_sangat_baik_last_year() {
        let p = policy();
        let mut f = staff("III/a", "2025-04-01", EducationLevel::S1);
        let c = p.judge(&f, Some(PromotionKind::Exceptional), d("2027-04-01"));
        assert_eq!(codes(&c.blocked), ["not_exceptional"]);
        f.ratings = vec![(2025, "baik".into()), (2026, "sangat_baik".into())];
        f.archive.push("piagam_penghargaan".into());
        let c = p.judge(&f, Some(PromotionKind::Exceptional), d("2027-04-01"));
        assert_eq!(c.standing, CandidateStanding::Ready, "{c:?}");
    }

    #[test]
    fn sanctions_and_suspension_block_while_they_run() {
        let p = policy();
        let mut f = staff("III/a", "2023-04-01", EducationLevel::S1);
        f.sanctions = vec![
            ("sedang".into(), d("2026-06-01"), Some(d("2027-06-01"))),
            ("ringan".into(), d("2026-06-01"), None),
        ];
        let c = p.judge(&f, None, d("2027-04-01"));
        assert_eq!(codes(&c.blocked), ["disciplinary_sanction"]);
        // Over by the next period but one.
        assert_eq!(
            p.judge(&f, None, d("2027-07-01")).standing,
            CandidateStanding::Ready
        );
        f.sanctions = vec![("pemberhentian_sementara".into(), d("2027-01-01"), None)];
        assert_eq!(
            codes(&p.judge(&f, None, d("2027-04-01")).blocked),
            ["suspended"]
        );
    }

    #[test]
    fn missing_documents_are_named() {
        let p = policy();
        let mut f = staff("III/a", "2023-04-01", EducationLevel::S1);
        f.archive = vec!["sk_cpns".into()];
        let c = p.judge(&f, None, d("2027-04-01"));
        assert_eq!(codes(&c.lacks), ["document_missing"]);
        assert_eq!(
            c.lacks[0].seen[0].value,
            Some(SeenValue::Text("ijazah".into()))
        );
    }

    #[test]
    fn the_projection_is_the_first_period_due() {
        let p = policy();
        let f = staff("III/a", "2023-04-01", EducationLevel::S1);
        let c = p.projection(&f, d("2026-12-03")).unwrap();
        assert_eq!(c.period, d("2027-04-01"));
        assert_eq!(c.standing, CandidateStanding::Ready);
    }
}
