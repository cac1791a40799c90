//! The methods but getUpdates: what the fake remembers (`State`) and the answer to each.

use super::markup::render;
use super::server::{Answer, Reply, as_chat_id, bad, file_bytes};
use super::updates::{chat, photo_sizes, unix_now};
use super::{BOT_ID, BOT_USERNAME, Call, Failure, NOT_MODIFIED, QUERY_TOO_OLD};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

const TEXT_MAX: usize = 4096;
const CAPTION_MAX: usize = 1024;
const CALLBACK_DATA_MAX: usize = 64;
/// After this long a callback query can no longer be answered.
const ANSWER_WINDOW: Duration = Duration::from_secs(15);
// Descriptions exactly as Telegram writes them: teloxide compares whole strings.
const TEXT_BUTTONS: &str =
    "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard";

/// What the fake remembers about a callback query.
#[derive(Default)]
pub(super) struct Query {
    /// First handed out by getUpdates; the answer window runs from here.
    pub(super) delivered: Option<Instant>,
    pub(super) answered: bool,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) calls: Vec<Call>,
    /// Updates not yet confirmed by a getUpdates offset past them.
    pub(super) pending: VecDeque<Value>,
    pub(super) next_update_id: i64,
    pub(super) confirmed_offset: i64,
    /// The last non-empty `allowed_updates`; Telegram keeps it between calls.
    pub(super) allowed_updates: Option<Vec<String>>,
    /// Bumped by each getUpdates: a long poll that sees a newer one answers 409.
    pub(super) poll_generation: u64,
    /// Long polls currently held open.
    pub(super) polling: usize,
    pub(super) webhook: Option<String>,
    pub(super) fail_next: HashMap<String, VecDeque<Failure>>,
    pub(super) fail_chat: HashMap<i64, Failure>,
    pub(super) limits: bool,
    pub(super) too_many: usize,
    /// Accepted deliveries per chat and overall, for the flood limits (last 60 s).
    pub(super) sent_at: HashMap<i64, VecDeque<Instant>>,
    pub(super) sent_all: VecDeque<Instant>,
    pub(super) chats: HashMap<i64, Value>,
    /// Every message the fake knows, the users' (from pushed updates) and the bot's.
    pub(super) messages: HashMap<(i64, i64), Value>,
    pub(super) next_message_id: HashMap<i64, i64>,
    /// Messages sent with sendMessage, as answered, in order.
    pub(super) sent_log: Vec<(i64, Value)>,
    pub(super) queries: HashMap<String, Query>,
}

/// Methods that deliver or change a message: the ones flood limits and `fail_chat` hit.
fn delivers(method: &str) -> bool {
    (method.starts_with("send") && method != "sendchataction")
        || method.starts_with("edit")
        || method.starts_with("copy")
        || method.starts_with("forward")
}

impl State {
    pub(super) fn injected(&mut self, method: &str) -> Option<Failure> {
        self.fail_next.get_mut(method).and_then(VecDeque::pop_front)
    }

    /// Answers every method but getUpdates.
    pub(super) fn answer(&mut self, method: &str, p: &Value, now: Instant) -> Reply {
        match self.injected(method) {
            Some(Failure::Pass) | None => {}
            Some(f) => return f.reply(),
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
