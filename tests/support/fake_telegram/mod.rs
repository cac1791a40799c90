//! A fake Telegram Bot API on 127.0.0.1 for tests: the wire format teloxide 0.17 speaks
//! (`POST {base}/bot{token}/{Method}`, JSON or multipart bodies, `{"ok":…}` answers), with
//! the behaviours the bot must cope with: exact error descriptions (teloxide maps errors by
//! their text), message ids per chat, "not modified" edits, once-only callback answers,
//! long polling with offsets, flood limits, and failures injected on demand.
//!
//! Time comes from `tokio::time`, so a test may pause the clock; only `wait_until`'s give-up
//! deadline is real time, so a stuck test fails instead of hanging.
#![allow(dead_code)]

mod limits;
mod markup;
mod methods;
mod polling;
mod server;
mod updates;

// Test crates that load this module use only some of the builders.
#[allow(unused_imports)]
pub use updates::{
    callback_update, chat, document_update, location_update, photo_update, reply_update, sticker_update, text_update,
    update, user, user_message,
};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use methods::State;
use serde_json::{Value, json};
use server::{Reply, as_chat_id, serve};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The only token the fake accepts.
pub const TOKEN: &str = "123456:TEST-token";
/// The bot's user id: the token's first part, as on Telegram.
pub const BOT_ID: i64 = 123_456;
pub const BOT_USERNAME: &str = "sigap_test_bot";
/// The group chats' title in the update builders.
pub const GROUP_TITLE: &str = "War Room";

/// How long `wait_until` waits, in real time, before failing the test.
const WAIT_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

// Descriptions exactly as Telegram writes them: teloxide compares whole strings.
pub const NOT_MODIFIED: &str = "Bad Request: message is not modified: specified new message content and reply markup \
                                are exactly the same as a current content and reply markup of the message";
pub const BLOCKED: &str = "Forbidden: bot was blocked by the user";
/// Telegram writes "ID"; teloxide 0.17 expects "id", so this arrives as `ApiError::Unknown`.
pub const QUERY_TOO_OLD: &str = "Bad Request: query is too old and response timeout expired or query ID is invalid";

/// One request the fake answered.
#[derive(Debug, Clone)]
pub struct Call {
    /// Lower case, e.g. "sendmessage".
    pub method: String,
    /// The parameters as JSON, whatever the request's encoding (multipart text fields that
    /// hold JSON are parsed; uploaded files become `{"file_name", "size"}`).
    pub body: Value,
    /// When the request arrived.
    pub at: Instant,
    /// The HTTP status answered.
    pub outcome: u16,
}

impl Call {
    pub fn ok(&self) -> bool {
        self.outcome == 200
    }

    pub fn chat_id(&self) -> Option<i64> {
        self.body.get("chat_id").and_then(as_chat_id)
    }

    pub fn text(&self) -> Option<&str> {
        self.body.get("text").and_then(Value::as_str)
    }
}

/// A refusal to inject, answered as Telegram would.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// Not a failure: this call goes through (to fail a later one with the next entry).
    Pass,
    /// 429 with `retry_after`: teloxide's `RequestError::RetryAfter`.
    RetryAfter(u32),
    /// 403 "Forbidden: bot was blocked by the user": `ApiError::BotBlocked`.
    Blocked,
    /// 400 with this description.
    BadRequest(String),
    /// 400 "message is not modified…": `ApiError::MessageNotModified`.
    NotModified,
    /// 500. teloxide waits 10 s (tokio time) before reading a 5xx answer.
    ServerError,
    /// 403 with this description, e.g. "Forbidden: bot was kicked from the supergroup chat".
    Forbidden(String),
    /// 400 with `migrate_to_chat_id`: `RequestError::MigrateToChatId`.
    Migrated(i64),
}

impl Failure {
    fn reply(&self) -> Reply {
        match self {
            Failure::Pass => unreachable!("a pass is answered as the call itself"),
            Failure::RetryAfter(s) => Reply::retry_after(*s),
            Failure::Blocked => Reply::error(403, BLOCKED),
            Failure::BadRequest(d) => Reply::error(400, d),
            Failure::NotModified => Reply::error(400, NOT_MODIFIED),
            Failure::ServerError => Reply::error(500, "Internal Server Error"),
            Failure::Forbidden(d) => Reply::error(403, d),
            Failure::Migrated(to) => {
                let mut r = Reply::error(400, "Bad Request: group chat was upgraded to a supergroup chat");
                r.body["parameters"] = json!({ "migrate_to_chat_id": to });
                r
            }
        }
    }
}

struct Shared {
    state: Mutex<State>,
    /// Woken on every recorded call, pushed update and new poll.
    changed: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not hide the fake's state from the others.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn record(&self, call: Call) {
        self.lock().calls.push(call);
        self.changed.notify_waiters();
    }
}

/// The fake server; it stops when dropped.
pub struct FakeTelegram {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: JoinHandle<()>,
}

impl Drop for FakeTelegram {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeTelegram {
    /// Serves on 127.0.0.1 at a free port, on the current tokio runtime.
    pub async fn start() -> FakeTelegram {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind the fake Telegram");
        let addr = listener.local_addr().expect("the fake Telegram's address");
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                next_update_id: 1,
                ..State::default()
            }),
            changed: Notify::new(),
        });
        let app = Router::new()
            .fallback(serve)
            // Uploads: Telegram takes photos up to 10 MB and documents up to 50 MB.
            .layer(DefaultBodyLimit::max(64 << 20))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeTelegram { shared, addr, server }
    }

    /// What `teloxide::Bot::set_api_url` takes (the same type as `reqwest::Url`).
    pub fn api_url(&self) -> url::Url {
        format!("http://{}/", self.addr).parse().expect("a valid URL")
    }

    pub fn token(&self) -> &'static str {
        TOKEN
    }

    /// A bot talking to this fake.
    pub fn bot(&self) -> teloxide::Bot {
        teloxide::Bot::new(TOKEN).set_api_url(self.api_url())
    }

    /// Queues an update for getUpdates and returns its id; one without `update_id` gets the
    /// next free id. Its chat, message and callback query become known to the fake, so the
    /// bot may reply to the message and answer the query.
    pub fn push_update(&self, mut update: Value) -> i64 {
        assert!(update.is_object(), "an update is a JSON object: {update}");
        let mut st = self.shared.lock();
        let id = match update.get("update_id").and_then(Value::as_i64) {
            Some(id) => id,
            None => {
                let id = st.next_update_id;
                update["update_id"] = id.into();
                id
            }
        };
        st.next_update_id = st.next_update_id.max(id + 1);
        st.learn(&update);
        st.pending.push_back(update);
        drop(st);
        self.shared.changed.notify_waiters();
        id
    }

    /// Every call so far, in order, failed ones included.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.lock().calls.clone()
    }

    /// The calls of one method (any case) that were answered with success.
    pub fn calls_of(&self, method: &str) -> Vec<Call> {
        let method = method.to_ascii_lowercase();
        self.shared
            .lock()
            .calls
            .iter()
            .filter(|c| c.method == method && c.ok())
            .cloned()
            .collect()
    }

    /// Waits until `f(calls)` holds; panics with `what` and the calls after 30 s of real
    /// time. Wakes on every change, never polls, so it works under a paused clock.
    pub async fn wait_until<F: Fn(&[Call]) -> bool>(&self, what: &str, f: F) {
        let mut seen: Vec<Call> = Vec::new();
        self.wait(what, |st| {
            // Copies only the new calls: under a paused clock idle long polls pile up fast.
            seen.extend_from_slice(&st.calls[seen.len()..]);
            f(&seen)
        })
        .await;
    }

    /// Waits until `count` calls of `method` succeeded, and returns them.
    pub async fn wait_for(&self, method: &str, count: usize) -> Vec<Call> {
        let lower = method.to_ascii_lowercase();
        let what = format!("{count} successful {method} call(s)");
        self.wait_until(&what, |calls| {
            calls.iter().filter(|c| c.method == lower && c.ok()).count() >= count
        })
        .await;
        self.calls_of(method).into_iter().take(count).collect()
    }

    /// Waits until a getUpdates asked for an offset past `update_id`: the bot confirmed it.
    pub async fn wait_confirmed(&self, update_id: i64) {
        self.wait(&format!("update {update_id} confirmed"), |st| {
            st.confirmed_offset > update_id
        })
        .await;
    }

    /// Waits until a getUpdates long poll is held open and no update is queued: the bot has
    /// fetched and confirmed every pushed update and is idle. (A poll only waits when it has
    /// nothing to return, and a push makes the queue non-empty at once, so this cannot be
    /// satisfied by the poll a push is about to end.)
    pub async fn wait_polling(&self) {
        self.wait("the bot idle in a getUpdates long poll", |st| {
            st.polling > 0 && st.pending.is_empty()
        })
        .await;
    }

    async fn wait(&self, what: &str, mut done: impl FnMut(&State) -> bool) {
        let (_keep, mut expired) = real_time_deadline(WAIT_LIMIT);
        loop {
            let changed = self.shared.changed.notified();
            tokio::pin!(changed);
            // Registered before checking, so a change between the check and the await
            // still wakes us.
            changed.as_mut().enable();
            if done(&self.shared.lock()) {
                return;
            }
            tokio::select! {
                () = &mut changed => {}
                _ = &mut expired => panic!(
                    "gave up after {} s (real time) waiting until {what}\n{}",
                    WAIT_LIMIT.as_secs(),
                    self.dump()
                ),
            }
        }
    }

    /// The calls so far, one a line, runs of getUpdates collapsed: for failure messages.
    pub fn dump(&self) -> String {
        let st = self.shared.lock();
        let mut out = format!("{} call(s) to the fake Telegram:\n", st.calls.len());
        let mut i = 0;
        while i < st.calls.len() {
            let c = &st.calls[i];
            let run = st.calls[i..]
                .iter()
                .take_while(|d| d.method == "getupdates" && d.outcome == c.outcome)
                .count();
            if run > 1 {
                let _ = writeln!(out, "  {} getupdates ×{run}", c.outcome);
                i += run;
                continue;
            }
            let mut body = c.body.to_string();
            if body.len() > 300 {
                let cut = (0..=300).rev().find(|&i| body.is_char_boundary(i)).unwrap_or(0);
                body.truncate(cut);
                body.push('…');
            }
            let _ = writeln!(out, "  {} {} {body}", c.outcome, c.method);
            i += 1;
        }
        let _ = writeln!(out, "pending updates: {}", st.pending.len());
        out
    }

    /// The next call of `method` (any case) fails this way; several may be queued.
    pub fn fail_next(&self, method: &str, failure: Failure) {
        self.shared
            .lock()
            .fail_next
            .entry(method.to_ascii_lowercase())
            .or_default()
            .push_back(failure);
    }

    /// From now on every send or edit to this chat fails this way (e.g. `Blocked`).
    pub fn fail_chat(&self, chat_id: i64, failure: Failure) {
        self.shared.lock().fail_chat.insert(chat_id, failure);
    }

    /// Ends `fail_chat` for this chat (the user unblocked the bot).
    pub fn heal_chat(&self, chat_id: i64) {
        self.shared.lock().fail_chat.remove(&chat_id);
    }

    /// Telegram's flood limits on sends and edits: 1 a second per private chat, 20 a
    /// minute per group, 30 a second overall; past them 429 with `retry_after`.
    pub fn enforce_limits(&self, on: bool) {
        self.shared.lock().limits = on;
    }

    /// 429s answered because of `enforce_limits`.
    pub fn too_many_requests(&self) -> usize {
        self.shared.lock().too_many
    }

    /// The messages sent with sendMessage to this chat, in order, as Telegram answered
    /// them (message_id, from, chat, date, text, reply_markup, reply_to_message): what
    /// `reply_update` and `callback_update` take. Later edits are in `message`.
    pub fn messages_to(&self, chat_id: i64) -> Vec<Value> {
        self.shared
            .lock()
            .sent_log
            .iter()
            .filter(|(c, _)| *c == chat_id)
            .map(|(_, m)| m.clone())
            .collect()
    }

    /// A message as it is now, after edits; the users' pushed messages too.
    pub fn message(&self, chat_id: i64, message_id: i64) -> Option<Value> {
        self.shared.lock().messages.get(&(chat_id, message_id)).cloned()
    }

    /// The highest offset a getUpdates confirmed with (0 before any).
    pub fn confirmed_offset(&self) -> i64 {
        self.shared.lock().confirmed_offset
    }

    /// Updates queued and not yet confirmed.
    pub fn pending_updates(&self) -> usize {
        self.shared.lock().pending.len()
    }

    /// The webhook URL set with setWebhook, if any.
    pub fn webhook(&self) -> Option<String> {
        self.shared.lock().webhook.clone()
    }
}

/// A oneshot that fires after `limit` of real time, from a thread: tokio's paused clock
/// must not make it fire early or never. The thread ends when the returned sender drops.
pub fn real_time_deadline(limit: std::time::Duration) -> (std::sync::mpsc::Sender<()>, oneshot::Receiver<()>) {
    let (keep, dropped) = std::sync::mpsc::channel::<()>();
    let (fire, expired) = oneshot::channel();
    std::thread::spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = dropped.recv_timeout(limit) {
            let _ = fire.send(());
        }
    });
    (keep, expired)
}
