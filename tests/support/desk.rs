//! The war room without Telegram: a reporter's P1 through the real ingest path, and
//! technicians pressing card buttons or replying to the bot through `desk::handle`.
#![allow(dead_code)]

use super::Chat;
use chrono::{DateTime, Utc};
use sigap::config::Settings;
use sigap::desk::{self, DeskInput, DeskKind};
use sigap::ingest::Env;
use sqlx::PgPool;
use std::sync::atomic::{AtomicU32, Ordering};

pub const WAR_ROOM: i64 = -1001234567890;
pub const BOSSES: i64 = -1009876543210;

/// Settings with a war room and a supervisors' chat, changed by `adjust`.
pub fn env_with(adjust: impl FnOnce(&mut Settings)) -> Env {
    let mut s = Settings::default();
    s.telegram.war_room_chat = Some(WAR_ROOM);
    s.sla.supervisor_chat = Some(BOSSES);
    adjust(&mut s);
    sigap::app::load_env(s).unwrap()
}

/// A P1 (wifi down for a whole meeting room) recorded Monday 23 Nov 10:00 WIB by `chat`.
pub async fn p1_ticket(chat: &mut Chat) -> i64 {
    chat.say("wifi di ruang rapat lantai 3 mati sejak jam 9, semua peserta rapat ga bisa konek")
        .await;
    chat.say("Budi Santoso").await;
    chat.say("Bagian Umum Setda").await;
    chat.press("c:yes").await;
    sqlx::query_scalar("SELECT id FROM tickets ORDER BY id DESC LIMIT 1")
        .fetch_one(&chat.pool)
        .await
        .unwrap()
}

/// Someone in the war room, by Telegram user id.
pub struct Person {
    pub user_id: i64,
    pub name: &'static str,
}

impl Person {
    async fn act(&self, pool: &PgPool, env: &Env, kind: DeskKind, at: DateTime<Utc>) {
        static UPDATE: AtomicU32 = AtomicU32::new(1);
        let input = DeskInput {
            update_id: format!("u{}", UPDATE.fetch_add(1, Ordering::Relaxed)),
            user_id: self.user_id,
            user_name: self.name.into(),
            chat_id: WAR_ROOM.to_string(),
            in_war_room: true,
            received_at: at,
            kind,
        };
        desk::handle(pool, env, &input).await.unwrap();
    }

    /// Presses a button whose callback data is `data`.
    pub async fn press(&self, pool: &PgPool, env: &Env, data: &str, at: DateTime<Utc>) {
        let kind = DeskKind::Button {
            query_id: format!("q-{data}-{}", self.user_id),
            message_id: "1".into(),
            data: data.into(),
        };
        self.act(pool, env, kind, at).await;
    }

    /// Runs a technician command in the group, e.g. ("prioritas", "INC-2611-0001 3").
    pub async fn command(&self, pool: &PgPool, env: &Env, name: &str, arg: &str, at: DateTime<Utc>) {
        let kind = DeskKind::Command {
            name: name.into(),
            arg: Some(arg.into()),
        };
        self.act(pool, env, kind, at).await;
    }

    /// Replies to the bot's question in the group.
    pub async fn reply(&self, pool: &PgPool, env: &Env, text: &str, at: DateTime<Utc>) {
        let kind = DeskKind::Text {
            text: text.into(),
            to_bot: true,
        };
        self.act(pool, env, kind, at).await;
    }
}

/// Everything queued for a chat, joined, oldest first.
pub async fn said_to(pool: &PgPool, chat: i64) -> String {
    let texts: Vec<String> = sqlx::query_scalar("SELECT payload->>'text' FROM outbox WHERE chat_id = $1 ORDER BY id")
        .bind(chat.to_string())
        .fetch_all(pool)
        .await
        .unwrap();
    texts.join("\n")
}

/// The choices of the newest message queued for a chat.
pub async fn last_choices(pool: &PgPool, chat: i64) -> Vec<String> {
    let choices: Option<serde_json::Value> = sqlx::query_scalar(
        "SELECT payload->'choices' FROM outbox WHERE chat_id = $1 AND op = 'send' ORDER BY id DESC LIMIT 1",
    )
    .bind(chat.to_string())
    .fetch_one(pool)
    .await
    .unwrap();
    choices
        .and_then(|c| c.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect()
}
