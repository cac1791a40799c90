//! Reads one message: what kind of message it is, which service, and the 5W1H it states.

use super::classify::{Classification, Classifier};
use super::doc::Doc;
use super::lexicon::{LanguageFile, Lexicon};
use super::{context, cues, place, scope, time};
use crate::domain::{Catalog, Level, Scope, Slot, TicketType};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Only this much of a message is read; the rest is kept but not analysed.
pub const MAX_ANALYSED_CHARS: usize = 2000;
/// A slot quoted from the message is cut to this many characters.
const MAX_SLOT_CHARS: usize = 300;

/// Words that carry no report: greetings, forms of address, politeness.
const FILLER: &[&str] = &[
    "admin",
    "pak",
    "bu",
    "mas",
    "mbak",
    "kak",
    "gan",
    "bang",
    "halo",
    "selamat",
    "pagi",
    "siang",
    "sore",
    "malam",
    "assalamualaikum",
    "wr",
    "wb",
    "permisi",
    "mohon",
    "maaf",
    "tolong",
    "bantuan",
    "bantu",
    "izin",
    "ijin",
    "mengganggu",
    "waktunya",
    "nih",
    "ya",
    "dong",
    "sih",
    "deh",
    "kah",
    "lapor",
    "melapor",
    "mau",
    "ingin",
    "saya",
    "sore",
    "bantuannya",
    "tanya",
    "bertanya",
    "om",
    "swastiastu",
    "salam",
    "sejahtera",
    "shalom",
    "sobat",
    "team",
    "tim",
    "helpdesk",
    "sigap",
    "bapak",
    "ibu",
    "kakak",
];
/// Thanks and acknowledgements: "ok", "siap", "benar" after a ticket was made.
const THANKS: &[&str] = &[
    "terima", "kasih", "oke", "mantap", "beres", "berhasil", "sudah", "bisa", "aman", "selesai", "benar", "betul",
    "iya", "ya", "y", "sip", "baik", "noted", "good", "nuhun", "matur", "suwun", "makasih",
];

/// What sort of message this is, before any question of service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Something to act on (or at least to ask about).
    Report,
    Empty,
    /// Only a greeting or "mau lapor".
    Greeting,
    /// "terima kasih", "oke sudah bisa".
    Thanks,
    English,
    /// Letters that make no words.
    Gibberish,
}

#[derive(Debug, Clone)]
pub struct Analysis {
    pub kind: Kind,
    pub ticket_type: TicketType,
    pub category: String,
    pub service: Option<String>,
    pub confidence: f32,
    pub scores: Vec<(String, f32)>,
    pub category_scores: Vec<(String, f32)>,
    pub request_cue: bool,
    pub scope: Scope,
    /// What the words say about urgency.
    pub urgency: cues::UrgencyCues,
    /// Impact the words settle: the public waiting, or the scope.
    pub impact: Option<Level>,
    /// The size of the place named: a room or unit (group), an office or site (mass).
    pub place_scope: Option<Scope>,
    /// Names something specific (an application, a name, a number) beyond common words.
    pub has_detail: bool,
    pub slots: Slots,
    pub application_is_sim: bool,
}

/// The 5W1H as the reporter wrote them (quoted from the message), with "kapan"
/// resolved to a moment and the application named, if any.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Slots {
    pub what: Option<String>,
    pub place: Option<String>,
    pub when: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub who: Option<String>,
    pub why: Option<String>,
    pub how: Option<String>,
    pub application: Option<String>,
}

impl Slots {
    pub fn get(&self, slot: Slot) -> Option<&str> {
        match slot {
            Slot::What => self.what.as_deref(),
            Slot::Where => self.place.as_deref(),
            Slot::When => self.when.as_deref(),
            Slot::Who => self.who.as_deref(),
            Slot::Why => self.why.as_deref(),
            Slot::How => self.how.as_deref(),
        }
    }

    pub fn set(&mut self, slot: Slot, value: Option<String>) {
        let field = match slot {
            Slot::What => &mut self.what,
            Slot::Where => &mut self.place,
            Slot::When => &mut self.when,
            Slot::Who => &mut self.who,
            Slot::Why => &mut self.why,
            Slot::How => &mut self.how,
        };
        *field = value;
    }
}

/// Everything needed to read messages, built once from the knowledge files.
pub struct Understanding {
    pub lexicon: Lexicon,
    classifier: Classifier,
}

impl Understanding {
    pub fn new(catalog: &Catalog, language: &LanguageFile, common_words: &str) -> Understanding {
        let mut vocab: Vec<&str> = Classifier::vocabulary(catalog).collect();
        let fixed = place::vocabulary()
            .chain(time::vocabulary())
            .chain(scope::vocabulary())
            .chain(cues::vocabulary())
            .chain(context::vocabulary());
        for w in fixed {
            vocab.push(w);
        }
        let lexicon = Lexicon::new(language, common_words, vocab);
        let classifier = Classifier::new(catalog, &lexicon);
        Understanding { lexicon, classifier }
    }

    /// Reads `text`, received at `at`; times are resolved in `tz`.
    pub fn analyze(&self, text: &str, at: DateTime<Utc>, tz: Tz) -> Analysis {
        let text = truncate(text, MAX_ANALYSED_CHARS);
        let mut doc = Doc::new(text, &self.lexicon);
        let app = self.classifier.mark_apps(&mut doc, &self.lexicon);
        let place = place::extract(&doc, &self.lexicon);
        let aside: Vec<(usize, usize)> = [place, context::cause(&doc), context::tried(&doc)]
            .into_iter()
            .flatten()
            .collect();
        let c = self.classifier.classify(&doc, &aside);
        let kind = self.kind(&doc, &c, app.is_some());
        let quote = |span: Option<(usize, usize)>| span.map(|(a, b)| clip(doc.quote(a, b)));
        let when = time::extract(&doc, at, tz);
        let affected = scope::extract(&doc);
        let scope = affected.as_ref().map_or(Scope::Unknown, |a| a.scope);
        let urgency = cues::urgency(&doc);
        let has_detail = app.is_some() || self.has_detail(&doc);
        let impact = if cues::public_service(&doc) {
            Some(Level::Tinggi)
        } else {
            scope.impact()
        };
        Analysis {
            kind,
            slots: Slots {
                what: quote(what_span(&doc, &c)),
                place: quote(place),
                when: quote(when.as_ref().map(|w| (w.first, w.last))),
                occurred_at: when.and_then(|w| w.at),
                who: quote(affected.map(|a| (a.first, a.last)).or_else(|| context::person(&doc))),
                why: quote(context::why(&doc)),
                how: quote(context::how(&doc)),
                application: app.as_ref().map(|a| clip(doc.quote(a.first, a.last))),
            },
            place_scope: place.and_then(|p| place::size(&doc, p)),
            application_is_sim: app.is_some_and(|a| a.sim),
            ticket_type: c.ticket_type,
            category: c.category,
            service: c.service,
            confidence: c.confidence,
            scores: c.scores,
            category_scores: c.category_scores,
            request_cue: c.request_cue,
            scope,
            urgency,
            impact,
            has_detail,
        }
    }

    /// `text` in standard words (slang expanded; typos corrected when `correct`), for
    /// matching it against other texts such as knowledge-base articles.
    pub fn normalized(&self, text: &str, correct: bool) -> String {
        let tokens = super::normalize::tokenize_with(truncate(text, MAX_ANALYSED_CHARS), &self.lexicon, correct);
        let words: Vec<&str> = tokens
            .iter()
            .filter(|t| t.kind == super::normalize::Kind::Word)
            .map(|t| t.norm.as_str())
            .collect();
        words.join(" ")
    }

    /// How many a place named in `text` holds (a typed answer to "di mana?").
    pub fn place_size(&self, text: &str) -> Option<Scope> {
        let doc = Doc::new(truncate(text, MAX_ANALYSED_CHARS), &self.lexicon);
        place::extract(&doc, &self.lexicon).and_then(|p| place::size(&doc, p))
    }

    fn has_detail(&self, doc: &Doc) -> bool {
        doc.tokens.iter().any(|t| match t.kind {
            super::normalize::Kind::Number => t.norm.len() >= 4,
            super::normalize::Kind::Word => {
                t.norm.chars().count() >= 3
                    && t.norm.chars().all(char::is_alphabetic)
                    && !self.lexicon.is_known(&t.norm)
                    && !FILLER.contains(&t.norm.as_str())
            }
            _ => false,
        })
    }

    fn kind(&self, doc: &Doc, c: &Classification, has_app: bool) -> Kind {
        if doc.is_empty() {
            // Only emoji or symbols is not an empty message.
            return if doc.text.trim().is_empty() {
                Kind::Empty
            } else {
                Kind::Gibberish
            };
        }
        let content: Vec<&str> = doc
            .tokens
            .iter()
            .map(|t| t.norm.as_str())
            .filter(|w| !FILLER.contains(w))
            .collect();
        if c.service.is_none() && !has_app {
            if content.is_empty() {
                return Kind::Greeting;
            }
            if content.iter().all(|w| THANKS.contains(w)) {
                return Kind::Thanks;
            }
        }
        let raw: Vec<String> = doc
            .tokens
            .iter()
            .map(|t| doc.text[t.start..t.end].to_lowercase())
            .collect();
        let english = raw.iter().filter(|w| self.lexicon.is_english(w)).count();
        if english >= 2 && english * 2 >= raw.len() {
            return Kind::English;
        }
        let recognised = doc
            .tokens
            .iter()
            .filter(|t| t.kind != super::normalize::Kind::Word || self.lexicon.is_known(&t.norm))
            .count();
        if c.service.is_none() && !has_app && recognised * 5 < doc.len() {
            return Kind::Gibberish;
        }
        Kind::Report
    }
}

/// The clause that carries the complaint, without the greeting before it.
fn what_span(doc: &Doc, c: &Classification) -> Option<(usize, usize)> {
    let filler = |i: usize| FILLER.contains(&doc.tokens[i].norm.as_str());
    // From the first to the last clause that speaks of the problem ("printer … tidak bisa
    // ngeprint, kertasnya nyangkut"), at most three; else the first clause with content.
    let mut clauses: Vec<u32> = c.evidence.iter().map(|&(i, _)| doc.tokens[i].clause).collect();
    clauses.sort_unstable();
    clauses.dedup();
    let (from, to) = match (clauses.first(), clauses.last()) {
        (Some(&a), Some(&b)) => (a, b.min(a + MAX_WHAT_CLAUSES - 1)),
        _ => {
            let c = doc.tokens[(0..doc.len()).find(|&i| !filler(i))?].clause;
            (c, c)
        }
    };
    let inside = |i: &usize| (from..=to).contains(&doc.tokens[*i].clause);
    let first = (0..doc.len()).filter(inside).find(|&i| !filler(i))?;
    let last = (0..doc.len()).rfind(inside)?;
    Some((first, last))
}

/// "Apa" spans at most this many clauses of a long message.
const MAX_WHAT_CLAUSES: u32 = 3;

fn truncate(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

fn clip(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() <= MAX_SLOT_CHARS {
        return s.to_owned();
    }
    let cut = truncate(s, MAX_SLOT_CHARS);
    let cut = cut.rfind(' ').map_or(cut, |i| &cut[..i]);
    format!("{cut}…")
}
