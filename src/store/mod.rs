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
pub mod set_aside;
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

impl StoreError {
    /// Whether the same work may succeed if tried again: the connection or the server
    /// failed, or PostgreSQL aborted the transaction to settle a conflict. A refusal of the
    /// data itself (a constraint, an encoding, a value out of range, a statement that does
    /// not fit the schema) comes back the same every time.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Db(e) => match e {
                sqlx::Error::Database(d) => d.code().is_none_or(|c| retryable_sqlstate(&c)),
                sqlx::Error::Configuration(_)
                | sqlx::Error::InvalidArgument(_)
                | sqlx::Error::RowNotFound
                | sqlx::Error::TypeNotFound { .. }
                | sqlx::Error::ColumnIndexOutOfBounds { .. }
                | sqlx::Error::ColumnNotFound(_)
                | sqlx::Error::ColumnDecode { .. }
                | sqlx::Error::Encode(_)
                | sqlx::Error::Decode(_) => false,
                // The connection, the pool, TLS, the protocol: the way to the server.
                _ => true,
            },
            StoreError::Migrate(_) | StoreError::Corrupt(_) => false,
            StoreError::Server(_) => true,
        }
    }
}

/// SQLSTATE classes that describe the server or the connection, not the statement: 08
/// connection exception, 40 transaction rollback (serialisation failure, deadlock), 53
/// insufficient resources, 57 operator intervention (shutdown, cancel), 58 system error;
/// and 55P03, a lock not available now.
fn retryable_sqlstate(code: &str) -> bool {
    matches!(code.get(..2), Some("08" | "40" | "53" | "57" | "58")) || code == "55P03"
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
