//! SLA clocks against PostgreSQL: due times in the agency's calendar, warnings at 50, 75
//! and 100% exactly once (two workers ticking at once), one collapsed warning after a long
//! stop, nothing for a state the ticket left, and the P1 re-ping. Ticks are called with a
//! fixed "now", so no test waits on a clock.

mod support;

use chrono::{DateTime, Duration, Utc};
use sigap::domain::calendar::{CalendarMode, CalendarSettings};
use sigap::ingest::Env;
use sigap::store::{desk as store_desk, technicians};
use sigap::workers::sla::{Tick, tick};
use sqlx::PgPool;
use support::desk::{self, BOSSES, WAR_ROOM};
use support::{Chat, now, wib};

fn env_with(calendar: CalendarSettings) -> Env {
    desk::env_with(|s| s.sla.calendar = calendar)
}

async fn p1_ticket(pool: &PgPool, env: &Env) -> i64 {
    let mut chat = Chat::new(pool, "budi");
    chat.env = env.clone();
    desk::p1_ticket(&mut chat).await
}

/// Two workers tick at the same moment, as two `sigap serve` processes would.
async fn tick_twice(pool: &PgPool, env: &Env, at: DateTime<Utc>) -> usize {
    let (a, b) = tokio::join!(tick(pool, env, at), tick(pool, env, at));
    let (a, b): (Tick, Tick) = (a.unwrap(), b.unwrap());
    a.warned + b.warned
}

/// What went to a chat about the ticket, oldest first.
async fn said_to(pool: &PgPool, chat: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT payload->>'text' FROM outbox WHERE chat_id = $1 AND op = 'send' ORDER BY id")
        .bind(chat.to_string())
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn each_threshold_is_warned_once_even_with_two_workers(pool: PgPool) {
    let env = env_with(CalendarSettings::default());
    let id = p1_ticket(&pool, &env).await;
    let marks: i64 = sqlx::query_scalar("SELECT count(*) FROM sla_marks WHERE ticket_id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(marks, 6);

    let at = |min: i64| now() + Duration::minutes(min);
    assert_eq!(tick_twice(&pool, &env, at(4)).await, 0);
    assert_eq!(tick_twice(&pool, &env, at(5)).await, 1, "50% of the 10-minute response");
    assert_eq!(tick_twice(&pool, &env, at(6)).await, 0);
    assert_eq!(tick_twice(&pool, &env, at(8)).await, 1, "75%");
    assert_eq!(tick_twice(&pool, &env, at(10)).await, 1, "100%");
    assert_eq!(tick_twice(&pool, &env, at(10)).await, 0);

    let room = said_to(&pool, WAR_ROOM).await;
    assert_eq!(room.len(), 3, "{room:#?}");
    assert!(
        room[0].contains("50% waktu tanggapan") && room[0].contains("INC-2611-0001"),
        "{room:#?}"
    );
    assert!(room[1].contains("75% waktu tanggapan"), "{room:#?}");
    assert!(room[2].contains("target tanggapan terlewati"), "{room:#?}");
    assert!(room.iter().all(|t| t.contains("Belum ada yang mengambil")), "{room:#?}");

    // The missed target went up to the supervisors, with the card, and is on record.
    let bosses = said_to(&pool, BOSSES).await;
    assert_eq!(bosses.len(), 1);
    assert!(
        bosses[0].contains("INC-2611-0001") && bosses[0].contains("Pelapor"),
        "{bosses:#?}"
    );
    let up: i64 =
        sqlx::query_scalar("SELECT count(*) FROM ticket_events WHERE ticket_id = $1 AND kind = 'escalated_up'")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(up, 1);
    let data: serde_json::Value =
        sqlx::query_scalar("SELECT data FROM ticket_events WHERE ticket_id = $1 AND kind = 'escalated_up'")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(data, serde_json::json!({"reason": "sla", "clock": "response"}));
}

#[sqlx::test]
async fn after_a_long_stop_one_collapsed_warning_per_clock(pool: PgPool) {
    let env = env_with(CalendarSettings::default());
    p1_ticket(&pool, &env).await;
    // Down from 10:00 to 17:00: response is past 100%, resolution (8 h) past 75%.
    let t = tick(&pool, &env, wib(2026, 11, 23, 17, 0)).await.unwrap();
    assert_eq!((t.warned, t.put_aside), (2, 3));
    let room: Vec<String> = said_to(&pool, WAR_ROOM)
        .await
        .into_iter()
        .filter(|t| !t.contains("belum diambil sejak"))
        .collect();
    assert_eq!(room.len(), 2, "besides the P1 re-ping: {room:#?}");
    assert!(room.iter().any(|t| t.contains("target tanggapan terlewati")));
    assert!(room.iter().any(|t| t.contains("75% waktu penyelesaian")));
    assert_eq!(tick(&pool, &env, wib(2026, 11, 23, 17, 1)).await.unwrap().warned, 0);
}

#[sqlx::test]
async fn no_warning_for_a_state_the_ticket_has_left(pool: PgPool) {
    let env = env_with(CalendarSettings::default());
    let id = p1_ticket(&pool, &env).await;
    let mut c = pool.acquire().await.unwrap();
    let andi = technicians::add(&mut c, 501, "Andi", "L1").await.unwrap().id;
    assert!(
        store_desk::claim(&mut c, id, andi, now() + Duration::minutes(3))
            .await
            .unwrap()
    );
    // Taken up in time: the response clock stopped; the resolution clock names the holder.
    let t = tick(&pool, &env, wib(2026, 11, 23, 14, 0)).await.unwrap();
    assert_eq!((t.warned, t.put_aside), (1, 3));
    let room = said_to(&pool, WAR_ROOM).await;
    assert!(
        room[0].contains("50% waktu penyelesaian") && room[0].contains("Andi, mohon"),
        "{room:#?}"
    );
    let mention: serde_json::Value =
        sqlx::query_scalar("SELECT payload->'mentions' FROM outbox WHERE chat_id = $1 AND op = 'send'")
            .bind(WAR_ROOM.to_string())
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(mention, serde_json::json!([{"user_id": 501, "name": "Andi"}]));

    // Cancelled before 75%: nothing more.
    assert!(
        store_desk::cancel(&mut c, id, "laporan ganda", andi, wib(2026, 11, 23, 15, 0))
            .await
            .unwrap()
    );
    let t = tick(&pool, &env, wib(2026, 11, 23, 19, 0)).await.unwrap();
    assert_eq!((t.warned, t.put_aside), (0, 2));
    assert_eq!(said_to(&pool, WAR_ROOM).await.len(), 1);
}

#[sqlx::test]
async fn an_unclaimed_p1_is_announced_again_until_taken(pool: PgPool) {
    let env = env_with(CalendarSettings::default());
    let id = p1_ticket(&pool, &env).await;
    let pings = |m: i64| {
        let (pool, env) = (pool.clone(), env.clone());
        async move { tick(&pool, &env, now() + Duration::minutes(m)).await.unwrap().pinged }
    };
    assert_eq!(pings(14).await, 0);
    assert_eq!(pings(15).await, 1, "every 15 minutes by default");
    assert_eq!(pings(20).await, 0);
    assert_eq!(pings(30).await, 1);
    assert_eq!(pings(120).await, 1, "after a long stop: one ping, not a flood");
    let mut c = pool.acquire().await.unwrap();
    let andi = technicians::add(&mut c, 501, "Andi", "L1").await.unwrap().id;
    store_desk::claim(&mut c, id, andi, now() + Duration::minutes(121))
        .await
        .unwrap();
    assert_eq!(pings(240).await, 0, "taken: no more pings");
    let room = said_to(&pool, WAR_ROOM).await;
    assert_eq!(room.iter().filter(|t| t.contains("belum diambil sejak")).count(), 3);
}

#[sqlx::test]
async fn due_times_count_working_hours_and_skip_holidays(pool: PgPool) {
    let dir = std::env::temp_dir().join(format!("sigap-sla-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let holidays = dir.join("libur.txt");
    std::fs::write(&holidays, "# cuti bersama\n2026-11-24 contoh libur\n").unwrap();
    let env = env_with(CalendarSettings {
        mode: CalendarMode::WorkingHours,
        holidays_file: Some(holidays),
        ..CalendarSettings::default()
    });
    let id = p1_ticket(&pool, &env).await;
    let (response, resolution): (DateTime<Utc>, DateTime<Utc>) =
        sqlx::query_as("SELECT response_due, resolution_due FROM tickets WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(response, wib(2026, 11, 23, 10, 10));
    // Monday 10:00-16:00 is 6 h; Tuesday is a holiday; 2 h more from Wednesday 07:30.
    assert_eq!(resolution, wib(2026, 11, 25, 9, 30));
    let half: DateTime<Utc> = sqlx::query_scalar(
        "SELECT due_at FROM sla_marks WHERE ticket_id = $1 AND clock = 'resolution' AND percent = 50",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(half, wib(2026, 11, 23, 14, 0));
    std::fs::remove_dir_all(&dir).ok();
}

#[sqlx::test]
async fn a_new_priority_recomputes_the_due_times_and_the_warnings(pool: PgPool) {
    let env = env_with(CalendarSettings::default());
    let id = p1_ticket(&pool, &env).await;
    let mut c = pool.acquire().await.unwrap();
    technicians::add(&mut c, 501, "Andi", "L1").await.unwrap();
    let andi = desk::Person {
        user_id: 501,
        name: "Andi",
    };
    andi.command(
        &pool,
        &env,
        "prioritas",
        "INC-2611-0001 3",
        now() + Duration::minutes(2),
    )
    .await;
    let (priority, response, resolution): (i16, DateTime<Utc>, DateTime<Utc>) =
        sqlx::query_as("SELECT priority, response_due, resolution_due FROM tickets WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(priority, 3);
    assert_eq!(response, now() + Duration::hours(4));
    assert_eq!(resolution, now() + Duration::hours(48));
    // The P1's 50% at 10:05 is gone; P3's is at 12:00.
    assert_eq!(tick(&pool, &env, now() + Duration::minutes(5)).await.unwrap().warned, 0);
    assert_eq!(tick(&pool, &env, now() + Duration::hours(2)).await.unwrap().warned, 1);
    assert!(desk::said_to(&pool, WAR_ROOM).await.contains("kini P3"));
    let kinds: i64 =
        sqlx::query_scalar("SELECT count(*) FROM ticket_events WHERE ticket_id = $1 AND kind = 'priority'")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(kinds, 1);
}

#[sqlx::test]
async fn many_warnings_in_one_tick_become_one_digest_per_chat(pool: PgPool) {
    let env = env_with(CalendarSettings::default());
    for who in ["budi", "siti", "rudi", "wati", "joko"] {
        let mut chat = Chat::new(&pool, who);
        chat.env = env.clone();
        desk::p1_ticket(&mut chat).await;
    }
    let t = tick(&pool, &env, now() + Duration::minutes(10)).await.unwrap();
    assert_eq!(
        (t.warned, t.messages),
        (5, 2),
        "one digest to the war room, one to the supervisors"
    );
    let room = said_to(&pool, WAR_ROOM).await;
    assert_eq!(room.len(), 1, "{room:#?}");
    assert!(room[0].contains("5 kabar SLA"), "{room:#?}");
    for n in 1..=5 {
        assert!(room[0].contains(&format!("INC-2611-000{n}")), "{room:#?}");
    }
    let bosses = said_to(&pool, BOSSES).await;
    assert_eq!(bosses.len(), 1);
    assert!(
        !bosses[0].contains("Pelapor"),
        "lines only, not five cards: {bosses:#?}"
    );
}
