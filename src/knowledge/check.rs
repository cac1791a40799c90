//! `sigap kb check`: what is wrong with the articles, file by file and line by line.

use super::Knowledge;
use super::article::{Article, Brace, PLACEHOLDERS, braces};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Steps longer than this are a wall of text on a phone.
pub const MAX_BODY_CHARS: usize = 900;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The article cannot be used as it is.
    Error,
    /// It works, but someone should look (stale, a draft, an agency detail not configured).
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}:{}: {level}: {}", self.path.display(), self.line, self.message)
    }
}

/// Every problem of the loaded articles: unreadable files, unknown services, broken or
/// unconfigured placeholders, over-long steps, and reviews older than `max_age_days`.
pub fn check(k: &Knowledge, agency: &BTreeMap<String, String>, max_age_days: i64, today: NaiveDate) -> Vec<Problem> {
    let mut out: Vec<Problem> = k
        .article_errors
        .iter()
        .map(|e| Problem {
            severity: Severity::Error,
            path: e.path.clone(),
            line: e.line,
            message: e.message.clone(),
        })
        .collect();
    for a in k.articles.all() {
        article(a, k, agency, max_age_days, today, &mut out);
    }
    out.sort_by(|a, b| (&a.path, a.line, a.severity).cmp(&(&b.path, b.line, b.severity)));
    out
}

fn article(
    a: &Article,
    k: &Knowledge,
    agency: &BTreeMap<String, String>,
    max_age_days: i64,
    today: NaiveDate,
    out: &mut Vec<Problem>,
) {
    let mut say = |severity, line, message: String| {
        out.push(Problem {
            severity,
            path: a.path.clone(),
            line,
            message,
        })
    };
    let stem = a.path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let id_ok = !a.id.is_empty()
        && a.id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !id_ok {
        say(
            Severity::Error,
            a.line_of("id"),
            format!("id `{}` must be lowercase letters, digits and hyphens", a.id),
        );
    } else if a.id != stem {
        say(
            Severity::Error,
            a.line_of("id"),
            format!("id `{}` differs from the file name `{stem}.md`", a.id),
        );
    }
    if a.title.trim().is_empty() {
        say(Severity::Error, a.line_of("title"), "the title is empty".into());
    }
    if a.services.is_empty() {
        say(Severity::Error, a.line_of("services"), "no service is listed".into());
    }
    for s in &a.services {
        if k.catalog.service(s).is_none() {
            say(
                Severity::Error,
                a.line_of("services"),
                format!("service `{s}` is not in the catalogue"),
            );
        }
    }
    if a.keywords.iter().all(|w| w.trim().is_empty()) {
        say(Severity::Error, a.line_of("keywords"), "no keywords are listed".into());
    }
    if a.body.is_empty() {
        say(Severity::Error, a.body_line, "the article has no steps".into());
    }
    let chars = a.body.chars().count();
    if chars > MAX_BODY_CHARS {
        say(
            Severity::Error,
            a.body_line,
            format!("the steps are {chars} characters; at most {MAX_BODY_CHARS} fit a phone screen"),
        );
    }
    for b in braces(&a.body, a.body_line) {
        match b {
            Brace::Broken { text, line } => say(Severity::Error, line, format!("broken placeholder `{text}`")),
            Brace::Name { name, line } if !PLACEHOLDERS.contains(&name.as_str()) => say(
                Severity::Error,
                line,
                format!("unknown placeholder `{{{name}}}` (known: {})", PLACEHOLDERS.join(", ")),
            ),
            Brace::Name { name, line } if !agency.contains_key(&name) => say(
                Severity::Warning,
                line,
                format!("`{{{name}}}` is not configured (set agency.{name}); a general phrase is shown instead"),
            ),
            Brace::Name { .. } => {}
        }
    }
    let age = (today - a.reviewed).num_days();
    if age > max_age_days {
        say(
            Severity::Warning,
            a.line_of("reviewed"),
            format!(
                "last reviewed {} ({age} days ago, more than {max_age_days}): check it still holds",
                a.reviewed
            ),
        );
    }
    if a.draft {
        say(
            Severity::Warning,
            a.line_of("draft"),
            "a draft: not offered until reviewed and `draft = true` removed".into(),
        );
    }
}
