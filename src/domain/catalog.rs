//! The service catalogue: ticket types, categories, services and applications, as data.
//!
//! Loaded from `knowledge/catalog.toml`; an agency edits that file, not this code.

use super::level::Level;
use super::ticket::{Slot, TicketType};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

/// Names by language code (`id`, `en`); `id` is required.
pub type Names = BTreeMap<String, String>;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub types: Vec<TypeDef>,
    pub categories: Vec<CategoryDef>,
    #[serde(default)]
    pub applications: Vec<AppDef>,
    pub services: Vec<ServiceDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeDef {
    pub slug: TicketType,
    /// Ticket number prefix: INC, REQ, AKS.
    pub prefix: String,
    pub names: Names,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryDef {
    pub slug: String,
    pub names: Names,
    #[serde(default)]
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppDef {
    /// Spellings people type; the first is the canonical name.
    pub names: Vec<String>,
    /// `sim` for management information systems.
    #[serde(default)]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceDef {
    pub slug: String,
    #[serde(rename = "type")]
    pub ticket_type: TicketType,
    pub category: String,
    pub names: Names,
    /// Typical urgency, used when the report does not say.
    pub urgency: Level,
    /// Who is typically affected, when the report does not say.
    #[serde(default)]
    pub scope: Option<TypicalScope>,
    /// A technician needs to know the place.
    #[serde(default)]
    pub location: bool,
    /// A technician needs to know which application.
    #[serde(default)]
    pub application: bool,
    #[serde(default)]
    pub objects: Vec<String>,
    #[serde(default)]
    pub states: Vec<String>,
    #[serde(default)]
    pub phrases: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Questions to ask, in order, when their slot is empty.
    #[serde(default)]
    pub asks: Option<Vec<Slot>>,
}

/// Who a service's trouble typically hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TypicalScope {
    Individual,
    Group,
    Mass,
    /// Everyone at the place named: a room's network is a group's, an office's is many.
    Place,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("catalogue is not valid TOML: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("catalogue: {0}")]
    Invalid(String),
}

impl Catalog {
    pub fn from_toml(text: &str) -> Result<Catalog, CatalogError> {
        let catalog: Catalog = toml::from_str(text)?;
        catalog.validate()?;
        Ok(catalog)
    }

    fn validate(&self) -> Result<(), CatalogError> {
        let bad = |m: String| Err(CatalogError::Invalid(m));
        for t in TicketType::ALL {
            match self.types.iter().filter(|d| d.slug == t).count() {
                1 => {}
                0 => return bad(format!("ticket type `{t}` is missing")),
                _ => return bad(format!("ticket type `{t}` appears twice")),
            }
        }
        for t in &self.types {
            if t.prefix.is_empty() || !t.prefix.chars().all(|c| c.is_ascii_uppercase()) {
                return bad(format!("type `{}`: prefix must be capital letters", t.slug));
            }
            check_names(&t.names, t.slug.as_str())?;
        }
        let mut seen = HashSet::new();
        for c in &self.categories {
            if !seen.insert(c.slug.as_str()) {
                return bad(format!("category `{}` appears twice", c.slug));
            }
            check_names(&c.names, &c.slug)?;
        }
        if self.category("lainnya").is_none() {
            return bad("category `lainnya` is required: it catches the rest".into());
        }
        let mut seen = HashSet::new();
        for s in &self.services {
            if !seen.insert(s.slug.as_str()) {
                return bad(format!("service `{}` appears twice", s.slug));
            }
            if self.category(&s.category).is_none() {
                return bad(format!("service `{}`: unknown category `{}`", s.slug, s.category));
            }
            check_names(&s.names, &s.slug)?;
            if s.objects.is_empty() && s.phrases.is_empty() && s.keywords.is_empty() {
                return bad(format!("service `{}` has no words to recognise it by", s.slug));
            }
        }
        for a in &self.applications {
            if a.names.iter().all(|n| n.trim().is_empty()) {
                return bad("an application has no name".into());
            }
        }
        Ok(())
    }

    pub fn service(&self, slug: &str) -> Option<&ServiceDef> {
        self.services.iter().find(|s| s.slug == slug)
    }

    pub fn category(&self, slug: &str) -> Option<&CategoryDef> {
        self.categories.iter().find(|c| c.slug == slug)
    }

    pub fn type_def(&self, t: TicketType) -> &TypeDef {
        // validate() guarantees every type is present.
        self.types
            .iter()
            .find(|d| d.slug == t)
            .expect("validated catalogue has every ticket type")
    }

    pub fn services_in<'a>(&'a self, category: &'a str) -> impl Iterator<Item = &'a ServiceDef> {
        self.services.iter().filter(move |s| s.category == category)
    }
}

fn check_names(names: &Names, slug: &str) -> Result<(), CatalogError> {
    match names.get("id") {
        Some(n) if !n.trim().is_empty() => Ok(()),
        _ => Err(CatalogError::Invalid(format!(
            "`{slug}` needs an Indonesian name (names.id)"
        ))),
    }
}

/// The name in `lang`, falling back to Indonesian.
pub fn name<'a>(names: &'a Names, lang: &str) -> &'a str {
    names
        .get(lang)
        .or_else(|| names.get("id"))
        .map(String::as_str)
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = r#"
        [[types]]
        slug = "insiden"
        prefix = "INC"
        names = { id = "Insiden" }
        [[types]]
        slug = "permintaan"
        prefix = "REQ"
        names = { id = "Permintaan" }
        [[types]]
        slug = "akses"
        prefix = "AKS"
        names = { id = "Akses" }
        [[categories]]
        slug = "jaringan"
        names = { id = "Jaringan", en = "Network" }
        [[categories]]
        slug = "lainnya"
        names = { id = "Lainnya" }
        [[services]]
        slug = "internet-mati"
        type = "insiden"
        category = "jaringan"
        names = { id = "Internet mati" }
        urgency = "tinggi"
        location = true
        objects = ["internet"]
        states = ["mati"]
    "#;

    #[test]
    fn parses_and_looks_up() {
        let c = Catalog::from_toml(MINI).unwrap();
        assert_eq!(c.service("internet-mati").unwrap().urgency, Level::Tinggi);
        assert_eq!(c.type_def(TicketType::Akses).prefix, "AKS");
        assert_eq!(name(&c.category("jaringan").unwrap().names, "en"), "Network");
        assert_eq!(name(&c.category("lainnya").unwrap().names, "en"), "Lainnya");
    }

    #[test]
    fn rejects_unknown_category_and_duplicates() {
        let broken = MINI.replace("category = \"jaringan\"", "category = \"jalan\"");
        assert!(Catalog::from_toml(&broken).unwrap_err().to_string().contains("jalan"));
        let twice = format!(
            "{MINI}\n[[services]]\nslug = \"internet-mati\"\ntype = \"insiden\"\ncategory = \"jaringan\"\nnames = {{ id = \"x\" }}\nurgency = \"rendah\"\nkeywords = [\"x\"]\n"
        );
        assert!(Catalog::from_toml(&twice).unwrap_err().to_string().contains("twice"));
    }

    #[test]
    fn the_shipped_catalogue_is_valid_and_complete() {
        let c = Catalog::from_toml(include_str!("../../knowledge/catalog.toml")).unwrap();
        // Every slug of the reference catalogue (shared/domain/REFERENCE.md).
        for slug in [
            "aplikasi-down",
            "aplikasi-rusak",
            "aplikasi-bug",
            "update-aplikasi-gagal",
            "os-crash",
            "sim-down",
            "internet-lambat",
            "internet-mati",
            "perbaikan-jaringan",
            "wan-mati",
            "komputer-rusak",
            "komputer-virus",
            "komputer-hang",
            "komputer-gagal-booting",
            "komputer-lambat",
            "laptop-hang",
            "hardisk-rusak",
            "server-down",
            "kabel-rusak",
            "listrik-rusak",
            "ram-kotor",
            "data-tidak-sinkron",
            "data-hilang",
            "data-pending",
            "update-data-lambat",
            "reset-password",
            "akun-baru",
            "akses-aplikasi",
            "instalasi-perangkat-lunak",
            "sertifikat-elektronik",
            "email",
            "koneksi-wifi",
        ] {
            assert!(c.service(slug).is_some(), "catalogue lacks {slug}");
        }
        for cat in ["aplikasi", "jaringan", "hardware", "data", "akses", "lainnya"] {
            assert!(c.category(cat).is_some(), "catalogue lacks category {cat}");
        }
    }
}
