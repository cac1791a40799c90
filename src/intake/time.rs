//! "Kapan": since when, as written, and resolved to a moment in the agency's time zone.

use super::doc::{Doc, Phrases};
use super::normalize::Kind;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

#[derive(Debug, Clone, PartialEq)]
pub struct When {
    pub first: usize,
    pub last: usize,
    /// `None` for vague expressions ("sudah lama").
    pub at: Option<DateTime<Utc>>,
}

const PREFIXES: &[&str] = &[
    "sejak", "dari", "mulai", "semenjak", "sudah", "sekitar", "kira", "hampir", "tadi",
];
static VAGUE: Phrases = Phrases::new(&[
    "sudah lama",
    "dari dulu",
    "sejak lama",
    "akhir akhir ini",
    "belakangan ini",
    "beberapa hari",
    "beberapa minggu",
    "berhari hari",
    "bulan lalu",
    "tahun lalu",
    "sering",
    "tiap pagi",
    "setiap pagi",
    "tiap hari",
    "bulan ini",
    "minggu ini",
]);

/// Before a duration: how long something takes or is left, not since when.
const NOT_SINCE_BEFORE: &[&str] = &[
    "tiap",
    "setiap",
    "tinggal",
    "butuh",
    "perlu",
    "memerlukan",
    "lebih",
    "baru",
    "saja",
    "cuma",
    "hanya",
    "selama",
    "sampai",
    "hingga",
    "sekitar",
];
/// After a time: it lies ahead ("2 hari lagi", "senin depan", "jam 1 ada rapat").
const AHEAD_AFTER: &[&str] = &[
    "kemudian", "sekali", "lagi", "depan", "nanti", "ada", "mau", "akan", "harus", "acara", "iki", "sampai", "hingga",
    "s",
];
/// Before a time: a deadline or an event ("padahal jam 10 mau rapat", "acara mulai jam 1").
const AHEAD_BEFORE: &[&str] = &[
    "padahal", "acara", "harus", "paling", "sebelum", "besok", "nanti", "sampai", "hingga",
];
const DAYS: &[(&str, Weekday)] = &[
    ("senin", Weekday::Mon),
    ("selasa", Weekday::Tue),
    ("rabu", Weekday::Wed),
    ("kamis", Weekday::Thu),
    ("jumat", Weekday::Fri),
    ("sabtu", Weekday::Sat),
    ("minggu", Weekday::Sun),
    ("ahad", Weekday::Sun),
];
const MONTHS: &[&str] = &[
    "januari",
    "februari",
    "maret",
    "april",
    "mei",
    "juni",
    "juli",
    "agustus",
    "september",
    "oktober",
    "november",
    "desember",
];
const NUMBER_WORDS: &[(&str, u32)] = &[
    ("satu", 1),
    ("dua", 2),
    ("tiga", 3),
    ("empat", 4),
    ("lima", 5),
    ("enam", 6),
    ("tujuh", 7),
    ("delapan", 8),
    ("sembilan", 9),
    ("sepuluh", 10),
    ("sebelas", 11),
    ("dua belas", 12),
];
const UNITS: &[(&str, i64)] = &[
    ("menit", 1),
    ("jam", 60),
    ("hari", 1440),
    ("minggu", 10080),
    ("pekan", 10080),
];

/// Time words, for typo correction.
pub fn vocabulary() -> impl Iterator<Item = &'static str> {
    DAYS.iter().map(|d| d.0).chain(MONTHS.iter().copied()).chain([
        "kemarin", "barusan", "semalam", "sekarang", "sejak", "menit", "pagi", "siang", "sore", "malam",
    ])
}

/// Part of day → default hour.
fn part_of_day(w: &str) -> Option<u32> {
    match w {
        "subuh" => Some(5),
        "pagi" => Some(8),
        "siang" => Some(12),
        "sore" => Some(15),
        "malam" => Some(19),
        _ => None,
    }
}

/// What an expression means before it is placed in time.
#[derive(Debug, Default, Clone, Copy)]
struct Parts {
    days_back: Option<i64>,
    date: Option<NaiveDate>,
    hour: Option<(u32, u32)>,
    pod: Option<u32>,
    ago_minutes: Option<i64>,
    now: bool,
    vague: bool,
}

struct Cursor<'a, 'd> {
    doc: &'a Doc<'d>,
    clause: u32,
    today: NaiveDate,
}

impl Cursor<'_, '_> {
    fn word(&self, i: usize) -> Option<&str> {
        self.doc
            .tokens
            .get(i)
            .filter(|t| t.clause == self.clause)
            .map(|t| t.norm.as_str())
    }

    fn number(&self, i: usize) -> Option<u32> {
        let t = self.doc.tokens.get(i).filter(|t| t.clause == self.clause)?;
        match t.kind {
            Kind::Number => t.norm.parse().ok(),
            // "9an" (around nine)
            Kind::Word => t
                .norm
                .strip_suffix("an")
                .and_then(|n| n.parse().ok())
                .or_else(|| NUMBER_WORDS.iter().find(|(w, _)| *w == t.norm).map(|(_, n)| *n)),
            _ => None,
        }
    }

    fn clock(&self, i: usize) -> Option<(u32, u32)> {
        let t = self.doc.tokens.get(i).filter(|t| t.clause == self.clause)?;
        if t.kind == Kind::Clock {
            let (h, m) = t.norm.split_once(':')?;
            return Some((h.parse().ok()?, m.parse().ok()?));
        }
        self.number(i).filter(|h| *h <= 24).map(|h| (h, 0))
    }

    /// Parses one anchor at `i`: returns its last token.
    fn anchor(&self, i: usize, p: &mut Parts) -> Option<usize> {
        let w = self.word(i)?;
        let next = self.word(i + 1);
        // clock: "jam 9", "pukul 07.30", or a bare "07.30"
        if matches!(w, "jam" | "pukul") {
            if let Some(hm) = self.clock(i + 1) {
                p.hour = Some(hm);
                return Some(i + 1);
            }
            return None;
        }
        if self.doc.tokens[i].kind == Kind::Clock {
            p.hour = self.clock(i);
            return Some(i);
        }
        // durations: "3 hari", "2 jam yang lalu", "setengah jam"
        let n = if w == "setengah" { Some(0) } else { self.number(i) };
        if let (Some(n), Some(unit)) = (n, next) {
            if let Some((_, minutes)) = UNITS.iter().find(|(u, _)| *u == unit) {
                let total = if w == "setengah" {
                    minutes / 2
                } else {
                    i64::from(n) * minutes
                };
                p.ago_minutes = Some(total);
                let mut end = i + 1;
                for tail in ["yang", "lalu", "lewat", "terakhir", "ini"] {
                    if self.word(end + 1) == Some(tail) {
                        end += 1;
                    }
                }
                return Some(end);
            }
        }
        match w {
            "barusan" | "sekarang" => {
                p.now = true;
                return Some(i);
            }
            "baru" if matches!(next, Some("saja" | "tadi")) => {
                p.now = true;
                return Some(i + 1);
            }
            "hari" if next == Some("ini") => {
                p.now = true;
                return Some(i + 1);
            }
            "tadi" => {
                if let Some(h) = next.and_then(part_of_day) {
                    if h >= 19 {
                        p.days_back = Some(1);
                    }
                    p.pod = Some(h);
                    return Some(i + 1);
                }
                p.now = true;
                return Some(i);
            }
            w if part_of_day(w).is_some() && next == Some("ini") => {
                p.pod = part_of_day(w);
                return Some(i + 1);
            }
            "semalam" => {
                p.days_back = Some(1);
                p.pod = Some(19);
                return Some(i);
            }
            "kemarin" => {
                if next == Some("lusa") {
                    p.days_back = Some(2);
                    return Some(i + 1);
                }
                p.days_back = Some(1);
                return Some(i);
            }
            "minggu" | "pekan" if matches!(next, Some("lalu" | "kemarin")) => {
                p.days_back = Some(7);
                return Some(i + 1);
            }
            "tanggal" => {
                let d = self.number(i + 1)?;
                let month = self.word(i + 2).and_then(|m| MONTHS.iter().position(|x| *x == m));
                p.date = date_in_past(self.today, d, month.map(|m| m as u32 + 1));
                return Some(if month.is_some() { i + 2 } else { i + 1 });
            }
            _ => {}
        }
        if self.doc.tokens[i].kind == Kind::Date {
            let parts: Vec<u32> = self.doc.tokens[i]
                .norm
                .split('/')
                .filter_map(|x| x.parse().ok())
                .collect();
            if let [d, m, ..] = parts.as_slice() {
                p.date = date_in_past(self.today, *d, Some(*m));
                return Some(i);
            }
        }
        // "15 november"
        if let (Some(d), Some(m)) = (self.number(i), next.and_then(|m| MONTHS.iter().position(|x| *x == m))) {
            p.date = date_in_past(self.today, d, Some(m as u32 + 1));
            return Some(i + 1);
        }
        // day names; "minggu" alone is too ambiguous (also "week")
        let day_word = if w == "hari" { next } else { Some(w) };
        if let Some((_, wd)) = DAYS.iter().find(|(d, _)| Some(*d) == day_word) {
            if day_word == Some("minggu") && w != "hari" {
                return None;
            }
            let back = (self.today.weekday().num_days_from_monday() + 7 - wd.num_days_from_monday()) % 7;
            p.days_back = Some(i64::from(back));
            return Some(if w == "hari" { i + 1 } else { i });
        }
        None
    }

    /// Extends an anchor with a part of day or a clock time after it.
    fn tail(&self, mut end: usize, p: &mut Parts) -> usize {
        loop {
            let w = self.word(end + 1);
            if let Some(h) = w.and_then(part_of_day) {
                if p.pod.is_none() {
                    p.pod = Some(h);
                }
                end += 1;
                continue;
            }
            if matches!(w, Some("jam" | "pukul")) && p.hour.is_none() {
                if let Some(hm) = self.clock(end + 2) {
                    p.hour = Some(hm);
                    end += 2;
                    continue;
                }
            }
            if matches!(w, Some("tadi" | "kemarin" | "barusan")) && p.hour.is_some() && p.days_back.is_none() {
                let mut more = Parts::default();
                if let Some(e) = self.anchor(end + 1, &mut more) {
                    p.days_back = more.days_back;
                    if p.pod.is_none() {
                        p.pod = more.pod;
                    }
                    end = e;
                    continue;
                }
            }
            return end;
        }
    }
}

/// Day `d` of `month` (or this month), not in the future.
fn date_in_past(today: NaiveDate, d: u32, month: Option<u32>) -> Option<NaiveDate> {
    let m = month.unwrap_or(today.month());
    let this = NaiveDate::from_ymd_opt(today.year(), m, d)?;
    if this <= today {
        return Some(this);
    }
    if month.is_none() {
        let prev = today.with_day(1)? - Duration::days(1);
        NaiveDate::from_ymd_opt(prev.year(), prev.month(), d)
    } else {
        NaiveDate::from_ymd_opt(today.year() - 1, m, d)
    }
}

/// Places the parts in time.
fn resolve(p: &Parts, now: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
    if p.vague {
        return None;
    }
    if let Some(m) = p.ago_minutes {
        return Some(now - Duration::minutes(m));
    }
    let local_now = now.with_timezone(&tz);
    let today = local_now.date_naive();
    let explicit_day = p.date.is_some() || p.days_back.is_some();
    let day = p
        .date
        .or_else(|| p.days_back.map(|b| today - Duration::days(b)))
        .unwrap_or(today);
    let hm = match (p.hour, p.pod) {
        (Some((h, m)), Some(pod)) => {
            // "jam 3 sore" → 15:00; "jam 12 siang" stays 12.
            let h = if pod >= 12 && h < 12 && !(pod == 12 && h >= 10) {
                h + 12
            } else {
                h
            };
            Some((h.min(23), m))
        }
        (Some(hm), None) => Some(hm),
        (None, Some(pod)) => Some((pod, 0)),
        (None, None) if p.now && !explicit_day => return Some(now),
        (None, None) => Some((8, 0)),
    };
    let (h, m) = hm?;
    let time = NaiveTime::from_hms_opt(h.min(23), m.min(59), 0)?;
    let mut at = tz.from_local_datetime(&day.and_time(time)).earliest()?;
    // A clock time with no day that is still ahead today meant yesterday.
    if !explicit_day && at > local_now {
        at = tz
            .from_local_datetime(&(day - Duration::days(1)).and_time(time))
            .earliest()?;
    }
    Some(at.with_timezone(&Utc))
}

/// Whether a time found with no "sejak"/"dari" before it says when the problem began,
/// rather than how long something takes, a deadline, or a date range of data.
fn onset(doc: &Doc, cur: &Cursor, first: usize, last: usize, p: &Parts) -> bool {
    let before = |k: usize| first.checked_sub(k).and_then(|j| cur.word(j));
    let after = cur.word(last + 1);
    if after.is_some_and(|w| AHEAD_AFTER.contains(&w)) {
        return false;
    }
    if [1, 2]
        .iter()
        .any(|&k| before(k).is_some_and(|w| AHEAD_BEFORE.contains(&w)))
    {
        return false;
    }
    if p.ago_minutes.is_some()
        && [1, 2]
            .iter()
            .any(|&k| before(k).is_some_and(|w| NOT_SINCE_BEFORE.contains(&w)))
    {
        return false;
    }
    // "tgl 30" still ahead this month is an appointment, not a start.
    if doc.is(first, "tanggal") {
        if let Some(d) = cur.number(first + 1) {
            if d > cur.today.day() && cur.word(first + 2).is_none_or(|w| !MONTHS.contains(&w)) {
                return false;
            }
        }
    }
    true
}

/// Finds the first time expression of the message that says when the problem began.
pub fn extract(doc: &Doc, now: DateTime<Utc>, tz: Tz) -> Option<When> {
    let today = now.with_timezone(&tz).date_naive();
    for i in 0..doc.len() {
        let cur = Cursor {
            doc,
            clause: doc.tokens[i].clause,
            today,
        };
        // vague expressions
        if let Some(end) = VAGUE.at(doc, i, 0) {
            return Some(When {
                first: i,
                last: end,
                at: None,
            });
        }
        // Prefixes ("sejak", "dari") belong to the expression only when an anchor follows;
        // "tadi" is both a prefix ("tadi pagi") and an anchor ("dari tadi").
        let mut run = i;
        while cur.word(run).is_some_and(|w| PREFIXES.contains(&w)) && run < i + 2 {
            run += 1;
        }
        // "sampai sekarang" is how long, not since when.
        if cur.word(i).is_some_and(|w| matches!(w, "sampai" | "hingga")) {
            continue;
        }
        for start in (i..=run).rev() {
            let mut p = Parts::default();
            let anchor_end = if start > i && cur.word(start).and_then(part_of_day).is_some() {
                // "dari pagi", "sejak siang", "tadi pagi"
                p.pod = cur.word(start).and_then(part_of_day);
                Some(start)
            } else {
                cur.anchor(start, &mut p)
            };
            if let Some(end) = anchor_end {
                let end = cur.tail(end, &mut p);
                if start == i && !onset(doc, &cur, i, end, &p) {
                    break;
                }
                return Some(When {
                    first: i,
                    last: end,
                    at: resolve(&p, now, tz),
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::lexicon::{LanguageFile, Lexicon};

    fn lex() -> Lexicon {
        let file: LanguageFile = toml::from_str(include_str!("../../knowledge/language.toml")).unwrap();
        Lexicon::new(&file, include_str!("../../knowledge/words.txt"), vocabulary())
    }

    /// Monday 2026-11-23 10:00 WIB.
    fn now() -> DateTime<Utc> {
        chrono_tz::Asia::Jakarta
            .with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn when(text: &str) -> Option<(String, Option<String>)> {
        let lex = lex();
        let doc = Doc::new(text, &lex);
        extract(&doc, now(), chrono_tz::Asia::Jakarta).map(|w| {
            (
                doc.quote(w.first, w.last).to_owned(),
                w.at.map(|t| {
                    t.with_timezone(&chrono_tz::Asia::Jakarta)
                        .format("%Y-%m-%dT%H:%M")
                        .to_string()
                }),
            )
        })
    }

    fn at(text: &str) -> String {
        when(text)
            .and_then(|w| w.1)
            .unwrap_or_else(|| panic!("no time in {text:?}"))
    }

    #[test]
    fn clock_times() {
        assert_eq!(when("wifi mati sejak jam 9").unwrap().0, "sejak jam 9");
        assert_eq!(at("wifi mati sejak jam 9"), "2026-11-23T09:00");
        assert_eq!(at("dari pukul 07.30"), "2026-11-23T07:30");
        assert_eq!(at("mulai jam 11"), "2026-11-22T11:00", "later than now → yesterday");
        assert_eq!(at("kemarin jam 3 sore"), "2026-11-22T15:00");
        assert_eq!(at("jam 8 tadi"), "2026-11-23T08:00");
        assert_eq!(at("jam 9an"), "2026-11-23T09:00");
    }

    #[test]
    fn days_and_parts_of_day() {
        assert_eq!(at("tadi pagi"), "2026-11-23T08:00");
        assert_eq!(at("sejak kemarin sore"), "2026-11-22T15:00");
        assert_eq!(when("sejak kemarin sore").unwrap().0, "sejak kemarin sore");
        assert_eq!(at("tadi malam"), "2026-11-22T19:00");
        assert_eq!(at("semalam"), "2026-11-22T19:00");
        assert_eq!(at("dari kemarin"), "2026-11-22T08:00");
        assert_eq!(at("sejak hari jumat"), "2026-11-20T08:00");
        assert_eq!(at("sejak senin"), "2026-11-23T08:00");
        assert_eq!(at("tanggal 15"), "2026-11-15T08:00");
        assert_eq!(at("sejak tgl 28"), "2026-10-28T08:00");
        assert_eq!(at("dibuka pagi ini"), "2026-11-23T08:00");
        assert_eq!(at("sejak 15/11"), "2026-11-15T08:00");
        assert_eq!(at("minggu lalu"), "2026-11-16T08:00");
        assert_eq!(at("dari pagi"), "2026-11-23T08:00");
    }

    #[test]
    fn durations_and_now() {
        assert_eq!(at("sudah 3 hari"), "2026-11-20T10:00");
        assert_eq!(when("sudah 3 hari").unwrap().0, "sudah 3 hari");
        assert_eq!(at("2 jam yang lalu"), "2026-11-23T08:00");
        assert_eq!(at("seminggu"), "2026-11-16T10:00");
        assert_eq!(at("sejak 30 menit lalu"), "2026-11-23T09:30");
        assert_eq!(at("barusan"), "2026-11-23T10:00");
        assert_eq!(at("dari tadi"), "2026-11-23T10:00");
    }

    #[test]
    fn durations_deadlines_and_data_dates_are_not_onsets() {
        assert_eq!(when("buka word aja 5 menit"), None);
        assert_eq!(when("laptop hang tiap 5 menit"), None);
        assert_eq!(when("datanya baru muncul 2 hari kemudian"), None);
        assert_eq!(when("sertifikat tinggal 3 hari"), None);
        assert_eq!(when("jam 1 ada rapat penting"), None);
        assert_eq!(when("padahal jam 10 mau rapat"), None);
        assert_eq!(when("hari ini harus input SPM"), None);
        assert_eq!(when("butuh laptop pinjaman tgl 30"), None);
        assert_eq!(when("data tanggal 18 sampai 20 kosong"), None);
        assert_eq!(
            at("ga bisa dibuka ampe sekarang, udeh dari kemaren sore"),
            "2026-11-22T15:00"
        );
    }

    #[test]
    fn vague_and_absent() {
        assert_eq!(when("sudah lama begini").unwrap(), ("sudah lama".to_owned(), None));
        assert_eq!(when("printer rusak"), None);
        assert_eq!(
            when("selamat pagi pak, printer rusak"),
            None,
            "a greeting is not a time"
        );
        assert_eq!(
            when("hari minggu wifi mati").unwrap().1.as_deref(),
            Some("2026-11-22T08:00")
        );
    }
}
