//! The domain services. Each implements a port from `app::api::ports`, so the
//! pages, the server functions and the REST API share one implementation.

pub mod catalog;
pub mod intake;
pub mod tracking;

use crate::store::Store;
use app::api::ports::Services;
use std::sync::Arc;

/// Builds the service set the app receives in its context.
pub fn services(store: &Store) -> Services {
    Services {
        tracking: Arc::new(tracking::TrackingService::new(store.clone())),
        catalog: Arc::new(catalog::CatalogService::new(store.clone())),
    }
}
