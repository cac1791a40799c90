//! `sigap report` and `GET /api/kpis`: the SOP's KPIs for a period, computed by SQL over
//! the tickets, their events, surveys and contacts (`store::report`), never from counters
//! that could drift. Rendered as Markdown, CSV (section,key,metric,value) or JSON.
//!
//! Definitions (the Markdown footer repeats them, briefly):
//! - Period: tickets whose `created_at` falls in `[from 00:00, to + 1 day 00:00)` in the
//!   agency's time zone. Level 0 contacts count by `ended_at` in the same range.
//! - Counts by type, category, service ("-" for none), priority and status: the rows as
//!   they are now.
//! - Response met: `responded_at <= response_due`, over the tickets of the period except
//!   those cancelled before anyone responded. An open ticket nobody has responded to yet
//!   counts as not met.
//! - Resolution met: `resolved_at` (for a closed ticket without one, `closed_at`)
//!   `<= resolution_due`, over tickets now resolved or closed. A reopened ticket has no
//!   `resolved_at` until it is resolved again: the final values count.
//! - Response time: `responded_at - created_at`; resolution time: that resolution moment
//!   minus `created_at` (resolved and closed tickets); average and median in minutes.
//! - First-contact resolution: resolved or closed tickets without any `escalated` event,
//!   i.e. solved by the first-line team they started with.
//! - Level 0 deflection: contacts fixed at Level 0 / (fixed at Level 0 + made a ticket).
//! - Escalations: events of the period's tickets (whenever they happened): `escalated`
//!   (functional), `escalated_up` (hierarchical), `returned` (misrouted); also `reopened`.
//! - Satisfaction: surveys of the period's tickets; average of the overall scores (1-5),
//!   response rate = surveys with a score / surveys asked.
//! - Per team: the team that has the ticket now ("-" for none). Per technician: the
//!   tickets they hold now (an escalation hands a ticket on, unheld).

mod csv;
mod kpis;
mod markdown;
mod period;

pub use csv::csv;
pub use kpis::{
    Count, Escalations, Kpis, Level0, Minutes, Satisfaction, Share, Targets, TeamFigures, TechnicianFigures,
};
pub use markdown::markdown;
pub use period::{Period, PeriodError};

/// The footer of the Markdown report: what each figure means, in a line each.
pub(crate) const DEFINITIONS: [&str; 9] = [
    "Period: tickets created from the first day 00:00 to the day after the last, agency time zone; \
     Level 0 contacts by when they ended.",
    "Response met: responded by the response due time, over tickets not cancelled before a response \
     (an open ticket not yet responded to counts as not met).",
    "Resolution met: resolved (or closed) by the resolution due time, over resolved and closed tickets; \
     a reopened ticket counts by its last resolution.",
    "Times: from creation to first response, and to resolution; minutes.",
    "First-contact resolution: resolved or closed tickets never escalated to another team.",
    "Level 0 deflection: reports fixed at Level 0 over reports fixed at Level 0 or made a ticket.",
    "Escalations: events of the period's tickets: escalated (functional), escalated_up (hierarchical), \
     returned (misrouted), reopened.",
    "Satisfaction: overall survey score 1-5 of the period's tickets; response rate = scored / asked.",
    "Teams and technicians: the team and technician holding each ticket now.",
];

/// A percentage with one decimal, or "-" when there is nothing to share.
pub(crate) fn percent(s: &Share) -> Option<String> {
    s.percent.map(|p| format!("{p:.1}"))
}

/// Minutes with one decimal.
pub(crate) fn minutes(m: Option<f64>) -> Option<String> {
    m.map(|m| format!("{m:.1}"))
}

/// A satisfaction score with two decimals: on a 1-5 scale one decimal hides too much.
pub(crate) fn score(s: Option<f64>) -> Option<String> {
    s.map(|s| format!("{s:.2}"))
}

/// How a priority is shown: "P1", or "all" for the overall row.
pub(crate) fn priority(p: Option<u8>) -> String {
    p.map_or_else(|| "all".to_owned(), |p| format!("P{p}"))
}
