//! Fair sending under tokio's paused clock: a war-room backlog, a failing chat and a sender
//! killed mid-burst hold no reporter back and break no limit. Every instant compared is
//! tokio's: the sender's limiter and the fake's log share it. Time passes by the paused
//! clock only (`sleep` here is virtual and costs nothing).

mod support;

use sigap::domain::Outbound;
use sigap::store::outbox::{self, Queued};
use sigap::workers::bell::Bell;
use sigap::workers::sender::Sender;
use sqlx::PgPool;
use std::time::Duration;
use support::fake_telegram::{Call, Failure, FakeTelegram};
use support::paused::{another_pool, drop_database, paused_pool};
use support::telegram::{WAR_ROOM, chat_of};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

async fn queue(pool: &PgPool, chat: i64, texts: &[String]) {
    let messages: Vec<Queued> = texts
        .iter()
        .map(|t| Queued::send(Outbound::text(t.clone()), None))
        .collect();
    let mut conn = pool.acquire().await.unwrap();
    outbox::push_all(&mut conn, "telegram", &chat.to_string(), None, &messages)
        .await
        .unwrap();
}

fn texts(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix} {i}")).collect()
}

fn sent_to(calls: &[Call], chat: i64) -> Vec<Call> {
    calls
        .iter()
        .filter(|c| c.method == "sendmessage" && c.ok() && chat_of(c) == Some(chat))
        .cloned()
        .collect()
}

/// The sender as `serve` runs it.
fn start_sender(pool: &PgPool, fake: &FakeTelegram, wake: &Bell) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let bot = support::telegram::bot_for_paused_clock(fake);
    let stop = CancellationToken::new();
    let run = Sender::new(pool.clone(), bot, wake).run(stop.clone());
    (stop, tokio::spawn(async move { run.await.unwrap() }))
}

/// Violations of Telegram's limits in the calls, by their timestamps: more than 20 to the
/// group in a minute, two to one person within a second.
fn violations(calls: &[Call], people: &[i64]) -> usize {
    let at = |chat| -> Vec<Instant> { sent_to(calls, chat).iter().map(|c| c.at).collect() };
    let group = at(WAR_ROOM);
    let mut n = group
        .windows(21)
        .filter(|w| w[20].duration_since(w[0]) < Duration::from_secs(60))
        .count();
    for p in people {
        n += at(*p)
            .windows(2)
            .filter(|w| w[1].duration_since(w[0]) < Duration::from_secs(1))
            .count();
    }
    n
}

#[tokio::test]
async fn reporters_are_answered_at_once_behind_300_war_room_rows() {
    const BACKLOG: usize = 300;
    const REPORTERS: [i64; 6] = [7501, 7502, 7503, 7504, 7505, 7506];
    let (pool, admin, name) = paused_pool().await;
    let fake = FakeTelegram::start().await;
    tokio::time::pause();
    fake.enforce_limits(true);
    queue(&pool, WAR_ROOM, &texts("kartu", BACKLOG)).await;
    let wake = Bell::default();
    let (stop, task) = start_sender(&pool, &fake, &wake);
    wake.ring();
    // The group's first minute goes at once; the rest waits on its 20 a minute.
    fake.wait_until("the group's first 20", |c| sent_to(c, WAR_ROOM).len() >= 20)
        .await;

    let mut delays = Vec::new();
    for (i, r) in REPORTERS.into_iter().enumerate() {
        // Reporters write every 7 s, as the group's backlog drains.
        tokio::time::sleep(Duration::from_secs(7)).await;
        queue(&pool, r, &[format!("balasan untuk pelapor {i}")]).await;
        let queued = Instant::now();
        wake.ring();
        fake.wait_until("the reporter's reply", |c| !sent_to(c, r).is_empty())
            .await;
        delays.push(sent_to(&fake.calls(), r)[0].at.duration_since(queued));
    }
    println!("reply delay behind {BACKLOG} war-room rows, virtual time: {delays:?}");
    for d in &delays {
        assert!(
            *d < Duration::from_secs(1),
            "a reporter waited {d:?} behind the war room"
        );
    }
    let calls = fake.calls();
    assert_eq!(fake.too_many_requests(), 0);
    assert_eq!(violations(&calls, &REPORTERS), 0);
    assert!(
        sent_to(&calls, WAR_ROOM).len() < BACKLOG,
        "the group still drains at its own pace"
    );

    stop.cancel();
    task.await.unwrap();
    drop_database(pool, &admin, &name).await;
}

#[tokio::test]
async fn a_5xx_for_one_chat_does_not_hold_the_others() {
    const FAILING: i64 = 7601;
    const OTHER: i64 = 7602;
    let (pool, admin, name) = paused_pool().await;
    let fake = FakeTelegram::start().await;
    tokio::time::pause();
    fake.fail_chat(FAILING, Failure::ServerError);
    // The failing chat's row is the oldest: it is tried first.
    queue(&pool, FAILING, &["kabar untuk yang gagal".to_owned()]).await;
    queue(&pool, OTHER, &texts("kabar", 3)).await;
    let wake = Bell::default();
    let (stop, task) = start_sender(&pool, &fake, &wake);
    wake.ring();
    fake.wait_until("the other chat's three", |c| sent_to(c, OTHER).len() >= 3)
        .await;
    let calls = fake.calls();
    let first_500 = calls
        .iter()
        .find(|c| c.outcome == 500)
        .expect("the failing chat was tried")
        .at;
    let other = sent_to(&calls, OTHER);
    let behind = other[0].at.duration_since(first_500);
    println!("first message to another chat after a 5xx, virtual time: {behind:?}");
    assert!(
        behind < Duration::from_secs(1),
        "another chat waited {behind:?} behind a 5xx"
    );
    // Its own pace is kept: one a second.
    for w in other.windows(2) {
        assert!(w[1].at.duration_since(w[0].at) >= Duration::from_secs(1));
    }

    // The failing chat is retried on its own backoff and goes once Telegram recovers.
    fake.heal_chat(FAILING);
    fake.wait_until("the failing chat's message", |c| !sent_to(c, FAILING).is_empty())
        .await;
    stop.cancel();
    task.await.unwrap();
    drop_database(pool, &admin, &name).await;
}

#[tokio::test]
async fn a_sender_started_after_a_kill_keeps_the_limits_of_the_one_before() {
    const REPORTERS: [i64; 3] = [7701, 7702, 7703];
    let (pool_a, admin, name) = paused_pool().await;
    let pool_b = another_pool(&admin, &name).await;
    let fake = FakeTelegram::start().await;
    tokio::time::pause();
    fake.enforce_limits(true);
    queue(&pool_a, WAR_ROOM, &texts("kartu", 30)).await;
    for r in REPORTERS {
        queue(&pool_a, r, &[format!("kabar pertama {r}")]).await;
    }
    let wake_a = Bell::default();
    let (_stop_a, task_a) = start_sender(&pool_a, &fake, &wake_a);
    wake_a.ring();
    let first = 20 + REPORTERS.len();
    fake.wait_until("the first burst", |c| {
        c.iter().filter(|c| c.method == "sendmessage" && c.ok()).count() >= first
    })
    .await;
    // Committed too, before the kill: what the platform took and the outbox recorded.
    loop {
        let sent: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL")
            .fetch_one(&pool_b)
            .await
            .unwrap();
        if sent >= first as i64 {
            break;
        }
        tokio::task::yield_now().await;
    }
    // kill -9: the task gone mid-burst, its sessions (and so its sending budget) with it.
    task_a.abort();
    let _ = task_a.await;
    pool_a.close().await;

    // The reporters write again; a new process takes over.
    for r in REPORTERS {
        queue(&pool_b, r, &[format!("kabar kedua {r}")]).await;
    }
    let wake_b = Bell::default();
    let (stop_b, task_b) = start_sender(&pool_b, &fake, &wake_b);
    wake_b.ring();
    fake.wait_until("everything delivered", |c| {
        c.iter().filter(|c| c.method == "sendmessage" && c.ok()).count() >= 30 + 2 * REPORTERS.len()
    })
    .await;
    let calls = fake.calls();
    let found = violations(&calls, &REPORTERS);
    println!(
        "after a kill mid-burst: {} refused for speed by the fake, {found} limit violations by timestamp",
        fake.too_many_requests()
    );
    assert_eq!(fake.too_many_requests(), 0, "{}", fake.dump());
    assert_eq!(found, 0);

    stop_b.cancel();
    task_b.await.unwrap();
    drop_database(pool_b, &admin, &name).await;
}
