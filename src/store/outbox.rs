//! Outbound messages, written in the transaction that causes them and sent later.

use super::StoreError;
use crate::domain::Outbound;
use sqlx::PgConnection;

pub async fn push(
    conn: &mut PgConnection,
    channel: &str,
    chat_id: &str,
    message: &Outbound,
    inbound_id: Option<i64>,
    ticket_id: Option<i64>,
) -> Result<i64, StoreError> {
    let payload = serde_json::to_value(message)?;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO outbox (channel, chat_id, payload, inbound_id, ticket_id)
           VALUES ($1, $2, $3, $4, $5) RETURNING id"#,
        channel,
        chat_id,
        payload,
        inbound_id,
        ticket_id
    )
    .fetch_one(conn)
    .await?;
    Ok(id)
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
