//! 1888 (سامانه ۱۸۸۸): `/feedback`, a plain form for criticism, a
//! suggestion or thanks (it works without JavaScript; the server's
//! `/feedback` handler files it and redirects to its page, or renders this
//! page again with the refusal and what was typed), and `/feedback/{code}`,
//! the item and the municipality's answer.

use crate::{
    api::{
        feedback::{FeedbackForm, FeedbackKind, FeedbackView, EMPLOYEE_MAX, FEEDBACK_BODY_MAX},
        forms::refusal,
        ports::{services, viewer},
    },
    components::{error_page::ErrorPage, textarea_text},
    error::AppError,
    i18n::{jalali, t, use_lang, Msg},
    model::TrackingCode,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

pub fn kind_msg(kind: FeedbackKind) -> Msg {
    match kind {
        FeedbackKind::Criticism => Msg::FeedbackCriticism,
        FeedbackKind::Suggestion => Msg::FeedbackSuggestion,
        FeedbackKind::Thanks => Msg::FeedbackThanks,
    }
}

/// `/feedback`.
#[component]
pub fn FeedbackPage() -> impl IntoView {
    let lang = use_lang();
    let refused = refusal::<FeedbackForm>();
    let units = Resource::new_blocking(|| (), |_| async move { services()?.staff.units().await });
    let error = refused.as_ref().map(|r| r.error.message(lang));
    let typed = refused.map(|r| r.form).unwrap_or_default();
    // A retried post of the same opened form files once.
    let key = Some(typed.form_key.clone())
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| crate::model::random_hex(16));
    let identity = match viewer() {
        Some(me) => t(Msg::FeedbackSignedIn).replacen("{}", &lang.digits(&me.phone_masked), 1),
        None => t(Msg::FeedbackAnonymous).to_owned(),
    };
    let chosen_kind = typed.kind.clone();
    view! {
        <Title text=t(Msg::FeedbackPageTitle) />
        <section class="card report">
            <h1>{t(Msg::FeedbackPageTitle)}</h1>
            <p>{t(Msg::FeedbackLead)}</p>
            {error.map(|msg| view! { <p class="form-error" role="alert" id="feedback-error">{msg}</p> })}
            <form method="post" action="/feedback" class="feedback-form" data-testid="feedback-form">
                <input type="hidden" name="form_key" value=key />
                <fieldset class="channel">
                    <legend>{t(Msg::FeedbackKindLegend)}</legend>
                    {FeedbackKind::ALL
                        .into_iter()
                        .map(|k| {
                            let id = format!("kind-{}", k.as_str());
                            let checked = chosen_kind == k.as_str();
                            view! {
                                <div class="filter-check">
                                    <input type="radio" name="kind" id=id.clone() value=k.as_str() checked=checked required />
                                    <label for=id>{t(kind_msg(k))}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <label for="unit">{t(Msg::FeedbackUnit)}</label>
                <Suspense>
                    {move || {
                        let chosen = typed.unit.clone();
                        Suspend::new(async move {
                            let list = units.await.unwrap_or_default();
                            view! {
                                <select id="unit" name="unit">
                                    <option value="">{t(Msg::FeedbackDesk1888)}</option>
                                    {list
                                        .into_iter()
                                        .map(|u| {
                                            let selected = u.code == chosen;
                                            let name = u.name.get(lang).to_owned();
                                            view! { <option value=u.code selected=selected>{name}</option> }
                                        })
                                        .collect_view()}
                                </select>
                            }
                        })
                    }}
                </Suspense>
                <label for="employee">{t(Msg::FeedbackEmployee)}</label>
                <input id="employee" name="employee" type="text" maxlength=EMPLOYEE_MAX.to_string() value=typed.employee.clone() />
                <label for="body">{t(Msg::FeedbackBody)}</label>
                <textarea id="body" name="body" rows="6" maxlength=FEEDBACK_BODY_MAX.to_string() required>
                    {textarea_text(&typed.body)}
                </textarea>
                <p class="hint">{identity}</p>
                <button type="submit" class="button button-primary button-wide" data-testid="feedback-submit">
                    {t(Msg::FeedbackSubmit)}
                </button>
            </form>
        </section>
    }
}

/// `/feedback/{code}`.
#[component]
pub fn FeedbackItemPage() -> impl IntoView {
    let raw = use_params_map()
        .get_untracked()
        .get("code")
        .unwrap_or_default();
    let just_filed = use_query_map().get_untracked().get("filed").is_some();
    let item = Resource::new_blocking(
        move || raw.clone(),
        |raw| async move {
            let code = TrackingCode::parse(&raw).map_err(|_| AppError::NotFound)?;
            services()?.feedback.view(&code).await
        },
    );
    view! {
        <Title text=t(Msg::FeedbackPageTitle) />
        <Suspense>
            {move || Suspend::new(async move {
                match item.await {
                    Ok(item) => view! { <FeedbackItem item just_filed /> }.into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn FeedbackItem(item: FeedbackView, just_filed: bool) -> impl IntoView {
    let lang = use_lang();
    let code = item.tracking_code.to_string();
    let unit = match item.unit {
        Some(u) => u.get(lang).to_owned(),
        None => t(Msg::FeedbackDesk1888).to_owned(),
    };
    view! {
        <section class="card narrow" data-testid="feedback-item">
            <h1>{t(kind_msg(item.kind))}</h1>
            {just_filed.then(|| view! {
                <p class="notice" role="status" data-testid="feedback-filed">{t(Msg::FeedbackFiled)}</p>
            })}
            <p>{t(Msg::TrackCodeLabel)} " " <strong class="code" data-testid="feedback-code" dir="ltr">{code}</strong></p>
            <dl>
                <dt>{t(Msg::FeedbackUnit)}</dt>
                <dd>{unit}</dd>
                {item.employee.map(|e| view! { <dt>{t(Msg::FeedbackEmployee)}</dt><dd data-testid="feedback-employee">{e}</dd> })}
                <dt>{t(Msg::FeedbackFiledAt)}</dt>
                <dd>{jalali::date_time(item.created_at, lang)}</dd>
            </dl>
            <p class="description" data-testid="feedback-body">{item.body}</p>
            <h2>{t(Msg::FeedbackAnswer)}</h2>
            {match (item.answer, item.answered_at) {
                (Some(answer), Some(at)) => view! {
                    <p class="description" data-testid="feedback-answer">{answer}</p>
                    <p class="hint">{jalali::date_time(at, lang)}</p>
                }
                .into_any(),
                _ => view! { <p class="hint" data-testid="feedback-waiting">{t(Msg::FeedbackWaiting)}</p> }.into_any(),
            }}
        </section>
    }
}
