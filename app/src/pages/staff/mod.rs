//! The back office (staff pages under `/staff`). Every page is rendered on
//! the server and every form is a plain HTML form that works without the
//! wasm: no islands here, so the citizens' download does not grow.
//!
//! Each page asks [`admit`] first: the signed-in staff member, or the page
//! to show instead (a sign-in link, or 403). The server's services check the
//! roles again, so a page that forgot would still show nothing it may not.
//! The pieces several pages share live here: the staff navigation with the
//! `?done=` notice, the one list of complaints (cartable, dispatch,
//! verification), the pager and the names of statuses, roles and actions.

pub mod audit;
pub mod cartable;
pub mod complaint;
pub mod council;
pub mod feedback;
pub mod home;
pub mod intake;
pub mod password;
pub mod queues;
pub mod report_card;
pub mod settings;
pub mod signin;
pub mod users;

use crate::{
    api::{
        forms::StaffDone,
        staff::{staff_viewer, CartableItem, Desk, StaffViewer},
    },
    components::error_page::ErrorPage,
    error::AppError,
    i18n::{jalali, t, use_lang, Msg},
    model::{Role, StaffAction, Status},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_query_map};

/// The signed-in staff member allowed at `desk` (`None`: any staff page),
/// or the page to render instead: a sign-in link when nobody is signed in
/// (the server redirects those first; this is the fallback), 403 otherwise.
pub fn admit(desk: Option<Desk>) -> Result<StaffViewer, AnyView> {
    let Some(viewer) = staff_viewer() else {
        return Err(view! { <SignInFirst /> }.into_any());
    };
    match desk {
        Some(desk) if !viewer.has_any(desk.roles()) => {
            Err(view! { <ErrorPage error=AppError::Forbidden /> }.into_any())
        }
        _ => Ok(viewer),
    }
}

/// Shown to a request without a staff session.
#[component]
fn SignInFirst() -> impl IntoView {
    let here = use_location().pathname.get_untracked();
    let href = format!("/staff/signin?next={}", encode(&here));
    view! {
        <Title text=t(Msg::StaffSigninTitle) />
        <section class="message-page">
            <h1>{t(Msg::StaffSigninTitle)}</h1>
            <p>{t(Msg::StaffSignInFirst)}</p>
            <a class="button button-primary" href=href data-testid="staff-signin-link">
                {t(Msg::StaffSigninSubmit)}
            </a>
        </section>
    }
}

/// Sets the response's status (422 for a filter that does not parse).
pub fn set_status(status: http::StatusCode) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}

/// The staff navigation (the viewer's desks), then the password reminder
/// and the `?done=` notice. At the top of every staff page.
#[component]
pub fn StaffNav(viewer: StaffViewer) -> impl IntoView {
    let here = use_location().pathname.get_untracked();
    let current = |path: &str| (here == path).then_some("page");
    let must_change = viewer.must_change_password && here != "/staff/password";
    view! {
        <nav class="staff-nav" aria-label=t(Msg::StaffNavLabel) data-testid="staff-nav">
            <ul>
                <li>
                    <a href="/staff" aria-current=current("/staff") data-testid="staff-nav-home">
                        {t(Msg::StaffHomeTitle)}
                    </a>
                </li>
                {viewer
                    .desks()
                    .into_iter()
                    .map(|desk| {
                        view! {
                            <li>
                                <a
                                    href=desk.path()
                                    aria-current=current(desk.path())
                                    data-testid=format!("staff-nav-{}", desk_slug(desk))
                                >
                                    {t(desk_msg(desk))}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <span class="staff-who">{viewer.display_name.clone()}</span>
        </nav>
        {must_change
            .then(|| {
                view! {
                    <p class="form-error" role="alert" data-testid="must-change-password">
                        {t(Msg::ErrPasswordChangeRequired)} " "
                        <a href="/staff/password">{t(Msg::StaffPasswordTitle)}</a>
                    </p>
                }
            })}
        <DoneNotice />
    }
}

/// What the last back-office form did (`?done=…` after its 303).
#[component]
pub fn DoneNotice() -> impl IntoView {
    let done = use_query_map()
        .get_untracked()
        .get("done")
        .and_then(|d| StaffDone::parse(&d));
    done.map(|d| {
        let msg = match d {
            StaffDone::Acted => Msg::StaffDoneActed,
            StaffDone::PasswordChanged => Msg::StaffDonePasswordChanged,
            StaffDone::SignedOutElsewhere => Msg::StaffDoneSignedOutElsewhere,
            StaffDone::UserSaved => Msg::StaffDoneUserSaved,
            StaffDone::PasswordReset => Msg::StaffDonePasswordReset,
            StaffDone::ClockMoved => Msg::StaffDoneClockMoved,
            StaffDone::HolidaysSaved => Msg::StaffDoneHolidaysSaved,
            StaffDone::FeedbackAnswered => Msg::StaffDoneFeedbackAnswered,
            StaffDone::CategorySaved => Msg::StaffDoneCategorySaved,
            StaffDone::QuestionAdded => Msg::StaffDoneQuestionAdded,
            StaffDone::QuestionRemoved => Msg::StaffDoneQuestionRemoved,
            StaffDone::RoutingSaved => Msg::StaffDoneRoutingSaved,
            StaffDone::CouncilSent => Msg::StaffDoneCouncilSent,
            StaffDone::CouncilAnswered => Msg::StaffDoneCouncilAnswered,
            StaffDone::WeekSaved => Msg::StaffDoneWeekSaved,
            StaffDone::DistrictsImported => Msg::StaffDoneDistrictsImported,
            StaffDone::UnitsSaved => Msg::StaffDoneUnitsSaved,
        };
        view! {
            <p class="notice" role="status" data-testid="done-notice" data-done=d.as_str()>
                {t(msg)}
            </p>
        }
    })
}

/// A short name for test ids and CSS (`cartable`, `admin-users`, …).
pub fn desk_slug(desk: Desk) -> &'static str {
    match desk {
        Desk::Cartable => "cartable",
        Desk::Intake => "intake",
        Desk::Dispatch => "dispatch",
        Desk::Verify => "verify",
        Desk::Audit => "audit",
        Desk::Users => "users",
        Desk::Inspection => "inspection",
        Desk::ReportCard => "report-card",
        Desk::Feedback => "feedback",
        Desk::Settings => "settings",
        Desk::Council => "council",
    }
}

pub fn desk_msg(desk: Desk) -> Msg {
    match desk {
        Desk::Cartable => Msg::StaffDeskCartable,
        Desk::Intake => Msg::StaffDeskIntake,
        Desk::Dispatch => Msg::StaffDeskDispatch,
        Desk::Verify => Msg::StaffDeskVerify,
        Desk::Audit => Msg::StaffDeskAudit,
        Desk::Users => Msg::StaffDeskUsers,
        Desk::Inspection => Msg::InspectionTitle,
        Desk::ReportCard => Msg::CardTitle,
        Desk::Feedback => Msg::FeedbackDeskTitle,
        Desk::Settings => Msg::StaffDeskSettings,
        Desk::Council => Msg::StaffDeskCouncil,
    }
}

/// The workflow status as staff name it (finer than the public one).
pub fn status_msg(status: Status) -> Msg {
    match status {
        Status::Submitted => Msg::StaffStatusSubmitted,
        Status::Referred => Msg::StaffStatusReferred,
        Status::InProgress => Msg::StaffStatusInProgress,
        Status::Resolved => Msg::StaffStatusResolved,
        Status::Verified => Msg::StaffStatusVerified,
        Status::Closed => Msg::StaffStatusClosed,
        Status::Returned => Msg::StaffStatusReturned,
        Status::Duplicate => Msg::StaffStatusDuplicate,
        Status::NotMunicipal => Msg::StaffStatusNotMunicipal,
        Status::Infeasible => Msg::StaffStatusInfeasible,
        Status::Reopened => Msg::StaffStatusReopened,
    }
}

/// A status as a coloured badge.
pub fn status_badge(status: Status) -> impl IntoView {
    view! {
        <span class=format!("badge staff-status staff-status-{}", status.as_str()) data-status=status.as_str()>
            {t(status_msg(status))}
        </span>
    }
}

pub fn role_msg(role: Role) -> Msg {
    match role {
        Role::Citizen => Msg::StaffRoleCitizen,
        Role::Operator => Msg::StaffRoleOperator,
        Role::UnitStaff => Msg::StaffRoleUnitStaff,
        Role::UnitManager => Msg::StaffRoleUnitManager,
        Role::Supervisor => Msg::StaffRoleSupervisor,
        Role::Inspector => Msg::StaffRoleInspector,
        Role::Mayor => Msg::StaffRoleMayor,
        Role::CouncilMember => Msg::StaffRoleCouncilMember,
        Role::Admin => Msg::StaffRoleAdmin,
    }
}

/// An action's button label.
pub fn action_msg(action: StaffAction) -> Msg {
    match action {
        StaffAction::Refer => Msg::StaffActRefer,
        StaffAction::Accept => Msg::StaffActAccept,
        StaffAction::Assign => Msg::StaffActAssign,
        StaffAction::Return => Msg::StaffActReturn,
        StaffAction::Resolve => Msg::StaffActResolve,
        StaffAction::Infeasible => Msg::StaffActInfeasible,
        StaffAction::NotMunicipal => Msg::StaffActNotMunicipal,
        StaffAction::DuplicateOf => Msg::StaffActDuplicateOf,
        StaffAction::Verify => Msg::StaffActVerify,
        StaffAction::VerificationFailed => Msg::StaffActVerificationFailed,
        StaffAction::Finding => Msg::StaffActFinding,
        StaffAction::AnswerFinding => Msg::StaffActAnswerFinding,
        StaffAction::CloseFinding => Msg::StaffActCloseFinding,
    }
}

/// What an action does, in one line under its heading.
pub fn action_hint(action: StaffAction) -> Msg {
    match action {
        StaffAction::Refer => Msg::StaffActReferHint,
        StaffAction::Accept => Msg::StaffActAcceptHint,
        StaffAction::Assign => Msg::StaffActAssignHint,
        StaffAction::Return => Msg::StaffActReturnHint,
        StaffAction::Resolve => Msg::StaffActResolveHint,
        StaffAction::Infeasible => Msg::StaffActInfeasibleHint,
        StaffAction::NotMunicipal => Msg::StaffActNotMunicipalHint,
        StaffAction::DuplicateOf => Msg::StaffActDuplicateOfHint,
        StaffAction::Verify => Msg::StaffActVerifyHint,
        StaffAction::VerificationFailed => Msg::StaffActVerificationFailedHint,
        StaffAction::Finding => Msg::StaffActFindingHint,
        StaffAction::AnswerFinding => Msg::StaffActAnswerFindingHint,
        StaffAction::CloseFinding => Msg::StaffActCloseFindingHint,
    }
}

/// Percent-encodes a query value (everything but the unreserved bytes).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `a=1&b=x%20y` from the non-empty pairs.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `path?query&page=n` (the query already without its page).
fn page_href(path: &str, query: &str, page: i64) -> String {
    match query {
        "" => format!("{path}?page={page}"),
        q => format!("{path}?{q}&page={page}"),
    }
}

/// Previous and next links that keep the filter (`query`, without `page`).
#[component]
pub fn Pager(path: &'static str, query: String, page: i64, pages: i64) -> impl IntoView {
    let lang = use_lang();
    (pages > 1).then(|| {
        let of = t(Msg::StaffPageOf)
            .replacen("{}", &lang.digits(&page.to_string()), 1)
            .replacen("{}", &lang.digits(&pages.to_string()), 1);
        view! {
            <nav class="pager" aria-label=t(Msg::StaffPagerLabel) data-testid="pager">
                {(page > 1)
                    .then(|| {
                        view! {
                            <a class="button" rel="prev" href=page_href(path, &query, page - 1) data-testid="pager-prev">
                                {t(Msg::StaffPagePrev)}
                            </a>
                        }
                    })}
                <span class="pager-of">{of}</span>
                {(page < pages)
                    .then(|| {
                        view! {
                            <a class="button" rel="next" href=page_href(path, &query, page + 1) data-testid="pager-next">
                                {t(Msg::StaffPageNext)}
                            </a>
                        }
                    })}
            </nav>
        }
    })
}

/// The one list of complaints: the cartable, the dispatch queue and the
/// verification queue. A table on wide screens, cards at ≤ 600 px; each
/// row is `data-testid={row_testid}` and links to the complaint's page.
#[component]
pub fn ComplaintList(items: Vec<CartableItem>, row_testid: &'static str) -> impl IntoView {
    let lang = use_lang();
    if items.is_empty() {
        return view! { <p class="notice" data-testid="list-empty">{t(Msg::StaffListEmpty)}</p> }
            .into_any();
    }
    // Urban-services emergencies sort first; say so above the table.
    let urgent = items
        .iter()
        .filter(|i| i.urgent && i.status.is_open())
        .count();
    let alert = (urgent > 0).then(|| {
        let text = t(Msg::StaffUrgentAlert).replacen("{}", &lang.digits(&urgent.to_string()), 1);
        view! { <p class="urgent-alert" role="alert" data-testid="urgent-alert">{text}</p> }
    });
    let head = [
        Msg::TrackCodeLabel,
        Msg::FieldCategory,
        Msg::FieldDistrict,
        Msg::FieldUnit,
        Msg::FieldStatus,
        Msg::FieldFiledAt,
        Msg::StaffDeadline,
        Msg::StaffAssignee,
    ];
    view! {
        {alert}
        <table class="staff-list" data-testid="complaint-list">
            <thead>
                <tr>{head.into_iter().map(|m| view! { <th scope="col">{t(m)}</th> }).collect_view()}</tr>
            </thead>
            <tbody>
                {items
                    .into_iter()
                    .map(|item| {
                        let code = item.tracking_code.to_string();
                        let deadline = item.sla_due_at.map(|at| jalali::date_time(at, lang));
                        view! {
                            <tr data-testid=row_testid data-code=code.clone() class:overdue=item.overdue>
                                <td data-label=t(Msg::TrackCodeLabel)>
                                    <a href=format!("/staff/complaints/{code}") class="code" data-testid="row-link">
                                        <bdi dir="ltr">{lang.digits(&code)}</bdi>
                                    </a>
                                    {item
                                        .urgent
                                        .then(|| view! { <span class="badge badge-urgent" data-testid="urgent">{t(Msg::StaffUrgent)}</span> })}
                                </td>
                                <td data-label=t(Msg::FieldCategory)>
                                    <span class="item-category">{item.category.get(lang).to_owned()}</span>
                                    <span class="excerpt">{item.excerpt.clone()}</span>
                                    {item.address.clone().map(|a| view! { <span class="excerpt">{a}</span> })}
                                </td>
                                <td data-label=t(Msg::FieldDistrict)>
                                    {item.district.as_ref().map(|d| d.get(lang).to_owned()).unwrap_or_else(|| "—".into())}
                                </td>
                                <td data-label=t(Msg::FieldUnit)>
                                    {item.unit.as_ref().map(|u| u.get(lang).to_owned()).unwrap_or_else(|| "—".into())}
                                </td>
                                <td data-label=t(Msg::FieldStatus)>{status_badge(item.status)}</td>
                                <td data-label=t(Msg::FieldFiledAt)>
                                    <time>{jalali::date_time(item.created_at, lang)}</time>
                                </td>
                                <td data-label=t(Msg::StaffDeadline)>
                                    {deadline.map(|d| view! { <time>{d}</time> })}
                                    {item
                                        .overdue
                                        .then(|| view! { <span class="badge badge-overdue" data-testid="overdue">{t(Msg::StaffOverdue)}</span> })}
                                    {match item.escalation {
                                        0 => None,
                                        1 => Some(view! { <span class="badge badge-escalated" data-testid="escalated" data-level="1">{t(Msg::Escalated)}</span> }),
                                        _ => Some(view! { <span class="badge badge-escalated" data-testid="escalated" data-level="2">{t(Msg::EscalatedToInspection)}</span> }),
                                    }}
                                    {item
                                        .finding_awaits_answer
                                        .then(|| view! { <span class="badge badge-escalated" data-testid="finding-awaits">{t(Msg::FindingAwaitsAnswer)}</span> })}
                                    {item
                                        .seen_not_acted
                                        .then(|| view! { <span class="badge badge-escalated" data-testid="seen-not-acted">{t(Msg::SeenNotActed)}</span> })}
                                </td>
                                <td data-label=t(Msg::StaffAssignee)>
                                    {item.assignee.clone().unwrap_or_else(|| "—".into())}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The `<optgroup>`s of a category picker, `chosen` selected.
pub fn category_options(
    categories: Vec<crate::api::ports::CategoryOption>,
    chosen: &str,
    lang: crate::i18n::Lang,
) -> impl IntoView {
    crate::pages::report::grouped(categories, lang)
        .into_iter()
        .map(|(group, list)| {
            view! {
                <optgroup label=group>
                    {list
                        .into_iter()
                        .map(|c| {
                            let selected = c.code == chosen;
                            view! {
                                <option value=c.code.clone() selected=selected>
                                    {c.name.get(lang).to_owned()}
                                </option>
                            }
                        })
                        .collect_view()}
                </optgroup>
            }
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::complaint::Named;

    #[test]
    fn the_list_links_each_row_and_marks_what_is_late() {
        let owner = Owner::new();
        owner.set();
        let named = |s: &str| Named {
            fa: s.into(),
            en: s.into(),
        };
        let item = CartableItem {
            tracking_code: crate::model::TrackingCode::from_serial(123_456_789).expect("a code"),
            category: named("asphalt"),
            district: Some(named("d1")),
            unit: None,
            status: Status::Referred,
            created_at: 1_700_000_000,
            sla_due_at: Some(1_700_086_400),
            overdue: true,
            assignee: None,
            address: None,
            excerpt: "<script>".into(),
            support_count: 0,
            urgent: true,
            escalation: 2,
            finding_awaits_answer: true,
            seen_not_acted: true,
        };
        let code = item.tracking_code.to_string();
        let html = view! { <ComplaintList items=vec![item] row_testid="cartable-row" /> }.to_html();
        assert!(html.contains(r#"data-testid="cartable-row""#), "{html}");
        assert!(html.contains(&format!(r#"href="/staff/complaints/{code}""#)));
        assert!(html.contains(r#"data-testid="overdue""#));
        assert!(html.contains(r#"data-testid="urgent""#));
        assert!(html.contains(r#"data-testid="seen-not-acted""#));
        assert!(
            html.contains(r#"data-testid="escalated" data-level="2""#),
            "{html}"
        );
        assert!(html.contains(r#"data-testid="finding-awaits""#));
        assert!(
            html.contains(r#"data-testid="urgent-alert""#),
            "an open urgent item"
        );
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains(r#"<th scope="col">"#));
        let empty =
            view! { <ComplaintList items=Vec::new() row_testid="cartable-row" /> }.to_html();
        assert!(empty.contains(r#"data-testid="list-empty""#));
    }

    #[test]
    fn query_strings_keep_only_what_was_set() {
        assert_eq!(
            query_string(&[("status", "referred"), ("from", ""), ("to", "۱۴۰۴/۰۹/۰۱")]),
            "status=referred&to=%DB%B1%DB%B4%DB%B0%DB%B4/%DB%B0%DB%B9/%DB%B0%DB%B1"
        );
        assert_eq!(encode("a&b=c d"), "a%26b%3Dc%20d");
        assert_eq!(
            page_href("/staff/cartable", "", 2),
            "/staff/cartable?page=2"
        );
        assert_eq!(
            page_href("/staff/cartable", "mine=on", 3),
            "/staff/cartable?mine=on&page=3"
        );
    }
}
