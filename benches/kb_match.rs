//! Level 0 match latency: one report's words against the articles (normalise, stem, BM25,
//! confidence), per query, as p50/p99, over the shipped articles and over 1,000 generated
//! ones. `cargo bench --bench kb_match`.

use chrono::Utc;
use sigap::domain::PriorityPolicy;
use sigap::intake::{Ctx, Profile, Report};
use sigap::knowledge::{Article, Articles, Knowledge};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

const GENERATED: usize = 1_000;
const ROUNDS: usize = 20;

/// Reporter messages from the relevance sets.
fn queries() -> Vec<String> {
    let mut out = Vec::new();
    for file in ["tests/corpus/kb_relevance.jsonl", "tests/corpus/kb_holdout.jsonl"] {
        let text = std::fs::read_to_string(file).expect("run from the repository root");
        for l in text.lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(l) else {
                continue;
            };
            if let Some(t) = v["text"].as_str() {
                out.push(t.to_owned());
            }
        }
    }
    out
}

/// A small deterministic generator: the same articles every run.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// `n` articles made from the shipped ones: their services, keywords and steps mixed
/// with words of other articles, so the index has realistic overlap.
fn generated(shipped: &[Article], n: usize) -> Vec<Article> {
    let words: Vec<&str> = shipped.iter().flat_map(|a| a.body.split_whitespace()).collect();
    let mut rng = Xorshift(0x5eed_1234_abcd);
    (0..n)
        .map(|i| {
            let t = &shipped[i % shipped.len()];
            let mut a = t.clone();
            a.id = format!("gen-{i}");
            a.title = format!("{} {}", t.title, words[rng.next(words.len())]);
            let mut keywords: Vec<String> = t.keywords.iter().filter(|_| rng.next(3) > 0).cloned().collect();
            for _ in 0..3 {
                keywords.push(format!(
                    "{} {}",
                    words[rng.next(words.len())],
                    words[rng.next(words.len())]
                ));
            }
            a.keywords = keywords;
            let extra: Vec<&str> = (0..40).map(|_| words[rng.next(words.len())]).collect();
            a.body = format!("{}\n{}", t.body, extra.join(" "));
            a
        })
        .collect()
}

/// Times the match alone (the report is read beforehand, as the engine has it).
fn measure(name: &str, k: &Knowledge, qs: &[String]) {
    let policy = PriorityPolicy::default();
    let profile = Profile::default();
    let ctx = Ctx::new(k, &policy, chrono_tz::Asia::Jakarta, Utc::now(), &profile);
    let reports: Vec<Report> = qs
        .iter()
        .map(|t| Report::from_analysis(k.understanding.analyze(t, ctx.now, ctx.tz), &ctx))
        .collect();
    let mut times = Vec::with_capacity(qs.len() * ROUNDS);
    let mut offered = 0;
    for round in 0..ROUNDS {
        for (text, report) in qs.iter().zip(&reports) {
            let start = Instant::now();
            let hits = black_box(sigap::intake::matching_articles(black_box(text), report, &ctx));
            times.push(start.elapsed());
            if round == 0 && !hits.is_empty() {
                offered += 1;
            }
        }
    }
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "kb match, {name}: {} queries × {ROUNDS}: p50 {:?}, p99 {:?}, max {:?}, mean {:?} ({} of {} above the threshold)",
        qs.len(),
        pct(0.50),
        pct(0.99),
        times[times.len() - 1],
        mean,
        offered,
        qs.len()
    );
}

fn main() {
    let shipped = Knowledge::embedded().unwrap();
    let qs = queries();
    let start = Instant::now();
    for _ in 0..ROUNDS {
        for text in &qs {
            black_box(shipped.understanding.normalized(black_box(text), true));
        }
    }
    println!(
        "normalising the words alone: mean {:?}",
        start.elapsed() / (ROUNDS * qs.len()) as u32
    );
    measure(&format!("{} shipped articles", shipped.articles.len()), &shipped, &qs);

    let base = Knowledge::embedded().unwrap();
    let list = generated(shipped.articles.all(), GENERATED);
    let start = Instant::now();
    let articles = Articles::new(
        list,
        &|t| base.understanding.normalized(t, false),
        &BTreeMap::new(),
        &BTreeMap::new(),
    );
    println!("indexing {GENERATED} generated articles: {:?}", start.elapsed());
    let big = Knowledge { articles, ..base };
    measure(&format!("{GENERATED} generated articles"), &big, &qs);
}
