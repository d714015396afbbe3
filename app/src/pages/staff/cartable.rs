//! `/staff/cartable` (کارتابل): the complaints of the viewer's units (the
//! city-wide desks see all), most overdue first. A GET filter form
//! ([`CartableQuery`]: status, category, district code, from/to Jalali
//! days, mine, page) posts nothing: its query is the page's URL, so the
//! counts, the pager and a bookmark all keep the filter. A filter that does
//! not parse answers 422 with the form as typed.

use crate::{
    api::{
        forms::CartableQuery,
        ports::{services, CategoryOption},
        staff::{CartablePage, DistrictOption},
    },
    components::error_page::ErrorPage,
    error::AppError,
    i18n::{t, use_lang, Lang, Msg},
    model::Status,
    pages::staff::{
        admit, category_options, query_string, set_status, status_msg, ComplaintList, Pager,
        StaffNav,
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// What the page needs: the pickers' lists, and the page or why the filter
/// was refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Loaded {
    categories: Vec<CategoryOption>,
    districts: Vec<DistrictOption>,
    page: Result<CartablePage, AppError>,
}

/// The filter as a query string, without `page` (and, for the status
/// count links, without `status`).
fn filter_query(q: &CartableQuery, with_status: bool) -> String {
    let status = if with_status { q.status.as_str() } else { "" };
    query_string(&[
        ("status", status),
        ("category", &q.category),
        ("district", &q.district),
        ("from", &q.from),
        ("to", &q.to),
        ("mine", &q.mine),
    ])
}

/// `/staff/cartable?status=&category=&district=&from=&to=&mine=&page=`.
#[component]
pub fn StaffCartablePage() -> impl IntoView {
    let viewer = match admit(Some(crate::api::staff::Desk::Cartable)) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let query = use_query_map().get_untracked();
    let field = |name: &str| query.get(name).unwrap_or_default();
    let typed = CartableQuery {
        status: field("status"),
        category: field("category"),
        district: field("district"),
        from: field("from"),
        to: field("to"),
        mine: field("mine"),
        page: field("page"),
    };
    let load = {
        let typed = typed.clone();
        let viewer = viewer.clone();
        Resource::new_blocking(
            || (),
            move |_| {
                let (typed, viewer) = (typed.clone(), viewer.clone());
                async move {
                    let services = services()?;
                    let categories = services.catalog.categories().await?;
                    let districts = services.staff.districts().await?;
                    let page = match typed.parse() {
                        Err(invalid) => Err(AppError::Invalid(invalid)),
                        // The server matches the district by code (an
                        // unknown one matches nothing).
                        Ok(filter) => services.staff.cartable(&viewer, &filter).await,
                    };
                    Ok(Loaded {
                        categories,
                        districts,
                        page,
                    })
                }
            },
        )
    };
    view! {
        <Title text=t(Msg::StaffDeskCartable) />
        <StaffNav viewer />
        <Suspense>
            {move || {
                let typed = typed.clone();
                Suspend::new(async move {
                    match load.await {
                        Ok(loaded) => view! { <CartableView loaded typed /> }.into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn CartableView(loaded: Loaded, typed: CartableQuery) -> impl IntoView {
    let lang = use_lang();
    let Loaded {
        categories,
        districts,
        page,
    } = loaded;
    let (error, page) = match page {
        Ok(page) => (None, Some(page)),
        Err(AppError::Invalid(invalid)) => {
            set_status(http::StatusCode::UNPROCESSABLE_ENTITY);
            (Some(AppError::Invalid(invalid).message(lang)), None)
        }
        Err(error) => return view! { <ErrorPage error /> }.into_any(),
    };
    view! {
        <section class="card staff-page cartable">
            <h1>{t(Msg::StaffDeskCartable)}</h1>
            {error.map(|msg| view! { <p class="form-error" role="alert" data-testid="form-error">{msg}</p> })}
            <CartableFilterForm typed=typed.clone() categories districts lang />
            {page.map(|page| view! { <CartableResults page typed /> })}
        </section>
    }
    .into_any()
}

/// The GET filter form, as typed.
#[component]
fn CartableFilterForm(
    typed: CartableQuery,
    categories: Vec<CategoryOption>,
    districts: Vec<DistrictOption>,
    lang: Lang,
) -> impl IntoView {
    let mine = matches!(typed.mine.trim(), "1" | "on" | "true");
    let placeholder = lang.digits("1404/09/01");
    view! {
        <form method="get" action="/staff/cartable" class="staff-filter" data-testid="cartable-filter">
            <div class="filter-field">
                <label for="f-status">{t(Msg::FieldStatus)}</label>
                <select id="f-status" name="status">
                    <option value="">{t(Msg::StaffAll)}</option>
                    {Status::ALL
                        .into_iter()
                        .map(|s| {
                            let selected = typed.status == s.as_str();
                            view! {
                                <option value=s.as_str() selected=selected>
                                    {t(status_msg(s))}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="filter-field">
                <label for="f-category">{t(Msg::FieldCategory)}</label>
                <select id="f-category" name="category">
                    <option value="">{t(Msg::StaffAll)}</option>
                    {category_options(categories, &typed.category, lang)}
                </select>
            </div>
            <div class="filter-field">
                <label for="f-district">{t(Msg::FieldDistrict)}</label>
                <select id="f-district" name="district">
                    <option value="">{t(Msg::StaffAll)}</option>
                    {districts
                        .into_iter()
                        .map(|d| {
                            let selected = d.code == typed.district;
                            view! {
                                <option value=d.code.clone() selected=selected>
                                    {d.name.get(lang).to_owned()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="filter-field">
                <label for="f-from">{t(Msg::StaffFrom)}</label>
                <input id="f-from" name="from" type="text" dir="ltr" maxlength="10" placeholder=placeholder.clone() value=typed.from.clone() />
            </div>
            <div class="filter-field">
                <label for="f-to">{t(Msg::StaffTo)}</label>
                <input id="f-to" name="to" type="text" dir="ltr" maxlength="10" placeholder=placeholder value=typed.to.clone() />
            </div>
            <div class="filter-field filter-check">
                <input id="f-mine" name="mine" type="checkbox" value="on" checked=mine />
                <label for="f-mine">{t(Msg::StaffMine)}</label>
            </div>
            <div class="filter-buttons">
                <button type="submit" class="button button-primary" data-testid="cartable-filter-submit">
                    {t(Msg::StaffFilter)}
                </button>
                <a class="button" href="/staff/cartable" data-testid="cartable-filter-clear">{t(Msg::StaffClear)}</a>
            </div>
        </form>
    }
}

/// The counts per status (links that set the status filter), the list and the pager.
#[component]
fn CartableResults(page: CartablePage, typed: CartableQuery) -> impl IntoView {
    let lang = use_lang();
    let without_status = filter_query(&typed, false);
    let status_href = move |status: &str| {
        let q = match (without_status.as_str(), status) {
            (q, "") => q.to_owned(),
            ("", s) => format!("status={s}"),
            (q, s) => format!("{q}&status={s}"),
        };
        match q.as_str() {
            "" => "/staff/cartable".to_owned(),
            q => format!("/staff/cartable?{q}"),
        }
    };
    let chosen = typed.status.trim().to_owned();
    let total = t(Msg::StaffTotal).replacen("{}", &lang.digits(&page.total.to_string()), 1);
    view! {
        <nav class="status-counts" aria-label=t(Msg::StaffCountsLabel) data-testid="status-counts">
            <ul>
                <li>
                    <a href=status_href("") aria-current=chosen.is_empty().then_some("true") data-testid="status-count-all">
                        {t(Msg::StaffAll)}
                    </a>
                </li>
                {page
                    .counts
                    .iter()
                    .map(|c| {
                        let name = c.status.as_str();
                        view! {
                            <li>
                                <a
                                    href=status_href(name)
                                    aria-current=(chosen == name).then_some("true")
                                    data-testid=format!("status-count-{name}")
                                >
                                    {t(status_msg(c.status))} " "
                                    <span class="count">{lang.digits(&c.count.to_string())}</span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
        <p class="hint" data-testid="list-total">{total}</p>
        <ComplaintList items=page.items row_testid="cartable-row" />
        <Pager path="/staff/cartable" query=filter_query(&typed, true) page=page.page pages=page.pages />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_query_drops_the_page_and_blank_fields() {
        let q = CartableQuery {
            status: "referred".into(),
            mine: "on".into(),
            page: "3".into(),
            ..Default::default()
        };
        assert_eq!(filter_query(&q, true), "status=referred&mine=on");
        assert_eq!(filter_query(&q, false), "mine=on");
    }
}
