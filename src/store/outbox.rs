//! Outbound messages, written in the transaction that causes them and sent later.

use super::StoreError;
use crate::domain::Outbound;
use sqlx::PgConnection;

/// A message to queue, and the ticket it is about, if any.
#[derive(Debug, Clone)]
pub struct Queued {
    pub message: Outbound,
    pub ticket_id: Option<i64>,
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
    sqlx::query!(
        r#"INSERT INTO outbox (channel, chat_id, payload, inbound_id, ticket_id)
           SELECT $1, $2, m.payload, $3, m.ticket_id
           FROM UNNEST($4::jsonb[], $5::int8[]) WITH ORDINALITY AS m(payload, ticket_id, n)
           ORDER BY m.n"#,
        channel,
        chat_id,
        inbound_id,
        &payloads,
        &tickets as &[Option<i64>]
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
           WHERE channel = $1 AND chat_id = $2 AND sent_at IS NULL AND available_at <= now()
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
