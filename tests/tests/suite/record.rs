//! The employee record: one document with every history, read by whoever may, the NIK masked
//! for all but the employee and administrators, and every read of someone else's record in
//! the access log.

use abdi_proto::record::{EmployeeRecord, RecordReadPage};
use abdi_server::masterdata::entity::{competency, disciplinary_sanction, employee};
use abdi_tests::api::{get, ok_as, problem};
use abdi_tests::world::{STAFF_NIP, Who, world};
use abdi_tests::{Backend, both_backends};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

use Who::*;

async fn the_record_is_read_in_each_capacity_and_every_read_of_another_is_logged(backend: Backend) {
    let w = world(backend).await;
    let db = &w.app.state.db;
    let staff = w.ids[&Staff];
    let nik = employee::Entity::find_by_id(staff)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .nik;
    competency::ActiveModel {
        employee_id: Set(staff),
        name: Set("Manajemen ASN".into()),
        level: Set("3".into()),
        assessed_on: Set("2026-03-02".parse().unwrap()),
        assessor: Set("UPT Penilaian Kompetensi BKD".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    disciplinary_sanction::ActiveModel {
        employee_id: Set(staff),
        level: Set("ringan".into()),
        decree_number: Set("862/12/204/2025".into()),
        starts_on: Set("2025-02-01".parse().unwrap()),
        ends_on: Set(Some("2025-07-31".parse().unwrap())),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let path = format!("/api/v1/employees/{staff}/record");

    // The employee's own: the NIK in full, every history, and no log entry.
    let own: EmployeeRecord = ok_as(get(&w, Staff, &path).await).await;
    assert_eq!(own.identity.nip, STAFF_NIP);
    assert_eq!(own.identity.nik, nik);
    assert!(!own.identity.nik_masked);
    assert_eq!(own.competencies.len(), 1);
    assert_eq!(own.competencies[0].assessor, "UPT Penilaian Kompetensi BKD");
    assert_eq!(own.discipline.len(), 1);
    assert_eq!(own.discipline[0].decree_number, "862/12/204/2025");
    assert!(
        own.identity.unit_code.starts_with("BKD"),
        "{:?}",
        own.identity
    );

    // The atasan and the fasilitator see it masked; an administrator in full.
    for who in [Supervisor, Fasilitator] {
        let theirs: EmployeeRecord = ok_as(get(&w, who, &path).await).await;
        assert!(theirs.identity.nik_masked, "{who:?}");
        assert_ne!(theirs.identity.nik, nik);
        assert_eq!(&theirs.identity.nik[..4], &nik[..4]);
        assert_eq!(theirs.identity.nik.matches('*').count(), 10);
        assert!(
            theirs
                .family
                .iter()
                .all(|f| f.nik.as_deref().is_none_or(|n| n.contains('*')))
        );
        assert_eq!(
            theirs.competencies, own.competencies,
            "the rest is the same"
        );
    }
    let admin: EmployeeRecord = ok_as(get(&w, Admin, &path).await).await;
    assert_eq!(admin.identity.nik, nik);
    // Nobody else, not even the PYBMC (the record is not a decision's business).
    for who in [Other, Head, OtherFasilitator] {
        problem(get(&w, who, &path).await, 403, "forbidden").await;
    }

    // The log: the three reads of another's record, newest first, paged like every list.
    problem(
        get(&w, Staff, "/api/v1/admin/record-reads").await,
        403,
        "forbidden",
    )
    .await;
    let log: RecordReadPage = ok_as(
        get(
            &w,
            Admin,
            &format!("/api/v1/admin/record-reads?employee_id={staff}&limit=2"),
        )
        .await,
    )
    .await;
    let capacities: Vec<&str> = log.items.iter().map(|r| r.capacity.as_str()).collect();
    assert_eq!(capacities, ["administrator", "fasilitator"]);
    assert_eq!(log.items[0].reader.id, w.ids[&Admin]);
    assert_eq!(log.items[0].employee.nip, STAFF_NIP);
    let next = log.next.expect("a second page");
    let rest: RecordReadPage = ok_as(
        get(
            &w,
            Admin,
            &format!("/api/v1/admin/record-reads?employee_id={staff}&after={next}"),
        )
        .await,
    )
    .await;
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.items[0].capacity, "atasan_langsung");
    assert_eq!(rest.items[0].reader.id, w.ids[&Supervisor]);
    assert!(rest.next.is_none());

    // The Daftar Riwayat Hidup: a PDF of the same record, for the same readers, logged alike.
    problem(
        get(&w, Other, &format!("{path}/pdf")).await,
        403,
        "forbidden",
    )
    .await;
    let r = get(&w, Supervisor, &format!("{path}/pdf")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("drh.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let (code, text) =
        crate::documents::run("pdftotext", &["-layout", file.to_str().unwrap(), "-"]);
    assert_eq!(code, 0, "{text}");
    for expected in [
        "DAFTAR RIWAYAT HIDUP",
        "I. KETERANGAN PERORANGAN",
        STAFF_NIP,
        "Manajemen ASN",
        "UPT Penilaian",
        "862/12/204/2025",
        "X. HUKUMAN DISIPLIN",
        "Yang membuat,",
    ] {
        assert!(
            text.contains(expected),
            "{expected} missing from the DRH:\n{text}"
        );
    }
    assert!(!text.contains(&nik), "the atasan's copy masks the NIK");
    let log: RecordReadPage = ok_as(
        get(
            &w,
            Admin,
            &format!(
                "/api/v1/admin/record-reads?reader_id={}",
                w.ids[&Supervisor]
            ),
        )
        .await,
    )
    .await;
    assert_eq!(log.items.len(), 2, "the PDF is a read too");
}

both_backends!(the_record_is_read_in_each_capacity_and_every_read_of_another_is_logged);
