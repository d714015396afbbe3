//! `/staff/dispatch`, `/staff/verify` and `/staff/inspection`: the queues, each the shared
//! complaint list with a pager (`?page=`). Nothing is posted from here:
//! each row links to its complaint's page, where the desk's actions are
//! (refer, not municipal and duplicate at dispatch; verify and verification
//! failed, with the citizen's number to call, at verification).

use crate::{
    api::{
        forms::typed_page,
        ports::services,
        staff::{CartablePage, Desk},
    },
    components::error_page::ErrorPage,
    error::AppError,
    i18n::{t, use_lang, Msg},
    pages::staff::{admit, desk_msg, ComplaintList, Pager, StaffNav},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/staff/dispatch?page=`: what routing could not place, or came back misrouted.
#[component]
pub fn StaffDispatchPage() -> impl IntoView {
    view! { <QueuePage desk=Desk::Dispatch /> }
}

/// `/staff/verify?page=`: resolved complaints awaiting the supervisor's call.
#[component]
pub fn StaffVerifyPage() -> impl IntoView {
    view! { <QueuePage desk=Desk::Verify /> }
}

/// `/staff/inspection?page=`: missed deadlines that went to inspection.
#[component]
pub fn StaffInspectionPage() -> impl IntoView {
    view! { <QueuePage desk=Desk::Inspection /> }
}

/// One queue page: `desk` is [`Desk::Dispatch`], [`Desk::Verify`] or
/// [`Desk::Inspection`].
#[component]
fn QueuePage(desk: Desk) -> impl IntoView {
    let viewer = match admit(Some(desk)) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let raw_page = use_query_map()
        .get_untracked()
        .get("page")
        .unwrap_or_default();
    let load = {
        let viewer = viewer.clone();
        Resource::new_blocking(
            || (),
            move |_| {
                let (viewer, raw_page) = (viewer.clone(), raw_page.clone());
                async move {
                    let page = typed_page(&raw_page).map_err(AppError::Invalid)?;
                    let staff = services()?.staff;
                    match desk {
                        Desk::Verify => staff.verify_queue(&viewer, page).await,
                        Desk::Inspection => staff.inspection_queue(&viewer, page).await,
                        _ => staff.dispatch_queue(&viewer, page).await,
                    }
                }
            },
        )
    };
    let (lead, row_testid) = match desk {
        Desk::Verify => (Msg::StaffVerifyLead, "verify-row"),
        Desk::Inspection => (Msg::InspectionLead, "inspection-row"),
        _ => (Msg::StaffDispatchLead, "dispatch-row"),
    };
    view! {
        <Title text=t(desk_msg(desk)) />
        <StaffNav viewer />
        <Suspense>
            {move || Suspend::new(async move {
                match load.await {
                    Ok(page) => view! { <QueueList page desk lead row_testid /> }.into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn QueueList(page: CartablePage, desk: Desk, lead: Msg, row_testid: &'static str) -> impl IntoView {
    let lang = use_lang();
    let total = t(Msg::StaffTotal).replacen("{}", &lang.digits(&page.total.to_string()), 1);
    view! {
        <section class="card staff-page">
            <h1>{t(desk_msg(desk))}</h1>
            <p class="lead">{t(lead)}</p>
            <p class="hint" data-testid="list-total">{total}</p>
            <ComplaintList items=page.items row_testid />
            <Pager path=desk.path() query=String::new() page=page.page pages=page.pages />
        </section>
    }
}
