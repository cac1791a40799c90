//! With no server to connect to, `sigap` starts a private PostgreSQL from the installed
//! binaries, uses it, and stops it on exit; with no PostgreSQL installed, it says how to
//! install it. These run the real binary.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn scratch(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    std::env::temp_dir().join(format!("sigap-{name}-{}-{nanos}", std::process::id()))
}

/// `sigap` with no server reachable: no DATABASE_URL, PGHOST at a directory with no socket.
fn sigap(data_dir: &Path, args: &[&str], input: &str, extra_env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sigap"));
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env("PGHOST", data_dir.join("no-server-here"))
        .env("SIGAP_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn server_running(cluster: &Path) -> bool {
    // postmaster.pid exists only while the server runs (a clean stop removes it).
    cluster.join("postmaster.pid").exists()
}

#[test]
fn starts_a_private_cluster_when_no_server_answers() {
    if sigap_binaries_missing() {
        eprintln!("skipped: no PostgreSQL server binaries on this machine");
        return;
    }
    let dir = scratch("private");
    let out = sigap(&dir, &["migrate"], "", &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "migrate failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("database ready: sigap@"), "{stdout}");
    let cluster = dir.join("postgresql");
    assert!(
        cluster.join("PG_VERSION").is_file(),
        "cluster created in the data directory"
    );
    assert!(!server_running(&cluster), "stopped on exit");

    // The same cluster serves a piped conversation, and the report is stored.
    let out = sigap(
        &dir,
        &["chat", "--as", "pipe", "--name", "Tono"],
        "printer di ruang TU lantai 2 tidak bisa mencetak sejak tadi pagi\nbelum\nBagian Umum\nbenar\n/status\n",
        &[],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Ringkasan laporan"), "{stdout}");
    assert!(stdout.contains("sudah dibuat"), "{stdout}");
    assert!(stdout.contains("Tiket Anda (1)"), "{stdout}");
    assert!(!server_running(&cluster), "stopped on exit");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn says_how_to_install_postgresql_when_there_is_none() {
    let dir = scratch("none");
    let out = sigap(
        &dir,
        &["chat"],
        "halo\n",
        &[("SIGAP_DATABASE__PG_BIN_DIR", "/nonexistent/postgresql/bin")],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("PostgreSQL tidak ditemukan"), "{stderr}");
    assert!(stderr.contains("apt-get install postgresql"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}

fn sigap_binaries_missing() -> bool {
    let found = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().any(|v| v.path().join("bin/initdb").is_file()))
        .unwrap_or(false);
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join("initdb").is_file()))
        .unwrap_or(false);
    !(found || on_path)
}
