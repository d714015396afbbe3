//! Shared domain types. Each is validated by a `parse()` that runs in the
//! browser for instant feedback and on the server as the authority.

pub mod action;
pub mod calendar;
pub mod complaint;
pub mod digits;
pub mod geo;
pub mod phone;
pub mod question;
pub mod report;
pub mod role;
pub mod status;
pub mod text;
pub mod tracking_code;

pub use action::StaffAction;
pub use geo::GeoPoint;
pub use phone::PhoneNumber;
pub use role::{Grant, Role};
pub use status::{PublicStatus, Status};
pub use tracking_code::TrackingCode;

/// `n` random bytes as lowercase hex: session tokens, form keys.
#[cfg(feature = "ssr")]
pub fn random_hex(n: usize) -> String {
    (0..n)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}
