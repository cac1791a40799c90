//! Response and resolution targets per priority, counted in the agency's calendar, and the
//! moments a ticket's clocks cross the thresholds the SLA worker warns at.

use super::calendar::Calendar;
use super::level::{Level, Priority, PriorityMatrix};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The agency's priority rules: the matrix and the targets for each priority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PriorityPolicy {
    pub matrix: PriorityMatrix,
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub priority: Priority,
    pub response_minutes: u32,
    pub resolution_minutes: u32,
}

/// The shares of a target at which the war room is warned.
pub const THRESHOLDS: [u8; 3] = [50, 75, 100];

/// The two clocks of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// Until someone takes the ticket up.
    Response,
    /// Until the service is back to normal.
    Resolution,
}

impl Clock {
    pub fn as_str(self) -> &'static str {
        match self {
            Clock::Response => "response",
            Clock::Resolution => "resolution",
        }
    }

    pub fn parse(s: &str) -> Option<Clock> {
        [Clock::Response, Clock::Resolution]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// The moment a clock crosses a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub clock: Clock,
    pub percent: u8,
    pub at: DateTime<Utc>,
}

/// When a new ticket must be responded to and resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub response: DateTime<Utc>,
    pub resolution: DateTime<Utc>,
}

impl Default for PriorityPolicy {
    /// The targets of the reference SOP.
    fn default() -> Self {
        let t = |p, response_minutes, resolution_minutes| Target {
            priority: p,
            response_minutes,
            resolution_minutes,
        };
        PriorityPolicy {
            matrix: PriorityMatrix::default(),
            targets: vec![
                t(Priority::P1, 10, 8 * 60),
                t(Priority::P2, 60, 24 * 60),
                t(Priority::P3, 4 * 60, 48 * 60),
            ],
        }
    }
}

impl PriorityPolicy {
    pub fn priority(&self, urgency: Level, impact: Level) -> Priority {
        self.matrix.priority(urgency, impact)
    }

    /// The target for a priority. `validate` guarantees there is one for each.
    pub fn target(&self, p: Priority) -> Target {
        self.targets
            .iter()
            .copied()
            .find(|t| t.priority == p)
            .unwrap_or(Target {
                priority: p,
                response_minutes: 60,
                resolution_minutes: 24 * 60,
            })
    }

    pub fn due(&self, p: Priority, recorded: DateTime<Utc>, calendar: &Calendar) -> Due {
        let t = self.target(p);
        Due {
            response: calendar.add(recorded, Duration::minutes(t.response_minutes.into())),
            resolution: calendar.add(recorded, Duration::minutes(t.resolution_minutes.into())),
        }
    }

    /// When each clock of a ticket recorded at `recorded` crosses each threshold.
    pub fn marks(&self, p: Priority, recorded: DateTime<Utc>, calendar: &Calendar) -> Vec<Mark> {
        let t = self.target(p);
        let mut out = Vec::with_capacity(6);
        for (clock, minutes) in [
            (Clock::Response, t.response_minutes),
            (Clock::Resolution, t.resolution_minutes),
        ] {
            for percent in THRESHOLDS {
                // Seconds, so that 50% of an odd number of minutes is not rounded away.
                let part = i64::from(minutes) * 60 * i64::from(percent) / 100;
                out.push(Mark {
                    clock,
                    percent,
                    at: calendar.add(recorded, Duration::seconds(part)),
                });
            }
        }
        out
    }

    /// Every priority has exactly one target, and response comes before resolution.
    pub fn validate(&self) -> Result<(), String> {
        for p in [Priority::P1, Priority::P2, Priority::P3] {
            let found: Vec<_> = self.targets.iter().filter(|t| t.priority == p).collect();
            match found.as_slice() {
                [t] if t.response_minutes == 0 || t.response_minutes > t.resolution_minutes => {
                    return Err(format!(
                        "priority {}: response target must be above zero and not above the resolution target",
                        p.get()
                    ));
                }
                [_] => {}
                [] => return Err(format!("no target for priority {}", p.get())),
                _ => return Err(format!("more than one target for priority {}", p.get())),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_targets_match_the_sop() {
        let p = PriorityPolicy::default();
        p.validate().unwrap();
        let now = Utc::now();
        let due = p.due(Priority::P1, now, &Calendar::Always);
        assert_eq!(due.response - now, Duration::minutes(10));
        assert_eq!(due.resolution - now, Duration::hours(8));
        assert_eq!(p.target(Priority::P3).resolution_minutes, 48 * 60);
    }

    #[test]
    fn marks_split_each_target_at_half_three_quarters_and_whole() {
        let p = PriorityPolicy::default();
        let now = Utc::now();
        let marks = p.marks(Priority::P1, now, &Calendar::Always);
        let at = |clock, percent| {
            marks
                .iter()
                .find(|m| m.clock == clock && m.percent == percent)
                .map(|m| m.at - now)
                .unwrap()
        };
        assert_eq!(marks.len(), 6);
        assert_eq!(at(Clock::Response, 50), Duration::minutes(5));
        assert_eq!(at(Clock::Response, 75), Duration::seconds(450));
        assert_eq!(at(Clock::Response, 100), Duration::minutes(10));
        assert_eq!(at(Clock::Resolution, 50), Duration::hours(4));
        assert_eq!(at(Clock::Resolution, 100), Duration::hours(8));
        assert_eq!(Clock::parse("resolution"), Some(Clock::Resolution));
    }

    #[test]
    fn validate_finds_gaps() {
        let mut p = PriorityPolicy::default();
        p.targets.pop();
        assert!(p.validate().unwrap_err().contains("priority 3"));
        let mut p = PriorityPolicy::default();
        p.targets[0].response_minutes = 10_000;
        assert!(p.validate().is_err());
    }
}
