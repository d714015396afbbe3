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
    api::staff::{AuditFilter, CartableFilter, ReportRange},
    error::{AppError, Invalid},
    i18n::jalali::JalaliDate,
    model::{
        geo::{accuracy_from, parse_number, point_from},
        text::{parse_address, Description},
        GeoPoint, Role, StaffAction, Status, TrackingCode,
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
    /// `web` (default for the page), `app` (the installed PWA) or `api`;
    /// at staff intake `phone` or `in_person`.
    pub channel: String,
    /// Staff intake only: the caller's mobile number, optional (the code is
    /// sent to it and later changes are notified). Citizens' forms have no
    /// such field and the citizen paths ignore it.
    pub caller_phone: String,
    /// Answers to the category's extra questions, as `q{id}` fields beside
    /// the others (see `model::question`). Other unknown fields land here
    /// too and are ignored.
    #[serde(flatten)]
    pub answers: std::collections::BTreeMap<String, String>,
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

/// `POST /staff/signin`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StaffSigninForm {
    pub username: String,
    pub password: String,
    pub next: String,
}

/// `POST /staff/password`: a new password for the signed-in staff member.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    pub current: String,
    pub new: String,
    pub confirm: String,
}

/// Shortest staff password.
pub const PASSWORD_MIN: usize = 10;

impl PasswordForm {
    /// The new password, when it is long enough and typed twice alike.
    pub fn parse(&self) -> Result<&str, Invalid> {
        if self.new.chars().count() < PASSWORD_MIN {
            return Err(Invalid::PasswordTooShort);
        }
        if self.new.chars().count() > 200 {
            return Err(Invalid::PasswordTooLong);
        }
        if self.new != self.confirm {
            return Err(Invalid::PasswordMismatch);
        }
        Ok(&self.new)
    }
}

/// `POST /staff/complaints/{code}/action` (multipart: a `photo` part may
/// come along with resolve) and `POST /api/v1/staff/complaints/{code}/actions`
/// (JSON, or multipart with these fields).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ActionForm {
    /// `refer`, `accept`, `assign`, `return`, `resolve`, `infeasible`,
    /// `not_municipal`, `duplicate_of`, `verify`, `verification_failed`.
    pub action: String,
    /// The answer or the reason (required for return, resolve, infeasible,
    /// not_municipal and verification_failed).
    pub note: String,
    /// `refer`: the unit's code.
    pub unit: String,
    /// `assign`: the person's user id.
    pub assignee: String,
    /// `duplicate_of`: the original's tracking code.
    pub duplicate_of: String,
}

/// `POST /staff/admin/clock` and `POST /api/v1/admin/clock`: how far to
/// move the training clock.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClockForm {
    /// Seconds forward, in any digit script.
    pub advance_s: String,
}

impl ClockForm {
    /// The seconds, or `AdvanceRange` for anything that is not a whole
    /// number (the range itself is the clock's rule).
    pub fn parse(&self) -> Result<i64, Invalid> {
        crate::model::digits::to_latin(self.advance_s.trim())
            .parse()
            .map_err(|_| Invalid::AdvanceRange)
    }
}

/// `POST /staff/admin/holidays` and `PUT /api/v1/admin/holidays` (the
/// body as `text/csv`): the whole holiday list, a line each:
/// `1405/01/01,نوروز`. Empty lines are skipped.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HolidaysForm {
    pub holidays: String,
}

/// Most holiday lines in one list.
pub const HOLIDAYS_MAX: usize = 200;

impl HolidaysForm {
    /// The holidays, each date once (the last name wins), or
    /// `HolidayLine` when any line is not a date and a short name.
    pub fn parse(&self) -> Result<Vec<(crate::i18n::jalali::JalaliDate, String)>, Invalid> {
        let mut list: Vec<(crate::i18n::jalali::JalaliDate, String)> = Vec::new();
        for line in self
            .holidays
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let (date, name) = line.split_once([',', '،']).unwrap_or((line, ""));
            let date = crate::i18n::jalali::JalaliDate::parse(date).ok_or(Invalid::HolidayLine)?;
            let name = crate::model::text::clean(name);
            if name.chars().count() > 100 {
                return Err(Invalid::HolidayLine);
            }
            list.retain(|(d, _)| *d != date);
            list.push((date, name));
        }
        if list.len() > HOLIDAYS_MAX {
            return Err(Invalid::HolidayLine);
        }
        Ok(list)
    }
}

/// Longest staff note.
pub const NOTE_MAX: usize = 2000;

/// A staff action after the checks that need no database.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionInput {
    pub action: StaffAction,
    pub note: Option<String>,
    pub unit: Option<String>,
    pub assignee: Option<i64>,
    pub duplicate_of: Option<TrackingCode>,
}

impl ActionForm {
    pub fn parse(&self) -> Result<ActionInput, Invalid> {
        let action = StaffAction::parse(&self.action).ok_or(Invalid::ActionUnknown)?;
        let note = Some(crate::model::text::clean(&self.note)).filter(|n| !n.is_empty());
        if note.as_ref().is_some_and(|n| n.chars().count() > NOTE_MAX) {
            return Err(Invalid::NoteTooLong);
        }
        if action.needs_note() && note.is_none() {
            return Err(Invalid::NoteMissing);
        }
        let unit = Some(self.unit.trim().to_owned()).filter(|u| !u.is_empty());
        if action == StaffAction::Refer && unit.is_none() {
            return Err(Invalid::UnitUnknown);
        }
        let assignee = match (action, self.assignee.trim()) {
            (StaffAction::Assign, raw) => Some(
                crate::model::digits::to_latin(raw)
                    .parse::<i64>()
                    .map_err(|_| Invalid::AssigneeUnknown)?,
            ),
            _ => None,
        };
        let duplicate_of = match action {
            StaffAction::DuplicateOf => Some(
                TrackingCode::parse(&self.duplicate_of).map_err(|_| Invalid::DuplicateUnknown)?,
            ),
            _ => None,
        };
        Ok(ActionInput {
            action,
            note,
            unit,
            assignee,
            duplicate_of,
        })
    }
}

/// `GET /staff/cartable?…` and `GET /api/v1/staff/cartable?…`: the filter
/// as typed (dates in the Jalali calendar, any digit script).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CartableQuery {
    pub status: String,
    pub category: String,
    /// A district's code.
    pub district: String,
    /// `1404/09/01`: filed on or after this day.
    pub from: String,
    /// `1404/09/30`: filed on or before this day.
    pub to: String,
    /// `1` or `on`: only what is assigned to me.
    pub mine: String,
    pub page: String,
}

/// A Jalali day typed in a filter: `None` when blank.
fn typed_day(raw: &str, bad: Invalid) -> Result<Option<JalaliDate>, Invalid> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    JalaliDate::parse(raw).map(Some).ok_or(bad)
}

/// A 1-based page number typed in a query: 1 when blank.
pub fn typed_page(raw: &str) -> Result<i64, Invalid> {
    if raw.trim().is_empty() {
        return Ok(1);
    }
    crate::model::digits::to_latin(raw.trim())
        .parse::<i64>()
        .ok()
        .filter(|p| (1..=10_000).contains(p))
        .ok_or(Invalid::PageRange)
}

/// `from`/`to` as Unix seconds: from the start of `from`'s day to the end of `to`'s.
fn day_range(from: &str, to: &str) -> Result<(Option<i64>, Option<i64>), Invalid> {
    let from = typed_day(from, Invalid::FromDate)?.map(JalaliDate::start_unix);
    let to = typed_day(to, Invalid::ToDate)?.map(|d| d.start_unix() + 86_400);
    Ok((from, to))
}

impl CartableQuery {
    /// The checked filter.
    pub fn parse(&self) -> Result<CartableFilter, Invalid> {
        let status = match self.status.trim() {
            "" => None,
            s => Some(Status::parse(s).ok_or(Invalid::StatusUnknown)?),
        };
        let (from, to) = day_range(&self.from, &self.to)?;
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(CartableFilter {
            status,
            category: text(&self.category),
            district: text(&self.district),
            from,
            to,
            mine: matches!(self.mine.trim(), "1" | "on" | "true"),
            page: typed_page(&self.page)?,
        })
    }
}

/// `GET /staff/audit?…` and `/staff/audit.csv?…`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    pub actor: String,
    pub action: String,
    pub target: String,
    pub from: String,
    pub to: String,
}

/// Most audit lines a page shows (the CSV export has no limit below this).
pub const AUDIT_PAGE: i64 = 200;

impl AuditQuery {
    pub fn parse(&self, limit: i64) -> Result<AuditFilter, Invalid> {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let (from, to) = day_range(&self.from, &self.to)?;
        Ok(AuditFilter {
            actor: text(&self.actor),
            action: text(&self.action),
            target: text(&self.target),
            from,
            to,
            limit,
        })
    }
}

/// `GET /staff/report-card?from=&to=`, `/staff/report-card.csv` and
/// `GET /api/v1/staff/report-card`: Jalali days, both ends included. Blank
/// `from` is the first of `to`'s month; blank `to` is today.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    pub from: String,
    pub to: String,
}

/// The longest report range, in days.
pub const REPORT_MAX_DAYS: i64 = 366;

impl ReportQuery {
    pub fn parse(&self, today: JalaliDate) -> Result<ReportRange, Invalid> {
        let to = typed_day(&self.to, Invalid::ToDate)?.unwrap_or(today);
        let from = typed_day(&self.from, Invalid::FromDate)?.unwrap_or(JalaliDate { day: 1, ..to });
        let days = (to.start_unix() - from.start_unix()) / 86_400;
        if !(0..REPORT_MAX_DAYS).contains(&days) {
            return Err(Invalid::ReportRange);
        }
        Ok(ReportRange { from, to })
    }
}

/// `POST /staff/admin/users` (new account) and `POST
/// /staff/admin/users/{id}/roles` (its roles): one checkbox per city-wide
/// role, and a unit code for each unit-scoped role held.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserForm {
    pub username: String,
    pub display_name: String,
    pub operator: String,
    pub supervisor: String,
    pub inspector: String,
    pub mayor: String,
    pub council_member: String,
    pub admin: String,
    /// The units a unit-staff role is held for: unit codes joined by `,`
    /// (the page's multiple select sends repeated fields, which the server
    /// joins), blank for none.
    pub unit_staff: String,
    pub unit_manager: String,
}

/// Grants named by unit code, before the codes are looked up.
pub type NamedGrants = Vec<(Role, Option<String>)>;

impl UserForm {
    /// The roles ticked, with the unit code of each unit-scoped one.
    pub fn grants(&self) -> NamedGrants {
        let on = |v: &str| matches!(v.trim(), "1" | "on" | "true");
        let mut out = Vec::new();
        for (role, value) in [
            (Role::Operator, &self.operator),
            (Role::Supervisor, &self.supervisor),
            (Role::Inspector, &self.inspector),
            (Role::Mayor, &self.mayor),
            (Role::CouncilMember, &self.council_member),
            (Role::Admin, &self.admin),
        ] {
            if on(value) {
                out.push((role, None));
            }
        }
        for (role, units) in [
            (Role::UnitStaff, &self.unit_staff),
            (Role::UnitManager, &self.unit_manager),
        ] {
            for unit in units.split(',').map(str::trim).filter(|u| !u.is_empty()) {
                out.push((role, Some(unit.to_owned())));
            }
        }
        out
    }
}

/// A username: 3–32 of `a-z 0-9 . _ -`, starting with a letter.
pub fn parse_username(raw: &str) -> Result<String, Invalid> {
    let name = raw.trim().to_ascii_lowercase();
    let ok = (3..=32).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        });
    if ok {
        Ok(name)
    } else {
        Err(Invalid::UsernameFormat)
    }
}

/// What a back-office form just did (`?done=…` after its 303).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffDone {
    Acted,
    PasswordChanged,
    SignedOutElsewhere,
    UserSaved,
    PasswordReset,
    ClockMoved,
    HolidaysSaved,
    FeedbackAnswered,
    CategorySaved,
    QuestionAdded,
    QuestionRemoved,
    RoutingSaved,
    CouncilSent,
    CouncilAnswered,
    WeekSaved,
    DistrictsImported,
    UnitsSaved,
}

impl StaffDone {
    pub const ALL: [StaffDone; 17] = [
        StaffDone::Acted,
        StaffDone::PasswordChanged,
        StaffDone::SignedOutElsewhere,
        StaffDone::UserSaved,
        StaffDone::PasswordReset,
        StaffDone::ClockMoved,
        StaffDone::HolidaysSaved,
        StaffDone::FeedbackAnswered,
        StaffDone::CategorySaved,
        StaffDone::QuestionAdded,
        StaffDone::QuestionRemoved,
        StaffDone::RoutingSaved,
        StaffDone::CouncilSent,
        StaffDone::CouncilAnswered,
        StaffDone::WeekSaved,
        StaffDone::DistrictsImported,
        StaffDone::UnitsSaved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffDone::Acted => "acted",
            StaffDone::PasswordChanged => "password_changed",
            StaffDone::SignedOutElsewhere => "signed_out_elsewhere",
            StaffDone::UserSaved => "user_saved",
            StaffDone::PasswordReset => "password_reset",
            StaffDone::ClockMoved => "clock_moved",
            StaffDone::HolidaysSaved => "holidays_saved",
            StaffDone::FeedbackAnswered => "feedback_answered",
            StaffDone::CategorySaved => "category_saved",
            StaffDone::QuestionAdded => "question_added",
            StaffDone::QuestionRemoved => "question_removed",
            StaffDone::RoutingSaved => "routing_saved",
            StaffDone::CouncilSent => "council_sent",
            StaffDone::CouncilAnswered => "council_answered",
            StaffDone::WeekSaved => "week_saved",
            StaffDone::DistrictsImported => "districts_imported",
            StaffDone::UnitsSaved => "units_saved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// A one-time password an admin just set: the admin page shows it once.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedPassword {
    pub username: String,
    pub password: String,
}

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
    fn staff_actions_need_what_they_name() {
        let act = |action: &str, note: &str| ActionForm {
            action: action.into(),
            note: note.into(),
            ..Default::default()
        };
        assert_eq!(act("close", "").parse(), Err(Invalid::ActionUnknown));
        assert_eq!(act("resolve", "  ").parse(), Err(Invalid::NoteMissing));
        assert_eq!(act("refer", "").parse(), Err(Invalid::UnitUnknown));
        assert_eq!(
            act("duplicate_of", "").parse(),
            Err(Invalid::DuplicateUnknown)
        );
        assert_eq!(act("assign", "").parse(), Err(Invalid::AssigneeUnknown));
        assert_eq!(
            act("resolve", &"x".repeat(NOTE_MAX + 1)).parse(),
            Err(Invalid::NoteTooLong)
        );
        let ok = act("accept", "").parse().expect("accept needs nothing");
        assert_eq!((ok.action, ok.note), (StaffAction::Accept, None));
    }

    #[test]
    fn report_ranges_default_to_this_month_and_are_bounded() {
        let today = JalaliDate::parse("1404/07/19").expect("a date");
        let blank = ReportQuery::default()
            .parse(today)
            .expect("blank is this month");
        assert_eq!(blank.from, JalaliDate::parse("1404/07/01").expect("a date"));
        assert_eq!(blank.to, today);
        let q = |from: &str, to: &str| {
            ReportQuery {
                from: from.into(),
                to: to.into(),
            }
            .parse(today)
        };
        // Across Nowruz of leap 1403: 1403/12/30 exists.
        let r = q("۱۴۰۳/۱۲/۳۰", "1404/01/01").expect("two days");
        assert_eq!(r.from, JalaliDate::parse("1403/12/30").expect("a date"));
        assert_eq!(q("1404/07/02", "1404/07/01"), Err(Invalid::ReportRange));
        assert_eq!(q("1403/07/01", "1404/07/01"), Err(Invalid::ReportRange));
        assert!(q("1403/07/02", "1404/07/01").is_ok(), "365 days apart");
        assert_eq!(q("1404/13/01", ""), Err(Invalid::FromDate));
        assert_eq!(q("", "x"), Err(Invalid::ToDate));
    }

    #[test]
    fn cartable_filters_are_checked() {
        let q = CartableQuery {
            status: "in_progress".into(),
            from: "۱۴۰۴/۰۹/۰۱".into(),
            to: "1404/09/01".into(),
            page: "۲".into(),
            mine: "on".into(),
            ..Default::default()
        };
        let f = q.parse().expect("valid");
        assert_eq!(f.status, Some(Status::InProgress));
        assert_eq!(f.page, 2);
        assert!(f.mine);
        assert_eq!(f.district, None);
        assert_eq!(f.to.zip(f.from).map(|(t, f)| t - f), Some(86_400));
        let bad = CartableQuery {
            from: "1404/07/31".into(),
            ..Default::default()
        };
        assert_eq!(bad.parse(), Err(Invalid::FromDate));
        let bad = CartableQuery {
            status: "<b>".into(),
            ..Default::default()
        };
        assert_eq!(bad.parse(), Err(Invalid::StatusUnknown));
    }

    #[test]
    fn passwords_and_usernames() {
        let pw = |new: &str, confirm: &str| PasswordForm {
            current: String::new(),
            new: new.into(),
            confirm: confirm.into(),
        };
        assert_eq!(pw("short", "short").parse(), Err(Invalid::PasswordTooShort));
        assert_eq!(
            pw("long enough 1", "long enough 2").parse(),
            Err(Invalid::PasswordMismatch)
        );
        assert_eq!(
            pw("long enough 1", "long enough 1").parse(),
            Ok("long enough 1")
        );
        assert_eq!(parse_username(" Ali.Rezaei "), Ok("ali.rezaei".into()));
        for bad in ["ab", "1abc", "ali rezaei", "علی", "<script>"] {
            assert_eq!(parse_username(bad), Err(Invalid::UsernameFormat), "{bad}");
        }
        let form = UserForm {
            operator: "on".into(),
            unit_staff: "d1-office".into(),
            ..Default::default()
        };
        assert_eq!(
            form.grants(),
            vec![
                (Role::Operator, None),
                (Role::UnitStaff, Some("d1-office".into()))
            ]
        );
    }

    #[test]
    fn done_names_round_trip() {
        for d in StaffDone::ALL {
            assert_eq!(StaffDone::parse(d.as_str()), Some(d));
        }
        for d in Done::ALL {
            assert_eq!(Done::parse(d.as_str()), Some(d));
        }
        assert_eq!(Done::parse("<b>"), None);
    }

    #[test]
    fn holiday_lists_parse_in_any_script_and_refuse_whole() {
        let form = |s: &str| HolidaysForm {
            holidays: s.to_owned(),
        };
        let list = form(
            "۱۴۰۵/۰۱/۰۱,نوروز\r\n\n1405/01/02 ، نوروز\n1405/01/13,<b>سیزده</b>\n1405/01/01,عید",
        )
        .parse()
        .expect("valid");
        let days: Vec<String> = list
            .iter()
            .map(|(d, _)| d.short(crate::i18n::Lang::En))
            .collect();
        // A repeated date keeps its last name; the names are kept as typed.
        assert_eq!(days, ["1405/01/02", "1405/01/13", "1405/01/01"]);
        assert_eq!(list[2].1, "عید");
        assert_eq!(list[1].1, "<b>سیزده</b>");
        assert_eq!(form("").parse(), Ok(Vec::new()));
        assert!(form("1405/01/01,").parse().is_ok(), "a date without a name");
        let long = format!("1405/01/01,{}", "x".repeat(101));
        for bad in [
            "1404/12/30,not leap",
            "Nowruz",
            "1405/13/01,x",
            long.as_str(),
        ] {
            assert_eq!(form(bad).parse(), Err(Invalid::HolidayLine), "{bad}");
        }
        let too_many: String = (1..=7)
            .flat_map(|m| (1..=29).map(move |d| format!("1405/{m:02}/{d:02},x\n")))
            .collect();
        assert_eq!(form(&too_many).parse(), Err(Invalid::HolidayLine));
    }
}
