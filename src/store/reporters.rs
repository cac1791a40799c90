//! Reporters and their channel identities.

use super::StoreError;
use sqlx::PgConnection;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reporter {
    pub id: i64,
    pub name: Option<String>,
    pub unit: Option<String>,
    pub locale: String,
}

/// The reporter behind a channel identity, created on first contact. The platform's
/// display name becomes the reporter's name until they give one.
pub async fn for_identity(
    conn: &mut PgConnection,
    channel: &str,
    external_id: &str,
    display_name: Option<&str>,
    locale: &str,
) -> Result<Reporter, StoreError> {
    if let Some(r) = find(conn, channel, external_id).await? {
        return Ok(r);
    }
    // Two first messages at once must not make two reporters.
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 7))",
        channel,
        external_id
    )
    .execute(&mut *conn)
    .await?;
    if let Some(r) = find(conn, channel, external_id).await? {
        return Ok(r);
    }
    let id = sqlx::query_scalar!(
        "INSERT INTO reporters (name, locale) VALUES ($1, $2) RETURNING id",
        display_name,
        locale
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO reporter_identities (channel, external_id, reporter_id, display_name) VALUES ($1, $2, $3, $4)",
        channel,
        external_id,
        id,
        display_name
    )
    .execute(&mut *conn)
    .await?;
    Ok(Reporter {
        id,
        name: display_name.map(str::to_owned),
        unit: None,
        locale: locale.to_owned(),
    })
}

async fn find(conn: &mut PgConnection, channel: &str, external_id: &str) -> Result<Option<Reporter>, StoreError> {
    let r = sqlx::query_as!(
        Reporter,
        r#"SELECT r.id, r.name, r.unit, r.locale
           FROM reporters r JOIN reporter_identities i ON i.reporter_id = r.id
           WHERE i.channel = $1 AND i.external_id = $2"#,
        channel,
        external_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(r)
}

/// Saves the name and/or unit the reporter gave.
pub async fn save_profile(
    conn: &mut PgConnection,
    id: i64,
    name: Option<&str>,
    unit: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"UPDATE reporters SET name = COALESCE($2, name), unit = COALESCE($3, unit), updated_at = now()
           WHERE id = $1"#,
        id,
        name,
        unit
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The language the reporter wants replies in.
pub async fn set_locale(conn: &mut PgConnection, id: i64, locale: &str) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE reporters SET locale = $2, updated_at = now() WHERE id = $1",
        id,
        locale
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The platform refuses to deliver to this identity (the bot was blocked): nothing more
/// is sent until they write again.
pub async fn mark_unreachable(conn: &mut PgConnection, channel: &str, external_id: &str) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE reporter_identities SET unreachable_at = now() WHERE channel = $1 AND external_id = $2",
        channel,
        external_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// They wrote again: reachable.
pub async fn mark_reachable(conn: &mut PgConnection, channel: &str, external_id: &str) -> Result<(), StoreError> {
    sqlx::query!(
        r#"UPDATE reporter_identities SET unreachable_at = NULL
           WHERE channel = $1 AND external_id = $2 AND unreachable_at IS NOT NULL"#,
        channel,
        external_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The language of the reporter behind a channel identity, if known.
pub async fn locale_of(
    conn: &mut PgConnection,
    channel: &str,
    external_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(find(conn, channel, external_id).await?.map(|r| r.locale))
}
