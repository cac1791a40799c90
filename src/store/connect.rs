//! Finding a PostgreSQL to use: `DATABASE_URL`, else the local server the way `psql`
//! finds it, else a private cluster started from the installed binaries.

use super::embedded::{self, EmbeddedServer, ServerError};
use super::{MIGRATOR, StoreError};
use crate::config::DatabaseSettings;
use secrecy::ExposeSecret;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor, PgConnection};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// A pool on Sigap's database, and the private server behind it if we started one.
#[derive(Debug)]
pub struct Database {
    pub pool: PgPool,
    /// Where the database is, for logs (no password).
    pub description: String,
    server: Option<EmbeddedServer>,
}

/// Why connecting to one candidate failed.
enum Probe {
    /// Nothing listens there.
    Absent,
    /// A server answered but would not let us in.
    Refused(String),
}

fn classify(e: sqlx::Error) -> Probe {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut => Probe::Absent,
        sqlx::Error::Database(db) => Probe::Refused(db.message().to_owned()),
        other => Probe::Refused(other.to_string()),
    }
}

async fn connect_once(opts: &PgConnectOptions) -> Result<PgConnection, sqlx::Error> {
    match tokio::time::timeout(PROBE_TIMEOUT, PgConnection::connect_with(opts)).await {
        Ok(r) => r,
        Err(_) => Err(sqlx::Error::PoolTimedOut),
    }
}

fn describe(o: &PgConnectOptions) -> String {
    let host = o
        .get_socket()
        .map(|s| s.display().to_string())
        .unwrap_or_else(|| format!("{}:{}", o.get_host(), o.get_port()));
    format!("{}@{}/{}", o.get_username(), host, o.get_database().unwrap_or("?"))
}

/// Database names are created with quoting; keep them plain anyway.
fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.len() < 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Creates database `name` through `maintenance` if it does not exist.
async fn ensure_database(maintenance: &PgConnectOptions, name: &str) -> Result<(), StoreError> {
    let mut conn = connect_once(maintenance).await?;
    let exists = sqlx::query_scalar!("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name)
        .fetch_one(&mut conn)
        .await?
        .unwrap_or(false);
    if !exists {
        tracing::info!(database = name, "creating database");
        match conn.execute(format!("CREATE DATABASE \"{name}\"").as_str()).await {
            Ok(_) => {}
            // Another process created it first.
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P04") => {}
            Err(e) => return Err(e.into()),
        }
    }
    let _ = conn.close().await;
    Ok(())
}

impl Database {
    /// Connects as the settings say, creating Sigap's database if it is missing.
    /// `data_dir` holds a private cluster when one is needed.
    pub async fn open(settings: &DatabaseSettings, data_dir: &Path) -> Result<Database, StoreError> {
        if !valid_name(&settings.name) {
            return Err(StoreError::Corrupt(format!(
                "database name `{}` is not a plain name",
                settings.name
            )));
        }
        if let Some(url) = &settings.url {
            let opts = PgConnectOptions::from_str(url.expose_secret())?;
            let name = opts.get_database().unwrap_or(&settings.name).to_owned();
            if let Err(sqlx::Error::Database(e)) = connect_once(&opts.clone().database(&name)).await {
                if e.code().as_deref() == Some("3D000") {
                    ensure_database(&opts.clone().database("postgres"), &name).await?;
                }
            }
            return Self::pool(opts.database(&name), settings, None).await;
        }
        let mut refused = Vec::new();
        for candidate in local_candidates() {
            for maintenance in ["postgres", "template1"] {
                let probe = candidate.clone().database(maintenance);
                match connect_once(&probe).await {
                    Ok(c) => {
                        let _ = c.close().await;
                        ensure_database(&probe, &settings.name).await?;
                        return Self::pool(candidate.database(&settings.name), settings, None).await;
                    }
                    Err(e) => match classify(e) {
                        Probe::Absent => break,
                        Probe::Refused(why) => refused.push(format!("{}: {why}", describe(&probe))),
                    },
                }
            }
        }
        if !refused.is_empty() {
            // A server is there but will not have us: starting another would only hide that.
            return Err(StoreError::Corrupt(format!(
                "a local PostgreSQL answered but refused the connection ({}); set DATABASE_URL",
                refused.join("; ")
            )));
        }
        let bin = embedded::find_binaries(settings.pg_bin_dir.as_deref()).ok_or(ServerError::NotInstalled)?;
        let server = EmbeddedServer::start(data_dir, &bin).await?;
        let opts = server.options();
        ensure_database(&opts.clone().database("postgres"), &settings.name).await?;
        Self::pool(opts.database(&settings.name), settings, Some(server)).await
    }

    async fn pool(
        opts: PgConnectOptions,
        settings: &DatabaseSettings,
        server: Option<EmbeddedServer>,
    ) -> Result<Database, StoreError> {
        let opts = opts.disable_statement_logging();
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts.clone())
            .await?;
        let description = describe(&opts);
        tracing::info!(database = %description, private = server.is_some(), "connected");
        Ok(Database {
            pool,
            description,
            server,
        })
    }

    /// A database someone else connected to (tests spawning the app on their own database).
    pub fn from_pool(pool: PgPool, description: impl Into<String>) -> Database {
        Database {
            pool,
            description: description.into(),
            server: None,
        }
    }

    /// Applies the migrations that are not applied yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    pub fn is_private(&self) -> bool {
        self.server.is_some()
    }

    /// Closes the pool and stops the private server, if any.
    pub async fn close(mut self) {
        self.pool.close().await;
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
    }
}

/// Where `psql` would look: the PG* environment and the default socket; then TCP on
/// 127.0.0.1:5432, as ourselves and as `postgres`.
fn local_candidates() -> Vec<PgConnectOptions> {
    let env = PgConnectOptions::new();
    let mut v = vec![env.clone()];
    if std::env::var_os("PGHOST").is_none() && std::env::var_os("PGHOSTADDR").is_none() {
        let tcp = PgConnectOptions::new().host("127.0.0.1").port(5432);
        v.push(tcp.clone());
        if std::env::var_os("PGUSER").is_none() && tcp.get_username() != "postgres" {
            v.push(PgConnectOptions::new().username("postgres"));
            v.push(tcp.username("postgres"));
        }
    }
    v
}
