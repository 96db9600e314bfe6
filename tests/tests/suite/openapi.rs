use abdi_tests::{Backend, TestApp};
use serde_json::Value;

#[tokio::test]
async fn every_route_is_described_with_its_errors() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let spec: Value = app.get("/openapi.json").await.json().await.unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    let paths = spec["paths"].as_object().unwrap();
    for expected in [
        "/health/live",
        "/health/ready",
        "/api/v1/reference/ranks",
        "/api/v1/reference/holidays",
        "/api/v1/reference/holidays/{year}",
        "/api/v1/activation",
        "/api/v1/activation/redeem",
        "/api/v1/me",
        "/api/v1/me/sessions",
        "/api/v1/me/sessions/{id}",
        "/api/v1/me/passkeys",
        "/api/v1/me/passkeys/{id}",
        "/api/v1/auth/passkey",
        "/api/v1/me/step-up",
    ] {
        assert!(paths.contains_key(expected), "{expected} is not described");
    }
    let mut operations = 0;
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            assert!(ids.insert(id.clone()), "operation id {id} is used twice");
            // The web's pages are described too, under their own tag; everything else is the
            // API, under /api/v1, or the data API for other systems, under /api/data/v1.
            let web = op["tags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t == "web"));
            assert!(
                path.starts_with("/api/v1/")
                    || path.starts_with("/api/data/v1/")
                    || path.starts_with("/health/")
                    || web,
                "{path} is outside /api/v1"
            );
            let responses = op["responses"].as_object().unwrap();
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            if secured {
                assert!(
                    responses.contains_key("401"),
                    "{method} {path} lacks its 401"
                );
            }
            if path.starts_with("/api/") {
                let problems: Vec<_> = responses
                    .iter()
                    .filter(|(code, _)| code.starts_with('4') || code.starts_with('5'))
                    .collect();
                assert!(!problems.is_empty(), "{method} {path} documents no error");
                for (code, r) in problems {
                    assert!(
                        r["content"]["application/problem+json"]["schema"]["$ref"]
                            .as_str()
                            .is_some_and(|s| s.ends_with("/Problem")),
                        "{method} {path} {code} is not a Problem"
                    );
                }
            }
            // A public GET without parameters answers on the served app.
            if method == "get" && !secured && !path.contains('{') {
                let r = app.get(path).await;
                let status = r.status().as_u16();
                if path.starts_with("/.well-known/") {
                    // No app configured: nothing to associate.
                    assert_eq!(status, 404, "{path}");
                } else if web && status == 303 {
                    // A page for someone logged in sends the visitor to login.
                    let to = r.headers()["location"].to_str().unwrap().to_owned();
                    assert!(to.starts_with("/login?next="), "{path} -> {to}");
                } else {
                    assert_eq!(status, 200, "{path}");
                }
            }
        }
    }
    assert!(operations >= 20, "{operations} operations");
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    for name in [
        "Problem",
        "ErrorCode",
        "Readiness",
        "CalendarYear",
        "RankList",
        "Profile",
    ] {
        assert!(schemas.contains_key(name), "schema {name} missing");
    }
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let codes = schemas["ErrorCode"]["enum"].as_array().unwrap();
    for code in [
        "calendar_not_found",
        "unauthenticated",
        "step_up_required",
        "rate_limited",
    ] {
        assert!(codes.contains(&Value::from(code)), "{code}");
    }

    let docs = app.get("/docs").await;
    assert_eq!(docs.status(), 200);
    let page = docs.text().await.unwrap();
    assert!(
        page.contains("Abdi API") && page.contains("<html") && page.contains("/openapi.json"),
        "the docs page renders the spec"
    );
    // Every script on the page comes from this server, none from a CDN.
    for src in page.split("<script src=\"").skip(1) {
        let src = &src[..src.find('"').unwrap()];
        assert!(src.starts_with('/'), "a script from elsewhere: {src}");
        let js = app.get(src).await;
        assert_eq!(js.status(), 200, "{src}");
        assert!(
            js.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/javascript")
        );
        assert!(
            js.bytes().await.unwrap().len() > 100_000,
            "the renderer itself"
        );
    }
    assert!(
        !page.contains("https://"),
        "no third-party address on the page"
    );
}
