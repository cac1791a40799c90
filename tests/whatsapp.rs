//! WhatsApp end to end: `serve` with reporters on a fake WhatsApp Cloud API (a real HTTP
//! server speaking the Graph API's JSON) and technicians in the fake Telegram war room, on
//! the test's own PostgreSQL database.

mod support;

use serde_json::Value;
use sqlx::PgPool;
use support::fake_graph::{self as fake};
use support::telegram::{card_showing, status, technician, text, ticket_id};
use support::whatsapp::{Desk, report};

const ANI: &str = "6281234560001";
const ANDI: i64 = 501;

async fn scalar(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

async fn inbound_count(pool: &PgPool) -> i64 {
    scalar(pool, "SELECT count(*) FROM inbound_messages WHERE channel = 'whatsapp'").await
}

#[sqlx::test]
async fn the_handshake_and_the_signature_are_checked_before_anything_is_stored(pool: PgPool) {
    let desk = Desk::start(&pool).await;
    let get = |query: String| {
        let url = format!("{}?{query}", desk.url());
        async move {
            let r = reqwest::get(url).await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let token = fake::VERIFY_TOKEN;
    assert_eq!(
        get(format!(
            "hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444"
        ))
        .await,
        (200, "1158201444".into())
    );
    for wrong in [
        "hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1".to_owned(),
        format!("hub.mode=unsubscribe&hub.verify_token={token}&hub.challenge=1"),
        format!("hub.mode=subscribe&hub.verify_token={token}"),
        String::new(),
    ] {
        assert_eq!(get(wrong.clone()).await.0, 403, "{wrong}");
    }

    let payload = fake::payload(
        &[(ANI, "Ani")],
        vec![fake::text_message(ANI, &desk.wamid(), "printer lantai 2 macet")],
        vec![],
    );
    let body = serde_json::to_vec(&payload).unwrap();
    let right = fake::sign(&body, fake::APP_SECRET);
    let other = fake::sign(&body, "not-the-secret");
    let mut tampered = body.clone();
    *tampered.last_mut().unwrap() = b' ';
    assert_eq!(desk.post_raw(&body, None).await, 401);
    assert_eq!(desk.post_raw(&body, Some(&other)).await, 401);
    assert_eq!(desk.post_raw(&body, Some("sha256=")).await, 401);
    assert_eq!(desk.post_raw(&tampered, Some(&right)).await, 401);
    assert_eq!(desk.post_raw(b"not json", Some(&right)).await, 401);
    assert_eq!(inbound_count(&pool).await, 0, "nothing stored from unsigned calls");

    // Signed right: stored and answered, all before the 200.
    assert_eq!(desk.post_raw(&body, Some(&right)).await, 200);
    assert_eq!(inbound_count(&pool).await, 1);
    assert!(
        scalar(&pool, "SELECT count(*) FROM outbox WHERE channel = 'whatsapp'").await > 0,
        "the reply was queued in the same transaction"
    );
}

#[sqlx::test]
async fn a_reporter_on_whatsapp_is_served_by_the_telegram_war_room(pool: PgPool) {
    technician(&pool, ANDI, "Andi").await;
    let desk = Desk::start(&pool).await;
    let number = report(
        &desk,
        ANI,
        "wifi di ruang rapat lantai 3 mati sejak jam 9, satu ruangan tidak bisa kerja",
    )
    .await;
    let id = ticket_id(&pool, &number).await;
    let sent = desk.wa.sent_to(ANI);
    assert!(
        sent.iter().any(|s| s.body["interactive"]["type"] == "button"),
        "questions came with reply buttons: {:#?}",
        sent.iter().map(|s| s.text()).collect::<Vec<_>>()
    );
    // The fake refuses a title over 20 characters, a 4th button, a row over 24: none was.
    assert!(
        desk.wa.requests().iter().all(|r| r.status == 200),
        "every send accepted: {:?}",
        desk.wa.requests()
    );

    let bot = &desk.bot;
    let card = card_showing(bot, &number, "Tanggapi sebelum").await;
    assert!(text(&card).contains("WhatsApp"), "the card names the channel: {card}");

    // Ambil in the war room: the reporter hears it on WhatsApp.
    bot.press(ANDI, "Andi", card.clone(), &format!("tk:{id}:a")).await;
    assert_eq!(
        status(&pool, &number).await,
        ("in_progress".into(), Some("Andi".into()))
    );
    desk.settle(ANI).await;
    assert!(
        desk.last(ANI).text().contains("sedang ditangani oleh Andi"),
        "{:?}",
        desk.last(ANI).text()
    );

    // Selesai, with the note as a reply to the prompt.
    let card = card_showing(bot, &number, "Pemegang: Andi").await;
    bot.resolve_with_note(ANDI, "Andi", card, id, "access point dinyalakan ulang")
        .await;
    desk.settle(ANI).await;
    let confirm = desk.last(ANI);
    assert!(
        confirm.text().contains("access point dinyalakan ulang"),
        "{}",
        confirm.text()
    );
    assert_eq!(
        confirm.buttons().into_iter().map(|(id, _)| id).collect::<Vec<_>>(),
        [format!("fu:{id}:y"), format!("fu:{id}:n")],
        "confirmation as reply buttons"
    );

    // Ya, then the survey by buttons: the score from a list, the items skipped.
    desk.tap(ANI, &format!("fu:{id}:y")).await;
    assert_eq!(status(&pool, &number).await.0, "closed");
    desk.settle(ANI).await;
    let score = desk.last(ANI);
    assert_eq!(score.body["interactive"]["type"], "list", "five scores make a list");
    desk.tap(ANI, &format!("sv:{id}:5:score")).await;
    for _ in 0..12 {
        desk.settle(ANI).await;
        let last = desk.last(ANI);
        let Some((skip, _)) = last.buttons().into_iter().find(|(b, _)| b.contains(":x:")) else {
            break;
        };
        desk.tap(ANI, &skip).await;
    }
    desk.settle(ANI).await;
    assert!(
        desk.last(ANI).text().contains(&number),
        "thanks: {}",
        desk.last(ANI).text()
    );
    let score: Option<i16> = sqlx::query_scalar("SELECT score FROM surveys WHERE ticket_id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(score, Some(5));
    // The war room never saw a phone number.
    let leaked = bot.fake.calls().iter().any(|c| c.body.to_string().contains(ANI));
    assert!(!leaked, "the reporter's number reached the war room");
}

#[sqlx::test]
async fn a_repeated_delivery_and_three_messages_in_one_call_make_the_right_tickets(pool: PgPool) {
    let desk = Desk::start(&pool).await;
    let people = ["6281234560011", "6281234560012", "6281234560013"];
    let first = [
        "printer di ruang keuangan lantai 2 macet kertas terus sejak pagi",
        "tidak bisa login SIMPEG sejak kemarin, password ditolak",
        "komputer di loket pelayanan mati total, tidak mau menyala",
    ];
    for (p, f) in people.iter().zip(first) {
        support::whatsapp::drive(&desk, p, f, Some("c:yes")).await;
    }
    assert_eq!(scalar(&pool, "SELECT count(*) FROM tickets").await, 0);

    // The three confirmations arrive in one call, which Meta then delivers again.
    let taps: Vec<Value> = people
        .iter()
        .map(|p| {
            let last = desk.last(p);
            fake::button_reply(p, &desk.wamid(), "c:yes", "Kirim", &last.wamid)
        })
        .collect();
    for p in people {
        desk.wa.user_wrote(p);
    }
    let payload = fake::payload(&[], taps, vec![]);
    assert_eq!(desk.post(&payload).await, 200);
    let tickets: Vec<(String, String)> =
        sqlx::query_as("SELECT chat_id, number FROM tickets WHERE channel = 'whatsapp' ORDER BY chat_id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        tickets.iter().map(|t| t.0.as_str()).collect::<Vec<_>>(),
        people,
        "one ticket for each"
    );
    let rows = scalar(&pool, "SELECT count(*) FROM outbox").await;
    assert_eq!(desk.post(&payload).await, 200, "a repeat is answered 200");
    assert_eq!(
        scalar(&pool, "SELECT count(*) FROM tickets").await,
        3,
        "no duplicate ticket"
    );
    assert_eq!(
        scalar(&pool, "SELECT count(*) FROM outbox").await,
        rows,
        "nothing said twice"
    );
    for (p, (_, number)) in people.iter().zip(&tickets) {
        desk.settle(p).await;
        assert!(desk.last(p).text().contains(number.as_str()), "{p} got {number}");
    }
}

#[sqlx::test]
async fn photos_documents_locations_and_stickers_are_read_as_on_telegram(pool: PgPool) {
    let desk = Desk::start(&pool).await;
    let who = "6281234560021";
    desk.send(
        who,
        fake::image_message(who, &desk.wamid(), "MEDIA-1", Some("layar biru terus di PC loket 3")),
    )
    .await;
    desk.send(
        who,
        fake::document_message(who, &desk.wamid(), "MEDIA-2", "error.pdf", None),
    )
    .await;
    desk.send(
        who,
        fake::location_message(who, &desk.wamid(), -6.2, 106.8, Some("Gedung B Lantai 2")),
    )
    .await;
    desk.send(who, fake::sticker_message(who, &desk.wamid())).await;
    desk.settle(who).await;
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT payload->'content'->>'kind' FROM inbound_messages WHERE channel = 'whatsapp' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(kinds, ["media", "media", "location", "unsupported"]);
    let state: Value = sqlx::query_scalar("SELECT state FROM conversations WHERE chat_id = $1")
        .bind(who)
        .fetch_one(&pool)
        .await
        .unwrap();
    let s = state.to_string();
    assert!(s.contains("MEDIA-1") && s.contains("MEDIA-2"), "attachments kept: {s}");
    assert!(s.contains("Gedung B Lantai 2"), "the location fills di mana: {s}");
    assert!(!desk.last(who).text().is_empty(), "the sticker was answered");
}
