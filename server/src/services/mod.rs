//! The domain services. Each implements a port from `app::api::ports`, so the
//! pages, the server functions and the REST API share one implementation.

pub mod catalog;
pub mod citizen;
pub mod intake;
pub mod tracking;

use crate::{error::OrInternal, store::Store};
use app::{api::ports::Services, error::AppError, model::Status};
use std::sync::Arc;

/// Builds the service set the app receives in its context.
pub fn services(store: &Store) -> Services {
    Services {
        tracking: Arc::new(tracking::TrackingService::new(store.clone())),
        catalog: Arc::new(catalog::CatalogService::new(store.clone())),
        citizens: Arc::new(citizen::CitizenService::new(store.clone())),
    }
}

/// Appends one entry to a complaint's timeline (public: the tracking page
/// shows it; `note` is the municipality's answer when there is one).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_event(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    complaint_id: i64,
    at: i64,
    kind: &str,
    from: Option<Status>,
    to: Option<Status>,
    actor_role: &str,
    unit_id: Option<i64>,
    note: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO complaint_event (complaint_id, at, kind, from_status, to_status, \
         actor_role, unit_id, note, public) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)",
    )
    .bind(complaint_id)
    .bind(at)
    .bind(kind)
    .bind(from.map(Status::as_str))
    .bind(to.map(Status::as_str))
    .bind(actor_role)
    .bind(unit_id)
    .bind(note)
    .execute(&mut **tx)
    .await
    .or_internal("recording a timeline event")?;
    Ok(())
}
