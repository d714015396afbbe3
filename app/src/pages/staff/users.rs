//! `/staff/admin/users`: the staff accounts (admins). Per account, small
//! plain forms: its roles (POST `/staff/admin/users/{id}/roles`, a
//! [`UserForm`]), a new one-time password (POST `…/{id}/reset`) and
//! disable or enable (POST `…/{id}/disable`, `…/{id}/enable`); and a form
//! for a new account (POST `/staff/admin/users`, a [`UserForm`]). The
//! server answers 303 to `?done=user_saved|password_reset`, or renders this
//! page again: with the refused form as typed, or with the one-time
//! password it just set ([`IssuedPassword`]), shown only this once.

use crate::{
    api::{
        forms::{refusal, ClockForm, IssuedPassword, Refused, UserForm},
        ports::services,
        staff::{Desk, StaffUser, UnitOption},
    },
    components::error_page::ErrorPage,
    error::{AppError, Conflict, Invalid},
    i18n::{t, use_lang, Lang, Msg},
    model::{Grant, Role},
    pages::staff::{admit, role_msg, StaffNav},
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The city-wide roles, as the form's checkbox fields name them.
const CITY_ROLES: [(Role, &str); 6] = [
    (Role::Operator, "operator"),
    (Role::Supervisor, "supervisor"),
    (Role::Inspector, "inspector"),
    (Role::Mayor, "mayor"),
    (Role::CouncilMember, "council_member"),
    (Role::Admin, "admin"),
];

/// The form an account's grants fill in (unit ids become unit codes).
fn form_of(user: &StaffUser, units: &[UnitOption]) -> UserForm {
    let has = |role: Role| user.grants.iter().any(|g| g.role == role);
    let on = |role: Role| if has(role) { "on" } else { "" }.to_owned();
    let unit_of = |role: Role| {
        user.grants
            .iter()
            .filter(|g| g.role == role)
            .filter_map(|g| units.iter().find(|u| Some(u.id) == g.unit_id))
            .map(|u| u.code.clone())
            .collect::<Vec<_>>()
            .join(",")
    };
    UserForm {
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        operator: on(Role::Operator),
        supervisor: on(Role::Supervisor),
        inspector: on(Role::Inspector),
        mayor: on(Role::Mayor),
        council_member: on(Role::CouncilMember),
        admin: on(Role::Admin),
        unit_staff: unit_of(Role::UnitStaff),
        unit_manager: unit_of(Role::UnitManager),
    }
}

/// The value of a city-wide role's field.
fn city_value(form: &UserForm, role: Role) -> &str {
    match role {
        Role::Operator => &form.operator,
        Role::Supervisor => &form.supervisor,
        Role::Inspector => &form.inspector,
        Role::Mayor => &form.mayor,
        Role::CouncilMember => &form.council_member,
        Role::Admin => &form.admin,
        _ => "",
    }
}

/// A grant as read: the role, and the unit's name for a unit-scoped one.
fn grant_text(g: &Grant, units: &[UnitOption], lang: Lang) -> String {
    let role = t(role_msg(g.role));
    match g.unit_id.and_then(|id| units.iter().find(|u| u.id == id)) {
        Some(unit) => format!("{role} ({})", unit.name.get(lang)),
        None => role.to_owned(),
    }
}

/// `/staff/admin/users`.
#[component]
pub fn StaffUsersPage() -> impl IntoView {
    let viewer = match admit(Some(Desk::Users)) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let refused = refusal::<UserForm>();
    let issued = use_context::<IssuedPassword>();
    let load = {
        let viewer = viewer.clone();
        Resource::new_blocking(
            || (),
            move |_| {
                let viewer = viewer.clone();
                async move {
                    let staff = services()?.staff;
                    let users = staff.users(&viewer).await?;
                    let units = staff.units().await?;
                    Ok::<_, AppError>((users, units))
                }
            },
        )
    };
    let clock = use_context::<crate::api::ports::SiteSettings>()
        .and_then(|s| s.simulated_clock)
        .map(|_| {
            let refused = refusal::<ClockForm>();
            view! { <ClockControl refused /> }
        });
    view! {
        <Title text=t(Msg::StaffDeskUsers) />
        <StaffNav viewer />
        {issued.map(|issued| view! { <IssuedNotice issued /> })}
        {clock}
        <Suspense>
            {move || {
                let refused = refused.clone();
                Suspend::new(async move {
                    match load.await {
                        Ok((users, units)) => view! { <UsersView users units refused /> }
                        .into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

/// Training mode only: move the simulated clock forward (the scheduler
/// runs at once on the new time).
#[component]
fn ClockControl(refused: Option<Refused<ClockForm>>) -> impl IntoView {
    let lang = use_lang();
    let error = refused.as_ref().map(|r| r.error.message(lang));
    let chosen = refused.map(|r| r.form.advance_s).unwrap_or_default();
    let choices = [
        (3_600, Msg::ClockHour),
        (86_400, Msg::ClockDay),
        (604_800, Msg::ClockWeek),
        (2_592_000, Msg::ClockMonth),
    ];
    view! {
        <section class="card staff-page" data-testid="clock-control">
            <h2>{t(Msg::ClockTitle)}</h2>
            <p class="hint">{t(Msg::ClockLead)}</p>
            {error.map(|msg| view! { <p class="form-error" role="alert" id="clock-error">{msg}</p> })}
            <form method="post" action="/staff/admin/clock" class="inline-form">
                <label for="clock-advance">{t(Msg::ClockAdvance)}</label>
                <select id="clock-advance" name="advance_s" data-testid="clock-advance">
                    {choices
                        .into_iter()
                        .map(|(secs, msg)| {
                            let value = secs.to_string();
                            let selected = value == chosen;
                            view! { <option value=value selected=selected>{t(msg)}</option> }
                        })
                        .collect_view()}
                </select>
                <button type="submit" class="button button-primary" data-testid="clock-submit">
                    {t(Msg::ClockAdvance)}
                </button>
            </form>
        </section>
    }
}

/// The one-time password an admin just set, shown once.
#[component]
fn IssuedNotice(issued: IssuedPassword) -> impl IntoView {
    let text = t(Msg::StaffIssuedPassword).replacen("{}", &issued.username, 1);
    view! {
        <section class="filed issued" role="status" data-testid="issued-password">
            <h2>{t(Msg::StaffIssuedTitle)}</h2>
            <p>{text}</p>
            <p class="big-code">
                <code dir="ltr" data-testid="issued-password-value">{issued.password}</code>
            </p>
            <p>{t(Msg::StaffIssuedOnce)}</p>
        </section>
    }
}

#[component]
fn UsersView(
    users: Vec<StaffUser>,
    units: Vec<UnitOption>,
    refused: Option<Refused<UserForm>>,
) -> impl IntoView {
    let lang = use_lang();
    let error = refused.as_ref().map(|r| r.error.message(lang));
    // A refused roles form names its account (a hidden username); anything
    // else, or a refusal about the username itself, was the new-account form.
    let about_username = refused.as_ref().is_some_and(|r| {
        matches!(
            r.error,
            AppError::Conflict(Conflict::UsernameTaken)
                | AppError::Invalid(Invalid::UsernameFormat)
        )
    });
    let refused_for = |user: &StaffUser| {
        refused
            .as_ref()
            .filter(|r| !about_username && r.form.username == user.username)
            .map(|r| r.form.clone())
    };
    let new_form = refused
        .as_ref()
        .filter(|r| about_username || !users.iter().any(|u| u.username == r.form.username))
        .map(|r| r.form.clone())
        .unwrap_or_default();
    let head = [
        Msg::StaffUsername,
        Msg::StaffDisplayName,
        Msg::StaffRoles,
        Msg::StaffAccountState,
    ];
    let rows = users
        .iter()
        .map(|u| {
            let grants = u
                .grants
                .iter()
                .map(|g| grant_text(g, &units, lang))
                .collect::<Vec<_>>()
                .join(t(Msg::StaffListSeparator));
            view! {
                <tr data-testid="user-row" data-username=u.username.clone()>
                    <td data-label=t(Msg::StaffUsername)>
                        <a href=format!("#user-{}", u.user_id)><bdi dir="ltr">{u.username.clone()}</bdi></a>
                    </td>
                    <td data-label=t(Msg::StaffDisplayName)>{u.display_name.clone()}</td>
                    <td data-label=t(Msg::StaffRoles)>{grants}</td>
                    <td data-label=t(Msg::StaffAccountState)>
                        {u.disabled.then(|| view! { <span class="badge badge-overdue" data-testid="user-disabled">{t(Msg::StaffDisabled)}</span> })}
                        {u.must_change_password.then(|| view! { " " <span class="badge badge-internal" data-testid="user-must-change">{t(Msg::StaffMustChangeBadge)}</span> })}
                        {(!u.disabled && !u.must_change_password).then(|| t(Msg::StaffActive))}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let cards = users
        .iter()
        .map(|u| {
            let form = refused_for(u).unwrap_or_else(|| form_of(u, &units));
            view! { <UserCard user=u.clone() form units=units.clone() /> }
        })
        .collect_view();
    view! {
        <section class="card staff-page users">
            <h1>{t(Msg::StaffDeskUsers)}</h1>
            {error.map(|msg| view! { <p class="form-error" role="alert" data-testid="form-error">{msg}</p> })}
            <table class="staff-list" data-testid="user-list">
                <thead>
                    <tr>{head.into_iter().map(|m| view! { <th scope="col">{t(m)}</th> }).collect_view()}</tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
        <section class="card staff-page" aria-labelledby="new-user-title">
            <h2 id="new-user-title">{t(Msg::StaffNewUser)}</h2>
            <p class="hint">{t(Msg::StaffNewUserHint)}</p>
            <form method="post" action="/staff/admin/users" class="user-form" data-testid="user-create-form">
                <label for="new-username">{t(Msg::StaffUsername)}</label>
                <input
                    id="new-username"
                    name="username"
                    type="text"
                    dir="ltr"
                    autocomplete="off"
                    autocapitalize="none"
                    spellcheck="false"
                    required
                    maxlength="32"
                    aria-describedby="new-username-hint"
                    value=new_form.username.clone()
                />
                <p id="new-username-hint" class="hint">{t(Msg::ErrUsernameFormat)}</p>
                <label for="new-display_name">{t(Msg::StaffDisplayName)}</label>
                <input id="new-display_name" name="display_name" type="text" required maxlength="100" value=new_form.display_name.clone() />
                <RoleFields prefix="new".to_owned() form=new_form units=units.clone() />
                <button type="submit" class="button button-primary" data-testid="user-create-submit">{t(Msg::StaffCreateUser)}</button>
            </form>
        </section>
        {cards}
    }
}

/// One account: its roles form, reset password and disable or enable.
#[component]
fn UserCard(user: StaffUser, form: UserForm, units: Vec<UnitOption>) -> impl IntoView {
    let id = user.user_id;
    let name = user.username.clone();
    let (toggle, toggle_msg, toggle_testid) = if user.disabled {
        ("enable", Msg::StaffEnable, format!("user-enable-{name}"))
    } else {
        ("disable", Msg::StaffDisable, format!("user-disable-{name}"))
    };
    view! {
        <section class="card staff-page user-card" id=format!("user-{id}") aria-labelledby=format!("user-{id}-title") data-testid=format!("user-card-{name}")>
            <h2 id=format!("user-{id}-title")>
                {user.display_name.clone()} " " <bdi dir="ltr" class="hint">{name.clone()}</bdi>
            </h2>
            <form method="post" action=format!("/staff/admin/users/{id}/roles") class="user-form" data-testid=format!("user-roles-{name}")>
                // Names the account, so a refused form comes back to its card.
                <input type="hidden" name="username" value=name.clone() />
                <input type="hidden" name="display_name" value=user.display_name.clone() />
                <RoleFields prefix=format!("u{id}") form units />
                <button type="submit" class="button button-primary" data-testid=format!("user-roles-save-{name}")>
                    {t(Msg::StaffSaveRoles)}
                </button>
            </form>
            <div class="staff-actions-row">
                <form method="post" action=format!("/staff/admin/users/{id}/reset") data-testid=format!("user-reset-form-{name}")>
                    <button type="submit" class="button" data-testid=format!("user-reset-{name}")>{t(Msg::StaffResetPassword)}</button>
                </form>
                <form method="post" action=format!("/staff/admin/users/{id}/{toggle}") data-testid=format!("user-{toggle}-form-{name}")>
                    <button type="submit" class="button" data-testid=toggle_testid>{t(toggle_msg)}</button>
                </form>
            </div>
        </section>
    }
}

/// The role fields of a [`UserForm`]: a checkbox per city-wide role, a
/// unit picker per unit-scoped one. `prefix` keeps the ids unique per form.
#[component]
fn RoleFields(prefix: String, form: UserForm, units: Vec<UnitOption>) -> impl IntoView {
    let lang = use_lang();
    // A unit role may be held in several units: a multiple select, sent
    // as repeated fields that the server joins (see `UserForm`).
    let unit_select = |field: &'static str, role: Role, chosen: &str| {
        let id = format!("{prefix}-{field}");
        let chosen: Vec<&str> = chosen.split(',').map(str::trim).collect();
        view! {
            <div class="filter-field">
                <label for=id.clone()>{t(role_msg(role))}</label>
                <select id=id name=field multiple size="4">
                    {units
                        .iter()
                        .map(|u| {
                            let selected = chosen.contains(&u.code.as_str());
                            view! { <option value=u.code.clone() selected=selected>{u.name.get(lang).to_owned()}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
        }
    };
    view! {
        <fieldset class="roles">
            <legend>{t(Msg::StaffRoles)}</legend>
            {CITY_ROLES
                .into_iter()
                .map(|(role, field)| {
                    let id = format!("{prefix}-{field}");
                    let checked = matches!(city_value(&form, role).trim(), "1" | "on" | "true");
                    view! {
                        <label for=id.clone() class="star">
                            <input type="checkbox" id=id.clone() name=field value="on" checked=checked />
                            {t(role_msg(role))}
                        </label>
                    }
                })
                .collect_view()}
            {unit_select("unit_staff", Role::UnitStaff, &form.unit_staff)}
            {unit_select("unit_manager", Role::UnitManager, &form.unit_manager)}
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::complaint::Named;

    #[test]
    fn an_accounts_grants_fill_its_form() {
        let units = vec![UnitOption {
            id: 7,
            code: "d1-office".into(),
            name: Named {
                fa: "دفتر".into(),
                en: "Office".into(),
            },
        }];
        let user = StaffUser {
            user_id: 1,
            username: "ali".into(),
            display_name: "Ali".into(),
            grants: vec![
                Grant {
                    role: Role::Operator,
                    unit_id: None,
                },
                Grant {
                    role: Role::UnitManager,
                    unit_id: Some(7),
                },
            ],
            disabled: false,
            must_change_password: false,
        };
        let mut user = user;
        user.grants.push(Grant {
            role: Role::UnitManager,
            unit_id: Some(8),
        });
        let units = [
            units,
            vec![UnitOption {
                id: 8,
                code: "civil".into(),
                name: Named {
                    fa: "عمران".into(),
                    en: "Civil".into(),
                },
            }],
        ]
        .concat();
        let form = form_of(&user, &units);
        assert_eq!(form.operator, "on");
        assert_eq!(form.admin, "");
        assert_eq!(form.unit_manager, "d1-office,civil");
        assert_eq!(form.unit_staff, "");
        assert_eq!(
            form.grants(),
            vec![
                (Role::Operator, None),
                (Role::UnitManager, Some("d1-office".into())),
                (Role::UnitManager, Some("civil".into()))
            ]
        );
    }
}
