//! `/offline`: what the service worker shows for a page it cannot fetch and
//! has not kept (fetched once per build, at install). Filing still works
//! offline, so it leads there, and lists what waits on this phone.

use crate::{
    components::pwa::OutboxList,
    i18n::{t, Msg},
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn OfflinePage() -> impl IntoView {
    view! {
        <Title text=t(Msg::OfflineTitle) />
        <section class="card" data-testid="offline-page">
            <h1>{t(Msg::OfflineTitle)}</h1>
            <p>{t(Msg::OfflineLead)}</p>
            <a class="button button-primary" href="/report">{t(Msg::HomeReportAction)}</a>
        </section>
        <OutboxList />
    }
}
