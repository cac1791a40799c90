//! The web server: health for the load balancer, and the platforms' webhooks.

mod health;
mod kpis;
mod telegram;
pub mod whatsapp;

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
    /// The WhatsApp webhook's secrets; without them the route answers 404.
    pub whatsapp: Option<Arc<whatsapp::Secrets>>,
}

pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/health", get(health::health))
        .route("/api/kpis", get(kpis::kpis))
        .route("/metrics", get(metrics))
        .route("/webhooks/telegram", post(telegram::webhook))
        .route("/webhooks/whatsapp", get(whatsapp::verify).post(whatsapp::deliver))
        .with_state(state)
}

/// Counters for Prometheus, in its text format.
async fn metrics(axum::extract::State(s): axum::extract::State<WebState>) -> impl axum::response::IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        s.env.metrics.render(),
    )
}

/// Serves on an already bound listener until `stop`.
pub async fn serve(listener: tokio::net::TcpListener, state: WebState, stop: CancellationToken) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await
}
