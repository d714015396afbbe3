//! API v1 for web push on the tracking page: the server's VAPID public key,
//! and a browser's subscription to one complaint's status changes (made and
//! withdrawn). 404 throughout when `PASOKH_PUSH` is off.

use super::{ApiJson, CodePath};
use crate::{
    error::{ApiError, ApiLang, ErrorBody},
    push::WebPush,
    web::AppState,
};
use app::error::AppError;
use axum::{
    extract::{DefaultBodyLimit, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A subscription is a few hundred bytes.
const BODY_LIMIT: usize = 4096;

pub fn routes() -> Router<AppState> {
    Router::new().route("/push/key", get(key)).route(
        "/complaints/{tracking_code}/push",
        post(subscribe)
            .delete(unsubscribe)
            .layer(DefaultBodyLimit::max(BODY_LIMIT)),
    )
}

fn enabled(state: &AppState) -> Result<&WebPush, ApiError> {
    state.push.as_ref().ok_or(ApiError(AppError::NotFound))
}

/// The server's VAPID public key.
#[derive(Serialize, ToSchema)]
pub(super) struct PushKey {
    /// The uncompressed P-256 point, base64url: `PushManager.subscribe`'s
    /// `applicationServerKey`.
    public_key: String,
}

#[utoipa::path(get, path = "/api/v1/push/key",
    responses((status = 200, body = PushKey), (status = 404, body = ErrorBody)))]
/// The key a page subscribes with (404 when web push is off).
pub(super) async fn key(State(state): State<AppState>) -> Result<Json<PushKey>, ApiError> {
    Ok(Json(PushKey {
        public_key: enabled(&state)?.service.public_key().to_owned(),
    }))
}

/// A browser's keys, as `PushSubscription.toJSON()` gives them.
#[derive(Deserialize, ToSchema)]
pub(super) struct PushKeys {
    /// The browser's P-256 public key, base64url (65 bytes).
    #[serde(default)]
    p256dh: String,
    /// Its authentication secret, base64url (16 bytes).
    #[serde(default)]
    auth: String,
}

/// `PushSubscription.toJSON()`: where to push and how to encrypt.
#[derive(Deserialize, ToSchema)]
pub(super) struct PushSubscriptionBody {
    /// The push service's URL for this browser (https).
    #[serde(default)]
    endpoint: String,
    keys: Option<PushKeys>,
}

#[utoipa::path(post, path = "/api/v1/complaints/{tracking_code}/push",
    params(("tracking_code" = String, Path)), request_body = PushSubscriptionBody,
    responses((status = 201, description = "subscribed"),
        (status = 204, description = "already subscribed; keys refreshed"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "the complaint has its most subscriptions"),
        (status = 422, body = ErrorBody,
            description = "not a subscription, or its push service is not on the public Internet")))]
/// Pushes this complaint's status changes to a browser, in the caller's
/// language, beside the text messages.
pub(super) async fn subscribe(
    State(state): State<AppState>,
    CodePath(code): CodePath,
    ApiLang(lang): ApiLang,
    ApiJson(body): ApiJson<PushSubscriptionBody>,
) -> Result<StatusCode, ApiError> {
    let push = enabled(&state)?;
    let keys = body.keys.unwrap_or(PushKeys {
        p256dh: String::new(),
        auth: String::new(),
    });
    let sub = push
        .service
        .check(&body.endpoint, &keys.p256dh, &keys.auth)
        .await?;
    let created = push.service.subscribe(&code, &sub, lang).await?;
    Ok(if created {
        StatusCode::CREATED
    } else {
        StatusCode::NO_CONTENT
    })
}

/// Which browser stops.
#[derive(Deserialize, ToSchema)]
pub(super) struct PushEndpointBody {
    #[serde(default)]
    endpoint: String,
}

#[utoipa::path(delete, path = "/api/v1/complaints/{tracking_code}/push",
    params(("tracking_code" = String, Path)), request_body = PushEndpointBody,
    responses((status = 204, description = "no longer subscribed"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
/// Stops pushing this complaint's changes to a browser.
pub(super) async fn unsubscribe(
    State(state): State<AppState>,
    CodePath(code): CodePath,
    ApiJson(body): ApiJson<PushEndpointBody>,
) -> Result<StatusCode, ApiError> {
    enabled(&state)?
        .service
        .unsubscribe(&code, &body.endpoint)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
