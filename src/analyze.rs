//! `sigap analyze`: one message per input line in, one JSON object per line out, with no
//! database. The field names are a stable interface for tooling.

use crate::domain::{Level, PriorityPolicy, Slot};
use crate::intake::{self, Ctx, Profile, Report};
use crate::knowledge::Knowledge;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::io::{BufRead, Write};

#[derive(Debug, Serialize)]
pub struct Slots {
    pub what: Option<String>,
    #[serde(rename = "where")]
    pub place: Option<String>,
    pub when: Option<String>,
    pub who: Option<String>,
    pub why: Option<String>,
    pub how: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Line {
    pub text: String,
    #[serde(rename = "type")]
    pub ticket_type: &'static str,
    pub category: String,
    pub service: Option<String>,
    pub confidence: f64,
    pub urgency: Option<Level>,
    pub impact: Option<Level>,
    pub priority: Option<u8>,
    pub scope: &'static str,
    pub slots: Slots,
    pub missing: Vec<&'static str>,
    /// The articles the bot would offer for this first message, best first.
    pub kb: Vec<KbHit>,
    /// "kapan" resolved in the agency's time zone.
    pub when_at: Option<String>,
    pub application: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct KbHit {
    pub id: String,
    pub title: String,
    /// The article's service this report matched (else its first).
    pub service: String,
    pub score: f64,
}

/// Articles listed per message at most.
const KB_LISTED: usize = 3;

/// Reads one message as the engine would on first contact.
pub fn analyze(text: &str, k: &Knowledge, policy: &PriorityPolicy, tz: Tz, now: DateTime<Utc>) -> Line {
    let profile = Profile::default();
    let ctx = Ctx::new(k, policy, tz, now, &profile);
    let a = k.understanding.analyze(text, now, tz);
    let r = Report::from_analysis(a, &ctx);
    let missing = intake::missing(&r, &ctx).into_iter().map(Slot::as_str).collect();
    let kb = intake::article_offers(text, &r, &ctx)
        .into_iter()
        .take(KB_LISTED)
        .map(|h| KbHit {
            id: h.article.id.clone(),
            title: h.article.title.clone(),
            service: h
                .article
                .services
                .iter()
                .find(|s| Some(s.as_str()) == r.service.as_deref())
                .or(h.article.services.first())
                .cloned()
                .unwrap_or_default(),
            score: (f64::from(h.score) * 100.0).round() / 100.0,
        })
        .collect();
    Line {
        text: text.to_owned(),
        ticket_type: r.ticket_type.as_str(),
        category: r.category.clone(),
        service: r.service.clone(),
        confidence: (f64::from(r.confidence) * 100.0).round() / 100.0,
        urgency: r
            .urgency
            .or_else(|| r.ticket_type.is_request().then(|| r.final_urgency(&ctx))),
        impact: r
            .impact
            .or_else(|| r.ticket_type.is_request().then(|| r.final_impact())),
        priority: r.priority(&ctx).map(|p| p.get()),
        scope: r.scope.as_str(),
        slots: Slots {
            what: r.slots.what.clone(),
            place: r.slots.place.clone(),
            when: r.slots.when.clone(),
            who: r.slots.who.clone(),
            why: r.slots.why.clone(),
            how: r.slots.how.clone(),
        },
        missing,
        kb,
        when_at: r.slots.occurred_at.map(|t| t.with_timezone(&tz).to_rfc3339()),
        application: r.slots.application.clone(),
    }
}

/// Reads lines until the end of `input`, writing one JSON object per line.
pub fn run(
    mut input: impl BufRead,
    mut output: impl Write,
    k: &Knowledge,
    policy: &PriorityPolicy,
    tz: Tz,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        // Bad bytes are replaced, not fatal: one broken line must not stop the rest.
        let line = String::from_utf8_lossy(&buf);
        let text = line.trim_end_matches(['\n', '\r']);
        let out = analyze(text, k, policy, tz, Utc::now());
        serde_json::to_writer(&mut output, &out)?;
        output.write_all(b"\n")?;
    }
    output.flush()
}
