//! `/staff/council` (کارتابل شورا): what waits for the caller's answer, the
//! caller's own referrals, and (council members) a form for a new one; and
//! `/staff/council/{id}`: a referral's whole chain with its times, and the
//! answer and refer-on forms for its receiver. Plain forms.

use crate::{
    api::{
        council::{
            CouncilForm, CouncilMember, CouncilReferral, CouncilReplyForm, CouncilSubject,
            COUNCIL_TEXT_MAX,
        },
        forms::{refusal, Refused},
        ports::services,
        staff::Desk,
    },
    components::{error_page::ErrorPage, textarea_text},
    error::AppError,
    i18n::{jalali, t, use_lang, Lang, Msg},
    model::Role,
    pages::staff::{admit, StaffNav},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn subject_msg(s: CouncilSubject) -> Msg {
    match s {
        CouncilSubject::Complaint => Msg::CouncilSubjectComplaint,
        CouncilSubject::Feedback => Msg::CouncilSubjectFeedback,
        CouncilSubject::Request => Msg::CouncilSubjectRequest,
    }
}

/// "From A to B", the municipality when no member is named.
fn from_to(r: &CouncilReferral) -> String {
    let to =
        r.to.clone()
            .unwrap_or_else(|| t(Msg::CouncilMunicipality).to_owned());
    t(Msg::CouncilFromTo)
        .replacen("{}", &r.from, 1)
        .replacen("{}", &to, 1)
}

/// The receivers a form offers: the members (not the caller) and the
/// municipality.
#[component]
fn ReceiverSelect(members: Vec<CouncilMember>, chosen: String, me: i64) -> impl IntoView {
    let options = members
        .into_iter()
        .filter(|m| m.user_id != me)
        .map(|m| {
            let value = m.user_id.to_string();
            let selected = value == chosen;
            view! { <option value=value selected=selected>{m.display_name}</option> }
        })
        .collect_view();
    view! {
        <label for="to">{t(Msg::CouncilToLabel)}</label>
        <select id="to" name="to" required>
            <option value="municipality" selected=chosen == "municipality">{t(Msg::CouncilMunicipality)}</option>
            {options}
        </select>
    }
}

/// One referral as a list row or a chain link.
#[component]
fn ReferralCard(r: CouncilReferral, lang: Lang, link: bool) -> impl IntoView {
    let subject = match &r.code {
        Some(code) => format!("{}: {}", t(subject_msg(r.subject)), lang.digits(code)),
        None => t(subject_msg(r.subject)).to_owned(),
    };
    let heading = from_to(&r);
    let heading = if link {
        view! { <a href=format!("/staff/council/{}", r.id)>{heading}</a> }.into_any()
    } else {
        view! { <span>{heading}</span> }.into_any()
    };
    let answer = match (&r.answer, r.answered_at) {
        (Some(answer), Some(at)) => view! {
            <p class="council-answer" data-testid="council-answer">
                <strong>{r.answered_by.clone().unwrap_or_default()}</strong>
                " (" <time>{jalali::date_time(at, lang)}</time> "): " {answer.clone()}
            </p>
        }
        .into_any(),
        _ => view! {
            <p>
                <span class="badge">{t(Msg::CouncilUnanswered)}</span>
                {r.overdue.then(|| view! { " " <span class="badge badge-overdue" data-testid="overdue">{t(Msg::StaffOverdue)}</span> })}
                {(r.reminders > 0).then(|| {
                    let text = t(Msg::CouncilReminders).replacen("{}", &lang.digits(&r.reminders.to_string()), 1);
                    view! { " " <span class="badge" data-testid="reminders">{text}</span> }
                })}
            </p>
        }
        .into_any(),
    };
    view! {
        <li class="council-referral" data-testid="council-referral" data-id=r.id>
            <p>{heading} " · " <time>{jalali::date_time(r.created_at, lang)}</time></p>
            <p class="hint">{subject}</p>
            <p>{r.text.clone()}</p>
            {answer}
        </li>
    }
}

/// `/staff/council`.
#[component]
pub fn StaffCouncilPage() -> impl IntoView {
    let viewer = match admit(Some(Desk::Council)) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let lang = use_lang();
    let me = viewer.user_id;
    let member = viewer.has(Role::CouncilMember);
    let load = {
        let viewer = viewer.clone();
        Resource::new_blocking(
            || (),
            move |_| {
                let viewer = viewer.clone();
                async move { services()?.council.cartable(&viewer).await }
            },
        )
    };
    view! {
        <Title text=t(Msg::StaffDeskCouncil) />
        <StaffNav viewer />
        <section class="card staff-page">
            <h1>{t(Msg::StaffDeskCouncil)}</h1>
            <p>{t(Msg::CouncilLead)}</p>
        </section>
        <Suspense>
            {move || {
                let refused = refusal::<CouncilForm>();
                Suspend::new(async move {
                    match load.await {
                        Ok(c) => {
                            let waiting = c
                                .waiting
                                .into_iter()
                                .map(|r| view! { <ReferralCard r lang link=true /> })
                                .collect_view();
                            let sent = c
                                .sent
                                .into_iter()
                                .map(|r| view! { <ReferralCard r lang link=true /> })
                                .collect_view();
                            let form = member.then(|| view! { <NewReferral members=c.members.clone() refused me /> });
                            view! {
                                <section class="card staff-page" data-testid="council-waiting">
                                    <h2>{t(Msg::CouncilWaiting)}</h2>
                                    <ul class="council-list">{waiting}</ul>
                                </section>
                                {form}
                                <section class="card staff-page" data-testid="council-sent">
                                    <h2>{t(Msg::CouncilSent)}</h2>
                                    <ul class="council-list">{sent}</ul>
                                </section>
                            }
                            .into_any()
                        }
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn NewReferral(
    members: Vec<CouncilMember>,
    refused: Option<Refused<CouncilForm>>,
    me: i64,
) -> impl IntoView {
    let lang = use_lang();
    let error = refused.as_ref().map(|r| r.error.message(lang));
    let typed = refused.map(|r| r.form).unwrap_or_default();
    let subjects = CouncilSubject::ALL
        .into_iter()
        .map(|s| view! { <option value=s.as_str() selected=typed.subject == s.as_str()>{t(subject_msg(s))}</option> })
        .collect_view();
    view! {
        <section class="card staff-page" data-testid="council-new">
            <h2>{t(Msg::CouncilNew)}</h2>
            {error.map(|msg| view! { <p class="form-error" role="alert" id="council-error">{msg}</p> })}
            <form method="post" action="/staff/council" class="settings-form">
                <label for="subject">{t(Msg::CouncilSubjectLabel)}</label>
                <select id="subject" name="subject">{subjects}</select>
                <label for="code">{t(Msg::CouncilCodeLabel)}</label>
                <input id="code" name="code" type="text" inputmode="numeric" dir="ltr" maxlength="20" value=typed.code.clone() />
                <ReceiverSelect members chosen=typed.to.clone() me />
                <label for="text">{t(Msg::CouncilTextLabel)}</label>
                <textarea id="text" name="text" rows="4" maxlength=COUNCIL_TEXT_MAX required>{textarea_text(&typed.text)}</textarea>
                <button type="submit" class="button button-primary" data-testid="council-send">{t(Msg::CouncilSend)}</button>
            </form>
        </section>
    }
}

/// `/staff/council/{id}`.
#[component]
pub fn StaffCouncilThreadPage() -> impl IntoView {
    let viewer = match admit(Some(Desk::Council)) {
        Ok(v) => v,
        Err(page) => return page,
    };
    let lang = use_lang();
    let me = viewer.user_id;
    let raw = use_params_map()
        .get_untracked()
        .get("id")
        .unwrap_or_default();
    let load = {
        let viewer = viewer.clone();
        Resource::new_blocking(
            || (),
            move |_| {
                let (viewer, raw) = (viewer.clone(), raw.clone());
                async move {
                    let id: i64 = raw.parse().map_err(|_| AppError::NotFound)?;
                    services()?.council.thread(&viewer, id).await
                }
            },
        )
    };
    view! {
        <Title text=t(Msg::CouncilThreadTitle) />
        <StaffNav viewer />
        <Suspense>
            {move || {
                let refused = refusal::<CouncilReplyForm>();
                Suspend::new(async move {
                    match load.await {
                        Ok(thread) => {
                            let chain = thread
                                .referrals
                                .into_iter()
                                .map(|r| view! { <ReferralCard r lang link=false /> })
                                .collect_view();
                            let forms = thread.answerable.map(|id| {
                                view! { <ReplyForms id members=thread.members.clone() refused me /> }
                            });
                            view! {
                                <section class="card staff-page" data-testid="council-thread">
                                    <p><a href="/staff/council">{t(Msg::StaffDeskCouncil)}</a></p>
                                    <h1>{t(Msg::CouncilThreadTitle)}</h1>
                                    <ol class="council-list">{chain}</ol>
                                </section>
                                {forms}
                            }
                            .into_any()
                        }
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn ReplyForms(
    id: i64,
    members: Vec<CouncilMember>,
    refused: Option<Refused<CouncilReplyForm>>,
    me: i64,
) -> impl IntoView {
    let lang = use_lang();
    let error = refused.as_ref().map(|r| r.error.message(lang));
    let typed = refused.map(|r| r.form).unwrap_or_default();
    view! {
        <section class="card staff-page" data-testid="council-reply">
            {error.map(|msg| view! { <p class="form-error" role="alert" id="council-error">{msg}</p> })}
            <form method="post" action=format!("/staff/council/{id}/answer") class="settings-form">
                <label for="answer-text">{t(Msg::CouncilAnswerLabel)}</label>
                <textarea id="answer-text" name="text" rows="4" maxlength=COUNCIL_TEXT_MAX required>{textarea_text(&typed.text)}</textarea>
                <button type="submit" class="button button-primary" data-testid="council-answer-send">{t(Msg::CouncilAnswerSend)}</button>
            </form>
            <h2>{t(Msg::CouncilReferOn)}</h2>
            <form method="post" action=format!("/staff/council/{id}/refer") class="settings-form">
                <ReceiverSelect members chosen=typed.to.clone() me />
                <label for="refer-text">{t(Msg::CouncilTextLabel)}</label>
                <textarea id="refer-text" name="text" rows="3" maxlength=COUNCIL_TEXT_MAX required></textarea>
                <button type="submit" class="button" data-testid="council-refer-on">{t(Msg::CouncilReferOn)}</button>
            </form>
        </section>
    }
}
