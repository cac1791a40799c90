//! The message model every channel shares: what comes in, what goes out.
//!
//! Channels translate their platform's updates into `Inbound` and render `Outbound`;
//! the conversation engine sees only these types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Terminal,
    Telegram,
    WhatsApp,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Terminal => "terminal",
            Channel::Telegram => "telegram",
            Channel::WhatsApp => "whatsapp",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Channel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Channel::Terminal, Channel::Telegram, Channel::WhatsApp]
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown channel `{s}`"))
    }
}

/// One message from a person, as a channel received it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inbound {
    pub channel: Channel,
    /// The platform's id for this delivery (Telegram update id, WhatsApp `wamid`):
    /// the same id twice is the same message, handled once.
    pub message_id: String,
    /// Where replies go (a private chat, a phone number).
    pub chat_id: String,
    /// Who wrote it, in the platform's terms.
    pub sender_id: String,
    /// The name the platform shows for the sender, when it has one.
    pub sender_name: Option<String>,
    pub received_at: DateTime<Utc>,
    pub content: Content,
    /// The button pressed, when the message is a press: its message is closed after the
    /// press is handled, so the same question cannot be answered twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pressed: Option<Pressed>,
}

/// Where a pressed button sat, so the channel can acknowledge the press and close it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pressed {
    /// The platform's id for the press, to answer it (Telegram's callback query id).
    pub query_id: Option<String>,
    /// The message that carried the button.
    pub message_id: String,
    /// That message's text, kept when its buttons are taken away.
    pub text: String,
    /// The label of the button pressed, shown under the text as the answer given.
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Content {
    /// Typed text, including commands such as `/status`.
    Text { text: String },
    /// A button pressed (or a numbered option typed in the terminal).
    Choice { id: String },
    /// A photo, screenshot or document; its caption is read like typed text.
    Media {
        attachment: Attachment,
        caption: Option<String>,
    },
    /// A shared location.
    Location {
        latitude: f64,
        longitude: f64,
        label: Option<String>,
    },
    /// A sticker, voice note, contact card or anything else without words to read.
    Unsupported { what: String },
}

/// A file kept with a report: the platform's file id, not the bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// photo, document, video …
    pub kind: String,
    pub file_id: String,
    pub file_name: Option<String>,
    pub mime_type: Option<String>,
}

/// A message to send, already in the recipient's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outbound {
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<OutChoice>,
    /// The recipient is asked to type an answer (Telegram opens a reply for them).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub expects_reply: bool,
    /// People named in the text who should be notified.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<Mention>,
    /// What the message tells about a ticket, for a channel that may at times send only
    /// pre-approved forms of a message (WhatsApp outside its 24-hour window).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<About>,
}

/// The gist of a message sent unasked, in a few fixed parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum About {
    /// The ticket's status changed; `status` is its label in the recipient's language.
    Status { number: String, status: String },
    /// The ticket was resolved: is it back to normal? The choices are the answers.
    Confirm { number: String },
    /// The survey about the ticket waits for an answer; the choices answer it.
    Survey { number: String },
}

/// Someone named in a message who should be notified (on Telegram, a mention).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// The platform's user id.
    pub user_id: i64,
    /// The words of the text that name them; their first occurrence becomes the mention.
    pub name: String,
}

impl Outbound {
    pub fn text(text: impl Into<String>) -> Outbound {
        Outbound {
            text: text.into(),
            choices: Vec::new(),
            expects_reply: false,
            mentions: Vec::new(),
            about: None,
        }
    }

    pub fn about(mut self, about: About) -> Outbound {
        self.about = Some(about);
        self
    }
}

/// A button: `id` comes back in `Content::Choice` (short: Telegram allows 64 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutChoice {
    pub id: String,
    pub label: String,
}
