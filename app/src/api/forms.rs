//! The typed contract of every page mutation.
//!
//! Each plain HTML form (they all work without the wasm) has one struct
//! here: the page renders its inputs from it and the server deserializes
//! the POST into it, so a field's name lives in one place. When the server
//! refuses a submission it renders the same page again through one path
//! (`server::web::refused`) with a [`Refused`] in context: the form as typed
//! and the error, answered with the error's status. A page reads it with
//! [`refusal`]. Success answers with a 303 (post/redirect/get).

use crate::{
    error::{AppError, Invalid},
    model::{
        geo::{accuracy_from, parse_number, point_from},
        text::{parse_address, Description},
        GeoPoint,
    },
};
use serde::{Deserialize, Serialize};

/// A refused submission, as the page shows it again.
#[derive(Debug, Clone)]
pub struct Refused<F> {
    /// Everything the person typed.
    pub form: F,
    pub error: AppError,
}

/// The refused submission of form `F`, when the server rendered this page
/// for one; also sets the response's status to the error's.
pub fn refusal<F: Clone + Send + Sync + 'static>() -> Option<Refused<F>> {
    let refused = leptos::prelude::use_context::<Refused<F>>()?;
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(refused.error.status_code());
    }
    Some(refused)
}

/// `POST /report` (multipart, with `photo` file parts beside these fields)
/// and `POST /api/v1/complaints`: a new complaint as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    pub category: String,
    pub description: String,
    pub address: String,
    /// Latitude as typed: any digit script, `.` or `٫`.
    pub lat: String,
    pub lon: String,
    /// Set by "use my location" or the map; metres.
    pub accuracy_m: String,
    /// Made when the form was opened: a retried submission files once.
    pub idempotency_key: String,
    /// `web` (default for the page), `app` (the installed PWA) or `api`.
    pub channel: String,
}

/// A complaint's fields after the checks that need no database.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintInput {
    pub category: String,
    pub description: Description,
    pub point: Option<GeoPoint>,
    pub accuracy_m: Option<f64>,
    pub address: Option<String>,
}

impl ReportForm {
    /// Checks every field that needs no database, cheapest first: callers
    /// run this before any photo is decoded.
    pub fn parse(&self) -> Result<ComplaintInput, Invalid> {
        let category = self.category.trim();
        if category.is_empty() {
            return Err(Invalid::CategoryMissing);
        }
        let description = Description::parse(&self.description)?;
        let address = parse_address(&self.address)?;
        let point = point_from(
            parse_number(&self.lat, Invalid::LatNotANumber)?,
            parse_number(&self.lon, Invalid::LonNotANumber)?,
        )?;
        if point.is_none() && address.is_none() {
            return Err(Invalid::LocationMissing);
        }
        let accuracy_m =
            accuracy_from(parse_number(&self.accuracy_m, Invalid::AccuracyNotANumber)?)?;
        Ok(ComplaintInput {
            category: category.to_owned(),
            description,
            point,
            accuracy_m,
            address,
        })
    }
}

/// `POST /signin`: ask for a code.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SigninForm {
    pub phone: String,
    /// Where to go after signing in (a same-site path).
    pub next: String,
}

/// `POST /signin/verify`: the code that was sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VerifyForm {
    pub phone: String,
    pub code: String,
    pub next: String,
}

/// A code was sent: `/signin` shows the code step for this number.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeSent {
    /// The normalised number.
    pub phone: String,
    pub next: String,
}

/// `POST /track/{code}/rating`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RatingForm {
    pub stars: String,
    pub comment: String,
}

/// `POST /track/{code}/objection`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ObjectionForm {
    pub reason: String,
}

/// `POST /track/{code}/support` ("me too"): no fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SupportForm {}

/// What a form on the tracking page just did (`?done=…` after the 303).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Done {
    Rated,
    Objected,
    Supported,
    AlreadySupported,
}

impl Done {
    pub const ALL: [Done; 4] = [
        Done::Rated,
        Done::Objected,
        Done::Supported,
        Done::AlreadySupported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Done::Rated => "rated",
            Done::Objected => "objected",
            Done::Supported => "supported",
            Done::AlreadySupported => "already_supported",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(description: &str, lat: &str, lon: &str, address: &str) -> ReportForm {
        ReportForm {
            category: "asphalt-repair".into(),
            description: description.into(),
            lat: lat.into(),
            lon: lon.into(),
            address: address.into(),
            ..Default::default()
        }
    }

    #[test]
    fn report_fields_are_checked_and_named() {
        let ok = "چاله بزرگ وسط خیابان";
        assert_eq!(
            form("کم", "36.26", "50", "").parse(),
            Err(Invalid::DescriptionTooShort)
        );
        assert_eq!(form(ok, "", "", "").parse(), Err(Invalid::LocationMissing));
        assert_eq!(
            form(ok, "36", "", "").parse(),
            Err(Invalid::LocationIncomplete)
        );
        assert_eq!(
            form(ok, "136", "50", "").parse(),
            Err(Invalid::LocationOutOfRange)
        );
        assert_eq!(form(ok, "x", "50", "").parse(), Err(Invalid::LatNotANumber));
        let mut no_category = form(ok, "36", "50", "");
        no_category.category = " ".into();
        assert_eq!(no_category.parse(), Err(Invalid::CategoryMissing));
        let parsed = form("  چاله\u{0007} بزرگ  ", "", "", "  خیابان فردوسی ").parse();
        let parsed = parsed.expect("an address alone is enough");
        assert_eq!(parsed.description.as_str(), "چاله بزرگ");
        assert_eq!(parsed.point, None);
        assert_eq!(parsed.address.as_deref(), Some("خیابان فردوسی"));
        let typed = form(ok, "۳۶٫۲۵۷۵", "۴۹٫۹۷۴", "").parse().expect("valid");
        assert_eq!(
            typed.point,
            Some(GeoPoint {
                lat: 36.2575,
                lon: 49.974
            })
        );
    }

    #[test]
    fn done_names_round_trip() {
        for d in Done::ALL {
            assert_eq!(Done::parse(d.as_str()), Some(d));
        }
        assert_eq!(Done::parse("<b>"), None);
    }
}
