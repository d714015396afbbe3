//! The app's side of the contract with the server (ssr only): the services
//! pages and server functions call, declared as traits here and implemented
//! in `server`, which provides them as context. The app never sees sqlx.

pub mod ports;
