//! The article files: `sigap kb check` on what ships, and on broken files (named by file
//! and line, the other articles still in use).

use chrono::NaiveDate;
use sigap::knowledge::{Agency, Knowledge, Severity, check};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

#[test]
fn shipped_articles_pass_the_check() {
    let k = Knowledge::embedded().unwrap();
    assert!(k.article_errors.is_empty(), "{:?}", k.article_errors);
    assert!(k.articles.len() >= 40, "{} articles", k.articles.len());
    let problems = check(&k, &BTreeMap::new(), 365, today());
    let errors: Vec<_> = problems.iter().filter(|p| p.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The frequent contacts are covered, by a self-service article each.
    for id in [
        "sandi-aplikasi-web",
        "sandi-email",
        "akun-terkunci",
        "sandi-eoffice",
        "wifi-sambung",
        "wifi-tamu",
        "internet-lambat-cek",
        "kabel-lan",
        "adaptor-laptop",
        "printer-tidak-mencetak",
        "layar-biru",
        "restart-paksa",
        "windows-update-gagal",
        "kotak-surat-penuh",
        "cache-browser",
        "sertifikat-perpanjang",
        "virus-shortcut",
    ] {
        let a = k.articles.get(id).unwrap_or_else(|| panic!("{id} missing")).article;
        assert!(a.self_service, "{id}");
    }
    assert!(!k.articles.get("ransomware").unwrap().article.self_service);
}

/// A knowledge directory with the shipped catalogue and the given articles.
fn knowledge_dir(name: &str, articles: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sigap-kb-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("articles")).unwrap();
    std::fs::copy("knowledge/catalog.toml", dir.join("catalog.toml")).unwrap();
    for (file, text) in articles {
        std::fs::write(dir.join("articles").join(file), text).unwrap();
    }
    dir
}

const GOOD: &str = "+++\nid = \"baik\"\ntitle = \"Kotak surat penuh\"\nservices = [\"email\"]\nkeywords = [\"kotak surat penuh\"]\nself_service = true\nreviewed = 2026-11-20\n+++\n1. Hapus email lama.\n2. Tanya {helpdesk_phone}.\n";

#[test]
fn broken_files_are_named_by_line_and_the_rest_stay_in_use() {
    let broken_toml = GOOD
        .replace("id = \"baik\"", "id = \"rusak\"")
        .replace("self_service = true", "self_service = ya");
    let unknown = GOOD
        .replace("id = \"baik\"", "id = \"asing\"")
        .replace("[\"email\"]", "[\"email\", \"kopi-habis\"]")
        .replace("{helpdesk_phone}", "{nomor telepon} dan {telepon_rahasia}")
        .replace("2026-11-20", "2020-01-01");
    let dir = knowledge_dir(
        "broken",
        &[
            ("baik.md", GOOD),
            ("rusak.md", &broken_toml),
            ("asing.md", &unknown),
            ("tanpa-fence.md", "judul saja\n"),
            ("catatan.txt", "not an article"),
        ],
    );
    let k = Knowledge::load(Some(&dir), &Agency::default()).unwrap();
    let ids: Vec<&str> = k.articles.all().iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["asing", "baik"], "the readable ones are in use");
    let problems = check(&k, &BTreeMap::new(), 365, today());
    let lines: Vec<String> = problems
        .iter()
        .map(|p| format!("{}:{}", p.path.file_name().unwrap().to_string_lossy(), p.line))
        .collect();
    let has = |what: &str, file: &str, line: usize, sev: Severity| {
        problems
            .iter()
            .any(|p| p.path.ends_with(file) && p.line == line && p.severity == sev && p.message.contains(what))
    };
    assert!(has("", "rusak.md", 6, Severity::Error), "{problems:#?}");
    assert!(
        has("front matter", "tanpa-fence.md", 1, Severity::Error),
        "{problems:#?}"
    );
    assert!(has("kopi-habis", "asing.md", 4, Severity::Error), "{problems:#?}");
    assert!(has("{nomor telepon}", "asing.md", 10, Severity::Error), "{problems:#?}");
    assert!(has("telepon_rahasia", "asing.md", 10, Severity::Error), "{problems:#?}");
    assert!(has("2020-01-01", "asing.md", 7, Severity::Warning), "{problems:#?}");
    assert!(
        has("agency.helpdesk_phone", "baik.md", 10, Severity::Warning),
        "{problems:#?}"
    );
    let configured = BTreeMap::from([("helpdesk_phone".to_owned(), "(021) 000".to_owned())]);
    let problems = check(&k, &configured, 365, today());
    assert!(!problems.iter().any(|p| p.path.ends_with("baik.md")), "{lines:?}");
    // The configured value is what the reporter reads.
    let agency = Agency {
        values: configured,
        fallback: BTreeMap::new(),
    };
    let k = Knowledge::load(Some(&dir), &agency).unwrap();
    assert!(k.articles.get("baik").unwrap().body.contains("Tanya (021) 000."));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_check_command_fails_on_errors_and_names_the_file() {
    let dir = knowledge_dir("cli", &[("baik.md", GOOD), ("rusak.md", "+++\nid = 1\n")]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sigap"))
        .args(["kb", "check"])
        .env("SIGAP_KNOWLEDGE_DIR", &dir)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(stdout.contains("rusak.md:1: error"), "{stdout}");
    assert!(stdout.contains("1 articles in use, 1 set aside"), "{stdout}");
    std::fs::remove_dir_all(&dir).ok();
    let shipped = std::process::Command::new(env!("CARGO_BIN_EXE_sigap"))
        .args(["kb", "check"])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .output()
        .unwrap();
    assert!(shipped.status.success(), "{}", String::from_utf8_lossy(&shipped.stdout));
}
