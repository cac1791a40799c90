//! Notices about a ticket in the war room: a reply to its card that names (and notifies)
//! the technician holding it, or asks for someone to take it.

use crate::domain::teams::TeamSettings;
use crate::domain::{Channel, Mention, Outbound};
use crate::i18n::{Msg, Renderer};
use crate::ingest::Env;
use crate::store::StoreError;
use crate::store::outbox::{self, Op, Queued};
use crate::store::sla::{self, Watched};
use sqlx::PgConnection;

/// `head`, then a line for the holder (mentioned) or for the team when nobody holds it.
pub fn with_holder(r: &Renderer, teams: &TeamSettings, head: String, t: &Watched) -> Outbound {
    let mut message = Outbound::text(String::new());
    let line = match &t.assignee {
        Some(name) => {
            if let Some(user_id) = t.assignee_telegram {
                message.mentions.push(Mention {
                    user_id,
                    name: name.clone(),
                });
            }
            r.render(&Msg::new("sla-holder").arg("name", name.clone()))
        }
        None => {
            let team = t.team.as_deref().and_then(|k| teams.team(k)).or(teams.first());
            let name = team.map_or_else(|| "-".to_owned(), |t| t.name.clone());
            r.render(&Msg::new("sla-unclaimed").arg("team", name))
        }
    };
    message.text = format!("{head}\n{line}");
    message
}

/// Queues `message` for the war room, as a reply to the card when it is there, so the
/// ticket's thread stays together.
pub async fn reply_to_card(
    conn: &mut PgConnection,
    room: &str,
    t: &Watched,
    message: Outbound,
) -> Result<(), StoreError> {
    let reply_to = t
        .card_message_id
        .clone()
        .filter(|_| t.card_chat_id.as_deref() == Some(room));
    let q = Queued {
        message,
        ticket_id: Some(t.id),
        op: Op::Send { reply_to },
    };
    outbox::push_all(conn, Channel::Telegram.as_str(), room, None, &[q]).await
}

/// Tells the war room `msg` about the ticket, naming its holder.
pub async fn notify_holder(conn: &mut PgConnection, env: &Env, ticket_id: i64, msg: Msg) -> Result<(), StoreError> {
    let Some(room) = env.settings.telegram.war_room_chat.map(|c| c.to_string()) else {
        return Ok(());
    };
    let Some(t) = sla::watched(conn, &[ticket_id]).await?.pop() else {
        return Ok(());
    };
    let k = env.knowledge.current();
    let r = env
        .locales
        .renderer(&env.settings.language, &k.catalog, env.settings.timezone);
    let message = with_holder(&r, &env.settings.teams, r.render(&msg), &t);
    reply_to_card(conn, &room, &t, message).await
}
