//! The summary before confirmation, the ticket-created message, and /status.

use super::reply::Reply;
use super::report::Report;
use super::state::Draft;
use super::{Created, Ctx, TicketSummary};
use crate::domain::TicketType;
use crate::i18n::{Arg, Msg};

fn line(key: &'static str, value: impl Into<Arg>) -> Msg {
    Msg::new(key).arg("value", value)
}

/// "Ringkasan laporan" with one line per known field.
pub fn summary(r: &Report, d: &Draft, ctx: &Ctx) -> Msg {
    let kind = match &r.service {
        Some(s) => Msg::new("summary-kind").arg("service", Arg::Service(s.clone())),
        None => Msg::new("summary-kind-category"),
    };
    let mut lines = vec![
        kind.arg("type", Arg::Type(r.ticket_type))
            .arg("category", Arg::Category(r.category.clone())),
    ];
    if let Some(w) = &r.slots.what {
        lines.push(line("summary-what", w.as_str()));
    }
    if let Some(p) = &r.slots.place {
        lines.push(line("summary-where", p.as_str()));
    }
    match (&r.slots.when, r.slots.occurred_at) {
        (Some(w), Some(at)) => lines.push(Msg::new("summary-when-at").arg("value", w.as_str()).arg("at", at)),
        (Some(w), None) => lines.push(line("summary-when", w.as_str())),
        (None, Some(at)) => lines.push(line("summary-when", at)),
        (None, None) => {}
    }
    if let Some(w) = &r.slots.who {
        lines.push(line("summary-who", w.as_str()));
    }
    if let Some(w) = &r.slots.why {
        lines.push(line("summary-why", w.as_str()));
    }
    if let Some(h) = &r.slots.how {
        lines.push(line("summary-how", h.as_str()));
    }
    for o in d.tried() {
        lines.push(line("summary-kb-tried", o.title.as_str()));
    }
    let p = r.final_priority(ctx);
    lines.push(
        Msg::new("summary-priority")
            .arg("urgency", r.final_urgency(ctx))
            .arg("impact", r.final_impact())
            .arg("priority", i64::from(p.get()))
            .arg("level", p.level()),
    );
    let name = d.name.as_deref().or(ctx.profile.name.as_deref());
    let unit = d.unit.as_deref().or(ctx.profile.unit.as_deref());
    if name.is_some() || unit.is_some() {
        lines.push(
            Msg::new("summary-reporter")
                .arg("name", name.unwrap_or("-"))
                .arg("unit", unit.unwrap_or("-")),
        );
    }
    if !d.attachments.is_empty() {
        lines.push(line("summary-attachments", d.attachments.len() as i64));
    }
    Msg::new("summary").arg("lines", Arg::Lines(lines))
}

/// Told once the ticket is stored: its number and when to expect a response.
pub fn ticket_created(t: &Created, ctx: &Ctx) -> Vec<Reply> {
    let target = ctx.policy.target(t.priority);
    let key = match t.ticket_type {
        TicketType::Insiden => "ticket-created",
        _ => "request-created",
    };
    vec![Reply::text(
        Msg::new(key)
            .arg("number", t.number.as_str())
            .arg("priority", i64::from(t.priority.get()))
            .arg("level", t.priority.level())
            .arg("response", Arg::Minutes(target.response_minutes.into()))
            .arg("resolution", Arg::Minutes(target.resolution_minutes.into()))
            .arg("response_due", t.response_due)
            .arg("resolution_due", t.resolution_due),
    )]
}

fn ticket_line(t: &TicketSummary) -> Msg {
    Msg::new("status-line")
        .arg("number", t.number.as_str())
        .arg("title", t.title.as_str())
        .arg("status", t.status)
        .arg("created", t.created_at)
}

/// /status: the reporter's own tickets, or the one asked for.
pub fn status_replies(tickets: &[TicketSummary], number: Option<&str>) -> Vec<Reply> {
    match number {
        Some(n) => match tickets.iter().find(|t| t.number == n) {
            Some(t) => vec![Reply::text(
                Msg::new("status-detail")
                    .arg("number", t.number.as_str())
                    .arg("title", t.title.as_str())
                    .arg("status", t.status)
                    .arg("category", Arg::Category(t.category.clone()))
                    .arg(
                        "service",
                        t.service
                            .clone()
                            .map_or_else(|| Arg::Category(t.category.clone()), Arg::Service),
                    )
                    .arg("priority", i64::from(t.priority.get()))
                    .arg("level", t.priority.level())
                    .arg("created", t.created_at)
                    .arg("due", t.resolution_due)
                    .arg(
                        "assignee",
                        t.assignee
                            .clone()
                            .map_or_else(|| Arg::from(Msg::new("status-unassigned")), Arg::Text),
                    ),
            )],
            None => vec![Reply::text(Msg::new("status-not-found").arg("number", n))],
        },
        None if tickets.is_empty() => vec![Reply::key("status-none")],
        None => vec![Reply::text(
            Msg::new("status-list")
                .arg("count", tickets.len() as i64)
                .arg("lines", Arg::Lines(tickets.iter().map(ticket_line).collect())),
        )],
    }
}
