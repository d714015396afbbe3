//! Service traits the server implements.

use crate::{
    error::AppError,
    model::{complaint::PublicComplaint, TrackingCode},
};
use std::sync::Arc;

/// Looks complaints up for the public.
#[async_trait::async_trait]
pub trait Tracking: Send + Sync {
    /// The public view of a complaint, `None` when no complaint has this code.
    async fn public_view(&self, code: &TrackingCode) -> Result<Option<PublicComplaint>, AppError>;
}

/// The services, as the server provides them in context.
#[derive(Clone)]
pub struct Services {
    pub tracking: Arc<dyn Tracking>,
}

/// The services from context; `Internal` if the server forgot to provide them.
pub fn services() -> Result<Services, AppError> {
    leptos::prelude::use_context::<Services>().ok_or(AppError::Internal)
}
