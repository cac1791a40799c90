//! `step`: one inbound message moves the conversation on.

mod offers;

use offers::{answer_offer, cancel, end_contact, offer, on_verdict};

use super::analysis::Kind;
use super::choices::{self, CONFIRM_CANCEL, CONFIRM_EDIT, CONFIRM_YES};
use super::followup;
use super::level0;
use super::questions;
use super::reply::Reply;
use super::report::Report;
use super::state::{Draft, Question, State, clip};
use super::{ContactOutcome, Ctx, Effect, NewTicket};
use crate::domain::ticket::parse_ticket_number;
use crate::domain::{Attachment, Content, Inbound, Level, Scope, Slot, TicketType};
use crate::i18n::{Arg, Msg};
use chrono::{DateTime, Duration, TimeZone, Utc};

/// Typed answers (a place, a name) are cut here.
const MAX_ANSWER_CHARS: usize = 300;
const MAX_NAME_CHARS: usize = 100;

#[derive(Default)]
struct Out {
    replies: Vec<Reply>,
    effects: Vec<Effect>,
}

impl Out {
    fn say(&mut self, r: Reply) {
        self.replies.push(r);
    }

    fn key(&mut self, key: &'static str) {
        self.replies.push(Reply::key(key));
    }
}

/// Moves the conversation on by one inbound message.
pub fn step(state: State, inbound: &Inbound, ctx: &Ctx) -> (State, Vec<Reply>, Vec<Effect>) {
    let mut out = Out::default();
    let at = inbound.received_at;
    if let Some(f) = followup_answer(&state, inbound, ctx) {
        out.effects.push(Effect::FollowUp(f));
        return (state, out.replies, out.effects);
    }
    let state = match &inbound.content {
        Content::Text { text } => {
            let text = text.trim();
            match command(text) {
                Some((cmd, arg)) => on_command(state, &cmd, arg, ctx, &mut out),
                None => on_text(state, text, at, ctx, &mut out),
            }
        }
        Content::Choice { id } => on_choice(state, id, ctx, &mut out),
        Content::Media { attachment, caption } => on_media(state, attachment, caption.as_deref(), at, ctx, &mut out),
        Content::Location {
            latitude,
            longitude,
            label,
        } => {
            let place = label
                .clone()
                .filter(|l| !l.trim().is_empty())
                .unwrap_or_else(|| format!("{latitude:.6}, {longitude:.6}"));
            on_location(state, place, at, ctx, &mut out)
        }
        Content::Unsupported { .. } => {
            out.key("unsupported-message");
            re_ask(state, ctx, &mut out)
        }
    };
    (state, out.replies, out.effects)
}

/// A tap on a confirmation or survey button (any time), or typed words that answer the
/// question pending while no report is under way.
fn followup_answer(state: &State, inbound: &Inbound, ctx: &Ctx) -> Option<followup::FollowUp> {
    match &inbound.content {
        Content::Choice { id } => followup::parse_button(id),
        Content::Text { text } if matches!(state, State::Idle) && !text.trim_start().starts_with('/') => {
            followup::parse_typed(ctx.pending?, text, ctx.now)
        }
        _ => None,
    }
}

/// `/status INC-…` → ("status", Some("INC-…")). Bot suffixes (`/status@SigapBot`) are dropped.
fn command(text: &str) -> Option<(String, Option<&str>)> {
    let rest = text.strip_prefix('/')?;
    let (word, arg) = match rest.split_once(char::is_whitespace) {
        Some((w, a)) => (w, Some(a.trim()).filter(|a| !a.is_empty())),
        None => (rest, None),
    };
    let word = word.split('@').next().unwrap_or(word).to_lowercase();
    if word.is_empty() || !word.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    Some((word, arg))
}

fn on_command(state: State, cmd: &str, arg: Option<&str>, ctx: &Ctx, out: &mut Out) -> State {
    let in_report = matches!(state, State::Reporting { .. });
    match cmd {
        "start" | "mulai" => {
            out.key("welcome");
            re_ask(state, ctx, out)
        }
        "bantuan" | "help" => {
            out.key("help");
            re_ask(state, ctx, out)
        }
        "lapor" | "report" | "baru" if !in_report => {
            let draft = Draft::new(ctx.now);
            ask_next(draft, ctx, out, Some(Msg::new("report-start")))
        }
        "lapor" | "report" | "baru" => {
            out.key("report-in-progress");
            re_ask(state, ctx, out)
        }
        "status" | "tiket" | "cek" => {
            let number = match arg {
                Some(a) => match parse_ticket_number(a) {
                    Some(n) => Some(n),
                    None => {
                        out.say(Reply::text(Msg::new("status-bad-number").arg("number", clip(a, 40))));
                        return re_ask(state, ctx, out);
                    }
                },
                None => None,
            };
            out.effects.push(Effect::ShowTickets { number });
            re_ask(state, ctx, out)
        }
        "bahasa" | "language" | "lang" => {
            let lang = arg.map(str::to_lowercase).and_then(|a| match a.as_str() {
                "id" | "indonesia" | "indonesian" | "bahasa indonesia" => Some("id"),
                "en" | "english" | "inggris" | "bahasa inggris" => Some("en"),
                _ => None,
            });
            match lang {
                Some(l) => {
                    out.effects.push(Effect::SetLanguage { lang: l.to_owned() });
                    out.key("language-set");
                }
                None => out.key("language-usage"),
            }
            re_ask(state, ctx, out)
        }
        "batal" | "cancel" | "batalkan" => match state {
            State::Reporting { draft, .. } => cancel(&draft, ctx, out),
            State::Idle => {
                out.key("nothing-to-cancel");
                State::Idle
            }
        },
        other => {
            out.say(Reply::text(Msg::new("unknown-command").arg("command", clip(other, 40))));
            re_ask(state, ctx, out)
        }
    }
}

fn reporting(draft: Draft, asking: Question) -> State {
    State::Reporting {
        draft: Box::new(draft),
        asking,
    }
}

/// Repeats the pending question, if a report is in progress.
fn re_ask(state: State, ctx: &Ctx, out: &mut Out) -> State {
    if let State::Reporting { draft, asking } = &state {
        let report = Report::from_draft(draft, ctx);
        out.say(questions::ask(*asking, &report, draft, ctx));
    }
    state
}

/// Asks whatever is needed next (or shows the summary) and records that it was asked.
fn ask_next(mut draft: Draft, ctx: &Ctx, out: &mut Out, ack: Option<Msg>) -> State {
    let report = Report::from_draft(&draft, ctx);
    let q = if draft.reviewing {
        draft.reviewing = false;
        Question::Confirm
    } else {
        let hits = level0::candidates(&report, &draft, ctx);
        let q = questions::next(&report, &draft, ctx, !hits.is_empty());
        if q == Question::Article {
            offer(&mut draft, &hits, &report, out);
        }
        q
    };
    ask_now(draft, q, &report, ctx, out, ack)
}

fn ask_now(mut draft: Draft, q: Question, report: &Report, ctx: &Ctx, out: &mut Out, ack: Option<Msg>) -> State {
    let mut reply = questions::ask(q, report, &draft, ctx);
    if let Some(ack) = ack {
        reply.text = Msg::new("with-ack").arg("ack", ack).arg("question", reply.text);
    }
    out.say(reply);
    draft.mark_asked(q);
    reporting(draft, q)
}

/// The acknowledgement of a first message: what we understood.
fn understood(report: &Report) -> Option<Msg> {
    match (&report.service, report.category.as_str()) {
        (Some(s), _) => Some(Msg::new("ack-service").arg("service", Arg::Service(s.clone()))),
        (None, "lainnya") => None,
        (None, c) => Some(Msg::new("ack-category").arg("category", Arg::Category(c.to_owned()))),
    }
}

fn on_text(state: State, text: &str, at: DateTime<Utc>, ctx: &Ctx, out: &mut Out) -> State {
    match state {
        State::Idle => start_report(text, at, ctx, out, Draft::new(at)),
        State::Reporting { draft, asking } => answer(*draft, asking, text, at, ctx, out),
    }
}

/// A message outside a report: a new report, or a polite word back.
fn start_report(text: &str, at: DateTime<Utc>, ctx: &Ctx, out: &mut Out, mut draft: Draft) -> State {
    let a = ctx.understanding.analyze(text, at, ctx.tz);
    let polite = match a.kind {
        Kind::Empty => Some("empty-message"),
        Kind::Greeting => Some("greeting"),
        Kind::Thanks => Some("thanks"),
        Kind::English => Some("english-message"),
        Kind::Gibberish => Some("not-understood"),
        Kind::Report => None,
    };
    if let Some(key) = polite {
        out.key(key);
        return State::Idle;
    }
    draft.tell(text, at);
    let report = Report::from_draft(&draft, ctx);
    let ack = understood(&report);
    ask_next(draft, ctx, out, ack)
}

/// A typed answer to the pending question.
fn answer(mut draft: Draft, asking: Question, text: &str, at: DateTime<Utc>, ctx: &Ctx, out: &mut Out) -> State {
    let report = Report::from_draft(&draft, ctx);
    let offered = questions::ask(asking, &report, &draft, ctx).choices;
    if asking == Question::Article {
        return answer_offer(draft, text, at, &offered, ctx, out);
    }
    if !offered.is_empty() {
        if let Some(id) = choices::match_typed(text, &offered, ctx) {
            return choose(draft, asking, &id, ctx, out);
        }
    }
    let a = ctx.understanding.analyze(text, at, ctx.tz);
    let unusable = matches!(a.kind, Kind::Empty | Kind::Gibberish);
    let incident = report.ticket_type == TicketType::Insiden;
    match asking {
        Question::Slot { slot: Slot::What } => {
            if unusable || matches!(a.kind, Kind::Greeting | Kind::Thanks) {
                return retry(draft, asking, "answer-not-understood", ctx, out);
            }
            if draft.reviewing {
                // A new account of the problem replaces the old one, and what it implied.
                draft.said.clear();
                draft.service = None;
                draft.category = None;
            }
            draft.tell(text, at);
            let report = Report::from_draft(&draft, ctx);
            let ack = understood(&report).filter(|_| draft.said.len() == 1);
            ask_next(draft, ctx, out, ack)
        }
        Question::Slot { slot: Slot::When } => {
            if unusable {
                return retry(draft, asking, "answer-not-understood", ctx, out);
            }
            draft.answers.insert(
                Slot::When,
                Some(a.slots.when.clone().unwrap_or_else(|| clip(text, MAX_ANSWER_CHARS))),
            );
            draft.occurred_at = a.slots.occurred_at;
            ask_next(draft, ctx, out, None)
        }
        Question::Slot { slot: Slot::Who } if incident => match a.impact {
            Some(level) => {
                if a.scope != Scope::Unknown {
                    draft.scope = Some(a.scope);
                }
                draft.impact = Some(level);
                draft.answers.insert(
                    Slot::Who,
                    Some(a.slots.who.clone().unwrap_or_else(|| clip(text, MAX_ANSWER_CHARS))),
                );
                ask_next(draft, ctx, out, None)
            }
            None => retry(draft, asking, "answer-pick-one", ctx, out),
        },
        Question::Slot { slot: Slot::How } if incident => match a.urgency.level() {
            Some(level) => {
                draft.urgency = Some(level);
                draft.answers.insert(Slot::How, Some(clip(text, MAX_ANSWER_CHARS)));
                ask_next(draft, ctx, out, None)
            }
            None => retry(draft, asking, "answer-pick-one", ctx, out),
        },
        Question::Slot { slot } => {
            if unusable {
                return retry(draft, asking, "answer-not-understood", ctx, out);
            }
            draft.answers.insert(slot, Some(clip(text, MAX_ANSWER_CHARS)));
            ask_next(draft, ctx, out, None)
        }
        Question::Name | Question::Unit => {
            let value = clip(text, MAX_NAME_CHARS);
            if a.kind == Kind::Empty || !value.chars().any(char::is_alphabetic) {
                return retry(draft, asking, "answer-not-understood", ctx, out);
            }
            if asking == Question::Name {
                draft.name = Some(value.clone());
                out.effects.push(Effect::SaveProfile {
                    name: Some(value),
                    unit: None,
                });
            } else {
                draft.unit = Some(value.clone());
                out.effects.push(Effect::SaveProfile {
                    name: None,
                    unit: Some(value),
                });
            }
            ask_next(draft, ctx, out, None)
        }
        Question::Category if a.kind == Kind::Report => {
            // Not a category name but more words about the problem: read them.
            draft.tell(text, at);
            ask_next(draft, ctx, out, None)
        }
        Question::Category | Question::Service | Question::Confirm | Question::Change | Question::Article => {
            retry(draft, asking, "answer-pick-one", ctx, out)
        }
    }
}

/// Says why the answer did not fit and asks the same question again.
fn retry(draft: Draft, asking: Question, key: &'static str, ctx: &Ctx, out: &mut Out) -> State {
    let report = Report::from_draft(&draft, ctx);
    let mut reply = questions::ask(asking, &report, &draft, ctx);
    reply.text = Msg::new("with-ack")
        .arg("ack", Msg::new(key))
        .arg("question", reply.text);
    out.say(reply);
    reporting(draft, asking)
}

fn on_choice(state: State, id: &str, ctx: &Ctx, out: &mut Out) -> State {
    match state {
        State::Idle => {
            out.key("choice-stale");
            State::Idle
        }
        State::Reporting { draft, asking } => {
            let report = Report::from_draft(&draft, ctx);
            let offered = questions::ask(asking, &report, &draft, ctx).choices;
            if offered.iter().any(|c| c.id == id) {
                choose(*draft, asking, id, ctx, out)
            } else {
                out.key("choice-stale");
                re_ask(State::Reporting { draft, asking }, ctx, out)
            }
        }
    }
}

/// A button pressed (or typed) for the pending question; `id` is one that was offered.
fn choose(mut draft: Draft, asking: Question, id: &str, ctx: &Ctx, out: &mut Out) -> State {
    let (kind, value) = id.split_once(':').unwrap_or((id, ""));
    match (kind, asking) {
        ("c", _) => match id {
            CONFIRM_YES => {
                let report = Report::from_draft(&draft, ctx);
                out.effects
                    .push(Effect::CreateTicket(Box::new(new_ticket(&report, &draft, ctx))));
                out.effects.push(end_contact(&draft, &report, ContactOutcome::Ticket));
                State::Idle
            }
            CONFIRM_EDIT => {
                let report = Report::from_draft(&draft, ctx);
                ask_now(draft, Question::Change, &report, ctx, out, None)
            }
            CONFIRM_CANCEL => cancel(&draft, ctx, out),
            _ => re_ask(reporting(draft, asking), ctx, out),
        },
        ("kb", _) => match level0::verdict(id) {
            Some(v) => on_verdict(draft, v, ctx, out),
            None => re_ask(reporting(draft, asking), ctx, out),
        },
        ("e", _) => {
            draft.reviewing = true;
            let q = match value {
                "cat" => Question::Category,
                "what" => Question::Slot { slot: Slot::What },
                "where" => Question::Slot { slot: Slot::Where },
                "when" => Question::Slot { slot: Slot::When },
                "who" => Question::Slot { slot: Slot::Who },
                _ => Question::Slot { slot: Slot::How },
            };
            let report = Report::from_draft(&draft, ctx);
            let mut reply = questions::ask(q, &report, &draft, ctx);
            if q == (Question::Slot { slot: Slot::What }) {
                reply.text = Msg::new("ask-what-again");
            }
            out.say(reply);
            reporting(draft, q)
        }
        ("k", _) => {
            draft.category = Some(value.to_owned());
            draft.service = None;
            if draft.reviewing {
                // Changing it from the summary: pick the service within it too.
                let report = Report::from_draft(&draft, ctx);
                return ask_now(draft, Question::Service, &report, ctx, out, None);
            }
            ask_next(draft, ctx, out, None)
        }
        ("s", _) => {
            draft.service = (value != "none").then(|| value.to_owned());
            ask_next(draft, ctx, out, None)
        }
        ("t", _) => {
            let local = ctx.now.with_timezone(&ctx.tz).date_naive();
            let at_day = |days: i64, hour: u32| {
                let day = local - Duration::days(days);
                day.and_hms_opt(hour, 0, 0)
                    .and_then(|t| ctx.tz.from_local_datetime(&t).earliest())
                    .map(|t| t.with_timezone(&Utc))
            };
            draft.occurred_at = match value {
                "now" => Some(ctx.now),
                "today" => at_day(0, 8).map(|t| t.min(ctx.now)),
                "yesterday" => at_day(1, 8),
                _ => None,
            };
            draft.answers.insert(Slot::When, None);
            ask_next(draft, ctx, out, None)
        }
        ("w", _) => {
            let (scope, impact) = match value {
                "me" => (Scope::Individual, Level::Rendah),
                "some" => (Scope::Group, Level::Menengah),
                "unit" => (Scope::Mass, Level::Tinggi),
                _ => (Scope::Mass, Level::Tinggi),
            };
            draft.scope = Some(scope);
            draft.impact = Some(impact);
            ask_next(draft, ctx, out, None)
        }
        ("u", _) => {
            draft.urgency = Some(match value {
                "stop" => Level::Tinggi,
                "part" => Level::Menengah,
                _ => Level::Rendah,
            });
            ask_next(draft, ctx, out, None)
        }
        ("x", Question::Slot { slot }) => {
            draft.answers.insert(slot, None);
            ask_next(draft, ctx, out, None)
        }
        _ => re_ask(reporting(draft, asking), ctx, out),
    }
}

fn on_media(
    state: State,
    attachment: &Attachment,
    caption: Option<&str>,
    at: DateTime<Utc>,
    ctx: &Ctx,
    out: &mut Out,
) -> State {
    let caption = caption.map(str::trim).filter(|c| !c.is_empty());
    match state {
        State::Idle => {
            let mut draft = Draft::new(at);
            draft.attach(attachment);
            match caption {
                Some(c) if ctx.understanding.analyze(c, at, ctx.tz).kind == Kind::Report => {
                    draft.tell(c, at);
                    let report = Report::from_draft(&draft, ctx);
                    let ack = understood(&report).unwrap_or_else(|| Msg::new("attachment-received"));
                    ask_next(draft, ctx, out, Some(ack))
                }
                _ => ask_next(draft, ctx, out, Some(Msg::new("attachment-received"))),
            }
        }
        State::Reporting { mut draft, asking } => {
            draft.attach(attachment);
            match caption {
                Some(c) => answer(*draft, asking, c, at, ctx, out),
                None => {
                    out.key("attachment-saved");
                    re_ask(State::Reporting { draft, asking }, ctx, out)
                }
            }
        }
    }
}

fn on_location(state: State, place: String, at: DateTime<Utc>, ctx: &Ctx, out: &mut Out) -> State {
    match state {
        State::Idle => {
            let mut draft = Draft::new(at);
            draft.answers.insert(Slot::Where, Some(place));
            ask_next(draft, ctx, out, Some(Msg::new("location-received")))
        }
        State::Reporting { mut draft, asking } => {
            draft.answers.insert(Slot::Where, Some(place));
            if asking == (Question::Slot { slot: Slot::Where }) {
                ask_next(*draft, ctx, out, None)
            } else {
                out.key("location-received");
                re_ask(State::Reporting { draft, asking }, ctx, out)
            }
        }
    }
}

/// The ticket the confirmed draft becomes.
fn new_ticket(r: &Report, d: &Draft, ctx: &Ctx) -> NewTicket {
    let urgency = r.final_urgency(ctx);
    let impact = r.final_impact();
    let priority = ctx.policy.priority(urgency, impact);
    let due = ctx.policy.due(priority, ctx.now, ctx.calendar);
    let description = d.narrative();
    let title = r
        .slots
        .what
        .clone()
        .or_else(|| d.said.first().map(|s| s.text.clone()))
        .map(|t| clip(&t, 120))
        .unwrap_or_else(|| r.service.clone().unwrap_or_else(|| r.category.clone()));
    NewTicket {
        ticket_type: r.ticket_type,
        category: r.category.clone(),
        service: r.service.clone(),
        title,
        description,
        what: r.slots.what.clone(),
        location: r.slots.place.clone(),
        occurred: r.slots.when.clone(),
        occurred_at: r.slots.occurred_at,
        affected: r.slots.who.clone(),
        cause: r.slots.why.clone(),
        tried: r.slots.how.clone(),
        application: r.slots.application.clone(),
        scope: r.scope,
        urgency,
        impact,
        priority,
        recorded_at: ctx.now,
        response_due: due.response,
        resolution_due: due.resolution,
        attachments: d.attachments.clone(),
        kb_tried: d.tried().map(|o| o.article.clone()).collect(),
        reporter_name: d.name.clone().or_else(|| ctx.profile.name.clone()),
        reporter_unit: d.unit.clone().or_else(|| ctx.profile.unit.clone()),
    }
}
