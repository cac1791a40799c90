//! The Cloud API's message-sending wire format (`POST /{version}/{phone-number-id}/messages`),
//! covering only what Sigap sends: text, reply buttons, lists and templates.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Limits the API enforces, in characters.
pub const TEXT_MAX: usize = 4096;
pub const BUTTONS_MAX: usize = 3;
pub const BUTTON_TITLE_MAX: usize = 20;
/// An interactive message's body.
pub const BUTTON_BODY_MAX: usize = 1024;
pub const LIST_ROWS_MAX: usize = 10;
pub const ROW_TITLE_MAX: usize = 24;
pub const ROW_DESCRIPTION_MAX: usize = 72;
pub const LIST_BUTTON_MAX: usize = 20;
/// A template's text parameter (the body's whole text may not pass 1024).
pub const PARAM_MAX: usize = 900;

/// One message to one person, as the API's JSON body.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Text(String),
    Buttons {
        body: String,
        /// (id, title)
        buttons: Vec<(String, String)>,
    },
    List {
        body: String,
        button: String,
        /// (id, title, description)
        rows: Vec<(String, String, Option<String>)>,
    },
    Template {
        name: String,
        language: String,
        params: Vec<String>,
        /// Payloads of the template's quick-reply buttons, in order.
        quick_replies: Vec<String>,
    },
}

impl Message {
    pub fn is_template(&self) -> bool {
        matches!(self, Message::Template { .. })
    }

    /// The request body for `to`.
    pub fn body(&self, to: &str) -> Value {
        let mut body = json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": to});
        let (kind, content) = match self {
            Message::Text(text) => ("text", json!({"body": text, "preview_url": false})),
            Message::Buttons { body, buttons } => (
                "interactive",
                json!({
                    "type": "button",
                    "body": {"text": body},
                    "action": {"buttons": buttons.iter().map(|(id, title)| json!({
                        "type": "reply", "reply": {"id": id, "title": title}
                    })).collect::<Vec<_>>()}
                }),
            ),
            Message::List { body, button, rows } => (
                "interactive",
                json!({
                    "type": "list",
                    "body": {"text": body},
                    "action": {
                        "button": button,
                        "sections": [{"rows": rows.iter().map(|(id, title, description)| {
                            let mut row = json!({"id": id, "title": title});
                            if let Some(d) = description {
                                row["description"] = json!(d);
                            }
                            row
                        }).collect::<Vec<_>>()}]
                    }
                }),
            ),
            Message::Template {
                name,
                language,
                params,
                quick_replies,
            } => {
                let mut components = Vec::new();
                if !params.is_empty() {
                    components.push(json!({
                        "type": "body",
                        "parameters": params.iter().map(|p| json!({"type": "text", "text": p})).collect::<Vec<_>>()
                    }));
                }
                for (i, payload) in quick_replies.iter().enumerate() {
                    components.push(json!({
                        "type": "button", "sub_type": "quick_reply", "index": i.to_string(),
                        "parameters": [{"type": "payload", "payload": payload}]
                    }));
                }
                (
                    "template",
                    json!({"name": name, "language": {"code": language}, "components": components}),
                )
            }
        };
        body["type"] = json!(kind);
        body[kind] = content;
        body
    }
}

/// A successful send.
#[derive(Debug, Deserialize)]
pub struct Accepted {
    pub messages: Vec<AcceptedMessage>,
}

#[derive(Debug, Deserialize)]
pub struct AcceptedMessage {
    pub id: String,
}

/// `{"error": {...}}`, as every Graph API failure is written.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub error: ApiError,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ApiError {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub code: i64,
    #[serde(default)]
    pub error_data: Option<ErrorData>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ErrorData {
    #[serde(default)]
    pub details: Option<String>,
}

impl ApiError {
    /// Code, message and details, for logs and the dead-letter reason.
    pub fn reason(&self) -> String {
        match self.error_data.as_ref().and_then(|d| d.details.as_deref()) {
            Some(d) if !d.is_empty() => format!("{} {}: {d}", self.code, self.message),
            _ => format!("{} {}", self.code, self.message),
        }
    }
}

/// The error codes Sigap acts on.
pub mod code {
    /// The 24-hour window is closed: only a template may go.
    pub const WINDOW_CLOSED: i64 = 131_047;
    /// Too many messages to this one person.
    pub const PAIR_RATE: i64 = 131_056;
    /// Too many messages from the number.
    pub const THROUGHPUT: i64 = 130_429;
    /// Too many messages that look like spam; slows the whole number too.
    pub const SPAM_RATE: i64 = 131_048;
    /// The number is not on WhatsApp, or cannot receive.
    pub const UNDELIVERABLE: i64 = 131_026;
    /// Temporary failures worth another try.
    pub const TEMPORARY: [i64; 4] = [1, 2, 131_000, 131_016];
    /// The access token is wrong or expired: an operator must fix it; keep the messages.
    pub const AUTH: [i64; 1] = [190];
}
