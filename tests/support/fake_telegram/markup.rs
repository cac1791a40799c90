//! parse_mode: Telegram checks the markup and stores the plain text (with entities, which
//! the fake leaves out). Errors start "Bad Request: can't parse entities: ", which teloxide
//! reads as `ApiError::CantParseEntities`.

use super::server::{Reply, bad};

pub(super) fn render(text: &str, parse_mode: Option<&str>) -> Result<String, Reply> {
    let rendered = match parse_mode {
        None | Some("") => return Ok(text.to_owned()),
        Some("MarkdownV2") => markdown_v2(text),
        Some("HTML") => html(text),
        Some("Markdown") => markdown_legacy(text),
        Some(other) => return Err(bad(&format!("Bad Request: unsupported parse_mode \"{other}\""))),
    };
    rendered.map_err(|e| bad(&format!("Bad Request: can't parse entities: {e}")))
}

/// MarkdownV2: every one of `_*[]()~`>#+-=|{}.!` outside markup must be escaped.
fn markdown_v2(text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut open: Open = Vec::new(); // (marker, entity, byte offset)
    let mut chars = text.char_indices().peekable();
    let mut line_start = true;
    while let Some((at, c)) = chars.next() {
        let starts_line = line_start;
        line_start = c == '\n';
        match c {
            '\\' => match chars.next() {
                Some((_, e)) if e.is_ascii() => out.push(e),
                Some((_, e)) => {
                    out.push('\\');
                    out.push(e);
                }
                None => return Err(format!("Character '\\' at byte offset {at} must be escaped")),
            },
            '`' => {
                let pre = text[at..].starts_with("```");
                let body_start = at + if pre { 3 } else { 1 };
                let end = code_end(text, body_start, if pre { "```" } else { "`" }).ok_or_else(|| {
                    format!(
                        "Can't find end of {} entity at byte offset {at}",
                        if pre { "Pre" } else { "Code" }
                    )
                })?;
                let mut code = unescape(&text[body_start..end]);
                if pre {
                    // The first line names the language when it is one word.
                    if let Some((lang, rest)) = code.split_once('\n') {
                        if !lang.is_empty() && !lang.contains(char::is_whitespace) {
                            code = rest.to_owned();
                        }
                    }
                }
                out.push_str(&code);
                let close = end + if pre { 3 } else { 1 };
                while chars.peek().is_some_and(|(i, _)| *i < close) {
                    chars.next();
                }
            }
            '*' => toggle(&mut open, "*", "Bold", at)?,
            '~' => toggle(&mut open, "~", "Strikethrough", at)?,
            '_' if chars.peek().is_some_and(|(_, n)| *n == '_') => {
                chars.next();
                toggle(&mut open, "__", "Underline", at)?;
            }
            '_' => toggle(&mut open, "_", "Italic", at)?,
            '|' if chars.peek().is_some_and(|(_, n)| *n == '|') => {
                chars.next();
                toggle(&mut open, "||", "Spoiler", at)?;
            }
            '[' => open.push(("[", "TextUrl", at)),
            '!' if chars.peek().is_some_and(|(_, n)| *n == '[') => {
                chars.next();
                open.push(("[", "CustomEmoji", at));
            }
            ']' if open.last().is_some_and(|(m, _, _)| *m == "[") => {
                let (_, entity, start) = open.pop().unwrap_or_default();
                if chars.next().map(|(_, n)| n) != Some('(') {
                    return Err(format!("Can't find end of {entity} entity at byte offset {start}"));
                }
                // The URL: up to an unescaped ')'.
                let mut closed = false;
                while let Some((_, u)) = chars.next() {
                    match u {
                        '\\' => {
                            chars.next();
                        }
                        ')' => {
                            closed = true;
                            break;
                        }
                        _ => {}
                    }
                }
                if !closed {
                    return Err(format!("Can't find end of a URL at byte offset {start}"));
                }
            }
            '>' if starts_line => {} // a blockquote line
            // The other reserved characters (`_*[~` and the backquote) always open markup.
            ']' | '(' | ')' | '>' | '#' | '+' | '-' | '=' | '|' | '{' | '}' | '.' | '!' => {
                return Err(format!(
                    "Character '{c}' is reserved and must be escaped with the preceding '\\'"
                ));
            }
            c => out.push(c),
        }
    }
    match open.first() {
        Some((_, entity, at)) => Err(format!("Can't find end of {entity} entity at byte offset {at}")),
        None => Ok(out),
    }
}

type Open = Vec<(&'static str, &'static str, usize)>;

/// Opens a MarkdownV2 entity, or closes it if it is the innermost one open.
fn toggle(open: &mut Open, marker: &'static str, entity: &'static str, at: usize) -> Result<(), String> {
    match open.iter().rposition(|(m, _, _)| *m == marker) {
        Some(i) if i == open.len() - 1 => {
            open.pop();
            Ok(())
        }
        Some(i) => Err(format!(
            "Can't find end of {} entity at byte offset {}",
            open[i].1, open[i].2
        )),
        None => {
            open.push((marker, entity, at));
            Ok(())
        }
    }
}

/// Where a code span that starts at `from` ends: the next unescaped `marker`.
fn code_end(text: &str, from: usize, marker: &str) -> Option<usize> {
    let mut i = from;
    while i < text.len() {
        if text[i..].starts_with('\\') {
            i += 1 + text[i + 1..].chars().next().map_or(0, char::len_utf8);
        } else if text[i..].starts_with(marker) {
            return Some(i);
        } else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// HTML: the tags Telegram supports, properly nested; entities decoded.
fn html(text: &str) -> Result<String, String> {
    const TAGS: [&str; 16] = [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    ];
    let mut out = String::new();
    let mut open: Vec<String> = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        if rest.starts_with('<') {
            let end = rest
                .find('>')
                .ok_or_else(|| format!("Unclosed start tag at byte offset {at}"))?;
            let inner = &rest[1..end];
            if let Some(name) = inner.strip_prefix('/') {
                let name = name.trim().to_ascii_lowercase();
                match open.pop() {
                    Some(o) if o == name => {}
                    Some(o) => {
                        return Err(format!(
                            "Unmatched end tag at byte offset {at}, expected \"</{o}>\", found \"</{name}>\""
                        ));
                    }
                    None => return Err(format!("Unexpected end tag at byte offset {at}")),
                }
            } else {
                let name = inner.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
                if !TAGS.contains(&name.as_str()) {
                    return Err(format!("Unsupported start tag \"{name}\" at byte offset {at}"));
                }
                open.push(name);
            }
            at += end + 1;
        } else if rest.starts_with('&') {
            let entity = rest.find(';').filter(|&e| e <= 10).map(|e| (&rest[1..e], e));
            let decoded = entity.and_then(|(name, e)| {
                let c = match name {
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "amp" => Some('&'),
                    "quot" => Some('"'),
                    n if n.starts_with("#x") => u32::from_str_radix(&n[2..], 16).ok().and_then(char::from_u32),
                    n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
                    _ => None,
                };
                c.map(|c| (c, e))
            });
            match decoded {
                Some((c, e)) => {
                    out.push(c);
                    at += e + 1;
                }
                None => {
                    out.push('&');
                    at += 1;
                }
            }
        } else {
            let c = rest.chars().next().unwrap_or_default();
            out.push(c);
            at += c.len_utf8();
        }
    }
    match open.last() {
        Some(name) => Err(format!("Can't find end tag corresponding to start tag \"{name}\"")),
        None => Ok(out),
    }
}

/// Legacy Markdown: `*bold*`, `_italic_`, `` `code` ``, `[text](url)`; `\` escapes.
fn markdown_legacy(text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut open: Option<(char, usize)> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match (c, open) {
            ('\\', None) => out.extend(chars.next().map(|(_, e)| e)),
            ('*' | '_' | '`', None) => open = Some((c, at)),
            (c, Some((m, _))) if c == m => open = None,
            ('[', None) => {
                let rest = &text[at..];
                let end = rest
                    .find("](")
                    .and_then(|t| rest[t..].find(')').map(|u| (t, t + u)))
                    .ok_or_else(|| format!("Can't find end of the entity starting at byte offset {at}"))?;
                out.push_str(&rest[1..end.0]);
                while chars.peek().is_some_and(|(i, _)| *i <= at + end.1) {
                    chars.next();
                }
            }
            (c, _) => out.push(c),
        }
    }
    match open {
        Some((_, at)) => Err(format!("Can't find end of the entity starting at byte offset {at}")),
        None => Ok(out),
    }
}
