//! The citizen's side after filing: "already reported nearby?" and "me too",
//! rating and objecting, "my complaints"; and the one status change every
//! actor goes through ([`CitizenService::change_status`]), so the status
//! machine is checked in one place.

use super::record_event;
use crate::{error::OrInternal, store::Store};
use app::{
    api::ports::{Citizens, FilerActions, MyComplaint},
    error::AppError,
    model::{complaint::Named, GeoPoint, PublicStatus, Status, TrackingCode},
};
use serde::Serialize;
use sqlx::Row;

/// Radius when a category names none, in metres.
pub const DEFAULT_NEARBY_RADIUS_M: i64 = 200;
/// Most suggestions shown.
const NEARBY_LIMIT: usize = 10;
/// Longest rating comment or objection reason, in characters.
pub const FEEDBACK_MAX: usize = 500;
/// Shortest objection reason, in characters.
pub const OBJECTION_MIN: usize = 5;

/// Statuses in which a complaint is still being worked: new reports of the
/// same problem should join it rather than start another.
const OPEN: [Status; 5] = [
    Status::Submitted,
    Status::Referred,
    Status::InProgress,
    Status::Returned,
    Status::Reopened,
];

/// An open complaint near a point.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NearbyComplaint {
    pub tracking_code: String,
    pub category: String,
    pub status: PublicStatus,
    /// Metres from the asked point, rounded.
    pub distance_m: i64,
    pub support_count: i64,
    pub created_at: i64,
}

/// The answer to "already reported nearby?".
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Nearby {
    pub radius_m: i64,
    pub items: Vec<NearbyComplaint>,
}

/// Great-circle distance in metres.
pub fn distance_m(a: GeoPoint, b: GeoPoint) -> f64 {
    const R: f64 = 6_371_000.0;
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().asin()
}

fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A complaint as the feedback rules need it.
struct Target {
    id: i64,
    citizen_id: Option<i64>,
    status: Status,
    rated: bool,
}

#[derive(Clone)]
pub struct CitizenService {
    store: Store,
}

impl CitizenService {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    async fn target<'e, E>(&self, exec: E, code: &TrackingCode) -> Result<Target, AppError>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        let row = sqlx::query(
            "SELECT c.id, c.citizen_id, c.status, r.stars FROM complaint c \
             LEFT JOIN rating r ON r.complaint_id = c.id WHERE c.tracking_code = $1",
        )
        .bind(code.as_str())
        .fetch_optional(exec)
        .await
        .or_internal("loading a complaint")?
        .ok_or(AppError::NotFound)?;
        let status: String = row.try_get("status").or_internal("status")?;
        Ok(Target {
            id: row.try_get("id").or_internal("complaint id")?,
            citizen_id: row.try_get("citizen_id").ok().flatten(),
            status: Status::parse(&status)
                .ok_or_else(|| crate::error::internal("unknown status", &status))?,
            rated: row
                .try_get::<Option<i64>, _>("stars")
                .ok()
                .flatten()
                .is_some(),
        })
    }

    /// Open complaints of `category` within its radius of `point`, nearest
    /// first.
    pub async fn nearby(
        &self,
        category: &str,
        point: GeoPoint,
        lang: app::i18n::Lang,
    ) -> Result<Nearby, AppError> {
        let cat = sqlx::query("SELECT id, nearby_radius_m FROM category WHERE code = $1")
            .bind(category.trim())
            .fetch_optional(self.store.pool())
            .await
            .or_internal("loading a category")?
            .ok_or_else(|| AppError::invalid("category", "unknown"))?;
        let category_id: i64 = cat.try_get("id").or_internal("category id")?;
        let radius: i64 = cat.try_get("nearby_radius_m").or_internal("radius")?;
        if radius <= 0 {
            return Ok(Nearby {
                radius_m: 0,
                items: Vec::new(),
            });
        }
        let dlat = radius as f64 / 111_320.0;
        let dlon = radius as f64 / (111_320.0 * point.lat.to_radians().cos().max(0.01));
        let placeholders = OPEN
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(&format!(
            "SELECT c.tracking_code, c.status, c.lat, c.lon, c.support_count, c.created_at, \
                    cat.name_fa, cat.name_en \
             FROM complaint c JOIN category cat ON cat.id = c.category_id \
             WHERE c.category_id = $1 AND c.status IN ({placeholders}) \
               AND c.lat BETWEEN $2 AND $3 AND c.lon BETWEEN $4 AND $5"
        ))
        .bind(category_id)
        .bind(point.lat - dlat)
        .bind(point.lat + dlat)
        .bind(point.lon - dlon)
        .bind(point.lon + dlon)
        .fetch_all(self.store.pool())
        .await
        .or_internal("finding nearby complaints")?;
        let mut items = Vec::new();
        for r in &rows {
            let at = GeoPoint {
                lat: r.try_get("lat").or_internal("lat")?,
                lon: r.try_get("lon").or_internal("lon")?,
            };
            let d = distance_m(point, at);
            if d > radius as f64 {
                continue;
            }
            let status: String = r.try_get("status").or_internal("status")?;
            items.push((
                d,
                NearbyComplaint {
                    tracking_code: r.try_get("tracking_code").or_internal("code")?,
                    category: r
                        .try_get(match lang {
                            app::i18n::Lang::Fa => "name_fa",
                            app::i18n::Lang::En => "name_en",
                        })
                        .or_internal("category name")?,
                    status: Status::parse(&status)
                        .map(Status::public)
                        .unwrap_or(PublicStatus::Received),
                    distance_m: d.round() as i64,
                    support_count: r.try_get("support_count").or_internal("support")?,
                    created_at: r.try_get("created_at").or_internal("created_at")?,
                },
            ));
        }
        items.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(Nearby {
            radius_m: radius,
            items: items
                .into_iter()
                .take(NEARBY_LIMIT)
                .map(|(_, i)| i)
                .collect(),
        })
    }

    /// "Me too" from the signed-in citizen `user_id`: counted once per
    /// person (a phone number). Returns the count and whether this call
    /// counted.
    pub async fn support(
        &self,
        code: &TrackingCode,
        user_id: i64,
    ) -> Result<(i64, bool), AppError> {
        let supporter = format!("u:{user_id}");
        let mut w = self
            .store
            .begin_write()
            .await
            .or_internal("starting a transaction")?;
        let target = self.target(&mut *w.tx, code).await?;
        if !OPEN.contains(&target.status) {
            return Err(AppError::Conflict {
                reason: "not_open".into(),
            });
        }
        let added = sqlx::query(
            "INSERT INTO support (complaint_id, supporter, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (complaint_id, supporter) DO NOTHING",
        )
        .bind(target.id)
        .bind(&supporter)
        .bind(crate::now())
        .execute(&mut *w.tx)
        .await
        .or_internal("adding support")?
        .rows_affected()
            == 1;
        if added {
            sqlx::query("UPDATE complaint SET support_count = support_count + 1 WHERE id = $1")
                .bind(target.id)
                .execute(&mut *w.tx)
                .await
                .or_internal("counting support")?;
        }
        let count: i64 = sqlx::query_scalar("SELECT support_count FROM complaint WHERE id = $1")
            .bind(target.id)
            .fetch_one(&mut *w.tx)
            .await
            .or_internal("reading support")?;
        w.commit().await.or_internal("committing support")?;
        Ok((count, added))
    }

    /// The filer rates the resolution 1–5, once.
    pub async fn rate(
        &self,
        code: &TrackingCode,
        user_id: i64,
        stars: i64,
        comment: Option<&str>,
    ) -> Result<(), AppError> {
        if !(1..=5).contains(&stars) {
            return Err(AppError::invalid("stars", "out_of_range"));
        }
        let comment = comment.map(clean).filter(|c| !c.is_empty());
        if comment
            .as_ref()
            .is_some_and(|c| c.chars().count() > FEEDBACK_MAX)
        {
            return Err(AppError::invalid("comment", "too_long"));
        }
        let mut w = self
            .store
            .begin_write()
            .await
            .or_internal("starting a transaction")?;
        let target = self.filer_target(&mut w, code, user_id).await?;
        let now = crate::now();
        sqlx::query(
            "INSERT INTO rating (complaint_id, stars, comment, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(target.id)
        .bind(stars)
        .bind(comment.as_deref())
        .bind(now)
        .execute(&mut *w.tx)
        .await
        .or_internal("recording a rating")?;
        // The comment is the citizen's own words: kept for the unit, not shown.
        record_event(
            &mut w.tx, target.id, now, "rating", None, None, "citizen", None, None,
        )
        .await?;
        w.commit().await.or_internal("committing a rating")
    }

    /// The filer says "not fixed": the complaint is reopened with the reason.
    pub async fn object(
        &self,
        code: &TrackingCode,
        user_id: i64,
        reason: &str,
    ) -> Result<(), AppError> {
        let reason = clean(reason);
        let len = reason.chars().count();
        if len < OBJECTION_MIN {
            return Err(AppError::invalid("reason", "too_short"));
        }
        if len > FEEDBACK_MAX {
            return Err(AppError::invalid("reason", "too_long"));
        }
        let mut w = self
            .store
            .begin_write()
            .await
            .or_internal("starting a transaction")?;
        let target = self.filer_target(&mut w, code, user_id).await?;
        let now = crate::now();
        sqlx::query(
            "INSERT INTO objection (complaint_id, citizen_id, reason, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(target.id)
        .bind(user_id)
        .bind(&reason)
        .bind(now)
        .execute(&mut *w.tx)
        .await
        .or_internal("recording an objection")?;
        move_status(&mut w.tx, target.id, target.status, Status::Reopened, now).await?;
        record_event(
            &mut w.tx,
            target.id,
            now,
            "objection",
            Some(target.status),
            Some(Status::Reopened),
            "citizen",
            None,
            None,
        )
        .await?;
        w.commit().await.or_internal("committing an objection")
    }

    /// The complaint, if `user_id` filed it and it awaits the filer's verdict.
    async fn filer_target(
        &self,
        w: &mut crate::store::WriteTx,
        code: &TrackingCode,
        user_id: i64,
    ) -> Result<Target, AppError> {
        let target = self.target(&mut *w.tx, code).await?;
        if target.citizen_id != Some(user_id) {
            return Err(AppError::Forbidden);
        }
        if target.rated {
            return Err(AppError::Conflict {
                reason: "already_rated".into(),
            });
        }
        if !matches!(target.status, Status::Resolved | Status::Verified) {
            return Err(AppError::Conflict {
                reason: "not_resolved".into(),
            });
        }
        Ok(target)
    }

    /// Moves a complaint along the status machine with a public note (the
    /// municipality's answer). `actor_role` names who did it.
    pub async fn change_status(
        &self,
        code: &TrackingCode,
        to: Status,
        note: Option<&str>,
        actor_role: &str,
    ) -> Result<(), AppError> {
        let note = note.map(clean).filter(|n| !n.is_empty());
        let mut w = self
            .store
            .begin_write()
            .await
            .or_internal("starting a transaction")?;
        let target = self.target(&mut *w.tx, code).await?;
        if !target.status.can_move_to(to) {
            return Err(AppError::Conflict {
                reason: "transition".into(),
            });
        }
        let now = crate::now();
        move_status(&mut w.tx, target.id, target.status, to, now).await?;
        record_event(
            &mut w.tx,
            target.id,
            now,
            "status",
            Some(target.status),
            Some(to),
            actor_role,
            None,
            note.as_deref(),
        )
        .await?;
        w.commit().await.or_internal("committing a status change")
    }
}

async fn move_status(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
    from: Status,
    to: Status,
    now: i64,
) -> Result<(), AppError> {
    // Guarded by the old status: a concurrent change makes this a conflict.
    let moved = sqlx::query(
        "UPDATE complaint SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(id)
    .bind(from.as_str())
    .execute(&mut **tx)
    .await
    .or_internal("changing a status")?
    .rows_affected();
    if moved == 1 {
        Ok(())
    } else {
        Err(AppError::Conflict {
            reason: "transition".into(),
        })
    }
}

#[async_trait::async_trait]
impl Citizens for CitizenService {
    async fn my_complaints(&self, user_id: i64) -> Result<Vec<MyComplaint>, AppError> {
        let rows = sqlx::query(
            "SELECT c.tracking_code, c.status, c.created_at, cat.name_fa, cat.name_en, r.stars \
             FROM complaint c JOIN category cat ON cat.id = c.category_id \
             LEFT JOIN rating r ON r.complaint_id = c.id \
             WHERE c.citizen_id = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT 200",
        )
        .bind(user_id)
        .fetch_all(self.store.pool())
        .await
        .or_internal("listing my complaints")?;
        rows.iter()
            .map(|r| {
                let code: String = r.try_get("tracking_code").or_internal("code")?;
                let status: String = r.try_get("status").or_internal("status")?;
                Ok(MyComplaint {
                    tracking_code: TrackingCode::parse(&code)
                        .map_err(|_| crate::error::internal("stored tracking code", &code))?,
                    category: Named {
                        fa: r.try_get("name_fa").or_internal("name")?,
                        en: r.try_get("name_en").or_internal("name")?,
                    },
                    status: Status::parse(&status)
                        .map(Status::public)
                        .unwrap_or(PublicStatus::Received),
                    created_at: r.try_get("created_at").or_internal("created_at")?,
                    rated: r
                        .try_get::<Option<i64>, _>("stars")
                        .ok()
                        .flatten()
                        .is_some(),
                })
            })
            .collect()
    }

    async fn filer_actions(
        &self,
        code: &TrackingCode,
        user_id: i64,
    ) -> Result<FilerActions, AppError> {
        let target = self.target(self.store.pool(), code).await?;
        let is_filer = target.citizen_id == Some(user_id);
        Ok(FilerActions {
            is_filer,
            can_rate: is_filer
                && !target.rated
                && matches!(target.status, Status::Resolved | Status::Verified),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_are_metres() {
        let a = GeoPoint {
            lat: 36.2575,
            lon: 49.974,
        };
        let b = GeoPoint {
            lat: 36.2575 + 0.0009,
            lon: 49.974,
        };
        let d = distance_m(a, b);
        assert!((d - 100.0).abs() < 1.0, "{d}");
        assert_eq!(distance_m(a, a), 0.0);
    }
}
