//! One module per route.

pub mod feedback;
pub mod home;
pub mod kiosk;
pub mod mine;
pub mod not_found;
pub mod offline;
pub mod report;
pub mod signin;
pub mod staff;
pub mod track;
