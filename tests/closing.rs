//! Closing with the reporter and the survey, through the real ingest and desk paths and
//! PostgreSQL: "Belum" reopens for the same technician (twice: the supervisors hear of
//! it), "Ya" closes and opens the survey, taps are idempotent, typed answers count, a low
//! score goes up, and an unanswered ticket closes by itself.

mod support;

use chrono::{DateTime, Duration, Utc};
use sigap::ingest::Env;
use sigap::store::technicians;
use sigap::workers::sla::tick;
use sqlx::PgPool;
use support::desk::{BOSSES, Person, WAR_ROOM, env_with, p1_ticket, said_to};
use support::{Chat, choice_ids, now, text};

const ANDI: Person = Person {
    user_id: 501,
    name: "Andi",
};

fn env() -> Env {
    env_with(|_| {})
}

/// Andi claims (if needed) and marks the ticket Selesai with a note.
async fn resolve(pool: &PgPool, env: &Env, id: i64, at: DateTime<Utc>) {
    ANDI.press(pool, env, &format!("tk:{id}:a"), at).await;
    ANDI.press(pool, env, &format!("tk:{id}:s"), at).await;
    ANDI.reply(
        pool,
        env,
        "kabel LAN di switch lantai 3 longgar, sudah dipasang ulang",
        at,
    )
    .await;
}

async fn status(pool: &PgPool, id: i64) -> (String, Option<i64>) {
    sqlx::query_as("SELECT status, assignee_id FROM tickets WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn belum_reopens_ya_closes_and_the_survey_follows(pool: PgPool) {
    let env = env();
    let mut mine = pool.acquire().await.unwrap();
    let andi_id = technicians::add(&mut mine, ANDI.user_id, "Andi", "L1")
        .await
        .unwrap()
        .id;
    let mut budi = Chat::new(&pool, "budi");
    budi.env = env.clone();
    let id = p1_ticket(&mut budi).await;

    resolve(&pool, &env, id, now() + Duration::minutes(30)).await;
    let r = budi.replies().await;
    assert!(
        text(&r).contains("kabel LAN") && text(&r).contains("sudah normal kembali"),
        "{r:?}"
    );
    assert_eq!(choice_ids(&r), [format!("fu:{id}:y"), format!("fu:{id}:n")]);

    // Not fixed: back to Andi, the war room told under the card.
    let r = budi.press(&format!("fu:{id}:n")).await;
    assert!(text(&r).contains("kami buka lagi"), "{r:?}");
    assert_eq!(status(&pool, id).await, ("in_progress".into(), Some(andi_id)));
    assert!(
        said_to(&pool, WAR_ROOM)
            .await
            .contains("masih bermasalah: tiket dibuka lagi")
    );
    // The same tap again changes nothing.
    let r = budi.press(&format!("fu:{id}:n")).await;
    assert!(text(&r).contains("tidak sedang menunggu"), "{r:?}");

    // Typed this time, and a second time: the supervisors hear of it.
    resolve(&pool, &env, id, now() + Duration::minutes(60)).await;
    budi.replies().await;
    let r = budi.say("belum, masih mati wifinya").await;
    assert!(text(&r).contains("kami buka lagi"), "{r:?}");
    assert!(
        said_to(&pool, BOSSES).await.contains("2 kali"),
        "{}",
        said_to(&pool, BOSSES).await
    );

    // Fixed: closed, and the survey asks for the overall score.
    resolve(&pool, &env, id, now() + Duration::minutes(90)).await;
    budi.replies().await;
    let r = budi.press(&format!("fu:{id}:y")).await;
    assert!(text(&r).contains("kami tutup"), "{r:?}");
    assert_eq!(status(&pool, id).await.0, "closed");
    assert_eq!(choice_ids(&r).len(), 5);
    assert!(text(&r).contains("penilaian"), "{r:?}");

    // A low score goes up; the repeated tap is only acknowledged.
    let r = budi.press(&format!("sv:{id}:2:score")).await;
    assert!(text(&r).contains("Kecepatan penanganan"), "first optional item: {r:?}");
    assert_eq!(choice_ids(&r).last().unwrap(), &format!("sv:{id}:x:item:speed"));
    assert!(said_to(&pool, BOSSES).await.contains("nilai 2 dari 5"));
    let r = budi.press(&format!("sv:{id}:5:score")).await;
    assert!(text(&r).contains("sudah tercatat"), "{r:?}");

    // Typed answers: a digit, a skip, then a tap, then a comment.
    let r = budi.say("4").await;
    assert!(text(&r).contains("Kualitas penyelesaian"), "{r:?}");
    let r = budi.say("lewati").await;
    assert!(text(&r).contains("Keramahan petugas"), "{r:?}");
    let r = budi.press(&format!("sv:{id}:5:item:friendliness")).await;
    assert!(text(&r).contains("saran"), "{r:?}");
    let r = budi.say("teknisinya ramah, tapi wifi sering putus").await;
    assert!(text(&r).contains("Terima kasih atas penilaian"), "{r:?}");

    let (score, items, comment, closed): (i16, serde_json::Value, String, bool) =
        sqlx::query_as("SELECT score, items, comment, closed_at IS NOT NULL FROM surveys WHERE ticket_id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(score, 2);
    assert_eq!(items, serde_json::json!({"speed": 4, "friendliness": 5}));
    assert_eq!(comment, "teknisinya ramah, tapi wifi sering putus");
    assert!(closed);
    // A tap on the finished survey, and what the reporter says next is a new conversation.
    let r = budi.press(&format!("sv:{id}:3:item:quality")).await;
    assert!(text(&r).contains("sudah tercatat"), "{r:?}");
    let r = budi.say("printer di ruang TU macet").await;
    assert!(
        !text(&r).contains("tercatat"),
        "a new report, not a survey answer: {r:?}"
    );

    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM ticket_events WHERE ticket_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(kinds.iter().filter(|k| *k == "reopened").count(), 2, "{kinds:?}");
    // Twice "Belum", and a score of 2: both went up to the supervisors, on record.
    assert_eq!(kinds.iter().filter(|k| *k == "escalated_up").count(), 2, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| *k == "closed").count(), 1, "{kinds:?}");
}

#[sqlx::test]
async fn strangers_cannot_confirm_and_silence_closes_by_itself(pool: PgPool) {
    let env = env();
    let mut mine = pool.acquire().await.unwrap();
    technicians::add(&mut mine, ANDI.user_id, "Andi", "L1").await.unwrap();
    let mut budi = Chat::new(&pool, "budi");
    budi.env = env.clone();
    let id = p1_ticket(&mut budi).await;
    resolve(&pool, &env, id, now() + Duration::minutes(30)).await;

    let mut siti = Chat::new(&pool, "siti");
    siti.env = env.clone();
    let r = siti.press(&format!("fu:{id}:y")).await;
    assert!(!text(&r).contains(&id.to_string()), "{r:?}");
    assert_eq!(
        status(&pool, id).await.0,
        "resolved",
        "a stranger's tap changes nothing"
    );

    // Three days (24/7 by default) without an answer.
    let t = tick(&pool, &env, now() + Duration::days(2)).await.unwrap();
    assert_eq!(t.closed, 0);
    let t = tick(&pool, &env, now() + Duration::days(3) + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(t.closed, 1);
    assert_eq!(status(&pool, id).await.0, "closed");
    let r = budi.replies().await;
    assert!(text(&r).contains("tutup otomatis"), "{r:?}");
    let auto: bool =
        sqlx::query_scalar("SELECT (data->>'auto')::bool FROM ticket_events WHERE ticket_id = $1 AND kind = 'closed'")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(auto);
    let r = budi.press(&format!("fu:{id}:y")).await;
    assert!(text(&r).contains("tidak sedang menunggu"), "{r:?}");
}

#[sqlx::test]
async fn waiting_for_the_reporter_does_not_count_when_the_agency_says_so(pool: PgPool) {
    let env = env_with(|s| s.sla.pause_while_waiting = true);
    let mut mine = pool.acquire().await.unwrap();
    technicians::add(&mut mine, ANDI.user_id, "Andi", "L1").await.unwrap();
    let mut budi = Chat::new(&pool, "budi");
    budi.env = env.clone();
    // Recorded 10:00: resolution due 18:00, its 50% mark at 14:00.
    let id = p1_ticket(&mut budi).await;
    resolve(&pool, &env, id, support::wib(2026, 11, 23, 11, 0)).await;
    // Budi answers two hours later, at 13:00: those two hours do not count.
    let m = budi.inbound(sigap::domain::Content::Choice {
        id: format!("fu:{id}:n"),
    });
    sigap::ingest::handle_at(&pool, &env, &m, support::wib(2026, 11, 23, 13, 0))
        .await
        .unwrap();
    let due: DateTime<Utc> = sqlx::query_scalar("SELECT resolution_due FROM tickets WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(due, support::wib(2026, 11, 23, 20, 0));
    let half: DateTime<Utc> = sqlx::query_scalar(
        "SELECT due_at FROM sla_marks WHERE ticket_id = $1 AND clock = 'resolution' AND percent = 50",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(half, support::wib(2026, 11, 23, 16, 0));
    let t = tick(&pool, &env, support::wib(2026, 11, 23, 15, 0)).await.unwrap();
    assert_eq!(t.warned, 0, "50% of the resolution time is not used yet");
    let t = tick(&pool, &env, support::wib(2026, 11, 23, 16, 0)).await.unwrap();
    assert_eq!(t.warned, 1);
}
