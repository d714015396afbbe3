//! Tracking: `/track` (the form, and the no-JS target of every tracking-code
//! form) and `/track/{code}` (status, timeline and answers of one complaint).

use crate::{
    api::ports::services,
    components::track_box::TrackBox,
    error::AppError,
    i18n::{jalali, Msg},
    model::{
        complaint::{PublicComplaint, PublicEvent},
        tracking_code::TrackingCodeError,
        PublicStatus, TrackingCode,
    },
    pages::error::ErrorPage,
    shell::{t, use_lang},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The tracking form with its translated strings.
#[component]
pub fn TrackForm() -> impl IntoView {
    view! {
        <TrackBox
            label=t(Msg::TrackCodeLabel).to_owned()
            hint=t(Msg::TrackCodeHint).to_owned()
            action=t(Msg::TrackAction).to_owned()
            msg_short=t(Msg::TrackCodeShort).to_owned()
            msg_long=t(Msg::TrackCodeLong).to_owned()
            msg_invalid=t(Msg::TrackCodeInvalid).to_owned()
            msg_ok=t(Msg::TrackCodeOk).to_owned()
        />
    }
}

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
    let just_filed = use_query_map().get_untracked().get("filed").is_some();
    let lookup = Resource::new_blocking(
        move || raw.clone(),
        |raw| async move {
            let Ok(code) = TrackingCode::parse(&raw) else {
                return Err(AppError::NotFound);
            };
            services()?
                .tracking
                .public_view(&code)
                .await?
                .ok_or(AppError::NotFound)
        },
    );
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match lookup.await {
                    Ok(complaint) => view! { <ComplaintView complaint just_filed /> }.into_any(),
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
            })}
        </Suspense>
    }
}

fn status_msg(status: PublicStatus) -> Msg {
    match status {
        PublicStatus::Received => Msg::StatusReceived,
        PublicStatus::InProgress => Msg::StatusInProgress,
        PublicStatus::Done => Msg::StatusDone,
        PublicStatus::Closed => Msg::StatusClosed,
    }
}

fn status_class(status: PublicStatus) -> &'static str {
    match status {
        PublicStatus::Received => "status status-received",
        PublicStatus::InProgress => "status status-progress",
        PublicStatus::Done => "status status-done",
        PublicStatus::Closed => "status status-closed",
    }
}

fn event_msg(kind: &str) -> Msg {
    match kind {
        "submitted" => Msg::EventSubmitted,
        "referred" => Msg::EventReferred,
        "answer" => Msg::EventAnswer,
        "rating" => Msg::EventRating,
        "support" => Msg::EventSupport,
        _ => Msg::EventStatus,
    }
}

/// One complaint's public page.
#[component]
fn ComplaintView(complaint: PublicComplaint, just_filed: bool) -> impl IntoView {
    let lang = use_lang();
    let code = complaint.tracking_code.to_string();
    let title = format!("{} {}", t(Msg::TrackTitle), lang.digits(&code));
    let events = complaint.timeline.clone();
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
                <dt>{t(Msg::FieldSupport)}</dt>
                <dd>{lang.digits(&complaint.support_count.to_string())}</dd>
                {complaint.rating.map(|r| view! {
                    <dt>{t(Msg::FieldRating)}</dt>
                    <dd>{lang.digits(&format!("{r}/5"))}</dd>
                })}
            </dl>
            <h2>{t(Msg::Timeline)}</h2>
            <ol class="timeline">
                {events.into_iter().map(|e| view! { <TimelineEntry event=e /> }).collect_view()}
            </ol>
        </article>
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
            {event.note.map(|n| view! { <p class="note">{n}</p> })}
        </li>
    }
}
