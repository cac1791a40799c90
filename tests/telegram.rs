//! Telegram end to end: `serve` against a fake Bot API (a real HTTP server speaking the Bot
//! API's JSON), on the test's own PostgreSQL database.

mod support;

use serde_json::Value;
use sqlx::PgPool;
use support::count;
use support::fake_telegram::Failure;
use support::telegram::*;

const REPORTER: i64 = 7001;
const ANDI: i64 = 501;

#[sqlx::test]
async fn report_card_claim_resolve_and_the_reporter_hears_each_step(pool: PgPool) {
    technician(&pool, ANDI, "Andi").await;
    let bot = Bot::start(&pool, Mode::Polling).await;
    let number = report(
        &bot,
        REPORTER,
        "wifi di ruang rapat lantai 3 mati sejak jam 9, satu ruangan tidak bisa kerja",
    )
    .await;
    let id = ticket_id(&pool, &number).await;
    assert_eq!(status(&pool, &number).await, ("new".into(), None));

    // Every question was a keyboard that was closed once pressed.
    for m in bot.shown(REPORTER) {
        assert!(
            buttons(&m).is_empty() || m == bot.last(REPORTER),
            "a pressed keyboard left open: {m}"
        );
    }

    let card = card_showing(&bot, &number, "Tanggapi sebelum").await;
    let t = text(&card);
    for part in [
        "P1",
        "🔴",
        "Budi",
        "Bagian Umum Setda",
        "ruang rapat lantai 3",
        "Tanggapi sebelum",
    ] {
        assert!(t.contains(part), "card lacks {part}: {t}");
    }
    assert_eq!(
        buttons(&card),
        [
            format!("tk:{id}:a"),
            format!("tk:{id}:e"),
            format!("tk:{id}:s"),
            format!("tk:{id}:b")
        ]
    );

    // Ambil.
    bot.press(ANDI, "Andi", card.clone(), &format!("tk:{id}:a")).await;
    assert_eq!(
        status(&pool, &number).await,
        ("in_progress".into(), Some("Andi".into()))
    );
    bot.settle(REPORTER).await;
    assert!(
        text(&bot.last(REPORTER)).contains("sedang ditangani oleh Andi"),
        "{}",
        bot.last(REPORTER)
    );
    let card = card_showing(&bot, &number, "Pemegang: Andi").await;
    assert_eq!(buttons(&card).len(), 3, "no Ambil once held: {card}");

    // Selesai asks for a note, as a reply the technician's app opens.
    let prompt = bot
        .resolve_with_note(
            ANDI,
            "Andi",
            card.clone(),
            id,
            "kabel LAN di switch lantai 3 longgar, sudah dipasang ulang",
        )
        .await;
    assert!(text(&prompt).contains("catatan penyelesaian"), "{prompt}");
    let (st, note): (String, Option<String>) =
        sqlx::query_as("SELECT status, resolution_note FROM tickets WHERE number = $1")
            .bind(&number)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(st, "resolved");
    assert_eq!(
        note.as_deref(),
        Some("kabel LAN di switch lantai 3 longgar, sudah dipasang ulang")
    );
    bot.settle(REPORTER).await;
    let told = text(&bot.last(REPORTER));
    assert!(told.contains(&number) && told.contains("kabel LAN di switch"), "{told}");
    let card = card_showing(&bot, &number, "Penyelesaian").await;
    assert!(
        buttons(&card).is_empty(),
        "a resolved ticket's card has no buttons: {card}"
    );

    let events: Vec<String> = sqlx::query_scalar("SELECT kind FROM ticket_events WHERE ticket_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(events, ["created", "claimed", "resolved"]);

    // A button on the card after it moved on changes nothing.
    bot.press(ANDI, "Andi", card, &format!("tk:{id}:a")).await;
    bot.settle(WAR_ROOM).await;
    let alert = bot.fake.calls_of("answercallbackquery").pop().unwrap();
    assert!(
        alert.body["text"].as_str().unwrap().contains("sudah berstatus"),
        "{:?}",
        alert.body
    );
    assert_eq!(count(&pool, "ticket_events").await, 3);
    // Only one card message was ever posted for the ticket: the rest were edits.
    let posted = bot
        .fake
        .calls_of("sendmessage")
        .iter()
        .filter(|c| {
            chat_of(c) == Some(WAR_ROOM) && c.body["text"].as_str().is_some_and(|t| t.contains("Tanggapi sebelum"))
        })
        .count();
    assert_eq!(posted, 1);

    // The reporter confirms with a tap, then rates the service; the same tap twice counts once.
    let asked = bot.last(REPORTER);
    assert_eq!(buttons(&asked), [format!("fu:{id}:y"), format!("fu:{id}:n")]);
    let tap = |m: &Value, data: &str| callback_update(None, REPORTER, REPORTER, "Budi", m.clone(), data);
    bot.deliver(tap(&asked, &format!("fu:{id}:y"))).await;
    bot.settle(REPORTER).await;
    assert_eq!(status(&pool, &number).await.0, "closed");
    let survey = bot.last(REPORTER);
    let five = format!("sv:{id}:5:score");
    assert!(buttons(&survey).contains(&five), "{survey}");
    bot.deliver(tap(&survey, &five)).await;
    bot.deliver(tap(&survey, &five)).await;
    for skip in ["lewati", "lewati", "lewati", "lewati"] {
        bot.deliver(text_update(None, REPORTER, REPORTER, "Budi", skip)).await;
    }
    bot.settle(REPORTER).await;
    let said: Vec<String> = bot.shown(REPORTER).iter().map(text).collect();
    assert_eq!(
        said.iter().filter(|t| t.contains("sudah tercatat")).count(),
        1,
        "{said:#?}"
    );
    assert!(
        said.last().unwrap().contains("Terima kasih atas penilaian"),
        "{said:#?}"
    );
    let (score, done): (i16, bool) =
        sqlx::query_as("SELECT score, closed_at IS NOT NULL FROM surveys WHERE ticket_id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((score, done), (5, true));
    bot.stop().await;
}

#[sqlx::test]
async fn twenty_technicians_tap_ambil_at_once_and_one_wins(pool: PgPool) {
    for i in 0..20 {
        technician(&pool, 600 + i, &format!("Teknisi {i}")).await;
    }
    let bot = Bot::start(&pool, Mode::Webhook).await;
    let number = report(
        &bot,
        REPORTER,
        "printer di ruang TU lantai 2 tidak bisa mencetak, kertas macet terus",
    )
    .await;
    let id = ticket_id(&pool, &number).await;
    let card = card_showing(&bot, &number, "Tanggapi sebelum").await;
    let taps = (0..20).map(|i| {
        let u = callback_update(
            None,
            WAR_ROOM,
            600 + i,
            &format!("Teknisi {i}"),
            card.clone(),
            &format!("tk:{id}:a"),
        );
        let bot = &bot;
        async move { bot.post(&u, Some(SECRET)).await }
    });
    let answers = futures_util::future::join_all(taps).await;
    assert!(answers.iter().all(|s| *s == 200), "{answers:?}");
    let (st, holder) = status(&pool, &number).await;
    assert_eq!(st, "in_progress");
    let holder = holder.unwrap();
    let claims: i64 = sqlx::query_scalar("SELECT count(*) FROM ticket_events WHERE kind = 'claimed'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(claims, 1);
    bot.settle(WAR_ROOM).await;
    let alerts: Vec<String> = bot
        .fake
        .calls_of("answercallbackquery")
        .iter()
        .filter_map(|c| c.body["text"].as_str().map(str::to_owned))
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(alerts.len(), 19, "{alerts:?}");
    assert!(
        alerts
            .iter()
            .all(|a| a.contains(&format!("sudah diambil oleh {holder}"))),
        "{alerts:?}"
    );
    bot.stop().await;
}

#[sqlx::test]
async fn strangers_cannot_press_card_buttons_nor_see_others_tickets(pool: PgPool) {
    technician(&pool, ANDI, "Andi").await;
    let bot = Bot::start(&pool, Mode::Webhook).await;
    let number = report(
        &bot,
        REPORTER,
        "komputer di loket 2 kena layar biru terus sejak tadi pagi",
    )
    .await;
    let id = ticket_id(&pool, &number).await;
    let card = card_showing(&bot, &number, "Tanggapi sebelum").await;

    // Someone in the group who is not a registered technician.
    for action in ["a", "s", "b", "e"] {
        bot.press(999, "Iseng", card.clone(), &format!("tk:{id}:{action}"))
            .await;
    }
    // A forged payload: a button id for the ticket, pressed by the reporter in their chat.
    bot.deliver(callback_update(
        None,
        REPORTER,
        REPORTER,
        "Budi",
        bot.last(REPORTER),
        &format!("tk:{id}:a"),
    ))
    .await;
    bot.settle(WAR_ROOM).await;
    bot.settle(REPORTER).await;
    assert_eq!(status(&pool, &number).await, ("new".into(), None));
    assert_eq!(count(&pool, "ticket_events").await, 1);
    let refused = bot
        .fake
        .calls_of("answercallbackquery")
        .iter()
        .filter(|c| {
            c.body["text"]
                .as_str()
                .is_some_and(|t| t.contains("hanya untuk teknisi"))
        })
        .count();
    assert_eq!(refused, 5);

    // Another reporter asks for Budi's ticket by number.
    let other = 7002;
    bot.deliver(text_update(None, other, other, "Sari", &format!("/status {number}")))
        .await;
    bot.settle(other).await;
    let said = text(&bot.last(other));
    assert!(said.contains("tidak ditemukan"), "{said}");
    assert!(!said.contains("layar biru"), "{said}");
    // Budi sees it.
    bot.deliver(text_update(
        None,
        REPORTER,
        REPORTER,
        "Budi",
        &format!("/status {number}"),
    ))
    .await;
    bot.settle(REPORTER).await;
    assert!(text(&bot.last(REPORTER)).contains(&number));
    bot.stop().await;
}

#[sqlx::test]
async fn webhook_refuses_a_wrong_secret_and_a_repeat_is_a_no_op(pool: PgPool) {
    let bot = Bot::start(&pool, Mode::Webhook).await;
    let update = text_update(Some(41), REPORTER, REPORTER, "Budi", "internet mati di ruang arsip");
    assert_eq!(bot.post(&update, Some("wrong")).await, 401);
    assert_eq!(bot.post(&update, None).await, 401);
    assert_eq!(count(&pool, "inbound_messages").await, 0);
    assert_eq!(bot.post(&update, Some(SECRET)).await, 200);
    assert_eq!(bot.post(&update, Some(SECRET)).await, 200);
    assert_eq!(count(&pool, "inbound_messages").await, 1);
    let replies = count(&pool, "outbox").await;
    bot.settle(REPORTER).await;
    assert_eq!(bot.fake.messages_to(REPORTER).len() as i64, replies);
    assert!(bot.fake.calls_of("setwebhook").iter().any(|c| {
        c.body["secret_token"] == SECRET && c.body["url"] == "https://sigap.example.go.id/webhooks/telegram"
    }));
    assert!(
        bot.fake.calls_of("getupdates").is_empty(),
        "a webhook bot does not poll"
    );
    let health = reqwest::get(format!("http://{}/health", bot.addr)).await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
    bot.stop().await;
}

#[sqlx::test]
async fn a_restart_between_commit_and_confirmation_loses_nothing_and_repeats_nothing(pool: PgPool) {
    let bot = Bot::start(&pool, Mode::Polling).await;
    // Commands registered at start, in Indonesian, with the war room's own list.
    let menus = bot.fake.calls_of("setmycommands");
    assert!(
        menus
            .iter()
            .any(|c| c.body["commands"].to_string().contains("Laporkan masalah TI baru"))
    );
    assert!(menus.iter().any(|c| c.body["scope"]["type"] == "chat"));

    let first = text_update(
        Some(500),
        REPORTER,
        REPORTER,
        "Budi",
        "aplikasi SIMPEG tidak bisa login sejak pagi",
    );
    // Telegram delivers the same update twice in one batch: handled once.
    bot.fake.push_update(first.clone());
    bot.push(first.clone()).await;
    bot.settle(REPORTER).await;
    let sent = bot.fake.messages_to(REPORTER).len();
    let rows = count(&pool, "outbox").await;
    assert_eq!(count(&pool, "inbound_messages").await, 1);

    // Stopped after the commit; Telegram never heard the confirmation and sends it again.
    let fake = bot.stop().await;
    fake.push_update(first);
    let bot = Bot::start_with(&pool, Mode::Polling, fake).await;
    let next = text_update(Some(501), REPORTER, REPORTER, "Budi", "Budi Santoso");
    bot.push(next).await;
    bot.settle(REPORTER).await;
    assert_eq!(
        count(&pool, "inbound_messages").await,
        2,
        "the repeat was not stored again"
    );
    assert!(count(&pool, "outbox").await > rows, "the new message was answered");
    let texts: Vec<String> = bot.fake.messages_to(REPORTER).iter().map(text).collect();
    let first_reply = text(&bot.fake.messages_to(REPORTER)[0]);
    assert_eq!(
        texts.iter().filter(|t| **t == first_reply).count(),
        1,
        "nothing repeated: {texts:#?}"
    );
    assert!(texts.len() > sent);
    bot.stop().await;
}

#[sqlx::test]
async fn the_sender_keeps_the_limits_waits_out_a_429_and_stops_at_a_block(pool: PgPool) {
    let bot = Bot::start(&pool, Mode::Webhook).await;
    bot.fake.enforce_limits(true);
    bot.fake.fail_next("sendmessage", Failure::RetryAfter(1));
    let reporters: Vec<i64> = (8000..8006).collect();
    for r in &reporters {
        bot.deliver(text_update(
            None,
            *r,
            *r,
            "Staf",
            "wifi di lantai 2 mati sejak pagi, satu ruangan kena",
        ))
        .await;
        bot.deliver(text_update(None, *r, *r, "Staf", "/bantuan")).await;
    }
    let blocked = 8100;
    bot.fake.fail_chat(blocked, Failure::Blocked);
    bot.deliver(text_update(None, blocked, blocked, "Yanti", "printer macet"))
        .await;
    // Rows are sent in order: once this later chat has its replies, the block was recorded.
    let after = 8200;
    bot.deliver(text_update(None, after, after, "Rudi", "/bantuan")).await;
    for r in reporters.iter().chain([&after]) {
        bot.settle(*r).await;
    }
    assert_eq!(
        bot.fake.too_many_requests(),
        0,
        "the sender never ran into Telegram's limits"
    );
    let retried = bot.fake.calls().iter().filter(|c| c.outcome == 429).count();
    assert_eq!(retried, 1, "the injected 429 only");

    let unreachable: bool = sqlx::query_scalar(
        "SELECT unreachable_at IS NOT NULL FROM reporter_identities WHERE channel = 'telegram' AND external_id = $1",
    )
    .bind(blocked.to_string())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(unreachable);
    let (dead, tries): (i64, i64) =
        sqlx::query_as("SELECT count(*) FILTER (WHERE dead_at IS NOT NULL), count(*) FROM outbox WHERE chat_id = $1")
            .bind(blocked.to_string())
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(dead, tries, "everything for a blocked chat is kept, dead, not retried");
    let attempts_at_blocked = bot.fake.calls().iter().filter(|c| chat_of(c) == Some(blocked)).count();
    assert_eq!(attempts_at_blocked, 1, "one refusal is enough");
    bot.stop().await;
}

#[sqlx::test]
async fn photos_documents_and_locations_are_kept_and_stickers_answered(pool: PgPool) {
    let bot = Bot::start(&pool, Mode::Polling).await;
    bot.deliver(photo_update(
        None,
        REPORTER,
        REPORTER,
        "Budi",
        "AgACAgUAA-layar",
        Some("komputer loket 2 layar biru terus"),
    ))
    .await;
    bot.deliver(location_update(None, REPORTER, REPORTER, "Budi", -6.9147, 107.6098))
        .await;
    bot.deliver(sticker_update(None, REPORTER, REPORTER, "Budi", "😡"))
        .await;
    bot.settle(REPORTER).await;
    let kinds: Vec<String> = sqlx::query_scalar("SELECT payload->'content'->>'kind' FROM inbound_messages ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(kinds, ["media", "location", "unsupported"]);
    let file: String = sqlx::query_scalar(
        "SELECT payload->'content'->'attachment'->>'file_id' FROM inbound_messages ORDER BY id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(file, "AgACAgUAA-layar", "the largest size's file id");
    // Every message got a polite answer, none was dropped.
    let answered: i64 = sqlx::query_scalar("SELECT count(DISTINCT inbound_id) FROM outbox WHERE chat_id = $1")
        .bind(REPORTER.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(answered, 3);
    let number = report(&bot, REPORTER, "tadi itu di loket 2 lantai 1").await;
    let attachments: i32 = sqlx::query_scalar("SELECT jsonb_array_length(attachments) FROM tickets WHERE number = $1")
        .bind(&number)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(attachments, 1);
    bot.stop().await;
}

#[tokio::test]
async fn health_is_503_while_the_database_does_not_answer() {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_millis(300))
        .connect_lazy("postgres://postgres@127.0.0.1:1/nothing")
        .unwrap();
    let state = sigap::web::WebState {
        pool,
        env: support::env(),
        telegram_secret: None,
        whatsapp: None,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = tokio_util::sync::CancellationToken::new();
    let server = tokio::spawn(sigap::web::serve(listener, state, stop.clone()));
    let health = reqwest::get(format!("http://{addr}/health")).await.unwrap();
    assert_eq!(health.status().as_u16(), 503);
    stop.cancel();
    server.await.unwrap().unwrap();
}

#[sqlx::test]
async fn a_stranger_spamming_commands_in_the_war_room_is_told_once(pool: PgPool) {
    const STRANGER: i64 = 9901;
    technician(&pool, ANDI, "Andi").await;
    let bot = Bot::start(&pool, Mode::Polling).await;
    let mut last = 0;
    for i in 0..60 {
        let command = if i % 2 == 0 { "/antrian" } else { "/tiket INC-1" };
        last = bot.fake.push_update(support::fake_telegram::text_update(
            None, WAR_ROOM, STRANGER, "Orang", command,
        ));
    }
    bot.fake.wait_confirmed(last).await;
    // A technician's command after them is answered at once: the group is not queued up.
    bot.deliver(support::fake_telegram::text_update(
        None, WAR_ROOM, ANDI, "Andi", "/antrian",
    ))
    .await;
    bot.settle(WAR_ROOM).await;
    let said: Vec<String> = bot
        .fake
        .calls_of("sendmessage")
        .iter()
        .filter(|c| support::telegram::chat_of(c) == Some(WAR_ROOM))
        .filter_map(|c| c.text().map(str::to_owned))
        .collect();
    assert_eq!(said.len(), 2, "one refusal, one queue: {said:?}");
    assert!(said[0].contains("hanya untuk teknisi"), "{said:?}");
    assert_eq!(
        count(&pool, "inbound_messages").await,
        61,
        "every command is still recorded"
    );
    bot.stop().await;
}
