//! `/webhooks/whatsapp`: Meta's verification handshake (`GET`) and its signed deliveries
//! (`POST`). The signature is checked on the raw bytes, in constant time, before anything
//! is parsed; 200 only once every message and status in the call is committed (Meta
//! retries anything else for days, and the `wamid` makes a repeat a no-op).

use super::WebState;
use crate::channels::whatsapp::{self, signature, webhook::Payload};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use subtle::ConstantTimeEq;

/// The webhook's two secrets.
pub struct Secrets {
    pub app_secret: SecretString,
    pub verify_token: SecretString,
}

#[derive(Debug, Deserialize)]
pub struct Handshake {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

pub async fn verify(State(s): State<WebState>, Query(q): Query<Handshake>) -> (StatusCode, String) {
    let Some(secrets) = &s.whatsapp else {
        return (StatusCode::NOT_FOUND, String::new());
    };
    let given = q.verify_token.as_deref().unwrap_or_default().as_bytes();
    let token_ok = bool::from(given.ct_eq(secrets.verify_token.expose_secret().as_bytes()));
    match (q.mode.as_deref(), q.challenge) {
        (Some("subscribe"), Some(challenge)) if token_ok => (StatusCode::OK, challenge),
        _ => {
            tracing::warn!("WhatsApp webhook verification with a wrong token refused");
            (StatusCode::FORBIDDEN, String::new())
        }
    }
}

pub async fn deliver(State(s): State<WebState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let Some(secrets) = &s.whatsapp else {
        return StatusCode::NOT_FOUND;
    };
    let given = headers.get(signature::HEADER).map(|v| v.as_bytes());
    if !signature::valid(secrets.app_secret.expose_secret().as_bytes(), given, &body) {
        tracing::warn!("WhatsApp webhook call with a wrong or missing signature refused");
        return StatusCode::UNAUTHORIZED;
    }
    // Text PostgreSQL refuses (a NUL) is dropped here, before anything reads it.
    let payload = serde_json::from_slice::<serde_json::Value>(&body).and_then(|mut tree| {
        crate::domain::storable::json(&mut tree);
        Payload::deserialize(tree)
    });
    let payload = match payload {
        Ok(p) => p,
        Err(e) => {
            // Signed by Meta but unreadable to us: it will never read better, so take it
            // rather than have it sent again for days.
            tracing::warn!(error = %e, "unreadable WhatsApp webhook call dropped");
            return StatusCode::OK;
        }
    };
    match whatsapp::process(&s.pool, &s.env, payload, &body).await {
        Ok(done) => {
            tracing::debug!(?done, "WhatsApp webhook handled");
            StatusCode::OK
        }
        Err(e) => {
            tracing::error!(error = %e, "WhatsApp webhook not stored; Meta will send it again");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}
