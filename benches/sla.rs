//! One SLA tick over 100,000 open tickets (600,000 marks), printed (not asserted): the
//! first tick after a short stop (real warnings), an idle tick (nothing due, what runs
//! every `tick_seconds`), and the tick after two hours of downtime; with the plan of the
//! due-marks query, to show it walks the partial index `sla_marks_due`.
//!
//! `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench sla`
//! (an admin connection; a scratch database is created and dropped).

mod support;

use chrono::{DateTime, Utc};
use sigap::config::Settings;
use sigap::workers::sla::{self, Tick};
use sqlx::{Executor, PgPool, Row};
use std::time::{Duration, Instant};
use support::Scratch;

const TICKETS: i64 = 100_000;
/// One reporter for about every 20 tickets.
const REPORTERS: i64 = TICKETS / 20;
const TECHNICIANS: i64 = 30;
const WAR_ROOM: i64 = -1001234567890;
const SUPERVISORS: i64 = -1009876543210;
/// Marks that came due this long before `now` are left unwarned, as if the worker had
/// been stopped for a deploy: with tickets spread over three days that is about 1.3% of
/// the tickets, the work of the first tick. Older marks were dealt with by a running worker.
const STOPPED_MINUTES: i64 = 10;

/// The due-marks query exactly as `store::sla::due_marks` runs it (kept in step by hand).
const DUE_MARKS: &str = r#"SELECT m.ticket_id, m.clock, m.percent, m.due_at,
                  (t.status IN ('new', 'in_progress')
                   AND (m.clock = 'resolution' OR t.responded_at IS NULL)) AS "live!"
           FROM sla_marks m
           JOIN tickets t ON t.id = m.ticket_id
           WHERE m.warned_at IS NULL AND m.skipped_at IS NULL AND m.due_at <= $1
           ORDER BY m.due_at, m.ticket_id
           LIMIT $2
           FOR UPDATE OF m SKIP LOCKED"#;
/// `workers::sla::BATCH`.
const BATCH: i64 = 500;

/// Fills the desk as a running system would have left it at `now`, set-based (seconds,
/// not minutes). `random()` is seeded, so every run sees the same desk.
async fn seed(pool: &PgPool, settings: &Settings, now: DateTime<Utc>) {
    let mut targets = settings.priority.targets.clone();
    targets.sort_by_key(|t| t.priority.get());
    assert_eq!(
        targets.iter().map(|t| t.priority.get()).collect::<Vec<_>>(),
        [1, 2, 3],
        "one target per priority"
    );
    // Indexed by priority (PostgreSQL arrays start at 1).
    let response: Vec<i32> = targets.iter().map(|t| t.response_minutes as i32).collect();
    let resolution: Vec<i32> = targets.iter().map(|t| t.resolution_minutes as i32).collect();

    // One connection, so that setseed() governs every random() below.
    let mut c = pool.acquire().await.expect("a connection for seeding");
    c.execute("SELECT setseed(0.42)").await.expect("setseed");
    sqlx::query(
        "INSERT INTO reporters (name, unit, created_at, updated_at)
         SELECT 'Pelapor ' || g, 'Unit ' || g % 40, $1 - interval '90 days', $1 - interval '90 days'
         FROM generate_series(1, $2) g",
    )
    .bind(now)
    .bind(REPORTERS)
    .execute(&mut *c)
    .await
    .expect("seeding reporters");
    sqlx::query(
        "INSERT INTO technicians (name, team, telegram_user_id)
         SELECT 'Teknisi ' || g, CASE WHEN g <= 20 THEN 'L1' ELSE 'L2' END, 700000000 + g
         FROM generate_series(1, $1) g",
    )
    .bind(TECHNICIANS)
    .execute(&mut *c)
    .await
    .expect("seeding technicians");

    // Priorities 15/35/50. P1 tickets are taken fast: all but ~1% are held (those ~1%
    // are the unclaimed ones the re-ping is for). P2/P3: 40% new (never responded),
    // 60% in progress, half of those held and half escalated back to the queue.
    sqlx::query(
        "INSERT INTO tickets (number, ticket_type, category, title, description, scope, urgency,
                              impact, priority, response_due, resolution_due, status, assignee_id,
                              reporter_id, reporter_name, reporter_unit, channel, chat_id,
                              card_chat_id, card_message_id, created_at, updated_at,
                              responded_at, escalated_at, pinged_at)
         SELECT 'INC-' || to_char(created, 'YYMM') || '-' || lpad(g::text, 6, '0'),
                (ARRAY['insiden', 'insiden', 'insiden', 'permintaan', 'akses'])[1 + g % 5],
                (ARRAY['aplikasi', 'jaringan', 'perangkat-keras', 'data', 'akses', 'lainnya'])[1 + g % 6],
                'Laporan ' || g, 'printer di ruang TU lantai 2 tidak bisa mencetak, kertas macet',
                (ARRAY['mass', 'group', 'individual'])[p],
                (ARRAY['tinggi', 'menengah', 'rendah'])[p],
                (ARRAY['tinggi', 'menengah', 'menengah'])[p],
                p, created + resp, created + resol, status,
                CASE WHEN held THEN 1 + g % $5 END,
                reporter, 'Pelapor ' || reporter, 'Unit ' || reporter % 40,
                'telegram', (100000000 + reporter)::text, $6, g::text,
                created, COALESCE(responded, created), responded,
                CASE WHEN status = 'in_progress' AND NOT held
                     THEN responded + ($1 - responded) * random() END,
                CASE WHEN p = 1 AND NOT held AND created < $1 - interval '25 minutes'
                     THEN $1 - random() * interval '25 minutes' END
         FROM (SELECT *,
                      CASE WHEN status = 'in_progress'
                           THEN LEAST(created + resp * (0.2 + random()), $1) END AS responded
               FROM (SELECT *,
                            CASE WHEN p = 1 THEN (g / 20) % 100 <> 0
                                 ELSE status = 'in_progress' AND random() < 0.5 END AS held
                     FROM (SELECT *,
                                  CASE WHEN p = 1 AND (g / 20) % 100 = 0 THEN 'new'
                                       WHEN p = 1 OR random() >= 0.4 THEN 'in_progress'
                                       ELSE 'new' END AS status
                           FROM (SELECT g, p, 1 + g % $4 AS reporter,
                                        $1 - random() * interval '3 days' AS created,
                                        make_interval(mins => ($2::int[])[p]) AS resp,
                                        make_interval(mins => ($3::int[])[p]) AS resol
                                 FROM (SELECT g, CASE WHEN g % 20 < 3 THEN 1 WHEN g % 20 < 10 THEN 2 ELSE 3 END AS p
                                       FROM generate_series(1, $7::bigint) g) a) b) c) d) e",
    )
    .bind(now)
    .bind(&response)
    .bind(&resolution)
    .bind(REPORTERS)
    .bind(TECHNICIANS)
    .bind(WAR_ROOM.to_string())
    .bind(TICKETS)
    .execute(&mut *c)
    .await
    .expect("seeding tickets");

    // Six marks a ticket, on a 24/7 clock like the migration's backfill. Marks older than
    // the stop were handled within a tick of coming due: a response mark after the ticket
    // was taken up was put aside, the rest warned.
    sqlx::query(
        "INSERT INTO sla_marks (ticket_id, clock, percent, due_at, warned_at, skipped_at)
         SELECT id, clock, percent, due_at,
                CASE WHEN handled AND NOT aside THEN due_at + random() * interval '30 seconds' END,
                CASE WHEN handled AND aside THEN due_at + random() * interval '30 seconds' END
         FROM (SELECT *, due_at < $1 - make_interval(mins => $2::int) AS handled,
                      COALESCE(clock = 'response' AND responded_at <= due_at, false) AS aside
               FROM (SELECT t.id, t.responded_at, c.clock, p.percent,
                            t.created_at + (CASE c.clock WHEN 'response' THEN t.response_due
                                                         ELSE t.resolution_due END
                                            - t.created_at) * p.percent / 100 AS due_at
                     FROM tickets t
                     CROSS JOIN (VALUES ('response'), ('resolution')) AS c (clock)
                     CROSS JOIN (VALUES (50), (75), (100)) AS p (percent)) m) s",
    )
    .bind(now)
    .bind(STOPPED_MINUTES as i32)
    .execute(&mut *c)
    .await
    .expect("seeding sla marks");

    // Statistics and a visibility map, as autovacuum would have left them.
    c.execute("VACUUM ANALYZE reporters, technicians, tickets, sla_marks")
        .await
        .expect("vacuum analyze");
}

/// Times one tick; a failed tick is a broken bench, not a figure.
async fn timed(pool: &PgPool, env: &sigap::ingest::Env, now: DateTime<Utc>) -> (Duration, Tick) {
    let start = Instant::now();
    let t = sla::tick(pool, env, now).await.expect("an SLA tick");
    assert!(t.led, "nothing else ticks on the scratch database");
    (start.elapsed(), t)
}

/// Messages waiting in the outbox for the war room and for the supervisors: what the
/// tick's counts cost in Telegram's 20 messages a minute per group.
async fn queued(pool: &PgPool) -> (i64, i64) {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE chat_id = $1), count(*) FILTER (WHERE chat_id = $2)
         FROM outbox WHERE sent_at IS NULL",
    )
    .bind(WAR_ROOM.to_string())
    .bind(SUPERVISORS.to_string())
    .fetch_one(pool)
    .await
    .expect("counting the outbox")
}

/// Runs a tick that does work; says what it did and what it queued.
async fn working(pool: &PgPool, env: &sigap::ingest::Env, now: DateTime<Utc>, what: &str) {
    let before = queued(pool).await;
    let (took, t) = timed(pool, env, now).await;
    let after = queued(pool).await;
    println!(
        "  {what} ({} warnings, {} put aside, {} pings; queued {} war-room + {} supervisor messages): {took:.1?}",
        t.warned,
        t.put_aside,
        t.pinged,
        after.0 - before.0,
        after.1 - before.1
    );
}

/// The due-marks query's top plan node and its scan of sla_marks, with the rows each
/// produced, and its execution time: enough to see the partial index is used.
async fn plan(pool: &PgPool, now: DateTime<Utc>) -> String {
    let rows = sqlx::query(&format!("EXPLAIN (ANALYZE, BUFFERS) {DUE_MARKS}"))
        .bind(now)
        .bind(BATCH)
        .fetch_all(pool)
        .await
        .expect("explaining the due-marks query");
    let lines: Vec<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
    // "  ->  Index Scan using … (cost=…) (actual time=… rows=513 loops=1)" becomes
    // "Index Scan using … (513 rows)".
    let node = |l: &str| {
        let name = l.split("  (cost=").next().unwrap_or(l);
        let name = name.trim_start().trim_start_matches("->").trim_start();
        let actual = l.split("(actual ").nth(1).unwrap_or("");
        let rows = actual
            .split(" rows=")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .unwrap_or("?");
        format!("{name} ({rows} rows)")
    };
    let top = lines.first().map(|l| node(l)).unwrap_or_default();
    let scan = lines
        .iter()
        .find(|l| l.contains(" on sla_marks"))
        .map(|l| node(l))
        .unwrap_or_else(|| "no scan of sla_marks?".into());
    let time = lines
        .iter()
        .find(|l| l.starts_with("Execution Time"))
        .cloned()
        .unwrap_or_default();
    format!("{top} over {scan}; {time}")
}

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime");
    rt.block_on(async {
        let scratch = Scratch::create("sla", 4).await;
        let pool = scratch.pool.clone();
        let mut s = Settings::default();
        s.telegram.war_room_chat = Some(WAR_ROOM);
        s.sla.supervisor_chat = Some(SUPERVISORS);
        let env = sigap::app::load_env(s).expect("the default settings load");
        let now = Utc::now();

        let start = Instant::now();
        seed(&pool, &env.settings, now).await;
        let marks: i64 = sqlx::query_scalar("SELECT count(*) FROM sla_marks")
            .fetch_one(&pool)
            .await
            .expect("counting marks");
        let (due, on): (i64, i64) = sqlx::query_as(
            "SELECT count(*), count(DISTINCT ticket_id) FROM sla_marks
             WHERE warned_at IS NULL AND skipped_at IS NULL AND due_at <= $1",
        )
        .bind(now)
        .fetch_one(&pool)
        .await
        .expect("counting due marks");
        println!("seeded in {:.1?}: {due} marks due on {on} tickets", start.elapsed());

        println!("SLA tick over {TICKETS} open tickets ({marks} marks):");
        working(&pool, &env, now, "first tick").await;

        // Same `now`: everything due has just been dealt with.
        let mut idle = Vec::new();
        for _ in 0..20 {
            let (took, t) = timed(&pool, &env, now).await;
            assert_eq!(t.warned + t.put_aside + t.pinged, 0, "an idle tick has nothing to do");
            idle.push(took);
        }
        idle.sort();
        let pct = |p: f64| idle[((idle.len() - 1) as f64 * p).round() as usize];
        println!(
            "  idle tick: p50 {:.1?}, p99 {:.1?}, max {:.1?}",
            pct(0.5),
            pct(0.99),
            idle[idle.len() - 1]
        );
        let idle_plan = plan(&pool, now).await;

        let later = now + chrono::Duration::hours(2);
        let down_plan = plan(&pool, later).await;
        working(&pool, &env, later, "after 2 h down").await;
        println!("  due-marks query plan, idle: {idle_plan}");
        println!("  due-marks query plan, after 2 h down: {down_plan}");

        scratch.drop().await;
    });
}
