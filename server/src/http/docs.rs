//! `/docs`: a readable page over `/openapi.json`. Its renderer (Redoc 2.5.4, MIT, in
//! `assets/docs/`) is served from the binary, so no third-party script ever runs on the origin
//! that holds the session cookie, and the page works on a closed network.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;

const RENDERER: &[u8] = include_bytes!("../../assets/docs/redoc.standalone.js");
const RENDERER_PATH: &str = "/docs/redoc.standalone.js";

const PAGE: &str = r#"<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Abdi API</title>
<style>body { margin: 0; }</style>
</head>
<body>
<noscript>Halaman ini memerlukan JavaScript; deskripsi API ada di /openapi.json. / This page needs JavaScript; the API description is at /openapi.json.</noscript>
<div id="abdi-api"></div>
<script src="/docs/redoc.standalone.js"></script>
<script>
Redoc.init("/openapi.json", { hideDownloadButton: false, expandResponses: "200,201" }, document.getElementById("abdi-api"));
</script>
</body>
</html>
"#;

pub(super) fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/docs", get(|| async { Html(PAGE) }))
        .route(
            RENDERER_PATH,
            get(|| async {
                (
                    [
                        (
                            header::CONTENT_TYPE,
                            HeaderValue::from_static("text/javascript; charset=utf-8"),
                        ),
                        (
                            header::CACHE_CONTROL,
                            HeaderValue::from_static("public, max-age=86400"),
                        ),
                    ],
                    RENDERER,
                )
                    .into_response()
            }),
        )
}
