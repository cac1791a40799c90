//! The SLA worker's notices of one tick, per chat. A few go one by one, as replies to each
//! ticket's card; more become one digest message: a group takes 20 messages a minute, and a
//! busy desk, or a restart after downtime, would otherwise flood it for hours.

use crate::desk::notice;
use crate::domain::{Channel, Outbound};
use crate::i18n::{Msg, Renderer};
use crate::store::StoreError;
use crate::store::outbox::{self, Queued};
use crate::store::sla::Watched;
use sqlx::PgConnection;
use std::collections::BTreeMap;

/// Up to this many notices to a chat in a tick go one by one.
const ONE_BY_ONE: usize = 3;

struct Notice {
    ticket: Watched,
    /// As sent alone, under the card.
    full: Outbound,
    /// One line in a digest.
    brief: String,
}

#[derive(Default)]
pub struct Digest {
    by_chat: BTreeMap<String, Vec<Notice>>,
}

impl Digest {
    pub fn add(&mut self, chat: &str, ticket: &Watched, full: Outbound, brief: String) {
        self.by_chat.entry(chat.to_owned()).or_default().push(Notice {
            ticket: ticket.clone(),
            full,
            brief,
        });
    }

    /// Queues the notices; returns how many messages that took.
    pub async fn flush(self, conn: &mut PgConnection, r: &Renderer<'_>) -> Result<usize, StoreError> {
        let mut messages = 0;
        for (chat, notices) in self.by_chat {
            if notices.len() <= ONE_BY_ONE {
                for n in notices {
                    notice::reply_to_card(conn, &chat, &n.ticket, n.full).await?;
                    messages += 1;
                }
                continue;
            }
            let head = r.render(&Msg::new("sla-digest").arg("count", notices.len() as i64));
            let lines: Vec<&str> = notices.iter().map(|n| n.brief.as_str()).collect();
            let mut message = Outbound::text(format!("{head}\n{}", lines.join("\n")));
            for n in &notices {
                for m in &n.full.mentions {
                    if !message.mentions.contains(m) {
                        message.mentions.push(m.clone());
                    }
                }
            }
            // Long digests are split at line ends by the sender.
            outbox::push_all(
                conn,
                Channel::Telegram.as_str(),
                &chat,
                None,
                &[Queued::send(message, None)],
            )
            .await?;
            messages += 1;
        }
        Ok(messages)
    }
}
