//! A database for tests under tokio's paused clock.
#![allow(dead_code)]

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, Executor, PgConnection, PgPool};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// A fresh database of its own and a pool that sets no timer once running.
///
/// Under a paused clock tokio moves time to the next timer whenever the runtime waits on
/// PostgreSQL, so any periodic timer makes virtual time race ahead. `#[sqlx::test]` is not
/// used: its shared admin pool runs a reaper every few minutes on the test's runtime. Every
/// connection is opened before the clock stops (the acquire timeout is a timer while one
/// opens) and none is ever closed for age or idleness.
pub async fn paused_pool() -> (PgPool, PgConnectOptions, String) {
    const SIZE: u32 = 8;
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let admin: PgConnectOptions = url.parse().unwrap();
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "sigap_paused_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        chrono::Utc::now().timestamp_micros()
    );
    let mut c = PgConnection::connect_with(&admin).await.unwrap();
    c.execute(format!("CREATE DATABASE {name}").as_str()).await.unwrap();
    c.close().await.unwrap();
    let pool = open_pool(&admin, &name, SIZE).await;
    sigap::store::MIGRATOR.run(&pool).await.unwrap();
    while pool.num_idle() < SIZE as usize {
        tokio::task::yield_now().await;
    }
    (pool, admin, name)
}

pub async fn drop_database(pool: PgPool, admin: &PgConnectOptions, name: &str) {
    pool.close().await;
    let mut c = PgConnection::connect_with(admin).await.unwrap();
    c.execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str())
        .await
        .unwrap();
}

/// Another pool on the same database, as a second process would have (open it before the
/// clock stops, like `paused_pool`). Its sessions carry a name of their own, so `kill` can
/// end them.
pub async fn another_pool(admin: &PgConnectOptions, name: &str) -> PgPool {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let process = format!("sigap-test-process-{}", NEXT.fetch_add(1, Ordering::Relaxed));
    open_pool(&admin.clone().application_name(&process), name, 3).await
}

/// Ends `process`'s sessions as the server sees a killed process's: at once, from the
/// server's side, whatever they hold (a session-level lock included). Closing the pool from
/// our side is not the same: a connection checked out by a task just aborted is returned,
/// and so closed, only when its drop has run.
pub async fn kill(other: &PgPool, process: PgPool) {
    let app = process.connect_options().get_application_name().map(str::to_owned);
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1")
        .bind(app.expect("a pool from another_pool"))
        .execute(other)
        .await
        .unwrap();
    process.close().await;
}

/// A pool of `size` connections, all open and idle on return.
async fn open_pool(admin: &PgConnectOptions, name: &str, size: u32) -> PgPool {
    let pool = PgPoolOptions::new()
        .max_connections(size)
        .acquire_timeout(Duration::from_secs(60))
        .idle_timeout(None)
        .max_lifetime(None)
        .test_before_acquire(false)
        .connect_with(admin.clone().database(name))
        .await
        .unwrap();
    let mut open = Vec::new();
    for _ in 0..size {
        open.push(pool.acquire().await.unwrap());
    }
    drop(open);
    // A released connection is pinged before it is idle again; wait for all of them, so an
    // acquire under the paused clock never waits (its timeout would fire at once).
    while pool.num_idle() < size as usize {
        tokio::task::yield_now().await;
    }
    pool
}
