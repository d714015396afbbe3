//! API v1, the citizen's side: nearby complaints and "me too", rating and
//! objecting, phone sign-in for apps, "my complaints". Same services as the
//! HTML forms.

use super::{ApiJson, ApiQuery, CodePath, SignedIn};
use crate::{
    auth::{otp::SESSION_TTL, session},
    error::{ApiError, ApiLang, ErrorBody},
    services::citizen::Nearby,
    web::{client_addr, AppState},
};
use app::{
    api::ports::Citizens,
    error::Invalid,
    model::{
        geo::{parse_number, point_from},
        status::PublicStatus,
        text::Stars,
    },
};
use axum::{
    extract::State,
    http::{request::Parts, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/complaints/nearby", get(nearby))
        .route("/complaints/{tracking_code}/support", post(support))
        .route("/complaints/{tracking_code}/rating", post(rate))
        .route("/complaints/{tracking_code}/objection", post(object))
        .route("/auth/otp", post(request_code))
        .route("/auth/session", post(create_session).delete(delete_session))
        .route("/me/complaints", get(my_complaints))
}

#[derive(Deserialize)]
pub(super) struct NearbyQuery {
    #[serde(default)]
    category: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
}

#[utoipa::path(get, path = "/api/v1/complaints/nearby",
    params(("category" = String, Query), ("lat" = String, Query, description = "any digit script"),
        ("lon" = String, Query)),
    responses((status = 200, body = Nearby), (status = 400, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 500, body = ErrorBody)))]
/// Open complaints of the same category within its radius (default 200 m):
/// "already reported nearby?".
pub(super) async fn nearby(
    State(state): State<AppState>,
    ApiLang(lang): ApiLang,
    ApiQuery(q): ApiQuery<NearbyQuery>,
) -> Result<Json<Nearby>, ApiError> {
    if q.category.trim().is_empty() {
        return Err(Invalid::CategoryMissing.into());
    }
    let point = point_from(
        parse_number(&q.lat, Invalid::LatNotANumber)?,
        parse_number(&q.lon, Invalid::LonNotANumber)?,
    )?
    .ok_or(Invalid::LocationMissing)?;
    Ok(Json(state.citizens.nearby(&q.category, point, lang).await?))
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
    security(("bearer" = [])),
    responses((status = 200, body = SupportAnswer), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the complaint is no longer open"),
        (status = 500, body = ErrorBody)))]
/// "Me too" from a signed-in citizen: counted once per person.
pub(super) async fn support(
    State(state): State<AppState>,
    CodePath(code): CodePath,
    SignedIn(viewer): SignedIn,
) -> Result<Json<SupportAnswer>, ApiError> {
    let (support_count, counted) = state.citizens.support(&code, viewer.user_id).await?;
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
    security(("bearer" = [])),
    responses((status = 201, description = "rated"), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "not the filer"),
        (status = 404, body = ErrorBody, description = "no complaint has this code"),
        (status = 409, body = ErrorBody, description = "not resolved, or already rated"),
        (status = 422, body = ErrorBody), (status = 500, body = ErrorBody)))]
/// The filer rates the resolution, once, when it is resolved.
pub(super) async fn rate(
    State(state): State<AppState>,
    CodePath(code): CodePath,
    SignedIn(viewer): SignedIn,
    ApiJson(b): ApiJson<RatingBody>,
) -> Result<StatusCode, ApiError> {
    let stars = Stars::new(b.stars)?;
    let comment = b.comment.unwrap_or_default();
    state
        .citizens
        .rate(&code, viewer.user_id, stars, &comment)
        .await?;
    Ok(StatusCode::CREATED)
}

/// Why the filer says it is not fixed.
#[derive(Deserialize, ToSchema)]
pub(super) struct ObjectionBody {
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/complaints/{tracking_code}/objection",
    params(("tracking_code" = String, Path)), request_body = ObjectionBody,
    security(("bearer" = [])),
    responses((status = 201, description = "reopened"), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "no complaint has this code"),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 500, body = ErrorBody)))]
/// The filer objects ("not fixed"): the complaint is reopened.
pub(super) async fn object(
    State(state): State<AppState>,
    CodePath(code): CodePath,
    SignedIn(viewer): SignedIn,
    ApiJson(b): ApiJson<ObjectionBody>,
) -> Result<StatusCode, ApiError> {
    state
        .citizens
        .object(&code, viewer.user_id, &b.reason)
        .await?;
    Ok(StatusCode::CREATED)
}

#[derive(Deserialize, ToSchema)]
pub(super) struct PhoneBody {
    /// Any Iranian mobile format, any digit script.
    phone: String,
}

#[utoipa::path(post, path = "/api/v1/auth/otp", request_body = PhoneBody,
    responses((status = 202, description = "a code was sent by SMS"), (status = 400, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "too many codes for this number or from this address"),
        (status = 500, body = ErrorBody)))]
/// Sends a six-digit sign-in code (valid two minutes).
pub(super) async fn request_code(
    State(state): State<AppState>,
    parts: Parts,
    ApiJson(b): ApiJson<PhoneBody>,
) -> Result<StatusCode, ApiError> {
    state
        .accounts
        .request_code(&b.phone, client_addr(&parts))
        .await?;
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
    responses((status = 201, body = SessionCreated), (status = 400, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "wrong or expired code"),
        (status = 429, body = ErrorBody, description = "locked after too many wrong codes"),
        (status = 500, body = ErrorBody)))]
/// Exchanges a one-time code for a session.
pub(super) async fn create_session(
    State(state): State<AppState>,
    ApiLang(lang): ApiLang,
    ApiJson(b): ApiJson<SessionBody>,
) -> Result<Response, ApiError> {
    let new = state.accounts.verify(&b.phone, &b.code, lang).await?;
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

#[utoipa::path(delete, path = "/api/v1/auth/session", security((), ("bearer" = [])),
    responses((status = 204), (status = 500, body = ErrorBody)))]
/// Signs out (the cookie's or the bearer token's session).
pub(super) async fn delete_session(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let secure = state.config.secure_cookies();
    if let Some(token) = session::token(&headers, secure) {
        state.accounts.sign_out(token).await?;
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
    security(("bearer" = [])),
    responses((status = 200, body = [MyComplaintDto]), (status = 401, body = ErrorBody),
        (status = 500, body = ErrorBody)))]
/// The signed-in citizen's complaints, newest first.
pub(super) async fn my_complaints(
    State(state): State<AppState>,
    SignedIn(viewer): SignedIn,
    ApiLang(lang): ApiLang,
) -> Result<Json<Vec<MyComplaintDto>>, ApiError> {
    let list = state.citizens.my_complaints(viewer.user_id).await?;
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
