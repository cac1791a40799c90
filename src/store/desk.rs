//! The war room's side of tickets: what a card shows, and the technicians' actions.
//! Every action is a conditional UPDATE: whoever's condition holds when PostgreSQL runs
//! it wins, so two technicians tapping at once cannot both succeed.

use super::StoreError;
use crate::domain::{Level, Priority, Status, TicketType};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// A ticket as its card and its notices need it.
#[derive(Debug, Clone)]
pub struct CardTicket {
    pub id: i64,
    pub number: String,
    pub ticket_type: TicketType,
    pub category: String,
    pub service: Option<String>,
    pub title: String,
    pub what: Option<String>,
    pub location: Option<String>,
    pub occurred: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub affected: Option<String>,
    pub cause: Option<String>,
    pub tried: Option<String>,
    pub urgency: Level,
    pub impact: Level,
    pub priority: Priority,
    pub status: Status,
    pub response_due: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
    pub reporter_name: Option<String>,
    pub reporter_unit: Option<String>,
    pub reporter_locale: String,
    pub channel: String,
    pub chat_id: String,
    pub attachments: usize,
    pub kb_tried: Vec<String>,
    pub assignee_id: Option<i64>,
    pub assignee: Option<String>,
    pub escalated: bool,
    pub resolution_note: Option<String>,
    pub cancel_reason: Option<String>,
    pub card_message_id: Option<String>,
    /// The team that has it (`None`: the first-line desk, as before teams existed).
    pub team: Option<String>,
    pub vendor_ref: Option<String>,
    /// Its last move was an escalation: the team may send it back as misrouted.
    pub returnable: bool,
    /// The latest events, oldest first: (when, what, who).
    pub history: Vec<(DateTime<Utc>, String, Option<String>)>,
}

fn corrupt(what: &str, v: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what} `{v}`"))
}

/// How many events a card lists.
const HISTORY: i64 = 3;

pub async fn card_ticket(conn: &mut PgConnection, id: i64) -> Result<Option<CardTicket>, StoreError> {
    let r = sqlx::query!(
        r#"SELECT t.id, t.number, t.ticket_type, t.category, t.service, t.title, t.what, t.location,
                  t.occurred, t.occurred_at, t.affected, t.cause, t.tried, t.urgency, t.impact,
                  t.priority, t.status, t.response_due, t.resolution_due, t.reporter_name,
                  t.reporter_unit, r.locale AS reporter_locale, t.channel, t.chat_id,
                  jsonb_array_length(t.attachments) AS "attachments!", t.kb_tried,
                  t.assignee_id, tech.name AS "assignee?", t.escalated_at, t.resolution_note,
                  t.cancel_reason, t.card_message_id, t.team, t.vendor_ref,
                  COALESCE((SELECT e.kind = 'escalated' AND e.data ? 'to_team' FROM ticket_events e
                            WHERE e.ticket_id = t.id AND e.kind IN ('escalated', 'returned')
                            ORDER BY e.id DESC LIMIT 1), false) AS "returnable!"
           FROM tickets t
           JOIN reporters r ON r.id = t.reporter_id
           LEFT JOIN technicians tech ON tech.id = t.assignee_id
           WHERE t.id = $1"#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = r else { return Ok(None) };
    let history = sqlx::query!(
        r#"SELECT e.at, e.kind, tech.name AS "who?"
           FROM (SELECT * FROM ticket_events WHERE ticket_id = $1 ORDER BY at DESC, id DESC LIMIT $2) e
           LEFT JOIN technicians tech ON e.actor_kind = 'technician' AND tech.id = e.actor_id
           ORDER BY e.at, e.id"#,
        id,
        HISTORY
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|e| (e.at, e.kind, e.who))
    .collect();
    Ok(Some(CardTicket {
        id: r.id,
        number: r.number,
        ticket_type: r
            .ticket_type
            .parse()
            .map_err(|_| corrupt("ticket type", &r.ticket_type))?,
        category: r.category,
        service: r.service,
        title: r.title,
        what: r.what,
        location: r.location,
        occurred: r.occurred,
        occurred_at: r.occurred_at,
        affected: r.affected,
        cause: r.cause,
        tried: r.tried,
        urgency: r.urgency.parse().map_err(|_| corrupt("urgency", &r.urgency))?,
        impact: r.impact.parse().map_err(|_| corrupt("impact", &r.impact))?,
        priority: super::priority(r.priority)?,
        status: r.status.parse().map_err(|_| corrupt("status", &r.status))?,
        response_due: r.response_due,
        resolution_due: r.resolution_due,
        reporter_name: r.reporter_name,
        reporter_unit: r.reporter_unit,
        reporter_locale: r.reporter_locale,
        channel: r.channel,
        chat_id: r.chat_id,
        attachments: usize::try_from(r.attachments).unwrap_or(0),
        kb_tried: r.kb_tried,
        assignee_id: r.assignee_id,
        assignee: r.assignee,
        escalated: r.escalated_at.is_some(),
        resolution_note: r.resolution_note,
        cancel_reason: r.cancel_reason,
        card_message_id: r.card_message_id,
        team: r.team,
        vendor_ref: r.vendor_ref,
        returnable: r.returnable,
        history,
    }))
}

/// The ticket with this number, if there is one.
pub async fn find(conn: &mut PgConnection, number: &str) -> Result<Option<i64>, StoreError> {
    let id = sqlx::query_scalar!("SELECT id FROM tickets WHERE number = $1", number.trim().to_uppercase())
        .fetch_optional(conn)
        .await?;
    Ok(id)
}

/// A technician's change to a ticket, for its event row.
struct Change<'a> {
    kind: &'a str,
    from: &'a str,
    to: &'a str,
    data: serde_json::Value,
}

async fn event(
    conn: &mut PgConnection,
    ticket_id: i64,
    at: DateTime<Utc>,
    technician_id: i64,
    c: Change<'_>,
) -> Result<(), StoreError> {
    let Change { kind, from, to, data } = c;
    sqlx::query!(
        r#"INSERT INTO ticket_events (ticket_id, at, actor_kind, actor_id, channel, kind, from_status, to_status, data)
           VALUES ($1, $2, 'technician', $3, 'telegram', $4, $5, $6, $7)"#,
        ticket_id,
        at,
        technician_id,
        kind,
        from,
        to,
        data
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Makes the technician the assignee of an unassigned open ticket. `false` when the
/// condition no longer held: someone else took it first, or it has moved on.
pub async fn claim(
    conn: &mut PgConnection,
    ticket_id: i64,
    technician_id: i64,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let from = sqlx::query_scalar!(
        r#"WITH old AS (SELECT id, status FROM tickets WHERE id = $1 FOR UPDATE)
           UPDATE tickets t SET assignee_id = $2, status = 'in_progress',
                  responded_at = COALESCE(t.responded_at, $3), updated_at = $3
           FROM old
           WHERE t.id = old.id AND t.assignee_id IS NULL AND old.status IN ('new', 'in_progress')
           RETURNING old.status"#,
        ticket_id,
        technician_id,
        at
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(from) = from else { return Ok(false) };
    let c = Change {
        kind: "claimed",
        from: &from,
        to: "in_progress",
        data: serde_json::json!({}),
    };
    event(conn, ticket_id, at, technician_id, c).await?;
    Ok(true)
}

/// Cancels an open ticket with the technician's reason.
pub async fn cancel(
    conn: &mut PgConnection,
    ticket_id: i64,
    reason: &str,
    technician_id: i64,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let from = sqlx::query_scalar!(
        r#"WITH old AS (SELECT id, status FROM tickets WHERE id = $1 FOR UPDATE)
           UPDATE tickets t SET status = 'cancelled', cancel_reason = $2, updated_at = $3
           FROM old
           WHERE t.id = old.id AND old.status IN ('new', 'in_progress')
           RETURNING old.status"#,
        ticket_id,
        reason,
        at
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(from) = from else { return Ok(false) };
    let data = serde_json::json!({ "reason": reason });
    let c = Change {
        kind: "cancelled",
        from: &from,
        to: "cancelled",
        data,
    };
    event(conn, ticket_id, at, technician_id, c).await?;
    Ok(true)
}

/// What a technician was asked to type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptAction {
    Resolve,
    Cancel,
    /// The reference number of the vendor a ticket was handed to.
    Vendor,
}

impl PromptAction {
    fn as_str(self) -> &'static str {
        match self {
            PromptAction::Resolve => "resolve",
            PromptAction::Cancel => "cancel",
            PromptAction::Vendor => "vendor",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Prompt {
    pub ticket_id: i64,
    pub action: PromptAction,
    pub chat_id: String,
}

/// Asks the technician for a note; a newer question replaces an older one.
pub async fn set_prompt(
    conn: &mut PgConnection,
    technician_id: i64,
    p: &Prompt,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"INSERT INTO desk_prompts (technician_id, ticket_id, action, chat_id, asked_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (technician_id) DO UPDATE
               SET ticket_id = EXCLUDED.ticket_id, action = EXCLUDED.action,
                   chat_id = EXCLUDED.chat_id, asked_at = EXCLUDED.asked_at"#,
        technician_id,
        p.ticket_id,
        p.action.as_str(),
        p.chat_id,
        at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The technician's open question, removed: it is answered now (or dropped).
pub async fn take_prompt(conn: &mut PgConnection, technician_id: i64) -> Result<Option<Prompt>, StoreError> {
    let r = sqlx::query!(
        "DELETE FROM desk_prompts WHERE technician_id = $1 RETURNING ticket_id, action, chat_id",
        technician_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(r.map(|r| Prompt {
        ticket_id: r.ticket_id,
        action: match r.action.as_str() {
            "cancel" => PromptAction::Cancel,
            "vendor" => PromptAction::Vendor,
            _ => PromptAction::Resolve,
        },
        chat_id: r.chat_id,
    }))
}

/// Whether a refusal to `user_id` in the war room is due at `at`: none in the `every`
/// before. Claims the turn when it is, so of racing commands only one is answered.
pub async fn refusal_due(
    conn: &mut PgConnection,
    user_id: i64,
    at: chrono::DateTime<chrono::Utc>,
    every: std::time::Duration,
) -> Result<bool, StoreError> {
    let seconds = i64::try_from(every.as_secs()).unwrap_or(i64::MAX);
    let due = sqlx::query_scalar!(
        r#"INSERT INTO desk_refusals (user_id, refused_at) VALUES ($1, $2)
           ON CONFLICT (user_id) DO UPDATE SET refused_at = EXCLUDED.refused_at
           WHERE desk_refusals.refused_at <= EXCLUDED.refused_at - make_interval(secs => $3::int8)
           RETURNING user_id"#,
        user_id,
        at,
        seconds
    )
    .fetch_optional(conn)
    .await?;
    Ok(due.is_some())
}

/// Whether the technician has an open question (without taking it).
pub async fn has_prompt(conn: &mut PgConnection, technician_id: i64) -> Result<bool, StoreError> {
    let n = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM desk_prompts WHERE technician_id = $1"#,
        technician_id
    )
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// One line of /antrian or /milik.
#[derive(Debug, Clone)]
pub struct QueueLine {
    pub number: String,
    pub title: String,
    pub priority: Priority,
    pub status: Status,
    pub resolution_due: DateTime<Utc>,
}

/// Open tickets nobody holds (with `holder` None) or held by `holder`, by priority, oldest first.
pub async fn queue(conn: &mut PgConnection, holder: Option<i64>, limit: i64) -> Result<Vec<QueueLine>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT number, title, priority, status, resolution_due FROM tickets
           WHERE status IN ('new', 'in_progress') AND assignee_id IS NOT DISTINCT FROM $1
           ORDER BY priority, created_at
           LIMIT $2"#,
        holder,
        limit
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(QueueLine {
                priority: super::priority(r.priority)?,
                status: r.status.parse().map_err(|_| corrupt("status", &r.status))?,
                number: r.number,
                title: r.title,
                resolution_due: r.resolution_due,
            })
        })
        .collect()
}

/// Where the card went, once the sender has posted it.
pub async fn set_card(
    conn: &mut PgConnection,
    ticket_id: i64,
    chat_id: &str,
    message_id: &str,
) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE tickets SET card_chat_id = $2, card_message_id = $3 WHERE id = $1",
        ticket_id,
        chat_id,
        message_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The card's message id in `chat_id`, once posted there.
pub async fn card_message(
    conn: &mut PgConnection,
    ticket_id: i64,
    chat_id: &str,
) -> Result<Option<String>, StoreError> {
    let id = sqlx::query_scalar!(
        "SELECT card_message_id FROM tickets WHERE id = $1 AND card_chat_id = $2",
        ticket_id,
        chat_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(id.flatten())
}
