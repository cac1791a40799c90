//! A quiet bot answers at once: under tokio's paused clock the poller idles for minutes in
//! the fake's long polls, then a message arrives; it is handled (its reply committed) within
//! a second of virtual time, and no empty poll was counted as a failure on the way.

mod support;

use sigap::channels::telegram::poll;
use std::time::Duration;
use support::fake_telegram::{FakeTelegram, text_update};
use support::paused::{drop_database, paused_pool};
use support::telegram::{Mode, settings};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Idle spells before each message: ten minutes and more, long enough for a back-off to
/// have grown to its longest had empty polls counted as failures, and of odd lengths so the
/// messages fall at different phases of a poll.
const IDLE: [u64; 6] = [601, 643, 677, 719, 761, 809];

#[tokio::test]
async fn a_message_to_an_idle_bot_is_answered_within_a_second() {
    let (pool, admin, name) = paused_pool().await;
    let fake = FakeTelegram::start().await;
    let env = sigap::app::load_env(settings(&fake, &Mode::Polling)).unwrap();
    // The client `serve` polls with, less reqwest's 90 s idle-connection sweep (a periodic
    // timer would race virtual time ahead).
    let client = teloxide::net::default_reqwest_settings().pool_idle_timeout(None);
    let bot = poll::long_polling_with(&fake.bot(), client).unwrap();
    tokio::time::pause();
    let stop = CancellationToken::new();
    let poller = tokio::spawn(poll::run(pool.clone(), env, bot, stop.clone()));

    let mut delays = Vec::new();
    for (i, idle) in IDLE.into_iter().enumerate() {
        fake.wait_polling().await;
        // Virtual time: the bot sits through several long polls of nobody writing.
        tokio::time::sleep(Duration::from_secs(idle)).await;
        let pushed = Instant::now();
        let id = fake.push_update(text_update(
            None,
            7401 + i as i64,
            7401 + i as i64,
            "Budi",
            "printer rusak",
        ));
        fake.wait_confirmed(id).await;
        delays.push(Instant::now().duration_since(pushed));
    }
    println!("idle bot: message to committed reply, virtual time: {delays:?}");
    let replies: i64 = sqlx::query_scalar("SELECT count(DISTINCT chat_id) FROM outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(replies, IDLE.len() as i64, "every message got its reply queued");
    for d in &delays {
        assert!(*d < Duration::from_secs(1), "a message waited {d:?} for a quiet bot");
    }
    // Every poll ended as Telegram ends an empty one, and the next followed at once.
    let polls: Vec<_> = fake.calls().into_iter().filter(|c| c.method == "getupdates").collect();
    assert!(polls.iter().all(|c| c.ok()), "{}", fake.dump());
    for w in polls.windows(2) {
        let gap = w[1].at.duration_since(w[0].at);
        assert!(
            gap <= Duration::from_secs(26),
            "{gap:?} between two polls: a back-off on an idle bot"
        );
    }

    stop.cancel();
    poller.await.unwrap();
    drop_database(pool, &admin, &name).await;
}
