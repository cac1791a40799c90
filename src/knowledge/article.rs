//! One knowledge-base article: a Markdown file with TOML front matter between `+++` lines.
//!
//! ```text
//! +++
//! id = "sandi-aplikasi-web"
//! title = "Lupa kata sandi aplikasi web kantor"
//! services = ["reset-password"]
//! keywords = ["lupa password", "tidak bisa login"]
//! self_service = true
//! reviewed = 2026-11-20
//! +++
//! 1. Buka halaman masuk aplikasi …
//! ```

use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const FENCE: &str = "+++";

/// Agency details an article may name as `{name}`; their values come from the settings
/// (`[agency]`), so no article carries a made-up number or address.
pub const PLACEHOLDERS: &[&str] = &[
    "helpdesk_phone",
    "helpdesk_whatsapp",
    "helpdesk_email",
    "portal_url",
    "password_reset_url",
    "service_hours",
    "wifi_guest_ssid",
    "it_room",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub services: Vec<String>,
    pub keywords: Vec<String>,
    /// A reporter can follow it alone; only these are offered in the chat.
    pub self_service: bool,
    pub reviewed: NaiveDate,
    /// Written by `sigap kb draft`, not yet reviewed: never offered.
    pub draft: bool,
    /// The steps as written, placeholders unfilled.
    pub body: String,
    pub path: PathBuf,
    /// Line of the body's first line in the file (for `kb check`).
    pub body_line: usize,
    /// Line of each front-matter key (for `kb check`).
    pub lines: BTreeMap<String, usize>,
}

/// What is wrong with an article file, and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}:{line}: {message}", path.display())]
pub struct ArticleError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Front {
    id: String,
    title: String,
    services: Vec<String>,
    keywords: Vec<String>,
    self_service: bool,
    reviewed: toml::value::Datetime,
    #[serde(default)]
    draft: bool,
}

impl Article {
    /// Reads an article from its text; errors name the line.
    pub fn parse(path: &Path, text: &str) -> Result<Article, ArticleError> {
        let err = |line: usize, message: String| ArticleError {
            path: path.to_owned(),
            line,
            message,
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text.split_inclusive('\n');
        let first = lines.next().unwrap_or("");
        if first.trim_end() != FENCE {
            return Err(err(
                1,
                format!("the file must start with a `{FENCE}` line (the front matter)"),
            ));
        }
        let front_start = first.len();
        let mut offset = front_start;
        let mut line_no = 1;
        let mut front_end = None;
        for l in lines {
            line_no += 1;
            if l.trim_end() == FENCE {
                front_end = Some((offset, offset + l.len(), line_no));
                break;
            }
            offset += l.len();
        }
        let Some((end, body_start, fence_line)) = front_end else {
            return Err(err(1, format!("the front matter is not closed with a `{FENCE}` line")));
        };
        let front_text = &text[front_start..end];
        let front: Front = toml::from_str(front_text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start);
            let line = 2 + front_text[..at.min(front_text.len())].matches('\n').count();
            err(line, e.message().trim().to_owned())
        })?;
        let reviewed = match front.reviewed.date {
            Some(d) if front.reviewed.time.is_none() => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
            }
            _ => None,
        }
        .ok_or_else(|| {
            let line = front_line(front_text, "reviewed");
            err(line, "`reviewed` must be a date such as 2026-11-20".into())
        })?;
        Ok(Article {
            id: front.id,
            title: front.title,
            services: front.services,
            keywords: front.keywords,
            self_service: front.self_service,
            reviewed,
            draft: front.draft,
            body: text[body_start..].trim().to_owned(),
            path: path.to_owned(),
            body_line: fence_line + 1,
            lines: front_text
                .lines()
                .enumerate()
                .filter_map(|(i, l)| Some((l.split_once('=')?.0.trim().to_owned(), i + 2)))
                .collect(),
        })
    }

    /// The line of the front matter that sets `key` (for messages about a field).
    pub fn line_of(&self, key: &str) -> usize {
        self.lines.get(key).copied().unwrap_or(1)
    }

    /// The body with `{placeholders}` filled from `values`, else from `fallback` (general
    /// words), else left as written.
    pub fn render(&self, values: &BTreeMap<String, String>, fallback: &BTreeMap<String, String>) -> String {
        let mut out = String::with_capacity(self.body.len());
        let mut rest = self.body.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) if is_name(&after[..close]) => {
                    let name = &after[..close];
                    match values.get(name).or_else(|| fallback.get(name)) {
                        Some(v) => out.push_str(v),
                        None => out.push_str(&rest[open..open + close + 2]),
                    }
                    rest = &after[close + 1..];
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// A placeholder in a body: `{name}` and its line, or a malformed brace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Brace {
    Name { name: String, line: usize },
    Broken { text: String, line: usize },
}

/// Every `{…}` in `body` (whose first line is `first_line` of the file).
pub fn braces(body: &str, first_line: usize) -> Vec<Brace> {
    let mut out = Vec::new();
    for (i, line) in body.lines().enumerate() {
        let line_no = first_line + i;
        let mut rest = line;
        while let Some(pos) = rest.find(['{', '}']) {
            let after = &rest[pos + 1..];
            if rest[pos..].starts_with('}') {
                out.push(Brace::Broken {
                    text: "}".into(),
                    line: line_no,
                });
                rest = after;
                continue;
            }
            match after.find(['{', '}']) {
                Some(close) if after[close..].starts_with('}') && is_name(&after[..close]) => {
                    out.push(Brace::Name {
                        name: after[..close].to_owned(),
                        line: line_no,
                    });
                    rest = &after[close + 1..];
                }
                Some(close) if after[close..].starts_with('}') => {
                    out.push(Brace::Broken {
                        text: format!("{{{}}}", &after[..close]),
                        line: line_no,
                    });
                    rest = &after[close + 1..];
                }
                _ => {
                    out.push(Brace::Broken {
                        text: "{".into(),
                        line: line_no,
                    });
                    rest = after;
                }
            }
        }
    }
    out
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The line (1 = the opening fence) where `key = …` stands in the front matter text.
fn front_line(front: &str, key: &str) -> usize {
    front
        .lines()
        .position(|l| l.trim_start().starts_with(key))
        .map_or(1, |i| i + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "+++\nid = \"a\"\ntitle = \"Judul\"\nservices = [\"email\"]\nkeywords = [\"kotak surat penuh\"]\nself_service = true\nreviewed = 2026-11-20\n+++\n1. Hapus email lama.\n2. Hubungi {helpdesk_phone}.\n";

    #[test]
    fn reads_front_matter_and_body() {
        let a = Article::parse(Path::new("a.md"), GOOD).unwrap();
        assert_eq!(a.id, "a");
        assert_eq!(a.services, ["email"]);
        assert_eq!(a.reviewed, NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
        assert!(a.body.starts_with("1. Hapus"));
        assert_eq!(a.body_line, 9);
        let mut v = BTreeMap::new();
        let mut general = BTreeMap::new();
        assert!(a.render(&v, &general).ends_with("Hubungi {helpdesk_phone}."));
        general.insert("helpdesk_phone".into(), "helpdesk".into());
        assert!(a.render(&v, &general).ends_with("Hubungi helpdesk."));
        v.insert("helpdesk_phone".into(), "0800".into());
        assert!(a.render(&v, &general).ends_with("Hubungi 0800."));
    }

    #[test]
    fn errors_name_the_line() {
        let bad = GOOD.replace("self_service = true", "self_service = yes");
        let e = Article::parse(Path::new("x.md"), &bad).unwrap_err();
        assert_eq!(e.line, 6, "{e}");
        let e = Article::parse(Path::new("x.md"), "judul\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e = Article::parse(Path::new("x.md"), &GOOD.replace("\n+++\n1.", "\n1.")).unwrap_err();
        assert!(e.message.contains("not closed"), "{e}");
        let e = Article::parse(
            Path::new("x.md"),
            &GOOD.replace("reviewed = 2026-11-20", "reviewed = 5"),
        )
        .unwrap_err();
        assert_eq!(e.line, 7, "{e}");
        let e = Article::parse(Path::new("x.md"), &GOOD.replace("id = \"a\"\n", "")).unwrap_err();
        assert!(e.message.contains("id"), "{e}");
    }

    #[test]
    fn finds_placeholders_and_broken_braces() {
        let b = braces("Hubungi {helpdesk_phone}\nbuka {portal url} lalu {\ntutup }", 10);
        assert_eq!(
            b,
            vec![
                Brace::Name {
                    name: "helpdesk_phone".into(),
                    line: 10
                },
                Brace::Broken {
                    text: "{portal url}".into(),
                    line: 11
                },
                Brace::Broken {
                    text: "{".into(),
                    line: 11
                },
                Brace::Broken {
                    text: "}".into(),
                    line: 12
                },
            ]
        );
    }
}
