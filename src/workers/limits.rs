//! A platform's sending limits, kept by the sender itself so that it never meets a refusal
//! for speed in normal running. Telegram: at most 1 message a second to a private chat, 20 a
//! minute to a group, 30 a second overall. WhatsApp: a number's throughput (80 a second by
//! default) and a pace per recipient. Sliding windows over the moments of the last sends.

use crate::store::outbox::RecentSend;
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

    /// The longest window of the three: what a sender must know of the past to keep them.
    pub fn longest(&self) -> Duration {
        self.private_chat.window.max(self.group.window).max(self.overall.window)
    }

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

    /// Adds a send, keeping the moments in order (sends read back from the outbox come in
    /// no particular order).
    fn add(&mut self, at: Instant) {
        let i = self.sent.partition_point(|t| *t <= at);
        self.sent.insert(i, at);
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
        if let Err(overall) = self.check_overall(now) {
            at = at.max(overall);
        }
        if at <= now { Ok(()) } else { Err(at) }
    }

    /// `Ok` when the platform-wide limits let a message to anyone go now; else the moment
    /// they will.
    pub fn check_overall(&mut self, now: Instant) -> Result<(), Instant> {
        let mut at = self.overall.next(self.limits.overall, now);
        if let Some(p) = self.paused_all.filter(|p| *p > now) {
            at = at.max(p);
        }
        if at <= now { Ok(()) } else { Err(at) }
    }

    /// When `chat` last got a message, as far as this limiter remembers (`None`: not
    /// within any window).
    pub fn last_sent(&self, chat: &str) -> Option<Instant> {
        self.chats.get(chat)?.sent.back().copied()
    }

    /// A message went to `chat` at `at` (also a send made by an earlier process, read back
    /// from the outbox by `seeded`).
    pub fn record(&mut self, chat: &str, at: Instant) {
        self.chats.entry(chat.to_owned()).or_default().add(at);
        self.overall.add(at);
    }

    /// A limiter that knows the sends made in the last window and the waits the platform
    /// asked for that are not over: a sender taking over after a restart or from another
    /// replica keeps the limits the one before it was keeping.
    pub fn seeded(limits: Limits, now: Instant, sent: &[RecentSend]) -> Limiter {
        let mut l = Limiter::new(limits);
        for s in sent {
            // A send older than this clock's start is older than any window too.
            if let Some(at) = now.checked_sub(s.ago).filter(|_| s.ago < limits.longest()) {
                l.record(&s.chat_id, at);
            }
            match (s.wait_left, s.all_chats) {
                (Some(left), true) => l.pause_all(now + left),
                (Some(left), false) => l.pause(&s.chat_id, now + left),
                (None, _) => {}
            }
        }
        l
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
        let longest = self.limits.longest();
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
    fn a_seeded_limiter_keeps_the_windows_and_waits_of_the_sends_before_it() {
        let t0 = Instant::now() + Duration::from_secs(3600);
        let sent = |chat: &str, ago: Duration, wait_left: Option<Duration>, all_chats: bool| RecentSend {
            chat_id: chat.to_owned(),
            ago,
            wait_left,
            all_chats,
        };
        let mut before: Vec<RecentSend> = (0..20)
            .map(|i| sent("-100", Duration::from_secs(i), None, false))
            .collect();
        before.push(sent("42", Duration::from_millis(400), None, false));
        before.push(sent("43", Duration::from_secs(90), None, false));
        before.push(sent("44", Duration::from_secs(5), Some(Duration::from_secs(25)), false));
        let mut l = Limiter::seeded(Limits::TELEGRAM, t0, &before);
        // The oldest of the group's 20 went 19 s ago: the 21st may go 41 s from now.
        assert_eq!(l.check("-100", t0), Err(t0 + Duration::from_secs(41)));
        assert_eq!(l.check("42", t0), Err(t0 + Duration::from_millis(600)));
        assert_eq!(l.check("43", t0), Ok(()), "outside every window");
        assert_eq!(
            l.check("44", t0),
            Err(t0 + Duration::from_secs(25)),
            "the asked wait holds"
        );
        let everyone = [sent("45", Duration::from_secs(2), Some(Duration::from_secs(3)), true)];
        let mut l = Limiter::seeded(Limits::TELEGRAM, t0, &everyone);
        assert_eq!(l.check("46", t0), Err(t0 + Duration::from_secs(3)));
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
