//! The installed app's pieces that public/js/pwa.js fills in: its
//! translated strings, the in-page notice, and the list of requests waiting
//! on this phone (the offline outbox). Without JavaScript they stay hidden
//! and empty.

use crate::i18n::{t, Msg};
use leptos::prelude::*;

/// On every page: the strings of the service worker's prompts and the
/// outbox (`data-msg-*`, read by pwa.js and submit.js), and the live region
/// their notices go to.
#[component]
pub fn PwaStrings() -> impl IntoView {
    view! {
        <div id="pwa-msgs" hidden
            data-msg-outbox-saved=t(Msg::OutboxSaved)
            data-msg-outbox-queued=t(Msg::OutboxQueued)
            data-msg-outbox-sending=t(Msg::OutboxSending)
            data-msg-outbox-sent=t(Msg::OutboxSent)
            data-msg-outbox-refused=t(Msg::OutboxRefused)
            data-msg-outbox-delete=t(Msg::OutboxDelete)
            data-msg-outbox-sent-notice=t(Msg::OutboxSentNotice)
            data-msg-outbox-no-storage=t(Msg::OutboxNoStorage)
            data-msg-outbox-rating=t(Msg::OutboxRating)
            data-msg-outbox-objection=t(Msg::OutboxObjection)
            data-msg-outbox-support=t(Msg::OutboxSupport)
            data-msg-update-ready=t(Msg::UpdateReady)
            data-msg-update-reload=t(Msg::UpdateReload)
            data-msg-install-offer=t(Msg::InstallOffer)
            data-msg-install-action=t(Msg::InstallAction)
            data-msg-install-later=t(Msg::InstallLater)
            data-msg-install-ios=t(Msg::InstallIos)
            data-msg-shared-photo-added=t(Msg::SharedPhotoAdded)
        ></div>
        <div id="pwa-notice" class="pwa-notice" role="status" aria-live="polite"></div>
    }
}

/// Where the requests saved on this phone are listed (home, filing and
/// offline pages); pwa.js shows it when there are any.
#[component]
pub fn OutboxList() -> impl IntoView {
    view! {
        <section id="outbox" class="card outbox" data-testid="outbox" aria-labelledby="outbox-title" hidden>
            <h2 id="outbox-title">{t(Msg::OutboxTitle)}</h2>
            <ul class="outbox-list"></ul>
        </section>
    }
}
