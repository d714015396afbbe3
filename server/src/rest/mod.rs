//! Public REST API v1 (JSON) for other municipal systems and third-party
//! apps, and the report page's script. It calls the same services as the
//! pages, so every rule has one implementation. Every error, including an
//! unreadable body, an unknown route or a wrong method, is the JSON
//! [`ErrorBody`] in the caller's language, and is in the OpenAPI document.

use crate::{
    error::{api_not_found, localize, ApiError, ApiLang, ErrorBody},
    services::{
        intake::{Channel, Filed, Submission, MAX_COMPLAINT_BYTES},
        tracking::{ComplaintPage, ComplaintSummary},
    },
    web::{client_addr, AppState},
};
use app::{
    api::ports::Viewer,
    error::{AppError, BadRequest, Invalid},
    i18n::Lang,
    model::{complaint::PublicComplaint, status::PublicStatus, Status, TrackingCode},
};
use axum::{
    extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Multipart, State},
    http::{request::Parts, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde::{Deserialize, Serialize};
use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi, ToSchema,
};

mod citizen;
mod council;
mod feedback;
mod push;
mod settings;
pub(crate) use settings::MAX_GEOJSON_BYTES;
mod staff;

/// An urlencoded body; an unreadable one is the JSON 400.
#[derive(FromRequest)]
#[from_request(via(axum::Form), rejection(ApiError))]
pub struct ApiForm<T>(pub T);

/// A JSON body; an unreadable one is the JSON 400 (413 when too large).
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// A query string; an unreadable one is the JSON 400.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// A multipart body; anything else is the JSON 400.
pub struct ApiMultipart(pub Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = ApiError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        Ok(Self(Multipart::from_request(req, state).await?))
    }
}

/// A tracking code in the path; a malformed one is a 404 like an unknown one.
pub struct CodePath(pub TrackingCode);

impl<S: Send + Sync> FromRequestParts<S> for CodePath {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state).await?;
        TrackingCode::parse(&raw)
            .map(Self)
            .map_err(|_| ApiError(AppError::NotFound))
    }
}

/// The signed-in citizen; without a session, the JSON 401.
pub struct SignedIn(pub Viewer);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Self(crate::web::signed_in(parts)?))
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "the token from POST /api/v1/auth/session (browsers send the session cookie instead)",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Pasokh API",
        version = "1",
        description = "Municipal citizen requests (137). Every error is an ErrorBody with the status given; \
                       400 for an unreadable body or query, 404 for an unknown route, 405 for a wrong method, \
                       413 for a body over the limit, 500 for our fault."
    ),
    modifiers(&BearerAuth),
    paths(
        categories,
        districts,
        create_complaint,
        get_complaint,
        list_complaints,
        citizen::nearby,
        citizen::support,
        citizen::rate,
        citizen::object,
        citizen::request_code,
        citizen::create_session,
        citizen::delete_session,
        citizen::my_complaints,
        staff::create_session,
        staff::change_password,
        staff::revoke_sessions,
        staff::me,
        staff::cartable,
        staff::dispatch,
        staff::verify,
        staff::inspection,
        staff::advance_clock,
        staff::holidays,
        staff::replace_holidays,
        settings::categories,
        settings::category,
        settings::create_category,
        settings::change_category,
        settings::add_question,
        settings::remove_question,
        settings::routing,
        settings::replace_routing,
        settings::work_week,
        settings::save_week,
        settings::import_districts,
        settings::units,
        settings::save_units,
        council::cartable,
        council::thread,
        council::refer,
        council::answer,
        council::refer_on,
        staff::complaint,
        staff::intake,
        staff::act,
        staff::caller,
        staff::audit,
        staff::report_card,
        feedback::file,
        feedback::view,
        feedback::queue,
        feedback::answer,
        staff::units,
        staff::users,
        staff::create_user,
        staff::set_grants,
        staff::reset_password,
        staff::disable,
        staff::enable,
        staff::sms_inbound,
        push::key,
        push::subscribe,
        push::unsubscribe
    ),
    components(schemas(
        CategoryDto,
        ComplaintCreated,
        ComplaintUpload,
        ComplaintSummary,
        ComplaintPage,
        ErrorBody,
        PublicComplaint,
        PublicStatus,
        Status,
        crate::services::citizen::Nearby,
        crate::services::citizen::NearbyComplaint,
        citizen::SupportAnswer,
        citizen::RatingBody,
        citizen::ObjectionBody,
        citizen::PhoneBody,
        citizen::SessionBody,
        citizen::SessionCreated,
        citizen::MyComplaintDto,
        staff::StaffCredentials,
        staff::StaffSessionCreated,
        staff::StaffMe,
        staff::IntakeCreated,
        staff::GrantBody,
        staff::NewUser,
        staff::GrantsBody,
        staff::IssuedPasswordDto,
        staff::InboundSms,
        staff::InboundHandled,
        staff::ClockAdvance,
        staff::ClockMoved,
        app::api::forms::ActionForm,
        app::api::staff::CartablePage,
        app::api::staff::CartableItem,
        app::api::staff::StatusCount,
        app::api::staff::StaffComplaint,
        app::api::staff::StaffEvent,
        app::api::staff::StaffPhoto,
        app::api::staff::UnitOption,
        app::api::staff::Member,
        app::api::staff::CallerComplaint,
        app::api::staff::AuditEntry,
        app::api::staff::ReportCard,
        app::api::feedback::FeedbackForm,
        app::api::feedback::FeedbackAnswerForm,
        app::api::feedback::FeedbackView,
        app::api::feedback::FeedbackKind,
        feedback::FeedbackFiled,
        push::PushKey,
        push::PushKeys,
        push::PushSubscriptionBody,
        push::PushEndpointBody,
        app::api::staff::ReportRow,
        app::model::report::Figures,
        app::api::staff::StaffUser,
        app::api::staff::Holiday,
        app::api::settings::CategoryAdmin,
        app::api::settings::CategoryForm,
        app::api::settings::QuestionForm,
        app::api::settings::Route,
        app::api::settings::WorkWeekForm,
        app::api::settings::UnitLine,
        crate::services::districts::Imported,
        app::api::council::CouncilForm,
        app::api::council::CouncilReplyForm,
        app::api::council::CouncilCartable,
        app::api::council::CouncilThread,
        app::api::council::CouncilReferral,
        app::api::council::CouncilMember,
        app::api::council::CouncilSubject,
        council::CouncilReferred,
        app::model::question::Question,
        app::model::question::QuestionKind,
        app::model::question::Answer,
        app::model::Grant,
        app::model::Role,
        app::model::StaffAction
    ))
)]
struct ApiDoc;

/// The `/api/v1` routes, errors in JSON throughout.
pub fn routes() -> Router<AppState> {
    let api = Router::new()
        .route("/openapi.json", get(openapi))
        .route("/categories", get(categories))
        .route("/districts", get(districts))
        .route(
            "/complaints",
            get(list_complaints)
                .post(create_complaint)
                .layer(DefaultBodyLimit::max(MAX_COMPLAINT_BYTES)),
        )
        .route("/complaints/{tracking_code}", get(get_complaint))
        .merge(citizen::routes())
        .merge(feedback::routes())
        .merge(settings::routes())
        .merge(council::routes())
        .merge(staff::routes())
        .merge(push::routes())
        .fallback(api_not_found)
        .method_not_allowed_fallback(|| async { ApiError(AppError::MethodNotAllowed) })
        .layer(axum::middleware::from_fn(localize));
    Router::new().nest("/api/v1", api)
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// A category citizens can file under.
#[derive(Serialize, ToSchema)]
struct CategoryDto {
    code: String,
    group_fa: String,
    group_en: String,
    name_fa: String,
    name_en: String,
    urgent: bool,
    /// Radius for "already reported nearby?"; 0 when not place-bound.
    nearby_radius_m: i64,
    /// An emoji or short mark shown before the name; may be empty.
    icon: String,
    /// Extra questions: answer each as the multipart field `q{id}` when
    /// filing (a choice by its position, from 0).
    questions: Vec<app::model::question::Question>,
}

#[utoipa::path(get, path = "/api/v1/categories",
    responses((status = 200, body = [CategoryDto]), (status = 500, body = ErrorBody)))]
async fn categories(State(state): State<AppState>) -> Result<Json<Vec<CategoryDto>>, ApiError> {
    use app::api::ports::Catalog;
    let list = state.catalog.categories().await?;
    Ok(Json(
        list.into_iter()
            .map(|c| CategoryDto {
                code: c.code,
                group_fa: c.group.fa,
                group_en: c.group.en,
                name_fa: c.name.fa,
                name_en: c.name.en,
                urgent: c.urgent,
                nearby_radius_m: c.nearby_radius_m,
                icon: c.icon,
                questions: c.questions,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/districts",
    responses((status = 200, description = "GeoJSON FeatureCollection of district polygons",
        content_type = "application/geo+json")))]
async fn districts(State(state): State<AppState>) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/geo+json")],
        Json(state.catalog.districts_geojson()),
    )
        .into_response()
}

/// The answer to a filed complaint.
#[derive(Serialize, ToSchema)]
pub(crate) struct ComplaintCreated {
    #[schema(example = "1234567894")]
    tracking_code: String,
    status: Status,
    /// District name, absent when filed by address only.
    district: Option<String>,
    /// Responsible unit, absent until referred.
    unit: Option<String>,
    tracking_url: String,
}

impl ComplaintCreated {
    fn from(filed: Filed, lang: Lang) -> Self {
        Self {
            tracking_url: format!("/track/{}", filed.tracking_code),
            tracking_code: filed.tracking_code.to_string(),
            status: filed.status,
            district: filed.district.map(|n| n.get(lang).to_owned()),
            unit: filed.unit.map(|n| n.get(lang).to_owned()),
        }
    }
}

/// The multipart body of a filing (documentation of the form's parts).
#[derive(ToSchema)]
#[allow(dead_code)] // never built: it describes what `Submission::read` reads
struct ComplaintUpload {
    /// A category code from `GET /api/v1/categories`.
    category: String,
    /// 5 to 1000 characters.
    description: String,
    /// Decimal degrees in any digit script (`.` or `٫`); with `lon`, or give `address`.
    lat: Option<String>,
    lon: Option<String>,
    /// Metres, as the device reported.
    accuracy_m: Option<String>,
    /// Up to 300 characters; required when there are no coordinates.
    address: Option<String>,
    /// `web`, `app` or `api` (the default).
    channel: Option<String>,
    /// Answers to the category's questions: one field `q{id}` each (see
    /// `questions` in `GET /api/v1/categories`).
    #[schema(rename = "q{id}")]
    answers: Option<String>,
    /// Up to five JPEG, PNG or WebP photos, each at most 8 MiB and 40 megapixels.
    #[schema(value_type = Vec<String>, format = Binary)]
    photo: Vec<Vec<u8>>,
}

/// The `Idempotency-Key` header: 1–128 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<String, AppError> {
    let raw = headers
        .get("idempotency-key")
        .ok_or(BadRequest::IdempotencyKeyMissing)?;
    raw.to_str()
        .ok()
        .map(str::trim)
        .filter(|k| (1..=128).contains(&k.len()))
        .map(str::to_owned)
        .ok_or_else(|| Invalid::IdempotencyKeyFormat.into())
}

#[utoipa::path(post, path = "/api/v1/complaints",
    request_body(content = ComplaintUpload, content_type = "multipart/form-data"),
    params(("Idempotency-Key" = String, Header, description = "required, 1–128 characters; a retry with the same key and body returns the first answer, even while the first is still being written")),
    security((), ("bearer" = [])),
    responses(
        (status = 201, body = ComplaintCreated, description = "filed; with a session, linked to the citizen"),
        (status = 400, body = ErrorBody, description = "missing Idempotency-Key, or a body that is not readable multipart"),
        (status = 413, body = ErrorBody, description = "the body is over 40 MiB, or a text field over 16 KiB"),
        (status = 422, body = ErrorBody, description = "an invalid field, or the key reused with another body"),
        (status = 500, body = ErrorBody)))]
async fn create_complaint(
    State(state): State<AppState>,
    viewer: Option<axum::Extension<Viewer>>,
    ApiLang(lang): ApiLang,
    parts: Parts,
    ApiMultipart(multipart): ApiMultipart,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&parts.headers)?;
    let submission = Submission::read(multipart).await.map_err(|(_, e)| e)?;
    let filed = state
        .workflow
        .file_public(
            &submission,
            Some(&key),
            viewer.map(|v| v.user_id),
            client_addr(&parts),
            Channel::Api,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ComplaintCreated::from(filed, lang)),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/complaints/{tracking_code}",
    params(("tracking_code" = String, Path, description = "ten digits, any digit script")),
    responses((status = 200, body = PublicComplaint), (status = 404, body = ErrorBody),
        (status = 500, body = ErrorBody)))]
async fn get_complaint(
    State(state): State<AppState>,
    CodePath(code): CodePath,
) -> Result<Json<PublicComplaint>, ApiError> {
    state
        .services
        .tracking
        .public_view(&code)
        .await?
        .map(Json)
        .ok_or(ApiError(AppError::NotFound))
}

#[derive(Deserialize)]
struct ListQuery {
    bbox: Option<String>,
    page: Option<i64>,
}

fn parse_bbox(raw: &str) -> Result<[f64; 4], Invalid> {
    let parts: Vec<f64> = raw
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| Invalid::BboxFormat)?;
    let [min_lon, min_lat, max_lon, max_lat] = parts[..] else {
        return Err(Invalid::BboxFormat);
    };
    let ok = min_lon < max_lon
        && min_lat < max_lat
        && (-180.0..=180.0).contains(&min_lon)
        && (-180.0..=180.0).contains(&max_lon)
        && (-90.0..=90.0).contains(&min_lat)
        && (-90.0..=90.0).contains(&max_lat);
    if ok {
        Ok([min_lon, min_lat, max_lon, max_lat])
    } else {
        Err(Invalid::BboxRange)
    }
}

#[utoipa::path(get, path = "/api/v1/complaints",
    params(("bbox" = Option<String>, Query, description = "minLon,minLat,maxLon,maxLat"),
           ("page" = Option<i64>, Query, description = "1-based")),
    responses((status = 200, body = ComplaintPage), (status = 400, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 500, body = ErrorBody)))]
async fn list_complaints(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<ComplaintPage>, ApiError> {
    let page = q.page.unwrap_or(1);
    if !(1..=10_000).contains(&page) {
        return Err(Invalid::PageRange.into());
    }
    let bbox = match q.bbox.as_deref() {
        Some(raw) => parse_bbox(raw)?,
        None => [-180.0, -90.0, 180.0, 90.0],
    };
    Ok(Json(state.tracking.list_public(bbox, page).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_parsing() {
        assert_eq!(
            parse_bbox("49.9,36.2,50.1,36.3"),
            Ok([49.9, 36.2, 50.1, 36.3])
        );
        assert_eq!(parse_bbox("1,2,3"), Err(Invalid::BboxFormat));
        assert_eq!(parse_bbox("50,36,49,37"), Err(Invalid::BboxRange));
        assert_eq!(parse_bbox("a,b,c,d"), Err(Invalid::BboxFormat));
    }

    #[test]
    fn the_openapi_document_describes_every_route_and_its_errors() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        for path in [
            "/api/v1/categories",
            "/api/v1/districts",
            "/api/v1/complaints",
            "/api/v1/complaints/{tracking_code}",
            "/api/v1/complaints/{tracking_code}/rating",
            "/api/v1/complaints/{tracking_code}/objection",
            "/api/v1/staff/session",
            "/api/v1/staff/cartable",
            "/api/v1/staff/complaints",
            "/api/v1/staff/complaints/{tracking_code}",
            "/api/v1/staff/complaints/{tracking_code}/actions",
            "/api/v1/staff/users",
            "/api/v1/sms/inbound",
            "/api/v1/push/key",
            "/api/v1/complaints/{tracking_code}/push",
        ] {
            assert!(doc["paths"][path].is_object(), "{path}");
        }
        let act = &doc["paths"]["/api/v1/staff/complaints/{tracking_code}/actions"]["post"];
        for status in ["401", "403", "409", "422"] {
            assert!(act["responses"][status].is_object(), "actions {status}");
        }
        let actions = &doc["components"]["schemas"]["StaffAction"]["enum"];
        let names: Vec<&str> = app::model::StaffAction::ALL
            .iter()
            .map(|a| a.as_str())
            .collect();
        assert_eq!(
            actions,
            &serde_json::json!(names),
            "every action, by its API name"
        );
        for path in ["/api/v1/staff/inspection", "/api/v1/admin/clock"] {
            assert!(doc["paths"][path].is_object(), "{path}");
        }
        let filing = &doc["paths"]["/api/v1/complaints"]["post"];
        let body = &filing["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"];
        assert_eq!(body, "#/components/schemas/ComplaintUpload");
        let photo = &doc["components"]["schemas"]["ComplaintUpload"]["properties"]["photo"];
        assert_eq!(photo["items"]["format"], "binary", "{photo}");
        for status in ["400", "413", "422", "500"] {
            assert_eq!(
                filing["responses"][status]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorBody",
                "{status}"
            );
        }
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
        for verdict in ["rating", "objection"] {
            let path = format!("/api/v1/complaints/{{tracking_code}}/{verdict}");
            assert!(
                doc["paths"][&path]["post"]["responses"]["404"].is_object(),
                "{verdict}"
            );
        }
    }
}
