//! Service traits the server implements.

use crate::{
    error::AppError,
    model::{
        complaint::{Named, PublicComplaint},
        PublicStatus, TrackingCode,
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
    /// An emoji or short mark shown before the name; may be empty.
    pub icon: String,
    pub group: Named,
    pub name: Named,
    /// Urban-services emergency (urgent response).
    pub urgent: bool,
    /// Radius for "already reported nearby?"; 0 when not place-bound.
    pub nearby_radius_m: i64,
    /// Extra questions the forms ask for this category, in order.
    pub questions: Vec<crate::model::question::Question>,
}

impl CategoryOption {
    /// The name as lists show it: the icon first, and "(urgent)" after an
    /// urban-services emergency's name.
    pub fn label(&self, lang: crate::i18n::Lang) -> String {
        let mut label = String::new();
        if !self.icon.is_empty() {
            label.push_str(&self.icon);
            label.push(' ');
        }
        label.push_str(self.name.get(lang));
        if self.urgent {
            let urgent = crate::i18n::Msg::StaffUrgent.text(lang);
            label.push_str(&format!(" ({urgent})"));
        }
        label
    }
}

/// Reference data the forms need.
#[async_trait::async_trait]
pub trait Catalog: Send + Sync {
    /// Active categories in display order.
    async fn categories(&self) -> Result<Vec<CategoryOption>, AppError>;
}

/// The signed-in citizen, as the server's session layer found them. The
/// server puts it in the request's extensions; pages read it from there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: i64,
    /// `0912***789`: enough for people to recognise their own number.
    pub phone_masked: String,
}

/// The signed-in citizen of the current request, if any.
pub fn viewer() -> Option<Viewer> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Viewer>().cloned())
}

/// One line of "my complaints".
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MyComplaint {
    pub tracking_code: TrackingCode,
    pub category: Named,
    pub status: PublicStatus,
    pub created_at: i64,
    pub rated: bool,
}

/// What the filer may do with their complaint now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FilerActions {
    /// The viewer filed this complaint.
    pub is_filer: bool,
    /// Resolved and not yet rated: rate 1–5 or object.
    pub can_rate: bool,
}

/// The citizen's side of the loop.
#[async_trait::async_trait]
pub trait Citizens: Send + Sync {
    /// The complaints `user_id` filed, newest first.
    async fn my_complaints(&self, user_id: i64) -> Result<Vec<MyComplaint>, AppError>;
    /// What `user_id` may do with the complaint `code` now.
    async fn filer_actions(
        &self,
        code: &TrackingCode,
        user_id: i64,
    ) -> Result<FilerActions, AppError>;
}

/// Settings pages need from the server's configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteSettings {
    /// Map tiles, `{z}/{x}/{y}` template.
    pub tile_url: String,
    pub tile_attribution: String,
    /// The city's bounding box (min lat, min lon, max lat, max lon) as the
    /// districts are now: an admin's import moves it without a restart.
    pub city_bounds: Live<Option<[f64; 4]>>,
    /// A digest of the site's unhashed scripts (`/js/*`), appended as
    /// `?v=…` so a deploy never pairs new pages with cached old scripts.
    pub asset_version: String,
    /// Training mode (`PASOKH_CLOCK=simulated`): reads the simulated now,
    /// which every page shows in a banner.
    pub simulated_clock: Option<Live<i64>>,
    /// `PASOKH_PUBLIC_URL`: the address printed on kiosk receipts' QR codes.
    pub public_url: Option<String>,
    /// `PASOKH_KIOSK_IDLE_SECONDS`: a kiosk's idle time before its warning.
    pub kiosk_idle_seconds: u32,
    /// `PASOKH_PUSH`: the tracking page offers web push.
    pub push: bool,
}

/// A setting read afresh at each use (the simulated clock, the city's
/// bounds), from what the server holds now.
#[derive(Clone)]
pub struct Live<T>(pub std::sync::Arc<dyn Fn() -> T + Send + Sync>);

impl<T> Live<T> {
    pub fn new(read: impl Fn() -> T + Send + Sync + 'static) -> Self {
        Self(std::sync::Arc::new(read))
    }

    /// The value now.
    pub fn get(&self) -> T {
        (self.0)()
    }
}

impl<T> std::fmt::Debug for Live<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Live")
    }
}

impl<T> PartialEq for Live<T> {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The services, as the server provides them in context.
#[derive(Clone)]
pub struct Services {
    pub tracking: Arc<dyn Tracking>,
    pub catalog: Arc<dyn Catalog>,
    pub citizens: Arc<dyn Citizens>,
    /// The back office's reads.
    pub staff: Arc<dyn crate::api::staff::StaffDesk>,
    /// 1888: criticism, suggestions and thanks.
    pub feedback: Arc<dyn crate::api::feedback::FeedbackDesk>,
    /// The admin's configuration reads.
    pub settings: Arc<dyn crate::api::settings::Settings>,
    /// The council's cartable.
    pub council: Arc<dyn crate::api::council::CouncilDesk>,
}

/// The services from context; `Internal` if the server forgot to provide them.
pub fn services() -> Result<Services, AppError> {
    leptos::prelude::use_context::<Services>().ok_or(AppError::Internal)
}
