//! A category's extra questions on a filing form (the citizen's, the
//! operator's and the lobby kiosk's). Every category's questions are in the page, each set in a
//! fieldset named for its category: without script all show (the server
//! reads only the chosen category's); `enhance.js` shows the chosen one's
//! and disables the rest, so they are not sent.

use crate::{
    api::ports::CategoryOption,
    i18n::{t, Lang, Msg},
    model::question::{Question, QuestionKind, MAX_ANSWER_CHARS},
};
use leptos::prelude::*;
use std::collections::BTreeMap;

#[component]
pub fn CategoryQuestions(
    categories: Vec<CategoryOption>,
    /// What was typed, on a refused form (`q{id}` → value).
    typed: BTreeMap<String, String>,
    lang: Lang,
    /// At a kiosk there is no system keyboard: the typed answers take the
    /// kiosk's own (`data-keys`, public/js/kiosk.js).
    #[prop(optional)]
    kiosk: bool,
) -> impl IntoView {
    categories
        .into_iter()
        .filter(|c| !c.questions.is_empty())
        .map(|c| {
            let name = c.name.get(lang).to_owned();
            let legend = format!(
                "{}: {}",
                t(Msg::QuestionsLegend),
                t(Msg::QuestionsFor).replacen("{}", &name, 1)
            );
            let fields = c
                .questions
                .into_iter()
                .map(|q| {
                    let value = typed.get(&q.field()).cloned().unwrap_or_default();
                    view! { <QuestionField q value lang kiosk /> }
                })
                .collect_view();
            view! {
                <fieldset
                    class="questions"
                    data-questions-for=c.code
                    data-category-name=name
                    data-testid="category-questions"
                >
                    <legend>{legend}</legend>
                    {fields}
                </fieldset>
            }
        })
        .collect_view()
}

#[component]
fn QuestionField(q: Question, value: String, lang: Lang, kiosk: bool) -> impl IntoView {
    let id = q.field();
    let label = if q.required {
        format!("{} {}", q.label.get(lang), t(Msg::QuestionRequired))
    } else {
        q.label.get(lang).to_owned()
    };
    let keys = |which: &'static str| kiosk.then_some(which);
    let input = match q.kind {
        QuestionKind::Text => view! {
            <input
                id=id.clone()
                name=id.clone()
                type="text"
                maxlength=MAX_ANSWER_CHARS
                value=value
                inputmode=kiosk.then_some("none")
                autocomplete=kiosk.then_some("off")
                data-keys=keys("text")
            />
        }
        .into_any(),
        // Text, not `type=number`: that refuses Persian digits.
        QuestionKind::Number => view! {
            <input
                id=id.clone()
                name=id.clone()
                type="text"
                inputmode=if kiosk { "none" } else { "decimal" }
                dir="ltr"
                maxlength="20"
                value=value
                autocomplete=kiosk.then_some("off")
                data-keys=keys("digits")
            />
        }
        .into_any(),
        QuestionKind::Choice => {
            let options = q
                .choices
                .iter()
                .enumerate()
                .map(|(i, choice)| {
                    let position = i.to_string();
                    let selected = position == value;
                    view! { <option value=position selected=selected>{choice.get(lang).to_owned()}</option> }
                })
                .collect_view();
            view! {
                <select id=id.clone() name=id.clone()>
                    <option value="">{t(Msg::QuestionChoose)}</option>
                    {options}
                </select>
            }
            .into_any()
        }
    };
    view! {
        <label for=id>{label}</label>
        {input}
    }
}
