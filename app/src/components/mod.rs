//! Reusable view pieces. Islands (`#[island]`) are the only code that reaches
//! the browser; they take ready, translated strings as props.

pub mod locate;
pub mod track_box;
