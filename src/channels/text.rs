//! Text fitted to a platform's limits: clipped to a length, or split into parts.

/// At most `max` characters; a clipped text ends in "…".
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// Splits a long text into parts of at most `max` characters, at line breaks where it can,
/// else at spaces, else anywhere. Never returns an empty list.
pub fn split(text: &str, max: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = text;
    while rest.chars().count() > max {
        let cut = rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i);
        let head = &rest[..cut];
        let at = head
            .rfind('\n')
            .or_else(|| head.rfind(' '))
            .filter(|&i| i > 0)
            .unwrap_or(cut);
        parts.push(rest[..at].trim_end().to_owned());
        rest = rest[at..].trim_start();
    }
    if !rest.is_empty() || parts.is_empty() {
        parts.push(rest.to_owned());
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_split_within_the_limit() {
        let text = "kata ".repeat(2500) + "\n" + &"x".repeat(5000);
        let parts = split(&text, 4096);
        assert!(parts.iter().all(|p| p.chars().count() <= 4096 && !p.is_empty()));
        let joined: usize = parts
            .iter()
            .map(|p| p.chars().filter(|c| !c.is_whitespace()).count())
            .sum();
        assert_eq!(joined, 2500 * 4 + 5000, "nothing lost");
        assert_eq!(split("pendek", 4096), vec!["pendek"]);
        assert_eq!(split("", 4096), vec![""]);
    }

    #[test]
    fn a_long_label_is_clipped_with_an_ellipsis() {
        assert_eq!(clip("Ya, sudah normal", 20), "Ya, sudah normal");
        assert_eq!(clip("Belum, masih bermasalah", 20), "Belum, masih bermas…");
    }
}
