//! The back office's side of the contract: who the signed-in staff member
//! is, and the desk service the staff pages read from. The server
//! implements [`StaffDesk`]; every method checks the caller's roles itself,
//! so a page that forgets a check still shows nothing it may not.

use crate::{
    error::AppError,
    i18n::jalali::JalaliDate,
    model::{
        complaint::Named, report::Figures, GeoPoint, Grant, Role, StaffAction, Status, TrackingCode,
    },
};
use serde::{Deserialize, Serialize};

/// The signed-in staff member of the current request. The server's session
/// layer puts it in the request's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffViewer {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub grants: Vec<Grant>,
    /// An admin set the password: nothing but changing it is allowed.
    pub must_change_password: bool,
}

impl StaffViewer {
    /// Holds `role` (for any unit).
    pub fn has(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// Holds any of `roles`.
    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }

    /// The units of the unit-scoped roles held.
    pub fn unit_ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .grants
            .iter()
            .filter(|g| g.role.is_unit_scoped())
            .filter_map(|g| g.unit_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Sees every unit's complaints (the city-wide desks).
    pub fn sees_all_units(&self) -> bool {
        self.has_any(&[
            Role::Operator,
            Role::Supervisor,
            Role::Inspector,
            Role::Mayor,
            Role::Admin,
        ])
    }

    /// May read a complaint of `unit`.
    pub fn may_read(&self, unit: Option<i64>) -> bool {
        self.sees_all_units() || unit.is_some_and(|u| self.unit_ids().contains(&u))
    }

    /// Sees the citizen's phone number: operators (they take the calls)
    /// and supervisors (they call back to verify). Nobody else.
    pub fn sees_phone(&self) -> bool {
        self.has_any(&[Role::Operator, Role::Supervisor])
    }

    /// The screens this person may open, in menu order.
    pub fn desks(&self) -> Vec<Desk> {
        Desk::ALL
            .into_iter()
            .filter(|d| self.has_any(d.roles()))
            .collect()
    }
}

/// A back-office screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Desk {
    /// `/staff/cartable` (کارتابل).
    Cartable,
    /// `/staff/intake`: phone and walk-in filing.
    Intake,
    /// `/staff/dispatch`: what routing could not place.
    Dispatch,
    /// `/staff/verify` (ناظر).
    Verify,
    /// `/staff/audit`.
    Audit,
    /// `/staff/admin/users`.
    Users,
    /// `/staff/inspection` (بازرسی): deadlines still missed after the
    /// unit manager's grace.
    Inspection,
    /// `/staff/report-card` (کارنامه): who answers and who does not.
    ReportCard,
    /// `/staff/feedback` (۱۸۸۸): criticism, suggestions and thanks to answer.
    Feedback,
    /// `/staff/admin/settings` (پیکربندی): categories, their questions, routing.
    Settings,
    /// `/staff/council` (کارتابل شورا): referrals between council members
    /// and to the municipality.
    Council,
}

impl Desk {
    pub const ALL: [Desk; 11] = [
        Desk::Cartable,
        Desk::Feedback,
        Desk::Intake,
        Desk::Dispatch,
        Desk::Verify,
        Desk::Inspection,
        Desk::ReportCard,
        Desk::Audit,
        Desk::Users,
        Desk::Settings,
        Desk::Council,
    ];

    /// Who may open it (the server checks the same table).
    pub fn roles(self) -> &'static [Role] {
        match self {
            Desk::Cartable => &[
                Role::UnitStaff,
                Role::UnitManager,
                Role::Supervisor,
                Role::Inspector,
                Role::Mayor,
                Role::Admin,
            ],
            Desk::Intake => &[Role::Operator],
            Desk::Dispatch => &[Role::Operator, Role::Supervisor, Role::Admin],
            Desk::Verify => &[Role::Supervisor],
            Desk::Audit => &[Role::Admin, Role::Inspector],
            Desk::Users => &[Role::Admin],
            Desk::Settings => &[Role::Admin],
            Desk::Council => &[Role::CouncilMember, Role::Mayor],
            Desk::Inspection => &[Role::Inspector, Role::Mayor],
            Desk::ReportCard => &[Role::Mayor, Role::Inspector, Role::Admin],
            Desk::Feedback => &[
                Role::Operator,
                Role::Supervisor,
                Role::UnitStaff,
                Role::UnitManager,
            ],
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            Desk::Cartable => "/staff/cartable",
            Desk::Intake => "/staff/intake",
            Desk::Dispatch => "/staff/dispatch",
            Desk::Verify => "/staff/verify",
            Desk::Audit => "/staff/audit",
            Desk::Users => "/staff/admin/users",
            Desk::Inspection => "/staff/inspection",
            Desk::ReportCard => "/staff/report-card",
            Desk::Feedback => "/staff/feedback",
            Desk::Settings => "/staff/admin/settings",
            Desk::Council => "/staff/council",
        }
    }
}

/// The signed-in staff member of the current request, if any.
pub fn staff_viewer() -> Option<StaffViewer> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<StaffViewer>().cloned())
}

/// A holiday the deadlines skip (beside the configuration's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Holiday {
    /// The Jalali date, `1405/01/01`.
    pub day: String,
    pub name: String,
}

/// A unit, as pickers list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UnitOption {
    pub id: i64,
    pub code: String,
    pub name: Named,
}

/// A district, as filters list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DistrictOption {
    pub id: i64,
    pub code: String,
    pub name: Named,
}

/// A known place (square, street, landmark) intake can pick as an address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlaceOption {
    pub name: Named,
    pub lat: f64,
    pub lon: f64,
}

/// A person of a unit (for "assign to").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Member {
    pub user_id: i64,
    pub display_name: String,
}

/// The checked cartable filter (see `forms::CartableQuery` for the typed one).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CartableFilter {
    pub status: Option<Status>,
    pub category: Option<String>,
    /// A district's code (an unknown one matches nothing).
    pub district: Option<String>,
    /// Filed at or after (Unix seconds).
    pub from: Option<i64>,
    /// Filed before (Unix seconds).
    pub to: Option<i64>,
    /// Only what is assigned to the caller.
    pub mine: bool,
    /// 1-based.
    pub page: i64,
}

/// Items per cartable page.
pub const CARTABLE_PAGE: i64 = 25;

/// One line of a cartable, dispatch or verification list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CartableItem {
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub tracking_code: TrackingCode,
    pub category: Named,
    pub district: Option<Named>,
    pub unit: Option<Named>,
    pub status: Status,
    pub created_at: i64,
    pub sla_due_at: Option<i64>,
    /// Past its deadline and still open.
    pub overdue: bool,
    pub assignee: Option<String>,
    pub address: Option<String>,
    /// The first 140 characters of the description.
    pub excerpt: String,
    pub support_count: i64,
    /// Urban-services emergency.
    pub urgent: bool,
    /// A missed deadline of the unit that holds it: 0 none, 1 flagged to
    /// the unit manager, 2 sent to inspection.
    pub escalation: i64,
    /// Inspection's open finding awaits the unit manager's answer.
    pub finding_awaits_answer: bool,
    /// Someone of the unit opened it, nobody acted, and the first-response
    /// deadline has passed (inspection lists these at once).
    pub seen_not_acted: bool,
}

/// A page of a cartable with its counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CartablePage {
    pub items: Vec<CartableItem>,
    /// Items per status in the caller's scope (before the status filter).
    pub counts: Vec<StatusCount>,
    /// Items matching the filter.
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StatusCount {
    pub status: Status,
    pub count: i64,
}

/// One timeline entry as staff see it: who did it, and internal notes too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StaffEvent {
    pub at: i64,
    pub kind: String,
    pub from: Option<Status>,
    pub to: Option<Status>,
    /// The staff member's display name; `None` for the citizen or the system.
    pub actor: Option<String>,
    pub actor_role: String,
    pub unit: Option<Named>,
    pub note: Option<String>,
    /// Shown on the public tracking page.
    pub public: bool,
    /// The other complaint of a duplicate link.
    pub linked: Option<String>,
}

/// A photo of the complaint (the citizen's, or a proof of fix).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StaffPhoto {
    pub url: String,
    pub thumb_url: String,
    /// `citizen` or `proof`.
    pub kind: String,
}

/// Everything staff see of one complaint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StaffComplaint {
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub tracking_code: TrackingCode,
    pub category_code: String,
    pub category: Named,
    pub description: String,
    pub address: Option<String>,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub point: Option<GeoPoint>,
    pub accuracy_m: Option<f64>,
    pub channel: String,
    pub status: Status,
    pub district: Option<Named>,
    pub unit: Option<UnitOption>,
    pub assignee: Option<Member>,
    pub created_at: i64,
    pub sla_due_at: Option<i64>,
    pub overdue: bool,
    pub support_count: i64,
    /// Only for the roles that may see it ([`StaffViewer::sees_phone`]).
    pub citizen_phone: Option<String>,
    pub duplicate_of: Option<String>,
    pub duplicates: Vec<String>,
    pub rating: Option<i64>,
    /// The citizen's latest objection ("not fixed"), for the unit.
    pub objection: Option<String>,
    pub timeline: Vec<StaffEvent>,
    pub photos: Vec<StaffPhoto>,
    /// Answers to the category's extra questions.
    pub answers: Vec<crate::model::question::Answer>,
    /// What the caller may do now.
    pub actions: Vec<StaffAction>,
    /// The unit's people, for "assign to" (when assign is allowed).
    pub members: Vec<Member>,
}

/// A complaint the caller filed earlier (operator intake shows them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CallerComplaint {
    pub tracking_code: String,
    pub category: Named,
    pub status: Status,
    pub created_at: i64,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    /// The staff member's username, or `-` when nobody was signed in.
    pub actor: String,
    /// E.g. `sign_in`, `sign_in_failed`, `action:resolve`, `user_create`.
    pub action: String,
    /// A tracking code or a username.
    pub target: Option<String>,
    pub detail: Option<String>,
    pub client: Option<String>,
}

/// The checked audit filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// At most this many, newest first.
    pub limit: i64,
}

/// The report card's checked range: whole Tehran days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportRange {
    pub from: JalaliDate,
    pub to: JalaliDate,
}

/// One row of the report card: a unit, a district or a manager.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReportRow {
    /// The unit's or district's code, or the manager's username.
    pub code: String,
    pub name: Named,
    /// A unit's district code.
    pub district: Option<String>,
    /// A unit's managers (display names); a manager's units (codes).
    pub managers: Vec<String>,
    /// 1 = the best score; `None` when there was nothing to score.
    pub rank: Option<i64>,
    pub figures: Figures,
}

/// The report card (کارنامه ارزیابی) over a range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReportCard {
    /// Jalali, `1404/07/01`.
    pub from: String,
    pub to: String,
    /// Unix seconds; `open` and `overdue` are as of this time.
    pub generated_at: i64,
    pub city: Figures,
    /// Ranked, best first.
    pub units: Vec<ReportRow>,
    pub districts: Vec<ReportRow>,
    pub managers: Vec<ReportRow>,
    /// Staff credited with 1888 thanks filed in the range, most first.
    pub employees: Vec<EmployeeThanks>,
}

/// One employee's 1888 thanks over a report card's range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EmployeeThanks {
    pub username: String,
    pub display_name: String,
    pub thanks: i64,
}

/// A staff account as the admin page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StaffUser {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub grants: Vec<Grant>,
    pub disabled: bool,
    pub must_change_password: bool,
}

/// The back office's reads. Each checks the caller's roles.
#[async_trait::async_trait]
pub trait StaffDesk: Send + Sync {
    /// The caller's cartable: their units' items (city-wide desks: all),
    /// most overdue first.
    async fn cartable(
        &self,
        who: &StaffViewer,
        filter: &CartableFilter,
    ) -> Result<CartablePage, AppError>;
    /// What waits for dispatch: not referred, or returned as misrouted.
    async fn dispatch_queue(&self, who: &StaffViewer, page: i64) -> Result<CartablePage, AppError>;
    /// Resolved items awaiting a supervisor's call, then objections.
    async fn verify_queue(&self, who: &StaffViewer, page: i64) -> Result<CartablePage, AppError>;
    /// Open complaints whose missed deadline went to inspection, the
    /// longest escalated first.
    async fn inspection_queue(
        &self,
        who: &StaffViewer,
        page: i64,
    ) -> Result<CartablePage, AppError>;
    /// One complaint in full, with the actions the caller may take.
    async fn complaint(
        &self,
        who: &StaffViewer,
        code: &TrackingCode,
    ) -> Result<StaffComplaint, AppError>;
    /// Every unit (refer, admin).
    async fn units(&self) -> Result<Vec<UnitOption>, AppError>;
    /// The holidays an admin keeps (admins).
    async fn holidays(&self, who: &StaffViewer) -> Result<Vec<Holiday>, AppError>;
    /// Every district (filters).
    async fn districts(&self) -> Result<Vec<DistrictOption>, AppError>;
    /// The city's known places, by Persian name (intake's address list).
    async fn places(&self) -> Result<Vec<PlaceOption>, AppError>;
    /// The complaints a caller's number filed, newest first (operators).
    async fn caller_history(
        &self,
        who: &StaffViewer,
        phone: &str,
    ) -> Result<Vec<CallerComplaint>, AppError>;
    /// The audit log (admins, inspectors).
    async fn audit(
        &self,
        who: &StaffViewer,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEntry>, AppError>;
    /// Every staff account (admins).
    async fn users(&self, who: &StaffViewer) -> Result<Vec<StaffUser>, AppError>;
    /// The report card (mayor, inspectors, admins).
    async fn report_card(
        &self,
        who: &StaffViewer,
        range: &ReportRange,
    ) -> Result<ReportCard, AppError>;
    /// Today at the server's clock (a report range's default end).
    fn today(&self) -> JalaliDate;
}
