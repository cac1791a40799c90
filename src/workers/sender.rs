//! The outbox sender for Telegram: claims due rows, sends them within Telegram's limits,
//! and records what became of each: sent, retried later, or dead with the reason.
//!
//! Retry timing lives in memory (tokio time), not in the rows: a restarted sender simply
//! tries again at once, and the limits it keeps are its own.

use super::limits::{Limiter, Limits};
use crate::channels::telegram::send::{Delivery, deliver};
use crate::store::outbox::{self, Due, Op};
use crate::store::{StoreError, desk, reporters};
use sqlx::PgPool;
use sqlx::pool::PoolConnection;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use teloxide::Bot;
use tokio::sync::Notify;
use tokio::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const CHANNEL: &str = "telegram";
/// Rows read per round.
const BATCH: i64 = 200;
/// Rows written by other processes are seen within this long.
const POLL: Duration = Duration::from_secs(1);
/// A sender that does not hold the budget asks again this often.
const FOLLOWER_POLL: Duration = Duration::from_secs(5);
/// After this many failed tries (Telegram down, network gone) a row is given up.
const MAX_ATTEMPTS: i32 = 12;

/// Backoff after the n-th failure: 1 s, 2 s, 4 s … at most 5 minutes.
fn backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 9) - 1).unwrap_or(0);
    Duration::from_secs(1 << exp).min(Duration::from_secs(300))
}

pub struct Sender {
    pool: PgPool,
    bot: Bot,
    limiter: Limiter,
    /// Row id → not before.
    retry_at: HashMap<i64, Instant>,
    wake: Arc<Notify>,
}

impl Sender {
    pub fn new(pool: PgPool, bot: Bot, wake: Arc<Notify>) -> Sender {
        Sender {
            pool,
            bot,
            limiter: Limiter::new(Limits::TELEGRAM),
            retry_at: HashMap::new(),
            wake,
        }
    }

    /// Runs until `stop`; only while this process holds the budget does it send.
    pub async fn run(mut self, stop: CancellationToken) -> Result<(), StoreError> {
        while !stop.is_cancelled() {
            let Some(mut lead) = self.lead(&stop).await? else { break };
            tracing::info!("outbox sender for Telegram running");
            let result = self.send_until(&stop).await;
            let _ = outbox::step_down(&mut lead, CHANNEL).await;
            if let Err(e) = result {
                tracing::error!(error = %e, "outbox sender stopped on a database error; starting again");
                tokio::select! {
                    () = tokio::time::sleep(FOLLOWER_POLL) => {}
                    () = stop.cancelled() => {}
                }
            }
        }
        Ok(())
    }

    /// Waits until this process holds the budget; `None` when stopped first.
    async fn lead(&self, stop: &CancellationToken) -> Result<Option<PoolConnection<sqlx::Postgres>>, StoreError> {
        loop {
            let mut conn = self.pool.acquire().await?;
            if outbox::try_lead(&mut conn, CHANNEL).await? {
                return Ok(Some(conn));
            }
            drop(conn);
            tokio::select! {
                () = tokio::time::sleep(FOLLOWER_POLL) => {}
                () = stop.cancelled() => return Ok(None),
            }
        }
    }

    async fn send_until(&mut self, stop: &CancellationToken) -> Result<(), StoreError> {
        while !stop.is_cancelled() {
            let next = self.round(stop).await?;
            let at = next.unwrap_or_else(|| Instant::now() + POLL).min(Instant::now() + POLL);
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep_until(at) => {}
                () = stop.cancelled() => {}
            }
            self.limiter.tidy(Instant::now());
        }
        Ok(())
    }

    /// Sends what may go now; returns when the next held row may go.
    async fn round(&mut self, stop: &CancellationToken) -> Result<Option<Instant>, StoreError> {
        let rows = outbox::due(&mut *self.pool.acquire().await?, CHANNEL, BATCH).await?;
        // A chat with a row that must wait keeps its later rows waiting too: order holds.
        let mut held: HashSet<String> = HashSet::new();
        let mut next: Option<Instant> = None;
        let mut hold = |held: &mut HashSet<String>, chat: &str, at: Instant| {
            held.insert(chat.to_owned());
            next = Some(next.map_or(at, |n| n.min(at)));
        };
        for row in rows {
            if stop.is_cancelled() {
                break;
            }
            // Answers to button presses are not messages: no chat order, no budget.
            let answer = matches!(row.op, Op::Answer { .. });
            if !answer && held.contains(&row.chat_id) {
                continue;
            }
            let now = Instant::now();
            if let Some(at) = self.retry_at.get(&row.id).copied().filter(|at| *at > now) {
                hold(&mut held, &row.chat_id, at);
                continue;
            }
            if !answer {
                if let Err(at) = self.limiter.check(&row.chat_id, now) {
                    hold(&mut held, &row.chat_id, at);
                    continue;
                }
            }
            if let Some(at) = self.send_row(&row).await? {
                hold(&mut held, &row.chat_id, at);
            }
        }
        Ok(next)
    }

    /// Sends one row in its own transaction; `Some(when)` if it must be tried again later.
    async fn send_row(&mut self, row: &Due) -> Result<Option<Instant>, StoreError> {
        let mut tx = self.pool.begin().await?;
        if !outbox::lock(&mut tx, row.id).await? {
            return Ok(None);
        }
        let mut card = None;
        if let (Op::Card, Some(ticket)) = (&row.op, row.ticket_id) {
            if outbox::latest_card(&mut tx, ticket).await? != Some(row.id) {
                outbox::delivered(&mut tx, row.id, None, Some("superseded by a newer card")).await?;
                tx.commit().await?;
                return Ok(None);
            }
            card = desk::card_message(&mut tx, ticket, &row.chat_id).await?;
        }
        let delivery = deliver(&self.bot, &row.chat_id, &row.op, &row.message, card.as_deref()).await;
        // Counted from the answer, not the request: Telegram saw the request somewhere in
        // between, and a later send must not look early to it.
        let now = Instant::now();
        if !matches!(row.op, Op::Answer { .. }) {
            self.limiter.record(&row.chat_id, now);
        }
        let mut again = None;
        match delivery {
            Delivery::Sent(id) => {
                outbox::delivered(&mut tx, row.id, id.as_deref(), None).await?;
                if let (Op::Card, Some(ticket), None, Some(id)) = (&row.op, row.ticket_id, &card, &id) {
                    desk::set_card(&mut tx, ticket, &row.chat_id, id).await?;
                }
                self.retry_at.remove(&row.id);
            }
            Delivery::RetryAfter(wait) => {
                tracing::warn!(chat = %row.chat_id, seconds = wait.as_secs(), "Telegram asked to slow down");
                self.limiter.pause(&row.chat_id, now + wait);
                outbox::failed_attempt(&mut tx, row.id, "429: retry after").await?;
                again = Some(now + wait);
            }
            Delivery::Unreachable(reason) if !row.chat_id.starts_with('-') => {
                let n = outbox::dead_chat(&mut tx, CHANNEL, &row.chat_id, &reason).await?;
                reporters::mark_unreachable(&mut tx, CHANNEL, &row.chat_id).await?;
                tracing::warn!(
                    reason,
                    dropped = n,
                    "reporter unreachable on Telegram; their messages are kept, unsent"
                );
            }
            Delivery::Unreachable(reason) | Delivery::Rejected(reason) => {
                // A message Telegram will never take: keep it, with why, for a person to see.
                tracing::warn!(outbox = row.id, chat = %row.chat_id, reason, "message refused by Telegram; dead-lettered");
                outbox::dead(&mut tx, row.id, &reason).await?;
            }
            Delivery::Failed(reason) => {
                let attempts = row.attempts + 1;
                if attempts >= MAX_ATTEMPTS {
                    tracing::error!(outbox = row.id, attempts, reason, "giving up on a message");
                    outbox::dead(&mut tx, row.id, &reason).await?;
                } else {
                    tracing::warn!(outbox = row.id, attempts, reason, "sending failed; will retry");
                    outbox::failed_attempt(&mut tx, row.id, &reason).await?;
                    let at = now + backoff(attempts);
                    self.retry_at.insert(row.id, at);
                    again = Some(at);
                }
            }
        }
        tx.commit().await?;
        Ok(again)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stops_growing() {
        assert_eq!(backoff(1), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(4));
        assert_eq!(backoff(50), Duration::from_secs(256));
    }
}
