//! Technicians: who may act on tickets in the war room, known by their Telegram user id.

use super::StoreError;
use sqlx::PgConnection;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Technician {
    pub id: i64,
    pub name: String,
    pub team: String,
    pub telegram_user_id: Option<i64>,
    pub active: bool,
}

/// Registers a technician, or updates and re-activates the one with this Telegram id.
pub async fn add(
    conn: &mut PgConnection,
    telegram_user_id: i64,
    name: &str,
    team: &str,
) -> Result<Technician, StoreError> {
    let t = sqlx::query_as!(
        Technician,
        r#"INSERT INTO technicians (telegram_user_id, name, team) VALUES ($1, $2, $3)
           ON CONFLICT (telegram_user_id) DO UPDATE
               SET name = EXCLUDED.name, team = EXCLUDED.team, active = true, updated_at = now()
           RETURNING id, name, team, telegram_user_id, active"#,
        telegram_user_id,
        name,
        team
    )
    .fetch_one(conn)
    .await?;
    Ok(t)
}

/// Every technician, active ones first.
pub async fn list(conn: &mut PgConnection) -> Result<Vec<Technician>, StoreError> {
    let t = sqlx::query_as!(
        Technician,
        "SELECT id, name, team, telegram_user_id, active FROM technicians ORDER BY active DESC, team, name"
    )
    .fetch_all(conn)
    .await?;
    Ok(t)
}

/// Takes away a technician's rights. The row stays: their tickets and events name them.
/// `false` when no active technician has this Telegram id.
pub async fn remove(conn: &mut PgConnection, telegram_user_id: i64) -> Result<bool, StoreError> {
    let done = sqlx::query!(
        "UPDATE technicians SET active = false, updated_at = now() WHERE telegram_user_id = $1 AND active",
        telegram_user_id
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "DELETE FROM desk_prompts WHERE technician_id IN (SELECT id FROM technicians WHERE telegram_user_id = $1)",
        telegram_user_id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The active technician behind a Telegram user, if any: the check behind every action.
pub async fn by_telegram(conn: &mut PgConnection, telegram_user_id: i64) -> Result<Option<Technician>, StoreError> {
    let t = sqlx::query_as!(
        Technician,
        r#"SELECT id, name, team, telegram_user_id, active FROM technicians
           WHERE telegram_user_id = $1 AND active"#,
        telegram_user_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(t)
}
