//! Service traits the server implements.

use crate::{
    error::AppError,
    model::{
        complaint::{Named, PublicComplaint},
        TrackingCode,
    },
};
use std::sync::Arc;

/// Looks complaints up for the public.
#[async_trait::async_trait]
pub trait Tracking: Send + Sync {
    /// The public view of a complaint, `None` when no complaint has this code.
    async fn public_view(&self, code: &TrackingCode) -> Result<Option<PublicComplaint>, AppError>;
}

/// A category as the filing form lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CategoryOption {
    pub code: String,
    pub group: Named,
    pub name: Named,
    /// Urban-services emergency (urgent response).
    pub urgent: bool,
    /// Radius for "already reported nearby?"; 0 when not place-bound.
    pub nearby_radius_m: i64,
}

/// Reference data the forms need.
#[async_trait::async_trait]
pub trait Catalog: Send + Sync {
    /// Active categories in display order.
    async fn categories(&self) -> Result<Vec<CategoryOption>, AppError>;
}

/// The services, as the server provides them in context.
#[derive(Clone)]
pub struct Services {
    pub tracking: Arc<dyn Tracking>,
    pub catalog: Arc<dyn Catalog>,
}

/// What the filing form's POST handler hands back to the page when it must
/// show the form again: the refusal and what the citizen had typed.
#[derive(Debug, Clone, Default)]
pub struct ReportOutcome {
    pub error: Option<AppError>,
    pub values: std::collections::BTreeMap<String, String>,
}

/// The services from context; `Internal` if the server forgot to provide them.
pub fn services() -> Result<Services, AppError> {
    leptos::prelude::use_context::<Services>().ok_or(AppError::Internal)
}
