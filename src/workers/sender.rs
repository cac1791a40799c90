//! The outbox sender, one per channel: claims due rows, sends them within the platform's
//! limits, and records what became of each: sent, retried later, or dead with the reason.
//! What differs between platforms (the wire, the limits, what a refusal means) is the
//! channel's `Transport`.
//!
//! Rows are read per chat, every chat's first before any chat's second, and a chat that
//! must wait (for its limit, as the war room's 20 a minute, or for a retry) is left out of
//! the read until it may go: a backlog of one chat never fills the batch ahead of the
//! others. The platform-wide budget goes round the chats, the least lately served first.
//! Every send is on record in the outbox before the call, so the sender that takes the
//! budget after a restart or from another replica starts from the windows the one before
//! it was keeping, the call it was killed in included.
//!
//! Retry timing after a failure lives in memory (tokio time), not in the rows: a restarted
//! sender simply tries again at once.
//!
//! One row at a time: a send is quick (a transport never sleeps on a refusal, it says when
//! to try again), and nothing else runs while a send is out, so under tokio's paused clock
//! the tests see exactly the moments a real run would.

use super::bell::Bell;
use super::limits::{Limiter, Limits};
use crate::channels::Delivery;
use crate::store::outbox::{self, Due, Op};
use crate::store::{StoreError, reporters};
use sqlx::pool::PoolConnection;
use sqlx::{Connection, PgConnection, PgPool};
use std::collections::HashMap;
use std::future::Future;
use tokio::sync::watch;
use tokio::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Rows read per round.
const BATCH: i64 = 200;
/// Rows of one chat read per round: a reply and its follow-ups.
const PER_CHAT: i64 = 10;
/// How often the record of past sends is trimmed.
const TRIM_EVERY: Duration = Duration::from_secs(60);
/// Rows written by other processes are seen within this long.
const POLL: Duration = Duration::from_secs(1);
/// A sender that does not hold the budget asks again this often.
const FOLLOWER_POLL: Duration = Duration::from_secs(5);
/// After this many failed tries (the platform down, network gone) a row is given up.
const MAX_ATTEMPTS: i32 = 12;

/// Backoff after the n-th failure: 1 s, 2 s, 4 s … at most 5 minutes.
pub fn backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 9) - 1).unwrap_or(0);
    Duration::from_secs(1 << exp).min(Duration::from_secs(300))
}

/// One platform's way of sending an outbox row.
pub trait Transport: Send + Sync + 'static {
    /// The channel whose rows this sends (`outbox.channel`).
    fn channel(&self) -> &'static str;
    /// The platform's limits, kept by the sender so that it never meets a refusal for speed
    /// in normal running.
    fn limits(&self) -> Limits;
    /// How a chat is named in logs: phone numbers are personal data.
    fn shown(&self, chat_id: &str) -> String;
    /// Sends one row, locked in `tx`; may read and write in that transaction.
    fn deliver(&self, tx: &mut PgConnection, row: &Due) -> impl Future<Output = Result<Delivery, StoreError>> + Send;
}

pub struct Sender<T: Transport> {
    pool: PgPool,
    transport: T,
    limiter: Limiter,
    /// Row id → not before.
    retry_at: HashMap<i64, Instant>,
    /// Chats whose messages must wait, until when: left out of the next reads.
    held: HashMap<String, Instant>,
    wake: watch::Receiver<u64>,
    /// Held so the bell never closes under the listener.
    _bell: Bell,
}

impl<T: Transport> Sender<T> {
    pub fn new(pool: PgPool, transport: T, bell: &Bell) -> Sender<T> {
        Sender {
            pool,
            limiter: Limiter::new(transport.limits()),
            transport,
            retry_at: HashMap::new(),
            held: HashMap::new(),
            wake: bell.listen(),
            _bell: bell.clone(),
        }
    }

    /// Runs until `stop`; only while this process holds the budget does it send.
    pub async fn run(mut self, stop: CancellationToken) -> Result<(), StoreError> {
        let channel = self.transport.channel();
        while !stop.is_cancelled() {
            let Some(mut lead) = self.lead(&stop).await? else { break };
            let result = match self.seed(&mut lead).await {
                Ok(()) => {
                    tracing::info!(channel, "outbox sender running");
                    self.send_until(&stop).await
                }
                Err(e) => Err(e),
            };
            let _ = outbox::step_down(&mut lead, channel).await;
            if let Err(e) = result {
                tracing::error!(channel, error = %e, "outbox sender stopped on a database error; starting again");
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
            if outbox::try_lead(&mut conn, self.transport.channel()).await? {
                return Ok(Some(conn));
            }
            drop(conn);
            tokio::select! {
                () = tokio::time::sleep(FOLLOWER_POLL) => {}
                () = stop.cancelled() => return Ok(None),
            }
        }
    }

    /// Starts the limits from the sends the outbox recorded in the last window, whoever
    /// made them: a process killed a moment ago, or a replica that lost the budget.
    async fn seed(&mut self, conn: &mut PgConnection) -> Result<(), StoreError> {
        let limits = self.transport.limits();
        let sent = outbox::recent_sends(conn, self.transport.channel(), limits.longest()).await?;
        tracing::debug!(sends = sent.len(), "limits seeded from the outbox");
        self.limiter = Limiter::seeded(limits, Instant::now(), &sent);
        Ok(())
    }

    async fn send_until(&mut self, stop: &CancellationToken) -> Result<(), StoreError> {
        let mut trimmed = Instant::now();
        while !stop.is_cancelled() {
            if trimmed.elapsed() >= TRIM_EVERY {
                trimmed = Instant::now();
                let keep = self.transport.limits().longest() * 2;
                outbox::forget_sends(&mut *self.pool.acquire().await?, self.transport.channel(), keep).await?;
            }
            let next = self.round(stop).await?;
            let at = next.unwrap_or_else(|| Instant::now() + POLL).min(Instant::now() + POLL);
            tokio::select! {
                _ = self.wake.changed() => {}
                () = tokio::time::sleep_until(at) => {}
                () = stop.cancelled() => {}
            }
            self.limiter.tidy(Instant::now());
        }
        Ok(())
    }

    /// Sends what may go now; returns when something held may go.
    async fn round(&mut self, stop: &CancellationToken) -> Result<Option<Instant>, StoreError> {
        let now = Instant::now();
        self.held.retain(|_, at| *at > now);
        let skip: Vec<String> = self.held.keys().cloned().collect();
        let rows = {
            let mut conn = self.pool.acquire().await?;
            outbox::due_fairly(&mut conn, self.transport.channel(), PER_CHAT, BATCH, &skip).await?
        };
        let (answers, messages): (Vec<Due>, Vec<Due>) =
            rows.into_iter().partition(|r| matches!(r.op, Op::Answer { .. }));
        let mut next: Option<Instant> = None;
        let mut later = |at: Instant| next = Some(next.map_or(at, |n: Instant| n.min(at)));
        // Answers to button presses first: a press waits for its answer, and answers are not
        // messages: no chat order, no budget.
        for row in answers {
            if stop.is_cancelled() {
                return Ok(next);
            }
            if let Some(at) = self.retry_at.get(&row.id).copied().filter(|at| *at > Instant::now()) {
                later(at);
                continue;
            }
            if let Some(at) = self.send_row(&row).await? {
                later(at);
            }
        }
        // Then the messages, chat by chat, each chat's in order, the chats served least
        // lately first: the platform-wide budget goes round the chats instead of to whichever
        // chat's backlog is oldest.
        let mut chats: Vec<Vec<Due>> = Vec::new();
        for row in messages {
            match chats.iter_mut().find(|c| c[0].chat_id == row.chat_id) {
                Some(c) => c.push(row),
                None => chats.push(vec![row]),
            }
        }
        chats.sort_by_key(|c| (self.limiter.last_sent(&c[0].chat_id), c[0].id));
        'chats: for rows in chats {
            for row in rows {
                if stop.is_cancelled() {
                    break 'chats;
                }
                let now = Instant::now();
                if let Some(at) = self.retry_at.get(&row.id).copied().filter(|at| *at > now) {
                    self.hold(&row.chat_id, at);
                    break;
                }
                // Nothing more goes to anyone until the platform-wide window frees; no chat
                // is held for it, so the next round starts again from the least served.
                if let Err(at) = self.limiter.check_overall(now) {
                    later(at);
                    break 'chats;
                }
                if let Err(at) = self.limiter.check(&row.chat_id, now) {
                    self.hold(&row.chat_id, at);
                    break;
                }
                if let Some(at) = self.send_row(&row).await? {
                    self.hold(&row.chat_id, at);
                    break;
                }
            }
        }
        let held = self.held.values().min().copied();
        Ok([next, held].into_iter().flatten().min())
    }

    /// The chat's messages wait until `at` (or later, if held already).
    fn hold(&mut self, chat: &str, at: Instant) {
        let h = self.held.entry(chat.to_owned()).or_insert(at);
        *h = (*h).max(at);
    }

    /// Sends one row in its own transaction; `Some(when)` if it must be tried again later.
    async fn send_row(&mut self, row: &Due) -> Result<Option<Instant>, StoreError> {
        let channel = self.transport.channel();
        let mut conn = self.pool.acquire().await?;
        // On record before the call, in a commit of its own: a process killed while the
        // platform answers still leaves the send for the next sender's windows.
        let budgeted = !matches!(row.op, Op::Answer { .. });
        let send = match budgeted {
            true => Some(outbox::count_send(&mut conn, channel, &row.chat_id).await?),
            false => None,
        };
        let mut tx = conn.begin().await?;
        // The chat first, then the row: the order a delivery report takes them in too.
        outbox::lock_chat(&mut tx, channel, &row.chat_id).await?;
        if !outbox::lock(&mut tx, row.id).await? {
            if let Some(id) = send {
                outbox::uncount_send(&mut tx, id).await?;
            }
            tx.commit().await?;
            return Ok(None);
        }
        let delivery = self.transport.deliver(&mut tx, row).await?;
        // Counted from the answer, not the request: the platform saw the request somewhere
        // in between, and a later send must not look early to it.
        let now = Instant::now();
        if let Some(id) = send {
            if matches!(delivery, Delivery::Skipped(_)) {
                outbox::uncount_send(&mut tx, id).await?;
            } else {
                self.limiter.record(&row.chat_id, now);
                let (wait, all_chats) = match delivery {
                    Delivery::RetryAfter(wait) => (Some(wait), false),
                    Delivery::SlowDown(wait) => (Some(wait), true),
                    _ => (None, false),
                };
                outbox::send_answered(&mut tx, id, wait, all_chats).await?;
            }
        }
        let chat = self.transport.shown(&row.chat_id);
        let mut again = None;
        match delivery {
            Delivery::Sent(id) => {
                outbox::delivered(&mut tx, row.id, id.as_deref(), None).await?;
                self.retry_at.remove(&row.id);
            }
            Delivery::Part(id) => {
                outbox::part_sent(&mut tx, row.id, &id).await?;
                self.retry_at.remove(&row.id);
                // The chat's next part before anything later of it; back at once.
                again = Some(now);
            }
            Delivery::Skipped(why) => {
                outbox::delivered(&mut tx, row.id, None, Some(&why)).await?;
                self.retry_at.remove(&row.id);
            }
            Delivery::RetryAfter(wait) => {
                tracing::warn!(channel, %chat, seconds = wait.as_secs_f32(), "asked to slow down for this chat");
                self.limiter.pause(&row.chat_id, now + wait);
                outbox::failed_attempt(&mut tx, row.id, "too fast for this chat: retry later").await?;
                again = Some(now + wait);
            }
            Delivery::SlowDown(wait) => {
                tracing::warn!(
                    channel,
                    seconds = wait.as_secs_f32(),
                    "asked to slow down for every chat"
                );
                self.limiter.pause_all(now + wait);
                outbox::failed_attempt(&mut tx, row.id, "too fast overall: retry later").await?;
                again = Some(now + wait);
            }
            Delivery::Unreachable(reason) => {
                let n = outbox::dead_chat(&mut tx, channel, &row.chat_id, &reason).await?;
                reporters::mark_unreachable(&mut tx, channel, &row.chat_id).await?;
                tracing::warn!(
                    channel,
                    %chat,
                    reason,
                    dropped = n,
                    "reporter unreachable; their messages are kept, unsent"
                );
            }
            Delivery::Rejected(reason) => {
                // A message the platform will never take: keep it, with why, for a person.
                tracing::warn!(channel, outbox = row.id, %chat, reason, "message refused; dead-lettered");
                outbox::dead(&mut tx, row.id, &reason).await?;
            }
            Delivery::Failed(reason) => {
                let attempts = row.attempts + 1;
                if attempts >= MAX_ATTEMPTS {
                    tracing::error!(channel, outbox = row.id, attempts, reason, "giving up on a message");
                    outbox::dead(&mut tx, row.id, &reason).await?;
                } else {
                    tracing::warn!(channel, outbox = row.id, attempts, reason, "sending failed; will retry");
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
