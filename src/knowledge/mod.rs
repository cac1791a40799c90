//! Loading `knowledge/`: the service catalogue and the language files Sigap reads with.
//!
//! The files shipped in the repository are built in; an agency points `knowledge_dir` at
//! its own copy to change them without rebuilding.

use crate::domain::{Catalog, CatalogError};
use crate::intake::{LanguageFile, Understanding};
use std::path::{Path, PathBuf};

const CATALOG: &str = include_str!("../../knowledge/catalog.toml");
const LANGUAGE: &str = include_str!("../../knowledge/language.toml");
const WORDS: &str = include_str!("../../knowledge/words.txt");

#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    #[error("{path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    Catalog { path: PathBuf, source: CatalogError },
    #[error("{path}: {source}")]
    Language { path: PathBuf, source: toml::de::Error },
}

/// The catalogue and what is needed to read messages against it.
pub struct Knowledge {
    pub catalog: Catalog,
    pub understanding: Understanding,
}

impl std::fmt::Debug for Knowledge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Knowledge")
            .field("services", &self.catalog.services.len())
            .field("applications", &self.catalog.applications.len())
            .finish()
    }
}

impl Knowledge {
    /// The files built into the binary.
    pub fn embedded() -> Result<Knowledge, KnowledgeError> {
        Self::from_texts(
            (Path::new("knowledge/catalog.toml"), CATALOG),
            (Path::new("knowledge/language.toml"), LANGUAGE),
            WORDS,
        )
    }

    /// `dir/catalog.toml`, and `dir/language.toml` and `dir/words.txt` where present.
    pub fn from_dir(dir: &Path) -> Result<Knowledge, KnowledgeError> {
        let read = |name: &str| -> Result<Option<(PathBuf, String)>, KnowledgeError> {
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(text) => Ok(Some((path, text))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(source) => Err(KnowledgeError::Read { path, source }),
            }
        };
        let cat_path = dir.join("catalog.toml");
        let catalog = std::fs::read_to_string(&cat_path).map_err(|source| KnowledgeError::Read {
            path: cat_path.clone(),
            source,
        })?;
        let language = read("language.toml")?;
        let words = read("words.txt")?;
        let (lang_path, lang_text) = language
            .as_ref()
            .map(|(p, t)| (p.as_path(), t.as_str()))
            .unwrap_or((Path::new("knowledge/language.toml"), LANGUAGE));
        Self::from_texts(
            (&cat_path, &catalog),
            (lang_path, lang_text),
            words.as_ref().map_or(WORDS, |(_, t)| t.as_str()),
        )
    }

    pub fn load(dir: Option<&Path>) -> Result<Knowledge, KnowledgeError> {
        match dir {
            Some(d) => Self::from_dir(d),
            None => Self::embedded(),
        }
    }

    fn from_texts(catalog: (&Path, &str), language: (&Path, &str), words: &str) -> Result<Knowledge, KnowledgeError> {
        let cat = Catalog::from_toml(catalog.1).map_err(|source| KnowledgeError::Catalog {
            path: catalog.0.to_owned(),
            source,
        })?;
        let lang: LanguageFile = toml::from_str(language.1).map_err(|source| KnowledgeError::Language {
            path: language.0.to_owned(),
            source,
        })?;
        let understanding = Understanding::new(&cat, &lang, words);
        Ok(Knowledge {
            catalog: cat,
            understanding,
        })
    }
}
