//! The error page: what a person sees when a request fails.

use crate::{error::AppError, i18n::Msg, shell::use_lang};
use leptos::prelude::*;
use leptos_meta::Title;

/// Renders `error` translated, and answers with its HTTP status.
#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    let lang = use_lang();
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(error.status_code()) {
            response.set_status(status);
        }
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
