//! `POST /webhooks/telegram`: the secret checked in constant time before anything is read;
//! 200 only after the update's transaction committed, or the update was set aside because
//! no retry would store it (Telegram retries anything else).

use super::WebState;
use crate::channels::telegram;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;
use teloxide::types::Update;

const SECRET_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";

/// Whether the header carries the configured secret, compared in constant time.
pub fn secret_matches(headers: &HeaderMap, secret: &str) -> bool {
    let given = headers.get(SECRET_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
    bool::from(given.ct_eq(secret.as_bytes()))
}

pub async fn webhook(State(s): State<WebState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let Some(secret) = &s.telegram_secret else {
        return StatusCode::NOT_FOUND;
    };
    if !secret_matches(&headers, secret.expose_secret()) {
        tracing::warn!("Telegram webhook call with a wrong or missing secret refused");
        return StatusCode::UNAUTHORIZED;
    }
    let update: Update = match serde_json::from_slice(&body) {
        Ok(u) => u,
        Err(e) => {
            // It will never read better: accept it so Telegram does not resend it forever.
            tracing::warn!(error = %e, "unreadable Telegram update dropped");
            return StatusCode::OK;
        }
    };
    let failed = match telegram::process(&s.pool, &s.env, &update).await {
        Ok(_) => return StatusCode::OK,
        Err(e) => e,
    };
    if failed.is_retryable() {
        tracing::error!(update = update.id.0, error = %failed, "Telegram update not stored; Telegram will resend it");
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    // No retry would store it: set aside, so Telegram does not hold the chat's next ones.
    match telegram::set_aside(&s.pool, &s.env, &update, &body, &failed).await {
        Ok(_) => StatusCode::OK,
        Err(e) => {
            tracing::error!(update = update.id.0, error = %e, "Telegram update not set aside; Telegram will resend it");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_must_match_exactly() {
        let name = axum::http::HeaderName::from_bytes(SECRET_HEADER.as_bytes()).unwrap();
        let mut h = HeaderMap::new();
        assert!(!secret_matches(&h, "s3cret"));
        h.insert(name.clone(), "s3cre".parse().unwrap());
        assert!(!secret_matches(&h, "s3cret"));
        h.insert(name, "s3cret".parse().unwrap());
        assert!(secret_matches(&h, "s3cret"));
    }
}
