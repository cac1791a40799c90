//! The WhatsApp side of the outbox sender: the number's limits, the 24-hour window (a
//! template instead of free text once it closed, found before sending or told by the API),
//! and what each refusal means.

use super::api::{Message, code};
use super::client::{Client, Failure};
use super::privacy::masked;
use super::render;
use crate::channels::Delivery;
use crate::store::outbox::{Due, Op};
use crate::store::{StoreError, inbound, reporters};
use crate::workers::limits::Limits;
use crate::workers::sender::{Transport, backoff};
use sqlx::PgConnection;
use std::time::Duration;

pub const CHANNEL: &str = "whatsapp";
/// Free-form messages are allowed this long after the person last wrote; a few minutes
/// are kept back for clocks and queues.
const WINDOW: chrono::Duration = chrono::Duration::hours(24);
const WINDOW_MARGIN: chrono::Duration = chrono::Duration::minutes(5);
/// How often a refused token is tried again.
const AUTH_PAUSE: Duration = Duration::from_secs(60);

impl Transport for Client {
    fn channel(&self) -> &'static str {
        CHANNEL
    }

    fn limits(&self) -> Limits {
        Limits::whatsapp(self.settings.messages_per_second, self.settings.per_recipient_burst)
    }

    fn shown(&self, chat_id: &str) -> String {
        masked(chat_id)
    }

    async fn deliver(&self, tx: &mut PgConnection, row: &Due) -> Result<Delivery, StoreError> {
        if matches!(row.op, Op::Edit { .. } | Op::Answer { .. } | Op::Card) {
            return Ok(Delivery::Skipped(
                "WhatsApp cannot edit a message or answer a press".into(),
            ));
        }
        let language = reporters::locale_of(tx, CHANNEL, &row.chat_id)
            .await?
            .unwrap_or_else(|| self.language.clone());
        let last = inbound::last_received(tx, CHANNEL, &row.chat_id).await?;
        let open = last.is_some_and(|at| self.clock.now() - at < WINDOW - WINDOW_MARGIN);
        if !open || row.op == Op::Template {
            return Ok(self.as_template(row, &language, "window closed").await);
        }
        // One part per call: a refusal of a later part never sends an earlier one again,
        // and every part is counted against the limits.
        let parts = render::free_form(&row.message, &self.list_button(&language));
        let done = usize::try_from(row.parts_sent).unwrap_or(0);
        let Some(part) = parts.get(done) else {
            return Ok(Delivery::Sent(None));
        };
        match self.post(&row.chat_id, part).await {
            Ok(id) if done + 1 < parts.len() => Ok(Delivery::Part(id)),
            Ok(id) => Ok(Delivery::Sent(Some(id))),
            // The API knows better than our clock: the window is closed after all. The
            // template carries what matters (the status, the question and its buttons),
            // even when a part of the free text already went.
            Err(f) if f.code() == Some(code::WINDOW_CLOSED) => {
                Ok(self.as_template(row, &language, "refused: window closed").await)
            }
            Err(f) => Ok(self.classify(row, &f)),
        }
    }
}

impl Client {
    async fn as_template(&self, row: &Due, language: &str, why: &str) -> Delivery {
        let message = render::template(&row.message, &self.settings.templates, language);
        let Message::Template { name, .. } = &message else {
            unreachable!("render::template makes templates")
        };
        tracing::info!(chat = %masked(&row.chat_id), outbox = row.id, template = %name, why, "sending as a template");
        match self.post(&row.chat_id, &message).await {
            Ok(id) => Delivery::Sent(Some(id)),
            Err(f) => self.classify(row, &f),
        }
    }

    /// What the sender must do about a refusal.
    fn classify(&self, row: &Due, f: &Failure) -> Delivery {
        let reason = f.reason();
        let Failure::Api { status, error } = f else {
            return Delivery::Failed(reason);
        };
        match error.code {
            // Meta paces a pair at about one message in 6 s: wait longer each time.
            code::PAIR_RATE => Delivery::RetryAfter(pair_backoff(row.attempts)),
            code::THROUGHPUT | code::SPAM_RATE => {
                Delivery::SlowDown(backoff(row.attempts + 1).min(Duration::from_secs(60)))
            }
            code::UNDELIVERABLE => Delivery::Unreachable(reason),
            c if code::AUTH.contains(&c) || *status == 401 => {
                tracing::error!(
                    reason,
                    "WhatsApp refused the access token (SIGAP_WA_TOKEN); messages wait"
                );
                // Every send would fail alike: the whole channel waits, and no message
                // uses up its tries while the token is being fixed.
                Delivery::SlowDown(AUTH_PAUSE)
            }
            c if code::TEMPORARY.contains(&c) || *status >= 500 => Delivery::Failed(reason),
            _ if *status == 429 => Delivery::SlowDown(backoff(row.attempts + 1)),
            _ => Delivery::Rejected(reason),
        }
    }
}

/// 6 s, 12 s, 24 s … at most 5 minutes.
fn pair_backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(0, 6)).unwrap_or(0);
    (Duration::from_secs(6) * (1 << exp)).min(Duration::from_secs(300))
}

#[cfg(test)]
mod tests {
    #[test]
    fn pair_backoff_grows_to_five_minutes() {
        use std::time::Duration;
        assert_eq!(super::pair_backoff(0), Duration::from_secs(6));
        assert_eq!(super::pair_backoff(2), Duration::from_secs(24));
        assert_eq!(super::pair_backoff(40), Duration::from_secs(300));
    }
}
