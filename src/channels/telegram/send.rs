//! Delivering one outbox row with the Bot API, and reading Telegram's answer into what the
//! sender must do next.

use super::call::call;
pub use crate::channels::Delivery;
use crate::channels::text::{clip, split};
use crate::domain::{Mention, OutChoice, Outbound};
use crate::store::outbox::{Due, Op};
use teloxide::payloads::{AnswerCallbackQuery, EditMessageText, SendMessage};
use teloxide::types::{
    CallbackQueryId, ChatId, ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity, MessageId,
    ReplyMarkup, ReplyParameters, UserId,
};
use teloxide::{ApiError, Bot, RequestError};

/// Telegram's limit on a message's text, in characters.
pub const TEXT_MAX: usize = 4096;

/// Sends one row, or its next part when its text is longer than a message. `card` is the
/// card's message id when `op` is `Card` and it was posted.
pub async fn deliver(bot: &Bot, row: &Due, card: Option<&str>) -> Delivery {
    let (chat_id, op, message) = (row.chat_id.as_str(), &row.op, &row.message);
    let part = usize::try_from(row.parts_sent).unwrap_or(0);
    let Ok(chat) = chat_id.parse::<i64>().map(ChatId) else {
        return Delivery::Rejected(format!("not a Telegram chat id: {chat_id}"));
    };
    let whole = |id| (id, false);
    let result = match op {
        Op::Answer { query_id } => answer(bot, query_id, &message.text).await.map(|()| (None, false)),
        Op::Edit { message_id } => edit(bot, chat, message_id, message).await.map(whole),
        Op::Card => match card {
            Some(id) => edit(bot, chat, id, message).await.map(whole),
            None => send(bot, chat, message, None, part).await,
        },
        Op::Send { reply_to } => send(bot, chat, message, reply_to.as_deref(), part).await,
        Op::Template => send(bot, chat, message, None, part).await,
    };
    match result {
        Ok((Some(id), true)) => Delivery::Part(id),
        Ok((id, _)) => Delivery::Sent(id),
        Err(e) => classify(e),
    }
}

async fn answer(bot: &Bot, query_id: &str, text: &str) -> Result<(), RequestError> {
    let mut req = AnswerCallbackQuery::new(CallbackQueryId(query_id.to_owned()));
    if !text.is_empty() {
        req.text = Some(clip(text, 200));
        req.show_alert = Some(true);
    }
    call(bot, &req).await.map(|_| ())
}

async fn edit(bot: &Bot, chat: ChatId, message_id: &str, m: &Outbound) -> Result<Option<String>, RequestError> {
    let Ok(id) = message_id.parse::<i32>().map(MessageId) else {
        return Ok(None);
    };
    let mut req = EditMessageText::new(chat, id, clip(&m.text, TEXT_MAX));
    if !m.choices.is_empty() {
        req.reply_markup = Some(keyboard(&m.choices));
    }
    match call(bot, &req).await {
        Ok(sent) => Ok(Some(sent.id.0.to_string())),
        // Already showing exactly this: the edit's purpose is met.
        Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(Some(message_id.to_owned())),
        Err(e) => Err(e),
    }
}

/// Sends part `i` of the message (one part per call, each committed before the next, so a
/// refusal halfway never repeats a part); its id, and whether parts remain.
async fn send(
    bot: &Bot,
    chat: ChatId,
    m: &Outbound,
    reply_to: Option<&str>,
    i: usize,
) -> Result<(Option<String>, bool), RequestError> {
    let parts = split(&m.text, TEXT_MAX);
    let last = parts.len() - 1;
    let Some(part) = parts.get(i) else {
        return Ok((None, false));
    };
    let mut req = SendMessage::new(chat, part.clone());
    if i == 0 {
        if let Some(r) = reply_to.and_then(|r| r.parse::<i32>().ok()) {
            req.reply_parameters = Some(ReplyParameters::new(MessageId(r)).allow_sending_without_reply());
        }
    }
    let entities = mentions(part, &m.mentions);
    if !entities.is_empty() {
        req.entities = Some(entities);
    }
    if i == last {
        if !m.choices.is_empty() {
            req.reply_markup = Some(keyboard(&m.choices).into());
        } else if m.expects_reply {
            req.reply_markup = Some(ReplyMarkup::ForceReply(ForceReply::new().selective()));
        }
    }
    Ok((Some(call(bot, &req).await?.id.0.to_string()), i < last))
}

/// Links the first occurrence of each mentioned name in `text` to the person (Telegram
/// counts entity offsets in UTF-16 code units).
fn mentions(text: &str, people: &[Mention]) -> Vec<MessageEntity> {
    people
        .iter()
        .filter(|p| !p.name.is_empty())
        .filter_map(|p| {
            let at = text.find(&p.name)?;
            let offset = text[..at].encode_utf16().count();
            let length = p.name.encode_utf16().count();
            Some(MessageEntity::text_mention_id(
                UserId(u64::try_from(p.user_id).ok()?),
                offset,
                length,
            ))
        })
        .collect()
}

/// Buttons two to a row when their labels are short, else one per row.
fn keyboard(choices: &[OutChoice]) -> InlineKeyboardMarkup {
    let button = |c: &OutChoice| InlineKeyboardButton::callback(c.label.clone(), c.id.clone());
    let short = choices.iter().all(|c| c.label.chars().count() <= 16);
    let rows: Vec<Vec<InlineKeyboardButton>> = if short {
        choices.chunks(2).map(|r| r.iter().map(button).collect()).collect()
    } else {
        choices.iter().map(|c| vec![button(c)]).collect()
    };
    InlineKeyboardMarkup::new(rows)
}

fn classify(e: RequestError) -> Delivery {
    match e {
        RequestError::RetryAfter(s) => Delivery::RetryAfter(s.duration()),
        RequestError::Api(
            api @ (ApiError::BotBlocked
            | ApiError::UserDeactivated
            | ApiError::BotKicked
            | ApiError::BotKickedFromSupergroup
            | ApiError::ChatNotFound),
        ) => Delivery::Unreachable(api.to_string()),
        RequestError::Api(ApiError::Unknown(d)) if !is_client_error(&d) => Delivery::Failed(d),
        RequestError::Api(api) => Delivery::Rejected(api.to_string()),
        RequestError::MigrateToChatId(to) => Delivery::Rejected(format!(
            "the group moved to chat {}: update the configured chat id",
            to.0
        )),
        // teloxide strips the URL (and so the token) from network errors.
        other => Delivery::Failed(other.to_string()),
    }
}

/// Telegram's 4xx descriptions start with the status' name; anything else (a 5xx, a
/// proxy's page) is worth another try.
fn is_client_error(description: &str) -> bool {
    ["Bad Request", "Forbidden", "Unauthorized", "Not Found", "Conflict"]
        .iter()
        .any(|p| description.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mention_links_the_first_occurrence_counted_in_utf16() {
        let andi = Mention {
            user_id: 501,
            name: "Andi".into(),
        };
        // ⏰ is one UTF-16 unit, 🔴 two.
        let e = mentions("⏰🔴 INC-1: Andi, mohon. Andi!", std::slice::from_ref(&andi));
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].offset, e[0].length), (11, 4));
        assert!(
            matches!(&e[0].kind, teloxide::types::MessageEntityKind::TextLink { url } if url.as_str() == "tg://user/?id=501"),
            "{e:?}"
        );
        assert!(mentions("tidak disebut", &[andi]).is_empty());
    }

    #[test]
    fn errors_sort_into_retry_stop_and_give_up() {
        assert_eq!(
            classify(RequestError::Api(ApiError::BotBlocked)),
            Delivery::Unreachable("Forbidden: bot was blocked by the user".into())
        );
        assert!(matches!(
            classify(RequestError::Api(ApiError::Unknown("Internal Server Error".into()))),
            Delivery::Failed(_)
        ));
        assert!(matches!(
            classify(RequestError::Api(ApiError::Unknown(
                "Bad Request: something new".into()
            ))),
            Delivery::Rejected(_)
        ));
    }
}
