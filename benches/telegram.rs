//! Telegram's sender, printed (not asserted): delivered messages per second against a fake
//! Bot API that enforces Telegram's limits, with the 429s it got. Webhook ingest is in
//! `benches/webhooks.rs`, beside WhatsApp's.
//!
//! `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench telegram`
//! (an admin connection; a scratch database is created and dropped).

#[allow(unused_imports)]
#[path = "../tests/support/fake_telegram/mod.rs"]
mod fake_telegram;

mod support;

use fake_telegram::FakeTelegram;
use secrecy::SecretString;
use sigap::app::Application;
use sigap::config::Settings;
use sigap::domain::Outbound;
use sigap::store::Database;
use sigap::store::outbox::{self, Queued};
use sqlx::{Executor, PgPool};
use std::time::{Duration, Instant};
use support::Scratch;
use tokio_util::sync::CancellationToken;

const SECRET: &str = "bench-secret";
const WAR_ROOM: i64 = -1009;

async fn app(
    pool: &PgPool,
    fake: &FakeTelegram,
    webhook: bool,
) -> (Application, CancellationToken, sigap::app::Served) {
    let mut s = Settings::default();
    s.telegram.token = Some(SecretString::from(fake.token()));
    s.telegram.api_url = Some(fake.api_url().to_string());
    s.telegram.war_room_chat = Some(WAR_ROOM);
    if webhook {
        s.telegram.public_url = Some("https://bench.example".into());
        s.telegram.webhook_secret = Some(SecretString::from(SECRET));
    }
    let app = Application {
        env: sigap::app::load_env(s).unwrap(),
        db: Database::from_pool(pool.clone(), "bench"),
    };
    let stop = CancellationToken::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let served = app.serve_on(listener, stop.clone()).await.unwrap();
    (app, stop, served)
}

/// Queues `per_chat` messages for each of `chats` people and `group` for the war room,
/// then times the sender until all are delivered.
/// Also when each person's first message arrived (median, latest).
async fn sender(
    pool: &PgPool,
    chats: i64,
    per_chat: usize,
    group: usize,
) -> (f64, usize, Duration, (Duration, Duration)) {
    let fake = FakeTelegram::start().await;
    fake.enforce_limits(true);
    pool.execute("TRUNCATE outbox").await.unwrap();
    let mut c = pool.acquire().await.unwrap();
    let msg = |i: usize| Queued::send(Outbound::text(format!("Kabar {i}: tiket Anda sedang ditangani.")), None);
    let batch: Vec<Queued> = (0..per_chat).map(msg).collect();
    for chat in 0..chats {
        outbox::push_all(&mut c, "telegram", &(2_000_000 + chat).to_string(), None, &batch)
            .await
            .unwrap();
    }
    let cards: Vec<Queued> = (0..group).map(msg).collect();
    outbox::push_all(&mut c, "telegram", &WAR_ROOM.to_string(), None, &cards)
        .await
        .unwrap();
    drop(c);
    let total = chats as usize * per_chat + group;
    let start = Instant::now();
    let (_app, stop, served) = app(pool, &fake, true).await;
    fake.wait_until("all delivered", |calls| {
        calls.iter().filter(|c| c.method == "sendmessage" && c.ok()).count() >= total
    })
    .await;
    let took = start.elapsed();
    stop.cancel();
    served.stopped().await;
    let first = first_messages(&fake.calls(), start);
    (total as f64 / took.as_secs_f64(), fake.too_many_requests(), took, first)
}

/// When each person's first message arrived, from the start: the median and the latest.
fn first_messages(calls: &[fake_telegram::Call], start: Instant) -> (Duration, Duration) {
    let mut first: std::collections::HashMap<i64, Duration> = std::collections::HashMap::new();
    for c in calls.iter().filter(|c| c.method == "sendmessage" && c.ok()) {
        if let Some(chat) = c.chat_id().filter(|id| *id > 0) {
            let at = c.at.into_std().saturating_duration_since(start);
            first.entry(chat).and_modify(|d| *d = (*d).min(at)).or_insert(at);
        }
    }
    let mut at: Vec<Duration> = first.into_values().collect();
    at.sort();
    let median = at.get(at.len() / 2).copied().unwrap_or_default();
    (median, at.last().copied().unwrap_or_default())
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let scratch = Scratch::create("tg", 16).await;
        let pool = scratch.pool.clone();
        println!("sender against a fake enforcing 1/s per person, 20/min per group, 30/s overall:");
        let (rate, limited, took, (median, last)) = sender(&pool, 60, 5, 20).await;
        println!("  320 messages (60 people x 5, war room 20): {rate:.1} delivered/s in {took:.1?}, 429s: {limited}");
        println!("  each person's first message after: median {median:.1?}, latest {last:.1?}");
        scratch.drop().await;
    });
}
