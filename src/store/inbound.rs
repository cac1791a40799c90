//! Inbound messages: recorded once per channel message id.

use super::StoreError;
use crate::domain::Inbound;
use sqlx::PgConnection;

/// Records a message. `None` when the same channel message id was recorded before:
/// a repeat delivery, to be ignored.
pub async fn record(conn: &mut PgConnection, m: &Inbound) -> Result<Option<i64>, StoreError> {
    let payload = serde_json::to_value(m)?;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO inbound_messages (channel, external_id, chat_id, sender_id, payload, received_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (channel, external_id) DO NOTHING
           RETURNING id"#,
        m.channel.as_str(),
        m.message_id,
        m.chat_id,
        m.sender_id,
        payload,
        m.received_at,
    )
    .fetch_optional(conn)
    .await?;
    Ok(id)
}

/// When the person in this chat last wrote (platforms that limit free-form messages to a
/// window after it).
pub async fn last_received(
    conn: &mut PgConnection,
    channel: &str,
    chat_id: &str,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, StoreError> {
    let at = sqlx::query_scalar!(
        r#"SELECT received_at FROM inbound_messages WHERE channel = $1 AND chat_id = $2
           ORDER BY received_at DESC LIMIT 1"#,
        channel,
        chat_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(at)
}
