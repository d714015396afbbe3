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
                crate::forms::safe_next(q.next.as_deref()).to_owned(),
            ),
            (header::SET_COOKIE, cookie),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
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

/// `POST /report`: the filing form (multipart; works without JavaScript).
/// Filed → 303 to the tracking page; refused → the form again with the
/// translated reason, everything typed kept, and a 4xx status.
pub async fn report_submit(State(state): State<AppState>, req: axum::extract::Request) -> Response {
    use axum::extract::FromRequest;
    let (parts, body) = req.into_parts();
    let outcome = match axum::extract::Multipart::from_request(
        axum::extract::Request::from_parts(parts.clone(), body),
        &state,
    )
    .await
    {
        Err(_) => Err((
            app::error::AppError::bad_request("not_multipart"),
            Default::default(),
        )),
        Ok(multipart) => match crate::rest::Submission::read(multipart).await {
            Err(e) => Err((e, Default::default())),
            Ok(submission) => {
                let key = submission.fields.get("idempotency_key").cloned();
                let citizen = parts
                    .extensions
                    .get::<app::api::ports::Viewer>()
                    .map(|v| v.user_id);
                match crate::rest::file_submission(
                    &state,
                    &submission,
                    crate::services::intake::Channel::Web,
                    key.as_deref().filter(|k| !k.is_empty() && k.len() <= 128),
                    citizen,
                )
                .await
                {
                    Ok(filed) => Ok(filed),
                    Err(e) => Err((e, submission.fields)),
                }
            }
        },
    };
    match outcome {
        Ok(filed) => (
            StatusCode::SEE_OTHER,
            [(
                header::LOCATION,
                format!("/track/{}?filed=1", filed.tracking_code),
            )],
        )
            .into_response(),
        Err((error, values)) => {
            let outcome = app::api::ports::ReportOutcome {
                error: Some(error),
                values,
            };
            render_page(
                &state,
                axum::extract::Request::from_parts(parts, axum::body::Body::empty()),
                move || leptos::prelude::provide_context(outcome.clone()),
            )
            .await
        }
    }
}

/// Renders the app for `req` (whole page before the first byte, like the
/// data routes: it must read right without JavaScript) with `extra` added to
/// the context. Form handlers use it to show a page again with the reason.
pub async fn render_page(
    state: &AppState,
    req: axum::extract::Request,
    extra: impl Fn() + Clone + Send + Sync + 'static,
) -> Response {
    let context = crate::startup::leptos_context(state.clone());
    let render = leptos_axum::render_app_async_with_context(
        move || {
            context();
            extra();
        },
        {
            let options = state.leptos_options.clone();
            move || app::shell(options.clone())
        },
    );
    render(req).await
}
