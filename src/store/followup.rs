//! Closing with the reporter and the survey: each answer is one conditional UPDATE on a row
//! that must still be waiting for it, so a repeated tap or an old button changes nothing.

use super::StoreError;
use crate::domain::survey::{Answer, Pending, Step, SurveySettings};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// The question waiting for this reporter: a resolved ticket to confirm first, else the
/// newest survey still open.
pub async fn pending(conn: &mut PgConnection, reporter_id: i64) -> Result<Option<Pending>, StoreError> {
    let resolved = sqlx::query_scalar!(
        r#"SELECT id FROM tickets WHERE reporter_id = $1 AND status = 'resolved'
           ORDER BY resolved_at DESC LIMIT 1"#,
        reporter_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(ticket_id) = resolved {
        return Ok(Some(Pending::Confirm { ticket_id }));
    }
    let survey = sqlx::query!(
        r#"SELECT ticket_id, step, COALESCE(answered_at, asked_at) AS "asked_at!" FROM surveys
           WHERE reporter_id = $1 AND closed_at IS NULL ORDER BY asked_at DESC LIMIT 1"#,
        reporter_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(survey.and_then(|s| {
        Some(Pending::Survey {
            ticket_id: s.ticket_id,
            step: Step::from_stored(&s.step)?,
            asked_at: s.asked_at,
        })
    }))
}

/// A resolved ticket now waits for the reporter, until `autoclose_at`.
pub async fn await_confirmation(
    conn: &mut PgConnection,
    ticket_id: i64,
    autoclose_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE tickets SET autoclose_at = $2 WHERE id = $1 AND status = 'resolved'",
        ticket_id,
        autoclose_at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// What the reporter's "Ya" or "Belum" did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    Closed {
        number: String,
    },
    /// Back in progress; `times` counts the reopenings, this one included; the ticket had
    /// waited for the reporter since `waited_since`.
    Reopened {
        number: String,
        times: i32,
        waited_since: Option<DateTime<Utc>>,
    },
    /// Not waiting for an answer (closed already, reopened, or not this reporter's).
    NotWaiting {
        number: Option<String>,
    },
}

pub async fn confirm(
    conn: &mut PgConnection,
    ticket_id: i64,
    reporter_id: i64,
    fixed: bool,
    at: DateTime<Utc>,
) -> Result<Confirmed, StoreError> {
    let row = sqlx::query!(
        r#"WITH old AS (SELECT id, resolved_at FROM tickets WHERE id = $1 FOR UPDATE)
           UPDATE tickets t SET
               status = CASE WHEN $3 THEN 'closed' ELSE 'in_progress' END,
               closed_at = CASE WHEN $3 THEN $4 ELSE t.closed_at END,
               resolved_at = CASE WHEN $3 THEN t.resolved_at END,
               reopen_count = t.reopen_count + CASE WHEN $3 THEN 0 ELSE 1 END,
               autoclose_at = NULL, updated_at = $4
           FROM old
           WHERE t.id = old.id AND t.reporter_id = $2 AND t.status = 'resolved'
           RETURNING t.number, t.reopen_count, old.resolved_at AS waited_since"#,
        ticket_id,
        reporter_id,
        fixed,
        at
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        let number = sqlx::query_scalar!(
            "SELECT number FROM tickets WHERE id = $1 AND reporter_id = $2",
            ticket_id,
            reporter_id
        )
        .fetch_optional(&mut *conn)
        .await?;
        return Ok(Confirmed::NotWaiting { number });
    };
    let (kind, to) = if fixed {
        ("closed", "closed")
    } else {
        ("reopened", "in_progress")
    };
    sqlx::query!(
        r#"INSERT INTO ticket_events (ticket_id, at, actor_kind, actor_id, kind, from_status, to_status)
           VALUES ($1, $2, 'reporter', $3, $4, 'resolved', $5)"#,
        ticket_id,
        at,
        reporter_id,
        kind,
        to
    )
    .execute(&mut *conn)
    .await?;
    if !fixed {
        return Ok(Confirmed::Reopened {
            number: row.number,
            times: row.reopen_count,
            waited_since: row.waited_since,
        });
    }
    sqlx::query!(
        r#"INSERT INTO surveys (ticket_id, reporter_id, asked_at) VALUES ($1, $2, $3)
           ON CONFLICT (ticket_id) DO NOTHING"#,
        ticket_id,
        reporter_id,
        at
    )
    .execute(&mut *conn)
    .await?;
    Ok(Confirmed::Closed { number: row.number })
}

/// What a survey answer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    /// Recorded; ask `next` (Done: the survey is finished). `score` is the overall score
    /// just given, for the caller to act on a low one.
    Recorded {
        number: String,
        next: Step,
        score: Option<u8>,
    },
    /// That question was answered already, or the survey is over: nothing changed.
    Already {
        number: String,
    },
    NotFound,
}

pub async fn answer(
    conn: &mut PgConnection,
    ticket_id: i64,
    reporter_id: i64,
    asked: &Step,
    answer: &Answer,
    settings: &SurveySettings,
    at: DateTime<Utc>,
) -> Result<Answered, StoreError> {
    let row = sqlx::query!(
        r#"SELECT s.step, s.closed_at, t.number FROM surveys s JOIN tickets t ON t.id = s.ticket_id
           WHERE s.ticket_id = $1 AND s.reporter_id = $2 FOR UPDATE OF s"#,
        ticket_id,
        reporter_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(Answered::NotFound) };
    if row.closed_at.is_some() || Step::from_stored(&row.step).as_ref() != Some(asked) {
        return Ok(Answered::Already { number: row.number });
    }
    let next = asked.next(settings);
    let (score, item, item_score, comment) = match (asked, answer) {
        (Step::Score, Answer::Score(n)) => (Some(i16::from(*n)), None, None, None),
        (Step::Item(k), Answer::Score(n)) => (None, Some(k.clone()), Some(i16::from(*n)), None),
        (Step::Comment, Answer::Comment(c)) => (None, None, None, Some(c.clone())),
        // Skipping is allowed for everything but the overall score.
        (Step::Item(_) | Step::Comment, Answer::Skip) => (None, None, None, None),
        _ => return Ok(Answered::Already { number: row.number }),
    };
    let done = next == Step::Done;
    sqlx::query!(
        r#"UPDATE surveys SET
               step = $2,
               score = COALESCE($3::smallint, score),
               items = CASE WHEN $4::text IS NULL THEN items ELSE items || jsonb_build_object($4::text, $5::smallint) END,
               comment = COALESCE($6::text, comment),
               answered_at = $7::timestamptz,
               closed_at = CASE WHEN $8 THEN $7::timestamptz END
           WHERE ticket_id = $1"#,
        ticket_id,
        next.as_stored(),
        score,
        item,
        item_score,
        comment,
        at,
        done
    )
    .execute(&mut *conn)
    .await?;
    Ok(Answered::Recorded {
        number: row.number,
        next,
        score: score.and_then(|s| u8::try_from(s).ok()),
    })
}

/// A ticket closed without the reporter's answer.
#[derive(Debug, Clone)]
pub struct AutoClosed {
    pub id: i64,
    pub number: String,
    pub channel: String,
    pub chat_id: String,
    pub locale: String,
}

/// Closes resolved tickets whose wait for the reporter ran out, noted as such.
pub async fn autoclose(conn: &mut PgConnection, now: DateTime<Utc>, limit: i64) -> Result<Vec<AutoClosed>, StoreError> {
    let rows = sqlx::query!(
        r#"WITH due AS (
               SELECT id FROM tickets WHERE status = 'resolved' AND autoclose_at <= $1
               ORDER BY autoclose_at LIMIT $2 FOR UPDATE SKIP LOCKED),
           closed AS (
               UPDATE tickets t SET status = 'closed', closed_at = $1, autoclose_at = NULL, updated_at = $1
               FROM due WHERE t.id = due.id
               RETURNING t.id, t.number, t.channel, t.chat_id, t.reporter_id),
           logged AS (
               INSERT INTO ticket_events (ticket_id, at, actor_kind, kind, from_status, to_status, data)
               SELECT id, $1, 'system', 'closed', 'resolved', 'closed', '{"auto": true}'::jsonb FROM closed)
           SELECT c.id, c.number, c.channel, c.chat_id, r.locale
           FROM closed c JOIN reporters r ON r.id = c.reporter_id"#,
        now,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AutoClosed {
            id: r.id,
            number: r.number,
            channel: r.channel,
            chat_id: r.chat_id,
            locale: r.locale,
        })
        .collect())
}
