//! Fair sending under tokio's paused clock: a war-room backlog, a failing chat and a sender
//! killed mid-burst hold no reporter back and break no limit. Every instant compared is
//! tokio's: the sender's limiter and the fake's log share it. Time passes by the paused
//! clock only (`sleep` here is virtual and costs nothing).

mod support;

use sigap::domain::{Channel, Content, Inbound, Outbound};
use sigap::store::outbox::{self, Queued};
use sigap::workers::bell::Bell;
use sigap::workers::sender::Sender;
use sqlx::PgPool;
use std::time::Duration;
use support::fake_telegram::{Call, Failure, FakeTelegram};
use support::paused::{another_pool, drop_database, kill, paused_pool};
use support::telegram::{Mode, WAR_ROOM, chat_of, settings};
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

/// A reporter's message through the engine, committed on return (as ingest handles one).
async fn writes(pool: &PgPool, env: &sigap::ingest::Env, who: i64, text: &str) {
    let m = Inbound {
        channel: Channel::Telegram,
        message_id: format!("fair-{who}-{}", text.len()),
        chat_id: who.to_string(),
        sender_id: who.to_string(),
        sender_name: Some("Budi".into()),
        received_at: chrono::Utc::now(),
        content: Content::Text { text: text.into() },
        pressed: None,
    };
    sigap::ingest::handle(pool, env, &m).await.unwrap();
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

/// The sender as `serve` runs it, woken at once as a commit in ingest would wake it.
fn start_sender(pool: &PgPool, fake: &FakeTelegram, wake: &Bell) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let bot = support::telegram::bot_for_paused_clock(fake);
    let stop = CancellationToken::new();
    let run = Sender::new(pool.clone(), bot, wake).run(stop.clone());
    wake.ring();
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
    // The group's first minute goes at once; the rest waits on its 20 a minute.
    fake.wait_until("the group's first 20", |c| sent_to(c, WAR_ROOM).len() >= 20)
        .await;

    let env = sigap::app::load_env(settings(&fake, &Mode::Polling)).unwrap();
    let mut delays = Vec::new();
    for (i, r) in REPORTERS.into_iter().enumerate() {
        // Reporters write every 7 s, as the group's backlog drains; each message goes
        // through the engine, whose reply is committed to the outbox as ingest does it.
        tokio::time::sleep(Duration::from_secs(7)).await;
        writes(&pool, &env, r, &format!("printer di ruang {i} tidak bisa mencetak")).await;
        let committed = Instant::now();
        wake.ring();
        fake.wait_until("the reporter's reply", |c| !sent_to(c, r).is_empty())
            .await;
        delays.push(sent_to(&fake.calls(), r)[0].at.duration_since(committed));
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

/// In real time, since a restart is a matter of clocks: the outbox records sends by the
/// database's clock and a new process reads them against its own, and under a paused clock
/// the two would disagree. Each process is killed as soon as it has sent something new, so
/// mostly in the middle of a send; the war room's cards past its first 20 wait for its
/// minute, beyond the end of the test, and no wait here is longer than a reporter's 1 s.
#[tokio::test]
async fn senders_started_after_kills_keep_the_limits_of_the_ones_before() {
    const REPORTERS: [i64; 3] = [7701, 7702, 7703];
    const KILLS: usize = 6;
    let (pool, admin, name) = paused_pool().await;
    let fake = FakeTelegram::start().await;
    fake.enforce_limits(true);
    queue(&pool, WAR_ROOM, &texts("kartu", 30)).await;
    for round in 0..=KILLS {
        // The reporters write again; a new process takes over from the one killed.
        for r in REPORTERS {
            queue(&pool, r, &[format!("kabar {round} untuk {r}")]).await;
        }
        // One pool a process: its sessions, and so its sending budget, end with it.
        let process = another_pool(&admin, &name).await;
        let before = fake.calls_of("sendmessage").len();
        let wake = Bell::default();
        let (stop, task) = start_sender(&process, &fake, &wake);
        if round == KILLS {
            let want = REPORTERS.len() * (KILLS + 1);
            fake.wait_until("every reporter's messages", |c| {
                REPORTERS.iter().map(|r| sent_to(c, *r).len()).sum::<usize>() >= want
            })
            .await;
            stop.cancel();
            task.await.unwrap();
            process.close().await;
        } else {
            fake.wait_until("a send by this process", |c| {
                c.iter().filter(|c| c.method == "sendmessage" && c.ok()).count() > before
            })
            .await;
            // kill -9: the process gone at once, its sessions with it.
            task.abort();
            let _ = task.await;
            kill(&pool, process).await;
        }
    }
    let calls = fake.calls();
    let found = violations(&calls, &REPORTERS);
    println!(
        "after {KILLS} kills: {} sends refused for speed by the fake, {found} limit violations by timestamp",
        fake.too_many_requests()
    );
    assert_eq!(fake.too_many_requests(), 0, "{}", fake.dump());
    assert_eq!(found, 0);
    drop_database(pool, &admin, &name).await;
}

/// In real time too: a wait Telegram asked for (429 retry_after) outlasts a restart.
#[tokio::test]
async fn a_wait_telegram_asked_for_outlasts_a_restart() {
    const REPORTER: i64 = 7801;
    const RETRY_AFTER: u32 = 2;
    let (pool, admin, name) = paused_pool().await;
    let fake = FakeTelegram::start().await;
    fake.fail_next("sendmessage", Failure::RetryAfter(RETRY_AFTER));
    queue(&pool, REPORTER, &["kabar untuk pelapor".to_owned()]).await;
    let first = another_pool(&admin, &name).await;
    let wake = Bell::default();
    let (_stop, task) = start_sender(&first, &fake, &wake);
    fake.wait_until("the 429", |c| c.iter().any(|c| c.outcome == 429)).await;
    // On record, then the process killed inside the wait.
    loop {
        let recorded: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox_sends WHERE retry_after_ms IS NOT NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
        if recorded > 0 {
            break;
        }
        tokio::task::yield_now().await;
    }
    task.abort();
    let _ = task.await;
    kill(&pool, first).await;

    let second = another_pool(&admin, &name).await;
    let wake = Bell::default();
    let (stop, task) = start_sender(&second, &fake, &wake);
    fake.wait_until("the message", |c| !sent_to(c, REPORTER).is_empty())
        .await;
    let calls = fake.calls();
    let refused = calls.iter().find(|c| c.outcome == 429).unwrap().at;
    let waited = sent_to(&calls, REPORTER)[0].at.duration_since(refused);
    println!("after a restart inside a {RETRY_AFTER} s retry_after, the chat waited {waited:?}");
    assert!(
        waited >= Duration::from_secs(RETRY_AFTER.into()),
        "sent {waited:?} after the 429"
    );
    assert_eq!(calls.iter().filter(|c| c.outcome == 429).count(), 1);
    stop.cancel();
    task.await.unwrap();
    second.close().await;
    drop_database(pool, &admin, &name).await;
}
