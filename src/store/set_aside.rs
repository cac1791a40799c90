//! Deliveries set aside: what a channel could not handle for a reason that will not go away,
//! kept with its raw bytes so that the next delivery is not held behind it.

use super::StoreError;
use sqlx::PgConnection;

/// One delivery to set aside.
#[derive(Debug, Clone, Copy)]
pub struct Aside<'a> {
    pub channel: &'a str,
    /// The platform's id for the delivery (a Telegram update id, a WhatsApp `wamid`).
    pub external_id: &'a str,
    /// Where the person who sent it can be answered, when that is known.
    pub chat_id: Option<&'a str>,
    /// As the platform sent it.
    pub raw: &'a [u8],
    /// Why it could not be handled; must be storable text.
    pub reason: &'a str,
}

/// Records it; `false` when the same delivery was set aside before (a repeat).
pub async fn record(conn: &mut PgConnection, a: &Aside<'_>) -> Result<bool, StoreError> {
    let id = sqlx::query_scalar!(
        r#"INSERT INTO set_aside (channel, external_id, chat_id, raw, reason)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (channel, external_id) DO NOTHING
           RETURNING id"#,
        a.channel,
        a.external_id,
        a.chat_id,
        a.raw,
        a.reason,
    )
    .fetch_optional(conn)
    .await?;
    Ok(id.is_some())
}
