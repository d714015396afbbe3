//! API v1, the admin's configuration (`/api/v1/admin/…`): categories with
//! their extra questions, and the routing table as CSV. The same service
//! as `/staff/admin/settings`; the service checks the admin role.

use super::{staff::Staff, ApiJson};
use crate::{
    error::{ApiError, ErrorBody},
    web::{client_addr, AppState},
};
use app::{
    api::settings::{
        CategoryAdmin, CategoryForm, QuestionForm, Route, RoutingForm, UnitLine, UnitsForm,
        WorkWeekForm,
    },
    error::{AppError, Invalid},
};
use axum::{
    extract::{Path, Request, State},
    http::{request::Parts, StatusCode},
    routing::{delete, get, post},
    Json, Router,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/categories", get(categories).post(create_category))
        .route(
            "/admin/categories/{code}",
            get(category).put(change_category),
        )
        .route("/admin/categories/{code}/questions", post(add_question))
        .route(
            "/admin/categories/{code}/questions/{id}",
            delete(remove_question),
        )
        .route("/admin/routing", get(routing).put(replace_routing))
        .route("/admin/work-week", get(work_week).put(save_week))
        .route("/admin/units", get(units).put(save_units))
        .route(
            "/admin/districts",
            axum::routing::put(import_districts)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_GEOJSON_BYTES)),
        )
}

#[utoipa::path(get, path = "/api/v1/admin/categories", security(("bearer" = [])),
    responses((status = 200, body = [CategoryAdmin]), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
/// Every category, active or not, with its questions (admins).
pub(super) async fn categories(
    State(state): State<AppState>,
    Staff(who): Staff,
) -> Result<Json<Vec<CategoryAdmin>>, ApiError> {
    Ok(Json(state.services.settings.categories(&who).await?))
}

async fn one(
    state: &AppState,
    who: &app::api::staff::StaffViewer,
    code: &str,
) -> Result<CategoryAdmin, ApiError> {
    Ok(state
        .services
        .settings
        .category(who, code)
        .await?
        .ok_or(AppError::NotFound)?)
}

#[utoipa::path(get, path = "/api/v1/admin/categories/{code}", security(("bearer" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = CategoryAdmin), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
/// One category with its questions (admins).
pub(super) async fn category(
    State(state): State<AppState>,
    Staff(who): Staff,
    Path(code): Path<String>,
) -> Result<Json<CategoryAdmin>, ApiError> {
    Ok(Json(one(&state, &who, &code).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/categories", security(("bearer" = [])),
    request_body = CategoryForm,
    responses((status = 201, body = CategoryAdmin), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
/// Adds a category, routed in every district to its unit kind (admins).
pub(super) async fn create_category(
    State(state): State<AppState>,
    Staff(who): Staff,
    parts: Parts,
    ApiJson(form): ApiJson<CategoryForm>,
) -> Result<(StatusCode, Json<CategoryAdmin>), ApiError> {
    let client = client_addr(&parts).to_string();
    let settings = &state.services.settings;
    let code = settings.save_category(&who, None, &form, &client).await?;
    Ok((StatusCode::CREATED, Json(one(&state, &who, &code).await?)))
}

#[utoipa::path(put, path = "/api/v1/admin/categories/{code}", security(("bearer" = [])),
    params(("code" = String, Path)), request_body = CategoryForm,
    responses((status = 200, body = CategoryAdmin), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
/// Changes a category (its code stays); deadlines count in the new hours
/// from the next filing or referral on (admins).
pub(super) async fn change_category(
    State(state): State<AppState>,
    Staff(who): Staff,
    Path(code): Path<String>,
    parts: Parts,
    ApiJson(form): ApiJson<CategoryForm>,
) -> Result<Json<CategoryAdmin>, ApiError> {
    let client = client_addr(&parts).to_string();
    let settings = &state.services.settings;
    settings
        .save_category(&who, Some(&code), &form, &client)
        .await?;
    Ok(Json(one(&state, &who, &code).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/categories/{code}/questions", security(("bearer" = [])),
    params(("code" = String, Path)), request_body = QuestionForm,
    responses((status = 201, body = CategoryAdmin), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
/// Adds an extra question at the end of a category's list (admins).
pub(super) async fn add_question(
    State(state): State<AppState>,
    Staff(who): Staff,
    Path(code): Path<String>,
    parts: Parts,
    ApiJson(form): ApiJson<QuestionForm>,
) -> Result<(StatusCode, Json<CategoryAdmin>), ApiError> {
    let client = client_addr(&parts).to_string();
    let settings = &state.services.settings;
    settings.add_question(&who, &code, &form, &client).await?;
    Ok((StatusCode::CREATED, Json(one(&state, &who, &code).await?)))
}

#[utoipa::path(delete, path = "/api/v1/admin/categories/{code}/questions/{id}", security(("bearer" = [])),
    params(("code" = String, Path), ("id" = i64, Path)),
    responses((status = 204, description = "no longer asked"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
/// Stops asking a question; answers already given stay (admins).
pub(super) async fn remove_question(
    State(state): State<AppState>,
    Staff(who): Staff,
    Path((code, id)): Path<(String, i64)>,
    parts: Parts,
) -> Result<StatusCode, ApiError> {
    let client = client_addr(&parts).to_string();
    let settings = &state.services.settings;
    settings.remove_question(&who, &code, id, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/admin/routing", security(("bearer" = [])),
    responses((status = 200, body = [Route]), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
/// The routing table: which unit answers a category in a district (admins).
pub(super) async fn routing(
    State(state): State<AppState>,
    Staff(who): Staff,
) -> Result<Json<Vec<Route>>, ApiError> {
    Ok(Json(state.services.settings.routing(&who).await?))
}

#[utoipa::path(put, path = "/api/v1/admin/routing", security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv",
        description = "the whole table, a line each: `category,district,unit` codes"),
    responses((status = 200, body = [Route]), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
/// Replaces the routing table; new filings are routed by it at once (admins).
pub(super) async fn replace_routing(
    State(state): State<AppState>,
    Staff(who): Staff,
    req: Request,
) -> Result<Json<Vec<Route>>, ApiError> {
    let (client, routing) =
        super::staff::text_body(req, 2 * 1024 * 1024, Invalid::RoutingLine).await?;
    let form = RoutingForm { routing };
    state
        .services
        .settings
        .replace_routing(&who, &form, &client)
        .await?;
    Ok(Json(state.services.settings.routing(&who).await?))
}

#[utoipa::path(get, path = "/api/v1/admin/work-week", security(("bearer" = [])),
    responses((status = 200, body = WorkWeekForm), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
/// The office hours, weekend and short Thursday deadlines count in (admins).
pub(super) async fn work_week(
    State(state): State<AppState>,
    Staff(who): Staff,
) -> Result<Json<WorkWeekForm>, ApiError> {
    Ok(Json(state.services.settings.work_week(&who).await?))
}

#[utoipa::path(put, path = "/api/v1/admin/work-week", security(("bearer" = [])),
    request_body = WorkWeekForm,
    responses((status = 200, body = WorkWeekForm), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
/// Sets the working week; deadlines count in it from the next filing or
/// referral on, on every server process within a minute (admins).
pub(super) async fn save_week(
    State(state): State<AppState>,
    Staff(who): Staff,
    parts: Parts,
    ApiJson(form): ApiJson<WorkWeekForm>,
) -> Result<Json<WorkWeekForm>, ApiError> {
    let client = client_addr(&parts).to_string();
    state.calendars.save_week(&who, &form, &client).await?;
    Ok(Json(state.services.settings.work_week(&who).await?))
}

/// Largest GeoJSON an import takes.
pub(crate) const MAX_GEOJSON_BYTES: usize = 8 * 1024 * 1024;

#[utoipa::path(put, path = "/api/v1/admin/districts", security(("bearer" = [])),
    request_body(content = String, content_type = "application/geo+json",
        description = "a FeatureCollection of Polygon features with code, name_fa and name_en properties"),
    responses((status = 200, body = crate::services::districts::Imported),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
/// Imports district boundaries, checked whole first: known codes are
/// updated, new ones added with their units and routing (admins).
pub(super) async fn import_districts(
    State(state): State<AppState>,
    Staff(who): Staff,
    req: Request,
) -> Result<Json<crate::services::districts::Imported>, ApiError> {
    let (client, geojson) =
        super::staff::text_body(req, MAX_GEOJSON_BYTES, Invalid::DistrictsFormat).await?;
    Ok(Json(state.districts.import(&who, &geojson, &client).await?))
}

#[utoipa::path(get, path = "/api/v1/admin/units", security(("bearer" = [])),
    responses((status = 200, body = [UnitLine]), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
/// Every unit with its kind and district (admins).
pub(super) async fn units(
    State(state): State<AppState>,
    Staff(who): Staff,
) -> Result<Json<Vec<UnitLine>>, ApiError> {
    Ok(Json(state.services.settings.units(&who).await?))
}

#[utoipa::path(put, path = "/api/v1/admin/units", security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv",
        description = "units a line each: `code,kind,name_fa,name_en,district` (district empty for city-wide)"),
    responses((status = 200, body = [UnitLine]), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
/// Adds and changes units; none is removed (admins).
pub(super) async fn save_units(
    State(state): State<AppState>,
    Staff(who): Staff,
    req: Request,
) -> Result<Json<Vec<UnitLine>>, ApiError> {
    let (client, units) = super::staff::text_body(req, 2 * 1024 * 1024, Invalid::UnitsLine).await?;
    let form = UnitsForm { units };
    state
        .services
        .settings
        .save_units(&who, &form, &client)
        .await?;
    Ok(Json(state.services.settings.units(&who).await?))
}
