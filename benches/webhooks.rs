//! Webhook ingest, printed (not asserted): Telegram's and WhatsApp's signed webhooks on one
//! `serve` (both channels in one process, as in production), each call a new reporter's
//! first message through the whole engine, answered 200 only after the commit. Committed
//! messages per second and request-to-200 latency at increasing offered rates, next to the
//! raw single-INSERT transaction rate of the same run.
//!
//! `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench webhooks`
//! (an admin connection; a scratch database is created and dropped).

#[allow(unused_imports)]
#[path = "../tests/support/fake_graph/mod.rs"]
mod fake_graph;
#[allow(unused_imports)]
#[path = "../tests/support/fake_telegram/mod.rs"]
mod fake_telegram;

mod support;

use fake_graph::FakeWhatsApp;
use fake_telegram::{FakeTelegram, text_update};
use secrecy::SecretString;
use sigap::app::Application;
use sigap::config::Settings;
use sigap::store::Database;
use std::time::{Duration, Instant};
use support::{Scratch, percentile};
use tokio_util::sync::CancellationToken;

const TG_SECRET: &str = "bench-secret";
const REPORT: &str = "printer di ruang TU lantai 2 tidak bisa mencetak, kertas macet";

/// Offers `rate` calls a second for `secs` seconds (open loop: a slow answer does not slow
/// the offering); returns (committed/s, p50, p99, failures).
async fn drive(
    rate: u32,
    secs: u32,
    call: impl Fn(u32) -> reqwest::RequestBuilder,
) -> (f64, Duration, Duration, usize) {
    let total = rate * secs;
    let gap = Duration::from_secs_f64(1.0 / f64::from(rate));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for i in 0..total {
        tokio::time::sleep_until(tokio::time::Instant::from_std(start + gap * i)).await;
        let req = call(i);
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            let ok = req.send().await.map(|r| r.status().as_u16() == 200).unwrap_or(false);
            (sent.elapsed(), ok)
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

fn print(channel: &str, rate: u32, (done, p50, p99, failed): (f64, Duration, Duration, usize)) {
    println!("{channel:>9} {rate:>7}/s {done:>12.0} {p50:>10.1?} {p99:>10.1?} {failed:>8}");
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let scratch = Scratch::create("hooks", 16).await;
        scratch.raw_table().await;
        let raw = scratch.raw_rate().await;
        println!("raw single-INSERT transactions (one connection): {raw:.0}/s");

        let tg = FakeTelegram::start().await;
        let wa = FakeWhatsApp::start().await;
        let mut s = Settings::default();
        s.telegram.token = Some(SecretString::from(tg.token()));
        s.telegram.api_url = Some(tg.api_url().to_string());
        s.telegram.war_room_chat = Some(-1009);
        s.telegram.public_url = Some("https://bench.example".into());
        s.telegram.webhook_secret = Some(SecretString::from(TG_SECRET));
        s.whatsapp.token = Some(SecretString::from(fake_graph::TOKEN));
        s.whatsapp.phone_number_id = Some(fake_graph::PHONE_ID.into());
        s.whatsapp.app_secret = Some(SecretString::from(fake_graph::APP_SECRET));
        s.whatsapp.verify_token = Some(SecretString::from(fake_graph::VERIFY_TOKEN));
        s.whatsapp.api_url = Some(wa.api_url());
        // The fake stands for a number Meta raised: ingest, not sending, is measured here.
        s.whatsapp.messages_per_second = 1000;
        wa.set_throughput(1000);
        let app = Application {
            env: sigap::app::load_env(s).unwrap(),
            db: Database::from_pool(scratch.pool.clone(), "bench"),
        };
        let stop = CancellationToken::new();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let served = app.serve_on(listener, stop.clone()).await.unwrap();
        let addr = served.addr;
        let client = reqwest::Client::new();

        println!("\nwebhook ingest (each call a new reporter's first message; 200 only after commit):");
        println!(
            "{:>9} {:>8} {:>12} {:>10} {:>10} {:>8}",
            "channel", "offered", "committed/s", "p50", "p99", "failed"
        );
        let mut next: i64 = 1;
        for rate in [50, 100, 200, 400, 800] {
            let secs = 3;
            let first = next;
            let tg_figures = drive(rate, secs, |i| {
                let id = first + i64::from(i);
                let chat = 1_000_000 + id;
                client
                    .post(format!("http://{addr}/webhooks/telegram"))
                    .header("X-Telegram-Bot-Api-Secret-Token", TG_SECRET)
                    .json(&text_update(Some(id), chat, chat, "Staf", REPORT))
            })
            .await;
            print("telegram", rate, tg_figures);
            let wa_figures = drive(rate, secs, |i| {
                let from = format!("6281{:09}", first + i64::from(i));
                let message = fake_graph::text_message(&from, &format!("wamid.BENCH{from}"), REPORT);
                let body = serde_json::to_vec(&fake_graph::payload(&[(&from, "Staf")], vec![message], vec![])).unwrap();
                let signature = fake_graph::sign(&body, fake_graph::APP_SECRET);
                client
                    .post(format!("http://{addr}/webhooks/whatsapp"))
                    .header("X-Hub-Signature-256", signature)
                    .header("Content-Type", "application/json")
                    .body(body)
            })
            .await;
            print("whatsapp", rate, wa_figures);
            next += i64::from(rate * secs);
        }
        stop.cancel();
        served.stopped().await;
        drop(app);
        scratch.drop().await;
    });
}
