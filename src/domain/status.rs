//! Ticket statuses and the legal moves between them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Stored as stable English slugs; labels (Baru, Dalam Penanganan …) live in locales/.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    InProgress,
    Resolved,
    Closed,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::New,
        Status::InProgress,
        Status::Resolved,
        Status::Closed,
        Status::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::InProgress => "in_progress",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
            Status::Cancelled => "cancelled",
        }
    }

    /// Still needs someone's work.
    pub fn is_open(self) -> bool {
        matches!(self, Status::New | Status::InProgress | Status::Resolved)
    }

    /// The SOP's lifecycle: Baru -> Dalam Penanganan -> Selesai, with the reporter's
    /// confirmation between resolved and closed ("masih bermasalah" reopens).
    pub fn can_move_to(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (New, InProgress | Resolved | Cancelled)
                | (InProgress, New | Resolved | Cancelled)
                | (Resolved, Closed | InProgress)
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown status `{s}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::Status::*;
    use super::*;

    #[test]
    fn lifecycle() {
        assert!(New.can_move_to(InProgress));
        assert!(InProgress.can_move_to(Resolved));
        assert!(Resolved.can_move_to(Closed));
        assert!(Resolved.can_move_to(InProgress), "masih bermasalah reopens");
        assert!(!Closed.can_move_to(InProgress));
        assert!(!Cancelled.can_move_to(New));
        assert!(!New.can_move_to(Closed));
        assert!(!New.can_move_to(New));
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>().unwrap(), s);
        }
    }
}
