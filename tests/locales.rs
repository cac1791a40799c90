//! Every user-visible sentence lives in locales/: `id` and `en` define the same messages,
//! and every message id the code uses exists.

use std::collections::BTreeSet;
use std::path::Path;

fn ids(file: &str) -> BTreeSet<String> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let (head, _) = l.split_once('=')?;
            let id = head.trim_end();
            let ok = !l.starts_with([' ', '#', '*', '[', '}'])
                && !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
            ok.then(|| id.to_owned())
        })
        .collect()
}

fn literals(dir: &Path, out: &mut BTreeSet<String>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            literals(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let text = std::fs::read_to_string(&p).unwrap();
            for part in text.split('"').skip(1).step_by(2) {
                let looks_like_id = part.contains('-')
                    && part.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                    && !part.starts_with('-')
                    && !part.ends_with('-');
                if looks_like_id {
                    out.insert(part.to_owned());
                }
            }
        }
    }
}

#[test]
fn id_and_en_define_the_same_messages() {
    let id = ids("locales/id/sigap.ftl");
    let en = ids("locales/en/sigap.ftl");
    assert!(id.len() > 50, "parsed {} ids", id.len());
    let only_id: Vec<_> = id.difference(&en).collect();
    let only_en: Vec<_> = en.difference(&id).collect();
    assert!(
        only_id.is_empty() && only_en.is_empty(),
        "only in id: {only_id:?}; only in en: {only_en:?}"
    );
}

#[test]
fn every_message_id_in_the_code_exists() {
    let id = ids("locales/id/sigap.ftl");
    let mut used = BTreeSet::new();
    literals(Path::new("src"), &mut used);
    // Dashed literals that are not message ids: service slugs, article ids, words in tests.
    let k = sigap::knowledge::Knowledge::embedded().unwrap();
    let not_messages = ["putus-putus"];
    let missing: Vec<_> = used
        .iter()
        .filter(|u| {
            !id.contains(*u)
                && !not_messages.contains(&u.as_str())
                && k.catalog.service(u).is_none()
                && k.articles.get(u).is_none()
        })
        .collect();
    assert!(missing.is_empty(), "used in src/ but not in locales: {missing:?}");
}
