//! The KPI report over a seeded November 2026 (Asia/Jakarta), every figure checked against
//! numbers worked out by hand below; rows just outside the month must not count. Then the
//! three renderings, and `GET /api/kpis`.

mod support;

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use sigap::config::Settings;
use sigap::report::{self, Kpis, Period};
use sigap::store::report::kpis;
use sigap::web::{self, WebState};
use sqlx::PgPool;
use support::wib;
use tokio_util::sync::CancellationToken;

/// One seeded ticket; times are minutes after `created`.
struct Tk {
    number: &'static str,
    kind: &'static str,
    category: &'static str,
    service: Option<&'static str>,
    priority: i16,
    team: Option<&'static str>,
    status: &'static str,
    assignee: Option<i64>,
    created: DateTime<Utc>,
    responded: Option<i64>,
    resolved: Option<i64>,
    closed: Option<i64>,
}

/// The SOP's targets (response, resolution) in minutes, counted 24/7 here.
fn targets(priority: i16) -> (i64, i64) {
    match priority {
        1 => (10, 8 * 60),
        2 => (60, 24 * 60),
        _ => (4 * 60, 48 * 60),
    }
}

struct Seeded {
    reporter: i64,
    conversation: i64,
    andi: i64,
    sari: i64,
    joko: i64,
}

async fn people(pool: &PgPool) -> Seeded {
    let reporter: i64 = sqlx::query_scalar("INSERT INTO reporters (name, unit) VALUES ('Budi', 'Umum') RETURNING id")
        .fetch_one(pool)
        .await
        .unwrap();
    let conversation: i64 = sqlx::query_scalar(
        "INSERT INTO conversations (channel, chat_id, reporter_id) VALUES ('terminal', 'budi', $1) RETURNING id",
    )
    .bind(reporter)
    .fetch_one(pool)
    .await
    .unwrap();
    let tech = |name: &'static str, team: &'static str| async move {
        sqlx::query_scalar::<_, i64>("INSERT INTO technicians (name, team) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(team)
            .fetch_one(pool)
            .await
            .unwrap()
    };
    Seeded {
        reporter,
        conversation,
        andi: tech("Andi", "L1").await,
        sari: tech("Sari", "L2-jaringan").await,
        // A comma: the CSV must quote it.
        joko: tech("Joko, S.Kom", "L1").await,
    }
}

async fn ticket(pool: &PgPool, s: &Seeded, t: Tk) -> i64 {
    let (response, resolution) = targets(t.priority);
    let at = |m: Option<i64>| m.map(|m| t.created + Duration::minutes(m));
    sqlx::query_scalar(
        "INSERT INTO tickets (number, ticket_type, category, service, title, description, scope, urgency, impact,
                              priority, response_due, resolution_due, status, assignee_id, reporter_id, channel,
                              chat_id, created_at, responded_at, resolved_at, closed_at, team)
         VALUES ($1, $2, $3, $4, 'judul', 'uraian', 'individual', 'rendah', 'rendah', $5, $6, $7, $8, $9, $10,
                 'terminal', 'budi', $11, $12, $13, $14, $15)
         RETURNING id",
    )
    .bind(t.number)
    .bind(t.kind)
    .bind(t.category)
    .bind(t.service)
    .bind(t.priority)
    .bind(t.created + Duration::minutes(response))
    .bind(t.created + Duration::minutes(resolution))
    .bind(t.status)
    .bind(t.assignee)
    .bind(s.reporter)
    .bind(t.created)
    .bind(at(t.responded))
    .bind(at(t.resolved))
    .bind(at(t.closed))
    .bind(t.team)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn event(pool: &PgPool, ticket: i64, kind: &str, at: DateTime<Utc>) {
    sqlx::query("INSERT INTO ticket_events (ticket_id, at, actor_kind, kind) VALUES ($1, $2, 'technician', $3)")
        .bind(ticket)
        .bind(at)
        .bind(kind)
        .execute(pool)
        .await
        .unwrap();
}

async fn survey(pool: &PgPool, s: &Seeded, ticket: i64, score: Option<i16>) {
    sqlx::query("INSERT INTO surveys (ticket_id, reporter_id, asked_at, score) VALUES ($1, $2, now(), $3)")
        .bind(ticket)
        .bind(s.reporter)
        .bind(score)
        .execute(pool)
        .await
        .unwrap();
}

/// A report that ended at `ended`: `level0` (an article helped), `ticket` or `cancelled`.
async fn contact(pool: &PgPool, s: &Seeded, outcome: &str, ended: DateTime<Utc>, ticket: Option<i64>) {
    let inbound: i64 = sqlx::query_scalar(
        "INSERT INTO inbound_messages (channel, external_id, chat_id, sender_id, payload, received_at)
         VALUES ('terminal', gen_random_uuid()::text, 'budi', 'budi', '{}', $1) RETURNING id",
    )
    .bind(ended)
    .fetch_one(pool)
    .await
    .unwrap();
    let article = (outcome == "level0").then_some("reset-password");
    sqlx::query(
        "INSERT INTO contacts (channel, reporter_id, conversation_id, inbound_id, started_at, ended_at, outcome,
                               ticket_type, category, article_id, ticket_id)
         VALUES ('terminal', $1, $2, $3, $4, $4, $5, 'insiden', 'akun', $6, $7)",
    )
    .bind(s.reporter)
    .bind(s.conversation)
    .bind(inbound)
    .bind(ended)
    .bind(outcome)
    .bind(article)
    .bind(ticket)
    .execute(pool)
    .await
    .unwrap();
}

#[allow(clippy::too_many_arguments)]
fn tk(
    number: &'static str,
    kind: &'static str,
    category: &'static str,
    service: Option<&'static str>,
    priority: i16,
    team: Option<&'static str>,
    status: &'static str,
    assignee: Option<i64>,
    created: DateTime<Utc>,
    [responded, resolved, closed]: [Option<i64>; 3],
) -> Tk {
    Tk {
        number,
        kind,
        category,
        service,
        priority,
        team,
        status,
        assignee,
        created,
        responded,
        resolved,
        closed,
    }
}

/// November 2026: twelve tickets T1-T12, two just outside (X1 the minute before, X2 the
/// first minute after), their events, surveys and contacts.
async fn seed_november(pool: &PgPool) -> Seeded {
    let s = people(pool).await;
    let (l1, l2) = (Some("L1"), Some("L2-jaringan"));
    let (wifi, email, printer) = (Some("wifi"), Some("email"), Some("printer"));
    let (andi, sari, joko) = (Some(s.andi), Some(s.sari), Some(s.joko));
    #[rustfmt::skip]
    let all = [
        // number  type          category     service  P  team  status         holder  created                  [responded, resolved, closed]
        tk("T1",  "insiden",    "jaringan",  wifi,    1, l1,   "closed",      andi, wib(2026, 11, 2, 9, 0),   [Some(5), Some(120), Some(200)]),
        tk("T2",  "insiden",    "jaringan",  wifi,    1, l2,   "closed",      sari, wib(2026, 11, 3, 10, 0),  [Some(15), Some(600), Some(700)]),
        tk("T3",  "insiden",    "akun",      email,   2, l1,   "resolved",    andi, wib(2026, 11, 5, 8, 0),   [Some(30), Some(300), None]),
        // Closed without a resolution time (older data): its closing counts.
        tk("T4",  "permintaan", "akun",      email,   2, l1,   "closed",      joko, wib(2026, 11, 10, 13, 0), [Some(90), None, Some(2000)]),
        // Reopened: no resolution time until it is resolved again. No team (older ticket).
        tk("T5",  "insiden",    "perangkat", None,       3, None,    "in_progress", sari, wib(2026, 11, 12, 9, 0),  [Some(100), None, None]),
        tk("T6",  "insiden",    "perangkat", None,       3, None,    "new",         None,    wib(2026, 11, 28, 9, 0),  [None, None, None]),
        // Cancelled before anyone responded: out of the response share.
        tk("T7",  "akses",      "akun",      email,   3, l1,   "cancelled",   None,    wib(2026, 11, 15, 9, 0),  [None, None, None]),
        // Cancelled after a response: in it.
        tk("T8",  "akses",      "akun",      email,   2, l1,   "cancelled",   andi, wib(2026, 11, 16, 9, 0),  [Some(20), None, None]),
        tk("T9",  "insiden",    "jaringan",  wifi,    1, l2,   "closed",      sari, wib(2026, 11, 20, 7, 0),  [Some(8), Some(400), Some(450)]),
        tk("T10", "permintaan", "perangkat", printer, 3, l1,   "closed",      joko, wib(2026, 11, 25, 10, 0), [Some(60), Some(1000), Some(1100)]),
        // The first minute of the month; response and resolution exactly at their due times.
        tk("T11", "insiden",    "jaringan",  wifi,    2, l1,   "closed",      andi, wib(2026, 11, 1, 0, 0),   [Some(60), Some(1440), Some(1500)]),
        tk("T12", "insiden",    "jaringan",  None,       3, l1,   "new",         None,    wib(2026, 11, 30, 23, 59), [None, None, None]),
        // Outside: the last minute of October, the first of December.
        tk("X1",  "insiden",    "jaringan",  wifi,    1, l1,   "closed",      andi, wib(2026, 10, 31, 23, 59), [Some(1), Some(10), Some(20)]),
        tk("X2",  "insiden",    "jaringan",  wifi,    1, l1,   "new",         None,    wib(2026, 12, 1, 0, 0),   [None, None, None]),
    ];
    let mut id = std::collections::HashMap::new();
    for t in all {
        let number = t.number;
        id.insert(number, ticket(pool, &s, t).await);
    }

    let nov = |d, h| wib(2026, 11, d, h, 0);
    event(pool, id["T1"], "created", nov(2, 9)).await;
    event(pool, id["T2"], "escalated", nov(3, 10)).await;
    event(pool, id["T2"], "escalated_up", nov(3, 18)).await;
    event(pool, id["T9"], "escalated", nov(20, 8)).await;
    event(pool, id["T9"], "returned", nov(20, 9)).await;
    event(pool, id["T10"], "reopened", nov(26, 8)).await;
    // After the month, but of a ticket of the month: counts.
    event(pool, id["T5"], "reopened", wib(2026, 12, 1, 8, 0)).await;
    // Of a ticket outside the month: does not.
    event(pool, id["X1"], "escalated", nov(1, 1)).await;

    survey(pool, &s, id["T1"], Some(5)).await;
    survey(pool, &s, id["T2"], Some(2)).await;
    survey(pool, &s, id["T4"], None).await;
    survey(pool, &s, id["T9"], Some(4)).await;
    survey(pool, &s, id["T10"], Some(4)).await;
    survey(pool, &s, id["T11"], Some(3)).await;
    survey(pool, &s, id["X1"], Some(1)).await;

    // Contacts by when they ended: 3 at Level 0 (one at the first instant of the month),
    // 5 made a ticket, 2 cancelled; one of each kind just outside.
    contact(pool, &s, "level0", wib(2026, 11, 1, 0, 0), None).await;
    contact(pool, &s, "level0", nov(4, 10), None).await;
    contact(pool, &s, "level0", nov(30, 23), None).await;
    for t in ["T1", "T2", "T3", "T9", "T11"] {
        contact(pool, &s, "ticket", nov(6, 10), Some(id[t])).await;
    }
    contact(pool, &s, "cancelled", nov(7, 10), None).await;
    contact(pool, &s, "cancelled", nov(8, 10), None).await;
    contact(pool, &s, "level0", wib(2026, 10, 31, 23, 30), None).await;
    contact(pool, &s, "ticket", wib(2026, 12, 1, 0, 0), Some(id["X2"])).await;
    s
}

fn november() -> Period {
    Period::parse("2026-11-01", "2026-11-30", chrono_tz::Asia::Jakarta).unwrap()
}

#[track_caller]
fn close(got: Option<f64>, want: f64) {
    let got = got.unwrap_or_else(|| panic!("expected {want}, got nothing"));
    assert!((got - want).abs() < 1e-6, "expected {want}, got {got}");
}

fn counts(c: &[sigap::report::Count]) -> Vec<(&str, i64)> {
    c.iter().map(|c| (c.key.as_str(), c.tickets)).collect()
}

async fn november_kpis(pool: &PgPool) -> Kpis {
    let p = november();
    let mut conn = pool.acquire().await.unwrap();
    kpis(&mut conn, p.start(), p.end()).await.unwrap()
}

#[sqlx::test]
async fn a_seeded_month_gives_the_figures_worked_out_by_hand(pool: PgPool) {
    let s = seed_november(&pool).await;
    let k = november_kpis(&pool).await;

    // T1-T12; X1 and X2 are outside.
    assert_eq!(k.tickets, 12);
    assert_eq!(counts(&k.by_type), [("insiden", 8), ("permintaan", 2), ("akses", 2)]);
    assert_eq!(counts(&k.by_category), [("jaringan", 5), ("akun", 4), ("perangkat", 3)]);
    assert_eq!(
        counts(&k.by_service),
        [("email", 4), ("wifi", 4), ("-", 3), ("printer", 1)]
    );
    assert_eq!(counts(&k.by_priority), [("1", 3), ("2", 4), ("3", 5)]);
    assert_eq!(
        counts(&k.by_status),
        [
            ("new", 2),
            ("in_progress", 1),
            ("resolved", 1),
            ("closed", 6),
            ("cancelled", 2)
        ]
    );

    let [p1, p2, p3, all] = &k.targets[..] else {
        panic!("{:?}", k.targets)
    };
    assert_eq!(
        (p1.priority, p2.priority, p3.priority, all.priority),
        (Some(1), Some(2), Some(3), None)
    );
    assert_eq!((p1.tickets, p2.tickets, p3.tickets, all.tickets), (3, 4, 5, 12));

    // P1 (T1, T2, T9): responded in 5, 15, 8 (target 10): 2 of 3. Resolved in 120, 600, 400
    // (target 480): 2 of 3. Response avg 28/3, median 8; resolution avg 1120/3, median 400.
    assert_eq!((p1.response_met.count, p1.response_met.of), (2, 3));
    assert_eq!((p1.resolution_met.count, p1.resolution_met.of), (2, 3));
    close(p1.response_met.percent, 200.0 / 3.0);
    close(p1.response.average, 28.0 / 3.0);
    close(p1.response.median, 8.0);
    close(p1.resolution.average, 1120.0 / 3.0);
    close(p1.resolution.median, 400.0);

    // P2 (T3, T4, T8, T11): responses 30, 90, 20 (T8, cancelled after it), 60 = due (met);
    // target 60: 3 of 4. Resolutions T3 300, T4 closed at 2000 (no resolved_at), T11 1440 =
    // due (met); target 1440: 2 of 3 (T8 cancelled is not resolved). Response avg 200/4 = 50,
    // median (30 + 60) / 2 = 45; resolution avg 3740/3, median 1440.
    assert_eq!((p2.response_met.count, p2.response_met.of), (3, 4));
    assert_eq!((p2.resolution_met.count, p2.resolution_met.of), (2, 3));
    close(p2.response_met.percent, 75.0);
    close(p2.response.average, 50.0);
    close(p2.response.median, 45.0);
    close(p2.resolution.average, 3740.0 / 3.0);
    close(p2.resolution.median, 1440.0);

    // P3 (T5, T6, T7, T10, T12): T7 cancelled before a response is left out; T5 100 and T10
    // 60 met the 240, T6 and T12 not responded yet: 2 of 4. Only T10 resolved (1000 of 2880).
    assert_eq!((p3.response_met.count, p3.response_met.of), (2, 4));
    assert_eq!((p3.resolution_met.count, p3.resolution_met.of), (1, 1));
    close(p3.response.average, 80.0);
    close(p3.response.median, 80.0);
    close(p3.resolution.average, 1000.0);
    close(p3.resolution.median, 1000.0);

    // All: response 7 of 11, resolution 5 of 7. Response times 5 8 15 20 30 60 60 90 100:
    // sum 388, median 30. Resolution times 120 300 400 600 1000 1440 2000: sum 5860, median 600.
    assert_eq!((all.response_met.count, all.response_met.of), (7, 11));
    assert_eq!((all.resolution_met.count, all.resolution_met.of), (5, 7));
    close(all.response.average, 388.0 / 9.0);
    close(all.response.median, 30.0);
    close(all.resolution.average, 5860.0 / 7.0);
    close(all.resolution.median, 600.0);

    // Resolved or closed: T1 T2 T3 T4 T9 T10 T11; T2 and T9 were escalated: 5 of 7.
    assert_eq!((k.first_contact.count, k.first_contact.of), (5, 7));
    close(k.first_contact.percent, 500.0 / 7.0);

    // T2 and T9 escalated (X1's does not count), T2 went up, T9 came back, T10 and T5
    // (in December) reopened; "created" is no escalation.
    let e = k.escalations;
    assert_eq!((e.functional, e.hierarchical, e.returned, e.reopened), (2, 1, 1, 2));

    // Contacts: 3 Level 0, 5 tickets, 2 cancelled; deflection 3 / 8.
    let l = k.level0;
    assert_eq!((l.level0, l.ticket, l.cancelled), (3, 5, 2));
    assert_eq!((l.deflection.count, l.deflection.of), (3, 8));
    close(l.deflection.percent, 37.5);

    // Surveys of T1 5, T2 2, T4 (no answer), T9 4, T10 4, T11 3; X1's 1 is outside.
    let sat = &k.satisfaction;
    assert_eq!((sat.asked, sat.answered), (6, 5));
    close(sat.average, 18.0 / 5.0);
    close(sat.response_rate.percent, 500.0 / 6.0);
    assert_eq!(sat.scores, [0, 1, 1, 2, 1]);

    // L1: T1 T3 T4 T7 T8 T10 T11 T12; resolved/closed T1 T3 T4 T10 T11; response base without
    // T7 is 7, met by T1 T3 T8 T10 T11; scores 5 4 3.
    // L2-jaringan: T2 T9, both closed, T9 responded in time; scores 2 4.
    // No team: T5 T6, none resolved, T5 responded in time; no surveys.
    let teams: Vec<_> = k
        .teams
        .iter()
        .map(|t| {
            (
                t.team.as_str(),
                t.tickets,
                t.resolved,
                t.response_met.count,
                t.response_met.of,
                t.answered,
            )
        })
        .collect();
    assert_eq!(
        teams,
        [
            ("L1", 8, 5, 5, 7, 3),
            ("L2-jaringan", 2, 2, 1, 2, 2),
            ("-", 2, 0, 1, 2, 0)
        ]
    );
    close(k.teams[0].csat, 4.0);
    close(k.teams[1].csat, 3.0);
    assert_eq!(k.teams[2].csat, None);

    // Andi holds T1 T3 T8 T11 (resolved in 120, 300, 1440; scores 5, 3); Sari T2 T5 T9
    // (600, 400; scores 2, 4); Joko T4 T10 (2000, 1000; score 4, T4 unanswered).
    let techs: Vec<_> = k
        .technicians
        .iter()
        .map(|t| (t.id, t.team.as_str(), t.tickets, t.resolved, t.answered))
        .collect();
    assert_eq!(
        techs,
        [
            (s.andi, "L1", 4, 3, 2),
            (s.sari, "L2-jaringan", 3, 2, 2),
            (s.joko, "L1", 2, 2, 1)
        ]
    );
    close(k.technicians[0].resolution_minutes, 620.0);
    close(k.technicians[1].resolution_minutes, 500.0);
    close(k.technicians[2].resolution_minutes, 1500.0);
    close(k.technicians[0].csat, 4.0);
    close(k.technicians[1].csat, 3.0);
    close(k.technicians[2].csat, 4.0);

    // Inside a caller's transaction the same figures come out.
    let p = november();
    let mut tx = pool.begin().await.unwrap();
    assert_eq!(kpis(&mut tx, p.start(), p.end()).await.unwrap(), k);
}

#[sqlx::test]
async fn the_renderings_carry_the_figures(pool: PgPool) {
    seed_november(&pool).await;
    let k = november_kpis(&pool).await;
    let p = november();

    let md = report::markdown(&k, &p);
    for line in [
        "# Service desk KPIs, 2026-11-01 to 2026-11-30 (Asia/Jakarta)",
        "Tickets created: 12",
        "| P1 | 3 | 66.7% (2/3) | 66.7% (2/3) | 9.3 | 8.0 | 373.3 | 400.0 |",
        "| all | 12 | 63.6% (7/11) | 71.4% (5/7) | 43.1 | 30.0 | 837.1 | 600.0 |",
        "| First-contact resolution | 71.4% (5/7) |",
        "| Returned as misrouted | 1 |",
        "| Level 0 deflection | 37.5% (3/8) |",
        "| Average score (1-5) | 3.60 |",
        "| Response rate | 83.3% (5/6) |",
        "| - | 2 | 0 | 50.0% (1/2) | - | 0 |",
        "| Joko, S.Kom | L1 | 2 | 2 | 1500.0 | 4.00 | 1 |",
        "- First-contact resolution: resolved or closed tickets never escalated to another team.",
    ] {
        assert!(md.lines().any(|l| l == line), "missing {line:?} in\n{md}");
    }

    let csv = report::csv(&k, &p);
    let rows: Vec<Vec<String>> = csv.lines().map(fields).collect();
    assert!(rows.iter().all(|r| r.len() == 4), "{csv}");
    assert_eq!(rows[0], ["section", "key", "metric", "value"]);
    // Header; period 3; total 1; by type 3, category 3, service 4, priority 3, status 5;
    // targets 4 rows x 11 metrics; first contact 3; escalations 4; Level 0 4; satisfaction
    // 4 + 5 scores; teams 3 x 7; technicians 3 x 6.
    assert_eq!(rows.len(), 1 + 3 + 1 + 3 + 3 + 4 + 3 + 5 + 44 + 3 + 4 + 4 + 9 + 21 + 18);
    let value = |section: &str, key: &str, metric: &str| {
        rows.iter()
            .find(|r| r[0] == section && r[1] == key && r[2] == metric)
            .map(|r| r[3].clone())
            .unwrap_or_else(|| panic!("no {section},{key},{metric}"))
    };
    assert_eq!(value("targets", "P2", "response_met_pct"), "75.0");
    assert_eq!(value("targets", "P3", "resolution_median_min"), "1000.0");
    assert_eq!(value("level0", "all", "deflection_pct"), "37.5");
    assert_eq!(value("team", "-", "csat"), "");
    assert!(csv.contains("\"Joko, S.Kom #"), "{csv}");

    let json = serde_json::to_string_pretty(&k).unwrap();
    let back: Kpis = serde_json::from_str(&json).unwrap();
    same(
        &serde_json::to_value(&back).unwrap(),
        &serde_json::to_value(&k).unwrap(),
    );
}

#[sqlx::test]
async fn an_empty_period_has_zeros_and_no_averages(pool: PgPool) {
    seed_november(&pool).await;
    let p = Period::parse("2027-01-01", "2027-01-31", chrono_tz::Asia::Jakarta).unwrap();
    let mut conn = pool.acquire().await.unwrap();
    let k = kpis(&mut conn, p.start(), p.end()).await.unwrap();
    assert_eq!(k.tickets, 0);
    assert_eq!(counts(&k.by_priority), [("1", 0), ("2", 0), ("3", 0)]);
    assert!(k.by_category.is_empty() && k.teams.is_empty() && k.technicians.is_empty());
    assert_eq!(k.targets.len(), 4);
    assert!(
        k.targets
            .iter()
            .all(|t| t.response_met.percent.is_none() && t.response.median.is_none())
    );
    assert_eq!((k.satisfaction.asked, k.satisfaction.average), (0, None));
    let md = report::markdown(&k, &p);
    assert!(md.contains("| all | 0 | - (0/0) | - (0/0) | - | - | - | - |"), "{md}");
    assert!(md.contains("| (none) |"), "{md}");
}

#[sqlx::test]
async fn the_web_server_serves_the_figures_as_json(pool: PgPool) {
    seed_november(&pool).await;
    let want = serde_json::to_value(november_kpis(&pool).await).unwrap();
    let state = WebState {
        pool: pool.clone(),
        env: sigap::app::load_env(Settings::default()).unwrap(),
        telegram_secret: None,
        whatsapp: None,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = CancellationToken::new();
    let server = tokio::spawn(web::serve(listener, state, stop.clone()));

    let get = |q: &str| reqwest::get(format!("http://{addr}/api/kpis{q}"));
    let r = get("?from=2026-11-01&to=2026-11-30").await.unwrap();
    assert_eq!(r.status(), 200);
    same(&r.json::<Value>().await.unwrap(), &want);

    for bad in [
        "",
        "?from=2026-11-01",
        "?from=2026-11-31&to=2026-12-01",
        "?from=2026-12-01&to=2026-11-01",
        "?from=%FF%FE&to=x",
        "?from=2026-11-01&to=2026-11-30&from=nope",
    ] {
        let r = get(bad).await.unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        let body: Value = r.json().await.unwrap();
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()), "{bad}: {body}");
    }
    stop.cancel();
    server.await.unwrap().unwrap();
}

/// Equal JSON, numbers within a rounding error (a float printed and read back may move
/// by its last bit).
#[track_caller]
fn same(a: &Value, b: &Value) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((x - y).abs() <= 1e-9 * x.abs().max(1.0), "{x} != {y}");
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len());
            x.iter().zip(y).for_each(|(x, y)| same(x, y));
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>());
            x.iter().for_each(|(k, v)| same(v, &y[k]));
        }
        _ => assert_eq!(a, b),
    }
}

/// One CSV line's fields (RFC 4180 quoting; no line breaks in this data).
fn fields(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted, mut chars) = (Vec::new(), String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}
