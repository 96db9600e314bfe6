//! Each file's rows against the database: new, changed (field by field), unchanged, refused.
//! Nothing is written here; the [`Plan`] is what [`super::apply`] writes.

use std::collections::{HashMap, HashSet};

use abdi_proto::master::Vocabulary;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    DatabaseConnection, DbErr, EntityTrait,
};
use uuid::Uuid;

use super::ImportOptions;
use super::histories::{self, Writes};
use super::read::{Export, read};
use super::report::ImportReport;
use super::rows::{Employee, EmployeeRow, PostRow, Refusal, UnitRow};
use crate::masterdata::entity::{employee, org_unit, position};

/// What a code names: the row in the database, or a new one from the file.
#[derive(Debug, Clone, Copy)]
enum Known {
    Stored(Uuid),
    New(Uuid),
}

impl Known {
    fn id(self) -> Uuid {
        match self {
            Known::Stored(id) | Known::New(id) => id,
        }
    }
}

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn day(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// What a real run writes.
#[derive(Default)]
pub(super) struct Plan {
    pub units: Vec<org_unit::ActiveModel>,
    pub posts: Vec<position::ActiveModel>,
    pub new_people: Vec<employee::ActiveModel>,
    pub changed_people: Vec<employee::ActiveModel>,
    /// Each history file's new entries.
    pub histories: Vec<Box<dyn Writes>>,
}

/// Reconciles every file of `export`, in order (each refers to what came before), into
/// `report`, and returns what a real run would write.
pub(super) async fn reconcile(
    db: &DatabaseConnection,
    export: &Export,
    options: &ImportOptions,
    report: &mut ImportReport,
    now: DateTime<Utc>,
) -> Result<Plan, DbErr> {
    let units = read::<UnitRow>(export, "units.csv", report);
    let posts = read::<PostRow>(export, "posts.csv", report);
    let people = read::<EmployeeRow>(export, "employees.csv", report);

    let (unit_ids, unit_writes) = reconcile_units(db, &units, report, now).await?;
    let (post_ids, post_writes) = reconcile_posts(db, &posts, &unit_ids, report, now).await?;
    let people =
        reconcile_employees(db, &people, options, (&unit_ids, &post_ids), report, now).await?;
    let new_ids: HashMap<&str, Uuid> = people
        .new
        .iter()
        .filter_map(|m| match (&m.nip, &m.id) {
            (Set(n), Set(id)) => Some((n.as_str(), *id)),
            _ => None,
        })
        .collect();
    let person = |nip: &str| {
        people
            .stored
            .get(nip)
            .map(|e| e.id)
            .or_else(|| new_ids.get(nip).copied())
    };
    let post = |code: &str| post_ids.get(code).map(|k| k.id());
    let histories = histories::reconcile_all(db, export, &person, &post, report).await?;
    Ok(Plan {
        units: unit_writes,
        posts: post_writes,
        new_people: people.new,
        changed_people: people.changed,
        histories,
    })
}

/// Codes of units or posts: those stored, and those the file adds.
type Ids = HashMap<String, Known>;

/// The stored codes, then each code of the file not stored yet, with a new id.
fn ids<'a>(
    stored: impl Iterator<Item = (&'a String, Uuid)>,
    in_file: impl Iterator<Item = &'a str>,
) -> Ids {
    let mut ids: Ids = stored
        .map(|(c, id)| (c.clone(), Known::Stored(id)))
        .collect();
    for code in in_file {
        ids.entry(code.to_owned())
            .or_insert_with(|| Known::New(Uuid::now_v7()));
    }
    ids
}

/// The code of the unit or post `id`, or empty (for a change report).
fn code_of(ids: &Ids, id: Option<Uuid>) -> String {
    id.and_then(|id| ids.iter().find(|(_, k)| k.id() == id))
        .map(|(c, _)| c.clone())
        .unwrap_or_default()
}

/// `units.csv`: codes first (a child may come before its parent), then each row.
async fn reconcile_units(
    db: &DatabaseConnection,
    units: &[(u64, UnitRow)],
    report: &mut ImportReport,
    now: DateTime<Utc>,
) -> Result<(Ids, Vec<org_unit::ActiveModel>), DbErr> {
    let stored_units: HashMap<String, org_unit::Model> = org_unit::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.code.clone(), u))
        .collect();
    let unit_ids = ids(
        stored_units.iter().map(|(c, u)| (c, u.id)),
        units.iter().map(|(_, r)| r.unor_id.trim()),
    );
    let mut unit_writes: Vec<org_unit::ActiveModel> = Vec::new();
    let mut seen = HashSet::new();
    for (line, row) in units {
        let code = row.unor_id.trim().to_owned();
        let file = "units.csv";
        if !seen.insert(code.clone()) {
            report.refuse(
                file,
                *line,
                &code,
                Refusal::new("duplicate_code", "the code comes twice in the file"),
            );
            continue;
        }
        let level = match row.level() {
            Ok(l) => l,
            Err(r) => {
                report.refuse(file, *line, &code, r);
                continue;
            }
        };
        let parent = match row
            .diatasan_id
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) => match unit_ids.get(p) {
                Some(k) => Some(k.id()),
                None => {
                    report.refuse(
                        file,
                        *line,
                        &code,
                        Refusal::new("unknown_reference", format!("diatasanId '{p}' is no unit")),
                    );
                    continue;
                }
            },
            None => None,
        };
        let name = row.nama_unor.trim().to_owned();
        match stored_units.get(&code) {
            Some(u) => {
                let mut changed = false;
                if u.name != name {
                    report.change(file, &code, "namaUnor", u.name.clone(), name.clone());
                    changed = true;
                }
                if u.level != level.code() {
                    report.change(
                        file,
                        &code,
                        "jenisUnor",
                        u.level.clone(),
                        level.code().into(),
                    );
                    changed = true;
                }
                if u.parent_id != parent {
                    report.change(
                        file,
                        &code,
                        "diatasanId",
                        code_of(&unit_ids, u.parent_id),
                        code_of(&unit_ids, parent),
                    );
                    changed = true;
                }
                if changed {
                    report.counts(file).changed += 1;
                    unit_writes.push(org_unit::ActiveModel {
                        id: Set(u.id),
                        code: Set(code),
                        name: Set(name),
                        level: Set(level.code().into()),
                        parent_id: Set(parent),
                        created_at: Set(u.created_at),
                        closed_on: NotSet,
                    });
                } else {
                    report.counts(file).unchanged += 1;
                }
            }
            None => {
                report.counts(file).new += 1;
                unit_writes.push(org_unit::ActiveModel {
                    id: Set(unit_ids[&code].id()),
                    code: Set(code),
                    name: Set(name),
                    level: Set(level.code().into()),
                    parent_id: Set(parent),
                    created_at: Set(now),
                    closed_on: NotSet,
                });
            }
        }
    }
    Ok((unit_ids, unit_writes))
}

/// `posts.csv`, against the units stored and those of `units.csv`.
async fn reconcile_posts(
    db: &DatabaseConnection,
    posts: &[(u64, PostRow)],
    unit_ids: &Ids,
    report: &mut ImportReport,
    now: DateTime<Utc>,
) -> Result<(Ids, Vec<position::ActiveModel>), DbErr> {
    let stored_posts: HashMap<String, position::Model> = position::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.code.clone(), p))
        .collect();
    let post_ids = ids(
        stored_posts.iter().map(|(c, p)| (c, p.id)),
        posts.iter().map(|(_, r)| r.jabatan_id.trim()),
    );
    let mut post_writes: Vec<position::ActiveModel> = Vec::new();
    let mut seen = HashSet::new();
    for (line, row) in posts {
        let file = "posts.csv";
        let code = row.jabatan_id.trim().to_owned();
        if !seen.insert(code.clone()) {
            report.refuse(
                file,
                *line,
                &code,
                Refusal::new("duplicate_code", "the code comes twice in the file"),
            );
            continue;
        }
        let kind = match row.kind() {
            Ok(k) => k,
            Err(r) => {
                report.refuse(file, *line, &code, r);
                continue;
            }
        };
        let Some(unit) = unit_ids.get(row.unor_id.trim()) else {
            report.refuse(
                file,
                *line,
                &code,
                Refusal::new(
                    "unknown_reference",
                    format!("unorId '{}' is no unit", row.unor_id.trim()),
                ),
            );
            continue;
        };
        let reports_to = match row
            .atasan_jabatan_id
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) => match post_ids.get(p) {
                Some(k) => Some(k.id()),
                None => {
                    report.refuse(
                        file,
                        *line,
                        &code,
                        Refusal::new(
                            "unknown_reference",
                            format!("atasanJabatanId '{p}' is no post"),
                        ),
                    );
                    continue;
                }
            },
            None => None,
        };
        let title = row.nama_jabatan.trim().to_owned();
        let grade = row
            .eselon
            .as_deref()
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(str::to_owned);
        let write = |id: Uuid, created_at| position::ActiveModel {
            id: Set(id),
            code: Set(code.clone()),
            title: Set(title.clone()),
            kind: Set(kind.code().into()),
            grade: Set(grade.clone()),
            unit_id: Set(unit.id()),
            reports_to_id: Set(reports_to),
            created_at: Set(created_at),
            closed_on: NotSet,
        };
        match stored_posts.get(&code) {
            Some(p) => {
                let before = report.changes.len();
                if p.title != title {
                    report.change(file, &code, "namaJabatan", p.title.clone(), title.clone());
                }
                if p.kind != kind.code() {
                    report.change(
                        file,
                        &code,
                        "jenisJabatan",
                        p.kind.clone(),
                        kind.code().into(),
                    );
                }
                if p.grade != grade {
                    report.change(file, &code, "eselon", text(&p.grade), text(&grade));
                }
                if p.unit_id != unit.id() {
                    report.change(
                        file,
                        &code,
                        "unorId",
                        p.unit_id.to_string(),
                        row.unor_id.trim().into(),
                    );
                }
                if p.reports_to_id != reports_to {
                    report.change(
                        file,
                        &code,
                        "atasanJabatanId",
                        text(&p.reports_to_id.map(|i| i.to_string())),
                        text(&row.atasan_jabatan_id),
                    );
                }
                if report.changes.len() > before {
                    report.counts(file).changed += 1;
                    post_writes.push(write(p.id, p.created_at));
                } else {
                    report.counts(file).unchanged += 1;
                }
            }
            None => {
                report.counts(file).new += 1;
                post_writes.push(write(post_ids[&code].id(), now));
            }
        }
    }
    Ok((post_ids, post_writes))
}

/// The employees reconciled: those stored, who is in the file, what is new and changed.
struct People {
    stored: HashMap<String, employee::Model>,
    new: Vec<employee::ActiveModel>,
    changed: Vec<employee::ActiveModel>,
}

/// `employees.csv`, against the units and posts (stored and new), and the other employees'
/// NIK and email.
async fn reconcile_employees(
    db: &DatabaseConnection,
    people: &[(u64, EmployeeRow)],
    options: &ImportOptions,
    (unit_ids, post_ids): (&Ids, &Ids),
    report: &mut ImportReport,
    now: DateTime<Utc>,
) -> Result<People, DbErr> {
    let stored: HashMap<String, employee::Model> = employee::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.nip.clone(), e))
        .collect();
    let mut nik_owner: HashMap<String, String> = stored
        .values()
        .map(|e| (e.nik.clone(), e.nip.clone()))
        .collect();
    let mut email_owner: HashMap<String, String> = stored
        .values()
        .filter_map(|e| e.email.clone().map(|m| (m, e.nip.clone())))
        .collect();
    let mut phone_owner: HashMap<String, String> = HashMap::new();
    let mut in_file: HashSet<String> = HashSet::new();
    let mut new_people: Vec<employee::ActiveModel> = Vec::new();
    let mut changed_people: Vec<employee::ActiveModel> = Vec::new();
    for (line, row) in people {
        let file = "employees.csv";
        let key = row.nip_baru.trim().to_owned();
        let (e, warnings) = match row.check(&options.email_domains) {
            Ok(x) => x,
            Err(r) => {
                report.refuse(file, *line, &key, r);
                continue;
            }
        };
        if !in_file.insert(e.nip.clone()) {
            report.refuse(
                file,
                *line,
                &e.nip,
                Refusal::new(
                    "duplicate_nip",
                    "the NIP comes twice in the file; only its first row is imported",
                ),
            );
            continue;
        }
        if let Some(owner) = nik_owner.get(&e.nik).filter(|o| **o != e.nip) {
            report.refuse(
                file,
                *line,
                &e.nip,
                Refusal::new(
                    "conflicting_nik",
                    format!("NIK {} already belongs to NIP {owner}", e.nik),
                ),
            );
            continue;
        }
        if let Some(mail) = &e.email
            && let Some(owner) = email_owner.get(mail).filter(|o| **o != e.nip)
        {
            report.refuse(
                file,
                *line,
                &e.nip,
                Refusal::new(
                    "duplicate_email",
                    format!("email {mail} already belongs to NIP {owner}"),
                ),
            );
            continue;
        }
        for w in warnings {
            report.warn(file, *line, &e.nip, w);
        }
        if let Some(phone) = &e.phone {
            if let Some(owner) = phone_owner.get(phone).filter(|o| **o != e.nip) {
                report.warn(
                    file,
                    *line,
                    &e.nip,
                    Refusal::new(
                        "duplicate_phone",
                        format!("phone {phone} is also NIP {owner}'s"),
                    ),
                );
            } else {
                phone_owner.insert(phone.clone(), e.nip.clone());
            }
        }
        let Some(unit) = unit_ids.get(&e.unit_code) else {
            report.refuse(
                file,
                *line,
                &e.nip,
                Refusal::new(
                    "unknown_reference",
                    format!("unorId '{}' is no unit", e.unit_code),
                ),
            );
            continue;
        };
        let post = match &e.position_code {
            Some(code) => match post_ids.get(code) {
                Some(p) => Some(p.id()),
                None => {
                    report.refuse(
                        file,
                        *line,
                        &e.nip,
                        Refusal::new(
                            "unknown_reference",
                            format!("jabatanId '{code}' is no post"),
                        ),
                    );
                    continue;
                }
            },
            None => None,
        };
        nik_owner.insert(e.nik.clone(), e.nip.clone());
        if let Some(mail) = &e.email {
            email_owner.insert(mail.clone(), e.nip.clone());
        }
        match stored.get(&e.nip) {
            Some(before) => {
                let n = employee_changes(report, before, &e, unit.id(), post, unit_ids, post_ids);
                if n == 0 {
                    report.counts(file).unchanged += 1;
                } else {
                    report.counts(file).changed += 1;
                    changed_people.push(employee_model(
                        &e,
                        before.id,
                        unit.id(),
                        post,
                        before.created_at,
                        now,
                    ));
                }
            }
            None => {
                report.counts(file).new += 1;
                new_people.push(employee_model(
                    &e,
                    Uuid::now_v7(),
                    unit.id(),
                    post,
                    now,
                    now,
                ));
            }
        }
    }
    if !people.is_empty() {
        let mut missing: Vec<String> = stored
            .values()
            .filter(|e| e.active && !in_file.contains(&e.nip))
            .map(|e| e.nip.clone())
            .collect();
        missing.sort_unstable();
        report.missing = missing;
    }
    Ok(People {
        stored,
        new: new_people,
        changed: changed_people,
    })
}

/// Records the fields of `e` that differ from `before`; returns how many.
fn employee_changes(
    report: &mut ImportReport,
    before: &employee::Model,
    e: &Employee,
    unit: Uuid,
    post: Option<Uuid>,
    unit_ids: &HashMap<String, Known>,
    post_ids: &HashMap<String, Known>,
) -> usize {
    let mut pairs: Vec<(&str, String, String)> = vec![
        ("nik", before.nik.clone(), e.nik.clone()),
        (
            "gelarDepan",
            text(&before.front_title),
            text(&e.front_title),
        ),
        ("nama", before.name.clone(), e.name.clone()),
        (
            "gelarBelakang",
            text(&before.back_title),
            text(&e.back_title),
        ),
        (
            "jenisKelamin",
            before.gender.clone(),
            e.gender.code().into(),
        ),
        (
            "tempatLahir",
            before.birth_place.clone(),
            e.birth_place.clone(),
        ),
        (
            "tglLahir",
            before.birth_date.to_string(),
            e.birth_date.to_string(),
        ),
        (
            "statusPegawai",
            before.employment_type.clone(),
            e.employment_type.code().into(),
        ),
        (
            "golRuangAkhirId",
            text(&before.rank_code),
            text(&e.rank_code),
        ),
        ("tmtGolAkhir", day(before.rank_tmt), day(e.rank_tmt)),
        ("tmtCpns", day(before.tmt_cpns), day(e.tmt_cpns)),
        ("tmtPns", day(before.tmt_pns), day(e.tmt_pns)),
        (
            "pendidikanTerakhir",
            before.education_level.clone(),
            e.education_level.code().into(),
        ),
    ];
    // Units and posts are compared by id; their codes are looked up only when they differ.
    if before.unit_id != unit {
        pairs.push((
            "unorId",
            code_of(unit_ids, Some(before.unit_id)),
            code_of(unit_ids, Some(unit)),
        ));
    }
    if before.position_id != post {
        pairs.push((
            "jabatanId",
            code_of(post_ids, before.position_id),
            code_of(post_ids, post),
        ));
    }
    pairs.push(("email", text(&before.email), text(&e.email)));
    pairs.push(("noHp", text(&before.phone), text(&e.phone)));
    let mut n = 0;
    for (field, from, to) in pairs {
        if from != to {
            report.change("employees.csv", &e.nip, field, from, to);
            n += 1;
        }
    }
    n
}

fn employee_model(
    e: &Employee,
    id: Uuid,
    unit: Uuid,
    post: Option<Uuid>,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> employee::ActiveModel {
    employee::ActiveModel {
        id: Set(id),
        nip: Set(e.nip.clone()),
        nik: Set(e.nik.clone()),
        front_title: Set(e.front_title.clone()),
        name: Set(e.name.clone()),
        back_title: Set(e.back_title.clone()),
        gender: Set(e.gender.code().into()),
        birth_place: Set(e.birth_place.clone()),
        birth_date: Set(e.birth_date),
        employment_type: Set(e.employment_type.code().into()),
        rank_code: Set(e.rank_code.clone()),
        rank_tmt: Set(e.rank_tmt),
        tmt_cpns: Set(e.tmt_cpns),
        tmt_pns: Set(e.tmt_pns),
        education_level: Set(e.education_level.code().into()),
        unit_id: Set(unit),
        position_id: Set(post),
        email: Set(e.email.clone()),
        phone: Set(e.phone.clone()),
        active: Set(true),
        created_at: Set(created_at),
        updated_at: Set(now),
    }
}
