//! Small HTTP routes that are not pages: probes and the language switch.

use crate::web::AppState;
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
/// balancer stops sending traffic here: also from SIGTERM on, while the
/// node drains before it stops.
pub async fn ready(State(state): State<AppState>) -> Response {
    if state.metrics.is_draining() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "draining" })),
        )
            .into_response();
    }
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
            (
                header::LOCATION,
                app::api::safe_next(q.next.as_deref()).to_owned(),
            ),
            (header::SET_COOKIE, cookie),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}

/// `GET /t/{code}`: the short link text messages carry; goes to the
/// tracking page (a malformed code to the tracking form).
pub async fn short_link(Path(raw): Path<String>) -> Response {
    match app::model::TrackingCode::parse(&raw) {
        Ok(code) => crate::web::see_other(&format!("/track/{code}")),
        Err(_) => crate::web::see_other("/track"),
    }
}

/// `GET /media/{key}`: a stored photo. Keys are content hashes, so the bytes
/// under a key never change: cache for a year.
pub async fn media(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    match state.media.get(&key).await {
        Ok(Some(bytes)) => (
            [
                (header::CONTENT_TYPE, "image/jpeg"),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "reading a photo");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `POST /kiosk/reset`: the end of a kiosk visit. The browser drops every
/// cookie (HttpOnly ones too, which the page's script cannot reach) and the
/// origin's storage (localStorage, IndexedDB, service workers, Cache API);
/// the session and language cookies are also expired by name for browsers
/// without `Clear-Site-Data`.
pub async fn kiosk_reset(State(state): State<AppState>) -> Response {
    let secure = state.config.secure_cookies();
    let mut response = (
        StatusCode::NO_CONTENT,
        [
            (
                header::HeaderName::from_static("clear-site-data"),
                "\"cookies\", \"storage\"".to_owned(),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response();
    for cookie in [
        crate::auth::session::clear_cookie(secure),
        format!("{LANG_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax"),
    ] {
        if let Ok(value) = header::HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}
