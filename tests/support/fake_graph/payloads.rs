//! Webhook payloads as Meta posts them, and their signature.

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::sync::atomic::{AtomicU64, Ordering};

static CLOCK: AtomicU64 = AtomicU64::new(1_763_870_400);

fn timestamp() -> String {
    CLOCK.fetch_add(1, Ordering::Relaxed).to_string()
}

/// `sha256=<hex HMAC-SHA256(secret, body)>`, the `X-Hub-Signature-256` header; written
/// apart from `sigap::channels::whatsapp::signature` on purpose, as Meta signs.
pub fn sign(body: &[u8], secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

fn message(from: &str, wamid: &str, kind: &str, content: Value) -> Value {
    let mut m = json!({"from": from, "id": wamid, "timestamp": timestamp(), "type": kind});
    m[kind] = content;
    m
}

fn with_context(mut m: Value, context_id: &str) -> Value {
    m["context"] = json!({"from": super::DISPLAY_NUMBER, "id": context_id});
    m
}

pub fn text_message(from: &str, wamid: &str, text: &str) -> Value {
    message(from, wamid, "text", json!({"body": text}))
}

pub fn button_reply(from: &str, wamid: &str, id: &str, title: &str, context_id: &str) -> Value {
    let m = message(
        from,
        wamid,
        "interactive",
        json!({"type": "button_reply", "button_reply": {"id": id, "title": title}}),
    );
    with_context(m, context_id)
}

pub fn list_reply(from: &str, wamid: &str, id: &str, title: &str, context_id: &str) -> Value {
    let m = message(
        from,
        wamid,
        "interactive",
        json!({"type": "list_reply", "list_reply": {"id": id, "title": title, "description": ""}}),
    );
    with_context(m, context_id)
}

/// A template's quick-reply button tapped.
pub fn quick_reply(from: &str, wamid: &str, payload: &str, text: &str, context_id: &str) -> Value {
    with_context(
        message(from, wamid, "button", json!({"payload": payload, "text": text})),
        context_id,
    )
}

pub fn image_message(from: &str, wamid: &str, media_id: &str, caption: Option<&str>) -> Value {
    let mut image = json!({"id": media_id, "mime_type": "image/jpeg", "sha256": "aGFzaA=="});
    if let Some(c) = caption {
        image["caption"] = json!(c);
    }
    message(from, wamid, "image", image)
}

pub fn document_message(from: &str, wamid: &str, media_id: &str, filename: &str, caption: Option<&str>) -> Value {
    let mut doc = json!({"id": media_id, "filename": filename, "mime_type": "application/pdf", "sha256": "aGFzaA=="});
    if let Some(c) = caption {
        doc["caption"] = json!(c);
    }
    message(from, wamid, "document", doc)
}

pub fn location_message(from: &str, wamid: &str, lat: f64, lon: f64, name: Option<&str>) -> Value {
    let mut loc = json!({"latitude": lat, "longitude": lon});
    if let Some(n) = name {
        loc["name"] = json!(n);
        loc["address"] = json!("Jl. Merdeka No. 1");
    }
    message(from, wamid, "location", loc)
}

pub fn sticker_message(from: &str, wamid: &str) -> Value {
    message(
        from,
        wamid,
        "sticker",
        json!({"id": "STICKER-1", "mime_type": "image/webp", "animated": false}),
    )
}

pub fn status(wamid: &str, recipient: &str, status: &str, error_code: Option<i64>) -> Value {
    let mut s = json!({"id": wamid, "status": status, "timestamp": timestamp(), "recipient_id": recipient});
    if let Some(code) = error_code {
        s["errors"] = json!([{"code": code, "title": "Re-engagement message", "message": "Re-engagement message",
            "error_data": {"details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."}}]);
    }
    s
}

/// A whole webhook body: one entry, one change; contacts from the messages' senders.
pub fn payload(names: &[(&str, &str)], messages: Vec<Value>, statuses: Vec<Value>) -> Value {
    let mut senders: Vec<String> = messages
        .iter()
        .filter_map(|m| m["from"].as_str().map(str::to_owned))
        .collect();
    senders.dedup();
    let contacts: Vec<Value> = senders
        .iter()
        .map(|s| {
            let name = names.iter().find(|(n, _)| n == s).map_or("Pelapor", |(_, name)| name);
            json!({"profile": {"name": name}, "wa_id": s})
        })
        .collect();
    let mut value = json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": super::DISPLAY_NUMBER, "phone_number_id": super::PHONE_ID},
    });
    if !messages.is_empty() {
        value["contacts"] = json!(contacts);
        value["messages"] = json!(messages);
    }
    if !statuses.is_empty() {
        value["statuses"] = json!(statuses);
    }
    json!({"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}]})
}
