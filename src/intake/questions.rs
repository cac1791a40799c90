//! Deciding what to ask next: only what is missing and needed, one question at a time.

use super::Ctx;
use super::analysis::Kind;
use super::choices;
use super::level0;
use super::reply::Reply;
use super::report::Report;
use super::state::{Draft, Question};
use crate::domain::{ServiceDef, Slot, TicketType};
use crate::i18n::{Arg, Msg};

/// The service's questions, or the defaults for its type.
fn asks(report: &Report, svc: Option<&ServiceDef>) -> Vec<Slot> {
    if let Some(a) = svc.and_then(|s| s.asks.clone()) {
        return a;
    }
    if report.ticket_type == TicketType::Insiden {
        vec![Slot::Where, Slot::When, Slot::Who, Slot::How]
    } else {
        vec![Slot::Where]
    }
}

/// Whether a place (or application) matters for this report.
fn wants_where(svc: Option<&ServiceDef>) -> bool {
    svc.is_none_or(|s| s.location || s.application)
}

fn slot_missing(slot: Slot, report: &Report, svc: Option<&ServiceDef>) -> bool {
    let incident = report.ticket_type == TicketType::Insiden;
    match slot {
        Slot::What => report.slots.what.is_none() || (!incident && !report.has_detail),
        Slot::Where => report.slots.place.is_none() && wants_where(svc),
        Slot::When => incident && report.slots.when.is_none() && report.slots.occurred_at.is_none(),
        Slot::Who if incident => report.impact.is_none(),
        Slot::Who => report.slots.who.is_none(),
        Slot::How if incident => report.urgency.is_none(),
        Slot::How => report.slots.how.is_none(),
        Slot::Why => report.slots.why.is_none(),
    }
}

/// The slots still to ask for (as `sigap analyze` reports them), ignoring what was asked.
pub fn missing(report: &Report, ctx: &Ctx) -> Vec<Slot> {
    let svc = report.service_def(ctx);
    let mut out = Vec::new();
    if report.service.is_none() && (report.slots.what.is_none() || report.vague) {
        out.push(Slot::What);
    }
    for slot in asks(report, svc) {
        if !out.contains(&slot) && slot_missing(slot, report, svc) {
            out.push(slot);
        }
    }
    out
}

/// The next question for a draft; `Confirm` when nothing is missing. `can_offer`: an
/// article fits the report (Level 0), offered once urgency and impact say it may be.
pub fn next(report: &Report, draft: &Draft, ctx: &Ctx, can_offer: bool) -> Question {
    let ask = |q: Question| !draft.was_asked(q);
    let what = Question::Slot { slot: Slot::What };
    // Nothing said yet (a photo, /lapor), or nothing usable: ask what the problem is.
    if draft.said.is_empty() || (report.kind != Kind::Report && ask(what)) {
        return what;
    }
    // No service recognised: a vague message is asked about once; a clear one outside
    // the catalogue gets the category buttons.
    if report.service.is_none() && draft.category.is_none() && report.category == "lainnya" {
        if report.vague && ask(what) {
            return what;
        }
        if ask(Question::Category) {
            return Question::Category;
        }
    }
    let svc = report.service_def(ctx);
    if can_offer {
        // Who is hit and how badly decide whether self-help is right: ask those first.
        let deciding = [Slot::Who, Slot::How];
        for slot in asks(report, svc).into_iter().filter(|s| deciding.contains(s)) {
            let q = Question::Slot { slot };
            if report.ticket_type == TicketType::Insiden && ask(q) && slot_missing(slot, report, svc) {
                return q;
            }
        }
        if level0::allowed(report, ctx) {
            return Question::Article;
        }
    }
    for slot in asks(report, svc) {
        let q = Question::Slot { slot };
        if ask(q) && slot_missing(slot, report, svc) {
            return q;
        }
    }
    if ctx.profile.name.is_none() && draft.name.is_none() && ask(Question::Name) {
        return Question::Name;
    }
    if ctx.profile.unit.is_none() && draft.unit.is_none() && ask(Question::Unit) {
        return Question::Unit;
    }
    Question::Confirm
}

/// The message that asks `q`.
pub fn ask(q: Question, report: &Report, draft: &Draft, ctx: &Ctx) -> Reply {
    let incident = report.ticket_type == TicketType::Insiden;
    let service = report.service.clone().unwrap_or_default();
    let with_service = |key: &'static str| Msg::new(key).arg("service", service.as_str());
    match q {
        Question::Slot { slot: Slot::What } => Reply::text(with_service("ask-what")),
        Question::Slot { slot: Slot::Where } => {
            let svc = report.service_def(ctx);
            let app = svc.is_some_and(|s| s.application && !s.location);
            let key = if app { "ask-where-app" } else { "ask-where" };
            Reply::with_choices(with_service(key), choices::skip())
        }
        Question::Slot { slot: Slot::When } => Reply::with_choices(Msg::new("ask-when"), choices::when()),
        Question::Slot { slot: Slot::Who } if incident => {
            Reply::with_choices(Msg::new("ask-impact"), choices::impact())
        }
        Question::Slot { slot: Slot::Who } => Reply::with_choices(with_service("ask-who"), choices::skip()),
        Question::Slot { slot: Slot::How } if incident => {
            Reply::with_choices(Msg::new("ask-urgency"), choices::urgency())
        }
        Question::Slot { slot: Slot::How } => Reply::with_choices(with_service("ask-how"), choices::skip()),
        Question::Slot { slot: Slot::Why } => Reply::with_choices(Msg::new("ask-why"), choices::skip()),
        Question::Category => Reply::with_choices(Msg::new("ask-category"), choices::categories(ctx)),
        Question::Service => {
            let cat = draft.category.clone().unwrap_or_else(|| report.category.clone());
            Reply::with_choices(
                Msg::new("ask-service").arg("category", Arg::Category(cat.clone())),
                choices::services(&cat, ctx),
            )
        }
        Question::Article => level0::ask(draft, ctx),
        Question::Name => Reply::text(Msg::new("ask-name")),
        Question::Unit => Reply::text(Msg::new("ask-unit")),
        Question::Confirm => Reply::with_choices(super::summary::summary(report, draft, ctx), choices::confirm()),
        Question::Change => Reply::with_choices(Msg::new("ask-change"), choices::change(incident)),
    }
}
