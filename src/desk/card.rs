//! A ticket's card in the war room, and the buttons on it. Pure: text as `Msg`s, buttons
//! as ids that carry only the ticket and the action (the server re-checks both).

use crate::domain::{OutChoice, Outbound, Priority, Status};
use crate::i18n::{Arg, Msg, Renderer};
use crate::store::desk::CardTicket;

/// An action on a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardAction {
    Claim,
    Escalate,
    Resolve,
    Cancel,
    /// Sent here by mistake: back to the team it came from.
    Return,
    /// To the supervisors (hierarchical escalation); offered after Escalate.
    Up,
}

impl CardAction {
    const ALL: [CardAction; 6] = [
        CardAction::Claim,
        CardAction::Escalate,
        CardAction::Resolve,
        CardAction::Cancel,
        CardAction::Return,
        CardAction::Up,
    ];

    fn code(self) -> char {
        match self {
            CardAction::Claim => 'a',
            CardAction::Escalate => 'e',
            CardAction::Resolve => 's',
            CardAction::Cancel => 'b',
            CardAction::Return => 'r',
            CardAction::Up => 'u',
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CardAction::Claim => "card-claim",
            CardAction::Escalate => "card-escalate",
            CardAction::Resolve => "card-resolve",
            CardAction::Cancel => "card-cancel",
            CardAction::Return => "card-return",
            CardAction::Up => "card-up",
        }
    }

    /// The button id: `tk:<ticket id>:<action>`, at most 25 bytes (intake uses `t:` for times).
    pub fn button(self, ticket_id: i64) -> String {
        format!("tk:{ticket_id}:{}", self.code())
    }

    /// The button that hands the ticket to `team`: `tk:<ticket id>:t:<team key>`.
    pub fn team_button(ticket_id: i64, team: &str) -> String {
        format!("tk:{ticket_id}:t:{team}")
    }

    /// Reads a team button; the key is checked against the settings by the caller.
    pub fn parse_team(id: &str) -> Option<(i64, &str)> {
        let rest = id.strip_prefix("tk:")?;
        let (ticket, team) = rest.split_once(":t:")?;
        let ticket = ticket.parse().ok().filter(|n: &i64| *n > 0)?;
        (!team.is_empty()).then_some((ticket, team))
    }

    /// Reads a button id; `None` for anything else (a reporter's choice, garbage).
    pub fn parse(id: &str) -> Option<(i64, CardAction)> {
        let rest = id.strip_prefix("tk:")?;
        let (ticket, code) = rest.split_once(':')?;
        let ticket = ticket.parse().ok().filter(|n: &i64| *n > 0)?;
        let mut chars = code.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else {
            return None;
        };
        CardAction::ALL.into_iter().find(|a| a.code() == c).map(|a| (ticket, a))
    }
}

fn line(key: &'static str, value: impl Into<Arg>) -> Msg {
    Msg::new(key).arg("value", value)
}

/// The card's text.
pub fn card_text(t: &CardTicket) -> Msg {
    let head = Msg::new(if t.priority == Priority::P1 {
        "card-head-p1"
    } else {
        "card-head"
    })
    .arg("number", t.number.as_str())
    .arg("priority", i64::from(t.priority.get()))
    .arg("level", t.priority.level())
    .arg("type", Arg::Type(t.ticket_type));
    let kind = match &t.service {
        Some(s) => Msg::new("card-service").arg("service", Arg::Service(s.clone())),
        None => Msg::new("card-category"),
    }
    .arg("category", Arg::Category(t.category.clone()));
    let mut lines = vec![head, kind, line("card-title", t.title.as_str())];
    let slots: [(&'static str, &Option<String>); 6] = [
        ("summary-what", &t.what),
        ("summary-where", &t.location),
        ("summary-when", &t.occurred),
        ("summary-who", &t.affected),
        ("summary-why", &t.cause),
        ("summary-how", &t.tried),
    ];
    for (key, value) in slots {
        if let Some(v) = value {
            lines.push(line(key, v.as_str()));
        }
    }
    for k in &t.kb_tried {
        lines.push(line("summary-kb-tried", k.as_str()));
    }
    if t.attachments > 0 {
        lines.push(line("summary-attachments", t.attachments as i64));
    }
    lines.push(
        Msg::new("card-reporter")
            .arg("name", t.reporter_name.as_deref().unwrap_or("-"))
            .arg("unit", t.reporter_unit.as_deref().unwrap_or("-"))
            .arg("channel", t.channel.as_str()),
    );
    lines.push(
        Msg::new("card-due")
            .arg("urgency", t.urgency)
            .arg("impact", t.impact)
            .arg("response_due", t.response_due)
            .arg("resolution_due", t.resolution_due),
    );
    let holder = match &t.assignee {
        Some(a) => Arg::Text(a.clone()),
        None => Arg::from(Msg::new(if t.escalated {
            "card-escalated"
        } else {
            "status-unassigned"
        })),
    };
    lines.push(Msg::new("card-status").arg("status", t.status).arg("holder", holder));
    if let Some(team) = &t.team {
        lines.push(line("card-team", team.as_str()));
    }
    if let Some(v) = &t.vendor_ref {
        lines.push(line("card-vendor-ref", v.as_str()));
    }
    if let Some(n) = &t.resolution_note {
        lines.push(line("card-note", n.as_str()));
    }
    if let Some(r) = &t.cancel_reason {
        lines.push(line("card-reason", r.as_str()));
    }
    if !t.history.is_empty() {
        let steps = t
            .history
            .iter()
            .map(|(at, kind, who)| {
                Msg::new("card-step")
                    .arg("at", *at)
                    .arg("kind", kind.as_str())
                    .arg("who", who.as_deref().unwrap_or(""))
            })
            .collect();
        lines.push(Msg::new("card-history").arg("steps", Arg::Lines(steps)));
    }
    Msg::new("card").arg("lines", Arg::Lines(lines))
}

/// The buttons a card offers in the ticket's state: none once it has left the desk.
pub fn card_actions(t: &CardTicket) -> Vec<CardAction> {
    match t.status {
        Status::New | Status::InProgress => {
            let mut actions = Vec::with_capacity(5);
            if t.assignee_id.is_none() {
                actions.push(CardAction::Claim);
            }
            actions.extend([CardAction::Escalate, CardAction::Resolve, CardAction::Cancel]);
            if t.returnable {
                actions.push(CardAction::Return);
            }
            actions
        }
        _ => Vec::new(),
    }
}

/// The card as it is sent, in the war room's language.
pub fn render(t: &CardTicket, r: &Renderer) -> Outbound {
    Outbound {
        text: r.render(&card_text(t)),
        choices: card_actions(t)
            .into_iter()
            .map(|a| OutChoice {
                id: a.button(t.id),
                label: r.render(&Msg::new(a.label())),
            })
            .collect(),
        expects_reply: false,
        mentions: Vec::new(),
        about: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_round_trip_and_fit_telegram() {
        for a in CardAction::ALL {
            let id = a.button(i64::MAX);
            assert!(id.len() <= 64);
            assert_eq!(CardAction::parse(&id), Some((i64::MAX, a)));
        }
        for bad in [
            "tk:", "tk:1", "tk:x:a", "tk:1:z", "tk:1:ab", "tk:-3:a", "kb:yes", "", "tk:0:a", "t:now", "t:1:a",
        ] {
            assert_eq!(CardAction::parse(bad), None, "{bad}");
        }
    }
}
