//! User-visible text: Fluent bundles from `locales/`, `id` by default and `en` complete.

mod msg;

pub use msg::{Arg, Msg};

use crate::domain::catalog::{self, Catalog};
use chrono::{Datelike, Timelike};
use chrono_tz::Tz;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// The default language when a reporter has none.
pub const DEFAULT_LANG: &str = "id";

/// The locale files shipped with Sigap, used unless a locales directory is configured.
const EMBEDDED: &[(&str, &str, &str)] = &[
    ("id", "sigap.ftl", include_str!("../../locales/id/sigap.ftl")),
    ("en", "sigap.ftl", include_str!("../../locales/en/sigap.ftl")),
];

#[derive(Debug, thiserror::Error)]
pub enum I18nError {
    #[error("locale file {file}: {detail}")]
    Syntax { file: String, detail: String },
    #[error("cannot read locales directory {0}: {1}")]
    Io(String, std::io::Error),
    #[error("no `{DEFAULT_LANG}` locale found")]
    NoDefault,
}

/// Loaded bundles by language code.
#[derive(Clone)]
pub struct Locales {
    bundles: Arc<HashMap<String, FluentBundle<FluentResource>>>,
}

impl std::fmt::Debug for Locales {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Locales")
            .field("languages", &self.bundles.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Locales {
    /// The shipped locales.
    pub fn embedded() -> Result<Locales, I18nError> {
        Self::from_sources(
            EMBEDDED
                .iter()
                .map(|(l, f, s)| (l.to_string(), f.to_string(), s.to_string())),
        )
    }

    /// Every `<dir>/<lang>/*.ftl`.
    pub fn from_dir(dir: &Path) -> Result<Locales, I18nError> {
        let io = |e| I18nError::Io(dir.display().to_string(), e);
        let mut sources = Vec::new();
        for lang in std::fs::read_dir(dir).map_err(io)? {
            let lang = lang.map_err(io)?;
            if !lang.file_type().map_err(io)?.is_dir() {
                continue;
            }
            let code = lang.file_name().to_string_lossy().into_owned();
            let mut files: Vec<_> = std::fs::read_dir(lang.path())
                .map_err(io)?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
                .collect();
            files.sort();
            for file in files {
                let text = std::fs::read_to_string(&file).map_err(io)?;
                sources.push((code.clone(), file.display().to_string(), text));
            }
        }
        Self::from_sources(sources)
    }

    fn from_sources(sources: impl IntoIterator<Item = (String, String, String)>) -> Result<Locales, I18nError> {
        let mut bundles: HashMap<String, FluentBundle<FluentResource>> = HashMap::new();
        for (lang, file, text) in sources {
            let res = FluentResource::try_new(text).map_err(|(_, errs)| I18nError::Syntax {
                file: file.clone(),
                detail: format!("{errs:?}"),
            })?;
            let bundle = bundles.entry(lang.clone()).or_insert_with(|| {
                let id = lang.parse().unwrap_or_default();
                let mut b = FluentBundle::new_concurrent(vec![id]);
                // Unicode isolation marks show up as stray characters in chat apps.
                b.set_use_isolating(false);
                b
            });
            bundle.add_resource(res).map_err(|errs| I18nError::Syntax {
                file,
                detail: format!("{errs:?}"),
            })?;
        }
        if !bundles.contains_key(DEFAULT_LANG) {
            return Err(I18nError::NoDefault);
        }
        Ok(Locales {
            bundles: Arc::new(bundles),
        })
    }

    pub fn has_language(&self, lang: &str) -> bool {
        self.bundles.contains_key(lang)
    }

    /// A renderer for one language, with the catalogue's names and the agency's time zone.
    pub fn renderer<'a>(&'a self, lang: &str, catalog: &'a Catalog, tz: Tz) -> Renderer<'a> {
        let lang = if self.bundles.contains_key(lang) {
            lang
        } else {
            DEFAULT_LANG
        };
        Renderer {
            locales: self,
            lang: lang.to_owned(),
            catalog,
            tz,
        }
    }

    /// A message without arguments (text needed before the catalogue is loaded).
    pub fn text(&self, lang: &str, key: &str) -> String {
        self.format(lang, key, &FluentArgs::new())
    }

    /// Formats `key` with plain arguments; falls back to Indonesian, then to the key.
    fn format(&self, lang: &str, key: &str, args: &FluentArgs) -> String {
        for l in [lang, DEFAULT_LANG] {
            let Some(bundle) = self.bundles.get(l) else { continue };
            let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(args), &mut errors);
            if !errors.is_empty() {
                tracing::warn!(key, lang = l, ?errors, "locale message formatted with errors");
            }
            return text.into_owned();
        }
        tracing::error!(key, lang, "locale message missing");
        key.to_owned()
    }
}

pub struct Renderer<'a> {
    locales: &'a Locales,
    lang: String,
    catalog: &'a Catalog,
    tz: Tz,
}

impl Renderer<'_> {
    pub fn lang(&self) -> &str {
        &self.lang
    }

    pub fn render(&self, msg: &Msg) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in &msg.args {
            args.set(*name, self.value(value));
        }
        self.locales.format(&self.lang, msg.key, &args)
    }

    fn text(&self, key: &str, args: &[(&str, FluentValue<'static>)]) -> String {
        let mut a = FluentArgs::new();
        for (k, v) in args {
            a.set(*k, v.clone());
        }
        self.locales.format(&self.lang, key, &a)
    }

    fn value(&self, arg: &Arg) -> FluentValue<'static> {
        let s = match arg {
            Arg::Text(s) => s.clone(),
            Arg::Num(n) => return FluentValue::from(*n),
            Arg::Msg(m) => self.render(m),
            Arg::Lines(ms) => ms.iter().map(|m| self.render(m)).collect::<Vec<_>>().join("\n"),
            Arg::Time(t) => self.time(*t),
            Arg::Minutes(m) => self.duration(*m),
            Arg::Service(slug) => self
                .catalog
                .service(slug)
                .map(|s| catalog::name(&s.names, &self.lang).to_owned())
                .unwrap_or_else(|| slug.clone()),
            Arg::Category(slug) => self
                .catalog
                .category(slug)
                .map(|c| catalog::name(&c.names, &self.lang).to_owned())
                .unwrap_or_else(|| slug.clone()),
            Arg::Type(t) => catalog::name(&self.catalog.type_def(*t).names, &self.lang).to_owned(),
            Arg::Status(s) => self.text("status", &[("status", s.as_str().into())]),
            Arg::Level(l) => self.text("level", &[("level", l.as_str().into())]),
        };
        FluentValue::from(s)
    }

    fn time(&self, t: chrono::DateTime<chrono::Utc>) -> String {
        let local = t.with_timezone(&self.tz);
        self.text(
            "datetime",
            &[
                ("weekday", i64::from(local.weekday().number_from_monday()).into()),
                ("day", i64::from(local.day()).into()),
                ("month", i64::from(local.month()).into()),
                ("year", i64::from(local.year()).into()),
                ("time", format!("{:02}.{:02}", local.hour(), local.minute()).into()),
                ("zone", local.format("%Z").to_string().into()),
            ],
        )
    }

    fn duration(&self, minutes: i64) -> String {
        let (key, n) = if minutes >= 1440 && minutes % 1440 == 0 {
            ("duration-days", minutes / 1440)
        } else if minutes >= 60 && minutes % 60 == 0 {
            ("duration-hours", minutes / 60)
        } else {
            ("duration-minutes", minutes)
        };
        self.text(key, &[("n", n.into())])
    }
}
