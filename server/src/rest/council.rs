//! API v1, the council's cartable (`/api/v1/staff/council…`): the same
//! service as `/staff/council`; it checks the roles.

use super::{staff::Staff, ApiJson};
use crate::{
    error::{ApiError, ErrorBody},
    web::{client_addr, AppState},
};
use app::api::council::{CouncilCartable, CouncilForm, CouncilReplyForm, CouncilThread};
use axum::{
    extract::{Path, State},
    http::{request::Parts, StatusCode},
    routing::{get, post},
    Json, Router,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/council", get(cartable).post(refer))
        .route("/staff/council/{id}", get(thread))
        .route("/staff/council/{id}/answer", post(answer))
        .route("/staff/council/{id}/refer", post(refer_on))
}

#[utoipa::path(get, path = "/api/v1/staff/council", security(("bearer" = [])),
    responses((status = 200, body = CouncilCartable), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
/// What waits for the caller's answer, and the caller's own referrals
/// (council members, the mayor's office).
pub(super) async fn cartable(
    State(state): State<AppState>,
    Staff(who): Staff,
) -> Result<Json<CouncilCartable>, ApiError> {
    Ok(Json(state.services.council.cartable(&who).await?))
}

#[utoipa::path(get, path = "/api/v1/staff/council/{id}", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = CouncilThread), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
/// The thread holding referral `id`, for those in it.
pub(super) async fn thread(
    State(state): State<AppState>,
    Staff(who): Staff,
    Path(id): Path<i64>,
) -> Result<Json<CouncilThread>, ApiError> {
    Ok(Json(state.services.council.thread(&who, id).await?))
}

/// The id of a new referral.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(super) struct CouncilReferred {
    id: i64,
}

#[utoipa::path(post, path = "/api/v1/staff/council", security(("bearer" = [])),
    request_body = CouncilForm,
    responses((status = 201, body = CouncilReferred), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
/// Refers a complaint, a 1888 item or a request to a member or to the
/// municipality (council members).
pub(super) async fn refer(
    State(state): State<AppState>,
    Staff(who): Staff,
    parts: Parts,
    ApiJson(form): ApiJson<CouncilForm>,
) -> Result<(StatusCode, Json<CouncilReferred>), ApiError> {
    let client = client_addr(&parts).to_string();
    let id = state.services.council.refer(&who, &form, &client).await?;
    Ok((StatusCode::CREATED, Json(CouncilReferred { id })))
}

#[utoipa::path(post, path = "/api/v1/staff/council/{id}/answer", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CouncilReplyForm,
    responses((status = 204, description = "answered"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
/// Answers a referral once (its receiver).
pub(super) async fn answer(
    State(state): State<AppState>,
    Staff(who): Staff,
    Path(id): Path<i64>,
    parts: Parts,
    ApiJson(form): ApiJson<CouncilReplyForm>,
) -> Result<StatusCode, ApiError> {
    let client = client_addr(&parts).to_string();
    state
        .services
        .council
        .answer(&who, id, &form, &client)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/staff/council/{id}/refer", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CouncilReplyForm,
    responses((status = 201, body = CouncilReferred), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
/// Refers a referral on to another receiver in its thread (its receiver).
pub(super) async fn refer_on(
    State(state): State<AppState>,
    Staff(who): Staff,
    Path(id): Path<i64>,
    parts: Parts,
    ApiJson(form): ApiJson<CouncilReplyForm>,
) -> Result<(StatusCode, Json<CouncilReferred>), ApiError> {
    let client = client_addr(&parts).to_string();
    let id = state
        .services
        .council
        .refer_on(&who, id, &form, &client)
        .await?;
    Ok((StatusCode::CREATED, Json(CouncilReferred { id })))
}
