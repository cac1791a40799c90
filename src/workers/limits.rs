//! A platform's sending limits, kept by the sender itself so that it never meets a refusal
//! for speed in normal running. Telegram: at most 1 message a second to a private chat, 20 a
//! minute to a group, 30 a second overall. WhatsApp: a number's throughput (80 a second by
//! default) and a pace per recipient. Sliding windows over the moments of the last sends.

use std::collections::{HashMap, VecDeque};
use tokio::time::{Duration, Instant};

/// At most `count` sends in any `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: usize,
    pub window: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub private_chat: Rate,
    pub group: Rate,
    pub overall: Rate,
}

impl Limits {
    pub const TELEGRAM: Limits = Limits {
        private_chat: Rate {
            count: 1,
            window: Duration::from_secs(1),
        },
        group: Rate {
            count: 20,
            window: Duration::from_secs(60),
        },
        overall: Rate {
            count: 30,
            window: Duration::from_secs(1),
        },
    };

    /// WhatsApp Cloud API: `per_second` messages a second for the number; to one person
    /// Meta allows a burst, then about one message in 6 s: at most `burst` in any
    /// `burst` × 6 s.
    pub fn whatsapp(per_second: usize, burst: usize) -> Limits {
        let burst = burst.max(1);
        let person = Rate {
            count: burst,
            window: Duration::from_secs(6) * u32::try_from(burst).unwrap_or(u32::MAX),
        };
        Limits {
            private_chat: person,
            group: person,
            overall: Rate {
                count: per_second.max(1),
                window: Duration::from_secs(1),
            },
        }
    }
}

#[derive(Debug, Default)]
struct Window {
    sent: VecDeque<Instant>,
}

impl Window {
    /// When the next send may go: now, or when the oldest send in the window leaves it.
    fn next(&mut self, rate: Rate, now: Instant) -> Instant {
        while self.sent.front().is_some_and(|t| now.duration_since(*t) >= rate.window) {
            self.sent.pop_front();
        }
        if self.sent.len() < rate.count {
            now
        } else {
            self.sent[self.sent.len() - rate.count] + rate.window
        }
    }
}

/// The sender's memory of what it sent and when, and of the pauses Telegram asked for.
#[derive(Debug)]
pub struct Limiter {
    limits: Limits,
    chats: HashMap<String, Window>,
    overall: Window,
    paused: HashMap<String, Instant>,
    /// Every chat waits until then (the platform said the whole account is too fast).
    paused_all: Option<Instant>,
}

impl Limiter {
    pub fn new(limits: Limits) -> Limiter {
        Limiter {
            limits,
            chats: HashMap::new(),
            overall: Window::default(),
            paused: HashMap::new(),
            paused_all: None,
        }
    }

    fn rate(&self, chat: &str) -> Rate {
        // Telegram's group and channel ids are negative; people's are positive.
        if chat.starts_with('-') {
            self.limits.group
        } else {
            self.limits.private_chat
        }
    }

    /// `Ok` when a message to `chat` may go now; else the moment it may.
    pub fn check(&mut self, chat: &str, now: Instant) -> Result<(), Instant> {
        let rate = self.rate(chat);
        let mut at = self.chats.entry(chat.to_owned()).or_default().next(rate, now);
        if let Some(p) = self.paused.get(chat) {
            if *p > now {
                at = at.max(*p);
            } else {
                self.paused.remove(chat);
            }
        }
        if let Some(p) = self.paused_all.filter(|p| *p > now) {
            at = at.max(p);
        }
        at = at.max(self.overall.next(self.limits.overall, now));
        if at <= now { Ok(()) } else { Err(at) }
    }

    /// A message went to `chat` at `now`.
    pub fn record(&mut self, chat: &str, now: Instant) {
        self.chats.entry(chat.to_owned()).or_default().sent.push_back(now);
        self.overall.sent.push_back(now);
    }

    /// Telegram said to wait (429 retry_after).
    pub fn pause(&mut self, chat: &str, until: Instant) {
        let p = self.paused.entry(chat.to_owned()).or_insert(until);
        *p = (*p).max(until);
    }

    /// The platform said every send must wait.
    pub fn pause_all(&mut self, until: Instant) {
        self.paused_all = Some(self.paused_all.map_or(until, |p| p.max(until)));
    }

    /// Forgets chats idle for longer than any window, so memory stays small.
    pub fn tidy(&mut self, now: Instant) {
        let longest = self.limits.group.window.max(self.limits.private_chat.window);
        self.chats
            .retain(|_, w| w.sent.back().is_some_and(|t| now.duration_since(*t) < longest));
        self.paused.retain(|_, p| *p > now);
        self.paused_all = self.paused_all.filter(|p| *p > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_chat_one_a_second_group_twenty_a_minute_overall_thirty_a_second() {
        let t0 = Instant::now();
        let mut l = Limiter::new(Limits::TELEGRAM);
        assert_eq!(l.check("42", t0), Ok(()));
        l.record("42", t0);
        assert_eq!(l.check("42", t0), Err(t0 + Duration::from_secs(1)));
        assert_eq!(l.check("42", t0 + Duration::from_secs(1)), Ok(()));

        for i in 0..20 {
            let at = t0 + Duration::from_secs(i);
            assert_eq!(l.check("-100", at), Ok(()), "group message {i}");
            l.record("-100", at);
        }
        let at = t0 + Duration::from_secs(20);
        assert_eq!(l.check("-100", at), Err(t0 + Duration::from_secs(60)));

        let mut l = Limiter::new(Limits::TELEGRAM);
        for i in 0..30 {
            let chat = i.to_string();
            assert_eq!(l.check(&chat, t0), Ok(()));
            l.record(&chat, t0);
        }
        assert_eq!(l.check("999", t0), Err(t0 + Duration::from_secs(1)));
    }

    #[test]
    fn a_pause_holds_the_chat() {
        let t0 = Instant::now();
        let mut l = Limiter::new(Limits::TELEGRAM);
        l.pause("42", t0 + Duration::from_secs(5));
        assert_eq!(l.check("42", t0), Err(t0 + Duration::from_secs(5)));
        assert_eq!(l.check("43", t0), Ok(()));
        assert_eq!(l.check("42", t0 + Duration::from_secs(5)), Ok(()));
        l.tidy(t0 + Duration::from_secs(100));
        assert!(l.chats.is_empty() && l.paused.is_empty());
    }
}
