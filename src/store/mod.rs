//! Every SQL statement of Sigap, via sqlx, one module per table group.
//!
//! Functions take `&mut PgConnection` so callers compose them inside one transaction.

pub mod connect;
pub mod conversations;
pub mod desk;
mod embedded;
pub mod followup;
pub mod inbound;
pub mod kb;
pub mod outbox;
pub mod report;
pub mod reporters;
pub mod sla;
pub mod teams;
pub mod technicians;
pub mod tickets;

pub use connect::Database;
pub use embedded::ServerError;

/// The migrations in `migrations/`, built into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is not what Sigap expects: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Server(#[from] ServerError),
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> StoreError {
        StoreError::Corrupt(e.to_string())
    }
}

/// Whether the database answers.
pub async fn ping(pool: &sqlx::PgPool) -> Result<(), StoreError> {
    sqlx::query_scalar!(r#"SELECT 1 AS "one!""#).fetch_one(pool).await?;
    Ok(())
}

/// A stored priority (SMALLINT) read back; anything outside 1-3 is corrupt data.
pub(crate) fn priority(stored: i16) -> Result<crate::domain::Priority, StoreError> {
    u8::try_from(stored)
        .ok()
        .and_then(crate::domain::Priority::new)
        .ok_or_else(|| StoreError::Corrupt(format!("priority {stored}")))
}
