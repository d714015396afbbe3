//! `/staff/password`: a new password for the signed-in staff member. The
//! form posts to `/staff/password` ([`PasswordForm`]: current, new,
//! confirm); the server answers 303 to `?done=password_changed`, or renders
//! this page again with the refusal (passwords are never sent back).

use crate::{
    api::forms::{refusal, PasswordForm, PASSWORD_MIN},
    i18n::{t, use_lang, Msg},
    pages::staff::{admit, home::SignOutForms, StaffNav},
};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/staff/password`.
#[component]
pub fn StaffPasswordPage() -> impl IntoView {
    let lang = use_lang();
    let viewer = match admit(None) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let error = refusal::<PasswordForm>().map(|r| r.error.message(lang));
    let must_change = viewer.must_change_password;
    let min = PASSWORD_MIN.to_string();
    let hint = t(Msg::StaffPasswordHint).replacen("{}", &lang.digits(&min), 1);
    view! {
        <Title text=t(Msg::StaffPasswordTitle) />
        <StaffNav viewer />
        <section class="card narrow staff-form staff-page">
            <h1>{t(Msg::StaffPasswordTitle)}</h1>
            {must_change
                .then(|| view! { <p class="notice notice-warn" role="alert" data-testid="must-change-password">{t(Msg::StaffMustChangeFirst)}</p> })}
            {error.map(|msg| view! { <p class="form-error" role="alert" data-testid="form-error">{msg}</p> })}
            <form method="post" action="/staff/password" data-testid="password-form">
                <label for="current">{t(Msg::StaffPasswordCurrent)}</label>
                <input id="current" name="current" type="password" dir="ltr" autocomplete="current-password" required maxlength="200" />
                <label for="new">{t(Msg::StaffPasswordNew)}</label>
                <input
                    id="new"
                    name="new"
                    type="password"
                    dir="ltr"
                    autocomplete="new-password"
                    required
                    minlength=min.clone()
                    maxlength="200"
                    aria-describedby="new-hint"
                />
                <p id="new-hint" class="hint">{hint}</p>
                <label for="confirm">{t(Msg::StaffPasswordConfirm)}</label>
                <input id="confirm" name="confirm" type="password" dir="ltr" autocomplete="new-password" required minlength=min maxlength="200" />
                <button type="submit" class="button button-primary" data-testid="password-submit">
                    {t(Msg::StaffPasswordSubmit)}
                </button>
            </form>
        </section>
        <section class="card narrow staff-page">
            <h2>{t(Msg::StaffSessions)}</h2>
            <SignOutForms />
        </section>
    }
    .into_any()
}
