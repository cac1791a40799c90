//! A fake Telegram Bot API on 127.0.0.1 for tests: the wire format teloxide 0.17 speaks
//! (`POST {base}/bot{token}/{Method}`, JSON or multipart bodies, `{"ok":…}` answers), with
//! the behaviours the bot must cope with: exact error descriptions (teloxide maps errors by
//! their text), message ids per chat, "not modified" edits, once-only callback answers,
//! long polling with offsets, flood limits, and failures injected on demand.
//!
//! Time comes from `tokio::time`, so a test may pause the clock; only `wait_until`'s give-up
//! deadline is real time, so a stuck test fails instead of hanging.
#![allow(dead_code)]

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State as AxumState};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
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

const TEXT_MAX: usize = 4096;
const CAPTION_MAX: usize = 1024;
const CALLBACK_DATA_MAX: usize = 64;
/// After this long a callback query can no longer be answered.
const ANSWER_WINDOW: Duration = Duration::from_secs(15);
/// How long `wait_until` waits, in real time, before failing the test.
const WAIT_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

// Descriptions exactly as Telegram writes them: teloxide compares whole strings.
pub const NOT_MODIFIED: &str = "Bad Request: message is not modified: specified new message content and reply markup \
                                are exactly the same as a current content and reply markup of the message";
pub const BLOCKED: &str = "Forbidden: bot was blocked by the user";
/// Telegram writes "ID"; teloxide 0.17 expects "id", so this arrives as `ApiError::Unknown`.
pub const QUERY_TOO_OLD: &str = "Bad Request: query is too old and response timeout expired or query ID is invalid";
const TERMINATED: &str =
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
const WEBHOOK_ACTIVE: &str =
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
const TEXT_BUTTONS: &str =
    "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard";

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

/// An HTTP answer in the Bot API's envelope.
#[derive(Clone)]
struct Reply {
    status: u16,
    body: Value,
}

impl Reply {
    fn ok(result: Value) -> Reply {
        Reply {
            status: 200,
            body: json!({ "ok": true, "result": result }),
        }
    }

    fn error(status: u16, description: &str) -> Reply {
        Reply {
            status,
            body: json!({ "ok": false, "error_code": status, "description": description }),
        }
    }

    fn retry_after(seconds: u32) -> Reply {
        let mut r = Reply::error(429, &format!("Too Many Requests: retry after {seconds}"));
        r.body["parameters"] = json!({ "retry_after": seconds });
        r
    }
}

fn bad(description: &str) -> Reply {
    Reply::error(400, description)
}

type Answer = Result<Value, Reply>;

/// What the fake remembers about a callback query.
#[derive(Default)]
struct Query {
    /// First handed out by getUpdates; the answer window runs from here.
    delivered: Option<Instant>,
    answered: bool,
}

#[derive(Default)]
struct State {
    calls: Vec<Call>,
    /// Updates not yet confirmed by a getUpdates offset past them.
    pending: VecDeque<Value>,
    next_update_id: i64,
    confirmed_offset: i64,
    /// The last non-empty `allowed_updates`; Telegram keeps it between calls.
    allowed_updates: Option<Vec<String>>,
    /// Bumped by each getUpdates: a long poll that sees a newer one answers 409.
    poll_generation: u64,
    /// Long polls currently held open.
    polling: usize,
    webhook: Option<String>,
    fail_next: HashMap<String, VecDeque<Failure>>,
    fail_chat: HashMap<i64, Failure>,
    limits: bool,
    too_many: usize,
    /// Accepted deliveries per chat and overall, for the flood limits (last 60 s).
    sent_at: HashMap<i64, VecDeque<Instant>>,
    sent_all: VecDeque<Instant>,
    chats: HashMap<i64, Value>,
    /// Every message the fake knows, the users' (from pushed updates) and the bot's.
    messages: HashMap<(i64, i64), Value>,
    next_message_id: HashMap<i64, i64>,
    /// Messages sent with sendMessage, as answered, in order.
    sent_log: Vec<(i64, Value)>,
    queries: HashMap<String, Query>,
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
fn real_time_deadline(limit: std::time::Duration) -> (std::sync::mpsc::Sender<()>, oneshot::Receiver<()>) {
    let (keep, dropped) = std::sync::mpsc::channel::<()>();
    let (fire, expired) = oneshot::channel();
    std::thread::spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = dropped.recv_timeout(limit) {
            let _ = fire.send(());
        }
    });
    (keep, expired)
}

async fn serve(
    AxumState(shared): AxumState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let arrived = Instant::now();
    let path = uri.path().trim_start_matches('/');
    if let Some(file) = path.strip_prefix("file/") {
        return download(&method, file);
    }
    let (bot, name) = path.split_once('/').unwrap_or((path, ""));
    let name = name.to_ascii_lowercase();
    let params = parse_params(&headers, uri.query(), &body);
    let reply = if bot.strip_prefix("bot") != Some(TOKEN) {
        wrong_token(bot)
    } else {
        match &params {
            Err(r) => r.clone(),
            Ok(p) if name == "getupdates" => get_updates(&shared, p, arrived).await,
            Ok(p) => shared.lock().answer(&name, p, arrived),
        }
    };
    shared.record(Call {
        method: name,
        body: params.unwrap_or(Value::Null),
        at: arrived,
        outcome: reply.status,
    });
    respond(reply)
}

fn respond(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(reply.body)).into_response()
}

/// Telegram: a token shaped like one but unknown is 401 "Unauthorized"; anything else in
/// its place is 404 "Not Found". teloxide reads both as `ApiError::InvalidToken`.
fn wrong_token(segment: &str) -> Reply {
    let token = segment.strip_prefix("bot").unwrap_or("");
    let shaped = token
        .split_once(':')
        .is_some_and(|(id, secret)| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) && !secret.is_empty());
    if shaped {
        Reply::error(401, "Unauthorized")
    } else {
        Reply::error(404, "Not Found")
    }
}

/// `GET /file/bot{token}/{file_path}`: a few bytes that name the file.
fn download(method: &Method, rest: &str) -> Response {
    match rest.split_once('/') {
        Some((bot, path)) if bot.strip_prefix("bot") == Some(TOKEN) && method == Method::GET => {
            // teloxide sends the file path as one segment, its '/' as %2F.
            let bytes = file_bytes(&percent_decode(path));
            ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response()
        }
        _ => respond(Reply::error(404, "Not Found")),
    }
}

fn percent_decode(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        let hex = |b: Option<u8>| b.and_then(|b| char::from(b).to_digit(16));
        if b == b'%' {
            let mut ahead = bytes.clone();
            if let (Some(h), Some(l)) = (hex(ahead.next()), hex(ahead.next())) {
                out.push((h * 16 + l) as u8);
                bytes = ahead;
                continue;
            }
        }
        out.push(b);
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn file_bytes(path: &str) -> Vec<u8> {
    format!("fake telegram file {path}").into_bytes()
}

// ---------------------------------------------------------------------------------------
// Requests' parameters

/// The parameters as one JSON object, from the query string and a JSON, urlencoded or
/// multipart body (teloxide uses JSON, and multipart for methods that may upload files).
fn parse_params(headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Result<Value, Reply> {
    let mut params = Map::new();
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        params.insert(k.to_string(), typed(&k, &v));
    }
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if body.is_empty() {
    } else if ctype.starts_with("multipart/form-data") {
        multipart(ctype, body, &mut params)?;
    } else if ctype.starts_with("application/x-www-form-urlencoded") {
        for (k, v) in url::form_urlencoded::parse(body) {
            params.insert(k.to_string(), typed(&k, &v));
        }
    } else {
        // (Not Telegram's wording: teloxide always sends valid JSON.)
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => params.extend(m),
            Ok(Value::Null) => {}
            _ => return Err(bad("Bad Request: the request body is not a JSON object")),
        }
    }
    Ok(Value::Object(params))
}

/// Fields that are strings even when they look like numbers or JSON.
const STRING_FIELDS: [&str; 16] = [
    "text",
    "caption",
    "photo",
    "document",
    "file_id",
    "url",
    "secret_token",
    "callback_query_id",
    "inline_message_id",
    "description",
    "short_description",
    "name",
    "data",
    "language_code",
    "parse_mode",
    "ip_address",
];

/// A form field's text as the JSON value teloxide serialised it from.
fn typed(name: &str, value: &str) -> Value {
    if STRING_FIELDS.contains(&name) {
        return Value::String(value.to_owned());
    }
    match serde_json::from_str::<Value>(value) {
        Ok(v @ (Value::Object(_) | Value::Array(_) | Value::Number(_) | Value::Bool(_))) => v,
        _ => Value::String(value.to_owned()),
    }
}

/// Just enough of multipart/form-data for reqwest's forms: text fields, and file parts
/// (teloxide names them by a random id and puts `attach://{id}` in the field).
fn multipart(ctype: &str, body: &[u8], params: &mut Map<String, Value>) -> Result<(), Reply> {
    let boundary = ctype
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"'))
        .ok_or_else(|| bad("Bad Request: multipart boundary missing"))?;
    let delimiter = format!("--{boundary}");
    let mut files = Map::new();
    for part in split_bytes(body, delimiter.as_bytes()).into_iter().skip(1) {
        if part.starts_with(b"--") {
            break; // the closing delimiter
        }
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let Some(split) = find_bytes(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..split]);
        let content = &part[split + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        let Some(name) = disposition(&head, "name") else {
            continue;
        };
        match disposition(&head, "filename") {
            Some(file_name) => {
                files.insert(name, json!({ "file_name": file_name, "size": content.len() }));
            }
            None => {
                let value = typed(&name, &String::from_utf8_lossy(content));
                params.insert(name, value);
            }
        }
    }
    for value in params.values_mut() {
        let attached = value.as_str().and_then(|s| s.strip_prefix("attach://"));
        if let Some(file) = attached.and_then(|id| files.get(id)) {
            *value = file.clone();
        }
    }
    Ok(())
}

fn disposition(head: &str, key: &str) -> Option<String> {
    let needle = format!("{key}=\"");
    head.lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("content-disposition"))
        .find_map(|l| {
            // `name="` must not match inside `filename="`.
            let start = l
                .match_indices(&needle)
                .find(|(i, _)| *i == 0 || matches!(l.as_bytes()[i - 1], b' ' | b';'))?
                .0
                + needle.len();
            let end = l[start..].find('"')?;
            Some(l[start..start + end].to_owned())
        })
}

fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn split_bytes<'a>(mut hay: &'a [u8], needle: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    while let Some(i) = find_bytes(hay, needle) {
        parts.push(&hay[..i]);
        hay = &hay[i + needle.len()..];
    }
    parts.push(hay);
    parts
}

/// A chat id given as a number or a numeric string ("@channel" names are not supported).
fn as_chat_id(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

fn unix_now() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map_or(1, |d| d.as_secs() as i64)
}

// ---------------------------------------------------------------------------------------
// The methods

/// Methods that deliver or change a message: the ones flood limits and `fail_chat` hit.
fn delivers(method: &str) -> bool {
    (method.starts_with("send") && method != "sendchataction")
        || method.starts_with("edit")
        || method.starts_with("copy")
        || method.starts_with("forward")
}

async fn get_updates(shared: &Shared, p: &Value, arrived: Instant) -> Reply {
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
    fn injected(&mut self, method: &str) -> Option<Failure> {
        self.fail_next.get_mut(method).and_then(VecDeque::pop_front)
    }

    /// Answers every method but getUpdates.
    fn answer(&mut self, method: &str, p: &Value, now: Instant) -> Reply {
        if let Some(f) = self.injected(method) {
            return f.reply();
        }
        let chat = p.get("chat_id").and_then(as_chat_id);
        let delivery = delivers(method);
        if delivery {
            if let Some(f) = chat.and_then(|c| self.fail_chat.get(&c)) {
                return f.reply();
            }
            if let (true, Some(c)) = (self.limits, chat) {
                if let Some(seconds) = self.limit_wait(c, now) {
                    self.too_many += 1;
                    return Reply::retry_after(seconds);
                }
            }
        }
        let result = match method {
            "getme" => Ok(me()),
            "sendmessage" => self.send_message(p),
            "sendphoto" => self.send_media(p, "photo"),
            "senddocument" => self.send_media(p, "document"),
            "editmessagetext" => self.edit_text(p),
            "editmessagereplymarkup" => self.edit_markup(p),
            "deletemessage" => self.delete_message(p),
            "answercallbackquery" => self.answer_query(p, now),
            "setmycommands" => set_my_commands(p),
            "deletemycommands" | "setchatmenubutton" | "sendchataction" => Ok(Value::Bool(true)),
            "setwebhook" => self.set_webhook(p),
            "deletewebhook" => {
                self.webhook = None;
                if p.get("drop_pending_updates").and_then(Value::as_bool) == Some(true) {
                    self.pending.clear();
                }
                Ok(Value::Bool(true))
            }
            "getfile" => get_file(p),
            _ => Err(Reply::error(404, "Not Found: method not found")),
        };
        match result {
            Ok(v) => {
                if let (true, Some(c)) = (delivery, chat) {
                    self.count_send(c, now);
                }
                Reply::ok(v)
            }
            Err(r) => r,
        }
    }

    /// Remembers what a pushed update shows: its chat, its message, its callback query.
    fn learn(&mut self, update: &Value) {
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

    /// Seconds until one more delivery to `chat` is allowed, if it is not allowed now.
    fn limit_wait(&self, chat: i64, now: Instant) -> Option<u32> {
        let (window, max) = if chat > 0 {
            (Duration::from_secs(1), 1)
        } else {
            (Duration::from_secs(60), 20)
        };
        let wait = [
            window_wait(self.sent_at.get(&chat), now, window, max),
            window_wait(Some(&self.sent_all), now, Duration::from_secs(1), 30),
        ]
        .into_iter()
        .flatten()
        .max()?;
        Some(wait.as_millis().div_ceil(1000).max(1) as u32)
    }

    fn count_send(&mut self, chat: i64, now: Instant) {
        let keep = |q: &mut VecDeque<Instant>| {
            q.push_back(now);
            while q
                .front()
                .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
            {
                q.pop_front();
            }
        };
        keep(self.sent_at.entry(chat).or_default());
        keep(&mut self.sent_all);
    }

    fn chat(&self, id: i64) -> Value {
        self.chats.get(&id).cloned().unwrap_or_else(|| chat(id, "User"))
    }

    /// A new message from the bot, with the chat's next id (ids count from 1 per chat).
    fn new_message(&mut self, chat: i64) -> Value {
        let next = self.next_message_id.entry(chat).or_insert(1);
        let id = *next;
        *next += 1;
        json!({ "message_id": id, "from": bot_user(), "chat": self.chat(chat), "date": unix_now() })
    }

    /// `reply_parameters` (or the older `reply_to_message_id`) as the message answered.
    fn reply_target(&self, chat: i64, p: &Value) -> Result<Option<Value>, Reply> {
        let (id, allow, target) = match p.get("reply_parameters") {
            Some(rp) => (
                rp.get("message_id").and_then(Value::as_i64),
                rp.get("allow_sending_without_reply").and_then(Value::as_bool),
                rp.get("chat_id").and_then(as_chat_id).unwrap_or(chat),
            ),
            None => (
                p.get("reply_to_message_id").and_then(Value::as_i64),
                p.get("allow_sending_without_reply").and_then(Value::as_bool),
                chat,
            ),
        };
        let Some(id) = id else { return Ok(None) };
        match self.messages.get(&(target, id)) {
            // A reply across chats shows as `external_reply`, which the fake leaves out.
            Some(_) if target != chat => Ok(None),
            Some(m) => {
                let mut m = m.clone();
                // Telegram nests one level only.
                m.as_object_mut().map(|o| o.remove("reply_to_message"));
                Ok(Some(m))
            }
            None if allow == Some(true) => Ok(None),
            None => Err(bad("Bad Request: message to be replied not found")),
        }
    }

    fn send_message(&mut self, p: &Value) -> Answer {
        let chat = required_chat(p)?;
        let text = render(str_param(p, "text"), p.get("parse_mode").and_then(Value::as_str))?;
        check_text(&text)?;
        let markup = inline_markup(p.get("reply_markup"))?;
        let reply_to = self.reply_target(chat, p)?;
        let mut m = self.new_message(chat);
        m["text"] = text.into();
        if let Some(k) = markup {
            m["reply_markup"] = k;
        }
        if let Some(r) = reply_to {
            m["reply_to_message"] = r;
        }
        self.messages
            .insert((chat, m["message_id"].as_i64().unwrap_or(0)), m.clone());
        self.sent_log.push((chat, m.clone()));
        Ok(m)
    }

    /// sendPhoto and sendDocument, with a file id, a URL or an upload.
    fn send_media(&mut self, p: &Value, kind: &str) -> Answer {
        static UPLOADS: AtomicI64 = AtomicI64::new(1);
        let chat = required_chat(p)?;
        let file = p
            .get(kind)
            .ok_or_else(|| bad(&format!("Bad Request: there is no {kind} in the request")))?;
        let caption = match p.get("caption").and_then(Value::as_str) {
            Some(c) => Some(render(c, p.get("parse_mode").and_then(Value::as_str))?),
            None => None,
        };
        if caption.as_ref().is_some_and(|c| c.chars().count() > CAPTION_MAX) {
            return Err(bad("Bad Request: message caption is too long"));
        }
        let markup = inline_markup(p.get("reply_markup"))?;
        let reply_to = self.reply_target(chat, p)?;
        // A file id is kept; a URL or an upload gets a new id, as on Telegram.
        let file_id = match file.as_str() {
            Some(s) if !s.contains("://") && !s.is_empty() => s.to_owned(),
            _ => format!("uploaded-{kind}-{}", UPLOADS.fetch_add(1, Ordering::Relaxed)),
        };
        let mut m = self.new_message(chat);
        if kind == "photo" {
            m["photo"] = photo_sizes(&file_id);
        } else {
            let name = file.get("file_name").and_then(Value::as_str).filter(|n| !n.is_empty());
            m["document"] = json!({
                "file_id": file_id,
                "file_unique_id": format!("u-{file_id}"),
                "file_name": name.unwrap_or("document"),
                "file_size": file.get("size").and_then(Value::as_u64).unwrap_or(2048),
            });
        }
        if let Some(c) = caption {
            m["caption"] = c.into();
        }
        if let Some(k) = markup {
            m["reply_markup"] = k;
        }
        if let Some(r) = reply_to {
            m["reply_to_message"] = r;
        }
        self.messages
            .insert((chat, m["message_id"].as_i64().unwrap_or(0)), m.clone());
        Ok(m)
    }

    /// The message an edit names, if the bot may edit it.
    fn editable(&self, p: &Value) -> Result<((i64, i64), Value), Reply> {
        let not_found = || bad("Bad Request: message to edit not found");
        let chat = required_chat(p)?;
        let id = p.get("message_id").and_then(Value::as_i64).ok_or_else(not_found)?;
        let m = self.messages.get(&(chat, id)).ok_or_else(not_found)?;
        if m.pointer("/from/id").and_then(Value::as_i64) != Some(BOT_ID) {
            return Err(bad("Bad Request: message can't be edited"));
        }
        Ok(((chat, id), m.clone()))
    }

    fn edit_text(&mut self, p: &Value) -> Answer {
        let (key, m) = self.editable(p)?;
        if m.get("text").is_none() {
            return Err(bad("Bad Request: there is no text in the message to edit"));
        }
        let text = render(str_param(p, "text"), p.get("parse_mode").and_then(Value::as_str))?;
        check_text(&text)?;
        // No reply_markup in an edit removes the keyboard, as on Telegram.
        let markup = inline_markup(p.get("reply_markup"))?;
        self.apply_edit(key, m, Some(text), markup)
    }

    fn edit_markup(&mut self, p: &Value) -> Answer {
        let (key, m) = self.editable(p)?;
        let markup = inline_markup(p.get("reply_markup"))?;
        self.apply_edit(key, m, None, markup)
    }

    fn apply_edit(&mut self, key: (i64, i64), mut m: Value, text: Option<String>, markup: Option<Value>) -> Answer {
        let same_text = text
            .as_deref()
            .is_none_or(|t| m.get("text").and_then(Value::as_str) == Some(t));
        if same_text && m.get("reply_markup") == markup.as_ref() {
            return Err(bad(NOT_MODIFIED));
        }
        if let Some(t) = text {
            m["text"] = t.into();
        }
        match markup {
            Some(k) => m["reply_markup"] = k,
            None => {
                m.as_object_mut().map(|o| o.remove("reply_markup"));
            }
        }
        m["edit_date"] = unix_now().into();
        self.messages.insert(key, m.clone());
        Ok(m)
    }

    fn delete_message(&mut self, p: &Value) -> Answer {
        let chat = required_chat(p)?;
        let id = p.get("message_id").and_then(Value::as_i64).unwrap_or(0);
        match self.messages.remove(&(chat, id)) {
            Some(_) => Ok(Value::Bool(true)),
            None => Err(bad("Bad Request: message to delete not found")),
        }
    }

    /// Once per query, within 15 s of its delivery. Queries the fake never saw (sent to a
    /// webhook by the test) are accepted once.
    fn answer_query(&mut self, p: &Value, now: Instant) -> Answer {
        let id = str_param(p, "callback_query_id");
        if id.is_empty() {
            return Err(bad(QUERY_TOO_OLD));
        }
        let q = self.queries.entry(id.to_owned()).or_default();
        let late = q.delivered.is_some_and(|d| now.duration_since(d) > ANSWER_WINDOW);
        if q.answered || late {
            return Err(bad(QUERY_TOO_OLD));
        }
        q.answered = true;
        Ok(Value::Bool(true))
    }

    fn set_webhook(&mut self, p: &Value) -> Answer {
        let url = str_param(p, "url");
        if url.is_empty() {
            self.webhook = None; // as deleteWebhook
        } else if !url.starts_with("https://") {
            return Err(bad(
                "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
            ));
        } else {
            self.webhook = Some(url.to_owned());
        }
        if p.get("drop_pending_updates").and_then(Value::as_bool) == Some(true) {
            self.pending.clear();
        }
        Ok(Value::Bool(true))
    }
}

/// Where one more delivery must wait, if `max` already happened within `window`.
fn window_wait(sent: Option<&VecDeque<Instant>>, now: Instant, window: Duration, max: usize) -> Option<Duration> {
    let inside: Vec<Instant> = sent?
        .iter()
        .copied()
        .filter(|t| now.duration_since(*t) < window)
        .collect();
    // Allowed again once enough of them left the window to leave room for one.
    (inside.len() >= max).then(|| inside[inside.len() - max] + window - now)
}

fn required_chat(p: &Value) -> Result<i64, Reply> {
    match p.get("chat_id") {
        None | Some(Value::Null) => Err(bad("Bad Request: chat_id is empty")),
        Some(v) => as_chat_id(v).ok_or_else(|| bad("Bad Request: chat not found")),
    }
}

fn str_param<'a>(p: &'a Value, key: &str) -> &'a str {
    p.get(key).and_then(Value::as_str).unwrap_or("")
}

fn check_text(text: &str) -> Result<(), Reply> {
    if text.trim().is_empty() {
        return Err(bad("Bad Request: message text is empty"));
    }
    if text.chars().count() > TEXT_MAX {
        return Err(bad("Bad Request: message is too long"));
    }
    Ok(())
}

/// The inline keyboard a message will carry. Other markups (reply keyboards, ForceReply)
/// act on the user's client and are not part of the Message, and an empty inline keyboard
/// is none.
fn inline_markup(markup: Option<&Value>) -> Result<Option<Value>, Reply> {
    const ACTIONS: [&str; 10] = [
        "callback_data",
        "url",
        "login_url",
        "web_app",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    ];
    let Some(rows) = markup.and_then(|m| m.get("inline_keyboard")) else {
        return Ok(None);
    };
    let rows = rows
        .as_array()
        .ok_or_else(|| bad("Bad Request: can't parse inline keyboard markup"))?;
    for button in rows.iter().flat_map(|r| r.as_array().into_iter().flatten()) {
        if let Some(data) = button.get("callback_data") {
            let len = data.as_str().map_or(0, str::len);
            if len == 0 || len > CALLBACK_DATA_MAX {
                return Err(bad("Bad Request: BUTTON_DATA_INVALID"));
            }
        } else if !ACTIONS.iter().any(|a| button.get(a).is_some()) {
            return Err(bad(TEXT_BUTTONS));
        }
    }
    if rows.iter().all(|r| r.as_array().is_none_or(Vec::is_empty)) {
        return Ok(None);
    }
    Ok(Some(json!({ "inline_keyboard": rows })))
}

fn set_my_commands(p: &Value) -> Answer {
    let commands = p.get("commands").and_then(Value::as_array).cloned().unwrap_or_default();
    for c in &commands {
        let name = str_param(c, "command");
        let valid = (1..=32).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            return Err(bad("Bad Request: BOT_COMMAND_INVALID"));
        }
    }
    Ok(Value::Bool(true))
}

fn get_file(p: &Value) -> Answer {
    let id = str_param(p, "file_id");
    if id.is_empty() {
        return Err(bad("Bad Request: invalid file_id"));
    }
    let path = format!("photos/{id}.jpg");
    Ok(json!({
        "file_id": id,
        "file_unique_id": format!("u-{id}"),
        "file_size": file_bytes(&path).len(),
        "file_path": path,
    }))
}

fn me() -> Value {
    let mut me = bot_user();
    for (k, v) in [
        ("can_join_groups", true),
        ("can_read_all_group_messages", false),
        ("supports_inline_queries", false),
        ("can_connect_to_business", false),
        ("has_main_web_app", false),
    ] {
        me[k] = v.into();
    }
    me
}

fn bot_user() -> Value {
    json!({ "id": BOT_ID, "is_bot": true, "first_name": "Sigap", "username": BOT_USERNAME })
}

// ---------------------------------------------------------------------------------------
// parse_mode: Telegram checks the markup and stores the plain text (with entities, which
// the fake leaves out). Errors start "Bad Request: can't parse entities: ", which teloxide
// reads as `ApiError::CantParseEntities`.

fn render(text: &str, parse_mode: Option<&str>) -> Result<String, Reply> {
    let rendered = match parse_mode {
        None | Some("") => return Ok(text.to_owned()),
        Some("MarkdownV2") => markdown_v2(text),
        Some("HTML") => html(text),
        Some("Markdown") => markdown_legacy(text),
        Some(other) => return Err(bad(&format!("Bad Request: unsupported parse_mode \"{other}\""))),
    };
    rendered.map_err(|e| bad(&format!("Bad Request: can't parse entities: {e}")))
}

/// MarkdownV2: every one of `_*[]()~`>#+-=|{}.!` outside markup must be escaped.
fn markdown_v2(text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut open: Open = Vec::new(); // (marker, entity, byte offset)
    let mut chars = text.char_indices().peekable();
    let mut line_start = true;
    while let Some((at, c)) = chars.next() {
        let starts_line = line_start;
        line_start = c == '\n';
        match c {
            '\\' => match chars.next() {
                Some((_, e)) if e.is_ascii() => out.push(e),
                Some((_, e)) => {
                    out.push('\\');
                    out.push(e);
                }
                None => return Err(format!("Character '\\' at byte offset {at} must be escaped")),
            },
            '`' => {
                let pre = text[at..].starts_with("```");
                let body_start = at + if pre { 3 } else { 1 };
                let end = code_end(text, body_start, if pre { "```" } else { "`" }).ok_or_else(|| {
                    format!(
                        "Can't find end of {} entity at byte offset {at}",
                        if pre { "Pre" } else { "Code" }
                    )
                })?;
                let mut code = unescape(&text[body_start..end]);
                if pre {
                    // The first line names the language when it is one word.
                    if let Some((lang, rest)) = code.split_once('\n') {
                        if !lang.is_empty() && !lang.contains(char::is_whitespace) {
                            code = rest.to_owned();
                        }
                    }
                }
                out.push_str(&code);
                let close = end + if pre { 3 } else { 1 };
                while chars.peek().is_some_and(|(i, _)| *i < close) {
                    chars.next();
                }
            }
            '*' => toggle(&mut open, "*", "Bold", at)?,
            '~' => toggle(&mut open, "~", "Strikethrough", at)?,
            '_' if chars.peek().is_some_and(|(_, n)| *n == '_') => {
                chars.next();
                toggle(&mut open, "__", "Underline", at)?;
            }
            '_' => toggle(&mut open, "_", "Italic", at)?,
            '|' if chars.peek().is_some_and(|(_, n)| *n == '|') => {
                chars.next();
                toggle(&mut open, "||", "Spoiler", at)?;
            }
            '[' => open.push(("[", "TextUrl", at)),
            '!' if chars.peek().is_some_and(|(_, n)| *n == '[') => {
                chars.next();
                open.push(("[", "CustomEmoji", at));
            }
            ']' if open.last().is_some_and(|(m, _, _)| *m == "[") => {
                let (_, entity, start) = open.pop().unwrap_or_default();
                if chars.next().map(|(_, n)| n) != Some('(') {
                    return Err(format!("Can't find end of {entity} entity at byte offset {start}"));
                }
                // The URL: up to an unescaped ')'.
                let mut closed = false;
                while let Some((_, u)) = chars.next() {
                    match u {
                        '\\' => {
                            chars.next();
                        }
                        ')' => {
                            closed = true;
                            break;
                        }
                        _ => {}
                    }
                }
                if !closed {
                    return Err(format!("Can't find end of a URL at byte offset {start}"));
                }
            }
            '>' if starts_line => {} // a blockquote line
            // The other reserved characters (`_*[~` and the backquote) always open markup.
            ']' | '(' | ')' | '>' | '#' | '+' | '-' | '=' | '|' | '{' | '}' | '.' | '!' => {
                return Err(format!(
                    "Character '{c}' is reserved and must be escaped with the preceding '\\'"
                ));
            }
            c => out.push(c),
        }
    }
    match open.first() {
        Some((_, entity, at)) => Err(format!("Can't find end of {entity} entity at byte offset {at}")),
        None => Ok(out),
    }
}

type Open = Vec<(&'static str, &'static str, usize)>;

/// Opens a MarkdownV2 entity, or closes it if it is the innermost one open.
fn toggle(open: &mut Open, marker: &'static str, entity: &'static str, at: usize) -> Result<(), String> {
    match open.iter().rposition(|(m, _, _)| *m == marker) {
        Some(i) if i == open.len() - 1 => {
            open.pop();
            Ok(())
        }
        Some(i) => Err(format!(
            "Can't find end of {} entity at byte offset {}",
            open[i].1, open[i].2
        )),
        None => {
            open.push((marker, entity, at));
            Ok(())
        }
    }
}

/// Where a code span that starts at `from` ends: the next unescaped `marker`.
fn code_end(text: &str, from: usize, marker: &str) -> Option<usize> {
    let mut i = from;
    while i < text.len() {
        if text[i..].starts_with('\\') {
            i += 1 + text[i + 1..].chars().next().map_or(0, char::len_utf8);
        } else if text[i..].starts_with(marker) {
            return Some(i);
        } else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// HTML: the tags Telegram supports, properly nested; entities decoded.
fn html(text: &str) -> Result<String, String> {
    const TAGS: [&str; 16] = [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    ];
    let mut out = String::new();
    let mut open: Vec<String> = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        if rest.starts_with('<') {
            let end = rest
                .find('>')
                .ok_or_else(|| format!("Unclosed start tag at byte offset {at}"))?;
            let inner = &rest[1..end];
            if let Some(name) = inner.strip_prefix('/') {
                let name = name.trim().to_ascii_lowercase();
                match open.pop() {
                    Some(o) if o == name => {}
                    Some(o) => {
                        return Err(format!(
                            "Unmatched end tag at byte offset {at}, expected \"</{o}>\", found \"</{name}>\""
                        ));
                    }
                    None => return Err(format!("Unexpected end tag at byte offset {at}")),
                }
            } else {
                let name = inner.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
                if !TAGS.contains(&name.as_str()) {
                    return Err(format!("Unsupported start tag \"{name}\" at byte offset {at}"));
                }
                open.push(name);
            }
            at += end + 1;
        } else if rest.starts_with('&') {
            let entity = rest.find(';').filter(|&e| e <= 10).map(|e| (&rest[1..e], e));
            let decoded = entity.and_then(|(name, e)| {
                let c = match name {
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "amp" => Some('&'),
                    "quot" => Some('"'),
                    n if n.starts_with("#x") => u32::from_str_radix(&n[2..], 16).ok().and_then(char::from_u32),
                    n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
                    _ => None,
                };
                c.map(|c| (c, e))
            });
            match decoded {
                Some((c, e)) => {
                    out.push(c);
                    at += e + 1;
                }
                None => {
                    out.push('&');
                    at += 1;
                }
            }
        } else {
            let c = rest.chars().next().unwrap_or_default();
            out.push(c);
            at += c.len_utf8();
        }
    }
    match open.last() {
        Some(name) => Err(format!("Can't find end tag corresponding to start tag \"{name}\"")),
        None => Ok(out),
    }
}

/// Legacy Markdown: `*bold*`, `_italic_`, `` `code` ``, `[text](url)`; `\` escapes.
fn markdown_legacy(text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut open: Option<(char, usize)> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match (c, open) {
            ('\\', None) => out.extend(chars.next().map(|(_, e)| e)),
            ('*' | '_' | '`', None) => open = Some((c, at)),
            (c, Some((m, _))) if c == m => open = None,
            ('[', None) => {
                let rest = &text[at..];
                let end = rest
                    .find("](")
                    .and_then(|t| rest[t..].find(')').map(|u| (t, t + u)))
                    .ok_or_else(|| format!("Can't find end of the entity starting at byte offset {at}"))?;
                out.push_str(&rest[1..end.0]);
                while chars.peek().is_some_and(|(i, _)| *i <= at + end.1) {
                    chars.next();
                }
            }
            (c, _) => out.push(c),
        }
    }
    match open {
        Some((_, at)) => Err(format!("Can't find end of the entity starting at byte offset {at}")),
        None => Ok(out),
    }
}

// ---------------------------------------------------------------------------------------
// Update builders: JSON as Telegram sends it. Users' message ids come from one counter
// from 1 000 000 up, apart from the bot's per-chat ids; dates are the real current time.

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
fn photo_sizes(file_id: &str) -> Value {
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
