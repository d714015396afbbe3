//! Pasokh (پاسخ): the Leptos app and the contract the server and the browser share.
//!
//! Rendering mode: islands. Every page is rendered on the server; only the small
//! interactive pieces marked `#[island]` ship to the browser as wasm. See the
//! README's architecture section for the size budget behind this choice.
#![recursion_limit = "256"]

#[cfg(feature = "ssr")]
pub mod api;
pub mod components;
pub mod error;
pub mod i18n;
pub mod model;
#[cfg(feature = "ssr")]
pub mod pages;
#[cfg(feature = "ssr")]
pub mod shell;

#[cfg(feature = "ssr")]
pub use shell::{shell, App};

/// Browser entry point: wakes the islands that the server rendered.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_islands();
}
