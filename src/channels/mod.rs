//! Channels: each turns its platform's updates into `Inbound` and delivers `Outbound`.

pub mod telegram;
pub mod terminal;
