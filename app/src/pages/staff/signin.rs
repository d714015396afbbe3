//! `/staff/signin`: username and password. The form posts to
//! `/staff/signin` ([`StaffSigninForm`]); the server signs in and answers
//! 303 to `next`, or renders this page again with the refusal: the username
//! stays as typed, the password is never sent back.

use crate::{
    api::{
        forms::{refusal, StaffSigninForm},
        safe_next,
        staff::staff_viewer,
    },
    i18n::{t, use_lang, Msg},
    pages::staff::DoneNotice,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Where to go after signing in: a same-site path, the staff home by default.
fn next_or_home(next: Option<&str>) -> String {
    match next.filter(|n| !n.is_empty()) {
        Some(n) => safe_next(Some(n)).to_owned(),
        None => "/staff".to_owned(),
    }
}

/// `/staff/signin?next=…`: POST `/staff/signin` (username, password, next).
#[component]
pub fn StaffSigninPage() -> impl IntoView {
    let lang = use_lang();
    let (username, next, error) = match refusal::<StaffSigninForm>() {
        Some(refused) => (
            refused.form.username,
            next_or_home(Some(&refused.form.next)),
            Some(refused.error.message(lang)),
        ),
        None => {
            let next = use_query_map().get_untracked().get("next");
            (String::new(), next_or_home(next.as_deref()), None)
        }
    };
    let signed_in = staff_viewer().map(|v| {
        view! {
            <p class="notice" data-testid="staff-signed-in">
                {t(Msg::StaffSignedInAs).replacen("{}", &v.display_name, 1)} " "
                <a href="/staff">{t(Msg::StaffHomeTitle)}</a>
            </p>
        }
    });
    view! {
        <Title text=t(Msg::StaffSigninTitle) />
        <section class="card narrow staff-form">
            <h1>{t(Msg::StaffSigninTitle)}</h1>
            <DoneNotice />
            {signed_in}
            {error.map(|msg| view! { <p class="form-error" role="alert" data-testid="form-error">{msg}</p> })}
            <form method="post" action="/staff/signin" data-testid="staff-signin-form">
                <input type="hidden" name="next" value=next />
                <label for="username">{t(Msg::StaffUsername)}</label>
                <input
                    id="username"
                    name="username"
                    type="text"
                    dir="ltr"
                    autocomplete="username"
                    autocapitalize="none"
                    spellcheck="false"
                    required
                    maxlength="32"
                    autofocus
                    value=username
                />
                <label for="password">{t(Msg::StaffPassword)}</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    dir="ltr"
                    autocomplete="current-password"
                    required
                    maxlength="200"
                />
                <button type="submit" class="button button-primary" data-testid="staff-signin-submit">
                    {t(Msg::StaffSigninSubmit)}
                </button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::next_or_home;

    #[test]
    fn next_defaults_to_the_staff_home_and_stays_on_site() {
        assert_eq!(next_or_home(None), "/staff");
        assert_eq!(next_or_home(Some("")), "/staff");
        assert_eq!(next_or_home(Some("/staff/cartable")), "/staff/cartable");
        assert_eq!(next_or_home(Some("//evil.example")), "/");
    }
}
