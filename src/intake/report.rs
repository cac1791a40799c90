//! The report as understood so far: the reporter's words read together, with the answers
//! and choices given to questions laid over them.

use super::Ctx;
use super::analysis::{Analysis, Kind, Slots};
use super::state::Draft;
use crate::domain::catalog::TypicalScope;
use crate::domain::{Level, Priority, Scope, ServiceDef, Slot, TicketType};

#[derive(Debug, Clone)]
pub struct Report {
    pub kind: Kind,
    pub ticket_type: TicketType,
    pub category: String,
    pub service: Option<String>,
    pub confidence: f32,
    /// The 5W1H; `place` is the application for application problems with no place.
    pub slots: Slots,
    pub scope: Scope,
    /// As settled by words or answers; `None` means still open.
    pub urgency: Option<Level>,
    pub impact: Option<Level>,
    /// The reporter named something specific beyond the service's own words.
    pub has_detail: bool,
    /// Nothing to go on: no service, category, place, application or specific word
    /// ("ada masalah nih", "tolong min").
    pub vague: bool,
}

/// Urgency as settled by the words, or by what the service is.
///
/// Said outright wins; then "on and off / slow / partly" (limited use); then, for an
/// incident whose service is clear, the service's typical urgency ("data pending" is a
/// stuck process, "printer" a device that cannot print); then outage words. Requests are
/// settled only by words said outright.
fn urgency(a: &Analysis, service: Option<&ServiceDef>) -> Option<Level> {
    let cues = a.urgency;
    if cues.explicit.is_some() || a.ticket_type.is_request() {
        return cues.explicit;
    }
    if cues.limited {
        return Some(Level::Menengah);
    }
    match service {
        Some(s) if a.confidence >= SURE => Some(s.urgency),
        _ => cues.outage.then_some(Level::Tinggi),
    }
}

/// Confidence above which the service's nature settles urgency.
const SURE: f32 = 0.35;

impl Report {
    /// Reads a single message as a report (used by `sigap analyze`).
    pub fn from_analysis(a: Analysis, ctx: &Ctx) -> Report {
        let service = a.service.as_deref().and_then(|s| ctx.catalog.service(s));
        let scope = match (a.scope, service.and_then(|s| s.scope)) {
            (Scope::Unknown, Some(TypicalScope::Place)) => a.place_scope.unwrap_or(Scope::Unknown),
            (Scope::Unknown, Some(TypicalScope::Individual)) => Scope::Individual,
            (Scope::Unknown, Some(TypicalScope::Group)) => Scope::Group,
            (Scope::Unknown, Some(TypicalScope::Mass)) => Scope::Mass,
            (s, _) => s,
        };
        let impact = a.impact.or_else(|| scope.impact());
        let urgency = urgency(&a, service);
        let mut slots = a.slots;
        let vague = a.service.is_none()
            && a.category == "lainnya"
            && slots.place.is_none()
            && slots.application.is_none()
            && !a.has_detail;
        if slots.place.is_none() && service.is_none_or(|s| s.application || !s.location) {
            slots.place = slots.application.clone();
        }
        Report {
            kind: a.kind,
            ticket_type: a.ticket_type,
            category: a.category,
            service: a.service,
            confidence: a.confidence,
            slots,
            scope,
            urgency,
            impact,
            vague,
            has_detail: a.has_detail,
        }
    }

    /// The whole draft: everything said, then the answers over it.
    pub fn from_draft(d: &Draft, ctx: &Ctx) -> Report {
        let text = d.narrative();
        let at = d.said.first().map_or(d.started_at, |s| s.at);
        let mut r = Report::from_analysis(ctx.understanding.analyze(&text, at, ctx.tz), ctx);
        if let Some(c) = &d.category {
            if *c != r.category {
                r.category = c.clone();
                r.service = None;
                r.ticket_type = if c == "akses" { TicketType::Akses } else { r.ticket_type };
            }
        }
        if let Some(s) = d.service.as_deref().and_then(|s| ctx.catalog.service(s)) {
            r.service = Some(s.slug.clone());
            r.category = s.category.clone();
            r.ticket_type = s.ticket_type;
        }
        for (&slot, answer) in &d.answers {
            // A "what" the reporter did not know leaves what they said standing.
            if slot != Slot::What || answer.is_some() {
                r.slots.set(slot, answer.clone());
            }
        }
        // A place given in answer says how many share a network or a power line.
        if let (Scope::Unknown, Some(Some(place))) = (r.scope, d.answers.get(&Slot::Where)) {
            if r.service_def(ctx).and_then(|s| s.scope) == Some(TypicalScope::Place) {
                if let Some(size) = ctx.understanding.place_size(place) {
                    r.scope = size;
                    r.impact = r.impact.or(size.impact());
                }
            }
        }
        if d.answers.contains_key(&Slot::When) || d.occurred_at.is_some() {
            r.slots.occurred_at = d.occurred_at;
        }
        if let Some(s) = d.scope {
            r.scope = s;
            r.impact = s.impact();
        }
        if d.impact.is_some() {
            r.impact = d.impact;
        }
        if d.urgency.is_some() {
            r.urgency = d.urgency;
        }
        if !d.attachments.is_empty() && r.kind != Kind::Report {
            r.kind = Kind::Report;
        }
        r
    }

    pub fn service_def<'c>(&self, ctx: &Ctx<'c>) -> Option<&'c ServiceDef> {
        self.service.as_deref().and_then(|s| ctx.catalog.service(s))
    }

    /// Urgency for the ticket: as settled, else the service's typical one.
    pub fn final_urgency(&self, ctx: &Ctx) -> Level {
        self.urgency
            .or_else(|| self.service_def(ctx).map(|s| s.urgency))
            .unwrap_or(Level::Menengah)
    }

    /// Impact for the ticket: as settled, else from the scope, else one person's work.
    pub fn final_impact(&self) -> Level {
        self.impact.or_else(|| self.scope.impact()).unwrap_or(Level::Rendah)
    }

    /// Priority when urgency and impact are settled (as `sigap analyze` reports it).
    pub fn priority(&self, ctx: &Ctx) -> Option<Priority> {
        let u = self.urgency.or_else(|| {
            self.ticket_type
                .is_request()
                .then(|| self.service_def(ctx).map(|s| s.urgency))
                .flatten()
        })?;
        let i = self
            .impact
            .or_else(|| self.ticket_type.is_request().then_some(Level::Rendah))?;
        Some(ctx.policy.priority(u, i))
    }

    pub fn final_priority(&self, ctx: &Ctx) -> Priority {
        ctx.policy.priority(self.final_urgency(ctx), self.final_impact())
    }
}
