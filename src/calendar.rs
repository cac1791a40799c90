//! The agency's SLA calendar as running code sees it: built from the settings and the
//! holidays file, and rebuilt when that file changes. A file with a bad line is reported
//! with its path and line, and the calendar in use stays as it was.

use crate::domain::calendar::{Calendar, CalendarSettings, HolidayError, parse_holidays};
use chrono::NaiveDate;
use chrono_tz::Tz;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error("reading the holidays file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("holidays file {path}, {source}; the calendar in use is kept")]
    Holidays { path: PathBuf, source: HolidayError },
    #[error("sla.calendar: {0}")]
    Settings(String),
}

/// Cheap to clone; every clone sees a reload.
#[derive(Debug, Clone)]
pub struct SharedCalendar {
    current: Arc<RwLock<Arc<Calendar>>>,
    /// When the holidays file was last read (its modification time then).
    seen: Arc<Mutex<Option<SystemTime>>>,
    settings: Arc<CalendarSettings>,
    tz: Tz,
}

impl SharedCalendar {
    /// Builds the calendar; at start a bad setting or file is an error.
    pub fn load(settings: &CalendarSettings, tz: Tz) -> Result<SharedCalendar, CalendarError> {
        let modified = settings.holidays_file.as_deref().and_then(modified);
        let calendar = build(settings, tz)?;
        Ok(SharedCalendar {
            current: Arc::new(RwLock::new(Arc::new(calendar))),
            seen: Arc::new(Mutex::new(modified)),
            settings: Arc::new(settings.clone()),
            tz,
        })
    }

    pub fn current(&self) -> Arc<Calendar> {
        // A poisoned lock still holds a whole calendar: the swap below cannot half-happen.
        self.current.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Reads the holidays file again if it changed since it was last read. `Ok(true)` when
    /// a new calendar is in use; on error the old one stays.
    pub fn reload_if_changed(&self) -> Result<bool, CalendarError> {
        let Some(path) = self.settings.holidays_file.as_deref() else {
            return Ok(false);
        };
        let now = modified(path);
        {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            if *seen == now {
                return Ok(false);
            }
            // Remembered even when the file is bad: the error is told once, not every tick.
            *seen = now;
        }
        let calendar = build(&self.settings, self.tz)?;
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(calendar);
        Ok(true)
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn build(settings: &CalendarSettings, tz: Tz) -> Result<Calendar, CalendarError> {
    let holidays = match &settings.holidays_file {
        Some(path) => read_holidays(path)?,
        None => BTreeSet::new(),
    };
    Calendar::new(settings, tz, holidays).map_err(CalendarError::Settings)
}

fn read_holidays(path: &Path) -> Result<BTreeSet<NaiveDate>, CalendarError> {
    let text = std::fs::read_to_string(path).map_err(|source| CalendarError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse_holidays(&text).map_err(|source| CalendarError::Holidays {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::CalendarMode;

    #[test]
    fn a_bad_holidays_file_names_its_line_and_keeps_the_calendar_in_use() {
        let dir = std::env::temp_dir().join(format!("sigap-holidays-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("libur.txt");
        std::fs::write(&file, "# libur nasional\n2026-12-25 Natal\n").unwrap();
        let settings = CalendarSettings {
            mode: CalendarMode::WorkingHours,
            holidays_file: Some(file.clone()),
            ..CalendarSettings::default()
        };
        let shared = SharedCalendar::load(&settings, chrono_tz::Asia::Jakarta).unwrap();
        let christmas = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        assert!(shared.current().holidays().contains(&christmas));

        std::fs::write(&file, "2026-12-25 Natal\n2026-12-26\nbesok\n").unwrap();
        // Make the change visible even on a file system with coarse modification times.
        *shared.seen.lock().unwrap() = None;
        let err = shared.reload_if_changed().unwrap_err().to_string();
        assert!(err.contains("libur.txt") && err.contains("line 3"), "{err}");
        assert_eq!(shared.current().holidays().len(), 1, "the previous calendar stays");
        assert!(!shared.reload_if_changed().unwrap(), "told once");

        std::fs::write(&file, "2026-12-25 Natal\n2026-12-26\n").unwrap();
        *shared.seen.lock().unwrap() = None;
        assert!(shared.reload_if_changed().unwrap());
        assert_eq!(shared.current().holidays().len(), 2);
        std::fs::remove_dir_all(&dir).ok();
    }
}
