//! Bringing an agency in from its SIASN/SIMPEG export: the shipped samples import cleanly and
//! twice changes nothing; next year's export is reconciled field by field against what is
//! there (changed, new, missing, refused with their lines, warnings), a dry run writes
//! nothing, and a real run writes only what the report said.

use std::path::PathBuf;
use std::sync::Arc;

use abdi_server::clock::SystemClock;
use abdi_server::import::{Export, FieldChange, ImportOptions, ImportReport};
use abdi_server::masterdata::entity::{
    employee, family_member, org_unit, performance_rating, position, position_history, rank_history,
};
use abdi_tests::{Backend, TestApp, TestEnv, both_backends};
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn sample(sub: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../server/data/import-sample")
        .join(sub)
}

async fn run(
    db: &sea_orm::DatabaseConnection,
    dir: &std::path::Path,
    options: &ImportOptions,
    now: chrono::DateTime<Utc>,
) -> Result<ImportReport, abdi_server::import::ImportError> {
    abdi_server::import::run(db, &Export::from_dir(dir)?, options, now).await
}

fn options(dry_run: bool) -> ImportOptions {
    ImportOptions {
        dry_run,
        progress: false,
        batch: 3,
        email_domains: vec!["go.id".into()],
    }
}

/// (file, rows, new, changed, unchanged, refused) of each file.
fn counts(r: &ImportReport) -> Vec<(&str, usize, usize, usize, usize, usize)> {
    r.files
        .iter()
        .map(|f| {
            (
                f.file.as_str(),
                f.rows,
                f.new,
                f.changed,
                f.unchanged,
                f.refused,
            )
        })
        .collect()
}

async fn totals(app: &TestApp) -> (u64, u64, u64, u64) {
    let db = &app.state.db;
    (
        org_unit::Entity::find().count(db).await.unwrap(),
        position::Entity::find().count(db).await.unwrap(),
        employee::Entity::find().count(db).await.unwrap(),
        rank_history::Entity::find().count(db).await.unwrap(),
    )
}

async fn budi(app: &TestApp) -> employee::Model {
    employee::Entity::find()
        .filter(employee::Column::Nip.eq("198503122010011004"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
}

async fn an_export_is_reconciled_field_by_field_and_imported_once(backend: Backend) {
    let app = TestApp::start(TestEnv::new(backend).await, Arc::new(SystemClock)).await;
    let db = &app.state.db;

    // The shipped samples, into an empty agency.
    let first = run(db, &sample(""), &options(false), Utc::now())
        .await
        .unwrap();
    assert!(first.applied);
    assert_eq!(
        counts(&first),
        [
            ("units.csv", 6, 6, 0, 0, 0),
            ("posts.csv", 8, 8, 0, 0, 0),
            ("employees.csv", 8, 8, 0, 0, 0),
            ("rank_history.csv", 5, 5, 0, 0, 0),
            ("position_history.csv", 3, 3, 0, 0, 0),
            ("education_history.csv", 3, 3, 0, 0, 0),
            ("training_history.csv", 2, 2, 0, 0, 0),
            ("award_history.csv", 1, 1, 0, 0, 0),
            ("performance_history.csv", 4, 4, 0, 0, 0),
            ("family.csv", 2, 2, 0, 0, 0),
            ("discipline_history.csv", 1, 1, 0, 0, 0),
        ]
    );
    assert!(
        first.refused.is_empty() && first.warnings.is_empty(),
        "{first}"
    );
    assert_eq!(totals(&app).await, (6, 8, 8, 5));
    let kabid = position::Entity::find()
        .filter(position::Column::Code.eq("BKD-U001-KABID"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let kepala = position::Entity::find()
        .filter(position::Column::Code.eq("BKD-KEPALA"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kabid.reports_to_id, Some(kepala.id), "posts are linked");
    let analis = position::Entity::find()
        .filter(position::Column::Code.eq("BKD-U001-F01"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(analis.reports_to_id, Some(kabid.id));
    let b = budi(&app).await;
    assert_eq!(b.position_id, Some(analis.id));
    assert_eq!(b.rank_code.as_deref(), Some("III/c"));
    assert_eq!(b.gender, "male");
    assert_eq!(b.email.as_deref(), Some("budi.santoso@contoh.go.id"));
    let family = family_member::Entity::find()
        .filter(family_member::Column::EmployeeId.eq(b.id))
        .all(db)
        .await
        .unwrap();
    let spouse = family.iter().find(|f| f.relation == "spouse").unwrap();
    assert_eq!(
        (
            spouse.name.as_str(),
            spouse.gender.as_str(),
            spouse.nik.as_deref()
        ),
        ("Sri Wahyuni", "female", Some("3578015402870005"))
    );
    let posts = position_history::Entity::find()
        .filter(position_history::Column::EmployeeId.eq(b.id))
        .all(db)
        .await
        .unwrap();
    assert_eq!(posts.len(), 2);
    assert!(
        posts
            .iter()
            .any(|p| p.position_id == Some(analis.id) && p.decree_number == "821.2/4410/204/2016"),
        "a post of the export is linked by its code"
    );

    // Twice changes nothing.
    let again = run(db, &sample(""), &options(false), Utc::now())
        .await
        .unwrap();
    assert_eq!(
        counts(&again),
        [
            ("units.csv", 6, 0, 0, 6, 0),
            ("posts.csv", 8, 0, 0, 8, 0),
            ("employees.csv", 8, 0, 0, 8, 0),
            ("rank_history.csv", 5, 0, 0, 5, 0),
            ("position_history.csv", 3, 0, 0, 3, 0),
            ("education_history.csv", 3, 0, 0, 3, 0),
            ("training_history.csv", 2, 0, 0, 2, 0),
            ("award_history.csv", 1, 0, 0, 1, 0),
            ("performance_history.csv", 4, 0, 0, 4, 0),
            ("family.csv", 2, 0, 0, 2, 0),
            ("discipline_history.csv", 1, 0, 0, 1, 0),
        ]
    );
    assert!(again.changes.is_empty());
    assert_eq!(totals(&app).await, (6, 8, 8, 5));
    assert_eq!(
        budi(&app).await.updated_at,
        b.updated_at,
        "not even touched"
    );

    // Next year's export, reconciled in a dry run: every difference, and nothing written.
    let dry = run(db, &sample("next-year"), &options(true), Utc::now())
        .await
        .unwrap();
    assert!(!dry.applied);
    assert_eq!(
        counts(&dry),
        [
            ("units.csv", 6, 0, 1, 5, 0),
            ("posts.csv", 8, 0, 0, 8, 0),
            ("employees.csv", 10, 1, 1, 6, 2),
            ("rank_history.csv", 6, 1, 0, 5, 0),
            ("performance_history.csv", 6, 1, 0, 4, 1),
        ]
    );
    let change = |file: &str, key: &str, field: &str, from: &str, to: &str| FieldChange {
        file: file.into(),
        key: key.into(),
        field: field.into(),
        from: from.into(),
        to: to.into(),
    };
    assert_eq!(
        dry.changes,
        [
            change(
                "units.csv",
                "BKD-U002",
                "namaUnor",
                "Bidang Pengembangan",
                "Bidang Pengembangan Kompetensi"
            ),
            change(
                "employees.csv",
                "198503122010011004",
                "golRuangAkhirId",
                "III/c",
                "III/d"
            ),
            change(
                "employees.csv",
                "198503122010011004",
                "tmtGolAkhir",
                "2020-04-01",
                "2024-04-01"
            ),
            change(
                "employees.csv",
                "198503122010011004",
                "noHp",
                "081230000003",
                "081230000033"
            ),
        ]
    );
    let refused: Vec<(u64, &str, &str)> = dry
        .refused
        .iter()
        .map(|n| (n.line, n.key.as_str(), n.code.as_str()))
        .collect();
    assert_eq!(
        refused,
        [
            (10, "19920304201903100", "invalid_nip"),
            (11, "199301012019031010", "conflicting_nik"),
            (7, "199001152015022003", "invalid_value"),
        ]
    );
    assert!(
        dry.refused[1].message.contains("197001012000031001"),
        "{dry}"
    );
    let warnings: Vec<(u64, &str, &str)> = dry
        .warnings
        .iter()
        .map(|n| (n.line, n.key.as_str(), n.code.as_str()))
        .collect();
    assert_eq!(
        warnings,
        [
            (9, "199203042019031009", "email_not_official"),
            (9, "199203042019031009", "duplicate_phone"),
        ]
    );
    assert_eq!(
        dry.missing,
        ["199001152015022003"],
        "Dewi is not in the file"
    );
    assert_eq!(totals(&app).await, (6, 8, 8, 5), "a dry run writes nothing");
    assert_eq!(budi(&app).await.rank_code.as_deref(), Some("III/c"));
    // The same export saved on Windows (CRLF) names the same lines.
    let windows = tempfile::tempdir().unwrap();
    for f in [
        "units.csv",
        "posts.csv",
        "employees.csv",
        "rank_history.csv",
        "performance_history.csv",
    ] {
        let lf = std::fs::read_to_string(sample("next-year").join(f)).unwrap();
        std::fs::write(windows.path().join(f), lf.replace('\n', "\r\n")).unwrap();
    }
    let crlf = run(db, windows.path(), &options(true), Utc::now())
        .await
        .unwrap();
    assert_eq!(crlf.refused, dry.refused);
    assert_eq!(crlf.warnings, dry.warnings);
    let text = dry.to_string();
    assert!(
        text.contains("Uji coba") && text.contains("Dry run"),
        "{text}"
    );
    assert!(
        text.contains("employees.csv:10 19920304201903100 invalid_nip"),
        "{text}"
    );

    // The real run writes what the report said, and only that.
    let done = run(db, &sample("next-year"), &options(false), Utc::now())
        .await
        .unwrap();
    assert!(done.applied);
    assert_eq!(counts(&done), counts(&dry));
    assert_eq!(totals(&app).await, (6, 8, 9, 6));
    let ratings = performance_rating::Entity::find()
        .filter(performance_rating::Column::EmployeeId.eq(b.id))
        .count(db)
        .await
        .unwrap();
    assert_eq!(ratings, 4, "2026's rating is added once");
    let b = budi(&app).await;
    assert_eq!(b.rank_code.as_deref(), Some("III/d"));
    assert_eq!(b.phone.as_deref(), Some("081230000033"));
    let dewi = employee::Entity::find()
        .filter(employee::Column::Nip.eq("199001152015022003"))
        .one(db)
        .await
        .unwrap();
    assert!(
        dewi.is_some_and(|d| d.active),
        "missing is reported, never deleted"
    );
    let unit = org_unit::Entity::find()
        .filter(org_unit::Column::Code.eq("BKD-U002"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unit.name, "Bidang Pengembangan Kompetensi");
    for refused_nip in ["19920304201903100", "199301012019031010"] {
        assert_eq!(
            employee::Entity::find()
                .filter(employee::Column::Nip.eq(refused_nip))
                .count(db)
                .await
                .unwrap(),
            0
        );
    }
}

async fn a_folder_that_is_not_there_is_one_clear_error(backend: Backend) {
    let app = TestApp::start(TestEnv::new(backend).await, Arc::new(SystemClock)).await;
    let e = run(
        &app.state.db,
        &sample("no-such-folder"),
        &options(true),
        Utc::now(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(e.ends_with("no-such-folder: not a folder"), "{e}");
}

async fn administrators_import_through_the_api_with_a_step_up_to_write(backend: Backend) {
    use abdi_tests::world::{Who, step_up, world};
    let w = world(backend).await;
    let units = std::fs::read(sample("").join("units.csv")).unwrap();
    let send = |who: Who, query: &'static str| {
        let req = w
            .app
            .client
            .post(w.app.url(&format!("/api/v1/admin/import/units{query}")))
            .bearer_auth(&w.tokens[&who])
            .header("content-type", "text/csv")
            .body(units.clone());
        async move { req.send().await.unwrap() }
    };
    abdi_tests::api::problem(send(Who::Staff, "?dry_run=true").await, 403, "forbidden").await;
    // A dry run needs no step-up, and writes nothing.
    let dry: serde_json::Value = abdi_tests::api::ok(send(Who::Admin, "?dry_run=true").await).await;
    assert_eq!(dry["applied"], false);
    assert_eq!(dry["files"][0]["file"], "units.csv");
    assert_eq!(dry["files"][0]["rows"], 6);
    // The seeded province has the same codes: PROVX is new, the rest renamed or re-parented.
    assert_eq!(dry["files"][0]["new"], 1, "{dry}");
    assert_eq!(dry["files"][0]["changed"], 5, "{dry}");
    assert_eq!(dry["changes"][0]["key"], "BKD");
    assert_eq!(dry["changes"][0]["field"], "diatasanId");
    abdi_tests::api::problem(send(Who::Admin, "").await, 403, "step_up_required").await;
    step_up(&w, Who::Admin).await;
    let done: serde_json::Value = abdi_tests::api::ok(send(Who::Admin, "").await).await;
    assert_eq!(done["applied"], true);
    assert_eq!(done["files"][0], dry["files"][0]);
    let again: serde_json::Value =
        abdi_tests::api::ok(send(Who::Admin, "?dry_run=true").await).await;
    assert_eq!(again["files"][0]["unchanged"], 6, "{again}");
    let provx = org_unit::Entity::find()
        .filter(org_unit::Column::Code.eq("PROVX"))
        .one(&w.app.state.db)
        .await
        .unwrap();
    assert!(provx.is_some());
}

both_backends!(
    administrators_import_through_the_api_with_a_step_up_to_write,
    an_export_is_reconciled_field_by_field_and_imported_once,
    a_folder_that_is_not_there_is_one_clear_error,
);
