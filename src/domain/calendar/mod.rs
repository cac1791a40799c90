//! The clock SLA targets count in: 24/7, or the agency's working hours minus holidays.
//!
//! Pure: settings and the text of a holidays file come in, instants go out. Working periods
//! are local times in the agency's zone, turned into UTC day by day with chrono-tz, so the
//! walk goes over periods, never minute by minute.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;

/// How many local days `add`, `counted` and `is_open` walk at most (about three years).
/// Only a calendar that (almost) never opens, or a target of years, gets that far.
const MAX_DAYS: usize = 3 * 366;

/// Accepted day names, Monday first: English and Indonesian, short and long, any case.
const DAY_NAMES: [[&str; 4]; 7] = [
    ["mon", "sen", "monday", "senin"],
    ["tue", "sel", "tuesday", "selasa"],
    ["wed", "rab", "wednesday", "rabu"],
    ["thu", "kam", "thursday", "kamis"],
    ["fri", "jum", "friday", "jumat"],
    ["sat", "sab", "saturday", "sabtu"],
    ["sun", "min", "sunday", "minggu"],
];

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CalendarMode {
    /// Every minute counts.
    #[default]
    #[serde(rename = "24/7")]
    Always,
    /// Only the `hours`, and not on holidays.
    #[serde(rename = "working_hours")]
    WorkingHours,
}

/// `[sla.calendar]` in sigap.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalendarSettings {
    /// `"24/7"` (default) or `"working_hours"`.
    pub mode: CalendarMode,
    /// Working periods (`[[sla.calendar.hours]]`); the reference SOP's office hours by default.
    pub hours: Vec<Span>,
    /// Holiday dates, one `YYYY-MM-DD` a line (see [`parse_holidays`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holidays_file: Option<PathBuf>,
}

/// One working period on some days. Kept as text so that [`Calendar::new`] can say which
/// span is wrong and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Span {
    /// `mon` … `sun`, or Indonesian `sen` … `min`.
    pub days: Vec<String>,
    /// Local time it opens, `HH:MM`.
    pub start: String,
    /// Local time it closes, `HH:MM`, after `start`; `24:00` is the end of the day.
    pub end: String,
}

impl Default for CalendarSettings {
    fn default() -> Self {
        let span = |days: &[&str], end: &str| Span {
            days: days.iter().map(|d| d.to_string()).collect(),
            start: "07:30".into(),
            end: end.into(),
        };
        CalendarSettings {
            mode: CalendarMode::Always,
            hours: vec![span(&["mon", "tue", "wed", "thu"], "16:00"), span(&["fri"], "16:30")],
            holidays_file: None,
        }
    }
}

/// A bad line in a holidays file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayError {
    /// 1-based.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for HolidayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for HolidayError {}

/// Reads a holidays file: one `YYYY-MM-DD` a line, anything after it (a name) ignored,
/// `#` starts a comment, blank lines and `\r\n` line ends allowed.
pub fn parse_holidays(text: &str) -> Result<BTreeSet<NaiveDate>, HolidayError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut dates = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split_once('#').map_or(line, |(before, _)| before);
        let Some(word) = line.split_whitespace().next() else {
            continue;
        };
        let error = |message: String| HolidayError { line: i + 1, message };
        // chrono alone would also take `2026-1-5`; ask for the one spelling the file documents.
        let shaped = word.len() == 10
            && word.bytes().enumerate().all(|(j, b)| match j {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        if !shaped {
            return Err(error(format!("expected a date as YYYY-MM-DD, found {word:?}")));
        }
        let date = NaiveDate::parse_from_str(word, "%Y-%m-%d").map_err(|_| error(format!("no such date: {word}")))?;
        dates.insert(date);
    }
    Ok(dates)
}

/// The clock targets count in.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Calendar {
    #[default]
    Always,
    Working(WorkingHours),
}

/// Working periods per weekday in the agency's zone, minus holidays.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkingHours {
    tz: Tz,
    /// Monday first; (open, close) in minutes after local midnight, close up to 24 * 60;
    /// sorted and non-overlapping.
    week: [Vec<(u32, u32)>; 7],
    holidays: BTreeSet<NaiveDate>,
}

static NO_HOLIDAYS: BTreeSet<NaiveDate> = BTreeSet::new();

impl Calendar {
    /// Builds from settings, the agency's zone and the holidays already read (the caller
    /// reads the file, so a bad file is reported with its path). In 24/7 mode `hours` and
    /// `holidays` are not used, and not checked.
    pub fn new(settings: &CalendarSettings, tz: Tz, holidays: BTreeSet<NaiveDate>) -> Result<Calendar, String> {
        if settings.mode == CalendarMode::Always {
            return Ok(Calendar::Always);
        }
        if settings.hours.is_empty() {
            return Err("mode \"working_hours\" needs at least one [[sla.calendar.hours]] span".into());
        }
        // (open, close, index of the span) per weekday, so that an overlap names both spans.
        let mut week: [Vec<(u32, u32, usize)>; 7] = Default::default();
        for (i, span) in settings.hours.iter().enumerate() {
            let name = format!("hours #{} ({} {}-{})", i + 1, span.days.join(","), span.start, span.end);
            let time = |text: &str, which: &str| {
                parse_time(text).ok_or_else(|| format!("{name}: bad {which} time {text:?}, expected HH:MM"))
            };
            let (open, close) = (time(&span.start, "start")?, time(&span.end, "end")?);
            if close <= open {
                return Err(format!("{name}: end must be after start"));
            }
            if span.days.is_empty() {
                return Err(format!("{name}: names no days"));
            }
            for day in &span.days {
                let d = parse_day(day)
                    .ok_or_else(|| format!("{name}: unknown day {day:?}, expected one of mon … sun or sen … min"))?;
                week[d].push((open, close, i));
            }
        }
        for (d, periods) in week.iter_mut().enumerate() {
            periods.sort_unstable();
            for pair in periods.windows(2) {
                let ((_, close_a, a), (open_b, _, b)) = (pair[0], pair[1]);
                if a == b {
                    return Err(format!("hours #{}: names {} twice", a + 1, DAY_NAMES[d][0]));
                }
                if open_b < close_a {
                    return Err(format!(
                        "hours #{} and hours #{} overlap on {}",
                        a + 1,
                        b + 1,
                        DAY_NAMES[d][0]
                    ));
                }
            }
        }
        let week = week.map(|periods| periods.into_iter().map(|(open, close, _)| (open, close)).collect());
        Ok(Calendar::Working(WorkingHours { tz, week, holidays }))
    }

    /// The instant when `amount` of counted time has passed since `start`. In working hours
    /// counting starts at `start` if open, else at the next opening; a target that ends
    /// exactly at closing time is due at closing time. `amount <= 0` gives `start`.
    ///
    /// The walk stops after about three years of days: if the time is not
    /// used up by then (a calendar that never opens, a target of years) the answer is
    /// `start` plus that many days, a lower bound that keeps later arithmetic safe.
    pub fn add(&self, start: DateTime<Utc>, amount: Duration) -> DateTime<Utc> {
        if amount <= Duration::zero() {
            return start;
        }
        let Calendar::Working(w) = self else {
            return start.checked_add_signed(amount).unwrap_or(DateTime::<Utc>::MAX_UTC);
        };
        let mut left = amount;
        for (open, close) in w.periods(start) {
            let from = open.max(start);
            if close <= from {
                continue;
            }
            let run = close - from;
            if left <= run {
                return from + left; // at most `close`, so it cannot overflow
            }
            left -= run;
        }
        start
            .checked_add_signed(Duration::days(MAX_DAYS as i64))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Counted time between two instants, zero if `to <= from`; `counted(s, add(s, d)) == d`.
    /// In working hours only about the first three years after `from` are counted.
    pub fn counted(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        match self {
            _ if to <= from => Duration::zero(),
            Calendar::Always => to - from,
            Calendar::Working(w) => w
                .periods(from)
                .take_while(|&(open, _)| open < to)
                .map(|(open, close)| close.min(to) - open.max(from))
                .filter(|run| *run > Duration::zero())
                .sum(),
        }
    }

    /// Whether `at` is counted time: opening time is open, closing time is closed.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        match self {
            Calendar::Always => true,
            Calendar::Working(w) => w
                .periods(at)
                .take_while(|&(open, _)| open <= at)
                .any(|(_, close)| at < close),
        }
    }

    /// The end of the `days`-th working day after the one `start` falls on (24/7: `days`
    /// whole days later): "closed by itself after 3 days" counts days the desk is open.
    pub fn add_days(&self, start: DateTime<Utc>, days: u32) -> DateTime<Utc> {
        let far = || {
            start
                .checked_add_signed(Duration::days(MAX_DAYS as i64))
                .unwrap_or(DateTime::<Utc>::MAX_UTC)
        };
        let Calendar::Working(w) = self else {
            return start
                .checked_add_signed(Duration::days(days.into()))
                .unwrap_or_else(far);
        };
        if days == 0 {
            return start;
        }
        let today = w.local_date(start);
        let open_days = std::iter::successors(today.succ_opt(), NaiveDate::succ_opt)
            .take(MAX_DAYS)
            .filter(|day| !w.holidays.contains(day))
            .filter_map(|day| {
                let close = w.week[day.weekday().num_days_from_monday() as usize].last()?.1;
                w.instant(day, close)
            });
        open_days
            .take(days as usize)
            .last()
            .filter(|_| days as usize <= MAX_DAYS)
            .unwrap_or_else(far)
    }

    /// The holidays in use (none for 24/7).
    pub fn holidays(&self) -> &BTreeSet<NaiveDate> {
        match self {
            Calendar::Always => &NO_HOLIDAYS,
            Calendar::Working(w) => &w.holidays,
        }
    }
}

impl WorkingHours {
    /// Working periods as UTC instants in time order, from the local day before the one
    /// `from` falls on (so that a period still running at `from` is seen), for at most
    /// `MAX_DAYS` days.
    fn periods(&self, from: DateTime<Utc>) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        let today = self.local_date(from);
        let first = today.pred_opt().unwrap_or(today);
        std::iter::successors(Some(first), NaiveDate::succ_opt)
            .take(MAX_DAYS)
            .filter(|day| !self.holidays.contains(day))
            .flat_map(move |day| {
                let periods = &self.week[day.weekday().num_days_from_monday() as usize];
                periods
                    .iter()
                    .filter_map(move |&(open, close)| Some((self.instant(day, open)?, self.instant(day, close)?)))
            })
    }

    /// The agency's calendar date at `at`.
    fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        // `date_naive()` would panic at the very ends of chrono's range; add the offset by hand.
        let utc = at.naive_utc();
        let offset = self.tz.offset_from_utc_datetime(&utc).fix();
        utc.checked_add_offset(offset).unwrap_or(utc).date()
    }

    /// `minute` minutes after local midnight of `day` (24:00 is the next midnight), as the
    /// earliest instant showing that local time. A local time a DST jump skips becomes the
    /// first minute after the jump. `None` only at the ends of chrono's range.
    fn instant(&self, day: NaiveDate, minute: u32) -> Option<DateTime<Utc>> {
        let local = day
            .and_time(NaiveTime::MIN)
            .checked_add_signed(Duration::minutes(minute.into()))?;
        // Jumps are at most a day (Samoa skipped 2011-12-30), and rare: this usually stops at 0.
        (0..=24 * 60).find_map(|skip| {
            let t = local.checked_add_signed(Duration::minutes(skip))?;
            Some(self.tz.from_local_datetime(&t).earliest()?.with_timezone(&Utc))
        })
    }
}

/// `HH:MM` (or `H:MM`) as minutes after midnight; `24:00` allowed as the end of the day.
fn parse_time(text: &str) -> Option<u32> {
    let (h, m) = text.trim().split_once(':')?;
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !(1..=2).contains(&h.len()) || m.len() != 2 || !digits(h) || !digits(m) {
        return None;
    }
    let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
    (m < 60 && (h < 24 || (h, m) == (24, 0))).then_some(h * 60 + m)
}

/// Index of the weekday, Monday = 0.
fn parse_day(text: &str) -> Option<usize> {
    let text = text.trim().to_lowercase();
    DAY_NAMES.iter().position(|names| names.contains(&text.as_str()))
}

#[cfg(test)]
mod tests;
