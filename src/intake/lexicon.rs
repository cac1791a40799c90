//! What Sigap knows of the words people write: slang and abbreviations, common words,
//! and the vocabulary that typos are corrected towards.

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// `knowledge/language.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageFile {
    #[serde(default)]
    pub words: BTreeMap<String, String>,
    #[serde(default)]
    pub phrases: BTreeMap<String, String>,
    #[serde(default)]
    pub english: English,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct English {
    #[serde(default)]
    pub words: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    slang: HashMap<String, Vec<String>>,
    /// Multi-word replacements, longest first.
    phrases: Vec<(Vec<String>, Vec<String>)>,
    known: HashSet<String>,
    /// Everyday words (words.txt and slang), without the catalogue's vocabulary.
    common: HashSet<String>,
    /// Correction targets, by first letter.
    vocab: HashMap<char, Vec<String>>,
    english: HashSet<String>,
}

impl Lexicon {
    /// `common` is `knowledge/words.txt`; `vocab` the words worth correcting typos towards
    /// (the catalogue's, the place and time words).
    pub fn new<'a>(file: &LanguageFile, common: &str, vocab: impl IntoIterator<Item = &'a str>) -> Lexicon {
        let mut lex = Lexicon::default();
        for (k, v) in &file.words {
            let to: Vec<String> = v.split_whitespace().map(str::to_lowercase).collect();
            lex.known.extend(to.iter().cloned());
            lex.slang.insert(k.to_lowercase(), to);
        }
        for line in common.lines() {
            let w = line.trim();
            if !w.is_empty() && !w.starts_with('#') {
                lex.known.insert(w.to_lowercase());
            }
        }
        // Phrase keys go through the word map so they match normalised tokens.
        for (k, v) in &file.phrases {
            let from: Vec<String> = k
                .split_whitespace()
                .flat_map(|w| lex.map_word(&w.to_lowercase()))
                .collect();
            let to: Vec<String> = v.split_whitespace().map(str::to_lowercase).collect();
            if !from.is_empty() && from != to {
                lex.phrases.push((from, to));
            }
        }
        lex.phrases.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
        lex.common = lex.known.clone();
        lex.common.extend(lex.slang.keys().cloned());
        lex.english = file.english.words.iter().map(|w| w.to_lowercase()).collect();
        let mut seen = HashSet::new();
        for w in vocab {
            for part in w.split_whitespace() {
                let part = part.to_lowercase();
                if part.chars().count() >= 4 && part.chars().all(char::is_alphabetic) && seen.insert(part.clone()) {
                    lex.known.insert(part.clone());
                    if let Some(c) = part.chars().next() {
                        lex.vocab.entry(c).or_default().push(part);
                    }
                }
            }
        }
        lex
    }

    fn map_word(&self, w: &str) -> Vec<String> {
        self.slang.get(w).cloned().unwrap_or_else(|| vec![w.to_owned()])
    }

    pub fn slang(&self, w: &str) -> Option<&[String]> {
        self.slang.get(w).map(Vec::as_slice)
    }

    pub fn phrases(&self) -> &[(Vec<String>, Vec<String>)] {
        &self.phrases
    }

    /// A word we recognise as written (common, slang, or from the catalogue).
    pub fn is_known(&self, w: &str) -> bool {
        self.known.contains(w) || self.slang.contains_key(w)
    }

    /// An everyday word: neither a name nor a technical term.
    pub fn is_common(&self, w: &str) -> bool {
        self.common.contains(w)
    }

    pub fn is_english(&self, w: &str) -> bool {
        self.english.contains(w)
    }

    /// The vocabulary word a typo most likely meant (edits and transpositions counted), if exactly one is close enough.
    /// The first letter must match: people rarely mistype it, and it keeps this fast.
    pub fn correct(&self, w: &str) -> Option<&str> {
        let len = w.chars().count();
        let max = match len {
            0..=4 => return None,
            5..=7 => 1,
            _ => 2,
        };
        let first = w.chars().next()?;
        let mut best: Option<(&str, usize)> = None;
        let mut tie = false;
        for cand in self.vocab.get(&first)? {
            let clen = cand.chars().count();
            if clen.abs_diff(len) > max {
                continue;
            }
            let d = strsim::osa_distance(w, cand);
            if d > max {
                continue;
            }
            match best {
                Some((_, bd)) if d > bd => {}
                Some((_, bd)) if d == bd => tie = true,
                _ => {
                    best = Some((cand, d));
                    tie = false;
                }
            }
        }
        if tie { None } else { best.map(|(c, _)| c) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> Lexicon {
        let file: LanguageFile = toml::from_str(
            r#"
            [words]
            gk = "tidak"
            gabisa = "tidak bisa"
            [phrases]
            "wi fi" = "wifi"
            "gk konek" = "tidak koneksi"
            "#,
        )
        .unwrap();
        Lexicon::new(&file, "saya\nbisa\n", ["printer", "internet", "password", "jaringan"])
    }

    #[test]
    fn corrects_close_typos_only() {
        let l = lex();
        assert_eq!(l.correct("printter"), Some("printer"));
        assert_eq!(l.correct("internt"), Some("internet"));
        assert_eq!(l.correct("pasword"), Some("password"));
        assert_eq!(l.correct("jaringn"), Some("jaringan"));
        assert_eq!(l.correct("kabel"), None);
        assert_eq!(l.correct("prin"), None, "too short to guess");
    }

    #[test]
    fn phrase_keys_are_normalised() {
        let l = lex();
        assert!(l.phrases().iter().any(|(from, _)| from == &["tidak", "konek"]));
        assert!(l.is_known("saya") && l.is_known("gk") && l.is_known("printer"));
    }
}
