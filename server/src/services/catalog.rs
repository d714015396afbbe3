//! Reference data for forms: categories.

use crate::{error::OrInternal, store::Store};
use app::{
    api::ports::{Catalog, CategoryOption},
    error::AppError,
    model::complaint::Named,
};
use sqlx::Row;

pub struct CatalogService {
    store: Store,
}

impl CatalogService {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

#[async_trait::async_trait]
impl Catalog for CatalogService {
    async fn categories(&self) -> Result<Vec<CategoryOption>, AppError> {
        let rows = sqlx::query(
            "SELECT code, group_fa, group_en, name_fa, name_en, urgent, nearby_radius_m FROM category \
             WHERE active = 1 ORDER BY sort_order, id",
        )
        .fetch_all(self.store.pool())
        .await
        .or_internal("listing categories")?;
        rows.iter()
            .map(|r| {
                Ok(CategoryOption {
                    code: r.try_get("code")?,
                    group: Named {
                        fa: r.try_get("group_fa")?,
                        en: r.try_get("group_en")?,
                    },
                    name: Named {
                        fa: r.try_get("name_fa")?,
                        en: r.try_get("name_en")?,
                    },
                    urgent: r.try_get::<i64, _>("urgent")? == 1,
                    nearby_radius_m: r.try_get("nearby_radius_m")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .or_internal("reading categories")
    }
}
