//! Functional and hierarchical escalation: which team has a ticket, moves between teams
//! (each an event the reports count), and the vendor's reference number.

use super::StoreError;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// A new ticket starts with the first-line team.
pub async fn set_team(conn: &mut PgConnection, ticket_id: i64, team: &str) -> Result<(), StoreError> {
    sqlx::query!("UPDATE tickets SET team = $2 WHERE id = $1", ticket_id, team)
        .execute(conn)
        .await?;
    Ok(())
}

/// What a ticket's move is checked against, read under a row lock.
#[derive(Debug, Clone)]
pub struct Held {
    pub open: bool,
    pub assignee_id: Option<i64>,
    pub team: Option<String>,
}

pub async fn lock(conn: &mut PgConnection, ticket_id: i64) -> Result<Option<Held>, StoreError> {
    let r = sqlx::query!(
        "SELECT status, assignee_id, team FROM tickets WHERE id = $1 FOR UPDATE",
        ticket_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(r.map(|r| Held {
        open: matches!(r.status.as_str(), "new" | "in_progress"),
        assignee_id: r.assignee_id,
        team: r.team,
    }))
}

/// Moves the (locked) ticket to `to`, unheld, for that team to take: `kind` is
/// `escalated` (functional escalation) or `returned` (sent back as misrouted).
pub async fn move_to(
    conn: &mut PgConnection,
    ticket_id: i64,
    technician_id: i64,
    from: Option<&str>,
    to: &str,
    kind: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"UPDATE tickets SET team = $2, assignee_id = NULL, escalated_at = $3, vendor_ref = NULL, updated_at = $3
           WHERE id = $1"#,
        ticket_id,
        to,
        at
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"INSERT INTO ticket_events (ticket_id, at, actor_kind, actor_id, channel, kind, data)
           VALUES ($1, $2, 'technician', $3, 'telegram', $4,
                   jsonb_build_object('from_team', $5::text, 'to_team', $6::text))"#,
        ticket_id,
        at,
        technician_id,
        kind,
        from,
        to
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The team the ticket came from when last escalated (where a misrouted ticket goes back).
pub async fn came_from(conn: &mut PgConnection, ticket_id: i64) -> Result<Option<String>, StoreError> {
    let team = sqlx::query_scalar!(
        r#"SELECT data->>'from_team' AS "team" FROM ticket_events
           WHERE ticket_id = $1 AND kind = 'escalated' ORDER BY id DESC LIMIT 1"#,
        ticket_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(team.flatten())
}

/// Hierarchical escalation: supervisors were told (`reason`: technician, sla, survey,
/// reopened; `clock`: which SLA clock was missed, for `sla`).
pub async fn record_up(
    conn: &mut PgConnection,
    ticket_id: i64,
    technician_id: Option<i64>,
    reason: &str,
    clock: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let actor = if technician_id.is_some() {
        "technician"
    } else {
        "system"
    };
    sqlx::query!(
        r#"INSERT INTO ticket_events (ticket_id, at, actor_kind, actor_id, kind, data)
           VALUES ($1, $2, $3, $4, 'escalated_up',
                   jsonb_strip_nulls(jsonb_build_object('reason', $5::text, 'clock', $6::text)))"#,
        ticket_id,
        at,
        actor,
        technician_id,
        reason,
        clock
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The vendor's own reference for a ticket handed to them.
pub async fn set_vendor_ref(
    conn: &mut PgConnection,
    ticket_id: i64,
    reference: &str,
    technician_id: i64,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query!(
        "UPDATE tickets SET vendor_ref = $2, updated_at = $3 WHERE id = $1 AND status IN ('new', 'in_progress')",
        ticket_id,
        reference,
        at
    )
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if done {
        sqlx::query!(
            r#"INSERT INTO ticket_events (ticket_id, at, actor_kind, actor_id, channel, kind, data)
               VALUES ($1, $2, 'technician', $3, 'telegram', 'vendor_ref', jsonb_build_object('ref', $4::text))"#,
            ticket_id,
            at,
            technician_id,
            reference
        )
        .execute(conn)
        .await?;
    }
    Ok(done)
}
