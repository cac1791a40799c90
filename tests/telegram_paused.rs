//! The sender under tokio's paused clock: Telegram's limits and a long `retry_after` play out
//! in virtual time, so a minute of group budget and a 30-second pause cost no real waiting.
//! Every instant compared here is tokio's: the sender's limiter and the fake's log share it.

mod support;

use sigap::domain::Outbound;
use sigap::store::outbox::{self, Op, Queued};
use sigap::workers::bell::Bell;
use sigap::workers::sender::Sender;
use sqlx::PgPool;
use std::time::Duration;
use support::fake_telegram::{Call, Failure, FakeTelegram};
use support::paused::{drop_database, paused_pool};
use support::telegram::{WAR_ROOM, chat_of};
use tokio_util::sync::CancellationToken;

const GROUP_BURST: usize = 25;
const REPORTERS: [i64; 3] = [7101, 7102, 7103];
const EACH: usize = 3;
const RETRY_AFTER: u32 = 30;

async fn queue(pool: &PgPool, chat: i64, texts: Vec<String>) {
    let messages: Vec<Queued> = texts
        .into_iter()
        .map(|t| Queued::send(Outbound::text(t), None))
        .collect();
    let mut conn = pool.acquire().await.unwrap();
    outbox::push_all(&mut conn, "telegram", &chat.to_string(), None, &messages)
        .await
        .unwrap();
}

fn sends_to(calls: &[Call], chat: i64) -> Vec<Call> {
    calls
        .iter()
        .filter(|c| c.method == "sendmessage" && chat_of(c) == Some(chat))
        .cloned()
        .collect()
}

/// The sender as `serve` runs it, with a Bot API client that keeps no periodic timer either
/// (reqwest's idle-connection sweep ticks every 90 s).
fn sender(pool: &PgPool, fake: &FakeTelegram) -> (Bell, CancellationToken, tokio::task::JoinHandle<()>) {
    let bot = support::telegram::bot_for_paused_clock(fake);
    let wake = Bell::default();
    let stop = CancellationToken::new();
    let run = Sender::new(pool.clone(), bot, &wake).run(stop.clone());
    let task = tokio::spawn(async move { run.await.unwrap() });
    (wake, stop, task)
}

#[tokio::test]
async fn under_a_paused_clock_the_sender_waits_out_retry_after_and_keeps_every_limit() {
    let (pool, admin, name) = paused_pool().await;
    let fake = FakeTelegram::start().await;
    tokio::time::pause();
    fake.enforce_limits(true);
    // Whichever message goes first is refused with a long pause for its chat.
    fake.fail_next("sendmessage", Failure::RetryAfter(RETRY_AFTER));

    queue(
        &pool,
        WAR_ROOM,
        (0..GROUP_BURST).map(|i| format!("kartu {i}")).collect(),
    )
    .await;
    for r in REPORTERS {
        queue(&pool, r, (0..EACH).map(|i| format!("kabar {i} untuk {r}")).collect()).await;
    }
    let (wake, stop, task) = sender(&pool, &fake);
    // Wake the sender as a commit in ingest would.
    wake.ring();
    let total = GROUP_BURST + REPORTERS.len() * EACH;
    fake.wait_until("every message delivered", |calls| {
        calls
            .iter()
            .filter(|c| c.method == "sendmessage" && c.outcome == 200)
            .count()
            >= total
    })
    .await;
    let calls = fake.calls();

    // The 429 was waited out: the same chat's next attempt came no sooner than asked.
    let refused = calls
        .iter()
        .find(|c| c.outcome == 429)
        .expect("the injected 429")
        .clone();
    let chat = chat_of(&refused).unwrap();
    let retried = sends_to(&calls, chat)
        .into_iter()
        .find(|c| c.at > refused.at)
        .expect("the chat was tried again");
    assert_eq!(retried.outcome, 200);
    assert_eq!(retried.body["text"], refused.body["text"], "the same message, in order");
    // Virtual time is exact: no sooner than asked, and not idling long after either.
    let waited = retried.at.duration_since(refused.at);
    let asked = Duration::from_secs(RETRY_AFTER.into());
    assert!(
        waited >= asked && waited < asked + Duration::from_secs(2),
        "retried after {waited:?}"
    );
    // Only that chat waited: every other reporter had all their messages before the retry.
    for r in REPORTERS.iter().filter(|r| **r != chat) {
        let delivered = sends_to(&calls, *r);
        assert_eq!(delivered.len(), EACH);
        assert!(delivered.iter().all(|c| c.outcome == 200 && c.at < retried.at));
    }

    // Limits, counted by the fake's own clock: nothing beyond the injected 429 was refused,
    // and the windows hold when checked here by timestamp too.
    assert_eq!(fake.too_many_requests(), 0);
    assert_eq!(calls.iter().filter(|c| c.outcome == 429).count(), 1);
    let ok = |chat: i64| -> Vec<tokio::time::Instant> {
        sends_to(&calls, chat)
            .iter()
            .filter(|c| c.outcome == 200)
            .map(|c| c.at)
            .collect()
    };
    let group = ok(WAR_ROOM);
    assert_eq!(group.len(), GROUP_BURST);
    for w in group.windows(21) {
        assert!(
            w[20].duration_since(w[0]) >= Duration::from_secs(60),
            "21 group messages inside a minute"
        );
    }
    for r in REPORTERS {
        let at = ok(r);
        assert_eq!(at.len(), EACH);
        for w in at.windows(2) {
            assert!(
                w[1].duration_since(w[0]) >= Duration::from_secs(1),
                "two messages to {r} inside a second"
            );
        }
    }
    let mut all: Vec<_> = calls
        .iter()
        .filter(|c| c.method == "sendmessage" && c.outcome == 200)
        .map(|c| c.at)
        .collect();
    all.sort();
    for w in all.windows(31) {
        assert!(
            w[30].duration_since(w[0]) >= Duration::from_secs(1),
            "31 messages inside a second"
        );
    }

    stop.cancel();
    task.await.unwrap();
    // Stopping lets the last send's transaction finish: every row is marked sent.
    let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(pending, 0);
    drop_database(pool, &admin, &name).await;
}

async fn queue_edit(pool: &PgPool, chat: i64, message_id: &str, text: &str) {
    let edit = Queued {
        message: Outbound::text(text),
        ticket_id: None,
        op: Op::Edit {
            message_id: message_id.to_owned(),
        },
    };
    let mut conn = pool.acquire().await.unwrap();
    outbox::push_all(&mut conn, "telegram", &chat.to_string(), None, &[edit])
        .await
        .unwrap();
}

/// (sent, dead, attempts, last error) of the chat's rows, oldest first.
async fn rows(pool: &PgPool, chat: i64) -> Vec<(bool, bool, i32, Option<String>)> {
    sqlx::query_as(
        "SELECT sent_at IS NOT NULL, dead_at IS NOT NULL, attempts, last_error FROM outbox WHERE chat_id = $1 ORDER BY id",
    )
    .bind(chat.to_string())
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn not_modified_is_success_a_400_is_dead_lettered_and_a_5xx_is_retried_with_backoff() {
    const SAME: i64 = 7201;
    const GONE: i64 = 7202;
    const FLAKY: i64 = 7203;
    let (pool, admin, name) = paused_pool().await;
    let fake = FakeTelegram::start().await;
    tokio::time::pause();
    fake.enforce_limits(true);
    fake.fail_next("editmessagetext", Failure::NotModified);
    fake.fail_next(
        "editmessagetext",
        Failure::BadRequest("Bad Request: message to edit not found".into()),
    );
    fake.fail_next("sendmessage", Failure::ServerError);
    fake.fail_next("sendmessage", Failure::ServerError);

    queue_edit(&pool, SAME, "11", "Status: sedang dikerjakan").await;
    queue_edit(&pool, GONE, "12", "Status: sedang dikerjakan").await;
    queue(&pool, FLAKY, vec!["Tiket Anda sudah dibuat".into()]).await;
    let (wake, stop, task) = sender(&pool, &fake);
    wake.ring();
    let served = |chat| {
        move |calls: &[Call]| {
            calls
                .iter()
                .any(|c| c.method == "sendmessage" && c.outcome == 200 && chat_of(c) == Some(chat))
        }
    };
    fake.wait_until("the flaky chat served", served(FLAKY)).await;
    // Queued once the injected 5xx answers are used up, so they cannot land here.
    queue(&pool, GONE, vec!["Tiket Anda sudah selesai".into()]).await;
    wake.ring();
    fake.wait_until("the chat whose message is gone served", served(GONE))
        .await;
    stop.cancel();
    task.await.unwrap();
    let calls = fake.calls();

    // The same text again: Telegram's "not modified" means the edit's purpose is met.
    assert_eq!(rows(&pool, SAME).await, vec![(true, false, 1, None)]);
    // A message Telegram will never take is kept, dead, with why; the chat goes on.
    let gone = rows(&pool, GONE).await;
    assert_eq!(gone.len(), 2);
    let (sent, dead, attempts, error) = &gone[0];
    assert!(!sent && *dead && *attempts == 1, "{gone:?}");
    assert!(error.as_deref().is_some_and(|e| e.contains("not found")), "{gone:?}");
    assert_eq!(gone[1], (true, false, 1, None));
    let edits = calls.iter().filter(|c| c.method == "editmessagetext").count();
    assert_eq!(edits, 2, "neither edit was tried twice");

    // 5xx: tried again after 1 s, then 2 s (after teloxide's own wait on a 5xx), then sent.
    let flaky = sends_to(&calls, FLAKY);
    let outcomes: Vec<u16> = flaky.iter().map(|c| c.outcome).collect();
    assert_eq!(outcomes, vec![500, 500, 200]);
    assert!(flaky[1].at.duration_since(flaky[0].at) >= Duration::from_secs(1));
    assert!(flaky[2].at.duration_since(flaky[1].at) >= Duration::from_secs(2));
    let (sent, dead, attempts, _) = rows(&pool, FLAKY).await.remove(0);
    assert!(sent && !dead && attempts == 3);
    drop_database(pool, &admin, &name).await;
}

#[tokio::test]
async fn a_long_message_goes_part_by_part_within_the_chat_limit_and_none_twice() {
    let (pool, admin, name) = paused_pool().await;
    let fake = FakeTelegram::start().await;
    tokio::time::pause();
    fake.enforce_limits(true);
    let chat = REPORTERS[0];
    let long: String = (0..900).map(|i| format!("baris {i:04} ")).collect();
    queue(&pool, chat, vec![long.clone(), "sesudahnya".into()]).await;
    // The second part meets Telegram's server failing once: retried, the first not resent.
    fake.fail_next("sendmessage", Failure::Pass);
    fake.fail_next("sendmessage", Failure::ServerError);
    let (wake, stop, task) = sender(&pool, &fake);
    wake.ring();
    fake.wait_until("every part and the next message", |calls| {
        sends_to(calls, chat).iter().filter(|c| c.outcome == 200).count() >= 4
    })
    .await;
    let calls = sends_to(&fake.calls(), chat);
    let ok: Vec<&Call> = calls.iter().filter(|c| c.outcome == 200).collect();
    let texts: Vec<&str> = ok.iter().map(|c| c.body["text"].as_str().unwrap()).collect();
    assert_eq!(texts.len(), 4, "each part once");
    assert_eq!(
        texts.concat().replace(' ', ""),
        format!("{long}sesudahnya").replace(' ', "")
    );
    // Each part counted against the chat's limit: never two inside a second, never a 429.
    for w in ok.windows(2) {
        assert!(w[1].at.duration_since(w[0].at) >= Duration::from_secs(1));
    }
    assert_eq!(calls.iter().filter(|c| c.outcome == 429).count(), 0);
    assert_eq!(calls.iter().filter(|c| c.outcome == 500).count(), 1);

    stop.cancel();
    task.await.unwrap();
    drop_database(pool, &admin, &name).await;
}
