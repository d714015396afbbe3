//! The public tracking view of a complaint.

use crate::{error::OrInternal, store::Store};
use app::{
    api::ports::Tracking,
    error::AppError,
    model::{
        complaint::{Named, PublicComplaint, PublicEvent, PublicPhoto},
        Status, TrackingCode,
    },
};
use sqlx::Row;

/// Reads complaints for the public, leaving out every personal field.
pub struct TrackingService {
    store: Store,
}

impl TrackingService {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

fn named(row: &sqlx::any::AnyRow, fa: &str, en: &str) -> Option<Named> {
    let fa: Option<String> = row.try_get(fa).ok().flatten();
    let en: Option<String> = row.try_get(en).ok().flatten();
    Some(Named { fa: fa?, en: en? })
}

impl TrackingService {
    async fn photos(&self, complaint_id: i64) -> Result<Vec<PublicPhoto>, AppError> {
        let rows = sqlx::query(
            "SELECT kind, object_key, thumb_key, width, height FROM photo \
             WHERE complaint_id = $1 ORDER BY id",
        )
        .bind(complaint_id)
        .fetch_all(self.store.pool())
        .await
        .or_internal("loading photos")?;
        rows.iter()
            .map(|r| {
                let key: String = r.try_get("object_key").or_internal("photo key")?;
                let thumb: String = r.try_get("thumb_key").or_internal("thumb key")?;
                Ok(PublicPhoto {
                    kind: r.try_get("kind").or_internal("photo kind")?,
                    url: format!("/media/{key}"),
                    thumb_url: format!("/media/{thumb}"),
                    width: r.try_get::<i64, _>("width").or_internal("photo width")? as u32,
                    height: r.try_get::<i64, _>("height").or_internal("photo height")? as u32,
                })
            })
            .collect()
    }
}

#[async_trait::async_trait]
impl Tracking for TrackingService {
    async fn public_view(&self, code: &TrackingCode) -> Result<Option<PublicComplaint>, AppError> {
        let pool = self.store.pool();
        let Some(row) = sqlx::query(
            "SELECT c.id, c.status, c.created_at, c.support_count, \
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
        let id: i64 = row.try_get("id").or_internal("complaint id")?;
        let status: String = row.try_get("status").or_internal("complaint status")?;
        let status = Status::parse(&status)
            .ok_or_else(|| crate::error::internal("unknown status in database", &status))?;
        let events = sqlx::query(
            "SELECT e.at, e.kind, e.to_status, e.note, u.name_fa AS u_fa, u.name_en AS u_en \
             FROM complaint_event e LEFT JOIN unit u ON u.id = e.unit_id \
             WHERE e.complaint_id = $1 AND e.public = 1 ORDER BY e.id",
        )
        .bind(id)
        .fetch_all(pool)
        .await
        .or_internal("loading a timeline")?;
        let rating: Option<i64> = row.try_get("stars").ok().flatten();
        let timeline = events
            .iter()
            .map(|e| {
                let to_status: Option<String> = e.try_get("to_status").ok().flatten();
                let kind: String = e.try_get("kind").or_internal("event kind")?;
                Ok(PublicEvent {
                    stars: if kind == "rating" { rating } else { None },
                    at: e.try_get("at").or_internal("event time")?,
                    kind,
                    status: to_status
                        .as_deref()
                        .and_then(Status::parse)
                        .map(Status::public),
                    unit: named(e, "u_fa", "u_en"),
                    note: e.try_get("note").ok().flatten(),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(Some(PublicComplaint {
            tracking_code: code.clone(),
            category: named(&row, "cat_fa", "cat_en").ok_or(AppError::Internal)?,
            status: status.public(),
            district: named(&row, "d_fa", "d_en"),
            unit: named(&row, "u_fa", "u_en"),
            created_at: row.try_get("created_at").or_internal("created_at")?,
            support_count: row.try_get("support_count").or_internal("support_count")?,
            rating,
            timeline,
            photos: self.photos(id).await?,
        }))
    }
}
