//! Sessions, staff passwords and roles.

pub mod password;
pub mod role;

pub use role::Role;
