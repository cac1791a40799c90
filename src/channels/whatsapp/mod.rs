//! WhatsApp: reporters on a WhatsApp Business number through Meta's Cloud API.
//!
//! Meta posts each batch of messages and delivery statuses to our webhook, signed with the
//! app secret (`web::whatsapp` checks it before anything is read). Each message is handled
//! in its own transaction by the same engine as Telegram's, deduplicated on its `wamid`;
//! statuses are recorded on the outbox row they belong to. Everything said back leaves
//! through the outbox and `workers::sender` with this channel's `Transport`.

pub mod api;
mod client;
pub mod privacy;
mod render;
pub mod signature;
mod transport;
pub mod webhook;

pub use client::{Client, Failure};
pub use transport::CHANNEL;

use crate::ingest::{self, Env, IngestError, Outcome};
use crate::store::outbox;
use crate::store::set_aside::Aside;
use chrono::Utc;
use sqlx::PgPool;
use webhook::{Event, Status};

/// How many WhatsApp messages `m` becomes when sent free-form (a long text is split; a
/// list holds ten rows).
pub fn message_count(m: &crate::domain::Outbound) -> usize {
    render::free_form(m, "-").len()
}

/// What a webhook call held, once handled.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Processed {
    /// Messages handled now.
    pub messages: usize,
    /// Messages handled before (a repeated delivery).
    pub duplicates: usize,
    pub statuses: usize,
    pub ignored: usize,
    /// Messages and statuses no retry would store, set aside (see `set_aside`).
    pub set_aside: usize,
}

/// Handles a webhook payload, each message and status in order and each committed (or set
/// aside) before the next; `Ok` once all are, and only then may Meta be told. `raw` is the
/// call's body as Meta sent it, kept with anything set aside.
pub async fn process(
    pool: &PgPool,
    env: &Env,
    payload: webhook::Payload,
    raw: &[u8],
) -> Result<Processed, IngestError> {
    let mut done = Processed::default();
    if payload.object != "whatsapp_business_account" {
        tracing::debug!(object = %payload.object, "webhook for another kind of object ignored");
        return Ok(done);
    }
    for event in webhook::events(payload, Utc::now()) {
        let (result, id, chat) = match event {
            Event::Message(m) => {
                let r = ingest::handle(pool, env, &m).await.map(|o| match o {
                    Outcome::Duplicate => done.duplicates += 1,
                    Outcome::Handled { .. } => done.messages += 1,
                });
                (r, m.message_id, Some(m.chat_id))
            }
            Event::Status(s) => {
                let r = status(pool, env, &s).await.map(|()| done.statuses += 1);
                (r, format!("status/{}/{}", s.id, s.status), None)
            }
            Event::Ignored(why) => {
                tracing::debug!(why, "WhatsApp message ignored");
                done.ignored += 1;
                continue;
            }
        };
        match result {
            Ok(()) => {}
            // Meta sends the call again; what is committed already is a no-op then.
            Err(e) if e.is_retryable() => return Err(e),
            Err(e) => {
                let aside = Aside {
                    channel: CHANNEL,
                    external_id: &id,
                    chat_id: chat.as_deref(),
                    raw: &webhook::raw_part(raw, &id),
                    reason: &e.to_string(),
                };
                crate::set_aside::set_aside(pool, env, &aside).await?;
                done.set_aside += 1;
            }
        }
    }
    env.outbox_ready.ring();
    Ok(done)
}

/// Records a delivery status. A free-form message refused later because the window had
/// closed goes again as its template.
async fn status(pool: &PgPool, env: &Env, s: &Status) -> Result<(), IngestError> {
    if !["sent", "delivered", "read", "failed"].contains(&s.status.as_str()) {
        env.metrics.status(CHANNEL, &s.status);
        tracing::debug!(status = %s.status, "delivery status not recorded");
        return Ok(());
    }
    let error = s.errors.first();
    let reason = error.map(webhook::StatusError::reason);
    let failed = s.status == "failed";
    let mut tx = pool.begin().await?;
    // Meta may report on a message before our sender has committed its id: wait for it.
    outbox::lock_chat(&mut tx, CHANNEL, &s.recipient_id).await?;
    let row = outbox::record_delivery(&mut tx, CHANNEL, &s.id, &s.status, reason.as_deref(), Utc::now()).await?;
    let code = error.map(|e| e.code);
    let again = match row {
        Some(id) if failed && code == Some(api::code::WINDOW_CLOSED) => {
            outbox::requeue_as_template(&mut tx, id).await?
        }
        _ => None,
    };
    tx.commit().await?;
    // Counted once committed, so a report Meta repeats after an error is counted once.
    env.metrics.status(CHANNEL, &s.status);
    if failed {
        env.metrics.failed(CHANNEL, code.unwrap_or(0));
        tracing::warn!(
            chat = %privacy::masked(&s.recipient_id),
            outbox = ?row,
            reason = reason.as_deref().unwrap_or("none given"),
            "WhatsApp could not deliver a message"
        );
    }
    if let Some(again) = again {
        tracing::info!(outbox = ?row, again, "the window had closed: queued again as a template");
    }
    Ok(())
}
