//! Sessions, staff passwords and roles.

pub mod otp;
pub mod password;
pub mod session;
pub mod staff;

pub use app::model::Role;
