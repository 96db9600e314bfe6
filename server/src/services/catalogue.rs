//! The service catalogue: shipped as `server/data/services.toml`, loaded for each service the
//! database does not have yet, then maintained by administrators through the API. Every change
//! is a new revision; earlier ones are kept, and a request records the revision it was made
//! under.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

use abdi_proto::Text;
use abdi_proto::services::{
    NewService, ServiceChange, ServiceDefinition, ServiceRevision, ServiceSpec, ServiceSummary,
    StepKind,
};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use uuid::Uuid;

use super::ServiceError;
use super::entity::{service_type, service_type_revision};
use crate::masterdata::entity::employee;

pub(crate) const SHIPPED: &str = include_str!("../../data/services.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Shipped {
    service: Vec<ShippedService>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ShippedService {
    pub code: String,
    /// The Rust rules checked after the conditions; [`DECLARATIVE`] when none.
    #[serde(default = "declarative")]
    pub rules: String,
    pub spec: ServiceSpec,
}

/// The rules of a service that has only its declarative conditions.
pub(crate) const DECLARATIVE: &str = "declarative";

fn declarative() -> String {
    DECLARATIVE.to_owned()
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("service catalogue: {0}")]
    Parse(String),
    #[error("service catalogue, {code}: {reason}")]
    Invalid { code: String, reason: String },
    #[error("loading the service catalogue: {0}")]
    Database(#[from] sea_orm::DbErr),
}

pub(crate) fn shipped() -> Result<Vec<ShippedService>, CatalogueError> {
    let parsed: Shipped = toml::from_str(SHIPPED)
        .map_err(|e| CatalogueError::Parse(crate::store::db::one_line(e.message())))?;
    for s in &parsed.service {
        check_spec(&s.spec).map_err(|reason| CatalogueError::Invalid {
            code: s.code.clone(),
            reason,
        })?;
    }
    Ok(parsed.service)
}

/// Loads each shipped service the database does not have; returns the codes loaded. An
/// administrator's changes are never overwritten.
pub(crate) async fn load_shipped<C>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<Vec<String>, CatalogueError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let mut loaded = Vec::new();
    for s in shipped()? {
        let spec =
            serde_json::to_string(&s.spec).map_err(|e| CatalogueError::Parse(e.to_string()))?;
        let txn = db.begin().await?;
        let inserted = service_type::Entity::insert(service_type::ActiveModel {
            code: Set(s.code.clone()),
            rules: Set(s.rules.clone()),
            revision: Set(1),
            active: Set(s.spec.state.is_open()),
            spec: Set(spec.clone()),
            updated_at: Set(now),
            updated_by: Set(None),
        })
        .on_conflict(
            OnConflict::column(service_type::Column::Code)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        if inserted == 1 {
            service_type_revision::Entity::insert(service_type_revision::ActiveModel {
                code: Set(s.code.clone()),
                revision: Set(1),
                spec: Set(spec),
                changed_by: Set(None),
                changed_at: Set(now),
                note: Set("Katalog bawaan Abdi / shipped with Abdi".into()),
                ..Default::default()
            })
            .exec_without_returning(&txn)
            .await?;
            loaded.push(s.code);
        }
        txn.commit().await?;
    }
    Ok(loaded)
}

/// What makes a service definition usable: a chain that ends in a decision, fields named once,
/// conditions and a letter that refer only to what exists.
pub(crate) fn check_spec(spec: &ServiceSpec) -> Result<(), String> {
    if spec.name.id.trim().is_empty() || spec.name.en.trim().is_empty() {
        return Err("the name is empty".into());
    }
    if !spec.chain.iter().any(|s| s.kind == StepKind::Decision) {
        return Err("the chain has no decision step".into());
    }
    if spec
        .chain
        .iter()
        .skip(1)
        .any(|s| s.kind == StepKind::Verification)
    {
        return Err("verification can only be the first step".into());
    }
    let mut names = HashSet::new();
    for f in &spec.form.fields {
        if f.name.trim().is_empty() || !names.insert(f.name.as_str()) {
            return Err(format!("the field name '{}' is empty or repeated", f.name));
        }
    }
    spec.eligibility.check(&spec.form)?;
    for due in &spec.due {
        due.check()?;
    }
    if let Some(letter) = &spec.letter {
        letter.check(&spec.form)?;
    }
    Ok(())
}

/// A service code: snake_case, 3 to 48 characters.
fn check_code(code: &str) -> Result<(), String> {
    let ok = (3..=48).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the code '{code}' must be 3 to 48 characters of a-z, 0-9 and _"
        ))
    }
}

/// The parsed spec of a row. A spec is stored as JSON text and read on every request; the text
/// parsed last is kept with its parse, so the same text is parsed once per process (a change is
/// new text, so nothing can be stale; the key is the text itself, not its revision).
pub(crate) fn spec(row: &service_type::Model) -> Result<Arc<ServiceSpec>, ServiceError> {
    /// More distinct specs than this (revisions pile up only through changes) start afresh.
    const KEPT: usize = 512;
    static PARSED: LazyLock<Mutex<HashMap<String, Arc<ServiceSpec>>>> =
        LazyLock::new(Default::default);
    let lock = || PARSED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(spec) = lock().get(&row.spec) {
        return Ok(spec.clone());
    }
    let spec: Arc<ServiceSpec> = Arc::new(serde_json::from_str(&row.spec).map_err(|e| {
        ServiceError::Database(sea_orm::DbErr::Custom(format!(
            "service_types.spec of {}: {e}",
            row.code
        )))
    })?);
    let mut parsed = lock();
    if parsed.len() >= KEPT {
        parsed.clear();
    }
    parsed.insert(row.spec.clone(), spec.clone());
    Ok(spec)
}

pub(crate) fn definition(row: &service_type::Model) -> Result<ServiceDefinition, ServiceError> {
    Ok(ServiceDefinition {
        code: row.code.clone(),
        revision: row.revision as u32,
        spec: spec(row)?.as_ref().clone(),
        updated_at: row.updated_at,
    })
}

pub(crate) async fn list(
    db: &impl ConnectionTrait,
    include_inactive: bool,
) -> Result<Vec<ServiceSummary>, ServiceError> {
    let mut q = service_type::Entity::find().order_by_asc(service_type::Column::Code);
    if !include_inactive {
        q = q.filter(service_type::Column::Active.eq(true));
    }
    q.all(db)
        .await?
        .iter()
        .map(|row| {
            let spec = spec(row)?;
            Ok(ServiceSummary {
                code: row.code.clone(),
                name: spec.name.clone(),
                active: spec.state.is_open(),
                state: spec.state,
                sop_version: spec.sop_version.clone(),
                revision: row.revision as u32,
            })
        })
        .collect()
}

/// Every service's name, active or not, by code (lists show them): one read of the codes and
/// revisions; a name is taken from its spec once per revision, so a page does not read and
/// hash every spec in the catalogue.
pub(crate) async fn names(
    db: &impl ConnectionTrait,
) -> Result<BTreeMap<String, Text>, ServiceError> {
    /// More than this (revisions pile up only through changes) start afresh.
    const KEPT: usize = 1024;
    static NAMES: LazyLock<Mutex<HashMap<(String, i32), Text>>> = LazyLock::new(Default::default);
    let lock = || NAMES.lock().unwrap_or_else(|p| p.into_inner());
    let current: Vec<(String, i32)> = service_type::Entity::find()
        .select_only()
        .column(service_type::Column::Code)
        .column(service_type::Column::Revision)
        .into_tuple()
        .all(db)
        .await?;
    let mut names = BTreeMap::new();
    let mut missing = Vec::new();
    {
        let kept = lock();
        for (code, revision) in current {
            match kept.get(&(code.clone(), revision)) {
                Some(name) => {
                    names.insert(code, name.clone());
                }
                None => missing.push(code),
            }
        }
    }
    if missing.is_empty() {
        return Ok(names);
    }
    let rows = service_type::Entity::find()
        .filter(service_type::Column::Code.is_in(missing))
        .all(db)
        .await?;
    let mut kept = lock();
    if kept.len() > KEPT {
        kept.clear();
    }
    for row in rows {
        let name = spec(&row)?.name.clone();
        kept.insert((row.code.clone(), row.revision), name.clone());
        names.insert(row.code, name);
    }
    Ok(names)
}

pub(crate) async fn get(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<(service_type::Model, ServiceDefinition), ServiceError> {
    let row = service_type::Entity::find_by_id(code)
        .one(db)
        .await?
        .ok_or(ServiceError::ServiceNotFound)?;
    let def = definition(&row)?;
    Ok((row, def))
}

/// Applies an administrator's change as the next revision, if nobody changed the service
/// since `change.revision`.
pub(crate) async fn update<C>(
    db: &C,
    code: &str,
    change: ServiceChange,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<ServiceDefinition, ServiceError>
where
    C: ConnectionTrait + TransactionTrait,
{
    check_spec(&change.spec).map_err(ServiceError::InvalidSpec)?;
    if change.note.trim().is_empty() {
        return Err(ServiceError::ReasonRequired);
    }
    let spec = serde_json::to_string(&change.spec)
        .map_err(|e| ServiceError::InvalidSpec(e.to_string()))?;
    let txn = db.begin().await?;
    get(&txn, code).await?;
    let next = change.revision as i32 + 1;
    let updated = service_type::Entity::update_many()
        .col_expr(service_type::Column::Revision, Expr::value(next))
        .col_expr(
            service_type::Column::Active,
            Expr::value(change.spec.state.is_open()),
        )
        .col_expr(service_type::Column::Spec, Expr::value(spec.clone()))
        .col_expr(service_type::Column::UpdatedAt, Expr::value(now))
        .col_expr(service_type::Column::UpdatedBy, Expr::value(by))
        .filter(service_type::Column::Code.eq(code))
        .filter(service_type::Column::Revision.eq(change.revision as i32))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ServiceError::VersionConflict);
    }
    service_type_revision::Entity::insert(service_type_revision::ActiveModel {
        code: Set(code.to_owned()),
        revision: Set(next),
        spec: Set(spec),
        changed_by: Set(Some(by)),
        changed_at: Set(now),
        note: Set(change.note.trim().to_owned()),
        ..Default::default()
    })
    .exec_without_returning(&txn)
    .await?;
    let (_, def) = get(&txn, code).await?;
    txn.commit().await?;
    Ok(def)
}

/// Adds a service defined by its conditions alone, as revision 1 (administrators, by decree).
pub(crate) async fn create<C>(
    db: &C,
    new: NewService,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<ServiceDefinition, ServiceError>
where
    C: ConnectionTrait + TransactionTrait,
{
    check_code(&new.code).map_err(ServiceError::InvalidSpec)?;
    check_spec(&new.spec).map_err(ServiceError::InvalidSpec)?;
    if new.note.trim().is_empty() {
        return Err(ServiceError::ReasonRequired);
    }
    let spec =
        serde_json::to_string(&new.spec).map_err(|e| ServiceError::InvalidSpec(e.to_string()))?;
    let txn = db.begin().await?;
    let inserted = service_type::Entity::insert(service_type::ActiveModel {
        code: Set(new.code.clone()),
        rules: Set(declarative()),
        revision: Set(1),
        active: Set(new.spec.state.is_open()),
        spec: Set(spec.clone()),
        updated_at: Set(now),
        updated_by: Set(Some(by)),
    })
    .on_conflict(
        OnConflict::column(service_type::Column::Code)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    if inserted != 1 {
        return Err(ServiceError::ServiceExists);
    }
    service_type_revision::Entity::insert(service_type_revision::ActiveModel {
        code: Set(new.code.clone()),
        revision: Set(1),
        spec: Set(spec),
        changed_by: Set(Some(by)),
        changed_at: Set(now),
        note: Set(new.note.trim().to_owned()),
        ..Default::default()
    })
    .exec_without_returning(&txn)
    .await?;
    let (_, def) = get(&txn, &new.code).await?;
    txn.commit().await?;
    Ok(def)
}

/// The service as it stood at `revision`: what a request submitted under it keeps.
pub(crate) async fn at_revision(
    db: &impl ConnectionTrait,
    code: &str,
    revision: i32,
) -> Result<ServiceSpec, ServiceError> {
    let row = service_type_revision::Entity::find()
        .filter(service_type_revision::Column::Code.eq(code))
        .filter(service_type_revision::Column::Revision.eq(revision))
        .one(db)
        .await?;
    match row {
        Some(r) => serde_json::from_str(&r.spec).map_err(|e| {
            ServiceError::Database(sea_orm::DbErr::Custom(format!(
                "service_type_revisions.spec of {code}@{revision}: {e}"
            )))
        }),
        None => Ok(get(db, code).await?.1.spec),
    }
}

/// Every revision of a service, newest first, with who made it (by NIP).
pub(crate) async fn history(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Vec<ServiceRevision>, ServiceError> {
    get(db, code).await?;
    let rows = service_type_revision::Entity::find()
        .filter(service_type_revision::Column::Code.eq(code))
        .order_by_desc(service_type_revision::Column::Revision)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.changed_by).collect();
    let people = employee::Entity::find()
        .filter(employee::Column::Id.is_in(ids))
        .all(db)
        .await?;
    rows.into_iter()
        .map(|r| {
            let spec = serde_json::from_str(&r.spec).map_err(|e| {
                ServiceError::Database(sea_orm::DbErr::Custom(format!(
                    "service_type_revisions.spec: {e}"
                )))
            })?;
            Ok(ServiceRevision {
                revision: r.revision as u32,
                spec,
                changed_by: r
                    .changed_by
                    .and_then(|id| people.iter().find(|p| p.id == id))
                    .map(|p| p.nip.clone()),
                changed_at: r.changed_at,
                note: r.note,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use abdi_proto::archive::ArchiveKind;
    use abdi_proto::eligibility::{Evaluation, Facts};
    use abdi_proto::forms::FormValues;
    use abdi_proto::record::EmployeeRecord;
    use chrono::NaiveDate;
    use serde_json::{Value, json};

    #[test]
    fn the_shipped_catalogue_parses_and_every_definition_is_usable() {
        let services = shipped().unwrap();
        assert_eq!(services.len(), 29);
        let registry = crate::startup::service_rules();
        for s in &services {
            check_spec(&s.spec).unwrap();
            assert!(
                registry.get(&s.rules).is_some(),
                "{}: no rules {}",
                s.code,
                s.rules
            );
        }
        let codes: Vec<&str> = services.iter().map(|s| s.code.as_str()).collect();
        for leave in [
            "cuti_tahunan",
            "cuti_besar",
            "cuti_sakit",
            "cuti_melahirkan",
            "cuti_alasan_penting",
            "cuti_bersama",
            "cltn",
            "kenaikan_pangkat",
        ] {
            assert!(codes.contains(&leave), "{leave}");
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A PNS, III/c since 2022, pelaksana since 2020, with a spouse and a child, rated Baik in
    /// 2024 and 2025, basic training done, last periodic raise in 2024: eligible for most.
    fn base() -> EmployeeRecord {
        serde_json::from_value(json!({
            "identity": {
                "id": "00000000-0000-0000-0000-000000000001", "nip": "198503152010011001",
                "nik": "3578011503850001", "nik_masked": false, "front_title": null,
                "name": "Budi Santoso", "back_title": "S.Kom.", "full_name": "Budi Santoso, S.Kom.",
                "gender": "male", "birth_place": "Surabaya", "birth_date": "1985-03-15",
                "employment_type": "pns", "rank_code": "III/c", "rank_tmt": "2022-04-01",
                "tmt_cpns": "2010-01-01", "tmt_pns": "2011-03-01", "education_level": "s1",
                "unit_code": "BKD", "unit_name": "Badan Kepegawaian Daerah",
                "position_title": "Pengelola Data", "position_kind": "pelaksana",
                "position_grade": null, "email": null, "phone": null, "active": true
            },
            "ranks": [],
            "positions": [{ "position_title": "Pengelola Data", "unit_name": "BKD", "tmt": "2020-01-01", "decree_number": "821/1/2020" }],
            "education": [{ "id": 1, "level": "s1", "institution": "ITS", "major": "Informatika", "graduation_year": 2008, "diploma_number": null }],
            "training": [{ "id": 1, "name": "Latsar CPNS Golongan III", "organizer": "BPSDM", "start_date": "2010-06-01", "end_date": "2010-07-01", "hours": 240 }],
            "performance": [{ "year": 2024, "rating": "baik" }, { "year": 2025, "rating": "baik" }],
            "awards": [],
            "family": [
                { "id": 1, "relation": "spouse", "name": "Siti", "gender": "female", "birth_date": "1987-05-01", "nik": null },
                { "id": 2, "relation": "child", "name": "Adi", "gender": "male", "birth_date": "2012-08-17", "nik": null }
            ],
            "discipline": [],
            "competencies": [],
            "organisations": [],
            "salary": [{ "basic_salary": 3500000, "rank_code": "III/c", "service_years": 14, "tmt": "2024-08-01", "decree_number": "KGB/1/2024" }]
        }))
        .unwrap()
    }

    /// One worked example: a change to the base record, the form, the failing codes expected
    /// (none: eligible).
    struct Case {
        service: &'static str,
        record: fn(&mut EmployeeRecord),
        form: Value,
        failing: &'static [&'static str],
    }

    fn same(_: &mut EmployeeRecord) {}

    /// The service's conditions over `record` and `form` on 1 July 2026, with the core
    /// documents archived.
    fn evaluate(service: &ShippedService, record: &EmployeeRecord, form: &Value) -> Evaluation {
        let form: FormValues = serde_json::from_value(form.clone()).unwrap();
        let archive = [ArchiveKind::SkCpns, ArchiveKind::SkPns, ArchiveKind::Ijazah];
        service.spec.eligibility.evaluate(&Facts {
            record,
            archive: &archive,
            form: &form,
            today: d("2026-07-01"),
            days_off: &[],
        })
    }

    /// SERVICES.md's worked examples, an eligible and an ineligible one per shipped service,
    /// on 1 July 2026.
    #[test]
    fn every_shipped_service_admits_its_eligible_example_and_explains_the_ineligible_one() {
        let cases = [
            Case {
                service: "karis_karsu",
                record: same,
                form: json!({"reason": "baru", "marriage_date": "2026-03-01"}),
                failing: &[],
            },
            Case {
                service: "karis_karsu",
                record: |r| r.family.clear(),
                form: json!({"reason": "baru", "marriage_date": "2024-01-01"}),
                failing: &["spouse_not_in_record", "marriage_report_late"],
            },
            Case {
                service: "taspen",
                record: same,
                form: json!({"case": "tht_pensiun", "event_date": "2026-05-01"}),
                failing: &[],
            },
            Case {
                service: "taspen",
                record: |r| r.identity.employment_type = "pppk".into(),
                form: json!({"case": "jkk", "event_date": "2020-01-01"}),
                failing: &["not_pns", "claim_expired"],
            },
            Case {
                service: "satyalancana",
                record: same,
                form: json!({"class": "10"}),
                failing: &[],
            },
            Case {
                service: "satyalancana",
                record: |r| r.identity.tmt_cpns = Some(d("2017-03-01")),
                form: json!({"class": "10"}),
                failing: &["service_years"],
            },
            Case {
                service: "satyalancana",
                record: |r| {
                    r.awards.push(serde_json::from_value(json!({"id": 1, "name": "Satyalancana Karya Satya X Tahun", "decree_number": "Keppres 1/2021", "year": 2021})).unwrap())
                },
                form: json!({"class": "10"}),
                failing: &["class_already_held"],
            },
            Case {
                service: "satyalancana",
                record: |r| {
                    r.discipline.push(serde_json::from_value(json!({"level": "sedang", "decree_number": "HD/1/2015", "starts_on": "2015-01-01", "ends_on": "2015-12-31"})).unwrap())
                },
                form: json!({"class": "10"}),
                failing: &["ever_sanctioned"],
            },
            Case {
                service: "kartu_kesehatan",
                record: same,
                form: json!({"change": "tambah_anggota", "relation": "child", "member_birth_date": "2012-08-17"}),
                failing: &[],
            },
            Case {
                service: "kartu_kesehatan",
                record: same,
                form: json!({"change": "tambah_anggota", "relation": "child", "member_birth_date": "2002-01-10", "in_school": "tidak"}),
                failing: &["child_too_old"],
            },
            Case {
                service: "ujian_dinas",
                record: |r| {
                    r.identity.rank_code = Some("II/d".into());
                    r.identity.rank_tmt = Some(d("2023-04-01"));
                },
                form: json!({"level": "1"}),
                failing: &[],
            },
            Case {
                service: "ujian_dinas",
                record: same,
                form: json!({"level": "1"}),
                failing: &["rank_for_level"],
            },
            Case {
                service: "ujian_penyesuaian_ijazah",
                record: same,
                form: json!({"duties_match": "ya"}),
                failing: &[],
            },
            Case {
                service: "ujian_penyesuaian_ijazah",
                record: |r| r.identity.rank_tmt = Some(d("2026-01-01")),
                form: json!({"duties_match": "tidak"}),
                failing: &["years_in_rank", "duties_do_not_match"],
            },
            Case {
                service: "mutasi",
                record: same,
                form: json!({"scope": "dalam_instansi"}),
                failing: &[],
            },
            Case {
                service: "mutasi",
                record: |r| {
                    r.positions[0].tmt = d("2025-06-01");
                    r.identity.tmt_cpns = Some(d("2021-03-01"));
                },
                form: json!({"scope": "dalam_instansi"}),
                failing: &["years_in_post", "casn_commitment"],
            },
            Case {
                service: "karpeg",
                record: same,
                form: json!({"reason": "baru"}),
                failing: &[],
            },
            Case {
                service: "karpeg",
                record: |r| r.training.clear(),
                form: json!({"reason": "baru"}),
                failing: &["basic_training_missing"],
            },
            Case {
                service: "gaji_berkala",
                record: same,
                form: json!({"new_salary": 3600000}),
                failing: &[],
            },
            Case {
                service: "gaji_berkala",
                record: |r| r.salary[0].tmt = d("2025-08-01"),
                form: json!({"new_salary": 3600000}),
                failing: &["kgb_not_due"],
            },
            Case {
                service: "pensiun",
                record: |r| {
                    r.identity.birth_date = d("1968-09-15");
                    r.identity.tmt_cpns = Some(d("1995-03-01"));
                },
                form: json!({"kind": "bup"}),
                failing: &[],
            },
            // An ahli madya retires at 60, not 58: two more years.
            Case {
                service: "pensiun",
                record: |r| {
                    r.identity.birth_date = d("1968-09-15");
                    r.identity.position_kind = Some("fungsional".into());
                    r.identity.position_grade = Some("ahli_madya".into());
                },
                form: json!({"kind": "bup"}),
                failing: &["retirement_not_near"],
            },
            Case {
                service: "pensiun",
                record: same,
                form: json!({"kind": "aps"}),
                failing: &["early_retirement_age", "early_retirement_service"],
            },
            Case {
                service: "cpns_pns",
                record: |r| {
                    r.identity.employment_type = "cpns".into();
                    r.identity.tmt_cpns = Some(d("2025-03-01"));
                },
                form: json!({}),
                failing: &[],
            },
            Case {
                service: "cpns_pns",
                record: |r| {
                    r.identity.employment_type = "cpns".into();
                    r.identity.tmt_cpns = Some(d("2026-01-01"));
                },
                form: json!({}),
                failing: &["probation_not_over"],
            },
            Case {
                service: "ujian_kp_pembina",
                record: |r| {
                    r.identity.rank_code = Some("III/d".into());
                    r.identity.rank_tmt = Some(d("2023-04-01"));
                },
                form: json!({"exam": "ujian_dinas_ii"}),
                failing: &[],
            },
            Case {
                service: "ujian_kp_pembina",
                record: same,
                form: json!({"exam": "penyesuaian_s2"}),
                failing: &["rank_not_iii_d", "master_degree_missing"],
            },
            // Received on Thursday 25 June: four working days to Wednesday 1 July.
            Case {
                service: "izin_perceraian",
                record: same,
                form: json!({"role": "tergugat", "lawsuit_received": "2026-06-25"}),
                failing: &[],
            },
            Case {
                service: "izin_perceraian",
                record: same,
                form: json!({"role": "tergugat", "lawsuit_received": "2026-06-15"}),
                failing: &["report_late"],
            },
            Case {
                service: "angka_kredit",
                record: |r| r.identity.position_kind = Some("fungsional".into()),
                form: json!({"year": 2025, "jenjang": "ahli_pertama"}),
                failing: &[],
            },
            Case {
                service: "angka_kredit",
                record: same,
                form: json!({"year": 2025, "jenjang": "ahli_pertama"}),
                failing: &["not_functional"],
            },
            Case {
                service: "pindah_jabatan_pelaksana",
                record: same,
                form: json!({"min_education": "s1"}),
                failing: &[],
            },
            Case {
                service: "pindah_jabatan_pelaksana",
                record: |r| r.identity.education_level = "sma".into(),
                form: json!({"min_education": "d3"}),
                failing: &["education_too_low"],
            },
            Case {
                service: "izin_belajar",
                record: same,
                form: json!({"accreditation": "b"}),
                failing: &[],
            },
            Case {
                service: "izin_belajar",
                record: |r| r.identity.tmt_pns = Some(d("2026-01-01")),
                form: json!({"accreditation": "c"}),
                failing: &["service_too_short", "accreditation_too_low"],
            },
            Case {
                service: "tugas_belajar",
                record: same,
                form: json!({"accreditation": "a"}),
                failing: &[],
            },
            Case {
                service: "tugas_belajar",
                record: |r| r.performance.truncate(1),
                form: json!({"accreditation": "a"}),
                failing: &["performance_rating"],
            },
        ];
        let services = shipped().unwrap();
        for (i, c) in cases.iter().enumerate() {
            let service = services.iter().find(|s| s.code == c.service).unwrap();
            let mut record = base();
            (c.record)(&mut record);
            let failing: Vec<String> = evaluate(service, &record, &c.form)
                .failures
                .into_iter()
                .map(|f| f.code)
                .collect();
            assert_eq!(failing, c.failing, "case {i} ({})", c.service);
        }
        // Every service with conditions has both an eligible and an ineligible example; the
        // disciplinary case is checked by its own rules (the suite files one).
        for s in services.iter().filter(|s| !s.spec.eligibility.is_empty()) {
            let of = |eligible: bool| {
                cases
                    .iter()
                    .any(|c| c.service == s.code && c.failing.is_empty() == eligible)
            };
            assert!(of(true) && of(false), "{} lacks a worked example", s.code);
        }
    }

    #[test]
    fn the_ineligible_are_told_what_was_seen_in_both_languages() {
        let services = shipped().unwrap();
        let medal = services.iter().find(|s| s.code == "satyalancana").unwrap();
        let mut record = base();
        record.identity.tmt_cpns = Some(d("2016-09-01"));
        let e = evaluate(medal, &record, &json!({"class": "10"}));
        assert!(!e.eligible);
        let f = &e.failures[0];
        assert_eq!(f.message.id, "Masa kerja 9 dari 10 tahun yang diperlukan.");
        assert_eq!(f.message.en, "9 of the 10 years of service needed.");
        assert_eq!(f.field.as_deref(), Some("class"));
        assert_eq!(f.seen[0].what, "years(service_start..today)");
        assert_eq!(
            f.seen[0].value,
            Some(abdi_proto::error::SeenValue::Number(9.0))
        );
    }

    #[test]
    fn a_malformed_condition_is_refused_when_the_service_is_saved() {
        let mut spec = shipped().unwrap().remove(0).spec;
        let refused = |spec: &ServiceSpec| check_spec(spec).unwrap_err();
        spec.eligibility = serde_json::from_value(json!({"version": 1, "conditions": [{
            "code": "x", "text": {"id": "x", "en": "x"},
            "test": {"op": "compare", "left": {"of": "form_number", "field": "nope"}, "cmp": "ge", "right": {"of": "const", "value": 1.0}}
        }]})).unwrap();
        assert!(
            refused(&spec).contains("no field 'nope'"),
            "{}",
            refused(&spec)
        );
        spec.eligibility.version = 2;
        assert!(refused(&spec).contains("version 2"));
        // An unknown operation does not even parse.
        assert!(serde_json::from_value::<abdi_proto::eligibility::Eligibility>(json!({
            "version": 1, "conditions": [{"code": "x", "text": {"id": "x", "en": "x"}, "test": {"op": "xor"}}]
        })).is_err());
    }
}
