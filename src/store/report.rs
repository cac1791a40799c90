//! The KPI report's figures (see `crate::report` for what each one means), computed by
//! SQL aggregates over the rows as they are: tickets created in `[from, to)`, their events
//! and surveys, and the contacts that ended in the range. Six statements, each one pass
//! (grouping sets, FILTER, percentile_cont), not one per row; they run in one read-only
//! snapshot so that totals agree across sections while the desk keeps working.

use super::StoreError;
use crate::domain::{Status, TicketType};
use crate::report::{
    Count, Escalations, Kpis, Level0, Minutes, Satisfaction, Share, Targets, TeamFigures, TechnicianFigures,
};
use chrono::{DateTime, Utc};
use sqlx::{Connection, Executor, PgConnection};

/// Every figure of the report for tickets created in `[from, to)`.
///
/// Outside a transaction it opens its own (repeatable read, read only, tuned for a few
/// large aggregates); inside the caller's, it reads in that one as it is.
pub async fn kpis(conn: &mut PgConnection, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Kpis, StoreError> {
    if conn.is_in_transaction() {
        return gather(conn, from, to).await;
    }
    let mut tx = conn
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await?;
    // Compiling these plans with JIT costs more (~180 ms) than a month's report takes to
    // run; a year's tickets sort in memory with more than the default 4 MB.
    for set in ["SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'"] {
        tx.execute(set).await?;
    }
    let k = gather(&mut tx, from, to).await?;
    tx.commit().await?;
    Ok(k)
}

async fn gather(conn: &mut PgConnection, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Kpis, StoreError> {
    let counts = counts(conn, from, to).await?;
    let (targets, first_contact, escalations) = targets(conn, from, to).await?;
    Ok(Kpis {
        start: from,
        end: to,
        tickets: counts.by_status.iter().map(|c| c.tickets).sum(),
        by_type: counts.by_type,
        by_category: counts.by_category,
        by_service: counts.by_service,
        by_priority: counts.by_priority,
        by_status: counts.by_status,
        targets,
        first_contact,
        escalations,
        level0: level0(conn, from, to).await?,
        satisfaction: satisfaction(conn, from, to).await?,
        teams: teams(conn, from, to).await?,
        technicians: technicians(conn, from, to).await?,
    })
}

#[derive(Default)]
struct Counts {
    by_type: Vec<Count>,
    by_category: Vec<Count>,
    by_service: Vec<Count>,
    by_priority: Vec<Count>,
    by_status: Vec<Count>,
}

/// Tickets per type, category, service, priority and status: one scan, five grouping sets.
async fn counts(conn: &mut PgConnection, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Counts, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT CASE WHEN GROUPING(ticket_type) = 0 THEN 'type'
                       WHEN GROUPING(category) = 0 THEN 'category'
                       WHEN GROUPING(service) = 0 THEN 'service'
                       WHEN GROUPING(priority) = 0 THEN 'priority'
                       ELSE 'status' END AS "dimension!",
                  -- In each set only its own column is not NULL; a NULL service shows as "-".
                  COALESCE(ticket_type, category, service, priority::text, status, '-') AS "key!",
                  count(*) AS "tickets!"
           FROM tickets
           WHERE created_at >= $1 AND created_at < $2
           GROUP BY GROUPING SETS ((ticket_type), (category), (service), (priority), (status))
           ORDER BY 1, 3 DESC, 2"#,
        from,
        to
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut c = Counts::default();
    for r in rows {
        let list = match r.dimension.as_str() {
            "type" => &mut c.by_type,
            "category" => &mut c.by_category,
            "service" => &mut c.by_service,
            "priority" => &mut c.by_priority,
            _ => &mut c.by_status,
        };
        list.push(Count {
            key: r.key,
            tickets: r.tickets,
        });
    }
    // Fixed sets are listed whole, in their own order, so a zero shows as a zero.
    c.by_type = in_order(c.by_type, TicketType::ALL.map(TicketType::as_str));
    c.by_priority = in_order(c.by_priority, ["1", "2", "3"]);
    c.by_status = in_order(c.by_status, Status::ALL.map(Status::as_str));
    Ok(c)
}

/// `keys` in their order with their counts (zero if absent), then anything unexpected.
fn in_order<const N: usize>(mut found: Vec<Count>, keys: [&str; N]) -> Vec<Count> {
    let mut out = Vec::with_capacity(found.len().max(N));
    for key in keys {
        let tickets = match found.iter().position(|c| c.key == key) {
            Some(i) => found.remove(i).tickets,
            None => 0,
        };
        out.push(Count {
            key: key.to_owned(),
            tickets,
        });
    }
    out.extend(found);
    out
}

/// Targets and times per priority and overall (ROLLUP), with first-contact resolution and
/// the escalation events taken from the overall row.
async fn targets(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(Vec<Targets>, Share, Escalations), StoreError> {
    let rows = sqlx::query!(
        r#"WITH p AS (
               SELECT t.priority, t.status, t.responded_at, t.response_due, t.resolution_due, d.done_at,
                      date_part('epoch', t.responded_at - t.created_at) / 60 AS response_min,
                      date_part('epoch', d.done_at - t.created_at) / 60 AS resolution_min,
                      COALESCE(ev.functional, 0) AS ev_functional, COALESCE(ev.hierarchical, 0) AS ev_hierarchical,
                      COALESCE(ev.returned, 0) AS ev_returned, COALESCE(ev.reopened, 0) AS ev_reopened
               FROM tickets t
               -- When the service came back: the last resolution, or the closing of a
               -- ticket closed without one; only for tickets that are resolved or closed.
               CROSS JOIN LATERAL (
                   SELECT CASE WHEN t.status IN ('resolved', 'closed')
                               THEN COALESCE(t.resolved_at, t.closed_at) END AS done_at
               ) d
               -- Escalation-type events counted per ticket in one pass over the kind index.
               -- An event follows its ticket's creation, so none before `from` can belong to
               -- the period (a day of slack for clocks that disagree between processes).
               LEFT JOIN (
                   SELECT e.ticket_id,
                          count(*) FILTER (WHERE e.kind = 'escalated') AS functional,
                          count(*) FILTER (WHERE e.kind = 'escalated_up') AS hierarchical,
                          count(*) FILTER (WHERE e.kind = 'returned') AS returned,
                          count(*) FILTER (WHERE e.kind = 'reopened') AS reopened
                   FROM ticket_events e
                   WHERE e.kind IN ('escalated', 'escalated_up', 'returned', 'reopened')
                     AND e.at >= $1::timestamptz - interval '1 day'
                   GROUP BY e.ticket_id
               ) ev ON ev.ticket_id = t.id
               WHERE t.created_at >= $1 AND t.created_at < $2
           )
           SELECT priority AS "priority?",
                  count(*) AS "tickets!",
                  count(*) FILTER (WHERE NOT (status = 'cancelled' AND responded_at IS NULL)) AS "response_of!",
                  count(*) FILTER (WHERE responded_at <= response_due) AS "response_met!",
                  count(*) FILTER (WHERE status IN ('resolved', 'closed')) AS "resolution_of!",
                  count(*) FILTER (WHERE done_at <= resolution_due) AS "resolution_met!",
                  avg(response_min) AS response_avg,
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY response_min) AS response_median,
                  avg(resolution_min) AS resolution_avg,
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_min) AS resolution_median,
                  count(*) FILTER (WHERE status IN ('resolved', 'closed') AND ev_functional = 0) AS "first_contact!",
                  COALESCE(sum(ev_functional), 0)::int8 AS "functional!",
                  COALESCE(sum(ev_hierarchical), 0)::int8 AS "hierarchical!",
                  COALESCE(sum(ev_returned), 0)::int8 AS "returned!",
                  COALESCE(sum(ev_reopened), 0)::int8 AS "reopened!"
           FROM p
           GROUP BY ROLLUP (priority)
           ORDER BY priority NULLS LAST"#,
        from,
        to
    )
    .fetch_all(&mut *conn)
    .await?;

    let mut targets: Vec<Targets> = [1, 2, 3, 0].map(|p| Targets::empty((p > 0).then_some(p))).into();
    let mut first_contact = Share::new(0, 0);
    let mut escalations = Escalations::default();
    for r in rows {
        let slot = match r.priority {
            Some(1) => 0,
            Some(2) => 1,
            Some(3) => 2,
            None => 3,
            Some(p) => return Err(StoreError::Corrupt(format!("priority {p}"))),
        };
        if r.priority.is_none() {
            first_contact = Share::new(r.first_contact, r.resolution_of);
            escalations = Escalations {
                functional: r.functional,
                hierarchical: r.hierarchical,
                returned: r.returned,
                reopened: r.reopened,
            };
        }
        let priority = targets[slot].priority;
        targets[slot] = Targets {
            priority,
            tickets: r.tickets,
            response_met: Share::new(r.response_met, r.response_of),
            resolution_met: Share::new(r.resolution_met, r.resolution_of),
            response: Minutes {
                average: r.response_avg,
                median: r.response_median,
            },
            resolution: Minutes {
                average: r.resolution_avg,
                median: r.resolution_median,
            },
        };
    }
    Ok((targets, first_contact, escalations))
}

/// Reports that ended in the range, by outcome.
async fn level0(conn: &mut PgConnection, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Level0, StoreError> {
    let r = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE outcome = 'level0') AS "level0!",
                  count(*) FILTER (WHERE outcome = 'ticket') AS "ticket!",
                  count(*) FILTER (WHERE outcome = 'cancelled') AS "cancelled!"
           FROM contacts
           WHERE ended_at >= $1 AND ended_at < $2"#,
        from,
        to
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(Level0 {
        level0: r.level0,
        ticket: r.ticket,
        cancelled: r.cancelled,
        deflection: Share::new(r.level0, r.level0 + r.ticket),
    })
}

/// Surveys of the period's tickets.
async fn satisfaction(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Satisfaction, StoreError> {
    let r = sqlx::query!(
        r#"SELECT count(*) AS "asked!",
                  count(s.score) AS "answered!",
                  avg(s.score)::float8 AS average,
                  count(*) FILTER (WHERE s.score = 1) AS "s1!",
                  count(*) FILTER (WHERE s.score = 2) AS "s2!",
                  count(*) FILTER (WHERE s.score = 3) AS "s3!",
                  count(*) FILTER (WHERE s.score = 4) AS "s4!",
                  count(*) FILTER (WHERE s.score = 5) AS "s5!"
           FROM surveys s
           JOIN tickets t ON t.id = s.ticket_id
           WHERE t.created_at >= $1 AND t.created_at < $2"#,
        from,
        to
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(Satisfaction {
        asked: r.asked,
        answered: r.answered,
        response_rate: Share::new(r.answered, r.asked),
        average: r.average,
        scores: [r.s1, r.s2, r.s3, r.s4, r.s5],
    })
}

/// Per team holding the tickets now.
async fn teams(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<TeamFigures>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT COALESCE(t.team, '-') AS "team!",
                  count(*) AS "tickets!",
                  count(*) FILTER (WHERE t.status IN ('resolved', 'closed')) AS "resolved!",
                  count(*) FILTER (WHERE NOT (t.status = 'cancelled' AND t.responded_at IS NULL)) AS "response_of!",
                  count(*) FILTER (WHERE t.responded_at <= t.response_due) AS "response_met!",
                  avg(s.score)::float8 AS csat,
                  count(s.score) AS "answered!"
           FROM tickets t
           LEFT JOIN surveys s ON s.ticket_id = t.id
           WHERE t.created_at >= $1 AND t.created_at < $2
           GROUP BY t.team
           ORDER BY 2 DESC, t.team NULLS LAST"#,
        from,
        to
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| TeamFigures {
            team: r.team,
            tickets: r.tickets,
            resolved: r.resolved,
            response_met: Share::new(r.response_met, r.response_of),
            csat: r.csat,
            answered: r.answered,
        })
        .collect())
}

/// Per technician holding the tickets now.
async fn technicians(
    conn: &mut PgConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<TechnicianFigures>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT h.id, h.name, h.team,
                  count(*) AS "tickets!",
                  count(*) FILTER (WHERE t.status IN ('resolved', 'closed')) AS "resolved!",
                  avg(date_part('epoch', COALESCE(t.resolved_at, t.closed_at) - t.created_at) / 60)
                      FILTER (WHERE t.status IN ('resolved', 'closed')) AS resolution_avg,
                  avg(s.score)::float8 AS csat,
                  count(s.score) AS "answered!"
           FROM tickets t
           JOIN technicians h ON h.id = t.assignee_id
           LEFT JOIN surveys s ON s.ticket_id = t.id
           WHERE t.created_at >= $1 AND t.created_at < $2
           GROUP BY h.id
           ORDER BY 4 DESC, h.name, h.id"#,
        from,
        to
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| TechnicianFigures {
            id: r.id,
            name: r.name,
            team: r.team,
            tickets: r.tickets,
            resolved: r.resolved,
            resolution_minutes: r.resolution_avg,
            csat: r.csat,
            answered: r.answered,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_sets_keep_their_order_and_zeros() {
        let found = vec![
            Count {
                key: "closed".into(),
                tickets: 4,
            },
            Count {
                key: "new".into(),
                tickets: 1,
            },
        ];
        let all = in_order(found, Status::ALL.map(Status::as_str));
        let got: Vec<(&str, i64)> = all.iter().map(|c| (c.key.as_str(), c.tickets)).collect();
        assert_eq!(
            got,
            [
                ("new", 1),
                ("in_progress", 0),
                ("resolved", 0),
                ("closed", 4),
                ("cancelled", 0)
            ]
        );
    }
}
