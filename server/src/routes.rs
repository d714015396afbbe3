//! Small HTTP routes that are not pages: probes and the language switch.

use crate::startup::AppState;
use app::i18n::{Lang, LANG_COOKIE};
use axum::{
    extract::{Path, Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;
use serde_json::json;

/// `GET /health`: the process is up (liveness). Touches nothing else, so a
/// slow database never gets a healthy node restarted.
pub async fn health() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// `GET /ready`: the database answers (readiness); 503 otherwise, so a load
/// balancer stops sending traffic here.
pub async fn ready(State(state): State<AppState>) -> Response {
    if state.store.ping().await {
        Json(json!({ "status": "ready", "database": "ok" })).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "database": "unreachable" })),
        )
            .into_response()
    }
}

#[derive(Deserialize)]
pub struct LangQuery {
    next: Option<String>,
}

/// Only same-site paths: `/x` but not `//evil.example` or `/\evil`.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n,
        _ => "/",
    }
}

/// `GET /lang/{fa|en}?next=/path`: remembers the language in a cookie for a
/// year and goes back. A plain link, so it works without JavaScript.
pub async fn switch_lang(Path(tag): Path<String>, Query(q): Query<LangQuery>) -> Response {
    let Some(lang) = Lang::parse(&tag) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.tag()
    );
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, safe_next(q.next.as_deref()).to_owned()),
            (header::SET_COOKIE, cookie),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn open_redirects_are_refused() {
        assert_eq!(safe_next(Some("/track/123")), "/track/123");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
