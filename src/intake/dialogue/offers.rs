//! The Level 0 part of a conversation: offering an article, reading the answer, and
//! recording how a report ended.

use super::{Out, ask_next, ask_now, retry};
use crate::i18n::Msg;
use crate::intake::analysis::Kind;
use crate::intake::level0::{self, Verdict};
use crate::intake::report::Report;
use crate::intake::state::{Draft, Offer, Question, Spare, State};
use crate::intake::{Choice, Contact, ContactOutcome, Ctx, Effect};
use crate::knowledge::Hit;
use chrono::{DateTime, Utc};

/// A "not yet" this long says more than no: it joins the reporter's account.
const KEPT_ANSWER_WORDS: usize = 4;

/// Records the best article as offered, keeping the next best in reserve.
pub(super) fn offer(draft: &mut Draft, hits: &[Hit], report: &Report, out: &mut Out) {
    let Some(best) = hits.first() else { return };
    draft.offers.push(Offer {
        article: best.article.id.clone(),
        title: best.article.title.clone(),
        score: best.score,
        at: draft.said.last().map_or(draft.started_at, |s| s.at),
        helped: None,
        spare: hits.get(1).map(|h| Spare {
            article: h.article.id.clone(),
            score: h.score,
        }),
    });
    out.effects.push(Effect::ArticleOffered {
        article: best.article.id.clone(),
        score: best.score,
        service: report.service.clone(),
    });
}

/// The reporter's answer to the article offered last.
pub(super) fn on_verdict(mut draft: Draft, verdict: Verdict, ctx: &Ctx, out: &mut Out) -> State {
    let Some(last) = draft.offers.last_mut() else {
        return ask_next(draft, ctx, out, None);
    };
    last.helped = Some(verdict == Verdict::Helped);
    let article = last.article.clone();
    let spare = last.spare.take();
    out.effects.push(Effect::ArticleAnswered {
        article: article.clone(),
        helped: verdict == Verdict::Helped,
    });
    match verdict {
        Verdict::Helped => {
            let report = Report::from_draft(&draft, ctx);
            out.effects
                .push(end_contact(&draft, &report, ContactOutcome::Level0 { article }));
            out.key("kb-resolved");
            State::Idle
        }
        Verdict::Another => {
            let report = Report::from_draft(&draft, ctx);
            let hit = spare.and_then(|s| Some((ctx.articles.get(&s.article)?, s.score)));
            match hit {
                Some((mut h, score)) => {
                    h.score = score;
                    offer(&mut draft, &[h], &report, out);
                    ask_now(draft, Question::Article, &report, ctx, out, None)
                }
                None => ask_next(draft, ctx, out, Some(Msg::new("kb-not-helped"))),
            }
        }
        Verdict::NotHelped => ask_next(draft, ctx, out, Some(Msg::new("kb-not-helped"))),
    }
}

pub(super) fn end_contact(draft: &Draft, report: &Report, outcome: ContactOutcome) -> Effect {
    Effect::EndContact(Contact {
        outcome,
        ticket_type: report.ticket_type,
        category: report.category.clone(),
        service: report.service.clone(),
        started_at: draft.started_at,
    })
}

pub(super) fn cancel(draft: &Draft, ctx: &Ctx, out: &mut Out) -> State {
    let report = Report::from_draft(draft, ctx);
    out.effects.push(end_contact(draft, &report, ContactOutcome::Cancelled));
    out.key("report-cancelled");
    State::Idle
}

/// A typed answer to an article offer: yes, no, another one, or more about the problem
/// (which is kept, and means the article did not settle it).
pub(super) fn answer_offer(
    mut draft: Draft,
    text: &str,
    at: DateTime<Utc>,
    offered: &[Choice],
    ctx: &Ctx,
    out: &mut Out,
) -> State {
    if let Some(v) = level0::read(text, offered, ctx) {
        // "sudah saya hapus tapi tetap penuh" says what was tried: keep it with the report.
        if v == Verdict::NotHelped && text.split_whitespace().count() >= KEPT_ANSWER_WORDS {
            draft.tell(text, at);
        }
        return on_verdict(draft, v, ctx, out);
    }
    let a = ctx.understanding.analyze(text, at, ctx.tz);
    if a.kind == Kind::Report {
        draft.tell(text, at);
        return on_verdict(draft, Verdict::NotHelped, ctx, out);
    }
    retry(draft, Question::Article, "kb-answer-unclear", ctx, out)
}
