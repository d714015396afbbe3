//! `/staff/feedback` (۱۸۸۸): the criticism, suggestions and thanks that wait
//! for the caller's answer, oldest first: their units' items, and the 1888
//! desk's (no unit named) for operators and supervisors. Each has a plain
//! answer form (a thanks also picks whom it credits); the answer shows on
//! the item's page and goes by text to a signed-in citizen.

use crate::{
    api::{
        feedback::{FeedbackAnswerForm, FeedbackView, FEEDBACK_ANSWER_MAX},
        forms::refusal,
        ports::services,
        staff::Desk,
    },
    components::{error_page::ErrorPage, textarea_text},
    i18n::{jalali, t, use_lang, Lang, Msg},
    pages::{
        feedback::kind_msg,
        staff::{admit, StaffNav},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn StaffFeedbackPage() -> impl IntoView {
    let viewer = match admit(Some(Desk::Feedback)) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let lang = use_lang();
    let refused = refusal::<FeedbackAnswerForm>();
    let error = refused.as_ref().map(|r| r.error.message(lang));
    let typed = refused.map(|r| r.form).unwrap_or_default();
    let load = {
        let viewer = viewer.clone();
        Resource::new_blocking(
            || (),
            move |_| {
                let viewer = viewer.clone();
                async move { services()?.feedback.queue(&viewer).await }
            },
        )
    };
    view! {
        <Title text=t(Msg::FeedbackDeskTitle) />
        <StaffNav viewer />
        <section class="card staff-page">
            <h1>{t(Msg::FeedbackDeskTitle)}</h1>
            <p>{t(Msg::FeedbackDeskLead)}</p>
            {error.map(|msg| view! { <p class="form-error" role="alert" data-testid="form-error">{msg}</p> })}
            <Suspense>
                {move || {
                    let typed = typed.clone();
                    Suspend::new(async move {
                        match load.await {
                            Ok(list) if list.is_empty() => view! {
                                <p class="notice" data-testid="list-empty">{t(Msg::StaffListEmpty)}</p>
                            }
                            .into_any(),
                            Ok(list) => list
                                .into_iter()
                                .map(|item| view! { <FeedbackCard item lang typed=typed.clone() /> })
                                .collect_view()
                                .into_any(),
                            Err(error) => view! { <ErrorPage error /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
    .into_any()
}

#[component]
fn FeedbackCard(item: FeedbackView, lang: Lang, typed: FeedbackAnswerForm) -> impl IntoView {
    let code = item.tracking_code.to_string();
    // A refused answer comes back under its own item only.
    let typed = if typed.code == code {
        typed
    } else {
        FeedbackAnswerForm::default()
    };
    let credit_field = format!("employee-{code}");
    let credit = (!item.credit_choices.is_empty()).then(|| {
        let chosen = typed.employee.clone();
        view! {
            <label for=credit_field.clone()>{t(Msg::FeedbackCredit)}</label>
            <select id=credit_field name="employee" data-testid="feedback-credit">
                <option value="">{t(Msg::FeedbackCreditNone)}</option>
                {item
                    .credit_choices
                    .into_iter()
                    .map(|c| {
                        let selected = c.username == chosen;
                        view! { <option value=c.username selected=selected>{c.display_name}</option> }
                    })
                    .collect_view()}
            </select>
        }
    });
    let action = format!("/staff/feedback/{code}/answer");
    let field = format!("answer-{code}");
    let unit = match item.unit {
        Some(u) => u.get(lang).to_owned(),
        None => t(Msg::FeedbackDesk1888).to_owned(),
    };
    view! {
        <article class="action-form" data-testid="feedback-row" data-code=code.clone()>
            <h2>
                <span class="badge">{t(kind_msg(item.kind))}</span> " "
                <a href=format!("/feedback/{code}") dir="ltr">{code.clone()}</a>
            </h2>
            <p class="hint">
                {unit}
                {item.employee.map(|e| format!(" · {e}"))}
                " · " {jalali::date_time(item.created_at, lang)}
            </p>
            <p class="description">{item.body}</p>
            <form method="post" action=action>
                <input type="hidden" name="code" value=code.clone() />
                <label for=field.clone()>{t(Msg::FeedbackAnswer)}</label>
                <textarea id=field name="answer" rows="3" maxlength=FEEDBACK_ANSWER_MAX.to_string() required>
                    {textarea_text(&typed.answer)}
                </textarea>
                {credit}
                <button type="submit" class="button button-primary" data-testid="feedback-answer-submit">
                    {t(Msg::FeedbackAnswerSubmit)}
                </button>
            </form>
        </article>
    }
}
