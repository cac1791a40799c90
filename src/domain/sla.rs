//! Response and resolution targets per priority.
//!
//! This issue counts targets on a 24/7 clock; working-hour calendars come with the SLA worker.

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

    pub fn due(&self, p: Priority, recorded: DateTime<Utc>) -> Due {
        let t = self.target(p);
        Due {
            response: recorded + Duration::minutes(t.response_minutes.into()),
            resolution: recorded + Duration::minutes(t.resolution_minutes.into()),
        }
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
        let due = p.due(Priority::P1, now);
        assert_eq!(due.response - now, Duration::minutes(10));
        assert_eq!(due.resolution - now, Duration::hours(8));
        assert_eq!(p.target(Priority::P3).resolution_minutes, 48 * 60);
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
