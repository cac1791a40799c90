//! Long polling with our own loop: the offset moves past an update only after the update's
//! transaction committed. Telegram keeps what we have not confirmed and sends it again after
//! a crash; the update id makes the repeat a no-op.

use super::process;
use crate::ingest::Env;
use sqlx::PgPool;
use teloxide::payloads::GetUpdatesSetters;
use teloxide::prelude::Requester;
use teloxide::types::AllowedUpdate;
use teloxide::{Bot, RequestError};
use tokio::time::Duration;
use tokio_util::sync::CancellationToken;

/// Seconds Telegram holds a getUpdates open when there is nothing new.
const LONG_POLL: u32 = 25;
/// Updates per getUpdates.
const BATCH: u8 = 100;

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
            // The same update until it is stored: a database that is down loses nothing.
            let mut attempt = 0u32;
            loop {
                match process(&pool, &env, &update).await {
                    Ok(_) => break,
                    Err(e) => {
                        attempt += 1;
                        tracing::error!(update = update.id.0, attempt, error = %e, "update not stored; trying again");
                        pause(retry_wait(attempt), &stop).await;
                        if stop.is_cancelled() {
                            return;
                        }
                    }
                }
            }
            offset = i32::try_from(update.id.0).unwrap_or(i32::MAX).saturating_add(1);
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
