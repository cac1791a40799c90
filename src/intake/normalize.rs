//! Turns informal Indonesian into a list of standard tokens, each remembering where it
//! came from in the original text, so what we extract can be quoted as the reporter wrote it.

use super::lexicon::Lexicon;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Word,
    /// Digits only.
    Number,
    /// A clock time: norm is `HH:MM`.
    Clock,
    /// A day/month date: norm is `D/M` or `D/M/Y`.
    Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Standard lower-case form.
    pub norm: String,
    /// Byte span in the original text (several tokens may share one: "gabisa").
    pub start: usize,
    pub end: usize,
    /// Sentence-like piece of the message (split at . , ; ! ? and line breaks).
    pub clause: u32,
    pub kind: Kind,
    /// The original started with a capital letter (names of places, applications).
    pub cap: bool,
}

impl Token {
    pub fn number(&self) -> Option<u32> {
        (self.kind == Kind::Number).then(|| self.norm.parse().ok()).flatten()
    }
}

/// Abbreviations whose trailing dot does not end a sentence ("lt. 3", "r. rapat").
const ABBREVIATIONS: &[&str] = &[
    "lt", "gd", "gdg", "r", "rg", "kec", "kel", "kab", "jl", "jln", "no", "bid", "bag", "subbag", "ds", "tgl", "pkl",
    "sdh", "dll", "dsb", "bpk", "ibu", "pak", "bu", "sdr", "kasubbag", "kabid", "kasi", "upt", "uptd", "pkm", "dr",
    "drs", "ir", "hj", "h", "st", "prov", "kota", "a", "b", "c",
];

/// Letter prefixes that, glued to a number, mean "place number N" ("lt3", "r201").
const NUMBERED: &[&str] = &[
    "lt", "lantai", "gd", "gedung", "r", "ruang", "loket", "no", "pc", "meja", "lab",
];

/// Suffixes people glue to words ("printernya", "laptopku").
const SUFFIXES: &[&str] = &["nya", "ny", "ku", "mu", "lah", "kah", "pun"];

struct Raw {
    text: String,
    start: usize,
    end: usize,
    clause: u32,
    cap: bool,
}

/// Splits the text into raw words and clauses.
fn scan(text: &str) -> Vec<Raw> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out: Vec<Raw> = Vec::new();
    let mut clause = 0u32;
    let mut i = 0;
    let at = |k: usize| chars.get(k).map(|&(_, c)| c);
    while i < chars.len() {
        let (pos, c) = chars[i];
        if c.is_alphanumeric() {
            let start = pos;
            let mut s = String::new();
            let mut j = i;
            while j < chars.len() {
                let ch = chars[j].1;
                let prev = if j > 0 { at(j - 1) } else { None };
                let next = at(j + 1);
                let joins_digits = matches!(ch, '.' | ':' | '/')
                    && prev.is_some_and(|p| p.is_ascii_digit())
                    && next.is_some_and(|n| n.is_ascii_digit())
                    && s.chars().all(|x| x.is_ascii_digit() || matches!(x, '.' | ':' | '/'));
                let apostrophe = matches!(ch, '\'' | '’')
                    && prev.is_some_and(char::is_alphabetic)
                    && next.is_some_and(char::is_alphabetic);
                if ch.is_alphanumeric() || joins_digits {
                    s.push(ch);
                } else if !apostrophe {
                    break;
                }
                j += 1;
            }
            let end = chars.get(j).map_or(text.len(), |&(p, _)| p);
            out.push(Raw {
                cap: c.is_uppercase(),
                text: s,
                start,
                end,
                clause,
            });
            i = j;
            continue;
        }
        if matches!(c, '.' | ',' | ';' | '!' | '?' | '\n' | '\r') {
            // A dot right after an abbreviation ("lt. 3") continues the sentence.
            let abbrev = c == '.'
                && out.last().is_some_and(|r| {
                    r.end == pos && r.clause == clause && ABBREVIATIONS.contains(&r.text.to_lowercase().as_str())
                });
            if !abbrev && out.last().is_some_and(|r| r.clause == clause) {
                clause += 1;
            }
        }
        i += 1;
    }
    out
}

/// Collapses runs of one letter: "lemooot" → "lemot", "maaaaf" → "maaf", whichever is known.
fn collapse_repeats(w: &str, lex: &Lexicon) -> String {
    let runs = {
        let mut runs: Vec<(char, usize)> = Vec::new();
        for c in w.chars() {
            match runs.last_mut() {
                Some((p, n)) if *p == c => *n += 1,
                _ => runs.push((c, 1)),
            }
        }
        runs
    };
    if runs.iter().all(|&(_, n)| n < 2) {
        return w.to_owned();
    }
    let build = |cap: usize| -> String {
        runs.iter()
            .flat_map(|&(c, n)| std::iter::repeat_n(c, n.min(cap)))
            .collect()
    };
    let two = build(2);
    let one = build(1);
    if lex.is_known(w) {
        return w.to_owned();
    }
    if lex.is_known(&two) {
        return two;
    }
    if lex.is_known(&one) || runs.iter().any(|&(_, n)| n >= 3) {
        return one;
    }
    w.to_owned()
}

/// Strips a glued suffix when what remains is a word we know.
fn strip_suffix<'w>(w: &'w str, lex: &Lexicon) -> &'w str {
    if lex.is_known(w) {
        return w;
    }
    for suf in SUFFIXES {
        if let Some(stem) = w.strip_suffix(suf) {
            if stem.chars().count() >= 3 && lex.is_known(stem) {
                return stem;
            }
        }
    }
    w
}

fn push(out: &mut Vec<Token>, r: &Raw, norm: String, kind: Kind) {
    out.push(Token {
        norm,
        start: r.start,
        end: r.end,
        clause: r.clause,
        kind,
        cap: r.cap,
    });
}

/// Digits with separators: a clock time, a date, or a number with thousands dots.
fn numeric(s: &str) -> Option<(String, Kind)> {
    if s.chars().all(|c| c.is_ascii_digit()) {
        return Some((s.to_owned(), Kind::Number));
    }
    if !s.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ':' | '/')) {
        return None;
    }
    if s.contains('/') {
        let parts: Vec<&str> = s.split('/').collect();
        let ok = (2..=3).contains(&parts.len()) && parts.iter().all(|p| !p.is_empty() && p.len() <= 4);
        return ok.then(|| (parts.join("/"), Kind::Date));
    }
    let parts: Vec<&str> = s.split(['.', ':']).collect();
    if let [h, m] = parts.as_slice() {
        let (hn, mn): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        if m.len() == 2 && hn <= 24 && mn < 60 {
            return Some((format!("{hn:02}:{mn:02}"), Kind::Clock));
        }
    }
    Some((parts.concat(), Kind::Number))
}

/// Normalises `text` into tokens.
pub fn tokenize(text: &str, lex: &Lexicon) -> Vec<Token> {
    tokenize_with(text, lex, true)
}

/// As `tokenize`, with typo correction optional (off for the catalogue's own words).
pub fn tokenize_with(text: &str, lex: &Lexicon, correct: bool) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    for r in scan(text) {
        let lower = r.text.to_lowercase();
        if let Some((norm, kind)) = numeric(&lower) {
            push(&mut out, &r, norm, kind);
            continue;
        }
        // Letters glued to digits: "lt3" → lantai 3, "file2" → file file, "win10" stays.
        let alpha_end = lower.find(|c: char| c.is_ascii_digit()).unwrap_or(lower.len());
        let (head, tail) = lower.split_at(alpha_end);
        if !head.is_empty() && !tail.is_empty() && tail.chars().all(|c| c.is_ascii_digit()) {
            if NUMBERED.contains(&head) {
                for w in lex
                    .slang(head)
                    .map(<[String]>::to_vec)
                    .unwrap_or_else(|| vec![head.to_owned()])
                {
                    push(&mut out, &r, w, Kind::Word);
                }
                push(&mut out, &r, tail.to_owned(), Kind::Number);
                continue;
            }
            if tail == "2" && head.chars().count() >= 3 {
                let w = normalize_word(head, lex);
                for _ in 0..2 {
                    for part in &w {
                        push(&mut out, &r, part.clone(), Kind::Word);
                    }
                }
                continue;
            }
        }
        for w in normalize_word(&lower, lex) {
            // Slang may expand to digits: "seminggu" → "1 minggu".
            let kind = if w.chars().all(|c| c.is_ascii_digit()) {
                Kind::Number
            } else {
                Kind::Word
            };
            push(&mut out, &r, w, kind);
        }
    }
    apply_phrases(&mut out, lex);
    if correct {
        for t in out.iter_mut() {
            if t.kind == Kind::Word && !lex.is_known(&t.norm) && t.norm.chars().all(char::is_alphabetic) {
                if let Some(fix) = lex.correct(&t.norm) {
                    t.norm = fix.to_owned();
                }
            }
        }
    }
    out
}

/// One written word → standard word(s).
fn normalize_word(lower: &str, lex: &Lexicon) -> Vec<String> {
    if let Some(m) = lex.slang(lower) {
        return m.to_vec();
    }
    let collapsed = collapse_repeats(lower, lex);
    let stem = strip_suffix(&collapsed, lex);
    lex.slang(stem)
        .map(<[String]>::to_vec)
        .unwrap_or_else(|| vec![stem.to_owned()])
}

/// Multi-word replacements within one clause, longest first.
fn apply_phrases(tokens: &mut Vec<Token>, lex: &Lexicon) {
    if lex.phrases().is_empty() {
        return;
    }
    let mut i = 0;
    while i < tokens.len() {
        let mut replaced = false;
        for (from, to) in lex.phrases() {
            let n = from.len();
            if i + n > tokens.len() {
                continue;
            }
            let window = &tokens[i..i + n];
            if window.iter().zip(from).all(|(t, w)| t.norm == *w) && window.iter().all(|t| t.clause == window[0].clause)
            {
                let (start, end, clause, cap) = (window[0].start, window[n - 1].end, window[0].clause, window[0].cap);
                let new: Vec<Token> = to
                    .iter()
                    .map(|w| Token {
                        norm: w.clone(),
                        start,
                        end,
                        clause,
                        kind: Kind::Word,
                        cap,
                    })
                    .collect();
                let len = new.len();
                tokens.splice(i..i + n, new);
                i += len.max(1);
                replaced = true;
                break;
            }
        }
        if !replaced {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::lexicon::LanguageFile;

    fn lex() -> Lexicon {
        let file: LanguageFile = toml::from_str(include_str!("../../knowledge/language.toml")).unwrap();
        Lexicon::new(
            &file,
            include_str!("../../knowledge/words.txt"),
            ["printer", "internet", "password", "lantai", "ruang", "rapat"],
        )
    }

    fn norms(text: &str) -> Vec<String> {
        tokenize(text, &lex()).into_iter().map(|t| t.norm).collect()
    }

    #[test]
    fn slang_and_abbreviations() {
        assert_eq!(norms("gk bisa konek inet"), ["tidak", "bisa", "koneksi", "internet"]);
        assert_eq!(norms("pc sy lemot bgt"), ["komputer", "saya", "lambat", "banget"]);
        assert_eq!(norms("gabisa login"), ["tidak", "bisa", "login"]);
        assert_eq!(norms("wi-fi mati"), ["wifi", "mati"]);
    }

    #[test]
    fn repeated_letters_and_reduplication() {
        assert_eq!(norms("lemooot"), ["lambat"]);
        assert_eq!(norms("tolonggg"), ["tolong"]);
        assert_eq!(norms("maaaaf"), ["maaf"]);
        assert_eq!(norms("file2 hilang"), ["file", "file", "hilang"]);
        assert_eq!(norms("kadang2"), ["kadang"]);
        assert_eq!(norms("putus-putus"), ["putus", "putus"]);
    }

    #[test]
    fn places_and_times_keep_their_numbers() {
        assert_eq!(norms("lt.3"), ["lantai", "3"]);
        assert_eq!(norms("lt3 r. rapat"), ["lantai", "3", "ruang", "rapat"]);
        assert_eq!(norms("pukul 07.30"), ["pukul", "07:30"]);
        let t = tokenize("tgl 15/11", &lex());
        assert_eq!(t[1].kind, Kind::Date);
        assert_eq!(norms("win10"), ["win10"]);
    }

    #[test]
    fn suffixes_and_typos() {
        assert_eq!(norms("printernya"), ["printer"]);
        assert_eq!(norms("printter rusak"), ["printer", "rusak"]);
        assert_eq!(norms("pasword"), ["password"]);
        assert_eq!(norms("interntnya"), ["internet"]);
    }

    #[test]
    fn spans_point_into_the_original() {
        let text = "Wifi di R. Rapat LT 3 mati, GK bisa konek";
        let toks = tokenize(text, &lex());
        let rapat = toks.iter().find(|t| t.norm == "rapat").unwrap();
        assert_eq!(&text[rapat.start..rapat.end], "Rapat");
        assert!(rapat.cap);
        let tidak = toks.iter().find(|t| t.norm == "tidak").unwrap();
        assert_eq!(&text[tidak.start..tidak.end], "GK");
        assert_eq!(rapat.clause, 0);
        assert_eq!(tidak.clause, 1);
    }

    #[test]
    fn odd_input_does_not_panic() {
        for text in [
            "",
            "🙏🙏",
            "....",
            "a",
            "12:99",
            "1/2/3/4",
            "ÀÉÎ ñ",
            "x\u{0}y",
            "9999999999999999999999",
        ] {
            let _ = tokenize(text, &lex());
        }
        let long = "wifi mati ".repeat(1000);
        assert_eq!(tokenize(&long, &lex()).len(), 2000);
    }
}
