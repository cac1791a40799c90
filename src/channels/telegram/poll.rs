//! Long polling with our own loop: the offset moves past an update only after the update's
//! transaction committed, or after the update was set aside because no retry would store
//! it. Telegram keeps what we have not confirmed and sends it again after a crash; the
//! update id makes the repeat a no-op.

use super::{process, set_aside};
use crate::ingest::Env;
use sqlx::PgPool;
use teloxide::payloads::GetUpdatesSetters;
use teloxide::prelude::Requester;
use teloxide::types::{AllowedUpdate, Update};
use teloxide::{Bot, RequestError};
use tokio::time::Duration;
use tokio_util::sync::CancellationToken;

/// Seconds Telegram holds a getUpdates open when there is nothing new.
const LONG_POLL: u32 = 25;
/// How much longer than the long poll the HTTP client waits for its answer: an empty poll
/// ends normally, never as a timeout counted as a failure.
const POLL_MARGIN: Duration = Duration::from_secs(15);
/// Updates per getUpdates.
const BATCH: u8 = 100;
/// Tries of an update that fails for a passing reason (the database unreachable, a
/// conflict) before it is set aside anyway, if the database will take it: about four
/// minutes of 1, 2, 4 … 30 s.
const GIVE_UP: u32 = 12;

/// The same bot with an HTTP client that outwaits the long poll. teloxide's default client
/// gives up after 17 s, so a 25 s poll on a quiet bot would always end as an error.
pub fn long_polling(bot: &Bot) -> reqwest::Result<Bot> {
    long_polling_with(bot, teloxide::net::default_reqwest_settings())
}

/// As `long_polling`, on a client built from `client` (a test's, without periodic timers).
pub fn long_polling_with(bot: &Bot, client: reqwest::ClientBuilder) -> reqwest::Result<Bot> {
    let client = client
        .timeout(Duration::from_secs(LONG_POLL.into()) + POLL_MARGIN)
        .build()?;
    Ok(Bot::with_client(bot.token(), client).set_api_url(bot.api_url()))
}

/// Polls with `bot` as given: `long_polling` makes one fit for it.
pub async fn run(pool: PgPool, env: Env, bot: Bot, stop: CancellationToken) {
    let mut offset: i32 = 0;
    let mut failures = 0u32;
    tracing::info!("polling Telegram for updates");
    while !stop.is_cancelled() {
        let request = bot
            .get_updates()
            .offset(offset)
            .timeout(LONG_POLL)
            .limit(BATCH)
            .allowed_updates([AllowedUpdate::Message, AllowedUpdate::CallbackQuery]);
        let updates = tokio::select! {
            r = request => r,
            () = stop.cancelled() => break,
        };
        let updates = match updates {
            Ok(u) => {
                failures = 0;
                u
            }
            Err(RequestError::RetryAfter(s)) => {
                pause(s.duration(), &stop).await;
                continue;
            }
            Err(e) => {
                failures += 1;
                tracing::warn!(error = %e, failures, "getUpdates failed; trying again");
                pause(retry_wait(failures), &stop).await;
                continue;
            }
        };
        for update in updates {
            if !settle(&pool, &env, &update, &stop).await {
                return;
            }
            offset = i32::try_from(update.id.0).unwrap_or(i32::MAX).saturating_add(1);
        }
    }
}

/// Handles one update until it is stored or set aside; `false` when stopped first. A
/// database that is down loses nothing: the same update is tried until it answers.
async fn settle(pool: &PgPool, env: &Env, update: &Update, stop: &CancellationToken) -> bool {
    let mut attempt = 0u32;
    loop {
        let failed = match process(pool, env, update).await {
            Ok(_) => return true,
            Err(e) => e,
        };
        attempt += 1;
        if !failed.is_retryable() || attempt >= GIVE_UP {
            let raw = serde_json::to_vec(update).unwrap_or_default();
            match set_aside(pool, env, update, &raw, &failed).await {
                Ok(_) => return true,
                Err(e) => {
                    tracing::error!(update = update.id.0, attempt, error = %e, "update not set aside; trying again")
                }
            }
        } else {
            tracing::error!(update = update.id.0, attempt, error = %failed, "update not stored; trying again");
        }
        pause(retry_wait(attempt), stop).await;
        if stop.is_cancelled() {
            return false;
        }
    }
}

/// 1 s, 2 s, 4 s … at most 30 s.
fn retry_wait(failures: u32) -> Duration {
    Duration::from_secs(1 << failures.clamp(1, 6).saturating_sub(1)).min(Duration::from_secs(30))
}

async fn pause(d: Duration, stop: &CancellationToken) {
    tokio::select! {
        () = tokio::time::sleep(d) => {}
        () = stop.cancelled() => {}
    }
}
