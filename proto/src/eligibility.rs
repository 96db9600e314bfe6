//! Declarative eligibility: a service's conditions as data, a small typed expression language
//! over the employee's record, their archive, the form and the calendar. The server and the
//! phone (abdi-core) run this one evaluator over the same [`Facts`], so the phone can say offline
//! "9 of 10 years of service" and the server says the same when the request arrives.
//!
//! The language has four sorts, each a tagged JSON object:
//! - a [`Test`] is true or false (`all`, `any`, `not`, `compare`, `one_of`);
//! - a [`Number`] (`const`, `years`, `months`, `days`, `count`, `form_number`);
//! - a [`Day`], a date (`today`, `date`, `form`, a record date, `shift`, `retirement`);
//! - a [`Word`], a text value (`employment_type`, `golongan`, `form_text`, ...).
//!
//! A [`Condition`] names one requirement with a stable reason code and its id/en text. Every
//! failing condition is reported, with the values the evaluation saw. [`Eligibility::check`]
//! refuses a malformed set when a service is saved, never when a request arrives.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::archive::ArchiveKind;
pub use crate::error::Seen;
use crate::error::Text;
use crate::error::Violation;
use crate::forms::{FieldKind, FormSchema, FormValues};
use crate::master::{EducationLevel, FamilyRelation, PerformanceRating, PositionKind, Vocabulary};
use crate::rank::RankCode;
use crate::record::EmployeeRecord;

/// The language version this build reads and writes.
pub const VERSION: u32 = 1;

/// The deepest nesting of tests a condition may have.
pub const MAX_DEPTH: usize = 8;

/// A service's eligibility: every condition must hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Eligibility {
    /// The language version (1).
    pub version: u32,
    /// Named constants the conditions read (`param`) and a service's own rules may read: the
    /// facts a regulation leaves to be confirmed, kept as data an administrator can change.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, f64>,
    pub conditions: Vec<Condition>,
}

impl Default for Eligibility {
    fn default() -> Self {
        Self {
            version: VERSION,
            params: BTreeMap::new(),
            conditions: Vec::new(),
        }
    }
}

/// One requirement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Condition {
    /// The stable reason code reported when the condition fails, e.g. `service_years`.
    pub code: String,
    /// The requirement as shown when it fails. `{seen}` and `{need}` are replaced by the two
    /// sides of the first comparison: "Masa kerja {seen} dari {need} tahun".
    pub text: Text,
    /// The form field the condition is about, if any (the form shows the message there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub test: Test,
}

/// A true-or-false expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Test {
    /// Every test holds.
    All {
        #[cfg_attr(feature = "openapi", schema(no_recursion))]
        of: Vec<Test>,
    },
    /// At least one test holds.
    Any {
        #[cfg_attr(feature = "openapi", schema(no_recursion))]
        of: Vec<Test>,
    },
    /// The test does not hold.
    Not {
        #[cfg_attr(feature = "openapi", schema(no_recursion))]
        test: Box<Test>,
    },
    /// `left cmp right`. A number the record lacks (no TMT CPNS, say) makes it false.
    Compare {
        left: Number,
        cmp: Cmp,
        right: Number,
    },
    /// The word is one of `values`. A word the record lacks makes it false.
    OneOf { word: Word, values: Vec<String> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Cmp {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
    Ne,
}

impl Cmp {
    fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Self::Ge => a >= b,
            Self::Gt => a > b,
            Self::Le => a <= b,
            Self::Lt => a < b,
            Self::Eq => a == b,
            Self::Ne => a != b,
        }
    }
}

/// A number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "of", rename_all = "snake_case", deny_unknown_fields)]
pub enum Number {
    Const {
        value: f64,
    },
    /// Whole years from one day to another (an age, a length of service); negative when
    /// `to` is before `from`.
    Years {
        from: Day,
        to: Day,
    },
    /// Whole months from one day to another.
    Months {
        from: Day,
        to: Day,
    },
    /// Calendar days from one day to another.
    Days {
        from: Day,
        to: Day,
    },
    /// Working days after `from` up to and including `to` (Monday to Friday, less the
    /// holiday calendar's days off); negative when `to` is before `from`.
    WorkingDays {
        from: Day,
        to: Day,
    },
    /// One of the set's named constants.
    Param {
        name: String,
    },
    /// How many entries of the record or the archive match.
    Count {
        items: Items,
    },
    /// A number field of the form, or a choice whose options are numbers.
    FormNumber {
        field: String,
    },
}

/// A date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "day", rename_all = "snake_case", deny_unknown_fields)]
pub enum Day {
    /// The day of the evaluation.
    Today,
    Date {
        value: NaiveDate,
    },
    /// A date field, or the start or end of a date-range field, of the form.
    Form {
        field: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        part: Option<RangePart>,
    },
    BirthDate,
    /// When continuous service began: TMT CPNS, or for PPPK 1 January of the appointment year
    /// in their number.
    ServiceStart,
    TmtPns,
    /// The TMT of the current rank.
    RankTmt,
    /// The TMT of the latest post.
    PostTmt,
    /// The TMT of the latest salary decree (the last periodic raise).
    SalaryTmt,
    /// A day moved by whole years and months (negative moves back).
    Shift {
        #[cfg_attr(feature = "openapi", schema(no_recursion))]
        base: Box<Day>,
        #[serde(default)]
        years: i32,
        #[serde(default)]
        months: i32,
    },
    /// The retirement TMT: the first of the month after the birthday of the retirement age
    /// (BUP) that the first matching rule gives (PP 11/2017 Pasal 239, 354).
    Retirement {
        ages: Vec<RetirementAge>,
        /// The age when no rule matches.
        otherwise: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RangePart {
    Start,
    End,
}

/// A retirement age for posts of a kind, optionally only of some grades (eselon or
/// functional level, as the organisation records them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetirementAge {
    pub kind: PositionKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grades: Vec<String>,
    pub age: u32,
}

/// A text value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "of", rename_all = "snake_case", deny_unknown_fields)]
pub enum Word {
    /// `pns`, `cpns` or `pppk`.
    EmploymentType,
    Gender,
    /// The rank code, e.g. `III/a`.
    Rank,
    /// The golongan of the rank: `I` to `IV`.
    Golongan,
    /// The highest education level (`s1`, ...).
    EducationLevel,
    /// `struktural`, `fungsional` or `pelaksana`.
    PositionKind,
    /// The post's eselon or functional level.
    PositionGrade,
    /// A choice or text field of the form.
    FormText {
        field: String,
    },
}

/// Entries counted by [`Number::Count`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "in", rename_all = "snake_case", deny_unknown_fields)]
pub enum Items {
    /// Disciplinary sanctions of the given levels (all when empty): those that started in the
    /// last `within_years` years if given, only those running today if `running`.
    Sanctions {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        levels: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        within_years: Option<u32>,
        #[serde(default)]
        running: bool,
    },
    /// Of the last `years` calendar years before this one, those rated at least `at_least`.
    Ratings {
        years: u32,
        at_least: PerformanceRating,
    },
    /// Family members of the given relations (all when empty).
    Family {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        relations: Vec<FamilyRelation>,
    },
    /// Archived documents of a kind.
    Documents { kind: ArchiveKind },
    /// Education entries at or above a level.
    Education { at_least: EducationLevel },
    /// Awards whose name contains the text (any case).
    Awards { named: String },
    /// Training entries whose name contains the text (any case): `latsar`.
    Training { named: String },
}

/// The sanction levels of the disciplinary record.
pub const SANCTION_LEVELS: [&str; 4] = ["ringan", "sedang", "berat", "pemberhentian_sementara"];

/// What the evaluation reads: the record, the kinds of the archived documents, the form, the
/// day and the days off of the holiday calendar.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub record: &'a EmployeeRecord,
    pub archive: &'a [ArchiveKind],
    pub form: &'a FormValues,
    pub today: NaiveDate,
    /// Days off (holidays and cuti bersama), sorted; read only by `working_days`.
    pub days_off: &'a [NaiveDate],
}

/// A date-driven service's event: the employee (and their fasilitator) are told `notice_days`
/// before it falls (the next periodic raise, the retirement TMT, a service anniversary).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueDate {
    /// What falls due, as the notice says it ("Kenaikan gaji berkala").
    pub event: Text,
    /// When, from the record alone (no form, no `today`).
    pub on: Day,
    pub notice_days: u32,
}

impl DueDate {
    /// Refuses a date that needs a form or the day itself.
    pub fn check(&self) -> Result<(), String> {
        if self.event.id.trim().is_empty() || self.event.en.trim().is_empty() {
            return Err("a due date needs its event in both languages".into());
        }
        if self.notice_days > 800 {
            return Err("a due date's notice is at most 800 days".into());
        }
        let mut uses_today = false;
        let mut d = &self.on;
        loop {
            match d {
                Day::Today => uses_today = true,
                Day::Shift { base, .. } => {
                    d = base;
                    continue;
                }
                _ => {}
            }
            break;
        }
        if uses_today {
            return Err("a due date is worked out from the record, not from today".into());
        }
        check_day(&self.on, &FormSchema::default(), 1)
    }

    /// When the event falls for this record, if the record has the dates it needs.
    pub fn date(&self, record: &EmployeeRecord) -> Option<NaiveDate> {
        let facts = Facts {
            record,
            archive: &[],
            form: &FormValues::new(),
            today: NaiveDate::MIN,
            days_off: &[],
        };
        day(&self.on, &facts)
    }
}

/// The answer: eligible, or every failing condition with what it saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evaluation {
    /// The day the conditions were evaluated on.
    pub on: NaiveDate,
    pub eligible: bool,
    pub failures: Vec<Violation>,
}

impl Eligibility {
    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }

    /// Refuses a set that cannot be evaluated against `form`: an unknown version, an empty
    /// or repeated code, an empty text, a reference to a field the form lacks or of the
    /// wrong kind, an empty `all`/`any`, an unknown value, or nesting deeper than
    /// [`MAX_DEPTH`]. Returns the first problem, in English, with where it is.
    pub fn check(&self, form: &FormSchema) -> Result<(), String> {
        let named = |n: &str| n.split('.').all(is_code);
        if let Some((name, _)) = self
            .params
            .iter()
            .find(|(n, v)| !named(n) || !v.is_finite())
        {
            return Err(format!(
                "the constant '{name}' needs a snake_case name (dots between parts) and a finite value"
            ));
        }
        if self.version != VERSION {
            return Err(format!(
                "eligibility version {} is not known (this server reads {VERSION})",
                self.version
            ));
        }
        let mut codes = BTreeSet::new();
        for (i, c) in self.conditions.iter().enumerate() {
            let at = |why: String| format!("condition {} ('{}'): {why}", i + 1, c.code);
            if !is_code(&c.code) || !codes.insert(c.code.as_str()) {
                return Err(at(
                    "the code must be snake_case (a-z, 0-9, _) and not repeated".into(),
                ));
            }
            if c.text.id.trim().is_empty() || c.text.en.trim().is_empty() {
                return Err(at("the text needs both Bahasa Indonesia and English".into()));
            }
            if let Some(f) = &c.field
                && !form.fields.iter().any(|x| &x.name == f)
            {
                return Err(at(format!("the form has no field '{f}'")));
            }
            check_test(
                &c.test,
                &Scope {
                    form,
                    params: &self.params,
                },
                1,
            )
            .map_err(at)?;
        }
        Ok(())
    }

    /// Evaluates every condition (a request as sent: an empty or missing form value fails
    /// the conditions on it); the failing ones are reported in order, each with the values
    /// it saw.
    pub fn evaluate(&self, facts: &Facts<'_>) -> Evaluation {
        self.evaluate_where(facts, |_| true)
    }

    /// Ahead of the form: only the conditions on the record, the archive and the calendar
    /// (whether it is worth filling the form in at all). `facts.form` is not read.
    pub fn ahead(&self, facts: &Facts<'_>) -> Evaluation {
        self.evaluate_where(facts, |c| !on_form(&c.test))
    }

    fn evaluate_where(&self, facts: &Facts<'_>, keep: impl Fn(&Condition) -> bool) -> Evaluation {
        let failures: Vec<Violation> = self
            .conditions
            .iter()
            .filter(|c| keep(c))
            .filter_map(|c| {
                let mut trace = Trace::default();
                let at = At {
                    facts,
                    params: &self.params,
                };
                (!test(&c.test, &at, &mut trace)).then(|| trace.failure(c))
            })
            .collect();
        Evaluation {
            on: facts.today,
            eligible: failures.is_empty(),
            failures,
        }
    }
}

/// What a condition is checked against when saved.
struct Scope<'a> {
    form: &'a FormSchema,
    params: &'a BTreeMap<String, f64>,
}

/// What a condition is evaluated over.
struct At<'a> {
    facts: &'a Facts<'a>,
    params: &'a BTreeMap<String, f64>,
}

/// What one condition's evaluation saw.
#[derive(Default)]
struct Trace {
    seen: Vec<Seen>,
    /// The two sides of the first comparison, for `{seen}` and `{need}`.
    first: Option<(Value, Value)>,
    /// The word and the values of the first `one_of`, when there is no comparison.
    word: Option<(Value, Value)>,
}

impl Trace {
    fn saw(&mut self, what: String, value: Value) {
        if !self.seen.iter().any(|s| s.what == what) {
            self.seen.push(Seen {
                what,
                value: crate::error::SeenValue::of(&value),
            });
        }
    }

    fn failure(self, c: &Condition) -> Violation {
        let pair = self.first.as_ref().or(self.word.as_ref());
        // A value the record lacks is said so, in each language.
        let fill = |t: &str, missing: &str| {
            let side =
                |v: Option<&Value>| v.map_or_else(|| missing.to_owned(), |v| show(v, missing));
            t.replace("{seen}", &side(pair.map(|p| &p.0)))
                .replace("{need}", &side(pair.map(|p| &p.1)))
        };
        Violation {
            code: c.code.clone(),
            field: c.field.clone(),
            message: Text::new(
                fill(&c.text.id, "belum tercatat"),
                fill(&c.text.en, "not on record"),
            ),
            seen: self.seen,
        }
    }
}

/// A value as a message prints it: whole numbers without a decimal point.
fn show(v: &Value, missing: &str) -> String {
    match v {
        Value::Null => missing.to_owned(),
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn check_test(t: &Test, scope: &Scope<'_>, depth: usize) -> Result<(), String> {
    let form = scope.form;
    if depth > MAX_DEPTH {
        return Err(format!("tests nest deeper than {MAX_DEPTH}"));
    }
    match t {
        Test::All { of } | Test::Any { of } => {
            if of.is_empty() {
                return Err("'all' and 'any' need at least one test".into());
            }
            of.iter().try_for_each(|t| check_test(t, scope, depth + 1))
        }
        Test::Not { test } => check_test(test, scope, depth + 1),
        Test::Compare { left, right, .. } => {
            check_number(left, scope, depth + 1)?;
            check_number(right, scope, depth + 1)
        }
        Test::OneOf { word, values } => {
            if values.is_empty() {
                return Err("'one_of' needs at least one value".into());
            }
            if let Word::FormText { field } = word {
                match kind(form, field)? {
                    FieldKind::Choice { options } => {
                        if let Some(v) = values
                            .iter()
                            .find(|v| !options.iter().any(|o| &o.value == *v))
                        {
                            return Err(format!("the field '{field}' has no option '{v}'"));
                        }
                    }
                    FieldKind::Text { .. } => {}
                    _ => return Err(format!("the field '{field}' is not a choice or a text")),
                }
            }
            Ok(())
        }
    }
}

fn kind<'a>(form: &'a FormSchema, field: &str) -> Result<&'a FieldKind, String> {
    form.fields
        .iter()
        .find(|f| f.name == field)
        .map(|f| &f.kind)
        .ok_or_else(|| format!("the form has no field '{field}'"))
}

fn check_number(n: &Number, scope: &Scope<'_>, depth: usize) -> Result<(), String> {
    let form = scope.form;
    match n {
        Number::Const { value } if !value.is_finite() => Err("a constant must be finite".into()),
        Number::Const { .. } => Ok(()),
        Number::Years { from, to }
        | Number::Months { from, to }
        | Number::Days { from, to }
        | Number::WorkingDays { from, to } => {
            check_day(from, form, depth + 1)?;
            check_day(to, form, depth + 1)
        }
        Number::Param { name } if !scope.params.contains_key(name) => Err(format!(
            "the constant '{name}' is not among the set's params"
        )),
        Number::Param { .. } => Ok(()),
        Number::Count { items } => match items {
            Items::Sanctions {
                levels,
                within_years,
                ..
            } => {
                if let Some(l) = levels
                    .iter()
                    .find(|l| !SANCTION_LEVELS.contains(&l.as_str()))
                {
                    return Err(format!(
                        "'{l}' is not a sanction level ({})",
                        SANCTION_LEVELS.join(", ")
                    ));
                }
                if within_years.is_some_and(|n| !(1..=100).contains(&n)) {
                    return Err("'within_years' is 1 to 100".into());
                }
                Ok(())
            }
            Items::Ratings { years, .. } if !(1..=10).contains(years) => {
                Err("ratings are counted over 1 to 10 years".into())
            }
            Items::Awards { named } | Items::Training { named } if named.trim().is_empty() => {
                Err("the name to look for is empty".into())
            }
            _ => Ok(()),
        },
        Number::FormNumber { field } => match kind(form, field)? {
            FieldKind::Number { .. } => Ok(()),
            FieldKind::Choice { options }
                if options
                    .iter()
                    .all(|o| o.value.parse::<f64>().is_ok_and(f64::is_finite)) =>
            {
                Ok(())
            }
            _ => Err(format!(
                "the field '{field}' is not a number (or a choice of numbers)"
            )),
        },
    }
}

fn check_day(d: &Day, form: &FormSchema, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("days nest deeper than {MAX_DEPTH}"));
    }
    match d {
        Day::Form { field, part } => match (kind(form, field)?, part) {
            (FieldKind::Date { .. }, None) | (FieldKind::DateRange { .. }, Some(_)) => Ok(()),
            (FieldKind::DateRange { .. }, None) => Err(format!(
                "the field '{field}' is a period: say which part (start or end)"
            )),
            _ => Err(format!("the field '{field}' is not a date")),
        },
        Day::Shift {
            base,
            years,
            months,
        } => {
            if years.abs() > 100 || months.abs() > 1200 {
                return Err("a shift moves at most 100 years".into());
            }
            check_day(base, form, depth + 1)
        }
        Day::Retirement { ages, otherwise } => {
            if let Some(a) = ages
                .iter()
                .map(|a| a.age)
                .chain([*otherwise])
                .find(|a| !(40..=80).contains(a))
            {
                return Err(format!("a retirement age of {a} is outside 40 to 80"));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn test(t: &Test, f: &At<'_>, trace: &mut Trace) -> bool {
    match t {
        // Every branch is evaluated (no short cut), so every value is seen.
        Test::All { of } => of
            .iter()
            .map(|t| test(t, f, trace))
            .fold(true, |a, b| a & b),
        Test::Any { of } => of
            .iter()
            .map(|t| test(t, f, trace))
            .fold(false, |a, b| a | b),
        Test::Not { test: inner } => !test(inner, f, trace),
        Test::Compare { left, cmp, right } => {
            let (l, r) = (number(left, f), number(right, f));
            let value = |n: Option<f64>| n.map_or(Value::Null, Value::from);
            trace.first.get_or_insert((value(l), value(r)));
            for (n, v) in [(left, l), (right, r)] {
                if !matches!(n, Number::Const { .. }) {
                    trace.saw(describe(n), value(v));
                }
            }
            matches!((l, r), (Some(a), Some(b)) if cmp.holds(a, b))
        }
        Test::OneOf { word: w, values } => {
            let got = word(w, f.facts);
            trace.word.get_or_insert((
                got.clone().map_or(Value::Null, Value::from),
                Value::from(values.join(", ")),
            ));
            trace.saw(word_name(w), got.clone().map_or(Value::Null, Value::from));
            got.is_some_and(|g| values.contains(&g))
        }
    }
}

/// Whether a test reads the form.
fn on_form(t: &Test) -> bool {
    fn day(d: &Day) -> bool {
        match d {
            Day::Form { .. } => true,
            Day::Shift { base, .. } => day(base),
            _ => false,
        }
    }
    fn number(n: &Number) -> bool {
        match n {
            Number::FormNumber { .. } => true,
            Number::Years { from, to }
            | Number::Months { from, to }
            | Number::Days { from, to }
            | Number::WorkingDays { from, to } => day(from) || day(to),
            _ => false,
        }
    }
    match t {
        Test::All { of } | Test::Any { of } => of.iter().any(on_form),
        Test::Not { test } => on_form(test),
        Test::Compare { left, right, .. } => number(left) || number(right),
        Test::OneOf { word, .. } => matches!(word, Word::FormText { .. }),
    }
}

fn word_name(w: &Word) -> String {
    match w {
        Word::FormText { field } => format!("form.{field}"),
        other => serde_json::to_value(other)
            .ok()
            .and_then(|v| v.get("of").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default(),
    }
}

fn describe(n: &Number) -> String {
    match n {
        Number::Const { .. } => "const".into(),
        Number::Years { from, to } => format!("years({}..{})", day_name(from), day_name(to)),
        Number::Months { from, to } => format!("months({}..{})", day_name(from), day_name(to)),
        Number::Days { from, to } => format!("days({}..{})", day_name(from), day_name(to)),
        Number::WorkingDays { from, to } => {
            format!("working_days({}..{})", day_name(from), day_name(to))
        }
        Number::Param { name } => format!("param.{name}"),
        Number::Count { items } => format!(
            "count({})",
            serde_json::to_value(items)
                .ok()
                .and_then(|v| v.get("in").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_default()
        ),
        Number::FormNumber { field } => format!("form.{field}"),
    }
}

fn day_name(d: &Day) -> String {
    match d {
        Day::Date { value } => value.to_string(),
        Day::Form { field, .. } => format!("form.{field}"),
        Day::Shift { base, .. } => day_name(base),
        other => serde_json::to_value(other)
            .ok()
            .and_then(|v| v.get("day").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default(),
    }
}

fn number(n: &Number, at: &At<'_>) -> Option<f64> {
    let f = at.facts;
    match n {
        Number::Const { value } => Some(*value),
        Number::Years { from, to } => {
            Some(months_between(day(from, f)?, day(to, f)?).div_euclid(12) as f64)
        }
        Number::Months { from, to } => Some(months_between(day(from, f)?, day(to, f)?) as f64),
        Number::Days { from, to } => Some((day(to, f)? - day(from, f)?).num_days() as f64),
        Number::WorkingDays { from, to } => {
            Some(working_days(day(from, f)?, day(to, f)?, f.days_off) as f64)
        }
        Number::Param { name } => at.params.get(name).copied(),
        Number::Count { items } => Some(count(items, f) as f64),
        Number::FormNumber { field } => f.form.get(field).and_then(|v| {
            v.as_f64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                .filter(|x: &f64| x.is_finite())
        }),
    }
}

/// Working days after `a` up to and including `b` (negative when `b` is before `a`), at most
/// ten years of them counted.
pub fn working_days(a: NaiveDate, b: NaiveDate, days_off: &[NaiveDate]) -> i64 {
    if b < a {
        return -working_days(b, a, days_off);
    }
    let end = b.min(
        a.checked_add_signed(chrono::Duration::days(3653))
            .unwrap_or(NaiveDate::MAX),
    );
    a.iter_days()
        .skip(1)
        .take_while(|d| *d <= end)
        .filter(|d| d.weekday().num_days_from_monday() < 5 && days_off.binary_search(d).is_err())
        .count() as i64
}

/// Whole months from `a` to `b` (negative when `b` is before `a`): a month is complete on the
/// same day of the month, or on the last day of a shorter month.
pub fn months_between(a: NaiveDate, b: NaiveDate) -> i64 {
    if b < a {
        return -months_between(b, a);
    }
    let mut m = i64::from(b.year() - a.year()) * 12 + i64::from(b.month()) - i64::from(a.month());
    if m > 0 && shift(a, 0, m as i32).is_some_and(|d| d > b) {
        m -= 1;
    }
    m
}

/// Whole years from `from` to `on` (an age, a length of service).
pub fn years_between(from: NaiveDate, on: NaiveDate) -> i32 {
    months_between(from, on).div_euclid(12) as i32
}

/// `d` moved by years and months; 29 February becomes 28 February in other years.
pub fn shift(d: NaiveDate, years: i32, months: i32) -> Option<NaiveDate> {
    let total = i64::from(years) * 12 + i64::from(months);
    if total >= 0 {
        d.checked_add_months(Months::new(u32::try_from(total).ok()?))
    } else {
        d.checked_sub_months(Months::new(u32::try_from(-total).ok()?))
    }
}

/// The retirement TMT at retirement age `age`: the first of the month after the birthday.
pub fn retirement_on(birth: NaiveDate, age: u32) -> Option<NaiveDate> {
    let birthday = shift(birth, i32::try_from(age).ok()?, 0)?;
    let next = shift(
        NaiveDate::from_ymd_opt(birthday.year(), birthday.month(), 1)?,
        0,
        1,
    )?;
    Some(next)
}

/// The retirement age the first matching rule gives the record's post.
pub fn retirement_age(record: &EmployeeRecord, ages: &[RetirementAge], otherwise: u32) -> u32 {
    let id = &record.identity;
    let kind = id
        .position_kind
        .as_deref()
        .and_then(PositionKind::from_code);
    ages.iter()
        .find(|a| {
            Some(a.kind) == kind
                && (a.grades.is_empty()
                    || id
                        .position_grade
                        .as_ref()
                        .is_some_and(|g| a.grades.contains(g)))
        })
        .map_or(otherwise, |a| a.age)
}

/// When continuous service began: TMT CPNS, or for PPPK 1 January of the appointment year in
/// their number.
pub fn service_start(tmt_cpns: Option<NaiveDate>, nip: &str) -> Option<NaiveDate> {
    tmt_cpns.or_else(|| {
        crate::Nip::parse_pppk(nip)
            .ok()
            .and_then(|n| NaiveDate::from_ymd_opt(n.appointment_year(), 1, 1))
    })
}

fn day(d: &Day, f: &Facts<'_>) -> Option<NaiveDate> {
    let id = &f.record.identity;
    match d {
        Day::Today => Some(f.today),
        Day::Date { value } => Some(*value),
        Day::Form { field, part } => {
            let v = f.form.get(field)?;
            let s = match part {
                None => v.as_str()?,
                Some(RangePart::Start) => v.get("start")?.as_str()?,
                Some(RangePart::End) => v.get("end")?.as_str()?,
            };
            NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
        }
        Day::BirthDate => Some(id.birth_date),
        Day::ServiceStart => service_start(id.tmt_cpns, &id.nip),
        Day::TmtPns => id.tmt_pns,
        Day::RankTmt => id.rank_tmt,
        Day::PostTmt => f.record.positions.iter().map(|p| p.tmt).max(),
        Day::SalaryTmt => f.record.salary.iter().map(|s| s.tmt).max(),
        Day::Shift {
            base,
            years,
            months,
        } => shift(day(base, f)?, *years, *months),
        Day::Retirement { ages, otherwise } => {
            retirement_on(id.birth_date, retirement_age(f.record, ages, *otherwise))
        }
    }
}

fn word(w: &Word, f: &Facts<'_>) -> Option<String> {
    let id = &f.record.identity;
    let rank = || {
        id.rank_code
            .as_deref()
            .and_then(|r| RankCode::parse(r).ok())
    };
    match w {
        Word::EmploymentType => Some(id.employment_type.clone()),
        Word::Gender => Some(id.gender.clone()),
        Word::Rank => rank().map(|r| r.to_string()),
        Word::Golongan => rank().map(|r| r.golongan().to_owned()),
        Word::EducationLevel => Some(id.education_level.clone()).filter(|l| !l.is_empty()),
        Word::PositionKind => id.position_kind.clone(),
        Word::PositionGrade => id.position_grade.clone(),
        Word::FormText { field } => f.form.get(field).and_then(Value::as_str).map(str::to_owned),
    }
}

fn rating_rank(code: &str) -> Option<usize> {
    PerformanceRating::ALL.iter().position(|r| r.code() == code)
}

fn count(items: &Items, f: &Facts<'_>) -> usize {
    let r = f.record;
    match items {
        Items::Sanctions {
            levels,
            within_years,
            running,
        } => r
            .discipline
            .iter()
            .filter(|s| levels.is_empty() || levels.contains(&s.level))
            .filter(|s| {
                within_years.is_none_or(|n| {
                    let back = i32::try_from(n).map_or(i32::MIN + 1, |n| -n);
                    shift(f.today, back, 0).is_some_and(|since| s.starts_on > since)
                })
            })
            .filter(|s| {
                !running || (s.starts_on <= f.today && s.ends_on.is_none_or(|e| e >= f.today))
            })
            .count(),
        Items::Ratings { years, at_least } => {
            let bar = rating_rank(at_least.code()).unwrap_or(0);
            let this = f.today.year();
            (this - *years as i32..this)
                .filter(|y| {
                    r.performance
                        .iter()
                        .any(|p| p.year == *y && rating_rank(&p.rating).is_some_and(|k| k <= bar))
                })
                .count()
        }
        Items::Family { relations } => r
            .family
            .iter()
            .filter(|m| relations.is_empty() || relations.iter().any(|x| x.code() == m.relation))
            .count(),
        Items::Documents { kind } => f.archive.iter().filter(|k| *k == kind).count(),
        Items::Education { at_least } => r
            .education
            .iter()
            .filter(|e| EducationLevel::from_code(&e.level).is_some_and(|l| l >= *at_least))
            .count(),
        Items::Awards { named } => {
            let named = named.to_lowercase();
            r.awards
                .iter()
                .filter(|a| a.name.to_lowercase().contains(&named))
                .count()
        }
        Items::Training { named } => {
            let named = named.to_lowercase();
            r.training
                .iter()
                .filter(|t| t.name.to_lowercase().contains(&named))
                .count()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn whole_months_and_years_turn_on_the_anniversary() {
        assert_eq!(months_between(d("2024-01-31"), d("2024-02-29")), 1);
        assert_eq!(months_between(d("2024-01-31"), d("2024-02-28")), 0);
        assert_eq!(months_between(d("2026-07-01"), d("2024-07-01")), -24);
        assert_eq!(years_between(d("2000-06-15"), d("2025-06-14")), 24);
        assert_eq!(years_between(d("2000-06-15"), d("2025-06-15")), 25);
        assert_eq!(years_between(d("2024-02-29"), d("2025-02-28")), 1);
    }

    #[test]
    fn retirement_starts_the_month_after_the_birthday() {
        // SERVICES.md: born 15 March 1968, BUP 58: 1 April 2026.
        assert_eq!(retirement_on(d("1968-03-15"), 58), Some(d("2026-04-01")));
        assert_eq!(retirement_on(d("1968-12-31"), 58), Some(d("2027-01-01")));
    }

    #[test]
    fn working_days_skip_weekends_and_days_off() {
        // Thursday 25 June 2026 to Wednesday 1 July: Fri, Mon, Tue, Wed.
        assert_eq!(working_days(d("2026-06-25"), d("2026-07-01"), &[]), 4);
        assert_eq!(
            working_days(d("2026-06-25"), d("2026-07-01"), &[d("2026-06-29")]),
            3
        );
        assert_eq!(working_days(d("2026-07-01"), d("2026-06-25"), &[]), -4);
    }

    #[test]
    fn ahead_of_the_form_only_the_record_is_judged() {
        let record: EmployeeRecord = serde_json::from_value(serde_json::json!({
            "identity": {
                "id": "00000000-0000-0000-0000-000000000001", "nip": "198503122010011004",
                "nik": "", "nik_masked": true, "front_title": null, "name": "B", "back_title": null,
                "full_name": "B", "gender": "male", "birth_place": "X", "birth_date": "1985-03-12",
                "employment_type": "pns", "rank_code": "III/a", "rank_tmt": "2021-04-01",
                "tmt_cpns": "2010-01-01", "tmt_pns": "2011-01-01", "education_level": "s1",
                "unit_code": "", "unit_name": "", "position_title": null, "email": null,
                "phone": null, "active": true },
            "ranks": [], "positions": [], "education": [], "training": [], "performance": [],
            "awards": [], "family": [], "discipline": [], "competencies": [],
            "organisations": [], "salary": []
        }))
        .unwrap();
        let set: Eligibility = serde_json::from_value(serde_json::json!({
            "version": 1, "conditions": [
                { "code": "pns", "text": { "id": "x", "en": "x" },
                  "test": { "op": "one_of", "word": { "of": "employment_type" }, "values": ["cpns"] } },
                { "code": "choice", "text": { "id": "x", "en": "x" },
                  "test": { "op": "one_of", "word": { "of": "form_text", "field": "t" }, "values": ["a"] } }
            ]
        }))
        .unwrap();
        let form = FormValues::new();
        let facts = Facts {
            record: &record,
            archive: &[],
            form: &form,
            today: d("2026-07-01"),
            days_off: &[],
        };
        let codes = |e: Evaluation| e.failures.into_iter().map(|f| f.code).collect::<Vec<_>>();
        assert_eq!(codes(set.ahead(&facts)), ["pns"]);
        // Sent with the field empty, the condition on it fails: it is never skipped.
        assert_eq!(codes(set.evaluate(&facts)), ["pns", "choice"]);
    }

    #[test]
    fn the_edges_of_the_calendar_give_answers_not_panics() {
        let near_end = NaiveDate::MAX.pred_opt().unwrap();
        assert!(working_days(near_end, NaiveDate::MAX, &[]) >= 0);
        assert_eq!(shift(NaiveDate::MAX, 1, 0), None);
        assert_eq!(shift(NaiveDate::MIN, -1, 0), None);
        assert!(months_between(NaiveDate::MIN, NaiveDate::MAX) > 0);
        assert_eq!(retirement_on(NaiveDate::MAX, 58), None);
    }

    #[test]
    fn a_set_is_refused_for_what_it_refers_to_not_when_evaluated() {
        let form = FormSchema {
            version: 1,
            fields: Vec::new(),
        };
        let set = |test: Test| Eligibility {
            conditions: vec![Condition {
                code: "c".into(),
                text: Text::new("x", "x"),
                field: None,
                test,
            }],
            ..Eligibility::default()
        };
        let one = |n: Number| Test::Compare {
            left: n,
            cmp: Cmp::Ge,
            right: Number::Const { value: 1.0 },
        };
        assert!(
            set(one(Number::Param {
                name: "nope".into()
            }))
            .check(&form)
            .unwrap_err()
            .contains("'nope'")
        );
        assert!(
            set(Test::All { of: vec![] })
                .check(&form)
                .unwrap_err()
                .contains("at least one")
        );
        let levels = Items::Sanctions {
            levels: vec!["parah".into()],
            within_years: None,
            running: false,
        };
        assert!(
            set(one(Number::Count { items: levels }))
                .check(&form)
                .unwrap_err()
                .contains("'parah'")
        );
        let mut deep = one(Number::Const { value: 1.0 });
        for _ in 0..MAX_DEPTH {
            deep = Test::Not {
                test: Box::new(deep),
            };
        }
        assert!(set(deep).check(&form).unwrap_err().contains("deeper"));
        assert!(set(one(Number::Const { value: 1.0 })).check(&form).is_ok());
    }
}
