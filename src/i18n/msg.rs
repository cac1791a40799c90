//! Messages as values: a Fluent message id and its arguments, rendered later in the
//! recipient's language. The engine produces these and never formats text itself.

use crate::domain::{Level, Status, TicketType};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq)]
pub struct Msg {
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    Num(i64),
    /// Another message, rendered in the same language.
    Msg(Box<Msg>),
    /// Several messages, one per line.
    Lines(Vec<Msg>),
    /// A moment, shown in the agency's time zone.
    Time(DateTime<Utc>),
    /// A length of time in minutes ("10 menit", "8 jam", "2 hari").
    Minutes(i64),
    /// Names from the catalogue.
    Service(String),
    Category(String),
    Type(TicketType),
    Status(Status),
    Level(Level),
}

impl Msg {
    pub fn new(key: &'static str) -> Msg {
        Msg { key, args: Vec::new() }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Msg {
        self.args.push((name, value.into()));
        self
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_owned())
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Arg {
        Arg::Num(n)
    }
}

impl From<Msg> for Arg {
    fn from(m: Msg) -> Arg {
        Arg::Msg(Box::new(m))
    }
}

impl From<DateTime<Utc>> for Arg {
    fn from(t: DateTime<Utc>) -> Arg {
        Arg::Time(t)
    }
}

impl From<Level> for Arg {
    fn from(l: Level) -> Arg {
        Arg::Level(l)
    }
}

impl From<Status> for Arg {
    fn from(s: Status) -> Arg {
        Arg::Status(s)
    }
}

impl From<TicketType> for Arg {
    fn from(t: TicketType) -> Arg {
        Arg::Type(t)
    }
}
