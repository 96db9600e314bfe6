use abdi_tests::{Backend, TestApp};
use serde_json::Value;

#[tokio::test]
async fn every_route_is_described_with_its_errors() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let spec: Value = app.get("/openapi.json").await.json().await.unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    let paths = spec["paths"].as_object().unwrap();
    let mut names: Vec<&str> = paths.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "/api/v1/reference/holidays",
            "/api/v1/reference/holidays/{year}",
            "/api/v1/reference/ranks",
            "/health/live",
            "/health/ready",
        ]
    );
    for (path, item) in paths {
        // Each documented route answers on the served app (no route documented but missing).
        let concrete = path.replace("{year}", "2026");
        let status = app.get(&concrete).await.status().as_u16();
        assert!(status == 200, "{path} answered {status}");
        if path.starts_with("/api/v1/") {
            let responses = item["get"]["responses"].as_object().unwrap();
            let problems: Vec<_> = responses
                .iter()
                .filter(|(code, _)| code.starts_with('4') || code.starts_with('5'))
                .collect();
            assert!(!problems.is_empty(), "{path} documents no error response");
            for (code, r) in problems {
                assert!(
                    r["content"]["application/problem+json"]["schema"]["$ref"]
                        .as_str()
                        .is_some_and(|s| s.ends_with("/Problem")),
                    "{path} {code} is not a Problem"
                );
            }
        }
    }
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    for name in [
        "Problem",
        "ErrorCode",
        "Readiness",
        "CalendarYear",
        "RankList",
    ] {
        assert!(schemas.contains_key(name), "schema {name} missing");
    }
    let codes = schemas["ErrorCode"]["enum"].as_array().unwrap();
    assert!(codes.contains(&Value::from("calendar_not_found")));

    let docs = app.get("/docs").await;
    assert_eq!(docs.status(), 200);
    let page = docs.text().await.unwrap();
    assert!(
        page.contains("Abdi API") && page.contains("<html"),
        "the docs page renders the spec"
    );
}
