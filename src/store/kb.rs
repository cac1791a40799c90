//! Level 0 records: article offers and their answers, the end of every report, and the
//! figures computed from them (per-article results, deflection).

use super::StoreError;
use crate::intake::{Contact, ContactOutcome};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// Where an offer or a contact happened.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub channel: &'a str,
    pub reporter_id: i64,
    pub conversation_id: i64,
    pub inbound_id: i64,
    pub at: DateTime<Utc>,
}

pub async fn record_offer(
    conn: &mut PgConnection,
    p: &Place<'_>,
    article: &str,
    service: Option<&str>,
    score: f32,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"INSERT INTO kb_offers (article_id, conversation_id, reporter_id, inbound_id, service, score, offered_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (inbound_id, article_id) DO NOTHING"#,
        article,
        p.conversation_id,
        p.reporter_id,
        p.inbound_id,
        service,
        score,
        p.at
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records the answer on the conversation's open offer of `article`.
pub async fn answer_offer(
    conn: &mut PgConnection,
    p: &Place<'_>,
    article: &str,
    helped: bool,
) -> Result<(), StoreError> {
    sqlx::query!(
        r#"UPDATE kb_offers SET helped = $3, answered_at = $4
           WHERE id = (SELECT id FROM kb_offers
                       WHERE conversation_id = $1 AND article_id = $2 AND answered_at IS NULL
                       ORDER BY id DESC LIMIT 1)"#,
        p.conversation_id,
        article,
        helped,
        p.at
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records how a report ended; `ticket_id` for one that became a ticket.
pub async fn end_contact(
    conn: &mut PgConnection,
    p: &Place<'_>,
    c: &Contact,
    ticket_id: Option<i64>,
) -> Result<(), StoreError> {
    let (outcome, article) = match &c.outcome {
        ContactOutcome::Level0 { article } => ("level0", Some(article.as_str())),
        ContactOutcome::Ticket => ("ticket", None),
        ContactOutcome::Cancelled => ("cancelled", None),
    };
    sqlx::query!(
        r#"INSERT INTO contacts (channel, reporter_id, conversation_id, inbound_id, started_at, ended_at,
                                 outcome, ticket_type, category, service, article_id, ticket_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT (inbound_id) DO NOTHING"#,
        p.channel,
        p.reporter_id,
        p.conversation_id,
        p.inbound_id,
        c.started_at,
        p.at,
        outcome,
        c.ticket_type.as_str(),
        c.category,
        c.service,
        article,
        ticket_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How one article fared in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleStats {
    pub article: String,
    pub offers: i64,
    pub helped: i64,
    pub not_helped: i64,
}

/// Per article: offers in `[from, to)`, and how they were answered.
pub async fn article_stats(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ArticleStats>, StoreError> {
    let rows = sqlx::query_as!(
        ArticleStats,
        r#"SELECT article_id AS "article!",
                  count(*) AS "offers!",
                  count(*) FILTER (WHERE helped) AS "helped!",
                  count(*) FILTER (WHERE NOT helped) AS "not_helped!"
           FROM kb_offers
           WHERE offered_at >= $1 AND offered_at < $2
           GROUP BY article_id
           ORDER BY article_id"#,
        from,
        to
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows)
}

/// Level 0 deflection for one service (`None`: not recognised) in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deflection {
    pub service: Option<String>,
    /// Reports that ended with a fix at Level 0 or a ticket (cancelled ones are not contacts
    /// anyone had to solve).
    pub contacts: i64,
    pub level0: i64,
    pub cancelled: i64,
}

impl Deflection {
    /// Level 0 resolutions / contacts.
    pub fn share(&self) -> f64 {
        if self.contacts == 0 {
            0.0
        } else {
            self.level0 as f64 / self.contacts as f64
        }
    }
}

/// Deflection per service for reports ended in `[from, to)`, busiest first.
pub async fn deflection(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Deflection>, StoreError> {
    let rows = sqlx::query_as!(
        Deflection,
        r#"SELECT service,
                  count(*) FILTER (WHERE outcome <> 'cancelled') AS "contacts!",
                  count(*) FILTER (WHERE outcome = 'level0') AS "level0!",
                  count(*) FILTER (WHERE outcome = 'cancelled') AS "cancelled!"
           FROM contacts
           WHERE ended_at >= $1 AND ended_at < $2
           GROUP BY service
           ORDER BY 2 DESC, service NULLS LAST"#,
        from,
        to
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows)
}
