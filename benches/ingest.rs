//! Inbound-to-committed messages per second against the real PostgreSQL, next to a raw
//! single-INSERT transaction rate measured in the same run: the ratio is what counts.
//!
//! Needs a server: DATABASE_URL (an admin connection; default
//! postgres://postgres@127.0.0.1:5432/postgres). A scratch database is created and dropped.

mod support;

use chrono::Utc;
use criterion::{Criterion, Throughput};
use sigap::config::Settings;
use sigap::domain::{Channel, Content, Inbound};
use sigap::ingest::{self, Env};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use support::Scratch;

static RAW_NS: AtomicU64 = AtomicU64::new(0);
static RAW_N: AtomicU64 = AtomicU64::new(0);
static INGEST_NS: AtomicU64 = AtomicU64::new(0);
static INGEST_N: AtomicU64 = AtomicU64::new(0);
static SEQ: AtomicU64 = AtomicU64::new(0);

/// A reporter's whole conversation: report, name, unit, confirmation (a ticket).
const SCRIPT: &[&str] = &[
    "printer di ruang TU lantai 2 tidak bisa mencetak sejak tadi pagi, kertas macet",
    "Siti Aminah",
    "Bagian Umum",
    "benar",
];

fn message(chat: u64, text: &str) -> Inbound {
    Inbound {
        channel: Channel::Terminal,
        message_id: format!("bench-{}", SEQ.fetch_add(1, Ordering::Relaxed)),
        chat_id: format!("chat-{chat}"),
        sender_id: format!("chat-{chat}"),
        sender_name: None,
        received_at: Utc::now(),
        content: Content::Text { text: text.to_owned() },
        pressed: None,
    }
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let scratch = rt.block_on(async {
        let scratch = Scratch::create("ingest", 4).await;
        scratch.raw_table().await;
        scratch
    });
    let pool = scratch.pool.clone();
    let env: Env = sigap::app::load_env(Settings::default()).unwrap();
    let mut c = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(10));
    {
        let mut g = c.benchmark_group("store");
        g.throughput(Throughput::Elements(1));
        g.bench_function("raw_single_insert_tx", |b| {
            b.to_async(&rt).iter_custom(|iters| {
                let pool = pool.clone();
                async move {
                    let start = Instant::now();
                    for _ in 0..iters {
                        let mut tx = pool.begin().await.unwrap();
                        sqlx::query("INSERT INTO bench_raw (payload) VALUES ($1)")
                            .bind(serde_json::json!({"text": "printer rusak"}))
                            .execute(&mut *tx)
                            .await
                            .unwrap();
                        tx.commit().await.unwrap();
                    }
                    let d = start.elapsed();
                    RAW_NS.fetch_add(d.as_nanos() as u64, Ordering::Relaxed);
                    RAW_N.fetch_add(iters, Ordering::Relaxed);
                    d
                }
            })
        });
        g.bench_function("inbound_to_commit", |b| {
            b.to_async(&rt).iter_custom(|iters| {
                let (pool, env) = (pool.clone(), env.clone());
                async move {
                    let chat0 = SEQ.fetch_add(1, Ordering::Relaxed) * 1_000_000;
                    let start = Instant::now();
                    for i in 0..iters {
                        let chat = chat0 + i / SCRIPT.len() as u64;
                        let text = SCRIPT[(i % SCRIPT.len() as u64) as usize];
                        ingest::handle(&pool, &env, &message(chat, text)).await.unwrap();
                    }
                    let d = start.elapsed();
                    INGEST_NS.fetch_add(d.as_nanos() as u64, Ordering::Relaxed);
                    INGEST_N.fetch_add(iters, Ordering::Relaxed);
                    d
                }
            })
        });
        g.finish();
    }
    let rate = |ns: &AtomicU64, n: &AtomicU64| {
        n.load(Ordering::Relaxed) as f64 / (ns.load(Ordering::Relaxed).max(1) as f64 / 1e9)
    };
    let (raw, full) = (rate(&RAW_NS, &RAW_N), rate(&INGEST_NS, &INGEST_N));
    let tickets: i64 = rt
        .block_on(sqlx::query_scalar("SELECT count(*) FROM tickets").fetch_one(&pool))
        .unwrap();
    println!("\nraw single-INSERT transactions: {raw:.0}/s");
    println!("inbound-to-committed messages:  {full:.0}/s ({tickets} tickets made)");
    println!(
        "ratio: {:.2} (one message costs {:.1} raw transactions)",
        full / raw,
        raw / full
    );
    rt.block_on(scratch.drop());
}
