//! The Telegram side of the outbox sender: Telegram's limits, the war-room card posted once
//! and edited in place after, and a blocked private chat told apart from a group.

use super::send::deliver;
use crate::channels::Delivery;
use crate::store::outbox::{self, Due, Op};
use crate::store::{StoreError, desk};
use crate::workers::limits::Limits;
use crate::workers::sender::Transport;
use sqlx::PgConnection;
use teloxide::Bot;

impl Transport for Bot {
    fn channel(&self) -> &'static str {
        "telegram"
    }

    fn limits(&self) -> Limits {
        Limits::TELEGRAM
    }

    fn shown(&self, chat_id: &str) -> String {
        chat_id.to_owned()
    }

    async fn deliver(&self, tx: &mut PgConnection, row: &Due) -> Result<Delivery, StoreError> {
        let mut card = None;
        if let (Op::Card, Some(ticket)) = (&row.op, row.ticket_id) {
            if outbox::latest_card(tx, ticket).await? != Some(row.id) {
                return Ok(Delivery::Skipped("superseded by a newer card".into()));
            }
            card = desk::card_message(tx, ticket, &row.chat_id).await?;
        }
        let delivery = deliver(self, row, card.as_deref()).await;
        match &delivery {
            Delivery::Sent(Some(id)) if card.is_none() => {
                if let (Op::Card, Some(ticket)) = (&row.op, row.ticket_id) {
                    desk::set_card(tx, ticket, &row.chat_id, id).await?;
                }
            }
            // A group that removed the bot is a configuration problem, not a person gone.
            Delivery::Unreachable(reason) if row.chat_id.starts_with('-') => {
                return Ok(Delivery::Rejected(reason.clone()));
            }
            _ => {}
        }
        Ok(delivery)
    }
}
