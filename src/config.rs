//! Settings: built-in defaults, then `sigap.toml` (or the file given), then `SIGAP_*`
//! environment variables (`SIGAP_DATABASE__MAX_CONNECTIONS=20` sets
//! `database.max_connections`), then `DATABASE_URL`.

use crate::domain::PriorityPolicy;
use crate::domain::calendar::CalendarSettings;
use crate::domain::survey::SurveySettings;
use crate::domain::teams::TeamSettings;
use chrono_tz::Tz;
use secrecy::SecretString;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod whatsapp;
pub use whatsapp::{WhatsAppSettings, WhatsAppTemplates};

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub database: DatabaseSettings,
    /// The agency's time zone: due times and "jam 9" are read in it.
    pub timezone: Tz,
    /// Language for reporters who have not chosen one (`id` or `en`).
    pub language: String,
    /// A directory with the agency's own `catalog.toml` (and optionally `language.toml`,
    /// `words.txt`, `articles/*.md`); the built-in ones otherwise.
    pub knowledge_dir: Option<PathBuf>,
    /// A directory with the agency's own `<lang>/*.ftl`; the built-in ones otherwise.
    pub locales_dir: Option<PathBuf>,
    /// Where Sigap keeps its own files (the private PostgreSQL cluster).
    pub data_dir: Option<PathBuf>,
    /// Priority matrix and response/resolution targets.
    pub priority: PriorityPolicy,
    /// The agency's own details that articles name as `{placeholder}`
    /// (`helpdesk_phone`, `portal_url`, …; see `sigap kb check`).
    pub agency: BTreeMap<String, String>,
    pub kb: KbSettings,
    /// Where the web server (health, webhooks) listens.
    pub http_addr: std::net::SocketAddr,
    pub telegram: TelegramSettings,
    /// Reporters on a WhatsApp Business number, beside or instead of Telegram.
    pub whatsapp: WhatsAppSettings,
    pub sla: SlaSettings,
    pub survey: SurveySettings,
    /// Teams for functional escalation and the routing from category/service to team.
    pub teams: TeamSettings,
}

/// The SLA clocks: the calendar they count in and how the worker watches them.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct SlaSettings {
    /// 24/7, or working hours with a holidays file.
    pub calendar: CalendarSettings,
    /// How often the worker looks at the clocks.
    pub tick_seconds: u64,
    /// An unclaimed P1 is announced again in the war room this often; 0 turns it off.
    pub p1_reping_minutes: u32,
    /// The supervisors' Telegram chat: told, with the card, when a target is missed, a
    /// reporter rates the service 2 or less, or says twice it is still not fixed.
    pub supervisor_chat: Option<i64>,
    /// A resolved ticket the reporter does not answer about closes by itself after this
    /// many days the desk is open.
    pub autoclose_days: u32,
    /// Time a resolved ticket waits for the reporter's answer does not count toward its
    /// resolution target if it is reopened.
    pub pause_while_waiting: bool,
}

impl Default for SlaSettings {
    fn default() -> Self {
        SlaSettings {
            calendar: CalendarSettings::default(),
            tick_seconds: 30,
            p1_reping_minutes: 15,
            supervisor_chat: None,
            autoclose_days: 3,
            pause_while_waiting: false,
        }
    }
}

/// The Telegram bot and the technicians' war-room group. The documented environment
/// names (`TELOXIDE_TOKEN`, `SIGAP_WAR_ROOM_CHAT`, …) override the file.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct TelegramSettings {
    /// From @BotFather; `TELOXIDE_TOKEN`. Without it `sigap serve` runs no Telegram bot.
    pub token: Option<SecretString>,
    /// Another Bot API server (a self-hosted telegram-bot-api); `TELOXIDE_API_URL`.
    pub api_url: Option<String>,
    /// The technicians' group chat id (negative); `SIGAP_WAR_ROOM_CHAT`.
    pub war_room_chat: Option<i64>,
    /// With this, Telegram pushes updates to `{public_url}/webhooks/telegram` instead of
    /// being polled; `SIGAP_PUBLIC_URL`.
    pub public_url: Option<String>,
    /// Echoed by Telegram in every webhook call; `SIGAP_TELEGRAM_WEBHOOK_SECRET`.
    pub webhook_secret: Option<SecretString>,
}

impl std::fmt::Debug for TelegramSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |s: &Option<SecretString>| s.as_ref().map(|_| "[redacted]");
        f.debug_struct("TelegramSettings")
            .field("token", &redacted(&self.token))
            .field("api_url", &self.api_url)
            .field("war_room_chat", &self.war_room_chat)
            .field("public_url", &self.public_url)
            .field("webhook_secret", &redacted(&self.webhook_secret))
            .finish()
    }
}

impl TelegramSettings {
    /// The documented environment names, over whatever the file said.
    fn read_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(t) = var("TELOXIDE_TOKEN") {
            self.token = Some(SecretString::from(t));
        }
        if let Some(u) = var("TELOXIDE_API_URL") {
            self.api_url = Some(u);
        }
        if let Some(c) = var("SIGAP_WAR_ROOM_CHAT") {
            let id = c.trim().parse().map_err(|_| {
                ConfigError::Invalid(format!(
                    "SIGAP_WAR_ROOM_CHAT must be a chat id such as -1001234567890, not `{c}`"
                ))
            })?;
            self.war_room_chat = Some(id);
        }
        if let Some(u) = var("SIGAP_PUBLIC_URL") {
            self.public_url = Some(u);
        }
        if let Some(s) = var("SIGAP_TELEGRAM_WEBHOOK_SECRET") {
            self.webhook_secret = Some(SecretString::from(s));
        }
        if self.public_url.is_some() && self.webhook_secret.is_none() {
            return Err(ConfigError::Invalid(
                "webhook mode (SIGAP_PUBLIC_URL) needs SIGAP_TELEGRAM_WEBHOOK_SECRET too".into(),
            ));
        }
        if let Some(s) = &self.webhook_secret {
            use secrecy::ExposeSecret;
            // Telegram allows 1-256 characters of A-Z, a-z, 0-9, _ and -.
            let ok = (1..=256).contains(&s.expose_secret().len())
                && s.expose_secret()
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !ok {
                return Err(ConfigError::Invalid(
                    "SIGAP_TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -".into(),
                ));
            }
        }
        Ok(())
    }
}

/// Knowledge-base upkeep.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct KbSettings {
    /// An article last reviewed longer ago than this is reported by `sigap kb check`.
    pub review_max_age_days: i64,
    /// An article offered at least `review_min_offers` times that did not help in at least
    /// this share of the answers is flagged for review by `sigap kb stats`.
    pub review_not_helped_share: f64,
    pub review_min_offers: i64,
}

impl Default for KbSettings {
    fn default() -> Self {
        KbSettings {
            review_max_age_days: 365,
            review_not_helped_share: 0.5,
            review_min_offers: 5,
        }
    }
}

#[derive(Clone, Deserialize)]
#[serde(default)]
pub struct DatabaseSettings {
    /// A full connection URL; `DATABASE_URL` sets it too. Overrides everything else.
    pub url: Option<SecretString>,
    /// Sigap's database on the local server (created if missing).
    pub name: String,
    pub max_connections: u32,
    /// Where `initdb` and `postgres` are, if not in the usual places.
    pub pg_bin_dir: Option<PathBuf>,
}

impl std::fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &self.url.as_ref().map(|_| "[redacted]"))
            .field("name", &self.name)
            .field("max_connections", &self.max_connections)
            .field("pg_bin_dir", &self.pg_bin_dir)
            .finish()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database: DatabaseSettings::default(),
            timezone: chrono_tz::Asia::Jakarta,
            language: "id".into(),
            knowledge_dir: None,
            locales_dir: None,
            data_dir: None,
            priority: PriorityPolicy::default(),
            agency: BTreeMap::new(),
            kb: KbSettings::default(),
            http_addr: std::net::SocketAddr::from(([127, 0, 0, 1], 8080)),
            telegram: TelegramSettings::default(),
            whatsapp: WhatsAppSettings::default(),
            sla: SlaSettings::default(),
            survey: SurveySettings::default(),
            teams: TeamSettings::default(),
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            url: None,
            name: "sigap".into(),
            max_connections: 10,
            pg_bin_dir: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("settings: {0}")]
    Load(#[from] config::ConfigError),
    #[error("settings: {0}")]
    Invalid(String),
}

impl Settings {
    /// Loads the settings. `file` is required when given; otherwise `./sigap.toml` is
    /// read if present.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        let source = match file {
            Some(f) => config::File::from(f).required(true),
            None => config::File::with_name("sigap").required(false),
        };
        let built = config::Config::builder()
            .add_source(source)
            .add_source(
                config::Environment::with_prefix("SIGAP")
                    .prefix_separator("_")
                    .separator("__")
                    .try_parsing(true),
            )
            .build()?;
        let mut s: Settings = built.try_deserialize()?;
        if let Ok(url) = std::env::var("DATABASE_URL") {
            if !url.trim().is_empty() {
                s.database.url = Some(SecretString::from(url));
            }
        }
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        s.telegram.read_env(var)?;
        s.whatsapp.read_env(var)?;
        s.priority.validate().map_err(ConfigError::Invalid)?;
        s.survey.validate().map_err(ConfigError::Invalid)?;
        s.teams.validate().map_err(ConfigError::Invalid)?;
        if s.sla.tick_seconds == 0 {
            return Err(ConfigError::Invalid("sla.tick_seconds must be at least 1".into()));
        }
        if s.database.max_connections == 0 {
            return Err(ConfigError::Invalid(
                "database.max_connections must be at least 1".into(),
            ));
        }
        Ok(s)
    }

    /// Where Sigap keeps its files: the setting, else /var/lib/sigap for root, else the
    /// user's data directory.
    pub fn data_dir(&self) -> PathBuf {
        if let Some(d) = &self.data_dir {
            return d.clone();
        }
        if nix::unistd::Uid::effective().is_root() {
            return PathBuf::from("/var/lib/sigap");
        }
        let base = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
            .unwrap_or_else(|| PathBuf::from("."));
        base.join("sigap")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_sop() {
        let s = Settings::default();
        assert_eq!(s.timezone, chrono_tz::Asia::Jakarta);
        assert_eq!(s.priority, PriorityPolicy::default());
        assert_eq!(s.database.name, "sigap");
    }

    #[test]
    fn file_overrides_and_secrets_are_redacted() {
        let dir = std::env::temp_dir().join(format!("sigap-config-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("custom.toml");
        std::fs::write(
            &file,
            r#"
            timezone = "Asia/Makassar"
            [database]
            url = "postgres://sigap:hunter2@db.example/sigap"
            [priority.matrix]
            tinggi = { tinggi = 1, menengah = 1, rendah = 1 }
            menengah = { tinggi = 1, menengah = 2, rendah = 3 }
            rendah = { tinggi = 2, menengah = 3, rendah = 3 }
            [[priority.targets]]
            priority = 1
            response_minutes = 15
            resolution_minutes = 480
            [[priority.targets]]
            priority = 2
            response_minutes = 60
            resolution_minutes = 1440
            [[priority.targets]]
            priority = 3
            response_minutes = 240
            resolution_minutes = 2880
            "#,
        )
        .unwrap();
        let s = Settings::load(Some(&file)).unwrap();
        assert_eq!(s.timezone, chrono_tz::Asia::Makassar);
        assert_eq!(s.priority.target(crate::domain::Priority::P1).response_minutes, 15);
        let shown = format!("{s:?}");
        assert!(!shown.contains("hunter2"), "password leaked into Debug: {shown}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
