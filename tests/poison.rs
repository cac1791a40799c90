//! No message can block the others: a NUL (which PostgreSQL refuses in text and jsonb) is
//! dropped where a message comes in, and a delivery the database still refuses for good is
//! set aside with its raw bytes while the ones behind it go on. Through the fake Bot API
//! (long polling) and signed calls to the WhatsApp webhook, on the wire.

mod support;

use serde_json::Value;
use sqlx::PgPool;
use support::count;
use support::fake_graph as fake;
use support::fake_telegram::text_update;
use support::telegram::{Bot, Mode, is_message};
use support::whatsapp::Desk;

const BUDI: i64 = 7301;
const SITI: i64 = 7302;
const APOLOGY: &str = "tidak dapat kami proses";

/// Makes PostgreSQL refuse, as a data error, any inbound message whose payload holds
/// `marker`: a stand-in for whatever a future platform sends that the database will never
/// take. The code under test meets a real refusal on its normal path.
async fn refuse_inbound_holding(pool: &PgPool, marker: &str) {
    sqlx::query(&format!(
        r#"CREATE FUNCTION refuse_marked() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF NEW.payload::text LIKE '%{marker}%' THEN
               RAISE EXCEPTION 'value refused for the test' USING ERRCODE = '22023';
             END IF;
             RETURN NEW;
           END $$"#
    ))
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "CREATE TRIGGER refuse_marked BEFORE INSERT ON inbound_messages FOR EACH ROW EXECUTE FUNCTION refuse_marked()",
    )
    .execute(pool)
    .await
    .unwrap();
}

async fn texts_stored(pool: &PgPool, channel: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT payload #>> '{content,text}' FROM inbound_messages WHERE channel = $1 ORDER BY id")
        .bind(channel)
        .fetch_all(pool)
        .await
        .unwrap()
}

/// What the bot sent to a Telegram chat.
fn said_to(bot: &Bot, chat: i64) -> Vec<String> {
    bot.fake
        .calls()
        .iter()
        .filter(|c| is_message(c) && c.ok() && support::telegram::chat_of(c) == Some(chat))
        .filter_map(|c| c.text().map(str::to_owned))
        .collect()
}

#[sqlx::test]
async fn a_nul_in_a_telegram_text_is_dropped_and_the_next_update_is_read(pool: PgPool) {
    let bot = Bot::start(&pool, Mode::Polling).await;
    bot.fake.push_update(text_update(
        None,
        BUDI,
        BUDI,
        "Budi",
        "printer\u{0}  di ruang TU\u{0} rusak",
    ));
    let next = bot
        .fake
        .push_update(text_update(None, SITI, SITI, "Siti", "wifi lantai 3 mati"));
    bot.fake.wait_confirmed(next).await;
    assert_eq!(
        texts_stored(&pool, "telegram").await,
        ["printer  di ruang TU rusak", "wifi lantai 3 mati"]
    );
    bot.settle(BUDI).await;
    bot.settle(SITI).await;
    assert!(!said_to(&bot, BUDI).is_empty() && !said_to(&bot, SITI).is_empty());
    assert!(
        said_to(&bot, BUDI).iter().all(|t| !t.contains(APOLOGY)),
        "a NUL is no reason to refuse"
    );
    assert_eq!(count(&pool, "set_aside").await, 0);
    bot.stop().await;
}

#[sqlx::test]
async fn an_update_the_database_refuses_is_set_aside_and_polling_moves_on(pool: PgPool) {
    refuse_inbound_holding(&pool, "RACUN-7").await;
    let bot = Bot::start(&pool, Mode::Polling).await;
    let poison = bot
        .fake
        .push_update(text_update(None, BUDI, BUDI, "Budi", "kode RACUN-7 muncul di layar"));
    let next = bot
        .fake
        .push_update(text_update(None, SITI, SITI, "Siti", "wifi lantai 3 mati"));
    bot.fake.wait_confirmed(next).await;

    let (external_id, chat, raw, reason): (String, Option<String>, Vec<u8>, String) =
        sqlx::query_as("SELECT external_id, chat_id, raw, reason FROM set_aside")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((external_id, chat), (poison.to_string(), Some(BUDI.to_string())));
    let raw: Value = serde_json::from_slice(&raw).expect("the update as JSON");
    assert_eq!(raw["message"]["text"], "kode RACUN-7 muncul di layar");
    assert!(reason.contains("value refused for the test"), "{reason}");
    assert_eq!(texts_stored(&pool, "telegram").await, ["wifi lantai 3 mati"]);

    bot.settle(BUDI).await;
    bot.settle(SITI).await;
    assert!(
        said_to(&bot, BUDI).iter().any(|t| t.contains(APOLOGY)),
        "{:?}",
        said_to(&bot, BUDI)
    );
    assert!(!said_to(&bot, SITI).is_empty());
    let metrics = reqwest::get(format!("http://{}/metrics", bot.addr))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"sigap_updates_set_aside_total{channel="telegram"} 1"#),
        "{metrics}"
    );

    // The webhook sets aside too, once: Telegram resending it changes nothing.
    let bot = {
        let fake = bot.stop().await;
        Bot::start_with(&pool, Mode::Webhook, fake).await
    };
    let again = text_update(Some(poison), BUDI, BUDI, "Budi", "kode RACUN-7 muncul di layar");
    assert_eq!(bot.post(&again, Some(support::telegram::SECRET)).await, 200);
    let other = text_update(Some(poison + 50), BUDI, BUDI, "Budi", "RACUN-7 lagi");
    assert_eq!(bot.post(&other, Some(support::telegram::SECRET)).await, 200);
    assert_eq!(count(&pool, "set_aside").await, 2);
    let apologies: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM outbox WHERE chat_id = '{BUDI}' AND payload->>'text' LIKE '%{APOLOGY}%'"
    ))
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(apologies, 2, "one apology per delivery set aside, none for the repeat");
    bot.stop().await;
}

const ANI: &str = "6281234560301";
const EKO: &str = "6281234560302";
const RINA: &str = "6281234560303";

/// One signed call holding a message from each of three people.
fn three_messages(desk: &Desk, first: &str) -> Value {
    fake::payload(
        &[(ANI, "Ani"), (EKO, "Eko"), (RINA, "Rina")],
        vec![
            fake::text_message(ANI, &desk.wamid(), first),
            fake::text_message(EKO, &desk.wamid(), "printer lantai 2 macet"),
            fake::text_message(RINA, &desk.wamid(), "aplikasi SIMPEG tidak bisa dibuka"),
        ],
        vec![],
    )
}

fn whatsapp_ready(desk: &Desk) {
    for who in [ANI, EKO, RINA] {
        desk.wa.user_wrote(who);
    }
}

#[sqlx::test]
async fn a_whatsapp_call_with_a_nul_and_two_other_messages_is_stored_whole(pool: PgPool) {
    let desk = Desk::start(&pool).await;
    whatsapp_ready(&desk);
    let call = three_messages(&desk, "internet\u{0} di ruang rapat mati");
    assert_eq!(desk.post(&call).await, 200);
    assert_eq!(
        texts_stored(&pool, "whatsapp").await,
        [
            "internet di ruang rapat mati",
            "printer lantai 2 macet",
            "aplikasi SIMPEG tidak bisa dibuka"
        ]
    );
    for who in [ANI, EKO, RINA] {
        desk.settle(who).await;
        assert!(!desk.wa.sent_to(who).is_empty(), "{who} got no reply");
    }
    assert_eq!(count(&pool, "set_aside").await, 0);
}

#[sqlx::test]
async fn a_whatsapp_message_the_database_refuses_is_set_aside_and_the_call_answered_200(pool: PgPool) {
    refuse_inbound_holding(&pool, "RACUN-8").await;
    let desk = Desk::start(&pool).await;
    whatsapp_ready(&desk);
    let call = three_messages(&desk, "layar menampilkan RACUN-8");
    assert_eq!(desk.post(&call).await, 200);
    assert_eq!(
        texts_stored(&pool, "whatsapp").await,
        ["printer lantai 2 macet", "aplikasi SIMPEG tidak bisa dibuka"]
    );
    let (chat, raw): (Option<String>, Vec<u8>) = sqlx::query_as("SELECT chat_id, raw FROM set_aside")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(chat.as_deref(), Some(ANI));
    let raw: Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(
        raw["text"]["body"], "layar menampilkan RACUN-8",
        "the message itself, not the whole call"
    );

    // Meta sends the call again (as it would after any error): nothing new, nothing twice.
    assert_eq!(desk.post(&call).await, 200);
    assert_eq!(count(&pool, "set_aside").await, 1);
    assert_eq!(count(&pool, "inbound_messages").await, 2);
    for who in [ANI, EKO, RINA] {
        desk.settle(who).await;
    }
    let to_ani: Vec<String> = desk.wa.sent_to(ANI).iter().map(|s| s.text()).collect();
    assert_eq!(to_ani.len(), 1, "{to_ani:?}");
    assert!(to_ani[0].contains(APOLOGY), "{to_ani:?}");
    assert!(!desk.wa.sent_to(EKO).is_empty() && !desk.wa.sent_to(RINA).is_empty());
}
