//! The conversation state of one chat, stored as jsonb between messages.

use crate::domain::{Attachment, Level, Scope, Slot};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `s` trimmed and cut to `max` characters, with "…" where it was cut.
pub(super) fn clip(s: &str, max: usize) -> String {
    let s = s.trim();
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// A draft keeps at most this many messages of the reporter's account, each at most
/// this long, and this many attachments: the state is rewritten on every message.
const MAX_SAID: usize = 20;
const MAX_SAID_CHARS: usize = 4000;
const MAX_ATTACHMENTS: usize = 20;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// No report in progress.
    #[default]
    Idle,
    /// A report is being put together; `asking` is the question the reporter last saw.
    Reporting { draft: Box<Draft>, asking: Question },
}

/// What the bot last asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "q", rename_all = "snake_case")]
pub enum Question {
    /// A slot of the 5W1H (for incidents "who" asks the impact, "how" the urgency).
    Slot {
        slot: Slot,
    },
    /// Which kind of problem, when the words did not tell.
    Category,
    /// Which service within a category (when changing it from the summary).
    Service,
    Name,
    Unit,
    /// A knowledge-base article offered (the last of `Draft::offers`): did it help?
    Article,
    /// Summary shown: Benar / Ubah / Batal.
    Confirm,
    /// Which part to change.
    Change,
}

/// A report in the making.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub started_at: DateTime<Utc>,
    /// The reporter's own account of the problem, message by message.
    pub said: Vec<Said>,
    /// Answers typed to the slot questions, as written; `None` when the reporter does not know.
    #[serde(default)]
    pub answers: BTreeMap<Slot, Option<String>>,
    /// Settled by a button or a clear answer; these win over what the text implies.
    #[serde(default)]
    pub urgency: Option<Level>,
    #[serde(default)]
    pub impact: Option<Level>,
    #[serde(default)]
    pub scope: Option<Scope>,
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    /// Chosen by the reporter (a button), overriding the classifier.
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Questions already asked once: asked again only when changing from the summary.
    #[serde(default)]
    pub asked: Vec<Question>,
    /// Changing one field from the summary: go back to the summary after the answer.
    #[serde(default)]
    pub reviewing: bool,
    /// Name and unit given during this report (also saved to the reporter's profile).
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    /// Knowledge-base articles offered during this report, in order (at most two).
    #[serde(default)]
    pub offers: Vec<Offer>,
}

/// An article offered to the reporter before a ticket (Level 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    pub article: String,
    pub title: String,
    pub score: f32,
    pub at: DateTime<Utc>,
    /// The reporter's answer: it fixed the problem, or not yet.
    #[serde(default)]
    pub helped: Option<bool>,
    /// Another article that fits, offered if the reporter asks for another way.
    #[serde(default)]
    pub spare: Option<Spare>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spare {
    pub article: String,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Said {
    pub text: String,
    pub at: DateTime<Utc>,
}

impl Draft {
    pub fn new(at: DateTime<Utc>) -> Draft {
        Draft {
            started_at: at,
            said: Vec::new(),
            answers: BTreeMap::new(),
            urgency: None,
            impact: None,
            scope: None,
            occurred_at: None,
            category: None,
            service: None,
            attachments: Vec::new(),
            asked: Vec::new(),
            reviewing: false,
            name: None,
            unit: None,
            offers: Vec::new(),
        }
    }

    /// Articles offered that did not fix the problem (recorded on the ticket).
    pub fn tried(&self) -> impl Iterator<Item = &Offer> {
        self.offers.iter().filter(|o| o.helped != Some(true))
    }

    /// Adds a message to the reporter's account of the problem. The draft keeps the first
    /// messages, each cut to a length; every message stays whole in the inbound record.
    pub fn tell(&mut self, text: &str, at: DateTime<Utc>) {
        if self.said.len() < MAX_SAID {
            self.said.push(Said {
                text: clip(text, MAX_SAID_CHARS),
                at,
            });
        }
    }

    /// The reporter's account, message by message, as one text.
    pub fn narrative(&self) -> String {
        self.said.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join("\n")
    }

    /// Keeps a photo or document with the report (the first ones, by their file ids).
    pub fn attach(&mut self, a: &Attachment) {
        if self.attachments.len() < MAX_ATTACHMENTS && !self.attachments.contains(a) {
            self.attachments.push(a.clone());
        }
    }

    pub fn was_asked(&self, q: Question) -> bool {
        self.asked.contains(&q)
    }

    pub fn mark_asked(&mut self, q: Question) {
        if !self.asked.contains(&q) {
            self.asked.push(q);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_stays_bounded_however_much_is_sent() {
        let mut d = Draft::new(Utc::now());
        for i in 0..100 {
            d.tell(&format!("pesan {i} {}", "x".repeat(10_000)), Utc::now());
            d.attach(&Attachment {
                kind: "photo".into(),
                file_id: format!("f{i}"),
                file_name: None,
                mime_type: None,
            });
        }
        assert_eq!(d.said.len(), MAX_SAID);
        assert!(d.said.iter().all(|s| s.text.chars().count() <= MAX_SAID_CHARS + 1));
        assert!(d.said[0].text.starts_with("pesan 0 "), "the first account is kept");
        assert_eq!(d.attachments.len(), MAX_ATTACHMENTS);
        let same = d.attachments[0].clone();
        d.attachments.truncate(1);
        d.attach(&same);
        assert_eq!(d.attachments.len(), 1, "a repeated file is kept once");
    }
}
