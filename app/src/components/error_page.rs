//! The error page: what a person sees when a request fails.

use crate::{
    error::AppError,
    i18n::{use_lang, Msg},
};
use leptos::prelude::*;
use leptos_meta::Title;

/// Renders `error` translated, and answers with its HTTP status.
#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    let lang = use_lang();
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(error.status_code());
    }
    view! {
        <Title text=Msg::ErrorTitle.text(lang) />
        <section class="message-page" role="alert">
            <h1>{Msg::ErrorTitle.text(lang)}</h1>
            <p>{error.message(lang)}</p>
            <p>{Msg::ErrorBody.text(lang)}</p>
            <a class="button button-primary" href="/">{Msg::BackHome.text(lang)}</a>
        </section>
    }
}
