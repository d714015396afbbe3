//! What the public may see of a complaint: no name, no phone number, no
//! staff identity, only the municipality's public answers.

use super::{status::PublicStatus, TrackingCode};
use serde::{Deserialize, Serialize};

/// A name in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Named {
    pub fa: String,
    pub en: String,
}

impl Named {
    /// The name in `lang`.
    pub fn get(&self, lang: crate::i18n::Lang) -> &str {
        match lang {
            crate::i18n::Lang::Fa => &self.fa,
            crate::i18n::Lang::En => &self.en,
        }
    }
}

/// One public entry of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PublicEvent {
    /// Unix seconds.
    pub at: i64,
    /// Stable event kind: `submitted`, `referred`, `status`, `rating`, `objection`.
    pub kind: String,
    /// The public status after this event, when it changed one.
    pub status: Option<PublicStatus>,
    /// The unit involved (e.g. the one it was referred to).
    pub unit: Option<Named>,
    /// The municipality's answer (status changes).
    pub note: Option<String>,
    /// The filer's stars, on the `rating` event.
    pub stars: Option<i64>,
}

/// The public tracking view (`/track/{code}`, `GET /api/v1/complaints/{code}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PublicComplaint {
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "1234567894"))]
    pub tracking_code: TrackingCode,
    pub category: Named,
    pub status: PublicStatus,
    pub district: Option<Named>,
    pub unit: Option<Named>,
    pub created_at: i64,
    /// While the complaint is open: when the answer is due (the category's
    /// resolution time on the working calendar), shown as "answer by …".
    pub expected_by: Option<i64>,
    pub support_count: i64,
    pub rating: Option<i64>,
    pub timeline: Vec<PublicEvent>,
    /// Photos: the citizen's and, once fixed, the proof of the fix.
    pub photos: Vec<PublicPhoto>,
}

/// A photo as the public may fetch it (re-encoded, no EXIF).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PublicPhoto {
    /// `citizen` or `proof`.
    pub kind: String,
    pub url: String,
    pub thumb_url: String,
    pub width: u32,
    pub height: u32,
}
