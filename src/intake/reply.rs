//! What the engine says: messages (rendered later in the reporter's language) with choices.

use crate::i18n::Msg;

#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub text: Msg,
    pub choices: Vec<Choice>,
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
        }
    }

    pub fn key(key: &'static str) -> Reply {
        Reply::text(Msg::new(key))
    }

    pub fn with_choices(msg: Msg, choices: Vec<Choice>) -> Reply {
        Reply { text: msg, choices }
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
