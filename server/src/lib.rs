//! Pasokh's server: storage, services, the REST API and the server-rendered
//! app. A library so integration tests start the real thing on port 0.
// Leptos view types nest deeply; the server instantiates them all.
#![recursion_limit = "256"]

pub mod assets;
pub mod auth;
pub mod clock;
pub mod config;
pub mod error;
pub mod forms;
pub mod jobs;
pub mod media;
pub mod metrics;
pub mod net;
pub mod notify;
pub mod push;
pub mod rest;
pub mod routes;
pub mod seed;
pub mod services;
pub mod sms;
pub mod staff_forms;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod web;

/// Current Unix time in seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}
