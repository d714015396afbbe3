//! The domain services. Each implements a port from `app::api::ports`, so the
//! pages, the server functions and the REST API share one implementation.

pub mod audit;
pub mod calendar;
pub mod catalog;
pub mod citizen;
pub mod council;
pub mod desk;
pub mod districts;
pub mod escalation;
pub mod feedback;
pub mod intake;
pub mod query;
pub mod settings;
pub mod stats;
pub mod tracking;
pub mod workflow;

use crate::{error::OrInternal, store::Store};
use app::{
    api::ports::Services,
    error::AppError,
    model::{Role, Status},
};
use std::sync::Arc;

/// Builds the service set the app receives in its context.
pub fn services(
    store: &Store,
    catalog: Arc<catalog::CatalogService>,
    tracking: Arc<tracking::TrackingService>,
    calendars: calendar::Calendars,
    districts: districts::Districts,
) -> Services {
    Services {
        tracking,
        catalog,
        citizens: Arc::new(citizen::CitizenService::new(store.clone())),
        staff: Arc::new(desk::DeskService::new(store.clone(), calendars.clone())),
        feedback: Arc::new(feedback::FeedbackService::new(store.clone())),
        settings: Arc::new(settings::SettingsService::new(
            store.clone(),
            calendars,
            districts,
        )),
        council: Arc::new(council::CouncilService::new(store.clone())),
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
    /// Given to one person of the unit.
    Assigned,
    /// Marked as the same as another complaint (`linked` names the original).
    Duplicate,
    /// Another complaint was merged into this one (`linked` names it).
    DuplicateLinked,
    /// The supervisor's call found it not done: counted against the unit.
    VerificationFailed,
    /// The citizen confirmed by text message (137's reply 31).
    CitizenConfirmed,
    /// A deadline was missed: flagged to the unit manager.
    Escalated,
    /// Still missed after the grace: sent to inspection.
    EscalatedToInspection,
    /// An inspector's finding (the note), to be answered by the unit.
    Finding,
    /// The unit manager's answer to the open finding (the note).
    FindingAnswered,
    /// The inspector closed the finding.
    FindingClosed,
    /// A member of the unit holding it opened it for the first time since
    /// it was referred (internal): "seen but not acted" is caught by this.
    Seen,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Submitted => "submitted",
            EventKind::Referred => "referred",
            EventKind::Status => "status",
            EventKind::Rating => "rating",
            EventKind::Objection => "objection",
            EventKind::Assigned => "assigned",
            EventKind::Duplicate => "duplicate",
            EventKind::DuplicateLinked => "duplicate_linked",
            EventKind::VerificationFailed => "verification_failed",
            EventKind::CitizenConfirmed => "citizen_confirmed",
            EventKind::Escalated => "escalated",
            EventKind::EscalatedToInspection => "escalated_inspection",
            EventKind::Finding => "finding",
            EventKind::FindingAnswered => "finding_answered",
            EventKind::FindingClosed => "finding_closed",
            EventKind::Seen => "seen",
        }
    }
}

/// Who did it, as stored in `complaint_event.actor_role` (and
/// `actor_user_id` for staff).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    Citizen,
    System,
    /// A staff member acting in one of their roles.
    Staff {
        user_id: i64,
        role: Role,
    },
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Anonymous => "anonymous",
            Actor::Citizen => "citizen",
            Actor::System => "system",
            Actor::Staff { role, .. } => role.as_str(),
        }
    }

    fn user_id(self) -> Option<i64> {
        match self {
            Actor::Staff { user_id, .. } => Some(user_id),
            _ => None,
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
    /// The municipality's answer, or a staff note.
    pub note: Option<&'a str>,
    /// Shown on the public tracking page (internal notes are not).
    pub public: bool,
    /// The other complaint of a duplicate link.
    pub linked: Option<i64>,
}

impl Event<'_> {
    /// A public event of kind `Status` by `actor`, with nothing else set;
    /// fill the rest with struct update syntax.
    pub fn by(actor: Actor) -> Self {
        Self {
            kind: EventKind::Status,
            actor,
            from: None,
            to: None,
            unit_id: None,
            note: None,
            public: true,
            linked: None,
        }
    }
}

/// A fresh tracking code (a random serial with a check digit) that no
/// complaint and no 1888 item has: one space of codes, so a code typed
/// anywhere names one thing.
pub(crate) async fn unused_code(
    tx: &mut sqlx::AnyConnection,
) -> Result<app::model::TrackingCode, AppError> {
    for _ in 0..8 {
        let serial = rand::random_range(100_000_000..=999_999_999u32);
        let code = app::model::TrackingCode::from_serial(serial).ok_or(AppError::Internal)?;
        let taken: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM complaint WHERE tracking_code = $1 \
             UNION ALL SELECT id FROM feedback WHERE tracking_code = $1",
        )
        .bind(code.as_str())
        .fetch_optional(&mut *tx)
        .await
        .or_internal("checking a tracking code")?;
        if taken.is_none() {
            return Ok(code);
        }
    }
    Err(crate::error::internal(
        "tracking codes",
        "eight collisions in a row",
    ))
}

/// Appends one entry to a complaint's timeline, and counts it in the
/// report card's running figures; returns its id.
pub(crate) async fn record_event(
    tx: &mut sqlx::AnyConnection,
    complaint_id: i64,
    at: i64,
    event: Event<'_>,
) -> Result<i64, AppError> {
    let id = sqlx::query_scalar(
        "INSERT INTO complaint_event (complaint_id, at, kind, from_status, to_status, \
         actor_user_id, actor_role, unit_id, note, public, linked_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(complaint_id)
    .bind(at)
    .bind(event.kind.as_str())
    .bind(event.from.map(Status::as_str))
    .bind(event.to.map(Status::as_str))
    .bind(event.actor.user_id())
    .bind(event.actor.as_str())
    .bind(event.unit_id)
    .bind(event.note)
    .bind(i64::from(event.public))
    .bind(event.linked)
    .fetch_one(&mut *tx)
    .await
    .or_internal("recording a timeline event")?;
    stats::count_event(tx, complaint_id, at, &event).await?;
    Ok(id)
}
