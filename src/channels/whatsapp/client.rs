//! The Cloud API client: posts one message and reads the answer, success or error.

use super::api::{Accepted, ApiError, ErrorBody, Message};
use crate::config::WhatsAppSettings;
use crate::i18n::Locales;
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

/// A failed post.
#[derive(Debug, Clone)]
pub enum Failure {
    /// The API answered with an error.
    Api { status: u16, error: ApiError },
    /// No answer, or one that is not the API's (a proxy's page).
    Network(String),
}

impl Failure {
    pub fn code(&self) -> Option<i64> {
        match self {
            Failure::Api { error, .. } => Some(error.code),
            Failure::Network(_) => None,
        }
    }

    pub fn reason(&self) -> String {
        match self {
            Failure::Api { status, error } => format!("HTTP {status}: {}", error.reason()),
            Failure::Network(e) => e.clone(),
        }
    }
}

/// The WhatsApp number's sending side. Its `Debug` never shows the token.
pub struct Client {
    http: reqwest::Client,
    messages_url: String,
    token: SecretString,
    pub(super) settings: WhatsAppSettings,
    pub(super) locales: Locales,
    pub(super) language: String,
    pub(super) clock: Clock,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("messages_url", &self.messages_url)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// The client for the configured number; `None` when WhatsApp is not configured.
    pub fn new(settings: &WhatsAppSettings, locales: Locales, language: &str) -> anyhow::Result<Option<Client>> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()?;
        Ok(Client::with_http(settings, locales, language, http))
    }

    /// As `new`, on a given HTTP client (e.g. one without periodic timers).
    pub fn with_http(
        settings: &WhatsAppSettings,
        locales: Locales,
        language: &str,
        http: reqwest::Client,
    ) -> Option<Client> {
        if !settings.enabled() {
            return None;
        }
        let (token, phone) = (settings.token.clone()?, settings.phone_number_id.clone()?);
        Some(Client {
            http,
            messages_url: format!("{}/{phone}/messages", settings.api_base()),
            token,
            settings: settings.clone(),
            locales,
            language: language.to_owned(),
            clock: Clock::start(),
        })
    }

    /// Posts one message to `to`; the `wamid` it was given.
    pub async fn post(&self, to: &str, message: &Message) -> Result<String, Failure> {
        let sent = self
            .http
            .post(&self.messages_url)
            .bearer_auth(self.token.expose_secret())
            .json(&message.body(to))
            .send()
            .await
            // Without the URL: it names the number id, and errors are logged.
            .map_err(|e| Failure::Network(e.without_url().to_string()))?;
        let status = sent.status();
        let body = sent
            .bytes()
            .await
            .map_err(|e| Failure::Network(e.without_url().to_string()))?;
        if status.is_success() {
            let accepted: Accepted = serde_json::from_slice(&body)
                .map_err(|e| Failure::Network(format!("unreadable answer to a send: {e}")))?;
            return accepted
                .messages
                .into_iter()
                .next()
                .map(|m| m.id)
                .ok_or_else(|| Failure::Network("a send answered without a message id".into()));
        }
        match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(e) => Err(Failure::Api {
                status: status.as_u16(),
                error: e.error,
            }),
            Err(_) => Err(Failure::Network(format!("HTTP {status} without an API error"))),
        }
    }

    /// A list's opening button, in the recipient's language.
    pub(super) fn list_button(&self, language: &str) -> String {
        self.locales.text(language, "wa-list-button")
    }
}

/// Wall-clock time that also moves with tokio's clock, so a test can let a day pass with
/// tokio's paused clock. The later of the system's time and the start plus tokio's elapsed
/// time: after a suspended VM wakes (tokio's clock stood still) the system's is later, and
/// where they drift apart the later one only ends the 24-hour window early, never late.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    utc: DateTime<Utc>,
    at: tokio::time::Instant,
}

impl Clock {
    pub fn start() -> Clock {
        Clock {
            utc: Utc::now(),
            at: tokio::time::Instant::now(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let moved = self.utc + chrono::Duration::from_std(self.at.elapsed()).unwrap_or_default();
        moved.max(Utc::now())
    }
}
