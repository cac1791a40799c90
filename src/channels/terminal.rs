//! The terminal channel (`sigap chat`): one reporter message per line of standard input,
//! replies printed as they leave the outbox. Works interactively and with piped input.

use crate::domain::{Channel, Content, Inbound, Outbound};
use crate::ingest::{self, Env};
use crate::store::outbox;
use chrono::Utc;
use sqlx::PgPool;
use std::future::Future;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

/// Who is typing.
#[derive(Debug, Clone)]
pub struct Reporter {
    /// The terminal identity (defaults to the OS user).
    pub id: String,
    pub name: Option<String>,
}

/// Runs the conversation until the input ends or `shutdown` completes.
pub async fn run<R, W>(
    pool: &PgPool,
    env: &Env,
    who: &Reporter,
    input: R,
    mut output: W,
    interactive: bool,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    // Unique per run, so every line is a new message for deduplication.
    let session = format!(
        "{}-{}",
        Utc::now().timestamp_nanos_opt().unwrap_or_default(),
        std::process::id()
    );
    let mut lines = input.lines();
    let mut last_choices: Vec<String> = Vec::new();
    let mut seq = 0u64;
    tokio::pin!(shutdown);
    // Replies left unsent by an earlier run come first.
    deliver(pool, &who.id, &mut output, &mut last_choices).await?;
    loop {
        if interactive {
            output.write_all(b"> ").await?;
            output.flush().await?;
        }
        let line = tokio::select! {
            line = lines.next_line() => line?,
            () = &mut shutdown => None,
        };
        let Some(line) = line else { break };
        seq += 1;
        let trimmed = line.trim();
        // A number answers the last choices shown.
        let content = match trimmed.parse::<usize>() {
            Ok(n) if n >= 1 && n <= last_choices.len() => Content::Choice {
                id: last_choices[n - 1].clone(),
            },
            _ => Content::Text {
                text: crate::domain::storable::text(&line).into_owned(),
            },
        };
        let m = Inbound {
            channel: Channel::Terminal,
            message_id: format!("{session}-{seq}"),
            chat_id: who.id.clone(),
            sender_id: who.id.clone(),
            sender_name: who.name.clone(),
            received_at: Utc::now(),
            content,
            pressed: None,
        };
        ingest::handle(pool, env, &m).await?;
        deliver(pool, &who.id, &mut output, &mut last_choices).await?;
    }
    Ok(())
}

/// Prints the chat's pending outbox rows and marks them sent.
async fn deliver<W: AsyncWrite + Unpin>(
    pool: &PgPool,
    chat_id: &str,
    output: &mut W,
    last_choices: &mut Vec<String>,
) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    let pending = outbox::claim_for_chat(&mut tx, Channel::Terminal.as_str(), chat_id).await?;
    if pending.is_empty() {
        return Ok(());
    }
    for p in &pending {
        output.write_all(format_message(&p.message).as_bytes()).await?;
        if !p.message.choices.is_empty() {
            *last_choices = p.message.choices.iter().map(|c| c.id.clone()).collect();
        }
    }
    output.flush().await?;
    let ids: Vec<i64> = pending.iter().map(|p| p.id).collect();
    outbox::mark_sent(&mut tx, &ids).await?;
    tx.commit().await?;
    Ok(())
}

/// A message as the terminal shows it: the text, then numbered choices.
pub fn format_message(m: &Outbound) -> String {
    let mut s = String::new();
    for line in m.text.lines() {
        s.push_str("  ");
        s.push_str(line);
        s.push('\n');
    }
    if !m.choices.is_empty() {
        let choices: Vec<String> = m
            .choices
            .iter()
            .enumerate()
            .map(|(i, c)| format!("[{}] {}", i + 1, c.label))
            .collect();
        s.push_str("    ");
        s.push_str(&choices.join("   "));
        s.push('\n');
    }
    s
}
