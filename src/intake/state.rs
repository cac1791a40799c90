//! The conversation state of one chat, stored as jsonb between messages.

use crate::domain::{Attachment, Level, Scope, Slot};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
