//! "Use my location": an island in the filing form's location fieldset. It
//! watches the position for up to ten seconds, keeps the most accurate fix,
//! and writes latitude, longitude and accuracy into the form's own inputs, so
//! the citizen sees (and may correct) what will be sent. Without JavaScript
//! the button stays hidden and the typed fields are the whole path.

use leptos::prelude::*;

/// How long to keep improving the fix.
#[cfg(feature = "hydrate")]
const WATCH_MS: i32 = 10_000;
/// Good enough to stop early, in metres.
#[cfg(feature = "hydrate")]
const GOOD_ENOUGH_M: f64 = 15.0;

/// The status line after a fix: the template's `{}` becomes the accuracy.
#[cfg(any(feature = "hydrate", test))]
fn fix_message(template: &str, accuracy_m: f64, persian: bool) -> String {
    let metres = (accuracy_m.round() as i64).to_string();
    let metres = if persian {
        crate::model::digits::to_persian(&metres)
    } else {
        metres
    };
    template.replacen("{}", &metres, 1)
}

/// The button and its status line.
#[island]
pub fn LocateButton(
    label: String,
    locating: String,
    /// e.g. "موقعیت شما با دقت حدود {} متر ثبت شد."
    fixed: String,
    failed: String,
    persian: bool,
) -> impl IntoView {
    let (ready, set_ready) = signal(false);
    let (status, set_status) = signal(String::new());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| set_ready.set(true));
    #[cfg(not(feature = "hydrate"))]
    let _ = (set_ready, &fixed, &failed, persian);
    let on_click = move |_| {
        set_status.set(locating.clone());
        #[cfg(feature = "hydrate")]
        watch(fixed.clone(), failed.clone(), persian, set_status);
    };
    view! {
        <div class="locate">
            <button type="button" class="button" data-testid="locate" hidden=move || !ready.get() on:click=on_click>
                {label}
            </button>
            <p class="hint" id="locate-status" role="status" aria-live="polite">{move || status.get()}</p>
        </div>
    }
}

#[cfg(feature = "hydrate")]
fn set_input(id: &str, value: &str) {
    use wasm_bindgen::JsCast;
    if let Some(input) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        input.set_value(value);
    }
}

/// Tells the page's enhancement script (map, nearby check) about a new fix:
/// `pasokh:located` on the form, with `{lat, lon, accuracy}` as detail.
#[cfg(feature = "hydrate")]
fn announce(lat: f64, lon: f64, accuracy: f64) {
    use wasm_bindgen::JsValue;
    let Some(form) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("report-form"))
    else {
        return;
    };
    let detail = js_sys::Object::new();
    for (k, v) in [("lat", lat), ("lon", lon), ("accuracy", accuracy)] {
        let _ = js_sys::Reflect::set(&detail, &JsValue::from_str(k), &JsValue::from_f64(v));
    }
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_detail(&detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict("pasokh:located", &init) {
        let _ = form.dispatch_event(&event);
    }
}

#[cfg(feature = "hydrate")]
fn watch(fixed: String, failed: String, persian: bool, set_status: WriteSignal<String>) {
    use std::{cell::Cell, rc::Rc};
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};

    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(geo) = window.navigator().geolocation() else {
        set_status.set(failed);
        return;
    };
    let best = Rc::new(Cell::new(f64::INFINITY));
    let watch_id = Rc::new(Cell::new(None::<i32>));
    let stop = {
        let geo = geo.clone();
        let watch_id = watch_id.clone();
        move || {
            if let Some(id) = watch_id.take() {
                geo.clear_watch(id);
            }
        }
    };
    let on_fix = {
        let best = best.clone();
        let stop = stop.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |pos: JsValue| {
            let coords = pos.unchecked_into::<web_sys::Position>().coords();
            let accuracy = coords.accuracy();
            if accuracy < best.get() {
                best.set(accuracy);
                set_input("lat", &format!("{:.6}", coords.latitude()));
                set_input("lon", &format!("{:.6}", coords.longitude()));
                set_input("accuracy_m", &format!("{accuracy:.0}"));
                set_status.set(fix_message(&fixed, accuracy, persian));
                announce(coords.latitude(), coords.longitude(), accuracy);
            }
            if accuracy <= GOOD_ENOUGH_M {
                stop();
            }
        })
    };
    let on_error = {
        let best = best.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |_err: JsValue| {
            if best.get().is_infinite() {
                set_status.set(failed.clone());
            }
        })
    };
    let options = web_sys::PositionOptions::new();
    options.set_enable_high_accuracy(true);
    options.set_timeout(WATCH_MS as u32);
    options.set_maximum_age(0);
    match geo.watch_position_with_error_callback_and_options(
        on_fix.as_ref().unchecked_ref(),
        Some(on_error.as_ref().unchecked_ref()),
        &options,
    ) {
        Ok(id) => watch_id.set(Some(id)),
        Err(_) => return,
    }
    // The callbacks live as long as the page; a watch ends by itself below.
    on_fix.forget();
    on_error.forget();
    let timer = Closure::once_into_js(stop);
    let _ = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(timer.unchecked_ref(), WATCH_MS);
}

#[cfg(test)]
mod tests {
    use super::fix_message;

    #[test]
    fn accuracy_is_rounded_and_localised() {
        assert_eq!(fix_message("دقت {} متر", 12.4, true), "دقت ۱۲ متر");
        assert_eq!(fix_message("within {} m", 7.6, false), "within 8 m");
    }
}
