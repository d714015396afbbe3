//! Static files from the built site, precompressed (brotli, gzip) by the
//! release build, with cache headers; anything else is the app's 404 page.

use crate::web::{render_page, AppState};
use axum::{
    body::Body,
    extract::State,
    http::{header, HeaderValue, Method, Request, StatusCode},
    response::{IntoResponse, Response},
};
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// Hashed bundle files never change under the same name: cache for a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Unhashed assets (icons, fonts, manifest): a day, then revalidate.
const DAILY: &str = "public, max-age=86400";
/// The service worker names this build's files: always asked for afresh, so a
/// deploy reaches every phone at its next visit.
const REVALIDATE: &str = "no-cache";

fn cache_control_for(path: &str) -> &'static str {
    if path.starts_with("/pkg/") {
        IMMUTABLE
    } else if path == "/sw.js" {
        REVALIDATE
    } else {
        DAILY
    }
}

/// Router fallback: a file under the site root, or the rendered 404 page.
pub async fn static_or_not_found(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    if matches!(parts.method, Method::GET | Method::HEAD) && !path.ends_with('/') {
        let probe = Request::from_parts(parts.clone(), Body::empty());
        let served = ServeDir::new(&state.config.site_root)
            .precompressed_br()
            .precompressed_gzip()
            .append_index_html_on_directories(false)
            .oneshot(probe)
            .await;
        // ServeDir's error type is Infallible.
        let Ok(res) = served;
        if res.status() != StatusCode::NOT_FOUND {
            let mut res = res.into_response();
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache_control_for(&path)),
            );
            if path.ends_with(".webmanifest") {
                res.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/manifest+json"),
                );
            }
            return res;
        }
    }
    drop(body);
    let mut res = render_page(&state, parts, || {}).await;
    // The router's fallback page sets 404 itself; make sure nothing that
    // reached this handler answers 200.
    if res.status() == StatusCode::OK {
        *res.status_mut() = StatusCode::NOT_FOUND;
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_bundle_is_immutable_others_daily() {
        assert_eq!(cache_control_for("/pkg/pasokh.abc123.wasm"), IMMUTABLE);
        assert_eq!(cache_control_for("/icons/icon-192.png"), DAILY);
        assert_eq!(cache_control_for("/sw.js"), REVALIDATE);
    }
}
