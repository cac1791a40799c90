//! A private PostgreSQL cluster, started from the installed server binaries when no
//! server answers, and stopped again on exit.
//!
//! It listens only on a Unix socket in a directory of its own (no TCP port), with trust
//! authentication: only its owner (and root) can reach the socket. PostgreSQL refuses to
//! run as root, so when Sigap runs as root the cluster belongs to the `postgres` account
//! (or `nobody`).

use nix::sys::signal::{self, Signal};
use nix::unistd::{Gid, Pid, Uid, User};
use sqlx::Connection;
use sqlx::postgres::PgConnectOptions;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The database user the private cluster is created with.
const SUPERUSER: &str = "sigap";
/// The port only names the socket file; nothing listens on TCP.
const PORT: u16 = 5432;
/// Unix socket paths are limited to about 107 bytes.
const MAX_SOCKET_PATH: usize = 100;
const START_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("PostgreSQL is not installed (no initdb/postgres binaries found)")]
    NotInstalled,
    #[error("cannot prepare {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{what} failed: {detail}")]
    Command { what: String, detail: String },
    #[error("the private PostgreSQL did not become ready within {secs} s (log: {log})")]
    Timeout { secs: u64, log: PathBuf },
    #[error("running as root, but there is no unprivileged account (postgres or nobody) to run PostgreSQL as")]
    NoAccount,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ServerError + '_ {
    move |source| ServerError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A running private cluster. Stopped by `stop`, or on drop as a last resort.
#[derive(Debug)]
pub struct EmbeddedServer {
    child: Option<tokio::process::Child>,
    socket_dir: PathBuf,
    pub cluster: PathBuf,
}

/// The directory with `initdb` and `postgres`: the configured one, `PATH`, or the usual
/// install locations (Debian's /usr/lib/postgresql/N/bin, the newest first).
pub fn find_binaries(hint: Option<&Path>) -> Option<PathBuf> {
    let has_both = |d: &Path| d.join("initdb").is_file() && d.join("postgres").is_file();
    if let Some(h) = hint {
        return has_both(h).then(|| h.to_owned());
    }
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    let mut versioned: Vec<(u32, PathBuf)> = Vec::new();
    for root in [
        "/usr/lib/postgresql",
        "/usr/pgsql",
        "/opt/homebrew/opt",
        "/usr/local/opt",
    ] {
        if let Ok(entries) = std::fs::read_dir(root) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let version: u32 = name
                    .trim_start_matches(|c: char| !c.is_ascii_digit())
                    .split('.')
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                versioned.push((version, e.path().join("bin")));
            }
        }
    }
    versioned.sort_by_key(|v| std::cmp::Reverse(v.0));
    dirs.extend(versioned.into_iter().map(|(_, p)| p));
    dirs.extend(["/usr/local/pgsql/bin", "/usr/local/bin", "/usr/bin"].map(PathBuf::from));
    dirs.into_iter().find(|d| has_both(d))
}

/// Who the server runs as: ourselves, or an unprivileged account when we are root.
fn account() -> Result<Option<(Uid, Gid)>, ServerError> {
    if !Uid::effective().is_root() {
        return Ok(None);
    }
    for name in ["postgres", "nobody"] {
        if let Ok(Some(u)) = User::from_name(name) {
            return Ok(Some((u.uid, u.gid)));
        }
    }
    Err(ServerError::NoAccount)
}

fn chown(path: &Path, owner: Option<(Uid, Gid)>) -> Result<(), ServerError> {
    if let Some((uid, gid)) = owner {
        nix::unistd::chown(path, Some(uid), Some(gid)).map_err(|e| ServerError::Io {
            path: path.to_owned(),
            source: e.into(),
        })?;
    }
    Ok(())
}

fn private_dir(path: &Path, owner: Option<(Uid, Gid)>) -> Result<(), ServerError> {
    std::fs::create_dir_all(path).map_err(io(path))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).map_err(io(path))?;
    chown(path, owner)
}

fn command(bin: &Path, program: &str, owner: Option<(Uid, Gid)>) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(bin.join(program));
    if let Some((uid, gid)) = owner {
        c.uid(uid.as_raw()).gid(gid.as_raw());
    }
    // Its own process group: a Ctrl-C in the terminal is for Sigap, which then stops the
    // server cleanly, not for the server directly.
    c.process_group(0);
    c.env_remove("PGDATA");
    c
}

fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(8)..].join("\n")
}

impl EmbeddedServer {
    /// Creates the cluster in `data_dir/postgresql` if needed and starts it.
    pub async fn start(data_dir: &Path, bin: &Path) -> Result<EmbeddedServer, ServerError> {
        let owner = account()?;
        std::fs::create_dir_all(data_dir).map_err(io(data_dir))?;
        if owner.is_some() {
            // The server's account must be able to reach its directory.
            std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(0o755)).map_err(io(data_dir))?;
        }
        let cluster = data_dir.join("postgresql");
        let log = data_dir.join("postgresql.log");
        if !cluster.join("PG_VERSION").is_file() {
            private_dir(&cluster, owner)?;
            let out = command(bin, "initdb", owner)
                .args(["-D"])
                .arg(&cluster)
                .args([
                    "-U",
                    SUPERUSER,
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                    "--no-instructions",
                ])
                .stdin(Stdio::null())
                .output()
                .await
                .map_err(io(&cluster))?;
            if !out.status.success() {
                return Err(ServerError::Command {
                    what: "initdb".into(),
                    detail: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
                });
            }
        }
        let mut socket_dir = cluster.join("socket");
        if socket_dir.as_os_str().len() + ".s.PGSQL.5432".len() + 1 > MAX_SOCKET_PATH {
            let uid = owner.map_or(Uid::effective(), |o| o.0);
            socket_dir = std::env::temp_dir().join(format!("sigap-pg-{uid}"));
        }
        private_dir(&socket_dir, owner)?;
        let mut server = EmbeddedServer {
            child: None,
            socket_dir,
            cluster,
        };
        // A server left running by an earlier Sigap on the same cluster is used as it is.
        if server.ping().await {
            tracing::info!(cluster = %server.cluster.display(), "private PostgreSQL already running");
            return Ok(server);
        }
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .map_err(io(&log))?;
        chown(&log, owner)?;
        let err_file = log_file.try_clone().map_err(io(&log))?;
        let mut cmd = command(bin, "postgres", owner);
        cmd.arg("-D")
            .arg(&server.cluster)
            .arg("-k")
            .arg(&server.socket_dir)
            .args([
                "-p",
                &PORT.to_string(),
                "-c",
                "listen_addresses=",
                "-c",
                "max_connections=50",
            ])
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(err_file)
            .kill_on_drop(false);
        // If Sigap dies without stopping it, the server shuts down too (Linux only).
        #[cfg(target_os = "linux")]
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| nix::sys::prctl::set_pdeathsig(Signal::SIGINT).map_err(std::io::Error::from));
        }
        let child = cmd.spawn().map_err(io(&server.cluster))?;
        tracing::info!(cluster = %server.cluster.display(), pid = child.id(), "started private PostgreSQL");
        server.child = Some(child);
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if server.ping().await {
                return Ok(server);
            }
            if let Some(child) = server.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    server.child = None;
                    return Err(ServerError::Command {
                        what: format!("postgres (exit {status})"),
                        detail: tail(&log),
                    });
                }
            }
            if Instant::now() > deadline {
                return Err(ServerError::Timeout {
                    secs: START_TIMEOUT.as_secs(),
                    log,
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Connection options for the private cluster (database not set).
    pub fn options(&self) -> PgConnectOptions {
        PgConnectOptions::new_without_pgpass()
            .socket(&self.socket_dir)
            .port(PORT)
            .username(SUPERUSER)
    }

    async fn ping(&self) -> bool {
        let opts = self.options().database("postgres");
        matches!(
            tokio::time::timeout(Duration::from_secs(2), sqlx::PgConnection::connect_with(&opts)).await,
            Ok(Ok(_))
        )
    }

    /// Shuts the server down (fast shutdown) and waits for it.
    pub async fn stop(mut self) {
        let Some(mut child) = self.child.take() else { return };
        if let Some(pid) = child.id() {
            let _ = signal::kill(Pid::from_raw(pid as i32), Signal::SIGINT);
        }
        match tokio::time::timeout(Duration::from_secs(30), child.wait()).await {
            Ok(_) => tracing::info!("private PostgreSQL stopped"),
            Err(_) => {
                tracing::warn!("private PostgreSQL did not stop in 30 s; killing it");
                let _ = child.kill().await;
            }
        }
    }
}

impl Drop for EmbeddedServer {
    fn drop(&mut self) {
        if let Some(pid) = self.child.as_ref().and_then(|c| c.id()) {
            let _ = signal::kill(Pid::from_raw(pid as i32), Signal::SIGINT);
        }
    }
}
