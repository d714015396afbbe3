//! Tracking: `/track` (the form, and the no-JS target of every tracking-code
//! form) and `/track/{code}` (status, timeline and answers of one complaint).

use crate::{
    api::{
        forms::{refusal, Done, ObjectionForm, RatingForm, SupportForm},
        ports::{services, viewer, FilerActions},
    },
    components::{
        error_page::ErrorPage,
        photos::{PhotoLink, PhotoList},
        status::{status_class, status_msg, TrackForm},
        textarea_text,
    },
    error::AppError,
    i18n::{jalali, t, use_lang, Msg},
    model::{
        complaint::{PublicComplaint, PublicEvent},
        tracking_code::TrackingCodeError,
        PublicStatus, TrackingCode,
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn code_error_msg(err: TrackingCodeError) -> Msg {
    match err {
        TrackingCodeError::TooShort => Msg::TrackCodeShort,
        TrackingCodeError::TooLong => Msg::TrackCodeLong,
        TrackingCodeError::BadCheckDigit => Msg::TrackCodeInvalid,
    }
}

fn set_status(status: http::StatusCode) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}

/// `/track?code=…`: a valid code goes to its page; a mistyped one is named.
#[component]
pub fn TrackPage() -> impl IntoView {
    let typed = use_query_map().get_untracked().get("code");
    let problem = typed
        .as_deref()
        .map(TrackingCode::parse)
        .and_then(|parsed| match parsed {
            Ok(code) => {
                // A plain 303, whatever the client accepts: the GET form's target.
                if let (Some(response), Ok(location)) = (
                    use_context::<leptos_axum::ResponseOptions>(),
                    http::HeaderValue::from_str(&format!("/track/{code}")),
                ) {
                    response.insert_header(http::header::LOCATION, location);
                    response.set_status(http::StatusCode::SEE_OTHER);
                }
                None
            }
            Err(err) => {
                set_status(http::StatusCode::UNPROCESSABLE_ENTITY);
                Some(t(code_error_msg(err)))
            }
        });
    view! {
        <Title text=t(Msg::TrackTitle) />
        <section class="card narrow">
            <h1>{t(Msg::TrackTitle)}</h1>
            <p>{t(Msg::HomeTrackBody)}</p>
            {problem.map(|msg| view! { <p class="form-error" role="alert">{msg}</p> })}
            <TrackForm />
        </section>
    }
}

/// `/track/{code}`.
#[component]
pub fn ComplaintPage() -> impl IntoView {
    let raw = use_params_map()
        .get_untracked()
        .get("code")
        .unwrap_or_default();
    let query = use_query_map().get_untracked();
    let just_filed = query.get("filed").is_some();
    let feedback = Feedback::from_request(query.get("done").as_deref());
    let me = viewer().map(|v| v.user_id);
    let lookup = Resource::new_blocking(
        move || raw.clone(),
        move |raw| async move {
            let Ok(code) = TrackingCode::parse(&raw) else {
                return Err(AppError::NotFound);
            };
            let services = services()?;
            let complaint = services
                .tracking
                .public_view(&code)
                .await?
                .ok_or(AppError::NotFound)?;
            let actions = match me {
                Some(user_id) => services.citizens.filer_actions(&code, user_id).await?,
                None => FilerActions::default(),
            };
            Ok((complaint, actions))
        },
    );
    view! {
        <Suspense>
            {move || {
                let feedback = feedback.clone();
                Suspend::new(async move {
                match lookup.await {
                    Ok((complaint, actions)) => {
                        view! { <ComplaintView complaint just_filed actions feedback /> }.into_any()
                    }
                    Err(AppError::NotFound) => {
                        set_status(http::StatusCode::NOT_FOUND);
                        view! {
                            <Title text=t(Msg::TrackTitle) />
                            <section class="card narrow">
                                <h1>{t(Msg::TrackTitle)}</h1>
                                <p class="form-error" role="alert">{t(Msg::TrackNotFound)}</p>
                                <TrackForm />
                            </section>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}}
        </Suspense>
    }
}

/// What a form on this page just did (`?done=…` after its 303), or the
/// refused form as typed, with the reason.
#[derive(Debug, Clone, Default)]
struct Feedback {
    done: Option<Done>,
    error: Option<AppError>,
    rating: RatingForm,
    objection: ObjectionForm,
}

impl Feedback {
    fn from_request(done: Option<&str>) -> Self {
        let mut feedback = Self {
            done: done.and_then(Done::parse),
            ..Self::default()
        };
        if let Some(r) = refusal::<RatingForm>() {
            feedback.error = Some(r.error);
            feedback.rating = r.form;
        } else if let Some(r) = refusal::<ObjectionForm>() {
            feedback.error = Some(r.error);
            feedback.objection = r.form;
        } else if let Some(r) = refusal::<SupportForm>() {
            feedback.error = Some(r.error);
        }
        feedback
    }
}

pub(crate) fn event_msg(kind: &str) -> Msg {
    match kind {
        "submitted" => Msg::EventSubmitted,
        "referred" => Msg::EventReferred,
        "answer" => Msg::EventAnswer,
        "rating" => Msg::EventRating,
        "objection" => Msg::EventObjection,
        "escalated" => Msg::EventEscalated,
        "escalated_inspection" => Msg::EventEscalatedToInspection,
        "finding" => Msg::EventFinding,
        "finding_answered" => Msg::EventFindingAnswered,
        "finding_closed" => Msg::EventFindingClosed,
        "seen" => Msg::EventSeen,
        _ => Msg::EventStatus,
    }
}

/// One complaint's public page.
#[component]
fn ComplaintView(
    complaint: PublicComplaint,
    just_filed: bool,
    actions: FilerActions,
    feedback: Feedback,
) -> impl IntoView {
    let lang = use_lang();
    let code = complaint.tracking_code.to_string();
    let title = format!("{} {}", t(Msg::TrackTitle), lang.digits(&code));
    let events = complaint.timeline.clone();
    let photos = complaint.photos.clone();
    let push = use_context::<crate::api::ports::SiteSettings>().is_some_and(|s| s.push);
    view! {
        <Title text=title />
        {just_filed
            .then(|| {
                view! {
                    <section class="filed" role="status" data-testid="filed">
                        <h1>{t(Msg::FiledTitle)}</h1>
                        <p class="big-code">
                            <bdi dir="ltr" data-testid="tracking-code">{lang.digits(&code)}</bdi>
                        </p>
                        <p>
                            <button
                                type="button"
                                class="button"
                                data-copy=code.clone()
                                data-msg-copied=t(Msg::Copied)
                                data-testid="copy-code"
                                hidden
                            >
                                {t(Msg::CopyCode)}
                            </button>
                        </p>
                        <p>{t(Msg::FiledBody)}</p>
                    </section>
                }
            })}
        <article class="card complaint">
            <h1>
                {t(Msg::TrackCodeLabel)} " "
                <bdi class="code" dir="ltr">{lang.digits(&code)}</bdi>
            </h1>
            <p class=status_class(complaint.status)>
                {t(Msg::FieldStatus)} ": " <strong>{t(status_msg(complaint.status))}</strong>
            </p>
            <dl class="facts">
                <dt>{t(Msg::FieldCategory)}</dt>
                <dd>{complaint.category.get(lang).to_owned()}</dd>
                {complaint.district.as_ref().map(|d| view! {
                    <dt>{t(Msg::FieldDistrict)}</dt>
                    <dd>{d.get(lang).to_owned()}</dd>
                })}
                {complaint.unit.as_ref().map(|u| view! {
                    <dt>{t(Msg::FieldUnit)}</dt>
                    <dd>{u.get(lang).to_owned()}</dd>
                })}
                <dt>{t(Msg::FieldFiledAt)}</dt>
                <dd><time>{jalali::date_time(complaint.created_at, lang)}</time></dd>
                {complaint.expected_by.map(|at| view! {
                    <dt>{t(Msg::FieldExpectedBy)}</dt>
                    <dd><time>{jalali::date_time(at, lang)}</time></dd>
                })}
                <dt>{t(Msg::FieldSupport)}</dt>
                <dd>{lang.digits(&complaint.support_count.to_string())}</dd>
                {complaint.rating.map(|r| view! {
                    <dt>{t(Msg::FieldRating)}</dt>
                    <dd>{lang.digits(&format!("{r}/5"))}</dd>
                })}
            </dl>
            {(!photos.is_empty()).then(|| {
                let photos = photos
                    .into_iter()
                    .map(|p| PhotoLink {
                        kind: p.kind,
                        url: p.url,
                        thumb_url: p.thumb_url,
                    })
                    .collect::<Vec<_>>();
                view! { <PhotoList photos /> }
            })}
            {(push && complaint.status != PublicStatus::Closed).then(|| view! { <PushOffer code=code.clone() /> })}
            <h2>{t(Msg::Timeline)}</h2>
            <ol class="timeline">
                {events.into_iter().map(|e| view! { <TimelineEntry event=e /> }).collect_view()}
            </ol>
        </article>
        <FeedbackSection code status=complaint.status actions feedback />
    }
}

/// "Notify me on this phone" (web push) until the complaint is closed:
/// hidden unless public/js/enhance.js finds that this browser can
/// (PushManager, a service worker in control) and public/js/push.js shows
/// it, with "stop" instead where this phone already follows the complaint;
/// the `data-msg-*` texts are what push.js says.
#[component]
fn PushOffer(code: String) -> impl IntoView {
    view! {
        <p
            class="push-offer"
            data-push=code
            data-msg-on=t(Msg::PushOn)
            data-msg-failed=t(Msg::PushFailed)
            data-msg-denied=t(Msg::PushDenied)
            data-msg-off=t(Msg::PushStopped)
            data-msg-off-failed=t(Msg::PushStopFailed)
            data-testid="push-offer"
            hidden
        >
            <button type="button" class="button" data-push-on>{t(Msg::PushOffer)}</button>
            <button type="button" class="button" data-push-off hidden>{t(Msg::PushStop)}</button>
            " "
            <span role="status" aria-live="polite"></span>
        </p>
    }
}

/// Support ("me too") while open; rating or objection for the filer once
/// resolved. Plain forms; each answers with a 303 back here.
#[component]
fn FeedbackSection(
    code: String,
    status: PublicStatus,
    actions: FilerActions,
    feedback: Feedback,
) -> impl IntoView {
    let lang = use_lang();
    let done = feedback.done.map(|d| match d {
        Done::Rated => Msg::DoneRated,
        Done::Objected => Msg::DoneObjected,
        Done::Supported => Msg::DoneSupported,
        Done::AlreadySupported => Msg::DoneAlreadySupported,
    });
    let open = matches!(status, PublicStatus::Received | PublicStatus::InProgress);
    let signed_in = viewer().is_some();
    let awaiting_verdict = status == PublicStatus::Done;
    view! {
        <section class="card verdict" id="feedback" data-testid="feedback">
            {done.map(|m| view! { <p class="notice" role="status" data-testid="feedback-done">{t(m)}</p> })}
            {feedback
                .error
                .map(|e| view! { <p class="form-error" role="alert" data-testid="feedback-error">{e.message(lang)}</p> })}
            {(open && signed_in)
                .then(|| {
                    view! {
                        <form method="post" action=format!("/track/{code}/support") data-testid="support-form">
                            <p>{t(Msg::SupportLead)}</p>
                            <button type="submit" class="button">{t(Msg::SupportAction)}</button>
                        </form>
                    }
                })}
            {(open && !signed_in)
                .then(|| {
                    view! {
                        <p>{t(Msg::SupportLead)}</p>
                        <p>
                            <a href=format!("/signin?next=/track/{code}") data-testid="support-signin">
                                {t(Msg::SupportSignIn)}
                            </a>
                        </p>
                    }
                })}
            {(awaiting_verdict && actions.can_rate)
                .then(|| {
                    view! {
                        <VerdictForms
                            code=code.clone()
                            rating=feedback.rating.clone()
                            objection=feedback.objection.clone()
                        />
                    }
                })}
            {(awaiting_verdict && !actions.is_filer)
                .then(|| {
                    view! {
                        <p>
                            <a href=format!("/signin?next=/track/{code}")>{t(Msg::SignInToRate)}</a>
                        </p>
                    }
                })}
        </section>
    }
}

/// The filer's two answers to "fixed": a rating, or "not fixed".
#[component]
fn VerdictForms(code: String, rating: RatingForm, objection: ObjectionForm) -> impl IntoView {
    let stars = [Msg::Star1, Msg::Star2, Msg::Star3, Msg::Star4, Msg::Star5];
    let chosen = crate::model::text::Stars::parse(&rating.stars)
        .ok()
        .map(|s| s.get());
    view! {
        <h2>{t(Msg::FeedbackTitle)}</h2>
        <p>{t(Msg::RateLead)}</p>
        <form method="post" action=format!("/track/{code}/rating") data-testid="rating-form">
            <fieldset class="stars">
                <legend>{t(Msg::FieldStars)}</legend>
                {stars
                    .into_iter()
                    .enumerate()
                    .map(|(i, m)| {
                        let id = format!("stars-{}", i + 1);
                        let checked = chosen == Some(i as i64 + 1);
                        view! {
                            <label for=id.clone() class="star">
                                <input type="radio" id=id.clone() name="stars" value=(i + 1).to_string() checked=checked required />
                                {t(m)}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <label for="comment">{t(Msg::FieldComment)}</label>
            <textarea id="comment" name="comment" rows="3" maxlength="500">
                {textarea_text(&rating.comment)}
            </textarea>
            <button type="submit" class="button button-primary">{t(Msg::RateSubmit)}</button>
        </form>
        <h3>{t(Msg::ObjectTitle)}</h3>
        <form method="post" action=format!("/track/{code}/objection") data-testid="objection-form">
            <label for="reason">{t(Msg::FieldReason)}</label>
            <textarea id="reason" name="reason" rows="3" minlength="5" maxlength="500" required>
                {textarea_text(&objection.reason)}
            </textarea>
            <button type="submit" class="button">{t(Msg::ObjectSubmit)}</button>
        </form>
    }
}

#[component]
fn TimelineEntry(event: PublicEvent) -> impl IntoView {
    let lang = use_lang();
    view! {
        <li class="timeline-entry" data-kind=event.kind.clone()>
            <time>{jalali::date_time(event.at, lang)}</time>
            <span class="what">{t(event_msg(&event.kind))}</span>
            {event.status.map(|s| view! { <span class=status_class(s)>{t(status_msg(s))}</span> })}
            {event.unit.as_ref().map(|u| view! { <span class="unit">{u.get(lang).to_owned()}</span> })}
            {event.stars.map(|n| view! { <span class="stars-given">{lang.digits(&format!("{n}/5"))}</span> })}
            {event.note.map(|n| view! { <p class="note">{n}</p> })}
        </li>
    }
}
