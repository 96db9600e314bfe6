//! The problem responses every operation shares, added to the OpenAPI document once instead of
//! on every handler: what the extractors and the stores answer whatever the route.
//!
//! - a route that needs a session: 401 `unauthenticated`;
//! - a JSON body: 400 `invalid_body` (unless the route names its own 400s), 413
//!   `payload_too_large` and 415 `unsupported_media_type`;
//! - a path parameter: 400 `invalid_path` (unless the route names its own 400s);
//! - every route under `/api`: 503 `unavailable` with `Retry-After` when a store cannot be
//!   reached (unless the route names its own 503s).
//!
//! A route's own descriptions stay as they are; only what is missing is added.

use serde_json::{Value, json};

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// The document with the shared problem responses filled in.
pub(super) fn complete(openapi: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let Ok(mut doc) = serde_json::to_value(&openapi) else {
        return openapi;
    };
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            for method in METHODS {
                if let Some(op) = item.get_mut(method) {
                    add_shared(path, op);
                }
            }
        }
    }
    serde_json::from_value(doc).unwrap_or(openapi)
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/problem+json": {
            "schema": { "$ref": "#/components/schemas/Problem" }
        } }
    })
}

fn add_shared(path: &str, op: &mut Value) {
    let needs_session = op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|alternatives| {
            !alternatives.is_empty()
                && alternatives
                    .iter()
                    .all(|a| a.as_object().is_some_and(|o| !o.is_empty()))
        });
    let json_body = op
        .pointer("/requestBody/content/application~1json")
        .is_some();
    let path_params = path.contains('{');
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    let mut add = |status: &str, response: Value| {
        responses.entry(status.to_owned()).or_insert(response);
    };
    if needs_session {
        add(
            "401",
            problem("`unauthenticated`: no session, or one that ended"),
        );
    }
    match (json_body, path_params) {
        (true, true) => add("400", problem("`invalid_path`, `invalid_body`")),
        (true, false) => add("400", problem("`invalid_body`")),
        (false, true) => add("400", problem("`invalid_path`")),
        (false, false) => {}
    }
    if json_body {
        add("413", problem("`payload_too_large`"));
        add(
            "415",
            problem("`unsupported_media_type`: the body is not sent as `application/json`"),
        );
    }
    if path.starts_with("/api/") {
        let mut unavailable =
            problem("`unavailable`: a store cannot be reached right now; retry after the wait");
        unavailable["headers"] = json!({ "Retry-After": {
            "description": "Seconds to wait before trying again",
            "schema": { "type": "integer", "minimum": 1 }
        } });
        add("503", unavailable);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_is_missing_is_added() {
        let mut op = json!({
            "security": [{ "bearer": [] }],
            "requestBody": { "content": { "application/json": {} } },
            "responses": {
                "200": { "description": "ok" },
                "400": { "description": "`invalid_body`, `reason_required`" }
            }
        });
        add_shared("/api/v1/requests/{id}/cancel", &mut op);
        let r = &op["responses"];
        assert_eq!(r["400"]["description"], "`invalid_body`, `reason_required`");
        for status in ["401", "413", "415", "503"] {
            assert!(r[status].is_object(), "{status}: {op}");
        }
        assert!(r["503"]["headers"]["Retry-After"].is_object());

        // Optional session (`security: [{}, {"bearer": []}]`), no body, no path parameter.
        let mut open = json!({
            "security": [{}, { "bearer": [] }],
            "responses": { "200": { "description": "ok" } }
        });
        add_shared("/health/ready", &mut open);
        assert_eq!(open["responses"].as_object().unwrap().len(), 1, "{open}");
    }
}
