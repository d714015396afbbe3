//! Integration tests: the real server on port 0 with a fresh database, over
//! HTTP. Every case runs on SQLite, and on PostgreSQL too when
//! `PASOKH_TEST_DATABASE_URL` is set (CI sets it).

mod accountability;
mod citizen;
mod complaints;
mod council;
mod feedback;
mod foundation;
mod helpers;
mod kiosk;
mod ops;
mod push;
mod report_card;
mod rest;
mod settings;
mod shell;
mod staff;
mod storage;
