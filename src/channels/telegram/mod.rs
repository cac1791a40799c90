//! Telegram: reporters in private chats, technicians in the war-room group.
//!
//! Updates arrive by our own long-polling loop (`poll`) or by webhook (`web`); either way
//! each one is handled in one transaction (`process`) before Telegram is told it arrived.
//! Everything the bot says leaves through the outbox and `workers::sender`.

mod call;
pub mod poll;
pub mod send;
pub mod setup;
mod transport;
pub mod updates;

use crate::config::TelegramSettings;
use crate::desk::{self, DeskOutcome};
use crate::ingest::{self, Env, IngestError};
use crate::store::set_aside::Aside;
use secrecy::ExposeSecret;
use sqlx::PgPool;
use teloxide::Bot;
use teloxide::types::Update;
use updates::Routed;

/// The bot for the configured token and Bot API server; `None` without a token.
///
/// Never log the `Bot` itself: its `Debug` shows the token.
pub fn bot(settings: &TelegramSettings) -> anyhow::Result<Option<Bot>> {
    let Some(token) = &settings.token else {
        return Ok(None);
    };
    let mut bot = Bot::new(token.expose_secret());
    if let Some(url) = &settings.api_url {
        let url = url
            .parse()
            .map_err(|e| anyhow::anyhow!("TELOXIDE_API_URL `{url}` is not a URL: {e}"))?;
        bot = bot.set_api_url(url);
    }
    Ok(Some(bot))
}

/// What became of an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Processed {
    Reporter(ingest::Outcome),
    Desk(DeskOutcome),
    Ignored(&'static str),
}

/// Handles one update, committed when this returns `Ok`; only then may it be acknowledged.
pub async fn process(pool: &PgPool, env: &Env, update: &Update) -> Result<Processed, IngestError> {
    let routed = updates::route(update, env.settings.telegram.war_room_chat);
    let done = match routed.storable() {
        Routed::Ignore(why) => {
            tracing::debug!(update = update.id.0, why, "update ignored");
            return Ok(Processed::Ignored(why));
        }
        Routed::Reporter(m) => Processed::Reporter(ingest::handle(pool, env, &m).await?),
        Routed::Desk { input, fallback } => match desk::handle(pool, env, &input).await? {
            DeskOutcome::NotMine => match fallback {
                Some(m) => Processed::Reporter(ingest::handle(pool, env, &m).await?),
                None => Processed::Desk(DeskOutcome::NotMine),
            },
            other => Processed::Desk(other),
        },
    };
    env.outbox_ready.ring();
    Ok(done)
}

/// Sets aside an update `process` could not store (see `set_aside`); `raw` as it came.
pub async fn set_aside(
    pool: &PgPool,
    env: &Env,
    update: &Update,
    raw: &[u8],
    why: &IngestError,
) -> Result<bool, IngestError> {
    let id = update.id.0.to_string();
    let chat = updates::chat_of(update).map(|c| c.to_string());
    let aside = Aside {
        channel: crate::domain::Channel::Telegram.as_str(),
        external_id: &id,
        chat_id: chat.as_deref(),
        raw,
        reason: &why.to_string(),
    };
    crate::set_aside::set_aside(pool, env, &aside).await
}
