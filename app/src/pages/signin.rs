//! `/signin`: phone number → six-digit code by SMS → session. Two plain
//! forms (POST `/signin`, POST `/signin/verify`) that work without
//! JavaScript; the server's handlers render this page again at the right
//! step: the code step after a code was sent ([`CodeSent`]), or the step
//! that was refused with what was typed ([`Refused`]).

use crate::{
    api::{
        forms::{refusal, CodeSent, SigninForm, VerifyForm},
        ports::viewer,
        safe_next,
    },
    error::AppError,
    i18n::{t, use_lang, Msg},
    model::PhoneNumber,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Which step to show, and why the last one was refused.
enum Step {
    Phone { typed: String, next: String },
    Code { phone: String, next: String },
}

#[component]
pub fn SigninPage() -> impl IntoView {
    let lang = use_lang();
    let query_next = || {
        let query = use_query_map().get_untracked().get("next");
        safe_next(query.as_deref()).to_owned()
    };
    let (step, error): (Step, Option<AppError>) = if let Some(sent) = use_context::<CodeSent>() {
        (
            Step::Code {
                phone: sent.phone,
                next: sent.next,
            },
            None,
        )
    } else if let Some(refused) = refusal::<VerifyForm>() {
        let form = refused.form;
        let next = safe_next(Some(&form.next)).to_owned();
        (
            Step::Code {
                phone: form.phone,
                next,
            },
            Some(refused.error),
        )
    } else if let Some(refused) = refusal::<SigninForm>() {
        let form = refused.form;
        let next = safe_next(Some(&form.next)).to_owned();
        // A repeated request inside the resend window still shows the
        // code step, with the reason: the earlier code is on its way.
        let step = match PhoneNumber::parse(&form.phone) {
            Ok(phone) if refused.error == AppError::RateLimited => Step::Code {
                phone: phone.as_str().to_owned(),
                next,
            },
            _ => Step::Phone {
                typed: form.phone,
                next,
            },
        };
        (step, Some(refused.error))
    } else {
        (
            Step::Phone {
                typed: String::new(),
                next: query_next(),
            },
            None,
        )
    };
    let error = error.map(|e| e.message(lang));
    let signed_in =
        viewer().map(|v| t(Msg::SignedInAs).replacen("{}", &lang.digits(&v.phone_masked), 1));
    let step = match step {
        Step::Code { phone, next } => view! { <CodeStep phone next /> }.into_any(),
        Step::Phone { typed, next } => view! { <PhoneStep typed next /> }.into_any(),
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
