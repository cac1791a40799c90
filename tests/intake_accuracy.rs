//! Accuracy of understanding on the labelled corpus (tests/corpus/, see GUIDE.md).
//!
//! Prints accuracy per field and fails below the thresholds. `intake.jsonl` and
//! `intake2.jsonl` are the development sets the catalogue was tuned on; `holdout.jsonl`
//! was written separately and is only measured, with lower bars.

use chrono::{DateTime, TimeZone, Utc};
use serde::Deserialize;
use sigap::domain::PriorityPolicy;
use sigap::intake::{Ctx, Profile, Report};
use sigap::knowledge::Knowledge;

#[derive(Debug, Deserialize)]
struct Case {
    text: String,
    #[serde(rename = "type")]
    ticket_type: String,
    category: String,
    service: Option<String>,
    scope: String,
    urgency: Option<String>,
    impact: Option<String>,
    #[serde(rename = "where")]
    place: Option<String>,
    app: Option<String>,
    when: Option<String>,
    when_at: Option<String>,
    how: Option<String>,
    why: Option<String>,
}

fn now() -> DateTime<Utc> {
    chrono_tz::Asia::Jakarta
        .with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Two quotes match when they share at least half of their words.
fn same_span(a: &str, b: &str) -> bool {
    let (wa, wb) = (words(a), words(b));
    let common = wa.iter().filter(|w| wb.contains(w)).count();
    let union = wa.len() + wb.len() - common;
    union > 0 && common * 2 >= union
}

#[derive(Default)]
struct Tally {
    rows: Vec<(&'static str, usize, usize)>,
}

impl Tally {
    fn add(&mut self, field: &'static str, ok: bool) {
        match self.rows.iter_mut().find(|r| r.0 == field) {
            Some(r) => {
                r.1 += usize::from(ok);
                r.2 += 1;
            }
            None => self.rows.push((field, usize::from(ok), 1)),
        }
    }

    fn rate(&self, field: &str) -> f64 {
        self.rows
            .iter()
            .find(|r| r.0 == field)
            .map_or(1.0, |r| r.1 as f64 / r.2.max(1) as f64)
    }

    fn print(&self, title: &str) {
        println!("\n{title}");
        println!("{:<28} {:>7} {:>7} {:>8}", "field", "right", "of", "accuracy");
        for (f, ok, n) in &self.rows {
            println!(
                "{f:<28} {ok:>7} {n:>7} {:>7.1}%",
                100.0 * *ok as f64 / (*n).max(1) as f64
            );
        }
    }
}

fn measure(file: &str, show_errors: bool) -> Tally {
    let k = Knowledge::embedded().unwrap();
    let policy = PriorityPolicy::default();
    let tz = chrono_tz::Asia::Jakarta;
    let profile = Profile::default();
    let ctx = Ctx::new(&k, &policy, tz, now(), &profile);
    let text = std::fs::read_to_string(file).unwrap();
    let mut t = Tally::default();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let c: Case = serde_json::from_str(line).unwrap_or_else(|e| panic!("{file}:{}: {e}", n + 1));
        let a = k.understanding.analyze(&c.text, now(), tz);
        let place = a.slots.place.clone();
        let app = a.slots.application.clone();
        let r = Report::from_analysis(a, &ctx);
        let mut miss = Vec::new();
        let mut check = |field: &'static str, ok: bool, detail: String| {
            t.add(field, ok);
            if !ok {
                miss.push(format!("{field}: {detail}"));
            }
        };
        check(
            "type",
            r.ticket_type.as_str() == c.ticket_type,
            format!("{} vs {}", r.ticket_type, c.ticket_type),
        );
        check(
            "category",
            r.category == c.category,
            format!("{} vs {}", r.category, c.category),
        );
        check(
            "service",
            r.service == c.service,
            format!("{:?} vs {:?}", r.service, c.service),
        );
        check(
            "scope",
            r.scope.as_str() == c.scope,
            format!("{} vs {}", r.scope.as_str(), c.scope),
        );
        match &c.urgency {
            Some(u) => check(
                "urgency (labelled)",
                r.urgency.map(|x| x.as_str()) == Some(u.as_str()),
                format!("{:?} vs {u}", r.urgency),
            ),
            None => check(
                "urgency (unsettled kept open)",
                r.urgency.is_none(),
                format!("{:?} vs null", r.urgency),
            ),
        }
        if let Some(i) = &c.impact {
            check(
                "impact (labelled)",
                r.impact.map(|x| x.as_str()) == Some(i.as_str()),
                format!("{:?} vs {i}", r.impact),
            );
        }
        check(
            "where present",
            place.is_some() == c.place.is_some(),
            format!("{place:?} vs {:?}", c.place),
        );
        if let (Some(p), Some(l)) = (&place, &c.place) {
            check("where matches", same_span(p, l), format!("{p:?} vs {l:?}"));
        }
        check(
            "app present",
            app.is_some() == c.app.is_some(),
            format!("{app:?} vs {:?}", c.app),
        );
        check(
            "when present",
            r.slots.when.is_some() == c.when.is_some(),
            format!("{:?} vs {:?}", r.slots.when, c.when),
        );
        if let Some(at) = &c.when_at {
            let want = chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M").unwrap();
            let want = tz.from_local_datetime(&want).unwrap().with_timezone(&Utc);
            let ok = r
                .slots
                .occurred_at
                .is_some_and(|got| (got - want).num_minutes().abs() <= 60);
            check(
                "when_at within 1 h",
                ok,
                format!("{:?} vs {at}", r.slots.occurred_at.map(|x| x.with_timezone(&tz))),
            );
        }
        check(
            "how present",
            r.slots.how.is_some() == c.how.is_some(),
            format!("{:?} vs {:?}", r.slots.how, c.how),
        );
        check(
            "why present",
            r.slots.why.is_some() == c.why.is_some(),
            format!("{:?} vs {:?}", r.slots.why, c.why),
        );
        if show_errors && !miss.is_empty() {
            println!("{}: {}\n    {}", n + 1, c.text, miss.join("\n    "));
        }
    }
    t
}

fn assert_at_least(t: &Tally, bars: &[(&str, f64)]) {
    let failed: Vec<String> = bars
        .iter()
        .filter(|(f, bar)| t.rate(f) < *bar)
        .map(|(f, bar)| format!("{f}: {:.1}% < {:.1}%", 100.0 * t.rate(f), 100.0 * bar))
        .collect();
    assert!(failed.is_empty(), "below the bar: {}", failed.join(", "));
}

#[test]
fn development_corpus() {
    let t = measure(
        "tests/corpus/intake.jsonl",
        std::env::var_os("SIGAP_SHOW_ERRORS").is_some(),
    );
    t.print("intake.jsonl (development set)");
    assert_at_least(&t, &[]);
}

#[test]
fn second_development_corpus() {
    let t = measure(
        "tests/corpus/intake2.jsonl",
        std::env::var_os("SIGAP_SHOW_ERRORS2").is_some(),
    );
    t.print("intake2.jsonl (development set, regional and formal registers)");
    // Its labeller read "how" much more broadly (every secondary symptom): a weak signal.
    assert_at_least(
        &t,
        &[
            ("type", 0.93),
            ("category", 0.90),
            ("service", 0.89),
            ("scope", 0.76),
            ("urgency (labelled)", 0.83),
            ("urgency (unsettled kept open)", 0.68),
            ("impact (labelled)", 0.77),
            ("where present", 0.89),
            ("where matches", 0.91),
            ("app present", 0.87),
            ("when present", 0.92),
            ("when_at within 1 h", 0.92),
            ("how present", 0.60),
            ("why present", 0.84),
        ],
    );
}

#[test]
fn holdout_corpus() {
    let t = measure(
        "tests/corpus/holdout.jsonl",
        std::env::var_os("SIGAP_SHOW_ERRORS_HOLDOUT").is_some(),
    );
    t.print("holdout.jsonl (measured only)");
    // Never tuned on: lower bars that still catch a broken reader.
    assert_at_least(
        &t,
        &[
            ("type", 0.84),
            ("category", 0.78),
            ("service", 0.70),
            ("scope", 0.70),
            ("urgency (labelled)", 0.72),
            ("impact (labelled)", 0.72),
            ("where present", 0.88),
            ("when present", 0.93),
            ("when_at within 1 h", 0.90),
        ],
    );
}
