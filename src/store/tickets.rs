//! Tickets, their numbers and their events.

use super::StoreError;
use crate::domain::Status;
use crate::domain::ticket::ticket_number;
use crate::intake::{Created, NewTicket, TicketSummary};
use crate::knowledge::ResolvedTicket;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// Where a new ticket came from.
#[derive(Debug, Clone)]
pub struct Origin<'a> {
    pub reporter_id: i64,
    pub conversation_id: i64,
    pub inbound_id: i64,
    pub channel: &'a str,
    pub chat_id: &'a str,
}

/// The next number for a type prefix in a period (`INC`, `2611` → 42). The counter row
/// stays locked until commit, so numbers are never handed out twice.
async fn next_number(conn: &mut PgConnection, prefix: &str, period: &str) -> Result<String, StoreError> {
    let seq = sqlx::query_scalar!(
        r#"INSERT INTO ticket_counters (prefix, period, last) VALUES ($1, $2, 1)
           ON CONFLICT (prefix, period) DO UPDATE SET last = ticket_counters.last + 1
           RETURNING last"#,
        prefix,
        period
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(ticket_number(prefix, period, seq))
}

/// Stores a ticket with its `created` event; returns its number.
pub async fn create(
    conn: &mut PgConnection,
    t: &NewTicket,
    prefix: &str,
    period: &str,
    origin: &Origin<'_>,
) -> Result<(i64, Created), StoreError> {
    let number = next_number(conn, prefix, period).await?;
    let attachments = serde_json::to_value(&t.attachments)?;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO tickets (
               number, ticket_type, category, service, title, description,
               what, location, occurred, occurred_at, affected, cause, tried, application,
               scope, urgency, impact, priority, response_due, resolution_due,
               reporter_id, reporter_name, reporter_unit, channel, chat_id, conversation_id,
               source_inbound_id, attachments, kb_tried, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                   $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $30)
           RETURNING id"#,
        number,
        t.ticket_type.as_str(),
        t.category,
        t.service,
        t.title,
        t.description,
        t.what,
        t.location,
        t.occurred,
        t.occurred_at,
        t.affected,
        t.cause,
        t.tried,
        t.application,
        t.scope.as_str(),
        t.urgency.as_str(),
        t.impact.as_str(),
        i16::from(t.priority.get()),
        t.response_due,
        t.resolution_due,
        origin.reporter_id,
        t.reporter_name,
        t.reporter_unit,
        origin.channel,
        origin.chat_id,
        origin.conversation_id,
        origin.inbound_id,
        attachments,
        &t.kb_tried,
        t.recorded_at,
    )
    .fetch_one(&mut *conn)
    .await?;
    let data = serde_json::json!({
        "priority": t.priority.get(),
        "urgency": t.urgency.as_str(),
        "impact": t.impact.as_str(),
        "kb_tried": t.kb_tried,
    });
    sqlx::query!(
        r#"INSERT INTO ticket_events (ticket_id, at, actor_kind, actor_id, channel, kind, to_status, data)
           VALUES ($1, $2, 'reporter', $3, $4, 'created', 'new', $5)"#,
        id,
        t.recorded_at,
        origin.reporter_id,
        origin.channel,
        data
    )
    .execute(&mut *conn)
    .await?;
    Ok((
        id,
        Created {
            number,
            ticket_type: t.ticket_type,
            priority: t.priority,
            response_due: t.response_due,
            resolution_due: t.resolution_due,
        },
    ))
}

struct SummaryRow {
    number: String,
    title: String,
    category: String,
    service: Option<String>,
    status: String,
    priority: i16,
    created_at: chrono::DateTime<chrono::Utc>,
    resolution_due: chrono::DateTime<chrono::Utc>,
    assignee: Option<String>,
}

impl TryFrom<SummaryRow> for TicketSummary {
    type Error = StoreError;
    fn try_from(r: SummaryRow) -> Result<TicketSummary, StoreError> {
        Ok(TicketSummary {
            status: r.status.parse::<Status>().map_err(StoreError::Corrupt)?,
            priority: super::priority(r.priority)?,
            number: r.number,
            title: r.title,
            category: r.category,
            service: r.service,
            created_at: r.created_at,
            resolution_due: r.resolution_due,
            assignee: r.assignee,
        })
    }
}

/// The reporter's tickets, open ones first, then the most recent; with `number`, only
/// that one (someone else's ticket is not found).
pub async fn for_reporter(
    conn: &mut PgConnection,
    reporter_id: i64,
    number: Option<&str>,
    limit: i64,
) -> Result<Vec<TicketSummary>, StoreError> {
    let rows = sqlx::query_as!(
        SummaryRow,
        r#"SELECT t.number, t.title, t.category, t.service, t.status, t.priority, t.created_at,
                  t.resolution_due, tech.name AS "assignee?"
           FROM tickets t LEFT JOIN technicians tech ON tech.id = t.assignee_id
           WHERE t.reporter_id = $1 AND ($2::text IS NULL OR t.number = $2)
           ORDER BY (t.status IN ('new', 'in_progress', 'resolved')) DESC, t.created_at DESC
           LIMIT $3"#,
        reporter_id,
        number,
        limit
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(TicketSummary::try_from).collect()
}

/// Marks an open ticket resolved with the fix, and records the event. `None` when there is
/// no such ticket or it is no longer open (the UPDATE's condition decides, not a prior read).
pub async fn resolve(
    conn: &mut PgConnection,
    number: &str,
    note: &str,
    technician_id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query!(
        r#"WITH old AS (SELECT id, status FROM tickets WHERE number = $1 FOR UPDATE)
           UPDATE tickets t SET status = 'resolved', resolution_note = $2, resolved_at = $3, updated_at = $3
           FROM old
           WHERE t.id = old.id AND old.status IN ('new', 'in_progress')
           RETURNING t.id, old.status AS from_status"#,
        number,
        note,
        at
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let actor = if technician_id.is_some() {
        "technician"
    } else {
        "system"
    };
    sqlx::query!(
        r#"INSERT INTO ticket_events (ticket_id, at, actor_kind, actor_id, kind, from_status, to_status, data)
           VALUES ($1, $2, $3, $4, 'resolved', $5, 'resolved', jsonb_build_object('note', $6::text))"#,
        row.id,
        at,
        actor,
        technician_id,
        row.from_status,
        note
    )
    .execute(&mut *conn)
    .await?;
    Ok(Some(row.id))
}

/// A ticket's fix, for an article draft: `Err(status)` when it has none yet.
pub async fn resolution(
    conn: &mut PgConnection,
    number: &str,
) -> Result<Option<Result<ResolvedTicket, Status>>, StoreError> {
    let row = sqlx::query!(
        r#"SELECT number, title, service, what, status, resolution_note FROM tickets WHERE number = $1"#,
        number
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let status = r.status.parse::<Status>().map_err(StoreError::Corrupt)?;
    Ok(Some(match r.resolution_note.filter(|n| !n.trim().is_empty()) {
        Some(note) if matches!(status, Status::Resolved | Status::Closed) => Ok(ResolvedTicket {
            number: r.number,
            title: r.title,
            service: r.service,
            what: r.what,
            resolution_note: note,
        }),
        _ => Err(status),
    }))
}
