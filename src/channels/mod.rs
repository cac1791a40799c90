//! Channels: each turns its platform's updates into `Inbound` and delivers `Outbound`.

pub mod telegram;
pub mod terminal;
pub mod text;
pub mod whatsapp;

use std::time::Duration;

/// What became of one outbox row handed to a channel, as the sender must act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Done; the platform's id of the (last) message sent, when one was.
    Sent(Option<String>),
    /// One part of a message that leaves as several went (its platform id); the rest
    /// goes next, each part in its own transaction and within the limits.
    Part(String),
    /// Nothing to send (a card superseded by a newer one, an edit the platform cannot
    /// make): done, with why.
    Skipped(String),
    /// Too fast for this recipient: try again after this long, others go on.
    RetryAfter(Duration),
    /// Too fast for the platform: every send waits this long.
    SlowDown(Duration),
    /// The recipient blocked us or is gone: stop sending to them.
    Unreachable(String),
    /// Refused for good (a 4xx): dead-letter with the reason.
    Rejected(String),
    /// The platform or the network failed: retry with backoff.
    Failed(String),
}
