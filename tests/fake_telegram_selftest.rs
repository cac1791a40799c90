//! The fake Telegram checked against teloxide itself: tests built on the fake mean something
//! only if teloxide reads the fake's answers and updates as it reads Telegram's.

#[path = "support/fake_telegram/mod.rs"]
mod fake_telegram;

use fake_telegram::*;
use serde_json::json;
use std::time::Duration;
use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::types::{
    CallbackQueryId, ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, MaybeInaccessibleMessage,
    MediaKind, MessageEntityKind, MessageId, MessageKind, ParseMode, ReplyMarkup, ReplyParameters, UpdateKind,
};
use teloxide::{ApiError, RequestError};

const ANI: i64 = 4201;
const ROOM: i64 = -100_777;

fn keyboard(data: &str) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("Ya", data)]])
}

fn api_error(r: Result<Message, RequestError>) -> ApiError {
    match r {
        Err(RequestError::Api(e)) => e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// The message an update carries, which must have parsed fully.
fn message_of(u: &Update) -> &Message {
    match &u.kind {
        UpdateKind::Message(m) => m,
        other => panic!("not a message update (malformed JSON?): {other:?}"),
    }
}

fn media(m: &Message) -> &MediaKind {
    match &m.kind {
        MessageKind::Common(c) => &c.media_kind,
        other => panic!("not a common message (malformed JSON?): {other:?}"),
    }
}

#[tokio::test]
async fn get_me_reads_as_teloxides_me() {
    let fake = FakeTelegram::start().await;
    let bot = Bot::new(fake.token()).set_api_url(fake.api_url());
    let me = bot.get_me().await.unwrap();
    assert!(me.is_bot);
    assert_eq!(me.username(), "sigap_test_bot");
    assert_eq!(me.id.0, 123_456);
    assert_eq!(fake.calls_of("GetMe").len(), 1, "methods match in any case");
}

#[tokio::test]
async fn every_update_builder_reads_as_a_full_update() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    let card = bot
        .send_message(ChatId(ROOM), "Tiket #12")
        .reply_markup(keyboard("take:12"))
        .await
        .unwrap();
    let card_json = fake.messages_to(ROOM)[0].clone();
    assert_eq!(card_json["message_id"], json!(card.id.0));

    let first = fake.push_update(text_update(None, ANI, ANI, "Ani", "/lapor printer rusak"));
    fake.push_update(reply_update(None, ROOM, 77, "Budi", "sudah dicek", card_json.clone()));
    fake.push_update(callback_update(None, ROOM, 77, "Budi", card_json, "take:12"));
    fake.push_update(photo_update(None, ANI, ANI, "Ani", "PHOTO-1", Some("layar biru")));
    fake.push_update(document_update(
        None,
        ANI,
        ANI,
        "Ani",
        "DOC-1",
        None,
        "log.pdf",
        "application/pdf",
    ));
    fake.push_update(location_update(None, ANI, ANI, "Ani", -6.2, 106.8));
    let last = fake.push_update(sticker_update(None, ANI, ANI, "Ani", "👍"));
    assert_eq!(fake.pending_updates(), 7);

    let updates = bot.get_updates().timeout(0).await.unwrap();
    assert_eq!(updates.len(), 7);
    assert_eq!(i64::from(updates[0].id.0), first);

    let text = message_of(&updates[0]);
    assert!(text.chat.is_private());
    assert_eq!(text.from.as_ref().unwrap().first_name, "Ani");
    let MediaKind::Text(t) = media(text) else {
        panic!("{text:?}")
    };
    assert_eq!(t.text, "/lapor printer rusak");
    assert_eq!(t.entities[0].kind, MessageEntityKind::BotCommand);
    assert_eq!((t.entities[0].offset, t.entities[0].length), (0, 6));

    let reply = message_of(&updates[1]);
    assert!(reply.chat.is_supergroup());
    assert_eq!(reply.chat.title(), Some("War Room"));
    assert_eq!(reply.reply_to_message().unwrap().id, card.id);

    let UpdateKind::CallbackQuery(q) = &updates[2].kind else {
        panic!("{:?}", updates[2])
    };
    assert_eq!(q.data.as_deref(), Some("take:12"));
    let Some(MaybeInaccessibleMessage::Regular(pressed)) = &q.message else {
        panic!("{q:?}")
    };
    assert_eq!(pressed.id, card.id);
    assert!(pressed.reply_markup().is_some());

    let MediaKind::Photo(p) = media(message_of(&updates[3])) else {
        panic!("{:?}", updates[3])
    };
    assert_eq!(p.photo.len(), 2);
    assert_eq!(p.photo.last().unwrap().file.id.0, "PHOTO-1");
    assert_eq!(p.caption.as_deref(), Some("layar biru"));

    let MediaKind::Document(d) = media(message_of(&updates[4])) else {
        panic!("{:?}", updates[4])
    };
    assert_eq!(d.document.file_name.as_deref(), Some("log.pdf"));
    assert_eq!(d.document.mime_type.as_ref().unwrap().essence_str(), "application/pdf");

    let MediaKind::Location(l) = media(message_of(&updates[5])) else {
        panic!("{:?}", updates[5])
    };
    assert_eq!((l.location.latitude, l.location.longitude), (-6.2, 106.8));

    let MediaKind::Sticker(s) = media(message_of(&updates[6])) else {
        panic!("{:?}", updates[6])
    };
    assert_eq!(s.sticker.emoji.as_deref(), Some("👍"));

    // Unconfirmed updates come again; an offset past them confirms them.
    assert_eq!(bot.get_updates().timeout(0).await.unwrap().len(), 7);
    let offset = i32::try_from(last + 1).unwrap();
    assert!(bot.get_updates().offset(offset).timeout(0).await.unwrap().is_empty());
    assert_eq!(fake.confirmed_offset(), last + 1);
    assert_eq!(fake.pending_updates(), 0);
}

#[tokio::test]
async fn sends_and_edits_follow_telegrams_rules() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();

    let first = bot
        .send_message(ChatId(ANI), "Pilih:")
        .reply_markup(keyboard("a"))
        .await
        .unwrap();
    let second = bot.send_message(ChatId(ANI), "Dua").await.unwrap();
    assert_eq!((first.id.0, second.id.0), (1, 2), "ids count from 1 per chat");
    assert!(first.reply_markup().is_some());

    let same = bot
        .edit_message_text(ChatId(ANI), first.id, "Pilih:")
        .reply_markup(keyboard("a"))
        .await;
    assert!(matches!(api_error(same), ApiError::MessageNotModified));

    // An edit without reply_markup drops the keyboard.
    bot.edit_message_text(ChatId(ANI), first.id, "Dipilih: a")
        .await
        .unwrap();
    let now = fake.message(ANI, 1).unwrap();
    assert_eq!(now["text"], "Dipilih: a");
    assert!(now.get("reply_markup").is_none());
    assert_eq!(
        fake.messages_to(ANI)[0]["text"],
        "Pilih:",
        "messages_to keeps what was sent"
    );

    let missing = bot.edit_message_text(ChatId(ANI), MessageId(99), "x").await;
    assert!(matches!(api_error(missing), ApiError::MessageToEditNotFound));
    let long = bot.send_message(ChatId(ANI), "a".repeat(4097)).await;
    assert!(matches!(api_error(long), ApiError::MessageIsTooLong));
    assert!(
        bot.send_message(ChatId(ANI), "é".repeat(4096)).await.is_ok(),
        "characters, not bytes"
    );
    let empty = bot.send_message(ChatId(ANI), "").await;
    assert!(matches!(api_error(empty), ApiError::MessageTextIsEmpty));
    let data = bot
        .send_message(ChatId(ANI), "x")
        .reply_markup(keyboard(&"d".repeat(65)))
        .await;
    assert!(matches!(api_error(data), ApiError::ButtonDataInvalid));

    // Replies: to a user's pushed message, to nothing, and to nothing but allowed.
    let pushed = text_update(None, ANI, ANI, "Ani", "halo");
    let user_id = pushed["message"]["message_id"].as_i64().unwrap();
    fake.push_update(pushed);
    let reply = bot
        .send_message(ChatId(ANI), "Halo Ani")
        .reply_parameters(ReplyParameters::new(MessageId(user_id as i32)))
        .await
        .unwrap();
    assert_eq!(reply.reply_to_message().unwrap().text(), Some("halo"));
    let lost = bot
        .send_message(ChatId(ANI), "x")
        .reply_parameters(ReplyParameters::new(MessageId(5000)))
        .await;
    assert!(matches!(api_error(lost), ApiError::MessageToReplyNotFound));
    let allowed = bot
        .send_message(ChatId(ANI), "x")
        .reply_parameters(ReplyParameters::new(MessageId(5000)).allow_sending_without_reply())
        .await
        .unwrap();
    assert!(allowed.reply_to_message().is_none());

    // ForceReply is accepted and, like any non-inline markup, not part of the Message.
    let forced = bot
        .send_message(ChatId(ANI), "Nomor HP?")
        .reply_markup(ReplyMarkup::ForceReply(ForceReply::new().selective()))
        .await
        .unwrap();
    assert!(forced.reply_markup().is_none());
    let last = fake.calls_of("sendmessage").pop().unwrap();
    assert_eq!(
        last.body["reply_markup"],
        json!({ "force_reply": true, "selective": true })
    );

    let user_edit = bot.edit_message_text(ChatId(ANI), MessageId(user_id as i32), "x").await;
    assert!(matches!(api_error(user_edit), ApiError::MessageCantBeEdited));
}

#[tokio::test]
async fn injected_failures_read_as_teloxides_errors() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();

    fake.fail_chat(ANI, Failure::Blocked);
    for _ in 0..2 {
        let blocked = bot.send_message(ChatId(ANI), "halo").await;
        assert!(matches!(api_error(blocked), ApiError::BotBlocked));
    }
    fake.heal_chat(ANI);

    fake.fail_next("SendMessage", Failure::RetryAfter(7));
    fake.fail_next("sendmessage", Failure::Migrated(-100_999));
    fake.fail_next("sendmessage", Failure::NotModified);
    fake.fail_next("sendmessage", Failure::BadRequest("Bad Request: chat not found".into()));
    let r = bot.send_message(ChatId(ANI), "a").await;
    assert!(
        matches!(r, Err(RequestError::RetryAfter(s)) if s.seconds() == 7),
        "{r:?}"
    );
    let r = bot.send_message(ChatId(ANI), "a").await;
    assert!(
        matches!(r, Err(RequestError::MigrateToChatId(c)) if c.0 == -100_999),
        "{r:?}"
    );
    assert!(matches!(
        api_error(bot.send_message(ChatId(ANI), "a").await),
        ApiError::MessageNotModified
    ));
    assert!(matches!(
        api_error(bot.send_message(ChatId(ANI), "a").await),
        ApiError::ChatNotFound
    ));
    bot.send_message(ChatId(ANI), "a").await.unwrap();

    let calls = fake.calls();
    assert_eq!(
        calls.iter().map(|c| c.outcome).collect::<Vec<_>>(),
        [403, 403, 429, 400, 400, 400, 200]
    );
    assert_eq!(fake.calls_of("sendmessage").len(), 1, "calls_of lists successes only");
    assert_eq!(fake.too_many_requests(), 0, "injected 429s are not flood limits");

    let stranger = Bot::new("999:not-ours").set_api_url(fake.api_url());
    assert!(matches!(
        stranger.get_me().await,
        Err(RequestError::Api(ApiError::InvalidToken))
    ));
}

#[tokio::test(start_paused = true)]
async fn server_errors_come_after_teloxides_pause() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    fake.fail_next("sendmessage", Failure::ServerError);
    let started = tokio::time::Instant::now();
    let r = bot.send_message(ChatId(ANI), "a").await;
    assert!(
        matches!(&r, Err(RequestError::Api(ApiError::Unknown(d))) if d == "Internal Server Error"),
        "{r:?}"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(10),
        "teloxide sleeps 10 s on a 5xx"
    );
}

#[tokio::test]
async fn callback_queries_are_answered_once() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    bot.send_message(ChatId(ANI), "Pilih:")
        .reply_markup(keyboard("a"))
        .await
        .unwrap();
    let card = fake.messages_to(ANI)[0].clone();
    fake.push_update(callback_update(None, ANI, ANI, "Ani", card, "a"));
    let updates = bot.get_updates().timeout(0).await.unwrap();
    let UpdateKind::CallbackQuery(q) = &updates[0].kind else {
        panic!("{updates:?}")
    };

    bot.answer_callback_query(q.id.clone())
        .text("Oke")
        .show_alert(true)
        .await
        .unwrap();
    let again = bot.answer_callback_query(q.id.clone()).await;
    // Telegram writes "query ID", teloxide expects "query id": it arrives as Unknown.
    assert!(
        matches!(&again, Err(RequestError::Api(ApiError::Unknown(d))) if d == QUERY_TOO_OLD),
        "{again:?}"
    );
    // A query the fake never saw (a test posting to the webhook) is accepted once.
    bot.answer_callback_query(CallbackQueryId("webhook-1".into()))
        .await
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn callback_answers_expire_after_15_s() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    bot.send_message(ChatId(ANI), "Pilih:")
        .reply_markup(keyboard("a"))
        .await
        .unwrap();
    let card = fake.messages_to(ANI)[0].clone();
    fake.push_update(callback_update(None, ANI, ANI, "Ani", card, "a"));
    let updates = bot.get_updates().timeout(0).await.unwrap();
    let UpdateKind::CallbackQuery(q) = &updates[0].kind else {
        panic!("{updates:?}")
    };
    tokio::time::advance(Duration::from_secs(16)).await;
    assert!(bot.answer_callback_query(q.id.clone()).await.is_err());
}

#[tokio::test]
async fn long_poll_returns_when_an_update_is_pushed() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    let poll = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(10).await }
    });
    fake.wait_polling().await;
    let id = fake.push_update(text_update(None, ANI, ANI, "Ani", "halo"));
    let updates = poll.await.unwrap().unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(i64::from(updates[0].id.0), id);
}

#[tokio::test(start_paused = true)]
async fn long_poll_times_out_on_the_tokio_clock() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    let started = tokio::time::Instant::now();
    assert!(bot.get_updates().timeout(5).await.unwrap().is_empty());
    assert!(started.elapsed() >= Duration::from_secs(5));
}

#[tokio::test]
async fn a_second_poller_ends_the_first_with_409() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    let older = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(10).await }
    });
    fake.wait_polling().await;
    assert!(bot.get_updates().timeout(0).await.unwrap().is_empty());
    let r = older.await.unwrap();
    assert!(
        matches!(r, Err(RequestError::Api(ApiError::TerminatedByOtherGetUpdates))),
        "{r:?}"
    );
}

#[tokio::test]
async fn allowed_updates_filter_what_polling_sees() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    let mut edited = text_update(None, ANI, ANI, "Ani", "halo (diedit)");
    edited["edited_message"] = edited["message"].take();
    edited.as_object_mut().unwrap().remove("message");
    fake.push_update(edited);
    fake.push_update(text_update(None, ANI, ANI, "Ani", "halo"));
    let updates = bot
        .get_updates()
        .timeout(0)
        .allowed_updates([teloxide::types::AllowedUpdate::Message])
        .await
        .unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(message_of(&updates[0]).text(), Some("halo"));
}

#[tokio::test]
async fn a_webhook_blocks_get_updates() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    // setWebhook goes as multipart/form-data.
    bot.set_webhook("https://sigap.example.go.id/webhooks/telegram".parse().unwrap())
        .secret_token("s3cret")
        .allowed_updates([teloxide::types::AllowedUpdate::Message])
        .await
        .unwrap();
    assert_eq!(
        fake.webhook().as_deref(),
        Some("https://sigap.example.go.id/webhooks/telegram")
    );
    let body = &fake.calls_of("setwebhook")[0].body;
    assert_eq!(body["secret_token"], "s3cret");
    assert_eq!(body["allowed_updates"], json!(["message"]));

    let refused = bot.get_updates().timeout(0).await;
    assert!(
        matches!(&refused, Err(RequestError::Api(ApiError::Unknown(d))) if d.starts_with("Conflict: can't use getUpdates")),
        "{refused:?}"
    );
    bot.delete_webhook().await.unwrap();
    assert!(bot.get_updates().timeout(0).await.unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn flood_limits_answer_429_on_the_tokio_clock() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    fake.enforce_limits(true);

    bot.send_message(ChatId(ANI), "satu").await.unwrap();
    let r = bot.send_message(ChatId(ANI), "dua").await;
    assert!(
        matches!(r, Err(RequestError::RetryAfter(s)) if s.seconds() == 1),
        "{r:?}"
    );
    assert_eq!(fake.too_many_requests(), 1);
    tokio::time::advance(Duration::from_secs(1)).await;
    bot.send_message(ChatId(ANI), "dua").await.unwrap();

    for i in 0..20 {
        bot.send_message(ChatId(ROOM), format!("kartu {i}")).await.unwrap();
    }
    let r = bot.send_message(ChatId(ROOM), "satu lagi").await;
    assert!(
        matches!(r, Err(RequestError::RetryAfter(s)) if (59..=60).contains(&s.seconds())),
        "{r:?}"
    );
    assert_eq!(fake.too_many_requests(), 2);
}

#[tokio::test]
async fn parse_modes_are_checked_and_rendered() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    let r = bot
        .send_message(ChatId(ANI), "Tiket #12 selesai.")
        .parse_mode(ParseMode::MarkdownV2)
        .await;
    assert!(matches!(api_error(r), ApiError::CantParseEntities(_)));
    let ok = bot
        .send_message(ChatId(ANI), "*Tiket \\#12* selesai\\.")
        .parse_mode(ParseMode::MarkdownV2)
        .await
        .unwrap();
    assert_eq!(ok.text(), Some("Tiket #12 selesai."));
    let html = bot
        .send_message(ChatId(ANI), "<b>Tiket</b> &lt;12&gt;")
        .parse_mode(ParseMode::Html)
        .await
        .unwrap();
    assert_eq!(html.text(), Some("Tiket <12>"));
    let r = bot
        .send_message(ChatId(ANI), "<b>Tiket")
        .parse_mode(ParseMode::Html)
        .await;
    assert!(matches!(api_error(r), ApiError::CantParseEntities(_)));
}

#[tokio::test]
async fn photos_upload_as_multipart_and_files_download() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    let sent = bot
        .send_photo(
            ChatId(ANI),
            InputFile::memory(&b"\xFF\xD8\xFFjpeg"[..]).file_name("layar.jpg"),
        )
        .caption("Layar biru")
        .await
        .unwrap();
    assert_eq!(sent.caption(), Some("Layar biru"));
    assert!(sent.photo().is_some());
    let body = &fake.calls_of("sendphoto")[0].body;
    assert_eq!(body["photo"], json!({ "file_name": "layar.jpg", "size": 7 }));
    assert_eq!(body["chat_id"], json!(ANI));

    let again = bot
        .send_photo(ChatId(ANI), InputFile::file_id("PHOTO-1".into()))
        .await
        .unwrap();
    assert_eq!(again.photo().unwrap().last().unwrap().file.id.0, "PHOTO-1");

    let file = bot.get_file("PHOTO-1".into()).await.unwrap();
    assert_eq!(file.path, "photos/PHOTO-1.jpg");
    let mut bytes = Vec::new();
    bot.download_file(&file.path, &mut bytes).await.unwrap();
    assert_eq!(bytes.len() as u32, file.meta.size);
}

#[tokio::test]
async fn wait_until_sees_calls_made_meanwhile() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    let sender = tokio::spawn(async move {
        for i in 0..3 {
            bot.send_message(ChatId(ANI), format!("pesan {i}")).await.unwrap();
        }
    });
    fake.wait_until("three messages to Ani", |calls| {
        calls.iter().filter(|c| c.ok() && c.chat_id() == Some(ANI)).count() == 3
    })
    .await;
    let sent = fake.wait_for("sendMessage", 3).await;
    assert_eq!(sent[2].text(), Some("pesan 2"));
    sender.await.unwrap();
}
