//! Ticket types, scope and ticket numbers.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The SOP's three ticket types; their names and number prefixes come from the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TicketType {
    Insiden,
    Permintaan,
    Akses,
}

impl TicketType {
    pub const ALL: [TicketType; 3] = [TicketType::Insiden, TicketType::Permintaan, TicketType::Akses];

    pub fn as_str(self) -> &'static str {
        match self {
            TicketType::Insiden => "insiden",
            TicketType::Permintaan => "permintaan",
            TicketType::Akses => "akses",
        }
    }

    pub fn is_request(self) -> bool {
        self != TicketType::Insiden
    }
}

impl fmt::Display for TicketType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TicketType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TicketType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| format!("unknown ticket type `{s}`"))
    }
}

/// Who is affected: one person, a group (a room, a unit, a meeting) or many units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Individual,
    Group,
    Mass,
    #[default]
    Unknown,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Individual => "individual",
            Scope::Group => "group",
            Scope::Mass => "mass",
            Scope::Unknown => "unknown",
        }
    }

    /// Impact implied by how many are affected (the SOP's impact definitions).
    pub fn impact(self) -> Option<super::Level> {
        use super::Level;
        match self {
            Scope::Individual => Some(Level::Rendah),
            Scope::Group => Some(Level::Menengah),
            Scope::Mass => Some(Level::Tinggi),
            Scope::Unknown => None,
        }
    }
}

impl FromStr for Scope {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Scope::Individual, Scope::Group, Scope::Mass, Scope::Unknown]
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| format!("unknown scope `{s}`"))
    }
}

/// A ticket number such as `INC-2611-0042`: type prefix, year and month, sequence.
pub fn ticket_number(prefix: &str, period: &str, seq: i32) -> String {
    format!("{prefix}-{period}-{seq:04}")
}

/// Recognises a ticket number typed by a person (`inc-2611-42`, `INC 2611 0042`) and
/// returns it in canonical form.
pub fn parse_ticket_number(s: &str) -> Option<String> {
    let cleaned: String = s
        .trim()
        .chars()
        .map(|c| {
            if c == ' ' || c == '_' || c == '/' {
                '-'
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect();
    let mut parts = cleaned.split('-').filter(|p| !p.is_empty());
    let prefix = parts.next()?;
    let period = parts.next()?;
    let seq = parts.next()?;
    if parts.next().is_some()
        || !(2..=5).contains(&prefix.len())
        || !prefix.chars().all(|c| c.is_ascii_alphabetic())
        || period.len() != 4
        || !period.chars().all(|c| c.is_ascii_digit())
        || seq.is_empty()
        || seq.len() > 7
        || !seq.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let seq: i32 = seq.parse().ok()?;
    Some(ticket_number(prefix, period, seq))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_formatted_and_parsed() {
        assert_eq!(ticket_number("INC", "2611", 42), "INC-2611-0042");
        assert_eq!(ticket_number("REQ", "2612", 12345), "REQ-2612-12345");
        assert_eq!(parse_ticket_number("inc-2611-42").as_deref(), Some("INC-2611-0042"));
        assert_eq!(parse_ticket_number(" AKS 2611 0007 ").as_deref(), Some("AKS-2611-0007"));
        assert_eq!(parse_ticket_number("INC-26-1"), None);
        assert_eq!(parse_ticket_number("hello"), None);
        assert_eq!(parse_ticket_number("INC-2611-0042-9"), None);
    }
}

/// The 5W1H of a report: apa, di mana, kapan, siapa, mengapa, bagaimana.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Slot {
    What,
    Where,
    When,
    Who,
    Why,
    How,
}

impl Slot {
    pub const ALL: [Slot; 6] = [Slot::What, Slot::Where, Slot::When, Slot::Who, Slot::Why, Slot::How];

    pub fn as_str(self) -> &'static str {
        match self {
            Slot::What => "what",
            Slot::Where => "where",
            Slot::When => "when",
            Slot::Who => "who",
            Slot::Why => "why",
            Slot::How => "how",
        }
    }
}
