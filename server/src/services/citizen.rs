//! The citizen's side after filing: "already reported nearby?" and "me too",
//! rating and objecting, "my complaints"; and [`move_status`], the one
//! guarded status update every actor's change goes through.

use super::{record_event, Actor, Event, EventKind};
use crate::{error::OrInternal, store::Store};
use app::{
    api::ports::{Citizens, FilerActions, MyComplaint},
    error::{AppError, Conflict, Invalid},
    i18n::Lang,
    model::{
        complaint::Named,
        text::{parse_comment, ObjectionReason, Stars},
        GeoPoint, PublicStatus, Status, TrackingCode,
    },
};
use serde::Serialize;

/// Radius when a category names none, in metres.
pub const DEFAULT_NEARBY_RADIUS_M: i64 = 200;
/// Most suggestions shown.
const NEARBY_LIMIT: usize = 10;

/// A stored status name; an unknown one is our bug, not the caller's.
fn stored_status(name: &str) -> Result<Status, AppError> {
    Status::parse(name).ok_or_else(|| crate::error::internal("unknown status in database", name))
}

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

/// A complaint as the feedback rules need it.
struct Target {
    id: i64,
    citizen_id: Option<i64>,
    status: Status,
    rated: bool,
}

#[derive(sqlx::FromRow)]
struct TargetRow {
    id: i64,
    citizen_id: Option<i64>,
    status: String,
    stars: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct NearbyRow {
    tracking_code: String,
    status: String,
    lat: f64,
    lon: f64,
    support_count: i64,
    created_at: i64,
    name_fa: String,
    name_en: String,
}

#[derive(sqlx::FromRow)]
struct MineRow {
    tracking_code: String,
    status: String,
    created_at: i64,
    name_fa: String,
    name_en: String,
    stars: Option<i64>,
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
        let row: TargetRow = sqlx::query_as(
            "SELECT c.id, c.citizen_id, c.status, r.stars FROM complaint c \
             LEFT JOIN rating r ON r.complaint_id = c.id WHERE c.tracking_code = $1",
        )
        .bind(code.as_str())
        .fetch_optional(exec)
        .await
        .or_internal("loading a complaint")?
        .ok_or(AppError::NotFound)?;
        Ok(Target {
            id: row.id,
            citizen_id: row.citizen_id,
            status: stored_status(&row.status)?,
            rated: row.stars.is_some(),
        })
    }

    /// Open complaints of `category` within its radius of `point`, nearest
    /// first.
    pub async fn nearby(
        &self,
        category: &str,
        point: GeoPoint,
        lang: Lang,
    ) -> Result<Nearby, AppError> {
        let (category_id, radius): (i64, i64) =
            sqlx::query_as("SELECT id, nearby_radius_m FROM category WHERE code = $1")
                .bind(category.trim())
                .fetch_optional(self.store.pool())
                .await
                .or_internal("loading a category")?
                .ok_or(Invalid::CategoryUnknown)?;
        if radius <= 0 {
            return Ok(Nearby {
                radius_m: 0,
                items: Vec::new(),
            });
        }
        let dlat = radius as f64 / 111_320.0;
        let dlon = radius as f64 / (111_320.0 * point.lat.to_radians().cos().max(0.01));
        let placeholders = open_status_list();
        let rows: Vec<NearbyRow> = sqlx::query_as(&format!(
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
        for r in rows {
            let d = point.distance_m(GeoPoint {
                lat: r.lat,
                lon: r.lon,
            });
            if d > radius as f64 {
                continue;
            }
            let category = Named {
                fa: r.name_fa,
                en: r.name_en,
            };
            items.push((
                d,
                NearbyComplaint {
                    tracking_code: r.tracking_code,
                    category: category.get(lang).to_owned(),
                    status: stored_status(&r.status)?.public(),
                    distance_m: d.round() as i64,
                    support_count: r.support_count,
                    created_at: r.created_at,
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
        let mut w = self.store.write().await?;
        let target = self.target(&mut *w.tx, code).await?;
        if !target.status.is_open() {
            return Err(Conflict::NotOpen.into());
        }
        let added = sqlx::query(
            "INSERT INTO support (complaint_id, supporter, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (complaint_id, supporter) DO NOTHING",
        )
        .bind(target.id)
        .bind(&supporter)
        .bind(self.store.now())
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
        stars: Stars,
        comment: &str,
    ) -> Result<(), AppError> {
        let comment = parse_comment(comment)?;
        let mut w = self.store.write().await?;
        let target = self.filer_target(&mut w, code, user_id).await?;
        let now = self.store.now();
        sqlx::query(
            "INSERT INTO rating (complaint_id, stars, comment, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(target.id)
        .bind(stars.get())
        .bind(comment.as_deref())
        .bind(now)
        .execute(&mut *w.tx)
        .await
        .or_internal("recording a rating")?;
        // The comment is the citizen's own words: kept for the unit, not shown.
        let rated = Event {
            kind: EventKind::Rating,
            ..Event::by(Actor::Citizen)
        };
        record_event(&mut w.tx, target.id, now, rated).await?;
        w.commit().await.or_internal("committing a rating")
    }

    /// The filer says "not fixed": the complaint is reopened with the reason.
    pub async fn object(
        &self,
        code: &TrackingCode,
        user_id: i64,
        reason: &str,
    ) -> Result<(), AppError> {
        let reason = ObjectionReason::parse(reason)?;
        let mut w = self.store.write().await?;
        let target = self.filer_target(&mut w, code, user_id).await?;
        let now = self.store.now();
        sqlx::query(
            "INSERT INTO objection (complaint_id, citizen_id, reason, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(target.id)
        .bind(user_id)
        .bind(reason.as_str())
        .bind(now)
        .execute(&mut *w.tx)
        .await
        .or_internal("recording an objection")?;
        move_status(&mut w.tx, target.id, target.status, Status::Reopened, now).await?;
        let objected = Event {
            kind: EventKind::Objection,
            from: Some(target.status),
            to: Some(Status::Reopened),
            ..Event::by(Actor::Citizen)
        };
        record_event(&mut w.tx, target.id, now, objected).await?;
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
            return Err(Conflict::AlreadyRated.into());
        }
        if !target.status.awaits_verdict() {
            return Err(Conflict::NotResolved.into());
        }
        Ok(target)
    }
}

/// Moves a complaint from `from` to `to`; every status change goes through
/// here.
pub(crate) async fn move_status(
    tx: &mut sqlx::AnyConnection,
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
    .execute(&mut *tx)
    .await
    .or_internal("changing a status")?
    .rows_affected();
    if moved == 1 {
        Ok(())
    } else {
        Err(Conflict::Transition.into())
    }
}

#[async_trait::async_trait]
impl Citizens for CitizenService {
    async fn my_complaints(&self, user_id: i64) -> Result<Vec<MyComplaint>, AppError> {
        let rows: Vec<MineRow> = sqlx::query_as(
            "SELECT c.tracking_code, c.status, c.created_at, cat.name_fa, cat.name_en, r.stars \
             FROM complaint c JOIN category cat ON cat.id = c.category_id \
             LEFT JOIN rating r ON r.complaint_id = c.id \
             WHERE c.citizen_id = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT 200",
        )
        .bind(user_id)
        .fetch_all(self.store.pool())
        .await
        .or_internal("listing my complaints")?;
        rows.into_iter()
            .map(|r| {
                Ok(MyComplaint {
                    tracking_code: TrackingCode::parse(&r.tracking_code).map_err(|_| {
                        crate::error::internal("stored tracking code", &r.tracking_code)
                    })?,
                    category: Named {
                        fa: r.name_fa,
                        en: r.name_en,
                    },
                    status: stored_status(&r.status)?.public(),
                    created_at: r.created_at,
                    rated: r.stars.is_some(),
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
            can_rate: is_filer && !target.rated && target.status.awaits_verdict(),
        })
    }
}

/// The open statuses as an SQL list, in `Status::ALL`'s order: the nearby
/// lookup's filter, written exactly as migration 0013's partial index.
fn open_status_list() -> String {
    Status::open_statuses()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    /// SQLite uses the partial index only when the query's status list is
    /// the index's, term for term.
    #[test]
    fn the_nearby_filter_matches_its_partial_index() {
        let index = include_str!("../../migrations/0013_nearby_index.sql.in");
        let filter = format!("WHERE status IN ({});", super::open_status_list());
        assert!(index.contains(&filter), "{filter} is not the index's");
    }
}
