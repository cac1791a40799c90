//! getUpdates: the queue of pushed updates, the offsets that confirm them, long polls.

use super::Shared;
use super::methods::State;
use super::server::Reply;
use serde_json::Value;
use std::time::Duration;
use tokio::time::Instant;

// Descriptions exactly as Telegram writes them: teloxide compares whole strings.
const TERMINATED: &str =
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
const WEBHOOK_ACTIVE: &str =
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";

pub(super) async fn get_updates(shared: &Shared, p: &Value, arrived: Instant) -> Reply {
    let offset = p.get("offset").and_then(Value::as_i64).unwrap_or(0);
    let limit = p.get("limit").and_then(Value::as_u64).unwrap_or(100).clamp(1, 100) as usize;
    let timeout = p.get("timeout").and_then(Value::as_u64).unwrap_or(0);
    let generation = {
        let mut st = shared.lock();
        if let Some(f) = st.injected("getupdates") {
            return f.reply();
        }
        if st.webhook.is_some() {
            return Reply::error(409, WEBHOOK_ACTIVE);
        }
        st.confirm(offset);
        if let Some(kinds) = p.get("allowed_updates").and_then(Value::as_array) {
            let kinds: Vec<String> = kinds.iter().filter_map(|k| k.as_str().map(str::to_owned)).collect();
            // An empty list means "all", and so does leaving it out; both keep the last one.
            if !kinds.is_empty() {
                st.allowed_updates = Some(kinds);
            }
        }
        st.poll_generation += 1;
        st.poll_generation
    };
    // An older long poll still open must now end with 409.
    shared.changed.notify_waiters();
    let deadline = arrived + Duration::from_secs(timeout);
    let mut waiting: Option<Polling> = None;
    loop {
        let changed = shared.changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        {
            let mut st = shared.lock();
            if st.poll_generation != generation {
                return Reply::error(409, TERMINATED);
            }
            let batch = st.take_batch(limit, Instant::now());
            if !batch.is_empty() || Instant::now() >= deadline {
                return Reply::ok(Value::Array(batch));
            }
            if waiting.is_none() {
                st.polling += 1;
                drop(st);
                waiting = Some(Polling(shared));
                shared.changed.notify_waiters(); // for wait_polling
            }
        }
        tokio::select! {
            () = &mut changed => {}
            () = tokio::time::sleep_until(deadline) => {}
        }
    }
}

/// Counts a long poll as held open until it ends, also when hyper drops it.
struct Polling<'a>(&'a Shared);

impl Drop for Polling<'_> {
    fn drop(&mut self) {
        self.0.lock().polling -= 1;
    }
}

impl State {
    /// Remembers what a pushed update shows: its chat, its message, its callback query.
    pub(super) fn learn(&mut self, update: &Value) {
        for key in ["message", "edited_message", "channel_post", "edited_channel_post"] {
            if let Some(m) = update.get(key) {
                self.remember(m);
            }
        }
        if let Some(q) = update.get("callback_query") {
            if let Some(id) = q.get("id").and_then(Value::as_str) {
                self.queries.entry(id.to_owned()).or_default();
            }
            if let Some(chat) = q.pointer("/message/chat") {
                if let Some(id) = chat.get("id").and_then(Value::as_i64) {
                    self.chats.entry(id).or_insert_with(|| chat.clone());
                }
            }
        }
    }

    fn remember(&mut self, m: &Value) {
        let (Some(chat), Some(id)) = (m.pointer("/chat/id").and_then(Value::as_i64), m["message_id"].as_i64()) else {
            return;
        };
        self.chats.insert(chat, m["chat"].clone());
        self.messages.insert((chat, id), m.clone());
    }

    /// Drops the updates an offset confirms.
    fn confirm(&mut self, offset: i64) {
        if offset > 0 {
            self.pending.retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
            self.confirmed_offset = self.confirmed_offset.max(offset);
        }
    }

    /// The next updates to hand out; they stay queued until confirmed.
    fn take_batch(&mut self, limit: usize, now: Instant) -> Vec<Value> {
        if let Some(allowed) = &self.allowed_updates {
            // Telegram never creates updates of kinds the bot did not ask for.
            self.pending.retain(|u| {
                let kind = u.as_object().and_then(|o| o.keys().find(|k| *k != "update_id"));
                kind.is_none_or(|k| allowed.contains(k))
            });
        }
        let batch: Vec<Value> = self.pending.iter().take(limit).cloned().collect();
        for u in &batch {
            if let Some(id) = u.pointer("/callback_query/id").and_then(Value::as_str) {
                self.queries
                    .entry(id.to_owned())
                    .or_default()
                    .delivered
                    .get_or_insert(now);
            }
        }
        batch
    }
}
