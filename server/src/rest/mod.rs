//! Public REST API v1 (JSON) for other municipal systems and third-party
//! apps. It calls the same services as the pages, so every rule has one
//! implementation. Errors are `{ "code", "message" }` in the caller's language.

use crate::{
    error::{lang_of, ApiError, OrInternal},
    media::PhotoError,
    services::intake::{Channel, Filed, NewComplaint, PhotoRecord},
    startup::AppState,
};
use app::{
    error::AppError,
    i18n::Lang,
    model::{complaint::PublicComplaint, status::PublicStatus, Status, TrackingCode},
};
use axum::{
    extract::{DefaultBodyLimit, Multipart, Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;
use utoipa::{OpenApi, ToSchema};

mod citizen;

/// At most this many photos per complaint.
pub const MAX_PHOTOS: usize = 5;
/// Whole-request cap for a complaint: five full-size photos and the text.
pub const MAX_COMPLAINT_BYTES: usize = MAX_PHOTOS * 8 * 1024 * 1024 + 64 * 1024;
/// Complaints per page in listings.
const PAGE_SIZE: i64 = 50;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Pasokh API",
        version = "1",
        description = "Municipal citizen requests (137)"
    ),
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
        citizen::my_complaints
    ),
    components(schemas(
        CategoryDto,
        ComplaintCreated,
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
        citizen::MyComplaintDto
    ))
)]
struct ApiDoc;

/// The `/api/v1` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/categories", get(categories))
        .route("/api/v1/districts", get(districts))
        .route(
            "/api/v1/complaints",
            get(list_complaints)
                .post(create_complaint)
                .layer(DefaultBodyLimit::max(MAX_COMPLAINT_BYTES)),
        )
        .route("/api/v1/complaints/{tracking_code}", get(get_complaint))
        .merge(citizen::routes())
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

pub(crate) fn fail(headers: &HeaderMap, error: AppError) -> ApiError {
    ApiError {
        error,
        lang: lang_of(headers),
    }
}

/// An error as the API returns it.
#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorBody {
    /// Stable machine code: `invalid`, `not_found`, `bad_request`, …
    code: String,
    /// Translated (Persian unless `Accept-Language` asks for English).
    message: String,
    field: Option<String>,
    reason: Option<String>,
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
}

#[utoipa::path(get, path = "/api/v1/categories", responses((status = 200, body = [CategoryDto])))]
async fn categories(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Vec<CategoryDto>>, ApiError> {
    let list = state
        .services
        .catalog
        .categories()
        .await
        .map_err(|e| fail(&headers, e))?;
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
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/districts",
    responses((status = 200, description = "GeoJSON FeatureCollection of district polygons")))]
async fn districts(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let rows = sqlx::query("SELECT code, name_fa, name_en, geometry FROM district ORDER BY id")
        .fetch_all(state.store.pool())
        .await
        .or_internal("listing districts")
        .map_err(|e| fail(&headers, e))?;
    let mut features = Vec::with_capacity(rows.len());
    for r in &rows {
        let geometry: String = r
            .try_get("geometry")
            .or_internal("geometry")
            .map_err(|e| fail(&headers, e))?;
        let rings: serde_json::Value = serde_json::from_str(&geometry)
            .or_internal("geometry json")
            .map_err(|e| fail(&headers, e))?;
        features.push(serde_json::json!({
            "type": "Feature",
            "properties": {
                "code": r.try_get::<String, _>("code").unwrap_or_default(),
                "name_fa": r.try_get::<String, _>("name_fa").unwrap_or_default(),
                "name_en": r.try_get::<String, _>("name_en").unwrap_or_default(),
            },
            "geometry": { "type": "Polygon", "coordinates": rings },
        }));
    }
    let body = serde_json::json!({ "type": "FeatureCollection", "features": features });
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/geo+json")],
        Json(body),
    )
        .into_response())
}

/// The answer to a filed complaint.
#[derive(Serialize, ToSchema)]
struct ComplaintCreated {
    #[schema(example = "1234567894")]
    tracking_code: String,
    status: Status,
    /// District name (Persian), absent when filed by address only.
    district: Option<String>,
    /// Responsible unit (Persian), absent until referred.
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

/// A complaint submission as read from a multipart body (API or HTML form).
#[derive(Default)]
pub struct Submission {
    pub fields: std::collections::BTreeMap<String, String>,
    pub photos: Vec<bytes::Bytes>,
}

impl Submission {
    /// Reads the multipart body: text fields, and up to five `photo` parts.
    /// Empty file parts (a form submitted with no file chosen) are skipped.
    pub async fn read(mut multipart: Multipart) -> Result<Self, AppError> {
        let mut out = Self::default();
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|_| AppError::bad_request("unreadable_multipart"))?
        {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "photo" {
                let data = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::bad_request("unreadable_multipart"))?;
                if data.is_empty() {
                    continue;
                }
                if out.photos.len() == MAX_PHOTOS {
                    return Err(AppError::invalid("photo", "too_many"));
                }
                out.photos.push(data);
            } else {
                let text = field
                    .text()
                    .await
                    .map_err(|_| AppError::bad_request("unreadable_multipart"))?;
                if out.fields.insert(name.clone(), text).is_some() {
                    return Err(AppError::invalid(&name, "repeated"));
                }
            }
        }
        Ok(out)
    }

    fn text(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    fn number(&self, name: &str) -> Result<Option<f64>, AppError> {
        self.text(name)
            .map(|s| {
                app::model::digits::to_latin(s)
                    .replace('٫', ".")
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| AppError::invalid(name, "not_a_number"))
            })
            .transpose()
    }

    /// The complaint the fields describe.
    pub fn complaint(
        &self,
        channel: Channel,
        citizen_id: Option<i64>,
    ) -> Result<NewComplaint, AppError> {
        Ok(NewComplaint {
            category: self
                .text("category")
                .ok_or_else(|| AppError::invalid("category", "missing"))?
                .to_owned(),
            description: self.fields.get("description").cloned().unwrap_or_default(),
            lat: self.number("lat")?,
            lon: self.number("lon")?,
            accuracy_m: self.number("accuracy_m")?,
            address: self.text("address").map(str::to_owned),
            channel,
            citizen_id,
        })
    }

    /// A digest of everything submitted, to tell a retry from a different
    /// request under the same idempotency key.
    pub fn digest(&self) -> String {
        let mut h = Sha256::new();
        for (k, v) in &self.fields {
            h.update((k.len() as u64).to_le_bytes());
            h.update(k.as_bytes());
            h.update((v.len() as u64).to_le_bytes());
            h.update(v.as_bytes());
        }
        for p in &self.photos {
            h.update((p.len() as u64).to_le_bytes());
            h.update(p);
        }
        format!("{:x}", h.finalize())
    }
}

fn photo_error(e: PhotoError) -> AppError {
    match e {
        PhotoError::Internal => AppError::Internal,
        other => AppError::invalid("photo", other.reason()),
    }
}

/// Validates and stores the photos, then files the complaint. Photos are on
/// disk before the transaction commits, so an acknowledged complaint never
/// lacks its photos; if filing fails, the photos just stored are removed.
pub async fn file_submission(
    state: &AppState,
    submission: &Submission,
    channel: Channel,
    idempotency_key: Option<&str>,
    citizen_id: Option<i64>,
) -> Result<Filed, AppError> {
    let new = submission.complaint(channel, citizen_id)?;
    let digest = submission.digest();
    let idempotency = idempotency_key.map(|k| (k, digest.as_str()));
    if let Some((key, hash)) = idempotency {
        if let Some(previous) = state.intake.replay(key, hash).await? {
            return Ok(previous);
        }
    }
    let mut photos = Vec::with_capacity(submission.photos.len());
    for bytes in &submission.photos {
        photos.push(
            state
                .media
                .ingest(bytes.clone())
                .await
                .map_err(photo_error)?,
        );
    }
    let records: Vec<PhotoRecord> = photos
        .iter()
        .map(|p| PhotoRecord {
            key: p.key.clone(),
            thumb_key: p.thumb_key.clone(),
            content_type: p.content_type.to_owned(),
            width: i64::from(p.width),
            height: i64::from(p.height),
            bytes: p.bytes as i64,
        })
        .collect();
    match state.intake.file(new, &records, idempotency).await {
        Ok(filed) => Ok(filed),
        Err(e) => {
            for p in &photos {
                // Content-addressed: a photo shared with an earlier complaint
                // is still referenced there, so only unreferenced keys go.
                if !state.intake.photo_in_use(&p.key).await.unwrap_or(true) {
                    let _ = state.media.delete(&p.key).await;
                    let _ = state.media.delete(&p.thumb_key).await;
                }
            }
            Err(e)
        }
    }
}

#[utoipa::path(post, path = "/api/v1/complaints",
    request_body(content_type = "multipart/form-data",
        description = "category, description, lat, lon, optional accuracy_m and address, up to 5 `photo` parts"),
    params(("Idempotency-Key" = String, Header, description = "required; a retry with the same key and body returns the first answer")),
    responses(
        (status = 201, body = ComplaintCreated),
        (status = 400, body = ErrorBody, description = "missing Idempotency-Key or unreadable body"),
        (status = 422, body = ErrorBody, description = "invalid field, or the key reused with another body")))]
async fn create_complaint(
    State(state): State<AppState>,
    viewer: Option<axum::Extension<app::api::ports::Viewer>>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    let lang = lang_of(&headers);
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 128)
        .ok_or_else(|| fail(&headers, AppError::bad_request("idempotency_key_missing")))?
        .to_owned();
    let submission = Submission::read(multipart)
        .await
        .map_err(|e| fail(&headers, e))?;
    let citizen = viewer.map(|v| v.user_id);
    let filed = file_submission(&state, &submission, Channel::Api, Some(&key), citizen)
        .await
        .map_err(|e| fail(&headers, e))?;
    Ok((
        StatusCode::CREATED,
        Json(ComplaintCreated::from(filed, lang)),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/complaints/{tracking_code}",
    params(("tracking_code" = String, Path, description = "ten digits, any digit script")),
    responses((status = 200, body = PublicComplaint), (status = 404, body = ErrorBody)))]
async fn get_complaint(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Json<PublicComplaint>, ApiError> {
    let code = TrackingCode::parse(&code).map_err(|_| fail(&headers, AppError::NotFound))?;
    state
        .services
        .tracking
        .public_view(&code)
        .await
        .map_err(|e| fail(&headers, e))?
        .map(Json)
        .ok_or_else(|| fail(&headers, AppError::NotFound))
}

#[derive(Deserialize)]
struct ListQuery {
    bbox: Option<String>,
    page: Option<i64>,
}

/// One complaint on a map.
#[derive(Serialize, ToSchema)]
struct ComplaintSummary {
    tracking_code: String,
    category: String,
    status: PublicStatus,
    /// Rounded to about 10 m.
    lat: Option<f64>,
    lon: Option<f64>,
    created_at: i64,
    support_count: i64,
}

/// A page of complaints.
#[derive(Serialize, ToSchema)]
struct ComplaintPage {
    page: i64,
    page_size: i64,
    has_more: bool,
    items: Vec<ComplaintSummary>,
}

fn parse_bbox(raw: &str) -> Result<[f64; 4], AppError> {
    let parts: Vec<f64> = raw
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| AppError::invalid("bbox", "format"))?;
    let [min_lon, min_lat, max_lon, max_lat] = parts[..] else {
        return Err(AppError::invalid("bbox", "format"));
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
        Err(AppError::invalid("bbox", "range"))
    }
}

fn round4(v: Option<f64>) -> Option<f64> {
    v.map(|v| (v * 10_000.0).round() / 10_000.0)
}

#[utoipa::path(get, path = "/api/v1/complaints",
    params(("bbox" = Option<String>, Query, description = "minLon,minLat,maxLon,maxLat"),
           ("page" = Option<i64>, Query, description = "1-based")),
    responses((status = 200, body = ComplaintPage), (status = 422, body = ErrorBody)))]
async fn list_complaints(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Json<ComplaintPage>, ApiError> {
    let page = q.page.unwrap_or(1);
    if !(1..=10_000).contains(&page) {
        return Err(fail(&headers, AppError::invalid("page", "range")));
    }
    let [min_lon, min_lat, max_lon, max_lat] = match q.bbox.as_deref() {
        Some(raw) => parse_bbox(raw).map_err(|e| fail(&headers, e))?,
        None => [-180.0, -90.0, 180.0, 90.0],
    };
    let rows = sqlx::query(
        "SELECT c.tracking_code, c.status, c.lat, c.lon, c.created_at, c.support_count, cat.code AS category \
         FROM complaint c JOIN category cat ON cat.id = c.category_id \
         WHERE c.lon >= $1 AND c.lon <= $2 AND c.lat >= $3 AND c.lat <= $4 \
         ORDER BY c.id DESC LIMIT $5 OFFSET $6",
    )
    .bind(min_lon)
    .bind(max_lon)
    .bind(min_lat)
    .bind(max_lat)
    .bind(PAGE_SIZE + 1)
    .bind((page - 1) * PAGE_SIZE)
    .fetch_all(state.store.pool())
    .await
    .or_internal("listing complaints")
    .map_err(|e| fail(&headers, e))?;
    let has_more = rows.len() as i64 > PAGE_SIZE;
    let items = rows
        .iter()
        .take(PAGE_SIZE as usize)
        .map(|r| {
            let status: String = r.try_get("status")?;
            Ok(ComplaintSummary {
                tracking_code: r.try_get("tracking_code")?,
                category: r.try_get("category")?,
                status: Status::parse(&status)
                    .map(Status::public)
                    .unwrap_or(PublicStatus::Received),
                lat: round4(r.try_get("lat")?),
                lon: round4(r.try_get("lon")?),
                created_at: r.try_get("created_at")?,
                support_count: r.try_get("support_count")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .or_internal("reading complaints")
        .map_err(|e| fail(&headers, e))?;
    Ok(Json(ComplaintPage {
        page,
        page_size: PAGE_SIZE,
        has_more,
        items,
    }))
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
        assert_eq!(
            parse_bbox("1,2,3"),
            Err(AppError::invalid("bbox", "format"))
        );
        assert_eq!(
            parse_bbox("50,36,49,37"),
            Err(AppError::invalid("bbox", "range"))
        );
        assert_eq!(
            parse_bbox("a,b,c,d"),
            Err(AppError::invalid("bbox", "format"))
        );
    }

    #[test]
    fn the_openapi_document_lists_every_route() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        for path in [
            "/api/v1/categories",
            "/api/v1/districts",
            "/api/v1/complaints",
            "/api/v1/complaints/{tracking_code}",
        ] {
            assert!(doc["paths"][path].is_object(), "{path}");
        }
    }
}
