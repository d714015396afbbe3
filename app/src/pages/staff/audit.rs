//! `/staff/audit`: who did what, newest first (admins, inspectors). A GET
//! filter form ([`AuditQuery`]: actor, action, target, from, to) and the
//! latest [`AUDIT_PAGE`] matching lines; `/staff/audit.csv` with the same
//! query downloads them all. A filter that does not parse answers 422.

use crate::{
    api::{
        forms::{AuditQuery, AUDIT_PAGE},
        ports::services,
        staff::{AuditEntry, Desk},
    },
    components::error_page::ErrorPage,
    error::AppError,
    i18n::{jalali, t, use_lang, Lang, Msg},
    model::TrackingCode,
    pages::staff::{admit, query_string, set_status, StaffNav},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn audit_query(q: &AuditQuery) -> String {
    query_string(&[
        ("actor", &q.actor),
        ("action", &q.action),
        ("target", &q.target),
        ("from", &q.from),
        ("to", &q.to),
    ])
}

/// `/staff/audit?actor=&action=&target=&from=&to=`.
#[component]
pub fn StaffAuditPage() -> impl IntoView {
    let viewer = match admit(Some(Desk::Audit)) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let query = use_query_map().get_untracked();
    let field = |name: &str| query.get(name).unwrap_or_default();
    let typed = AuditQuery {
        actor: field("actor"),
        action: field("action"),
        target: field("target"),
        from: field("from"),
        to: field("to"),
    };
    let load = {
        let (viewer, typed) = (viewer.clone(), typed.clone());
        Resource::new_blocking(
            || (),
            move |_| {
                let (viewer, typed) = (viewer.clone(), typed.clone());
                async move {
                    // A filter that does not parse is the page's own answer, not an error page.
                    let filter = match typed.parse(AUDIT_PAGE) {
                        Ok(filter) => filter,
                        Err(invalid) => return Ok(Err(AppError::Invalid(invalid))),
                    };
                    let entries = services()?.staff.audit(&viewer, &filter).await?;
                    Ok::<_, AppError>(Ok(entries))
                }
            },
        )
    };
    view! {
        <Title text=t(Msg::StaffDeskAudit) />
        <StaffNav viewer />
        <Suspense>
            {move || {
                let typed = typed.clone();
                Suspend::new(async move {
                    match load.await {
                        Ok(entries) => view! { <AuditView entries typed /> }.into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn AuditView(entries: Result<Vec<AuditEntry>, AppError>, typed: AuditQuery) -> impl IntoView {
    let lang = use_lang();
    let (entries, error) = match entries {
        Ok(list) => (Some(list), None),
        Err(error) => {
            set_status(error.status_code());
            (None, Some(error.message(lang)))
        }
    };
    let query = audit_query(&typed);
    let csv = match query.as_str() {
        "" => "/staff/audit.csv".to_owned(),
        q => format!("/staff/audit.csv?{q}"),
    };
    let placeholder = lang.digits("1404/09/01");
    let text_field = |id: &'static str, label: Msg, value: String, ltr: bool| {
        view! {
            <div class="filter-field">
                <label for=format!("a-{id}")>{t(label)}</label>
                <input id=format!("a-{id}") name=id type="text" dir=ltr.then_some("ltr") maxlength="100" value=value />
            </div>
        }
    };
    view! {
        <section class="card staff-page audit">
            <h1>{t(Msg::StaffDeskAudit)}</h1>
            {error.map(|msg| view! { <p class="form-error" role="alert" data-testid="form-error">{msg}</p> })}
            <form method="get" action="/staff/audit" class="staff-filter" data-testid="audit-filter">
                {text_field("actor", Msg::StaffAuditActor, typed.actor.clone(), true)}
                {text_field("action", Msg::StaffAuditAction, typed.action.clone(), true)}
                {text_field("target", Msg::StaffAuditTarget, typed.target.clone(), true)}
                <div class="filter-field">
                    <label for="a-from">{t(Msg::StaffFrom)}</label>
                    <input id="a-from" name="from" type="text" dir="ltr" maxlength="10" placeholder=placeholder.clone() value=typed.from.clone() />
                </div>
                <div class="filter-field">
                    <label for="a-to">{t(Msg::StaffTo)}</label>
                    <input id="a-to" name="to" type="text" dir="ltr" maxlength="10" placeholder=placeholder value=typed.to.clone() />
                </div>
                <div class="filter-buttons">
                    <button type="submit" class="button button-primary" data-testid="audit-filter-submit">{t(Msg::StaffFilter)}</button>
                    <a class="button" href="/staff/audit">{t(Msg::StaffClear)}</a>
                </div>
            </form>
            <p>
                <a class="button" href=csv download="audit.csv" data-testid="audit-csv">{t(Msg::StaffAuditCsv)}</a>
            </p>
            {entries.map(|list| view! { <AuditTable list lang /> })}
        </section>
    }
}

#[component]
fn AuditTable(list: Vec<AuditEntry>, lang: Lang) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="notice" data-testid="list-empty">{t(Msg::StaffListEmpty)}</p> }
            .into_any();
    }
    let head = [
        Msg::StaffAuditAt,
        Msg::StaffAuditActor,
        Msg::StaffAuditAction,
        Msg::StaffAuditTarget,
        Msg::StaffAuditDetail,
        Msg::StaffAuditClient,
    ];
    view! {
        <table class="staff-list audit-list" data-testid="audit-list">
            <thead>
                <tr>{head.into_iter().map(|m| view! { <th scope="col">{t(m)}</th> }).collect_view()}</tr>
            </thead>
            <tbody>
                {list
                    .into_iter()
                    .map(|e| {
                        // A tracking code links to its complaint; a username stays text.
                        let target = e.target.clone().map(|target| match TrackingCode::parse(&target) {
                            Ok(code) => view! {
                                <a href=format!("/staff/complaints/{code}")><bdi dir="ltr">{lang.digits(code.as_str())}</bdi></a>
                            }
                            .into_any(),
                            Err(_) => view! { <bdi dir="ltr">{target}</bdi> }.into_any(),
                        });
                        view! {
                            <tr data-testid="audit-row" data-action=e.action.clone()>
                                <td data-label=t(Msg::StaffAuditAt)><time>{jalali::date_time(e.at, lang)}</time></td>
                                <td data-label=t(Msg::StaffAuditActor)><bdi dir="ltr">{e.actor.clone()}</bdi></td>
                                <td data-label=t(Msg::StaffAuditAction)><code>{e.action.clone()}</code></td>
                                <td data-label=t(Msg::StaffAuditTarget)>{target}</td>
                                <td data-label=t(Msg::StaffAuditDetail)>{e.detail.clone()}</td>
                                <td data-label=t(Msg::StaffAuditClient)><bdi dir="ltr">{e.client.clone()}</bdi></td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
