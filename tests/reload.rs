//! Articles reload without a restart: on SIGHUP, or by `Library::reload`. A separate test
//! binary: SIGHUP is sent to this process.

use sigap::knowledge::{Agency, Library};
use std::path::PathBuf;

fn article(id: &str, title: &str) -> String {
    format!(
        "+++\nid = \"{id}\"\ntitle = \"{title}\"\nservices = [\"email\"]\nkeywords = [\"kotak surat penuh\"]\nself_service = true\nreviewed = 2026-11-20\n+++\n1. Hapus email lama.\n"
    )
}

fn dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sigap-reload-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("articles")).unwrap();
    std::fs::copy("knowledge/catalog.toml", dir.join("catalog.toml")).unwrap();
    std::fs::write(dir.join("articles/surat.md"), article("surat", "Kotak surat penuh")).unwrap();
    dir
}

#[tokio::test]
async fn sighup_reloads_and_a_broken_catalogue_keeps_what_is_in_use() {
    let dir = dir();
    let lib = Library::load(Some(dir.clone()), Agency::default()).unwrap();
    let before = lib.current();
    assert_eq!(before.articles.len(), 1);

    std::fs::write(
        dir.join("articles/surat.md"),
        article("surat", "Mailbox penuh: hapus lampiran"),
    )
    .unwrap();
    std::fs::write(dir.join("articles/baru.md"), article("baru", "Artikel baru")).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(
        lib.clone()
            .on_hangup(async {
                let _ = stopped.await;
            })
            .unwrap(),
    );
    nix::sys::signal::raise(nix::sys::signal::Signal::SIGHUP).unwrap();
    // Wait for the reload itself, not for a length of time.
    tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while lib.current().articles.len() != 2 {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("reloaded after SIGHUP");
    let now = lib.current();
    assert_eq!(
        now.articles.get("surat").unwrap().article.title,
        "Mailbox penuh: hapus lampiran"
    );
    assert_eq!(
        before.articles.get("surat").unwrap().article.title,
        "Kotak surat penuh",
        "a message in flight keeps its knowledge"
    );

    std::fs::write(dir.join("catalog.toml"), "[[services]\nrusak").unwrap();
    assert!(lib.reload().is_err());
    assert_eq!(lib.current().articles.len(), 2, "the knowledge in use stays");
    drop(stop);
    task.await.unwrap();
    std::fs::remove_dir_all(&dir).ok();
}
