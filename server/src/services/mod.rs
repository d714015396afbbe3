//! The domain services. Each implements a port from `app::api::ports`, so the
//! pages, the server functions and the REST API share one implementation.

pub mod catalog;
pub mod citizen;
pub mod districts;
pub mod intake;
pub mod tracking;

use crate::{error::OrInternal, store::Store};
use app::{api::ports::Services, error::AppError, model::Status};
use std::sync::Arc;

/// Builds the service set the app receives in its context.
pub fn services(
    store: &Store,
    catalog: Arc<catalog::CatalogService>,
    tracking: Arc<tracking::TrackingService>,
) -> Services {
    Services {
        tracking,
        catalog,
        citizens: Arc::new(citizen::CitizenService::new(store.clone())),
    }
}

/// What happened, as stored in `complaint_event.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Submitted,
    Referred,
    Status,
    Rating,
    Objection,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Submitted => "submitted",
            EventKind::Referred => "referred",
            EventKind::Status => "status",
            EventKind::Rating => "rating",
            EventKind::Objection => "objection",
        }
    }
}

/// Who did it, as stored in `complaint_event.actor_role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    Citizen,
    System,
    UnitStaff,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Anonymous => "anonymous",
            Actor::Citizen => "citizen",
            Actor::System => "system",
            Actor::UnitStaff => "unit_staff",
        }
    }
}

/// One entry of a complaint's timeline.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    pub kind: EventKind,
    pub actor: Actor,
    pub from: Option<Status>,
    pub to: Option<Status>,
    /// The unit involved (e.g. the one it was referred to).
    pub unit_id: Option<i64>,
    /// The municipality's public answer, when there is one.
    pub note: Option<&'a str>,
}

impl Event<'_> {
    /// An event of kind `Status` by `actor`, with nothing else set; fill
    /// the rest with struct update syntax.
    pub fn by(actor: Actor) -> Self {
        Self {
            kind: EventKind::Status,
            actor,
            from: None,
            to: None,
            unit_id: None,
            note: None,
        }
    }
}

/// Appends one entry to a complaint's timeline (public: the tracking page
/// shows it).
pub(crate) async fn record_event(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    complaint_id: i64,
    at: i64,
    event: Event<'_>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO complaint_event (complaint_id, at, kind, from_status, to_status, \
         actor_role, unit_id, note, public) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)",
    )
    .bind(complaint_id)
    .bind(at)
    .bind(event.kind.as_str())
    .bind(event.from.map(Status::as_str))
    .bind(event.to.map(Status::as_str))
    .bind(event.actor.as_str())
    .bind(event.unit_id)
    .bind(event.note)
    .execute(&mut **tx)
    .await
    .or_internal("recording a timeline event")?;
    Ok(())
}
