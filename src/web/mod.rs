//! The web server: health for the load balancer, and the platforms' webhooks.

mod health;
mod kpis;
mod telegram;

use crate::ingest::Env;
use axum::Router;
use axum::routing::{get, post};
use secrecy::SecretString;
use sqlx::PgPool;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// What the handlers share.
#[derive(Clone)]
pub struct WebState {
    pub pool: PgPool,
    pub env: Env,
    /// The Telegram webhook's secret; without it the webhook route answers 404.
    pub telegram_secret: Option<Arc<SecretString>>,
}

pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/health", get(health::health))
        .route("/api/kpis", get(kpis::kpis))
        .route("/webhooks/telegram", post(telegram::webhook))
        .with_state(state)
}

/// Serves on an already bound listener until `stop`.
pub async fn serve(listener: tokio::net::TcpListener, state: WebState, stop: CancellationToken) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await
}
