//! The web layer's shared pieces: the state every handler receives, what
//! each Leptos render gets in its context, and the one page renderer that
//! routes, form handlers and the router all use. A leaf: it imports the
//! services it holds, and nothing in the web layer imports the other way.

use crate::{
    auth::{otp::Accounts, staff::StaffAccounts},
    config::Config,
    media::MediaStore,
    net::ClientAddr,
    notify::Outbox,
    services::{
        catalog::CatalogService, citizen::CitizenService, intake::IntakeService,
        tracking::TrackingService, workflow::WorkflowService,
    },
    store::Store,
};
use app::{
    api::{forms::Refused, ports::SiteSettings},
    error::AppError,
};
use axum::{
    extract::{FromRef, Request},
    http::{header, request::Parts, StatusCode},
    response::{IntoResponse, Response},
};
use leptos::prelude::*;
use std::sync::Arc;

/// Shared by every handler and server function.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: app::api::ports::Services,
    pub intake: IntakeService,
    pub catalog: Arc<CatalogService>,
    pub tracking: Arc<TrackingService>,
    pub citizens: CitizenService,
    pub accounts: Accounts,
    pub staff_accounts: StaffAccounts,
    pub workflow: WorkflowService,
    pub outbox: Outbox,
    pub escalation: crate::services::escalation::EscalationService,
    pub calendars: crate::services::calendar::Calendars,
    pub districts: crate::services::districts::Districts,
    pub media: MediaStore,
    pub store: Store,
    pub config: Arc<Config>,
    pub settings: SiteSettings,
    /// Request figures for `/metrics`, and the draining flag for `/ready`.
    pub metrics: crate::metrics::Metrics,
    /// Web push, unless `PASOKH_PUSH` is off.
    pub push: Option<crate::push::WebPush>,
}

/// What each Leptos render and server-function call gets in its context.
pub fn leptos_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let services = state.services.clone();
    let settings = state.settings.clone();
    move || {
        provide_context(services.clone());
        provide_context(settings.clone());
        leptos::nonce::provide_nonce();
    }
}

/// The HTML document around every page.
pub fn shell(options: &LeptosOptions) -> impl Fn() -> AnyView + Clone + Send + 'static {
    let options = options.clone();
    move || app::shell(options.clone()).into_any()
}

/// Renders the app for `parts` (whole page before the first byte, like the
/// data routes: it must read right without JavaScript) with `extra` added
/// to the context.
pub async fn render_page(
    state: &AppState,
    parts: Parts,
    extra: impl Fn() + Clone + Send + Sync + 'static,
) -> Response {
    let context = leptos_context(state);
    let render = leptos_axum::render_app_async_with_context(
        move || {
            context();
            extra();
        },
        shell(&state.leptos_options),
    );
    render(Request::from_parts(parts, axum::body::Body::empty())).await
}

/// The one answer to a refused form: the page at `path` rendered again with
/// the form as typed and the translated reason, with the error's status.
pub async fn refused<F: Clone + Send + Sync + 'static>(
    state: &AppState,
    mut parts: Parts,
    path: &str,
    form: F,
    error: AppError,
) -> Response {
    match path.parse() {
        Ok(uri) => parts.uri = uri,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    }
    let refused = Refused { form, error };
    render_page(state, parts, move || provide_context(refused.clone())).await
}

/// A 303 to `location` (post/redirect/get), never cached.
pub fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, location.to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}

/// The signed-in citizen of this request (the session layer put it there),
/// or `Unauthorized`.
pub fn signed_in(parts: &Parts) -> Result<app::api::ports::Viewer, AppError> {
    parts
        .extensions
        .get::<app::api::ports::Viewer>()
        .cloned()
        .ok_or(AppError::Unauthorized)
}

/// The signed-in staff member of this request, or `Unauthorized`.
pub fn staff_signed_in(parts: &Parts) -> Result<app::api::staff::StaffViewer, AppError> {
    parts
        .extensions
        .get::<app::api::staff::StaffViewer>()
        .cloned()
        .ok_or(AppError::Unauthorized)
}

/// The client's address from the request (see [`crate::net`]).
pub fn client_addr(parts: &Parts) -> std::net::IpAddr {
    parts
        .extensions
        .get::<ClientAddr>()
        .map(|c| c.0)
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}
