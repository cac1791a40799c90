//! "Mengapa" and "bagaimana": what led up to it, and what was already tried or seen.

use super::doc::{Doc, Phrases};

/// Words that introduce a cause: "setelah update", "habis mati lampu".
const CAUSE: &[&str] = &[
    "setelah", "sesudah", "habis", "sehabis", "karena", "akibat", "pasca", "gara",
];
/// Events after which things break: "sejak update windows", "dari mati lampu".
static EVENTS: Phrases = Phrases::new(&[
    "update",
    "instal",
    "ganti",
    "pindah",
    "dipindah",
    "mati lampu",
    "listrik mati",
    "hujan",
    "petir",
    "banjir",
    "reset",
    "format",
    "servis",
    "diservis",
    "upgrade",
    "gempa",
    "renovasi",
]);

/// A message shown on screen is a clue to the cause.
const SHOWN: &[&str] = &[
    "tulisan",
    "pesan",
    "notif",
    "notifikasi",
    "keterangan",
    "peringatan",
    "kode",
    "warning",
];
/// Actions a reporter tries before asking.
const TRIED: &[&str] = &[
    "coba",
    "dicoba",
    "mencoba",
    "restart",
    "cabut",
    "colok",
    "ganti",
    "matikan",
    "dimatikan",
    "nyalakan",
    "instal",
    "reset",
    "hapus",
    "dihapus",
    "bersihkan",
    "dibersihkan",
    "scan",
    "update",
    "login",
    "logout",
    "clear",
    "cek",
    "dicek",
    "periksa",
    "ulang",
    "diulang",
    "berulang",
    "forget",
    "dimatiin",
    "matiin",
    "cabut colok",
    "diperiksa",
    "pindah",
];

pub fn vocabulary() -> impl Iterator<Item = &'static str> {
    CAUSE.iter().chain(SHOWN).chain(TRIED).chain(EVENTS.source()).copied()
}

/// What led up to it: "setelah update", "habis mati lampu", "sejak ganti password".
/// Its words describe an event, not the problem.
pub fn cause(doc: &Doc) -> Option<(usize, usize)> {
    for i in 0..doc.len() {
        if i + 1 >= doc.len() || !doc.same_clause(i, i + 1) {
            continue;
        }
        if doc.is_any(i, CAUSE) {
            return Some(to_clause_end(doc, i, 8));
        }
        if doc.is_any(i, &["sejak", "dari", "semenjak"]) && EVENTS.at(doc, i + 1, 0).is_some() {
            return Some(to_clause_end(doc, i, 6));
        }
    }
    None
}

/// A quoted text right after token `i`: "muncul 'mailbox full'" quotes the screen.
fn quoted_after(doc: &Doc, i: usize) -> bool {
    doc.text[doc.tokens[i].end..]
        .trim_start()
        .starts_with(['\'', '"', '‘', '“', '`'])
}

/// The rest of the clause from token `i`, at most `max` tokens.
fn to_clause_end(doc: &Doc, i: usize, max: usize) -> (usize, usize) {
    let mut end = i;
    while end + 1 < doc.len() && doc.same_clause(i, end + 1) && end + 1 - i < max {
        end += 1;
    }
    (i, end)
}

/// "Mengapa": a cause, an on-screen message, or an error code.
pub fn why(doc: &Doc) -> Option<(usize, usize)> {
    if let Some(c) = cause(doc) {
        return Some(c);
    }
    for i in 0..doc.len() {
        if doc.is(i, "muncul") && (doc.is_any(i + 1, SHOWN) || quoted_after(doc, i)) {
            return Some(to_clause_end(doc, i, 10));
        }
        if doc.is(i, "error")
            && doc
                .tokens
                .get(i + 1)
                .is_some_and(|t| t.norm.chars().any(|c| c.is_ascii_digit()))
        {
            return Some((i, i + 1));
        }
    }
    None
}

/// What the reporter already tried: "sudah restart", "udh cabut colok kabel".
/// Its words describe an action, not the problem.
pub fn tried(doc: &Doc) -> Option<(usize, usize)> {
    for i in 0..doc.len() {
        if doc.is_any(i, &["sudah", "telah", "sempat", "udah"]) {
            let j = (i + 1..(i + 4).min(doc.len())).find(|&j| doc.same_clause(i, j) && doc.is_any(j, TRIED));
            if let Some(j) = j {
                return Some(to_clause_end(doc, i, (j - i) + 6));
            }
        }
    }
    None
}

/// "Bagaimana": what was already tried, or how it shows ("muncul layar biru").
pub fn how(doc: &Doc) -> Option<(usize, usize)> {
    if let Some(t) = tried(doc) {
        return Some(t);
    }
    for i in 0..doc.len() {
        if doc.is(i, "muncul")
            && !doc.is_any(i + 1, SHOWN)
            && !quoted_after(doc, i)
            && i + 1 < doc.len()
            && doc.same_clause(i, i + 1)
        {
            return Some(to_clause_end(doc, i, 6));
        }
        if doc.is(i, "bunyi") {
            return Some(to_clause_end(doc, i, 5));
        }
    }
    None
}

/// A person named for a request: "atas nama Rina Wati", "a.n. Budi".
pub fn person(doc: &Doc) -> Option<(usize, usize)> {
    for i in 0..doc.len() {
        let intro = if doc.is(i, "atas") && doc.is(i + 1, "nama") {
            Some(i + 1)
        } else if doc.is(i, "an") || doc.is(i, "a") && doc.is(i + 1, "n") {
            Some(if doc.is(i, "a") { i + 1 } else { i })
        } else {
            None
        };
        if let Some(k) = intro {
            let mut end = k;
            while end + 1 < doc.len() && end - k < 4 && doc.same_clause(k, end + 1) && doc.tokens[end + 1].cap {
                end += 1;
            }
            if end > k {
                return Some((i, end));
            }
        }
    }
    None
}
