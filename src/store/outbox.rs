//! Outbound messages, written in the transaction that causes them and sent later by a
//! sender that claims them, delivers them and marks them sent, or gives up on them.

use super::StoreError;
use crate::domain::Outbound;
use sqlx::PgConnection;

/// What to do with a queued message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// A new message, perhaps as a reply to another.
    Send { reply_to: Option<String> },
    /// Replace the text and buttons of a message already sent.
    Edit { message_id: String },
    /// Post the ticket's card, or edit it in place once posted. Only the latest pending
    /// card of a ticket is sent: the steps in between would be stale on arrival.
    Card,
    /// Acknowledge a button press; a non-empty text is shown as an alert.
    Answer { query_id: String },
    /// Send the platform's pre-approved form of the message: a free-form one was refused
    /// because the recipient last wrote too long ago.
    Template,
}

impl Op {
    fn parts(&self) -> (&'static str, Option<&str>, Option<&str>) {
        match self {
            Op::Send { reply_to } => ("send", None, reply_to.as_deref()),
            Op::Edit { message_id } => ("edit", Some(message_id), None),
            Op::Card => ("card", None, None),
            Op::Answer { query_id } => ("answer", Some(query_id), None),
            Op::Template => ("template", None, None),
        }
    }

    fn from_parts(op: &str, target: Option<String>, reply_to: Option<String>) -> Result<Op, StoreError> {
        let need =
            |t: Option<String>| t.ok_or_else(|| StoreError::Corrupt(format!("outbox {op} row without a target")));
        Ok(match op {
            "send" => Op::Send { reply_to },
            "edit" => Op::Edit {
                message_id: need(target)?,
            },
            "card" => Op::Card,
            "template" => Op::Template,
            "answer" => Op::Answer {
                query_id: need(target)?,
            },
            other => return Err(StoreError::Corrupt(format!("outbox op `{other}`"))),
        })
    }
}

/// A message to queue, and the ticket it is about, if any.
#[derive(Debug, Clone)]
pub struct Queued {
    pub message: Outbound,
    pub ticket_id: Option<i64>,
    pub op: Op,
}

impl Queued {
    pub fn send(message: Outbound, ticket_id: Option<i64>) -> Queued {
        Queued {
            message,
            ticket_id,
            op: Op::Send { reply_to: None },
        }
    }
}

/// Queues `messages` for one chat, in order, in one statement.
pub async fn push_all(
    conn: &mut PgConnection,
    channel: &str,
    chat_id: &str,
    inbound_id: Option<i64>,
    messages: &[Queued],
) -> Result<(), StoreError> {
    if messages.is_empty() {
        return Ok(());
    }
    let payloads = messages
        .iter()
        .map(|m| serde_json::to_value(&m.message))
        .collect::<Result<Vec<_>, _>>()?;
    let tickets: Vec<Option<i64>> = messages.iter().map(|m| m.ticket_id).collect();
    let parts: Vec<_> = messages.iter().map(|m| m.op.parts()).collect();
    let ops: Vec<String> = parts.iter().map(|p| p.0.to_owned()).collect();
    let targets: Vec<Option<String>> = parts.iter().map(|p| p.1.map(str::to_owned)).collect();
    let replies: Vec<Option<String>> = parts.iter().map(|p| p.2.map(str::to_owned)).collect();
    sqlx::query!(
        r#"INSERT INTO outbox (channel, chat_id, payload, inbound_id, ticket_id, op, target, reply_to)
           SELECT $1, $2, m.payload, $3, m.ticket_id, m.op, m.target, m.reply_to
           FROM UNNEST($4::jsonb[], $5::int8[], $6::text[], $7::text[], $8::text[])
                WITH ORDINALITY AS m(payload, ticket_id, op, target, reply_to, n)
           ORDER BY m.n"#,
        channel,
        chat_id,
        inbound_id,
        &payloads,
        &tickets as &[Option<i64>],
        &ops,
        &targets as &[Option<String>],
        &replies as &[Option<String>],
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Pending {
    pub id: i64,
    pub chat_id: String,
    pub message: Outbound,
}

/// Unsent messages for one chat, oldest first, locked for this sender.
pub async fn claim_for_chat(conn: &mut PgConnection, channel: &str, chat_id: &str) -> Result<Vec<Pending>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT id, chat_id, payload FROM outbox
           WHERE channel = $1 AND chat_id = $2 AND sent_at IS NULL AND dead_at IS NULL AND available_at <= now()
           ORDER BY id
           FOR UPDATE SKIP LOCKED"#,
        channel,
        chat_id
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Pending {
                id: r.id,
                chat_id: r.chat_id,
                message: serde_json::from_value(r.payload)?,
            })
        })
        .collect()
}

pub async fn mark_sent(conn: &mut PgConnection, ids: &[i64]) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = ANY($1)",
        ids
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A row due for sending, as a channel sender sees it.
#[derive(Debug, Clone)]
pub struct Due {
    pub id: i64,
    pub chat_id: String,
    pub op: Op,
    pub ticket_id: Option<i64>,
    pub message: Outbound,
    pub attempts: i32,
    /// Parts of the message already out (see `part_sent`).
    pub parts_sent: i32,
}

/// Rows of the channel waiting to be sent, fairly: at most `per_chat` of each chat (a
/// chat's button answers apart from its messages, since they keep no order), every chat's
/// first before any chat's second, at most `limit` in all. Messages to the chats in
/// `skip_chats` are left out: they must wait for a limit or a retry, and must not crowd out
/// the chats that may go now. Answers are never left out: a press waits for its answer.
pub async fn due_fairly(
    conn: &mut PgConnection,
    channel: &str,
    per_chat: i64,
    limit: i64,
    skip_chats: &[String],
) -> Result<Vec<Due>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id!", chat_id AS "chat_id!", op AS "op!", target, reply_to, ticket_id,
                  payload AS "payload!", attempts AS "attempts!", parts_sent AS "parts_sent!"
           FROM (SELECT o.id, o.chat_id, o.op, o.target, o.reply_to, o.ticket_id, o.payload, o.attempts,
                        o.parts_sent,
                        row_number() OVER (PARTITION BY o.chat_id, o.op = 'answer' ORDER BY o.id) AS n
                 FROM outbox o
                 WHERE o.channel = $1 AND o.sent_at IS NULL AND o.dead_at IS NULL AND o.available_at <= now()
                   AND (o.op = 'answer' OR o.chat_id <> ALL($4))) d
           WHERE n <= $2
           ORDER BY n, id
           LIMIT $3"#,
        channel,
        per_chat,
        limit,
        skip_chats,
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Due {
                id: r.id,
                chat_id: r.chat_id,
                op: Op::from_parts(&r.op, r.target, r.reply_to)?,
                ticket_id: r.ticket_id,
                message: serde_json::from_value(r.payload)?,
                attempts: r.attempts,
                parts_sent: r.parts_sent,
            })
        })
        .collect()
}

/// Counts one message about to be handed to the platform for `chat_id`, now; its id (see
/// `send_answered`, `uncount_send` and `recent_sends`).
pub async fn count_send(conn: &mut PgConnection, channel: &str, chat_id: &str) -> Result<i64, StoreError> {
    let id = sqlx::query_scalar!(
        "INSERT INTO outbox_sends (channel, chat_id) VALUES ($1, $2) RETURNING id",
        channel,
        chat_id
    )
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// The platform answered the counted send: it counts from now, when the platform has
/// surely seen it. `wait`: it was refused for speed, with this wait asked of this chat (or
/// of every chat, when `all_chats`).
pub async fn send_answered(
    conn: &mut PgConnection,
    id: i64,
    wait: Option<std::time::Duration>,
    all_chats: bool,
) -> Result<(), StoreError> {
    let wait_ms = wait.map(|w| i64::try_from(w.as_millis()).unwrap_or(i64::MAX));
    sqlx::query!(
        "UPDATE outbox_sends SET answered_at = clock_timestamp(), retry_after_ms = $2, all_chats = $3 WHERE id = $1",
        id,
        wait_ms,
        all_chats
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The counted send was not made after all.
pub async fn uncount_send(conn: &mut PgConnection, id: i64) -> Result<(), StoreError> {
    sqlx::query!("DELETE FROM outbox_sends WHERE id = $1", id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A send on record, as a sender taking over reads it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentSend {
    pub chat_id: String,
    /// How long ago the platform answered it.
    pub ago: std::time::Duration,
    /// What is left of a wait the platform asked for when it refused the send for speed.
    pub wait_left: Option<std::time::Duration>,
    /// That wait is for every chat.
    pub all_chats: bool,
}

/// The channel's sends of the last `window`, and any whose asked wait is not over, by the
/// database's clock, which every replica shares. A send never answered (its process was
/// killed during the call) counts as made just now: the platform may have seen it at any
/// moment since.
pub async fn recent_sends(
    conn: &mut PgConnection,
    channel: &str,
    window: std::time::Duration,
) -> Result<Vec<RecentSend>, StoreError> {
    let window_us = i64::try_from(window.as_micros()).unwrap_or(i64::MAX);
    let rows = sqlx::query!(
        r#"SELECT chat_id, all_chats,
                  (extract(epoch FROM clock_timestamp() - coalesce(answered_at, clock_timestamp())) * 1000000)::int8
                      AS "ago_us!",
                  (extract(epoch FROM answered_at + make_interval(secs => retry_after_ms / 1000.0) - clock_timestamp())
                      * 1000000)::int8 AS wait_left_us
           FROM outbox_sends
           WHERE channel = $1
             AND (coalesce(answered_at, requested_at) > clock_timestamp() - make_interval(secs => $2::int8 / 1000000.0)
                  OR answered_at + make_interval(secs => retry_after_ms / 1000.0) > clock_timestamp())"#,
        channel,
        window_us
    )
    .fetch_all(conn)
    .await?;
    let micros = |us: i64| std::time::Duration::from_micros(u64::try_from(us).unwrap_or(0));
    Ok(rows
        .into_iter()
        .map(|r| RecentSend {
            chat_id: r.chat_id,
            ago: micros(r.ago_us),
            wait_left: r.wait_left_us.filter(|us| *us > 0).map(micros),
            all_chats: r.all_chats,
        })
        .collect())
}

/// Forgets the channel's sends older than `keep` whose asked wait, if any, is over: no
/// window reaches back that far.
pub async fn forget_sends(
    conn: &mut PgConnection,
    channel: &str,
    keep: std::time::Duration,
) -> Result<u64, StoreError> {
    let keep_us = i64::try_from(keep.as_micros()).unwrap_or(i64::MAX);
    let done = sqlx::query!(
        r#"DELETE FROM outbox_sends
           WHERE channel = $1 AND requested_at < clock_timestamp() - make_interval(secs => $2::int8 / 1000000.0)
             AND (retry_after_ms IS NULL OR answered_at + make_interval(secs => retry_after_ms / 1000.0) < clock_timestamp())"#,
        channel,
        keep_us
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Serialises, until the transaction ends, everything done about one chat's sent messages:
/// the sender holds it from the request to the commit of the platform's message id, so a
/// delivery report that overtakes the answer waits for that id instead of missing its row.
pub async fn lock_chat(conn: &mut PgConnection, channel: &str, chat_id: &str) -> Result<(), StoreError> {
    sqlx::query!(
        "SELECT FROM pg_advisory_xact_lock(hashtextextended('sigap-chat/' || $1 || '/' || $2, 0))",
        channel,
        chat_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Locks one row for sending; `false` when another sender has it or it is done.
pub async fn lock(conn: &mut PgConnection, id: i64) -> Result<bool, StoreError> {
    let got = sqlx::query_scalar!(
        "SELECT id FROM outbox WHERE id = $1 AND sent_at IS NULL AND dead_at IS NULL FOR UPDATE SKIP LOCKED",
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(got.is_some())
}

/// The newest pending card of the ticket: the only one worth sending.
pub async fn latest_card(conn: &mut PgConnection, ticket_id: i64) -> Result<Option<i64>, StoreError> {
    let id = sqlx::query_scalar!(
        r#"SELECT max(id) FROM outbox WHERE ticket_id = $1 AND op = 'card' AND sent_at IS NULL AND dead_at IS NULL"#,
        ticket_id
    )
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Delivered (or, for a superseded card, no longer needed).
pub async fn delivered(
    conn: &mut PgConnection,
    id: i64,
    platform_id: Option<&str>,
    note: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"UPDATE outbox SET sent_at = now(), attempts = attempts + 1, platform_id = $2, last_error = $3
           WHERE id = $1"#,
        id,
        platform_id,
        note
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One part of a message that leaves as several is out; the row stays due for the rest.
pub async fn part_sent(conn: &mut PgConnection, id: i64, platform_id: &str) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE outbox SET parts_sent = parts_sent + 1, platform_id = $2 WHERE id = $1",
        id,
        platform_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A failed attempt that will be tried again.
pub async fn failed_attempt(conn: &mut PgConnection, id: i64, error: &str) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1",
        id,
        error
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives up on a row: it stays, with the reason, for a person to look at.
pub async fn dead(conn: &mut PgConnection, id: i64, reason: &str) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE outbox SET dead_at = now(), attempts = attempts + 1, last_error = $2 WHERE id = $1",
        id,
        reason
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives up on everything pending for a chat (the recipient blocked the bot).
pub async fn dead_chat(conn: &mut PgConnection, channel: &str, chat_id: &str, reason: &str) -> Result<u64, StoreError> {
    let done = sqlx::query!(
        r#"UPDATE outbox SET dead_at = now(), last_error = $3
           WHERE channel = $1 AND chat_id = $2 AND sent_at IS NULL AND dead_at IS NULL"#,
        channel,
        chat_id,
        reason
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Records a delivery status (sent, delivered, read, failed) on the row the platform's
/// message id belongs to; the row's id. Statuses may arrive out of order: one never
/// replaces a later one (read after delivered after sent), except `failed`, which replaces
/// any and is final. `None` when no row has that id (a part of a split message but the
/// last, or not ours) or the row has failed already (the same report again).
pub async fn record_delivery(
    conn: &mut PgConnection,
    channel: &str,
    platform_id: &str,
    status: &str,
    error: Option<&str>,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Option<i64>, StoreError> {
    let id = sqlx::query_scalar!(
        r#"WITH old AS (
               SELECT id, delivery_status FROM outbox WHERE channel = $1 AND platform_id = $2
               ORDER BY id DESC LIMIT 1 FOR UPDATE),
           new AS (
               SELECT id, $3 = 'failed' OR array_position(ARRAY['sent', 'delivered', 'read'], $3)
                      > coalesce(array_position(ARRAY['sent', 'delivered', 'read'], delivery_status), 0) AS moves
               FROM old WHERE delivery_status IS DISTINCT FROM 'failed')
           UPDATE outbox o SET
               delivery_status = CASE WHEN new.moves THEN $3 ELSE o.delivery_status END,
               delivery_at = CASE WHEN new.moves THEN $5 ELSE o.delivery_at END,
               delivery_error = coalesce($4, o.delivery_error)
           FROM new WHERE o.id = new.id
           RETURNING o.id"#,
        channel,
        platform_id,
        status,
        error,
        at,
    )
    .fetch_optional(conn)
    .await?;
    Ok(id)
}

/// Queues the row again to go as the platform's pre-approved form; the new row's id.
pub async fn requeue_as_template(conn: &mut PgConnection, id: i64) -> Result<Option<i64>, StoreError> {
    let new = sqlx::query_scalar!(
        r#"INSERT INTO outbox (channel, chat_id, payload, inbound_id, ticket_id, op)
           SELECT channel, chat_id, payload, inbound_id, ticket_id, 'template' FROM outbox
           WHERE id = $1 AND op = 'send'
           RETURNING id"#,
        id
    )
    .fetch_optional(conn)
    .await?;
    Ok(new)
}

/// Takes the channel's sending budget for this connection's session: one sender at a time
/// across all replicas keeps the platform's limits. `false` when another holds it.
pub async fn try_lead(conn: &mut PgConnection, channel: &str) -> Result<bool, StoreError> {
    let got = sqlx::query_scalar!(
        r#"SELECT pg_try_advisory_lock(hashtextextended('sigap-sender/' || $1, 0)) AS "got!""#,
        channel
    )
    .fetch_one(conn)
    .await?;
    Ok(got)
}

/// Gives the budget back (also happens when the session ends).
pub async fn step_down(conn: &mut PgConnection, channel: &str) -> Result<(), StoreError> {
    sqlx::query_scalar!(
        r#"SELECT pg_advisory_unlock(hashtextextended('sigap-sender/' || $1, 0)) AS "released!""#,
        channel
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}
