//! SLA marks and the P1 re-ping: which clocks crossed a threshold, and recording that the
//! warning went out, in the transaction that queued it.

use super::StoreError;
use crate::domain::Priority;
use crate::domain::sla::{Clock, Mark};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// One SLA tick at a time across all processes (taken for the tick's transaction).
const TICK_LOCK: i64 = 0x5349_4741_505f_534c; // "SIGAP_SL"

/// Writes (or, after a priority change or a pause, rewrites) a ticket's marks. Marks
/// already warned stay as they are.
pub async fn plan(conn: &mut PgConnection, ticket_id: i64, marks: &[Mark]) -> Result<(), StoreError> {
    let clocks: Vec<String> = marks.iter().map(|m| m.clock.as_str().to_owned()).collect();
    let percents: Vec<i16> = marks.iter().map(|m| i16::from(m.percent)).collect();
    let at: Vec<DateTime<Utc>> = marks.iter().map(|m| m.at).collect();
    sqlx::query!(
        r#"INSERT INTO sla_marks (ticket_id, clock, percent, due_at)
           SELECT $1, * FROM UNNEST($2::text[], $3::smallint[], $4::timestamptz[])
           ON CONFLICT (ticket_id, clock, percent) DO UPDATE
               SET due_at = EXCLUDED.due_at, skipped_at = NULL
               WHERE sla_marks.warned_at IS NULL"#,
        ticket_id,
        &clocks,
        &percents,
        &at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes the tick for this transaction; `false` when another process is ticking now.
pub async fn try_lead_tick(conn: &mut PgConnection) -> Result<bool, StoreError> {
    let got = sqlx::query_scalar!(r#"SELECT pg_try_advisory_xact_lock($1) AS "got!""#, TICK_LOCK)
        .fetch_one(conn)
        .await?;
    Ok(got)
}

/// A mark that came due and has not been dealt with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueMark {
    pub ticket_id: i64,
    pub clock: Clock,
    pub percent: u8,
    pub due_at: DateTime<Utc>,
    /// The ticket is still in the state the clock watches: not yet taken up (response),
    /// not yet resolved (resolution). Otherwise the mark is only put aside.
    pub live: bool,
}

/// Marks due by `now`, oldest first.
pub async fn due_marks(conn: &mut PgConnection, now: DateTime<Utc>, limit: i64) -> Result<Vec<DueMark>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT m.ticket_id, m.clock, m.percent, m.due_at,
                  (t.status IN ('new', 'in_progress')
                   AND (m.clock = 'resolution' OR t.responded_at IS NULL)) AS "live!"
           FROM sla_marks m
           JOIN tickets t ON t.id = m.ticket_id
           WHERE m.warned_at IS NULL AND m.skipped_at IS NULL AND m.due_at <= $1
           ORDER BY m.due_at, m.ticket_id
           LIMIT $2
           FOR UPDATE OF m SKIP LOCKED"#,
        now,
        limit
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(DueMark {
                ticket_id: r.ticket_id,
                clock: Clock::parse(&r.clock).ok_or_else(|| StoreError::Corrupt(format!("sla clock `{}`", r.clock)))?,
                percent: u8::try_from(r.percent)
                    .map_err(|_| StoreError::Corrupt(format!("sla percent {}", r.percent)))?,
                due_at: r.due_at,
                live: r.live,
            })
        })
        .collect()
}

/// Records how the marks were dealt with: warned, or put aside.
pub async fn settle(conn: &mut PgConnection, marks: &[(&DueMark, bool)], now: DateTime<Utc>) -> Result<(), StoreError> {
    let ids: Vec<i64> = marks.iter().map(|(m, _)| m.ticket_id).collect();
    let clocks: Vec<String> = marks.iter().map(|(m, _)| m.clock.as_str().to_owned()).collect();
    let percents: Vec<i16> = marks.iter().map(|(m, _)| i16::from(m.percent)).collect();
    let warned: Vec<bool> = marks.iter().map(|(_, w)| *w).collect();
    sqlx::query!(
        r#"UPDATE sla_marks m
           SET warned_at = CASE WHEN d.warned THEN $5::timestamptz END,
               skipped_at = CASE WHEN d.warned THEN NULL ELSE $5::timestamptz END
           FROM UNNEST($1::bigint[], $2::text[], $3::smallint[], $4::bool[]) AS d (ticket_id, clock, percent, warned)
           WHERE m.ticket_id = d.ticket_id AND m.clock = d.clock AND m.percent = d.percent"#,
        &ids,
        &clocks,
        &percents,
        &warned,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// What a warning about a ticket says and where it goes.
#[derive(Debug, Clone)]
pub struct Watched {
    pub id: i64,
    pub number: String,
    pub priority: Priority,
    pub response_due: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub card_chat_id: Option<String>,
    pub card_message_id: Option<String>,
    pub assignee: Option<String>,
    pub assignee_telegram: Option<i64>,
    pub team: Option<String>,
}

pub async fn watched(conn: &mut PgConnection, ids: &[i64]) -> Result<Vec<Watched>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT t.id, t.number, t.priority, t.response_due, t.resolution_due, t.created_at,
                  t.card_chat_id, t.card_message_id,
                  tech.name AS "assignee?", tech.telegram_user_id AS "assignee_telegram?", t.team
           FROM tickets t
           LEFT JOIN technicians tech ON tech.id = t.assignee_id
           WHERE t.id = ANY($1)"#,
        ids
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Watched {
                id: r.id,
                number: r.number,
                priority: super::priority(r.priority)?,
                response_due: r.response_due,
                resolution_due: r.resolution_due,
                created_at: r.created_at,
                card_chat_id: r.card_chat_id,
                card_message_id: r.card_message_id,
                assignee: r.assignee,
                assignee_telegram: r.assignee_telegram,
                team: r.team,
            })
        })
        .collect()
}

/// Unclaimed P1 tickets last announced at least `every` ago; their announcement time is
/// set to `now` (the caller queues the ping in the same transaction).
pub async fn p1_to_ping(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    every: chrono::Duration,
    limit: i64,
) -> Result<Vec<i64>, StoreError> {
    let ids = sqlx::query_scalar!(
        r#"WITH due AS (
               SELECT id FROM tickets
               WHERE priority = 1 AND assignee_id IS NULL AND status IN ('new', 'in_progress')
                 AND COALESCE(pinged_at, escalated_at, created_at) <= $1
               ORDER BY created_at
               LIMIT $3
               FOR UPDATE SKIP LOCKED)
           UPDATE tickets t SET pinged_at = $2 FROM due WHERE t.id = due.id
           RETURNING t.id"#,
        now - every,
        now,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(ids)
}

/// The resolution due time and the resolution marks not yet told, for moving them on.
pub async fn resolution_plan(
    conn: &mut PgConnection,
    ticket_id: i64,
) -> Result<Option<(DateTime<Utc>, Vec<Mark>)>, StoreError> {
    let Some(due) = sqlx::query_scalar!("SELECT resolution_due FROM tickets WHERE id = $1", ticket_id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let marks = sqlx::query!(
        r#"SELECT percent, due_at FROM sla_marks
           WHERE ticket_id = $1 AND clock = 'resolution' AND warned_at IS NULL"#,
        ticket_id
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .filter_map(|r| {
        Some(Mark {
            clock: Clock::Resolution,
            percent: u8::try_from(r.percent).ok()?,
            at: r.due_at,
        })
    })
    .collect();
    Ok(Some((due, marks)))
}

pub async fn set_resolution_due(conn: &mut PgConnection, ticket_id: i64, due: DateTime<Utc>) -> Result<(), StoreError> {
    sqlx::query!("UPDATE tickets SET resolution_due = $2 WHERE id = $1", ticket_id, due)
        .execute(conn)
        .await?;
    Ok(())
}

/// What recomputing a ticket's clocks needs, read under a row lock.
#[derive(Debug, Clone)]
pub struct TicketClock {
    pub open: bool,
    pub priority: Priority,
    pub created_at: DateTime<Utc>,
}

pub async fn lock_clock(conn: &mut PgConnection, ticket_id: i64) -> Result<Option<TicketClock>, StoreError> {
    let r = sqlx::query!(
        "SELECT status, priority, created_at FROM tickets WHERE id = $1 FOR UPDATE",
        ticket_id
    )
    .fetch_optional(conn)
    .await?;
    r.map(|r| {
        Ok(TicketClock {
            open: matches!(r.status.as_str(), "new" | "in_progress"),
            priority: super::priority(r.priority)?,
            created_at: r.created_at,
        })
    })
    .transpose()
}

/// A technician's new priority, with the due times it brings, as an event.
pub async fn set_priority(
    conn: &mut PgConnection,
    ticket_id: i64,
    from: Priority,
    to: Priority,
    due: &crate::domain::sla::Due,
    technician_id: i64,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"UPDATE tickets SET priority = $2, response_due = $3, resolution_due = $4, updated_at = $5
           WHERE id = $1"#,
        ticket_id,
        i16::from(to.get()),
        due.response,
        due.resolution,
        at
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"INSERT INTO ticket_events (ticket_id, at, actor_kind, actor_id, channel, kind, data)
           VALUES ($1, $2, 'technician', $3, 'telegram', 'priority',
                   jsonb_build_object('from', $4::smallint, 'to', $5::smallint))"#,
        ticket_id,
        at,
        technician_id,
        i16::from(from.get()),
        i16::from(to.get())
    )
    .execute(conn)
    .await?;
    Ok(())
}
