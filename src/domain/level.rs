//! Urgency and impact levels and the ITIL priority matrix.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Urgency or impact: the three levels of the SOP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Tinggi,
    Menengah,
    Rendah,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Tinggi, Level::Menengah, Level::Rendah];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Tinggi => "tinggi",
            Level::Menengah => "menengah",
            Level::Rendah => "rendah",
        }
    }

    fn index(self) -> usize {
        match self {
            Level::Tinggi => 0,
            Level::Menengah => 1,
            Level::Rendah => 2,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "tinggi" => Ok(Level::Tinggi),
            "menengah" => Ok(Level::Menengah),
            "rendah" => Ok(Level::Rendah),
            other => Err(format!("unknown level `{other}`")),
        }
    }
}

/// Ticket priority 1 (Tinggi) to 3 (Rendah).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Priority(u8);

impl Priority {
    pub const P1: Priority = Priority(1);
    pub const P2: Priority = Priority(2);
    pub const P3: Priority = Priority(3);

    pub fn new(n: u8) -> Option<Priority> {
        (1..=3).contains(&n).then_some(Priority(n))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// The level word used for its label: 1 Tinggi, 2 Menengah, 3 Rendah.
    pub fn level(self) -> Level {
        match self.0 {
            1 => Level::Tinggi,
            2 => Level::Menengah,
            _ => Level::Rendah,
        }
    }
}

impl TryFrom<u8> for Priority {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Priority::new(n).ok_or_else(|| format!("priority must be 1, 2 or 3, not {n}"))
    }
}

impl From<Priority> for u8 {
    fn from(p: Priority) -> u8 {
        p.0
    }
}

/// Urgency rows by impact columns, as in the agency's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityMatrix {
    pub tinggi: Row,
    pub menengah: Row,
    pub rendah: Row,
}

/// One urgency row: the priority for each impact level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub tinggi: Priority,
    pub menengah: Priority,
    pub rendah: Priority,
}

impl Row {
    fn get(&self, impact: Level) -> Priority {
        [self.tinggi, self.menengah, self.rendah][impact.index()]
    }
}

impl PriorityMatrix {
    pub fn priority(&self, urgency: Level, impact: Level) -> Priority {
        [&self.tinggi, &self.menengah, &self.rendah][urgency.index()].get(impact)
    }
}

impl Default for PriorityMatrix {
    /// The ITIL matrix of the reference SOP.
    fn default() -> Self {
        let row = |a, b, c| Row {
            tinggi: Priority(a),
            menengah: Priority(b),
            rendah: Priority(c),
        };
        PriorityMatrix {
            tinggi: row(1, 1, 2),
            menengah: row(1, 2, 3),
            rendah: row(2, 3, 3),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_matrix_is_the_sop_matrix() {
        let m = PriorityMatrix::default();
        use Level::*;
        let expected = [
            (Tinggi, Tinggi, 1),
            (Tinggi, Menengah, 1),
            (Tinggi, Rendah, 2),
            (Menengah, Tinggi, 1),
            (Menengah, Menengah, 2),
            (Menengah, Rendah, 3),
            (Rendah, Tinggi, 2),
            (Rendah, Menengah, 3),
            (Rendah, Rendah, 3),
        ];
        for (u, i, p) in expected {
            assert_eq!(m.priority(u, i).get(), p, "{u} x {i}");
        }
    }

    #[test]
    fn priority_rejects_out_of_range() {
        assert!(Priority::new(0).is_none());
        assert!(Priority::new(4).is_none());
        assert!(serde_json::from_str::<Priority>("5").is_err());
    }
}
