//! `sigap report` over a year of 200,000 tickets, printed (not asserted): the time of
//! `store::report::kpis` for one month and for the whole year (3 runs each, min and
//! median), with the sizes it read. The desk is seeded set-based: about 2 events a ticket,
//! surveys for 60% of the closed tickets, 300,000 contacts.
//!
//! `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench report`
//! (an admin connection; a scratch database is created and dropped; `REPORT_BENCH_KEEP=1`
//! keeps it, for EXPLAIN).

mod support;

use chrono::{DateTime, Utc};
use sigap::report::Period;
use sigap::store::report::kpis;
use sqlx::{Executor, PgConnection, PgPool};
use std::time::{Duration, Instant};
use support::Scratch;

const TICKETS: i64 = 200_000;
const REPORTERS: i64 = 10_000;
const TECHNICIANS: i64 = 30;
const CONTACTS: i64 = 300_000;
const RUNS: usize = 3;

/// Runs one seeding statement; a failure is a broken bench.
async fn run(c: &mut PgConnection, what: &str, sql: &str) {
    c.execute(sql).await.unwrap_or_else(|e| panic!("seeding {what}: {e}"));
}

/// A year of a busy desk from `start`, in time order as a running system appends it.
/// `random()` is seeded, so every run sees the same desk.
async fn seed(pool: &PgPool, start: DateTime<Utc>) {
    let mut c = pool.acquire().await.expect("a connection for seeding");
    c.execute("SELECT setseed(0.42)").await.expect("setseed");
    // The year's first instant, written into the statements.
    let start = format!("'{}'::timestamptz", start.to_rfc3339());
    run(
        &mut c,
        "reporters",
        &format!(
            "INSERT INTO reporters (name, unit, created_at)
             SELECT 'Pelapor ' || g, 'Unit ' || g % 40, {start} FROM generate_series(1, {REPORTERS}) g"
        ),
    )
    .await;
    run(
        &mut c,
        "technicians",
        &format!(
            "INSERT INTO technicians (name, team)
             SELECT 'Teknisi ' || g,
                    (ARRAY['L1', 'L1', 'L1', 'L2-jaringan', 'L2-aplikasi', 'L3-vendor'])[1 + g % 6]
             FROM generate_series(1, {TECHNICIANS}) g"
        ),
    )
    .await;

    // Priorities 15/35/50 with the SOP's targets (24/7). Status: 80% closed, 5% resolved,
    // 4% in progress, 3% new, 8% cancelled (half of those before a response). About three
    // in four responses and resolutions within target. 5% of tickets predate teams.
    run(
        &mut c,
        "tickets",
        &format!(
            "INSERT INTO tickets (number, ticket_type, category, service, title, description, scope, urgency,
                                  impact, priority, response_due, resolution_due, status, assignee_id,
                                  reporter_id, channel, chat_id, created_at, updated_at, responded_at,
                                  resolved_at, closed_at, team)
             SELECT 'INC-' || lpad(g::text, 7, '0'),
                    (ARRAY['insiden', 'insiden', 'insiden', 'permintaan', 'akses'])[1 + g % 5],
                    (ARRAY['jaringan', 'jaringan', 'akun', 'perangkat', 'aplikasi'])[1 + g % 5],
                    (ARRAY['wifi', 'lan', 'email', NULL, 'printer', 'sikd', NULL])[1 + g % 7],
                    'Laporan ' || g, 'uraian', 'individual', 'rendah', 'rendah', p,
                    created + resp, created + resol, status,
                    CASE WHEN responded IS NOT NULL THEN 1 + g % {TECHNICIANS} END,
                    1 + g % {REPORTERS}, 'telegram', (1 + g % {REPORTERS})::text, created, created, responded,
                    resolved, CASE WHEN status = 'closed' THEN resolved + random() * interval '2 days' END,
                    CASE WHEN g % 20 = 0 THEN NULL
                         ELSE (ARRAY['L1', 'L1', 'L1', 'L1', 'L1', 'L2-jaringan', 'L2-aplikasi', 'L3-vendor'])[1 + g % 8]
                    END
             FROM (SELECT *,
                          CASE WHEN status = 'new' OR (status = 'cancelled' AND random() < 0.5) THEN NULL
                               ELSE created + resp * (0.1 + random() * 1.2) END AS responded,
                          CASE WHEN status IN ('resolved', 'closed')
                               THEN created + resol * (0.05 + random() * 1.25) END AS resolved
                   FROM (SELECT g, p, created,
                                make_interval(mins => (ARRAY[10, 60, 240])[p]) AS resp,
                                make_interval(mins => (ARRAY[480, 1440, 2880])[p]) AS resol,
                                CASE WHEN u < 0.08 THEN 'cancelled' WHEN u < 0.11 THEN 'new'
                                     WHEN u < 0.15 THEN 'in_progress' WHEN u < 0.20 THEN 'resolved'
                                     ELSE 'closed' END AS status
                         FROM (SELECT g, random() AS u,
                                      CASE WHEN g % 20 < 3 THEN 1 WHEN g % 20 < 10 THEN 2 ELSE 3 END AS p,
                                      {start} + interval '365 days' * ((g - 1 + random()) / {TICKETS}) AS created
                               FROM generate_series(1, {TICKETS}) g) a) b) c"
        ),
    )
    .await;

    // Created and taken up for (almost) every ticket; then 15% escalated, 5% up to the
    // supervisors, 3% returned as misrouted, 4% reopened: about 2.1 events a ticket.
    run(
        &mut c,
        "events",
        "INSERT INTO ticket_events (ticket_id, at, actor_kind, kind)
         SELECT id, created_at, 'system', 'created' FROM tickets
         UNION ALL SELECT id, responded_at, 'technician', 'claimed' FROM tickets WHERE responded_at IS NOT NULL
         UNION ALL SELECT id, created_at + interval '20 minutes', 'technician', 'escalated' FROM tickets WHERE id % 100 < 15
         UNION ALL SELECT id, created_at + interval '30 minutes', 'system', 'escalated_up' FROM tickets WHERE id % 100 >= 95
         UNION ALL SELECT id, created_at + interval '40 minutes', 'technician', 'returned' FROM tickets WHERE id % 100 < 3
         UNION ALL SELECT id, created_at + interval '1 day', 'reporter', 'reopened' FROM tickets WHERE id % 100 BETWEEN 50 AND 53
         ORDER BY 2",
    )
    .await;

    // 60% of closed tickets are asked, four in five of those answer.
    run(
        &mut c,
        "surveys",
        "INSERT INTO surveys (ticket_id, reporter_id, asked_at, step, score, answered_at, closed_at)
         SELECT id, reporter_id, closed_at, CASE WHEN answered THEN 'done' ELSE 'score' END,
                CASE WHEN answered THEN 1 + floor(random() * 5)::int END,
                CASE WHEN answered THEN closed_at + interval '5 minutes' END,
                CASE WHEN answered THEN closed_at + interval '5 minutes' END
         FROM (SELECT *, random() < 0.8 AS answered FROM tickets
               WHERE status = 'closed' AND random() < 0.6) t",
    )
    .await;

    // Reports' ends over the same year: 30% fixed at Level 0, 60% a ticket, 10% cancelled.
    run(
        &mut c,
        "conversations",
        &format!(
            "INSERT INTO conversations (channel, chat_id, reporter_id, created_at)
             SELECT 'telegram', g::text, g, {start} FROM generate_series(1, {REPORTERS}) g"
        ),
    )
    .await;
    run(
        &mut c,
        "inbound messages",
        &format!(
            "INSERT INTO inbound_messages (channel, external_id, chat_id, sender_id, payload, received_at,
                                           conversation_id)
             SELECT 'telegram', g::text, (1 + g % {REPORTERS})::text, (1 + g % {REPORTERS})::text, '{{}}',
                    {start} + interval '365 days' * ((g - 1 + random()) / {CONTACTS}), 1 + g % {REPORTERS}
             FROM generate_series(1, {CONTACTS}) g"
        ),
    )
    .await;
    run(
        &mut c,
        "contacts",
        &format!(
            "INSERT INTO contacts (channel, reporter_id, conversation_id, inbound_id, started_at, ended_at,
                                   outcome, ticket_type, category, article_id, ticket_id)
             SELECT 'telegram', conversation_id, conversation_id, id, received_at - interval '3 minutes',
                    received_at, outcome, 'insiden', 'akun',
                    CASE WHEN outcome = 'level0' THEN 'reset-password' END,
                    CASE WHEN outcome = 'ticket' THEN 1 + id % {TICKETS} END
             FROM (SELECT *, CASE WHEN id % 10 < 3 THEN 'level0' WHEN id % 10 < 9 THEN 'ticket'
                                  ELSE 'cancelled' END AS outcome
                   FROM inbound_messages) i"
        ),
    )
    .await;
    // Statistics and a visibility map, as autovacuum would have left them.
    c.execute("VACUUM ANALYZE").await.expect("vacuum analyze");
}

async fn sizes(pool: &PgPool) {
    for table in ["tickets", "ticket_events", "surveys", "contacts"] {
        let (rows, size): (i64, String) = sqlx::query_as(&format!(
            "SELECT (SELECT count(*) FROM {table}), pg_size_pretty(pg_total_relation_size('{table}'))"
        ))
        .fetch_one(pool)
        .await
        .expect("table sizes");
        println!("  {table:<14} {rows:>8} rows  {size:>8} with indexes");
    }
}

/// Times `kpis` over the period `RUNS` times; returns (min, median) and the ticket count.
async fn time(pool: &PgPool, period: &Period) -> (Duration, Duration, i64) {
    let mut conn = pool.acquire().await.expect("a connection");
    let mut took = Vec::with_capacity(RUNS);
    let mut tickets = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let k = kpis(&mut conn, period.start(), period.end()).await.expect("the report");
        took.push(start.elapsed());
        tickets = k.tickets;
    }
    took.sort();
    (took[0], took[RUNS / 2], tickets)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rt.block_on(async {
        let tz = chrono_tz::Asia::Jakarta;
        let year = Period::parse("2025-12-01", "2026-11-30", tz).expect("a year");
        let month = Period::parse("2026-11-01", "2026-11-30", tz).expect("a month");
        let scratch = Scratch::create("report", 2).await;
        let pool = scratch.pool.clone();
        let started = Instant::now();
        seed(&pool, year.start()).await;
        println!("seeded a year in {:.1} s:", started.elapsed().as_secs_f64());
        sizes(&pool).await;

        for (what, period) in [("one month", &month), ("whole year", &year)] {
            let (min, median, tickets) = time(&pool, period).await;
            println!(
                "kpis over {what} ({} to {}, {tickets} tickets): min {:.0} ms, median {:.0} ms of {RUNS}",
                period.from,
                period.to,
                min.as_secs_f64() * 1000.0,
                median.as_secs_f64() * 1000.0
            );
        }

        if std::env::var_os("REPORT_BENCH_KEEP").is_some() {
            println!("kept database {}", scratch.name);
            return;
        }
        scratch.drop().await;
    });
}
