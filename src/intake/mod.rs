//! The conversation engine: understands Indonesian reports and decides what to say next.
//!
//! Everything here is pure: no database, no network, no clock. `step` takes the state
//! and one inbound message and returns the new state, the replies, and the effects for
//! the store to apply.

mod analysis;
mod choices;
mod classify;
mod dialogue;
mod doc;
pub mod followup;
mod level0;
mod lexicon;
mod normalize;
mod place;
mod questions;
mod reply;
mod report;
mod scope;
mod state;
mod summary;
mod time;

mod context;
mod cues;

pub use analysis::{Analysis, Kind as MessageKind, MAX_ANALYSED_CHARS, Slots, Understanding};
pub use dialogue::step;
pub use level0::{
    KB_MORE, KB_NO, KB_YES, THRESHOLD as KB_THRESHOLD, Verdict, matching as matching_articles, offers as article_offers,
};
pub use lexicon::{LanguageFile, Lexicon};
pub use questions::missing;
pub use reply::{Choice, Reply};
pub use report::Report;
pub use state::{Draft, Offer, Question, Said, State};
pub use summary::{status_replies, ticket_created};

use crate::domain::calendar::Calendar;
use crate::domain::{Attachment, Catalog, Level, Priority, PriorityPolicy, Scope, Status, TicketType};
use crate::knowledge::{Articles, Knowledge};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use followup::{FollowUp, Pending};

/// What the engine may know besides the message: the catalogue and rules, the time, and
/// what is on file about the reporter.
pub struct Ctx<'a> {
    pub catalog: &'a Catalog,
    pub understanding: &'a Understanding,
    /// The knowledge-base articles offered before a ticket.
    pub articles: &'a Articles,
    pub policy: &'a PriorityPolicy,
    /// What the targets count in (24/7 unless `with_calendar` says otherwise).
    pub calendar: &'a Calendar,
    /// A question about a handled ticket waiting for this reporter, if any.
    pub pending: Option<&'a Pending>,
    pub tz: Tz,
    pub now: DateTime<Utc>,
    pub profile: &'a Profile,
}

static ALWAYS: Calendar = Calendar::Always;

impl<'a> Ctx<'a> {
    /// The engine's view of the knowledge `k`, at `now`, for a reporter with `profile`.
    pub fn new(
        k: &'a Knowledge,
        policy: &'a PriorityPolicy,
        tz: Tz,
        now: DateTime<Utc>,
        profile: &'a Profile,
    ) -> Ctx<'a> {
        Ctx {
            catalog: &k.catalog,
            understanding: &k.understanding,
            articles: &k.articles,
            policy,
            calendar: &ALWAYS,
            pending: None,
            tz,
            now,
            profile,
        }
    }

    /// The reporter has a confirmation or survey question open.
    pub fn with_pending(mut self, pending: Option<&'a Pending>) -> Ctx<'a> {
        self.pending = pending;
        self
    }

    /// Due times counted in `calendar` (the agency's working hours, say).
    pub fn with_calendar(mut self, calendar: &'a Calendar) -> Ctx<'a> {
        self.calendar = calendar;
        self
    }
}

/// What we remember of a reporter between reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    pub name: Option<String>,
    pub unit: Option<String>,
}

/// Work for the store, applied in the same transaction as the new state.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    SaveProfile {
        name: Option<String>,
        unit: Option<String>,
    },
    CreateTicket(Box<NewTicket>),
    /// Show the reporter their tickets, or the one numbered.
    ShowTickets {
        number: Option<String>,
    },
    /// Speak to the reporter in this language from now on (this message's replies too).
    SetLanguage {
        lang: String,
    },
    /// A knowledge-base article was offered (Level 0).
    ArticleOffered {
        article: String,
        score: f32,
        service: Option<String>,
    },
    /// The reporter said whether the article fixed the problem.
    ArticleAnswered {
        article: String,
        helped: bool,
    },
    /// A report came to an end (for the Level 0 deflection figures). For a ticket it
    /// follows the `CreateTicket` of the same message.
    EndContact(Contact),
    /// An answer about a handled ticket: fixed or not, or a survey answer. The store checks
    /// it is this reporter's ticket and that the question is still open.
    FollowUp(FollowUp),
}

/// How a report ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub outcome: ContactOutcome,
    pub ticket_type: TicketType,
    pub category: String,
    pub service: Option<String>,
    pub started_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactOutcome {
    /// Fixed by this article, with no ticket.
    Level0 {
        article: String,
    },
    Ticket,
    Cancelled,
}

/// A complete ticket, ready to be numbered and stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTicket {
    pub ticket_type: TicketType,
    pub category: String,
    pub service: Option<String>,
    pub title: String,
    /// Everything the reporter said, in order.
    pub description: String,
    pub what: Option<String>,
    pub location: Option<String>,
    pub occurred: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub affected: Option<String>,
    pub cause: Option<String>,
    pub tried: Option<String>,
    pub application: Option<String>,
    pub scope: Scope,
    pub urgency: Level,
    pub impact: Level,
    pub priority: Priority,
    pub recorded_at: DateTime<Utc>,
    pub response_due: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
    pub attachments: Vec<Attachment>,
    /// Knowledge-base articles the reporter tried before the ticket (part of "bagaimana").
    pub kb_tried: Vec<String>,
    pub reporter_name: Option<String>,
    pub reporter_unit: Option<String>,
}

/// A ticket as stored, for the confirmation message.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub number: String,
    pub ticket_type: TicketType,
    pub priority: Priority,
    pub response_due: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
}

/// One of the reporter's tickets, for /status.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketSummary {
    pub number: String,
    pub title: String,
    pub category: String,
    pub service: Option<String>,
    pub status: Status,
    pub priority: Priority,
    pub created_at: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
    pub assignee: Option<String>,
}
