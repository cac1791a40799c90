//! One inbound message, one PostgreSQL transaction: record it (a repeat is a no-op), lock
//! the conversation, run the engine, apply its effects, queue the replies, save the state,
//! commit. Only after the commit may a channel acknowledge the message to its platform.

use crate::calendar::SharedCalendar;
use crate::config::Settings;
use crate::domain::{Inbound, OutChoice, Outbound, Pressed};
use crate::i18n::{Locales, Msg, Renderer};
use crate::intake::{self, Ctx, Effect, Profile, Reply, State};
use crate::knowledge::Library;
use crate::store::outbox::{Op, Queued};
use crate::store::{StoreError, conversations, followup, inbound, kb, outbox, reporters, sla, teams, tickets};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::sync::Arc;

/// How many tickets /status lists.
const STATUS_LIMIT: i64 = 10;

/// What the engine needs besides the database, shared by every channel.
#[derive(Debug, Clone)]
pub struct Env {
    /// Catalogue, language and articles; reloadable while running.
    pub knowledge: Library,
    pub locales: Locales,
    pub settings: Arc<Settings>,
    /// What SLA targets count in; the holidays file may change while running.
    pub calendar: SharedCalendar,
    /// Rung after a commit that queued messages, so the sender need not wait for its poll.
    pub outbox_ready: crate::workers::bell::Bell,
    /// Counters served at `/metrics`.
    pub metrics: Arc<crate::metrics::Metrics>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Seen before: nothing was done.
    Duplicate,
    /// Handled; the number of the ticket it created, if any.
    Handled { ticket: Option<String> },
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IngestError {
    /// Whether handling the same message again may succeed (see `StoreError::is_retryable`).
    pub fn is_retryable(&self) -> bool {
        match self {
            IngestError::Store(e) => e.is_retryable(),
        }
    }
}

impl From<sqlx::Error> for IngestError {
    fn from(e: sqlx::Error) -> Self {
        IngestError::Store(e.into())
    }
}

/// The press answered, and the buttons taken off its message with the answer shown.
fn pressed_rows(r: &Renderer, p: &Pressed) -> Vec<Queued> {
    let mut rows = Vec::new();
    if let Some(q) = &p.query_id {
        rows.push(Queued {
            message: Outbound::text(String::new()),
            ticket_id: None,
            op: Op::Answer { query_id: q.clone() },
        });
    }
    let text = match &p.label {
        Some(l) => r.render(
            &Msg::new("pressed-answer")
                .arg("text", p.text.as_str())
                .arg("label", l.as_str()),
        ),
        None => p.text.clone(),
    };
    // A button on a message Telegram no longer shows us cannot be closed, only answered.
    if !p.message_id.is_empty() {
        rows.push(Queued {
            message: Outbound::text(text),
            ticket_id: None,
            op: Op::Edit {
                message_id: p.message_id.clone(),
            },
        });
    }
    rows
}

pub fn render(r: &Renderer, reply: &Reply) -> Outbound {
    Outbound {
        text: r.render(&reply.text),
        choices: reply
            .choices
            .iter()
            .map(|c| OutChoice {
                id: c.id.clone(),
                label: r.render(&c.label),
            })
            .collect(),
        expects_reply: false,
        mentions: Vec::new(),
        about: reply.about.clone(),
    }
}

/// Handles one inbound message now.
pub async fn handle(pool: &PgPool, env: &Env, m: &Inbound) -> Result<Outcome, IngestError> {
    handle_at(pool, env, m, Utc::now()).await
}

/// As `handle`, with the moment of recording given (tests, replays).
///
/// A transaction PostgreSQL aborted to resolve a deadlock or a serialisation conflict is
/// tried again: it left nothing behind, so a retry cannot repeat anything.
pub async fn handle_at(pool: &PgPool, env: &Env, m: &Inbound, now: DateTime<Utc>) -> Result<Outcome, IngestError> {
    let mut attempt = 0;
    loop {
        match handle_once(pool, env, m, now).await {
            Err(IngestError::Store(StoreError::Db(sqlx::Error::Database(e))))
                if attempt < 3 && matches!(e.code().as_deref(), Some("40001" | "40P01")) =>
            {
                attempt += 1;
                tracing::warn!(attempt, code = ?e.code(), "transaction aborted by PostgreSQL; retrying");
            }
            other => return other,
        }
    }
}

async fn handle_once(pool: &PgPool, env: &Env, m: &Inbound, now: DateTime<Utc>) -> Result<Outcome, IngestError> {
    let channel = m.channel.as_str();
    let mut tx = pool.begin().await?;
    let Some(inbound_id) = inbound::record(&mut tx, m).await? else {
        tx.rollback().await?;
        // No message id: a WhatsApp id carries the sender's number.
        tracing::debug!(channel, "duplicate inbound ignored");
        return Ok(Outcome::Duplicate);
    };
    let reporter = reporters::for_identity(
        &mut tx,
        channel,
        &m.sender_id,
        m.sender_name.as_deref(),
        &env.settings.language,
    )
    .await?;
    // Writing again after blocking the bot makes them reachable again.
    reporters::mark_reachable(&mut tx, channel, &m.sender_id).await?;
    let conv = conversations::lock(&mut tx, channel, &m.chat_id, reporter.id).await?;
    let state: State = serde_json::from_value(conv.state).unwrap_or_else(|e| {
        // A state this version cannot read (an old format, a hand edit): start afresh
        // rather than refuse the reporter.
        tracing::warn!(conversation = conv.id, error = %e, "unreadable conversation state; starting over");
        State::Idle
    });
    let profile = Profile {
        name: reporter.name.clone(),
        unit: reporter.unit.clone(),
    };
    let k = env.knowledge.current();
    let calendar = env.calendar.current();
    let pending = followup::pending(&mut tx, reporter.id).await?;
    let ctx = Ctx::new(&k, &env.settings.priority, env.settings.timezone, now, &profile)
        .with_calendar(&calendar)
        .with_pending(pending.as_ref());
    let (state, replies, effects) = intake::step(state, m, &ctx);
    // A language change applies to this message's replies already.
    let mut locale = reporter.locale.clone();
    for e in &effects {
        if let Effect::SetLanguage { lang } = e {
            if env.locales.has_language(lang) {
                reporters::set_locale(&mut tx, reporter.id, lang).await?;
                locale = lang.clone();
            }
        }
    }
    let renderer = env.locales.renderer(&locale, &k.catalog, env.settings.timezone);

    let mut created = None;
    let mut created_id = None;
    let place = kb::Place {
        channel,
        reporter_id: reporter.id,
        conversation_id: conv.id,
        inbound_id,
        at: now,
    };
    // Replies of the effects first (the ticket number, the /status list), then the engine's.
    let mut queue: Vec<Queued> = Vec::new();
    let mut say = |r: &Reply, ticket_id: Option<i64>| queue.push(Queued::send(render(&renderer, r), ticket_id));
    for effect in effects {
        match effect {
            Effect::SaveProfile { name, unit } => {
                reporters::save_profile(&mut tx, reporter.id, name.as_deref(), unit.as_deref()).await?;
            }
            Effect::CreateTicket(t) => {
                let prefix = &k.catalog.type_def(t.ticket_type).prefix;
                let period = t
                    .recorded_at
                    .with_timezone(&env.settings.timezone)
                    .format("%y%m")
                    .to_string();
                let origin = tickets::Origin {
                    reporter_id: reporter.id,
                    conversation_id: conv.id,
                    inbound_id,
                    channel,
                    chat_id: &m.chat_id,
                };
                let (ticket_id, c) = tickets::create(&mut tx, &t, prefix, &period, &origin).await?;
                let marks = env.settings.priority.marks(t.priority, t.recorded_at, &calendar);
                sla::plan(&mut tx, ticket_id, &marks).await?;
                if let Some(first) = env.settings.teams.first() {
                    teams::set_team(&mut tx, ticket_id, &first.key).await?;
                }
                tracing::info!(ticket = %c.number, priority = c.priority.get(), "ticket created");
                for r in intake::ticket_created(&c, &ctx) {
                    say(&r, Some(ticket_id));
                }
                created = Some(c.number);
                created_id = Some(ticket_id);
                crate::desk::announce(&mut tx, env, ticket_id).await?;
            }
            Effect::SetLanguage { .. } => {}
            Effect::ArticleOffered {
                article,
                score,
                service,
            } => {
                kb::record_offer(&mut tx, &place, &article, service.as_deref(), score).await?;
            }
            Effect::ArticleAnswered { article, helped } => {
                kb::answer_offer(&mut tx, &place, &article, helped).await?;
            }
            Effect::EndContact(c) => {
                let ticket = if c.outcome == intake::ContactOutcome::Ticket {
                    created_id
                } else {
                    None
                };
                kb::end_contact(&mut tx, &place, &c, ticket).await?;
            }
            Effect::FollowUp(f) => {
                for r in crate::closing::apply(&mut tx, env, reporter.id, &f, now).await? {
                    say(&r, Some(f.ticket_id));
                }
            }
            Effect::ShowTickets { number } => {
                let list = tickets::for_reporter(&mut tx, reporter.id, number.as_deref(), STATUS_LIMIT).await?;
                for r in intake::status_replies(&list, number.as_deref()) {
                    say(&r, None);
                }
            }
        }
    }
    for r in &replies {
        say(r, None);
    }
    // A pressed button is acknowledged and its question closed before anything else is said.
    if let Some(p) = &m.pressed {
        queue.splice(0..0, pressed_rows(&renderer, p));
    }
    outbox::push_all(&mut tx, channel, &m.chat_id, Some(inbound_id), &queue).await?;
    let state = serde_json::to_value(&state).map_err(StoreError::from)?;
    conversations::save(&mut tx, conv.id, &state, inbound_id).await?;
    tx.commit().await?;
    Ok(Outcome::Handled { ticket: created })
}
