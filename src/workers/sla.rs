//! The SLA clock. Every tick asks PostgreSQL which marks came due (50, 75, 100% of a
//! ticket's response or resolution target) and, in one transaction, queues the warnings
//! and records them sent: a crash before the commit leaves them due, one after leaves
//! them done, so each goes out once. One process ticks at a time (an advisory lock);
//! after downtime only the latest threshold of a clock is told. Unclaimed P1 tickets are
//! announced again every few minutes until taken.

use super::digest::Digest;
use crate::closing;
use crate::desk::{card, notice};
use crate::domain::Outbound;
use crate::domain::sla::Clock;
use crate::i18n::{Msg, Renderer};
use crate::ingest::{Env, IngestError};
use crate::store::sla::{DueMark, Watched};
use crate::store::{StoreError, desk, sla, teams};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;
use tokio_util::sync::CancellationToken;

/// Marks handled per transaction; a long stop is worked off in several.
const BATCH: i64 = 500;

/// What one tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tick {
    /// This process held the tick (another may have been ticking).
    pub led: bool,
    pub warned: usize,
    /// Due marks not told: a later threshold of the same clock was due too, or the ticket
    /// had left the state the clock watches.
    pub put_aside: usize,
    pub pinged: usize,
    /// Resolved tickets closed because the reporter did not answer in time.
    pub closed: usize,
    /// Messages the warnings and pings took (many in a chat become one digest).
    pub messages: usize,
}

/// Runs ticks until `stop`, reloading the holidays file when it changes.
pub async fn run(pool: PgPool, env: Env, stop: CancellationToken) {
    let every = std::time::Duration::from_secs(env.settings.sla.tick_seconds);
    while !stop.is_cancelled() {
        match env.calendar.reload_if_changed() {
            Ok(true) => tracing::info!("holidays file changed: SLA calendar reloaded"),
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, "SLA calendar not reloaded"),
        }
        match tick(&pool, &env, Utc::now()).await {
            Ok(t) if t.warned + t.pinged > 0 => tracing::info!(warned = t.warned, pinged = t.pinged, "SLA tick"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "SLA tick failed; trying again next tick"),
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            () = stop.cancelled() => {}
        }
    }
}

/// One look at the clocks as of `now`.
pub async fn tick(pool: &PgPool, env: &Env, now: DateTime<Utc>) -> Result<Tick, IngestError> {
    let mut done = Tick::default();
    let mut first = true;
    loop {
        let mut tx = pool.begin().await?;
        if !sla::try_lead_tick(&mut tx).await? {
            return Ok(done);
        }
        done.led = true;
        let due = sla::due_marks(&mut tx, now, BATCH).await?;
        let more = i64::try_from(due.len()).unwrap_or(i64::MAX) >= BATCH;
        let told = collapse(&due);
        let ids: Vec<i64> = told.iter().map(|m| m.ticket_id).collect();
        let tickets: HashMap<i64, Watched> = sla::watched(&mut tx, &ids)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
        let k = env.knowledge.current();
        let r = env
            .locales
            .renderer(&env.settings.language, &k.catalog, env.settings.timezone);
        let mut digest = Digest::default();
        for m in &told {
            if let Some(t) = tickets.get(&m.ticket_id) {
                warn(&mut tx, env, &r, &mut digest, t, m, now).await?;
            }
        }
        let settled: Vec<(&DueMark, bool)> = due.iter().map(|m| (m, told.contains(&m))).collect();
        sla::settle(&mut tx, &settled, now).await?;
        done.warned += told.len();
        done.put_aside += due.len() - told.len();
        if first {
            done.pinged = ping_p1(&mut tx, env, &r, &mut digest, now).await?;
            done.closed = closing::autoclose(&mut tx, env, now).await?;
            first = false;
        }
        done.messages += digest.flush(&mut tx, &r).await?;
        tx.commit().await?;
        if !more {
            break;
        }
    }
    if done.warned + done.pinged + done.closed > 0 {
        env.outbox_ready.ring();
    }
    Ok(done)
}

/// The marks to tell: per ticket and clock, the highest threshold that is due while the
/// ticket is still in the state the clock watches.
pub fn collapse(due: &[DueMark]) -> Vec<&DueMark> {
    let mut best: HashMap<(i64, Clock), &DueMark> = HashMap::new();
    for m in due.iter().filter(|m| m.live) {
        let slot = best.entry((m.ticket_id, m.clock)).or_insert(m);
        if m.percent > slot.percent {
            *slot = m;
        }
    }
    let mut told: Vec<&DueMark> = best.into_values().collect();
    told.sort_by_key(|m| (m.due_at, m.ticket_id, m.clock.as_str()));
    told
}

fn war_room(env: &Env) -> Option<String> {
    env.settings.telegram.war_room_chat.map(|c| c.to_string())
}

/// A notice for the war room naming (and notifying) the holder, and at 100% one for the
/// supervisors with the card.
async fn warn(
    conn: &mut PgConnection,
    env: &Env,
    r: &Renderer<'_>,
    digest: &mut Digest,
    t: &Watched,
    m: &DueMark,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let due = match m.clock {
        Clock::Response => t.response_due,
        Clock::Resolution => t.resolution_due,
    };
    let key = if m.percent >= 100 { "sla-breach" } else { "sla-warning" };
    let head = r.render(
        &Msg::new(key)
            .arg("number", t.number.clone())
            .arg("priority", i64::from(t.priority.get()))
            .arg("percent", i64::from(m.percent))
            .arg("clock", m.clock.as_str())
            .arg("due", due),
    );
    if let Some(room) = war_room(env) {
        let full = notice::with_holder(r, &env.settings.teams, head.clone(), t);
        let brief = full.text.replace('\n', " ");
        digest.add(&room, t, full, brief);
    }
    if m.percent >= 100 {
        if let Some(boss) = env.settings.sla.supervisor_chat {
            tell_supervisors(conn, r, digest, t, m.clock, due, &boss.to_string()).await?;
            teams::record_up(conn, t.id, None, "sla", Some(m.clock.as_str()), now).await?;
        }
    }
    Ok(())
}

/// Hierarchical escalation: the supervisors get the card as it is now (in a digest, the
/// line only).
async fn tell_supervisors(
    conn: &mut PgConnection,
    r: &Renderer<'_>,
    digest: &mut Digest,
    t: &Watched,
    clock: Clock,
    due: DateTime<Utc>,
    chat: &str,
) -> Result<(), StoreError> {
    let holder = t.assignee.clone().unwrap_or_else(|| r.render(&Msg::new("sla-nobody")));
    let head = r.render(
        &Msg::new("sla-supervisor")
            .arg("clock", clock.as_str())
            .arg("number", t.number.clone())
            .arg("due", due)
            .arg("holder", holder),
    );
    let card = match desk::card_ticket(conn, t.id).await? {
        Some(c) => r.render(&card::card_text(&c)),
        None => String::new(),
    };
    let mut alone = t.clone();
    // Not a reply: the supervisors' chat does not hold the card.
    alone.card_message_id = None;
    digest.add(chat, &alone, Outbound::text(format!("{head}\n\n{card}")), head);
    Ok(())
}

/// Unclaimed P1 tickets, announced again under their cards.
async fn ping_p1(
    conn: &mut PgConnection,
    env: &Env,
    r: &Renderer<'_>,
    digest: &mut Digest,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let minutes = env.settings.sla.p1_reping_minutes;
    let Some(room) = war_room(env).filter(|_| minutes > 0) else {
        return Ok(0);
    };
    let ids = sla::p1_to_ping(conn, now, chrono::Duration::minutes(minutes.into()), BATCH).await?;
    if ids.is_empty() {
        return Ok(0);
    }
    for t in sla::watched(conn, &ids).await? {
        let text = r.render(
            &Msg::new("sla-p1-reping")
                .arg("number", t.number.clone())
                .arg("since", t.created_at),
        );
        digest.add(&room, &t, Outbound::text(text.clone()), text);
    }
    Ok(ids.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(ticket_id: i64, clock: Clock, percent: u8, live: bool) -> DueMark {
        DueMark {
            ticket_id,
            clock,
            percent,
            due_at: Utc::now(),
            live,
        }
    }

    #[test]
    fn after_a_long_stop_only_the_latest_threshold_of_each_clock_is_told() {
        let due = vec![
            mark(1, Clock::Response, 50, true),
            mark(1, Clock::Response, 75, true),
            mark(1, Clock::Response, 100, true),
            mark(1, Clock::Resolution, 50, true),
            mark(2, Clock::Response, 50, false),
            mark(3, Clock::Resolution, 75, true),
        ];
        let told: Vec<(i64, Clock, u8)> = collapse(&due)
            .iter()
            .map(|m| (m.ticket_id, m.clock, m.percent))
            .collect();
        assert_eq!(told.len(), 3);
        assert!(told.contains(&(1, Clock::Response, 100)));
        assert!(told.contains(&(1, Clock::Resolution, 50)));
        assert!(told.contains(&(3, Clock::Resolution, 75)));
    }
}
