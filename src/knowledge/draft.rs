//! `sigap kb draft <ticket>`: a resolved ticket's fix, written up as an article draft
//! for the knowledge manager (the SOP's "add article" step after a resolution).

use chrono::NaiveDate;

/// What a resolved ticket tells about a fix.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedTicket {
    pub number: String,
    pub title: String,
    pub service: Option<String>,
    pub what: Option<String>,
    pub resolution_note: String,
}

/// The draft's id (also its file name without `.md`) and its text. The draft is marked
/// `draft = true` and not self-service: it is never offered until someone reviews it.
pub fn draft_article(t: &ResolvedTicket, today: NaiveDate) -> (String, String) {
    let id = format!("draft-{}", t.number.to_lowercase());
    let quote = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let keywords: Vec<String> = [t.what.as_deref(), Some(t.title.as_str())]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .fold(Vec::new(), |mut v, s| {
            if !v.iter().any(|x: &String| x.eq_ignore_ascii_case(s)) {
                v.push(s.to_owned());
            }
            v
        })
        .iter()
        .map(|s| quote(s))
        .collect();
    let services = t.service.as_deref().map(quote).into_iter().collect::<Vec<_>>();
    let steps = numbered(&t.resolution_note);
    let text = format!(
        "+++\nid = {}\ntitle = {}\nservices = [{}]\nkeywords = [{}]\nself_service = false\nreviewed = {today}\ndraft = true\n+++\n{steps}\n",
        quote(&id),
        quote(&t.title),
        services.join(", "),
        keywords.join(", "),
    );
    (id, text)
}

/// The note as numbered steps: its lines (or sentences, for a one-line note), numbered
/// unless they already are. Braces are dropped: they would read as placeholders.
fn numbered(note: &str) -> String {
    let note = note.replace(['{', '}'], "");
    let mut parts: Vec<&str> = note.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if parts.len() == 1 {
        parts = parts[0]
            .split_inclusive(". ")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
    }
    let already = parts
        .iter()
        .all(|p| p.split_once(". ").is_some_and(|(n, _)| n.parse::<u32>().is_ok()));
    if already {
        return parts.join("\n");
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{}. {p}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::Article;
    use std::path::Path;

    #[test]
    fn a_draft_parses_as_an_article_and_is_never_offered() {
        let t = ResolvedTicket {
            number: "INC-2611-0007".into(),
            title: "Printer \"lantai 3\" tidak mencetak".into(),
            service: Some("printer-bermasalah".into()),
            what: Some("printer tidak mencetak".into()),
            resolution_note: "Antrean cetak dibersihkan. Printer dinyalakan ulang. {x}".into(),
        };
        let (id, text) = draft_article(&t, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(id, "draft-inc-2611-0007");
        let a = Article::parse(Path::new("draft-inc-2611-0007.md"), &text).unwrap();
        assert!(a.draft && !a.self_service);
        assert_eq!(a.services, ["printer-bermasalah"]);
        assert_eq!(
            a.body,
            "1. Antrean cetak dibersihkan.\n2. Printer dinyalakan ulang.\n3. x"
        );
        assert_eq!(a.title, t.title);
    }
}
