//! Home page: what a citizen can do here.

use crate::{
    components::{pwa::OutboxList, status::TrackForm},
    i18n::{jalali::JalaliDate, t, use_lang, Msg},
};
use leptos::prelude::*;

/// `/`: file a request, track one, send 1888 feedback, or call 137.
#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let today = JalaliDate::at_unix(now).long(lang);
    view! {
        <section class="hero">
            <h1>{t(Msg::HomeTitle)}</h1>
            <p class="lead">{t(Msg::HomeLead)}</p>
            <p class="today">{t(Msg::TodayIs)} " " <time>{today}</time></p>
        </section>
        <OutboxList />
        <div class="cards">
            <section class="card card-report" aria-labelledby="home-report">
                <h2 id="home-report">{t(Msg::HomeReportTitle)}</h2>
                <p>{t(Msg::HomeReportBody)}</p>
                <a class="button button-primary" href="/report">{t(Msg::HomeReportAction)}</a>
            </section>
            <section class="card card-track" aria-labelledby="home-track">
                <h2 id="home-track">{t(Msg::HomeTrackTitle)}</h2>
                <p>{t(Msg::HomeTrackBody)}</p>
                <TrackForm />
            </section>
            <section class="card card-feedback" aria-labelledby="home-feedback">
                <h2 id="home-feedback">{t(Msg::HomeFeedbackTitle)}</h2>
                <p>{t(Msg::HomeFeedbackBody)}</p>
                <a class="button" href="/feedback">{t(Msg::HomeFeedbackAction)}</a>
            </section>
            <section class="card card-call" aria-labelledby="home-call">
                <h2 id="home-call">{t(Msg::HomeCallTitle)}</h2>
                <p>{t(Msg::HomeCallBody)}</p>
                <a class="call-number" href="tel:137" dir="ltr">"137"</a>
            </section>
        </div>
    }
}
