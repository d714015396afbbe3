//! `/me`: the signed-in citizen's complaints. Without a session it sends the
//! person to sign in and back.

use crate::{
    api::ports::{services, viewer, MyComplaint},
    components::{error_page::ErrorPage, status::status_view},
    i18n::{jalali, t, use_lang, Msg},
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MinePage() -> impl IntoView {
    let Some(me) = viewer() else {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.insert_header(
                http::header::LOCATION,
                http::HeaderValue::from_static("/signin?next=/me"),
            );
            response.set_status(http::StatusCode::SEE_OTHER);
        }
        return view! {
            <section class="card narrow">
                <a href="/signin?next=/me">{t(Msg::NavSignIn)}</a>
            </section>
        }
        .into_any();
    };
    let list = Resource::new_blocking(
        move || me.user_id,
        |id| async move { services()?.citizens.my_complaints(id).await },
    );
    view! {
        <Title text=t(Msg::MineTitle) />
        <section class="card mine">
            <h1>{t(Msg::MineTitle)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(items) if items.is_empty() => {
                            view! { <p data-testid="mine-empty">{t(Msg::MineEmpty)}</p> }.into_any()
                        }
                        Ok(items) => view! { <MineList items /> }.into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
    .into_any()
}

#[component]
fn MineList(items: Vec<MyComplaint>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <ul class="mine-list" data-testid="mine-list">
            {items
                .into_iter()
                .map(|c| {
                    let code = c.tracking_code.to_string();
                    let awaiting = !c.rated && c.status == crate::model::PublicStatus::Done;
                    view! {
                        <li>
                            <a href=format!("/track/{code}")>
                                <bdi dir="ltr" class="code">{lang.digits(&code)}</bdi>
                            </a>
                            " " <span>{c.category.get(lang).to_owned()}</span>
                            " " {status_view(c.status)}
                            " " <time>{jalali::date_time(c.created_at, lang)}</time>
                            {awaiting.then(|| view! { <strong class="awaiting">{t(Msg::MineAwaitingRating)}</strong> })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
