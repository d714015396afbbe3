//! District polygons, parsed once and kept in memory: every filing places
//! its point in one, and parsing GeoJSON per request was most of intake's
//! database work. [`Districts::reload`] re-reads them when they change.

use super::audit::{self, Audit};
use crate::{auth::staff::require, error::OrInternal, store::Store};
use app::{
    api::staff::StaffViewer,
    error::AppError,
    model::{
        complaint::Named,
        geo::{parse_districts, DistrictSpec, Polygon},
        GeoPoint, Role,
    },
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

/// Adds district `spec` with its own office and urban-services emergency
/// unit (Shiraz runs one per district: urgent categories go there), inside
/// `tx`. Returns the district's, the office's and the emergency unit's ids.
pub(crate) async fn add_district(
    tx: &mut sqlx::AnyConnection,
    spec: &DistrictSpec,
) -> Result<[i64; 3], AppError> {
    let [min_lon, min_lat, max_lon, max_lat] = spec.polygon.bbox();
    let geometry = serde_json::to_string(&spec.polygon.0).or_internal("writing a polygon")?;
    let district_id: i64 = sqlx::query_scalar(
        "INSERT INTO district (code, name_fa, name_en, geometry, min_lon, min_lat, max_lon, max_lat) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&spec.code)
    .bind(&spec.name.fa)
    .bind(&spec.name.en)
    .bind(geometry)
    .bind(min_lon)
    .bind(min_lat)
    .bind(max_lon)
    .bind(max_lat)
    .fetch_one(&mut *tx)
    .await
    .or_internal("adding a district")?;
    let mut ids = [district_id, 0, 0];
    for (slot, (suffix, kind, fa, en)) in [
        ("office", "district", "شهرداری", "office"),
        (
            "emergency",
            "emergency",
            "ستاد اضطراری خدمات شهری",
            "urban services emergency",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        ids[slot + 1] = sqlx::query_scalar(
            "INSERT INTO unit (code, kind, name_fa, name_en, district_id) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (code) DO UPDATE SET district_id = $5 RETURNING id",
        )
        .bind(format!("{}-{suffix}", spec.code))
        .bind(kind)
        .bind(format!("{fa} {}", spec.name.fa))
        .bind(format!("{} {en}", spec.name.en))
        .bind(district_id)
        .fetch_one(&mut *tx)
        .await
        .or_internal("adding a district's units")?;
    }
    Ok(ids)
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Imported {
    pub added: u64,
    pub updated: u64,
}

impl Districts {
    /// Imports districts from GeoJSON (admins): checked whole first, then
    /// one transaction: a known code gets the new boundary and names, a new
    /// one is added with its units and every category routed by kind. A
    /// district missing from the file stays (complaints and units refer to
    /// it). This process counts in the new boundaries at once; others at
    /// their next scheduler tick.
    pub async fn import(
        &self,
        who: &StaffViewer,
        geojson: &str,
        client: &str,
    ) -> Result<Imported, AppError> {
        require(who, &[Role::Admin])?;
        let specs = parse_districts(geojson)?;
        let mut w = self.store.write().await?;
        if self.store.backend() == crate::store::Backend::Postgres {
            // Two imports at once: the second waits for the first.
            sqlx::query("LOCK TABLE district IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut *w.tx)
                .await
                .or_internal("locking districts")?;
        }
        let mut done = Imported {
            added: 0,
            updated: 0,
        };
        for spec in &specs {
            let known: Option<i64> = sqlx::query_scalar("SELECT id FROM district WHERE code = $1")
                .bind(&spec.code)
                .fetch_optional(&mut *w.tx)
                .await
                .or_internal("finding a district")?;
            match known {
                Some(id) => {
                    let [min_lon, min_lat, max_lon, max_lat] = spec.polygon.bbox();
                    let geometry =
                        serde_json::to_string(&spec.polygon.0).or_internal("writing a polygon")?;
                    sqlx::query(
                        "UPDATE district SET name_fa = $1, name_en = $2, geometry = $3, \
                         min_lon = $4, min_lat = $5, max_lon = $6, max_lat = $7 WHERE id = $8",
                    )
                    .bind(&spec.name.fa)
                    .bind(&spec.name.en)
                    .bind(geometry)
                    .bind(min_lon)
                    .bind(min_lat)
                    .bind(max_lon)
                    .bind(max_lat)
                    .bind(id)
                    .execute(&mut *w.tx)
                    .await
                    .or_internal("updating a district")?;
                    done.updated += 1;
                }
                None => {
                    add_district(&mut w.tx, spec).await?;
                    done.added += 1;
                }
            }
        }
        if done.added > 0 {
            let categories: Vec<(i64, String)> =
                sqlx::query_as("SELECT id, unit_kind FROM category ORDER BY id")
                    .fetch_all(&mut *w.tx)
                    .await
                    .or_internal("reading categories")?;
            for (id, kind) in &categories {
                super::settings::route_by_kind(&mut w.tx, *id, kind).await?;
            }
        }
        let detail = format!("{} added, {} updated", done.added, done.updated);
        audit::record(
            &mut w.tx,
            self.store.now(),
            Audit::by(who, "districts:import", client).detail(&detail),
        )
        .await?;
        w.commit().await.or_internal("importing districts")?;
        self.reload().await?;
        Ok(done)
    }
}
