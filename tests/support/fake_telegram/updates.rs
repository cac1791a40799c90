//! Update builders: JSON as Telegram sends it. Users' message ids come from one counter
//! from 1 000 000 up, apart from the bot's per-chat ids; dates are the real current time.

use super::GROUP_TITLE;
use serde_json::{Map, Value, json};
use std::sync::atomic::{AtomicI64, Ordering};

static NEXT_USER_MESSAGE: AtomicI64 = AtomicI64::new(1_000_000);
static NEXT_QUERY: AtomicI64 = AtomicI64::new(1);
static NEXT_STICKER: AtomicI64 = AtomicI64::new(1);

/// A user (a person, not a bot).
pub fn user(user_id: i64, first_name: &str) -> Value {
    json!({ "id": user_id, "is_bot": false, "first_name": first_name })
}

/// A private chat for a positive id, else the supergroup "War Room".
pub fn chat(chat_id: i64, first_name: &str) -> Value {
    if chat_id > 0 {
        json!({ "id": chat_id, "type": "private", "first_name": first_name })
    } else {
        json!({ "id": chat_id, "type": "supergroup", "title": GROUP_TITLE })
    }
}

/// A message from a user, without content.
pub fn user_message(chat_id: i64, user_id: i64, first_name: &str) -> Value {
    json!({
        "message_id": NEXT_USER_MESSAGE.fetch_add(1, Ordering::Relaxed),
        "from": user(user_id, first_name),
        "chat": chat(chat_id, first_name),
        "date": unix_now(),
    })
}

/// `{"update_id": …, key: body}`; without an id `push_update` assigns one.
pub fn update(update_id: Option<i64>, key: &str, body: Value) -> Value {
    let mut u = Map::new();
    if let Some(id) = update_id {
        u.insert("update_id".into(), id.into());
    }
    u.insert(key.into(), body);
    Value::Object(u)
}

/// A text message; one starting with '/' carries a bot_command entity over the command.
pub fn text_update(update_id: Option<i64>, chat_id: i64, user_id: i64, first_name: &str, text: &str) -> Value {
    let mut m = user_message(chat_id, user_id, first_name);
    m["text"] = text.into();
    if text.starts_with('/') {
        let command = text.split(char::is_whitespace).next().unwrap_or(text);
        // Entities count UTF-16 code units.
        let length = command.encode_utf16().count();
        m["entities"] = json!([{ "type": "bot_command", "offset": 0, "length": length }]);
    }
    update(update_id, "message", m)
}

/// A text message answering `reply_to` (e.g. one of `messages_to`).
pub fn reply_update(
    update_id: Option<i64>,
    chat_id: i64,
    user_id: i64,
    first_name: &str,
    text: &str,
    reply_to: Value,
) -> Value {
    let mut u = text_update(update_id, chat_id, user_id, first_name, text);
    let mut reply_to = reply_to;
    // Telegram nests one level only.
    reply_to.as_object_mut().map(|o| o.remove("reply_to_message"));
    u["message"]["reply_to_message"] = reply_to;
    u
}

/// A press on a button of `message` (the bot's message carrying the keyboard).
pub fn callback_update(
    update_id: Option<i64>,
    chat_id: i64,
    user_id: i64,
    first_name: &str,
    message: Value,
    data: &str,
) -> Value {
    let id = NEXT_QUERY.fetch_add(1, Ordering::Relaxed);
    update(
        update_id,
        "callback_query",
        json!({
            "id": format!("{}", 4_000_000_000_000_000_i64 + id),
            "from": user(user_id, first_name),
            "message": message,
            "chat_instance": format!("instance{chat_id}"),
            "data": data,
        }),
    )
}

/// Two sizes; the larger (last, the one to keep) has `file_id`.
pub(super) fn photo_sizes(file_id: &str) -> Value {
    json!([
        { "file_id": format!("{file_id}-thumb"), "file_unique_id": format!("u-{file_id}-thumb"),
          "width": 90, "height": 67, "file_size": 1_261 },
        { "file_id": file_id, "file_unique_id": format!("u-{file_id}"),
          "width": 1280, "height": 960, "file_size": 98_304 },
    ])
}

pub fn photo_update(
    update_id: Option<i64>,
    chat_id: i64,
    user_id: i64,
    first_name: &str,
    file_id: &str,
    caption: Option<&str>,
) -> Value {
    let mut m = user_message(chat_id, user_id, first_name);
    m["photo"] = photo_sizes(file_id);
    if let Some(c) = caption {
        m["caption"] = c.into();
    }
    update(update_id, "message", m)
}

/// `mime` must parse as a MIME type, or teloxide drops the whole message to `Empty`.
#[allow(clippy::too_many_arguments)]
pub fn document_update(
    update_id: Option<i64>,
    chat_id: i64,
    user_id: i64,
    first_name: &str,
    file_id: &str,
    caption: Option<&str>,
    file_name: &str,
    mime: &str,
) -> Value {
    let mut m = user_message(chat_id, user_id, first_name);
    m["document"] = json!({
        "file_name": file_name,
        "mime_type": mime,
        "file_id": file_id,
        "file_unique_id": format!("u-{file_id}"),
        "file_size": 48_213,
    });
    if let Some(c) = caption {
        m["caption"] = c.into();
    }
    update(update_id, "message", m)
}

pub fn location_update(
    update_id: Option<i64>,
    chat_id: i64,
    user_id: i64,
    first_name: &str,
    lat: f64,
    lon: f64,
) -> Value {
    let mut m = user_message(chat_id, user_id, first_name);
    m["location"] = json!({ "latitude": lat, "longitude": lon });
    update(update_id, "message", m)
}

/// A regular static sticker showing `emoji`.
pub fn sticker_update(update_id: Option<i64>, chat_id: i64, user_id: i64, first_name: &str, emoji: &str) -> Value {
    let n = NEXT_STICKER.fetch_add(1, Ordering::Relaxed);
    let mut m = user_message(chat_id, user_id, first_name);
    m["sticker"] = json!({
        "file_id": format!("sticker-{n}"),
        "file_unique_id": format!("u-sticker-{n}"),
        "file_size": 20_480,
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": false,
        "is_video": false,
        "emoji": emoji,
        "set_name": "SigapTest",
    });
    update(update_id, "message", m)
}

pub(super) fn unix_now() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map_or(1, |d| d.as_secs() as i64)
}
