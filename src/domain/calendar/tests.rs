//! Unit tests of the SLA calendar.

use super::*;
use chrono_tz::Asia::Jakarta;

fn at(tz: Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    tz.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap().with_timezone(&Utc)
}

/// A day in late 2026, Jakarta time: 26 is Thursday 26 November, 27 Friday, 28 Saturday,
/// 30 Monday; days past 30 run on into December (31 is Tuesday 1 December).
fn wib(d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    let (mo, d) = if d > 30 { (12, d - 30) } else { (11, d) };
    at(Jakarta, 2026, mo, d, h, mi)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn working(holidays: &[NaiveDate]) -> Calendar {
    let settings = CalendarSettings {
        mode: CalendarMode::WorkingHours,
        ..CalendarSettings::default()
    };
    Calendar::new(&settings, Jakarta, holidays.iter().copied().collect()).unwrap()
}

fn minutes(m: i64) -> Duration {
    Duration::minutes(m)
}

#[test]
fn always_counts_every_minute() {
    let c = Calendar::default();
    let s = wib(27, 16, 25);
    assert_eq!(c.add(s, minutes(10)), wib(27, 16, 35));
    assert_eq!(c.add(s, minutes(-5)), s);
    assert_eq!(c.counted(s, wib(28, 16, 25)), Duration::hours(24));
    assert_eq!(c.counted(wib(28, 0, 0), s), Duration::zero());
    assert!(c.is_open(wib(28, 3, 0)));
    assert!(c.holidays().is_empty());
}

#[test]
fn sop_hours_give_the_due_times_of_the_reference() {
    let c = working(&[]);
    // P1 response on Friday afternoon: 5 minutes Friday, 5 minutes Monday.
    assert_eq!(c.add(wib(27, 16, 25), minutes(10)), wib(30, 7, 35));
    // Recorded on Saturday: counting starts at Monday's opening.
    assert_eq!(c.add(wib(28, 10, 0), minutes(10)), wib(30, 7, 40));
    // P1 resolution: Thursday 14:00-16:00, then six hours from Friday 07:30.
    assert_eq!(c.add(wib(26, 14, 0), minutes(480)), wib(27, 13, 30));
    assert_eq!(c.add(wib(26, 14, 0), minutes(0)), wib(26, 14, 0));
}

#[test]
fn a_holiday_monday_moves_the_due_time_to_tuesday() {
    let c = working(&[date(2026, 11, 30)]);
    assert_eq!(c.add(wib(27, 16, 25), minutes(10)), wib(31, 7, 35));
    assert!(!c.is_open(wib(30, 9, 0)));
    assert_eq!(c.holidays().len(), 1);
}

#[test]
fn counted_undoes_add() {
    let c = working(&[date(2026, 11, 30), date(2026, 12, 25)]);
    let starts = [
        wib(26, 9, 0),
        wib(27, 5, 0),
        wib(27, 16, 29),
        wib(28, 10, 0),
        wib(30, 11, 0),
        wib(33, 23, 0),
    ];
    let amounts = [1, 10, 60, 4 * 60, 8 * 60, 48 * 60, 6 * 7 * 8 * 60];
    for s in starts {
        for m in amounts {
            let due = c.add(s, minutes(m));
            assert_eq!(c.counted(s, due), minutes(m), "start {s}, {m} minutes, due {due}");
            assert!(due > s);
        }
    }
}

#[test]
fn closing_time_is_closed_and_opening_time_is_open() {
    let c = working(&[]);
    assert!(!c.is_open(wib(26, 16, 0)));
    assert!(c.is_open(wib(26, 15, 59)));
    assert_eq!(c.add(wib(26, 16, 0), minutes(10)), wib(27, 7, 40));
    assert_eq!(c.counted(wib(26, 16, 0), wib(27, 7, 30)), Duration::zero());
    assert!(c.is_open(wib(27, 7, 30)));
    assert!(!c.is_open(wib(27, 7, 29)));
    assert_eq!(c.add(wib(27, 7, 30), minutes(10)), wib(27, 7, 40));
    // Time that runs out exactly at closing is due at closing, not at the next opening.
    assert_eq!(c.add(wib(27, 16, 0), minutes(30)), wib(27, 16, 30));
}

#[test]
fn a_calendar_that_never_opens_still_answers() {
    let start = wib(27, 9, 0);
    let days = std::iter::successors(Some(date(2026, 1, 1)), |d| d.succ_opt()).take(5 * 366);
    let c = working(&days.collect::<Vec<_>>());
    let due = c.add(start, minutes(10));
    assert!(due >= start + Duration::days(3 * 365), "{due}");
    assert_eq!(c.counted(start, due), Duration::zero());
    assert!(!c.is_open(start));
    let west = CalendarSettings {
        mode: CalendarMode::WorkingHours,
        ..CalendarSettings::default()
    };
    let west = Calendar::new(&west, chrono_tz::America::Sao_Paulo, BTreeSet::new()).unwrap();
    for extreme in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
        for cal in [working(&[]), west.clone(), Calendar::Always] {
            let _ = cal.add(extreme, Duration::MAX);
            let _ = cal.counted(extreme, DateTime::<Utc>::MAX_UTC);
            let _ = cal.is_open(extreme);
        }
    }
}

#[test]
fn dst_gaps_and_folds_take_the_earliest_instant() {
    let hours = vec![Span {
        days: vec!["sun".into()],
        start: "02:30".into(),
        end: "03:30".into(),
    }];
    let settings = CalendarSettings {
        mode: CalendarMode::WorkingHours,
        hours,
        holidays_file: None,
    };
    let c = Calendar::new(&settings, chrono_tz::Europe::Berlin, BTreeSet::new()).unwrap();
    let utc = |mo, d, h, mi| Utc.with_ymd_and_hms(2026, mo, d, h, mi, 0).unwrap();
    // 2026-03-29 02:30 does not exist: the period opens at 03:00 CEST (01:00 UTC).
    assert_eq!(c.add(utc(3, 28, 0, 0), minutes(1)), utc(3, 29, 1, 1));
    assert_eq!(c.counted(utc(3, 28, 0, 0), utc(3, 30, 0, 0)), minutes(30));
    // 2026-10-25 02:30 happens twice: the first (CEST, 00:30 UTC) opens, 03:30 CET closes.
    assert_eq!(c.add(utc(10, 24, 0, 0), minutes(1)), utc(10, 25, 0, 31));
    assert_eq!(c.counted(utc(10, 24, 0, 0), utc(10, 26, 0, 0)), minutes(120));
}

#[test]
fn holidays_file_takes_comments_names_and_crlf() {
    let text =
        "\u{feff}# Libur nasional 2026\r\n\r\n2026-12-25 Hari Raya Natal\r\n  2026-08-17\t# HUT RI\n2026-12-25\n";
    let dates = parse_holidays(text).unwrap();
    assert_eq!(
        dates.into_iter().collect::<Vec<_>>(),
        [date(2026, 8, 17), date(2026, 12, 25)]
    );
    assert!(parse_holidays("").unwrap().is_empty());
}

#[test]
fn a_bad_holiday_line_is_named_by_number() {
    let err = parse_holidays("# x\n2026-01-01\nbesok libur\n").unwrap_err();
    assert_eq!(err.line, 3);
    assert!(err.to_string().starts_with("line 3: "), "{err}");
    assert_eq!(parse_holidays("2026-02-30 x").unwrap_err().line, 1);
    assert_eq!(parse_holidays("\n2026-1-5").unwrap_err().line, 2);
}

#[test]
fn bad_spans_are_refused_by_name() {
    let check = |hours: Vec<Span>, expected: &str| {
        let settings = CalendarSettings {
            mode: CalendarMode::WorkingHours,
            hours,
            holidays_file: None,
        };
        let err = Calendar::new(&settings, Jakarta, BTreeSet::new()).unwrap_err();
        assert!(err.contains(expected), "{err}");
    };
    let span = |days: &[&str], start: &str, end: &str| Span {
        days: days.iter().map(|d| d.to_string()).collect(),
        start: start.into(),
        end: end.into(),
    };
    check(
        vec![span(&["mon"], "16:00", "07:30")],
        "hours #1 (mon 16:00-07:30): end must be after start",
    );
    check(vec![span(&["mon"], "08:00", "08:00")], "end must be after start");
    check(vec![span(&["mon"], "8h", "16:00")], "bad start time \"8h\"");
    check(vec![span(&["mon"], "08:00", "24:30")], "bad end time");
    check(vec![span(&["mon", "moon"], "08:00", "12:00")], "unknown day \"moon\"");
    check(vec![span(&[], "08:00", "12:00")], "names no days");
    check(
        vec![span(&["fri", "jum"], "08:00", "12:00")],
        "hours #1: names fri twice",
    );
    let overlap = vec![
        span(&["sen", "sel"], "07:30", "12:00"),
        span(&["Tue"], "11:00", "16:00"),
    ];
    check(overlap, "hours #1 and hours #2 overlap on tue");
    check(vec![], "at least one");
    // Spans that touch, and a day running to midnight, are fine.
    let fine = vec![span(&["sat"], "07:30", "12:00"), span(&["sab"], "12:00", "24:00")];
    let settings = CalendarSettings {
        mode: CalendarMode::WorkingHours,
        hours: fine,
        holidays_file: None,
    };
    let c = Calendar::new(&settings, Jakarta, BTreeSet::new()).unwrap();
    assert_eq!(c.add(wib(28, 23, 50), minutes(20)), at(Jakarta, 2026, 12, 5, 7, 40));
}

#[test]
fn settings_read_naturally_in_toml() {
    let text = r#"
        [sla.calendar]
        mode = "working_hours"
        holidays_file = "/etc/sigap/holidays.txt"
        [[sla.calendar.hours]]
        days = ["mon", "tue", "wed", "thu"]
        start = "07:30"
        end = "16:00"
        [[sla.calendar.hours]]
        days = ["fri"]
        start = "07:30"
        end = "16:30"
    "#;
    let table: toml::Table = toml::from_str(text).unwrap();
    let settings: CalendarSettings = table["sla"]["calendar"].clone().try_into().unwrap();
    let expected = CalendarSettings {
        mode: CalendarMode::WorkingHours,
        holidays_file: Some("/etc/sigap/holidays.txt".into()),
        ..CalendarSettings::default()
    };
    assert_eq!(settings, expected);
    for s in [expected, CalendarSettings::default()] {
        assert_eq!(
            toml::from_str::<CalendarSettings>(&toml::to_string(&s).unwrap()).unwrap(),
            s
        );
    }
    assert_eq!(
        toml::from_str::<CalendarSettings>("").unwrap(),
        CalendarSettings::default()
    );
    assert!(toml::from_str::<CalendarSettings>("mode = \"24/7\"\nholiday_file = \"x\"").is_err());
    assert!(toml::from_str::<CalendarSettings>("mode = \"office\"").is_err());
}

#[test]
fn days_count_open_days_and_end_at_closing() {
    let c = working(&[date(2026, 11, 30)]);
    // Resolved Thursday 10:00: Friday is day 1, Monday a holiday, Tuesday 2, Wednesday 3.
    assert_eq!(c.add_days(wib(26, 10, 0), 1), wib(27, 16, 30));
    assert_eq!(c.add_days(wib(26, 10, 0), 3), wib(32, 16, 0));
    assert_eq!(Calendar::Always.add_days(wib(26, 10, 0), 3), wib(29, 10, 0));
    assert_eq!(c.add_days(wib(26, 10, 0), 0), wib(26, 10, 0));
}
