//! The not-found page, answered with a real HTTP 404.

use crate::i18n::{t, Msg};
use leptos::prelude::*;
use leptos_meta::Title;

/// Shown for every URL that matches no route.
#[component]
pub fn NotFound() -> impl IntoView {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=t(Msg::NotFoundTitle) />
        <section class="message-page">
            <h1>{t(Msg::NotFoundTitle)}</h1>
            <p>{t(Msg::NotFoundBody)}</p>
            <a class="button button-primary" href="/">{t(Msg::BackHome)}</a>
        </section>
    }
}
