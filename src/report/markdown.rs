//! The report as Markdown tables, for people: English headings (supervisors' tooling
//! reads them), one decimal for percentages and minutes, "-" where there is no figure.

use super::{DEFINITIONS, Kpis, Period, Share, minutes, percent, priority, score};
use std::fmt::Write;

pub fn markdown(k: &Kpis, period: &Period) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Service desk KPIs, {} to {} ({})\n\nTickets created: {}\n",
        period.from, period.to, period.tz, k.tickets
    );
    for (title, counts) in [
        ("Tickets by type", &k.by_type),
        ("Tickets by category", &k.by_category),
        ("Tickets by service", &k.by_service),
        ("Tickets by priority", &k.by_priority),
        ("Tickets by status", &k.by_status),
    ] {
        let rows = counts.iter().map(|c| vec![c.key.clone(), c.tickets.to_string()]);
        table(&mut out, title, &["Key", "Tickets"], 1, rows);
    }

    let rows = k.targets.iter().map(|t| {
        vec![
            priority(t.priority),
            t.tickets.to_string(),
            share(&t.response_met),
            share(&t.resolution_met),
            dash(minutes(t.response.average)),
            dash(minutes(t.response.median)),
            dash(minutes(t.resolution.average)),
            dash(minutes(t.resolution.median)),
        ]
    });
    table(
        &mut out,
        "Targets and times per priority",
        &[
            "Priority",
            "Tickets",
            "Response met",
            "Resolution met",
            "Response avg (min)",
            "Response median (min)",
            "Resolution avg (min)",
            "Resolution median (min)",
        ],
        1,
        rows,
    );

    let e = &k.escalations;
    let l = &k.level0;
    let figures = [
        ("First-contact resolution", share(&k.first_contact)),
        ("Functional escalations", e.functional.to_string()),
        ("Hierarchical escalations", e.hierarchical.to_string()),
        ("Returned as misrouted", e.returned.to_string()),
        ("Reopened", e.reopened.to_string()),
        ("Reports fixed at Level 0", l.level0.to_string()),
        ("Reports made a ticket", l.ticket.to_string()),
        ("Reports cancelled", l.cancelled.to_string()),
        ("Level 0 deflection", share(&l.deflection)),
    ];
    let rows = figures.into_iter().map(|(name, v)| vec![name.to_owned(), v]);
    table(
        &mut out,
        "Resolution, escalation and Level 0",
        &["Figure", "Value"],
        1,
        rows,
    );

    let s = &k.satisfaction;
    let mut figures = vec![
        ("Average score (1-5)".to_owned(), dash(score(s.average))),
        ("Surveys asked".to_owned(), s.asked.to_string()),
        ("Surveys answered".to_owned(), s.answered.to_string()),
        ("Response rate".to_owned(), share(&s.response_rate)),
    ];
    for (i, n) in s.scores.iter().enumerate() {
        figures.push((format!("Score {}", i + 1), n.to_string()));
    }
    let rows = figures.into_iter().map(|(name, v)| vec![name, v]);
    table(&mut out, "Satisfaction", &["Figure", "Value"], 1, rows);

    let rows = k.teams.iter().map(|t| {
        vec![
            t.team.clone(),
            t.tickets.to_string(),
            t.resolved.to_string(),
            share(&t.response_met),
            dash(score(t.csat)),
            t.answered.to_string(),
        ]
    });
    table(
        &mut out,
        "Per team",
        &["Team", "Tickets", "Resolved/closed", "Response met", "CSAT", "Surveys"],
        1,
        rows,
    );

    let rows = k.technicians.iter().map(|t| {
        vec![
            t.name.clone(),
            t.team.clone(),
            t.tickets.to_string(),
            t.resolved.to_string(),
            dash(minutes(t.resolution_minutes)),
            dash(score(t.csat)),
            t.answered.to_string(),
        ]
    });
    table(
        &mut out,
        "Per technician",
        &[
            "Technician",
            "Team",
            "Tickets held",
            "Resolved/closed",
            "Resolution avg (min)",
            "CSAT",
            "Surveys",
        ],
        2,
        rows,
    );

    out.push_str("---\nDefinitions:\n");
    for d in DEFINITIONS {
        let _ = writeln!(out, "- {d}");
    }
    out
}

/// "85.7% (6/7)", or "- (0/0)".
fn share(s: &Share) -> String {
    match percent(s) {
        Some(p) => format!("{p}% ({}/{})", s.count, s.of),
        None => format!("- ({}/{})", s.count, s.of),
    }
}

fn dash(v: Option<String>) -> String {
    v.unwrap_or_else(|| "-".to_owned())
}

/// A titled table: the first `text` columns left-aligned, the numbers after them right-aligned.
fn table(out: &mut String, title: &str, headers: &[&str], text: usize, rows: impl Iterator<Item = Vec<String>>) {
    let _ = writeln!(out, "## {title}\n");
    let _ = writeln!(out, "| {} |", headers.join(" | "));
    let align: Vec<&str> = (0..headers.len())
        .map(|i| if i < text { "---" } else { "---:" })
        .collect();
    let _ = writeln!(out, "|{}|", align.join("|"));
    let mut empty = true;
    for row in rows {
        empty = false;
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    if empty {
        let none: Vec<&str> = (0..headers.len()).map(|i| if i == 0 { "(none)" } else { "" }).collect();
        let _ = writeln!(out, "| {} |", none.join(" | "));
    }
    out.push('\n');
}

/// Names come from people (technicians, teams, catalogue): a `|` or a line break would
/// break the table.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|").replace(['\r', '\n'], " ")
}
