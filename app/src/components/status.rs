//! How a complaint's status and the tracking-code form look wherever they
//! appear (home, tracking, my complaints).

use crate::{
    components::track_box::TrackBox,
    i18n::{t, Msg},
    model::PublicStatus,
};
use leptos::prelude::*;

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

/// A public status as a coloured label.
pub fn status_view(status: PublicStatus) -> impl IntoView {
    view! { <span class=status_class(status)>{t(status_msg(status))}</span> }
}

pub fn status_msg(status: PublicStatus) -> Msg {
    match status {
        PublicStatus::Received => Msg::StatusReceived,
        PublicStatus::InProgress => Msg::StatusInProgress,
        PublicStatus::Done => Msg::StatusDone,
        PublicStatus::Closed => Msg::StatusClosed,
    }
}

pub fn status_class(status: PublicStatus) -> &'static str {
    match status {
        PublicStatus::Received => "status status-received",
        PublicStatus::InProgress => "status status-progress",
        PublicStatus::Done => "status status-done",
        PublicStatus::Closed => "status status-closed",
    }
}
