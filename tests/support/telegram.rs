//! Sigap's `serve` started against the fake Bot API, on a test's own database, and the
//! conditions tests wait on (no sleeps: every wait is on the fake's calls or on a commit).
#![allow(dead_code)]

use super::fake_telegram::{self, Call, FakeTelegram};
use secrecy::SecretString;
use serde_json::Value;
use sigap::app::{Application, Served};
use sigap::config::Settings;
use sigap::store::Database;
use sigap::store::technicians;
use sqlx::PgPool;
use std::sync::atomic::{AtomicI64, Ordering};
use tokio_util::sync::CancellationToken;

pub const WAR_ROOM: i64 = -1001234567890;
pub const SECRET: &str = "s3cret-Token_1";

pub struct Bot {
    pub fake: FakeTelegram,
    pub pool: PgPool,
    pub app: Application,
    stop: CancellationToken,
    served: Option<Served>,
    /// The web server's address (health, webhook).
    pub addr: std::net::SocketAddr,
    pub webhook: bool,
    /// Update ids for webhook deliveries that came without one.
    next_update: AtomicI64,
}

pub enum Mode {
    Polling,
    Webhook,
}

/// Settings pointing at the fake.
pub fn settings(fake: &FakeTelegram, mode: &Mode) -> Settings {
    let mut s = Settings::default();
    s.telegram.token = Some(SecretString::from(fake.token()));
    s.telegram.api_url = Some(fake.api_url().to_string());
    s.telegram.war_room_chat = Some(WAR_ROOM);
    if let Mode::Webhook = mode {
        s.telegram.public_url = Some("https://sigap.example.go.id".into());
        s.telegram.webhook_secret = Some(SecretString::from(SECRET));
    }
    s
}

impl Bot {
    pub async fn start(pool: &PgPool, mode: Mode) -> Bot {
        let fake = FakeTelegram::start().await;
        Bot::start_with(pool, mode, fake).await
    }

    /// Starts serving with an existing fake (a restart keeps Telegram's side).
    pub async fn start_with(pool: &PgPool, mode: Mode, fake: FakeTelegram) -> Bot {
        Bot::start_configured(pool, mode, fake, |_| {}).await
    }

    /// As `start_with`, with settings adjusted first (another channel beside Telegram).
    pub async fn start_configured(
        pool: &PgPool,
        mode: Mode,
        fake: FakeTelegram,
        adjust: impl FnOnce(&mut Settings),
    ) -> Bot {
        let mut settings = settings(&fake, &mode);
        adjust(&mut settings);
        let env = sigap::app::load_env(settings).unwrap();

        let app = Application {
            env,
            db: Database::from_pool(pool.clone(), "test database"),
        };
        let stop = CancellationToken::new();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let served = app.serve_on(listener, stop.clone()).await.unwrap();
        Bot {
            webhook: matches!(mode, Mode::Webhook),
            next_update: AtomicI64::new(900_000),
            addr: served.addr,
            fake,
            pool: pool.clone(),
            app,
            stop,
            served: Some(served),
        }
    }

    /// Stops serving (as SIGTERM would) and hands back the fake.
    pub async fn stop(mut self) -> FakeTelegram {
        self.stop.cancel();
        if let Some(s) = self.served.take() {
            s.stopped().await;
        }
        self.fake
    }

    /// Queues an update for getUpdates and waits until Sigap confirmed it (asked for a
    /// later offset), which it does only after the commit.
    pub async fn push(&self, update: Value) -> i64 {
        let id = self.fake.push_update(update);
        self.fake.wait_confirmed(id).await;
        id
    }

    /// Delivers an update the way the bot is set up to receive it, committed on return.
    pub async fn deliver(&self, update: Value) {
        if self.webhook {
            assert_eq!(self.post(&update, Some(SECRET)).await, 200);
        } else {
            self.push(update).await;
        }
    }

    /// Posts an update to the webhook with a secret; returns the HTTP status.
    pub async fn post(&self, update: &Value, secret: Option<&str>) -> u16 {
        let mut update = update.clone();
        if update["update_id"].is_null() {
            update["update_id"] = self.next_update.fetch_add(1, Ordering::Relaxed).into();
        }
        let update = &update;
        let client = reqwest::Client::new();
        let mut req = client
            .post(format!("http://{}/webhooks/telegram", self.addr))
            .json(update);
        if let Some(s) = secret {
            req = req.header("X-Telegram-Bot-Api-Secret-Token", s);
        }
        req.send().await.unwrap().status().as_u16()
    }

    /// Waits until everything queued for `chat` so far reached the fake.
    pub async fn settle(&self, chat: i64) {
        let (sends, answers): (i64, Vec<String>) = sqlx::query_as(
            r#"SELECT count(*) FILTER (WHERE op <> 'answer'),
                      coalesce(array_agg(target) FILTER (WHERE op = 'answer'), '{}')
               FROM outbox WHERE channel = 'telegram' AND chat_id = $1"#,
        )
        .bind(chat.to_string())
        .fetch_one(&self.pool)
        .await
        .unwrap();
        self.fake
            .wait_until(
                &format!("{sends} messages and {} answers for chat {chat}", answers.len()),
                |calls| {
                    let delivered = calls
                        .iter()
                        // A 400 is final too: the sender counts "not modified" as done and
                        // dead-letters other refusals; 429 and 5xx are tried again.
                        .filter(|c| matches!(c.outcome, 200 | 400) && is_message(c) && chat_of(c) == Some(chat))
                        .count() as i64;
                    let answered = answers.iter().all(|q| {
                        calls.iter().any(|c| {
                            c.method == "answercallbackquery" && c.body["callback_query_id"].as_str() == Some(q)
                        })
                    });
                    delivered >= sends && answered
                },
            )
            .await;
    }

    /// The bot's messages in `chat` as they look now (after edits), oldest first.
    pub fn shown(&self, chat: i64) -> Vec<Value> {
        let ids: Vec<i64> = self
            .fake
            .messages_to(chat)
            .iter()
            .filter_map(|m| m["message_id"].as_i64())
            .collect();
        ids.into_iter().filter_map(|id| self.fake.message(chat, id)).collect()
    }

    /// The last message the bot shows in `chat`.
    pub fn last(&self, chat: i64) -> Value {
        self.shown(chat).pop().unwrap_or(Value::Null)
    }

    /// A technician presses a card's button (`tk:{ticket}:{action}`) in the war room.
    pub async fn press(&self, user: i64, name: &str, card: Value, data: &str) {
        self.deliver(fake_telegram::callback_update(None, WAR_ROOM, user, name, card, data))
            .await;
    }

    /// Selesai on the card, then the note as a reply to the prompt it opens; the prompt.
    pub async fn resolve_with_note(&self, user: i64, name: &str, card: Value, ticket: i64, note: &str) -> Value {
        self.press(user, name, card, &format!("tk:{ticket}:s")).await;
        self.fake
            .wait_until("the note prompt", |calls| {
                calls.iter().any(|c| {
                    c.method == "sendmessage"
                        && chat_of(c) == Some(WAR_ROOM)
                        && c.body["reply_markup"]["force_reply"] == true
                })
            })
            .await;
        let prompt = self.last(WAR_ROOM);
        self.deliver(fake_telegram::reply_update(
            None,
            WAR_ROOM,
            user,
            name,
            note,
            prompt.clone(),
        ))
        .await;
        prompt
    }

    /// The war room's card of a ticket, as it looks now.
    pub fn card(&self, number: &str) -> Option<Value> {
        self.shown(WAR_ROOM).into_iter().find(|m| {
            m["text"]
                .as_str()
                .is_some_and(|t| t.contains(number) && t.contains("Tanggapi sebelum"))
        })
    }
}

pub async fn technician(pool: &PgPool, user: i64, name: &str) -> i64 {
    let mut c = pool.acquire().await.unwrap();
    technicians::add(&mut c, user, name, "L1").await.unwrap().id
}

pub fn number_in(texts: &[Value]) -> Option<String> {
    texts.iter().find_map(|m| {
        let t = text(m);
        let at = t.find("INC-")?;
        Some(t[at..at + 13].to_owned())
    })
}

/// Talks as a reporter, pressing buttons as a hurried person would, until a ticket number
/// comes back.
pub async fn report(bot: &Bot, chat: i64, first: &str) -> String {
    bot.deliver(text_update(None, chat, chat, "Budi", first)).await;
    for _ in 0..15 {
        bot.settle(chat).await;
        if let Some(n) = number_in(&bot.shown(chat)) {
            return n;
        }
        let last = bot.last(chat);
        let ids = buttons(&last);
        let update = match ids.iter().find(|id| *id == "kb:no").or(ids.first()) {
            Some(id) => callback_update(None, chat, chat, "Budi", last.clone(), id),
            None if text(&last).contains("nama") => text_update(None, chat, chat, "Budi", "Budi Santoso"),
            None if text(&last).contains("unit") => text_update(None, chat, chat, "Budi", "Bagian Umum Setda"),
            None => text_update(None, chat, chat, "Budi", "tidak tahu"),
        };
        bot.deliver(update).await;
    }
    let texts: Vec<String> = bot
        .shown(chat)
        .iter()
        .map(|m| format!("{} {:?}", text(m), buttons(m)))
        .collect();
    panic!("no ticket after 15 turns: {texts:#?}");
}

pub async fn ticket_id(pool: &PgPool, number: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM tickets WHERE number = $1")
        .bind(number)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Waits for the war room's card of `number` to show `what`; returns it.
pub async fn card_showing(bot: &Bot, number: &str, what: &str) -> Value {
    let (n, w) = (number.to_owned(), what.to_owned());
    bot.fake
        .wait_until(&format!("card {number} showing {what}"), |calls| {
            calls.iter().any(|c| {
                is_message(c)
                    && c.outcome == 200
                    && chat_of(c) == Some(WAR_ROOM)
                    && c.body["text"]
                        .as_str()
                        .is_some_and(|t| t.contains(&n) && t.contains(&w))
            })
        })
        .await;
    bot.card(number).expect("card")
}

pub async fn status(pool: &PgPool, number: &str) -> (String, Option<String>) {
    sqlx::query_as(
        "SELECT t.status, tech.name FROM tickets t LEFT JOIN technicians tech ON tech.id = t.assignee_id WHERE number = $1",
    )
    .bind(number)
    .fetch_one(pool)
    .await
    .unwrap()
}

pub fn is_message(c: &Call) -> bool {
    matches!(c.method.as_str(), "sendmessage" | "editmessagetext")
}

pub fn chat_of(c: &Call) -> Option<i64> {
    match &c.body["chat_id"] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Button ids of a message.
pub fn buttons(m: &Value) -> Vec<String> {
    m["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().into_iter().flatten())
        .filter_map(|b| b["callback_data"].as_str().map(str::to_owned))
        .collect()
}

pub fn text(m: &Value) -> String {
    m["text"].as_str().unwrap_or_default().to_owned()
}

#[allow(unused_imports)]
pub use fake_telegram::{callback_update, location_update, photo_update, reply_update, sticker_update, text_update};

/// A bot on the fake as `serve` sends with, on a client without reqwest's 90 s
/// idle-connection sweep: under a paused clock a periodic timer races virtual time ahead.
pub fn bot_for_paused_clock(fake: &FakeTelegram) -> teloxide::Bot {
    let client = teloxide::net::default_reqwest_settings()
        .pool_idle_timeout(None)
        .build()
        .unwrap();
    teloxide::Bot::with_client(fake.token(), client).set_api_url(fake.api_url())
}
