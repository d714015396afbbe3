//! The tracking-code box: a plain GET form to `/track` that, once its island
//! wakes, checks the code as it is typed (length and Damm check digit) so a
//! typo is caught before the round trip.

use crate::model::tracking_code::{TrackingCode, TrackingCodeError};
use leptos::prelude::*;

/// Validation state shown under the input; also exposed as `data-state`.
fn state_of(input: &str) -> &'static str {
    if input.trim().is_empty() {
        return "";
    }
    match TrackingCode::parse(input) {
        Ok(_) => "ok",
        Err(TrackingCodeError::TooShort) => "short",
        Err(TrackingCodeError::TooLong) => "long",
        Err(TrackingCodeError::BadCheckDigit) => "invalid",
    }
}

/// Tracking-code form with live validation.
#[island]
pub fn TrackBox(
    label: String,
    hint: String,
    action: String,
    msg_short: String,
    msg_long: String,
    msg_invalid: String,
    msg_ok: String,
) -> impl IntoView {
    let (state, set_state) = signal("");
    // Effects run only in the browser: `data-live` appears once the island
    // has woken and checks codes as they are typed (styles and tests read it).
    let (live, set_live) = signal(false);
    Effect::new(move |_| set_live.set(true));
    let message = move || match state.get() {
        "short" => msg_short.clone(),
        "long" => msg_long.clone(),
        "invalid" => msg_invalid.clone(),
        "ok" => msg_ok.clone(),
        _ => String::new(),
    };
    view! {
        <form
            class="track-form"
            data-testid="track-form"
            method="get"
            action="/track"
            data-live=move || live.get().then_some("")
        >
            <label for="track-code">{label}</label>
            <div class="input-row">
                <input
                    id="track-code"
                    name="code"
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    dir="ltr"
                    maxlength="24"
                    required
                    aria-describedby="track-code-hint track-code-feedback"
                    on:input=move |ev| set_state.set(state_of(&event_target_value(&ev)))
                />
                <button type="submit" class="button button-primary">{action}</button>
            </div>
            <p id="track-code-hint" class="hint">{hint}</p>
            <p
                id="track-code-feedback"
                class="feedback"
                role="status"
                aria-live="polite"
                data-state=move || state.get()
            >
                {message}
            </p>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::state_of;

    #[test]
    fn states_follow_the_parser() {
        assert_eq!(state_of(""), "");
        assert_eq!(state_of("۱۲۳۴۵"), "short");
        assert_eq!(state_of("12345678901"), "long");
        assert_eq!(state_of("1234567890"), "invalid");
        assert_eq!(state_of("1234567894"), "ok");
    }
}
