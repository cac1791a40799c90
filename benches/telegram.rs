//! Telegram figures, printed (not asserted): webhook ingest (updates committed per second
//! and request-to-200 latency at increasing offered rates, next to the raw single-INSERT
//! transaction rate of the same run), and the sender's delivered messages per second
//! against a fake Bot API that enforces Telegram's limits, with the 429s it got.
//!
//! `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench telegram`
//! (an admin connection; a scratch database is created and dropped).

#[allow(unused_imports)]
#[path = "../tests/support/fake_telegram/mod.rs"]
mod fake_telegram;

mod support;

use fake_telegram::{FakeTelegram, text_update};
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

async fn raw_rate(pool: &PgPool) -> f64 {
    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed() < Duration::from_secs(3) {
        let mut tx = pool.begin().await.unwrap();
        sqlx::query("INSERT INTO bench_raw (payload) VALUES ($1)")
            .bind(serde_json::json!({"text": "printer rusak"}))
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        n += 1;
    }
    f64::from(n) / start.elapsed().as_secs_f64()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Offers `rate` updates a second for `secs` seconds (open loop: a slow answer does not
/// slow the offering), each from its own chat; returns (committed/s, p50, p99, failures).
async fn drive(addr: std::net::SocketAddr, rate: u32, secs: u32, first_id: i64) -> (f64, Duration, Duration, usize) {
    let client = reqwest::Client::new();
    let total = rate * secs;
    let gap = Duration::from_secs_f64(1.0 / f64::from(rate));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for i in 0..total {
        tokio::time::sleep_until(tokio::time::Instant::from_std(start + gap * i)).await;
        let client = client.clone();
        let chat = 1_000_000 + first_id + i64::from(i);
        let update = text_update(
            Some(first_id + i64::from(i)),
            chat,
            chat,
            "Staf",
            "printer di ruang TU lantai 2 tidak bisa mencetak, kertas macet",
        );
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            let r = client
                .post(format!("http://{addr}/webhooks/telegram"))
                .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
                .json(&update)
                .send()
                .await;
            (sent.elapsed(), r.map(|r| r.status().as_u16() == 200).unwrap_or(false))
        }));
    }
    let mut lat = Vec::new();
    let mut failed = 0;
    for t in tasks {
        let (d, ok) = t.await.unwrap();
        if ok { lat.push(d) } else { failed += 1 }
    }
    let elapsed = start.elapsed().as_secs_f64();
    lat.sort();
    (
        lat.len() as f64 / elapsed,
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        failed,
    )
}

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
async fn sender(pool: &PgPool, chats: i64, per_chat: usize, group: usize) -> (f64, usize, Duration) {
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
    (total as f64 / took.as_secs_f64(), fake.too_many_requests(), took)
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let scratch = Scratch::create("tg", 16).await;
        scratch.raw_table().await;
        let pool = scratch.pool.clone();
        let raw = raw_rate(&pool).await;
        println!("raw single-INSERT transactions (one connection): {raw:.0}/s");

        let fake = FakeTelegram::start().await;
        let (app, stop, served) = app(&pool, &fake, true).await;
        let addr = served.addr;
        println!("\nwebhook ingest (each update a new reporter's first message; 200 only after commit):");
        println!(
            "{:>8} {:>12} {:>10} {:>10} {:>8}",
            "offered", "committed/s", "p50", "p99", "failed"
        );
        let mut next_id = 1;
        for rate in [50, 100, 200, 400, 800] {
            let secs = 3;
            let (done, p50, p99, failed) = drive(addr, rate, secs, next_id).await;
            next_id += i64::from(rate * secs);
            println!("{rate:>7}/s {done:>12.0} {:>10.1?} {:>10.1?} {failed:>8}", p50, p99);
        }
        stop.cancel();
        served.stopped().await;
        drop(app);

        println!("\nsender against a fake enforcing 1/s per person, 20/min per group, 30/s overall:");
        let (rate, limited, took) = sender(&pool, 60, 5, 20).await;
        println!("  320 messages (60 people x 5, war room 20): {rate:.1} delivered/s in {took:.1?}, 429s: {limited}");

        scratch.drop().await;
    });
}
