//! `/staff`: the back office's home: a greeting, the viewer's desks as big
//! links, and the account's forms: change password (a link), sign out
//! (POST `/staff/signout`) and sign out everywhere (POST `/staff/signout-all`).

use crate::{
    api::forms::refusal,
    i18n::{t, use_lang, Msg},
    pages::staff::{admit, desk_msg, desk_slug, role_msg, StaffNav},
};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/staff`.
#[component]
pub fn StaffHomePage() -> impl IntoView {
    let viewer = match admit(None) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let mut roles = Vec::new();
    for g in &viewer.grants {
        if !roles.contains(&g.role) {
            roles.push(g.role);
        }
    }
    let roles = roles
        .into_iter()
        .map(|r| t(role_msg(r)))
        .collect::<Vec<_>>()
        .join(t(Msg::StaffListSeparator));
    let desks = viewer.desks();
    // "Sign out everywhere" that failed comes back here.
    let error = refusal::<()>().map(|r| r.error.message(use_lang()));
    view! {
        <Title text=t(Msg::StaffHomeTitle) />
        <StaffNav viewer=viewer.clone() />
        <section class="card staff-page staff-home">
            <h1>{t(Msg::StaffHello).replacen("{}", &viewer.display_name, 1)}</h1>
            <p class="hint" data-testid="staff-roles">{t(Msg::StaffYourRoles)} ": " {roles}</p>
            {desks.is_empty().then(|| view! { <p class="notice">{t(Msg::StaffNoDesks)}</p> })}
            <ul class="desk-links">
                {desks
                    .into_iter()
                    .map(|desk| {
                        view! {
                            <li>
                                <a class="desk-link" href=desk.path() data-testid=format!("desk-{}", desk_slug(desk))>
                                    {t(desk_msg(desk))}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
        <section class="card staff-page">
            <h2>{t(Msg::StaffAccount)}</h2>
            {error.map(|msg| view! { <p class="form-error" role="alert" data-testid="form-error">{msg}</p> })}
            <p>
                <a href="/staff/password" class="button" data-testid="change-password-link">
                    {t(Msg::StaffPasswordTitle)}
                </a>
            </p>
            <SignOutForms />
        </section>
    }
    .into_any()
}

/// Sign out here, or end every session of this account.
#[component]
pub fn SignOutForms() -> impl IntoView {
    view! {
        <div class="staff-actions-row">
            <form method="post" action="/staff/signout" data-testid="staff-signout-form">
                <button type="submit" class="button" data-testid="staff-signout">{t(Msg::NavSignOut)}</button>
            </form>
            <form method="post" action="/staff/signout-all" data-testid="staff-signout-all-form">
                <button type="submit" class="button" data-testid="staff-signout-all">
                    {t(Msg::StaffSignOutAll)}
                </button>
            </form>
        </div>
        <p class="hint">{t(Msg::StaffSignOutAllHint)}</p>
    }
}
