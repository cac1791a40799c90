//! The technicians' side: the war-room card, its buttons, the notes they type, and their
//! commands. Like intake, one transaction per platform update: record it (a repeat is a
//! no-op), check who is acting, change the ticket with a conditional UPDATE, queue the
//! card, the notices and the answers, commit.

mod actions;
pub mod card;
mod escalation;
pub mod notice;
mod priority;

use crate::domain::{About, Channel, Content, Inbound, Status};
use crate::i18n::{Msg, Renderer};
use crate::ingest::{Env, IngestError};
use crate::store::desk::CardTicket;
use crate::store::outbox::{Op, Queued};
use crate::store::{desk, inbound, outbox, technicians};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

pub use card::CardAction;
pub use notice::notify_holder;

/// Something a person did in the war room, or a technician in a private chat.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DeskInput {
    /// The platform's delivery id (Telegram's update id): handled once.
    pub update_id: String,
    pub user_id: i64,
    pub user_name: String,
    pub chat_id: String,
    /// Said in the technicians' group (else in a private chat with the bot).
    pub in_war_room: bool,
    pub received_at: DateTime<Utc>,
    pub kind: DeskKind,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum DeskKind {
    /// A card button: `data` as pressed, never trusted.
    Button {
        query_id: String,
        message_id: String,
        data: String,
    },
    Command {
        name: String,
        arg: Option<String>,
    },
    /// Typed words; `to_bot` when they reply to one of the bot's messages.
    Text {
        text: String,
        to_bot: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeskOutcome {
    Duplicate,
    Handled,
    /// Not for the desk: a reporter's message, to go through intake.
    NotMine,
}

/// Commands only technicians have.
const COMMANDS: [&str; 4] = ["tiket", "antrian", "milik", "prioritas"];
/// A person who is not a technician is told so in the war room at most this often.
const REFUSE_EVERY: std::time::Duration = std::time::Duration::from_secs(600);
/// How many tickets /antrian and /milik list.
const LIST: i64 = 20;

/// Handles one desk input now.
pub async fn handle(pool: &PgPool, env: &Env, input: &DeskInput) -> Result<DeskOutcome, IngestError> {
    let mut tx = pool.begin().await?;
    let tech = technicians::by_telegram(&mut tx, input.user_id).await?;
    let ours = match (&input.kind, &tech) {
        (DeskKind::Button { .. }, _) => true,
        // Words are a note only from a technician who was asked for one; the group's
        // chatter is not stored.
        // In the group only a reply to the bot counts (the ForceReply prompt opens one).
        (DeskKind::Text { to_bot, .. }, Some(t)) if *to_bot || !input.in_war_room => {
            desk::has_prompt(&mut tx, t.id).await?
        }
        (DeskKind::Text { .. }, _) => false,
        _ if input.in_war_room => true,
        (DeskKind::Command { name, .. }, Some(t)) => {
            COMMANDS.contains(&name.as_str()) || (name == "batal" && desk::has_prompt(&mut tx, t.id).await?)
        }
        _ => false,
    };
    if !ours {
        tx.rollback().await?;
        return Ok(DeskOutcome::NotMine);
    }
    if inbound::record(&mut tx, &as_inbound(input)).await?.is_none() {
        tx.rollback().await?;
        return Ok(DeskOutcome::Duplicate);
    }
    let mut out = Out::default();
    let k = env.knowledge.current();
    let war = env
        .locales
        .renderer(&env.settings.language, &k.catalog, env.settings.timezone);
    let mut d = Desk {
        conn: &mut tx,
        env,
        war: &war,
        out: &mut out,
        input,
    };
    match (&input.kind, tech) {
        (DeskKind::Button { query_id, .. }, None) => {
            d.answer(query_id, Some(Msg::new("desk-not-technician")));
        }
        (DeskKind::Button { query_id, data, .. }, Some(t)) => {
            match (CardAction::parse(data), CardAction::parse_team(data)) {
                (Some((ticket, action)), _) => d.button(&t, ticket, action, query_id).await?,
                (None, Some((ticket, team))) => d.hand_to_team(&t, ticket, Some(team), query_id).await?,
                (None, None) => d.answer(query_id, Some(Msg::new("desk-stale-button"))),
            }
        }
        // Said in the group, where every message counts against its 20 a minute: once in a
        // while to the same person, however many commands they send.
        (DeskKind::Command { .. }, None) => {
            if desk::refusal_due(d.conn, input.user_id, input.received_at, REFUSE_EVERY).await? {
                d.say(Msg::new("desk-not-technician"));
            }
        }
        (DeskKind::Command { name, arg }, Some(t)) => d.command(&t, name, arg.as_deref()).await?,
        (DeskKind::Text { .. }, None) => {}
        (DeskKind::Text { text, .. }, Some(t)) => d.note(&t, text).await?,
    }
    for (channel, chat, q) in &out.rows {
        outbox::push_all(&mut tx, channel, chat, None, std::slice::from_ref(q)).await?;
    }
    tx.commit().await?;
    Ok(DeskOutcome::Handled)
}

fn as_inbound(input: &DeskInput) -> Inbound {
    let content = match &input.kind {
        DeskKind::Button { data, .. } => Content::Choice { id: data.clone() },
        DeskKind::Command { name, arg } => Content::Text {
            text: match arg {
                Some(a) => format!("/{name} {a}"),
                None => format!("/{name}"),
            },
        },
        DeskKind::Text { text, .. } => Content::Text { text: text.clone() },
    };
    Inbound {
        channel: Channel::Telegram,
        message_id: input.update_id.clone(),
        chat_id: input.chat_id.clone(),
        sender_id: input.user_id.to_string(),
        sender_name: Some(input.user_name.clone()),
        received_at: input.received_at,
        content,
        pressed: None,
    }
}

/// Messages to queue: (channel, chat, message).
#[derive(Default)]
struct Out {
    rows: Vec<(String, String, Queued)>,
}

/// One desk input being handled.
struct Desk<'a> {
    conn: &'a mut PgConnection,
    env: &'a Env,
    /// The war room's language.
    war: &'a Renderer<'a>,
    out: &'a mut Out,
    input: &'a DeskInput,
}

impl Desk<'_> {
    fn telegram(&mut self, chat: &str, q: Queued) {
        self.out
            .rows
            .push((Channel::Telegram.as_str().to_owned(), chat.to_owned(), q));
    }

    /// Answers a button press; with a text, as an alert the presser must dismiss.
    fn answer(&mut self, query_id: &str, alert: Option<Msg>) {
        let text = alert.map(|m| self.war.render(&m)).unwrap_or_default();
        let chat = self.input.chat_id.clone();
        self.telegram(
            &chat,
            Queued {
                message: crate::domain::Outbound::text(text),
                ticket_id: None,
                op: Op::Answer {
                    query_id: query_id.to_owned(),
                },
            },
        );
    }

    /// A message to the chat the input came from.
    fn say(&mut self, msg: Msg) {
        let text = self.war.render(&msg);
        let chat = self.input.chat_id.clone();
        self.telegram(&chat, Queued::send(crate::domain::Outbound::text(text), None));
    }

    /// The card's new state for the war room (the sender posts or edits it).
    async fn refresh_card(&mut self, ticket_id: i64) -> Result<(), IngestError> {
        let Some(room) = self.env.settings.telegram.war_room_chat else {
            return Ok(());
        };
        if let Some(t) = desk::card_ticket(self.conn, ticket_id).await? {
            let message = card::render(&t, self.war);
            self.telegram(
                &room.to_string(),
                Queued {
                    message,
                    ticket_id: Some(ticket_id),
                    op: Op::Card,
                },
            );
        }
        Ok(())
    }

    /// Tells the reporter, in their own chat and language, that the ticket is now `status`.
    fn tell_reporter(&mut self, t: &CardTicket, status: Status, msg: Msg) {
        self.tell_reporter_reply(t, crate::intake::Reply::text(msg), Some(status));
    }

    /// In the reporter's language, with buttons when the reply has choices; `status`, when
    /// the message tells of a new one, is also given as the message's gist.
    fn tell_reporter_reply(&mut self, t: &CardTicket, reply: crate::intake::Reply, status: Option<Status>) {
        let k = self.env.knowledge.current();
        let r = self
            .env
            .locales
            .renderer(&t.reporter_locale, &k.catalog, self.env.settings.timezone);
        let mut message = crate::ingest::render(&r, &reply);
        if let Some(s) = status {
            message.about = Some(status_about(&r, &t.number, s));
        }
        self.out
            .rows
            .push((t.channel.clone(), t.chat_id.clone(), Queued::send(message, Some(t.id))));
    }
}

/// Queues a new ticket's card for the war room, in the transaction that created it.
pub async fn announce(conn: &mut PgConnection, env: &Env, ticket_id: i64) -> Result<(), IngestError> {
    let Some(room) = env.settings.telegram.war_room_chat else {
        return Ok(());
    };
    let Some(t) = desk::card_ticket(conn, ticket_id).await? else {
        return Ok(());
    };
    let k = env.knowledge.current();
    let war = env
        .locales
        .renderer(&env.settings.language, &k.catalog, env.settings.timezone);
    let q = Queued {
        message: card::render(&t, &war),
        ticket_id: Some(ticket_id),
        op: Op::Card,
    };
    outbox::push_all(conn, Channel::Telegram.as_str(), &room.to_string(), None, &[q]).await?;
    Ok(())
}

/// A message's gist when it tells the reporter of a ticket's new status: what a
/// platform's pre-approved status form is filled with.
pub fn status_about(r: &Renderer, number: &str, status: Status) -> About {
    About::Status {
        number: number.to_owned(),
        status: r.render(&Msg::new("status").arg("status", status.as_str())),
    }
}
