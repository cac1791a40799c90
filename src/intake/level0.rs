//! Level 0: before a ticket is made, offer the knowledge-base article that fixes this kind
//! of problem, and read the reporter's answer.
//!
//! Never for a mass outage or a P1 (people must act at once), never an article that needs a
//! technician, never one below the confidence threshold: an unrelated article wastes the
//! reporter's time and their trust in the bot.

use super::Ctx;
use super::analysis::Kind;
use super::choices;
use super::reply::{Choice, Reply};
use super::report::Report;
use super::state::{Draft, Offer, Question};
use crate::domain::Scope;
use crate::i18n::Msg;
use crate::knowledge::{Hit, Query};

pub const KB_YES: &str = "kb:yes";
pub const KB_NO: &str = "kb:no";
pub const KB_MORE: &str = "kb:more";

/// Confidence (0..1) an article needs to be offered; measured on tests/corpus/kb_relevance.jsonl.
pub const THRESHOLD: f32 = 0.55;
/// Articles offered in one report at most.
pub const MAX_OFFERS: usize = 2;

/// The reporter's answer to an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Helped,
    NotHelped,
    Another,
}

/// Articles that fit the report well enough to offer, best first (at most two); empty
/// once an offer was made or when the report gives nothing to go on.
pub fn candidates<'k>(report: &Report, draft: &Draft, ctx: &Ctx<'k>) -> Vec<Hit<'k>> {
    if draft.was_asked(Question::Article) || draft.reviewing || draft.said.is_empty() {
        return Vec::new();
    }
    if report.kind != Kind::Report || report.vague {
        return Vec::new();
    }
    matching(&draft.narrative(), report, ctx)
        .into_iter()
        .filter(|h| !draft.offers.iter().any(|o| o.article == h.article.id))
        .take(MAX_OFFERS)
        .collect()
}

/// What the bot would offer for a first message read as `report`, best first: nothing for
/// a mass outage, a P1, or a message with nothing to go on.
pub fn offers<'k>(text: &str, report: &Report, ctx: &Ctx<'k>) -> Vec<Hit<'k>> {
    if report.kind != Kind::Report || report.vague || !allowed(report, ctx) {
        return Vec::new();
    }
    matching(text, report, ctx)
}

/// Self-service articles above the threshold for `text`, read as `report` was understood.
pub fn matching<'k>(text: &str, report: &Report, ctx: &Ctx<'k>) -> Vec<Hit<'k>> {
    let normalized = ctx.understanding.normalized(text, true);
    let q = Query {
        text: &normalized,
        service: report.service.as_deref(),
        category: &report.category,
    };
    let hits: Vec<Hit> = ctx
        .articles
        .search(&q, ctx.catalog)
        .into_iter()
        .filter(|h| h.score >= THRESHOLD)
        .collect();
    // The best fit needs a technician (a domain password, ransomware, broken hardware):
    // a self-help article that fits less well would only delay them.
    if hits.first().is_some_and(|h| !h.article.self_service) {
        return Vec::new();
    }
    hits.into_iter().filter(|h| h.article.self_service).collect()
}

/// Whether self-help may be offered: not when many people are hit or it is a P1.
pub fn allowed(report: &Report, ctx: &Ctx) -> bool {
    report.scope != Scope::Mass && report.final_priority(ctx).get() > 1
}

/// The offer as the reporter sees it: the steps and the answers.
pub fn ask(draft: &Draft, ctx: &Ctx) -> Reply {
    let Some(offer) = draft.offers.last() else {
        return Reply::key("kb-gone");
    };
    let steps = ctx.articles.get(&offer.article).map(|h| h.body.to_owned());
    let text = match steps {
        Some(steps) => Msg::new("kb-offer")
            .arg("title", offer.title.as_str())
            .arg("steps", steps),
        None => Msg::new("kb-offer-gone").arg("title", offer.title.as_str()),
    };
    Reply::with_choices(text, answers(offer, draft))
}

fn answers(offer: &Offer, draft: &Draft) -> Vec<Choice> {
    let mut v = vec![Choice::key(KB_YES, "choice-kb-yes"), Choice::key(KB_NO, "choice-kb-no")];
    if offer.spare.is_some() && draft.offers.len() < MAX_OFFERS {
        v.push(Choice::key(KB_MORE, "choice-kb-more"));
    }
    v
}

/// Negative words win over positive ones: "sudah, tapi belum berhasil" did not help.
const NOT_HELPED: &[&str] = &[
    "belum", "tidak", "gagal", "masih", "tetap", "percuma", "bukan", "error", "eror", "susah",
];
const HELPED: &[&str] = &[
    "berhasil",
    "bisa",
    "beres",
    "normal",
    "lancar",
    "selesai",
    "mantap",
    "ya",
    "iya",
    "ok",
    "oke",
    "sip",
    "sukses",
    "solved",
    "teratasi",
    "yes",
    "alhamdulillah",
];
const ANOTHER: &[&str] = &["lain", "lainnya", "another"];

/// What typed words say about an offer, if they clearly say something.
pub fn read(text: &str, offered: &[Choice], ctx: &Ctx) -> Option<Verdict> {
    if let Some(id) = choices::match_typed(text, offered, ctx) {
        return verdict(&id);
    }
    let normalized = ctx.understanding.normalized(text, true);
    let words: Vec<&str> = normalized.split(' ').filter(|w| !w.is_empty()).collect();
    let has = |set: &[&str]| words.iter().any(|w| set.contains(w));
    if has(ANOTHER) && offered.iter().any(|c| c.id == KB_MORE) {
        Some(Verdict::Another)
    } else if has(NOT_HELPED) {
        Some(Verdict::NotHelped)
    } else if has(HELPED) {
        Some(Verdict::Helped)
    } else {
        None
    }
}

pub fn verdict(id: &str) -> Option<Verdict> {
    match id {
        KB_YES => Some(Verdict::Helped),
        KB_NO => Some(Verdict::NotHelped),
        KB_MORE => Some(Verdict::Another),
        _ => None,
    }
}
