//! Reference data: categories for the forms, districts for maps.

use super::districts::Districts;
use crate::{error::OrInternal, store::Store};
use app::{
    api::ports::{Catalog, CategoryOption},
    error::AppError,
    model::complaint::Named,
};

pub struct CatalogService {
    store: Store,
    districts: Districts,
}

#[derive(sqlx::FromRow)]
struct CategoryRow {
    id: i64,
    code: String,
    icon: String,
    group_fa: String,
    group_en: String,
    name_fa: String,
    name_en: String,
    urgent: i64,
    nearby_radius_m: i64,
}

impl CatalogService {
    pub fn new(store: Store, districts: Districts) -> Self {
        Self { store, districts }
    }

    /// The districts as a GeoJSON `FeatureCollection`.
    pub fn districts_geojson(&self) -> serde_json::Value {
        let features: Vec<_> = self
            .districts
            .all()
            .iter()
            .map(|d| {
                serde_json::json!({
                    "type": "Feature",
                    "properties": { "code": d.code, "name_fa": d.name.fa, "name_en": d.name.en },
                    "geometry": { "type": "Polygon", "coordinates": d.polygon.0 },
                })
            })
            .collect();
        serde_json::json!({ "type": "FeatureCollection", "features": features })
    }

    /// The box around the city (min lat, min lon, max lat, max lon).
    pub fn city_bounds(&self) -> Option<[f64; 4]> {
        self.districts.city_bounds()
    }
}

#[async_trait::async_trait]
impl Catalog for CatalogService {
    async fn categories(&self) -> Result<Vec<CategoryOption>, AppError> {
        let rows: Vec<CategoryRow> = sqlx::query_as(
            "SELECT id, code, icon, group_fa, group_en, name_fa, name_en, urgent, nearby_radius_m \
             FROM category WHERE active = 1 ORDER BY sort_order, id",
        )
        .fetch_all(self.store.pool())
        .await
        .or_internal("listing categories")?;
        let mut questions = super::settings::questions(self.store.pool(), None).await?;
        Ok(rows
            .into_iter()
            .map(|r| CategoryOption {
                questions: questions.remove(&r.id).unwrap_or_default(),
                code: r.code,
                icon: r.icon,
                group: Named {
                    fa: r.group_fa,
                    en: r.group_en,
                },
                name: Named {
                    fa: r.name_fa,
                    en: r.name_en,
                },
                urgent: r.urgent == 1,
                nearby_radius_m: r.nearby_radius_m,
            })
            .collect())
    }
}
