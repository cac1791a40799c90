//! Sigap: a chat-bot service desk for Indonesian government IT units.
//!
//! A report flows one way: a channel turns a platform update into an `Inbound`; `ingest`
//! records it, runs the pure conversation engine (`intake::step`) and applies its effects
//! in one PostgreSQL transaction; replies wait in the outbox until a sender delivers them.

pub mod analyze;
pub mod app;
pub mod calendar;
pub mod channels;
pub mod cli;
pub mod closing;
pub mod config;
pub mod desk;
pub mod domain;
pub mod i18n;
pub mod ingest;
pub mod intake;
pub mod knowledge;
pub mod metrics;
pub mod report;
pub mod set_aside;
pub mod store;
pub mod telemetry;
pub mod web;
pub mod workers;
