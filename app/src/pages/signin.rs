//! `/signin`: phone number → six-digit code by SMS → session. Two plain
//! forms (POST `/signin`, POST `/signin/verify`) that work without
//! JavaScript; the server's handlers render this page again at the right
//! step, with the reason when something was refused.

use crate::{
    api::{
        ports::{viewer, SigninOutcome},
        safe_next,
    },
    i18n::Msg,
    shell::{t, use_lang},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SigninPage() -> impl IntoView {
    let lang = use_lang();
    let outcome = use_context::<SigninOutcome>().unwrap_or_default();
    let next = if outcome.next.is_empty() {
        let query = use_query_map().get_untracked().get("next");
        safe_next(query.as_deref()).to_owned()
    } else {
        outcome.next.clone()
    };
    if let (Some(error), Some(response)) = (
        outcome.error.as_ref(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        response.set_status(
            http::StatusCode::from_u16(error.status_code())
                .unwrap_or(http::StatusCode::UNPROCESSABLE_ENTITY),
        );
    }
    let error = outcome.error.as_ref().map(|e| e.message(lang));
    let signed_in =
        viewer().map(|v| t(Msg::SignedInAs).replacen("{}", &lang.digits(&v.phone_masked), 1));
    let step = match outcome.phone.clone() {
        Some(phone) => view! { <CodeStep phone next=next.clone() /> }.into_any(),
        None => {
            view! { <PhoneStep typed=outcome.typed_phone.clone() next=next.clone() /> }.into_any()
        }
    };
    view! {
        <Title text=t(Msg::SigninTitle) />
        <section class="card narrow signin">
            <h1>{t(Msg::SigninTitle)}</h1>
            {signed_in.map(|s| view! { <p class="notice" data-testid="signed-in">{s}</p> })}
            <p>{t(Msg::SigninLead)}</p>
            {error.map(|msg| view! { <p class="form-error" role="alert" id="signin-error">{msg}</p> })}
            {step}
        </section>
    }
}

#[component]
fn PhoneStep(typed: String, next: String) -> impl IntoView {
    view! {
        <form method="post" action="/signin" data-testid="phone-form">
            <input type="hidden" name="next" value=next />
            <label for="phone">{t(Msg::FieldPhone)}</label>
            <input
                id="phone"
                name="phone"
                type="tel"
                inputmode="tel"
                autocomplete="tel"
                dir="ltr"
                required
                maxlength="20"
                aria-describedby="phone-hint"
                value=typed
            />
            <p id="phone-hint" class="hint">{t(Msg::PhoneHint)}</p>
            <button type="submit" class="button button-primary">{t(Msg::SigninSend)}</button>
        </form>
    }
}

#[component]
fn CodeStep(phone: String, next: String) -> impl IntoView {
    let lang = use_lang();
    let sent = t(Msg::CodeSentTo).replacen("{}", &lang.digits(&phone), 1);
    view! {
        <p class="notice" role="status">{sent}</p>
        <form method="post" action="/signin/verify" data-testid="code-form">
            <input type="hidden" name="phone" value=phone.clone() />
            <input type="hidden" name="next" value=next.clone() />
            <label for="code">{t(Msg::FieldCode)}</label>
            <input
                id="code"
                name="code"
                type="text"
                inputmode="numeric"
                autocomplete="one-time-code"
                dir="ltr"
                required
                maxlength="12"
                aria-describedby="code-hint"
                autofocus
            />
            <p id="code-hint" class="hint">{t(Msg::CodeHint)}</p>
            <button type="submit" class="button button-primary">{t(Msg::SigninVerify)}</button>
        </form>
        <form method="post" action="/signin" class="inline-form">
            <input type="hidden" name="phone" value=phone />
            <input type="hidden" name="next" value=next />
            <button type="submit" class="button">{t(Msg::SigninResend)}</button>
        </form>
        <p><a href="/signin">{t(Msg::SigninOtherPhone)}</a></p>
    }
}
