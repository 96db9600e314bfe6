use abdi_tests::{Backend, TestApp, both_backends};

use abdi_tests::api::problem;

async fn unknown_addresses_and_methods_are_problems(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let body = problem(app.get("/api/v1/nothing-here").await, 404, "not_found").await;
    assert_eq!(body["lang"], "id");
    assert_eq!(body["title"], "Alamat tidak ditemukan");

    let response = app
        .client
        .delete(app.url("/api/v1/reference/ranks"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap();
    let body = problem(response, 405, "method_not_allowed").await;
    assert_eq!(body["lang"], "en");
}

async fn the_request_id_is_kept_or_made(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "support-ticket-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "support-ticket-42");
    let made = app.get("/health/live").await;
    let id = made.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 4);
}

both_backends!(
    unknown_addresses_and_methods_are_problems,
    the_request_id_is_kept_or_made
);
