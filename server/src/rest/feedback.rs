//! API v1 for 1888: filing criticism, a suggestion or thanks, reading an
//! item, and the desks' queue and answer. Same service as the pages.

use super::{staff::Staff, ApiJson, CodePath};
use crate::{
    error::{ApiError, ErrorBody},
    web::{client_addr, AppState},
};
use app::api::feedback::{FeedbackAnswerForm, FeedbackForm, FeedbackView};
use axum::{
    extract::State,
    http::{request::Parts, StatusCode},
    routing::{get, post},
    Json, Router,
};
use serde::Serialize;
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/feedback", post(file))
        .route("/feedback/{tracking_code}", get(view))
        .route("/staff/feedback", get(queue))
        .route("/staff/feedback/{tracking_code}/answer", post(answer))
}

/// A filed 1888 item.
#[derive(Serialize, ToSchema)]
pub(super) struct FeedbackFiled {
    tracking_code: String,
}

#[utoipa::path(post, path = "/api/v1/feedback", request_body = FeedbackForm,
    responses((status = 201, body = FeedbackFiled), (status = 400, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 500, body = ErrorBody)))]
/// Files criticism, a suggestion or thanks (1888), anonymously or as the
/// signed-in citizen; the same `form_key` files once.
pub(super) async fn file(
    State(state): State<AppState>,
    parts: Parts,
    ApiJson(form): ApiJson<FeedbackForm>,
) -> Result<(StatusCode, Json<FeedbackFiled>), ApiError> {
    let input = form.parse()?;
    let citizen = crate::web::signed_in(&parts).ok().map(|v| v.user_id);
    let key = Some(form.form_key.trim()).filter(|k| !k.is_empty());
    let code = state.services.feedback.file(&input, citizen, key).await?;
    Ok((
        StatusCode::CREATED,
        Json(FeedbackFiled {
            tracking_code: code.to_string(),
        }),
    ))
}

#[utoipa::path(get, path = "/api/v1/feedback/{tracking_code}",
    params(("tracking_code" = String, Path)),
    responses((status = 200, body = FeedbackView), (status = 404, body = ErrorBody)))]
/// One 1888 item and its answer.
pub(super) async fn view(
    State(state): State<AppState>,
    CodePath(code): CodePath,
) -> Result<Json<FeedbackView>, ApiError> {
    Ok(Json(state.services.feedback.view(&code).await?))
}

#[utoipa::path(get, path = "/api/v1/staff/feedback", security(("bearer" = [])),
    responses((status = 200, body = [FeedbackView]), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
/// What waits for the caller's answer: their units' items, and the 1888
/// desk's for operators and supervisors.
pub(super) async fn queue(
    State(state): State<AppState>,
    Staff(who): Staff,
) -> Result<Json<Vec<FeedbackView>>, ApiError> {
    Ok(Json(state.services.feedback.queue(&who).await?))
}

#[utoipa::path(post, path = "/api/v1/staff/feedback/{tracking_code}/answer", security(("bearer" = [])),
    params(("tracking_code" = String, Path)), request_body = FeedbackAnswerForm,
    responses((status = 204, description = "answered"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
/// Answers an item once (its unit's staff, or the 1888 desk).
pub(super) async fn answer(
    State(state): State<AppState>,
    Staff(who): Staff,
    CodePath(code): CodePath,
    parts: Parts,
    ApiJson(form): ApiJson<FeedbackAnswerForm>,
) -> Result<StatusCode, ApiError> {
    let client = client_addr(&parts).to_string();
    state
        .services
        .feedback
        .answer(&who, &code, &form, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
