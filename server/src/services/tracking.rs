//! The public tracking view of a complaint, and the public map listing.

use crate::{error::OrInternal, store::Store};
use app::{
    api::ports::Tracking,
    error::AppError,
    model::{
        complaint::{Named, PublicComplaint, PublicEvent, PublicPhoto},
        PublicStatus, Status, TrackingCode,
    },
};

/// Reads complaints for the public, leaving out every personal field.
pub struct TrackingService {
    store: Store,
}

/// Complaints per page in the public listing.
pub const PAGE_SIZE: i64 = 50;

/// Both names, if both columns are set.
fn named(fa: Option<String>, en: Option<String>) -> Option<Named> {
    Some(Named { fa: fa?, en: en? })
}

fn public_status(stored: &str) -> Result<PublicStatus, AppError> {
    Status::parse(stored)
        .map(Status::public)
        .ok_or_else(|| crate::error::internal("unknown status in database", stored))
}

#[derive(sqlx::FromRow)]
struct ComplaintRow {
    id: i64,
    status: String,
    created_at: i64,
    sla_due_at: Option<i64>,
    support_count: i64,
    cat_fa: String,
    cat_en: String,
    d_fa: Option<String>,
    d_en: Option<String>,
    u_fa: Option<String>,
    u_en: Option<String>,
    stars: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    at: i64,
    kind: String,
    to_status: Option<String>,
    note: Option<String>,
    u_fa: Option<String>,
    u_en: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PhotoRow {
    kind: String,
    object_key: String,
    thumb_key: String,
    width: i64,
    height: i64,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    tracking_code: String,
    category: String,
    status: String,
    lat: Option<f64>,
    lon: Option<f64>,
    created_at: i64,
    support_count: i64,
}

/// One complaint on the public map.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ComplaintSummary {
    pub tracking_code: String,
    pub category: String,
    pub status: PublicStatus,
    /// Rounded to about 10 m.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub created_at: i64,
    pub support_count: i64,
}

/// A page of the public listing.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ComplaintPage {
    pub page: i64,
    pub page_size: i64,
    pub has_more: bool,
    pub items: Vec<ComplaintSummary>,
}

fn round4(v: Option<f64>) -> Option<f64> {
    v.map(|v| (v * 10_000.0).round() / 10_000.0)
}

impl TrackingService {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    async fn photos(&self, complaint_id: i64) -> Result<Vec<PublicPhoto>, AppError> {
        let rows: Vec<PhotoRow> = sqlx::query_as(
            "SELECT kind, object_key, thumb_key, width, height FROM photo \
             WHERE complaint_id = $1 ORDER BY id",
        )
        .bind(complaint_id)
        .fetch_all(self.store.pool())
        .await
        .or_internal("loading photos")?;
        Ok(rows
            .into_iter()
            .map(|r| PublicPhoto {
                kind: r.kind,
                url: format!("/media/{}", r.object_key),
                thumb_url: format!("/media/{}", r.thumb_key),
                width: u32::try_from(r.width).unwrap_or_default(),
                height: u32::try_from(r.height).unwrap_or_default(),
            })
            .collect())
    }

    /// Complaints inside `bbox` (min lon, min lat, max lon, max lat), newest
    /// first, page `page` (1-based), coordinates rounded to about 10 m.
    pub async fn list_public(&self, bbox: [f64; 4], page: i64) -> Result<ComplaintPage, AppError> {
        let [min_lon, min_lat, max_lon, max_lat] = bbox;
        let rows: Vec<SummaryRow> = sqlx::query_as(
            "SELECT c.tracking_code, c.status, c.lat, c.lon, c.created_at, c.support_count, \
             cat.code AS category \
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
        .fetch_all(self.store.pool())
        .await
        .or_internal("listing complaints")?;
        let has_more = rows.len() as i64 > PAGE_SIZE;
        let items = rows
            .into_iter()
            .take(PAGE_SIZE as usize)
            .map(|r| {
                Ok(ComplaintSummary {
                    status: public_status(&r.status)?,
                    tracking_code: r.tracking_code,
                    category: r.category,
                    lat: round4(r.lat),
                    lon: round4(r.lon),
                    created_at: r.created_at,
                    support_count: r.support_count,
                })
            })
            .collect::<Result<_, AppError>>()?;
        Ok(ComplaintPage {
            page,
            page_size: PAGE_SIZE,
            has_more,
            items,
        })
    }
}

#[async_trait::async_trait]
impl Tracking for TrackingService {
    async fn public_view(&self, code: &TrackingCode) -> Result<Option<PublicComplaint>, AppError> {
        let pool = self.store.pool();
        let Some(row) = sqlx::query_as::<_, ComplaintRow>(
            "SELECT c.id, c.status, c.created_at, c.sla_due_at, c.support_count, \
                    cat.name_fa AS cat_fa, cat.name_en AS cat_en, \
                    d.name_fa AS d_fa, d.name_en AS d_en, u.name_fa AS u_fa, u.name_en AS u_en, \
                    r.stars \
             FROM complaint c \
             JOIN category cat ON cat.id = c.category_id \
             LEFT JOIN district d ON d.id = c.district_id \
             LEFT JOIN unit u ON u.id = c.unit_id \
             LEFT JOIN rating r ON r.complaint_id = c.id \
             WHERE c.tracking_code = $1",
        )
        .bind(code.as_str())
        .fetch_optional(pool)
        .await
        .or_internal("loading a complaint")?
        else {
            return Ok(None);
        };
        let events: Vec<EventRow> = sqlx::query_as(
            "SELECT e.at, e.kind, e.to_status, e.note, u.name_fa AS u_fa, u.name_en AS u_en \
             FROM complaint_event e LEFT JOIN unit u ON u.id = e.unit_id \
             WHERE e.complaint_id = $1 AND e.public = 1 ORDER BY e.id",
        )
        .bind(row.id)
        .fetch_all(pool)
        .await
        .or_internal("loading a timeline")?;
        let timeline = events
            .into_iter()
            .map(|e| {
                Ok(PublicEvent {
                    stars: if e.kind == "rating" { row.stars } else { None },
                    at: e.at,
                    status: e.to_status.as_deref().map(public_status).transpose()?,
                    kind: e.kind,
                    unit: named(e.u_fa, e.u_en),
                    note: e.note,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let open = Status::parse(&row.status).is_some_and(Status::is_open);
        Ok(Some(PublicComplaint {
            expected_by: row.sla_due_at.filter(|_| open),
            tracking_code: code.clone(),
            category: Named {
                fa: row.cat_fa,
                en: row.cat_en,
            },
            status: public_status(&row.status)?,
            district: named(row.d_fa, row.d_en),
            unit: named(row.u_fa, row.u_en),
            created_at: row.created_at,
            support_count: row.support_count,
            rating: row.stars,
            timeline,
            photos: self.photos(row.id).await?,
        }))
    }
}
