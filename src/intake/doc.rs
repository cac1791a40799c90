//! A normalised message with an index of its words, shared by the extractors.

use super::lexicon::Lexicon;
use super::normalize::{self, Token};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A fixed list of phrases in normal form, split into words once.
pub struct Phrases {
    src: &'static [&'static str],
    words: OnceLock<Vec<Vec<String>>>,
}

impl Phrases {
    pub const fn new(src: &'static [&'static str]) -> Phrases {
        Phrases {
            src,
            words: OnceLock::new(),
        }
    }

    pub fn source(&self) -> &'static [&'static str] {
        self.src
    }

    pub fn get(&self) -> &[Vec<String>] {
        self.words.get_or_init(|| {
            self.src
                .iter()
                .map(|p| p.split_whitespace().map(str::to_owned).collect())
                .collect()
        })
    }

    /// Whether any of the phrases occurs in `doc`.
    pub fn in_doc(&self, doc: &Doc, gap: usize) -> bool {
        self.get().iter().any(|p| !doc.find(p, gap).is_empty())
    }

    /// Whether any of the phrases starts at token `i`.
    pub fn at(&self, doc: &Doc, i: usize, gap: usize) -> Option<usize> {
        self.get().iter().find_map(|p| doc.match_at(i, p, gap))
    }
}

pub struct Doc<'t> {
    pub text: &'t str,
    pub tokens: Vec<Token>,
    /// Extra meanings of a token: an application name also counts as "aplikasi".
    alts: Vec<Vec<&'static str>>,
    index: HashMap<String, Vec<usize>>,
}

impl<'t> Doc<'t> {
    pub fn new(text: &'t str, lex: &Lexicon) -> Doc<'t> {
        let tokens = normalize::tokenize(text, lex);
        let alts = vec![Vec::new(); tokens.len()];
        let mut doc = Doc {
            text,
            tokens,
            alts,
            index: HashMap::new(),
        };
        doc.reindex();
        doc
    }

    fn reindex(&mut self) {
        self.index.clear();
        for (i, t) in self.tokens.iter().enumerate() {
            self.index.entry(t.norm.clone()).or_default().push(i);
            for a in &self.alts[i] {
                self.index.entry((*a).to_owned()).or_default().push(i);
            }
        }
    }

    /// Gives token `i` an extra meaning.
    pub fn add_alt(&mut self, i: usize, meaning: &'static str) {
        if i < self.alts.len() && !self.alts[i].contains(&meaning) {
            self.alts[i].push(meaning);
            self.index.entry(meaning.to_owned()).or_default().push(i);
        }
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    pub fn is(&self, i: usize, w: &str) -> bool {
        self.tokens.get(i).is_some_and(|t| t.norm == w) || self.alts.get(i).is_some_and(|a| a.contains(&w))
    }

    /// The word at `i` and its extra meanings.
    pub fn words_at(&self, i: usize) -> impl Iterator<Item = &str> {
        self.tokens
            .get(i)
            .map(|t| t.norm.as_str())
            .into_iter()
            .chain(self.alts.get(i).into_iter().flatten().copied())
    }

    pub fn is_any(&self, i: usize, ws: &[&str]) -> bool {
        ws.iter().any(|w| self.is(i, w))
    }

    pub fn positions(&self, w: &str) -> &[usize] {
        self.index.get(w).map_or(&[], Vec::as_slice)
    }

    pub fn same_clause(&self, a: usize, b: usize) -> bool {
        self.tokens[a].clause == self.tokens[b].clause
    }

    /// Finds `words` in order starting at token `i`, allowing up to `gap` other tokens
    /// between consecutive words, within one clause. Returns the last matched index.
    pub fn match_at(&self, i: usize, words: &[String], gap: usize) -> Option<usize> {
        let (first, rest) = words.split_first()?;
        if !self.is(i, first) {
            return None;
        }
        let mut last = i;
        for w in rest {
            let mut found = None;
            for j in last + 1..=(last + 1 + gap).min(self.len().saturating_sub(1)) {
                if !self.same_clause(i, j) {
                    break;
                }
                if self.is(j, w) {
                    found = Some(j);
                    break;
                }
            }
            last = found?;
        }
        Some(last)
    }

    /// Every match of `words`, as (first, last) token indices.
    pub fn find(&self, words: &[String], gap: usize) -> Vec<(usize, usize)> {
        let Some(first) = words.first() else { return Vec::new() };
        self.positions(first)
            .iter()
            .filter_map(|&i| self.match_at(i, words, gap).map(|end| (i, end)))
            .collect()
    }

    /// The original text of tokens `a..=b`.
    pub fn quote(&self, a: usize, b: usize) -> &'t str {
        let (s, e) = (self.tokens[a].start, self.tokens[b].end.max(self.tokens[a].end));
        &self.text[s..e]
    }
}
