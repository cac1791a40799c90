//! Messages understood per second on one core: `sigap analyze` logic over the corpus.

use chrono::Utc;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sigap::domain::PriorityPolicy;
use sigap::knowledge::Knowledge;
use std::hint::black_box;

fn corpus() -> Vec<String> {
    let text = std::fs::read_to_string("tests/corpus/intake.jsonl").expect("run from the repository root");
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_owned))
        .collect()
}

fn analyze(c: &mut Criterion) {
    let k = Knowledge::embedded().unwrap();
    let policy = PriorityPolicy::default();
    let tz = chrono_tz::Asia::Jakarta;
    let messages = corpus();
    let now = Utc::now();
    let mut g = c.benchmark_group("analyze");
    g.throughput(Throughput::Elements(messages.len() as u64));
    g.bench_function("corpus", |b| {
        b.iter(|| {
            for m in &messages {
                black_box(sigap::analyze::analyze(black_box(m), &k, &policy, tz, now));
            }
        })
    });
    let long = "wifi di lantai 3 mati sejak jam 9, semua tidak bisa kerja. ".repeat(200);
    g.throughput(Throughput::Elements(1));
    g.bench_function("10k_characters", |b| {
        b.iter(|| black_box(sigap::analyze::analyze(black_box(&long), &k, &policy, tz, now)))
    });
    g.finish();
}

criterion_group!(benches, analyze);
criterion_main!(benches);
