//! The synthetic province as it lands in the database: valid, consistent, complete.

use std::collections::HashMap;

use abdi_proto::master::{EmploymentType, Gender, Vocabulary};
use abdi_proto::{Nik, Nip, RankCode};
use abdi_server::masterdata::entity::{
    employee, org_unit, position, position_history, rank_history,
};
use abdi_server::seed::{SeedError, SeedOptions, accounts, run_seed};
use abdi_tests::{Backend, TestApp, both_backends};
use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};

fn options(employees: u32) -> SeedOptions {
    SeedOptions {
        employees,
        seed: 2026,
        as_of: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        accounts: accounts::parse(
            "accounts.toml",
            r#"
            [[account]]
            nip = "198503122010011004"
            name = "Budi Santoso"
            back_title = "S.Kom."
            email = "budi.santoso@jatimprov.go.id"
            unit = "BKD-U001"
            [[account]]
            nip = "197601052000032002"
            name = "Sri Wahyuni"
            email = "sri.wahyuni@jatimprov.go.id"
            unit = "BKD-U001"
            post = "KEPALA"
            "#,
        )
        .unwrap(),
        reset: false,
        progress: false,
    }
}

async fn the_seed_builds_a_consistent_province(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let db = &app.state.db;
    let opts = options(600);
    let report = run_seed(db, &opts, Utc::now()).await.unwrap();
    assert_eq!(report.employees, 602);
    assert_eq!(employee::Entity::find().count(db).await.unwrap(), 602);

    let units = org_unit::Entity::find().all(db).await.unwrap();
    let perangkat = units
        .iter()
        .filter(|u| u.level == "perangkat_daerah")
        .count();
    assert!(
        (45..=55).contains(&perangkat),
        "{perangkat} perangkat daerah"
    );
    assert_eq!(units.iter().filter(|u| u.level == "instansi").count(), 1);

    // Every position's chain of supervisors ends at the top, without a cycle.
    let posts: HashMap<_, _> = position::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    for post in posts.values() {
        let mut at = post;
        let mut steps = 0;
        while let Some(up) = at.reports_to_id {
            at = &posts[&up];
            steps += 1;
            assert!(steps < 10, "a cycle above {}", post.code);
        }
        assert_eq!(at.code, "PROV-SEKDA");
    }

    let ranks: Vec<_> = rank_history::Entity::find()
        .order_by_asc(rank_history::Column::Tmt)
        .all(db)
        .await
        .unwrap();
    let mut last_rank: HashMap<_, _> = HashMap::new();
    for r in &ranks {
        last_rank.insert(r.employee_id, r);
    }

    let as_of = opts.as_of;
    for e in employee::Entity::find().all(db).await.unwrap() {
        let nip = Nip::parse_pppk(&e.nip).unwrap_or_else(|err| panic!("{}: {err}", e.nip));
        assert_eq!(nip.birth_date(), e.birth_date, "{}", e.nip);
        assert_eq!(nip.gender().code(), e.gender, "{}", e.nip);
        let nik = Nik::parse(&e.nik).unwrap();
        assert_eq!(nik.gender().code(), e.gender);
        assert_eq!(nik.birth_date_in(e.birth_date.year()), Some(e.birth_date));
        let age = as_of.year() - e.birth_date.year();
        assert!((18..=60).contains(&age), "{} is {age}", e.nip);
        let kind = EmploymentType::from_code(&e.employment_type).unwrap();
        match kind {
            EmploymentType::Pppk => {
                assert_eq!(e.rank_code, None);
                assert_eq!(nip.appointment_code(), 21);
            }
            _ => {
                assert_eq!(nip.tmt_cpns(), e.tmt_cpns, "{}", e.nip);
                let rank = RankCode::parse(e.rank_code.as_deref().unwrap()).unwrap();
                let history = last_rank[&e.id];
                assert_eq!(
                    history.rank_code,
                    rank.to_string(),
                    "current rank is the latest"
                );
                assert_eq!(Some(history.tmt), e.rank_tmt);
                assert!(e.tmt_cpns.unwrap() <= as_of);
                assert!(
                    history.tmt >= e.tmt_cpns.unwrap(),
                    "rank before appointment"
                );
            }
        }
        if kind == EmploymentType::Pns {
            assert_eq!(
                e.tmt_pns,
                e.tmt_cpns
                    .map(|t| t.checked_add_months(chrono::Months::new(12)).unwrap())
            );
        }
        assert!(e.email.as_deref().unwrap().ends_with(".go.id"));
        assert!(Gender::from_code(&e.gender).is_some());
    }

    // Every head post (Sekretaris Daerah, each perangkat daerah's head) has exactly one holder,
    // so every approval chain ends at a person.
    let all = employee::Entity::find().all(db).await.unwrap();
    for head in posts.values().filter(|p| {
        p.code == "PROV-SEKDA" || p.code.ends_with("-KEPALA") && p.code.matches('-').count() == 1
    }) {
        let holders = all
            .iter()
            .filter(|e| e.position_id == Some(head.id))
            .count();
        assert_eq!(holders, 1, "{} has {holders} holders", head.code);
    }
    // A position history names its post by that post's own title.
    for h in position_history::Entity::find().all(db).await.unwrap() {
        let post = &posts[&h.position_id.unwrap()];
        assert_eq!(h.position_title, post.title);
    }

    // The named accounts are there as given, the second one holding the unit's head post.
    let budi = all.iter().find(|e| e.nip == "198503122010011004").unwrap();
    assert_eq!(budi.full_name(), "Budi Santoso, S.Kom.");
    assert_eq!(budi.email.as_deref(), Some("budi.santoso@jatimprov.go.id"));
    let sri = all.iter().find(|e| e.nip == "197601052000032002").unwrap();
    let head = &posts[&sri.position_id.unwrap()];
    assert_eq!(head.code, "BKD-U001-KEPALA");
    assert_eq!(
        all.iter()
            .filter(|e| e.position_id == sri.position_id)
            .count(),
        1,
        "one head"
    );

    // A second seed is refused unless asked to replace; with --reset the same data comes back.
    let again = run_seed(db, &opts, Utc::now()).await.unwrap_err();
    assert!(
        matches!(again, SeedError::NotEmpty { employees: 602, .. }),
        "{again}"
    );
    let replaced = run_seed(
        db,
        &SeedOptions {
            reset: true,
            ..opts.clone()
        },
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(replaced.employees, 602);
    let after = employee::Entity::find().all(db).await.unwrap();
    let nips = |v: &[employee::Model]| {
        let mut n: Vec<_> = v.iter().map(|e| e.nip.clone()).collect();
        n.sort();
        n
    };
    assert_eq!(
        nips(&after),
        nips(&all),
        "the same seed gives the same people"
    );
}

both_backends!(the_seed_builds_a_consistent_province);

/// A bad account is refused before anything is written, and `--reset` with a bad account
/// deletes nothing.
async fn an_account_in_an_unknown_unit_is_refused_before_writing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let db = &app.state.db;
    let mut bad = options(50);
    bad.accounts[0].unit = Some("NOPE".into());
    let e = run_seed(db, &bad, Utc::now()).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "account 198503122010011004: unit 'NOPE' does not exist in the generated organisation"
    );
    assert_eq!(employee::Entity::find().count(db).await.unwrap(), 0);
    assert_eq!(org_unit::Entity::find().count(db).await.unwrap(), 0);

    run_seed(db, &options(50), Utc::now()).await.unwrap();
    let units = org_unit::Entity::find().count(db).await.unwrap();
    bad.reset = true;
    assert!(run_seed(db, &bad, Utc::now()).await.is_err());
    assert_eq!(
        employee::Entity::find().count(db).await.unwrap(),
        52,
        "nothing was deleted"
    );
    assert_eq!(org_unit::Entity::find().count(db).await.unwrap(), units);
}

/// An organisation without employees (a seed of 0) still counts as data: a second seed needs
/// --reset, and with it succeeds.
async fn an_empty_province_can_be_reseeded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let db = &app.state.db;
    let mut none = options(0);
    none.accounts.clear();
    assert_eq!(run_seed(db, &none, Utc::now()).await.unwrap().employees, 0);
    let e = run_seed(db, &options(10), Utc::now()).await.unwrap_err();
    assert!(matches!(e, SeedError::NotEmpty { employees: 0, .. }), "{e}");
    let again = SeedOptions {
        reset: true,
        ..options(10)
    };
    assert_eq!(
        run_seed(db, &again, Utc::now()).await.unwrap().employees,
        12
    );
}

both_backends!(
    an_account_in_an_unknown_unit_is_refused_before_writing,
    an_empty_province_can_be_reseeded
);
