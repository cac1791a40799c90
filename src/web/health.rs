//! `GET /health`: 200 while the database answers, 503 otherwise.

use super::WebState;
use axum::extract::State;
use axum::http::StatusCode;
use std::time::Duration;

/// A health check must answer quickly even when the database hangs.
const DB_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn health(State(s): State<WebState>) -> (StatusCode, &'static str) {
    match tokio::time::timeout(DB_TIMEOUT, crate::store::ping(&s.pool)).await {
        Ok(Ok(())) => (StatusCode::OK, "ok"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health: database error");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database not answering"),
    }
}
