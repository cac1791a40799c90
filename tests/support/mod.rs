//! Shared by the integration tests: the engine's environment and a scripted chat that
//! goes through the real ingest path and reads replies from the real outbox.
#![allow(dead_code)]

pub mod desk;
pub mod fake_graph;
pub mod fake_telegram;
pub mod paused;
pub mod telegram;
pub mod whatsapp;

use chrono::{DateTime, TimeZone, Utc};
use sigap::config::Settings;
use sigap::domain::{Channel, Content, Inbound, Outbound};
use sigap::ingest::{self, Env, Outcome};
use sigap::store::outbox;
use sqlx::PgPool;
use std::sync::OnceLock;

/// The built-in knowledge and locales with default settings, as `sigap` loads them.
pub fn env() -> Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| sigap::app::load_env(Settings::default()).unwrap())
        .clone()
}

/// Monday 2026-11-23 10:00 WIB: the corpus' reference time too.
pub fn now() -> DateTime<Utc> {
    chrono_tz::Asia::Jakarta
        .with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

pub fn wib(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Asia::Jakarta
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// One person talking to Sigap on the terminal channel.
pub struct Chat {
    pub pool: PgPool,
    pub env: Env,
    pub id: String,
    pub name: Option<String>,
    seq: u32,
    pub last: Vec<Outbound>,
}

impl Chat {
    pub fn new(pool: &PgPool, id: &str) -> Chat {
        Chat {
            pool: pool.clone(),
            env: env(),
            id: id.to_owned(),
            name: None,
            seq: 0,
            last: Vec::new(),
        }
    }

    pub fn inbound(&mut self, content: Content) -> Inbound {
        self.seq += 1;
        Inbound {
            channel: Channel::Terminal,
            message_id: format!("{}-{}", self.id, self.seq),
            chat_id: self.id.clone(),
            sender_id: self.id.clone(),
            sender_name: self.name.clone(),
            received_at: now(),
            content,
            pressed: None,
        }
    }

    /// Sends `m` as it is (tests of duplicates reuse one) and returns the replies.
    pub async fn deliver(&mut self, m: &Inbound) -> (Outcome, Vec<Outbound>) {
        let outcome = ingest::handle_at(&self.pool, &self.env, m, now()).await.unwrap();
        let replies = self.replies().await;
        (outcome, replies)
    }

    pub async fn send(&mut self, content: Content) -> Vec<Outbound> {
        let m = self.inbound(content);
        self.deliver(&m).await.1
    }

    pub async fn say(&mut self, text: &str) -> Vec<Outbound> {
        self.send(Content::Text { text: text.to_owned() }).await
    }

    pub async fn press(&mut self, id: &str) -> Vec<Outbound> {
        self.send(Content::Choice { id: id.to_owned() }).await
    }

    /// Replies waiting in the outbox for this chat, marked sent.
    pub async fn replies(&mut self) -> Vec<Outbound> {
        let mut tx = self.pool.begin().await.unwrap();
        let pending = outbox::claim_for_chat(&mut tx, "terminal", &self.id).await.unwrap();
        let ids: Vec<i64> = pending.iter().map(|p| p.id).collect();
        outbox::mark_sent(&mut tx, &ids).await.unwrap();
        tx.commit().await.unwrap();
        self.last = pending.into_iter().map(|p| p.message).collect();
        self.last.clone()
    }

    pub async fn state(&self) -> serde_json::Value {
        sqlx::query_scalar("SELECT state FROM conversations WHERE channel = 'terminal' AND chat_id = $1")
            .bind(&self.id)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }
}

/// All reply texts joined, for `contains` checks.
pub fn text(replies: &[Outbound]) -> String {
    replies.iter().map(|r| r.text.as_str()).collect::<Vec<_>>().join("\n")
}

pub fn choice_ids(replies: &[Outbound]) -> Vec<String> {
    replies
        .last()
        .map(|r| r.choices.iter().map(|c| c.id.clone()).collect())
        .unwrap_or_default()
}

pub async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(pool)
        .await
        .unwrap()
}
