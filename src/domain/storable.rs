//! Text PostgreSQL can keep. A UTF-8 database takes every Unicode scalar value but U+0000
//! (NUL), in `text` and in `jsonb` alike, and a platform passes on whatever a person's
//! client sent: one stray NUL would make a whole message unstorable, and a channel that
//! retries it would never read the next one. NUL carries nothing a reader sees, so it is
//! dropped where a message comes in.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::borrow::Cow;

/// The characters PostgreSQL refuses in text.
fn refused(c: char) -> bool {
    c == '\0'
}

/// `s` without the characters PostgreSQL refuses.
pub fn text(s: &str) -> Cow<'_, str> {
    if s.contains(refused) {
        Cow::Owned(s.replace(refused, ""))
    } else {
        Cow::Borrowed(s)
    }
}

/// `value` with every string in it (field values and map keys alike) made storable; the
/// same value, untouched, when nothing in it needed that. One walk over the serialised
/// form serves every type, so a field added later cannot be missed.
pub fn value<T: Serialize + DeserializeOwned>(value: T) -> T {
    let Ok(mut tree) = serde_json::to_value(&value) else {
        return value;
    };
    if !json(&mut tree) {
        return value;
    }
    serde_json::from_value(tree).unwrap_or(value)
}

/// Makes every string in a JSON document storable, in place; whether any changed.
pub fn json(v: &mut Value) -> bool {
    match v {
        Value::String(s) => match text(s) {
            Cow::Owned(t) => {
                *s = t;
                true
            }
            Cow::Borrowed(_) => false,
        },
        Value::Array(items) => items.iter_mut().fold(false, |changed, i| json(i) | changed),
        Value::Object(map) => {
            let bad_keys: Vec<String> = map.keys().filter(|k| k.contains(refused)).cloned().collect();
            for k in &bad_keys {
                if let Some(inner) = map.remove(k) {
                    map.insert(text(k).into_owned(), inner);
                }
            }
            map.values_mut()
                .fold(!bad_keys.is_empty(), |changed, i| json(i) | changed)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Channel, Content, Inbound, Pressed};

    #[test]
    fn nul_is_dropped_everywhere_and_nothing_else_changes() {
        assert_eq!(text("wifi\0 mati"), "wifi mati");
        assert!(matches!(text("printer rusak 🖨️"), Cow::Borrowed(_)));
        let m = Inbound {
            channel: Channel::Telegram,
            message_id: "7".into(),
            chat_id: "42".into(),
            sender_id: "42".into(),
            sender_name: Some("Bu\0di".into()),
            received_at: chrono::Utc::now(),
            content: Content::Text {
                text: "\0\0printer\0 rusak".into(),
            },
            pressed: Some(Pressed {
                query_id: None,
                message_id: "1".into(),
                text: "pilih\0".into(),
                label: None,
            }),
        };
        let clean = value(m.clone());
        assert_eq!(clean.sender_name.as_deref(), Some("Budi"));
        assert_eq!(
            clean.content,
            Content::Text {
                text: "printer rusak".into()
            }
        );
        assert_eq!(clean.pressed.as_ref().map(|p| p.text.as_str()), Some("pilih"));
        assert_eq!(clean.received_at, m.received_at);
        let fine = Inbound {
            sender_name: None,
            pressed: None,
            ..clean.clone()
        };
        assert_eq!(value(fine.clone()), fine);
    }
}
