//! District polygons, parsed once and kept in memory: every filing places
//! its point in one, and parsing GeoJSON per request was most of intake's
//! database work. [`Districts::reload`] re-reads them when they change.

use crate::{error::OrInternal, store::Store};
use app::{
    error::AppError,
    model::{complaint::Named, geo::Polygon, GeoPoint},
};
use std::sync::{Arc, RwLock};

/// One district with its parsed polygon.
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    pub id: i64,
    pub code: String,
    pub name: Named,
    pub polygon: Polygon,
    /// min lon, min lat, max lon, max lat.
    pub bbox: [f64; 4],
}

#[derive(sqlx::FromRow)]
struct DistrictRow {
    id: i64,
    code: String,
    name_fa: String,
    name_en: String,
    geometry: String,
    min_lon: f64,
    min_lat: f64,
    max_lon: f64,
    max_lat: f64,
}

/// The districts, shared by every service that needs them.
#[derive(Clone)]
pub struct Districts {
    store: Store,
    all: Arc<RwLock<Arc<Vec<District>>>>,
}

impl Districts {
    /// Loads them from the database.
    pub async fn load(store: Store) -> Result<Self, AppError> {
        let me = Self {
            store,
            all: Arc::default(),
        };
        me.reload().await?;
        Ok(me)
    }

    /// Re-reads them (after an admin changed districts).
    pub async fn reload(&self) -> Result<(), AppError> {
        let rows: Vec<DistrictRow> = sqlx::query_as(
            "SELECT id, code, name_fa, name_en, geometry, min_lon, min_lat, max_lon, max_lat \
             FROM district ORDER BY id",
        )
        .fetch_all(self.store.pool())
        .await
        .or_internal("loading districts")?;
        let list = rows
            .into_iter()
            .map(|r| {
                Ok(District {
                    polygon: Polygon(
                        serde_json::from_str(&r.geometry).or_internal("a district polygon")?,
                    ),
                    id: r.id,
                    code: r.code,
                    name: Named {
                        fa: r.name_fa,
                        en: r.name_en,
                    },
                    bbox: [r.min_lon, r.min_lat, r.max_lon, r.max_lat],
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        *self.all.write().map_err(|_| AppError::Internal)? = Arc::new(list);
        Ok(())
    }

    /// Every district, in id order.
    pub fn all(&self) -> Arc<Vec<District>> {
        self.all
            .read()
            .map(|all| Arc::clone(&all))
            .unwrap_or_default()
    }

    /// The district containing `point`, if any.
    pub fn at(&self, point: GeoPoint) -> Option<District> {
        self.all()
            .iter()
            .find(|d| {
                let [min_lon, min_lat, max_lon, max_lat] = d.bbox;
                (min_lon..=max_lon).contains(&point.lon)
                    && (min_lat..=max_lat).contains(&point.lat)
                    && d.polygon.contains(point)
            })
            .cloned()
    }

    /// The box around every district: min lat, min lon, max lat, max lon.
    pub fn city_bounds(&self) -> Option<[f64; 4]> {
        let all = self.all();
        let first = all.first()?;
        Some(all.iter().fold(
            [first.bbox[1], first.bbox[0], first.bbox[3], first.bbox[2]],
            |[a, b, c, d], x| {
                [
                    a.min(x.bbox[1]),
                    b.min(x.bbox[0]),
                    c.max(x.bbox[3]),
                    d.max(x.bbox[2]),
                ]
            },
        ))
    }
}
