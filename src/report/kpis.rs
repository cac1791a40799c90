//! The figures of a KPI report as plain data: `store::report` fills them, `report`
//! renders them, the web server serves them as JSON. Absent figures (an average over no
//! tickets, a share of nothing) are `None`, never a made-up zero.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kpis {
    /// The period as instants: tickets created in `[start, end)`.
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Tickets created in the period.
    pub tickets: i64,
    /// Every ticket type, in the catalogue's order, zeros included.
    pub by_type: Vec<Count>,
    /// Busiest first.
    pub by_category: Vec<Count>,
    /// Busiest first; tickets without a service under "-".
    pub by_service: Vec<Count>,
    /// "1", "2", "3", zeros included.
    pub by_priority: Vec<Count>,
    /// In lifecycle order, zeros included.
    pub by_status: Vec<Count>,
    /// Priorities 1, 2, 3, then all together (`priority: None`).
    pub targets: Vec<Targets>,
    /// Resolved or closed tickets never escalated to another team.
    pub first_contact: Share,
    pub escalations: Escalations,
    pub level0: Level0,
    pub satisfaction: Satisfaction,
    /// Busiest first; tickets without a team under "-".
    pub teams: Vec<TeamFigures>,
    /// Busiest first.
    pub technicians: Vec<TechnicianFigures>,
}

/// How many tickets have one value of a dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub key: String,
    pub tickets: i64,
}

/// `count` out of `of`, and the percentage (`None` when `of` is zero).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Share {
    pub count: i64,
    pub of: i64,
    pub percent: Option<f64>,
}

impl Share {
    pub fn new(count: i64, of: i64) -> Share {
        let percent = (of > 0).then(|| count as f64 * 100.0 / of as f64);
        Share { count, of, percent }
    }
}

/// A duration in minutes over the tickets that have it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Minutes {
    pub average: Option<f64>,
    pub median: Option<f64>,
}

/// Response and resolution targets and times for one priority, or all (`None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Targets {
    pub priority: Option<u8>,
    pub tickets: i64,
    /// Responded by `response_due`, over tickets not cancelled before a response.
    pub response_met: Share,
    /// Resolved (or closed) by `resolution_due`, over resolved and closed tickets.
    pub resolution_met: Share,
    pub response: Minutes,
    pub resolution: Minutes,
}

impl Targets {
    /// A priority without tickets in the period.
    pub fn empty(priority: Option<u8>) -> Targets {
        Targets {
            priority,
            tickets: 0,
            response_met: Share::new(0, 0),
            resolution_met: Share::new(0, 0),
            response: Minutes::default(),
            resolution: Minutes::default(),
        }
    }
}

/// Events of the period's tickets, whenever they happened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalations {
    /// `escalated`: handed to a more skilled team.
    pub functional: i64,
    /// `escalated_up`: sent to the supervisors (a missed target, an unhappy reporter).
    pub hierarchical: i64,
    /// `returned`: sent back as misrouted.
    pub returned: i64,
    /// `reopened`: the reporter said it was not fixed.
    pub reopened: i64,
}

/// Reports that ended in the period (the `contacts` table), by outcome.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Level0 {
    pub level0: i64,
    pub ticket: i64,
    pub cancelled: i64,
    /// Level 0 fixes over Level 0 fixes and tickets (a cancelled report needed no one).
    pub deflection: Share,
}

/// Surveys of the period's tickets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Satisfaction {
    /// Surveys opened (one per closed ticket that got one).
    pub asked: i64,
    /// Surveys with an overall score.
    pub answered: i64,
    /// Answered over asked.
    pub response_rate: Share,
    /// Average overall score, 1 (Tidak Memuaskan) to 5 (Sangat Memuaskan).
    pub average: Option<f64>,
    /// How many answered 1, 2, 3, 4, 5 (`scores[0]` is the count of 1s).
    pub scores: [i64; 5],
}

/// One team's tickets (the team that has the ticket now).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamFigures {
    pub team: String,
    pub tickets: i64,
    /// Resolved or closed.
    pub resolved: i64,
    pub response_met: Share,
    pub csat: Option<f64>,
    /// Surveys with a score behind `csat`.
    pub answered: i64,
}

/// One technician's tickets (the ones they hold now).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TechnicianFigures {
    pub id: i64,
    pub name: String,
    /// Their home team.
    pub team: String,
    pub tickets: i64,
    /// Resolved or closed.
    pub resolved: i64,
    /// Average minutes from creation to resolution of their resolved and closed tickets.
    pub resolution_minutes: Option<f64>,
    pub csat: Option<f64>,
    pub answered: i64,
}
