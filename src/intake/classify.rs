//! Scores the catalogue's services against a message.
//!
//! Evidence, strongest first: a fixed phrase of the service; an object and a state of
//! the service in the same sentence ("wifi … mati"); an object or a state alone; weak
//! keywords. Words shared by many services count less (inverse document frequency), so
//! "sim" points to sim-down more than "aplikasi" points anywhere.

use super::doc::Doc;
use super::lexicon::Lexicon;
use super::normalize;
use crate::domain::{Catalog, TicketType};
use std::collections::HashMap;

/// Below this, no service is claimed.
pub const MIN_SCORE: f32 = 2.0;
/// How much a word counts inside the place, the cause or what was tried.
const ASIDE_WEIGHT: f32 = 0.25;
/// Object and state further apart than this are not read together.
const PAIR_WINDOW: usize = 10;

struct Term {
    words: Vec<String>,
    weight: f32,
}

struct ServicePattern {
    slug: String,
    category: String,
    ticket_type: TicketType,
    /// Objects, states, phrases, keywords (in that order: see `List`).
    lists: [Vec<Term>; 4],
}

/// Which list of a service a term is in.
#[derive(Clone, Copy)]
enum List {
    Object = 0,
    State = 1,
    Phrase = 2,
    Keyword = 3,
}

impl List {
    const ALL: [List; 4] = [List::Object, List::State, List::Phrase, List::Keyword];

    /// Other words allowed between a term's words.
    fn gap(self) -> usize {
        match self {
            List::Object | List::State => 1,
            List::Phrase => 2,
            List::Keyword => 0,
        }
    }
}

/// A term of a service, found by its first word.
struct TermRef {
    service: usize,
    list: List,
    term: usize,
}

struct AppPattern {
    words: Vec<String>,
    name: String,
    sim: bool,
}

/// Words that make a report about a broken thing into a request for something new.
const REQUEST_CUES: &[&str] = &[
    "minta dipasang",
    "mohon dipasang",
    "minta pasang",
    "mohon pasang",
    "tolong pasang",
    "pasang baru",
    "pemasangan",
    "tambah titik",
    "penambahan",
    "titik baru",
    "dibuatkan",
    "buatkan",
    "pengadaan",
    "permohonan",
    "pengajuan",
    "minta instal",
    "tolong instal",
    "mohon instal",
    "minta dibuatkan",
    "bagaimana cara",
    "cara",
    "minta akses",
    "perlu dipasang",
    "butuh",
];

/// Generic words that introduce an application's name ("aplikasi SIPANDU").
const APP_INTRO: &[&str] = &["aplikasi", "sistem", "website", "portal", "situs"];

#[derive(Debug, Clone, PartialEq)]
pub struct AppMention {
    pub name: String,
    pub sim: bool,
    pub first: usize,
    pub last: usize,
}

#[derive(Debug, Clone)]
pub struct Classification {
    pub service: Option<String>,
    pub category: String,
    pub ticket_type: TicketType,
    pub confidence: f32,
    /// Raw score per service slug (only those above zero).
    pub scores: Vec<(String, f32)>,
    /// Per category, for messages that name no service clearly.
    pub category_scores: Vec<(String, f32)>,
    pub request_cue: bool,
    /// Token indices that carried evidence, with their weight: where "what" is.
    pub evidence: Vec<(usize, f32)>,
}

pub struct Classifier {
    services: Vec<ServicePattern>,
    /// Every term by its first word: a message looks up only its own words.
    by_first: HashMap<String, Vec<TermRef>>,
    categories: Vec<(String, Vec<Term>)>,
    apps: Vec<AppPattern>,
    request: Vec<Vec<String>>,
}

fn words_of(s: &str, lex: &Lexicon) -> Vec<String> {
    normalize::tokenize_with(s, lex, false)
        .into_iter()
        .map(|t| t.norm)
        .collect()
}

impl Classifier {
    pub fn new(catalog: &Catalog, lex: &Lexicon) -> Classifier {
        // How many services use each term: the fewer, the more it says.
        let mut df: HashMap<Vec<String>, usize> = HashMap::new();
        let norm_lists: Vec<[Vec<Vec<String>>; 4]> = catalog
            .services
            .iter()
            .map(|s| {
                [&s.objects, &s.states, &s.phrases, &s.keywords].map(|list| {
                    list.iter()
                        .map(|w| words_of(w, lex))
                        .filter(|w| !w.is_empty())
                        .collect()
                })
            })
            .collect();
        for lists in &norm_lists {
            let mut seen: Vec<&Vec<String>> = lists.iter().flatten().collect();
            seen.sort();
            seen.dedup();
            for t in seen {
                *df.entry(t.clone()).or_default() += 1;
            }
        }
        let n = catalog.services.len().max(1) as f32;
        let term = |words: &Vec<String>| Term {
            weight: 1.0 + 0.5 * (n / *df.get(words).unwrap_or(&1) as f32).ln(),
            words: words.clone(),
        };
        let services = catalog
            .services
            .iter()
            .zip(&norm_lists)
            .map(|(s, lists)| ServicePattern {
                slug: s.slug.clone(),
                category: s.category.clone(),
                ticket_type: s.ticket_type,
                lists: lists.clone().map(|l| l.iter().map(term).collect()),
            })
            .collect::<Vec<ServicePattern>>();
        let mut by_first: HashMap<String, Vec<TermRef>> = HashMap::new();
        for (k, svc) in services.iter().enumerate() {
            for list in List::ALL {
                for (i, t) in svc.lists[list as usize].iter().enumerate() {
                    by_first.entry(t.words[0].clone()).or_default().push(TermRef {
                        service: k,
                        list,
                        term: i,
                    });
                }
            }
        }
        let categories = catalog
            .categories
            .iter()
            .map(|c| {
                let terms = c
                    .keywords
                    .iter()
                    .map(|k| Term {
                        words: words_of(k, lex),
                        weight: 1.0,
                    })
                    .filter(|t| !t.words.is_empty())
                    .collect();
                (c.slug.clone(), terms)
            })
            .collect();
        let mut apps: Vec<AppPattern> = catalog
            .applications
            .iter()
            .flat_map(|a| {
                let canonical = a.names.first().cloned().unwrap_or_default();
                let sim = a.kind.as_deref() == Some("sim");
                a.names.iter().map(move |n| (n.clone(), canonical.clone(), sim))
            })
            .map(|(n, name, sim)| AppPattern {
                words: words_of(&n, lex),
                name,
                sim,
            })
            .filter(|a| !a.words.is_empty())
            .collect();
        apps.sort_by_key(|a| std::cmp::Reverse(a.words.len()));
        let request = REQUEST_CUES.iter().map(|c| words_of(c, lex)).collect();
        Classifier {
            services,
            by_first,
            categories,
            apps,
            request,
        }
    }

    /// Every vocabulary word of the patterns, for typo correction.
    pub fn vocabulary(catalog: &Catalog) -> impl Iterator<Item = &str> {
        let services = catalog.services.iter().flat_map(|s| {
            s.objects
                .iter()
                .chain(&s.states)
                .chain(&s.phrases)
                .chain(&s.keywords)
                .map(String::as_str)
        });
        let cats = catalog
            .categories
            .iter()
            .flat_map(|c| c.keywords.iter().map(String::as_str));
        services.chain(cats)
    }

    /// Finds the application a message names and marks it as "aplikasi" (and "sim").
    pub fn mark_apps(&self, doc: &mut Doc, lex: &Lexicon) -> Option<AppMention> {
        let mut found: Option<AppMention> = None;
        let mut taken = vec![false; doc.len()];
        for app in &self.apps {
            for (a, b) in doc.find(&app.words, 0) {
                if taken[a..=b].iter().any(|&t| t) {
                    continue;
                }
                taken[a..=b].iter_mut().for_each(|t| *t = true);
                doc.add_alt(a, "aplikasi");
                if app.sim {
                    doc.add_alt(a, "sim");
                }
                if found.is_none() {
                    found = Some(AppMention {
                        name: app.name.clone(),
                        sim: app.sim,
                        first: a,
                        last: b,
                    });
                }
            }
        }
        if found.is_some() {
            return found;
        }
        // Names not in the catalogue: "aplikasi SIPANDU", "SIMLITABMAS", "e-Retribusi".
        let found = (0..doc.len()).find_map(|i| unlisted_app(doc, lex, i));
        if let Some(m) = &found {
            doc.add_alt(m.first, "aplikasi");
            if m.sim {
                doc.add_alt(m.first, "sim");
            }
        }
        found
    }

    /// Scores the services. Words inside `aside` (the place, the cause, what was tried)
    /// count for little: "ruang server" is where, not what broke.
    pub fn classify(&self, doc: &Doc, aside: &[(usize, usize)]) -> Classification {
        let weight: Vec<f32> = (0..doc.len())
            .map(|i| {
                if aside.iter().any(|&(a, b)| a <= i && i <= b) {
                    ASIDE_WEIGHT
                } else {
                    1.0
                }
            })
            .collect();
        // Every match of every term, per service and list: (first, last, weight).
        let mut hits: Vec<[Vec<(usize, usize, f32)>; 4]> =
            (0..self.services.len()).map(|_| Default::default()).collect();
        for i in 0..doc.len() {
            for w in doc.words_at(i) {
                for r in self.by_first.get(w).map_or(&[][..], Vec::as_slice) {
                    let t = &self.services[r.service].lists[r.list as usize][r.term];
                    if let Some(end) = doc.match_at(i, &t.words, r.list.gap()) {
                        let aside = weight[i..=end].iter().copied().fold(1.0f32, f32::min);
                        hits[r.service][r.list as usize].push((i, end, t.weight * aside));
                    }
                }
            }
        }
        let mut scores: Vec<(usize, f32)> = Vec::new();
        let mut evidence_by: Vec<Vec<(usize, f32)>> = Vec::new();
        for (k, h) in hits.iter().enumerate() {
            let (score, ev) = score(doc, h);
            if score > 0.0 {
                scores.push((k, score));
            }
            evidence_by.push(ev);
        }
        scores.sort_by(|a, b| b.1.total_cmp(&a.1));
        let top = scores.first().copied();
        let second = scores.get(1).map_or(0.0, |s| s.1);
        let request_cue = self.request.iter().any(|c| !doc.find(c, 1).is_empty());

        // Category scores: services' evidence plus the category's own keywords.
        let mut cat: HashMap<&str, f32> = HashMap::new();
        for &(k, sc) in &scores {
            let e = cat.entry(self.services[k].category.as_str()).or_default();
            *e = e.max(sc);
        }
        for (slug, terms) in &self.categories {
            let hits = terms.iter().filter(|t| !doc.find(&t.words, 1).is_empty()).count() as f32;
            *cat.entry(slug.as_str()).or_default() += 0.6 * hits.min(3.0);
        }
        let mut category_scores: Vec<(String, f32)> = cat
            .into_iter()
            .filter(|(_, v)| *v > 0.0)
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        category_scores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));

        let (service, confidence, evidence) = match top {
            Some((k, sc)) if sc >= MIN_SCORE => {
                let margin = (sc - second) / sc;
                let conf = (1.0 - (-sc / 4.0).exp()) * (0.4 + 0.6 * margin);
                (Some(k), conf.clamp(0.0, 1.0), evidence_by[k].clone())
            }
            _ => (None, 0.0, Vec::new()),
        };
        let (category, ticket_type) = match service {
            Some(k) => {
                let s = &self.services[k];
                let t = if s.ticket_type == TicketType::Insiden && request_cue {
                    TicketType::Permintaan
                } else {
                    s.ticket_type
                };
                (s.category.clone(), t)
            }
            None => {
                let c = category_scores
                    .first()
                    .filter(|(_, v)| *v >= 1.0)
                    .map_or_else(|| "lainnya".to_owned(), |(c, _)| c.clone());
                let t = if c == "akses" {
                    TicketType::Akses
                } else if request_cue {
                    TicketType::Permintaan
                } else {
                    TicketType::Insiden
                };
                (c, t)
            }
        };
        Classification {
            service: service.map(|k| self.services[k].slug.clone()),
            category,
            ticket_type,
            confidence,
            scores: scores
                .iter()
                .map(|&(k, s)| (self.services[k].slug.clone(), s))
                .collect(),
            category_scores,
            request_cue,
            evidence,
        }
    }
}

/// An application the catalogue does not list, by the shape of its name.
fn unlisted_app(doc: &Doc, lex: &Lexicon, i: usize) -> Option<AppMention> {
    let t = &doc.tokens[i];
    let raw = &doc.text[t.start..t.end];
    let mention = |first: usize, last: usize| {
        let name = doc.quote(first, last).to_owned();
        Some(AppMention {
            sim: name.to_uppercase().starts_with("SIM"),
            name,
            first,
            last,
        })
    };
    // "aplikasi SIPANDU": a capitalised name after a generic word.
    if doc.is_any(i, APP_INTRO) {
        let next = doc.tokens.get(i + 1).filter(|n| n.clause == t.clause)?;
        let name = &doc.text[next.start..next.end];
        if next.cap && name.chars().count() >= 3 && name.chars().any(char::is_alphabetic) && !lex.is_common(&next.norm)
        {
            return mention(i + 1, i + 1);
        }
    }
    // "SIMLITABMAS": an unknown word that starts like a management information system.
    if raw.len() >= 5
        && raw.to_lowercase().starts_with("sim")
        && !lex.is_known(&t.norm)
        && raw.chars().all(char::is_alphabetic)
    {
        return mention(i, i);
    }
    // "e-Retribusi", "e-Lapor": the e- prefix of government systems.
    if t.norm == "e" && doc.text[t.end..].starts_with('-') {
        if let Some(next) = doc.tokens.get(i + 1).filter(|n| n.start == t.end + 1) {
            if next.norm.chars().count() >= 3 {
                return mention(i, i + 1);
            }
        }
    }
    None
}

/// One service's score from its matches, and the tokens that earned it.
fn score(doc: &Doc, hits: &[Vec<(usize, usize, f32)>; 4]) -> (f32, Vec<(usize, f32)>) {
    let [objects, states, phrases, keywords] = hits;
    if hits.iter().all(Vec::is_empty) {
        return (0.0, Vec::new());
    }
    let best = |v: &[(usize, usize, f32)]| v.iter().map(|h| h.2).fold(0.0f32, f32::max);
    let mut pair = 0.0f32;
    for o in objects {
        for st in states {
            let overlap = o.0 <= st.1 && st.0 <= o.1;
            let near = o.1.abs_diff(st.0).min(st.1.abs_diff(o.0)) <= PAIR_WINDOW;
            if !overlap && near && doc.same_clause(o.0, st.0) {
                pair = pair.max(o.2 + st.2);
            }
        }
    }
    // Distinct phrases, longest contribution first, at most two.
    let mut ph: Vec<f32> = phrases
        .iter()
        .map(|&(a, b, w)| w * (1.0 + 0.25 * (b - a) as f32))
        .collect();
    ph.sort_by(|a, b| b.total_cmp(a));
    let phrase_score: f32 = ph.iter().take(2).sum();
    let kw_score: f32 = keywords.iter().map(|h| h.2).take(3).sum::<f32>() * 0.5;
    let score = 0.8 * best(objects) + 0.7 * best(states) + 1.2 * pair + 1.5 * phrase_score + kw_score;
    // Each match counts once, at its first word, whatever its length.
    let mut ev = Vec::new();
    for (list, factor) in [(objects, 1.0), (states, 1.0), (phrases, 1.5), (keywords, 0.5)] {
        for &(a, _, w) in list.iter() {
            ev.push((a, w * factor));
        }
    }
    (score, ev)
}
