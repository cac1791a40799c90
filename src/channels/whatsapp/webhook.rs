//! The webhook's payload, read into what Sigap handles: people's messages (as `Inbound`) and
//! what became of the messages we sent, in the order the payload gives them.

use crate::domain::{Attachment, Channel, Content, Inbound};
use chrono::{DateTime, Utc};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Payload {
    #[serde(default)]
    pub object: String,
    #[serde(default)]
    pub entry: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
pub struct Entry {
    #[serde(default)]
    pub changes: Vec<Change>,
}

#[derive(Debug, Deserialize)]
pub struct Change {
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub value: Value,
}

#[derive(Debug, Default, Deserialize)]
pub struct Value {
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub messages: Vec<Message>,
    #[serde(default)]
    pub statuses: Vec<Status>,
}

#[derive(Debug, Deserialize)]
pub struct Contact {
    pub wa_id: String,
    #[serde(default)]
    pub profile: Option<Profile>,
}

#[derive(Debug, Deserialize)]
pub struct Profile {
    #[serde(default)]
    pub name: Option<String>,
}

/// One message; only the fields of the types Sigap reads.
#[derive(Debug, Deserialize)]
pub struct Message {
    pub from: String,
    pub id: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub text: Option<Text>,
    #[serde(default)]
    pub interactive: Option<Interactive>,
    /// A template's quick-reply button tapped.
    #[serde(default)]
    pub button: Option<QuickReply>,
    #[serde(default)]
    pub image: Option<Media>,
    #[serde(default)]
    pub document: Option<Media>,
    #[serde(default)]
    pub video: Option<Media>,
    #[serde(default)]
    pub location: Option<Location>,
}

#[derive(Debug, Deserialize)]
pub struct Text {
    pub body: String,
}

#[derive(Debug, Deserialize)]
pub struct Interactive {
    #[serde(default)]
    pub button_reply: Option<Reply>,
    #[serde(default)]
    pub list_reply: Option<Reply>,
}

#[derive(Debug, Deserialize)]
pub struct Reply {
    pub id: String,
}

#[derive(Debug, Deserialize)]
pub struct QuickReply {
    pub payload: String,
}

#[derive(Debug, Deserialize)]
pub struct Media {
    pub id: String,
    #[serde(default)]
    pub mime_type: Option<String>,
    #[serde(default)]
    pub filename: Option<String>,
    #[serde(default)]
    pub caption: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

/// What became of a message we sent.
#[derive(Debug, Deserialize)]
pub struct Status {
    /// The `wamid` the send was answered with.
    pub id: String,
    pub status: String,
    /// The number the message went to (our `chat_id`).
    #[serde(default)]
    pub recipient_id: String,
    #[serde(default)]
    pub errors: Vec<StatusError>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StatusError {
    #[serde(default)]
    pub code: i64,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub error_data: Option<super::api::ErrorData>,
}

impl StatusError {
    pub fn reason(&self) -> String {
        let details = self.error_data.as_ref().and_then(|d| d.details.clone());
        match details.or_else(|| self.message.clone()) {
            Some(d) if !d.is_empty() && d != self.title => format!("{} {}: {d}", self.code, self.title),
            _ => format!("{} {}", self.code, self.title),
        }
    }
}

/// One thing the payload says, in order.
#[derive(Debug)]
pub enum Event {
    Message(Box<Inbound>),
    Status(Status),
    /// A message type Sigap does not use (a reaction, a system notice): why, for the log.
    Ignored(&'static str),
}

/// Everything in the payload, messages before statuses within each change, as Meta lists them.
pub fn events(payload: Payload, received_at: DateTime<Utc>) -> Vec<Event> {
    let mut out = Vec::new();
    for change in payload.entry.into_iter().flat_map(|e| e.changes) {
        if change.field != "messages" {
            continue;
        }
        let value = change.value;
        for m in value.messages {
            let name = value
                .contacts
                .iter()
                .find(|c| c.wa_id == m.from)
                .and_then(|c| c.profile.as_ref()?.name.clone());
            out.push(match content(&m) {
                Some(content) => Event::Message(Box::new(Inbound {
                    channel: Channel::WhatsApp,
                    message_id: m.id,
                    chat_id: m.from.clone(),
                    sender_id: m.from,
                    sender_name: name,
                    received_at,
                    content,
                    // WhatsApp shows the tapped reply itself and cannot take buttons off.
                    pressed: None,
                })),
                None => Event::Ignored("message type not used"),
            });
        }
        out.extend(value.statuses.into_iter().map(Event::Status));
    }
    out
}

/// The JSON of the message or status with this id (a status as `status/{id}/…`), as it
/// stands in the call's body; the whole body when it cannot be found.
pub fn raw_part(body: &[u8], id: &str) -> Vec<u8> {
    let wanted = id
        .strip_prefix("status/")
        .and_then(|s| s.split('/').next())
        .unwrap_or(id);
    let found = serde_json::from_slice::<serde_json::Value>(body).ok().and_then(|tree| {
        let entries = tree.get("entry")?.as_array()?;
        entries
            .iter()
            .filter_map(|e| e.get("changes")?.as_array())
            .flatten()
            .filter_map(|c| c.get("value"))
            .flat_map(|v| ["messages", "statuses"].map(|k| v.get(k).and_then(|l| l.as_array())))
            .flatten()
            .flatten()
            .find(|m| m.get("id").and_then(|i| i.as_str()) == Some(wanted))
            .and_then(|m| serde_json::to_vec(m).ok())
    });
    found.unwrap_or_else(|| body.to_vec())
}

fn content(m: &Message) -> Option<Content> {
    let media = |kind: &str, x: &Media| Content::Media {
        attachment: Attachment {
            kind: kind.into(),
            file_id: x.id.clone(),
            file_name: x.filename.clone(),
            mime_type: x.mime_type.clone(),
        },
        caption: x.caption.clone(),
    };
    Some(match m.kind.as_str() {
        "text" => Content::Text {
            text: m.text.as_ref()?.body.clone(),
        },
        "interactive" => {
            let i = m.interactive.as_ref()?;
            let r = i.button_reply.as_ref().or(i.list_reply.as_ref())?;
            Content::Choice { id: r.id.clone() }
        }
        "button" => Content::Choice {
            id: m.button.as_ref()?.payload.clone(),
        },
        "image" => media("photo", m.image.as_ref()?),
        "document" => media("document", m.document.as_ref()?),
        "video" => media("video", m.video.as_ref()?),
        "location" => {
            let l = m.location.as_ref()?;
            Content::Location {
                latitude: l.latitude,
                longitude: l.longitude,
                label: l.name.clone().or_else(|| l.address.clone()),
            }
        }
        "sticker" => Content::Unsupported { what: "sticker".into() },
        "audio" | "voice" => Content::Unsupported { what: "voice".into() },
        "contacts" => Content::Unsupported { what: "contact".into() },
        // Reactions and system notices are not something a person said to us.
        "reaction" | "system" | "ephemeral" | "order" | "request_welcome" => return None,
        _ => Content::Unsupported { what: "other".into() },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_and_statuses_in_order() {
        let p: Payload = serde_json::from_value(json!({
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "62811", "phone_number_id": "1098"},
                "contacts": [{"profile": {"name": "Ani"}, "wa_id": "62812"}],
                "messages": [
                    {"from": "62812", "id": "wamid.1", "timestamp": "1", "type": "text", "text": {"body": "wifi mati"}},
                    {"from": "62812", "id": "wamid.2", "timestamp": "2", "type": "interactive",
                     "interactive": {"type": "button_reply", "button_reply": {"id": "fu:1:y", "title": "Ya"}},
                     "context": {"from": "62811", "id": "wamid.0"}},
                    {"from": "62812", "id": "wamid.3", "timestamp": "3", "type": "location",
                     "location": {"latitude": -6.2, "longitude": 106.8, "name": "Gedung B"}},
                    {"from": "62812", "id": "wamid.4", "timestamp": "4", "type": "reaction",
                     "reaction": {"message_id": "wamid.0", "emoji": "👍"}},
                    {"from": "62812", "id": "wamid.5", "timestamp": "5", "type": "button",
                     "button": {"payload": "sv:1:5:score", "text": "5"}}
                ],
                "statuses": [{"id": "wamid.9", "status": "failed", "timestamp": "6", "recipient_id": "62812",
                    "errors": [{"code": 131047, "title": "Re-engagement message",
                                "error_data": {"details": "more than 24 hours"}}]}]
            }}]}]
        }))
        .unwrap();
        let ev = events(p, Utc::now());
        assert_eq!(ev.len(), 6);
        let Event::Message(m) = &ev[0] else { panic!() };
        assert_eq!((m.chat_id.as_str(), m.sender_name.as_deref()), ("62812", Some("Ani")));
        assert!(matches!(&ev[1], Event::Message(m) if m.content == Content::Choice { id: "fu:1:y".into() }));
        assert!(
            matches!(&ev[2], Event::Message(m) if matches!(&m.content, Content::Location { label: Some(l), .. } if l == "Gedung B"))
        );
        assert!(matches!(&ev[3], Event::Ignored(_)));
        assert!(matches!(&ev[4], Event::Message(m) if m.content == Content::Choice { id: "sv:1:5:score".into() }));
        let Event::Status(s) = &ev[5] else { panic!() };
        assert_eq!(s.errors[0].reason(), "131047 Re-engagement message: more than 24 hours");
    }
}
