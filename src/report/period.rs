//! A report's period: whole days in the agency's time zone, turned into an instant range.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First day, included.
    pub from: NaiveDate,
    /// Last day, included.
    pub to: NaiveDate,
    pub tz: Tz,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("`{0}` is not a date (YYYY-MM-DD)")]
    NotADate(String),
    #[error("missing `{0}` (a date, YYYY-MM-DD)")]
    Missing(&'static str),
    #[error("the period ends ({to}) before it starts ({from})")]
    Reversed { from: NaiveDate, to: NaiveDate },
    #[error("{0} cannot be placed in the time zone {1}")]
    OutOfRange(NaiveDate, Tz),
}

impl Period {
    /// The days `from` to `to`, both included, in `tz`.
    pub fn new(from: NaiveDate, to: NaiveDate, tz: Tz) -> Result<Period, PeriodError> {
        if to < from {
            return Err(PeriodError::Reversed { from, to });
        }
        let after = to
            .checked_add_days(Days::new(1))
            .ok_or(PeriodError::OutOfRange(to, tz))?;
        let start = day_start(tz, from).ok_or(PeriodError::OutOfRange(from, tz))?;
        let end = day_start(tz, after).ok_or(PeriodError::OutOfRange(to, tz))?;
        Ok(Period {
            from,
            to,
            tz,
            start,
            end,
        })
    }

    /// From the strings a person typed or a URL carried.
    pub fn parse(from: &str, to: &str, tz: Tz) -> Result<Period, PeriodError> {
        Period::new(date(from)?, date(to)?, tz)
    }

    /// The first instant of `from`.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The first instant after `to` (excluded).
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }
}

fn date(s: &str) -> Result<NaiveDate, PeriodError> {
    let s = s.trim();
    // Exactly YYYY-MM-DD: chrono alone would also take "2026-1-5" or a signed year.
    let shaped = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return Err(PeriodError::NotADate(s.chars().take(40).collect()));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| PeriodError::NotADate(s.to_owned()))
}

/// Midnight of `day` in `tz`; where a clock change skips midnight, the first hour that
/// exists (Indonesia has no such change, but the zone is configuration).
fn day_start(tz: Tz, day: NaiveDate) -> Option<DateTime<Utc>> {
    (0..4).find_map(|h| {
        let t = NaiveTime::from_hms_opt(h, 0, 0)?;
        tz.from_local_datetime(&day.and_time(t))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Jakarta;

    #[test]
    fn a_month_in_jakarta_is_utc_plus_seven() {
        let p = Period::parse("2026-11-01", "2026-11-30", Jakarta).unwrap();
        assert_eq!(p.start().to_rfc3339(), "2026-10-31T17:00:00+00:00");
        assert_eq!(p.end().to_rfc3339(), "2026-11-30T17:00:00+00:00");
        let one = Period::parse("2026-11-05", "2026-11-05", Jakarta).unwrap();
        assert_eq!((one.end() - one.start()).num_hours(), 24);
    }

    #[test]
    fn bad_input_is_named() {
        assert_eq!(
            Period::parse("2026-11-31", "2026-11-30", Jakarta),
            Err(PeriodError::NotADate("2026-11-31".into()))
        );
        assert!(matches!(
            Period::parse("2026-11-02", "2026-11-01", Jakarta),
            Err(PeriodError::Reversed { .. })
        ));
        for bad in [
            "",
            "2026-1-05",
            "+2026-11-01",
            "01-11-2026",
            "2026/11/01",
            "2026-11-01x",
        ] {
            assert!(Period::parse(bad, "2026-11-30", Jakarta).is_err(), "{bad}");
        }
        assert!(Period::parse("9999-12-31", "9999-12-31", Jakarta).is_ok());
    }

    #[test]
    fn a_skipped_midnight_starts_at_the_first_hour_that_exists() {
        // São Paulo skipped 2018-11-04 00:00 (clocks went to 01:00).
        let p = Period::parse("2018-11-04", "2018-11-04", chrono_tz::America::Sao_Paulo).unwrap();
        assert_eq!(p.start().to_rfc3339(), "2018-11-04T03:00:00+00:00");
    }
}
