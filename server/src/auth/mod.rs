//! Sessions, staff passwords and roles.

pub mod otp;
pub mod password;
pub mod role;
pub mod session;

pub use role::Role;
