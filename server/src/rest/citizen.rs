//! API v1, the citizen's side: nearby complaints and "me too", rating and
//! objecting, phone sign-in for apps, "my complaints". Same services as the
//! HTML forms.

use super::{fail, ErrorBody};
use crate::{
    auth::{otp::SESSION_TTL, session},
    error::{lang_of, ApiError},
    services::citizen::Nearby,
    startup::AppState,
};
use app::{
    api::ports::{Citizens, Viewer},
    error::AppError,
    model::{status::PublicStatus, GeoPoint, TrackingCode},
};
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Extension, Json, Router,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/complaints/nearby", get(nearby))
        .route("/api/v1/complaints/{tracking_code}/support", post(support))
        .route("/api/v1/complaints/{tracking_code}/rating", post(rate))
        .route("/api/v1/complaints/{tracking_code}/objection", post(object))
        .route("/api/v1/auth/otp", post(request_code))
        .route(
            "/api/v1/auth/session",
            post(create_session).delete(delete_session),
        )
        .route("/api/v1/me/complaints", get(my_complaints))
}

fn code_of(headers: &HeaderMap, raw: &str) -> Result<TrackingCode, ApiError> {
    TrackingCode::parse(raw).map_err(|_| fail(headers, AppError::NotFound))
}

fn signed_in(headers: &HeaderMap, viewer: Option<Extension<Viewer>>) -> Result<Viewer, ApiError> {
    viewer
        .map(|Extension(v)| v)
        .ok_or_else(|| fail(headers, AppError::Unauthorized))
}

/// A JSON body, or a translated 400/422 instead of axum's plain-text refusal.
fn body<T>(
    headers: &HeaderMap,
    json: Result<Json<T>, axum::extract::rejection::JsonRejection>,
) -> Result<T, ApiError> {
    json.map(|Json(v)| v)
        .map_err(|_| fail(headers, AppError::bad_request("unreadable_json")))
}

#[derive(Deserialize)]
pub(super) struct NearbyQuery {
    category: Option<String>,
    lat: Option<String>,
    lon: Option<String>,
}

fn coordinate(name: &str, raw: Option<&str>) -> Result<f64, AppError> {
    raw.map(|s| app::model::digits::to_latin(s.trim()).replace('٫', "."))
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|v| v.is_finite())
        .ok_or_else(|| AppError::invalid(name, "not_a_number"))
}

#[utoipa::path(get, path = "/api/v1/complaints/nearby",
    params(("category" = String, Query), ("lat" = f64, Query), ("lon" = f64, Query)),
    responses((status = 200, body = Nearby), (status = 422, body = ErrorBody)))]
/// Open complaints of the same category within its radius (default 200 m):
/// "already reported nearby?".
pub(super) async fn nearby(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NearbyQuery>,
) -> Result<Json<Nearby>, ApiError> {
    let result = async {
        let category = q
            .category
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| AppError::invalid("category", "missing"))?;
        let point = GeoPoint::parse(
            coordinate("lat", q.lat.as_deref())?,
            coordinate("lon", q.lon.as_deref())?,
        )
        .map_err(|_| AppError::invalid("location", "out_of_range"))?;
        state
            .citizens
            .nearby(category, point, lang_of(&headers))
            .await
    }
    .await;
    result.map(Json).map_err(|e| fail(&headers, e))
}

/// The support count after a "me too".
#[derive(Serialize, ToSchema)]
pub(super) struct SupportAnswer {
    support_count: i64,
    /// False when this person had already supported it.
    counted: bool,
}

#[utoipa::path(post, path = "/api/v1/complaints/{tracking_code}/support",
    params(("tracking_code" = String, Path)),
    responses((status = 200, body = SupportAnswer), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the complaint is no longer open")))]
/// "Me too" from a signed-in citizen: counted once per person.
pub(super) async fn support(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Result<Json<SupportAnswer>, ApiError> {
    let code = code_of(&headers, &raw)?;
    let viewer = signed_in(&headers, viewer)?;
    let (support_count, counted) = state
        .citizens
        .support(&code, viewer.user_id)
        .await
        .map_err(|e| fail(&headers, e))?;
    Ok(Json(SupportAnswer {
        support_count,
        counted,
    }))
}

/// A rating of the resolution.
#[derive(Deserialize, ToSchema)]
pub(super) struct RatingBody {
    /// 1 to 5.
    stars: i64,
    comment: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/complaints/{tracking_code}/rating",
    params(("tracking_code" = String, Path)), request_body = RatingBody,
    responses((status = 201, description = "rated"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "not the filer"),
        (status = 409, body = ErrorBody, description = "not resolved, or already rated"),
        (status = 422, body = ErrorBody)))]
/// The filer rates the resolution, once, when it is resolved.
pub(super) async fn rate(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    json: Result<Json<RatingBody>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let code = code_of(&headers, &raw)?;
    let viewer = signed_in(&headers, viewer)?;
    let b = body(&headers, json)?;
    state
        .citizens
        .rate(&code, viewer.user_id, b.stars, b.comment.as_deref())
        .await
        .map_err(|e| fail(&headers, e))?;
    Ok(StatusCode::CREATED)
}

/// Why the filer says it is not fixed.
#[derive(Deserialize, ToSchema)]
pub(super) struct ObjectionBody {
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/complaints/{tracking_code}/objection",
    params(("tracking_code" = String, Path)), request_body = ObjectionBody,
    responses((status = 201, description = "reopened"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
/// The filer objects ("not fixed"): the complaint is reopened.
pub(super) async fn object(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    json: Result<Json<ObjectionBody>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let code = code_of(&headers, &raw)?;
    let viewer = signed_in(&headers, viewer)?;
    let b = body(&headers, json)?;
    state
        .citizens
        .object(&code, viewer.user_id, &b.reason)
        .await
        .map_err(|e| fail(&headers, e))?;
    Ok(StatusCode::CREATED)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct PhoneBody {
    /// Any Iranian mobile format, any digit script.
    phone: String,
}

#[utoipa::path(post, path = "/api/v1/auth/otp", request_body = PhoneBody,
    responses((status = 202, description = "a code was sent by SMS"),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
/// Sends a six-digit sign-in code (valid two minutes).
pub(super) async fn request_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    json: Result<Json<PhoneBody>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let b = body(&headers, json)?;
    state
        .accounts
        .request_code(&b.phone)
        .await
        .map_err(|e| fail(&headers, e))?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct SessionBody {
    phone: String,
    code: String,
}

#[derive(Serialize, ToSchema)]
pub(super) struct SessionCreated {
    /// Send as `Authorization: Bearer …` (browsers get the cookie too).
    token: String,
    expires_at: i64,
}

#[utoipa::path(post, path = "/api/v1/auth/session", request_body = SessionBody,
    responses((status = 201, body = SessionCreated),
        (status = 422, body = ErrorBody, description = "wrong or expired code"),
        (status = 429, body = ErrorBody, description = "locked after too many wrong codes")))]
/// Exchanges a one-time code for a session.
pub(super) async fn create_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    json: Result<Json<SessionBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let b = body(&headers, json)?;
    let new = state
        .accounts
        .verify(&b.phone, &b.code)
        .await
        .map_err(|e| fail(&headers, e))?;
    let cookie = session::set_cookie(&new.token, SESSION_TTL, state.config.secure_cookies());
    let response = (
        StatusCode::CREATED,
        Json(SessionCreated {
            token: new.token,
            expires_at: new.expires_at,
        }),
    )
        .into_response();
    Ok(session::with_cookie(response, &cookie))
}

#[utoipa::path(delete, path = "/api/v1/auth/session", responses((status = 204)))]
/// Signs out (the cookie's or the bearer token's session).
pub(super) async fn delete_session(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let secure = state.config.secure_cookies();
    if let Some(token) = session::token(&headers, secure) {
        state
            .accounts
            .sign_out(token)
            .await
            .map_err(|e| fail(&headers, e))?;
    }
    Ok(session::with_cookie(
        StatusCode::NO_CONTENT.into_response(),
        &session::clear_cookie(secure),
    ))
}

/// One of the signed-in citizen's complaints.
#[derive(Serialize, ToSchema)]
pub(super) struct MyComplaintDto {
    tracking_code: String,
    category: String,
    status: PublicStatus,
    created_at: i64,
    rated: bool,
}

#[utoipa::path(get, path = "/api/v1/me/complaints",
    responses((status = 200, body = [MyComplaintDto]), (status = 401, body = ErrorBody)))]
/// The signed-in citizen's complaints, newest first.
pub(super) async fn my_complaints(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    headers: HeaderMap,
) -> Result<Json<Vec<MyComplaintDto>>, ApiError> {
    let viewer = signed_in(&headers, viewer)?;
    let lang = lang_of(&headers);
    let list = state
        .citizens
        .my_complaints(viewer.user_id)
        .await
        .map_err(|e| fail(&headers, e))?;
    Ok(Json(
        list.into_iter()
            .map(|c| MyComplaintDto {
                tracking_code: c.tracking_code.to_string(),
                category: c.category.get(lang).to_owned(),
                status: c.status,
                created_at: c.created_at,
                rated: c.rated,
            })
            .collect(),
    ))
}
