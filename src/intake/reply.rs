//! What the engine says: messages (rendered later in the reporter's language) with choices.

use crate::domain::About;
use crate::i18n::Msg;

#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub text: Msg,
    pub choices: Vec<Choice>,
    /// For a message that may reach the reporter long after they last wrote.
    pub about: Option<About>,
}

/// A button. `id` comes back when pressed; typed answers are matched to it too.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub id: String,
    pub label: Msg,
}

impl Reply {
    pub fn text(msg: Msg) -> Reply {
        Reply {
            text: msg,
            choices: Vec::new(),
            about: None,
        }
    }

    pub fn key(key: &'static str) -> Reply {
        Reply::text(Msg::new(key))
    }

    pub fn with_choices(msg: Msg, choices: Vec<Choice>) -> Reply {
        Reply {
            text: msg,
            choices,
            about: None,
        }
    }

    pub fn about(mut self, about: About) -> Reply {
        self.about = Some(about);
        self
    }
}

impl Choice {
    pub fn new(id: impl Into<String>, label: Msg) -> Choice {
        Choice { id: id.into(), label }
    }

    pub fn key(id: impl Into<String>, key: &'static str) -> Choice {
        Choice::new(id, Msg::new(key))
    }
}
