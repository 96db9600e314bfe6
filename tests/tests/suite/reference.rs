use abdi_proto::RankCode;
use abdi_proto::reference::{CalendarYear, CalendarYears, RankList};
use abdi_tests::{Backend, TestApp, both_backends};

use abdi_tests::api::problem;

async fn the_rank_ladder_is_served(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.get("/api/v1/reference/ranks").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "public, max-age=3600");
    let list: RankList = response.json().await.unwrap();
    // The stored ladder (written by the migration) is the one the shared contract knows.
    let expected: Vec<_> = RankCode::all()
        .map(abdi_proto::reference::Rank::from)
        .collect();
    assert_eq!(list.ranks, expected);
    assert_eq!(list.ranks[8].code, "III/a");
    assert_eq!(list.ranks[8].pangkat, "Penata Muda");
}

async fn the_2026_calendar_is_served_with_its_legal_basis(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let years: CalendarYears = app
        .get("/api/v1/reference/holidays")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(years.years, vec![2025, 2026]);

    let response = app.get("/api/v1/reference/holidays/2026").await;
    assert_eq!(response.status(), 200);
    let year: CalendarYear = response.json().await.unwrap();
    assert_eq!(year.national_holidays, 17);
    assert_eq!(year.cuti_bersama, 8);
    // 2026 has 261 weekdays; 17 national holidays of which 4 fall on a weekend (21-22 March,
    // 5 April, 31 May), and 8 cuti bersama on weekdays: 261 - 13 - 8 = 240.
    assert_eq!(year.working_days, 240);
    let idulfitri = year
        .days
        .iter()
        .find(|d| d.date.to_string() == "2026-03-21")
        .unwrap();
    assert_eq!(idulfitri.name_id, "Hari Raya Idulfitri 1447 Hijriah");
    assert!(idulfitri.legal_basis.contains("1497/2025"));
}

async fn a_year_without_calendar_is_a_clear_404_in_both_languages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let body = problem(
        app.get("/api/v1/reference/holidays/2031").await,
        404,
        "calendar_not_found",
    )
    .await;
    assert_eq!(
        body["detail"],
        "Kalender hari libur tahun 2031 belum dimuat."
    );
    let response = app
        .client
        .get(app.url("/api/v1/reference/holidays/2031"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-language"], "en");
    let body = problem(response, 404, "calendar_not_found").await;
    assert_eq!(
        body["detail"],
        "The holiday calendar for 2031 has not been loaded."
    );
}

async fn a_year_that_is_not_a_number_is_a_400(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for bad in ["abc", "2026.5", "99999999999"] {
        let body = problem(
            app.get(&format!("/api/v1/reference/holidays/{bad}")).await,
            400,
            "invalid_path",
        )
        .await;
        assert!(body["detail"].as_str().unwrap().contains(bad), "{body}");
    }
}

both_backends!(
    the_rank_ladder_is_served,
    the_2026_calendar_is_served_with_its_legal_basis,
    a_year_without_calendar_is_a_clear_404_in_both_languages,
    a_year_that_is_not_a_number_is_a_400
);
