//! Flood limits, on with `enforce_limits`: deliveries counted per chat and overall within
//! sliding windows.

use super::methods::State;
use std::collections::VecDeque;
use std::time::Duration;
use tokio::time::Instant;

impl State {
    /// Seconds until one more delivery to `chat` is allowed, if it is not allowed now.
    pub(super) fn limit_wait(&self, chat: i64, now: Instant) -> Option<u32> {
        let (window, max) = if chat > 0 {
            (Duration::from_secs(1), 1)
        } else {
            (Duration::from_secs(60), 20)
        };
        let wait = [
            window_wait(self.sent_at.get(&chat), now, window, max),
            window_wait(Some(&self.sent_all), now, Duration::from_secs(1), 30),
        ]
        .into_iter()
        .flatten()
        .max()?;
        Some(wait.as_millis().div_ceil(1000).max(1) as u32)
    }

    pub(super) fn count_send(&mut self, chat: i64, now: Instant) {
        let keep = |q: &mut VecDeque<Instant>| {
            q.push_back(now);
            while q
                .front()
                .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
            {
                q.pop_front();
            }
        };
        keep(self.sent_at.entry(chat).or_default());
        keep(&mut self.sent_all);
    }
}

/// Where one more delivery must wait, if `max` already happened within `window`.
fn window_wait(sent: Option<&VecDeque<Instant>>, now: Instant, window: Duration, max: usize) -> Option<Duration> {
    let inside: Vec<Instant> = sent?
        .iter()
        .copied()
        .filter(|t| now.duration_since(*t) < window)
        .collect();
    // Allowed again once enough of them left the window to leave room for one.
    (inside.len() >= max).then(|| inside[inside.len() - max] + window - now)
}
