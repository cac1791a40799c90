//! Sigap's `serve` with both channels: reporters on the fake WhatsApp Cloud API, technicians
//! in the fake Telegram war room. Webhook calls are signed as Meta signs them; every wait is
//! on the fakes' requests or on a commit, never a sleep.
#![allow(dead_code)]

use super::fake_graph::{self as fake, FakeWhatsApp, Sent};
use super::telegram::{Bot, Mode};
use secrecy::SecretString;
use serde_json::Value;
use sigap::domain::Outbound;
use sqlx::PgPool;
use std::sync::atomic::{AtomicU64, Ordering};

pub struct Desk {
    pub bot: Bot,
    pub wa: FakeWhatsApp,
    next: AtomicU64,
}

/// The WhatsApp settings for the fake.
pub fn configure(s: &mut sigap::config::Settings, wa: &FakeWhatsApp) {
    s.whatsapp.token = Some(SecretString::from(fake::TOKEN));
    s.whatsapp.phone_number_id = Some(fake::PHONE_ID.into());
    s.whatsapp.app_secret = Some(SecretString::from(fake::APP_SECRET));
    s.whatsapp.verify_token = Some(SecretString::from(fake::VERIFY_TOKEN));
    s.whatsapp.api_url = Some(wa.api_url());
}

/// The templates of README, approved at the fake.
pub fn approve_templates(wa: &FakeWhatsApp) {
    wa.approve_template("sigap_status", 2, 0);
    wa.approve_template("sigap_konfirmasi", 1, 2);
    wa.approve_template("sigap_survei", 1, 5);
    wa.approve_template("sigap_pesan", 1, 0);
}

impl Desk {
    pub async fn start(pool: &PgPool) -> Desk {
        let wa = FakeWhatsApp::start().await;
        approve_templates(&wa);
        let tg = super::fake_telegram::FakeTelegram::start().await;
        let bot = Bot::start_configured(pool, Mode::Polling, tg, |s| configure(s, &wa)).await;
        Desk {
            bot,
            wa,
            next: AtomicU64::new(1),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/webhooks/whatsapp", self.bot.addr)
    }

    /// Posts a raw body with the given signature header; the HTTP status.
    pub async fn post_raw(&self, body: &[u8], signature: Option<&str>) -> u16 {
        let mut req = reqwest::Client::new()
            .post(self.url())
            .header("Content-Type", "application/json")
            .body(body.to_vec());
        if let Some(s) = signature {
            req = req.header("X-Hub-Signature-256", s);
        }
        req.send().await.unwrap().status().as_u16()
    }

    /// Posts a payload signed with the app secret; the HTTP status.
    pub async fn post(&self, payload: &Value) -> u16 {
        let body = serde_json::to_vec(payload).unwrap();
        let sig = fake::sign(&body, fake::APP_SECRET);
        self.post_raw(&body, Some(&sig)).await
    }

    pub fn wamid(&self) -> String {
        format!("wamid.TEST{:08}", self.next.fetch_add(1, Ordering::Relaxed))
    }

    /// A person's message, delivered as Meta delivers it; committed on return.
    pub async fn send(&self, from: &str, message: Value) {
        self.wa.user_wrote(from);
        let p = fake::payload(&[(from, "Budi")], vec![message], vec![]);
        assert_eq!(self.post(&p).await, 200);
    }

    pub async fn say(&self, from: &str, text: &str) {
        let m = fake::text_message(from, &self.wamid(), text);
        self.send(from, m).await;
    }

    /// Taps a reply button or a list row of the last message that had them.
    pub async fn tap(&self, from: &str, id: &str) {
        let last = self
            .wa
            .sent_to(from)
            .into_iter()
            .rev()
            .find(|s| s.buttons().iter().any(|(b, _)| b == id))
            .unwrap_or_else(|| panic!("no message to {from} offers {id}"));
        let title = last
            .buttons()
            .into_iter()
            .find(|(b, _)| b == id)
            .map(|(_, t)| t)
            .unwrap_or_default();
        let wamid = self.wamid();
        let m = match (last.template().is_some(), last.body["interactive"]["type"].as_str()) {
            (true, _) => fake::quick_reply(from, &wamid, id, &title, &last.wamid),
            (_, Some("list")) => fake::list_reply(from, &wamid, id, &title, &last.wamid),
            _ => fake::button_reply(from, &wamid, id, &title, &last.wamid),
        };
        self.send(from, m).await;
    }

    /// Waits until every message queued for `wa_id` so far reached the fake.
    pub async fn settle(&self, wa_id: &str) {
        let rows: Vec<(Value, String)> = sqlx::query_as(
            r#"SELECT payload, op FROM outbox
               WHERE channel = 'whatsapp' AND chat_id = $1 AND dead_at IS NULL AND op IN ('send', 'template')"#,
        )
        .bind(wa_id)
        .fetch_all(&self.bot.pool)
        .await
        .unwrap();
        let want: usize = rows
            .iter()
            .map(|(p, op)| match op.as_str() {
                "template" => 1,
                _ => sigap::channels::whatsapp::message_count(&serde_json::from_value::<Outbound>(p.clone()).unwrap()),
            })
            .sum();
        let to = wa_id.to_owned();
        self.wa
            .wait_until(&format!("{want} messages to {wa_id}"), |sent| {
                (sent.iter().filter(|s| s.to == to).count() >= want).then_some(())
            })
            .await;
    }

    /// The last message `wa_id` got.
    pub fn last(&self, wa_id: &str) -> Sent {
        self.wa.sent_to(wa_id).pop().expect("a message")
    }
}

/// Talks as a hurried reporter on WhatsApp, tapping the first button (or "no" to an
/// article), until a ticket number comes back.
pub async fn report(desk: &Desk, wa_id: &str, first: &str) -> String {
    drive(desk, wa_id, first, None).await.expect("a ticket number")
}

/// As `report`, stopping instead when the last message offers `stop_at` (`None` then).
pub async fn drive(desk: &Desk, wa_id: &str, first: &str, stop_at: Option<&str>) -> Option<String> {
    desk.say(wa_id, first).await;
    for _ in 0..15 {
        desk.settle(wa_id).await;
        let sent = desk.wa.sent_to(wa_id);
        if let Some(n) = sent.iter().find_map(|s| number_in(&s.text())) {
            return Some(n);
        }
        let last = desk.last(wa_id);
        let ids: Vec<String> = last.buttons().into_iter().map(|(id, _)| id).collect();
        if stop_at.is_some_and(|s| ids.iter().any(|id| id == s)) {
            return None;
        }
        match ids.iter().find(|id| *id == "kb:no").or(ids.first()) {
            Some(id) => desk.tap(wa_id, id).await,
            None if last.text().contains("nama") => desk.say(wa_id, "Budi Santoso").await,
            None if last.text().contains("unit") => desk.say(wa_id, "Bagian Umum Setda").await,
            None => desk.say(wa_id, "tidak tahu").await,
        }
    }
    let texts: Vec<String> = desk
        .wa
        .sent_to(wa_id)
        .iter()
        .map(|s| format!("{} {:?}", s.text(), s.buttons()))
        .collect();
    panic!("no ticket after 15 turns: {texts:#?}");
}

pub fn number_in(text: &str) -> Option<String> {
    let at = text.find("INC-")?;
    text.get(at..at + 13).map(str::to_owned)
}
