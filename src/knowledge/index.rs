//! Finding the article that fixes a report: BM25 over stemmed Indonesian, combined with
//! the service the intake understood and the article's own keyword phrases.
//!
//! Why in memory and not PostgreSQL's `indonesian` text search: the engine is pure (no
//! database in `step` or `sigap analyze`), the articles are a few hundred files at most, and
//! the stemmer is the same Snowball algorithm (Tala) PostgreSQL uses.

use super::article::Article;
use crate::domain::Catalog;
use bm25::{Embedder, EmbedderBuilder, Embedding, Scorer, Tokenizer};
use std::collections::{BTreeMap, HashSet};

/// Words that say nothing about the problem.
const STOPWORDS: &[&str] = &[
    "yang",
    "dan",
    "di",
    "ke",
    "dari",
    "untuk",
    "dengan",
    "ini",
    "itu",
    "atau",
    "pada",
    "dalam",
    "saya",
    "aku",
    "anda",
    "kami",
    "kita",
    "dia",
    "mereka",
    "ada",
    "adalah",
    "akan",
    "juga",
    "lalu",
    "jika",
    "kalau",
    "agar",
    "supaya",
    "karena",
    "oleh",
    "sebagai",
    "pun",
    "tolong",
    "mohon",
    "min",
    "pak",
    "bu",
    "bapak",
    "ibu",
    "kak",
    "mas",
    "mbak",
    "sudah",
    "telah",
    "masih",
    "sedang",
    "lagi",
    "ya",
    "apa",
    "bagaimana",
    "kenapa",
    "sih",
    "nih",
    "dong",
    "deh",
    "kok",
    "the",
    "a",
    "an",
    "of",
    "to",
    "terima",
    "kasih",
    "selamat",
    "pagi",
    "siang",
    "sore",
    "malam",
    "halo",
    "hai",
    "admin",
    "helpdesk",
    "bantu",
    "bantuan",
    "kantor",
    "hari",
    "tadi",
    "sejak",
    "jam",
];

/// Weights of the three signals in the confidence of an offer.
/// Fitted on tests/corpus/kb_relevance.jsonl: a keyword phrase said outright is the
/// strongest sign, the understood service next (the intake errs at times), BM25 last.
const W_SERVICE: f32 = 0.30;
const W_KEYWORD: f32 = 0.45;
const W_TEXT: f32 = 0.25;
/// BM25 score at which the text signal is half way to certain.
const TEXT_HALF: f32 = 8.0;

/// Lower-case words, stop words dropped, each reduced to its stem.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stems;

impl Tokenizer for Stems {
    fn tokenize(&self, text: &str) -> Vec<String> {
        stems(text)
    }
}

pub fn stems(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
        .map(|w| tantivy_stemmers::algorithms::indonesian_tala(&w).into_owned())
        .collect()
}

/// The articles, indexed.
pub struct Articles {
    list: Vec<Article>,
    /// Bodies with the agency's details filled in, as the reporter sees them.
    rendered: Vec<String>,
    /// Per article, its keyword phrases and title as stem lists.
    phrases: Vec<Vec<Vec<String>>>,
    embedder: Embedder<u32, Stems>,
    scorer: Scorer<usize, u32>,
}

impl std::fmt::Debug for Articles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Articles").field("count", &self.list.len()).finish()
    }
}

/// An article that fits a report, with the confidence of the fit (0..1).
#[derive(Debug, Clone, Copy)]
pub struct Hit<'a> {
    pub article: &'a Article,
    pub body: &'a str,
    pub score: f32,
}

/// What the intake understood, for matching.
#[derive(Debug, Clone, Copy)]
pub struct Query<'q> {
    /// The reporter's words, normalised (slang and typos resolved).
    pub text: &'q str,
    pub service: Option<&'q str>,
    pub category: &'q str,
}

impl Articles {
    /// Indexes `list`; `normalize` turns text into the standard words queries are read in,
    /// `values` fill the agency placeholders (`fallback` where a value is not set).
    pub fn new(
        list: Vec<Article>,
        normalize: &dyn Fn(&str) -> String,
        values: &BTreeMap<String, String>,
        fallback: &BTreeMap<String, String>,
    ) -> Articles {
        let docs: Vec<String> = list.iter().map(|a| normalize(&searchable(a))).collect();
        let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
        let embedder = EmbedderBuilder::<u32, Stems>::with_tokenizer_and_fit_to_corpus(Stems, &refs).build();
        let mut scorer = Scorer::new();
        for (i, d) in docs.iter().enumerate() {
            scorer.upsert(&i, unique(embedder.embed(d)));
        }
        let phrases = list
            .iter()
            .map(|a| {
                a.keywords
                    .iter()
                    .chain(std::iter::once(&a.title))
                    .map(|k| stems(&normalize(k)))
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .collect();
        let rendered = list.iter().map(|a| a.render(values, fallback)).collect();
        Articles {
            list,
            rendered,
            phrases,
            embedder,
            scorer,
        }
    }

    pub fn empty() -> Articles {
        Articles::new(Vec::new(), &|s| s.to_owned(), &BTreeMap::new(), &BTreeMap::new())
    }

    pub fn all(&self) -> &[Article] {
        &self.list
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<Hit<'_>> {
        let i = self.list.iter().position(|a| a.id == id)?;
        Some(Hit {
            article: &self.list[i],
            body: &self.rendered[i],
            score: 0.0,
        })
    }

    /// Articles that fit the report, best first, with their confidence; drafts never.
    pub fn search(&self, q: &Query, catalog: &Catalog) -> Vec<Hit<'_>> {
        let words = stems(q.text);
        if words.is_empty() {
            return Vec::new();
        }
        let present: HashSet<&str> = words.iter().map(String::as_str).collect();
        let embedding: Embedding<u32> = self.embedder.embed(q.text);
        let mut hits: Vec<Hit> = self
            .scorer
            .matches(&embedding)
            .into_iter()
            .filter_map(|m| {
                let a = &self.list[m.id];
                if a.draft {
                    return None;
                }
                let service = service_fit(a, q, catalog)?;
                let keyword = self.phrases[m.id]
                    .iter()
                    .map(|p| coverage(p, &present))
                    .fold(0.0, f32::max);
                let text = m.score / (m.score + TEXT_HALF);
                Some(Hit {
                    article: a,
                    body: &self.rendered[m.id],
                    score: W_SERVICE * service + W_KEYWORD * keyword + W_TEXT * text,
                })
            })
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.article.id.cmp(&b.article.id))
        });
        hits
    }
}

/// One entry per distinct word. The embedder repeats a word's entry for each occurrence,
/// all with the same value, and the scorer looks entries up one by one: repeats only cost.
fn unique(e: Embedding<u32>) -> Embedding<u32> {
    let mut seen = HashSet::new();
    Embedding(e.0.into_iter().filter(|t| seen.insert(t.index)).collect())
}

/// The text an article is found by: title and keywords count twice, the steps once.
fn searchable(a: &Article) -> String {
    let head = format!("{} {}", a.title, a.keywords.join(" "));
    format!("{head} {head} {}", a.body)
}

/// How well the understood service fits the article: 1 when it is one of the article's,
/// less when only the category agrees or nothing was understood, `None` when it is another
/// kind of problem altogether.
fn service_fit(a: &Article, q: &Query, catalog: &Catalog) -> Option<f32> {
    match q.service {
        Some(s) if a.services.iter().any(|x| x == s) => Some(1.0),
        Some(_) => {
            let same_category = a
                .services
                .iter()
                .filter_map(|s| catalog.service(s))
                .any(|d| d.category == q.category);
            Some(if same_category { 0.3 } else { 0.0 })
        }
        None => Some(0.5),
    }
}

/// Share of a phrase's words present in the message; a partial phrase counts half.
fn coverage(phrase: &[String], present: &HashSet<&str>) -> f32 {
    let found = phrase.iter().filter(|w| present.contains(w.as_str())).count();
    if found == phrase.len() {
        1.0
    } else {
        0.5 * found as f32 / phrase.len() as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_indonesian_words() {
        assert_eq!(stems("Mencetak, dicetak; pencetakan!"), ["cetak", "cetak", "cetak"]);
        assert_eq!(stems("saya tidak bisa login"), ["tidak", "bisa", "login"]);
    }
}
