//! Conversation state rows: one per chat, locked while a message is handled.

use super::StoreError;
use sqlx::PgConnection;

#[derive(Debug, Clone)]
pub struct Conversation {
    pub id: i64,
    pub state: serde_json::Value,
    pub version: i64,
}

/// The chat's conversation, locked until the transaction ends: messages of one chat are
/// handled one after another, whichever process receives them.
pub async fn lock(
    conn: &mut PgConnection,
    channel: &str,
    chat_id: &str,
    reporter_id: i64,
) -> Result<Conversation, StoreError> {
    if let Some(c) = select_for_update(conn, channel, chat_id).await? {
        return Ok(c);
    }
    sqlx::query!(
        r#"INSERT INTO conversations (channel, chat_id, reporter_id) VALUES ($1, $2, $3)
           ON CONFLICT (channel, chat_id) DO NOTHING"#,
        channel,
        chat_id,
        reporter_id
    )
    .execute(&mut *conn)
    .await?;
    select_for_update(conn, channel, chat_id)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("conversation {channel}/{chat_id} vanished")))
}

async fn select_for_update(
    conn: &mut PgConnection,
    channel: &str,
    chat_id: &str,
) -> Result<Option<Conversation>, StoreError> {
    let c = sqlx::query_as!(
        Conversation,
        "SELECT id, state, version FROM conversations WHERE channel = $1 AND chat_id = $2 FOR UPDATE",
        channel,
        chat_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(c)
}

/// Saves the new state, and records which conversation the inbound message moved.
pub async fn save(
    conn: &mut PgConnection,
    id: i64,
    state: &serde_json::Value,
    inbound_id: i64,
) -> Result<(), StoreError> {
    // One round trip for both: this runs for every message.
    sqlx::query!(
        r#"WITH saved AS (
               UPDATE conversations SET state = $2, version = version + 1, updated_at = now()
               WHERE id = $1
               RETURNING id)
           UPDATE inbound_messages SET conversation_id = (SELECT id FROM saved) WHERE id = $3"#,
        id,
        state,
        inbound_id
    )
    .execute(conn)
    .await?;
    Ok(())
}
