//! Telegram updates, read into what Sigap handles: a reporter's message, something for the
//! technicians' desk, or nothing worth keeping.

use crate::desk::{DeskInput, DeskKind};
use crate::domain::{Attachment, Channel, Content, Inbound, Pressed, storable};
use chrono::Utc;
use teloxide::types::{
    CallbackQuery, InlineKeyboardButtonKind, MaybeInaccessibleMessage, Message, Update, UpdateKind, User,
};

/// Where an update goes.
#[derive(Debug)]
pub enum Routed {
    /// A reporter's message or button press.
    Reporter(Inbound),
    /// For the desk; when the desk finds it is not a technician's business (a private
    /// chat), `fallback` goes to intake instead.
    Desk {
        input: DeskInput,
        fallback: Option<Inbound>,
    },
    /// Nothing to do: why, for the log.
    Ignore(&'static str),
}

impl Routed {
    /// The same, with its text made storable (see `domain::storable`).
    pub fn storable(self) -> Routed {
        match self {
            Routed::Reporter(m) => Routed::Reporter(storable::value(m)),
            Routed::Desk { input, fallback } => Routed::Desk {
                input: storable::value(input),
                fallback: fallback.map(storable::value),
            },
            ignore @ Routed::Ignore(_) => ignore,
        }
    }
}

/// Reads one update. `war_room` is the technicians' group.
pub fn route(update: &Update, war_room: Option<i64>) -> Routed {
    let update_id = update.id.0.to_string();
    match &update.kind {
        UpdateKind::Message(m) => message(update_id, m, war_room),
        UpdateKind::CallbackQuery(q) => callback(update_id, q, war_room),
        UpdateKind::Error(_) => Routed::Ignore("unreadable update"),
        _ => Routed::Ignore("update kind not used"),
    }
}

/// The chat an update came from, when it has one: where its sender can be answered.
pub fn chat_of(update: &Update) -> Option<i64> {
    match &update.kind {
        UpdateKind::Message(m) => Some(m.chat.id.0),
        UpdateKind::CallbackQuery(q) => q.message.as_ref().map(|m| m.chat().id.0),
        _ => None,
    }
}

fn name(u: &User) -> String {
    u.full_name()
}

fn message(update_id: String, m: &Message, war_room: Option<i64>) -> Routed {
    let Some(from) = m.from.as_ref() else {
        return Routed::Ignore("message without a sender");
    };
    if from.is_bot {
        return Routed::Ignore("message from a bot");
    }
    let chat_id = m.chat.id.0;
    let in_war_room = war_room == Some(chat_id);
    if !m.chat.is_private() && !in_war_room {
        return Routed::Ignore("a group that is not the war room");
    }
    let content = content(m);
    let desk_kind = match &content {
        Content::Text { text } => Some(match command(text) {
            Some((name, arg)) => DeskKind::Command { name, arg },
            None => DeskKind::Text {
                text: text.clone(),
                to_bot: m
                    .reply_to_message()
                    .and_then(|r| r.from.as_ref())
                    .is_some_and(|u| u.is_bot),
            },
        }),
        _ => None,
    };
    let inbound = Inbound {
        channel: Channel::Telegram,
        message_id: update_id.clone(),
        chat_id: chat_id.to_string(),
        sender_id: from.id.0.to_string(),
        sender_name: Some(name(from)),
        received_at: Utc::now(),
        content,
        pressed: None,
    };
    match desk_kind {
        Some(kind) => Routed::Desk {
            input: DeskInput {
                update_id,
                user_id: user_id(from),
                user_name: name(from),
                chat_id: chat_id.to_string(),
                in_war_room,
                received_at: inbound.received_at,
                kind,
            },
            fallback: (!in_war_room).then_some(inbound),
        },
        None if in_war_room => Routed::Ignore("media in the war room"),
        None => Routed::Reporter(inbound),
    }
}

/// Telegram user ids fit in 52 bits.
fn user_id(u: &User) -> i64 {
    i64::try_from(u.id.0).unwrap_or(i64::MAX)
}

/// `/tiket@SigapBot INC-1` → ("tiket", Some("INC-1")).
fn command(text: &str) -> Option<(String, Option<String>)> {
    let rest = text.trim().strip_prefix('/')?;
    let (head, arg) = match rest.split_once(char::is_whitespace) {
        Some((h, a)) => (h, Some(a.trim().to_owned()).filter(|a| !a.is_empty())),
        None => (rest, None),
    };
    let name = head.split('@').next().unwrap_or(head).to_lowercase();
    (!name.is_empty()).then_some((name, arg))
}

fn content(m: &Message) -> Content {
    let caption = m.caption().map(str::to_owned);
    if let Some(t) = m.text() {
        return Content::Text { text: t.to_owned() };
    }
    if let Some(p) = m
        .photo()
        .and_then(|sizes| sizes.iter().max_by_key(|s| s.width * s.height))
    {
        return Content::Media {
            attachment: Attachment {
                kind: "photo".into(),
                file_id: p.file.id.0.clone(),
                file_name: None,
                mime_type: None,
            },
            caption,
        };
    }
    if let Some(d) = m.document() {
        return Content::Media {
            attachment: Attachment {
                kind: "document".into(),
                file_id: d.file.id.0.clone(),
                file_name: d.file_name.clone(),
                mime_type: d.mime_type.as_ref().map(|m| m.to_string()),
            },
            caption,
        };
    }
    if let Some(v) = m.video() {
        return Content::Media {
            attachment: Attachment {
                kind: "video".into(),
                file_id: v.file.id.0.clone(),
                file_name: v.file_name.clone(),
                mime_type: v.mime_type.as_ref().map(|m| m.to_string()),
            },
            caption,
        };
    }
    if let Some(l) = m.location() {
        return Content::Location {
            latitude: l.latitude,
            longitude: l.longitude,
            label: m.venue().map(|v| v.title.clone()),
        };
    }
    let what = if m.sticker().is_some() {
        "sticker"
    } else if m.voice().is_some() || m.audio().is_some() {
        "voice"
    } else if m.contact().is_some() {
        "contact"
    } else {
        "other"
    };
    Content::Unsupported { what: what.into() }
}

fn callback(update_id: String, q: &CallbackQuery, war_room: Option<i64>) -> Routed {
    let Some(data) = q.data.clone() else {
        return Routed::Ignore("button without data");
    };
    // A button on a message too old for Telegram to show us: still answered, by id.
    let message = match &q.message {
        Some(MaybeInaccessibleMessage::Regular(m)) => Some(m.as_ref()),
        _ => None,
    };
    let chat_id = match &q.message {
        Some(m) => m.chat().id.0,
        None => return Routed::Ignore("button on an inline message"),
    };
    let message_id = q.message.as_ref().map(|m| m.id().0.to_string()).unwrap_or_default();
    let in_war_room = war_room == Some(chat_id);
    if data.starts_with("tk:") || in_war_room {
        return Routed::Desk {
            input: DeskInput {
                update_id,
                user_id: user_id(&q.from),
                user_name: name(&q.from),
                chat_id: chat_id.to_string(),
                in_war_room,
                received_at: Utc::now(),
                kind: DeskKind::Button {
                    query_id: q.id.0.clone(),
                    message_id,
                    data,
                },
            },
            fallback: None,
        };
    }
    let label = message.and_then(|m| {
        m.reply_markup()?
            .inline_keyboard
            .iter()
            .flatten()
            .find(|b| matches!(&b.kind, InlineKeyboardButtonKind::CallbackData(d) if *d == data))
            .map(|b| b.text.clone())
    });
    Routed::Reporter(Inbound {
        channel: Channel::Telegram,
        message_id: update_id,
        chat_id: chat_id.to_string(),
        sender_id: q.from.id.0.to_string(),
        sender_name: Some(name(&q.from)),
        received_at: Utc::now(),
        content: Content::Choice { id: data },
        pressed: Some(Pressed {
            query_id: Some(q.id.0.clone()),
            message_id,
            text: message.and_then(|m| m.text()).unwrap_or_default().to_owned(),
            label,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::command;

    #[test]
    fn commands() {
        assert_eq!(
            command("/tiket@SigapBot  INC-2611-0001 "),
            Some(("tiket".into(), Some("INC-2611-0001".into())))
        );
        assert_eq!(command("/ANTRIAN"), Some(("antrian".into(), None)));
        assert_eq!(command("antrian"), None);
        assert_eq!(command("/"), None);
    }
}
