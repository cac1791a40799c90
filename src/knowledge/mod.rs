//! Loading `knowledge/`: the service catalogue, the language files Sigap reads with, and
//! the knowledge-base articles offered before a ticket is made (Level 0).
//!
//! The files shipped in the repository are built in; an agency points `knowledge_dir` at
//! its own copy to change them without rebuilding, and reloads them without a restart.

mod article;
mod check;
mod draft;
mod index;
mod library;

pub use article::{Article, ArticleError, PLACEHOLDERS};
pub use check::{Problem, Severity, check};
pub use draft::{ResolvedTicket, draft_article};
pub use index::{Articles, Hit, Query, stems};
pub use library::Library;

use crate::domain::{Catalog, CatalogError};
use crate::intake::{LanguageFile, Understanding};
use include_dir::{Dir, include_dir};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const CATALOG: &str = include_str!("../../knowledge/catalog.toml");
const LANGUAGE: &str = include_str!("../../knowledge/language.toml");
const WORDS: &str = include_str!("../../knowledge/words.txt");
static ARTICLES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/knowledge/articles");

/// How the articles' agency placeholders are filled.
#[derive(Debug, Clone, Default)]
pub struct Agency {
    /// `{name}` → value, from the settings' `[agency]` table.
    pub values: BTreeMap<String, String>,
    /// Said where a value is not configured ("the IT helpdesk phone number"), by name.
    pub fallback: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    #[error("{path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    Catalog { path: PathBuf, source: CatalogError },
    #[error("{path}: {source}")]
    Language { path: PathBuf, source: toml::de::Error },
}

/// The catalogue, what is needed to read messages against it, and the articles.
pub struct Knowledge {
    pub catalog: Catalog,
    pub understanding: Understanding,
    pub articles: Articles,
    /// Article files that could not be read; the others are in use.
    pub article_errors: Vec<ArticleError>,
}

impl std::fmt::Debug for Knowledge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Knowledge")
            .field("services", &self.catalog.services.len())
            .field("applications", &self.catalog.applications.len())
            .field("articles", &self.articles.len())
            .finish()
    }
}

impl Knowledge {
    /// The files built into the binary.
    pub fn embedded() -> Result<Knowledge, KnowledgeError> {
        Self::load(None, &Agency::default())
    }

    /// `dir/catalog.toml`, and `dir/language.toml`, `dir/words.txt` and `dir/articles/*.md`
    /// where present; the built-in files otherwise (`dir` = `None`: all built in).
    pub fn load(dir: Option<&Path>, agency: &Agency) -> Result<Knowledge, KnowledgeError> {
        let read = |name: &str| -> Result<Option<(PathBuf, String)>, KnowledgeError> {
            let Some(dir) = dir else { return Ok(None) };
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(text) => Ok(Some((path, text))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && name != "catalog.toml" => Ok(None),
                Err(source) => Err(KnowledgeError::Read { path, source }),
            }
        };
        let or_builtin = |file: Option<(PathBuf, String)>, name: &str, text: &'static str| {
            file.unwrap_or_else(|| (Path::new("knowledge").join(name), text.to_owned()))
        };
        let (cat_path, cat_text) = or_builtin(read("catalog.toml")?, "catalog.toml", CATALOG);
        let (lang_path, lang_text) = or_builtin(read("language.toml")?, "language.toml", LANGUAGE);
        let (_, words) = or_builtin(read("words.txt")?, "words.txt", WORDS);
        let catalog =
            Catalog::from_toml(&cat_text).map_err(|source| KnowledgeError::Catalog { path: cat_path, source })?;
        let lang: LanguageFile = toml::from_str(&lang_text).map_err(|source| KnowledgeError::Language {
            path: lang_path,
            source,
        })?;
        let understanding = Understanding::new(&catalog, &lang, &words);
        let files = match dir.map(|d| d.join("articles")).filter(|d| d.is_dir()) {
            Some(d) => read_articles(&d)?,
            None => builtin_articles(),
        };
        let (list, article_errors) = parse_articles(files);
        let articles = Articles::new(
            list,
            &|t| understanding.normalized(t, false),
            &agency.values,
            &agency.fallback,
        );
        Ok(Knowledge {
            catalog,
            understanding,
            articles,
            article_errors,
        })
    }
}

/// The `*.md` files of a directory, sorted by name.
fn read_articles(dir: &Path) -> Result<Vec<(PathBuf, String)>, KnowledgeError> {
    let entries = std::fs::read_dir(dir).map_err(|source| KnowledgeError::Read {
        path: dir.to_owned(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| match std::fs::read_to_string(&path) {
            Ok(text) => Ok((path, text)),
            Err(source) => Err(KnowledgeError::Read { path, source }),
        })
        .collect()
}

fn builtin_articles() -> Vec<(PathBuf, String)> {
    let mut files: Vec<(PathBuf, String)> = ARTICLES
        .files()
        .filter(|f| f.path().extension().is_some_and(|x| x == "md"))
        .filter_map(|f| {
            Some((
                Path::new("knowledge/articles").join(f.path()),
                f.contents_utf8()?.to_owned(),
            ))
        })
        .collect();
    files.sort();
    files
}

/// Parses every file; a broken one is set aside with its error, the rest are used. Of two
/// articles with one id, the first (by file name) is used.
fn parse_articles(files: Vec<(PathBuf, String)>) -> (Vec<Article>, Vec<ArticleError>) {
    let mut list: Vec<Article> = Vec::new();
    let mut errors = Vec::new();
    for (path, text) in files {
        match Article::parse(&path, &text) {
            Ok(a) if list.iter().any(|b| b.id == a.id) => errors.push(ArticleError {
                line: a.line_of("id"),
                message: format!("id `{}` is already used by another article", a.id),
                path,
            }),
            Ok(a) => list.push(a),
            Err(e) => errors.push(e),
        }
    }
    (list, errors)
}
